//! The look shared by every chart, and the helpers several charts draw with: layout constants,
//! the palette and fonts, number and time formatting, the time axis, the header band (title,
//! subtitle, legend) above each plot, the chart builder, series helpers, one line per variant,
//! and stacked areas. [`render`] draws one chart into an SVG string.
//!
//! Calls plotters, [`ChartError`] and [`RunResult`] (for the scenario's name) only; the chart
//! files call it, never the other way round.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use crate::metrics::RunResult;

// ---------------------------------------------------------------------------------------------
// Layout constants, palette, fonts

pub(super) const WIDTH: u32 = 1000;
pub(super) const HEIGHT: u32 = 520;
pub(super) const HEATMAP_HEIGHT: u32 = 600;

const TITLE_PX: f64 = 22.0;
const SUBTITLE_PX: f64 = 14.0;
const LEGEND_PX: f64 = 14.0;
pub(super) const LABEL_PX: f64 = 16.0;
pub(super) const TICK_PX: f64 = 13.0;
/// Estimated average glyph width of a sans-serif font, in em (a little generous, so text
/// laid out with it is not clipped).
const CHAR_EM: f64 = 0.6;

/// Height of the x label area (tick labels + axis description).
pub(super) const X_LABEL_AREA: u32 = 58;
/// Height of the x label area of a panel whose axis has tick labels only (a panel above another
/// that carries the axis description).
pub(super) const TICKS_ONLY_X_AREA: u32 = 26;

const FONT: &str = "sans-serif";

// Okabe-Ito, colour-blind safe.
pub(super) const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(super) const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(super) const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(super) const OI_PINK: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub(super) const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(super) const INK: RGBColor = RGBColor(0x11, 0x11, 0x11);
pub(super) const GREY_TEXT: RGBColor = RGBColor(0x44, 0x44, 0x44);
pub(super) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(super) const EVEN_LINE: RGBColor = RGBColor(0x80, 0x80, 0x80);
const LEGEND_BG: RGBColor = RGBColor(0xF6, 0xF6, 0xF6);
const LEGEND_BORDER: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);

/// A font whose rendered SVG size is `px` pixels.
fn font(px: f64) -> FontDesc<'static> {
    (FONT, px * 1.24).into_font()
}

pub(super) fn text_style(px: f64, color: RGBColor) -> TextStyle<'static> {
    font(px).color(&color)
}

