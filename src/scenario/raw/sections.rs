//! The mirror of the file's top level ([`RawScenario`]) and of every section but the
//! producers: `[stream]`, `[engine]`, `[size]`, `[capacity]`, `[[consumers]]` and `[cost]`.
//!
//! May call: `raw::scalar`, `raw::producers`, `raw::kinds` (the kind of each leaf, for the schema).

use super::kinds::{
    AutoscalingPolicies, Bool, CapacityModes, ConsumerKinds, CostOnDemand, Duration, EngineBounds,
    EngineModes, EverySeed, Holder, Int, Number, OneOf, Prices, Regions, Removed, Size, SizeBounds,
    SizePolicies, SizeSearches, Text, ValueOr, WriteLimits,
};
use super::producers::RawProducer;
use super::scalar::{Field, Scalar, ScalarVisitor};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A kinesim scenario: a Kinesis data stream, the producers writing to it, and optionally its
/// capacity plan, consumers, cost and sizing search. `kinesim explain FILE` shows every setting
/// with its default; `kinesim validate FILE` checks the ranges and rules this schema cannot.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a scenario table")]
#[schemars(title = "kinesim scenario")]
pub(crate) struct RawScenario {
    /// The scenario's name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'; it names the report folder reports/<name>/.
    #[schemars(with = "Text")]
    pub name: Field,
    /// Free text shown in reports.
    #[schemars(with = "Option<Text>")]
    pub description: Field,
    /// Every random draw derives from it: same seed, same run.
    #[schemars(with = "Option<Int>")]
    pub seed: Field,
    /// Simulated time, like "10m" or "24h".
    #[schemars(with = "Duration")]
    pub duration: Field,
    /// The stream: capacity mode, shards, retention and the write limit's enforcement.
    #[schemars(required)]
    pub stream: Option<RawStream>,
    /// The applications writing to the stream, one [[producers]] table each (at least one).
    #[schemars(required, extend("minItems" = 1))]
    pub producers: Option<Vec<RawProducer>>,
    /// How the simulation runs: per record or aggregated, the tick, the records traced, the write-limit bounds.
    pub engine: Option<RawEngine>,
    /// Shard changes over the run: scheduled UpdateShardCount calls, an autoscaler, on-demand scaling, mode switches.
    pub capacity: Option<RawCapacity>,
    /// The applications reading the stream, one [[consumers]] table each.
    pub consumers: Option<Vec<RawConsumer>>,
    /// The bill: price table, price overrides, on-demand pricing.
    pub cost: Option<RawCost>,
    /// What `kinesim size` searches (shard counts, capacity modes, policies, seeds) and the SLO a configuration must meet.
    pub size: Option<RawSizeTable>,
}

/// `[stream]`: a provisioned stream needs `shards`; an on-demand stream manages its own.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like [stream] with `shards = 4`")]
#[schemars(
    rename = "Stream",
    extend(
        "if" = { "properties": { "mode": { "const": "on-demand" } }, "required": ["mode"] },
        "then" = { "not": { "required": ["shards"] } },
        "else" = { "required": ["shards"] }
    )
)]
pub(crate) struct RawStream {
    /// provisioned: you choose (and pay for) the shards; on-demand: AWS adds shards as traffic grows.
    #[schemars(with = "Option<OneOf<CapacityModes>>")]
    pub mode: Field,
    /// Open shards at the start (provisioned streams only); each accepts 1,000 records/s and 1 MiB/s.
    #[schemars(with = "Option<Int>")]
    pub shards: Field,
    /// How long records stay readable (24h to 8760h).
    #[schemars(with = "Option<Duration>")]
    pub retention: Field,
    /// Largest record (data + partition key) the stream accepts, 1 MiB to 10 MiB.
    #[schemars(with = "Option<Size>")]
    pub max_record_size: Field,
    /// How the per-shard write limit is enforced: fixed one-second windows, or a continuously refilled token bucket. Setting it runs that model alone (no engine.bounds).
    #[schemars(with = "Option<OneOf<WriteLimits>>")]
    pub write_limit: Field,
    /// Large-record tank per shard: refilled at 1 MiB/s, every record draws from it; at least max_record_size.
    #[schemars(with = "Option<Size>")]
    pub burst_bytes: Field,
    /// How much of the per-shard limit the lenient bound's token bucket holds, 1s to 5m.
    #[schemars(with = "Option<Duration>")]
    pub lenient_burst: Field,
}

