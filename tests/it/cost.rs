//! Cost through real runs: the billing quantities the model counts, priced by the shipped table.
//! Each price rule names its source: the AWS pricing page
//! (https://aws.amazon.com/kinesis/data-streams/pricing/, read 2026-11-28) unless said otherwise.

use crate::common::{run, scenario};
use kinesim::cost::{describe, CostReport, LineItem, GB_BYTES};

/// One shard, 10 evenly spaced records/s for 10 s, every record `size` bytes of data plus the
/// 2-byte key "k0".
fn fixed_records(size: u64, extra: &str) -> String {
    format!(
        r#"
        name = "cost-boundary"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 10
        arrivals = "uniform"
        record_size = "{size}B"
        keys = {{ distribution = "uniform", count = 1, template = "k{{}}" }}
        batch = {{ linger = "0s" }}
        retry = {{ max_attempts = 1 }}
        {extra}
    "#
    )
}

fn cost(r: &kinesim::experiment::Outcome) -> &CostReport {
    &r.cost
}

fn line<'a>(items: &'a [LineItem], key: &str) -> &'a LineItem {
    items.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("no line {key}"))
}

/// `[cost] payload_counts_key` set to `counts` (the default, false, when `None`).
fn counts_key(counts: Option<bool>) -> String {
    counts.map_or(String::new(), |b| format!("[cost]\n        payload_counts_key = {b}"))
}

/// Rule: "A PUT Payload Unit is counted in 25KB payload chunks that comprise a record" (5 KB =
/// 1 unit, 45 KB = 2, 1 MB = 40: decimal KB;
/// https://aws.amazon.com/kinesis/data-streams/pricing/). Assumption `[cost]
/// payload_counts_key`: by default the payload is the data blob, so a 25,000-byte blob is 1 unit
/// and 25,001 bytes 2, whatever the key; with `true` the 2-byte key "k0" counts, so the unit
/// boundary moves 2 bytes down.
#[test]
fn put_payload_units_round_up_at_exactly_25_000_bytes() {
    for (setting, key) in [(None, 0), (Some(false), 0), (Some(true), 2)] {
        for (data, units) in [(25_000 - key, 1u64), (25_001 - key, 2)] {
            let r = run(&fixed_records(data, &counts_key(setting)));
            assert_eq!(r.totals.records_accepted, 100, "{data}");
            assert_eq!(r.totals.put_payload_units, 100 * units, "{data} data bytes, {setting:?}");
            let l = line(&cost(&r).bill.items, "put_payload_units");
            assert_eq!((l.quantity * 1e6).round() as u64, 100 * units);
            assert!((l.usd - (100 * units) as f64 / 1e6 * 0.014).abs() < 1e-15);
        }
    }
}

/// Rule (on-demand Data-In): "the size of each record rounded up to the nearest 1 KB (1,024
/// bytes)" (https://aws.amazon.com/kinesis/data-streams/pricing/): 1,024 bytes is 1 KiB, 1,025
/// bytes is 2. The record's size follows `[cost] payload_counts_key` as PUT payload units do:
/// the data blob by default, data + the 2-byte key with `true`.
#[test]
fn on_demand_ingest_rounds_up_at_exactly_1024_bytes() {
    for (setting, key) in [(None, 0), (Some(true), 2)] {
        for (data, kib) in [(1_024 - key, 1u64), (1_025 - key, 2)] {
            let r = run(&fixed_records(data, &counts_key(setting)));
            assert_eq!(r.totals.billed_ingest_kib, 100 * kib, "{data} data bytes, {setting:?}");
            let l = line(&cost(&r).what_if.items, "od_ingest_gb");
            assert!((l.quantity - (100 * kib * 1024) as f64 / GB_BYTES).abs() < 1e-18);
            assert!((l.usd - l.quantity * 0.08).abs() < 1e-18);
        }
    }
}