/// Estimated rendered width of `s` at `px` pixels.
pub(super) fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * px * CHAR_EM).ceil() as i32
}

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type DrawResult<T = ()> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// Draws one chart into a fresh SVG string. Plotters errors (and, defensively, panics inside
/// plotters) become [`ChartError`]s.
pub(super) fn render(
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
pub(super) fn fmt_num(v: f64, decimals: usize) -> String {
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

pub(super) fn fmt_int(v: u64) -> String {
    fmt_num(v as f64, 0)
}

/// Tick label of a count/rate axis whose top is `top`: `12,500`, `120k`, `2.5M`.
pub(super) fn fmt_count(v: f64, top: f64) -> String {
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
pub(super) fn fmt_ms(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        fmt_num(v, 0)
    } else if a >= 1.0 {
        fmt_num(v, 1)
    } else {
        fmt_num(v, 3)
    }
}

/// Dollar tick label for an axis whose top is `top`.
pub(super) fn fmt_dollars(v: f64, top: f64) -> String {
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

/// The unit of a time axis, chosen from the run length.
#[derive(Debug, Clone, Copy)]
pub(super) struct TimeAxis {
    /// Seconds per unit.
    pub(super) div: f64,
    unit: &'static str,
}

impl TimeAxis {
    /// `duration_s` decides; `fallback_s` is used when it is not a positive number.
    pub(super) fn new(duration_s: f64, fallback_s: f64) -> Self {
        let d = if duration_s.is_finite() && duration_s > 0.0 { duration_s } else { fallback_s };
        if d > 30.0 * 3600.0 {
            TimeAxis { div: 3600.0, unit: "h" }
        } else if d > 30.0 * 60.0 {
            TimeAxis { div: 60.0, unit: "min" }
        } else {
            TimeAxis { div: 1.0, unit: "s" }
        }
    }

    pub(super) fn label(&self) -> String {
        format!("time [{}]", self.unit)
    }

    /// End of the x range [unit]: the longer of the data and the run, never empty.
    pub(super) fn x_max(&self, data_s: f64, duration_s: f64) -> f64 {
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
pub(super) fn fmt_seconds(s: u64) -> String {
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
pub(super) fn y_top(max: f64) -> f64 {
    let t = max * 1.1;
    if t.is_finite() && t > 0.0 {
        t
    } else {
        1.0
    }
}

/// Width of a left/right y label area holding tick labels like `widest` and a rotated axis
/// description.
pub(super) fn y_label_area(widest: &str) -> u32 {
    let w = text_width(widest, TICK_PX) + 14 + (LABEL_PX * 1.6) as i32;
    w.clamp(56, 240) as u32
}

/// The y label area of an axis from 0 to `top` whose ticks `fmt_y` formats (sized for the top
/// tick and one just below it, the widest labels such an axis draws).
pub(super) fn y_area_for(fmt_y: &dyn Fn(&f64) -> String, top: f64) -> u32 {
    y_label_area(&widest(&[fmt_y(&top), fmt_y(&(top * 0.95))]))
}

/// The widest of a few representative tick labels.
pub(super) fn widest<'a>(labels: impl IntoIterator<Item = &'a String>) -> String {
    labels.into_iter().max_by_key(|s| s.chars().count()).cloned().unwrap_or_default()
}

pub(super) fn short_scenario(r: &RunResult) -> String {
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
pub(super) enum Swatch {
    /// Filled area with a solid top edge.
    Area(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    /// A filled box (bar charts).
    Bar(RGBColor),
    /// A dot marker.
    Dot(RGBColor),
}

pub(super) struct LegendItem {
    label: String,
    swatch: Swatch,
}

pub(super) fn item(label: impl Into<String>, swatch: Swatch) -> LegendItem {
    LegendItem { label: label.into(), swatch }
}

pub(super) struct Header {
    pub(super) title: String,
    pub(super) subtitle: Option<String>,
    pub(super) legend: Vec<LegendItem>,
}

/// Greedy word wrap into lines of at most `max_chars` characters (at most `max_lines`; the
/// last one is cut with an ellipsis).
pub(super) fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
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
pub(super) fn draw_header<'a>(root: &Area<'a>, h: &Header) -> DrawResult<Area<'a>> {
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
pub(super) fn draw_note(root: &Area<'_>, plot: (Range<i32>, Range<i32>), note: &str) -> DrawResult {
    let (xr, yr) = plot;
    let style = font(18.0).color(&GREY_TEXT).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(note.to_string(), ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2), style))
}

const NOTE_PX: f64 = 14.0;
const NOTE_LINE_H: i32 = 19;
const NOTE_MAX_LINES: usize = 6;

/// The wrapped lines of a footnote across an area `width` pixels wide.
fn footnote_lines(text: &str, width: u32) -> Vec<String> {
    // Prose wraps with a tighter glyph estimate than labels: a long line cut short by a wide
    // font still fits, and the generous one would leave a third of the width empty.
    let max_chars = ((f64::from(width) - 40.0) / (NOTE_PX * 0.52)).max(10.0) as usize;
    wrap(text, max_chars, NOTE_MAX_LINES)
}

/// Height [px] a footnote of `text` takes at the bottom of a chart `width` pixels wide (0
/// without text).
pub(super) fn footnote_height(text: &str, width: u32) -> u32 {
    match footnote_lines(text, width).len() {
        0 => 0,
        n => (n as i32 * NOTE_LINE_H + 12) as u32,
    }
}

/// Draws `text` as a grey footnote, wrapped, left-aligned, at the bottom of `area`, and returns
/// the area above it (all of `area` without text). For what a chart's lines alone would leave
/// unexplained, so no note hides data.
pub(super) fn draw_footnote<'a>(area: &Area<'a>, text: &str) -> DrawResult<Area<'a>> {
    let (w, h) = area.dim_in_pixel();
    let used = footnote_height(text, w);
    if used == 0 {
        return Ok(area.clone());
    }
    let (above, below) = area.split_vertically(h.saturating_sub(used));
    let style = text_style(NOTE_PX, GREY_TEXT).pos(Pos::new(HPos::Left, VPos::Top));
    for (i, line) in footnote_lines(text, w).into_iter().enumerate() {
        below.draw(&Text::new(line, (20, 4 + i as i32 * NOTE_LINE_H), style.clone()))?;
    }
    Ok(above)
}

/// Height of a panel heading [px].
pub(super) const PANEL_HEADING_H: u32 = 24;

/// Draws a left-aligned heading at the top of a panel of a chart with several and returns the
/// panel below it.
pub(super) fn draw_panel_heading<'a>(area: &Area<'a>, text: &str) -> DrawResult<Area<'a>> {
    let (w, _) = area.dim_in_pixel();
    let max_chars = ((f64::from(w) - 16.0) / (LABEL_PX * CHAR_EM)).max(10.0) as usize;
    let line = wrap(text, max_chars, 1).into_iter().next().unwrap_or_default();
    let style = font(LABEL_PX).style(FontStyle::Bold).color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
    area.draw(&Text::new(line, (12, 4), style))?;
    Ok(area.split_vertically(PANEL_HEADING_H).1)
}

