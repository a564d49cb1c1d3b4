//! Invariants over random valid scenarios (proptest): records are conserved, no shard ever
//! accepts more than its limits in a second, simulated time never goes back, the open shards'
//! hash ranges always partition [0, 2^128) whatever the resharding, cost is non-negative and
//! monotone in simulated time, runs are deterministic at any thread count, and no consumer reads
//! more records or bytes than the stream accepted (exactly as many once it has caught up).

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

/// Up to three consumers: polling or enhanced fan-out, some with a processing rate (then they
/// may fall behind), polling ones at various intervals and jitters.
fn consumers() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::bool::ANY, prop_oneof![Just(0u32), 50u32..5000], 100u32..3000, 0.0f64..0.9),
        0..4,
    )
    .prop_map(|list| {
        list.iter()
            .enumerate()
            .map(|(i, (efo, rate, interval, jitter))| {
                let kind = if *efo {
                    "kind = \"efo\"\n".to_string()
                } else {
                    format!("poll_interval = \"{interval}ms\"\npoll_jitter = {jitter:.2}\n")
                };
                format!("[[consumers]]\nname = \"c{i}\"\n{kind}process_rate = {rate}\n")
            })
            .collect()
    })
}

/// Producers of a scenario with consumers stop writing `quiet` seconds before its end, so the
/// consumers can catch up (and the end-of-run equality of reads and writes is checked).
fn stop_early(producers: &str, secs: u32, quiet: u32) -> String {
    let stop = secs.saturating_sub(quiet);
    producers
        .lines()
        .map(|l| match l.strip_prefix("rate = ") {
            Some(rate) if quiet > 0 && stop > 0 && !rate.starts_with('{') => format!(
                "rate = {{ shape = \"steps\", steps = [ {{ at = \"0s\", rate = {rate} }}, {{ at = \"{stop}s\", rate = 0 }} ] }}"
            ),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// No consumer reads more than the stream accepted, in records or in bytes; every accepted
/// record is read, lost to retention or unread; and a consumer that has caught up (nothing
/// unread, nothing lost) has read exactly the records and bytes accepted. Returns how many
/// consumers had caught up.
fn check_reads(r: &kinesim::metrics::RunResult) -> Result<usize, TestCaseError> {
    let t = &r.totals;
    let mut caught_up = 0;
    for c in &r.consumers {
        prop_assert!(
            c.records_read <= t.records_accepted,
            "{}: {} records read of {}",
            c.name,
            c.records_read,
            t.records_accepted
        );
        prop_assert!(
            c.bytes_read <= t.bytes_accepted,
            "{}: {} bytes read of {}",
            c.name,
            c.bytes_read,
            t.bytes_accepted
        );
        prop_assert_eq!(c.records_read + c.records_lost_to_retention + c.records_unread, t.records_accepted);
        if c.records_unread == 0 && c.records_lost_to_retention == 0 {
            caught_up += 1;
            prop_assert_eq!(c.records_read, t.records_accepted, "{}: records", c.name);
            prop_assert_eq!(c.bytes_read, t.bytes_accepted, "{}: bytes", c.name);
        }
    }
    Ok(caught_up)
}

fn any_scenario() -> impl Strategy<Value = String> {
    (
        (1u32..6, 2u32..20, prop::bool::ANY, prop::bool::ANY, any::<u16>()),
        prop::collection::vec(producer(), 1..3),
        consumers(),
        0u32..4,
    )
        .prop_map(|((shards, secs, bucket, aggregated, seed), producers, consumers, quiet)| {
            let mut names = std::collections::BTreeSet::new();
            let producers: String = producers
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    names.insert(i);
                    p.replacen("name = \"p", &format!("name = \"q{i}-p"), 1)
                })
                .collect();
            let producers = if consumers.is_empty() { producers } else { stop_early(&producers, secs, quiet) };
            format!(
                "name = \"prop\"\nseed = {seed}\nduration = \"{secs}s\"\n[stream]\nshards = {shards}\nwrite_limit = \"{}\"\n[engine]\nmode = \"{}\"\n{producers}{consumers}",
                if bucket { "token-bucket" } else { "window" },
                if aggregated { "aggregated" } else { "per-record" },
            )
        })
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
        // Simulated time never goes back for a record: each traced record's events (created,
        // attempts, the end) are in time order.
        let mut last: std::collections::HashMap<u32, f64> = std::collections::HashMap::new();
        for row in &r.trace {
            let previous = last.insert(row.record, row.time_s).unwrap_or(0.0);
            prop_assert!(row.time_s >= previous, "record {} at {} after {}", row.record, row.time_s, previous);
        }
        // Determinism: the same scenario twice gives identical bytes.
        let again = experiment::run(&sc);
        prop_assert_eq!(report::json::render(&r), report::json::render(&again));
        prop_assert_eq!(report::csv::timeseries(&r), report::csv::timeseries(&again));
        check_reads(&r)?;
    }

    /// Reads never exceed writes, through reshards, in both engine modes: see [`check_reads`].
    #[test]
    fn consumers_never_read_more_than_was_accepted(toml in resharding_scenario(), consumers in consumers(), per_record in prop::bool::ANY) {
        let r = experiment::run(&scenario(&with_consumers(&toml, &consumers, per_record)));
        assert_conserved(&r);
        check_reads(&r)?;
    }
}

