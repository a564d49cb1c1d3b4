//! `[[consumers]]`: applications reading the stream, by polling (GetRecords) or by enhanced
//! fan-out (SubscribeToShard).
//!
//! ```toml
//! [[consumers]]
//! name = "analytics"
//! kind = "polling"          # or "efo"
//! poll_interval = "1.5s"    # polling: KCL 2.x default
//! max_records = 10000       # polling: records per GetRecords call (<= 10,000)
//! process_rate = 500        # records/s per shard the application keeps up with (0 = no limit)
//! ```

use super::defaults as d;
use super::raw::Scalar;
use super::types::{ConsumerKind, ConsumerSpec};
use super::validate::{choice, duration, field, int, num, text, Checker};
use serde::Deserialize;

type Field = Option<Scalar>;

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
}

/// Validate the consumers list.
pub(super) fn consumers(c: &mut Checker, list: Option<&Vec<RawConsumer>>) -> Option<Vec<ConsumerSpec>> {
    let Some(list) = list else { return Some(Vec::new()) };
    let mut out = Some(Vec::with_capacity(list.len()));
    let mut names = std::collections::BTreeSet::new();
    let mut efo = 0;
    for (i, r) in list.iter().enumerate() {
        let path = format!("consumers[{i}]");
        let f = |n: &str| field(&path, n);
        let name = match &r.name {
            None => c.missing(&f("name"), "give each consumer a `name`, like name = \"analytics\""),
            Some(v) => text(c, &f("name"), v).map(str::to_string),
        };
        if let Some(n) = &name {
            if !names.insert(n.clone()) {
                c.err(&f("name"), format!("duplicate consumer name {n:?}; names must be unique"));
            }
        }
        let kind = match &r.kind {
            None => Some(ConsumerKind::Polling),
            Some(v) => choice(c, &f("kind"), v, &["polling", "efo"]).map(|k| {
                if k == "efo" {
                    ConsumerKind::EnhancedFanOut
                } else {
                    ConsumerKind::Polling
                }
            }),
        };
        if kind == Some(ConsumerKind::EnhancedFanOut) {
            efo += 1;
            if efo > d::EFO_MAX_CONSUMERS {
                c.err(
                    &f("kind"),
                    format!(
                        "at most {} enhanced fan-out consumers per stream (AWS limit); this is number {efo}",
                        d::EFO_MAX_CONSUMERS
                    ),
                );
            }
            for (k, v) in [("poll_interval", &r.poll_interval), ("max_records", &r.max_records)] {
                if v.is_some() {
                    c.err(&f(k), "applies to kind = \"polling\" only (enhanced fan-out pushes records)");
                }
            }
        }
        let poll_interval = match &r.poll_interval {
            None => Some(d::POLL_INTERVAL),
            Some(v) => duration(c, &f("poll_interval"), v, crate::units::millis(10), d::DURATION_MAX, ""),
        };
        let max_records = match &r.max_records {
            None => Some(d::GET_RECORDS_MAX_RECORDS),
            Some(v) => int(
                c,
                &f("max_records"),
                v,
                1,
                d::GET_RECORDS_MAX_RECORDS.into(),
                "records per GetRecords call",
            )
            .map(|n| n as u32),
        };
        let process_rate = match &r.process_rate {
            None => Some(0.0),
            Some(v) => num(c, &f("process_rate"), v, 0.0, d::RATE_MAX, "records/s per shard, 0 = no limit"),
        };
        let poll_jitter = match &r.poll_jitter {
            None => Some(d::POLL_JITTER),
            Some(v) => num(c, &f("poll_jitter"), v, 0.0, 0.9, "fraction of the poll interval"),
        };
        match (name, kind, poll_interval, max_records, process_rate, poll_jitter, out.as_mut()) {
            (
                Some(name),
                Some(kind),
                Some(poll_interval),
                Some(max_records),
                Some(process_rate),
                Some(poll_jitter),
                Some(v),
            ) => v.push(ConsumerSpec { name, kind, poll_interval, max_records, process_rate, poll_jitter }),
            _ => out = None,
        }
    }
    out
}
