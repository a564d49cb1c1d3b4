//! The consumer charts of one run, drawn only when it has consumers: iterator age per consumer
//! (`consumer-lag.svg`), bytes read against the shard read limit (`consumer-reads.svg`) and
//! each consumer's end-to-end latency distribution (`consumer-latency.svg`).
//!
//! Calls `style` (one line per consumer is its variant chart) and the run's result
//! ([`RunResult`]); no other chart file.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    builder, draw_footnote, draw_header, draw_note, draw_panel_heading, draw_variants, fmt_count, fmt_int,
    fmt_ms, fmt_num, footnote_height, item, render, seg_max, short_scenario, step_segments, text_style,
    widest, y_area_for, y_label_area, y_top, Area, DrawResult, Header, LegendItem, Swatch, TimeAxis,
    VariantSeries, GRID, HEIGHT, INK, LABEL_PX, OI_BLUE, OI_GREEN, OI_ORANGE, OI_PINK, OI_VERMILLION,
    PANEL_HEADING_H, TICKS_ONLY_X_AREA, TICK_PX, VARIANT_COLOURS, WIDTH, X_LABEL_AREA,
};
use super::ChartError;
use crate::kinds::ConsumerKind;
use crate::limits;
use crate::metrics::{ConsumerResult, RunResult};
use crate::units::count;

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

/// Bytes read per second against the shard read limit ("consumer-reads.svg"); `None` without
/// consumers. On top, the polling consumers' sum (they share 2 MiB/s per shard) and each enhanced
/// fan-out consumer (2 MiB/s per shard of its own) against the limit; below, each consumer's own
/// reads in a lane of its own.
pub fn consumer_reads_svg(r: &RunResult) -> Result<Option<String>, ChartError> {
    if r.consumers.is_empty() {
        return Ok(None);
    }
    let plan = ReadsPlan::of(r);
    let height = READS_TOP_H + lanes_block_h(plan.lanes.len()) + footnote_height(&plan.note, WIDTH);
    render("consumer-reads", (WIDTH, height), |root| draw_consumer_reads(root, r, &plan)).map(Some)
}

const MIB: f64 = 1024.0 * 1024.0;
/// The read limit of a shard [MiB/s], shared by its polling consumers (each enhanced fan-out
/// consumer has one of its own).
const SHARD_READ_MIB_S: f64 = limits::SHARD_READ_BYTES_PER_S as f64 / MIB;
/// Seconds of the trailing mean of the top panel: one GetRecords call may return 10 MiB and block
/// the next seconds, so per-second values are spikes; a mean over 10 s shows the rate. (A long
/// run is drawn in buckets of at least as many seconds, each bucket's mean.)
const WINDOW: usize = 10;
/// Height of the header and the top panel [px].
const READS_TOP_H: u32 = 400;
/// Height of one consumer's lane [px]: its label, then its bars.
const LANE_H: u32 = 52;
const LANE_LABEL_H: u32 = 18;
/// At most this many lanes; the footnote names how many consumers are left out.
const MAX_LANES: usize = 12;
/// Colour of the polling consumers (their sum on top, each one's lane below).
const POLLING_COLOUR: RGBColor = OI_VERMILLION;
/// Colours of the enhanced fan-out consumers, in order.
const EFO_COLOURS: [RGBColor; 7] =
    [OI_BLUE, OI_GREEN, OI_ORANGE, OI_PINK, RGBColor(0x56, 0xB4, 0xE9), RGBColor(0xF0, 0xE4, 0x42), INK];

fn lanes_block_h(lanes: usize) -> u32 {
    PANEL_HEADING_H + lanes as u32 * LANE_H + X_LABEL_AREA + 8
}

fn is_polling(c: &ConsumerResult) -> bool {
    c.kind == ConsumerKind::Polling
}

/// A line of the top panel.
struct ReadsLine {
    label: String,
    colour: RGBColor,
    /// Each bucket's value [MiB/s]: per second, the trailing mean over `WINDOW` seconds from the
    /// first full window on; in longer buckets, their mean.
    values: Vec<Option<f64>>,
}

/// A consumer's lane.
struct Lane {
    label: String,
    colour: RGBColor,
    /// Bytes read in each second, or per second in each bucket [MiB/s].
    values: Vec<Option<f64>>,
}

