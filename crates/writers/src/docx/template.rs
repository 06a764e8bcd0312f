//! Using a template .docx: its styles, theme, numbering, headers, footers and page setup are
//! kept; its body is replaced. Styles the body needs but the template lacks are added.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::styles::{NumberingIds, builtin_style};
use crate::DocError;

/// A template package, split into what is kept and what is rewritten.
pub(crate) struct Template {
    /// Every part in archive order, bytes as stored.
    pub parts: Vec<(String, Vec<u8>)>,
    /// Path of the main document part, e.g. "word/document.xml".
    pub doc_path: String,
    /// The document's root start tag with its namespace declarations.
    pub root_tag: String,
    /// The final, body-level section properties (page size, margins, header/footer refs).
    pub sect_pr: Option<String>,
}

fn terr(detail: impl std::fmt::Display) -> DocError {
    DocError::write(
        "docx",
        format!("the template {detail}; use a .docx saved by Word or LibreOffice"),
    )
}

/// Open a template .docx.
pub(crate) fn load(bytes: &[u8]) -> Result<Template, DocError> {
    let mut zip = cowork_docmodel::zipguard::SafeZip::open(bytes, "docx template", 512 << 20)
        .map_err(|e| terr(format!("is not a readable .docx ({e})")))?;
    let mut parts = Vec::new();
    for name in zip.names() {
        if name.ends_with('/') {
            continue;
        }
        if let Some(data) = zip.read(&name)? {
            parts.push((name, data));
        }
    }
    let get = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    };
    let root_rels = get("_rels/.rels")
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let doc_path = rel_target(&root_rels, "/officeDocument", "")
        .unwrap_or_else(|| "word/document.xml".to_string());
    let doc = get(&doc_path)
        .map(String::from_utf8_lossy)
        .ok_or_else(|| terr(format!("has no main document part ({doc_path})")))?;
    let start = doc
        .find("<w:document")
        .ok_or_else(|| terr("has no <w:document> root"))?;
    let end = doc[start..]
        .find('>')
        .map(|e| start + e + 1)
        .ok_or_else(|| terr("is damaged"))?;
    let root_tag = doc[start..end]
        .trim_end_matches("/>")
        .trim_end_matches('>')
        .to_string()
        + ">";
    Ok(Template {
        sect_pr: body_sect_pr(&doc),
        root_tag,
        doc_path,
        parts,
    })
}

impl Template {
    pub(crate) fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }

    pub(crate) fn part_str(&self, name: &str) -> Option<String> {
        self.part(name)
            .map(|d| String::from_utf8_lossy(d).into_owned())
    }

    /// "word/_rels/document.xml.rels" for "word/document.xml".
    pub(crate) fn doc_rels_path(&self) -> String {
        match self.doc_path.rsplit_once('/') {
            Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
            None => format!("_rels/{}.rels", self.doc_path),
        }
    }

    /// Directory of the main document part ("word").
    pub(crate) fn doc_dir(&self) -> &str {
        self.doc_path.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// The part a document relationship of this type points at, as a package path.
    pub(crate) fn related(&self, type_suffix: &str) -> Option<String> {
        let rels = self.part_str(&self.doc_rels_path())?;
        rel_target(&rels, type_suffix, self.doc_dir())
    }
}