/// A resharding scenario with `consumers`, in per-record mode (at a tenth of the rates, so the
/// run stays quick in a debug build) or aggregated; the producer stops 10 s before the end (its
/// last step is at 75 s) so the consumers can catch up.
fn with_consumers(toml: &str, consumers: &str, per_record: bool) -> String {
    let toml = if per_record {
        scaled_rates(toml, 10).replace("mode = \"aggregated\"", "mode = \"per-record\"")
    } else {
        toml.to_string()
    };
    let toml = toml.replacen(" ] }\nrecord_size", ", { at = \"90s\", rate = 0 } ] }\nrecord_size", 1);
    format!("{toml}{consumers}")
}

/// Divide the rates of a resharding scenario's steps by `by`.
fn scaled_rates(toml: &str, by: u32) -> String {
    let mut out = String::new();
    let mut rest = toml;
    while let Some(i) = rest.find("rate = ") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        match rest[..digits].parse::<u32>() {
            Ok(v) => out.push_str(&(v / by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Change a generated scenario's `duration` line.
fn with_duration(toml: &str, secs: u32) -> String {
    toml.lines()
        .map(|l| if l.starts_with("duration = ") { format!("duration = \"{secs}s\"") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Streams that reshard: provisioned with a random `UpdateShardCount` schedule (some calls
/// refused by AWS's rules, as they would be) or an autoscaling policy, or on-demand with quick
/// splits and merges; hot-key traffic that changes every few seconds. Aggregated mode, short.
fn resharding_scenario() -> impl Strategy<Value = String> {
    let producer = (
        prop::collection::vec(0u32..6000, 1..6),
        // Written with 3 decimals, and a hot key's share must be above 0.
        0.001f64..0.8,
        any::<u16>(),
    )
        .prop_map(|(rates, hot, seed)| {
            let steps: Vec<String> =
                rates.iter().enumerate().map(|(i, r)| format!("{{ at = \"{}s\", rate = {r} }}", i * 15)).collect();
            format!(
                "seed = {seed}\n[engine]\nmode = \"aggregated\"\n[[producers]]\nname = \"p\"\n\
                 rate = {{ shape = \"steps\", steps = [ {} ] }}\nrecord_size = \"400B\"\n\
                 keys = {{ distribution = \"hot\", hot = [ {{ key = \"hot\", share = {hot:.3} }} ], count = 5000 }}\n\
                 retry = {{ max_attempts = 2, base = \"100ms\" }}\n",
                steps.join(", ")
            )
        });
    let provisioned = (1u32..9, prop::collection::vec((1u32..100, 1u32..20), 0..6), 0u32..4, prop::bool::ANY)
        .prop_map(|(shards, calls, reshard_s, autoscale)| {
            let mut calls = calls;
            calls.sort();
            calls.dedup_by_key(|c| c.0);
            let schedule: Vec<String> =
                calls.iter().map(|(at, n)| format!("{{ at = \"{at}s\", shards = {n} }}")).collect();
            let policy = if autoscale {
                "autoscaling = { policy = \"double-halve\", high = 0.5, low = 0.2, up_periods = 1, down_periods = 1 }\n"
            } else {
                ""
            };
            format!(
                "[stream]\nshards = {shards}\n[capacity]\nschedule = [ {} ]\nresharding_duration = \"{reshard_s}s\"\n\
                 evaluation_period = \"5s\"\n{policy}",
                schedule.join(", ")
            )
        });
    let on_demand = (1u32..6, 0u32..10, 0u32..30).prop_map(|(initial, delay, merge)| {
        format!(
            "[stream]\nmode = \"on-demand\"\n[capacity]\nevaluation_period = \"2s\"\n\
             on_demand = {{ initial_shards = {initial}, split_threshold = 0.3, split_delay = \"{delay}s\", \
             merge_threshold = 0.25, merge_after = \"{merge}s\", max_shards = 64 }}\n"
        )
    });
    (prop_oneof![provisioned, on_demand], producer)
        .prop_map(|(stream, producer)| format!("name = \"reshard\"\nduration = \"100s\"\n{producer}{stream}"))
}

/// The shards open for writes at instant `t` [s] (opened at or before it, not yet closed).
fn open_at(r: &kinesim::metrics::RunResult, t: f64) -> Vec<(u128, u128)> {
    let mut open: Vec<(u128, u128)> = r
        .shards
        .iter()
        .filter(|s| s.opened_at_s <= t && s.closed_at_s.is_none_or(|c| c > t))
        .map(|s| (s.starting_hash_key, s.ending_hash_key))
        .collect();
    open.sort();
    open
}

/// `ranges` (sorted) cover [0, 2^128) exactly once: start at 0, end at 2^128 - 1, no gap, no
/// overlap.
fn is_partition(ranges: &[(u128, u128)]) -> bool {
    !ranges.is_empty()
        && ranges[0].0 == 0
        && ranges[ranges.len() - 1].1 == u128::MAX
        && ranges.iter().all(|(s, e)| s <= e)
        && ranges.windows(2).all(|w| w[0].1.checked_add(1) == Some(w[1].0))
}

/// Sum of a bill's items, and checks that each item and the cumulative series are >= 0 and
/// never decrease over the run.
fn check_bill(cost: &kinesim::cost::CostReport) -> Result<(), TestCaseError> {
    prop_assert!(cost.bill.total_usd >= 0.0 && cost.bill.total_usd.is_finite());
    prop_assert!(cost.what_if.total_usd >= 0.0 && cost.what_if.total_usd.is_finite());
    for item in cost.bill.items.iter().chain(&cost.what_if.items) {
        prop_assert!(item.usd >= 0.0, "{item:?}");
    }
    for series in cost.cumulative_usd.iter().chain(std::iter::once(&cost.what_if_cumulative_usd)) {
        prop_assert!(series.iter().all(|v| *v >= 0.0));
        prop_assert!(series.windows(2).all(|w| w[0] <= w[1]), "cumulative cost went down: {series:?}");
    }
    prop_assert!(cost.times_s.windows(2).all(|w| w[0] <= w[1]));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// After any sequence of reshards (scheduled, autoscaled, on-demand splits and merges), the
    /// shards open at every instant where the set changes partition the hash-key space
    /// (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_HashKeyRange.html: every
    /// open shard owns a contiguous range; together they cover 0 to 2^128 - 1).
    #[test]
    fn open_shards_partition_the_key_space_after_reshards(toml in resharding_scenario()) {
        let r = experiment::run(&scenario(&toml));
        assert_conserved(&r);
        let mut instants: Vec<f64> = vec![0.0, r.duration_s];
        for s in &r.shards {
            instants.push(s.opened_at_s);
            instants.extend(s.closed_at_s);
        }
        for t in instants {
            let open = open_at(&r, t);
            prop_assert!(is_partition(&open), "at {t} s: {open:x?}");
            // Every open shard at the end is one the series counted.
            if t == r.duration_s {
                prop_assert_eq!(open.len() as u32, *r.series.open_shards.last().unwrap());
            }
        }
    }

    /// Cost is never negative, its cumulative series never decrease, and the same scenario and
    /// seed run longer never costs less (shard-hours only grow; the first seconds are the same).
    #[test]
    fn cost_is_non_negative_and_monotone_in_time(toml in prop_oneof![any_scenario(), resharding_scenario()], extra in 1u32..60) {
        let short = experiment::run(&scenario(&toml));
        let secs = short.duration_s as u32;
        let long = experiment::run(&scenario(&with_duration(&toml, secs + extra)));
        let (a, b) = (&short.cost, &long.cost);
        check_bill(a)?;
        check_bill(b)?;
        prop_assert!(b.bill.total_usd >= a.bill.total_usd, "{}s: ${} then {}s: ${}", secs, a.bill.total_usd, secs + extra, b.bill.total_usd);
    }

    /// `kinesim compare` (experiment::run_all) gives the same bytes on 1 thread and on 4.
    #[test]
    fn compare_is_identical_at_one_and_four_threads(a in any_scenario(), b in resharding_scenario()) {
        let variants = vec![scenario(&a.replacen("name = \"prop\"", "name = \"a\"", 1)), scenario(&b)];
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let results = pool.install(|| experiment::run_all(&variants));
            let mut bytes = report::compare::json(&results);
            bytes.extend(report::compare::csv(&results));
            for r in &results {
                bytes.extend(report::json::render(r));
                bytes.extend(report::csv::timeseries(r));
            }
            bytes
        };
        prop_assert!(on(1) == on(4));
    }

    /// The event clock never goes back: whatever is scheduled (at or after the clock; the past
    /// is refused), events pop in non-decreasing time, ties in insertion order.
    #[test]
    fn simulated_time_never_goes_back(ops in prop::collection::vec((prop::bool::ANY, 0u64..50, 0u64..80), 1..300)) {
        use kinesim::engine::EventQueue;
        let mut q = EventQueue::new();
        let mut next_id = 0u64;
        let (mut last_t, mut last_id) = (0u64, None::<u64>);
        let mut popped = 0usize;
        for (schedule, delay, horizon) in ops {
            if schedule {
                // Absolute times near the clock: those before it must be refused.
                let at = (q.now() + delay).saturating_sub(25);
                match q.schedule_at(at, (at, next_id)) {
                    Ok(()) => prop_assert!(at >= q.now()),
                    Err(e) => prop_assert!(e.at < e.now && at < q.now()),
                }
                next_id += 1;
            } else {
                let end = q.now() + horizon;
                while let Some((t, (at, id))) = q.pop_before(end) {
                    prop_assert_eq!(t, at);
                    prop_assert!(t < end);
                    prop_assert!(t >= last_t, "time went back: {} after {}", t, last_t);
                    if t == last_t {
                        prop_assert!(last_id.is_none_or(|l| id > l), "same-time events out of order");
                    }
                    prop_assert_eq!(q.now(), t);
                    last_t = t;
                    last_id = Some(id);
                    popped += 1;
                }
            }
        }
        prop_assert!(popped <= next_id as usize);
    }

    /// Any sequence of splits and merges of a shard map keeps a partition of [0, 2^128).
    #[test]
    fn splits_and_merges_keep_a_partition(n in 1u32..20, ops in prop::collection::vec((prop::bool::ANY, any::<prop::sample::Index>()), 0..200)) {
        use kinesim::model::hashing::ShardMap;
        let mut m = ShardMap::uniform(n);
        let mut next_id = n;
        for (split, at) in ops {
            if split {
                let pos = at.index(m.len());
                // A shard of a single hash key cannot split (AWS needs a new starting key
                // strictly inside the range).
                if m.ranges()[pos].start < m.ranges()[pos].end {
                    m.split(pos, next_id, next_id + 1);
                    next_id += 2;
                }
            } else if m.len() > 1 {
                let pos = at.index(m.len() - 1);
                m.merge(pos, next_id);
                next_id += 1;
            }
            let ranges: Vec<(u128, u128)> = m.ranges().iter().map(|r| (r.start, r.end)).collect();
            prop_assert!(is_partition(&ranges), "{ranges:x?}");
            prop_assert_eq!(m.shard_ids().len(), m.len());
            // Every hash key lands on the shard whose range holds it: both ends of each range.
            for (i, r) in m.ranges().iter().enumerate() {
                prop_assert_eq!(m.position_of(r.start), i);
                prop_assert_eq!(m.position_of(r.end), i);
            }
        }
    }
}

/// The resharding generator does what it is for: most of its scenarios close shards (splits,
/// merges or uniform rescaling) and some refuse calls, so the partition property is tested on
/// real reshards.
#[test]
fn the_resharding_generator_reshards() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut resharded, mut refused, mut on_demand) = (0, 0, 0);
    for _ in 0..30 {
        let toml = resharding_scenario().new_tree(&mut runner).unwrap().current();
        let r = experiment::run(&scenario(&toml));
        resharded += r.shards.iter().any(|s| s.closed_at_s.is_some()) as u32;
        refused += r.capacity.calls.iter().any(|c| c.refused.is_some()) as u32;
        on_demand += toml.contains("on-demand") as u32;
    }
    assert!(resharded >= 15, "only {resharded} of 30 scenarios resharded");
    assert!(refused >= 3, "only {refused} of 30 scenarios had a refused call");
    assert!((5..=25).contains(&on_demand), "{on_demand} of 30 on-demand");
}

/// The read identity is tested where it matters: in both engine modes, many generated runs
/// reshard and have consumers that caught up (where reads must equal writes exactly).
#[test]
fn the_read_identity_is_checked_on_resharded_caught_up_runs() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut checked = [0u32; 2];
    for i in 0..30 {
        let toml = resharding_scenario().new_tree(&mut runner).unwrap().current();
        let consumers = consumers().new_tree(&mut runner).unwrap().current();
        let per_record = i % 2 == 0;
        let r = experiment::run(&scenario(&with_consumers(&toml, &consumers, per_record)));
        let caught_up = check_reads(&r).unwrap();
        if r.shards.iter().any(|s| s.closed_at_s.is_some()) && caught_up > 0 {
            checked[per_record as usize] += 1;
        }
    }
    assert!(
        checked.iter().all(|&n| n >= 4),
        "resharded runs with a caught-up consumer (aggregated, per-record): {checked:?}"
    );
}
