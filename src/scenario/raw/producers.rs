//! The mirror of one `[[producers]]` table and its parts: rate, record size, keys, batch,
//! retry, round trip and aggregation. Tables whose fields depend on a tag (`shape`,
//! `distribution`) are flat structs with the union of the fields; `present()` lists the fields
//! written, for validation to refuse those the tag does not use.
//!
//! May call: `raw::scalar`.

use super::scalar::{Field, ScalarOr};
use serde::Deserialize;

/// `[[producers]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[producers]] table")]
pub(crate) struct RawProducer {
    pub name: Field,
    pub rate: Option<ScalarOr<RawRate>>,
    pub arrivals: Field,
    pub record_size: Option<ScalarOr<RawSize>>,
    pub keys: Option<RawKeys>,
    pub batch: Option<RawBatch>,
    pub retry: Option<RawRetry>,
    pub buffer_records: Field,
    pub put_rtt: Option<ScalarOr<RawRtt>>,
    pub aggregation: Option<ScalarOr<RawAggregation>>,
}

/// `aggregation = true` or `aggregation = { max_size = "50KiB" }`: KPL-style aggregation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "true, false, or a table like { max_size = \"50KiB\" }")]
pub(crate) struct RawAggregation {
    pub max_size: Field,
}

/// A rate table: `shape` picks which of the other fields apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a rate table like { shape = \"constant\", rate = 100 }")]
pub(crate) struct RawRate {
    pub shape: Field,
    pub rate: Field,
    pub steps: Option<Vec<RawStep>>,
    pub from: Field,
    pub to: Field,
    pub start: Field,
    pub end: Field,
    pub mean: Field,
    pub amplitude: Field,
    pub peak_hour: Field,
    pub base: Field,
    pub peak: Field,
    pub length: Field,
    pub file: Field,
    pub metric: Field,
    pub scale: Field,
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a step like { at = \"5m\", rate = 300 }")]
pub(crate) struct RawStep {
    pub at: Field,
    pub rate: Field,
}

/// A record-size table: `distribution` picks which of the other fields apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a size table like { distribution = \"fixed\", size = \"1KiB\" }")]
pub(crate) struct RawSize {
    pub distribution: Field,
    pub size: Field,
    pub min: Field,
    pub max: Field,
    pub median: Field,
    pub p99: Field,
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a row like { size = \"100B\", weight = 0.7 }")]
pub(crate) struct RawWeightedSize {
    pub size: Field,
    pub weight: Field,
}

/// `keys`: `distribution` picks which of the other fields apply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { distribution = \"uniform\", count = 1000 }")]
pub(crate) struct RawKeys {
    pub distribution: Field,
    pub count: Field,
    pub template: Field,
    pub exponent: Field,
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a hot key like { key = \"celebrity\", share = 0.4 }")]
pub(crate) struct RawHotKey {
    pub key: Field,
    pub share: Field,
}

/// `batch`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { max_records = 500, linger = \"100ms\" }")]
pub(crate) struct RawBatch {
    pub max_records: Field,
    pub max_bytes: Field,
    pub linger: Field,
}

/// `retry`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { max_attempts = 3, base = \"1s\", cap = \"20s\" }")]
pub(crate) struct RawRetry {
    pub max_attempts: Field,
    pub base: Field,
    pub cap: Field,
    pub jitter: Field,
}

/// `put_rtt` as a range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table like { min = \"10ms\", max = \"50ms\" }")]
pub(crate) struct RawRtt {
    pub min: Field,
    pub max: Field,
}
