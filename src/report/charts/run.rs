//! The charts of one run over time: stream throughput (`throughput.svg`), put latency
//! (`latency.svg`), per second against per minute (`per-minute.svg`) and retained bytes per
//! retention tier (`retention.svg`).
//!
//! Calls `style`, the run's result ([`RunResult`]) and `crate::cost::fmt_price` for the
//! retention tiers' prices; no other chart file.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{
    bucket_means, builder, draw_header, draw_note, draw_stack, fmt_count, fmt_int, fmt_ms, fmt_num,
    fmt_seconds, item, render, seg_max, short_scenario, stack_layers, step_segments, text_style, time_chart,
    widest, y_area_for, y_label_area, y_top, Area, DrawResult, Header, LegendItem, Swatch, TimeAxis, GRID,
    HEIGHT, INK, LABEL_PX, OI_BLUE, OI_GREEN, OI_ORANGE, OI_PINK, OI_VERMILLION, TICK_PX, WIDTH,
};
use super::ChartError;
use crate::cost::CostReport;
use crate::experiment::Outcome;
use crate::metrics::{Percentiles, RunResult};

/// Stream throughput over time, `throughput.svg`.
pub fn throughput_svg(r: &RunResult) -> Result<String, ChartError> {
    render("throughput", (WIDTH, HEIGHT), |root| draw_throughput(root, r))
}

/// Put latency percentiles over time, `latency.svg`.
pub fn latency_svg(r: &RunResult) -> Result<String, ChartError> {
    render("latency", (WIDTH, HEIGHT), |root| draw_latency(root, r))
}

// ---------------------------------------------------------------------------------------------
// Throughput

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
// Latency

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
// Retained bytes per retention tier (issue 4)

/// Retained bytes per retention tier over time, stacked, `retention.svg`.
pub fn retention_svg(o: &Outcome) -> Result<String, ChartError> {
    render("retention", (WIDTH, HEIGHT), |root| draw_retention(root, o, &o.cost))
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

fn draw_retention(root: &Area<'_>, r: &RunResult, c: &CostReport) -> DrawResult {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::shard_heatmap_svg;
    use super::*;

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
}
