//! Drawing a [`ChartSpec`] with plotters on any backend (bitmap or SVG): bars (grouped),
//! horizontal bars, lines, scatter and pie, with titles, axis titles and a legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::DocError;
use crate::chart::{ChartKind, ChartSpec, MAX_CATEGORIES, category_labels, err, scatter_xs};

const PALETTE: [RGBColor; 8] = [
    RGBColor(0x44, 0x72, 0xC4),
    RGBColor(0xED, 0x7D, 0x31),
    RGBColor(0xA5, 0xA5, 0xA5),
    RGBColor(0xFF, 0xC0, 0x00),
    RGBColor(0x5B, 0x9B, 0xD5),
    RGBColor(0x70, 0xAD, 0x47),
    RGBColor(0x26, 0x44, 0x78),
    RGBColor(0x9E, 0x48, 0x0E),
];

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Category slot indices with a 'static lifetime, as plotters' element traits require.
static SLOTS: [usize; MAX_CATEGORIES] = {
    let mut a = [0; MAX_CATEGORIES];
    let mut i = 0;
    while i < MAX_CATEGORIES {
        a[i] = i;
        i += 1;
    }
    a
};

pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
) -> Result<(), DocError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let scale = f64::from(w.min(h)) / 500.0;
    let text = |pt: f64| ("sans-serif", (pt * scale).max(9.0));
    match spec.kind {
        ChartKind::Pie => return draw_pie(root, spec, scale),
        ChartKind::Scatter => return draw_scatter(root, spec, scale),
        ChartKind::Bar | ChartKind::HorizontalBar | ChartKind::Line => {}
    }
    let labels = category_labels(spec);
    let n = labels.len().max(1);
    let (lo, hi) = value_range(
        spec.series.iter().flat_map(|s| s.values.iter().copied()),
        true,
    );
    let mut builder = ChartBuilder::on(root);
    builder
        .margin((12.0 * scale) as u32)
        .x_label_area_size((40.0 * scale) as u32 + u32::from(spec.x_title.is_some()) * 20)
        .y_label_area_size(y_label_room(spec, &labels, scale));
    if let Some(title) = &spec.title {
        builder.caption(title, text(22.0));
    }
    let short = |i: usize| labels.get(i).map(|l| shorten(l)).unwrap_or_default();
    let legend = spec.series.len() > 1 || spec.series.iter().any(|s| !s.name.is_empty());
    let m = spec.series.len();
    // Categories as a discrete axis of n equal slots (a slice of distinct indices, so equal
    // labels stay separate categories). Slot i spans Exact(i) .. Exact(i+1), the last ends at Last.
    let slots = &SLOTS[..n.min(MAX_CATEGORIES)];
    let edge = |i: usize| slots.get(i).map_or(SegmentValue::Last, SegmentValue::Exact);
    let no_light = TRANSPARENT;
    if spec.kind == ChartKind::HorizontalBar {
        let mut chart = builder
            .build_cartesian_2d(lo..hi, slots.into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(no_light)
            .y_labels(n)
            .label_style(text(12.0))
            // The first category is drawn at the top, as people read a list.
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    (n - 1).checked_sub(**i).map(short).unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_label_formatter(&|v| compact(*v))
            .x_desc(spec.y_title.clone().unwrap_or_default())
            .y_desc(spec.x_title.clone().unwrap_or_default())
            .axis_desc_style(text(13.0))
            .draw()
            .map_err(err)?;
        let band = f64::from(chart.plotting_area().dim_in_pixel().1) / n as f64;
        let base = if lo <= 0.0 && hi >= 0.0 { 0.0 } else { lo };
        for (j, s) in spec.series.iter().enumerate() {
            let c = color(j);
            let (top, bottom) = margins(band, j, m);
            let bars = s.values.iter().enumerate().map(|(i, v)| {
                let slot = n - 1 - i;
                let mut r = Rectangle::new([(base, edge(slot)), (*v, edge(slot + 1))], c.filled());
                r.set_margin(top, bottom, 0, 0);
                r
            });
            let drawn = chart.draw_series(bars).map_err(err)?;
            if legend {
                drawn.label(s.name.clone()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled())
                });
            }
        }
        if legend {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font(text(12.0))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        return Ok(());
    }
    let mut chart = builder
        .build_cartesian_2d(slots.into_segmented(), lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(no_light)
        .x_labels(n)
        .label_style(text(12.0))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => short(**i),
            _ => String::new(),
        })
        .y_label_formatter(&|v| compact(*v))
        .x_desc(spec.x_title.clone().unwrap_or_default())
        .y_desc(spec.y_title.clone().unwrap_or_default())
        .axis_desc_style(text(13.0))
        .draw()
        .map_err(err)?;
    let band = f64::from(chart.plotting_area().dim_in_pixel().0) / n as f64;
    let base = if lo <= 0.0 && hi >= 0.0 { 0.0 } else { lo };
    for (j, s) in spec.series.iter().enumerate() {
        let c = color(j);
        let drawn = if spec.kind == ChartKind::Bar {
            let (left, right) = margins(band, j, m);
            let bars = s.values.iter().enumerate().map(|(i, v)| {
                let mut r = Rectangle::new([(edge(i), base), (edge(i + 1), *v)], c.filled());
                r.set_margin(0, 0, left, right);
                r
            });
            chart.draw_series(bars).map_err(err)?
        } else {
            let points: Vec<_> = s
                .values
                .iter()
                .zip(slots)
                .map(|(v, slot)| (SegmentValue::CenterOf(slot), *v))
                .collect();
            chart
                .draw_series(points.iter().map(|p| Circle::new(p.clone(), 3, c.filled())))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(points, c.stroke_width(2)))
                .map_err(err)?
        };
        if legend {
            drawn
                .label(s.name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(text(12.0))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    scale: f64,
) -> Result<(), DocError>
where
    DB::ErrorType: 'static,
{
    let text = |pt: f64| ("sans-serif", (pt * scale).max(9.0));
    let xs = scatter_xs(spec)?;
    let (xlo, xhi) = value_range(xs.iter().copied(), false);
    let (ylo, yhi) = value_range(
        spec.series.iter().flat_map(|s| s.values.iter().copied()),
        false,
    );
    let mut builder = ChartBuilder::on(root);
    builder
        .margin((12.0 * scale) as u32)
        .x_label_area_size((40.0 * scale) as u32 + u32::from(spec.x_title.is_some()) * 20)
        .y_label_area_size((60.0 * scale) as u32 + u32::from(spec.y_title.is_some()) * 20);
    if let Some(title) = &spec.title {
        builder.caption(title, text(22.0));
    }
    let mut chart = builder
        .build_cartesian_2d(xlo..xhi, ylo..yhi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .label_style(text(12.0))
        .x_label_formatter(&|v| compact(*v))
        .y_label_formatter(&|v| compact(*v))
        .x_desc(spec.x_title.clone().unwrap_or_default())
        .y_desc(spec.y_title.clone().unwrap_or_default())
        .axis_desc_style(text(13.0))
        .draw()
        .map_err(err)?;
    let legend = spec.series.len() > 1 || spec.series.iter().any(|s| !s.name.is_empty());
    for (j, s) in spec.series.iter().enumerate() {
        let c = color(j);
        let pts = xs
            .iter()
            .zip(&s.values)
            .map(|(x, y)| Circle::new((*x, *y), 4, c.filled()));
        let drawn = chart.draw_series(pts).map_err(err)?;
        if legend {
            drawn
                .label(s.name.clone())
                .legend(move |(x, y)| Circle::new((x + 5, y), 4, c.filled()));
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(text(12.0))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

fn draw_pie<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    scale: f64,
) -> Result<(), DocError>
where
    DB::ErrorType: 'static,
{
    let area = match &spec.title {
        Some(title) => root
            .margin(10, 0, 0, 0)
            .titled(title, ("sans-serif", (22.0 * scale).max(9.0)))
            .map_err(err)?,
        None => root.clone(),
    };
    let (w, h) = area.dim_in_pixel();
    let center = ((w / 2) as i32, (h / 2) as i32);
    let radius = f64::from(w.min(h)) * 0.33;
    let sizes = spec.series[0].values.clone();
    let colors: Vec<RGBColor> = (0..sizes.len()).map(color).collect();
    let labels: Vec<String> = category_labels(spec).iter().map(|l| shorten(l)).collect();
    let mut pie = Pie::new(&center, &radius, &sizes, &colors, &labels);
    pie.start_angle(-90.0);
    pie.label_style(
        ("sans-serif", (13.0 * scale).max(9.0))
            .into_font()
            .color(&BLACK),
    );
    pie.percentages(
        ("sans-serif", (12.0 * scale).max(9.0))
            .into_font()
            .color(&WHITE),
    );
    area.draw(&pie).map_err(err)?;
    Ok(())
}

/// Room for the vertical axis labels: numbers, or category names on a horizontal bar chart.
fn y_label_room(spec: &ChartSpec, labels: &[String], scale: f64) -> u32 {
    let chars = if spec.kind == ChartKind::HorizontalBar {
        labels
            .iter()
            .map(|l| shorten(l).chars().count())
            .max()
            .unwrap_or(4)
    } else {
        6
    };
    let title = if spec.y_title.is_some() || spec.x_title.is_some() {
        24.0
    } else {
        0.0
    };
    ((chars as f64 * 7.5 + 14.0) * scale + title) as u32
}

/// Pixel margins that place bar `j` of `m` inside a category band of `band` pixels
/// (80 % of the band is bars, 10 % padding each side).
fn margins(band: f64, j: usize, m: usize) -> (u32, u32) {
    let m = m.max(1) as f64;
    let j = j as f64;
    let start = band * (0.1 + 0.8 * j / m);
    let end = band * (0.1 + 0.8 * (j + 1.0) / m);
    (start.max(0.0) as u32, (band - end).max(0.0) as u32)
}

/// An axis range covering all values with 5 % headroom; bars always include zero.
fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        hi.abs().max(1.0) * 0.5
    };
    if !include_zero || lo < 0.0 {
        lo -= pad;
    }
    hi += pad;
    (lo, hi)
}

/// Axis labels people read at a glance: 1.2M, 45k, 0.25.
pub(crate) fn compact(v: f64) -> String {
    let a = v.abs();
    let (n, suffix) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    format!("{s}{suffix}")
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= 18 {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(17).collect();
        s.push('…');
        s
    }
}
