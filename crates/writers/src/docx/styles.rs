//! Built-in WordprocessingML definitions: the styles the body uses (added to a template that
//! lacks them), list numbering, settings and the default section (A4, 2.5 cm margins).

use crate::package::XML_DECL;

pub(crate) const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(crate) const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Every style the body may reference, with its built-in definition. Templates keep their
/// own definition of any of these; a missing one is added from here so nothing dangles.
pub(crate) fn builtin_style(id: &str) -> Option<String> {
    let heading = |level: u8, size: u32, color: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"{}\" w:after=\"80\"/><w:outlineLvl w:val=\"{}\"/></w:pPr>\
<w:rPr><w:b/><w:bCs/><w:color w:val=\"{color}\"/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr></w:style>",
            if level == 1 { 360 } else { 240 },
            level - 1
        )
    };
    let xml = match id {
        "Normal" => "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:style>".to_string(),
        "Heading1" => heading(1, 32, "1F3864"),
        "Heading2" => heading(2, 28, "2F5496"),
        "Heading3" => heading(3, 24, "2F5496"),
        "Heading4" => heading(4, 22, "2F5496"),
        "Heading5" => heading(5, 22, "404040"),
        "Heading6" => heading(6, 22, "595959"),
        "Title" => "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>\
<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:sz w:val=\"52\"/><w:szCs w:val=\"52\"/></w:rPr></w:style>".to_string(),
        "Quote" => "<w:style w:type=\"paragraph\" w:styleId=\"Quote\"><w:name w:val=\"Quote\"/><w:basedOn w:val=\"Normal\"/>\
<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:pBdr><w:left w:val=\"single\" w:sz=\"18\" w:space=\"8\" w:color=\"BFBFBF\"/></w:pBdr>\
<w:ind w:left=\"567\" w:right=\"567\"/></w:pPr><w:rPr><w:i/><w:iCs/><w:color w:val=\"404040\"/></w:rPr></w:style>".to_string(),
        "ListParagraph" => "<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/>\
<w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"34\"/><w:qFormat/><w:pPr><w:spacing w:after=\"60\"/><w:ind w:left=\"720\"/>\
<w:contextualSpacing/></w:pPr></w:style>".to_string(),
        "SourceCode" => "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"SourceCode\"><w:name w:val=\"Source Code\"/>\
<w:basedOn w:val=\"Normal\"/><w:pPr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/><w:spacing w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>\
</w:pPr><w:rPr><w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/><w:sz w:val=\"19\"/><w:szCs w:val=\"19\"/></w:rPr></w:style>".to_string(),
        "VerbatimChar" => "<w:style w:type=\"character\" w:customStyle=\"1\" w:styleId=\"VerbatimChar\"><w:name w:val=\"Verbatim Char\"/>\
<w:rPr><w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/><w:sz w:val=\"20\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/></w:rPr></w:style>".to_string(),
        "Hyperlink" => "<w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/><w:uiPriority w:val=\"99\"/>\
<w:unhideWhenUsed/><w:rPr><w:color w:val=\"0563C1\"/><w:u w:val=\"single\"/></w:rPr></w:style>".to_string(),
        "TableGrid" => "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:uiPriority w:val=\"39\"/>\
<w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:tblPr><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"A6A6A6\"/>\
</w:tblBorders><w:tblCellMar><w:top w:w=\"40\" w:type=\"dxa\"/><w:left w:w=\"100\" w:type=\"dxa\"/><w:bottom w:w=\"40\" w:type=\"dxa\"/>\
<w:right w:w=\"100\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>".to_string(),
        "Caption" => "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/><w:basedOn w:val=\"Normal\"/>\
<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:i/><w:iCs/><w:color w:val=\"404040\"/><w:sz w:val=\"18\"/></w:rPr></w:style>".to_string(),
        _ => return None,
    };
    Some(xml)
}

/// styles.xml for a document without a template: defaults plus every built-in style.
pub(crate) fn default_styles() -> String {
    let mut s = format!(
        "{XML_DECL}<w:styles xmlns:w=\"{W_NS}\"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Calibri\" w:eastAsia=\"Calibri\" w:hAnsi=\"Calibri\" w:cs=\"Calibri\"/>\
<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"en-US\" w:eastAsia=\"en-US\" w:bidi=\"ar-SA\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>"
    );
    for id in STYLE_IDS {
        if let Some(xml) = builtin_style(id) {
            s.push_str(&xml);
        }
    }
    s.push_str("</w:styles>");
    s
}

pub(crate) const STYLE_IDS: [&str; 15] = [
    "Normal",
    "Heading1",
    "Heading2",
    "Heading3",
    "Heading4",
    "Heading5",
    "Heading6",
    "Title",
    "Quote",
    "ListParagraph",
    "SourceCode",
    "VerbatimChar",
    "Hyperlink",
    "TableGrid",
    "Caption",
];

