//! SVG charts of a finished run: pure functions from a [`RunResult`] to SVG text.
//!
//! The only module of the crate that imports plotters. Every chart is 1000 px wide, has a title
//! naming the scenario, axis labels with units and a legend drawn in a header band above the
//! plot (so it never hides data). Text layout uses plotters' naive font estimator; sizes below
//! are the rendered pixel sizes (plotters' SVG backend writes `font-size = size / 1.24`, which
//! [`font`] compensates for).
//!
//! All functions tolerate degenerate inputs (no seconds, one second, one shard, 10,000 shards,
//! all zeros, inconsistent lengths) and bound their output: long series are averaged into at
//! most ~1,000 points, the heatmap into at most 64 rows and ~38,000 cells.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::metrics::{Percentiles, RunResult};

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("chart {chart}: {message}")]
    Draw { chart: &'static str, message: String },
}

/// Stream throughput over time, `throughput.svg`.
pub fn throughput_svg(r: &RunResult) -> Result<String, ChartError> {
    render("throughput", (WIDTH, HEIGHT), |root| draw_throughput(root, r))
}

/// Per-shard utilisation heatmap, `shard-load.svg`.
pub fn shard_heatmap_svg(r: &RunResult) -> Result<String, ChartError> {
    render("shard-load", (WIDTH, HEATMAP_HEIGHT), |root| draw_heatmap(root, r))
}

/// Put latency percentiles over time, `latency.svg`.
pub fn latency_svg(r: &RunResult) -> Result<String, ChartError> {
    render("latency", (WIDTH, HEIGHT), |root| draw_latency(root, r))
}

/// Accepted and throttled records per shard, `shard-totals.svg`.
pub fn shard_totals_svg(r: &RunResult) -> Result<String, ChartError> {
    render("shard-totals", (WIDTH, HEIGHT), |root| draw_shard_totals(root, r))
}

/// (file name, svg) for every chart, in a fixed order
pub fn all_svgs(r: &RunResult) -> Result<Vec<(&'static str, String)>, ChartError> {
    let mut all = vec![
        ("throughput.svg", throughput_svg(r)?),
        ("shard-load.svg", shard_heatmap_svg(r)?),
        ("latency.svg", latency_svg(r)?),
        ("shard-totals.svg", shard_totals_svg(r)?),
    ];
    // Cost charts only when the run was priced (`experiment::run` always prices).
    if r.cost.is_some() {
        all.push(("cost.svg", cost_svg(r)?));
        all.push(("retention.svg", retention_svg(r)?));
    }
    Ok(all)
}

// ---------------------------------------------------------------------------------------------
// Layout constants, palette, fonts

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 520;
const HEATMAP_HEIGHT: u32 = 600;

const TITLE_PX: f64 = 22.0;
const SUBTITLE_PX: f64 = 14.0;
const LEGEND_PX: f64 = 14.0;
const LABEL_PX: f64 = 16.0;
const TICK_PX: f64 = 13.0;
/// Estimated average glyph width of a sans-serif font, in em (a little generous, so text
/// laid out with it is not clipped).
const CHAR_EM: f64 = 0.6;

/// Height of the x label area (tick labels + axis description).
const X_LABEL_AREA: u32 = 58;

const FONT: &str = "sans-serif";

// Okabe-Ito, colour-blind safe.
const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const OI_PINK: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const INK: RGBColor = RGBColor(0x11, 0x11, 0x11);
const GREY_TEXT: RGBColor = RGBColor(0x44, 0x44, 0x44);
const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const EVEN_LINE: RGBColor = RGBColor(0x80, 0x80, 0x80);
const LEGEND_BG: RGBColor = RGBColor(0xF6, 0xF6, 0xF6);
const LEGEND_BORDER: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);

/// A font whose rendered SVG size is `px` pixels.
fn font(px: f64) -> FontDesc<'static> {
    (FONT, px * 1.24).into_font()
}

fn text_style(px: f64, color: RGBColor) -> TextStyle<'static> {
    font(px).color(&color)
}

/// Estimated rendered width of `s` at `px` pixels.
fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * px * CHAR_EM).ceil() as i32
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult<T = ()> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// Draws one chart into a fresh SVG string. Plotters errors (and, defensively, panics inside
/// plotters) become [`ChartError`]s.
fn render(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()
    }));
    match outcome {
        Ok(Ok(())) => Ok(svg),
        Ok(Err(e)) => Err(ChartError::Draw { chart, message: e.to_string() }),
        Err(panic) => Err(ChartError::Draw {
            chart,
            message: format!(
                "plotters panicked: {}",
                panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default()
            ),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Number and time formatting

/// `v` with at most `decimals` decimals (trailing zeros trimmed) and thousands separators.
fn fmt_num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (s.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let zero = grouped.chars().all(|c| c == '0' || c == ',') && frac.is_empty();
    let mut out = String::new();
    if v < 0.0 && !zero {
        out.push('-');
    }
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out
}

fn fmt_int(v: u64) -> String {
    fmt_num(v as f64, 0)
}

/// Tick label of a count/rate axis whose top is `top`: `12,500`, `120k`, `2.5M`.
fn fmt_count(v: f64, top: f64) -> String {
    if v.abs() < 1e-9 {
        "0".to_string()
    } else if top >= 2e6 {
        format!("{}M", fmt_num(v / 1e6, 2))
    } else if top >= 1e5 {
        format!("{}k", fmt_num(v / 1e3, 1))
    } else if top >= 10.0 {
        fmt_num(v, 1)
    } else {
        fmt_num(v, 2)
    }
}

/// Tick label of a latency axis [ms].
fn fmt_ms(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        fmt_num(v, 0)
    } else if a >= 1.0 {
        fmt_num(v, 1)
    } else {
        fmt_num(v, 3)
    }
}

/// The unit of a time axis, chosen from the run length.
#[derive(Debug, Clone, Copy)]
struct TimeAxis {
    /// Seconds per unit.
    div: f64,
    unit: &'static str,
}

impl TimeAxis {
    /// `duration_s` decides; `fallback_s` is used when it is not a positive number.
    fn new(duration_s: f64, fallback_s: f64) -> Self {
        let d = if duration_s.is_finite() && duration_s > 0.0 { duration_s } else { fallback_s };
        if d > 30.0 * 3600.0 {
            TimeAxis { div: 3600.0, unit: "h" }
        } else if d > 30.0 * 60.0 {
            TimeAxis { div: 60.0, unit: "min" }
        } else {
            TimeAxis { div: 1.0, unit: "s" }
        }
    }

    fn label(&self) -> String {
        format!("time [{}]", self.unit)
    }

    /// End of the x range [unit]: the longer of the data and the run, never empty.
    fn x_max(&self, data_s: f64, duration_s: f64) -> f64 {
        let d = if duration_s.is_finite() { duration_s } else { 0.0 };
        let m = data_s.max(d) / self.div;
        if m.is_finite() && m > 0.0 {
            m
        } else {
            1.0
        }
    }
}

/// Duration in words for subtitles: `45 s`, `2.5 min`.
fn fmt_seconds(s: u64) -> String {
    if s >= 7200 && s.is_multiple_of(360) {
        format!("{} h", fmt_num(s as f64 / 3600.0, 1))
    } else if s >= 120 && s.is_multiple_of(6) {
        format!("{} min", fmt_num(s as f64 / 60.0, 1))
    } else {
        format!("{} s", fmt_int(s))
    }
}

/// Upper end of a linear 0-based axis holding values up to `max`: 1.1 x max, or 1 when there is
/// nothing positive to show.
fn y_top(max: f64) -> f64 {
    let t = max * 1.1;
    if t.is_finite() && t > 0.0 {
        t
    } else {
        1.0
    }
}

/// Width of a left/right y label area holding tick labels like `widest` and a rotated axis
/// description.
fn y_label_area(widest: &str) -> u32 {
    let w = text_width(widest, TICK_PX) + 14 + (LABEL_PX * 1.6) as i32;
    w.clamp(56, 240) as u32
}

/// The y label area of an axis from 0 to `top` whose ticks `fmt_y` formats (sized for the top
/// tick and one just below it, the widest labels such an axis draws).
fn y_area_for(fmt_y: &dyn Fn(&f64) -> String, top: f64) -> u32 {
    y_label_area(&widest(&[fmt_y(&top), fmt_y(&(top * 0.95))]))
}

/// The widest of a few representative tick labels.
fn widest<'a>(labels: impl IntoIterator<Item = &'a String>) -> String {
    labels.into_iter().max_by_key(|s| s.chars().count()).cloned().unwrap_or_default()
}

fn short_scenario(r: &RunResult) -> String {
    let name = r.scenario.trim();
    let name = if name.is_empty() { "(unnamed)" } else { name };
    if name.chars().count() > 48 {
        let mut s: String = name.chars().take(47).collect();
        s.push('…');
        s
    } else {
        name.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Header: title, subtitle and legend in a band above the plot

#[derive(Debug, Clone, Copy)]
enum Swatch {
    /// Filled area with a solid top edge.
    Area(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    /// A filled box (bar charts).
    Bar(RGBColor),
    /// A dot marker.
    Dot(RGBColor),
}

struct LegendItem {
    label: String,
    swatch: Swatch,
}

fn item(label: impl Into<String>, swatch: Swatch) -> LegendItem {
    LegendItem { label: label.into(), swatch }
}

struct Header {
    title: String,
    subtitle: Option<String>,
    legend: Vec<LegendItem>,
}

/// Greedy word wrap into lines of at most `max_chars` characters (at most `max_lines`; the
/// last one is cut with an ellipsis).
fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let len = cur.chars().count() + word.chars().count() + usize::from(!cur.is_empty());
        if !cur.is_empty() && len > max_chars {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
    }
    for l in lines.iter_mut() {
        if l.chars().count() > max_chars {
            let mut s: String = l.chars().take(max_chars.saturating_sub(1)).collect();
            s.push('…');
            *l = s;
        }
    }
    lines
}

const LEGEND_SWATCH_W: i32 = 30;
const LEGEND_ROW_H: i32 = 22;
const LEGEND_PAD: i32 = 8;
const LEGEND_GAP: i32 = 22;

fn legend_item_width(it: &LegendItem) -> i32 {
    LEGEND_SWATCH_W + 7 + text_width(&it.label, LEGEND_PX)
}

/// Rows of legend item indexes fitting in `max_w` pixels.
fn legend_rows(items: &[LegendItem], max_w: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![];
    let mut row_w = 0;
    for (i, it) in items.iter().enumerate() {
        let w = legend_item_width(it);
        match rows.last_mut() {
            Some(row) if row_w + LEGEND_GAP + w <= max_w => {
                row.push(i);
                row_w += LEGEND_GAP + w;
            }
            _ => {
                rows.push(vec![i]);
                row_w = w;
            }
        }
    }
    rows
}

fn draw_swatch(area: &Area<'_>, swatch: Swatch, x: i32, yc: i32) -> DrawResult {
    let x1 = x + LEGEND_SWATCH_W;
    match swatch {
        Swatch::Area(c) => {
            area.draw(&Rectangle::new([(x, yc - 6), (x1, yc + 7)], c.mix(0.22).filled()))?;
            area.draw(&PathElement::new(vec![(x, yc - 6), (x1, yc - 6)], c.stroke_width(2)))?;
        }
        Swatch::Line(c) => {
            area.draw(&PathElement::new(vec![(x, yc), (x1, yc)], c.stroke_width(3)))?;
        }
        Swatch::Dashed(c) => {
            let mut x0 = x;
            while x0 < x1 {
                let xe = (x0 + 7).min(x1);
                area.draw(&PathElement::new(vec![(x0, yc), (xe, yc)], c.stroke_width(2)))?;
                x0 += 11;
            }
        }
        Swatch::Bar(c) => {
            area.draw(&Rectangle::new([(x + 7, yc - 7), (x1 - 7, yc + 7)], c.filled()))?;
        }
        Swatch::Dot(c) => {
            area.draw(&Circle::new((x + LEGEND_SWATCH_W / 2, yc), 5, c.filled()))?;
        }
    }
    Ok(())
}

/// Draws the header at the top of `root` and returns the area below it.
fn draw_header<'a>(root: &Area<'a>, h: &Header) -> DrawResult<Area<'a>> {
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;
    let cx = w / 2;
    let mut y = 10;

    let max_title = ((w - 30) as f64 / (TITLE_PX * CHAR_EM)) as usize;
    let title_style =
        font(TITLE_PX).style(FontStyle::Bold).color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    for line in wrap(&h.title, max_title, 2) {
        root.draw(&Text::new(line, (cx, y), title_style.clone()))?;
        y += (TITLE_PX * 1.3) as i32;
    }

    if let Some(sub) = &h.subtitle {
        let max_sub = ((w - 30) as f64 / (SUBTITLE_PX * CHAR_EM)) as usize;
        let style = text_style(SUBTITLE_PX, GREY_TEXT).pos(Pos::new(HPos::Center, VPos::Top));
        for line in wrap(sub, max_sub, 2) {
            root.draw(&Text::new(line, (cx, y), style.clone()))?;
            y += (SUBTITLE_PX * 1.35) as i32;
        }
    }

    if !h.legend.is_empty() {
        y += 4;
        let rows = legend_rows(&h.legend, w - 40 - 2 * LEGEND_PAD);
        let row_widths: Vec<i32> = rows
            .iter()
            .map(|row| {
                row.iter().map(|&i| legend_item_width(&h.legend[i])).sum::<i32>()
                    + LEGEND_GAP * (row.len() as i32 - 1)
            })
            .collect();
        let box_w = row_widths.iter().copied().max().unwrap_or(0) + 2 * LEGEND_PAD;
        let box_h = rows.len() as i32 * LEGEND_ROW_H + 2 * LEGEND_PAD - 4;
        let bx = cx - box_w / 2;
        root.draw(&Rectangle::new([(bx, y), (bx + box_w, y + box_h)], LEGEND_BG.filled()))?;
        root.draw(&Rectangle::new([(bx, y), (bx + box_w, y + box_h)], LEGEND_BORDER.stroke_width(1)))?;
        let label_style = text_style(LEGEND_PX, INK).pos(Pos::new(HPos::Left, VPos::Center));
        for (r, row) in rows.iter().enumerate() {
            let yc = y + LEGEND_PAD - 2 + r as i32 * LEGEND_ROW_H + LEGEND_ROW_H / 2;
            let mut x = bx + LEGEND_PAD;
            for &i in row {
                let it = &h.legend[i];
                draw_swatch(root, it.swatch, x, yc)?;
                root.draw(&Text::new(it.label.clone(), (x + LEGEND_SWATCH_W + 7, yc), label_style.clone()))?;
                x += legend_item_width(it) + LEGEND_GAP;
            }
        }
        y += box_h;
    }
    y += 6;
    Ok(root.split_vertically(y).1)
}

/// Centred grey note in a chart's plotting area (e.g. "no records accepted").
fn draw_note(root: &Area<'_>, plot: (Range<i32>, Range<i32>), note: &str) -> DrawResult {
    let (xr, yr) = plot;
    let style = font(18.0).color(&GREY_TEXT).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(note.to_string(), ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2), style))
}

