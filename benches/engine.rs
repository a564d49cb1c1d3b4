//! Engine throughput. Run: `cargo bench --bench engine`.
//!
//! - `bare_heap_loop`: a minimal binary-heap event loop holding 100 pending events (pop one, push
//!   its successor at an exponential gap), the floor any discrete-event engine is measured
//!   against;
//! - `per_record_1_shard`: kinesim's per-record mode on the single-shard write model
//!   (1 shard, Poisson 1,200 records/s, no retry, no linger): one event per record;
//! - `aggregated_100_shards_1h`: aggregated mode, 100 shards, 60,000 records/s, Zipf keys over
//!   100,000 keys, one simulated hour, end to end (scenario in, results out).
//!
//! Throughput is reported in elements (= events or records) per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kinesim::scenario::parse_str;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

const EVENTS: u64 = 1_000_000;

fn bare_heap_loop(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(EVENTS));
    g.bench_function("bare_heap_loop", |b| {
        b.iter(|| {
            let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
            let mut heap = BinaryHeap::new();
            for i in 0..100u64 {
                heap.push(Reverse((rng.random_range(0..100_000u64), i)));
            }
            let mut seq = 100;
            let mut n = 0;
            while let Some(Reverse((t, _))) = heap.pop() {
                n += 1;
                if n == EVENTS {
                    break;
                }
                let gap = (-rng.random::<f64>().ln() * 833.0) as u64;
                heap.push(Reverse((t + gap, seq)));
                seq += 1;
            }
            black_box(n)
        })
    });
    g.finish();
}

fn per_record(c: &mut Criterion) {
    // 1,200 records/s for 833 s = ~1,000,000 records, one arrival event each.
    // The strict bound alone, so figures stay comparable with runs before the bounds.
    let sc = kinesim::experiment::strict(
        &parse_str(
            r#"
        name = "bench-per-record"
        duration = "833s"
        [stream]
        shards = 1
        [engine]
        mode = "per-record"
        [[producers]]
        name = "p"
        rate = 1200
        record_size = "100B"
        batch = { linger = "0s" }
        retry = { max_attempts = 1 }
    "#,
            None,
        )
        .expect("bench scenario"),
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1200 * 833));
    g.bench_function("per_record_1_shard", |b| b.iter(|| black_box(kinesim::experiment::run(&sc).totals)));
    g.finish();
}

fn aggregated(c: &mut Criterion) {
    // The strict bound alone, so figures stay comparable with runs before the bounds.
    let sc = kinesim::experiment::strict(
        &parse_str(
            r#"
        name = "bench-aggregated"
        duration = "1h"
        [stream]
        shards = 100
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 60000
        record_size = { distribution = "lognormal", median = "500B", p99 = "4KiB" }
        keys = { distribution = "zipf", count = 100000, exponent = 0.8 }
    "#,
            None,
        )
        .expect("bench scenario"),
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(60_000 * 3600));
    g.bench_function("aggregated_100_shards_1h", |b| {
        b.iter(|| black_box(kinesim::experiment::run(&sc).totals))
    });
    g.finish();
}

criterion_group!(benches, bare_heap_loop, per_record, aggregated);
criterion_main!(benches);