/// Ids of the two abstract list definitions and of the first list instance, chosen above
/// whatever a template's numbering.xml already uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberingIds {
    pub bullet: u32,
    pub ordered: u32,
    pub first_num: u32,
}

/// One list in the document: its own numbering instance, so every list restarts at its start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListInstance {
    pub num_id: u32,
    pub ordered: bool,
    pub level: u32,
    pub start: u64,
}

/// The abstractNum elements for bullets and numbers, nine levels each.
pub(crate) fn abstract_nums(ids: NumberingIds) -> String {
    let mut s = String::new();
    for (id, ordered) in [(ids.bullet, false), (ids.ordered, true)] {
        s.push_str(&format!(
            "<w:abstractNum w:abstractNumId=\"{id}\"><w:multiLevelType w:val=\"hybridMultilevel\"/>"
        ));
        for l in 0..9u32 {
            let left = 720 * (l + 1);
            let (fmt, text, font) = if ordered {
                let fmt = ["decimal", "lowerLetter", "lowerRoman"][(l % 3) as usize];
                (fmt, format!("%{}.", l + 1), "")
            } else {
                match l % 3 {
                    0 => ("bullet", "\u{2022}".to_string(), ""),
                    1 => (
                        "bullet",
                        "o".to_string(),
                        "<w:rPr><w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:hint=\"default\"/></w:rPr>",
                    ),
                    _ => ("bullet", "\u{25AA}".to_string(), ""),
                }
            };
            s.push_str(&format!(
                "<w:lvl w:ilvl=\"{l}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/>\
<w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"{left}\" w:hanging=\"360\"/></w:pPr>{font}</w:lvl>"
            ));
        }
        s.push_str("</w:abstractNum>");
    }
    s
}

/// The num elements, one per list; ordered lists restart at their first number.
pub(crate) fn nums(ids: NumberingIds, lists: &[ListInstance]) -> String {
    let mut s = String::new();
    for list in lists {
        let abs = if list.ordered {
            ids.ordered
        } else {
            ids.bullet
        };
        s.push_str(&format!(
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"{abs}\"/>",
            list.num_id
        ));
        if list.ordered {
            s.push_str(&format!(
                "<w:lvlOverride w:ilvl=\"{}\"><w:startOverride w:val=\"{}\"/></w:lvlOverride>",
                list.level,
                list.start.min(u64::from(u32::MAX))
            ));
        }
        s.push_str("</w:num>");
    }
    s
}

/// numbering.xml for a document without a template.
pub(crate) fn default_numbering(ids: NumberingIds, lists: &[ListInstance]) -> String {
    format!(
        "{XML_DECL}<w:numbering xmlns:w=\"{W_NS}\">{}{}</w:numbering>",
        abstract_nums(ids),
        nums(ids, lists)
    )
}

pub(crate) fn settings() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{W_NS}\"><w:defaultTabStop w:val=\"720\"/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat>\
<w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>\
</w:compat></w:settings>"
    )
}

/// The default section: A4 portrait with 2.5 cm margins.
pub(crate) const DEFAULT_SECT_PR: &str = "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"1417\" w:right=\"1417\" w:bottom=\"1417\" w:left=\"1417\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>\
<w:cols w:space=\"708\"/></w:sectPr>";

/// Text width in twips from a sectPr (page width minus left and right margins).
pub(crate) fn text_width_twips(sect_pr: &str) -> i64 {
    let attr = |tag: &str, name: &str| -> Option<i64> {
        let start = sect_pr.find(tag)?;
        let rest = &sect_pr[start..];
        let end = rest.find('>')?;
        let el = &rest[..end];
        let key = format!("{name}=\"");
        let at = el.find(&key)? + key.len();
        let val = &el[at..];
        val[..val.find('"')?].parse().ok()
    };
    let width = attr("<w:pgSz", "w:w").unwrap_or(11906);
    let left = attr("<w:pgMar", "w:left").unwrap_or(1417);
    let right = attr("<w:pgMar", "w:right").unwrap_or(1417);
    (width - left - right).clamp(1440, 31_680)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_used_style_has_a_definition() {
        for id in STYLE_IDS {
            assert!(builtin_style(id).is_some(), "{id}");
        }
        assert_eq!(text_width_twips(DEFAULT_SECT_PR), 11906 - 2 * 1417);
        assert_eq!(
            text_width_twips(
                "<w:sectPr><w:pgSz w:w=\"12240\" w:h=\"15840\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:left=\"1440\"/></w:sectPr>"
            ),
            9360
        );
    }
}
