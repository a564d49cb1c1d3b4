//! The mirror of one `[[producers]]` table and its parts: rate, record size, keys, batch,
//! retry, round trip and aggregation. Tables whose fields depend on a tag (`shape`,
//! `distribution`) are flat structs with the union of the fields; `present()` lists the fields
//! written, for validation to refuse those the tag does not use.
//!
//! May call: `raw::scalar`, `raw::kinds` (the kind of each leaf, for the schema).

use super::kinds::{
    Arrivals, Bool, Duration, Int, Jitters, KeyDistributions, Number, OneOf, RateShapes, Size,
    SizeDistributions, Spreads, Text, ValueOr,
};
use super::scalar::{Field, ScalarOr};
use schemars::JsonSchema;
use serde::Deserialize;

/// One `[[producers]]` table: an application writing to the stream.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [[producers]] table")]
#[schemars(rename = "Producer")]
pub(crate) struct RawProducer {
    /// The producer's name in reports: unique, 1 to 64 printable characters.
    #[schemars(with = "Text")]
    pub name: Field,
    /// User records created per second: a number (constant), or a table { shape = ... } for steps, a ramp, a daily cycle, a spike or recorded traffic.
    #[schemars(with = "ValueOr<Number, RawRate>")]
    pub rate: Option<ScalarOr<RawRate>>,
    /// poisson: independent users, random bursts; uniform: evenly spaced records.
    #[schemars(with = "Option<OneOf<Arrivals>>")]
    pub arrivals: Field,
    /// Data blob size of each record (the partition key is added on top): a size like "1KiB", or a table { distribution = ... }.
    #[schemars(with = "ValueOr<Size, RawSize>")]
    pub record_size: Option<ScalarOr<RawSize>>,
    /// Partition keys: MD5 of the key picks the shard, so one key always lands on one shard.
    pub keys: Option<RawKeys>,
    /// How records are grouped into PutRecords calls.
    pub batch: Option<RawBatch>,
    /// What happens to throttled records: attempts and backoff.
    pub retry: Option<RawRetry>,
    /// Records the producer may hold (batching or awaiting retry); arrivals beyond it are lost.
    #[schemars(with = "Option<Int>")]
    pub buffer_records: Field,
    /// Round trip of one PutRecords call: a duration, or a range { min, max } drawn uniformly.
    #[schemars(with = "Option<ValueOr<Duration, RawRtt>>")]
    pub put_rtt: Option<ScalarOr<RawRtt>>,
    /// KPL aggregation: true (the KPL's record size), false, or { max_size = "50KiB" }; user records are packed per shard into Kinesis records.
    #[schemars(with = "Option<ValueOr<Bool, RawAggregation>>")]
    pub aggregation: Option<ScalarOr<RawAggregation>>,
}

/// `aggregation = true` or `aggregation = { max_size = "50KiB" }`: KPL-style aggregation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "true, false, or a table like { max_size = \"50KiB\" }")]
#[schemars(rename = "Aggregation")]
pub(crate) struct RawAggregation {
    /// Largest aggregated Kinesis record, at most the stream's max_record_size.
    #[schemars(with = "Option<Size>")]
    pub max_size: Field,
}

