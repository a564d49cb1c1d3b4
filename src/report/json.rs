//! `summary.json`: the results contract users script against (documented field by field in the
//! README). Field order is fixed by these structs, so the bytes are deterministic.

use crate::cost::CostReport;
use crate::experiment::Outcome;
use crate::kinds::RunBound;
use crate::metrics::Percentiles;
use serde::Serialize;

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    description: &'a str,
    seed: u64,
    duration_s: f64,
    kinesim_version: &'a str,
    engine_mode: &'a str,
    capacity: Capacity<'a>,
    write: Write,
    /// The bound of every other figure when it is not the strict one (`lenient`, or
    /// `stream.write_limit` set explicitly); absent for the strict bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    bound: Option<&'a str>,
    /// With `engine.bounds = "both"`: the write figures under the lenient bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    lenient: Option<Lenient<'a>>,
    read: Read<'a>,
    cost_usd: Cost,
    textbook: Textbook,
    warnings: &'a [String],
    shards: Vec<Shard<'a>>,
}

#[derive(Serialize)]
struct Capacity<'a> {
    mode: &'a str,
    shards_initial: u32,
    shards_final: u32,
    shards_max: u32,
    reshard_count: u32,
    update_shard_count_calls: Vec<Call<'a>>,
    mode_switches: Vec<Switch<'a>>,
}

#[derive(Serialize)]
struct Switch<'a> {
    at_s: f64,
    to: &'a str,
    accepted: bool,
    refused_because: Option<&'a str>,
}

#[derive(Serialize)]
struct Call<'a> {
    at_s: f64,
    origin: &'a str,
    from_shards: u32,
    target_shards: u32,
    accepted: bool,
    completed_at_s: Option<f64>,
    refused_because: Option<&'a str>,
}

#[derive(Serialize)]
struct Write {
    records_produced: u64,
    records_accepted: u64,
    /// Kinesis records accepted (an aggregated KPL record counts one).
    kinesis_records_accepted: u64,
    records_dropped: u64,
    records_dropped_throttled: u64,
    records_dropped_buffer_full: u64,
    records_pending: u64,
    bytes_accepted: u64,
    throttled_attempts: u64,
    throttle_rate: f64,
    retried_attempts: u64,
    put_records_calls: u64,
    put_payload_units: u64,
    billed_ingest_kib: u64,
    put_latency_ms: Latency,
}

#[derive(Serialize)]
struct Lenient<'a> {
    write_limit: &'a str,
    records_accepted: u64,
    records_dropped: u64,
    records_pending: u64,
    throttled_attempts: u64,
    throttle_rate: f64,
    retried_attempts: u64,
    put_latency_ms: Latency,
    /// Throttle rates more than 0.1 percentage point apart, or only one bound drops records.
    bounds_differ_materially: bool,
}

#[derive(Serialize)]
struct Latency {
    count: u64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

impl From<Percentiles> for Latency {
    fn from(p: Percentiles) -> Self {
        Latency {
            count: p.count,
            p50: round3(p.p50),
            p90: round3(p.p90),
            p99: round3(p.p99),
            max: round3(p.max),
        }
    }
}

#[derive(Serialize)]
struct Read<'a> {
    consumers: Vec<Consumer<'a>>,
}

#[derive(Serialize)]
struct Consumer<'a> {
    name: &'a str,
    kind: &'a str,
    records_read: u64,
    bytes_read: u64,
    read_throttled_calls: u64,
    records_lost_to_retention: u64,
    records_unread_at_end: u64,
    lag_ms: Latency,
    /// From creation to processed (= delivered for a consumer without KCL workers).
    end_to_end_ms: Latency,
    /// From creation to delivered to the application (read + propagation).
    delivered_ms: Latency,
    records_processed: u64,
    /// Processed again after a worker failed before checkpointing them.
    records_reprocessed: u64,
    /// Read and still being processed when the run ended (KCL workers).
    records_in_flight_at_end: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    kcl: Option<Kcl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<Job<'a>>,
}

