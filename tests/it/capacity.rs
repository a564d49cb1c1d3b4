//! Provisioned capacity changes through whole runs: scheduled UpdateShardCount calls, AWS's
//! rules on every call, uniform scaling with parent shards, and autoscaling policies.
//! Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html

use crate::common::{assert_conserved, run};
use kinesim::model::hashing::{hash_key, ShardMap};

/// 2 shards receiving 3,000 evenly spaced records/s throttle ~1,000/s; a scheduled call to 4
/// shards at 60 s completes after the 3-minute resharding (240 s) and throttling stops. The
/// call to 9 at 300 s is refused (more than double 4); the call to 3 at 400 s is accepted but
/// completes after the run ends.
#[test]
fn scheduled_reshard_ends_throttling_after_the_update() {
    for mode in ["per-record", "aggregated"] {
        let r = run(&format!(
            r#"
            name = "reshard"
            duration = "8m"
            [stream]
            shards = 2
            [engine]
            mode = "{mode}"
            [capacity]
            schedule = [ {{ at = "60s", shards = 4 }}, {{ at = "300s", shards = 9 }}, {{ at = "400s", shards = 3 }} ]
            [[producers]]
            name = "p"
            rate = 3000
            arrivals = "uniform"
            record_size = "100B"
            keys = {{ distribution = "uniform", count = 100000 }}
            batch = {{ linger = "0s" }}
            retry = {{ max_attempts = 1 }}
        "#
        ));
        let c = &r.capacity;
        assert_eq!(c.shards_initial, 2);
        assert_eq!(c.calls.len(), 3, "{mode}: {:?}", c.calls);
        assert_eq!(c.calls[0].completed_at_s, Some(240.0));
        assert!(c.calls[1].refused.as_deref().unwrap().contains("more than double"), "{:?}", c.calls[1]);
        assert_eq!(c.calls[2].completed_at_s, Some(580.0), "finishes after the run: still 4 at the end");
        assert_eq!(c.reshard_count, 1);
        assert_eq!((c.shards_final, c.shards_max), (4, 4));
        let s = &r.series;
        assert_eq!(s.open_shards[239], 2);
        assert_eq!(s.open_shards[240], 4);
        // Before: each of 2 shards gets ~1,500/s and accepts 1,000; after: ~750/s each, under.
        assert!(s.throttled_records[..240].iter().all(|t| *t > 500), "{mode}");
        let after: u64 = s.throttled_records[245..].iter().sum();
        assert!(after < 100, "{mode}: {after} throttled after resharding");
        // Parents close, children record them, key placement follows the new map.
        assert_eq!(r.shards.len(), 6);
        assert_eq!(r.shards[0].closed_at_s, Some(240.0));
        assert_eq!(r.shards[2].parent_shard_ids, ["shardId-000000000000"]);
        assert_eq!(r.shards[5].parent_shard_ids, ["shardId-000000000001"]);
        assert_eq!(r.shards[5].opened_at_s, 240.0);
        let new_map = ShardMap::uniform_from(4, 2);
        assert_eq!(
            new_map.shard_of(hash_key("user-0")),
            2 + ShardMap::uniform(4).shard_of(hash_key("user-0"))
        );
        assert_eq!(r.shards[2].ending_hash_key, ShardMap::uniform(4).ranges()[0].end);
        assert_conserved(&r);
    }
}

