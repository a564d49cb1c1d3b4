//! Renders the report charts of a synthetic run, to look at them.
//!
//! ```text
//! cargo run --example chart_demo [-- VARIANT]   # writes /tmp/charts/[VARIANT-]<chart>.svg
//! ```
//!
//! Variants: `demo` (default: 300 s, 8 shards, one hot shard), `long` (100,000 s, 10,000
//! shards), `tiny` (1 s, 1 shard), `empty` (nothing simulated), `calm` (no throttling, linear
//! latency axis).

use std::fs;
use std::path::Path;

use kinesim::experiment::Outcome;
use kinesim::kinds::{CapacityMode, EngineMode};
use kinesim::metrics::{
    CapacityResult, Heatmap, LatencyResult, Percentiles, RunResult, Series, ShardTotals, Totals,
};
use kinesim::report::charts;

/// Small deterministic generator (xorshift64*), so the demo needs no extra crates.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Poisson-ish: normal approximation with variance = mean.
    fn poisson(&mut self, mean: f64) -> u64 {
        let u1 = self.next_f64().max(1e-12);
        let u2 = self.next_f64();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (mean + z * mean.sqrt()).round().max(0.0) as u64
    }
}

fn shard_id(i: usize) -> String {
    format!("shardId-{i:012}")
}