/// Rules: extended retention is billed per shard-hour when retention is above 24 h; long-term
/// retention per GB-month of data older than 7 days. A 10-minute run with 30 days of retention
/// keeps everything it accepted, none of it old enough for long-term; the month is projected at
/// steady state, where 23 days of data are long-term.
#[test]
fn retention_longer_than_the_run() {
    let r = run(&fixed_records(1000, "")
        .replace("duration = \"10s\"", "duration = \"10m\"")
        .replace("shards = 1", "shards = 2\n        retention = \"30d\""));
    let c = cost(&r);
    assert_eq!(c.retention_s, 30 * 86_400);
    assert_eq!(line(&c.bill.items, "shard_hour").quantity, 2.0);
    assert_eq!(line(&c.bill.items, "extended_retention_shard_hour").quantity, 2.0);
    let lt = line(&c.bill.items, "long_term_retention_gb_month");
    assert_eq!(lt.quantity, 0.0);
    assert!(lt.note.contains("shorter than 7 days"), "{}", lt.note);
    // Everything accepted before the last second is retained at the end, in the first tier.
    assert_eq!(c.retained_bytes.len(), 3);
    let kept: f64 = c.retained_bytes.iter().map(|(_, v)| v.last().copied().unwrap_or(0.0)).sum();
    assert_eq!(kept, r.totals.bytes_accepted as f64);
    assert_eq!(c.retained_bytes[1].1.last(), Some(&0.0));
    // Steady state: 1,002 bytes x 10 records/s for 23 days beyond 7 days.
    let month = line(&c.bill.month_items, "long_term_retention_gb_month");
    let expect = r.totals.bytes_accepted as f64 / 600.0 * 23.0 * 86_400.0 / GB_BYTES;
    assert!((month.quantity - expect).abs() < 1e-9, "{month:?}");
}