#[derive(Serialize)]
struct Kcl {
    checkpoints: u64,
    lease_moves: u64,
    workers: Vec<Worker>,
}

#[derive(Serialize)]
struct Worker {
    leases_at_end: u32,
    records_processed: u64,
    failed_at_s: Option<f64>,
}

#[derive(Serialize)]
struct Job<'a> {
    runs_completed: usize,
    runs_failed: usize,
    periods_skipped: usize,
    records_flushed: u64,
    records_waiting_at_end: u64,
    /// From creation to flushed by the job.
    flushed_ms: Latency,
    runs: Vec<JobRun>,
    skipped: Vec<JobSkip<'a>>,
}

#[derive(Serialize)]
struct JobRun {
    period: u64,
    instance: u32,
    started_s: f64,
    ended_s: f64,
    outcome: &'static str,
    records_flushed: u64,
}

#[derive(Serialize)]
struct JobSkip<'a> {
    period: u64,
    at_s: f64,
    reason: &'a str,
}

/// `cost_usd`: the provisioned bill (`total`, `per_month`, `items` as the README documents them),
/// each line with its working, and the on-demand what-if. `null`s when no cost was computed.
#[derive(Serialize)]
struct Cost {
    total: f64,
    per_month: f64,
    items: std::collections::BTreeMap<String, f64>,
    /// The billed mode: `provisioned` or `on-demand standard`.
    mode: String,
    table: String,
    table_date: String,
    overrides: std::collections::BTreeMap<String, f64>,
    projection: String,
    /// How a record's billed size is counted (`[cost] payload_counts_key`).
    payload_rule: String,
    line_items: Vec<CostLine>,
    per_month_line_items: Vec<CostLine>,
    /// A provisioned run priced as On-demand Standard.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_demand_what_if: Option<WhatIf>,
    /// An on-demand run priced as provisioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    provisioned_what_if: Option<WhatIf>,
}

#[derive(Serialize)]
struct CostLine {
    name: String,
    quantity: f64,
    unit: String,
    unit_price_usd: f64,
    usd: f64,
    text: String,
    note: String,
}

#[derive(Serialize)]
struct WhatIf {
    label: String,
    total: f64,
    per_month: f64,
    items: std::collections::BTreeMap<String, f64>,
    line_items: Vec<CostLine>,
    per_month_line_items: Vec<CostLine>,
}

fn cost_lines(items: &[crate::cost::LineItem]) -> Vec<CostLine> {
    items
        .iter()
        .map(|i| CostLine {
            name: i.key.clone(),
            quantity: round6(i.quantity),
            unit: i.unit.clone(),
            unit_price_usd: i.unit_price_usd,
            usd: round6(i.usd),
            text: crate::cost::describe(i),
            note: i.note.clone(),
        })
        .collect()
}

fn cost_items(items: &[crate::cost::LineItem]) -> std::collections::BTreeMap<String, f64> {
    items.iter().map(|i| (i.key.clone(), round6(i.usd))).collect()
}

fn what_if(b: &crate::cost::Bill) -> WhatIf {
    WhatIf {
        label: b.label.clone(),
        total: round6(b.total_usd),
        per_month: round6(b.per_month_usd),
        items: cost_items(&b.items),
        line_items: cost_lines(&b.items),
        per_month_line_items: cost_lines(&b.month_items),
    }
}

fn cost(c: &CostReport) -> Cost {
    let wi = &c.what_if;
    Cost {
        mode: c.bill.label.clone(),
        total: round6(c.bill.total_usd),
        per_month: round6(c.bill.per_month_usd),
        items: cost_items(&c.bill.items),
        table: c.table.clone(),
        table_date: c.table_date.clone(),
        overrides: c.overrides.iter().cloned().collect(),
        projection: c.projection.clone(),
        payload_rule: c.payload_rule.clone(),
        line_items: cost_lines(&c.bill.items),
        per_month_line_items: cost_lines(&c.bill.month_items),
        on_demand_what_if: (c.what_if_mode != "provisioned").then(|| what_if(wi)),
        provisioned_what_if: (c.what_if_mode == "provisioned").then(|| what_if(wi)),
    }
}

