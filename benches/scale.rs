//! The performance issue's figures at scale. Run: `cargo bench --bench scale`.
//!
//! - `aggregated_1000_shards_1h`: `benches/scenarios/1000-shards-hour.toml`, 1,000 shards at
//!   1,000,000 records/s, Zipf keys over 1 M distinct keys, one simulated hour at second-level
//!   resolution, end to end (start-up included, reports not written). The day is the same
//!   scenario for 24 h (`1000-shards-day.toml`): too long for criterion's ten samples, it is
//!   timed with `/usr/bin/time -v kinesim run` (README, Performance);
//! - `aggregated_100_shards_1d`: the first day of `100-shards-month.toml` (100 shards, diurnal
//!   30,000-90,000 records/s); the month is timed with `/usr/bin/time -v` the same way;
//! - `sweep_32_points/{1,2}_threads`: 32 independent runs (10 simulated minutes each, 20 to 51
//!   shards) through `experiment::run_all` in a rayon pool of 1 and of 2 threads: the ratio of
//!   the two is the sweep's speed-up;
//! - `startup_1m_keys`: parse the 1,000-shard scenario, hash its 1 M keys (MD5), sort them and
//!   compute every shard's key share: what precedes the first event.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kinesim::scenario::{load, parse_str, Scenario};
use std::hint::black_box;
use std::path::Path;

fn scenario(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios").join(file);
    // The strict bound alone, so figures stay comparable with runs before the bounds.
    kinesim::experiment::strict(&load(&path).unwrap_or_else(|e| panic!("{file}: {e}")))
}

fn big_runs(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    let hour = scenario("1000-shards-hour.toml");
    g.throughput(Throughput::Elements(1_000_000 * 3600));
    g.bench_function("aggregated_1000_shards_1h", |b| {
        b.iter(|| black_box(kinesim::experiment::run(&hour).totals))
    });
    let mut day = scenario("100-shards-month.toml");
    day.duration = kinesim::units::secs(86_400);
    g.throughput(Throughput::Elements(60_000 * 86_400));
    g.bench_function("aggregated_100_shards_1d", |b| {
        b.iter(|| black_box(kinesim::experiment::run(&day).totals))
    });
    g.finish();
}

fn sweep(c: &mut Criterion) {
    let points: Vec<Scenario> = (0..32)
        .map(|i| {
            let text = format!(
                r#"
                name = "sweep-{i}"
                seed = 3
                duration = "10m"
                [stream]
                shards = {shards}
                [engine]
                mode = "aggregated"
                [[producers]]
                name = "p"
                rate = {{ shape = "diurnal", mean = 30000, amplitude = 10000, peak_hour = 0 }}
                record_size = {{ distribution = "lognormal", median = "500B", p99 = "4KiB" }}
                keys = {{ distribution = "zipf", count = 10000, exponent = 0.8 }}
                "#,
                shards = 20 + i
            );
            kinesim::experiment::strict(&parse_str(&text, None).expect("sweep scenario"))
        })
        .collect();
    let mut g = c.benchmark_group("sweep_32_points");
    g.sample_size(10);
    g.throughput(Throughput::Elements(32));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("rayon pool");
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(kinesim::experiment::run_all(&points).len())))
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/1000-shards-hour.toml");
    let text = std::fs::read_to_string(&path).expect("bench scenario");
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("startup_1m_keys", |b| {
        b.iter(|| {
            let sc = parse_str(&text, Some(&path)).expect("bench scenario");
            // World::new hashes the keys, sorts them and computes the key share of every shard.
            let world = kinesim::model::world::World::new(&sc);
            black_box(&world);
        })
    });
    g.finish();
}

criterion_group!(benches, startup, sweep, big_runs);
criterion_main!(benches);
