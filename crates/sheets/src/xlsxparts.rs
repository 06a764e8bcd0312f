//! Where each worksheet of an xlsx package lives (sheet name → zip entry path), and a fast
//! scan of a worksheet's merged regions.
//!
//! calamine reads merges with a second full XML pass that costs as much as reading the cells
//! (0.3 s on a 7 MB sheet); `<mergeCell ref="…"/>` elements are simple enough to find with
//! a byte search over the inflated stream, an order of magnitude faster.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use cowork_docmodel::CellRange;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// Sheet name → entry path ("xl/worksheets/sheet1.xml"), from the package and workbook
/// relationships. Empty when the package does not follow the usual layout (callers then fall
/// back to calamine).
pub(crate) fn sheet_paths(bytes: &[u8]) -> HashMap<String, String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return HashMap::new();
    };
    let mut read = |name: &str| -> Option<Vec<u8>> {
        let path = resolve_entry(&zip, name)?;
        let file = zip.by_name(&path).ok()?;
        let mut out = Vec::new();
        // Relationship and workbook parts are small; 64 MB bounds a hostile one.
        file.take(64 << 20).read_to_end(&mut out).ok()?;
        Some(out)
    };
    let Some(package_rels) = read("_rels/.rels") else {
        return HashMap::new();
    };
    let workbook = relationships(&package_rels)
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| r.target.trim_start_matches('/').to_string())
        .unwrap_or_else(|| "xl/workbook.xml".into());
    let (dir, file) = workbook.rsplit_once('/').unwrap_or(("", &workbook));
    let rels_path = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let (Some(wb), Some(wb_rels)) = (read(&workbook), read(&rels_path)) else {
        return HashMap::new();
    };
    let targets: HashMap<String, String> = relationships(&wb_rels)
        .into_iter()
        .map(|r| {
            let path = match r.target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None if dir.is_empty() => r.target.clone(),
                None => format!("{dir}/{}", r.target),
            };
            (r.id, normalize(&path))
        })
        .collect();
    sheets(&wb)
        .into_iter()
        .filter_map(|(name, id)| Some((name, targets.get(&id)?.clone())))
        .collect()
}

/// The entry name as stored: exact, else case-insensitive with `\` read as `/`.
fn resolve_entry(zip: &zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    if zip.index_for_name(name).is_some() {
        return Some(name.to_string());
    }
    zip.file_names()
        .flatten()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(name))
        .map(|n| n.into_owned())
}

/// "xl/worksheets/../worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml".
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(value)
}

fn value(a: quick_xml::events::attributes::Attribute<'_>) -> Option<String> {
    a.normalized_value(XmlVersion::Implicit1_0)
        .ok()
        .map(|v| v.into_owned())
}

fn relationships(xml: &[u8]) -> Vec<Rel> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let kind = attr(&e, "Type").unwrap_or_default();
                    out.push(Rel { id, kind, target });
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            Ok(_) => {}
        }
    }
}

/// (sheet name, relationship id) of every `<sheet>` in workbook.xml.
fn sheets(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                // The id is `r:id` in transitional and strict files alike (prefix may vary).
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "id" && a.key.prefix().is_some())
                    .and_then(value);
                if let (Some(name), Some(id)) = (attr(&e, "name"), id) {
                    out.push((name, id));
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            Ok(_) => {}
        }
    }
}

/// Merged regions of the worksheet at `path` that meet `view`. Err when the entry cannot be
/// read; regions found before a damaged part are kept in `found`.
pub(crate) fn merges(
    bytes: &[u8],
    path: &str,
    view: CellRange,
    found: &mut Vec<CellRange>,
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let name = resolve_entry(&zip, path).ok_or_else(|| format!("no entry {path}"))?;
    let mut file = zip.by_name(&name).map_err(|e| e.to_string())?;
    let finder = memchr::memmem::Finder::new(b"mergeCell");
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut chunk).map_err(|e| e.to_string())?;
        buf.extend_from_slice(&chunk[..n]);
        let mut pos = 0;
        let mut keep_from = None;
        while let Some(i) = finder.find(&buf[pos..]) {
            let at = pos + i;
            let Some(end) = memchr::memchr(b'>', &buf[at..]) else {
                // The tag continues in the next chunk.
                keep_from = Some(at.saturating_sub(1));
                break;
            };
            let tag = &buf[at..at + end];
            let opens = at > 0 && matches!(buf[at - 1], b'<' | b':');
            let spaced = tag.get(9).is_some_and(u8::is_ascii_whitespace);
            if opens
                && spaced
                && let Some(range) = ref_attr(tag)
                && intersects(range, view)
            {
                found.push(range);
            }
            pos = at + end + 1;
        }
        if n == 0 {
            return Ok(());
        }
        // Keep what may hold the start of a split "mergeCell" (its 9 bytes and the `<`).
        let from = keep_from.unwrap_or_else(|| pos.max(buf.len().saturating_sub(10)));
        buf.drain(..from);
    }
}

/// The `ref="A1:B2"` of a mergeCell tag.
fn ref_attr(tag: &[u8]) -> Option<CellRange> {
    let i = memchr::memmem::find(tag, b"ref=")?;
    let rest = tag.get(i + 4..)?;
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let end = memchr::memchr(quote, &rest[1..])?;
    let text = std::str::from_utf8(&rest[1..1 + end]).ok()?;
    CellRange::parse(text).ok()
}

fn intersects(a: CellRange, b: CellRange) -> bool {
    a.first_row <= b.last_row
        && b.first_row <= a.last_row
        && a.first_col <= b.last_col
        && b.first_col <= a.last_col
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(
            normalize("xl/worksheets/../worksheets/./sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
    }

    #[test]
    fn sheet_paths_follow_the_relationships() {
        for (file, sheet, path) in [
            (
                "markitdown__test.xlsx",
                "Sheet1",
                "xl/worksheets/sheet1.xml",
            ),
            (
                "tika__testEXCEL.strict.xlsx",
                "Sheet Number 2",
                "xl/worksheets/sheet2.xml",
            ),
        ] {
            let corpus = format!(
                "{}/../../../shared/corpus/xlsx/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let bytes = std::fs::read(corpus).unwrap();
            let paths = sheet_paths(&bytes);
            assert_eq!(
                paths.get(sheet).map(String::as_str),
                Some(path),
                "{file}: {paths:?}"
            );
        }
    }

    #[test]
    fn merge_refs() {
        assert_eq!(
            ref_attr(br#"mergeCell ref="B2:C4"/"#).map(|r| r.to_a1()),
            Some("B2:C4".into())
        );
        assert_eq!(
            ref_attr(br"mergeCell ref='A1'/").map(|r| r.to_a1()),
            Some("A1:A1".into())
        );
        assert!(ref_attr(b"mergeCell/").is_none());
    }
}