/// `[engine]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like [engine] with `mode = \"auto\"`")]
#[schemars(rename = "Engine")]
pub(crate) struct RawEngine {
    /// per-record: every record simulated; aggregated: per-shard cohorts per tick; auto picks per-record up to 20 M records.
    #[schemars(with = "Option<OneOf<EngineModes>>")]
    pub mode: Field,
    /// Aggregated mode's cohort interval: 1ms to 1s, dividing 1s evenly.
    #[schemars(with = "Option<Duration>")]
    pub tick: Field,
    /// Removed: aggregated mode retries the refused records of each PutRecords call together, as per-record mode does. Delete this line.
    #[schemars(with = "Option<Removed>")]
    pub retry_spread: Field,
    /// Per-record mode: records followed from producer to shard in trace.csv and report.html (0: none).
    #[schemars(with = "Option<Int>")]
    pub trace_records: Field,
    /// Write-limit bounds reported: strict (fixed 1 s windows), lenient (a bucket of stream.lenient_burst), or both (two runs).
    #[schemars(with = "Option<OneOf<EngineBounds>>")]
    pub bounds: Field,
}

/// `[size]` (`kinesim size`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like [size] with `shards = { from = 1, to = 32 }`")]
#[schemars(rename = "Size_search")]
pub(crate) struct RawSizeTable {
    /// The service-level objective every configuration is checked against.
    pub slo: Option<RawSlo>,
    /// Provisioned shard counts searched.
    pub shards: Option<RawShardAxis>,
    /// Capacity modes tried (on-demand is one point), each listed once.
    #[schemars(with = "Option<Vec<OneOf<CapacityModes>>>", extend("minItems" = 1, "uniqueItems" = true))]
    pub modes: Option<Vec<Scalar>>,
    /// Runs per point: the scenario's seed, seed + 1, ...
    #[schemars(with = "Option<Int>")]
    pub seeds: Field,
    /// grid: every shard count; bisect: bisection on the SLO (it must hold from some count up).
    #[schemars(with = "Option<OneOf<SizeSearches>>")]
    pub search: Field,
    /// How provisioned points manage their shards, each policy one series of points, each listed once.
    #[schemars(with = "Option<Vec<OneOf<SizePolicies>>>", extend("minItems" = 1, "uniqueItems" = true))]
    pub policies: Option<Vec<Scalar>>,
    /// "every-seed": a point meets the SLO in every seed; a level like 0.95 (above 0.5, below 1, with 2 seeds or more): when the one-sided upper bound of each mean does.
    #[schemars(with = "Option<ValueOr<Number, OneOf<EverySeed>>>")]
    pub confidence: Field,
    /// The write-limit bound the recommendation is made under.
    #[schemars(with = "Option<OneOf<SizeBounds>>")]
    pub bound: Field,
}

/// `size.slo`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { max_throttle_rate = 0.001, max_dropped = 0 }")]
#[schemars(rename = "Slo")]
pub(crate) struct RawSlo {
    /// Highest share of write attempts throttled, 0 to 1.
    #[schemars(with = "Option<Number>")]
    pub max_throttle_rate: Field,
    /// Most records dropped (attempts exhausted or buffer full).
    #[schemars(with = "Option<Int>")]
    pub max_dropped: Field,
    /// Highest p99 put latency [ms].
    #[schemars(with = "Option<Number>")]
    pub max_p99_put_latency_ms: Field,
    /// Highest p99 iterator age of any consumer [ms].
    #[schemars(with = "Option<Number>")]
    pub max_p99_iterator_age_ms: Field,
}

/// `size.shards` as a range.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a range like { from = 1, to = 32, step = 1 }")]
#[schemars(rename = "Shard_range")]
pub(crate) struct RawShardRange {
    /// The smallest shard count.
    #[schemars(with = "Int")]
    pub from: Field,
    /// The largest shard count (at least `from`).
    #[schemars(with = "Int")]
    pub to: Field,
    /// The step between counts.
    #[schemars(with = "Option<Int>")]
    pub step: Field,
}

/// `size.shards`: one value, a list, or a range.
#[derive(Debug)]
pub(crate) enum RawShardAxis {
    One(Scalar),
    List(Vec<Scalar>),
    Range(RawShardRange),
}

struct ShardAxisVisitor;

impl<'de> Visitor<'de> for ShardAxisVisitor {
    type Value = RawShardAxis;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a shard count, a list like [2, 4, 8] or a range like { from = 1, to = 32 }")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(RawShardAxis::One(Scalar::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_i64(v).map(RawShardAxis::One)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_u64(v).map(RawShardAxis::One)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        ScalarVisitor.visit_f64(v).map(RawShardAxis::One)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        ScalarVisitor.visit_str(v).map(RawShardAxis::One)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::new();
        while let Some(v) = seq.next_element::<Scalar>()? {
            list.push(v);
        }
        Ok(RawShardAxis::List(list))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        RawShardRange::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawShardAxis::Range)
    }
}

