//! The built-in "template": an empty 16:9 deck with a theme, one slide master, four layouts
//! (title, obj, twoObj, titleOnly) and a notes master. Decks without a template are built on
//! it through exactly the same code path as decks on a user's template.

use crate::package::{XML_DECL, app_props, core_props};

pub(crate) const P_NS: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
pub(crate) const A_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
pub(crate) const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(crate) const REL_BASE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(crate) const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// 16:9 at 13.333 × 7.5 inches.
const W: i64 = 12_192_000;
const H: i64 = 6_858_000;

fn ns() -> String {
    format!("xmlns:a=\"{A_NS}\" xmlns:r=\"{R_NS}\" xmlns:p=\"{P_NS}\"")
}

fn rels(items: &[(&str, &str, &str)]) -> String {
    let mut s = format!("{XML_DECL}<Relationships xmlns=\"{REL_NS}\">");
    for (id, ty, target) in items {
        s.push_str(&format!(
            "<Relationship Id=\"{id}\" Type=\"{REL_BASE}/{ty}\" Target=\"{target}\"/>"
        ));
    }
    s.push_str("</Relationships>");
    s
}

const GRP: &str = "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm>\
<a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>";

pub(crate) fn group_header() -> &'static str {
    GRP
}

/// A placeholder shape for masters and layouts, with its own position when given.
fn ph(id: u32, name: &str, ph: &str, xfrm: Option<(i64, i64, i64, i64)>, body: &str) -> String {
    let sppr = match xfrm {
        Some((x, y, cx, cy)) => format!(
            "<p:spPr><a:xfrm><a:off x=\"{x}\" y=\"{y}\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm></p:spPr>"
        ),
        None => "<p:spPr/>".to_string(),
    };
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{name}\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr>\
{sppr}<p:txBody><a:bodyPr/><a:lstStyle/>{body}</p:txBody></p:sp>"
    )
}

const EMPTY_P: &str = "<a:p><a:endParaRPr lang=\"en-US\"/></a:p>";

const TITLE_BOX: (i64, i64, i64, i64) = (838_200, 365_125, 10_515_600, 1_325_563);
const BODY_BOX: (i64, i64, i64, i64) = (838_200, 1_825_625, 10_515_600, 4_351_338);

fn level_styles(sizes: &[u32], bullets: bool) -> String {
    let mut s = String::new();
    for (i, sz) in sizes.iter().enumerate() {
        let indent = 228_600 + 457_200 * i as i64;
        let bullet = if bullets {
            let ch = if i % 2 == 0 { "\u{2022}" } else { "\u{2013}" };
            format!("<a:buFont typeface=\"Arial\"/><a:buChar char=\"{ch}\"/>")
        } else {
            "<a:buNone/>".to_string()
        };
        let (mar, ind) = if bullets {
            (indent, -228_600)
        } else {
            (457_200 * i as i64, 0)
        };
        s.push_str(&format!(
            "<a:lvl{n}pPr marL=\"{mar}\" indent=\"{ind}\" algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\">\
<a:lnSpc><a:spcPct val=\"90000\"/></a:lnSpc><a:spcBef><a:spcPts val=\"1000\"/></a:spcBef>{bullet}\
<a:defRPr sz=\"{sz}\" kern=\"1200\"><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl{n}pPr>",
            n = i + 1
        ));
    }
    s
}

const CLR_MAP: &str = "<p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" \
accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/>";