/// A chart builder with the common margins and label areas.
fn builder<'a, 'b>(area: &'a Area<'b>, y_area: u32, right_area: u32) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(8)
        .margin_bottom(6)
        .margin_left(12)
        .margin_right(if right_area > 0 { 12 } else { 34 })
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_area);
    if right_area > 0 {
        b.right_y_label_area_size(right_area);
    }
    b
}

/// A linear chart over time in the common style: a light grid, ink axes, `t`'s unit on the x
/// axis and `y_desc` (with its unit) on the y axis.
fn time_chart<'a, 'b>(
    body: &'a Area<'b>,
    y_area: u32,
    t: TimeAxis,
    x_max: f64,
    top: f64,
    y_desc: impl Into<String>,
    fmt_y: &dyn Fn(&f64) -> String,
) -> DrawResult<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let mut chart = builder(body, y_area, 0).build_cartesian_2d(0.0..x_max, 0.0..top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(10)
        .y_labels(7)
        .x_desc(t.label())
        .y_desc(y_desc)
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_num(*v, 2))
        .y_label_formatter(fmt_y)
        .draw()?;
    Ok(chart)
}

// ---------------------------------------------------------------------------------------------
// Series helpers

/// Means of `v` over buckets of `bucket` seconds covering `0..n` (`None` where `v` has no data).
fn bucket_means(v: &[u64], n: usize, bucket: usize) -> Vec<Option<f64>> {
    let bucket = bucket.max(1);
    (0..n.div_ceil(bucket))
        .map(|i| {
            let lo = (i * bucket).min(v.len());
            let hi = ((i + 1) * bucket).min(n).min(v.len());
            let vals = &v[lo..hi];
            if vals.is_empty() {
                None
            } else {
                Some(vals.iter().map(|&x| x as f64).sum::<f64>() / vals.len() as f64)
            }
        })
        .collect()
}

