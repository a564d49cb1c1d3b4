//! One `[[producers]]` table: its name, arrivals, record sizes, batching, retries, round trip
//! and KPL aggregation, with the cross-field rules that join them (a record with its key fits
//! the stream's maximum record size and a PutRecords call). The rate and the keys have their
//! own files.
//!
//! May call: `checker`, `raw`, `types`, `defaults`, `rate`, `keys`.

use super::checker::{choice, duration, field, int, only_fields, positive, size, text, Checker, SIZE_LIKE};
use super::defaults as d;
use super::error::or_list;
use super::keys::{keys, longest_key_bytes};
use super::rate::rate;
use super::raw::choices::{ARRIVALS, JITTERS, SIZE_DISTRIBUTIONS, SPREADS};
use super::raw::{RawAggregation, RawBatch, RawProducer, RawRetry, RawRtt, RawSize, Scalar, ScalarOr};
use super::types::{Arrivals, Batching, Jitter, KeySpec, Producer, Retry, RttModel, SizeDist};
use crate::limits;
use crate::units::{format_bytes, format_duration};
use std::path::Path;

/// Validate `producers[i]`; `max_record` is the stream's maximum record size.
pub(super) fn producer(
    c: &mut Checker,
    i: usize,
    p: &RawProducer,
    max_record: Option<u64>,
    base_dir: &Path,
) -> Option<Producer> {
    let at = |f: &str| format!("producers[{i}].{f}");
    let name = match &p.name {
        None => c.missing(&at("name"), "give each producer a unique `name`"),
        Some(v) => text(c, &at("name"), v).and_then(|s| {
            let n = s.chars().count();
            if n == 0 || n > d::PRODUCER_NAME_MAX_CHARS || s.chars().any(char::is_control) {
                c.err(
                    &at("name"),
                    format!("must be 1 to {} printable characters, found {s:?}", d::PRODUCER_NAME_MAX_CHARS),
                );
                None
            } else {
                Some(s.to_string())
            }
        }),
    };
    let rate = rate(c, &at("rate"), p.rate.as_ref(), base_dir);
    let arrivals = match &p.arrivals {
        None => Some(Arrivals::Poisson),
        Some(v) => match choice(c, &at("arrivals"), v, &ARRIVALS)? {
            "poisson" => Some(Arrivals::Poisson),
            _ => Some(Arrivals::Uniform),
        },
    };
    // `spread` of a CloudWatch export: how a period's sum spreads over its seconds, i.e. the
    // producer's arrivals, named for what it does here.
    let spread = match &p.rate {
        Some(ScalarOr::Table(t)) => t.spread.as_ref().map(|v| {
            choice(c, &at("rate.spread"), v, &SPREADS).map(|s| {
                if s == "evenly" {
                    Arrivals::Uniform
                } else {
                    Arrivals::Poisson
                }
            })
        }),
        _ => None,
    };
    let arrivals = match (spread, arrivals, &p.arrivals) {
        (None, a, _) => a,
        (Some(s), _, None) => s,
        (Some(Some(s)), Some(a), Some(_)) if s != a => {
            c.err(
                &at("rate.spread"),
                "disagrees with the producer's `arrivals` (spread = \"evenly\" is arrivals = \"uniform\"); give one of them",
            );
            None
        }
        (Some(s), a, _) => s.and(a),
    };
    let record_size = record_size(c, &at("record_size"), p.record_size.as_ref());
    let keys = keys(c, &at("keys"), p.keys.as_ref());
    let batch = batch(c, &at("batch"), p.batch.as_ref());
    let retry = retry(c, &at("retry"), p.retry.as_ref());
    let buffer_records = match &p.buffer_records {
        None => Some(d::BUFFER_RECORDS),
        Some(v) => {
            int(c, &at("buffer_records"), v, 1, i64::MAX, "records the producer may hold").map(|n| n as u64)
        }
    };
    let put_rtt = put_rtt(c, &at("put_rtt"), p.put_rtt.as_ref());
    let aggregation =
        aggregation(c, &at("aggregation"), p.aggregation.as_ref(), max_record, &record_size, &keys, &batch);

    // Cross-field: the largest record must fit the stream's maximum record size.
    if let (Some(limit), Some((_, largest)), Some(keys)) = (max_record, &record_size, &keys) {
        let key_bytes = longest_key_bytes(keys);
        let total = largest.saturating_add(key_bytes);
        if total > limit {
            let raise = if limit < limits::MAX_RECORD_SIZE_LIMIT && total <= limits::MAX_RECORD_SIZE_LIMIT {
                format!(
                    "; raise stream.max_record_size (up to {}) or make records smaller",
                    format_bytes(limits::MAX_RECORD_SIZE_LIMIT)
                )
            } else {
                String::new()
            };
            c.err(
                &at("record_size"),
                format!(
                    "a record (data + partition key) is at most {} (stream.max_record_size), but this producer's can reach {} of data + {} B of key = {}{raise}",
                    format_bytes(limit),
                    format_bytes(*largest),
                    key_bytes,
                    format_bytes(total)
                ),
            );
        }
    }
    // Cross-field: a PutRecords call of at most batch.max_bytes must hold one record. A record
    // above the API's call limit (a stream with max_record_size over 5 MiB) goes alone in a call,
    // so max_bytes then needs only that limit.
    if let (Some((_, largest)), Some(keys), Some(b)) = (&record_size, &keys, &batch) {
        let key_bytes = longest_key_bytes(keys);
        let one = largest.saturating_add(key_bytes);
        let needed = one.min(limits::PUT_RECORDS_MAX_BYTES);
        if b.max_bytes < needed {
            let largest_is =
                if matches!(record_size, Some((SizeDist::LogNormal { .. }, _))) { "p99 " } else { "" };
            c.err(
                &at("batch.max_bytes"),
                format!(
                    "{} cannot hold one of this producer's records: {largest_is}{} of data + {key_bytes} B of key = {}; raise max_bytes to at least {}",
                    format_bytes(b.max_bytes),
                    format_bytes(*largest),
                    format_bytes(one),
                    format_bytes(needed)
                ),
            );
        }
    }
    Some(Producer {
        name: name?,
        rate: rate?,
        arrivals: arrivals?,
        record_size: record_size?.0,
        keys: keys?,
        batch: batch?,
        retry: retry?,
        buffer_records: buffer_records?,
        put_rtt: put_rtt?,
        aggregation: aggregation?,
    })
}