fn master() -> String {
    let title = ph(
        2,
        "Title Placeholder 1",
        "<p:ph type=\"title\"/>",
        Some(TITLE_BOX),
        EMPTY_P,
    );
    let body = ph(
        3,
        "Text Placeholder 2",
        "<p:ph type=\"body\" idx=\"1\"/>",
        Some(BODY_BOX),
        EMPTY_P,
    );
    format!(
        "{XML_DECL}<p:sldMaster {}><p:cSld><p:bg><p:bgRef idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>{GRP}{title}{body}</p:spTree></p:cSld>\
{CLR_MAP}<p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/><p:sldLayoutId id=\"2147483650\" r:id=\"rId2\"/>\
<p:sldLayoutId id=\"2147483651\" r:id=\"rId3\"/><p:sldLayoutId id=\"2147483652\" r:id=\"rId4\"/></p:sldLayoutIdLst>\
<p:txStyles><p:titleStyle><a:lvl1pPr algn=\"l\" defTabSz=\"914400\" rtl=\"0\" eaLnBrk=\"1\" latinLnBrk=\"0\" hangingPunct=\"1\"><a:lnSpc><a:spcPct val=\"90000\"/></a:lnSpc>\
<a:spcBef><a:spcPct val=\"0\"/></a:spcBef><a:buNone/><a:defRPr sz=\"4000\" kern=\"1200\"><a:solidFill><a:schemeClr val=\"tx2\"/></a:solidFill>\
<a:latin typeface=\"+mj-lt\"/><a:ea typeface=\"+mj-ea\"/><a:cs typeface=\"+mj-cs\"/></a:defRPr></a:lvl1pPr></p:titleStyle>\
<p:bodyStyle>{}</p:bodyStyle><p:otherStyle>{}</p:otherStyle></p:txStyles></p:sldMaster>",
        ns(),
        level_styles(
            &[2600, 2200, 2000, 1800, 1800, 1800, 1800, 1800, 1800],
            true
        ),
        level_styles(
            &[1800, 1800, 1800, 1800, 1800, 1800, 1800, 1800, 1800],
            false
        ),
    )
}

fn layout(ty: &str, name: &str, shapes: &str) -> String {
    format!(
        "{XML_DECL}<p:sldLayout {} type=\"{ty}\" preserve=\"1\"><p:cSld name=\"{name}\"><p:spTree>{GRP}{shapes}</p:spTree></p:cSld>\
<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>",
        ns()
    )
}

fn layouts() -> [String; 4] {
    let title = ph(2, "Title 1", "<p:ph type=\"title\"/>", None, EMPTY_P);
    // Slides inherit paragraph properties from a placeholder's list style, not its paragraphs.
    let ctr = ph(2, "Title 1", "<p:ph type=\"ctrTitle\"/>", Some((1_524_000, 1_122_363, 9_144_000, 2_387_600)), EMPTY_P)
        .replace(
            "<a:bodyPr/><a:lstStyle/>",
            "<a:bodyPr anchor=\"b\"/><a:lstStyle><a:lvl1pPr algn=\"ctr\"><a:defRPr sz=\"5400\"/></a:lvl1pPr></a:lstStyle>",
        );
    let sub = ph(3, "Subtitle 2", "<p:ph type=\"subTitle\" idx=\"1\"/>", Some((1_524_000, 3_602_038, 9_144_000, 1_655_762)), EMPTY_P)
        .replace(
            "<a:bodyPr/><a:lstStyle/>",
            "<a:bodyPr/><a:lstStyle><a:lvl1pPr marL=\"0\" indent=\"0\" algn=\"ctr\"><a:buNone/><a:defRPr sz=\"2400\"/></a:lvl1pPr></a:lstStyle>",
        );
    let body = ph(
        3,
        "Content Placeholder 2",
        "<p:ph idx=\"1\"/>",
        None,
        EMPTY_P,
    );
    let half = (BODY_BOX.2 - 152_400) / 2;
    let left = ph(
        3,
        "Content Placeholder 2",
        "<p:ph sz=\"half\" idx=\"1\"/>",
        Some((BODY_BOX.0, BODY_BOX.1, half, BODY_BOX.3)),
        EMPTY_P,
    );
    let right = ph(
        4,
        "Content Placeholder 3",
        "<p:ph sz=\"half\" idx=\"2\"/>",
        Some((BODY_BOX.0 + half + 152_400, BODY_BOX.1, half, BODY_BOX.3)),
        EMPTY_P,
    );
    [
        layout("title", "Title Slide", &format!("{ctr}{sub}")),
        layout("obj", "Title and Content", &format!("{title}{body}")),
        layout("twoObj", "Two Content", &format!("{title}{left}{right}")),
        layout("titleOnly", "Title Only", &title),
    ]
}

