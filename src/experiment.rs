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
        consumers: cap.consumers,
        warnings: warnings(scenario),
        shard_limit_bytes_per_s: SHARD_WRITE_BYTES_PER_S,
        kinesis_records_accepted: cap.kinesis_records_accepted,
        cost: None,
    }
}

/// Warnings about how to read a run of `s`.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut w = Vec::new();
    for p in &s.producers {
        if let crate::scenario::RateShape::Trace { export: Some(e), .. } = &p.rate {
            let period =
                if e.period_s == 60 { "one-minute".to_string() } else { format!("{}-second", e.period_s) };
            w.push(format!(
                "producer {}: traffic from {period} CloudWatch sums ({}); each period is spread over its seconds \
                 ({}), so bursts shorter than a period in production are not in this run",
                p.name,
                e.format,
                match p.arrivals {
                    crate::scenario::Arrivals::Uniform => "evenly: spread = \"evenly\"",
                    crate::scenario::Arrivals::Poisson => "as Poisson arrivals: spread = \"poisson\"",
                }
            ));
            if let Some(b) = e.mean_record_bytes {
                let mine = SizeSampler::new(&p.record_size, s.stream.max_record_size).mean()
                    + KeySpace::mean_key_len(&p.keys);
                if (mine - b).abs() > 0.1 * b {
                    w.push(format!(
                        "producer {}: the export's records average {:.0} B (IncomingBytes / IncomingRecords, key included) but this producer's average {:.0} B; set record_size to match",
                        p.name, b, mine
                    ));
                }
            }
        }
    }
    w
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
    // Outgoing = incoming x number of consumers (how-do-i-size-a-stream); 2 MiB/s per shard.
    let consumers = s.consumers.len() as f64;
    let shards = |kib: f64| (kib / 1024.0).max(kib * consumers / 2048.0).ceil().max(1.0) as u64;
    Textbook {
        mean_records_per_s: mean_rate,
        peak_records_per_s: peak_rate,
        avg_record_kib: avg_kib,
        mean_ingress_kib_per_s: mean_in,
        peak_ingress_kib_per_s: peak_in,
        peak_egress_kib_per_s: peak_in * consumers,
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

/// A rough estimate of a run's work, made before running it, so that an enormous run is refused
/// with the knob to change rather than leaving the user waiting (or the machine swapping).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Events (per-record mode: records and their retries; aggregated: cohorts).
    pub events: f64,
    /// Peak memory [bytes]: key tables, per-second series, per-shard buckets.
    pub memory_bytes: f64,
}

/// Runs estimated above this many events are refused without `--force` (about two minutes at
/// ten million events per second).
pub const MAX_EVENTS: f64 = 1e9;
/// Runs estimated above this memory are refused without `--force` [bytes].
pub const MAX_MEMORY_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

/// Estimate the work of `scenario`.
pub fn estimate(scenario: &Scenario) -> Estimate {
    let d = scenario.duration;
    let records: f64 = scenario.producers.iter().map(|p| p.rate.integral(0, d)).sum();
    let seconds = to_secs_f64(d).ceil();
    let shards = f64::from(scenario.stream.shards.max(scenario.capacity.on_demand.initial_shards));
    let events = match scenario.engine.mode {
        // One arrival event per record, and at most one more per retry allowed.
        EngineMode::PerRecord => {
            let attempts = scenario.producers.iter().map(|p| p.retry.max_attempts).max().unwrap_or(1);
            records * f64::from(attempts.min(2))
        }
        EngineMode::Aggregated => {
            let ticks = seconds / to_secs_f64(scenario.engine.tick);
            ticks * shards * scenario.producers.len() as f64
        }
    };
    // Consumers: one read of every shard per poll (enhanced fan-out: every push interval).
    let reads: f64 = scenario
        .consumers
        .iter()
        .map(|c| {
            let every = match c.kind {
                crate::scenario::ConsumerKind::Polling => c.poll_interval,
                crate::scenario::ConsumerKind::EnhancedFanOut => crate::scenario::defaults::EFO_PUSH_INTERVAL,
            };
            to_secs_f64(d) / to_secs_f64(every.max(1)) * shards
        })
        .sum();
    let events = events + reads;
    let keys: f64 = scenario
        .producers
        .iter()
        .map(|p| match &p.keys {
            crate::scenario::KeySpec::Uniform { count, .. }
            | crate::scenario::KeySpec::Zipf { count, .. } => *count as f64,
            crate::scenario::KeySpec::Hot { hot, count, .. } => (*count as usize + hot.len()) as f64,
            crate::scenario::KeySpec::Random => 0.0,
        })
        .sum();
    // Per key: hash, length, weight and their sorted copies (~60 bytes); per second: the series
    // (~12 counters); per shard: 600 heatmap buckets of counters.
    let memory_bytes = keys * 60.0 + seconds * 12.0 * 8.0 + shards * 600.0 * 40.0;
    Estimate { events, memory_bytes }
}

impl Estimate {
    /// `Some(advice)` when the run is too big to start without `--force`.
    pub fn refusal(&self, scenario: &Scenario) -> Option<String> {
        if self.events > MAX_EVENTS {
            let knob = match scenario.engine.mode {
                EngineMode::PerRecord => {
                    "set `[engine] mode = \"aggregated\"` (one cohort per shard per second)"
                }
                EngineMode::Aggregated => "use a longer `engine.tick`, fewer shards, or a shorter `duration`",
            };
            return Some(format!(
                "this run would process about {:.1e} events (the guard is {:.0e}); {knob}, or shorten `duration`; \
                 --force runs it anyway",
                self.events, MAX_EVENTS
            ));
        }
        if self.memory_bytes > MAX_MEMORY_BYTES {
            return Some(format!(
                "this run would need about {:.1} GiB of memory (the guard is 4 GiB), mostly for distinct \
                 partition keys; lower `keys.count`, or --force runs it anyway",
                self.memory_bytes / 1024f64.powi(3)
            ));
        }
        None
    }
}
