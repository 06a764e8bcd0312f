//! The Open Packaging Conventions layer both readers share: parts in a zip (through
//! [`SafeZip`]'s decompression budget), relationships, the main part and the package
//! metadata (`docProps/core.xml`, `docProps/app.xml`).

use std::collections::{BTreeMap, HashMap};

use cowork_docmodel::zipguard::SafeZip;
use cowork_docmodel::{DocError, Document, Format, ReadOptions};

use crate::xml::{Ev, Xml, decode};

/// A zip package opened with the caller's decompression budget.
pub(crate) struct Package<'a> {
    zip: SafeZip<'a>,
    /// Lower-cased part name → name as stored: OPC part names are case-insensitive and
    /// producers disagree on case between relationships and entries.
    names: HashMap<String, String>,
    pub(crate) format: Format,
}

/// One relationship of a part.
#[derive(Debug, Clone)]
pub(crate) struct Rel {
    /// The last segment of the type URI (`officeDocument`, `hyperlink`, `slide` …): the same
    /// in Transitional and Strict packages.
    pub(crate) kind: String,
    /// The part name the target resolves to (no leading slash), or the URL of an external
    /// target.
    pub(crate) target: String,
    pub(crate) external: bool,
}

/// The relationships of one part, by id and in file order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Rels {
    pub(crate) list: Vec<Rel>,
    by_id: HashMap<String, usize>,
}

impl Rels {
    pub(crate) fn get(&self, id: &str) -> Option<&Rel> {
        self.by_id.get(id).and_then(|&i| self.list.get(i))
    }

    /// The first relationship of this kind.
    pub(crate) fn first_of(&self, kind: &str) -> Option<&Rel> {
        self.list.iter().find(|r| r.kind == kind)
    }

    /// The internal target of relationship `id` when it is of one of `kinds`.
    pub(crate) fn target_of(&self, id: &str, kinds: &[&str]) -> Option<&str> {
        self.get(id)
            .filter(|r| !r.external && kinds.contains(&r.kind.as_str()))
            .map(|r| r.target.as_str())
    }
}