/// Producer names must be unique.
pub(super) fn unique_names(c: &mut Checker, list: &[RawProducer]) {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(Scalar::Str(name)) = &p.name else { continue };
        match seen.iter().find(|(n, _)| *n == name.as_str()) {
            Some((_, first)) => c.err(
                &format!("producers[{i}].name"),
                format!("duplicate producer name {name:?} (also producers[{first}]); names must be unique"),
            ),
            None => seen.push((name, i)),
        }
    }
}

const RECORD_SIZE_LIKE: &str = "a size like \"100B\", \"1KiB\" or a table { distribution = ... }";

/// The size distribution and its largest possible record (p99 for log-normal) [bytes].
fn record_size(c: &mut Checker, path: &str, v: Option<&ScalarOr<RawSize>>) -> Option<(SizeDist, u64)> {
    let t = match v {
        None => {
            return c
                .missing(path, "give a `record_size`, like record_size = \"1KiB\" (data bytes per record)")
        }
        Some(ScalarOr::Scalar(s)) => {
            return size(c, path, s, 1, u64::MAX, RECORD_SIZE_LIKE).map(|b| (SizeDist::Fixed(b), b))
        }
        Some(ScalarOr::Table(t)) => t,
    };
    let dist = match &t.distribution {
        None => {
            return c.missing(
                &field(path, "distribution"),
                &format!("a size table needs `distribution`: {}", or_list(&SIZE_DISTRIBUTIONS, '"')),
            )
        }
        Some(v) => choice(c, &field(path, "distribution"), v, &SIZE_DISTRIBUTIONS)?,
    };
    let allowed: &[&str] = match dist {
        "fixed" => &["size"],
        "uniform" => &["min", "max"],
        "lognormal" => &["median", "p99"],
        _ => &["table"],
    };
    only_fields(c, path, "distribution", dist, &t.present(), allowed);
    let f = |name: &str| field(path, name);
    let need_size = |c: &mut Checker, name: &str, v: &Option<Scalar>| -> Option<u64> {
        match v {
            Some(s) => size(c, &f(name), s, 1, u64::MAX, SIZE_LIKE),
            None => c.missing(&f(name), &format!("distribution \"{dist}\" needs {}", allowed.join(", "))),
        }
    };
    match dist {
        "fixed" => need_size(c, "size", &t.size).map(|b| (SizeDist::Fixed(b), b)),
        "uniform" => {
            let (min, max) = (need_size(c, "min", &t.min), need_size(c, "max", &t.max));
            let (min, max) = (min?, max?);
            if max < min {
                c.err(
                    &f("max"),
                    format!("must be at least min ({}), found {}", format_bytes(min), format_bytes(max)),
                );
                return None;
            }
            Some((SizeDist::Uniform { min, max }, max))
        }
        "lognormal" => {
            let (median, p99) = (need_size(c, "median", &t.median), need_size(c, "p99", &t.p99));
            let (median, p99) = (median?, p99?);
            if p99 < median {
                c.err(
                    &f("p99"),
                    format!(
                        "must be at least the median ({}), found {}",
                        format_bytes(median),
                        format_bytes(p99)
                    ),
                );
                return None;
            }
            Some((SizeDist::LogNormal { median, p99 }, p99))
        }
        _ => {
            let Some(table) = &t.table else {
                return c.missing(
                    &f("table"),
                    "distribution \"empirical\" needs table = [ { size = \"100B\", weight = 0.7 }, ... ]",
                );
            };
            if table.is_empty() {
                c.err(&f("table"), "needs at least one row, like { size = \"100B\", weight = 1 }");
                return None;
            }
            let mut rows = Vec::with_capacity(table.len());
            for (k, row) in table.iter().enumerate() {
                let here = format!("{}[{k}]", f("table"));
                let s = match &row.size {
                    None => c.missing(&field(&here, "size"), "each row needs `size` and `weight`"),
                    Some(v) => size(c, &field(&here, "size"), v, 1, u64::MAX, SIZE_LIKE),
                };
                let w = match &row.weight {
                    None => c.missing(&field(&here, "weight"), "each row needs `size` and `weight`"),
                    Some(v) => positive(c, &field(&here, "weight"), v, f64::MAX, ""),
                };
                rows.push(s.zip(w));
            }
            let rows: Vec<(u64, f64)> = rows.into_iter().collect::<Option<_>>()?;
            if !rows.iter().map(|r| r.1).sum::<f64>().is_finite() {
                c.err(&f("table"), "the weights add up to more than a float can hold; scale them down");
                return None;
            }
            let largest = rows.iter().map(|r| r.0).max().unwrap_or(0);
            Some((SizeDist::Empirical(rows), largest))
        }
    }
}