/// Step-line segments (split where data is missing) of bucket values; bucket `i` spans
/// `[i * bucket, min((i + 1) * bucket, n))` seconds.
fn step_segments(vals: &[Option<f64>], bucket: usize, n: usize, t: TimeAxis) -> Vec<Vec<(f64, f64)>> {
    let mut segs: Vec<Vec<(f64, f64)>> = vec![];
    let mut cur: Vec<(f64, f64)> = vec![];
    for (i, v) in vals.iter().enumerate() {
        match v {
            Some(y) if y.is_finite() => {
                let x0 = (i * bucket) as f64 / t.div;
                let x1 = ((i + 1) * bucket).min(n) as f64 / t.div;
                cur.push((x0, *y));
                cur.push((x1, *y));
            }
            _ => {
                if !cur.is_empty() {
                    segs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        segs.push(cur);
    }
    segs
}

fn seg_max(segs: &[Vec<(f64, f64)>]) -> f64 {
    segs.iter().flatten().map(|p| p.1).filter(|y| y.is_finite()).fold(0.0, f64::max)
}

// ---------------------------------------------------------------------------------------------
// 1. Throughput

fn draw_throughput(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let s = &r.series;
    let n =
        [s.accepted_records.len(), s.throttled_records.len(), s.dropped_records.len(), s.open_shards.len()]
            .into_iter()
            .max()
            .unwrap_or(0);
    let bucket = if n > 2000 { n.div_ceil(1000) } else { 1 };
    let t = TimeAxis::new(r.duration_s, n as f64);

    let accepted = step_segments(&bucket_means(&s.accepted_records, n, bucket), bucket, n, t);
    let throttled = step_segments(&bucket_means(&s.throttled_records, n, bucket), bucket, n, t);
    let show_dropped = s.dropped_records.iter().any(|&d| d > 0);
    let dropped = if show_dropped {
        step_segments(&bucket_means(&s.dropped_records, n, bucket), bucket, n, t)
    } else {
        vec![]
    };
    let limit = r.shard_limit_records_per_s;
    let show_capacity = !s.open_shards.is_empty() && limit > 0;
    let capacity = if show_capacity {
        let cap: Vec<u64> = s.open_shards.iter().map(|&o| u64::from(o).saturating_mul(limit)).collect();
        step_segments(&bucket_means(&cap, n, bucket), bucket, n, t)
    } else {
        vec![]
    };

    let top =
        y_top(seg_max(&accepted).max(seg_max(&throttled)).max(seg_max(&dropped)).max(seg_max(&capacity)));
    let x_max = t.x_max(n as f64, r.duration_s);

    let mut legend = vec![
        item("accepted records/s (IncomingRecords)", Swatch::Area(OI_BLUE)),
        item("throttled records/s (WriteProvisionedThroughputExceeded)", Swatch::Line(OI_VERMILLION)),
    ];
    if show_dropped {
        legend.push(item("dropped records/s", Swatch::Line(OI_PINK)));
    }
    if show_capacity {
        legend.push(item(
            format!("write capacity (open shards x {} records/s)", fmt_int(limit)),
            Swatch::Dashed(INK),
        ));
    }
    let tot = &r.totals;
    let subtitle = format!(
        "{} records accepted, {} attempts throttled ({}%), {} records dropped; shards {} → {}",
        fmt_int(tot.records_accepted),
        fmt_int(tot.throttled_attempts),
        fmt_num(tot.throttle_rate() * 100.0, 1),
        fmt_int(tot.records_dropped()),
        fmt_int(u64::from(r.capacity.shards_initial)),
        fmt_int(u64::from(r.capacity.shards_final)),
    );
    let body = draw_header(
        root,
        &Header {
            title: format!("Stream write throughput — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;

    let y_desc = if bucket > 1 {
        format!("records/s (mean per {} s)", fmt_int(bucket as u64))
    } else {
        "records/s".to_string()
    };
    let fmt_y = |v: &f64| fmt_count(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = time_chart(&body, y_area, t, x_max, top, y_desc, &fmt_y)?;

    for seg in &accepted {
        chart.draw_series(
            AreaSeries::new(seg.iter().copied(), 0.0, OI_BLUE.mix(0.22))
                .border_style(OI_BLUE.stroke_width(2)),
        )?;
    }
    for seg in &capacity {
        chart.draw_series(DashedLineSeries::new(seg.iter().copied(), 8, 5, INK.stroke_width(2)))?;
    }
    for seg in &dropped {
        chart.draw_series(LineSeries::new(seg.iter().copied(), OI_PINK.stroke_width(2)))?;
    }
    for seg in &throttled {
        chart.draw_series(LineSeries::new(seg.iter().copied(), OI_VERMILLION.stroke_width(2)))?;
    }
    if n == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no seconds simulated")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Shard heatmap

/// Most rows a heatmap draws; more shards are merged (max) into rows.
const HEATMAP_MAX_ROWS: usize = 64;
/// Most columns a heatmap draws (about one per two pixels of the plot).
const HEATMAP_MAX_COLS: usize = 600;
/// Most cells a heatmap draws.
const HEATMAP_MAX_CELLS: usize = 38_000;
/// Rows labelled with shard ids instead of index ticks.
const HEATMAP_MAX_ID_ROWS: usize = 16;
/// Colour levels per 100% of the write limit.
const LEVELS_PER_LIMIT: f32 = 40.0;
/// Highest colour level (150% and above).
const MAX_LEVEL: u8 = 60;

/// Colour level of a utilisation; `None` for no load at all (drawn as the white background).
fn heat_level(u: f32) -> Option<u8> {
    if u.is_nan() || u <= 0.0 {
        None
    } else {
        Some(((u * LEVELS_PER_LIMIT).floor() as i64).clamp(0, MAX_LEVEL as i64) as u8)
    }
}

fn lerp_color(stops: &[(f64, (u8, u8, u8))], v: f64) -> RGBColor {
    let v = v.clamp(stops[0].0, stops[stops.len() - 1].0);
    for w in stops.windows(2) {
        let (a, ca) = w[0];
        let (b, cb) = w[1];
        if v <= b {
            let f = if b > a { (v - a) / (b - a) } else { 0.0 };
            let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
            return RGBColor(mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2));
        }
    }
    let c = stops[stops.len() - 1].1;
    RGBColor(c.0, c.1, c.2)
}

/// Sequential scale: white → yellow → orange → red-orange below the limit; at and over the
/// limit a jump to dark red, darkening to deep purple at >= 150%.
fn level_color(q: u8) -> RGBColor {
    let limit = LEVELS_PER_LIMIT as u8;
    if q < limit {
        let u = (q as f64 + 0.5) / LEVELS_PER_LIMIT as f64;
        lerp_color(
            &[
                (0.0, (0xFF, 0xFF, 0xFF)),
                (0.25, (0xFF, 0xF0, 0xA8)),
                (0.5, (0xFE, 0xC4, 0x4F)),
                (0.75, (0xFD, 0x8D, 0x3C)),
                (1.0, (0xF0, 0x4E, 0x22)),
            ],
            u,
        )
    } else {
        let f = (q - limit) as f64 / (MAX_LEVEL - limit) as f64;
        lerp_color(&[(0.0, (0xA5, 0x00, 0x26)), (0.5, (0x7A, 0x01, 0x4F)), (1.0, (0x3F, 0x00, 0x7D))], f)
    }
}

/// Short form of a shard id for axis ticks: `shardId-000000000007` → `7`.
fn short_shard_id(id: &str) -> Option<String> {
    let digits = id.strip_prefix("shardId-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
}

fn draw_heatmap(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let hm = &r.heatmap;
    let n_sh = hm.n_shards;
    let n_b = hm.n_buckets;
    let bucket_s = hm.bucket_s.max(1);
    let cell = |s: usize, b: usize| -> f32 {
        s.checked_mul(n_b)
            .and_then(|i| i.checked_add(b))
            .and_then(|i| hm.utilisation.get(i))
            .copied()
            .unwrap_or(0.0)
    };

    let row_group = n_sh.div_ceil(HEATMAP_MAX_ROWS).max(1);
    let rows = n_sh.div_ceil(row_group);
    let max_cols = (HEATMAP_MAX_CELLS / rows.max(1)).clamp(1, HEATMAP_MAX_COLS);
    let col_group = n_b.div_ceil(max_cols).max(1);
    let cols = n_b.div_ceil(col_group);
    let t = TimeAxis::new(r.duration_s, (n_b as u64 * bucket_s) as f64);
    let x_max = t.x_max((n_b as u64 * bucket_s) as f64, r.duration_s);

    // Colour levels, max over the shards of a row and the buckets of a column.
    let mut levels: Vec<Option<u8>> = vec![None; rows * cols];
    let mut peak: f32 = 0.0;
    for s in 0..n_sh {
        let row = s / row_group;
        for b in 0..n_b {
            let u = cell(s, b);
            if u > peak {
                peak = u;
            }
            let lv = heat_level(u);
            let slot = &mut levels[row * cols + b / col_group];
            if lv > *slot {
                *slot = lv;
            }
        }
    }

    let mut title = format!("Per-shard write load vs. limit — scenario “{}”", short_scenario(r));
    if row_group > 1 {
        title.push_str(&format!(
            " — {} shards, each row = max of {} shards",
            fmt_int(n_sh as u64),
            row_group
        ));
    }
    let rec_limit = match r.shard_limit_records_per_s {
        0 => "limit".to_string(),
        l => fmt_int(l),
    };
    let byte_limit = match r.shard_limit_bytes_per_s {
        0 => "limit".to_string(),
        l if l % (1 << 20) == 0 => format!("{} MiB", l >> 20),
        l => format!("{} bytes", fmt_int(l)),
    };
    let mut subtitle = format!(
        "cell = mean over {} of max(records/s ÷ {rec_limit}, bytes/s ÷ {byte_limit}); ≥ 100% = over the limit (throttled); peak {}%",
        fmt_seconds(bucket_s),
        fmt_num(f64::from(peak) * 100.0, 0),
    );
    if col_group > 1 {
        subtitle.push_str(&format!("; each column = max of {} buckets", fmt_int(col_group as u64)));
    }
    let body = draw_header(root, &Header { title, subtitle: Some(subtitle), legend: vec![] })?;

    const SCALE_W: u32 = 215;
    let (body_w, _) = body.dim_in_pixel();
    let (plot_body, _) = body.split_horizontally(body_w.saturating_sub(SCALE_W));

    let with_ids = rows <= HEATMAP_MAX_ID_ROWS && row_group == 1;
    let ids: Vec<String> = (0..n_sh)
        .map(|i| r.shards.get(i).map(|s| s.shard_id.clone()).unwrap_or_else(|| format!("#{i}")))
        .collect();
    let y_top = n_sh.max(1) as f64;
    let fmt_y = |v: &f64| {
        if with_ids || (v.fract() != 0.0) || *v >= n_sh as f64 {
            String::new()
        } else {
            fmt_num(*v, 0)
        }
    };
    let widest_tick = if with_ids { widest(&ids) } else { fmt_int(n_sh as u64) };
    let y_area = y_label_area(&widest_tick);
    let y_desc = if row_group > 1 {
        format!("shard (index; {row_group} per row)")
    } else if with_ids {
        "shard".to_string()
    } else {
        "shard (index)".to_string()
    };

    let mut chart =
        builder(&plot_body, y_area, 0).margin_right(16).build_cartesian_2d(0.0..x_max, 0.0..y_top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .axis_style(INK)
        .x_labels(10)
        .y_labels(if with_ids { 0 } else { 8 })
        .x_desc(t.label())
        .y_desc(y_desc)
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_num(*v, 2))
        .y_label_formatter(&fmt_y)
        .draw()?;

    // Cells, run-length merged along time where the colour level repeats. Drawn in pixels, each
    // overlapping its right and upper neighbour by 1 px, so anti-aliased renderers show no
    // seams between cells.
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let col_x = |c: usize| ((c * col_group).min(n_b) as u64 * bucket_s) as f64 / t.div;
    for row in 0..rows {
        let y0 = (row * row_group) as f64;
        let y1 = ((row + 1) * row_group).min(n_sh) as f64;
        let mut c = 0;
        while c < cols {
            let lv = levels[row * cols + c];
            let mut e = c + 1;
            while e < cols && levels[row * cols + e] == lv {
                e += 1;
            }
            if let Some(q) = lv {
                let (px0, py0) = chart.backend_coord(&(col_x(c), y1));
                let (px1, py1) = chart.backend_coord(&(col_x(e), y0));
                root.draw(&Rectangle::new(
                    [(px0, (py0 - 1).max(yr.start)), ((px1 + 1).min(xr.end), py1)],
                    level_color(q).filled(),
                ))?;
            }
            c = e;
        }
    }

    // Plot frame, so white (idle) cells are bounded.
    root.draw(&Rectangle::new([(xr.start, yr.start), (xr.end, yr.end)], INK.mix(0.6).stroke_width(1)))?;

    if with_ids {
        let style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, id) in ids.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, i as f64 + 0.5));
            root.draw(&PathElement::new(vec![(px - 5, py), (px, py)], INK))?;
            root.draw(&Text::new(id.clone(), (px - 9, py), style.clone()))?;
        }
    }

    if n_sh == 0 || n_b == 0 {
        draw_note(root, (xr.clone(), yr.clone()), "no shard data")?;
    }

    // Colour scale on the right.
    let bar_x0 = xr.end + 26;
    let bar_x1 = bar_x0 + 20;
    let bar_h = (yr.end - yr.start).clamp(60, 320);
    let bar_bottom = yr.start + (yr.end - yr.start + bar_h) / 2;
    let bar_top = bar_bottom - bar_h;
    let v_to_y = |v: f64| bar_bottom - (v / 1.5 * bar_h as f64).round() as i32;
    for q in 0..MAX_LEVEL {
        let v0 = q as f64 / LEVELS_PER_LIMIT as f64;
        let v1 = (q + 1) as f64 / LEVELS_PER_LIMIT as f64;
        root.draw(&Rectangle::new(
            [(bar_x0, (v_to_y(v1) - 1).max(bar_top)), (bar_x1, v_to_y(v0))],
            level_color(q).filled(),
        ))?;
    }
    root.draw(&Rectangle::new([(bar_x0, bar_top), (bar_x1, bar_bottom)], INK.stroke_width(1)))?;
    root.draw(&PathElement::new(
        vec![(bar_x0 - 4, v_to_y(1.0)), (bar_x1 + 4, v_to_y(1.0))],
        INK.stroke_width(2),
    ))?;
    let style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (v, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100% of write limit"), (1.5, "≥150%")] {
        let y = v_to_y(v);
        root.draw(&PathElement::new(vec![(bar_x1, y), (bar_x1 + 4, y)], INK))?;
        root.draw(&Text::new(label, (bar_x1 + 8, y), style.clone()))?;
    }
    let cap_style = text_style(TICK_PX, GREY_TEXT).pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new("offered load", (bar_x0 - 2, bar_top - 8), cap_style))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Latency

/// Most points per latency line; longer series are merged.
const LATENCY_MAX_POINTS: usize = 1000;

/// Longer latency lines are drawn solid: dashes on a dense, noisy line are unreadable (and
/// bloat the SVG).
const MAX_DASHED_POINTS: usize = 150;

fn finite_ms(v: f64) -> Option<f64> {
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// Merges `group` consecutive intervals: count-weighted mean of p50/p90/p99, max of max.
fn merge_percentiles(ps: &[Option<Percentiles>]) -> Option<Percentiles> {
    let items: Vec<&Percentiles> = ps.iter().flatten().collect();
    if items.is_empty() {
        return None;
    }
    let total: u64 = items.iter().map(|p| p.count).sum();
    let mean = |f: fn(&Percentiles) -> f64| -> f64 {
        let vals: Vec<(f64, f64)> =
            items.iter().filter_map(|p| finite_ms(f(p)).map(|v| (v, p.count as f64))).collect();
        let w: f64 = vals.iter().map(|x| x.1).sum();
        if vals.is_empty() {
            f64::NAN
        } else if w > 0.0 {
            vals.iter().map(|x| x.0 * x.1).sum::<f64>() / w
        } else {
            vals.iter().map(|x| x.0).sum::<f64>() / vals.len() as f64
        }
    };
    Some(Percentiles {
        count: total,
        p50: mean(|p| p.p50),
        p90: mean(|p| p.p90),
        p99: mean(|p| p.p99),
        max: items.iter().filter_map(|p| finite_ms(p.max)).fold(f64::NAN, f64::max),
    })
}

struct LatLine {
    color: RGBColor,
    dashed: bool,
    segments: Vec<Vec<(f64, f64)>>,
}

fn draw_latency_lines<Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, Y>>,
    lines: &[LatLine],
    floor: f64,
) -> DrawResult
where
    Y: Ranged<ValueType = f64>,
{
    for line in lines {
        let style = line.color.stroke_width(2);
        for seg in &line.segments {
            let pts: Vec<(f64, f64)> = seg.iter().map(|&(x, y)| (x, y.max(floor))).collect();
            if pts.len() == 1 {
                chart.draw_series(std::iter::once(Circle::new(pts[0], 3, line.color.filled())))?;
            } else if line.dashed && pts.len() <= MAX_DASHED_POINTS {
                chart.draw_series(DashedLineSeries::new(pts, 7, 4, style))?;
            } else {
                chart.draw_series(LineSeries::new(pts, style))?;
            }
        }
    }
    Ok(())
}

fn draw_latency(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let lat = &r.latency;
    let interval = lat.interval_s.max(1);
    let n = lat.over_time.len();
    let group = n.div_ceil(LATENCY_MAX_POINTS).max(1);
    let step_s = interval * group as u64;
    let merged: Vec<Option<Percentiles>> = lat.over_time.chunks(group).map(merge_percentiles).collect();
    let data_s = (n as u64 * interval) as f64;
    let t = TimeAxis::new(r.duration_s, data_s);
    let x_max = t.x_max(data_s, r.duration_s);

    let metric = |f: fn(&Percentiles) -> f64| -> Vec<Vec<(f64, f64)>> {
        let mut segs = vec![];
        let mut cur = vec![];
        for (i, p) in merged.iter().enumerate() {
            let x = ((i as f64 + 0.5) * step_s as f64).min(data_s) / t.div;
            match p.as_ref().and_then(|p| finite_ms(f(p))) {
                Some(y) => cur.push((x, y)),
                None => {
                    if !cur.is_empty() {
                        segs.push(std::mem::take(&mut cur));
                    }
                }
            }
        }
        if !cur.is_empty() {
            segs.push(cur);
        }
        segs
    };
    let max_line = metric(|p| p.max);
    let max_dashed = max_line.iter().all(|seg| seg.len() <= MAX_DASHED_POINTS);
    let lines = [
        ("p50 (median)", OI_BLUE, false, metric(|p| p.p50)),
        ("p90", OI_GREEN, false, metric(|p| p.p90)),
        ("p99", OI_ORANGE, false, metric(|p| p.p99)),
        ("max", OI_VERMILLION, max_dashed, max_line),
    ];
    let all = || lines.iter().flat_map(|l| l.3.iter().flatten().map(|p| p.1));
    let has_data = all().next().is_some();
    let y_max = all().fold(0.0, f64::max);
    let min_pos = all().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
    let p50_min = lines[0].3.iter().flatten().map(|p| p.1).filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
    let bottom = if p50_min.is_finite() { p50_min } else { min_pos };
    let log = has_data && bottom.is_finite() && y_max / bottom > 100.0;

    let legend = if has_data {
        lines
            .iter()
            .map(|(label, color, dashed, _)| {
                item(*label, if *dashed { Swatch::Dashed(*color) } else { Swatch::Line(*color) })
            })
            .collect()
    } else {
        vec![]
    };
    let o = &lat.overall;
    let mut subtitle = if group > 1 {
        format!(
            "each point: {} (p50/p90/p99 = count-weighted mean of {} s intervals, max = maximum)",
            fmt_seconds(step_s),
            interval
        )
    } else {
        format!("percentiles of the records accepted in each {} interval", fmt_seconds(interval))
    };
    if o.count > 0 {
        subtitle.push_str(&format!(
            "; whole run: p50 {} ms, p99 {} ms, max {} ms",
            fmt_ms(o.p50),
            fmt_ms(o.p99),
            fmt_ms(o.max)
        ));
    }
    let body = draw_header(
        root,
        &Header {
            title: format!("Put latency (record creation → accepted) — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;

    let fmt_y = |v: &f64| fmt_ms(*v);
    let plot = if log {
        // From a power of ten below the data, so the lowest decade is labelled.
        let lo = 10f64.powf((bottom.min(min_pos) * 0.8).log10().floor());
        let hi = y_max * 1.6;
        let decades = (hi / lo).log10().floor().max(1.0) as usize;
        // Ticks at 1..9 x 10^k (plotters adds them once the hint allows ~10 per decade),
        // labelled at 1, 2 and 5 x 10^k (only 10^k when the range is wide).
        // Plotters yields each power of ten twice in a row; label it once.
        let last = std::cell::Cell::new(f64::NAN);
        let fmt_log = move |v: &f64| {
            let m = v / 10f64.powf(v.log10().floor());
            let near = |x: f64| (m - x).abs() < 1e-6 * x;
            let repeated = last.replace(*v) == *v;
            if !repeated && (near(1.0) || near(10.0) || (decades <= 3 && (near(2.0) || near(5.0)))) {
                fmt_ms(*v)
            } else {
                String::new()
            }
        };
        let y_area = y_label_area(&widest(&[fmt_ms(hi), fmt_ms(lo)]));
        let mut chart = builder(&body, y_area, 0).build_cartesian_2d(0.0..x_max, (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .x_labels(10)
            .y_labels(10 * decades)
            .x_desc(t.label())
            .y_desc("latency [ms] (log scale)")
            .label_style(text_style(TICK_PX, INK))
            .axis_desc_style(text_style(LABEL_PX, INK))
            .x_label_formatter(&|v| fmt_num(*v, 2))
            .y_label_formatter(&fmt_log)
            .draw()?;
        let ls: Vec<LatLine> =
            lines.iter().map(|l| LatLine { color: l.1, dashed: l.2, segments: l.3.clone() }).collect();
        draw_latency_lines(&mut chart, &ls, lo)?;
        chart.plotting_area().get_pixel_range()
    } else {
        let top = y_top(y_max);
        let y_area = y_label_area(&widest(&[fmt_ms(top), fmt_ms(top * 0.95)]));
        let mut chart = builder(&body, y_area, 0).build_cartesian_2d(0.0..x_max, 0.0..top)?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .x_labels(10)
            .y_labels(7)
            .x_desc(t.label())
            .y_desc("latency [ms]")
            .label_style(text_style(TICK_PX, INK))
            .axis_desc_style(text_style(LABEL_PX, INK))
            .x_label_formatter(&|v| fmt_num(*v, 2))
            .y_label_formatter(&fmt_y)
            .draw()?;
        let ls: Vec<LatLine> =
            lines.iter().map(|l| LatLine { color: l.1, dashed: l.2, segments: l.3.clone() }).collect();
        draw_latency_lines(&mut chart, &ls, 0.0)?;
        chart.plotting_area().get_pixel_range()
    };
    if !has_data {
        draw_note(root, plot, "no records accepted")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. Shard totals

/// Most bars drawn; with more shards the busiest (by offered records) are shown.
const TOTALS_MAX_BARS: usize = 64;

fn draw_shard_totals(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let n_all = r.shards.len();
    let limited = n_all > TOTALS_MAX_BARS;
    let mut idx: Vec<usize> = (0..n_all).collect();
    if limited {
        idx.sort_by(|&a, &b| r.shards[b].offered_records.cmp(&r.shards[a].offered_records).then(a.cmp(&b)));
        idx.truncate(TOTALS_MAX_BARS);
    }
    let bars: Vec<&crate::metrics::ShardTotals> = idx.iter().map(|&i| &r.shards[i]).collect();
    let m = bars.len();

    let height =
        |s: &crate::metrics::ShardTotals| s.accepted_records.saturating_add(s.throttled_records) as f64;
    let top = y_top(bars.iter().map(|s| height(s)).fold(0.0, f64::max));
    let share_pct = |s: &crate::metrics::ShardTotals| {
        if s.key_share.is_finite() {
            s.key_share.max(0.0) * 100.0
        } else {
            0.0
        }
    };
    let even_pct = if n_all > 0 { 100.0 / n_all as f64 } else { 0.0 };
    let share_top = {
        let m = bars.iter().map(|s| share_pct(s)).fold(even_pct, f64::max) * 1.15;
        if m.is_finite() && m > 0.0 {
            m
        } else {
            1.0
        }
    };

    let title = if limited {
        format!(
            "Per-shard totals, the {} busiest of {} shards by offered records — scenario “{}”",
            m,
            fmt_int(n_all as u64),
            short_scenario(r)
        )
    } else {
        format!("Per-shard totals: accepted vs throttled — scenario “{}”", short_scenario(r))
    };
    let legend = if m > 0 {
        vec![
            item("accepted records (IncomingRecords)", Swatch::Bar(OI_BLUE)),
            item("throttled attempts (WriteProvisionedThroughputExceeded)", Swatch::Bar(OI_VERMILLION)),
            item("key share [%] (right axis)", Swatch::Dot(INK)),
            item(format!("even key share (1/{} shards)", fmt_int(n_all as u64)), Swatch::Dashed(EVEN_LINE)),
        ]
    } else {
        vec![]
    };
    let body = draw_header(
        root,
        &Header {
            title,
            subtitle: Some(
                "bar height = attempts that reached the shard (accepted + throttled, whole run)".to_string(),
            ),
            legend,
        },
    )?;

    let labels: Vec<String> = bars
        .iter()
        .enumerate()
        .map(|(rank, s)| {
            if limited {
                (rank + 1).to_string()
            } else {
                short_shard_id(&s.shard_id).unwrap_or_else(|| s.shard_id.clone())
            }
        })
        .collect();
    let all_short = bars.iter().all(|s| short_shard_id(&s.shard_id).is_some());
    let x_desc = if limited {
        "shard rank by offered records (1 = busiest)".to_string()
    } else if all_short {
        "shard (number N of shardId-…N)".to_string()
    } else {
        "shard".to_string()
    };

    let fmt_y = |v: &f64| fmt_count(*v, top);
    let fmt_share = |v: &f64| fmt_num(*v, if share_top < 5.0 { 2 } else { 1 });
    let y_area = y_area_for(&fmt_y, top);
    let right_area = y_label_area(&widest(&[fmt_share(&share_top), fmt_share(&(share_top * 0.95))]));
    // Bar i is centred on x = i (x = rank when ranked); few bars get empty slots either side so
    // they do not become very wide.
    let off = if limited { 1.0 } else { 0.0 };
    let pad = (6usize.saturating_sub(m)) as f64 / 2.0;
    let x_range = (off - 0.5 - pad)..(off + m.max(1) as f64 - 0.5 + pad);
    let mut chart = builder(&body, y_area, right_area)
        .build_cartesian_2d(x_range.clone(), 0.0..top)?
        .set_secondary_coord(x_range, 0.0..share_top);
    let label_at = |v: &f64| {
        let i = v.round() - off;
        if (v - off - i).abs() > 1e-6 || i < 0.0 || i as usize >= m {
            String::new()
        } else {
            labels[i as usize].clone()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(m.clamp(1, 16) + 1)
        .y_labels(7)
        .x_desc(x_desc)
        .y_desc("records (whole run)")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&label_at)
        .y_label_formatter(&fmt_y)
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(INK)
        .y_labels(7)
        .y_desc("key share [%]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .y_label_formatter(&fmt_share)
        .draw()?;

    let half = if m > 32 { 0.36 } else { 0.32 };
    chart.draw_series(bars.iter().enumerate().map(|(i, s)| {
        let x = i as f64 + off;
        Rectangle::new([(x - half, 0.0), (x + half, s.accepted_records as f64)], OI_BLUE.filled())
    }))?;
    chart.draw_series(bars.iter().enumerate().filter(|(_, s)| s.throttled_records > 0).map(|(i, s)| {
        let x = i as f64 + off;
        Rectangle::new([(x - half, s.accepted_records as f64), (x + half, height(s))], OI_VERMILLION.filled())
    }))?;
    if m > 0 {
        chart.draw_secondary_series(DashedLineSeries::new(
            [(off - 0.5 - pad, even_pct), (off + m as f64 - 0.5 + pad, even_pct)],
            7,
            5,
            EVEN_LINE.stroke_width(2),
        ))?;
        let radius = if m > 32 { 3 } else { 5 };
        chart.draw_secondary_series(
            bars.iter()
                .enumerate()
                .map(|(i, s)| Circle::new((i as f64 + off, share_pct(s)), radius, INK.filled())),
        )?;
    }

    // Name the busiest shard when it stands out.
    if m >= 2 {
        let total: f64 = bars.iter().map(|s| height(s)).sum();
        let (hot_i, hot) = bars
            .iter()
            .enumerate()
            .max_by(|a, b| height(a.1).total_cmp(&height(b.1)))
            .map(|(i, s)| (i, *s))
            .unwrap_or((0, bars[0]));
        if limited || height(hot) > 1.5 * total / m as f64 {
            let (xr, _) = chart.plotting_area().get_pixel_range();
            let (px, py) = chart.backend_coord(&(hot_i as f64 + off, height(hot)));
            let text = format!("hot: {}", hot.shard_id);
            let w = text_width(&text, TICK_PX);
            let x = px.min(xr.end - w / 2 - 2).max(xr.start + w / 2 + 2);
            root.draw(&Text::new(
                text,
                (x, py - 6),
                text_style(TICK_PX, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
    }
    if m == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no shards")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Compare: one line per variant

/// Colours of variants, in order (Okabe-Ito, then black).
const VARIANT_COLOURS: [RGBColor; 8] = [
    OI_BLUE,
    OI_VERMILLION,
    OI_GREEN,
    OI_ORANGE,
    OI_PINK,
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    INK,
];

/// Per-variant values over time for one compare chart.
struct VariantSeries {
    label: String,
    /// One value per second (`None`: no data).
    per_second: Vec<Option<f64>>,
}

fn draw_variants(
    root: &Area<'_>,
    title: &str,
    subtitle: &str,
    y_desc: &str,
    duration_s: f64,
    series: &[VariantSeries],
) -> DrawResult {
    draw_variants_and_limit(root, title, subtitle, y_desc, duration_s, series, None)
}

/// [`draw_variants`] with a limit drawn as a dashed ink line (last in the legend).
fn draw_variants_and_limit(
    root: &Area<'_>,
    title: &str,
    subtitle: &str,
    y_desc: &str,
    duration_s: f64,
    series: &[VariantSeries],
    limit: Option<&VariantSeries>,
) -> DrawResult {
    let n = series.iter().map(|s| s.per_second.len()).max().unwrap_or(0);
    let bucket = if n > 2000 { n.div_ceil(1000) } else { 1 };
    let t = TimeAxis::new(duration_s, n as f64);
    // Each series as step segments of its mean per bucket.
    let steps = |s: &VariantSeries| {
        let means: Vec<Option<f64>> = (0..n.div_ceil(bucket))
            .map(|i| {
                let v = &s.per_second;
                let vals: Vec<f64> = v[(i * bucket).min(v.len())..((i + 1) * bucket).min(v.len())]
                    .iter()
                    .flatten()
                    .copied()
                    .collect();
                (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
            })
            .collect();
        step_segments(&means, bucket, n, t)
    };
    let segs: Vec<Vec<Vec<(f64, f64)>>> = series.iter().map(steps).collect();
    let top = y_top(segs.iter().map(|s| seg_max(s)).fold(0.0, f64::max));
    let mut legend: Vec<LegendItem> = series
        .iter()
        .enumerate()
        .map(|(i, s)| item(s.label.clone(), Swatch::Line(VARIANT_COLOURS[i % VARIANT_COLOURS.len()])))
        .collect();
    // The limit: its mean per bucket; the y axis reaches it only if the data comes near (a
    // limit far above the data would flatten every line).
    let limit_segs = limit.map(|l| {
        legend.push(item(l.label.clone(), Swatch::Dashed(INK)));
        steps(l)
    });
    let top = match &limit_segs {
        Some(l) => y_top(seg_max(l).max(top * 0.9)).max(top),
        None => top,
    };
    let body = draw_header(
        root,
        &Header { title: title.to_string(), subtitle: Some(subtitle.to_string()), legend },
    )?;
    let fmt_y = |v: &f64| fmt_count(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let x_max = t.x_max(n as f64, duration_s);
    let y_desc = if bucket > 1 {
        format!("{y_desc} (mean per {} s)", fmt_int(bucket as u64))
    } else {
        y_desc.to_string()
    };
    let mut chart = time_chart(&body, y_area, t, x_max, top, y_desc, &fmt_y)?;
    for (i, s) in segs.iter().enumerate() {
        let colour = VARIANT_COLOURS[i % VARIANT_COLOURS.len()];
        for seg in s {
            chart.draw_series(LineSeries::new(seg.iter().copied(), colour.stroke_width(2)))?;
        }
    }
    for seg in limit_segs.iter().flatten() {
        chart.draw_series(DashedLineSeries::new(seg.iter().copied(), 8, 5, INK.stroke_width(2)))?;
    }
    if n == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no seconds simulated")?;
    }
    Ok(())
}

/// Iterator age over time, one line per consumer ("consumer-lag.svg"); `None` without
/// consumers.
pub fn consumer_lag_svg(r: &RunResult) -> Result<Option<String>, ChartError> {
    if r.consumers.is_empty() {
        return Ok(None);
    }
    let series: Vec<VariantSeries> = r
        .consumers
        .iter()
        .map(|c| VariantSeries {
            label: format!("{} ({})", c.name, c.kind),
            per_second: c.iterator_age_s.iter().map(|v| Some(*v)).collect(),
        })
        .collect();
    let title = format!("Consumer lag: iterator age per consumer — scenario “{}”", short_scenario(r));
    let sub = "GetRecords.IteratorAgeMilliseconds / MillisBehindLatest: how far behind the newest record each consumer is";
    render("consumer-lag", (WIDTH, HEIGHT), |root| {
        draw_variants(root, &title, sub, "iterator age [s] (max per second)", r.duration_s, &series)
    })
    .map(Some)
}

/// Bytes read per second by each consumer against the shard read limits ("consumer-reads.svg");
/// `None` without consumers. Polling consumers share 2 MiB/s per shard, so their sum is drawn
/// too; each enhanced fan-out consumer has 2 MiB/s per shard of its own.
pub fn consumer_reads_svg(r: &RunResult) -> Result<Option<String>, ChartError> {
    if r.consumers.is_empty() {
        return Ok(None);
    }
    const MIB: f64 = 1024.0 * 1024.0;
    let mut series: Vec<VariantSeries> = r
        .consumers
        .iter()
        .map(|c| VariantSeries {
            label: format!("{} ({})", c.name, c.kind),
            per_second: c.read_bytes_s.iter().map(|v| Some(v / MIB)).collect(),
        })
        .collect();
    let polling: Vec<_> = r.consumers.iter().filter(|c| c.kind == "polling").collect();
    if polling.len() > 1 {
        let n = polling.iter().map(|c| c.read_bytes_s.len()).max().unwrap_or(0);
        series.push(VariantSeries {
            label: "all polling consumers together".into(),
            per_second: (0..n)
                .map(|i| {
                    Some(
                        polling.iter().map(|c| c.read_bytes_s.get(i).copied().unwrap_or(0.0)).sum::<f64>()
                            / MIB,
                    )
                })
                .collect(),
        });
    }
    // One GetRecords call may return 10 MiB and block the next seconds: per-second values are
    // spikes; a trailing 10-second mean shows the rate.
    const WINDOW: usize = 10;
    for s in &mut series {
        let v: Vec<f64> = s.per_second.iter().map(|x| x.unwrap_or(0.0)).collect();
        let mut sum = 0.0;
        for i in 0..v.len() {
            sum += v[i] - if i >= WINDOW { v[i - WINDOW] } else { 0.0 };
            s.per_second[i] = Some(sum / (i + 1).min(WINDOW) as f64);
        }
    }
    let limit = VariantSeries {
        label: "read limit: 2 MiB/s x open shards".into(),
        per_second: r.series.open_shards.iter().map(|s| Some(2.0 * f64::from(*s))).collect(),
    };
    let title = format!("Consumer reads vs the shard read limit — scenario “{}”", short_scenario(r));
    let sub = "polling consumers share the limit (and 5 GetRecords calls/s per shard); each enhanced fan-out consumer has one of its own";
    render("consumer-reads", (WIDTH, HEIGHT), |root| {
        draw_variants_and_limit(
            root,
            &title,
            sub,
            "bytes read [MiB/s, mean over 10 s]",
            r.duration_s,
            &series,
            Some(&limit),
        )
    })
    .map(Some)
}

/// End-to-end latency distribution of each consumer ("consumer-latency.svg"): the share of
/// records processed (solid) and flushed by the consumer's job (dashed) within a latency, on a
/// log scale; `None` without consumers.
pub fn consumer_latency_svg(r: &RunResult) -> Result<Option<String>, ChartError> {
    if r.consumers.is_empty() {
        return Ok(None);
    }
    render("consumer-latency", (WIDTH, HEIGHT), |root| draw_consumer_latency(root, r)).map(Some)
}

/// A distribution to draw: its points, colour, and whether dashed.
type CdfLine<'a> = (&'a [(f64, f64)], RGBColor, bool);

fn draw_consumer_latency(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let mut legend = Vec::new();
    let mut lines: Vec<CdfLine> = Vec::new();
    for (i, c) in r.consumers.iter().enumerate() {
        let colour = VARIANT_COLOURS[i % VARIANT_COLOURS.len()];
        if !c.processed_cdf.is_empty() {
            legend.push(item(format!("{}: produced → processed", c.name), Swatch::Line(colour)));
            lines.push((&c.processed_cdf, colour, false));
        }
        if !c.flushed_cdf.is_empty() {
            legend.push(item(format!("{}: produced → flushed by its job", c.name), Swatch::Dashed(colour)));
            lines.push((&c.flushed_cdf, colour, true));
        }
    }
    let values =
        || lines.iter().flat_map(|(l, _, _)| l.iter().map(|p| p.0)).filter(|v| v.is_finite() && *v > 0.0);
    let lo = values().fold(f64::INFINITY, f64::min);
    let hi = values().fold(0.0, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > 0.0 {
        (10f64.powf(lo.log10().floor()), 10f64.powf((hi * 1.05).log10().ceil()).max(lo * 10.0))
    } else {
        (1.0, 1000.0)
    };
    let lo = lo.min(hi / 10.0);
    let body = draw_header(
        root,
        &Header {
            title: format!("End-to-end latency per consumer — scenario “{}”", short_scenario(r)),
            subtitle: Some(
                "share of records done within a latency, from creation by the producer; a curve far to the right is a consumer falling behind"
                    .into(),
            ),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| format!("{}%", fmt_num(*v * 100.0, 0));
    let y_area = y_label_area(&widest(&[fmt_y(&1.0)]));
    let mut chart = builder(&body, y_area, 0).build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(10)
        .y_labels(6)
        .x_desc("end-to-end latency [ms, log scale]")
        .y_desc("records done within it [%]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_ms(*v))
        .y_label_formatter(&fmt_y)
        .draw()?;
    for (pts, colour, dashed) in &lines {
        // A step per quantile: the distribution is known at the ladder's points only.
        let mut path: Vec<(f64, f64)> = Vec::with_capacity(pts.len() * 2);
        let mut prev_q = 0.0;
        for &(ms, q) in pts.iter() {
            let x = ms.clamp(lo, hi);
            path.push((x, prev_q));
            path.push((x, q));
            prev_q = q;
        }
        if *dashed {
            chart.draw_series(DashedLineSeries::new(path, 8, 5, colour.stroke_width(2)))?;
        } else {
            chart.draw_series(LineSeries::new(path, colour.stroke_width(2)))?;
        }
    }
    if lines.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no record read")?;
    }
    Ok(())
}

/// The compare charts of several runs of one workload: (file name, svg), in a fixed order.
pub fn compare_svgs(runs: &[RunResult]) -> Result<Vec<(&'static str, String)>, ChartError> {
    let duration = runs.iter().map(|r| r.duration_s).fold(0.0, f64::max);
    let per_sec = |f: &dyn Fn(&RunResult) -> Vec<Option<f64>>| -> Vec<VariantSeries> {
        runs.iter().map(|r| VariantSeries { label: r.scenario.clone(), per_second: f(r) }).collect()
    };
    let as_f = |v: &[u64]| v.iter().map(|x| Some(*x as f64)).collect::<Vec<_>>();
    let throttled = per_sec(&|r| as_f(&r.series.throttled_records));
    let accepted = per_sec(&|r| as_f(&r.series.accepted_records));
    let shards = per_sec(&|r| r.series.open_shards.iter().map(|x| Some(f64::from(*x))).collect());
    let p99 = per_sec(&|r| {
        let step = r.latency.interval_s.max(1) as usize;
        let mut v = Vec::with_capacity(r.series.len());
        for p in &r.latency.over_time {
            v.extend(std::iter::repeat_n(p.map(|p| p.p99).filter(|x| x.is_finite()), step));
        }
        v.truncate(r.series.len());
        v
    });
    let sub = "same workload and seed, one line per variant";
    Ok(vec![
        (
            "compare-throttled.svg",
            render("compare-throttled", (WIDTH, HEIGHT), |root| {
                draw_variants(
                    root,
                    "Throttled records/s (WriteProvisionedThroughputExceeded) per variant",
                    sub,
                    "throttled records/s",
                    duration,
                    &throttled,
                )
            })?,
        ),
        (
            "compare-accepted.svg",
            render("compare-accepted", (WIDTH, HEIGHT), |root| {
                draw_variants(
                    root,
                    "Accepted records/s (IncomingRecords) per variant",
                    sub,
                    "records/s",
                    duration,
                    &accepted,
                )
            })?,
        ),
        (
            "compare-shards.svg",
            render("compare-shards", (WIDTH, HEIGHT), |root| {
                draw_variants(root, "Open shards per variant", sub, "open shards", duration, &shards)
            })?,
        ),
        (
            "compare-latency.svg",
            render("compare-latency", (WIDTH, HEIGHT), |root| {
                draw_variants(root, "Put latency p99 per variant", sub, "p99 latency [ms]", duration, &p99)
            })?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Heatmap, LatencyResult, Series, ShardTotals};

    const NAME: &str = "hot-shard-test";

    /// Pseudo-random but deterministic value in 0..1 for cell (a, b).
    fn noise(a: usize, b: usize) -> f64 {
        let mut x =
            (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 32;
        (x % 10_000) as f64 / 10_000.0
    }

    /// A run of `seconds` s over `n_shards` shards; shard 2 (if any) is offered twice the limit.
    fn synthetic(seconds: usize, n_shards: usize) -> RunResult {
        let limit = 1000u64;
        let bucket_s = 5u64;
        let n_buckets = (seconds as u64).div_ceil(bucket_s) as usize;
        let offered = |s: usize, t: usize| -> u64 {
            if s == 2 {
                2000
            } else {
                (500.0 + 300.0 * noise(s, t)) as u64
            }
        };
        let mut series = Series::default();
        for t in 0..seconds {
            // Per-shard detail only for small runs; big ones scale one shard's pattern.
            let (acc, thr) = if n_shards <= 64 {
                (0..n_shards).fold((0, 0), |(a, th), s| {
                    let o = offered(s, t);
                    (a + o.min(limit), th + o.saturating_sub(limit))
                })
            } else {
                (600 * n_shards as u64, 1000)
            };
            series.produced_records.push(acc);
            series.offered_records.push(acc + thr);
            series.offered_bytes.push((acc + thr) * 500);
            series.accepted_records.push(acc);
            series.accepted_bytes.push(acc * 500);
            series.throttled_records.push(thr);
            series.retried_records.push(thr / 2);
            series.dropped_records.push(thr / 10);
            series.open_shards.push(n_shards as u32);
        }
        let shards = (0..n_shards)
            .map(|s| {
                let o = offered(s, 0) * seconds as u64;
                let a = o.min(limit * seconds as u64);
                ShardTotals {
                    shard_id: format!("shardId-{s:012}"),
                    starting_hash_key: 0,
                    ending_hash_key: 0,
                    key_share: if s == 2 { 0.4 } else { 0.6 / n_shards.max(2) as f64 },
                    offered_records: o,
                    accepted_records: a,
                    throttled_records: o - a,
                    accepted_bytes: a * 500,
                    peak_offered_records_per_s: offered(s, 0),
                    peak_offered_bytes_per_s: offered(s, 0) * 500,
                    ..ShardTotals::default()
                }
            })
            .collect();
        let mut util = Vec::with_capacity(n_shards * n_buckets);
        for s in 0..n_shards {
            for b in 0..n_buckets {
                util.push(offered(s, b * bucket_s as usize) as f32 / limit as f32);
            }
        }
        let interval_s = 10;
        let over_time = (0..(seconds as u64).div_ceil(interval_s))
            .map(|i| {
                (i % 7 != 3).then(|| Percentiles {
                    count: 1000,
                    p50: 50.0 + noise(i as usize, 1) * 10.0,
                    p90: 120.0,
                    p99: 400.0,
                    max: 900.0 + noise(i as usize, 2) * 100.0,
                })
            })
            .collect();
        RunResult {
            scenario: NAME.to_string(),
            duration_s: seconds as f64,
            series,
            shards,
            heatmap: Heatmap { bucket_s, n_shards, n_buckets, utilisation: util },
            latency: LatencyResult {
                overall: Percentiles { count: 1000, p50: 55.0, p90: 120.0, p99: 400.0, max: 1000.0 },
                interval_s,
                over_time,
            },
            shard_limit_records_per_s: limit,
            shard_limit_bytes_per_s: 1 << 20,
            ..RunResult::default()
        }
    }

    /// Well-formed enough: one svg element, balanced text elements, no NaN coordinates.
    fn assert_svg(svg: &str) {
        assert!(svg.starts_with("<svg"), "starts with {:?}", &svg[..svg.len().min(40)]);
        assert!(svg.trim_end().ends_with("</svg>"), "ends with {:?}", &svg[svg.len().saturating_sub(40)..]);
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("NaN"), "NaN in svg");
        assert!(!svg.contains("inf\""), "inf in svg");
    }

    /// The text of all `<text>` elements, joined by spaces (a wrapped title reads as one).
    fn texts(svg: &str) -> String {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim().to_string())
            })
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn assert_contains(svg: &str, needles: &[&str]) {
        let text = texts(svg);
        for n in needles {
            assert!(text.contains(n), "svg lacks {n:?} in {text:?}");
        }
    }

    #[test]
    fn throughput_has_units_legend_and_scenario() {
        let svg = throughput_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &[
                NAME,
                "time [s]",
                "records/s",
                "accepted records/s",
                "throttled records/s (WriteProvisionedThroughputExceeded)",
                "dropped records/s",
                "write capacity (open shards x 1,000 records/s)",
            ],
        );
        // 60 s is short: no averaging note.
        assert!(!svg.contains("mean per"));
    }

    #[test]
    fn heatmap_has_ids_scale_and_units() {
        let svg = shard_heatmap_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &[NAME, "time [s]", "shard", "shardId-000000000002", "0%", "50%", "100% of write limit", "150%"],
        );
    }

    #[test]
    fn latency_has_units_and_percentile_legend() {
        let svg = latency_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(&svg, &[NAME, "time [s]", "latency [ms]", "p50", "p90", "p99", "max"]);
        assert!(!svg.contains("log scale"), "900/50 < 100: linear");
        assert!(!svg.contains("no records accepted"));
    }

    #[test]
    fn latency_switches_to_log_scale_for_wide_ranges() {
        let mut r = synthetic(60, 4);
        for p in r.latency.over_time.iter_mut().flatten() {
            p.max = 20_000.0;
        }
        let svg = latency_svg(&r).unwrap();
        assert_svg(&svg);
        assert_contains(&svg, &["latency [ms] (log scale)", "1,000"]);
    }

    #[test]
    fn shard_totals_shows_hot_shard() {
        let svg = shard_totals_svg(&synthetic(60, 4)).unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &[
                NAME,
                "records (whole run)",
                "key share [%]",
                "accepted records",
                "throttled attempts",
                "hot: shardId-000000000002",
            ],
        );
        assert!(!svg.contains("busiest"));
    }

    #[test]
    fn all_svgs_in_fixed_order() {
        let all = all_svgs(&synthetic(60, 4)).unwrap();
        let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["throughput.svg", "shard-load.svg", "latency.svg", "shard-totals.svg"]);
        for (_, svg) in &all {
            assert_svg(svg);
        }
    }

    #[test]
    fn degenerate_inputs_render() {
        let mut cases = vec![
            ("default", RunResult::default()),
            ("zero seconds", synthetic(0, 4)),
            ("one second, one shard", synthetic(1, 1)),
        ];
        let mut zeros = synthetic(30, 3);
        for v in [
            &mut zeros.series.accepted_records,
            &mut zeros.series.throttled_records,
            &mut zeros.series.dropped_records,
        ] {
            v.iter_mut().for_each(|x| *x = 0);
        }
        zeros.series.open_shards.iter_mut().for_each(|x| *x = 0);
        zeros.heatmap.utilisation.iter_mut().for_each(|x| *x = 0.0);
        for s in zeros.shards.iter_mut() {
            (s.accepted_records, s.throttled_records, s.offered_records, s.key_share) = (0, 0, 0, 0.0);
        }
        for p in zeros.latency.over_time.iter_mut().flatten() {
            (p.p50, p.p90, p.p99, p.max) = (0.0, 0.0, 0.0, 0.0);
        }
        cases.push(("all zeros", zeros));
        let mut broken = synthetic(30, 3);
        broken.heatmap.utilisation.truncate(5); // shorter than n_shards x n_buckets
        broken.heatmap.utilisation[0] = f32::NAN;
        broken.heatmap.utilisation[1] = f32::INFINITY;
        broken.heatmap.bucket_s = 0;
        broken.series.open_shards.truncate(10);
        broken.latency.interval_s = 0;
        broken.latency.over_time[0] =
            Some(Percentiles { count: 1, p50: f64::NAN, p90: -1.0, p99: f64::INFINITY, max: 5.0 });
        broken.shards[0].key_share = f64::NAN;
        broken.duration_s = f64::NAN;
        cases.push(("inconsistent", broken));
        for (what, r) in &cases {
            let all = all_svgs(r).unwrap_or_else(|e| panic!("{what}: {e}"));
            for (name, svg) in &all {
                assert!(svg.starts_with("<svg"), "{what}/{name}");
                assert!(!svg.contains("NaN"), "{what}/{name}: NaN");
            }
        }
    }

    #[test]
    fn no_latency_data_says_so() {
        let mut r = synthetic(60, 4);
        r.latency.over_time.iter_mut().for_each(|p| *p = None);
        let svg = latency_svg(&r).unwrap();
        assert_svg(&svg);
        assert_contains(&svg, &["no records accepted", "latency [ms]"]);
        let empty = latency_svg(&RunResult::default()).unwrap();
        assert_contains(&empty, &["no records accepted"]);
    }

    #[test]
    fn ten_thousand_shards_are_aggregated() {
        let mut r = synthetic(60, 10_000);
        // Many buckets with varying values, so cells cannot be merged.
        let n_buckets = 1000;
        r.heatmap.n_buckets = n_buckets;
        r.heatmap.bucket_s = 1;
        r.heatmap.utilisation =
            (0..10_000 * n_buckets).map(|i| (noise(i / n_buckets, i % n_buckets) * 1.6) as f32).collect();
        let heat = shard_heatmap_svg(&r).unwrap();
        assert_svg(&heat);
        let rects = heat.matches("<rect").count();
        assert!(rects <= 40_000, "{rects} rects");
        assert_contains(&heat, &["10,000 shards", "max of 157 shards"]);

        let totals = shard_totals_svg(&r).unwrap();
        assert_svg(&totals);
        assert_contains(&totals, &["64 busiest of 10,000 shards", "hot: shardId-000000000002"]);
        assert!(totals.matches("<rect").count() < 400);
        // The hot shard is the one the chart names, ranked first.
        let all = all_svgs(&r).unwrap();
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn long_run_is_averaged_and_small() {
        let r = synthetic(100_000, 4);
        let svg = throughput_svg(&r).unwrap();
        assert_svg(&svg);
        assert!(svg.len() < 2_000_000, "{} bytes", svg.len());
        assert_contains(&svg, &["records/s (mean per 100 s)", "time [min]"]);
        let days = throughput_svg(&synthetic(200_000, 1)).unwrap();
        assert_contains(&days, &["records/s (mean per 200 s)", "time [h]"]);
        let lat = latency_svg(&r).unwrap();
        assert_svg(&lat);
        assert!(lat.len() < 2_000_000, "{} bytes", lat.len());
        let heat = shard_heatmap_svg(&r).unwrap();
        assert!(heat.matches("<rect").count() <= 40_000);
    }

    #[test]
    fn time_unit_follows_duration() {
        assert_eq!(TimeAxis::new(1800.0, 0.0).unit, "s");
        assert_eq!(TimeAxis::new(1801.0, 0.0).unit, "min");
        assert_eq!(TimeAxis::new(30.0 * 3600.0 + 1.0, 0.0).unit, "h");
        assert_eq!(TimeAxis::new(f64::NAN, 7200.0).unit, "min");
        let svg = throughput_svg(&synthetic(3600, 2)).unwrap();
        assert_contains(&svg, &["time [min]"]);
    }

    #[test]
    fn number_formats() {
        assert_eq!(fmt_num(1234567.0, 0), "1,234,567");
        assert_eq!(fmt_num(-1234.5, 1), "-1,234.5");
        assert_eq!(fmt_num(2.50, 2), "2.5");
        assert_eq!(fmt_num(-0.0001, 2), "0");
        assert_eq!(fmt_count(0.0, 1e7), "0");
        assert_eq!(fmt_count(2_500_000.0, 1e7), "2.5M");
        assert_eq!(fmt_count(120_000.0, 2e5), "120k");
        assert_eq!(fmt_count(8_000.0, 8_800.0), "8,000");
        assert_eq!(short_shard_id("shardId-000000000007").as_deref(), Some("7"));
        assert_eq!(short_shard_id("shardId-000000000000").as_deref(), Some("0"));
        assert_eq!(short_shard_id("other"), None);
        assert_eq!(wrap("aaa bbb ccc", 7, 5), ["aaa bbb", "ccc"]);
    }

    #[test]
    fn heat_scale_is_clamped_and_marks_the_limit() {
        assert_eq!(heat_level(0.0), None);
        assert_eq!(heat_level(f32::NAN), None);
        assert_eq!(heat_level(f32::INFINITY), Some(MAX_LEVEL));
        assert_eq!(heat_level(9.0), Some(MAX_LEVEL));
        assert_eq!(heat_level(1.0), Some(40));
        // Below the limit colours are light, at/over it dark.
        let lum = |c: RGBColor| 0.3 * c.0 as f64 + 0.59 * c.1 as f64 + 0.11 * c.2 as f64;
        assert!(lum(level_color(39)) > 1.5 * lum(level_color(40)));
        assert!(lum(level_color(0)) > lum(level_color(20)));
    }
}

// ---------------------------------------------------------------------------------------------
// Cost over time and retained bytes per retention tier (issue 4)

/// Cumulative cost of each line item over time, stacked, with the on-demand what-if,
/// `cost.svg`.
pub fn cost_svg(r: &RunResult) -> Result<String, ChartError> {
    render("cost", (WIDTH, HEIGHT), |root| draw_cost(root, r))
}

/// Retained bytes per retention tier over time, stacked, `retention.svg`.
pub fn retention_svg(r: &RunResult) -> Result<String, ChartError> {
    render("retention", (WIDTH, HEIGHT), |root| draw_retention(root, r))
}

/// Okabe-Ito order for stacked line items (a bill with both modes after a switch has up to 8).
const STACK_COLORS: [RGBColor; 8] = [
    OI_BLUE,
    OI_ORANGE,
    OI_GREEN,
    OI_PINK,
    OI_VERMILLION,
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x99, 0x99, 0x99),
];

/// Stacked layers: for each layer, its points as (x, lower, upper), x in axis units.
fn stack_layers(times: &[f64], layers: &[&[f64]], div: f64) -> Vec<Vec<(f64, f64, f64)>> {
    let mut below = vec![0.0; times.len()];
    layers
        .iter()
        .map(|values| {
            times
                .iter()
                .enumerate()
                .map(|(k, &t)| {
                    let v = values.get(k).copied().filter(|v| v.is_finite()).unwrap_or(0.0).max(0.0);
                    let lo = below[k];
                    below[k] += v;
                    (t / div, lo, lo + v)
                })
                .collect()
        })
        .collect()
}

/// Draws stacked layers as filled bands with a solid top edge.
fn draw_stack<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    layers: &[Vec<(f64, f64, f64)>],
    colors: &[RGBColor],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for (layer, color) in layers.iter().zip(colors) {
        if layer.len() < 2 {
            continue;
        }
        let mut poly: Vec<(f64, f64)> = layer.iter().map(|p| (p.0, p.2)).collect();
        poly.extend(layer.iter().rev().map(|p| (p.0, p.1)));
        chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.35).filled())))?;
        chart.draw_series(LineSeries::new(layer.iter().map(|p| (p.0, p.2)), color.stroke_width(2)))?;
    }
    Ok(())
}

/// A chart with only its title and a note where the data would be.
fn draw_empty(root: &Area<'_>, title: String, note: &str) -> DrawResult {
    let body = draw_header(root, &Header { title, subtitle: None, legend: vec![] })?;
    let chart = builder(&body, 60, 0).build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    draw_note(root, chart.plotting_area().get_pixel_range(), note)
}

/// Dollar tick label for an axis whose top is `top`.
fn fmt_dollars(v: f64, top: f64) -> String {
    let decimals = if top >= 100.0 {
        0
    } else if top >= 1.0 {
        2
    } else if top >= 0.01 {
        3
    } else {
        5
    };
    format!("${}", fmt_num(v, decimals))
}

fn draw_cost(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let Some(c) = &r.cost else {
        return draw_empty(
            root,
            format!("Cost over time — scenario “{}”", short_scenario(r)),
            "no cost computed",
        );
    };
    let t = TimeAxis::new(r.duration_s, c.times_s.last().copied().unwrap_or(1.0));
    // Only items that cost something, in bill order.
    let shown: Vec<usize> = (0..c.bill.items.len()).filter(|&i| c.bill.items[i].usd > 0.0).collect();
    let values: Vec<&[f64]> = shown.iter().map(|&i| c.cumulative_usd[i].as_slice()).collect();
    let layers = stack_layers(&c.times_s, &values, t.div);
    let colors: Vec<RGBColor> = (0..shown.len()).map(|k| STACK_COLORS[k % STACK_COLORS.len()]).collect();
    let stacked_top = layers.last().map_or(0.0, |l| l.iter().map(|p| p.2).fold(0.0, f64::max));
    let od_top = c.what_if_cumulative_usd.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let top = y_top(stacked_top.max(od_top));
    let x_max = t.x_max(c.times_s.last().copied().unwrap_or(0.0), r.duration_s);

    let mut legend: Vec<LegendItem> = shown
        .iter()
        .zip(&colors)
        .map(|(&i, &col)| {
            let it = &c.bill.items[i];
            item(
                format!("{} (${} per {})", it.name, crate::cost::fmt_price(it.unit_price_usd), it.unit),
                Swatch::Area(col),
            )
        })
        .collect();
    legend.push(item(format!("{} what-if, total", c.what_if_mode), Swatch::Dashed(INK)));
    let subtitle = format!(
        "{}: {} for the run, {} per month (730 h); {} what-if: {} for the run, {} per month{}; {} prices of {}",
        c.bill.label,
        crate::cost::fmt_usd(c.bill.total_usd),
        crate::cost::fmt_usd(c.bill.per_month_usd),
        c.what_if_mode,
        crate::cost::fmt_usd(c.what_if.total_usd),
        crate::cost::fmt_usd(c.what_if.per_month_usd),
        if c.what_if_mode == "provisioned" { " (the same shards)" } else { " (priced, not simulated)" },
        c.table,
        c.table_date
    );
    let body = draw_header(
        root,
        &Header {
            title: format!("Cumulative cost by line item — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = time_chart(&body, y_area, t, x_max, top, "cumulative cost [USD]", &fmt_y)?;
    draw_stack(&mut chart, &layers, &colors)?;
    let od: Vec<(f64, f64)> = c
        .times_s
        .iter()
        .zip(&c.what_if_cumulative_usd)
        .filter(|(_, v)| v.is_finite())
        .map(|(&x, &v)| (x / t.div, v))
        .collect();
    if od.len() >= 2 {
        chart.draw_series(DashedLineSeries::new(od, 8, 5, INK.stroke_width(2)))?;
    }
    if shown.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "nothing billed")?;
    }
    Ok(())
}

/// A byte unit for an axis whose top is `top` bytes: (divisor, name).
fn byte_unit(top: f64) -> (f64, &'static str) {
    const UNITS: [(f64, &str); 5] = [
        (1.0, "bytes"),
        (1024.0, "KiB"),
        (1_048_576.0, "MiB"),
        (1_073_741_824.0, "GiB"),
        (1_099_511_627_776.0, "TiB"),
    ];
    UNITS.iter().rev().find(|(d, _)| top >= *d * 2.0).copied().unwrap_or(UNITS[0])
}

fn draw_retention(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let Some(c) = &r.cost else {
        return draw_empty(
            root,
            format!("Retained data — scenario “{}”", short_scenario(r)),
            "no cost computed",
        );
    };
    let t = TimeAxis::new(r.duration_s, c.times_s.last().copied().unwrap_or(1.0));
    let raw_top = c
        .times_s
        .iter()
        .enumerate()
        .map(|(k, _)| c.retained_bytes.iter().map(|(_, v)| v.get(k).copied().unwrap_or(0.0)).sum::<f64>())
        .fold(0.0, f64::max);
    let (div, unit) = byte_unit(raw_top);
    let scaled: Vec<Vec<f64>> =
        c.retained_bytes.iter().map(|(_, v)| v.iter().map(|b| b / div).collect()).collect();
    let values: Vec<&[f64]> = scaled.iter().map(|v| v.as_slice()).collect();
    let layers = stack_layers(&c.times_s, &values, t.div);
    let colors: Vec<RGBColor> = [OI_BLUE, OI_ORANGE, OI_PINK].into_iter().take(layers.len()).collect();
    let top = y_top(raw_top / div);
    let x_max = t.x_max(c.times_s.last().copied().unwrap_or(0.0), r.duration_s);
    let price = |key: &str| c.bill.items.iter().find(|i| i.key == key).map(|i| i.unit_price_usd);
    let legend: Vec<LegendItem> = c
        .retained_bytes
        .iter()
        .zip(&colors)
        .enumerate()
        .map(|(k, ((label, _), &col))| {
            let how = match k {
                0 => "in the shard-hour price".to_string(),
                1 => price("extended_retention_shard_hour")
                    .map_or(String::new(), |p| format!("${} per shard-hour", crate::cost::fmt_price(p))),
                _ => price("long_term_retention_gb_month")
                    .map_or(String::new(), |p| format!("${} per GB-month", crate::cost::fmt_price(p))),
            };
            item(format!("{label}: {how}"), Swatch::Area(col))
        })
        .collect();
    let end: f64 = c.retained_bytes.iter().map(|(_, v)| v.last().copied().unwrap_or(0.0)).sum();
    let subtitle = format!(
        "retention {}; {} {} retained at the end of the run (accepted data + keys, kept for the \
         retention period from the second it was accepted; the run starts empty)",
        fmt_seconds(c.retention_s),
        fmt_num(end / div, 2),
        unit
    );
    let body = draw_header(
        root,
        &Header {
            title: format!("Retained data by retention tier — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| fmt_count(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = time_chart(&body, y_area, t, x_max, top, format!("retained [{unit}]"), &fmt_y)?;
    draw_stack(&mut chart, &layers, &colors)?;
    if raw_top <= 0.0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no data retained")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Classroom: per-second load against its one-minute mean (what a CloudWatch datapoint shows)

/// Longest stretch the per-minute chart shows [s]: per-second detail is the point, so a long
/// run shows its first 30 minutes.
const PER_MINUTE_WINDOW_S: usize = 1800;

/// Offered records per second against their one-minute means, `per-minute.svg`: one-minute
/// CloudWatch datapoints hide the seconds above the write limit.
pub fn per_minute_svg(r: &RunResult) -> Result<String, ChartError> {
    render("per-minute", (WIDTH, HEIGHT), |root| draw_per_minute(root, r))
}

fn draw_per_minute(root: &Area<'_>, r: &RunResult) -> DrawResult {
    let s = &r.series;
    let total = s.offered_records.len().max(s.throttled_records.len());
    let n = total.min(PER_MINUTE_WINDOW_S);
    let t = TimeAxis::new(n as f64, n as f64);
    let offered = step_segments(&bucket_means(&s.offered_records, n, 1), 1, n, t);
    let minute = step_segments(&bucket_means(&s.offered_records, n, 60), 60, n, t);
    let throttled = step_segments(&bucket_means(&s.throttled_records, n, 1), 1, n, t);
    let limit = r.shard_limit_records_per_s;
    let cap: Vec<u64> = s.open_shards.iter().take(n).map(|&o| u64::from(o).saturating_mul(limit)).collect();
    let capacity = if limit > 0 { step_segments(&bucket_means(&cap, n, 1), 1, n, t) } else { vec![] };
    let top = y_top(seg_max(&offered).max(seg_max(&capacity)).max(seg_max(&throttled)));
    let minute_peak = seg_max(&minute);
    let second_peak = seg_max(&offered);
    let cap_now = cap.first().copied().unwrap_or(0) as f64;
    let pct =
        |v: f64| if cap_now > 0.0 { format!("{}%", fmt_num(100.0 * v / cap_now, 0)) } else { "-".into() };
    let busy = s.throttled_records.iter().take(n).filter(|&&x| x > 0).count();
    let window = if total > n {
        format!(" (first {} of {})", fmt_seconds(n as u64), fmt_seconds(total as u64))
    } else {
        String::new()
    };
    let subtitle = format!(
        "busiest minute averages {} of capacity, busiest second {}; {} of {} seconds throttled{}",
        pct(minute_peak),
        pct(second_peak),
        fmt_int(busy as u64),
        fmt_int(n as u64),
        window
    );
    let mut legend = vec![
        item("offered records/s, per second", Swatch::Line(OI_BLUE)),
        item("the same, averaged per minute (one-minute resolution)", Swatch::Line(INK)),
        item("throttled records/s, per second", Swatch::Line(OI_VERMILLION)),
    ];
    if !capacity.is_empty() {
        legend.push(item(
            format!("write capacity (open shards x {} records/s)", fmt_int(limit)),
            Swatch::Dashed(INK),
        ));
    }
    let body = draw_header(
        root,
        &Header {
            title: format!("Per second vs per minute — scenario “{}”", short_scenario(r)),
            subtitle: Some(subtitle),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| fmt_count(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let x_max = t.x_max(n as f64, n as f64);
    let mut chart = time_chart(&body, y_area, t, x_max, top, "records/s", &fmt_y)?;
    for seg in &offered {
        chart.draw_series(LineSeries::new(seg.iter().copied(), OI_BLUE.mix(0.8).stroke_width(1)))?;
    }
    for seg in &throttled {
        chart.draw_series(LineSeries::new(seg.iter().copied(), OI_VERMILLION.stroke_width(2)))?;
    }
    for seg in &capacity {
        chart.draw_series(DashedLineSeries::new(seg.iter().copied(), 8, 5, INK.stroke_width(2)))?;
    }
    for seg in &minute {
        chart.draw_series(LineSeries::new(seg.iter().copied(), INK.stroke_width(4)))?;
    }
    if n == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no seconds simulated")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `kinesim size`: cost against throttle rate, and throttle rate against shard count

/// The sizing charts: (file name, svg), in a fixed order.
pub fn size_svgs(s: &crate::size::Sizing) -> Result<Vec<(&'static str, String)>, ChartError> {
    Ok(vec![
        (
            "size-cost-vs-throttle.svg",
            render("size-cost-vs-throttle", (WIDTH, HEIGHT), |root| draw_size_cost(root, s, &THROTTLE_AXIS))?,
        ),
        (
            "size-cost-vs-latency.svg",
            render("size-cost-vs-latency", (WIDTH, HEIGHT), |root| draw_size_cost(root, s, &LATENCY_AXIS))?,
        ),
        (
            "size-throttle-vs-shards.svg",
            render("size-throttle-vs-shards", (WIDTH, HEIGHT), |root| draw_size_throttle(root, s))?,
        ),
    ])
}

/// Throttle rate as a percentage label.
fn fmt_pct(v: f64) -> String {
    let p = 100.0 * v;
    if p == 0.0 {
        "0%".to_string()
    } else if p >= 1.0 {
        format!("{}%", fmt_num(p, 1))
    } else {
        let digits = (-(p.log10().floor()) as usize).min(8);
        format!("{}%", fmt_num(p, digits))
    }
}

/// Milliseconds as a tick label (`20 ms`, `1.5 s`).
fn fmt_ms_unit(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} s", fmt_num(v / 1000.0, if v >= 10_000.0 { 0 } else { 1 }))
    } else if v >= 1.0 {
        format!("{} ms", fmt_num(v, 0))
    } else {
        format!("{} ms", fmt_num(v, 2))
    }
}

/// The x axis of a "cost per month vs an SLO metric" chart.
struct SizeAxis {
    title: &'static str,
    x_desc: &'static str,
    slo_label: &'static str,
    /// The metric's mean over seeds.
    value: fn(&crate::size::PointResult) -> f64,
    slo: fn(&crate::size::SloView) -> Option<f64>,
    fmt: fn(f64) -> String,
    /// Where points at (or near) the smallest value pile up, in words.
    pile_note: &'static str,
    /// Points within this ratio of the smallest value share a label (`None`: only points at
    /// the left edge, i.e. 0 on a log axis).
    pile_ratio: Option<f64>,
    /// The largest value the metric can take (a rate: 1), if any: the axis stops there.
    max: Option<f64>,
}

const THROTTLE_AXIS: SizeAxis = SizeAxis {
    title: "Cost per month vs throttle rate",
    x_desc: "throttle rate, mean over seeds [% of attempts, log scale]",
    slo_label: "SLO: max throttle rate",
    value: |p| p.throttle_rate.mean,
    slo: |s| s.max_throttle_rate,
    fmt: fmt_pct,
    pile_note: "a throttle rate of 0 sits at the left edge",
    pile_ratio: None,
    max: Some(1.0),
};

const LATENCY_AXIS: SizeAxis = SizeAxis {
    title: "Cost per month vs p99 put latency",
    x_desc: "p99 put latency, mean over seeds [ms, log scale]",
    slo_label: "SLO: max p99 put latency",
    value: |p| p.p99_put_latency_ms.mean,
    slo: |s| s.max_p99_put_latency_ms,
    fmt: fmt_ms_unit,
    pile_note: "near-lowest latencies share a label",
    pile_ratio: Some(1.03),
    max: None,
};

/// A point's short label: its shard count, with the policy's initials for autoscaled points
/// (`TT 6`), `OD` for on-demand.
fn size_point_tag(p: &crate::size::PointResult) -> String {
    use crate::scenario::SizePolicy;
    match p.point.policy {
        None => "OD".to_string(),
        Some(SizePolicy::AsWritten | SizePolicy::Fixed) => p.point.shards.to_string(),
        Some(SizePolicy::TargetTracking) => format!("TT {}", p.point.shards),
        Some(SizePolicy::ThresholdStep) => format!("TS {}", p.point.shards),
        Some(SizePolicy::DoubleHalve) => format!("DH {}", p.point.shards),
    }
}

fn draw_size_cost(root: &Area<'_>, s: &crate::size::Sizing, axis: &SizeAxis) -> DrawResult {
    let value = axis.value;
    let slo = (axis.slo)(&s.slo);
    let finite = |x: f64| x.is_finite();
    // Log x: the metric spans decades; 0 (no throttling) is drawn at the left edge.
    let smallest =
        s.points.iter().map(value).filter(|x| *x > 0.0 && finite(*x)).fold(f64::INFINITY, f64::min);
    let floor = [
        smallest / 3.0,
        slo.map_or(f64::INFINITY, |m| m / 10.0),
        if smallest.is_finite() { f64::INFINITY } else { 1e-4 },
    ]
    .into_iter()
    .filter(|x| x.is_finite() && *x > 0.0)
    .fold(f64::INFINITY, f64::min);
    let floor = if floor.is_finite() { 10f64.powf(floor.log10().floor()) } else { 1e-4 };
    let largest =
        s.points.iter().map(value).filter(|x| finite(*x)).fold(0.0, f64::max).max(slo.unwrap_or(0.0));
    let mut x_hi = 10f64.powf((largest.max(floor * 10.0) * 1.5).log10().ceil()).max(floor * 10.0);
    // (Comparing `axis` with the THROTTLE_AXIS const by address never matched: a const has no
    // single address. The bound is a field of the axis.)
    if let Some(max) = axis.max {
        x_hi = x_hi.min(max).max(floor * 10.0);
    }
    let top = y_top(s.points.iter().map(|p| p.cost_per_month_usd.mean).fold(0.0, f64::max));
    let rule = crate::report::size::rule_words(s);
    let mut legend = vec![
        item(format!("meets the SLO {rule}"), Swatch::Dot(OI_GREEN)),
        item("misses it (any bound of the SLO)", Swatch::Dot(OI_VERMILLION)),
    ];
    if slo.is_some() {
        legend.push(item(axis.slo_label, Swatch::Dashed(INK)));
    }
    if s.recommendation.is_some() {
        legend.push(item("recommended (ringed)", Swatch::Dot(INK)));
    }
    let tags = if s.policies.iter().any(|p| !matches!(*p, "as-written" | "fixed")) {
        "labels: shard counts (TT/TS/DH: target-tracking/threshold-step/double-halve from it; OD: on-demand)"
    } else {
        "labels are shard counts (OD = on-demand)"
    };
    let sub = match s.recommendation.map(|i| &s.points[i]) {
        Some(p) => format!(
            "recommended: {}, ${}/month; {tags}; {}",
            p.label,
            fmt_num(p.cost_per_month_usd.mean, 2),
            axis.pile_note
        ),
        None => format!("no point meets the SLO; {tags}; {}", axis.pile_note),
    };
    let body = draw_header(
        root,
        &Header { title: format!("{}: {}", axis.title, s.scenario), subtitle: Some(sub), legend },
    )?;
    let fmt_y = |v: &f64| fmt_dollars(*v, top);
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = builder(&body, y_area, 0).build_cartesian_2d((floor..x_hi).log_scale(), 0.0..top)?;
    let fmt_x = axis.fmt;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(10)
        .y_labels(7)
        .x_desc(axis.x_desc)
        .y_desc("cost per month, mean over seeds [USD]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_x(*v))
        .y_label_formatter(&fmt_y)
        .draw()?;
    if let Some(m) = slo.filter(|m| *m > 0.0) {
        let m = m.clamp(floor, x_hi);
        let n = 40;
        for k in (0..n).step_by(2) {
            let (a, b) = (top * k as f64 / n as f64, top * (k + 1) as f64 / n as f64);
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(m, a), (m, b)], INK.stroke_width(2))))?;
        }
    }
    let label_style = text_style(TICK_PX, INK).pos(Pos::new(HPos::Left, VPos::Bottom));
    // Points of one policy at (or within 3% of) the smallest value pile up: one label per pile.
    let pile_x = match axis.pile_ratio {
        Some(r) if smallest.is_finite() => floor.max(smallest * r),
        _ => floor,
    };
    let piles: Vec<Vec<usize>> = s
        .policies
        .iter()
        .map(|name| {
            (0..s.points.len())
                .filter(|&i| {
                    let p = &s.points[i];
                    p.point.policy.map(|x| x.name()) == Some(*name) && value(p) <= pile_x
                })
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .collect();
    // One point alone at the edge keeps its own label.
    let piles = if piles.iter().map(Vec::len).sum::<usize>() > 1 { piles } else { Vec::new() };
    for (i, p) in s.points.iter().enumerate() {
        let raw = value(p);
        let x = if raw.is_finite() { raw.clamp(floor, x_hi) } else { x_hi };
        let y = p.cost_per_month_usd.mean;
        let colour = if p.meets_slo { OI_GREEN } else { OI_VERMILLION };
        chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.filled())))?;
        // Every pile shares one label, at the highest point of all piles: `6-8 shards; TT 4-8`.
        let label = if piles.iter().any(|pile| pile.contains(&i)) {
            let top_i = piles.iter().flatten().copied().max_by(|a, b| {
                s.points[*a].cost_per_month_usd.mean.total_cmp(&s.points[*b].cost_per_month_usd.mean)
            });
            (top_i == Some(i)).then(|| {
                let parts: Vec<String> = piles
                    .iter()
                    .map(|pile| {
                        let (a, b) = (&s.points[pile[0]], &s.points[pile[pile.len() - 1]]);
                        let tag = size_point_tag(a);
                        let prefix = tag.strip_suffix(&a.point.shards.to_string()).unwrap_or("");
                        if pile.len() == 1 {
                            tag
                        } else {
                            format!("{prefix}{}-{}", a.point.shards, b.point.shards)
                        }
                    })
                    .collect();
                format!("{} shards", parts.join("; "))
            })
        } else {
            Some(size_point_tag(p))
        };
        if let Some(label) = label {
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y)) + Text::new(label, (7, -5), label_style.clone()),
            ))?;
        }
        if s.recommendation == Some(i) {
            chart.draw_series(std::iter::once(Circle::new((x, y), 12, INK.stroke_width(3))))?;
        }
    }
    if s.points.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no points evaluated")?;
    }
    Ok(())
}

/// Colours of the provisioned series of `size-throttle-vs-shards.svg`, one per policy.
const POLICY_COLOURS: [RGBColor; 5] = [OI_BLUE, OI_PINK, OI_GREEN, OI_VERMILLION, RGBColor(0x56, 0xB4, 0xE9)];

fn draw_size_throttle(root: &Area<'_>, s: &crate::size::Sizing) -> DrawResult {
    use crate::scenario::CapacityMode;
    let prov: Vec<&crate::size::PointResult> =
        s.points.iter().filter(|p| p.point.mode == CapacityMode::Provisioned).collect();
    let od = s.points.iter().find(|p| p.point.mode == CapacityMode::OnDemand);
    let x_max = prov.iter().map(|p| f64::from(p.point.shards)).fold(1.0, f64::max) + 1.0;
    let hi = |p: &crate::size::PointResult| p.throttle_rate.ci_high.unwrap_or(p.throttle_rate.mean);
    let top = y_top(
        s.points.iter().map(hi).fold(0.0, f64::max).max(s.slo.max_throttle_rate.unwrap_or(0.0)) * 100.0,
    );
    let series: Vec<(&str, RGBColor, Vec<&crate::size::PointResult>)> = s
        .policies
        .iter()
        .zip(POLICY_COLOURS.iter().cycle())
        .map(|(name, colour)| {
            (
                *name,
                *colour,
                prov.iter().copied().filter(|p| p.point.policy.map(|x| x.name()) == Some(*name)).collect(),
            )
        })
        .collect();
    let mut legend = Vec::new();
    for (name, colour, _) in &series {
        let what = match *name {
            "as-written" => "provisioned".to_string(),
            "fixed" => "provisioned, fixed".to_string(),
            other => format!("{other} from the count"),
        };
        legend.push(item(format!("{what}: mean and 95% interval over seeds"), Swatch::Line(*colour)));
    }
    if od.is_some() {
        legend.push(item("on-demand (one point, any shard count)", Swatch::Dashed(OI_ORANGE)));
    }
    if s.slo.max_throttle_rate.is_some() {
        legend.push(item("SLO: max throttle rate", Swatch::Dashed(INK)));
    }
    legend.push(item("textbook formula", Swatch::Line(EVEN_LINE)));
    if s.recommendation.is_some() {
        legend.push(item("recommended (ringed)", Swatch::Dot(INK)));
    }
    let tb = &s.textbook;
    let body = draw_header(
        root,
        &Header {
            title: format!("Throttle rate vs shard count: {}", s.scenario),
            subtitle: Some(format!(
                "{} seeds per point; the textbook formula says {} shards at the peak",
                s.seeds.len(),
                tb.shards_at_peak_with_record_limit
            )),
            legend,
        },
    )?;
    let fmt_y = |v: &f64| {
        format!(
            "{}%",
            fmt_num(
                *v,
                if top >= 10.0 {
                    0
                } else if top >= 1.0 {
                    1
                } else {
                    3
                }
            )
        )
    };
    let y_area = y_area_for(&fmt_y, top);
    let mut chart = builder(&body, y_area, 0).build_cartesian_2d(0.0..x_max, 0.0..top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(12)
        .y_labels(7)
        .x_desc(if series.iter().any(|(n, ..)| !matches!(*n, "as-written" | "fixed")) {
            "provisioned shards (autoscaled: at the start, and the floor)"
        } else {
            "provisioned shards"
        })
        .y_desc("throttle rate [% of attempts]")
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| if v.fract() == 0.0 { fmt_num(*v, 0) } else { String::new() })
        .y_label_formatter(&fmt_y)
        .draw()?;
    let dashed =
        |chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
         y: f64,
         colour: RGBColor|
         -> DrawResult {
            let n = 60;
            for k in (0..n).step_by(2) {
                let (a, b) = (x_max * k as f64 / n as f64, x_max * (k + 1) as f64 / n as f64);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(a, y), (b, y)],
                    colour.stroke_width(2),
                )))?;
            }
            Ok(())
        };
    if let Some(m) = s.slo.max_throttle_rate {
        dashed(&mut chart, m * 100.0, INK)?;
    }
    let formula = tb.shards_at_peak_with_record_limit as f64;
    if formula < x_max {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(formula, 0.0), (formula, top)],
            EVEN_LINE.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((formula, top))
                + Text::new(
                    format!("textbook formula: {}", tb.shards_at_peak_with_record_limit),
                    (6, 4),
                    text_style(TICK_PX, GREY_TEXT).pos(Pos::new(HPos::Left, VPos::Top)),
                ),
        ))?;
    }
    if let Some(p) = od {
        dashed(&mut chart, p.throttle_rate.mean * 100.0, OI_ORANGE)?;
    }
    for (_, colour, points) in &series {
        let line: Vec<(f64, f64)> =
            points.iter().map(|p| (f64::from(p.point.shards), p.throttle_rate.mean * 100.0)).collect();
        chart.draw_series(LineSeries::new(line.iter().copied(), colour.stroke_width(2)))?;
        for p in points {
            let x = f64::from(p.point.shards);
            if let (Some(lo), Some(h)) = (p.throttle_rate.ci_low, p.throttle_rate.ci_high) {
                let (lo, h) = (lo.max(0.0) * 100.0, h * 100.0);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, h)],
                    colour.stroke_width(2),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (x, p.throttle_rate.mean * 100.0),
                4,
                colour.filled(),
            )))?;
        }
    }
    if let Some(p) = s.recommendation.map(|i| &s.points[i]) {
        let x =
            if p.point.mode == CapacityMode::Provisioned { f64::from(p.point.shards) } else { x_max / 2.0 };
        chart.draw_series(std::iter::once(Circle::new(
            (x, p.throttle_rate.mean * 100.0),
            9,
            INK.stroke_width(3),
        )))?;
    }
    if s.points.is_empty() {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no points evaluated")?;
    }
    Ok(())
}