/// Target of the first relationship whose Type ends with `type_suffix`, resolved against `dir`.
pub(crate) fn rel_target(rels: &str, type_suffix: &str, dir: &str) -> Option<String> {
    let mut reader = Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e)) | Ok(Event::Start(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let mut ty = String::new();
                let mut target = String::new();
                for a in e.attributes().flatten() {
                    let v = a.value.to_string();
                    match a.key.as_ref() {
                        "Type" => ty = v,
                        "Target" => target = v,
                        _ => {}
                    }
                }
                if ty.ends_with(type_suffix) && !target.is_empty() {
                    return Some(resolve(dir, &target));
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
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

/// The last `<w:sectPr>` that is a direct child of `<w:body>` (it ends the body).
fn body_sect_pr(doc: &str) -> Option<String> {
    let body_end = doc.rfind("</w:body>")?;
    let head = &doc[..body_end];
    let start = head.rfind("<w:sectPr")?;
    let tail = &head[start..];
    let len = if let Some(close) = tail.find("</w:sectPr>") {
        close + "</w:sectPr>".len()
    } else {
        // Self-closing <w:sectPr/>.
        tail.find("/>")? + 2
    };
    // Only whitespace may follow it, or it belongs to a paragraph, not to the body.
    tail[len..]
        .trim()
        .is_empty()
        .then(|| tail[..len].to_string())
}

/// Add to a template's styles.xml the built-in definitions of `needed` styles it lacks.
pub(crate) fn merge_styles(styles: &str, needed: &[&str]) -> Result<String, DocError> {
    let end = styles
        .rfind("</w:styles>")
        .ok_or_else(|| terr("styles.xml has no </w:styles>"))?;
    let mut add = String::new();
    for id in needed {
        if !styles.contains(&format!("w:styleId=\"{id}\""))
            && let Some(xml) = builtin_style(id)
        {
            add.push_str(&xml);
        }
    }
    Ok(format!("{}{add}{}", &styles[..end], &styles[end..]))
}

/// Ids above every abstractNum / num id the template's numbering.xml uses.
pub(crate) fn numbering_ids(numbering: Option<&str>) -> NumberingIds {
    let max_of = |attr: &str| -> u32 {
        let Some(xml) = numbering else { return 0 };
        let key = format!("{attr}=\"");
        xml.match_indices(&key)
            .filter_map(|(i, _)| {
                let rest = &xml[i + key.len()..];
                rest[..rest.find('"')?].parse::<u32>().ok()
            })
            .max()
            .unwrap_or(0)
    };
    let abs = max_of("w:abstractNumId").min(u32::MAX / 2);
    NumberingIds {
        bullet: abs + 1,
        ordered: abs + 2,
        first_num: max_of("w:numId").min(u32::MAX / 2) + 1,
    }
}

/// Insert our abstractNum definitions and list instances into a template's numbering.xml
/// (schema order: every abstractNum before the first num).
pub(crate) fn merge_numbering(
    numbering: &str,
    abstracts: &str,
    nums: &str,
) -> Result<String, DocError> {
    let end = numbering
        .find("<w:numIdMacAtCleanup")
        .or_else(|| numbering.rfind("</w:numbering>"))
        .ok_or_else(|| terr("numbering.xml has no </w:numbering>"))?;
    let first_num = numbering
        .match_indices("<w:num")
        .map(|(i, _)| i)
        .find(|&i| matches!(numbering.as_bytes().get(i + 6), Some(b' ' | b'>')))
        .unwrap_or(end)
        .min(end);
    Ok(format!(
        "{}{abstracts}{}{nums}{}",
        &numbering[..first_num],
        &numbering[first_num..end],
        &numbering[end..]
    ))
}

/// Make a template's [Content_Types].xml fit the new document: a .docx main part (not a
/// template or macro document), image types, and an override for a numbering part we add.
pub(crate) fn merge_content_types(
    ct: &str,
    doc_path: &str,
    add_numbering: Option<&str>,
) -> Result<String, DocError> {
    let mut ct = ct
        .replace(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        )
        .replace(
            "application/vnd.ms-word.document.macroEnabled.main+xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        )
        .replace(
            "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        );
    let end = ct
        .rfind("</Types>")
        .ok_or_else(|| terr("[Content_Types].xml is damaged"))?;
    let mut add = String::new();
    let lower = ct.to_ascii_lowercase();
    for (ext, mime) in [("png", "image/png"), ("jpeg", "image/jpeg")] {
        if !lower.contains(&format!("extension=\"{ext}\"")) {
            add.push_str(&format!(
                "<Default Extension=\"{ext}\" ContentType=\"{mime}\"/>"
            ));
        }
    }
    if !ct.contains(&format!("PartName=\"/{doc_path}\"")) {
        add.push_str(&format!("<Override PartName=\"/{doc_path}\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"));
    }
    if let Some(path) = add_numbering {
        add.push_str(&format!("<Override PartName=\"/{path}\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>"));
    }
    ct.insert_str(end, &add);
    Ok(ct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_body_section_and_ids() {
        let doc = "<w:document><w:body><w:p><w:pPr><w:sectPr><w:pgSz w:w=\"1\"/></w:sectPr></w:pPr></w:p>\
<w:sectPr><w:pgSz w:w=\"12240\"/></w:sectPr>\n</w:body></w:document>";
        assert_eq!(
            body_sect_pr(doc).unwrap(),
            "<w:sectPr><w:pgSz w:w=\"12240\"/></w:sectPr>"
        );
        assert!(body_sect_pr("<w:body><w:p><w:sectPr/></w:p></w:body>").is_none());
        let ids = numbering_ids(Some(
            "<w:abstractNum w:abstractNumId=\"7\"/><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num>",
        ));
        assert_eq!((ids.bullet, ids.ordered, ids.first_num), (8, 9, 4));
        assert_eq!(
            resolve("word", "../customXml/item1.xml"),
            "customXml/item1.xml"
        );
        assert_eq!(resolve("word", "styles.xml"), "word/styles.xml");
        let merged = merge_numbering(
            "<w:numbering><w:abstractNum/><w:num w:numId=\"1\"/></w:numbering>",
            "<A/>",
            "<N/>",
        )
        .unwrap();
        assert_eq!(
            merged,
            "<w:numbering><w:abstractNum/><A/><w:num w:numId=\"1\"/><N/></w:numbering>"
        );
    }
}
