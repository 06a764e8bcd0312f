//! A deck to build on — the user's template or the built-in one: its parts, relationships,
//! content types, slide size and the placeholders of its layouts.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::base::{REL_BASE, REL_NS};
use crate::DocError;
use crate::package::XML_DECL;
use crate::xml::esc;

/// One relationship of a part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rel {
    pub id: String,
    pub ty: String,
    pub target: String,
    pub external: bool,
}

impl Rel {
    pub(crate) fn new(id: impl Into<String>, ty: &str, target: impl Into<String>) -> Rel {
        Rel {
            id: id.into(),
            ty: format!("{REL_BASE}/{ty}"),
            target: target.into(),
            external: false,
        }
    }
}

fn attrs(e: &BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| {
            let key = a.key.as_ref().to_string();
            let val = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (key, val)
        })
        .collect()
}

fn attr<'a>(list: &'a [(String, String)], key: &str) -> Option<&'a str> {
    list.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub(crate) fn parse_rels(xml: &str) -> Vec<Rel> {
    let mut out = Vec::new();
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e)) | Ok(Event::Start(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let a = attrs(&e);
                out.push(Rel {
                    id: attr(&a, "Id").unwrap_or_default().to_string(),
                    ty: attr(&a, "Type").unwrap_or_default().to_string(),
                    target: attr(&a, "Target").unwrap_or_default().to_string(),
                    external: attr(&a, "TargetMode") == Some("External"),
                });
            }
            Ok(Event::Eof) | Err(_) => return out,
            Ok(_) => {}
        }
    }
}

pub(crate) fn write_rels(rels: &[Rel]) -> String {
    let mut s = format!("{XML_DECL}<Relationships xmlns=\"{REL_NS}\">");
    for r in rels {
        let mode = if r.external {
            " TargetMode=\"External\""
        } else {
            ""
        };
        s.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{}\" Target=\"{}\"{mode}/>",
            esc(&r.id),
            esc(&r.ty),
            esc(&r.target)
        ));
    }
    s.push_str("</Relationships>");
    s
}

/// "ppt/slides/_rels/slide1.xml.rels" for "ppt/slides/slide1.xml".
pub(crate) fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

fn dir_of(part: &str) -> &str {
    part.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A relationship target resolved to a package path.
pub(crate) fn resolve(from_part: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir_of(from_part)
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The target to write in `from_part`'s relationships to reach `to_part`.
pub(crate) fn relative(from_part: &str, to_part: &str) -> String {
    let from: Vec<&str> = dir_of(from_part)
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let to: Vec<&str> = to_part.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

/// A placeholder of a layout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ph {
    /// The ph type ("title", "ctrTitle", "subTitle", "body", … or "" for content).
    pub ty: String,
    pub idx: Option<String>,
    pub xfrm: Option<(i64, i64, i64, i64)>,
}

impl Ph {
    /// The `<p:ph>` element a slide uses to inherit from this placeholder.
    pub(crate) fn element(&self) -> String {
        let mut s = String::from("<p:ph");
        if !self.ty.is_empty() {
            s.push_str(&format!(" type=\"{}\"", esc(&self.ty)));
        }
        if let Some(idx) = &self.idx {
            s.push_str(&format!(" idx=\"{}\"", esc(idx)));
        }
        s.push_str("/>");
        s
    }

    pub(crate) fn is_title(&self) -> bool {
        self.ty == "title" || self.ty == "ctrTitle"
    }

    /// A placeholder that takes body text (content "obj" placeholders have no type).
    pub(crate) fn is_body(&self) -> bool {
        matches!(self.ty.as_str(), "" | "body" | "obj")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub path: String,
    /// The layout type ("title", "obj", "twoObj", "titleOnly", …; "cust" when unset).
    pub ty: String,
    pub phs: Vec<Ph>,
}

/// Placeholders of a layout, with positions where the layout sets them.
pub(crate) fn parse_layout(path: &str, xml: &str) -> Layout {
    let mut reader = Reader::from_str(xml);
    let mut ty = "cust".to_string();
    let mut phs = Vec::new();
    let mut current: Option<Ph> = None;
    let mut off = None;
    let mut in_sp = 0u32;
    let mut in_xfrm = false;
    loop {
        let event = reader.read_event();
        let (e, empty) = match &event {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.local_name().as_ref() {
                    "sp" => {
                        in_sp = in_sp.saturating_sub(1);
                        if let Some(ph) = current.take() {
                            phs.push(ph);
                        }
                    }
                    "xfrm" => in_xfrm = false,
                    _ => {}
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        let a = attrs(e);
        match e.local_name().as_ref() {
            "sldLayout" => {
                if let Some(t) = attr(&a, "type") {
                    ty = t.to_string();
                }
            }
            "sp" if !empty => {
                in_sp += 1;
                current = None;
            }
            "ph" if in_sp > 0 => {
                current = Some(Ph {
                    ty: attr(&a, "type").unwrap_or_default().to_string(),
                    idx: attr(&a, "idx").map(str::to_string),
                    xfrm: None,
                });
            }
            "xfrm" if !empty => in_xfrm = true,
            "off" if in_xfrm => {
                off = attr(&a, "x")
                    .zip(attr(&a, "y"))
                    .and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)));
            }
            "ext" if in_xfrm => {
                let ext: Option<(i64, i64)> = attr(&a, "cx")
                    .zip(attr(&a, "cy"))
                    .and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)));
                if let (Some(ph), Some((x, y)), Some((cx, cy))) = (current.as_mut(), off, ext) {
                    ph.xfrm = Some((x, y, cx, cy));
                }
            }
            _ => {}
        }
    }
    Layout {
        path: path.to_string(),
        ty,
        phs,
    }
}

