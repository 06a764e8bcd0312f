//! Charts as PNG and SVG images, drawn with plotters (no C dependencies: the bitmap and SVG
//! backends, text through ab_glyph with an embedded DejaVu Sans, PNG encoded by this crate).
//!
//! The same [`ChartSpec`] (inline data) feeds native pptx charts; spreadsheet charts use
//! [`crate::xlsx::SheetChart`], which points at cell ranges instead.

use std::sync::OnceLock;

use plotters::prelude::{BitMapBackend, FontStyle, IntoDrawingArea, SVGBackend};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DocError;

/// The font every chart's text is drawn with (Bitstream Vera licence, see assets/).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Vertical bars, one group per category (Excel calls this a column chart).
    #[serde(alias = "column")]
    Bar,
    /// Horizontal bars, one group per category (Excel's "bar" chart).
    HorizontalBar,
    /// Lines through the values of each series across the categories.
    Line,
    /// A pie of the FIRST series' values, one slice per category.
    Pie,
    /// Points at (x, y): the categories are the x values and must be numbers.
    Scatter,
}

/// One data series of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesSpec {
    /// Series name shown in the legend, e.g. "Revenue 2024".
    #[serde(default)]
    pub name: String,
    /// One value per category, in the same order as `categories`.
    pub values: Vec<f64>,
}

/// A chart with its data inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChartSpec {
    /// bar (vertical), horizontal_bar, line, pie or scatter.
    pub kind: ChartKind,
    /// Title drawn above the chart.
    #[serde(default)]
    pub title: Option<String>,
    /// Category labels along the x axis (pie: slice labels; scatter: numeric x values).
    #[serde(default)]
    pub categories: Vec<String>,
    /// One or more series; each has one value per category.
    pub series: Vec<SeriesSpec>,
    /// Title of the horizontal axis.
    #[serde(default)]
    pub x_title: Option<String>,
    /// Title of the vertical axis.
    #[serde(default)]
    pub y_title: Option<String>,
    /// Image width in pixels (200–4000, default 800).
    #[serde(default = "default_width")]
    pub width: u32,
    /// Image height in pixels (150–4000, default 500).
    #[serde(default = "default_height")]
    pub height: u32,
}

fn default_width() -> u32 {
    800
}

fn default_height() -> u32 {
    500
}

/// Most categories a bar/line chart draws; beyond this labels are unreadable anyway.
pub const MAX_CATEGORIES: usize = 500;

pub(crate) fn err(detail: impl std::fmt::Display) -> DocError {
    DocError::write("chart", detail)
}

/// Check a spec before drawing, so every problem is reported as what to fix.
pub fn validate(spec: &ChartSpec) -> Result<(), DocError> {
    if spec.series.is_empty() || spec.series.iter().all(|s| s.values.is_empty()) {
        return Err(err(
            "the chart has no data: give at least one series with one value per category",
        ));
    }
    for s in &spec.series {
        if let Some(v) = s.values.iter().find(|v| !v.is_finite()) {
            return Err(err(format!(
                "series '{}' has a value that is not a finite number ({v}); use numbers only",
                s.name
            )));
        }
        if !spec.categories.is_empty() && s.values.len() != spec.categories.len() {
            return Err(err(format!(
                "series '{}' has {} values but there are {} categories; give one value per category",
                s.name,
                s.values.len(),
                spec.categories.len()
            )));
        }
    }
    let n = category_labels(spec).len();
    if n > MAX_CATEGORIES {
        return Err(err(format!(
            "the chart has {n} categories; at most {MAX_CATEGORIES} can be drawn — aggregate the data first (e.g. by month or top 20 + other)"
        )));
    }
    match spec.kind {
        ChartKind::Pie => {
            let first = &spec.series[0].values;
            if first.iter().any(|v| *v < 0.0) || first.iter().sum::<f64>() <= 0.0 {
                return Err(err(
                    "a pie chart needs non-negative values with a positive total; use a bar chart for negative values",
                ));
            }
        }
        ChartKind::Scatter => {
            if spec.categories.is_empty() {
                return Err(err(
                    "a scatter chart needs numeric x values in `categories`, one per value",
                ));
            }
            scatter_xs(spec)?;
        }
        ChartKind::Bar | ChartKind::HorizontalBar | ChartKind::Line => {}
    }
    Ok(())
}

pub(crate) fn scatter_xs(spec: &ChartSpec) -> Result<Vec<f64>, DocError> {
    spec.categories
        .iter()
        .map(|c| {
            c.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                err(format!(
                    "scatter x value '{c}' is not a number; categories of a scatter chart are the x values"
                ))
            })
        })
        .collect()
}

