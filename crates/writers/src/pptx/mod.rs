//! Slide decks (pptx) from an outline, written on zip + XML (no crate does this well).
//!
//! Without a template the deck uses a built-in 16:9 master with title, title+content,
//! two-content and title-only layouts. With a template deck its masters, layouts and theme
//! are reused (layouts picked by type: title, obj, twoObj, titleOnly) and its slides are
//! dropped. Chart slides hold native charts (bar, line, pie, scatter) with an embedded
//! workbook, so they stay editable. Every slide can carry speaker notes.

mod base;
mod chart_xml;
mod deck;
mod slides;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DocError;
use crate::chart::ChartSpec;
use crate::image::sniff;
use crate::package::{Package, app_props, core_props};
use deck::{Deck, Rel, parse_rels, relative, rels_path, write_rels};
use slides::{Lines, SlideXml, content_box, fit, notes_xml};

/// A deck: slides in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PresentationSpec {
    /// Deck title for the document properties (default: the first slide's title).
    #[serde(default)]
    pub title: Option<String>,
    /// The slides, in order.
    pub slides: Vec<SlideSpec>,
}

/// One slide, by layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "layout", rename_all = "snake_case")]
pub enum SlideSpec {
    /// A title slide: big title and an optional subtitle.
    Title {
        title: String,
        #[serde(default)]
        subtitle: Option<String>,
        /// Speaker notes.
        #[serde(default)]
        notes: Option<String>,
    },
    /// A title and a bulleted list.
    Bullets {
        title: String,
        /// Bullet points: plain strings, or {"text", "level"} for sub-points (level 0–4).
        /// "**bold**" spans are shown bold.
        #[serde(default)]
        bullets: Vec<Bullet>,
        #[serde(default)]
        notes: Option<String>,
    },
    /// A title and two columns of bullets (e.g. before/after, pros/cons).
    TwoColumn {
        title: String,
        #[serde(default)]
        left: Vec<Bullet>,
        #[serde(default)]
        right: Vec<Bullet>,
        #[serde(default)]
        notes: Option<String>,
    },
    /// A title and a picture (PNG or JPEG), with an optional caption.
    Image {
        title: String,
        /// The image: a key of the images passed with the deck (a workspace path).
        image: String,
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        notes: Option<String>,
    },
    /// A title and a native, editable chart with its data inline.
    Chart {
        title: String,
        chart: ChartSpec,
        #[serde(default)]
        notes: Option<String>,
    },
}

/// A bullet point: a string, or an object with an indent level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Bullet {
    /// A top-level bullet.
    Text(String),
    /// A bullet at `level` (0 = top level, up to 4).
    Item {
        text: String,
        #[serde(default)]
        level: u8,
    },
}

impl Bullet {
    fn line(&self) -> (String, u8) {
        match self {
            Bullet::Text(t) => (t.clone(), 0),
            Bullet::Item { text, level } => (text.clone(), (*level).min(4)),
        }
    }
}

/// Options of [`write_pptx`].
#[derive(Debug, Clone, Default)]
pub struct PptxOptions {
    /// A .pptx/.potx whose masters, layouts and theme are used; its slides are dropped.
    pub template: Option<Vec<u8>>,
    /// Image bytes (PNG or JPEG) keyed by the `image` of image slides.
    pub images: BTreeMap<String, Vec<u8>>,
}

fn perr(detail: impl std::fmt::Display) -> DocError {
    DocError::write("pptx", detail)
}