/// Cost is never negative and never decreases over time, and ends at the bill.
#[test]
fn cost_over_time_is_non_negative_and_monotone() {
    let r = run(r#"
        name = "cost-monotone"
        duration = "2h"
        [stream]
        shards = 3
        retention = "48h"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = { shape = "ramp", from = 100, to = 4000, start = "10m", end = "100m" }
        record_size = { distribution = "lognormal", median = "2KiB", p99 = "60KiB" }
    "#);
    let c = cost(&r);
    assert!(c.times_s.windows(2).all(|w| w[1] > w[0]));
    for (item, cum) in c.bill.items.iter().zip(&c.cumulative_usd) {
        assert!(item.usd >= 0.0 && item.quantity >= 0.0, "{item:?}");
        assert!(cum.iter().all(|v| *v >= 0.0), "{}", item.key);
        assert!(cum.windows(2).all(|w| w[1] >= w[0]), "{}", item.key);
        assert!((cum.last().unwrap() - item.usd).abs() < 1e-9, "{}", item.key);
    }
    assert!(c.what_if_cumulative_usd.windows(2).all(|w| w[1] >= w[0]));
    assert_eq!(line(&c.bill.items, "shard_hour").quantity, 6.0);
    assert!(c.bill.per_month_usd > 0.0 && c.what_if.per_month_usd > 0.0);
}

/// A price override from the scenario changes exactly its own line.
#[test]
fn a_price_override_changes_the_bill_exactly() {
    let base = run(&fixed_records(500, ""));
    let over = run(&fixed_records(500, "[cost]\n        prices = { shard_hour = 0.03, od_ingest_gb = 1 }"));
    let (b, o) = (cost(&base), cost(&over));
    assert_eq!(o.overrides, vec![("od_ingest_gb".to_string(), 1.0), ("shard_hour".to_string(), 0.03)]);
    let sb = line(&b.bill.items, "shard_hour");
    let so = line(&o.bill.items, "shard_hour");
    assert_eq!(sb.quantity, so.quantity);
    assert_eq!(so.unit_price_usd, 0.03);
    assert!((o.bill.total_usd - b.bill.total_usd - so.quantity * 0.015).abs() < 1e-12);
    assert_eq!(describe(so), "1 shard-hour x $0.03 = $0.03");
    let ob = line(&b.what_if.items, "od_ingest_gb");
    let oo = line(&o.what_if.items, "od_ingest_gb");
    assert!((oo.usd - ob.quantity * 1.0).abs() < 1e-15);
    for (x, y) in b.bill.items.iter().zip(&o.bill.items).filter(|(x, _)| x.key != "shard_hour") {
        assert_eq!(x, y);
    }
}

/// `summary.json` keeps its documented `cost_usd: { total, per_month, items }` (README, "The
/// results contract") and shows the working.
#[test]
fn summary_json_has_the_bill_with_its_working() {
    let r = run(&fixed_records(500, ""));
    let v: serde_json::Value = serde_json::from_slice(&kinesim::report::json::render(&r)).unwrap();
    let c = &v["cost_usd"];
    let total = c["total"].as_f64().unwrap();
    assert!((total - cost(&r).bill.total_usd).abs() < 1e-6);
    assert!(c["per_month"].as_f64().unwrap() > 0.0);
    assert_eq!(c["table"], "us-east-1");
    assert_eq!(c["table_date"], "2026-11-28");
    assert!(c["projection"].as_str().unwrap().contains("730 h"));
    assert_eq!(c["items"]["shard_hour"].as_f64(), Some(0.015));
    let first = &c["line_items"][0];
    assert_eq!(first["name"], "shard_hour");
    assert_eq!(first["unit"], "shard-hour");
    assert_eq!(first["text"], "1 shard-hour x $0.015 = $0.015");
    let od = &c["on_demand_what_if"];
    assert!(od["label"].as_str().unwrap().contains("not simulated"));
    assert_eq!(od["items"]["od_stream_hour"].as_f64(), Some(0.04));
    // Reads are zero without consumers, and say so.
    let efo =
        c["line_items"].as_array().unwrap().iter().find(|l| l["name"] == "efo_consumer_shard_hour").unwrap();
    assert_eq!(efo["usd"].as_f64(), Some(0.0));
    assert!(efo["note"].as_str().unwrap().contains("consumer"));
}

/// Enhanced fan-out billing (https://aws.amazon.com/kinesis/data-streams/pricing/): a 10-shard
/// stream with one EFO consumer for one hour is 10 consumer-shard-hours = $0.15, and the bytes
/// it read are billed per GB.
#[test]
fn efo_consumer_shard_hours_and_gb_are_billed() {
    let r = crate::common::run(
        r#"
        name = "efo-bill"
        duration = "1h"
        [stream]
        shards = 10
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 1000
        record_size = "1KiB"
        [[consumers]]
        name = "e"
        kind = "efo"
    "#,
    );
    let c = &r.cost;
    let item = |k: &str| c.bill.items.iter().find(|i| i.key == k).unwrap();
    assert!((item("efo_consumer_shard_hour").quantity - 10.0).abs() < 1e-9);
    assert!((item("efo_consumer_shard_hour").usd - 0.15).abs() < 1e-9);
    let gb = r.consumers[0].bytes_read as f64 / (1u64 << 30) as f64;
    assert!(
        (item("efo_retrieval_gb").quantity - gb).abs() < 1e-9,
        "{} vs {gb}",
        item("efo_retrieval_gb").quantity
    );
    assert!(gb > 3.0, "about 3.4 GiB read in an hour: {gb}");
}

/// `[cost]` is checked like the rest of the format: unknown regions list the shipped tables;
/// unknown prices and fields get a suggestion.
#[test]
fn cost_table_errors_are_specific() {
    let err = |extra: &str| {
        kinesim::scenario::parse_str(&fixed_records(500, extra), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = err("[cost]\n        region = \"us-east-2\"");
    assert!(
        e.contains("cost.region: no price table for region \"us-east-2\"") && e.contains("\"us-east-1\""),
        "{e}"
    );
    let e = err("[cost]\n        prices = { shard_hours = 0.02 }");
    assert!(e.contains("unknown price `shard_hours`; did you mean `shard_hour`?"), "{e}");
    let e = err("[cost]\n        prices = { shard_hour = -1 }");
    assert!(e.contains("cost.prices.shard_hour"), "{e}");
    let e = err("[cost]\n        regoin = \"us-east-1\"");
    assert!(e.contains("unknown field `regoin`; did you mean `region`?"), "{e}");
    let s = scenario(&fixed_records(
        500,
        "[cost]\n        region = \"us-east-1\"\n        prices = { put_payload_units = 0.02 }",
    ));
    assert_eq!(s.cost.table.usd("put_payload_units"), 0.02);
    assert_eq!(s.cost.table.items["put_payload_units"].source, "scenario override ([cost] prices)");
}

/// Rule: every open shard, each hour or part of an hour, is billed
/// (https://aws.amazon.com/kinesis/data-streams/pricing/, provisioned: shard hour; during a reshard
/// the parent and its children are open, both sides billed). One shard resharded to two at 30 min: the parent and both children are open in the
/// first hour (3 shard-hours), the children in the second (2).
#[test]
fn reshard_mid_hour_bills_both_sides() {
    let r = run(&fixed_records(500, "[capacity]\n        schedule = [ { at = \"30m\", shards = 2 } ]")
        .replace("duration = \"10s\"", "duration = \"2h\""));
    assert_eq!(r.capacity.shards_final, 2);
    let c = cost(&r);
    assert_eq!(line(&c.bill.items, "shard_hour").quantity, 5.0);
    // The month is exact time: mostly two shards.
    let m = line(&c.bill.month_items, "shard_hour").quantity / 730.0;
    assert!(m > 1.5 && m < 2.0, "{m}");
}

/// An on-demand stream is billed as On-demand Standard (stream-hours + GB ingested), with the
/// provisioned price of the shards it opened as the what-if.
#[test]
fn an_on_demand_stream_is_billed_on_demand() {
    let toml = fixed_records(1022, "").replace("shards = 1", "mode = \"on-demand\"");
    let Ok(s) = kinesim::scenario::parse_str(&toml, None) else {
        return; // on-demand capacity not accepted by this build yet (issue 3)
    };
    let r = kinesim::experiment::run(&s);
    let c = cost(&r);
    assert_eq!(c.bill.label, "on-demand standard");
    assert_eq!(c.what_if_mode, "provisioned");
    assert_eq!(line(&c.bill.items, "od_stream_hour").quantity, 1.0);
    let l = line(&c.bill.items, "od_ingest_gb");
    assert!((l.quantity - (r.totals.billed_ingest_kib * 1024) as f64 / GB_BYTES).abs() < 1e-18);
    let v: serde_json::Value = serde_json::from_slice(&kinesim::report::json::render(&r)).unwrap();
    assert_eq!(v["cost_usd"]["mode"], "on-demand standard");
    assert!(v["cost_usd"]["provisioned_what_if"]["total"].as_f64().unwrap() > 0.0);
    assert!(v["cost_usd"].get("on_demand_what_if").is_none());
}

/// The pricing page's own examples (https://aws.amazon.com/kinesis/data-streams/pricing/),
/// through real runs: PUT payload units of a 5 KB, 45 KB and 1 MB record are 1, 2 and 40
/// (decimal KB). With the default `[cost] payload_counts_key = false` they hold for the data blob
/// with its 2-byte key on top; with `true` the key counts, and a 1 MB blob + key is 41 units. A
/// 4.5 KB (4,608-byte) record is billed on-demand as 5 KB either way.
#[test]
fn the_pricing_page_record_examples() {
    for (setting, examples) in [
        (None, [(5_000u64, 1u64), (45_000, 2), (1_000_000, 40)]),
        (Some(true), [(5_000, 1), (45_000, 2), (1_000_000, 41)]),
    ] {
        for (data, units) in examples {
            let r = run(&fixed_records(data, &counts_key(setting)).replace("rate = 10", "rate = 1"));
            assert_eq!(r.totals.records_accepted, 10, "{data}");
            assert_eq!(r.totals.put_payload_units, 10 * units, "{data} data bytes, {setting:?}");
        }
        let r = run(&fixed_records(4_608, &counts_key(setting)));
        assert_eq!(r.totals.billed_ingest_kib, 100 * 5);
    }
}

/// The bill says which reading of "payload" it used, in the text summary, report.html and
/// summary.json, and `kinesim explain` lists `cost.payload_counts_key` as an assumption.
#[test]
fn the_bill_says_whether_the_partition_key_counts() {
    for (setting, says) in [(None, "payload_counts_key = false"), (Some(true), "payload_counts_key = true")] {
        let toml = fixed_records(1000, &counts_key(setting));
        let sc = scenario(&toml);
        let r = kinesim::experiment::run(&sc);
        let text = kinesim::report::text::render(&r, None);
        assert!(text.contains(says), "{text}");
        let html = String::from_utf8(kinesim::report::html::render_with(&r, &sc, &[])).unwrap();
        assert!(html.contains(says), "report.html");
        let v: serde_json::Value = serde_json::from_slice(&kinesim::report::json::render(&r)).unwrap();
        assert!(v["cost_usd"]["payload_rule"].as_str().unwrap().contains(says));
        let note = &line(&cost(&r).bill.items, "put_payload_units").note;
        assert!(
            note.contains(if setting.is_some() { "data blob + partition key" } else { "not counted" }),
            "{note}"
        );
        let row =
            kinesim::explain::fields(&sc).into_iter().find(|f| f.path == "cost.payload_counts_key").unwrap();
        assert_eq!(row.origin, kinesim::explain::Origin::Assumption);
        assert_eq!(row.default.as_deref(), Some("false"));
    }
    let bad =
        kinesim::scenario::parse_str(&fixed_records(1000, "[cost]\n payload_counts_key = \"yes\""), None);
    assert!(format!("{}", bad.unwrap_err()).contains("cost.payload_counts_key"));
}

/// The terminal summary shows the bill's working and the what-if.
#[test]
fn the_terminal_summary_shows_the_working() {
    let r = run(&fixed_records(500, ""));
    let text = kinesim::report::text::render(&r, None);
    assert!(text.contains("cost      $0.015 for the run, $11.32 per month (730 h)"), "{text}");
    assert!(text.contains("shard-hours:") && text.contains("1 shard-hour x $0.015 = $0.015"), "{text}");
    assert!(text.contains("on-demand standard what-if (this traffic priced, not simulated; use kinesim compare to simulate it)"), "{text}");
}

/// Rule: a mode switch keeps the shards and changes the billing (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html): every second is billed in the
/// mode the stream was in. Provisioned for 90 minutes (1 shard: 2 shard-hours, PUT payload units
/// of the first 5,400 s), then on-demand (stream-hours for the part of hour 2 and hour 3, GB
/// ingested of the last 5,400 s).
#[test]
fn a_mode_switch_mid_run_splits_the_bill() {
    let toml =
        fixed_records(1022, "[capacity]\n        mode_switches = [ { at = \"90m\", mode = \"on-demand\" } ]")
            .replace("duration = \"10s\"", "duration = \"3h\"");
    let r = run(&toml);
    assert_eq!(r.capacity.mode_switches.len(), 1);
    assert_eq!(r.capacity.mode_switches[0].refused, None);
    let c = cost(&r);
    assert_eq!(c.bill.label, "provisioned then on-demand standard");
    assert_eq!(line(&c.bill.items, "shard_hour").quantity, 2.0);
    assert_eq!(line(&c.bill.items, "od_stream_hour").quantity, 2.0);
    let per_s = |v: &[u64], range: std::ops::Range<usize>| v[range].iter().sum::<u64>() as f64;
    let units = line(&c.bill.items, "put_payload_units").quantity * 1e6;
    assert!((units - per_s(&r.series.put_payload_units, 0..5400)).abs() < 1e-6);
    let gb = line(&c.bill.items, "od_ingest_gb").quantity;
    assert!((gb - per_s(&r.series.billed_ingest_kib, 5400..10_800) * 1024.0 / GB_BYTES).abs() < 1e-15);
    // The what-if prices the whole run in the other mode than it started in.
    assert_eq!(c.what_if_mode, "on-demand standard");
    assert_eq!(line(&c.what_if.items, "od_stream_hour").quantity, 3.0);
    // The month weights each mode by its share of the run: half of 730 h each.
    assert!((line(&c.bill.month_items, "shard_hour").quantity - 365.0).abs() < 1e-9);
    assert!((line(&c.bill.month_items, "od_stream_hour").quantity - 365.0).abs() < 1e-9);
}

/// On-demand Advantage (AWS Big Data blog, 2026-03-09): no per-stream hourly charge, $0.032 per
/// GB ingested (each record rounded up to 1 KiB) instead of Standard's $0.04 per stream-hour and
/// $0.08 per GB; chosen with `[cost] on_demand = "advantage"`.
#[test]
fn on_demand_advantage_prices_the_same_traffic() {
    let toml = |plan: &str| {
        format!(
            r#"
            name = "oda"
            duration = "1h"
            [stream]
            mode = "on-demand"
            [engine]
            mode = "aggregated"
            [cost]
            on_demand = "{plan}"
            [[producers]]
            name = "p"
            rate = 1000
            arrivals = "uniform"
            record_size = "1000B"
            keys = {{ distribution = "uniform", count = 100, template = "k{{}}" }}
        "#
        )
    };
    let std = crate::common::run(&toml("standard"));
    let adv = crate::common::run(&toml("advantage"));
    let item = |r: &kinesim::experiment::Outcome, k: &str| {
        r.cost.bill.items.iter().find(|i| i.key == k).map(|i| (i.quantity, i.usd)).unwrap()
    };
    // 3.6 M records of 1,000 + 2..3 key bytes, each billed as 1 KiB: 3.6 M KiB.
    let gb = 3_600_000.0 * 1024.0 / (1u64 << 30) as f64;
    let (q, usd) = item(&adv, "oda_ingest_gb");
    assert!((q - gb).abs() < 1e-9, "{q} vs {gb}");
    assert!((usd - gb * 0.032).abs() < 1e-9);
    assert_eq!(item(&adv, "oda_stream_hour").1, 0.0);
    let (q, usd) = item(&std, "od_ingest_gb");
    assert!((q - gb).abs() < 1e-9 && (usd - gb * 0.08).abs() < 1e-9);
    assert!((item(&std, "od_stream_hour").1 - 0.04).abs() < 1e-12);
    assert!(adv.cost.bill.label.contains("advantage"));
}

/// A line with nothing to bill (no consumers: no reads; 24 h retention: no extended or long-term
/// retention) is 0 and $0.00 in every output, never `-0.0` or `$-0.00` (an empty sum of f64 is
/// -0.0 in Rust, so the zero has to be made positive where it is summed and where it is printed).
#[test]
fn lines_with_nothing_to_bill_are_never_negative_zero() {
    let toml = fixed_records(1000, "");
    let sc = scenario(&toml);
    let r = kinesim::experiment::run(&sc);
    let c = cost(&r);
    for item in c.bill.items.iter().chain(&c.bill.month_items).chain(&c.what_if.items) {
        assert!(item.quantity.is_sign_positive() && item.usd.is_sign_positive(), "{item:?}");
    }
    let outputs = [
        ("text", kinesim::report::text::render(&r, None).into_bytes()),
        ("summary.json", kinesim::report::json::render(&r)),
        ("report.html", kinesim::report::html::render_with(&r, &sc, &[])),
        ("timeseries.csv", kinesim::report::csv::timeseries(&r)),
        ("shards.csv", kinesim::report::csv::shards(&r)),
        ("comparison.json", kinesim::report::compare::json(std::slice::from_ref(&r))),
        ("comparison.csv", kinesim::report::compare::csv(std::slice::from_ref(&r))),
        ("compare text", kinesim::report::compare::text(std::slice::from_ref(&r)).into_bytes()),
    ];
    for (name, out) in outputs {
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains('0'), "{name}");
        for bad in ["-0.0", "$-0", ": -0,", ": -0\n", ",-0,", ",-0\n"] {
            assert!(!out.contains(bad), "{name} has {bad:?}");
        }
    }
}

/// `cost_usd.mode` names the modes in the order the stream was in them: a stream that switched to
/// on-demand and back (how-do-i-size-a-stream: a stream can switch modes twice in 24 hours,
/// https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html) is
/// "provisioned then on-demand standard then provisioned"; one that starts on-demand says so
/// first.
#[test]
fn the_bill_label_follows_the_mode_sequence_how_do_i_size_a_stream() {
    let back = fixed_records(
        1022,
        "[capacity]\n        mode_switches = [ { at = \"1h\", mode = \"on-demand\" }, { at = \"2h\", mode = \"provisioned\" } ]",
    )
    .replace("duration = \"10s\"", "duration = \"3h\"");
    let r = run(&back);
    assert!(r.capacity.mode_switches.iter().all(|s| s.refused.is_none()));
    assert_eq!(cost(&r).bill.label, "provisioned then on-demand standard then provisioned");
    let from_od = fixed_records(
        1022,
        "[capacity]\n        mode_switches = [ { at = \"1h\", mode = \"provisioned\" } ]",
    )
    .replace("duration = \"10s\"", "duration = \"2h\"")
    .replace("shards = 1", "mode = \"on-demand\"");
    let r = run(&from_od);
    assert_eq!(cost(&r).bill.label, "on-demand standard then provisioned");
}