#[cfg(test)]
mod cost_chart_tests {
    use super::*;
    use crate::cost::{compute, CostSettings};
    use crate::metrics::Series;

    fn priced(seconds: usize, retention_s: u64) -> RunResult {
        let series = Series {
            open_shards: vec![2; seconds],
            put_payload_units: vec![40; seconds],
            billed_ingest_kib: vec![40; seconds],
            accepted_bytes: vec![40_000; seconds],
            accepted_records: vec![40; seconds],
            ..Default::default()
        };
        let mut r =
            RunResult { scenario: "priced".into(), duration_s: seconds as f64, series, ..Default::default() };
        r.totals.put_payload_units = 40 * seconds as u64;
        r.totals.billed_ingest_kib = 40 * seconds as u64;
        r.cost = Some(compute(&CostSettings::default(), retention_s * 1_000_000, &r));
        r
    }

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("NaN") && !svg.contains("inf\""));
    }

    #[test]
    fn cost_and_retention_charts_have_units_legends_and_tiers() {
        let r = priced(10 * 86_400, 8 * 86_400);
        let cost = cost_svg(&r).unwrap();
        well_formed(&cost);
        for s in [
            "cumulative cost [USD]",
            "time [h]",
            "shard-hours ($0.015 per shard-hour)",
            "on-demand standard what-if",
        ] {
            assert!(cost.contains(s), "{s}");
        }
        let ret = retention_svg(&r).unwrap();
        well_formed(&ret);
        for s in [
            "retained [GiB]",
            "first 24 h (included)",
            "24 h to 7 days (extended)",
            "beyond 7 days (long-term)",
        ] {
            assert!(ret.contains(s), "{s}");
        }
        let names: Vec<&str> = all_svgs(&r).unwrap().iter().map(|(n, _)| *n).collect();
        assert_eq!(names[4..], ["cost.svg", "retention.svg"]);
    }

    #[test]
    fn degenerate_runs_still_draw() {
        for seconds in [0, 1, 2] {
            well_formed(&cost_svg(&priced(seconds, 86_400)).unwrap());
            well_formed(&retention_svg(&priced(seconds, 86_400)).unwrap());
        }
        let unpriced = RunResult::default();
        assert!(cost_svg(&unpriced).unwrap().contains("no cost computed"));
        assert!(retention_svg(&unpriced).unwrap().contains("no cost computed"));
    }
}
