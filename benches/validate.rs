//! Validating a scenario whose producer lists many hot keys. Run: `cargo bench --bench validate`.
//!
//! - `hot_keys/{10000,100000,400000}`: `kinesim validate` of a generated scenario with that many
//!   `{ key = "hot-N", share = 1e-6 }` entries (400,000 is a 12 MB file, under the 16 MiB
//!   scenario limit), from text to a validated scenario (TOML parsing included). The time per
//!   entry should stay flat across the three sizes: a check that compares each entry with every
//!   earlier one (duplicate keys) or rescans the text per entry shows as a time per entry that
//!   grows with the list.
//! - `hot_keys_every_entry_bad/100000`: the same list with `share = 0` everywhere, so every
//!   entry is a located problem (line and column of each).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kinesim::scenario::parse_str;
use std::hint::black_box;

/// A scenario with `n` hot keys of share `share` each, one per line.
fn hot_scenario(n: usize, share: &str) -> String {
    let mut s = String::from(
        "name = \"hot\"\nduration = \"10m\"\n[stream]\nshards = 1\n[[producers]]\nname = \"app\"\n\
         rate = 100\nrecord_size = \"100B\"\nkeys = { distribution = \"hot\", count = 10, hot = [\n",
    );
    for i in 0..n {
        s.push_str(&format!("{{key=\"hot-{i}\",share={share}}},\n"));
    }
    s.push_str("]}\n");
    s
}

fn hot_keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("hot_keys");
    g.sample_size(10);
    for n in [10_000, 100_000, 400_000] {
        let text = hot_scenario(n, "1e-6");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| black_box(parse_str(text, None).map(|s| s.producers.len()).ok()))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hot_keys_every_entry_bad");
    g.sample_size(10);
    let n = 100_000;
    let text = hot_scenario(n, "0");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
        b.iter(|| black_box(parse_str(text, None).err().map(|e| e.problems().len())))
    });
    g.finish();
}

criterion_group!(benches, hot_keys);
criterion_main!(benches);