/// Category labels: the spec's, or 1, 2, 3… when none were given.
pub(crate) fn category_labels(spec: &ChartSpec) -> Vec<String> {
    if !spec.categories.is_empty() {
        return spec.categories.clone();
    }
    let n = spec
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    (1..=n).map(|i| i.to_string()).collect()
}

fn size(spec: &ChartSpec) -> (u32, u32) {
    (spec.width.clamp(200, 4000), spec.height.clamp(150, 4000))
}

fn font() -> Result<(), DocError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(err(
            "the embedded chart font could not be loaded (a build problem)",
        ))
    }
}

/// Render the chart as a PNG image.
pub fn render_png(spec: &ChartSpec) -> Result<Vec<u8>, DocError> {
    validate(spec)?;
    font()?;
    let (w, h) = size(spec);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    guarded(|| {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        crate::chart_draw::draw(&root, spec)?;
        root.present().map_err(err)
    })?;
    Ok(crate::png::encode_rgb(w, h, &buf))
}

/// Render the chart as an SVG document (text as `<text>` in sans-serif).
pub fn render_svg(spec: &ChartSpec) -> Result<String, DocError> {
    validate(spec)?;
    font()?;
    let (w, h) = size(spec);
    let mut out = String::new();
    guarded(|| {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        crate::chart_draw::draw(&root, spec)?;
        root.present().map_err(err)
    })?;
    Ok(out)
}

/// Run drawing code so that a panic inside plotters becomes an error, never a crash.
fn guarded(f: impl FnOnce() -> Result<(), DocError>) -> Result<(), DocError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(err(
            "the chart library failed on this data; try fewer categories or a different kind",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: ChartKind) -> ChartSpec {
        ChartSpec {
            kind,
            title: Some("Revenue by region".into()),
            categories: vec!["1".into(), "2".into(), "3".into()],
            series: vec![
                SeriesSpec {
                    name: "2024".into(),
                    values: vec![10.0, 20.0, 5.0],
                },
                SeriesSpec {
                    name: "2025".into(),
                    values: vec![12.0, 18.0, 9.0],
                },
            ],
            x_title: Some("Region".into()),
            y_title: Some("EUR".into()),
            width: 640,
            height: 400,
        }
    }

    #[test]
    fn every_kind_renders_png_and_svg() {
        for kind in [
            ChartKind::Bar,
            ChartKind::HorizontalBar,
            ChartKind::Line,
            ChartKind::Pie,
            ChartKind::Scatter,
        ] {
            let png = render_png(&spec(kind)).unwrap();
            let info = crate::image::sniff(&png).unwrap();
            assert_eq!((info.width, info.height), (640, 400), "{kind:?}");
            let svg = render_svg(&spec(kind)).unwrap();
            assert!(svg.contains("<svg"), "{kind:?}");
            assert!(svg.contains("Revenue by region"), "{kind:?}");
        }
    }

    #[test]
    fn bad_specs_are_errors_not_panics() {
        let mut s = spec(ChartKind::Bar);
        s.series.clear();
        assert!(render_png(&s).unwrap_err().to_string().contains("no data"));
        let mut s = spec(ChartKind::Line);
        s.series[0].values.pop();
        assert!(
            render_svg(&s)
                .unwrap_err()
                .to_string()
                .contains("one value per category")
        );
        let mut s = spec(ChartKind::Scatter);
        s.categories[0] = "north".into();
        assert!(
            render_png(&s)
                .unwrap_err()
                .to_string()
                .contains("not a number")
        );
        let mut s = spec(ChartKind::Pie);
        s.series[0].values = vec![0.0, 0.0, 0.0];
        assert!(render_png(&s).is_err());
        let mut s = spec(ChartKind::Bar);
        s.series[0].values[1] = f64::NAN;
        assert!(render_png(&s).is_err());
        // Degenerate but valid: all values equal, one category, no categories at all.
        let mut s = spec(ChartKind::Bar);
        s.categories.clear();
        s.series = vec![SeriesSpec {
            name: String::new(),
            values: vec![0.0],
        }];
        assert!(render_png(&s).is_ok());
    }

    #[test]
    fn compact_labels() {
        use crate::chart_draw::compact;
        assert_eq!(compact(1_250_000.0), "1.25M");
        assert_eq!(compact(45_000.0), "45k");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(-0.0), "0");
    }
}