/// A run of `seconds` s over `n_shards` shards; shard `hot` receives `hot_factor` times its fair
/// share of keys. `rate(t)` is the offered stream load [records/s].
fn synth(
    name: &str,
    seconds: usize,
    n_shards: usize,
    hot: usize,
    hot_factor: f64,
    rate: impl Fn(usize) -> f64,
) -> RunResult {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let limit = 1000u64;
    let weights: Vec<f64> = (0..n_shards).map(|i| if i == hot { hot_factor } else { 1.0 }).collect();
    let wsum: f64 = weights.iter().sum();
    let share: Vec<f64> = weights.iter().map(|w| w / wsum).collect();

    let bucket_s = if seconds > 600 { (seconds as u64).div_ceil(300) } else { 5 };
    let n_buckets = (seconds as u64).div_ceil(bucket_s) as usize;
    let mut util = vec![0f32; n_shards * n_buckets];
    let mut series = Series::default();
    let mut shards: Vec<ShardTotals> = (0..n_shards)
        .map(|i| ShardTotals {
            shard_id: shard_id(i),
            starting_hash_key: 0,
            ending_hash_key: 0,
            key_share: share[i],
            offered_records: 0,
            accepted_records: 0,
            throttled_records: 0,
            accepted_bytes: 0,
            peak_offered_records_per_s: 0,
            peak_offered_bytes_per_s: 0,
            ..ShardTotals::default()
        })
        .collect();
    let mut totals = Totals::default();
    let mut carry = vec![0u64; n_shards]; // retries carried into the next second
    let big = n_shards > 256;
    for t in 0..seconds {
        let produced = rng.poisson(rate(t));
        let (mut acc, mut thr, mut ret, mut drop) = (0u64, 0u64, 0u64, 0u64);
        for s in 0..n_shards {
            let fresh = if big {
                (produced as f64 * share[s]).round() as u64
            } else {
                rng.poisson(produced as f64 * share[s])
            };
            let offered = fresh + carry[s];
            let a = offered.min(limit);
            let th = offered - a;
            let retry = th * 7 / 10;
            drop += th - retry;
            ret += carry[s];
            carry[s] = retry;
            acc += a;
            thr += th;
            let sh = &mut shards[s];
            sh.offered_records += offered;
            sh.accepted_records += a;
            sh.throttled_records += th;
            sh.accepted_bytes += a * 600;
            sh.peak_offered_records_per_s = sh.peak_offered_records_per_s.max(offered);
            util[s * n_buckets + t / bucket_s as usize] += offered as f32 / limit as f32 / bucket_s as f32;
        }
        series.produced_records.push(produced);
        series.offered_records.push(acc + thr);
        series.offered_bytes.push((acc + thr) * 600);
        series.accepted_records.push(acc);
        series.accepted_bytes.push(acc * 600);
        series.throttled_records.push(thr);
        series.retried_records.push(ret);
        series.dropped_records.push(drop);
        series.open_shards.push(n_shards as u32);
        totals.records_produced += produced;
        totals.records_accepted += acc;
        totals.throttled_attempts += thr;
        totals.retries += ret;
        totals.records_dropped_throttled += drop;
    }

    let interval_s = if seconds > 600 { (seconds as u64).div_ceil(600) } else { 5 };
    let over_time: Vec<Option<Percentiles>> = (0..(seconds as u64).div_ceil(interval_s))
        .map(|i| {
            let lo = (i * interval_s) as usize;
            let hi = ((i + 1) * interval_s).min(seconds as u64) as usize;
            let acc: u64 = series.accepted_records[lo..hi].iter().sum();
            if acc == 0 {
                return None;
            }
            let thr: u64 = series.throttled_records[lo..hi].iter().sum();
            let pressure = thr as f64 / acc as f64;
            let base = 55.0 + 10.0 * rng.next_f64();
            Some(Percentiles {
                count: acc,
                p50: base,
                p90: base * 1.6 + 600.0 * pressure,
                p99: base * 2.2 + 4000.0 * pressure,
                max: base * 3.0 + 9000.0 * pressure + 200.0 * rng.next_f64(),
            })
        })
        .collect();
    let overall = Percentiles {
        count: totals.records_accepted,
        p50: 60.0,
        p90: 150.0,
        p99: 900.0,
        max: over_time.iter().flatten().map(|p| p.max).fold(0.0, f64::max),
    };

    RunResult {
        scenario: name.to_string(),
        description: "synthetic demo".to_string(),
        seed: 1,
        duration_s: seconds as f64,
        engine_mode: if big { EngineMode::Aggregated } else { EngineMode::PerRecord },
        capacity: CapacityResult {
            mode: CapacityMode::Provisioned,
            shards_initial: n_shards as u32,
            shards_final: n_shards as u32,
            shards_max: n_shards as u32,
            reshard_count: 0,
            ..Default::default()
        },
        series,
        shards,
        heatmap: Heatmap { bucket_s, n_shards, n_buckets, utilisation: util },
        latency: LatencyResult { overall, interval_s, over_time },
        totals,
        shard_limit_records_per_s: limit,
        shard_limit_bytes_per_s: 1 << 20,
        ..RunResult::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let variant = std::env::args().nth(1).unwrap_or_else(|| "demo".to_string());
    let r = match variant.as_str() {
        "demo" => synth("hot-partition-key", 300, 8, 2, 3.0, |t| 3000.0 + 4000.0 * (t as f64 / 300.0)),
        "calm" => synth("steady-calm", 300, 4, 0, 1.0, |_| 2000.0),
        "long" => synth("long-run-10k-shards", 100_000, 10_000, 4821, 4.0, |t| {
            6.0e6 + 2.0e6 * (t as f64 / 8000.0).sin()
        }),
        "tiny" => synth("tiny", 1, 1, 0, 1.0, |_| 500.0),
        "empty" => RunResult { scenario: "empty".to_string(), ..RunResult::default() },
        other => return Err(format!("unknown variant {other}").into()),
    };
    let dir = Path::new("/tmp/charts");
    fs::create_dir_all(dir)?;
    let prefix = if variant == "demo" { String::new() } else { format!("{variant}-") };
    for (name, svg) in charts::all_svgs(&Outcome::at_default_prices(r))? {
        let path = dir.join(format!("{prefix}{name}"));
        fs::write(&path, &svg)?;
        println!("{} ({} bytes)", path.display(), svg.len());
    }
    Ok(())
}