/// A rate table: `shape` picks which of the other fields apply. constant: rate; steps: steps;
/// ramp: from, to, start, end; diurnal: mean, amplitude, peak_hour; spike: base, peak, start,
/// length; trace: file, scale; cloudwatch: file, metric, scale, spread.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a rate table like { shape = \"constant\", rate = 100 }")]
#[schemars(rename = "Rate")]
pub(crate) struct RawRate {
    /// The rate's shape; it picks which of the other fields apply.
    #[schemars(with = "OneOf<RateShapes>")]
    pub shape: Field,
    /// constant: records per second.
    #[schemars(with = "Option<Number>")]
    pub rate: Field,
    /// steps: the rate from each time on, like [ { at = "0s", rate = 100 }, { at = "5m", rate = 300 } ] (the first at "0s", times increasing).
    #[schemars(extend("minItems" = 1))]
    pub steps: Option<Vec<RawStep>>,
    /// ramp: records per second at `start`.
    #[schemars(with = "Option<Number>")]
    pub from: Field,
    /// ramp: records per second at `end`.
    #[schemars(with = "Option<Number>")]
    pub to: Field,
    /// ramp: when the ramp starts; spike: when the spike starts.
    #[schemars(with = "Option<Duration>")]
    pub start: Field,
    /// ramp: when the ramp ends (after `start`).
    #[schemars(with = "Option<Duration>")]
    pub end: Field,
    /// diurnal: mean records per second over a day.
    #[schemars(with = "Option<Number>")]
    pub mean: Field,
    /// diurnal: records per second above and below the mean at the peak and the trough.
    #[schemars(with = "Option<Number>")]
    pub amplitude: Field,
    /// diurnal: hour of the day of the peak, 0 to 24 (excluded).
    #[schemars(with = "Option<Number>")]
    pub peak_hour: Field,
    /// spike: records per second outside the spike.
    #[schemars(with = "Option<Number>")]
    pub base: Field,
    /// spike: records per second during the spike.
    #[schemars(with = "Option<Number>")]
    pub peak: Field,
    /// spike: how long the spike lasts.
    #[schemars(with = "Option<Duration>")]
    pub length: Field,
    /// trace: a CSV of time and rate; cloudwatch: a CloudWatch export (JSON or per-minute CSV). Relative to the scenario file.
    #[schemars(with = "Option<Text>")]
    pub file: Field,
    /// cloudwatch: the metric read from the export.
    #[schemars(with = "Option<Text>")]
    pub metric: Field,
    /// trace and cloudwatch: a multiplier of the recorded traffic.
    #[schemars(with = "Option<Number>")]
    pub scale: Field,
    /// cloudwatch: how a period's sum spreads over its seconds: evenly (arrivals = "uniform") or poisson.
    #[schemars(with = "Option<OneOf<Spreads>>")]
    pub spread: Field,
}

impl RawRate {
    /// Names of the fields present, besides `shape`.
    pub fn present(&self) -> Vec<&'static str> {
        let all = [
            ("rate", self.rate.is_some()),
            ("steps", self.steps.is_some()),
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
            ("start", self.start.is_some()),
            ("end", self.end.is_some()),
            ("mean", self.mean.is_some()),
            ("amplitude", self.amplitude.is_some()),
            ("peak_hour", self.peak_hour.is_some()),
            ("base", self.base.is_some()),
            ("peak", self.peak.is_some()),
            ("length", self.length.is_some()),
            ("file", self.file.is_some()),
            ("metric", self.metric.is_some()),
            ("scale", self.scale.is_some()),
            ("spread", self.spread.is_some()),
        ];
        all.iter().filter(|f| f.1).map(|f| f.0).collect()
    }
}

/// One step of a `steps` rate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a step like { at = \"5m\", rate = 300 }")]
#[schemars(rename = "Step")]
pub(crate) struct RawStep {
    /// When the step starts.
    #[schemars(with = "Duration")]
    pub at: Field,
    /// Records per second from then on.
    #[schemars(with = "Number")]
    pub rate: Field,
}

/// A record-size table: `distribution` picks which of the other fields apply. fixed: size;
/// uniform: min, max; lognormal: median, p99; empirical: table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a size table like { distribution = \"fixed\", size = \"1KiB\" }")]
#[schemars(rename = "Record_size")]
pub(crate) struct RawSize {
    /// The size distribution; it picks which of the other fields apply.
    #[schemars(with = "OneOf<SizeDistributions>")]
    pub distribution: Field,
    /// fixed: every record's size.
    #[schemars(with = "Option<Size>")]
    pub size: Field,
    /// uniform: the smallest size.
    #[schemars(with = "Option<Size>")]
    pub min: Field,
    /// uniform: the largest size.
    #[schemars(with = "Option<Size>")]
    pub max: Field,
    /// lognormal: the median size.
    #[schemars(with = "Option<Size>")]
    pub median: Field,
    /// lognormal: the 99th percentile (above the median).
    #[schemars(with = "Option<Size>")]
    pub p99: Field,
    /// empirical: sizes and their weights, like [ { size = "100B", weight = 0.7 }, { size = "4KiB", weight = 0.3 } ].
    #[schemars(extend("minItems" = 1))]
    pub table: Option<Vec<RawWeightedSize>>,
}