#[derive(Serialize)]
struct Textbook {
    mean_records_per_s: f64,
    peak_records_per_s: f64,
    avg_record_kib: f64,
    mean_ingress_kib_per_s: f64,
    peak_ingress_kib_per_s: f64,
    shards_at_mean: u64,
    shards_at_peak: u64,
    shards_at_peak_with_record_limit: u64,
}

#[derive(Serialize)]
struct Shard<'a> {
    shard_id: &'a str,
    /// Decimal strings, as the Kinesis API prints them (128-bit integers do not fit JSON numbers).
    starting_hash_key: String,
    ending_hash_key: String,
    key_share: f64,
    offered_records: u64,
    accepted_records: u64,
    throttled_records: u64,
    accepted_bytes: u64,
    peak_offered_records_per_s: u64,
    peak_offered_bytes_per_s: u64,
    parent_shard_ids: &'a [String],
    opened_at_s: f64,
    closed_at_s: Option<f64>,
}

/// Rounded to 3 decimals; a negative zero (or a tiny negative rounded to zero) is written 0.0.
fn round3(x: f64) -> f64 {
    crate::cost::positive_zero((x * 1000.0).round() / 1000.0)
}

/// Rounded to 6 decimals; never a negative zero.
fn round6(x: f64) -> f64 {
    crate::cost::positive_zero((x * 1e6).round() / 1e6)
}

