//! DrawingML charts (`c:chartSpace` parts of docx and pptx) as tables: one row per category,
//! one column per series, from the values cached in the chart part — what the chart shows.

use std::collections::BTreeMap;

use cowork_docmodel::Table;

use crate::xml::{Alternates, Ev, Xml, XmlError};

/// Rows kept at most: a chart over a huge range is summarized, not dumped.
const MAX_ROWS: usize = 1000;

#[derive(Default)]
struct Series {
    name: String,
    categories: BTreeMap<usize, String>,
    values: BTreeMap<usize, String>,
    /// Percent formats show values as percentages.
    percent: bool,
}

/// Where the text being read belongs.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    None,
    Title,
    Name,
    Category,
    Value,
}

/// The chart's data as a table (caption = chart title), or None when it caches no data.
pub(crate) fn chart_table(text: &str) -> Result<Option<Table>, XmlError> {
    let mut xml = Xml::new(text);
    let mut alternates = Alternates::default();
    let mut path: Vec<String> = Vec::new();
    let mut title = String::new();
    let mut series: Vec<Series> = Vec::new();
    let mut current: Option<Series> = None;
    let mut point: Option<usize> = None;
    // Multi-level categories: only the first (innermost) level is kept.
    let mut category_level = 0usize;
    loop {
        match xml.next()? {
            Ev::Start(e) => {
                if alternates.skip_start(e.local(), xml.depth()) {
                    xml.skip()?;
                    alternates.end(xml.depth());
                    continue;
                }
                let local = e.local().to_string();
                match local.as_str() {
                    "ser" => current = Some(Series::default()),
                    "pt" => point = e.attr("idx").and_then(|v| v.parse().ok()),
                    "lvl" => category_level += 1,
                    "cat" | "xVal" => category_level = 0,
                    "formatCode" => {
                        let code = xml.text_of(&[])?;
                        if let Some(s) = current.as_mut()
                            && in_values(&path)
                        {
                            s.percent = code.contains('%');
                        }
                        continue;
                    }
                    // Axis titles, data labels and text properties are not data.
                    "valAx" | "catAx" | "dateAx" | "serAx" | "dLbls" | "txPr" | "spPr"
                    | "extLst" | "legend" => {
                        xml.skip()?;
                        continue;
                    }
                    _ => {}
                }
                path.push(local);
            }
            Ev::End => {
                alternates.end(xml.depth());
                let Some(local) = path.pop() else { continue };
                match local.as_str() {
                    "ser" => {
                        if let Some(s) = current.take() {
                            series.push(s);
                        }
                    }
                    "pt" => point = None,
                    "p" if slot(&path, current.is_some()) == Slot::Title && !title.is_empty() => {
                        title.push(' ');
                    }
                    _ => {}
                }
            }
            Ev::Text(t) => {
                let Some(leaf) = path.last() else { continue };
                if leaf != "v" && leaf != "t" {
                    continue;
                }
                match slot(&path, current.is_some()) {
                    Slot::Title => title.push_str(&t),
                    Slot::Name => {
                        if let Some(s) = current.as_mut() {
                            s.name.push_str(&t);
                        }
                    }
                    Slot::Category if category_level <= 1 => {
                        if let (Some(s), Some(i)) = (current.as_mut(), point) {
                            s.categories.entry(i).or_default().push_str(&t);
                        }
                    }
                    Slot::Value => {
                        if let (Some(s), Some(i)) = (current.as_mut(), point) {
                            s.values.entry(i).or_default().push_str(&t);
                        }
                    }
                    Slot::Category | Slot::None => {}
                }
            }
            Ev::Eof => break,
        }
    }
    Ok(build(title.trim(), series))
}

fn in_values(path: &[String]) -> bool {
    path.iter().any(|p| p == "val" || p == "yVal")
}

fn slot(path: &[String], in_series: bool) -> Slot {
    if in_series {
        // The innermost of tx / cat / val decides (a series name may sit in a strRef under tx).
        for p in path.iter().rev() {
            match p.as_str() {
                "tx" => return Slot::Name,
                "cat" | "xVal" => return Slot::Category,
                "val" | "yVal" => return Slot::Value,
                "ser" => return Slot::None,
                _ => {}
            }
        }
        return Slot::None;
    }
    // The chart's own title: chartSpace/chart/title.
    let mut it = path.iter().map(String::as_str);
    if it.any(|p| p == "chart") && path.iter().any(|p| p == "title") {
        return Slot::Title;
    }
    Slot::None
}

