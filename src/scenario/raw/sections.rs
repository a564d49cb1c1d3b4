//! The mirror of the file's top level ([`RawScenario`]) and of every section but the
//! producers: `[stream]`, `[engine]`, `[size]`, `[capacity]`, `[[consumers]]` and `[cost]`.
//!
//! May call: `raw::scalar`, `raw::producers`.

use super::producers::RawProducer;
use super::scalar::{Field, Scalar, ScalarVisitor};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a scenario table")]
pub(crate) struct RawScenario {
    pub name: Field,
    pub description: Field,
    pub seed: Field,
    pub duration: Field,
    pub stream: Option<RawStream>,
    pub producers: Option<Vec<RawProducer>>,
    pub engine: Option<RawEngine>,
    pub capacity: Option<RawCapacity>,
    pub consumers: Option<Vec<RawConsumer>>,
    pub cost: Option<RawCost>,
    pub size: Option<RawSizeTable>,
}

/// `[stream]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like [stream] with `shards = 4`")]
pub(crate) struct RawStream {
    pub mode: Field,
    pub shards: Field,
    pub retention: Field,
    pub max_record_size: Field,
    pub write_limit: Field,
    pub burst_bytes: Field,
    pub lenient_burst: Field,
}

/// `[engine]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like [engine] with `mode = \"auto\"`")]
pub(crate) struct RawEngine {
    pub mode: Field,
    pub tick: Field,
    pub retry_spread: Field,
    pub trace_records: Field,
    pub bounds: Field,
}

/// `[size]` (`kinesim size`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like [size] with `shards = { from = 1, to = 32 }`")]
pub(crate) struct RawSizeTable {
    pub slo: Option<RawSlo>,
    pub shards: Option<RawShardAxis>,
    pub modes: Option<Vec<Scalar>>,
    pub seeds: Field,
    pub search: Field,
    pub policies: Option<Vec<Scalar>>,
    pub confidence: Field,
    pub bound: Field,
}

/// `size.slo`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { max_throttle_rate = 0.001, max_dropped = 0 }")]
pub(crate) struct RawSlo {
    pub max_throttle_rate: Field,
    pub max_dropped: Field,
    pub max_p99_put_latency_ms: Field,
    pub max_p99_iterator_age_ms: Field,
}

/// `size.shards` as a range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a range like { from = 1, to = 32, step = 1 }")]
pub(crate) struct RawShardRange {
    pub from: Field,
    pub to: Field,
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

// ---- `[capacity]` ----------------------------------------------------------------------------

/// `[capacity]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [capacity] table")]
pub(crate) struct RawCapacity {
    pub schedule: Option<Vec<RawCall>>,
    pub autoscaling: Option<RawAutoscaling>,
    pub resharding_duration: Field,
    pub evaluation_period: Field,
    pub account_shard_quota: Field,
    pub on_demand: Option<RawOnDemand>,
    pub mode_switches: Option<Vec<RawSwitch>>,
}

/// One capacity-mode switch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a switch like { at = \"12h\", mode = \"on-demand\" }")]
pub(crate) struct RawSwitch {
    pub at: Field,
    pub mode: Field,
}

/// `capacity.on_demand`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { initial_shards = 4, split_delay = \"15m\" }")]
pub(crate) struct RawOnDemand {
    pub initial_shards: Field,
    pub split_threshold: Field,
    pub split_delay: Field,
    pub merge_threshold: Field,
    pub merge_after: Field,
    pub max_shards: Field,
    pub warm_throughput: Field,
}

/// One scheduled call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a call like { at = \"1h\", shards = 8 }")]
pub(crate) struct RawCall {
    pub at: Field,
    pub shards: Field,
}

/// An autoscaling table: `policy` picks which of the other fields apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { policy = \"target-tracking\", target = 0.7 }")]
pub(crate) struct RawAutoscaling {
    pub policy: Field,
    pub min_shards: Field,
    pub max_shards: Field,
    pub target: Field,
    pub scale_out_cooldown: Field,
    pub scale_in_cooldown: Field,
    pub scale_out_datapoints: Field,
    pub scale_in_datapoints: Field,
    pub scale_up_threshold: Field,
    pub scale_down_threshold: Field,
    pub up_periods: Field,
    pub down_periods: Field,
    pub scale_up_pct: Field,
    pub scale_down_pct: Field,
    pub cooldown: Field,
    pub high: Field,
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

/// One `[[consumers]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[consumers]] table")]
pub(crate) struct RawConsumer {
    pub name: Field,
    pub kind: Field,
    pub poll_interval: Field,
    pub max_records: Field,
    pub process_rate: Field,
    pub poll_jitter: Field,
    pub workers: Field,
    pub record_cost: Field,
    pub batch_cost: Field,
    pub checkpoint_every: Field,
    pub checkpoint_interval: Field,
    pub failover_time: Field,
    pub worker_failures: Option<Vec<RawFailure>>,
    pub job: Option<RawJob>,
}

/// `[consumers.job]`
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table like { period = \"60s\", instances = 2, duration = \"5s\" }"
)]
pub(crate) struct RawJob {
    pub period: Field,
    pub instances: Field,
    pub lock_at_most_for: Field,
    pub lock_at_least_for: Field,
    pub duration: Field,
    pub instance_failures: Option<Vec<RawFailure>>,
}

/// `{ worker = 1, at = "10m" }` or `{ instance = 0, at = "20m" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { worker = 1, at = \"10m\" }")]
pub(crate) struct RawFailure {
    pub worker: Field,
    pub instance: Field,
    pub at: Field,
}

// ---- `[cost]` --------------------------------------------------------------------------------

/// `[cost]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [cost] table like region = \"us-east-1\"")]
pub(crate) struct RawCost {
    pub region: Option<Scalar>,
    pub prices: Option<BTreeMap<String, Scalar>>,
    pub on_demand: Option<Scalar>,
    pub payload_counts_key: Option<Scalar>,
}