fn batch(c: &mut Checker, path: &str, v: Option<&RawBatch>) -> Option<Batching> {
    let defaults = Batching {
        max_records: d::BATCH_MAX_RECORDS,
        max_bytes: d::BATCH_MAX_BYTES,
        linger: d::BATCH_LINGER,
    };
    let Some(b) = v else { return Some(defaults) };
    let f = |name: &str| field(path, name);
    let max_records = match &b.max_records {
        None => Some(defaults.max_records),
        Some(v) => int(
            c,
            &f("max_records"),
            v,
            1,
            limits::PUT_RECORDS_MAX_RECORDS.into(),
            "records per PutRecords call",
        )
        .map(|n| n as u32),
    };
    let max_bytes = match &b.max_bytes {
        None => Some(defaults.max_bytes),
        Some(v) => size(c, &f("max_bytes"), v, 1, limits::PUT_RECORDS_MAX_BYTES, SIZE_LIKE),
    };
    let linger = match &b.linger {
        None => Some(defaults.linger),
        Some(v) => duration(c, &f("linger"), v, 0, d::DURATION_MAX, ""),
    };
    Some(Batching { max_records: max_records?, max_bytes: max_bytes?, linger: linger? })
}

/// `aggregation`: `Some(None)` when off, `Some(Some(max_size))` when on.
fn aggregation(
    c: &mut Checker,
    path: &str,
    v: Option<&ScalarOr<RawAggregation>>,
    max_record: Option<u64>,
    record_size: &Option<(SizeDist, u64)>,
    keys: &Option<KeySpec>,
    batch: &Option<Batching>,
) -> Option<Option<u64>> {
    let max_size = match v {
        None | Some(ScalarOr::Scalar(Scalar::Bool(false))) => return Some(None),
        Some(ScalarOr::Scalar(Scalar::Bool(true))) => d::AGGREGATION_MAX_SIZE,
        Some(ScalarOr::Scalar(other)) => {
            c.err(
                path,
                format!(
                    "expected true, false or a table like {{ max_size = \"50KiB\" }}, found {}",
                    other.describe()
                ),
            );
            return None;
        }
        Some(ScalarOr::Table(t)) => match &t.max_size {
            None => d::AGGREGATION_MAX_SIZE,
            Some(v) => size(c, &field(path, "max_size"), v, 1, limits::MAX_RECORD_SIZE_LIMIT, SIZE_LIKE)?,
        },
    };
    if let Some(limit) = max_record {
        if max_size > limit {
            c.err(
                path,
                format!(
                    "an aggregated record of {} would exceed the stream's maximum record size {} (stream.max_record_size)",
                    format_bytes(max_size),
                    format_bytes(limit)
                ),
            );
            return None;
        }
    }
    if let (Some((_, largest)), Some(keys)) = (record_size, keys) {
        let one = largest
            .saturating_add(2 * longest_key_bytes(keys))
            .saturating_add(d::AGGREGATION_RECORD_OVERHEAD + d::AGGREGATION_USER_RECORD_OVERHEAD);
        if one > max_size {
            c.err(
                path,
                format!(
                    "max_size {} cannot hold even one of this producer's records ({} with the aggregation overhead)",
                    format_bytes(max_size),
                    format_bytes(one)
                ),
            );
            return None;
        }
    }
    if batch.as_ref().is_some_and(|b| b.linger == 0) {
        c.err(
            path,
            "aggregation packs the records that arrive while a batch lingers: set batch.linger above 0 (the KPL's RecordMaxBufferedTime is 100 ms)",
        );
        return None;
    }
    Some(Some(max_size))
}