impl<'a> Package<'a> {
    /// Open `bytes` as a package of `format`, failing clearly on what is not a zip.
    pub(crate) fn open(
        bytes: &'a [u8],
        format: Format,
        opts: &ReadOptions,
    ) -> Result<Package<'a>, DocError> {
        if bytes.len() as u64 > opts.max_input_bytes {
            return Err(DocError::TooLarge {
                what: format!("this {format} file ({} bytes)", bytes.len()),
                limit: format!("{} bytes", opts.max_input_bytes),
            });
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(compound_file_error(bytes, format));
        }
        let zip = SafeZip::open(bytes, format.name(), opts.max_expanded_bytes)?;
        let names = zip
            .names()
            .into_iter()
            .map(|n| (n.to_ascii_lowercase(), n))
            .collect();
        Ok(Package { zip, names, format })
    }

    /// The stored entry name for part `name` (case-insensitive, percent-decoded as a fallback).
    fn entry(&self, name: &str) -> Option<String> {
        let name = name.trim_start_matches('/');
        if let Some(found) = self.names.get(&name.to_ascii_lowercase()) {
            return Some(found.clone());
        }
        let decoded = percent_decode(name);
        self.names.get(&decoded.to_ascii_lowercase()).cloned()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    /// Part `name` as text; None when absent.
    pub(crate) fn read_text(&mut self, name: &str) -> Result<Option<String>, DocError> {
        let Some(entry) = self.entry(name) else {
            return Ok(None);
        };
        Ok(self.zip.read(&entry)?.map(decode))
    }

    /// Like [`Package::read_text`], but a damaged secondary part becomes a warning instead of
    /// failing the whole read. Budget and encryption errors still fail: they concern the file.
    pub(crate) fn read_optional(
        &mut self,
        name: &str,
        doc: &mut Document,
    ) -> Result<Option<String>, DocError> {
        match self.read_text(name) {
            Ok(text) => Ok(text),
            Err(e @ (DocError::TooLarge { .. } | DocError::Encrypted { .. })) => Err(e),
            Err(e) => {
                doc.warn(None, format!("part {name} skipped: {e}"));
                Ok(None)
            }
        }
    }

    /// The relationships of part `part` ("" for the package's own); empty when there are none
    /// or they cannot be parsed (with a warning).
    pub(crate) fn rels(&mut self, part: &str, doc: &mut Document) -> Result<Rels, DocError> {
        let path = rels_path(part);
        let Some(text) = self.read_optional(&path, doc)? else {
            return Ok(Rels::default());
        };
        match parse_rels(&text, part) {
            Ok(rels) => Ok(rels),
            Err(e) => {
                doc.warn(None, format!("relationships {path} unreadable: {e}"));
                Ok(Rels::default())
            }
        }
    }

    /// The main part named by the package's `officeDocument` relationship (the only reliable
    /// way: Strict and some producers do not use `word/document.xml`), else `fallback`.
    pub(crate) fn main_part(
        &mut self,
        root: &Rels,
        fallback: &str,
        doc: &mut Document,
    ) -> Result<String, DocError> {
        if let Some(rel) = root.first_of("officeDocument")
            && self.has(&rel.target)
        {
            return Ok(rel.target.clone());
        }
        if self.has(fallback) {
            doc.warn(
                None,
                format!("the package does not name its main part; read {fallback}"),
            );
            return Ok(fallback.to_string());
        }
        Err(DocError::corrupt(
            self.format,
            format!(
                "the zip has no main {} part (no officeDocument relationship and no {fallback}); it is not a {} document",
                self.format, self.format
            ),
        ))
    }

    /// Title and metadata from the core and extended properties parts.
    pub(crate) fn read_properties(
        &mut self,
        root: &Rels,
        doc: &mut Document,
    ) -> Result<(), DocError> {
        let core = root
            .first_of("core-properties")
            .map(|r| r.target.clone())
            .unwrap_or_else(|| "docProps/core.xml".to_string());
        let app = root
            .first_of("extended-properties")
            .map(|r| r.target.clone())
            .unwrap_or_else(|| "docProps/app.xml".to_string());
        for (part, keys) in [(core, CORE_KEYS), (app, APP_KEYS)] {
            let Some(text) = self.read_optional(&part, doc)? else {
                continue;
            };
            match properties(&text, keys) {
                Ok(found) => {
                    for (key, value) in found {
                        if key == "title" {
                            doc.title = Some(value);
                        } else {
                            doc.metadata.insert(key.to_string(), value);
                        }
                    }
                }
                Err(e) => doc.warn(None, format!("properties {part} unreadable: {e}")),
            }
        }
        Ok(())
    }
}

/// Refuse a main part whose root is not `expected` (a pptx handed to the docx reader …).
pub(crate) fn check_root(text: &str, expected: &str, format: Format) -> Result<(), DocError> {
    match crate::xml::root_name(text) {
        Some(root) if root != expected => Err(DocError::Unsupported {
            what: format!(
                "an office package whose main part is `{root}`, not a {}",
                match format {
                    Format::Pptx => "presentation",
                    _ => "Word document",
                }
            ),
            hint: "; read it as the format it is (a workbook as xlsx, a deck as pptx, a document as docx)"
                .to_string(),
        }),
        _ => Ok(()),
    }
}

/// A compound (CFB) file is either an encrypted OOXML package or a legacy binary document.
fn compound_file_error(bytes: &[u8], format: Format) -> DocError {
    let marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
        DocError::Encrypted {
            format: format.name().to_string(),
        }
    } else {
        let legacy = match format {
            Format::Pptx => "PowerPoint 97-2003 (.ppt)",
            _ => "Word 97-2003 (.doc)",
        };
        DocError::Unsupported {
            what: format!("a {legacy} binary file"),
            hint: format!("; save it as .{} and read that", format.name()),
        }
    }
}

/// Core properties kept, element local name → metadata key.
const CORE_KEYS: &[(&str, &str)] = &[
    ("title", "title"),
    ("subject", "subject"),
    ("creator", "author"),
    ("keywords", "keywords"),
    ("description", "description"),
    ("lastModifiedBy", "last_modified_by"),
    ("revision", "revision"),
    ("created", "created"),
    ("modified", "modified"),
    ("category", "category"),
];