/// Write the deck and return the pptx bytes.
pub fn write_pptx(spec: &PresentationSpec, opts: &PptxOptions) -> Result<Vec<u8>, DocError> {
    if spec.slides.is_empty() {
        return Err(perr("the deck has no slides; give at least one"));
    }
    let deck = match &opts.template {
        Some(bytes) => Deck::from_bytes(bytes)?,
        None => Deck::from_parts(base::parts())?,
    };
    let mut out = Output::default();
    let notes_master = match &deck.notes_master {
        Some(path) => path.clone(),
        None => {
            let path = "ppt/notesMasters/cowork_notesMaster.xml".to_string();
            let theme = "ppt/theme/cowork_notes_theme.xml";
            let (xml, rels, theme_xml) = base::notes_master_parts(theme);
            out.add(&path, xml, Some("presentationml.notesMaster+xml"));
            out.add(&rels_path(&path), rels, None);
            out.add(theme, theme_xml, Some("theme+xml"));
            out.added_notes_master = true;
            path
        }
    };
    for (i, slide) in spec.slides.iter().enumerate() {
        write_slide(&deck, opts, &mut out, i + 1, slide, &notes_master)
            .map_err(|e| perr(format!("slide {}: {}", i + 1, strip_prefix(&e))))?;
    }
    out.overrides.push((
        "/docProps/core.xml".into(),
        "application/vnd.openxmlformats-package.core-properties+xml".into(),
    ));
    out.add_override("docProps/app.xml", "extended-properties+xml");
    let title = spec
        .title
        .clone()
        .or_else(|| spec.slides.first().map(|s| slide_title(s).to_string()));
    assemble(&deck, out, title.as_deref(), &notes_master)
}