impl<'de> Deserialize<'de> for RawShardAxis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShardAxisVisitor)
    }
}

/// The schema of `size.shards`, by hand as its `Deserialize` is.
impl JsonSchema for RawShardAxis {
    fn schema_name() -> Cow<'static, str> {
        "ShardAxis".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Shard counts searched: one, a list like [2, 4, 8] (each once), or a range like { from = 1, to = 32, step = 1 }.",
            "anyOf": [
                { "type": "integer" },
                { "type": "array", "items": { "type": "integer" }, "minItems": 1, "uniqueItems": true },
                generator.subschema_for::<RawShardRange>(),
            ],
        })
    }
}

// ---- `[capacity]` ----------------------------------------------------------------------------

/// `[capacity]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [capacity] table")]
#[schemars(rename = "Capacity")]
pub(crate) struct RawCapacity {
    /// UpdateShardCount calls at fixed times.
    pub schedule: Option<Vec<RawCall>>,
    /// An autoscaler that calls UpdateShardCount from the stream's utilisation.
    pub autoscaling: Option<RawAutoscaling>,
    /// How long the stream stays UPDATING after an accepted UpdateShardCount.
    #[schemars(with = "Option<Duration>")]
    pub resharding_duration: Field,
    /// The period of the utilisation an autoscaler reads (at least 1s).
    #[schemars(with = "Option<Duration>")]
    pub evaluation_period: Field,
    /// Open shards the account may hold; UpdateShardCount beyond it is refused.
    #[schemars(with = "Option<Int>")]
    pub account_shard_quota: Field,
    /// How an on-demand stream scales.
    pub on_demand: Option<RawOnDemand>,
    /// Switches between provisioned and on-demand during the run (AWS allows two per 24 hours).
    pub mode_switches: Option<Vec<RawSwitch>>,
}

/// One capacity-mode switch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a switch like { at = \"12h\", mode = \"on-demand\" }")]
#[schemars(rename = "Mode_switch")]
pub(crate) struct RawSwitch {
    /// When the switch is requested.
    #[schemars(with = "Duration")]
    pub at: Field,
    /// The mode switched to.
    #[schemars(with = "OneOf<CapacityModes>")]
    pub mode: Field,
}

/// `capacity.on_demand`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { initial_shards = 4, split_delay = \"15m\" }")]
#[schemars(rename = "On_demand")]
pub(crate) struct RawOnDemand {
    /// Shards of a new on-demand stream.
    #[schemars(with = "Option<Int>")]
    pub initial_shards: Field,
    /// A shard busier than this fraction of its write limit is split in two, 0 to 1.
    #[schemars(with = "Option<Number>")]
    pub split_threshold: Field,
    /// From the start of the minute whose load crossed the threshold to the split.
    #[schemars(with = "Option<Duration>")]
    pub split_delay: Field,
    /// Two adjacent shards both quieter than this fraction of the write limit for merge_after are merged, 0 to 1.
    #[schemars(with = "Option<Number>")]
    pub merge_threshold: Field,
    /// How long shards stay quiet before a merge.
    #[schemars(with = "Option<Duration>")]
    pub merge_after: Field,
    /// Most shards on-demand scaling opens.
    #[schemars(with = "Option<Int>")]
    pub max_shards: Field,
    /// Write capacity kept ready per second (On-demand Advantage), like "50MiB": never fewer shards than it needs.
    #[schemars(with = "Option<Size>")]
    pub warm_throughput: Field,
}

/// One scheduled call.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a call like { at = \"1h\", shards = 8 }")]
#[schemars(rename = "Scheduled_call")]
pub(crate) struct RawCall {
    /// When UpdateShardCount is called.
    #[schemars(with = "Duration")]
    pub at: Field,
    /// The target open shards (AWS's rules may refuse the call; the report says so).
    #[schemars(with = "Int")]
    pub shards: Field,
}