/// A chart builder with the common margins and label areas.
pub(super) fn builder<'a, 'b>(
    area: &'a Area<'b>,
    y_area: u32,
    right_area: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
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
pub(super) fn time_chart<'a, 'b>(
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
pub(super) fn bucket_means(v: &[u64], n: usize, bucket: usize) -> Vec<Option<f64>> {
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
pub(super) fn step_segments(
    vals: &[Option<f64>],
    bucket: usize,
    n: usize,
    t: TimeAxis,
) -> Vec<Vec<(f64, f64)>> {
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

pub(super) fn seg_max(segs: &[Vec<(f64, f64)>]) -> f64 {
    segs.iter().flatten().map(|p| p.1).filter(|y| y.is_finite()).fold(0.0, f64::max)
}

// ---------------------------------------------------------------------------------------------
// Variants: one line per variant (compare) or consumer (consumer charts)

/// Colours of variants, in order (Okabe-Ito, then black).
pub(super) const VARIANT_COLOURS: [RGBColor; 8] = [
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
pub(super) struct VariantSeries {
    pub(super) label: String,
    /// One value per second (`None`: no data).
    pub(super) per_second: Vec<Option<f64>>,
}

/// One line per variant over time.
pub(super) fn draw_variants(
    root: &Area<'_>,
    title: &str,
    subtitle: &str,
    y_desc: &str,
    duration_s: f64,
    series: &[VariantSeries],
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
    let legend: Vec<LegendItem> = series
        .iter()
        .enumerate()
        .map(|(i, s)| item(s.label.clone(), Swatch::Line(VARIANT_COLOURS[i % VARIANT_COLOURS.len()])))
        .collect();
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
    if n == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no seconds simulated")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Stacked areas (cost and retention charts)

/// Stacked layers: for each layer, its points as (x, lower, upper), x in axis units.
pub(super) fn stack_layers(times: &[f64], layers: &[&[f64]], div: f64) -> Vec<Vec<(f64, f64, f64)>> {
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
pub(super) fn draw_stack<DB: DrawingBackend>(
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::shards::short_shard_id;
    use super::super::throughput_svg;
    use super::*;

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
}