/// Extended (app) properties kept.
const APP_KEYS: &[(&str, &str)] = &[
    ("Application", "application"),
    ("Company", "company"),
    ("Pages", "pages"),
    ("Words", "words"),
    ("Slides", "slides"),
    ("Notes", "notes"),
    ("HiddenSlides", "hidden_slides"),
];

/// The non-empty values of the root's children named in `keys`.
fn properties(
    text: &str,
    keys: &[(&str, &'static str)],
) -> Result<BTreeMap<&'static str, String>, crate::xml::XmlError> {
    let mut out = BTreeMap::new();
    let mut xml = Xml::new(text);
    loop {
        match xml.next()? {
            Ev::Start(e) if xml.depth() == 2 => {
                let key = keys.iter().find(|(name, _)| *name == e.local());
                match key {
                    Some((_, key)) => {
                        let value = xml.text_of(&[])?;
                        let value = value.trim();
                        if !value.is_empty() {
                            out.insert(*key, value.to_string());
                        }
                    }
                    None => xml.skip()?,
                }
            }
            Ev::Eof => return Ok(out),
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
}

/// `word/document.xml` → `word/_rels/document.xml.rels`; "" → `_rels/.rels`.
pub(crate) fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// Parse a `.rels` part of `source` (whose directory relative targets start from).
pub(crate) fn parse_rels(text: &str, source: &str) -> Result<Rels, crate::xml::XmlError> {
    let base = source.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let mut rels = Rels::default();
    let mut xml = Xml::new(text);
    loop {
        match xml.next()? {
            Ev::Start(e) if e.local() == "Relationship" => {
                let (Some(id), Some(kind), Some(target)) =
                    (e.attr("Id"), e.attr("Type"), e.attr("Target"))
                else {
                    continue;
                };
                let external = e
                    .attr("TargetMode")
                    .is_some_and(|m| m.eq_ignore_ascii_case("External"));
                let kind = kind.rsplit('/').next().unwrap_or("").to_string();
                let target = if external {
                    target
                } else {
                    resolve(base, &target)
                };
                rels.by_id.insert(id.clone(), rels.list.len());
                rels.list.push(Rel {
                    kind,
                    target,
                    external,
                });
            }
            Ev::Eof => return Ok(rels),
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
}

/// Resolve a relative part reference against directory `base` ("/x" is package-absolute).
pub(crate) fn resolve(base: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or("");
    let mut parts: Vec<&str> = Vec::new();
    let joined;
    let path = if let Some(abs) = target.strip_prefix('/') {
        abs
    } else {
        joined = if base.is_empty() {
            target.to_string()
        } else {
            format!("{base}/{target}")
        };
        joined.as_str()
    };
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes.get(i).copied().unwrap_or(0);
        if byte == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_and_absolute_targets() {
        assert_eq!(resolve("word", "media/image1.png"), "word/media/image1.png");
        assert_eq!(
            resolve("ppt/slides", "../slideLayouts/slideLayout1.xml"),
            "ppt/slideLayouts/slideLayout1.xml"
        );
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
        assert_eq!(resolve("word", "/word/x.xml"), "word/x.xml");
        assert_eq!(
            rels_path("word/document.xml"),
            "word/_rels/document.xml.rels"
        );
        assert_eq!(rels_path(""), "_rels/.rels");
        assert_eq!(percent_decode("a%20b.png"), "a b.png");
    }

    #[test]
    fn parses_strict_and_transitional_relationships() {
        let text = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://x.org/?a=1&amp;b=2" TargetMode="External"/>
</Relationships>"#;
        let rels = parse_rels(text, "").unwrap();
        assert_eq!(
            rels.first_of("officeDocument").unwrap().target,
            "word/document.xml"
        );
        let link = rels.get("rId2").unwrap();
        assert!(link.external);
        assert_eq!(link.target, "https://x.org/?a=1&b=2");
    }
}
