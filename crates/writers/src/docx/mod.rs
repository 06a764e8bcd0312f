//! Word documents (docx) from Markdown, optionally on a template whose styles are kept.
//!
//! Written directly as OOXML on zip (no docx crate: the mapping from Markdown is small, and
//! owning the XML is what makes templates work — a template's styles, numbering, headers,
//! footers and page setup are kept part for part and only the body is replaced).
//!
//! Markdown supported: headings (Heading1–6 styles; the first H1 is the document title),
//! paragraphs, **bold**, *italic*, `code`, ~~strike~~, links (real hyperlinks), bulleted and
//! numbered lists (nested, restarting numbers), GFM tables (header row bold and repeated on
//! each page), images (PNG/JPEG at their natural size, shrunk to the text width), block
//! quotes (Quote style), code blocks (Source Code style), rules, task lists, and page breaks:
//! a paragraph that is only `\pagebreak` (or `\newpage`), or an HTML block such as
//! `<div style="page-break-after: always"></div>`.

mod body;
mod markup;
mod styles;
mod template;

use std::collections::BTreeMap;

use pulldown_cmark::{Event, Parser, Tag};

use crate::DocError;
use crate::package::{Package, XML_DECL, app_props, core_props};
use crate::xml::esc;
use body::{Body, Ctx};
use styles::{DEFAULT_SECT_PR, R_NS, STYLE_IDS, W_NS};

/// Options of [`markdown_to_docx`].
#[derive(Debug, Clone, Default)]
pub struct DocxOptions {
    /// A .docx (or .dotx) whose styles, theme, numbering, headers, footers and page setup
    /// are used; its body text is replaced.
    pub template: Option<Vec<u8>>,
    /// Image bytes (PNG or JPEG) keyed by the exact link target used in the Markdown
    /// (`![chart](charts/q1.png)` → key "charts/q1.png"); see [`image_refs`].
    pub images: BTreeMap<String, Vec<u8>>,
}

/// The image targets in `markdown`, in order of first use: the keys the caller must put
/// into [`DocxOptions::images`].
pub fn image_refs(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, body::options()) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event
            && !out.iter().any(|u| u == dest_url.as_ref())
        {
            out.push(dest_url.to_string());
        }
    }
    out
}

const DOC_NS: &str = "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"";

const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL_BASE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Convert Markdown into the bytes of a .docx.
pub fn markdown_to_docx(markdown: &str, opts: &DocxOptions) -> Result<Vec<u8>, DocError> {
    let template = opts.template.as_deref().map(template::load).transpose()?;
    let numbering_path = template.as_ref().and_then(|t| t.related("/numbering"));
    let template_numbering = match (&template, &numbering_path) {
        (Some(t), Some(path)) => t.part_str(path),
        _ => None,
    };
    let ids = template::numbering_ids(template_numbering.as_deref());
    let sect_pr = template
        .as_ref()
        .and_then(|t| t.sect_pr.clone())
        .unwrap_or_else(|| DEFAULT_SECT_PR.to_string());
    let ctx = Ctx {
        images: &opts.images,
        numbering: ids,
        text_width: styles::text_width_twips(&sect_pr),
    };
    let body = body::convert(markdown, &ctx)?;
    let mut pkg = Package::new("docx");
    match &template {
        None => write_plain(&mut pkg, &body, ids, &sect_pr)?,
        Some(t) => write_on_template(
            &mut pkg,
            t,
            &body,
            ids,
            &sect_pr,
            template_numbering,
            numbering_path,
        )?,
    }
    for img in &body.images {
        let dir = template.as_ref().map_or("word", |t| t.doc_dir());
        let bytes = opts
            .images
            .get(&img.key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        pkg.add(&join(dir, &img.path), bytes)?;
    }
    pkg.finish()
}

fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

fn document_xml(root_tag: &str, body: &Body, sect_pr: &str) -> String {
    format!(
        "{XML_DECL}{root_tag}<w:body>{}{sect_pr}</w:body></w:document>",
        body.xml
    )
}

/// Relationship elements for the body's hyperlinks and images.
fn body_rels(body: &Body) -> String {
    let mut s = String::new();
    for (rid, url) in &body.links {
        s.push_str(&format!(
            "<Relationship Id=\"{rid}\" Type=\"{REL_BASE}/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
            esc(url)
        ));
    }
    for img in &body.images {
        s.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{REL_BASE}/image\" Target=\"{}\"/>",
            img.rid, img.path
        ));
    }
    s
}

