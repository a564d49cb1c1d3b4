//! `kinesim compare`: one workload under several capacity configurations, side by side.
//! Pure renderers; the writer owns the files.

use crate::experiment::Outcome;
use crate::kinds::EngineMode;
use crate::metrics::RunResult;
use crate::units::thousands;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write;

#[derive(Serialize)]
struct Comparison<'a> {
    kinesim_version: &'a str,
    variants: Vec<Variant<'a>>,
}

#[derive(Serialize)]
struct Variant<'a> {
    scenario: Cow<'a, str>,
    seed: u64,
    duration_s: f64,
    mode: &'static str,
    shards_initial: u32,
    shards_final: u32,
    shards_max: u32,
    /// Open shards integrated over the run [shard-hours] (the provisioned bill's main unit).
    shard_hours: f64,
    update_shard_count_calls: usize,
    update_shard_count_refused: usize,
    records_produced: u64,
    records_accepted: u64,
    records_dropped: u64,
    records_pending: u64,
    throttled_attempts: u64,
    throttle_rate: f64,
    put_latency_p50_ms: f64,
    put_latency_p99_ms: f64,
    put_latency_max_ms: f64,
    textbook_shards_at_peak: u64,
    /// The run's bill and its monthly projection [USD] (see the Cost section of the README).
    cost_usd: f64,
    cost_per_month_usd: f64,
    /// With both write-limit bounds: the lenient bound's throttle rate and dropped records (the
    /// figures above are the strict bound's); empty otherwise.
    lenient_throttle_rate: Option<f64>,
    lenient_records_dropped: Option<u64>,
}

/// Open shards integrated over the run [shard-hours].
pub fn shard_hours(r: &RunResult) -> f64 {
    r.series.open_shards.iter().map(|s| f64::from(*s)).sum::<f64>() / 3600.0
}

fn variant(r: &Outcome) -> Variant<'_> {
    let t = &r.totals;
    let round = |x: f64, k: f64| crate::cost::positive_zero((x * k).round() / k);
    Variant {
        scenario: Cow::Borrowed(&r.scenario),
        seed: r.seed,
        duration_s: r.duration_s,
        mode: r.capacity.mode.name(),
        shards_initial: r.capacity.shards_initial,
        shards_final: r.capacity.shards_final,
        shards_max: r.capacity.shards_max,
        shard_hours: round(shard_hours(r), 1e4),
        update_shard_count_calls: r.capacity.calls.len(),
        update_shard_count_refused: r.capacity.calls.iter().filter(|c| c.refused.is_some()).count(),
        records_produced: t.records_produced,
        records_accepted: t.records_accepted,
        records_dropped: t.records_dropped(),
        records_pending: t.records_pending,
        throttled_attempts: t.throttled_attempts,
        throttle_rate: round(t.throttle_rate(), 1e6),
        put_latency_p50_ms: round(r.latency.overall.p50, 1e3),
        put_latency_p99_ms: round(r.latency.overall.p99, 1e3),
        put_latency_max_ms: round(r.latency.overall.max, 1e3),
        textbook_shards_at_peak: r.textbook.shards_at_peak_with_record_limit,
        cost_usd: round(r.cost.bill.total_usd, 100.0),
        cost_per_month_usd: round(r.cost.bill.per_month_usd, 100.0),
        lenient_throttle_rate: r.lenient.as_ref().map(|l| round(l.throttle_rate, 1e6)),
        lenient_records_dropped: r.lenient.as_ref().map(|l| l.records_dropped),
    }
}

/// `comparison.json`.
pub fn json(runs: &[Outcome]) -> Vec<u8> {
    let c = Comparison { kinesim_version: crate::VERSION, variants: runs.iter().map(variant).collect() };
    let mut out = serde_json::to_vec_pretty(&c).expect("comparison serialises");
    out.push(b'\n');
    out
}

/// `comparison.csv`: one row per variant, units in the header; the scenario name is a text
/// cell ([`crate::text_safety::csv_text`]: a name may start with `-`).
pub fn csv(runs: &[Outcome]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let rows: Vec<Variant> = runs
        .iter()
        .map(|r| Variant { scenario: crate::text_safety::csv_text(&r.scenario), ..variant(r) })
        .collect();
    for row in &rows {
        // Serialising plain structs into memory cannot fail.
        w.serialize(row).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// The terminal table.
pub fn text(runs: &[Outcome]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<28} {:>7} {:>10} {:>10} {:>12} {:>10} {:>9} {:>9} {:>12} {:>12}",
        "variant",
        "shards",
        "throttle%",
        "lenient%",
        "dropped",
        "p99 [ms]",
        "calls",
        "refused",
        "shard-hours",
        "USD/month"
    );
    for r in runs {
        let v = variant(r);
        let shards = if v.shards_initial == v.shards_max {
            v.shards_initial.to_string()
        } else {
            format!("{}-{}", v.shards_initial, v.shards_max)
        };
        let _ = writeln!(
            s,
            "{:<28} {:>7} {:>10.3} {:>10} {:>12} {:>10} {:>9} {:>9} {:>12.2} {:>12}",
            v.scenario,
            shards,
            100.0 * v.throttle_rate,
            v.lenient_throttle_rate.map_or("-".to_string(), |t| format!("{:.3}", 100.0 * t)),
            thousands(v.records_dropped),
            format!(
                "{:.1}{}",
                v.put_latency_p99_ms,
                if r.engine_mode == EngineMode::Aggregated { "†" } else { "" }
            ),
            v.update_shard_count_calls,
            v.update_shard_count_refused,
            v.shard_hours,
            format!("{:.2}", v.cost_per_month_usd)
        );
    }
    if let Some(r) = runs.first() {
        let _ = writeln!(
            s,
            "textbook formula for this traffic: {} at the peak (with the 1,000 records/s limit)",
            crate::units::shards(r.textbook.shards_at_peak_with_record_limit)
        );
    }
    if runs.iter().any(|r| r.engine_mode == EngineMode::Aggregated) {
        let _ = writeln!(s, "{}", super::words::AGGREGATED_LATENCY_NOTE);
    }
    let differ: Vec<&str> =
        runs.iter().filter(|r| r.bounds_differ() == Some(true)).map(|r| r.scenario.as_str()).collect();
    if !differ.is_empty() {
        let _ = writeln!(
            s,
            "throttle% is the strict bound (fixed 1 s windows), lenient% a {}; they differ materially for {}: AWS does not document how the per-shard limit is enforced",
            runs.iter().find_map(|r| r.lenient.as_ref()).map_or("", |l| l.write_limit.as_str()),
            differ.join(", ")
        );
    }
    s
}