/// The deck being built on.
pub(crate) struct Deck {
    pub parts: Vec<(String, Vec<u8>)>,
    pub pres_path: String,
    pub layouts: Vec<Layout>,
    pub notes_master: Option<String>,
    pub size: (i64, i64),
}

fn terr(detail: impl std::fmt::Display) -> DocError {
    DocError::write(
        "pptx",
        format!("the template {detail}; use a .pptx or .potx saved by PowerPoint or LibreOffice"),
    )
}

impl Deck {
    pub(crate) fn part_str(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Deck, DocError> {
        let mut zip = cowork_docmodel::zipguard::SafeZip::open(bytes, "pptx template", 512 << 20)
            .map_err(|e| terr(format!("is not a readable .pptx ({e})")))?;
        let mut parts = Vec::new();
        for name in zip.names() {
            if !name.ends_with('/')
                && let Some(data) = zip.read(&name)?
            {
                parts.push((name, data));
            }
        }
        Deck::from_parts(parts)
    }

    pub(crate) fn from_parts(parts: Vec<(String, Vec<u8>)>) -> Result<Deck, DocError> {
        let mut deck = Deck {
            parts,
            pres_path: String::new(),
            layouts: vec![],
            notes_master: None,
            size: (0, 0),
        };
        let root = parse_rels(&deck.part_str("_rels/.rels").unwrap_or_default());
        deck.pres_path = root
            .iter()
            .find(|r| r.ty.ends_with("/officeDocument"))
            .map(|r| resolve("", &r.target))
            .unwrap_or_else(|| "ppt/presentation.xml".into());
        let pres = deck
            .part_str(&deck.pres_path)
            .ok_or_else(|| terr("has no presentation part"))?;
        deck.size = slide_size(&pres).unwrap_or((super::base::SLIDE_W, super::base::SLIDE_H));
        let pres_rels = parse_rels(
            &deck
                .part_str(&rels_path(&deck.pres_path))
                .unwrap_or_default(),
        );
        let master = pres_rels
            .iter()
            .find(|r| r.ty.ends_with("/slideMaster"))
            .map(|r| resolve(&deck.pres_path, &r.target))
            .ok_or_else(|| terr("has no slide master"))?;
        deck.notes_master = pres_rels
            .iter()
            .find(|r| r.ty.ends_with("/notesMaster"))
            .map(|r| resolve(&deck.pres_path, &r.target))
            .filter(|p| deck.parts.iter().any(|(n, _)| n == p));
        for rel in parse_rels(&deck.part_str(&rels_path(&master)).unwrap_or_default()) {
            if rel.ty.ends_with("/slideLayout") {
                let path = resolve(&master, &rel.target);
                if let Some(xml) = deck.part_str(&path) {
                    deck.layouts.push(parse_layout(&path, &xml));
                }
            }
        }
        if deck.layouts.is_empty() {
            return Err(terr("has no slide layouts"));
        }
        Ok(deck)
    }

    /// The first layout of the first type in `prefs` that exists, else the first layout.
    pub(crate) fn layout(&self, prefs: &[&str]) -> &Layout {
        prefs
            .iter()
            .find_map(|p| self.layouts.iter().find(|l| l.ty == *p))
            .unwrap_or(&self.layouts[0])
    }
}

fn slide_size(pres: &str) -> Option<(i64, i64)> {
    let at = pres.find("<p:sldSz")?;
    let tag = &pres[at..at + pres[at..].find('>')?];
    let get = |k: &str| -> Option<i64> {
        let key = format!("{k}=\"");
        let s = &tag[tag.find(&key)? + key.len()..];
        s[..s.find('"')?].parse().ok()
    };
    Some((get("cx")?, get("cy")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_layouts() {
        assert_eq!(
            relative("ppt/slides/slide1.xml", "ppt/slideLayouts/slideLayout2.xml"),
            "../slideLayouts/slideLayout2.xml"
        );
        assert_eq!(
            relative("ppt/presentation.xml", "ppt/slides/slide1.xml"),
            "slides/slide1.xml"
        );
        assert_eq!(
            resolve("ppt/slides/slide1.xml", "../media/a.png"),
            "ppt/media/a.png"
        );
        let deck = Deck::from_parts(super::super::base::parts()).unwrap();
        assert_eq!(deck.layouts.len(), 4);
        let two = deck.layout(&["twoObj"]);
        assert_eq!(two.phs.iter().filter(|p| p.is_body()).count(), 2);
        assert!(two.phs[1].xfrm.is_some());
        assert_eq!(deck.layout(&["nope", "title"]).ty, "title");
        assert!(deck.notes_master.is_some());
        assert_eq!(deck.size, (12_192_000, 6_858_000));
    }
}
