//! The charts of `kinesim compare`: throttled records, accepted records, open shards and p99 put
//! latency over time, one line per variant (`compare-*.svg`).
//!
//! Calls `style` and the runs' results ([`RunResult`]); no other chart file.

use super::style::{draw_variants, render, VariantSeries, HEIGHT, WIDTH};
use super::ChartError;
use crate::experiment::Outcome;
use crate::metrics::RunResult;

/// The compare charts of several runs of one workload: (file name, svg), in a fixed order.
pub fn compare_svgs(runs: &[Outcome]) -> Result<Vec<(&'static str, String)>, ChartError> {
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