fn notes_master() -> String {
    let img = ph(
        2,
        "Slide Image Placeholder 1",
        "<p:ph type=\"sldImg\" idx=\"2\"/>",
        Some((685_800, 1_143_000, 5_486_400, 3_086_100)),
        "",
    );
    let img = img.replace("<p:txBody><a:bodyPr/><a:lstStyle/></p:txBody>", "");
    let body = ph(
        3,
        "Notes Placeholder 2",
        "<p:ph type=\"body\" sz=\"quarter\" idx=\"3\"/>",
        Some((685_800, 4_400_550, 5_486_400, 3_600_450)),
        EMPTY_P,
    );
    format!(
        "{XML_DECL}<p:notesMaster {}><p:cSld><p:spTree>{GRP}{img}{body}</p:spTree></p:cSld>{CLR_MAP}<p:notesStyle>{}</p:notesStyle></p:notesMaster>",
        ns(),
        level_styles(&[1200, 1200, 1200, 1200, 1200], false)
    )
}

fn theme(name: &str) -> String {
    let colors = [
        ("dk1", "<a:sysClr val=\"windowText\" lastClr=\"000000\"/>"),
        ("lt1", "<a:sysClr val=\"window\" lastClr=\"FFFFFF\"/>"),
        ("dk2", "<a:srgbClr val=\"1F3864\"/>"),
        ("lt2", "<a:srgbClr val=\"E7E6E6\"/>"),
        ("accent1", "<a:srgbClr val=\"4472C4\"/>"),
        ("accent2", "<a:srgbClr val=\"ED7D31\"/>"),
        ("accent3", "<a:srgbClr val=\"A5A5A5\"/>"),
        ("accent4", "<a:srgbClr val=\"FFC000\"/>"),
        ("accent5", "<a:srgbClr val=\"5B9BD5\"/>"),
        ("accent6", "<a:srgbClr val=\"70AD47\"/>"),
        ("hlink", "<a:srgbClr val=\"0563C1\"/>"),
        ("folHlink", "<a:srgbClr val=\"954F72\"/>"),
    ];
    let clr: String = colors
        .iter()
        .map(|(n, v)| format!("<a:{n}>{v}</a:{n}>"))
        .collect();
    let fill = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
    let line = |w: u32| {
        format!(
            "<a:ln w=\"{w}\" cap=\"flat\" cmpd=\"sng\" algn=\"ctr\">{fill}<a:prstDash val=\"solid\"/><a:miter lim=\"800000\"/></a:ln>"
        )
    };
    format!(
        "{XML_DECL}<a:theme xmlns:a=\"{A_NS}\" name=\"{name}\"><a:themeElements><a:clrScheme name=\"cowork\">{clr}</a:clrScheme>\
<a:fontScheme name=\"cowork\"><a:majorFont><a:latin typeface=\"Calibri Light\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:majorFont>\
<a:minorFont><a:latin typeface=\"Calibri\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:minorFont></a:fontScheme>\
<a:fmtScheme name=\"cowork\"><a:fillStyleLst>{fill}{fill}{fill}</a:fillStyleLst><a:lnStyleLst>{}{}{}</a:lnStyleLst>\
<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>\
<a:bgFillStyleLst>{fill}{fill}{fill}</a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>",
        line(6350),
        line(12700),
        line(19050)
    )
}