/// Target tracking on a slow ramp (1,000 to 16,000 records/s over three hours) adds a shard or
/// two per activity, each waiting for 3 datapoints above target and for the 300 s cooldown after
/// the previous activity completed, so it spends AWS's 10 calls per 24 hours before it catches
/// up: the 11th call is refused and reported, and the stream is stuck under-provisioned and
/// throttling. Every call respects the double/half rule.
#[test]
fn target_tracking_on_a_slow_ramp_runs_out_of_daily_calls() {
    let r = run(r#"
        name = "tt"
        duration = "4h"
        [stream]
        shards = 2
        [engine]
        mode = "aggregated"
        [capacity]
        autoscaling = { policy = "target-tracking", target = 0.6, min_shards = 2, max_shards = 64 }
        [[producers]]
        name = "p"
        rate = { shape = "ramp", from = 1000, to = 16000, start = "10m", end = "190m" }
        record_size = "200B"
        keys = { distribution = "uniform", count = 100000 }
    "#);
    let c = &r.capacity;
    let accepted: Vec<_> = c.calls.iter().filter(|c| c.refused.is_none()).collect();
    assert_eq!(accepted.len(), 10, "{:#?}", c.calls);
    for w in accepted.windows(2) {
        assert!(w[1].at_s - w[0].completed_at_s.unwrap() >= 300.0, "scale-out cooldown from completion");
        assert!(w[1].from_shards > w[0].from_shards, "only grows on a ramp");
    }
    for call in &c.calls {
        assert!(call.target_shards <= 2 * call.from_shards);
    }
    assert!(c.calls.iter().any(|c| c.refused.as_deref().is_some_and(|m| m.contains("last 24 h"))));
    assert!(c.shards_final < 27, "16,000 records/s at 60% would need ~27 shards");
    let s = &r.series;
    let tail: u64 = s.accepted_records[s.len() - 600..].iter().sum();
    let utilisation = tail as f64 / 600.0 / (c.shards_final as f64 * 1000.0);
    assert!(utilisation > 0.6, "stuck above its 60% target at the end: {utilisation:.2}");
    assert_conserved(&r);
}

/// An oscillating autoscaler runs into the 10-calls-per-24-hours limit and the refusals are
/// reported: traffic alternating 10 minutes high, 10 minutes low, with double/halve alarms.
#[test]
fn oscillating_autoscaler_hits_the_daily_call_limit() {
    let r = run(r#"
        name = "oscillate"
        duration = "4h"
        [stream]
        shards = 4
        [engine]
        mode = "aggregated"
        [capacity]
        resharding_duration = "1m"
        autoscaling = { policy = "double-halve", high = 0.75, low = 0.25, up_periods = 1, down_periods = 2 }
        [[producers]]
        name = "p"
        rate = { shape = "steps", steps = [
            { at = "0s", rate = 3500 }, { at = "10m", rate = 500 }, { at = "20m", rate = 3500 }, { at = "30m", rate = 500 },
            { at = "40m", rate = 3500 }, { at = "50m", rate = 500 }, { at = "60m", rate = 3500 }, { at = "70m", rate = 500 },
            { at = "80m", rate = 3500 }, { at = "90m", rate = 500 }, { at = "100m", rate = 3500 }, { at = "110m", rate = 500 },
            { at = "120m", rate = 3500 }, { at = "130m", rate = 500 } ] }
        record_size = "100B"
        keys = { distribution = "uniform", count = 100000 }
    "#);
    let calls = &r.capacity.calls;
    let accepted = calls.iter().filter(|c| c.refused.is_none()).count();
    assert_eq!(accepted, 10, "{calls:?}");
    assert!(calls.iter().any(|c| c.refused.as_deref().is_some_and(|m| m.contains("last 24 h"))), "{calls:?}");
    assert_conserved(&r);
}

/// `kinesim compare` runs the variants in parallel; its files are byte-identical with 1 thread
/// and with several, variants come back in input order, and all share the first one's seed.
#[test]
fn compare_is_identical_at_any_thread_count() {
    let dir = std::env::temp_dir().join(format!("kinesim-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = r#"
        seed = 11
        duration = "20m"
        [stream]
        shards = SHARDS
        [[producers]]
        name = "p"
        rate = { shape = "ramp", from = 500, to = 3000, start = "2m", end = "10m" }
        record_size = "300B"
        keys = { distribution = "zipf", count = 5000, exponent = 0.9 }
    "#;
    let variants = [
        ("fixed-2", "2", ""),
        ("fixed-4", "4", ""),
        ("scheduled", "2", "[capacity]\nschedule = [ { at = \"3m\", shards = 4 } ]\n"),
        ("autoscaled", "2", "[capacity]\nautoscaling = { policy = \"threshold-step\", up_periods = 2 }\n"),
    ];
    let mut files = Vec::new();
    for (name, shards, extra) in variants {
        let f = dir.join(format!("{name}.toml"));
        let seed_line = if name == "fixed-2" { "" } else { "seed = 99\n" };
        let body = base
            .replace("SHARDS", shards)
            .replace("seed = 11\n", if seed_line.is_empty() { "seed = 11\n" } else { seed_line });
        std::fs::write(&f, format!("name = \"{name}\"\n{body}{extra}")).unwrap();
        files.push(f);
    }
    let run = |threads: &str, out: &str| {
        let mut args = vec!["compare".to_string()];
        args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
        args.extend(["--out".to_string(), dir.join(out).to_string_lossy().into_owned(), "--quiet".into()]);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim"))
            .args(&args)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run("1", "one");
    run("4", "four");
    for f in [
        "comparison.json",
        "comparison.csv",
        "fixed-2/summary.json",
        "autoscaled/timeseries.csv",
        "scheduled/shards.csv",
    ] {
        let a = std::fs::read(dir.join("one").join(f)).unwrap();
        let b = std::fs::read(dir.join("four").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 4 threads");
    }
    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("one/comparison.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        c["variants"].as_array().unwrap().iter().map(|v| v["scenario"].as_str().unwrap()).collect();
    assert_eq!(names, ["fixed-2", "fixed-4", "scheduled", "autoscaled"]);
    assert!(c["variants"].as_array().unwrap().iter().all(|v| v["seed"] == 11));
    // Same workload: the same records produced under every variant (producer draws do not
    // depend on capacity), and more shards throttle less.
    let produced: Vec<u64> =
        c["variants"].as_array().unwrap().iter().map(|v| v["records_produced"].as_u64().unwrap()).collect();
    assert!(produced.iter().all(|p| *p == produced[0]), "{produced:?}");
    let rate = |i: usize| c["variants"][i]["throttle_rate"].as_f64().unwrap();
    assert!(rate(0) > rate(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// On-demand, as AWS documents it (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html):
/// a new stream starts at 4 MiB/s (4 shards); a step to 10 MiB/s throttles until shards above
/// 500 KB/s have split ("within 15 minutes", per split, twice), and never afterwards.
#[test]
fn on_demand_step_throttles_until_splits_catch_up() {
    let r = run(r#"
        name = "od-step"
        duration = "1h"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 1048
        record_size = "10000B"
        keys = { distribution = "uniform", count = 100000 }
        retry = { max_attempts = 1 }
    "#);
    assert_eq!(r.capacity.mode.name(), "on-demand");
    assert_eq!(r.capacity.shards_initial, 4);
    let s = &r.series;
    assert_eq!(s.open_shards[0], 4);
    assert_eq!(s.open_shards[15 * 60 - 1], 4);
    assert_eq!(s.open_shards[15 * 60], 8, "first split 15 min after the traffic crossed 500 KB/s");
    assert_eq!(s.open_shards[30 * 60], 16);
    let early: u64 = s.throttled_records[..15 * 60].iter().sum();
    let late = s.throttled_records[32 * 60..].iter().filter(|t| **t > 0).count();
    assert!(early > 10_000, "throttles while capacity lags: {early}");
    // After the second split a shard takes 65.5 records/s of 10,000 B on average, and throttles
    // only in a second with 105 or more: P(Poisson(65.5) >= 105) = 4.3e-6 per shard-second,
    // 0.066 such seconds expected over the 16 minutes at 16 shards (none at 32). At most one
    // (P(two or more) = 0.2%).
    assert!(late <= 1, "almost never after the splits: {late} seconds");
    // Splitting goes on until every shard carries at most half its limit: 10 MiB/s over 32
    // shards is 31% each (over 16 it was 62%).
    assert_eq!(r.capacity.shards_final, 32);
    // Children record their parents and halve their ranges.
    let child = &r.shards[4];
    assert_eq!(child.parent_shard_ids.len(), 1);
    assert_conserved(&r);
}

/// The documentation's example: with a previous peak of 40 MB/s the stream accommodates a burst
/// to 80 MB/s; traffic tripling the previous peak throttles; a sustained 50 MB/s peak leaves
/// room for at least 100 MB/s.
#[test]
fn on_demand_accommodates_double_the_previous_peak() {
    let scenario = |burst_records_per_s: u32, sustained: u32| {
        format!(
            r#"
            name = "od-peak"
            duration = "2h"
            [stream]
            mode = "on-demand"
            [engine]
            mode = "aggregated"
            [[producers]]
            name = "p"
            rate = {{ shape = "steps", steps = [ {{ at = "0s", rate = 1000 }}, {{ at = "10m", rate = {sustained} }},
                     {{ at = "100m", rate = {burst_records_per_s} }}, {{ at = "110m", rate = {sustained} }} ] }}
            record_size = "10000B"
            keys = {{ distribution = "uniform", count = 1000000 }}
            retry = {{ max_attempts = 1 }}
        "#
        )
    };
    // 10 KB records: 4,000/s = 40 MB/s, 8,000/s = 80 MB/s, 12,000/s = 120 MB/s.
    let burst = |rate| {
        let r = run(&scenario(rate, 4000));
        let s = &r.series;
        let during: u64 = s.throttled_records[100 * 60..100 * 60 + 600].iter().sum();
        let offered: u64 = s.offered_records[100 * 60..100 * 60 + 600].iter().sum();
        let capacity_bytes = f64::from(s.open_shards[100 * 60 - 1]) * 1_048_576.0;
        (during as f64 / offered as f64, capacity_bytes)
    };
    let (double, capacity) = burst(8000);
    assert!(capacity >= 80e6, "capacity after a 40 MB/s peak: {capacity}");
    assert!(double < 0.001, "a burst to 2x the previous peak is accommodated: {double}");
    let (triple, _) = burst(16_000);
    assert!(triple > 0.05, "a burst to 4x the previous peak throttles: {triple}");
    let r = run(&scenario(5000, 5000));
    let cap = f64::from(r.series.open_shards[100 * 60]) * 1_048_576.0;
    assert!(cap >= 100e6, "a sustained 50 MB/s leaves room for 100 MB/s: {cap}");
}

/// A hot key on on-demand: the shard holding it keeps splitting, but one key can never use more
/// than one shard's 1,000 records/s, so it throttles whatever the capacity.
#[test]
fn on_demand_does_not_fix_a_hot_key() {
    let r = run(r#"
        name = "od-hot"
        duration = "2h"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 3000
        record_size = "100B"
        keys = { distribution = "hot", hot = [ { key = "celebrity", share = 0.6 } ], count = 100000 }
        retry = { max_attempts = 1 }
    "#);
    let s = &r.series;
    let last_hour: u64 = s.throttled_records[3600..].iter().sum();
    // 1,800 records/s on one key: at least 800/s throttled, every second.
    assert!(last_hour >= 800 * 3600, "{last_hour}");
    assert!(r.capacity.shards_final > 4, "capacity did grow: {}", r.capacity.shards_final);
    assert_conserved(&r);
}

/// Mode switches (how-do-i-size-a-stream): at most two per rolling 24 hours; the stream keeps
/// its shard count at the switch, then the new mode manages it. Provisioned with 2 shards
/// under 3,000 records/s throttles; after the switch to on-demand its shards split and the
/// throttling ends; a third switch within 24 hours is refused.
#[test]
fn mode_switches_keep_shards_and_are_limited_to_two_a_day() {
    let r = run(r#"
        name = "switch"
        duration = "3h"
        [stream]
        shards = 2
        [engine]
        mode = "aggregated"
        [capacity]
        mode_switches = [ { at = "30m", mode = "on-demand" }, { at = "2h", mode = "provisioned" }, { at = "150m", mode = "on-demand" } ]
        [[producers]]
        name = "p"
        rate = 3000
        record_size = "100B"
        keys = { distribution = "uniform", count = 100000 }
        retry = { max_attempts = 1 }
    "#);
    let sw = &r.capacity.mode_switches;
    assert_eq!(sw.len(), 3);
    assert!(sw[0].refused.is_none() && sw[1].refused.is_none());
    assert!(sw[2].refused.as_deref().unwrap().contains("limit 2"), "{sw:?}");
    let s = &r.series;
    assert_eq!(s.open_shards[30 * 60], 2, "the switch keeps the shard count");
    assert!(s.throttled_records[..30 * 60].iter().all(|t| *t > 0), "2 shards under 3,000/s throttle");
    // On-demand splits the 2 shards (1,500/s each > 50%) 15 minutes after the switch (the start
    // of its first evaluation period).
    let split_at = 30 * 60 + 15 * 60;
    assert!(s.open_shards[split_at + 1] > 2, "{}", s.open_shards[split_at + 1]);
    let after: u64 = s.throttled_records[split_at + 60..2 * 3600].iter().sum();
    assert_eq!(after, 0);
    // Back to provisioned at 2 h: the shard count stays whatever on-demand left.
    assert_eq!(s.open_shards[2 * 3600], s.open_shards[2 * 3600 - 1]);
    assert_eq!(s.open_shards[3 * 3600 - 1], s.open_shards[2 * 3600]);
    assert_conserved(&r);
}

/// Warm throughput (On-demand Advantage): 20 MiB/s of warm capacity means 20 shards from the
/// start, so a burst to 15 MiB/s is absorbed at once instead of throttling for 30 minutes.
#[test]
fn warm_throughput_pre_scales_on_demand() {
    let r = run(r#"
        name = "warm"
        duration = "20m"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [capacity]
        on_demand = { warm_throughput = "20MiB" }
        [[producers]]
        name = "p"
        rate = 1500
        record_size = "10KiB"
        keys = { distribution = "uniform", count = 100000 }
        retry = { max_attempts = 1 }
    "#);
    assert_eq!(r.capacity.shards_initial, 20);
    // Only Poisson peaks above a shard's limit throttle (each shard averages 75% of it).
    assert!(r.totals.throttle_rate() < 1e-3, "{}", r.totals.throttle_rate());
    let cold = run(&toml_without_warm());
    assert_eq!(cold.capacity.shards_initial, 4);
    assert!(cold.totals.throttle_rate() > 0.3, "{}", cold.totals.throttle_rate());
}

fn toml_without_warm() -> String {
    r#"
        name = "cold"
        duration = "20m"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 1500
        record_size = "10KiB"
        keys = { distribution = "uniform", count = 100000 }
        retry = { max_attempts = 1 }
    "#
    .to_string()
}

fn bundled(name: &str) -> kinesim::scenario::Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    kinesim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The four capacity plans of the daily-cycle scenarios, over the whole day: every plan keeps
/// throttling negligible, the fixed plan pays 144 shard-hours, the schedule fewer, and
/// on-demand, whose shards only merge after 24 idle hours, the most.
#[test]
fn daily_cycle_plans_compare_as_their_headers_say() {
    let plans = ["daily-fixed", "daily-scheduled", "daily-target-tracking", "daily-on-demand"];
    let scenarios: Vec<_> = plans.iter().map(|p| bundled(p)).collect();
    let runs = kinesim::experiment::run_all(&scenarios);
    let hours: Vec<f64> = runs.iter().map(|r| kinesim::report::compare::shard_hours(r)).collect();
    for r in &runs {
        assert!(r.totals.throttle_rate() < 1e-4, "{}: {}", r.scenario, r.totals.throttle_rate());
        assert_conserved(r);
    }
    assert_eq!(hours[0], 144.0);
    assert!(hours[1] < hours[0], "{hours:?}");
    assert!(hours[3] > hours[0], "{hours:?}");
    assert_eq!(runs[1].capacity.calls.len(), 4);
    assert_eq!(runs[1].capacity.reshard_count, 4);
    let tt = &runs[2].capacity.calls;
    assert_eq!(tt.iter().filter(|c| c.refused.is_none()).count(), 10, "the daily call budget is spent");
    // Cost per month (us-east-1 table): the schedule is cheapest of the provisioned plans,
    // on-demand (per-GB ingest) the dearest at this steady volume.
    let month: Vec<f64> = runs.iter().map(|r| r.cost.bill.per_month_usd).collect();
    assert!(month[1] < month[0] && month[3] > month[0], "{month:?}");
    // Same workload: every plan saw the same records.
    assert!(runs.iter().all(|r| r.totals.records_produced == runs[0].totals.records_produced));
}

/// on-demand-doubling over its 3 hours: the doubling at 60 min is absorbed; the jump to 2.5x
/// the previous peak at 100 min throttles until the splits 15 minutes later, then never again.
#[test]
fn on_demand_doubling_scenario_does_what_its_header_says() {
    let r = kinesim::experiment::run(&bundled("on-demand-doubling"));
    let s = &r.series;
    let sum = |a: usize, b: usize| s.throttled_records[a * 60..b * 60].iter().sum::<u64>();
    assert!(sum(0, 100) < 1_000, "the doubling is absorbed (only rare Poisson peaks): {}", sum(0, 100));
    assert!(sum(100, 115) > 1_000_000, "the 2.5x jump throttles");
    assert_eq!(sum(118, 180), 0, "and recovers once the shards split");
    assert!(r.capacity.shards_final >= 16);
}

/// Traffic from production: the JSON `aws cloudwatch get-metric-data` prints (per-minute sums,
/// newest first) becomes per-second rates (sum / 60, x the scale factor), and the run says that
/// one-minute data hides sub-minute bursts.
#[test]
fn traffic_from_a_cloudwatch_export() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/from-cloudwatch.toml");
    let sc = kinesim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let r = kinesim::experiment::run(&sc);
    // Minutes of 60,000, 90,000 and 30,000 records, doubled: 2,000, 3,000 and 1,000 records/s.
    let per_minute: Vec<u64> = r.series.produced_records.chunks(60).map(|m| m.iter().sum()).collect();
    assert_eq!(per_minute, [120_000, 180_000, 60_000]);
    assert!(r.series.produced_records[..60].iter().all(|n| *n == 2000));
    // One shard takes 1,000 records/s: 1,000/s then 2,000/s over the limit, then none.
    assert_eq!(r.totals.throttled_attempts, 60 * 1000 + 60 * 2000);
    assert!(r.warnings.iter().any(|w| w.contains("one-minute CloudWatch")), "{:?}", r.warnings);
}

/// An aggregated run inside a thread pool (as in a sweep) is byte-identical on 1 thread and on
/// 2, through scheduled reshards (80 -> 120 -> 60 shards, two producers:
/// `tests/fixtures/good/reshard-two-producers.toml`). (Drawing ahead on a
/// thread of its own, outside a pool, is checked against drawing in line in `model::world`.)
#[test]
fn an_aggregated_run_is_identical_on_one_and_two_threads_through_reshards() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/good/reshard-two-producers.toml");
    let sc = kinesim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let r = pool.install(|| kinesim::experiment::run(&sc));
        let mut bytes = kinesim::report::json::render(&r);
        bytes.extend(kinesim::report::csv::timeseries(&r));
        (bytes, r)
    };
    let (one, r) = on(1);
    assert_eq!(r.capacity.reshard_count, 2);
    assert!(r.totals.throttled_attempts > 0, "the hot keys throttle and retry");
    assert_conserved(&r);
    assert!(one == on(2).0);
}

/// Application Auto Scaling's cooldowns count from the completion of the scaling activity
/// (TargetTrackingScalingPolicyConfiguration, ScaleOutCooldown: "after a scale-out activity
/// completes", https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html),
/// and its scale-out alarm needs 3 of 3 one-minute datapoints above target (Application Auto
/// Scaling user guide,
/// https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
/// A step from 500 to 3,000 records/s at 10 min on 2 shards: the first call comes with the third
/// hot datapoint (13 min), not the first (11 min); the next starts 300 s after the first
/// completed, not after it was made.
#[test]
fn target_tracking_waits_for_3_datapoints_and_cools_down_from_completion_aws_target_tracking() {
    let r = run(r#"
        name = "tt-step"
        duration = "40m"
        [stream]
        shards = 2
        [engine]
        mode = "aggregated"
        [capacity]
        autoscaling = { policy = "target-tracking", target = 0.7, min_shards = 2, max_shards = 64 }
        [[producers]]
        name = "p"
        rate = { shape = "steps", steps = [ { at = "0s", rate = 500 }, { at = "10m", rate = 3000 } ] }
        record_size = "100B"
        keys = { distribution = "uniform", count = 100000 }
        retry = { max_attempts = 1 }
    "#);
    let calls: Vec<_> = r.capacity.calls.iter().filter(|c| c.refused.is_none()).collect();
    assert!(calls.len() >= 2, "{:#?}", r.capacity.calls);
    assert_eq!(calls[0].at_s, 13.0 * 60.0, "third datapoint above target: {:#?}", calls[0]);
    let done = calls[0].completed_at_s.unwrap();
    assert_eq!(done, 16.0 * 60.0);
    assert!(calls[1].at_s >= done + 300.0, "cooldown from completion: {:#?}", calls[1]);
    assert!(r.capacity.calls.iter().all(|c| c.refused.is_none()), "nothing asked while in progress");
    assert_conserved(&r);
}

/// The scenario format names the alarm datapoints; 1 and 1 give the old one-datapoint reaction.
#[test]
fn target_tracking_datapoints_are_settings() {
    let sc = crate::common::scenario(
        r#"
        name = "tt-points"
        duration = "10m"
        [stream]
        shards = 2
        [capacity]
        autoscaling = { policy = "target-tracking", scale_out_datapoints = 1, scale_in_datapoints = 2 }
        [[producers]]
        name = "p"
        rate = 10
        record_size = "100B"
    "#,
    );
    match sc.capacity.autoscaling {
        Some(kinesim::scenario::AutoscalingPolicy::TargetTracking {
            scale_out_datapoints,
            scale_in_datapoints,
            ..
        }) => assert_eq!((scale_out_datapoints, scale_in_datapoints), (1, 2)),
        other => panic!("{other:?}"),
    }
    let text = kinesim::explain::text(&sc);
    assert!(text.contains("scale_out_datapoints"), "{text}");
}

/// After a switch from provisioned to on-demand, on-demand's per-shard load tracking starts at
/// the switch (how-do-i-size-a-stream: on-demand splits a shard "when the incoming traffic
/// exceeds 500 KB/s per shard", https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html):
/// 3 shards at 10% of their limit do not split, whatever they carried while provisioned.
#[test]
fn switch_to_on_demand_does_not_split_idle_shards_how_do_i_size_a_stream() {
    let r = run(r#"
        name = "switch-idle"
        duration = "90m"
        [stream]
        shards = 3
        [engine]
        mode = "aggregated"
        [capacity]
        mode_switches = [ { at = "30m", mode = "on-demand" } ]
        [[producers]]
        name = "p"
        rate = 300
        record_size = "100B"
        keys = { distribution = "uniform", count = 100000 }
    "#);
    assert!(r.capacity.mode_switches[0].refused.is_none());
    assert!(r.series.open_shards.iter().all(|n| *n == 3), "max {}", r.capacity.shards_max);
    assert_eq!(r.capacity.reshard_count, 0);
}

/// UpdateShardCount "is only supported for the data streams with the provisioned capacity
/// mode" (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html): a
/// scheduled call while the stream is on-demand is refused and reported, nothing reshards, and
/// the run warns about it.
#[test]
fn update_shard_count_is_refused_on_an_on_demand_stream_api_update_shard_count() {
    let r = run(r#"
        name = "usc-on-demand"
        duration = "40m"
        [stream]
        shards = 2
        [engine]
        mode = "aggregated"
        [capacity]
        mode_switches = [ { at = "10m", mode = "on-demand" } ]
        schedule = [ { at = "30m", shards = 4 } ]
        [[producers]]
        name = "p"
        rate = 200
        record_size = "100B"
        keys = { distribution = "uniform", count = 100000 }
    "#);
    let calls = &r.capacity.calls;
    assert_eq!(calls.len(), 1);
    assert!(calls[0].refused.as_deref().is_some_and(|m| m.contains("on-demand")), "{calls:?}");
    assert_eq!(calls[0].completed_at_s, None);
    assert_eq!(r.capacity.reshard_count, 0);
    assert!(r.series.open_shards.iter().all(|n| *n == 2));
    assert!(r.warnings.iter().any(|w| w.contains("capacity.schedule[0]")), "{:?}", r.warnings);
}

/// A switch refused by the two-per-24-hours rule (how-do-i-size-a-stream,
/// https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html) leaves the mode
/// unchanged, so a later switch to the refused mode is valid; a switch to the mode the stream is
/// certainly in is still an error.
#[test]
fn validator_plays_refused_mode_switches_how_do_i_size_a_stream() {
    let toml = |switches: &str| {
        format!(
            r#"
            name = "switches"
            duration = "30h"
            [stream]
            shards = 2
            [capacity]
            mode_switches = [ {switches} ]
            [[producers]]
            name = "p"
            rate = 10
            record_size = "100B"
        "#
        )
    };
    let ok = toml(
        r#"{ at = "1h", mode = "on-demand" }, { at = "2h", mode = "provisioned" },
           { at = "3h", mode = "on-demand" }, { at = "26h", mode = "on-demand" }"#,
    );
    let sc = kinesim::scenario::parse_str(&ok, None).unwrap_or_else(|e| panic!("{e}"));
    let o = kinesim::scenario::switch_outcomes(
        kinesim::scenario::CapacityMode::Provisioned,
        &sc.capacity.mode_switches,
        sc.capacity.resharding_duration,
    );
    assert_eq!(o.iter().map(|o| o.accepted).collect::<Vec<_>>(), [true, true, false, true]);
    let bad = toml(r#"{ at = "1h", mode = "on-demand" }, { at = "2h", mode = "on-demand" }"#);
    let e = kinesim::scenario::parse_str(&bad, None).unwrap_err().to_string();
    assert!(e.contains("capacity.mode_switches[1].mode") && e.contains("already"), "{e}");
}

/// "When the incoming traffic exceeds 500 KB/s per shard, it splits the shard within 15 minutes"
/// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html): traffic stepping
/// from 1 to 3 MiB/s at 10 min (4 shards, 750 KB/s each) has its shards split by 25 min, not a
/// minute later (the evaluation that sees the crossing comes at 11 min; the delay counts from
/// the start of the period it read).
#[test]
fn on_demand_splits_within_15_minutes_of_the_crossing_how_do_i_size_a_stream() {
    let r = run(r#"
        name = "od-within-15"
        duration = "30m"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = { shape = "steps", steps = [ { at = "0s", rate = 100 }, { at = "10m", rate = 300 } ] }
        record_size = "10000B"
        keys = { distribution = "uniform", count = 100000 }
    "#);
    let s = &r.series;
    assert_eq!(s.open_shards[25 * 60 - 1], 4);
    assert_eq!(s.open_shards[25 * 60], 8, "split 15 minutes after the traffic crossed 500 KB/s");
    // The shard counts shown are kinesim's picture, and the reports say so.
    assert!(kinesim::report::text::render(&r, None).contains("internal picture"));
}

/// A shorter quiet weekend: 5.8 MiB/s for 2 hours splits the stream to 16 shards; 6 quiet hours
/// with `merge_after = "1h"` would merge them back to 4; the on-demand stream "accommodates up to
/// double the peak write throughput observed in the previous 30 days"
/// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html), so it keeps at
/// least 12 shards and the return to the peak does not throttle. The merged capacity stays where
/// the traffic was: no shard's range holds more than half its limit at the old peak.
#[test]
fn on_demand_keeps_double_its_30_day_peak_how_do_i_size_a_stream() {
    let r = run(r#"
        name = "od-memory"
        duration = "10h"
        [stream]
        mode = "on-demand"
        [engine]
        mode = "aggregated"
        [capacity]
        on_demand = { merge_after = "1h" }
        [[producers]]
        name = "p"
        rate = { shape = "steps", steps = [ { at = "0s", rate = 1500 }, { at = "10m", rate = 2500 }, { at = "40m", rate = 6000 },
                 { at = "2h", rate = 100 }, { at = "8h", rate = 6000 } ] }
        record_size = "1000B"
        keys = { distribution = "uniform", count = 1000000 }
        retry = { max_attempts = 1 }
    "#);
    let s = &r.series;
    assert_eq!(s.open_shards[2 * 3600], 16);
    // 6,000 records/s of ~1,010 B: 5.8 MiB/s, double is 11.6 shards' worth.
    assert!(s.open_shards[8 * 3600 - 1] >= 12, "{}", s.open_shards[8 * 3600 - 1]);
    let back: u64 = s.throttled_records[8 * 3600..].iter().sum();
    assert_eq!(back, 0, "the return to the peak is absorbed");
    assert_conserved(&r);
}

/// on-demand-quiet-weekend over its 4 days: Friday splits to 16 shards, the weekend merges none
/// of them below double Friday's peak, Monday's return to the peak does not throttle.
#[test]
fn on_demand_quiet_weekend_scenario_does_what_its_header_says() {
    let r = kinesim::experiment::run(&bundled("on-demand-quiet-weekend"));
    let s = &r.series;
    assert_eq!(s.open_shards[20 * 3600], 16);
    assert!(s.open_shards[80 * 3600 - 1] >= 12, "{}", s.open_shards[80 * 3600 - 1]);
    assert_eq!(r.totals.throttled_attempts, 0);
}

/// on-demand-sale-day: 30 quiet days at 4 shards, then 3x the month's peak at day 31 10:00
/// throttles ("more than double the previous peak within a 15-minute duration") until the
/// splits land 15 minutes later, then never again.
#[test]
fn on_demand_sale_day_scenario_does_what_its_header_says() {
    let r = kinesim::experiment::run(&bundled("on-demand-sale-day"));
    let s = &r.series;
    let sale = 730 * 3600;
    assert_eq!(s.open_shards[sale - 1], 4, "the month never split");
    assert_eq!(s.throttled_records[..sale].iter().sum::<u64>(), 0);
    assert!(s.throttled_records[sale..sale + 15 * 60].iter().all(|t| *t > 0), "throttles until the split");
    assert_eq!(s.open_shards[sale + 15 * 60], 8);
    assert_eq!(s.throttled_records[sale + 16 * 60..].iter().sum::<u64>(), 0);
}