/// Render `summary.json` (pretty-printed, trailing newline).
pub fn render(r: &Outcome) -> Vec<u8> {
    let t = &r.totals;
    let tb = &r.textbook;
    let s = Summary {
        scenario: &r.scenario,
        description: &r.description,
        seed: r.seed,
        duration_s: r.duration_s,
        kinesim_version: crate::VERSION,
        engine_mode: r.engine_mode.name(),
        capacity: Capacity {
            mode: r.capacity.mode.name(),
            shards_initial: r.capacity.shards_initial,
            shards_final: r.capacity.shards_final,
            shards_max: r.capacity.shards_max,
            reshard_count: r.capacity.reshard_count,
            update_shard_count_calls: r
                .capacity
                .calls
                .iter()
                .map(|c| Call {
                    at_s: c.at_s,
                    origin: c.origin.name(),
                    from_shards: c.from_shards,
                    target_shards: c.target_shards,
                    accepted: c.refused.is_none(),
                    completed_at_s: c.completed_at_s,
                    refused_because: c.refused.as_deref(),
                })
                .collect(),
            mode_switches: r
                .capacity
                .mode_switches
                .iter()
                .map(|m| Switch {
                    at_s: m.at_s,
                    to: m.to.name(),
                    accepted: m.refused.is_none(),
                    refused_because: m.refused.as_deref(),
                })
                .collect(),
        },
        write: Write {
            records_produced: t.records_produced,
            records_accepted: t.records_accepted,
            kinesis_records_accepted: r.kinesis_records_accepted,
            records_dropped: t.records_dropped(),
            records_dropped_throttled: t.records_dropped_throttled,
            records_dropped_buffer_full: t.records_dropped_buffer,
            records_pending: t.records_pending,
            bytes_accepted: t.bytes_accepted,
            throttled_attempts: t.throttled_attempts,
            throttle_rate: round6(t.throttle_rate()),
            retried_attempts: t.retries,
            put_records_calls: t.put_calls,
            put_payload_units: t.put_payload_units,
            billed_ingest_kib: t.billed_ingest_kib,
            put_latency_ms: r.latency.overall.into(),
        },
        bound: (r.bound != RunBound::Strict).then_some(r.bound.name()),
        lenient: r.lenient.as_ref().map(|l| Lenient {
            write_limit: &l.write_limit,
            records_accepted: l.records_accepted,
            records_dropped: l.records_dropped,
            records_pending: l.records_pending,
            throttled_attempts: l.throttled_attempts,
            throttle_rate: round6(l.throttle_rate),
            retried_attempts: l.retried_attempts,
            put_latency_ms: l.put_latency.into(),
            bounds_differ_materially: r.bounds_differ() == Some(true),
        }),
        read: Read {
            consumers: r
                .consumers
                .iter()
                .map(|c| Consumer {
                    name: &c.name,
                    kind: c.kind.name(),
                    records_read: c.records_read,
                    bytes_read: c.bytes_read,
                    read_throttled_calls: c.read_throttled_calls,
                    records_lost_to_retention: c.records_lost_to_retention,
                    records_unread_at_end: c.records_unread,
                    lag_ms: c.iterator_age_ms.into(),
                    end_to_end_ms: c.end_to_end_ms.into(),
                    delivered_ms: c.delivered_ms.into(),
                    records_processed: c.records_processed,
                    records_reprocessed: c.records_reprocessed,
                    records_in_flight_at_end: c.records_in_flight,
                    kcl: (!c.workers.is_empty()).then(|| Kcl {
                        checkpoints: c.checkpoints,
                        lease_moves: c.lease_moves,
                        workers: c
                            .workers
                            .iter()
                            .map(|w| Worker {
                                leases_at_end: w.leases,
                                records_processed: w.records_processed,
                                failed_at_s: w.failed_at_s.map(round3),
                            })
                            .collect(),
                    }),
                    job: c.job.as_ref().map(|j| Job {
                        runs_completed: j.runs.iter().filter(|r| r.outcome == "completed").count(),
                        runs_failed: j.runs.iter().filter(|r| r.outcome == "failed").count(),
                        periods_skipped: j.skipped.len(),
                        records_flushed: j.records_flushed,
                        records_waiting_at_end: j.records_waiting,
                        flushed_ms: j.flushed_ms.into(),
                        runs: j
                            .runs
                            .iter()
                            .map(|r| JobRun {
                                period: r.period,
                                instance: r.instance,
                                started_s: round3(r.started_s),
                                ended_s: round3(r.ended_s),
                                outcome: r.outcome,
                                records_flushed: r.records_flushed,
                            })
                            .collect(),
                        skipped: j
                            .skipped
                            .iter()
                            .map(|k| JobSkip { period: k.period, at_s: round3(k.at_s), reason: &k.reason })
                            .collect(),
                    }),
                })
                .collect(),
        },
        cost_usd: cost(&r.cost),
        warnings: &r.warnings,
        textbook: Textbook {
            mean_records_per_s: round3(tb.mean_records_per_s),
            peak_records_per_s: round3(tb.peak_records_per_s),
            avg_record_kib: tb.avg_record_kib,
            mean_ingress_kib_per_s: round3(tb.mean_ingress_kib_per_s),
            peak_ingress_kib_per_s: round3(tb.peak_ingress_kib_per_s),
            shards_at_mean: tb.shards_at_mean,
            shards_at_peak: tb.shards_at_peak,
            shards_at_peak_with_record_limit: tb.shards_at_peak_with_record_limit,
        },
        shards: r
            .shards
            .iter()
            .map(|s| Shard {
                shard_id: &s.shard_id,
                starting_hash_key: s.starting_hash_key.to_string(),
                ending_hash_key: s.ending_hash_key.to_string(),
                key_share: round6(s.key_share),
                offered_records: s.offered_records,
                accepted_records: s.accepted_records,
                throttled_records: s.throttled_records,
                accepted_bytes: s.accepted_bytes,
                peak_offered_records_per_s: s.peak_offered_records_per_s,
                peak_offered_bytes_per_s: s.peak_offered_bytes_per_s,
                parent_shard_ids: &s.parent_shard_ids,
                opened_at_s: s.opened_at_s,
                closed_at_s: s.closed_at_s,
            })
            .collect(),
    };
    // Serialising these plain structs cannot fail.
    let mut out = serde_json::to_vec_pretty(&s).expect("summary serialises");
    out.push(b'\n');
    out
}