fn retry(c: &mut Checker, path: &str, v: Option<&RawRetry>) -> Option<Retry> {
    let defaults = Retry {
        max_attempts: d::RETRY_MAX_ATTEMPTS,
        base: d::RETRY_BASE,
        cap: d::RETRY_CAP,
        jitter: Jitter::Full,
    };
    let Some(r) = v else { return Some(defaults) };
    let f = |name: &str| field(path, name);
    let max_attempts = match &r.max_attempts {
        None => Some(defaults.max_attempts),
        Some(v) => int(
            c,
            &f("max_attempts"),
            v,
            1,
            d::RETRY_MAX_ATTEMPTS_LIMIT.into(),
            "attempts in all; 1 = no retry",
        )
        .map(|n| n as u32),
    };
    let base = match &r.base {
        None => Some(defaults.base),
        Some(v) => duration(c, &f("base"), v, 0, d::DURATION_MAX, ""),
    };
    let cap = match &r.cap {
        None => Some(defaults.cap),
        Some(v) => duration(c, &f("cap"), v, 0, d::DURATION_MAX, ""),
    };
    let jitter = match &r.jitter {
        None => Some(defaults.jitter),
        Some(v) => match choice(c, &f("jitter"), v, &JITTERS)? {
            "full" => Some(Jitter::Full),
            _ => Some(Jitter::None),
        },
    };
    if let (Some(b), Some(cp)) = (base, cap) {
        if cp < b {
            let (where_, what) = if r.cap.is_some() {
                (
                    f("cap"),
                    format!(
                        "must be at least base ({}), found {:?}",
                        format_duration(b),
                        format_duration(cp)
                    ),
                )
            } else {
                (
                    f("base"),
                    format!(
                        "is more than cap ({}, the default); set cap too, or a smaller base; found {:?}",
                        format_duration(cp),
                        format_duration(b)
                    ),
                )
            };
            c.err(&where_, what);
            return None;
        }
    }
    Some(Retry { max_attempts: max_attempts?, base: base?, cap: cap?, jitter: jitter? })
}

fn put_rtt(c: &mut Checker, path: &str, v: Option<&ScalarOr<RawRtt>>) -> Option<RttModel> {
    match v {
        None => Some(RttModel::Fixed(d::PUT_RTT)),
        Some(ScalarOr::Scalar(s)) => duration(c, path, s, 0, d::DURATION_MAX, "").map(RttModel::Fixed),
        Some(ScalarOr::Table(t)) => {
            let f = |name: &str| field(path, name);
            let min = match &t.min {
                None => c.missing(
                    &f("min"),
                    "a put_rtt range needs min and max, like { min = \"10ms\", max = \"50ms\" }",
                ),
                Some(v) => duration(c, &f("min"), v, 0, d::DURATION_MAX, ""),
            };
            let max = match &t.max {
                None => c.missing(
                    &f("max"),
                    "a put_rtt range needs min and max, like { min = \"10ms\", max = \"50ms\" }",
                ),
                Some(v) => duration(c, &f("max"), v, 0, d::DURATION_MAX, ""),
            };
            let (min, max) = (min?, max?);
            if max < min {
                c.err(
                    &f("max"),
                    format!(
                        "must be at least min ({}), found {:?}",
                        format_duration(min),
                        format_duration(max)
                    ),
                );
                return None;
            }
            Some(RttModel::Uniform { min, max })
        }
    }
}
