//! Native charts for slides: a DrawingML chart part (c:chartSpace) whose series carry their
//! data in caches — what PowerPoint and LibreOffice draw — plus an embedded workbook with the
//! same data (written by our xlsx writer) so "Edit Data" works in PowerPoint.

use crate::DocError;
use crate::chart::{ChartKind, ChartSpec, category_labels, validate};
use crate::xlsx::{CellInput, ColumnSpec, SheetSpec, SpreadsheetSpec, write_xlsx};
use crate::xml::esc;

const COLORS: [&str; 8] = [
    "4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E",
];

/// The chart part XML and the embedded workbook bytes. The chart's relationship to the
/// workbook must have id `rId1`.
pub(crate) fn chart_part(spec: &ChartSpec) -> Result<(String, Vec<u8>), DocError> {
    validate(spec).map_err(|e| DocError::write("pptx", format!("chart slide: {e}")))?;
    let cats = category_labels(spec);
    let n = cats.len();
    let series: Vec<_> = match spec.kind {
        // A pie shows one series.
        ChartKind::Pie => spec.series.iter().take(1).collect(),
        _ => spec.series.iter().collect(),
    };
    let last_row = n + 1;
    let mut sers = String::new();
    for (i, s) in series.iter().enumerate() {
        let col = cowork_docmodel::column_name(i as u32 + 1);
        let name = if s.name.is_empty() {
            format!("Series {}", i + 1)
        } else {
            s.name.clone()
        };
        let tx = format!(
            "<c:tx><c:strRef><c:f>Sheet1!${col}$1</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>{}</c:v></c:pt></c:strCache></c:strRef></c:tx>",
            esc(&name)
        );
        let color = COLORS[i % COLORS.len()];
        let values = num_ref(&format!("Sheet1!${col}$2:${col}${last_row}"), &s.values);
        let xml = match spec.kind {
            ChartKind::Bar | ChartKind::HorizontalBar => format!(
                "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/>{tx}<c:spPr><a:solidFill><a:srgbClr val=\"{color}\"/></a:solidFill></c:spPr>\
<c:invertIfNegative val=\"0\"/><c:cat>{}</c:cat><c:val>{values}</c:val></c:ser>",
                str_ref(&format!("Sheet1!$A$2:$A${last_row}"), &cats)
            ),
            ChartKind::Line => format!(
                "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/>{tx}<c:spPr><a:ln w=\"28575\" cap=\"rnd\"><a:solidFill><a:srgbClr val=\"{color}\"/></a:solidFill></a:ln></c:spPr>\
<c:marker><c:symbol val=\"circle\"/><c:size val=\"5\"/></c:marker><c:cat>{}</c:cat><c:val>{values}</c:val><c:smooth val=\"0\"/></c:ser>",
                str_ref(&format!("Sheet1!$A$2:$A${last_row}"), &cats)
            ),
            ChartKind::Pie => {
                let points: String = (0..n)
                    .map(|p| format!("<c:dPt><c:idx val=\"{p}\"/><c:bubble3D val=\"0\"/><c:spPr><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill></c:spPr></c:dPt>", COLORS[p % COLORS.len()]))
                    .collect();
                format!(
                    "<c:ser><c:idx val=\"0\"/><c:order val=\"0\"/>{tx}{points}<c:dLbls><c:showLegendKey val=\"0\"/><c:showVal val=\"0\"/>\
<c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"1\"/><c:showBubbleSize val=\"0\"/><c:showLeaderLines val=\"1\"/></c:dLbls>\
<c:cat>{}</c:cat><c:val>{values}</c:val></c:ser>",
                    str_ref(&format!("Sheet1!$A$2:$A${last_row}"), &cats)
                )
            }
            ChartKind::Scatter => {
                let xs: Vec<f64> = cats
                    .iter()
                    .map(|c| c.trim().parse().unwrap_or(0.0))
                    .collect();
                format!(
                    "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/>{tx}<c:spPr><a:ln w=\"19050\"><a:noFill/></a:ln></c:spPr>\
<c:marker><c:symbol val=\"circle\"/><c:size val=\"7\"/><c:spPr><a:solidFill><a:srgbClr val=\"{color}\"/></a:solidFill></c:spPr></c:marker>\
<c:xVal>{}</c:xVal><c:yVal>{values}</c:yVal><c:smooth val=\"0\"/></c:ser>",
                    num_ref(&format!("Sheet1!$A$2:$A${last_row}"), &xs)
                )
            }
        };
        sers.push_str(&xml);
    }
    let axes = |cat_ax: &str| {
        let title = |t: &Option<String>| {
            t.as_deref()
                .map(|t| rich_title(t, true))
                .unwrap_or_default()
        };
        format!(
            "{cat_ax}<c:valAx><c:axId val=\"20000002\"/><c:scaling><c:orientation val=\"minMax\"/></c:scaling><c:delete val=\"0\"/>\
<c:axPos val=\"{}\"/><c:majorGridlines/>{}<c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/>\
<c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/><c:crossAx val=\"20000001\"/><c:crosses val=\"autoZero\"/>\
<c:crossBetween val=\"{}\"/></c:valAx>",
            if spec.kind == ChartKind::HorizontalBar {
                "b"
            } else {
                "l"
            },
            title(&spec.y_title),
            if spec.kind == ChartKind::Scatter {
                "midCat"
            } else {
                "between"
            }
        )
    };
    let x_title = spec
        .x_title
        .as_deref()
        .map(|t| rich_title(t, true))
        .unwrap_or_default();
    let cat_ax = format!(
        "<c:catAx><c:axId val=\"20000001\"/><c:scaling><c:orientation val=\"{}\"/></c:scaling><c:delete val=\"0\"/><c:axPos val=\"{}\"/>{x_title}\
<c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>\
<c:crossAx val=\"20000002\"/><c:crosses val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/><c:lblOffset val=\"100\"/><c:noMultiLvlLbl val=\"0\"/></c:catAx>",
        // Horizontal bars list the first category at the top.
        if spec.kind == ChartKind::HorizontalBar {
            "maxMin"
        } else {
            "minMax"
        },
        if spec.kind == ChartKind::HorizontalBar {
            "l"
        } else {
            "b"
        },
    );
    let ax_ids = "<c:axId val=\"20000001\"/><c:axId val=\"20000002\"/>";
    let plot = match spec.kind {
        ChartKind::Bar | ChartKind::HorizontalBar => format!(
            "<c:barChart><c:barDir val=\"{}\"/><c:grouping val=\"clustered\"/><c:varyColors val=\"0\"/>{sers}<c:gapWidth val=\"80\"/>{ax_ids}</c:barChart>{}",
            if spec.kind == ChartKind::Bar {
                "col"
            } else {
                "bar"
            },
            axes(&cat_ax)
        ),
        ChartKind::Line => format!(
            "<c:lineChart><c:grouping val=\"standard\"/><c:varyColors val=\"0\"/>{sers}<c:marker val=\"1\"/>{ax_ids}</c:lineChart>{}",
            axes(&cat_ax)
        ),
        ChartKind::Pie => format!(
            "<c:pieChart><c:varyColors val=\"1\"/>{sers}<c:firstSliceAng val=\"0\"/></c:pieChart>"
        ),
        ChartKind::Scatter => {
            let x_ax = format!(
                "<c:valAx><c:axId val=\"20000001\"/><c:scaling><c:orientation val=\"minMax\"/></c:scaling><c:delete val=\"0\"/><c:axPos val=\"b\"/>{x_title}\
<c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>\
<c:crossAx val=\"20000002\"/><c:crosses val=\"autoZero\"/><c:crossBetween val=\"midCat\"/></c:valAx>"
            );
            format!(
                "<c:scatterChart><c:scatterStyle val=\"lineMarker\"/><c:varyColors val=\"0\"/>{sers}{ax_ids}</c:scatterChart>{}",
                axes(&x_ax)
            )
        }
    };
    let title = spec
        .title
        .as_deref()
        .map(|t| rich_title(t, false))
        .unwrap_or_default();
    let auto_deleted = if spec.title.is_some() { 0 } else { 1 };
    let legend = if series.len() > 1 || spec.kind == ChartKind::Pie {
        "<c:legend><c:legendPos val=\"r\"/><c:overlay val=\"0\"/></c:legend>"
    } else {
        ""
    };
    let xml = format!(
        "{}<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" xmlns:a=\"{}\" xmlns:r=\"{}\">\
<c:roundedCorners val=\"0\"/><c:chart>{title}<c:autoTitleDeleted val=\"{auto_deleted}\"/><c:plotArea><c:layout/>{plot}</c:plotArea>{legend}\
<c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart><c:externalData r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData></c:chartSpace>",
        crate::package::XML_DECL,
        super::base::A_NS,
        super::base::R_NS
    );
    Ok((xml, workbook(spec, &cats, &series)?))
}