/// The parts of an empty deck, ready to be used as a template.
pub(crate) fn parts() -> Vec<(String, Vec<u8>)> {
    let ct = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/ppt/presentation.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml\"/>\
<Override PartName=\"/ppt/slideMasters/slideMaster1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml\"/>\
{}<Override PartName=\"/ppt/notesMasters/notesMaster1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml\"/>\
<Override PartName=\"/ppt/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
<Override PartName=\"/ppt/theme/theme2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
<Override PartName=\"/ppt/presProps.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.presProps+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>",
        (1..=4)
            .map(|i| format!("<Override PartName=\"/ppt/slideLayouts/slideLayout{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml\"/>"))
            .collect::<String>()
    );
    let presentation = format!(
        "{XML_DECL}<p:presentation {} saveSubsetFonts=\"1\"><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>\
<p:notesMasterIdLst><p:notesMasterId r:id=\"rId2\"/></p:notesMasterIdLst><p:sldSz cx=\"{W}\" cy=\"{H}\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/>\
<p:defaultTextStyle>{}</p:defaultTextStyle></p:presentation>",
        ns(),
        level_styles(&[1800, 1800, 1800, 1800, 1800], false)
    );
    let mut out: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), ct),
        (
            "_rels/.rels".into(),
            format!(
                "{XML_DECL}<Relationships xmlns=\"{REL_NS}\"><Relationship Id=\"rId1\" Type=\"{REL_BASE}/officeDocument\" Target=\"ppt/presentation.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"{REL_BASE}/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
            ),
        ),
        ("docProps/core.xml".into(), core_props(None)),
        ("docProps/app.xml".into(), app_props()),
        ("ppt/presentation.xml".into(), presentation),
        (
            "ppt/_rels/presentation.xml.rels".into(),
            rels(&[
                ("rId1", "slideMaster", "slideMasters/slideMaster1.xml"),
                ("rId2", "notesMaster", "notesMasters/notesMaster1.xml"),
                ("rId3", "theme", "theme/theme1.xml"),
                ("rId4", "presProps", "presProps.xml"),
            ]),
        ),
        (
            "ppt/presProps.xml".into(),
            format!("{XML_DECL}<p:presentationPr {}/>", ns()),
        ),
        ("ppt/slideMasters/slideMaster1.xml".into(), master()),
        (
            "ppt/slideMasters/_rels/slideMaster1.xml.rels".into(),
            rels(&[
                ("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"),
                ("rId2", "slideLayout", "../slideLayouts/slideLayout2.xml"),
                ("rId3", "slideLayout", "../slideLayouts/slideLayout3.xml"),
                ("rId4", "slideLayout", "../slideLayouts/slideLayout4.xml"),
                ("rId5", "theme", "../theme/theme1.xml"),
            ]),
        ),
        ("ppt/notesMasters/notesMaster1.xml".into(), notes_master()),
        (
            "ppt/notesMasters/_rels/notesMaster1.xml.rels".into(),
            rels(&[("rId1", "theme", "../theme/theme2.xml")]),
        ),
        ("ppt/theme/theme1.xml".into(), theme("cowork")),
        ("ppt/theme/theme2.xml".into(), theme("cowork notes")),
    ];
    for (i, xml) in layouts().into_iter().enumerate() {
        let n = i + 1;
        out.push((format!("ppt/slideLayouts/slideLayout{n}.xml"), xml));
        out.push((
            format!("ppt/slideLayouts/_rels/slideLayout{n}.xml.rels"),
            rels(&[("rId1", "slideMaster", "../slideMasters/slideMaster1.xml")]),
        ));
    }
    out.into_iter().map(|(n, s)| (n, s.into_bytes())).collect()
}

/// A notes master and its theme, for a template deck that has none.
pub(crate) fn notes_master_parts(theme_path: &str) -> (String, String, String) {
    (
        notes_master(),
        rels(&[(
            "rId1",
            "theme",
            &format!("../{}", theme_path.trim_start_matches("ppt/")),
        )]),
        theme("cowork notes"),
    )
}

pub(crate) const SLIDE_W: i64 = W;
pub(crate) const SLIDE_H: i64 = H;