/// What the reads chart draws, computed apart from the drawing.
struct ReadsPlan {
    /// Seconds in the run's series, and per bucket drawn (1, or at least `WINDOW` in a long run).
    seconds: usize,
    bucket: usize,
    /// Seconds each value of the top panel is a mean over.
    window: usize,
    /// The polling consumers' sum (or the only one), then each enhanced fan-out consumer.
    lines: Vec<ReadsLine>,
    /// The limit in each bucket [MiB/s]: 2 MiB/s x the shards open (`None`: not known).
    limit: Vec<Option<f64>>,
    limit_label: String,
    /// Whether the polling line passes the limit in some bucket.
    crosses: bool,
    lanes: Vec<Lane>,
    /// Why the polling line passes the limit (when it does), and the consumers without a lane.
    note: String,
}

impl ReadsPlan {
    fn of(r: &RunResult) -> ReadsPlan {
        let n = r.consumers.iter().map(|c| c.read_bytes_s.len()).max().unwrap_or(0);
        let bucket = if n > 2000 { n.div_ceil(1000).max(WINDOW) } else { 1 };
        let window = bucket.max(WINDOW).min(n.max(1));
        // Per second: the trailing mean over `WINDOW` s; per longer bucket: its mean.
        let mean = |v: &[f64]| {
            if bucket == 1 {
                trailing_mean(v, WINDOW)
            } else {
                bucketed(&v.iter().map(|x| Some(*x)).collect::<Vec<_>>(), bucket)
            }
        };
        let per_second = |c: &ConsumerResult, i: usize| c.read_bytes_s.get(i).copied().unwrap_or(0.0) / MIB;
        let polling: Vec<&ConsumerResult> = r.consumers.iter().filter(|c| is_polling(c)).collect();
        let polling_s: Vec<f64> = (0..n).map(|i| polling.iter().map(|c| per_second(c, i)).sum()).collect();
        let mut lines = Vec::new();
        if !polling.is_empty() {
            let label = match polling.as_slice() {
                [one] => format!("{} (polling)", one.name),
                all => format!("all {} polling consumers together", all.len()),
            };
            lines.push(ReadsLine { label, colour: POLLING_COLOUR, values: mean(&polling_s) });
        }
        let mut colours = EFO_COLOURS.iter().cycle();
        let mut lanes = Vec::new();
        for c in &r.consumers {
            let mib: Vec<f64> = (0..n).map(|i| per_second(c, i)).collect();
            let colour = if is_polling(c) {
                POLLING_COLOUR
            } else {
                let colour = *colours.next().unwrap_or(&INK);
                lines.push(ReadsLine {
                    label: format!("{} (enhanced fan-out)", c.name),
                    colour,
                    values: mean(&mib),
                });
                colour
            };
            let refused = match (is_polling(c), c.read_throttled_calls) {
                (true, n) => format!(", {} refused", count(n as usize, "call", "calls")),
                (false, 0) => String::new(),
                (false, n) => format!(", {} refused", count(n as usize, "read", "reads")),
            };
            let label = format!(
                "{} ({}): {} MiB read{refused}",
                c.name,
                if is_polling(c) { "polling" } else { "enhanced fan-out" },
                fmt_num(c.bytes_read as f64 / MIB, 1),
            );
            if lanes.len() < MAX_LANES {
                let values = bucketed(&mib.iter().map(|x| Some(*x)).collect::<Vec<_>>(), bucket);
                lanes.push(Lane { label, colour, values });
            }
        }
        // The limit is per shard: with N open shards the consumers' sum may reach N x 2 MiB/s.
        // (A closed parent shard still being drained has a limit of its own too; the line counts
        // open shards only.)
        let limit_s: Vec<Option<f64>> =
            (0..n).map(|i| r.series.open_shards.get(i).map(|&s| SHARD_READ_MIB_S * f64::from(s))).collect();
        let limit = bucketed(&limit_s, bucket);
        let shards: Vec<u32> = r.series.open_shards.iter().take(n.max(1)).copied().collect();
        let (lo, hi) = (shards.iter().min().copied(), shards.iter().max().copied());
        let per_shard = fmt_num(SHARD_READ_MIB_S, 2);
        let limit_label = match (lo, hi) {
            (Some(lo), Some(hi)) if lo == hi => format!(
                "read limit: {per_shard} MiB/s x {} = {} MiB/s",
                count(lo as usize, "open shard", "open shards"),
                fmt_num(SHARD_READ_MIB_S * f64::from(lo), 2)
            ),
            (Some(lo), Some(hi)) => format!("read limit: {per_shard} MiB/s x open shards ({lo} to {hi})"),
            _ => format!("read limit: {per_shard} MiB/s x open shards"),
        };
        let crosses = lines.first().is_some_and(|l| {
            !polling.is_empty()
                && l.values
                    .iter()
                    .zip(&limit)
                    .any(|(v, lim)| matches!((v, lim), (Some(v), Some(lim)) if *v > lim * (1.0 + 1e-9)))
        });
        let mut note = String::new();
        if crosses {
            let seconds = n.max(1) as f64;
            let run_mean = polling_s.iter().sum::<f64>() / seconds;
            let limit_mean = limit_s.iter().flatten().sum::<f64>() / seconds;
            let big = limits::GET_RECORDS_MAX_BYTES as f64 / MIB;
            note = format!(
                "Why the polling line passes the limit: a shard's {per_shard} MiB/s holds on average, not in \
                 every window. A GetRecords call is served while the shard's read debt is under {per_shard} MiB \
                 and may return up to {} MiB (a spike in the lanes); later calls are refused until the debt \
                 is paid back at {per_shard} MiB/s, up to 5 s. A {window} s window holding such a call but not \
                 all of its pay-back shows up to {} MiB/s per shard above the limit. Over the whole run the \
                 polling consumers read {} MiB/s against {} MiB/s: never more than one call's {} MiB per \
                 shard above it.",
                fmt_num(big, 0),
                fmt_num(big / window as f64, 2),
                fmt_num(run_mean, 2),
                fmt_num(limit_mean, 2),
                fmt_num(big, 0),
            );
        }
        let left_out = r.consumers.len() - lanes.len();
        if left_out > 0 {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(&format!(
                "{} without a lane (at most {MAX_LANES} are drawn).",
                count(left_out, "consumer", "consumers")
            ));
        }
        ReadsPlan { seconds: n, bucket, window, lines, limit, limit_label, crosses, lanes, note }
    }
}