fn rich_title(text: &str, small: bool) -> String {
    let size = if small { 1200 } else { 1800 };
    format!(
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\" b=\"{}\"/></a:pPr><a:r><a:rPr lang=\"en-US\" sz=\"{size}\"/>\
<a:t>{}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title>",
        u8::from(!small),
        esc(text)
    )
}

fn str_ref(f: &str, values: &[String]) -> String {
    let pts: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("<c:pt idx=\"{i}\"><c:v>{}</c:v></c:pt>", esc(v)))
        .collect();
    format!(
        "<c:strRef><c:f>{f}</c:f><c:strCache><c:ptCount val=\"{}\"/>{pts}</c:strCache></c:strRef>",
        values.len()
    )
}

fn num_ref(f: &str, values: &[f64]) -> String {
    let pts: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("<c:pt idx=\"{i}\"><c:v>{v}</c:v></c:pt>"))
        .collect();
    format!(
        "<c:numRef><c:f>{f}</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val=\"{}\"/>{pts}</c:numCache></c:numRef>",
        values.len()
    )
}

/// The chart's data as a workbook: categories in column A, one column per series.
fn workbook(
    spec: &ChartSpec,
    cats: &[String],
    series: &[&crate::chart::SeriesSpec],
) -> Result<Vec<u8>, DocError> {
    let mut columns = vec![ColumnSpec {
        header: String::new(),
        width: None,
        format: None,
    }];
    for (i, s) in series.iter().enumerate() {
        let name = if s.name.is_empty() {
            format!("Series {}", i + 1)
        } else {
            s.name.clone()
        };
        columns.push(ColumnSpec {
            header: name,
            width: None,
            format: None,
        });
    }
    let rows = cats
        .iter()
        .enumerate()
        .map(|(r, c)| {
            let first = match (spec.kind, c.trim().parse::<f64>()) {
                (ChartKind::Scatter, Ok(x)) => CellInput::Number(x),
                _ => CellInput::Text(c.clone()),
            };
            std::iter::once(first)
                .chain(series.iter().map(|s| {
                    s.values
                        .get(r)
                        .map_or(CellInput::Null, |v| CellInput::Number(*v))
                }))
                .collect()
        })
        .collect();
    let sheet = SheetSpec {
        name: "Sheet1".into(),
        columns,
        rows,
        freeze_header: false,
        autofilter: false,
        table: false,
        charts: vec![],
        totals: None,
    };
    write_xlsx(&SpreadsheetSpec {
        sheets: vec![sheet],
    })
    .map_err(|e| DocError::write("pptx", format!("chart data workbook: {e}")))
}
