//! The write path against hand-computed answers and closed forms. Each AWS rule names its
//! source; model assumptions are named as such.

use crate::common::{assert_conserved, poisson_excess, run};
use kinesim::model::hashing::{hash_key, ShardMap};

/// Rule: 1,000 records/s per shard (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html),
/// enforced in fixed one-second windows (model assumption, the default).
#[test]
fn evenly_spaced_1500_per_s_for_10_s_throttles_exactly_5000() {
    let r = run(r#"
        name = "exact-records"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 1500
        arrivals = "uniform"
        record_size = "100B"
        keys = { distribution = "uniform", count = 10, template = "k{}" }
        batch = { linger = "0s" }
        retry = { max_attempts = 1 }
    "#);
    let t = r.totals;
    assert_eq!(t.records_produced, 15_000);
    assert_eq!(t.records_accepted, 10_000);
    assert_eq!(t.throttled_attempts, 5_000);
    assert_eq!(t.records_dropped_throttled, 5_000);
    assert_eq!(t.records_pending, 0);
    assert!(r.series.accepted_records.iter().all(|a| *a == 1000));
    assert!((t.throttle_rate() - 1.0 / 3.0).abs() < 1e-12);
    assert_conserved(&r);
}

/// Rule: 1 MiB/s per shard, partition key bytes included
/// (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
/// 2,000 records/s of 2 KiB with 5-byte keys ("key-0".."key-9"): each record is 2,053 bytes, so a
/// second admits floor(1,048,576 / 2,053) = 510 records (512 if keys did not count).
#[test]
fn byte_limit_binds_first_and_key_bytes_count() {
    let r = run(r#"
        name = "exact-bytes"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 2000
        arrivals = "uniform"
        record_size = "2KiB"
        keys = { distribution = "uniform", count = 10, template = "key-{}" }
        batch = { linger = "0s" }
        retry = { max_attempts = 1 }
    "#);
    assert_eq!(r.totals.records_accepted, 5_100);
    assert_eq!(r.totals.throttled_attempts, 14_900);
    assert_eq!(r.totals.bytes_accepted, 5_100 * 2_053);
    assert!(r.series.accepted_bytes.iter().all(|b| *b <= 1_048_576));
    assert_conserved(&r);
}

fn poisson_scenario(mode: &str, seed: u64) -> String {
    format!(
        r#"
        name = "poisson-{mode}"
        seed = {seed}
        duration = "10m"
        [stream]
        shards = 1
        [engine]
        mode = "{mode}"
        [[producers]]
        name = "p"
        rate = 1100
        arrivals = "poisson"
        record_size = "10B"
        batch = {{ linger = "0s" }}
        retry = {{ max_attempts = 1 }}
    "#
    )
}

/// Statistical: 1 shard, Poisson 1,100 records/s, no retry. Each second's arrivals N ~
/// Poisson(1100) and the window drops (N - 1000)+, so the dropped fraction is
/// E[(N-1000)+] / 1100. Over T = 600 independent seconds its standard error is
/// sqrt(Var[(N-1000)+] / T) / 1100; we accept 4 standard errors, in both engine modes and over
/// several seeds.
#[test]
fn poisson_drops_match_the_closed_form_in_both_modes() {
    let lambda = 1100.0;
    let (mean, var) = poisson_excess(lambda, 1000);
    let expected = mean / lambda;
    let tol = 4.0 * (var / 600.0).sqrt() / lambda;
    for mode in ["per-record", "aggregated"] {
        for seed in [1, 2, 3] {
            let r = run(&poisson_scenario(mode, seed));
            assert_eq!(r.engine_mode.name(), mode);
            let produced = r.totals.records_produced as f64;
            let dropped = r.totals.records_dropped_throttled as f64;
            let frac = dropped / produced;
            assert!(
                (frac - expected).abs() < tol,
                "{mode} seed {seed}: dropped fraction {frac:.5}, closed form {expected:.5} +- {tol:.5}"
            );
            // The count itself is Poisson(1100 x 600): within 4 sd.
            assert!((produced - 660_000.0).abs() < 4.0 * 660_000f64.sqrt(), "{produced}");
            assert_conserved(&r);
        }
    }
}

/// A hot key: one key with 50% of 4,000 records/s on 8 shards. Its shard receives >= 2,000
/// records/s and throttles; the other 7 share ~2,000 records/s (~290 each) and never do.
#[test]
fn hot_key_throttles_only_its_shard() {
    for mode in ["per-record", "aggregated"] {
        let r = run(&format!(
            r#"
            name = "hot"
            duration = "60s"
            [stream]
            shards = 8
            [engine]
            mode = "{mode}"
            [[producers]]
            name = "p"
            rate = 4000
            record_size = "100B"
            keys = {{ distribution = "hot", hot = [ {{ key = "celebrity", share = 0.5 }} ], count = 10000, template = "user-{{}}" }}
            batch = {{ linger = "0s" }}
            retry = {{ max_attempts = 1 }}
        "#
        ));
        let hot = ShardMap::uniform(8).shard_of(hash_key("celebrity")) as usize;
        for (i, s) in r.shards.iter().enumerate() {
            if i == hot {
                assert!(s.throttled_records > 50_000, "{mode}: hot shard throttled {}", s.throttled_records);
                assert!(s.key_share >= 0.5);
            } else {
                assert_eq!(s.throttled_records, 0, "{mode}: shard {i} throttled");
            }
        }
        assert_eq!(r.totals.throttled_attempts, r.shards[hot].throttled_records);
        assert_conserved(&r);
    }
}

/// Retries with exponential backoff: a 1-second burst of 3,000 records on 1 shard is throttled
/// by 2,000, and the retries (up to 6 attempts, base 200 ms, full jitter) land in later, quiet
/// seconds; nothing is lost and latency shows the backoff.
#[test]
fn retries_recover_a_burst() {
    let r = run(r#"
        name = "burst"
        duration = "60s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = { shape = "spike", base = 100, peak = 3000, start = "10s", length = "1s" }
        arrivals = "uniform"
        record_size = "100B"
        batch = { linger = "0s" }
        retry = { max_attempts = 8, base = "200ms", cap = "5s", jitter = "full" }
    "#);
    let t = r.totals;
    assert!(t.throttled_attempts >= 2_000, "{t:?}");
    assert!(t.retries >= 2_000);
    assert_eq!(t.records_dropped(), 0, "{t:?}");
    assert_eq!(t.records_accepted + t.records_pending, t.records_produced);
    assert!(r.latency.overall.p99 > 100.0, "p99 {} ms shows backoff", r.latency.overall.p99);
    assert!(r.series.accepted_records.iter().all(|a| *a <= 1000));
    assert_conserved(&r);
}

/// A bounded producer buffer: what overflows is counted as lost, never silently gone.
#[test]
fn buffer_overflow_is_counted() {
    for mode in ["per-record", "aggregated"] {
        let r = run(&format!(
            r#"
            name = "buffer"
            duration = "30s"
            [stream]
            shards = 1
            [engine]
            mode = "{mode}"
            [[producers]]
            name = "p"
            rate = 3000
            record_size = "100B"
            batch = {{ linger = "0s" }}
            retry = {{ max_attempts = 50, base = "10s", cap = "10s", jitter = "none" }}
            buffer_records = 5000
        "#
        ));
        let t = r.totals;
        assert!(t.records_dropped_buffer > 10_000, "{mode}: {t:?}");
        assert!(t.records_pending <= 5000);
        assert_conserved(&r);
    }
}

/// Batching: with a 1 s linger and 500 records per call, a 2,000 records/s producer sends full
/// batches of 500 every 250 ms (2,000 / 500 = 4 calls per second), and records wait for them.
#[test]
fn batching_counts_calls_and_adds_linger() {
    let r = run(r#"
        name = "batch"
        duration = "10s"
        [stream]
        shards = 4
        [[producers]]
        name = "p"
        rate = 2000
        arrivals = "uniform"
        record_size = "100B"
        batch = { max_records = 500, linger = "1s" }
        put_rtt = "20ms"
    "#);
    assert_eq!(r.totals.put_calls, 40);
    // Records wait from 0 to 250 ms for their batch, plus the 20 ms round trip.
    let p = r.latency.overall;
    assert!(p.p50 > 120.0 && p.p50 < 160.0, "p50 {}", p.p50);
    assert!(p.max <= 270.5, "max {}", p.max);
    assert_eq!(r.totals.throttled_attempts, 0);
    // A slow producer: linger expires first, 100 ms after each batch opens.
    let r = run(r#"
        name = "linger"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 100
        arrivals = "uniform"
        record_size = "100B"
        batch = { linger = "100ms" }
        put_rtt = "20ms"
    "#);
    // Batches open every 100 ms; the one opened at 9.9 s would be sent at the 10 s horizon, so
    // its 10 records are still pending at the end.
    assert_eq!(r.totals.put_calls, 99);
    assert_eq!(r.totals.records_pending, 10);
    assert!((r.latency.overall.max - 120.0).abs() < 0.5, "max {}", r.latency.overall.max);
}

/// The token-bucket option (model assumption): evenly spaced 1,500/s admits the refill rate,
/// 1,000/s, after the initial one-second burst allowance.
#[test]
fn token_bucket_admits_its_refill_rate() {
    let r = run(r#"
        name = "bucket"
        duration = "20s"
        [stream]
        shards = 1
        write_limit = "token-bucket"
        [[producers]]
        name = "p"
        rate = 1500
        arrivals = "uniform"
        record_size = "100B"
        batch = { linger = "0s" }
        retry = { max_attempts = 1 }
    "#);
    let accepted = r.totals.records_accepted as f64;
    // 1,000 initial tokens + 1,000/s x 20 s, give or take one record of rounding per second.
    assert!((accepted - 21_000.0).abs() <= 20.0, "{accepted}");
    assert_conserved(&r);
}

/// Per-record and aggregated modes agree statistically on the same multi-shard scenario (Zipf
/// keys, log-normal sizes, Poisson arrivals, no linger, no retry): the throttled fraction of
/// each shard over 5 minutes matches within 1.5 percentage points, and the totals within 1%.
#[test]
fn per_record_and_aggregated_modes_agree() {
    let make = |mode: &str| {
        format!(
            r#"
            name = "agree"
            seed = 5
            duration = "5m"
            [stream]
            shards = 4
            [engine]
            mode = "{mode}"
            [[producers]]
            name = "p"
            rate = 3600
            record_size = {{ distribution = "lognormal", median = "200B", p99 = "1KiB" }}
            keys = {{ distribution = "zipf", count = 2000, exponent = 1.0, template = "user-{{}}" }}
            batch = {{ linger = "0s" }}
            retry = {{ max_attempts = 1 }}
        "#
        )
    };
    let a = run(&make("per-record"));
    let b = run(&make("aggregated"));
    let rel = |x: u64, y: u64| (x as f64 - y as f64).abs() / (x.max(y).max(1) as f64);
    assert!(rel(a.totals.records_produced, b.totals.records_produced) < 0.01);
    assert!(rel(a.totals.records_accepted, b.totals.records_accepted) < 0.01);
    let mut some_throttling = false;
    for (sa, sb) in a.shards.iter().zip(&b.shards) {
        let f =
            |s: &kinesim::metrics::ShardTotals| s.throttled_records as f64 / s.offered_records.max(1) as f64;
        assert!((f(sa) - f(sb)).abs() < 0.015, "{}: {:.4} vs {:.4}", sa.shard_id, f(sa), f(sb));
        assert!((sa.key_share - sb.key_share).abs() < 1e-12);
        some_throttling |= sa.throttled_records > 0;
    }
    assert!(some_throttling, "the Zipf head must make at least one shard throttle");
}

/// Billing units counted by the model (https://aws.amazon.com/kinesis/data-streams/pricing/):
/// a PUT payload unit is a 25 KB chunk of a record, rounded up (35 KB = 2 units, the pricing
/// page's example); on-demand ingest rounds each record up to whole KiB (4.5 KiB bills as 5).
#[test]
fn billing_units_round_up_per_record() {
    for mode in ["per-record", "aggregated"] {
        let r = run(&format!(
            r#"
            name = "units"
            duration = "10s"
            [stream]
            shards = 4
            [engine]
            mode = "{mode}"
            [[producers]]
            name = "p"
            rate = 20
            arrivals = "uniform"
            record_size = "35KB"
            keys = {{ distribution = "uniform", count = 10, template = "k{{}}" }}
            batch = {{ linger = "0s" }}
            [[producers]]
            name = "q"
            rate = 10
            arrivals = "uniform"
            record_size = "4606B"
            keys = {{ distribution = "uniform", count = 1, template = "k{{}}" }}
            batch = {{ linger = "0s" }}
        "#
        ));
        // Billed sizes are data blobs (`[cost] payload_counts_key` defaults to false): p: 200
        // records x 2 units (35,000 bytes); q: 100 records of 4,606 bytes (just under 4.5 KiB;
        // the 2-byte key "k0" is not billed) = 1 unit each.
        assert_eq!(r.totals.records_accepted, 300, "{mode}");
        assert_eq!(r.totals.put_payload_units, 200 * 2 + 100, "{mode}");
        // ceil(35,000 / 1,024) = 35 KiB; ceil(4,606 / 1,024) = 5 KiB.
        assert_eq!(r.totals.billed_ingest_kib, 200 * 35 + 100 * 5, "{mode}");
    }
}

/// The record trace follows sampled records from producer to shard: each key's hash key is
/// MD5 of the key, its shard is the one whose range holds the hash, every attempt is listed,
/// accepted records carry per-shard sequence numbers that increase with time, every traced
/// record ends accepted, dropped, lost or pending, and tracing changes nothing else in the run.
#[test]
fn record_trace_follows_records_to_their_shards() {
    let toml = |trace: u32| {
        format!(
            r#"
            name = "trace"
            duration = "20s"
            [stream]
            shards = 4
            [engine]
            mode = "per-record"
            trace_records = {trace}
            [[producers]]
            name = "p"
            rate = 4000
            record_size = "100B"
            keys = {{ distribution = "hot", hot = [ {{ key = "celebrity", share = 0.4 }} ], count = 1000 }}
            retry = {{ max_attempts = 3, base = "100ms" }}
        "#
        )
    };
    let r = run(&toml(300));
    let map = ShardMap::uniform(4);
    let mut ends = std::collections::BTreeMap::new();
    let rows: Vec<_> = r.trace.iter().collect();
    assert!(!rows.is_empty());
    for t in &rows {
        if !t.partition_key.is_empty() {
            assert_eq!(t.hash_key, hash_key(&t.partition_key), "record {}", t.record);
        }
        if !t.shard_id.is_empty() {
            assert_eq!(t.shard_id, format!("shardId-{:012}", map.shard_of(t.hash_key)));
        }
        if matches!(t.event, "accepted" | "dropped" | "lost" | "pending") {
            assert!(ends.insert(t.record, t.event).is_none(), "record {} ends twice", t.record);
        }
    }
    let traced: std::collections::BTreeSet<u32> = rows.iter().map(|t| t.record).collect();
    assert_eq!(traced.len(), 300);
    assert_eq!(ends.len(), 300, "every traced record is accounted for");
    assert!(rows.iter().any(|t| t.event == "throttled" && t.detail.contains("1,000 records/s")));
    // Per shard, in sequence-number order, acceptance times never go back.
    let mut accepted: Vec<_> = rows.iter().filter(|t| t.event == "accepted").collect();
    accepted.sort_by_key(|t| (t.shard_id.clone(), t.sequence_number));
    for w in accepted.windows(2) {
        if w[0].shard_id == w[1].shard_id {
            assert!(w[1].sequence_number > w[0].sequence_number);
            assert!(w[1].time_s >= w[0].time_s, "{} sequence numbers follow time", w[0].shard_id);
        }
    }
    let untraced = run(&toml(0));
    assert!(untraced.trace.is_empty());
    assert_eq!(
        kinesim::report::json::render(&r),
        kinesim::report::json::render(&untraced),
        "tracing does not change the run"
    );
}

/// KPL aggregation (https://docs.aws.amazon.com/streams/latest/dev/kinesis-kpl-concepts.html:
/// many user records in one Kinesis record, up to
/// AggregationMaxSize): 1,000 evenly spaced records/s of 100 B with 5-byte keys, aggregated
/// records of at most 1,000 bytes. A user record adds 100 + 5 + 6 (overhead) = 111 bytes, an
/// aggregated record starts at 5 (its key) + 20 = 25 bytes, so a full one holds 8 user records
/// (913 bytes; a ninth would make 1,024). Over 10 s: 10,000 user records in ~1,250 Kinesis
/// records (plus one partly filled per linger flush), each one PUT payload unit; the bytes the
/// shard accepts are exactly 111 per user record + 25 per Kinesis record.
#[test]
fn kpl_aggregation_packs_user_records_by_size() {
    let r = run(r#"
        name = "agg"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 1000
        arrivals = "uniform"
        record_size = "100B"
        keys = { distribution = "uniform", count = 10, template = "key-{}" }
        batch = { linger = "1s" }
        aggregation = { max_size = "1000B" }
    "#);
    let t = &r.totals;
    let k = r.kinesis_records_accepted;
    assert_eq!(t.throttled_attempts, 0);
    assert!(t.records_accepted >= 9_000, "{}", t.records_accepted);
    let full = t.records_accepted / 8;
    assert!((full..=full + 11).contains(&k), "{k} Kinesis records for {} user records", t.records_accepted);
    assert_eq!(t.put_payload_units, k, "each aggregated record is one 25 KB unit");
    assert_eq!(t.bytes_accepted, 111 * t.records_accepted + 25 * k);
    crate::common::assert_conserved(&r);
}

/// Aggregated records count once against the shard's 1,000 records/s: 3,000 small user
/// records/s fit one shard aggregated, and are throttled without aggregation.
#[test]
fn kpl_aggregation_lifts_the_record_limit() {
    let text = |agg: &str| {
        format!(
            r#"
            name = "agg-limit"
            duration = "30s"
            [stream]
            shards = 1
            [[producers]]
            name = "p"
            rate = 3000
            record_size = "100B"
            {agg}
            "#
        )
    };
    let with = run(&text("aggregation = true"));
    assert_eq!(with.totals.throttled_attempts, 0);
    assert!(with.kinesis_records_accepted * 50 < with.totals.records_accepted);
    let without = run(&text(""));
    assert!(without.totals.throttled_attempts > 30 * 1_500, "{}", without.totals.throttled_attempts);
    assert_eq!(without.kinesis_records_accepted, without.totals.records_accepted);
    for (extra, expect) in [
        ("aggregation = true\n[engine]\nmode = \"aggregated\"", "set engine.mode = \"per-record\""),
        ("aggregation = { max_size = \"2MiB\" }", "exceed the stream's maximum record size"),
        ("aggregation = true\nbatch = { linger = \"0s\" }", "set batch.linger above 0"),
        ("aggregation = { max_size = \"100B\" }", "cannot hold even one"),
        ("aggregation = 3", "expected true, false or a table"),
    ] {
        let err = kinesim::scenario::parse_str(&text(extra), None).expect_err(extra).to_string();
        assert!(err.contains(expect), "{extra}: {err}");
    }
}

/// Rule: large records burst from a tank refilled at the sustained 1 MiB/s per shard
/// (https://docs.aws.amazon.com/streams/latest/dev/large-records.html); the tank's size is a
/// model assumption (`stream.burst_bytes`, 10 MiB). One 5 MiB record every 10 s on an idle shard
/// is all accepted (it was all throttled when records above 1 MiB had to fit one second's
/// 1 MiB).
#[test]
fn occasional_large_records_burst_from_the_tank() {
    let make = |rate: &str| {
        format!(
            r#"
            name = "large"
            duration = "10m"
            [stream]
            shards = 1
            max_record_size = "10MiB"
            [[producers]]
            name = "p"
            rate = {rate}
            arrivals = "uniform"
            record_size = "5MiB"
            keys = {{ distribution = "uniform", count = 1, template = "k{{}}" }}
            batch = {{ linger = "0s" }}
            retry = {{ max_attempts = 1 }}
        "#
        )
    };
    let r = run(&make("0.1"));
    assert!((60..=61).contains(&r.totals.records_produced), "{}", r.totals.records_produced);
    assert_eq!(r.totals.throttled_attempts, 0);
    assert_eq!(r.totals.records_accepted, r.totals.records_produced);
    assert_conserved(&r);
    // Sustained above the refill: one 5 MiB record every 2 s (2.5 MiB/s) for 600 s. Closed form:
    // the shard admits the tank's 10 MiB plus 1 MiB/s x 600 s, i.e. (10 + 600) / 5 = 122
    // records (give or take one for where the run stops), of 300 offered: 59.3% throttled.
    let r = run(&make("0.5"));
    let produced = r.totals.records_produced as f64;
    assert!((300.0..=301.0).contains(&produced), "{produced}");
    let accepted = r.totals.records_accepted as f64;
    assert!((accepted - 122.0).abs() <= 1.0, "{accepted}");
    assert!((r.totals.throttle_rate() - 178.0 / 300.0).abs() <= 2.0 / 300.0, "{}", r.totals.throttle_rate());
    assert_conserved(&r);
}
