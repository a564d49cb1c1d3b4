//! Invariants over random valid scenarios (proptest): records are conserved, no shard ever
//! accepts more than its limits in a second, and runs are deterministic.

use crate::common::{assert_conserved, scenario};
use kinesim::experiment;
use kinesim::report;
use proptest::prelude::*;

fn producer() -> impl Strategy<Value = String> {
    (
        0u32..3000,
        prop::bool::ANY,
        prop_oneof![Just("\"100B\"".to_string()), (1u32..400_000).prop_map(|m| format!("{{ distribution = \"uniform\", min = \"1B\", max = \"{m}B\" }}"))],
        prop_oneof![
            (1u32..5000).prop_map(|c| format!("{{ distribution = \"uniform\", count = {c} }}")),
            (1u32..5000, 0.5f64..2.0).prop_map(|(c, e)| format!("{{ distribution = \"zipf\", count = {c}, exponent = {e:.3} }}")),
            (0.05f64..0.9).prop_map(|s| format!("{{ distribution = \"hot\", hot = [{{ key = \"hot\", share = {s:.3} }}], count = 100 }}")),
            Just("{ distribution = \"random\" }".to_string()),
        ],
        (1u32..=500, 0u32..200),
        (1u32..5, 1u32..500, 1u32..1000),
    )
        .prop_map(|(rate, poisson, size, keys, (max_records, linger), (attempts, base, buffer))| {
            format!(
                "[[producers]]\nname = \"p{rate}-{linger}-{attempts}\"\nrate = {rate}\narrivals = \"{}\"\nrecord_size = {size}\nkeys = {keys}\n\
                 batch = {{ max_records = {max_records}, linger = \"{linger}ms\" }}\n\
                 retry = {{ max_attempts = {attempts}, base = \"{base}ms\", cap = \"2s\" }}\nbuffer_records = {}\n",
                if poisson { "poisson" } else { "uniform" },
                buffer * 50
            )
        })
}

fn any_scenario() -> impl Strategy<Value = String> {
    (1u32..6, 2u32..20, prop::bool::ANY, prop::bool::ANY, any::<u16>(), prop::collection::vec(producer(), 1..3)).prop_map(
        |(shards, secs, bucket, aggregated, seed, producers)| {
            let mut names = std::collections::BTreeSet::new();
            let producers: String = producers
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    names.insert(i);
                    p.replacen("name = \"p", &format!("name = \"q{i}-p"), 1)
                })
                .collect();
            format!(
                "name = \"prop\"\nseed = {seed}\nduration = \"{secs}s\"\n[stream]\nshards = {shards}\nwrite_limit = \"{}\"\n[engine]\nmode = \"{}\"\n{producers}",
                if bucket { "token-bucket" } else { "window" },
                if aggregated { "aggregated" } else { "per-record" },
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(toml in any_scenario()) {
        let sc = scenario(&toml);
        let r = experiment::run(&sc);
        assert_conserved(&r);
        // Short runs have one-second heatmap buckets: per shard-second accepted <= 1,000 records
        // with fixed windows; a token bucket holding one second's worth may add that on top.
        let burst = if toml.contains("token-bucket") { 2 } else { 1 };
        prop_assert_eq!(r.heatmap.bucket_s, 1);
        for row in &r.shard_buckets {
            prop_assert!(row.accepted_records <= burst * 1000, "shard {} second {}: {}", row.shard, row.bucket_start_s, row.accepted_records);
        }
        // Stream level: accepted bytes per second <= open shards x 1 MiB (x 2 for the bucket).
        for (b, open) in r.series.accepted_bytes.iter().zip(&r.series.open_shards) {
            prop_assert!(*b <= burst * *open as u64 * 1_048_576);
        }
        // Determinism: the same scenario twice gives identical bytes.
        let again = experiment::run(&sc);
        prop_assert_eq!(report::json::render(&r), report::json::render(&again));
        prop_assert_eq!(report::csv::timeseries(&r), report::csv::timeseries(&again));
    }
}
