//! The XML of one slide (placeholders filled from the spec, pictures, chart frames) and of
//! its notes slide.

use super::base::{A_NS, P_NS, R_NS, group_header};
use super::deck::{Layout, Ph};
use crate::package::XML_DECL;
use crate::xml::esc;

/// Paragraph content: (text, indent level).
pub(crate) type Lines = Vec<(String, u8)>;

/// Builds the shape tree of a slide.
pub(crate) struct SlideXml {
    shapes: String,
    next_id: u32,
}

impl SlideXml {
    pub(crate) fn new() -> SlideXml {
        SlideXml {
            shapes: String::new(),
            next_id: 2,
        }
    }

    fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Fill placeholder `ph` with paragraphs.
    pub(crate) fn placeholder(&mut self, ph: &Ph, lines: &[(String, u8)], autofit: bool) {
        let id = self.id();
        let name = if ph.is_title() {
            format!("Title {}", id - 1)
        } else {
            format!("Content {}", id - 1)
        };
        let fit = if autofit { "<a:normAutofit/>" } else { "" };
        self.shapes.push_str(&format!(
            "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{name}\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{}</p:nvPr></p:nvSpPr>\
<p:spPr/><p:txBody><a:bodyPr>{fit}</a:bodyPr><a:lstStyle/>{}</p:txBody></p:sp>",
            ph.element(),
            paragraphs(lines, false)
        ));
    }

    /// A plain text box (when the layout has no placeholder for the text).
    pub(crate) fn text_box(
        &mut self,
        bx: (i64, i64, i64, i64),
        lines: &[(String, u8)],
        size: u32,
        center: bool,
    ) {
        let id = self.id();
        let (x, y, cx, cy) = bx;
        let algn = if center { "<a:pPr algn=\"ctr\"/>" } else { "" };
        let paras: String = lines
            .iter()
            .map(|(t, _)| format!("<a:p>{algn}{}</a:p>", runs(t, size)))
            .collect();
        self.shapes.push_str(&format!(
            "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"TextBox {}\"/><p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr>\
<p:spPr><a:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>\
<p:txBody><a:bodyPr wrap=\"square\"><a:normAutofit/></a:bodyPr><a:lstStyle/>{paras}</p:txBody></p:sp>",
            id - 1
        ));
    }

    pub(crate) fn picture(&mut self, rid: &str, bx: (i64, i64, i64, i64), descr: &str) {
        let id = self.id();
        let (x, y, cx, cy) = bx;
        self.shapes.push_str(&format!(
            "<p:pic><p:nvPicPr><p:cNvPr id=\"{id}\" name=\"Picture {}\" descr=\"{}\"/><p:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>\
<p:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>\
<p:spPr><a:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr></p:pic>",
            id - 1,
            esc(descr)
        ));
    }

    pub(crate) fn chart(&mut self, rid: &str, bx: (i64, i64, i64, i64)) {
        let id = self.id();
        let (x, y, cx, cy) = bx;
        self.shapes.push_str(&format!(
            "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{id}\" name=\"Chart {}\"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>\
<p:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></p:xfrm><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">\
<c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" r:id=\"{rid}\"/></a:graphicData></a:graphic></p:graphicFrame>",
            id - 1
        ));
    }

    pub(crate) fn finish(self) -> String {
        format!(
            "{XML_DECL}<p:sld xmlns:a=\"{A_NS}\" xmlns:r=\"{R_NS}\" xmlns:p=\"{P_NS}\"><p:cSld><p:spTree>{}{}</p:spTree></p:cSld>\
<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
            group_header(),
            self.shapes
        )
    }
}

/// Paragraphs with indent levels; `**bold**` spans become bold runs.
pub(crate) fn paragraphs(lines: &[(String, u8)], _center: bool) -> String {
    if lines.is_empty() {
        return "<a:p><a:endParaRPr lang=\"en-US\" dirty=\"0\"/></a:p>".into();
    }
    lines
        .iter()
        .map(|(text, level)| {
            let ppr = if *level > 0 {
                format!("<a:pPr lvl=\"{}\"/>", (*level).min(8))
            } else {
                String::new()
            };
            format!("<a:p>{ppr}{}</a:p>", runs(text, 0))
        })
        .collect()
}

/// Runs of a line, splitting on `**` for bold; `size` in hundredths of a point (0 = inherit).
fn runs(text: &str, size: u32) -> String {
    let sz = if size > 0 {
        format!(" sz=\"{size}\"")
    } else {
        String::new()
    };
    let mut out = String::new();
    let pieces: Vec<&str> = text.split("**").collect();
    // An odd number of ** markers is not bold markup: keep the text as written.
    let markup = pieces.len() % 2 == 1 && pieces.len() > 1;
    let pieces = if markup { pieces } else { vec![text] };
    for (i, piece) in pieces.iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        let b = if markup && i % 2 == 1 { " b=\"1\"" } else { "" };
        out.push_str(&format!(
            "<a:r><a:rPr lang=\"en-US\"{sz}{b} dirty=\"0\"/><a:t>{}</a:t></a:r>",
            esc(piece)
        ));
    }
    if out.is_empty() {
        out.push_str("<a:endParaRPr lang=\"en-US\" dirty=\"0\"/>");
    }
    out
}

/// The notes slide for speaker notes (one paragraph per line).
pub(crate) fn notes_xml(notes: &str) -> String {
    let lines: Lines = notes.lines().map(|l| (l.to_string(), 0)).collect();
    format!(
        "{XML_DECL}<p:notes xmlns:a=\"{A_NS}\" xmlns:r=\"{R_NS}\" xmlns:p=\"{P_NS}\"><p:cSld><p:spTree>{}\
<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr>\
<p:nvPr><p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp>\
<p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr>\
<p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>{}</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>",
        group_header(),
        paragraphs(&lines, false)
    )
}

/// Where pictures and charts go on a slide of this layout: the layout's content placeholder
/// when it has a position, else the area under the title.
pub(crate) fn content_box(layout: &Layout, size: (i64, i64)) -> (i64, i64, i64, i64) {
    if let Some(b) = layout
        .phs
        .iter()
        .filter(|p| p.is_body())
        .find_map(|p| p.xfrm)
    {
        return b;
    }
    let (w, h) = size;
    (
        w * 69 / 1000,
        h * 266 / 1000,
        w * 862 / 1000,
        h * 634 / 1000,
    )
}

/// Fit an image of `(cx, cy)` natural EMUs into `area`, centred.
pub(crate) fn fit(area: (i64, i64, i64, i64), natural: (i64, i64)) -> (i64, i64, i64, i64) {
    let (x, y, w, h) = area;
    let (cx, cy) = natural;
    let scale = (w as f64 / cx.max(1) as f64).min(h as f64 / cy.max(1) as f64);
    let (cx, cy) = ((cx as f64 * scale) as i64, (cy as f64 * scale) as i64);
    (x + (w - cx) / 2, y + (h - cy) / 2, cx, cy)
}
