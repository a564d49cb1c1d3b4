//! Experiments: one run of a scenario (sweeps and comparisons build on this). Pure: a scenario
//! in, a [`RunResult`] out; no file system.

use crate::metrics::{CapacityResult, RunResult, Textbook};
use crate::model::keys::KeySpace;
use crate::model::sizes::SizeSampler;
use crate::model::world::World;
use crate::scenario::defaults::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::scenario::{CapacityMode, EngineMode, Scenario};
use crate::units::to_secs_f64;

/// Simulate `scenario` from start to end, and price the run.
pub fn run(scenario: &Scenario) -> RunResult {
    let mut r = simulate(scenario);
    r.cost = Some(crate::cost::compute(&scenario.cost, scenario.stream.retention, &r));
    r
}

/// Simulate `scenario` from start to end.
fn simulate(scenario: &Scenario) -> RunResult {
    let (f, cap) = World::new(scenario).run();
    let n = scenario.stream.shards;
    RunResult {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        seed: scenario.seed,
        duration_s: to_secs_f64(scenario.duration),
        engine_mode: match scenario.engine.mode {
            EngineMode::PerRecord => "per-record",
            EngineMode::Aggregated => "aggregated",
        }
        .to_string(),
        capacity: CapacityResult {
            mode: match scenario.stream.mode {
                CapacityMode::Provisioned => "provisioned",
                CapacityMode::OnDemand => "on-demand",
            }
            .into(),
            shards_initial: n,
            shards_final: cap.shards_final,
            shards_max: cap.shards_max,
            reshard_count: cap.reshard_count,
            calls: cap.calls,
            mode_switches: cap.mode_switches,
        },
        textbook: textbook(scenario),
        series: f.series,
        shards: f.shards,
        heatmap: f.heatmap,
        shard_buckets: f.shard_rows,
        latency: f.latency,
        totals: f.totals,
        shard_limit_records_per_s: SHARD_WRITE_RECORDS_PER_S,
        trace: cap.trace,
        shard_limit_bytes_per_s: SHARD_WRITE_BYTES_PER_S,
        cost: None,
    }
}

/// The textbook formula for the scenario's offered traffic.
pub fn textbook(s: &Scenario) -> Textbook {
    let d = s.duration;
    let mut mean_rate = 0.0;
    let mut peak_rate = 0.0;
    let mut bytes_per_s = 0.0;
    for p in &s.producers {
        let keys = KeySpace::mean_key_len(&p.keys);
        let size = SizeSampler::new(&p.record_size, s.stream.max_record_size).mean() + keys;
        let mean = p.rate.mean_rate(0, d);
        mean_rate += mean;
        // Producers peak at different times; the sum of peaks is the conservative reading.
        peak_rate += p.rate.peak_rate(d);
        bytes_per_s += mean * size;
    }
    let avg_size = if mean_rate > 0.0 { bytes_per_s / mean_rate } else { 0.0 };
    let avg_kib = (avg_size / 1024.0).ceil().max(1.0);
    let mean_in = mean_rate * avg_kib;
    let peak_in = peak_rate * avg_kib;
    let shards = |kib: f64| (kib / 1024.0).ceil().max(1.0) as u64;
    Textbook {
        mean_records_per_s: mean_rate,
        peak_records_per_s: peak_rate,
        avg_record_kib: avg_kib,
        mean_ingress_kib_per_s: mean_in,
        peak_ingress_kib_per_s: peak_in,
        peak_egress_kib_per_s: 0.0,
        shards_at_mean: shards(mean_in),
        shards_at_peak: shards(peak_in),
        shards_at_peak_with_record_limit: shards(peak_in)
            .max((peak_rate / SHARD_WRITE_RECORDS_PER_S as f64).ceil() as u64),
    }
}

/// Run several independent scenarios in parallel (rayon); results come back in input order, so
/// the output never depends on the thread count.
pub fn run_all(scenarios: &[Scenario]) -> Vec<RunResult> {
    use rayon::prelude::*;
    scenarios.par_iter().map(run).collect()
}
