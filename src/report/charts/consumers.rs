//! The consumer charts of one run, drawn only when it has consumers: iterator age per consumer
//! (`consumer-lag.svg`), bytes read against the shard read limit (`consumer-reads.svg`) and
//! each consumer's end-to-end latency distribution (`consumer-latency.svg`).
//!
//! Calls `style` (one line per consumer is its variant chart) and the run's result
//! ([`RunResult`]); no other chart file.

use plotters::prelude::*;

use super::style::{
    builder, draw_header, draw_note, draw_variants, draw_variants_and_limit, fmt_ms, fmt_num, item, render,
    short_scenario, text_style, widest, y_label_area, Area, DrawResult, Header, Swatch, VariantSeries, GRID,
    HEIGHT, INK, LABEL_PX, TICK_PX, VARIANT_COLOURS, WIDTH,
};
use super::ChartError;
use crate::kinds::ConsumerKind;
use crate::metrics::RunResult;

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
    let polling: Vec<_> = r.consumers.iter().filter(|c| c.kind == ConsumerKind::Polling).collect();
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
