//! SVG charts: pure functions from a finished run ([`RunResult`]), the runs of a comparison or a
//! sizing sweep to SVG text.
//!
//! The only module of the crate that imports plotters. Every chart is 1000 px wide, has a title
//! naming the scenario, axis labels with units and a legend drawn in a header band above the
//! plot (so it never hides data). Text layout uses plotters' naive font estimator; the sizes in
//! `style` are the rendered pixel sizes (plotters' SVG backend writes `font-size = size / 1.24`,
//! which `style::font` compensates for).
//!
//! All functions tolerate degenerate inputs (no seconds, one second, one shard, 10,000 shards,
//! all zeros, inconsistent lengths) and bound their output: long series are averaged into at
//! most ~1,000 points, the heatmap into at most 64 rows and ~38,000 cells.
//!
//! This file is the public face: [`ChartError`], [`all_svgs`] and the `*_svg`/`*_svgs` functions
//! re-exported from the files that draw them. The files, and what each may call:
//! - `style`: layout constants, palette, fonts, number and time formatting, the header band
//!   (title, subtitle, legend) and the drawing helpers several charts share;
//! - `run`: the run charts over time (throughput, latency, per-minute, retention);
//! - `shards`: the per-shard charts (shard-load heatmap, shard totals);
//! - `consumers`: the consumer charts (lag, reads, end-to-end latency);
//! - `cost`: the cost chart (the run cumulative, each mode per month);
//! - `compare`: the charts of `kinesim compare` (one line per variant);
//! - `size`: the charts of `kinesim size` (cost against an SLO metric, throttle rate against
//!   shards).
//!
//! Calls go one way: this file calls the chart files, the chart files call `style` (and
//! [`ChartError`]), `style` calls nothing but plotters; chart files never call each other. Besides
//! plotters they read the crate's plain result types (`metrics`, `size`) and use a few pure
//! formatters (`cost::fmt_price`/`fmt_usd`, `report::size::rule_words`); nothing here simulates
//! or touches the file system. `fixtures` holds the tests' synthetic run.

mod compare;
mod consumers;
mod cost;
#[cfg(test)]
mod fixtures;
mod run;
mod shards;
mod size;
mod style;

pub use compare::compare_svgs;
pub use consumers::{consumer_lag_svg, consumer_latency_svg, consumer_reads_svg};
pub use cost::cost_svg;
pub use run::{latency_svg, per_minute_svg, retention_svg, throughput_svg};
pub use shards::{shard_heatmap_svg, shard_totals_svg};
pub use size::size_svgs;

use crate::experiment::Outcome;

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("chart {chart}: {message}")]
    Draw { chart: &'static str, message: String },
}

/// (file name, svg) for every chart, in a fixed order
pub fn all_svgs(o: &Outcome) -> Result<Vec<(&'static str, String)>, ChartError> {
    Ok(vec![
        ("throughput.svg", throughput_svg(o)?),
        ("shard-load.svg", shard_heatmap_svg(o)?),
        ("latency.svg", latency_svg(o)?),
        ("shard-totals.svg", shard_totals_svg(o)?),
        ("cost.svg", cost_svg(o)?),
        ("retention.svg", retention_svg(o)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::metrics::{Percentiles, RunResult};

    #[test]
    fn all_svgs_in_fixed_order() {
        let all = all_svgs(&Outcome::at_default_prices(synthetic(60, 4))).unwrap();
        let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "throughput.svg",
                "shard-load.svg",
                "latency.svg",
                "shard-totals.svg",
                "cost.svg",
                "retention.svg"
            ]
        );
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
            let all =
                all_svgs(&Outcome::at_default_prices(r.clone())).unwrap_or_else(|e| panic!("{what}: {e}"));
            for (name, svg) in &all {
                assert!(svg.starts_with("<svg"), "{what}/{name}");
                assert!(!svg.contains("NaN"), "{what}/{name}: NaN");
            }
        }
    }
}