/// An autoscaling table: `policy` picks which of the other fields apply. target-tracking:
/// target, scale_out_cooldown, scale_in_cooldown, scale_out_datapoints, scale_in_datapoints;
/// threshold-step: scale_up_threshold, scale_down_threshold, up_periods, down_periods,
/// scale_up_pct, scale_down_pct, cooldown; double-halve: high, low, up_periods, down_periods;
/// every policy: min_shards, max_shards.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { policy = \"target-tracking\", target = 0.7 }")]
#[schemars(rename = "Autoscaling")]
pub(crate) struct RawAutoscaling {
    /// The scaling policy; it picks which of the other fields apply.
    #[schemars(with = "OneOf<AutoscalingPolicies>")]
    pub policy: Field,
    /// Fewest open shards the autoscaler keeps.
    #[schemars(with = "Option<Int>")]
    pub min_shards: Field,
    /// Most open shards the autoscaler opens.
    #[schemars(with = "Option<Int>")]
    pub max_shards: Field,
    /// target-tracking: the utilisation aimed at, 0.01 to 1 (1 = at the write limit).
    #[schemars(with = "Option<Number>")]
    pub target: Field,
    /// target-tracking: from the completion of a scale-out (stream ACTIVE again) to the next one.
    #[schemars(with = "Option<Duration>")]
    pub scale_out_cooldown: Field,
    /// target-tracking: from the completion of a scale-in to the next one.
    #[schemars(with = "Option<Duration>")]
    pub scale_in_cooldown: Field,
    /// target-tracking: consecutive one-period datapoints above target before a scale-out.
    #[schemars(with = "Option<Int>")]
    pub scale_out_datapoints: Field,
    /// target-tracking: consecutive datapoints below target before a scale-in.
    #[schemars(with = "Option<Int>")]
    pub scale_in_datapoints: Field,
    /// threshold-step: utilisation above which the stream scales up (1 = at the write limit).
    #[schemars(with = "Option<Number>")]
    pub scale_up_threshold: Field,
    /// threshold-step: utilisation below which the stream scales down (below scale_up_threshold).
    #[schemars(with = "Option<Number>")]
    pub scale_down_threshold: Field,
    /// threshold-step and double-halve: consecutive periods above the threshold before scaling up.
    #[schemars(with = "Option<Int>")]
    pub up_periods: Field,
    /// threshold-step and double-halve: consecutive periods below the threshold before scaling down.
    #[schemars(with = "Option<Int>")]
    pub down_periods: Field,
    /// threshold-step: percent of the open shards added when scaling up, 1 to 100.
    #[schemars(with = "Option<Number>")]
    pub scale_up_pct: Field,
    /// threshold-step: percent of the open shards removed when scaling down, 1 to 100.
    #[schemars(with = "Option<Number>")]
    pub scale_down_pct: Field,
    /// threshold-step: time after a scaling action before the next one.
    #[schemars(with = "Option<Duration>")]
    pub cooldown: Field,
    /// double-halve: utilisation above which the shards are doubled.
    #[schemars(with = "Option<Number>")]
    pub high: Field,
    /// double-halve: utilisation below which the shards are halved (below high).
    #[schemars(with = "Option<Number>")]
    pub low: Field,
}

impl RawAutoscaling {
    /// Names of the fields present, besides `policy`.
    pub fn present(&self) -> Vec<&'static str> {
        let all: [(&str, &Field); 16] = [
            ("min_shards", &self.min_shards),
            ("max_shards", &self.max_shards),
            ("target", &self.target),
            ("scale_out_cooldown", &self.scale_out_cooldown),
            ("scale_in_cooldown", &self.scale_in_cooldown),
            ("scale_out_datapoints", &self.scale_out_datapoints),
            ("scale_in_datapoints", &self.scale_in_datapoints),
            ("scale_up_threshold", &self.scale_up_threshold),
            ("scale_down_threshold", &self.scale_down_threshold),
            ("up_periods", &self.up_periods),
            ("down_periods", &self.down_periods),
            ("scale_up_pct", &self.scale_up_pct),
            ("scale_down_pct", &self.scale_down_pct),
            ("cooldown", &self.cooldown),
            ("high", &self.high),
            ("low", &self.low),
        ];
        all.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k).collect()
    }
}

// ---- `[[consumers]]` -------------------------------------------------------------------------