fn strip_prefix(e: &DocError) -> String {
    match e {
        DocError::Write { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

fn slide_title(slide: &SlideSpec) -> &str {
    match slide {
        SlideSpec::Title { title, .. }
        | SlideSpec::Bullets { title, .. }
        | SlideSpec::TwoColumn { title, .. }
        | SlideSpec::Image { title, .. }
        | SlideSpec::Chart { title, .. } => title,
    }
}

/// New parts, and the content types they need.
#[derive(Default)]
struct Output {
    parts: Vec<(String, Vec<u8>)>,
    overrides: Vec<(String, String)>,
    slides: Vec<String>,
    added_notes_master: bool,
    media: usize,
}

impl Output {
    fn add_override(&mut self, path: &str, ct: &str) {
        self.overrides.push((
            format!("/{path}"),
            format!("application/vnd.openxmlformats-officedocument.{ct}"),
        ));
    }

    fn add(&mut self, path: &str, data: impl Into<Vec<u8>>, content_type: Option<&str>) {
        if let Some(ct) = content_type {
            let full = if ct.starts_with("application/") {
                ct.to_string()
            } else {
                format!("application/vnd.openxmlformats-officedocument.{ct}")
            };
            self.overrides.push((format!("/{path}"), full));
        }
        self.parts.push((path.to_string(), data.into()));
    }
}

fn write_slide(
    deck: &Deck,
    opts: &PptxOptions,
    out: &mut Output,
    n: usize,
    slide: &SlideSpec,
    notes_master: &str,
) -> Result<(), DocError> {
    let path = format!("ppt/slides/slide{n}.xml");
    let prefs: &[&str] = match slide {
        SlideSpec::Title { .. } => &["title", "ctrTitle", "titleOnly", "obj"],
        SlideSpec::Bullets { .. } => &["obj", "tx", "twoObj", "titleOnly"],
        SlideSpec::TwoColumn { .. } => &["twoObj", "twoTxTwoObj", "obj"],
        SlideSpec::Image { .. } | SlideSpec::Chart { .. } => &["titleOnly", "obj", "title"],
    };
    let layout = deck.layout(prefs);
    let mut rels = vec![Rel::new(
        "rId1",
        "slideLayout",
        relative(&path, &layout.path),
    )];
    let mut xml = SlideXml::new();
    let title_ph = layout.phs.iter().find(|p| p.is_title());
    let mut bodies: Vec<_> = layout
        .phs
        .iter()
        .filter(|p| p.is_body() || p.ty == "subTitle")
        .collect();
    // Left column first, then by placeholder index.
    bodies.sort_by_key(|p| (p.ty != "subTitle", p.xfrm.map_or(0, |b| b.0)));
    let (w, h) = deck.size;
    let title_text: Lines = vec![(slide_title(slide).to_string(), 0)];
    match title_ph {
        Some(ph) => xml.placeholder(ph, &title_text, false),
        None => xml.text_box((w / 14, h / 20, w * 6 / 7, h / 6), &title_text, 3600, false),
    }
    let area = content_box(layout, deck.size);
    let body_text = |xml: &mut SlideXml, k: usize, lines: Lines, bx: (i64, i64, i64, i64)| {
        match bodies.get(k) {
            Some(ph) => xml.placeholder(ph, &lines, true),
            None => xml.text_box(bx, &lines, 2000, false),
        }
    };
    let notes = match slide {
        SlideSpec::Title {
            subtitle, notes, ..
        } => {
            if let Some(sub) = subtitle {
                body_text(
                    &mut xml,
                    0,
                    vec![(sub.clone(), 0)],
                    (w / 8, h * 55 / 100, w * 3 / 4, h / 5),
                );
            }
            notes
        }
        SlideSpec::Bullets { bullets, notes, .. } => {
            body_text(
                &mut xml,
                0,
                bullets.iter().map(Bullet::line).collect(),
                area,
            );
            notes
        }
        SlideSpec::TwoColumn {
            left, right, notes, ..
        } => {
            let half = area.2 / 2;
            let (x, y, _, hh) = area;
            body_text(
                &mut xml,
                0,
                left.iter().map(Bullet::line).collect(),
                (x, y, half - 76_200, hh),
            );
            body_text(
                &mut xml,
                1,
                right.iter().map(Bullet::line).collect(),
                (x + half + 76_200, y, half - 76_200, hh),
            );
            notes
        }
        SlideSpec::Image {
            image,
            caption,
            notes,
            ..
        } => {
            let bytes = opts.images.get(image).ok_or_else(|| {
                perr(format!("image '{image}' was not provided; pass its bytes under that key or use another layout"))
            })?;
            let info = sniff(bytes).map_err(|why| perr(format!("image '{image}': {why}")))?;
            out.media += 1;
            let media = format!(
                "ppt/media/cowork_image{}.{}",
                out.media,
                info.kind.extension()
            );
            out.add(&media, bytes.clone(), None);
            rels.push(Rel::new("rId3", "image", relative(&path, &media)));
            let (x, y, cw, ch) = area;
            let reserve = if caption.is_some() { ch / 8 } else { 0 };
            let bx = fit((x, y, cw, ch - reserve), info.fit_emu(i64::MAX, i64::MAX));
            xml.picture("rId3", bx, caption.as_deref().unwrap_or(image));
            if let Some(c) = caption {
                xml.text_box(
                    (x, y + ch - reserve, cw, reserve),
                    &[(c.clone(), 0)],
                    1400,
                    true,
                );
            }
            notes
        }
        SlideSpec::Chart { chart, notes, .. } => {
            let (chart_xml, workbook) = chart_xml::chart_part(chart)?;
            let chart_path = format!("ppt/charts/cowork_chart{n}.xml");
            let book = format!("ppt/embeddings/cowork_chart{n}.xlsx");
            out.add(&chart_path, chart_xml, Some("drawingml.chart+xml"));
            out.add(&book, workbook, None);
            out.add(
                &rels_path(&chart_path),
                write_rels(&[Rel::new("rId1", "package", relative(&chart_path, &book))]),
                None,
            );
            rels.push(Rel::new("rId3", "chart", relative(&path, &chart_path)));
            xml.chart("rId3", area);
            notes
        }
    };
    if let Some(notes) = notes.as_deref().filter(|t| !t.trim().is_empty()) {
        let notes_path = format!("ppt/notesSlides/notesSlide{n}.xml");
        out.add(
            &notes_path,
            notes_xml(notes),
            Some("presentationml.notesSlide+xml"),
        );
        out.add(
            &rels_path(&notes_path),
            write_rels(&[
                Rel::new("rId1", "notesMaster", relative(&notes_path, notes_master)),
                Rel::new("rId2", "slide", relative(&notes_path, &path)),
            ]),
            None,
        );
        rels.push(Rel::new("rId2", "notesSlide", relative(&path, &notes_path)));
    }
    out.add(&path, xml.finish(), Some("presentationml.slide+xml"));
    out.add(&rels_path(&path), write_rels(&rels), None);
    out.slides.push(path);
    Ok(())
}

/// Put the deck's kept parts and the new ones into one package.
fn assemble(
    deck: &Deck,
    out: Output,
    title: Option<&str>,
    notes_master: &str,
) -> Result<Vec<u8>, DocError> {
    let pres_rels_path = rels_path(&deck.pres_path);
    let mut pres_rels: Vec<Rel> = parse_rels(&deck.part_str(&pres_rels_path).unwrap_or_default())
        .into_iter()
        .filter(|r| !r.ty.ends_with("/slide"))
        .collect();
    let mut ids = String::from("<p:sldIdLst>");
    for (i, slide) in out.slides.iter().enumerate() {
        let rid = format!("rIdCwS{}", i + 1);
        ids.push_str(&format!("<p:sldId id=\"{}\" r:id=\"{rid}\"/>", 256 + i));
        pres_rels.push(Rel::new(rid, "slide", relative(&deck.pres_path, slide)));
    }
    ids.push_str("</p:sldIdLst>");
    let mut pres = deck.part_str(&deck.pres_path).unwrap_or_default();
    pres = remove_element(&pres, "p:sldIdLst");
    if out.added_notes_master {
        pres_rels.push(Rel::new(
            "rIdCwNotesMaster",
            "notesMaster",
            relative(&deck.pres_path, notes_master),
        ));
        pres = remove_element(&pres, "p:notesMasterIdLst");
        pres = insert_after(
            &pres,
            &["</p:sldMasterIdLst>"],
            "<p:notesMasterIdLst><p:notesMasterId r:id=\"rIdCwNotesMaster\"/></p:notesMasterIdLst>",
        )?;
    }
    pres = insert_after(
        &pres,
        &[
            "</p:handoutMasterIdLst>",
            "</p:notesMasterIdLst>",
            "</p:sldMasterIdLst>",
        ],
        &ids,
    )?;
    // The template's thumbnail shows its old first slide: drop it and its relationship.
    let (thumbs, root_rels): (Vec<Rel>, Vec<Rel>) =
        parse_rels(&deck.part_str("_rels/.rels").unwrap_or_default())
            .into_iter()
            .partition(|r| r.ty.ends_with("/thumbnail"));
    let thumbs: Vec<String> = thumbs
        .iter()
        .map(|r| deck::resolve("", &r.target))
        .collect();
    // Parts of the template's own slides are dropped with them.
    let dropped = |name: &str| {
        name.starts_with("ppt/slides/")
            || name.starts_with("ppt/notesSlides/")
            || thumbs.iter().any(|t| t == name)
    };
    let replaced = [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        deck.pres_path.as_str(),
        pres_rels_path.as_str(),
    ];
    let kept: Vec<&(String, Vec<u8>)> = deck
        .parts
        .iter()
        .filter(|(n, _)| !dropped(n) && !replaced.contains(&n.as_str()))
        .collect();
    let mut names: Vec<String> = kept.iter().map(|(n, _)| n.clone()).collect();
    names.extend(out.parts.iter().map(|(n, _)| n.clone()));
    names.extend(replaced.iter().map(|s| s.to_string()));
    let ct = content_types(
        &deck.part_str("[Content_Types].xml").unwrap_or_default(),
        &names,
        &out.overrides,
    )?;
    let mut pkg = Package::new("pptx");
    pkg.add_str("[Content_Types].xml", &ct)?;
    pkg.add_str("_rels/.rels", &write_rels(&root_rels))?;
    pkg.add_str("docProps/core.xml", &core_props(title))?;
    pkg.add_str("docProps/app.xml", &app_props())?;
    pkg.add_str(&deck.pres_path, &pres)?;
    pkg.add_str(&pres_rels_path, &write_rels(&pres_rels))?;
    for (name, data) in kept {
        pkg.add(name, data)?;
    }
    for (name, data) in &out.parts {
        pkg.add(name, data)?;
    }
    pkg.finish()
}

fn remove_element(xml: &str, name: &str) -> String {
    let open = format!("<{name}");
    let Some(start) = xml.find(&open) else {
        return xml.to_string();
    };
    let rest = &xml[start..];
    let close = format!("</{name}>");
    let len = match (rest.find(&close), rest.find("/>"), rest.find('>')) {
        (_, Some(sc), Some(gt)) if sc + 1 == gt => sc + 2,
        (Some(c), _, _) => c + close.len(),
        _ => return xml.to_string(),
    };
    format!("{}{}", &xml[..start], &xml[start + len..])
}

fn insert_after(xml: &str, anchors: &[&str], add: &str) -> Result<String, DocError> {
    for anchor in anchors {
        if let Some(at) = xml.find(anchor) {
            let at = at + anchor.len();
            return Ok(format!("{}{add}{}", &xml[..at], &xml[at..]));
        }
    }
    Err(perr(
        "the template's presentation.xml has no slide master list; re-save it in PowerPoint or LibreOffice",
    ))
}

/// [Content_Types].xml: the template's defaults, its overrides for parts that remain, and
/// ours; main part typed as a presentation (not a template or macro deck).
fn content_types(
    template: &str,
    names: &[String],
    ours: &[(String, String)],
) -> Result<String, DocError> {
    let main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml";
    let mut defaults: BTreeMap<String, String> = BTreeMap::new();
    let mut overrides: Vec<(String, String)> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(template);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Empty(e)) | Ok(quick_xml::events::Event::Start(e)) => {
                let get = |k: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == k)
                        .map(|a| a.value.to_string())
                };
                match e.local_name().as_ref() {
                    "Default" => {
                        if let (Some(ext), Some(ct)) = (get("Extension"), get("ContentType")) {
                            defaults.insert(ext.to_ascii_lowercase(), ct);
                        }
                    }
                    "Override" => {
                        if let (Some(part), Some(ct)) = (get("PartName"), get("ContentType")) {
                            let ct = if ct.contains("presentationml.template.main")
                                || ct.contains("macroEnabled.main")
                            {
                                main.to_string()
                            } else {
                                ct
                            };
                            let ours_too = ours.iter().any(|(p, _)| p.eq_ignore_ascii_case(&part));
                            if !ours_too
                                && names
                                    .iter()
                                    .any(|n| format!("/{n}").eq_ignore_ascii_case(&part))
                            {
                                overrides.push((part, ct));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Err(e) => {
                return Err(perr(format!(
                    "the template's [Content_Types].xml is damaged ({e})"
                )));
            }
            Ok(_) => {}
        }
    }
    for (ext, ct) in [
        (
            "rels",
            "application/vnd.openxmlformats-package.relationships+xml",
        ),
        ("xml", "application/xml"),
        ("png", "image/png"),
        ("jpeg", "image/jpeg"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        defaults.entry(ext.into()).or_insert_with(|| ct.into());
    }
    overrides.extend(ours.iter().cloned());
    let mut s = format!(
        "{}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
        crate::package::XML_DECL
    );
    for (ext, ct) in &defaults {
        s.push_str(&format!(
            "<Default Extension=\"{}\" ContentType=\"{}\"/>",
            crate::xml::esc(ext),
            crate::xml::esc(ct)
        ));
    }
    for (part, ct) in &overrides {
        s.push_str(&format!(
            "<Override PartName=\"{}\" ContentType=\"{}\"/>",
            crate::xml::esc(part),
            crate::xml::esc(ct)
        ));
    }
    s.push_str("</Types>");
    Ok(s)
}