fn write_plain(
    pkg: &mut Package,
    body: &Body,
    ids: styles::NumberingIds,
    sect_pr: &str,
) -> Result<(), DocError> {
    pkg.add_str(
        "[Content_Types].xml",
        &format!(
            "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>"
        ),
    )?;
    pkg.add_str(
        "_rels/.rels",
        &format!(
            "{XML_DECL}<Relationships xmlns=\"{REL_NS}\">\
<Relationship Id=\"rId1\" Type=\"{REL_BASE}/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"{REL_BASE}/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>"
        ),
    )?;
    pkg.add_str("docProps/core.xml", &core_props(title(body)))?;
    pkg.add_str("docProps/app.xml", &app_props())?;
    let root = format!("<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" {DOC_NS}>");
    pkg.add_str("word/document.xml", &document_xml(&root, body, sect_pr))?;
    pkg.add_str(
        "word/_rels/document.xml.rels",
        &format!(
            "{XML_DECL}<Relationships xmlns=\"{REL_NS}\">\
<Relationship Id=\"rId1\" Type=\"{REL_BASE}/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"{REL_BASE}/numbering\" Target=\"numbering.xml\"/>\
<Relationship Id=\"rId3\" Type=\"{REL_BASE}/settings\" Target=\"settings.xml\"/>{}</Relationships>",
            body_rels(body)
        ),
    )?;
    pkg.add_str("word/styles.xml", &styles::default_styles())?;
    pkg.add_str(
        "word/numbering.xml",
        &styles::default_numbering(ids, &body.lists),
    )?;
    pkg.add_str("word/settings.xml", &styles::settings())?;
    Ok(())
}

fn title(body: &Body) -> Option<&str> {
    body.title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn write_on_template(
    pkg: &mut Package,
    t: &template::Template,
    body: &Body,
    ids: styles::NumberingIds,
    sect_pr: &str,
    numbering: Option<String>,
    numbering_path: Option<String>,
) -> Result<(), DocError> {
    let rels_path = t.doc_rels_path();
    let styles_path = t.related("/styles");
    let mut rels = t
        .part_str(&rels_path)
        .unwrap_or_else(|| format!("{XML_DECL}<Relationships xmlns=\"{REL_NS}\"></Relationships>"));
    let mut extra_rels = body_rels(body);
    let abstracts = styles::abstract_nums(ids);
    let nums = styles::nums(ids, &body.lists);
    let (numbering_path, numbering_xml, added_numbering) = match (numbering_path, numbering) {
        (Some(path), Some(xml)) => {
            let merged = template::merge_numbering(&xml, &abstracts, &nums)?;
            (path, merged, None)
        }
        _ => {
            let path = join(t.doc_dir(), "cowork_numbering.xml");
            extra_rels.push_str(&format!(
                "<Relationship Id=\"rIdCwNumbering\" Type=\"{REL_BASE}/numbering\" Target=\"cowork_numbering.xml\"/>"
            ));
            let xml = styles::default_numbering(ids, &body.lists);
            (path.clone(), xml, Some(path))
        }
    };
    let (styles_path, styles_xml) = match styles_path
        .as_ref()
        .and_then(|p| t.part_str(p).map(|x| (p.clone(), x)))
    {
        Some((path, xml)) => (path, template::merge_styles(&xml, &STYLE_IDS)?),
        None => {
            extra_rels.push_str(&format!(
                "<Relationship Id=\"rIdCwStyles\" Type=\"{REL_BASE}/styles\" Target=\"cowork_styles.xml\"/>"
            ));
            (
                join(t.doc_dir(), "cowork_styles.xml"),
                styles::default_styles(),
            )
        }
    };
    let Some(end) = rels.rfind("</Relationships>") else {
        return Err(DocError::write(
            "docx",
            "the template's document relationships are damaged; re-save it in Word or LibreOffice",
        ));
    };
    rels.insert_str(end, &extra_rels);
    let mut content_types = t.part_str("[Content_Types].xml").ok_or_else(|| {
        DocError::write(
            "docx",
            "the template has no [Content_Types].xml; re-save it in Word or LibreOffice",
        )
    })?;
    content_types =
        template::merge_content_types(&content_types, &t.doc_path, added_numbering.as_deref())?;
    if styles_path.ends_with("cowork_styles.xml")
        && let Some(end) = content_types.rfind("</Types>")
    {
        content_types.insert_str(end, &format!("<Override PartName=\"/{styles_path}\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"));
    }
    let root = with_namespaces(&t.root_tag);
    let replaced = [
        "[Content_Types].xml",
        "docProps/core.xml",
        t.doc_path.as_str(),
        rels_path.as_str(),
        styles_path.as_str(),
        numbering_path.as_str(),
    ];
    pkg.add_str("[Content_Types].xml", &content_types)?;
    for (name, data) in &t.parts {
        if !replaced.contains(&name.as_str()) {
            pkg.add(name, data)?;
        }
    }
    pkg.add_str(&t.doc_path, &document_xml(&root, body, sect_pr))?;
    pkg.add_str(&rels_path, &rels)?;
    pkg.add_str(&styles_path, &styles_xml)?;
    pkg.add_str(&numbering_path, &numbering_xml)?;
    if t.part("docProps/core.xml").is_some() {
        pkg.add_str("docProps/core.xml", &core_props(title(body)))?;
    }
    Ok(())
}

/// The template's root tag plus any namespace our body uses that it does not declare.
fn with_namespaces(root: &str) -> String {
    let mut decls = String::new();
    for (prefix, uri) in [
        ("w", W_NS),
        ("r", R_NS),
        (
            "wp",
            "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
        ),
        ("a", "http://schemas.openxmlformats.org/drawingml/2006/main"),
        (
            "pic",
            "http://schemas.openxmlformats.org/drawingml/2006/picture",
        ),
    ] {
        if !root.contains(&format!("xmlns:{prefix}=")) {
            decls.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
        }
    }
    let head = root.trim_end_matches('>');
    format!("{head}{decls}>")
}