/// The trailing mean of `v` over `window` values (all of `v` when shorter), each value from the
/// first full window on (`None` before it: a shorter window would be a different measure).
fn trailing_mean(v: &[f64], window: usize) -> Vec<Option<f64>> {
    let window = window.clamp(1, v.len().max(1));
    let mut sum = 0.0;
    (0..v.len())
        .map(|i| {
            sum += v[i] - if i >= window { v[i - window] } else { 0.0 };
            (i + 1 >= window).then_some(sum / window as f64)
        })
        .collect()
}

/// Means of `v` per bucket of `bucket` values (`None` for a bucket without any).
fn bucketed(v: &[Option<f64>], bucket: usize) -> Vec<Option<f64>> {
    v.chunks(bucket.max(1))
        .map(|c| {
            let vals: Vec<f64> = c.iter().flatten().copied().collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        })
        .collect()
}

/// The smallest of 1, 2, 5 x 10^k at or above `v` (1 for nothing positive).
fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|&x| x >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

fn draw_consumer_reads(root: &Area<'_>, r: &RunResult, plan: &ReadsPlan) -> DrawResult {
    let (n, bucket) = (plan.seconds, plan.bucket);
    let t = TimeAxis::new(r.duration_s, n as f64);
    let x_max = t.x_max(n as f64, r.duration_s);

    let mut legend: Vec<LegendItem> = plan
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            // The footnote explains the crossing; the legend points to it.
            let see = if k == 0 && plan.crosses { " (above the limit: see below)" } else { "" };
            item(format!("{}{see}", l.label), Swatch::Line(l.colour))
        })
        .collect();
    legend.push(item(plan.limit_label.clone(), Swatch::Dashed(INK)));
    let body = draw_header(
        root,
        &Header {
            title: format!("Consumer reads vs the shard read limit — scenario “{}”", short_scenario(r)),
            subtitle: Some(format!(
                "polling consumers share {0} MiB/s and {1} GetRecords calls/s per shard; each enhanced fan-out consumer has {0} MiB/s per shard of its own",
                fmt_num(SHARD_READ_MIB_S, 2),
                limits::SHARD_READ_CALLS_PER_S
            )),
            legend,
        },
    )?;
    let body = draw_footnote(&body, &plan.note)?;
    let (_, h) = body.dim_in_pixel();
    let (top_area, lanes_area) = body.split_vertically(h.saturating_sub(lanes_block_h(plan.lanes.len())));

    // Top: the lines against the limit, as step segments of their buckets.
    let line_segs: Vec<_> = plan.lines.iter().map(|l| step_segments(&l.values, bucket, n, t)).collect();
    let limit_segs = step_segments(&plan.limit, bucket, n, t);
    let top = y_top(line_segs.iter().map(|s| seg_max(s)).fold(seg_max(&limit_segs), f64::max));
    let fmt_y = |v: &f64| fmt_count(*v, top);
    let lane_top =
        nice_ceil(plan.lanes.iter().flat_map(|l| l.values.iter().flatten()).copied().fold(0.0, f64::max));
    let y_area = y_area_for(&fmt_y, top).max(y_label_area(&fmt_num(lane_top, 1)));
    let (y_desc, lanes_unit) = if bucket == 1 {
        (format!("read [MiB/s, mean over {} s]", plan.window), "MiB read per second".to_string())
    } else {
        let per = format!("mean per {} s", fmt_int(bucket as u64));
        (format!("read [MiB/s, {per}]"), format!("MiB/s, {per}"))
    };

    let mut chart = builder(&top_area, y_area, 0)
        .x_label_area_size(TICKS_ONLY_X_AREA)
        .build_cartesian_2d(0.0..x_max, 0.0..top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .x_labels(10)
        .y_labels(6)
        .y_desc(y_desc)
        .label_style(text_style(TICK_PX, INK))
        .axis_desc_style(text_style(LABEL_PX, INK))
        .x_label_formatter(&|v| fmt_num(*v, 2))
        .y_label_formatter(&fmt_y)
        .draw()?;
    for (line, segs) in plan.lines.iter().zip(&line_segs) {
        for seg in segs {
            chart.draw_series(LineSeries::new(seg.iter().copied(), line.colour.stroke_width(2)))?;
        }
    }
    for seg in &limit_segs {
        chart.draw_series(DashedLineSeries::new(seg.iter().copied(), 8, 5, INK.stroke_width(2)))?;
    }
    if n == 0 {
        draw_note(root, chart.plotting_area().get_pixel_range(), "no seconds simulated")?;
    }

    // Below: one lane per consumer, on one shared scale, so no two consumers' reads overlap.
    let lanes_area =
        draw_panel_heading(&lanes_area, &format!("Each consumer's reads, one lane each [{lanes_unit}]"))?;
    let mut rest = lanes_area;
    for (k, lane) in plan.lanes.iter().enumerate() {
        let last = k + 1 == plan.lanes.len();
        let (area, below) = if last { (rest.clone(), rest.clone()) } else { rest.split_vertically(LANE_H) };
        rest = below;
        let mut chart = builder(&area, y_area, 0)
            .margin_top(LANE_LABEL_H)
            .margin_bottom(2)
            .x_label_area_size(if last { X_LABEL_AREA } else { 0 })
            .build_cartesian_2d(0.0..x_max, 0.0..lane_top)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_y_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .y_labels(0)
            .label_style(text_style(TICK_PX, INK))
            .axis_desc_style(text_style(LABEL_PX, INK))
            .x_label_formatter(&|v| fmt_num(*v, 2));
        if last {
            mesh.x_labels(10).x_desc(t.label());
        } else {
            mesh.x_labels(10).x_label_formatter(&|_| String::new());
        }
        mesh.draw()?;
        chart.draw_series(lane.values.iter().enumerate().filter_map(|(i, v)| {
            let v = v.filter(|v| *v > 0.0 && v.is_finite())?;
            let x0 = (i * bucket) as f64 / t.div;
            let x1 = ((i + 1) * bucket).min(n) as f64 / t.div;
            Some(Rectangle::new([(x0, 0.0), (x1, v)], lane.colour.filled()))
        }))?;
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        root.draw(&Text::new(
            lane.label.clone(),
            (xr.start + 4, yr.start - 3),
            text_style(TICK_PX, INK).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
        // The lane's scale: its top, at the axis.
        let right = text_style(TICK_PX, INK).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&PathElement::new(vec![(xr.start - 5, yr.start), (xr.start, yr.start)], INK))?;
        root.draw(&Text::new(fmt_num(lane_top, 1), (xr.start - 8, yr.start), right.clone()))?;
        root.draw(&Text::new("0".to_string(), (xr.start - 8, yr.end - 1), right))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_contains, assert_svg, text_elements, texts};
    use super::*;

    /// A consumer of `kind` (`polling` or `efo`) reading `mib[i]` MiB in second i.
    fn consumer(name: &str, kind: &str, mib: &[f64]) -> ConsumerResult {
        ConsumerResult {
            name: name.into(),
            kind: if kind == "efo" { ConsumerKind::EnhancedFanOut } else { ConsumerKind::Polling },
            bytes_read: (mib.iter().sum::<f64>() * MIB) as u64,
            read_bytes_s: mib.iter().map(|m| m * MIB).collect(),
            iterator_age_s: vec![0.0; mib.len()],
            ..Default::default()
        }
    }

    fn run_with(shards: &[u32], consumers: Vec<ConsumerResult>) -> RunResult {
        let mut r = RunResult {
            scenario: "reads".into(),
            duration_s: shards.len() as f64,
            consumers,
            ..Default::default()
        };
        r.series.open_shards = shards.to_vec();
        r
    }

    /// One 9.88 MiB call (10,000 records of 1 KiB) every 5 s, the pattern of the bundled
    /// `polling-vs-efo` run, and one call only 4 s after another now and then.
    fn big_calls(seconds: usize, at: &[usize]) -> Vec<f64> {
        (0..seconds).map(|i| if at.contains(&i) { 9.88 } else { 0.0 }).collect()
    }

    #[test]
    fn the_limit_is_two_mib_per_open_shard() {
        let r = run_with(&[3; 60], vec![consumer("ledger", "efo", &[1.0; 60])]);
        let plan = ReadsPlan::of(&r);
        assert!(plan.limit.iter().all(|l| *l == Some(3.0 * 2.0)), "{:?}", plan.limit);
        assert_eq!(plan.limit_label, "read limit: 2 MiB/s x 3 open shards = 6 MiB/s");
        assert!(!plan.crosses && plan.note.is_empty());
        let svg = consumer_reads_svg(&r).unwrap().unwrap();
        assert_svg(&svg);
        assert_contains(
            &svg,
            &["read limit: 2 MiB/s x 3 open shards = 6 MiB/s", "time [s]", "[MiB/s, mean over 10 s]"],
        );
        assert!(!texts(&svg).contains("passes the limit"));

        // A reshard from 1 to 2 shards: the limit follows the open shards.
        let mut shards = vec![1; 30];
        shards.extend([2; 30]);
        let plan = ReadsPlan::of(&run_with(&shards, vec![consumer("a", "polling", &[0.5; 60])]));
        assert_eq!(plan.limit[0], Some(2.0));
        assert_eq!(plan.limit[59], Some(4.0));
        assert_eq!(plan.limit_label, "read limit: 2 MiB/s x open shards (1 to 2)");
    }

    /// Two polling consumers on one shard taking turns at 10 MiB calls: a 10 s window holding
    /// three calls (4 and 5 s apart) passes the limit, and the chart says why, in its footnote,
    /// with the run's mean; each consumer has a lane of its own.
    #[test]
    fn a_crossing_is_explained_and_each_consumer_has_a_lane() {
        let n = 60;
        let a = big_calls(n, &[0, 10, 19, 29, 39, 49]);
        let b = big_calls(n, &[5, 14, 24, 34, 44, 54]);
        let r = run_with(&vec![1; n], vec![consumer("a", "polling", &a), consumer("b", "polling", &b)]);
        let plan = ReadsPlan::of(&r);
        assert_eq!(plan.lines.len(), 1, "one line: the polling consumers' sum");
        assert_eq!(plan.lines[0].label, "all 2 polling consumers together");
        // Seconds 10 to 19 hold calls at 10, 14 and 19: 29.64 MiB in 10 s.
        assert!((plan.lines[0].values[19].unwrap() - 2.964).abs() < 1e-9);
        assert!(plan.crosses);
        let run_mean = (a.iter().sum::<f64>() + b.iter().sum::<f64>()) / n as f64;
        assert!(
            plan.note.contains(&format!("read {} MiB/s against 2 MiB/s", fmt_num(run_mean, 2))),
            "{}",
            plan.note
        );
        let svg = consumer_reads_svg(&r).unwrap().unwrap();
        assert_svg(&svg);
        let text = texts(&svg).replace("&apos;", "'");
        for s in [
            "all 2 polling consumers together (above the limit: see below)",
            "Why the polling line passes the limit",
            "up to 10 MiB",
            "Each consumer's reads, one lane each [MiB read per second]",
        ] {
            assert!(text.contains(s), "{s:?} not in {text:?}");
        }
        let lanes: Vec<String> =
            text_elements(&svg).into_iter().filter(|t| t.contains("MiB read, ")).collect();
        assert_eq!(
            lanes,
            ["a (polling): 59.3 MiB read, 0 calls refused", "b (polling): 59.3 MiB read, 0 calls refused"]
        );
        // The lanes are stacked, not overlapping: their labels sit at distinct heights.
        let ys: Vec<&str> = svg
            .split("<text")
            .filter(|t| t.contains("MiB read, "))
            .filter_map(|t| t.split("y=\"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(ys.len(), 2);
        assert_ne!(ys[0], ys[1]);
    }

    /// Reads under the limit in every window: no note; a polling consumer alone is named.
    #[test]
    fn no_crossing_no_note() {
        let r = run_with(&[2; 60], vec![consumer("loader", "polling", &[0.2; 60])]);
        let plan = ReadsPlan::of(&r);
        assert_eq!(plan.lines[0].label, "loader (polling)");
        assert!(!plan.crosses && plan.note.is_empty());
        let svg = consumer_reads_svg(&r).unwrap().unwrap();
        assert!(!texts(&svg).contains("above the limit"));
    }

    #[test]
    fn trailing_mean_starts_at_the_first_full_window() {
        let m = trailing_mean(&[1.0, 2.0, 3.0, 4.0], 2);
        assert_eq!(m, [None, Some(1.5), Some(2.5), Some(3.5)]);
        // A run shorter than the window: the mean of the whole run, at its end.
        assert_eq!(trailing_mean(&[1.0, 3.0], 10), [None, Some(2.0)]);
        assert!(trailing_mean(&[], 10).is_empty());
        assert_eq!((nice_ceil(9.88), nice_ceil(0.41), nice_ceil(0.0), nice_ceil(2.0)), (10.0, 0.5, 1.0, 2.0));
    }

    #[test]
    fn many_consumers_and_degenerate_runs_still_draw() {
        let many: Vec<ConsumerResult> = (0..15)
            .map(|i| consumer(&format!("c{i}"), if i % 2 == 0 { "polling" } else { "efo" }, &[0.1; 20]))
            .collect();
        let r = run_with(&[1; 20], many);
        let plan = ReadsPlan::of(&r);
        assert_eq!(plan.lanes.len(), MAX_LANES);
        assert!(plan.note.contains("3 consumers without a lane"), "{}", plan.note);
        assert_svg(&consumer_reads_svg(&r).unwrap().unwrap());
        for r in [
            run_with(&[], vec![consumer("empty", "polling", &[])]),
            run_with(&[1], vec![consumer("one", "efo", &[f64::NAN])]),
            RunResult {
                duration_s: f64::NAN,
                ..run_with(&[0; 5], vec![consumer("z", "polling", &[0.0; 5])])
            },
        ] {
            let svg = consumer_reads_svg(&r).unwrap().unwrap();
            assert_svg(&svg);
        }
        assert!(consumer_reads_svg(&RunResult::default()).unwrap().is_none());
    }
}