fn build(title: &str, series: Vec<Series>) -> Option<Table> {
    if series.is_empty() {
        return None;
    }
    let categories = series
        .iter()
        .find(|s| !s.categories.is_empty())
        .map(|s| s.categories.clone())
        .unwrap_or_default();
    let last = series
        .iter()
        .flat_map(|s| s.values.keys().chain(s.categories.keys()))
        .chain(categories.keys())
        .max()
        .copied()?;
    let mut header = vec![if categories.is_empty() {
        "#".to_string()
    } else {
        "Category".to_string()
    }];
    for (i, s) in series.iter().enumerate() {
        let name = s.name.trim();
        header.push(if name.is_empty() {
            format!("Series {}", i + 1)
        } else {
            name.to_string()
        });
    }
    let mut rows = vec![header];
    let total = last.saturating_add(1);
    for idx in 0..total.min(MAX_ROWS) {
        let mut row = vec![
            categories
                .get(&idx)
                .cloned()
                .unwrap_or_else(|| (idx + 1).to_string()),
        ];
        for s in &series {
            let value = s.values.get(&idx).map(|v| show(v, s.percent));
            row.push(value.unwrap_or_default());
        }
        rows.push(row);
    }
    let caption = if title.is_empty() {
        "Chart".to_string()
    } else {
        format!("Chart: {title}")
    };
    let truncated = (total > MAX_ROWS).then(|| cowork_docmodel::Truncation {
        total_rows: total.saturating_add(1),
        total_cols: series.len() + 1,
        shown: format!("first {MAX_ROWS} categories"),
        next: None,
    });
    Some(Table {
        caption: Some(caption),
        rows,
        header_rows: 1,
        truncated,
        ..Table::default()
    })
}

/// A cached number as shown: shortest form, percentages scaled.
fn show(raw: &str, percent: bool) -> String {
    let raw = raw.trim();
    match raw.parse::<f64>() {
        Ok(v) if percent => format!("{}%", round(v * 100.0)),
        Ok(v) => round(v),
        Err(_) => raw.to_string(),
    }
}

/// Drop binary float noise (0.30000000000000004 → 0.3) without losing real digits.
fn round(v: f64) -> String {
    let s = format!("{:.10}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_point_index_is_capped() {
        let xml = r#"<c:chartSpace><c:chart><c:plotArea><c:lineChart><c:ser><c:val><c:numCache>
<c:pt idx="18446744073709551615"><c:v>1</c:v></c:pt></c:numCache></c:val></c:ser></c:lineChart></c:plotArea></c:chart></c:chartSpace>"#;
        let t = chart_table(xml).unwrap().unwrap();
        assert_eq!(t.rows.len(), MAX_ROWS + 1);
        assert!(t.truncated.is_some());
    }

    #[test]
    fn bar_chart_to_table() {
        let xml = r#"<c:chartSpace><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>Sales</a:t></a:r></a:p></c:rich></c:tx></c:title>
<c:plotArea><c:barChart>
<c:ser><c:idx val="0"/><c:tx><c:strRef><c:f>S!B1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>East</c:v></c:pt></c:strCache></c:strRef></c:tx>
<c:cat><c:strRef><c:strCache><c:pt idx="0"><c:v>Q1</c:v></c:pt><c:pt idx="1"><c:v>Q2</c:v></c:pt></c:strCache></c:strRef></c:cat>
<c:val><c:numRef><c:numCache><c:formatCode>General</c:formatCode><c:pt idx="0"><c:v>1.5</c:v></c:pt><c:pt idx="1"><c:v>0.30000000000000004</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>
<c:ser><c:tx><c:v>West</c:v></c:tx><c:val><c:numRef><c:numCache><c:formatCode>0%</c:formatCode><c:pt idx="1"><c:v>0.25</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>
</c:barChart><c:valAx><c:title><c:tx><c:rich><a:p><a:r><a:t>Axis</a:t></a:r></a:p></c:rich></c:tx></c:title></c:valAx></c:plotArea></c:chart></c:chartSpace>"#;
        let t = chart_table(xml).unwrap().unwrap();
        assert_eq!(t.caption.as_deref(), Some("Chart: Sales"));
        assert_eq!(
            t.rows,
            vec![
                vec!["Category", "East", "West"],
                vec!["Q1", "1.5", ""],
                vec!["Q2", "0.3", "25%"],
            ]
        );
    }
}