impl RawSize {
    /// Names of the fields present, besides `distribution`.
    pub fn present(&self) -> Vec<&'static str> {
        let all = [
            ("size", self.size.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("median", self.median.is_some()),
            ("p99", self.p99.is_some()),
            ("table", self.table.is_some()),
        ];
        all.iter().filter(|f| f.1).map(|f| f.0).collect()
    }
}

/// One row of an empirical size table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a row like { size = \"100B\", weight = 0.7 }")]
#[schemars(rename = "Weighted_size")]
pub(crate) struct RawWeightedSize {
    /// A record size.
    #[schemars(with = "Size")]
    pub size: Field,
    /// Its weight (greater than 0; weights need not sum to 1).
    #[schemars(with = "Number")]
    pub weight: Field,
}

/// `keys`: `distribution` picks which of the other fields apply. uniform: count, template;
/// zipf: count, exponent, template; hot: hot, count, template; random: none (a fresh key per record).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { distribution = \"uniform\", count = 1000 }")]
#[schemars(rename = "Keys")]
pub(crate) struct RawKeys {
    /// How partition keys are drawn; it picks which of the other fields apply.
    #[schemars(with = "OneOf<KeyDistributions>")]
    pub distribution: Field,
    /// uniform, zipf and hot: distinct keys.
    #[schemars(with = "Option<Int>")]
    pub count: Field,
    /// uniform, zipf and hot: how keys are written, with {} for the key's number, like "user-{}".
    #[schemars(with = "Option<Text>")]
    pub template: Field,
    /// zipf: the exponent (greater than 0); higher is more skewed.
    #[schemars(with = "Option<Number>")]
    pub exponent: Field,
    /// hot: keys with a fixed share of the records, like [ { key = "celebrity", share = 0.4 } ]; the rest are uniform over `count` keys.
    #[schemars(extend("minItems" = 1))]
    pub hot: Option<Vec<RawHotKey>>,
}

impl RawKeys {
    /// Names of the fields present, besides `distribution`.
    pub fn present(&self) -> Vec<&'static str> {
        let all = [
            ("count", self.count.is_some()),
            ("template", self.template.is_some()),
            ("exponent", self.exponent.is_some()),
            ("hot", self.hot.is_some()),
        ];
        all.iter().filter(|f| f.1).map(|f| f.0).collect()
    }
}

/// One hot key.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a hot key like { key = \"celebrity\", share = 0.4 }")]
#[schemars(rename = "Hot_key")]
pub(crate) struct RawHotKey {
    /// The partition key.
    #[schemars(with = "Text")]
    pub key: Field,
    /// Its share of the producer's records, above 0 and at most 1.
    #[schemars(with = "Number")]
    pub share: Field,
}

/// `batch`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { max_records = 500, linger = \"100ms\" }")]
#[schemars(rename = "Batch")]
pub(crate) struct RawBatch {
    /// Records per PutRecords call, 1 to 500.
    #[schemars(with = "Option<Int>")]
    pub max_records: Field,
    /// Bytes per PutRecords call, at most 5 MiB.
    #[schemars(with = "Option<Size>")]
    pub max_bytes: Field,
    /// How long a batch waits for more records before it is sent (KPL RecordMaxBufferedTime).
    #[schemars(with = "Option<Duration>")]
    pub linger: Field,
}

/// `retry`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { max_attempts = 3, base = \"1s\", cap = \"20s\" }")]
#[schemars(rename = "Retry")]
pub(crate) struct RawRetry {
    /// Attempts per record including the first (1 = no retry); after the last throttled one the record is dropped.
    #[schemars(with = "Option<Int>")]
    pub max_attempts: Field,
    /// Backoff before retry n is min(cap, base x 2^(n-1)).
    #[schemars(with = "Option<Duration>")]
    pub base: Field,
    /// Longest backoff between two attempts (at least base).
    #[schemars(with = "Option<Duration>")]
    pub cap: Field,
    /// full: each backoff is random in [0, backoff], so retries spread out; none: exact backoff.
    #[schemars(with = "Option<OneOf<Jitters>>")]
    pub jitter: Field,
}

/// `put_rtt` as a range.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table like { min = \"10ms\", max = \"50ms\" }")]
#[schemars(rename = "Rtt_range")]
pub(crate) struct RawRtt {
    /// The shortest round trip.
    #[schemars(with = "Duration")]
    pub min: Field,
    /// The longest round trip (at least min).
    #[schemars(with = "Duration")]
    pub max: Field,
}