/// One `[[consumers]]` table: polling (GetRecords) or enhanced fan-out; `workers` makes it a
/// KCL application; `job` adds a periodic job behind a distributed lock.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [[consumers]] table")]
#[schemars(rename = "Consumer")]
pub(crate) struct RawConsumer {
    /// The consumer's name in reports (unique).
    #[schemars(with = "Text")]
    pub name: Field,
    /// polling: GetRecords, 5 calls/s and 2 MiB/s per shard shared by all polling consumers; efo: enhanced fan-out, 2 MiB/s per shard of its own, pushed.
    #[schemars(with = "Option<OneOf<ConsumerKinds>>")]
    pub kind: Field,
    /// Polling: time between GetRecords calls on a shard (at least 10ms).
    #[schemars(with = "Option<Duration>")]
    pub poll_interval: Field,
    /// Polling: records per GetRecords call, 1 to 10,000.
    #[schemars(with = "Option<Int>")]
    pub max_records: Field,
    /// Records per second per shard the application keeps up with (0: no limit); not with `workers`.
    #[schemars(with = "Option<Number>")]
    pub process_rate: Field,
    /// Polling: each poll interval is drawn uniformly within ± this fraction, 0 to 0.9.
    #[schemars(with = "Option<Number>")]
    pub poll_jitter: Field,
    /// KCL workers; leases (one per shard) are balanced over the live ones. Setting it makes the consumer a KCL application.
    #[schemars(with = "Option<Int>")]
    pub workers: Field,
    /// KCL: processing time per record; a worker processes one batch at a time.
    #[schemars(with = "Option<Duration>")]
    pub record_cost: Field,
    /// KCL: processing time per batch (processRecords call).
    #[schemars(with = "Option<Duration>")]
    pub batch_cost: Field,
    /// KCL: records between checkpoints (0: not by count); a failover resumes at the last one.
    #[schemars(with = "Option<Int>")]
    pub checkpoint_every: Field,
    /// KCL: time between checkpoints ("0s": not by time).
    #[schemars(with = "Option<Duration>")]
    pub checkpoint_interval: Field,
    /// KCL: a dead worker's leases are taken over after this (failoverTimeMillis).
    #[schemars(with = "Option<Duration>")]
    pub failover_time: Field,
    /// KCL: workers that stop for the rest of the run, like { worker = 1, at = "10m" }.
    pub worker_failures: Option<Vec<RawFailure>>,
    /// A periodic job flushing what the consumer processed, guarded by a distributed lock.
    pub job: Option<RawJob>,
}

/// `[consumers.job]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table like { period = \"60s\", instances = 2, duration = \"5s\" }"
)]
#[schemars(rename = "Job")]
pub(crate) struct RawJob {
    /// Every period each live instance tries the lock; the winner flushes what was processed (at least 100ms).
    #[schemars(with = "Duration")]
    pub period: Field,
    /// Application instances scheduling the job, 1 to 1,000.
    #[schemars(with = "Option<Int>")]
    pub instances: Field,
    /// The lock expires this long after it was taken, even if its holder died.
    #[schemars(with = "Option<Duration>")]
    pub lock_at_most_for: Field,
    /// The lock is kept at least this long, even after a shorter run.
    #[schemars(with = "Option<Duration>")]
    pub lock_at_least_for: Field,
    /// How long one run (a flush) takes.
    #[schemars(with = "Option<Duration>")]
    pub duration: Field,
    /// Instances that stop, like { instance = "holder", at = "20m" }; a lock holder's lock stays taken until lock_at_most_for.
    pub instance_failures: Option<Vec<RawFailure>>,
}

/// `{ worker = 1, at = "10m" }` or `{ instance = 0, at = "20m" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { worker = 1, at = \"10m\" }")]
#[schemars(rename = "Failure")]
pub(crate) struct RawFailure {
    /// In worker_failures: the worker that stops, counted from 0.
    #[schemars(with = "Option<Int>")]
    pub worker: Field,
    /// In instance_failures: the instance that stops, counted from 0, or "holder" (whichever holds the lock).
    #[schemars(with = "Option<ValueOr<Int, OneOf<Holder>>>")]
    pub instance: Field,
    /// When it stops (inside the run).
    #[schemars(with = "Duration")]
    pub at: Field,
}

// ---- `[cost]` --------------------------------------------------------------------------------

/// `[cost]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [cost] table like region = \"us-east-1\"")]
#[schemars(rename = "Cost")]
pub(crate) struct RawCost {
    /// The price table the bill uses (embedded in kinesim, each price with its source and date).
    #[schemars(with = "Option<OneOf<Regions>>")]
    pub region: Option<Scalar>,
    /// Price overrides on top of the region's table [USD per unit], like { shard_hour = 0.0165 }.
    #[schemars(with = "Option<Prices>")]
    pub prices: Option<BTreeMap<String, Scalar>>,
    /// The prices on-demand use is billed at: On-demand Standard, or On-demand Advantage (an account-level commitment; no stream-hour charge).
    #[schemars(with = "Option<OneOf<CostOnDemand>>")]
    pub on_demand: Option<Scalar>,
    /// false: billed sizes (PUT payload units, on-demand data) count the data blob only; true: the partition key too.
    #[schemars(with = "Option<Bool>")]
    pub payload_counts_key: Option<Scalar>,
}
