//! The `[engine]` table: the engine mode, the aggregated-mode tick, the records traced and the
//! write-limit bounds reported (`engine.bounds`); a removed setting is named as such.
//!
//! May call: `checker`, `raw`, `types`, `defaults`.

use super::checker::{choice, duration, int, Checker};
use super::defaults as d;
use super::raw::choices::{ENGINE_BOUNDS, ENGINE_MODES};
use super::raw::RawEngine;
use super::types::{Bound, Bounds, EngineMode};
use crate::units::{format_duration, SimTime};

/// `engine.bounds`: `None` when not set.
pub(super) fn bounds(c: &mut Checker, e: Option<&RawEngine>) -> Option<Option<Bounds>> {
    let Some(v) = e.and_then(|e| e.bounds.as_ref()) else { return Some(None) };
    choice(c, "engine.bounds", v, &ENGINE_BOUNDS).map(|b| {
        Some(match b {
            "both" => Bounds::Both,
            "strict" => Bounds::One(Bound::Strict),
            _ => Bounds::One(Bound::Lenient),
        })
    })
}

/// Validate `[engine]`: the mode (`None` for "auto", resolved by the caller), the tick and the
/// records traced.
pub(super) fn engine(c: &mut Checker, e: Option<&RawEngine>) -> Option<(Option<EngineMode>, SimTime, u32)> {
    let Some(e) = e else { return Some((None, d::TICK, d::TRACE_RECORDS)) };
    let mode = match &e.mode {
        None => Some(None),
        Some(v) => choice(c, "engine.mode", v, &ENGINE_MODES).map(|m| match m {
            "per-record" => Some(EngineMode::PerRecord),
            "aggregated" => Some(EngineMode::Aggregated),
            _ => None,
        }),
    };
    let tick = match &e.tick {
        None => Some(d::TICK),
        Some(v) => duration(c, "engine.tick", v, d::TICK_MIN, d::TICK, "").and_then(|t| {
            if crate::units::MICROS_PER_SEC.is_multiple_of(t) {
                Some(t)
            } else {
                c.err(
                    "engine.tick",
                    format!(
                        "must divide 1s evenly (1s, 500ms, 250ms, 200ms, 100ms, ..., 1ms), found {:?}",
                        format_duration(t)
                    ),
                );
                None
            }
        }),
    };
    // A removed setting: say what replaced it rather than "unknown field".
    let removed = e.retry_spread.is_some();
    if removed {
        c.err(
            "engine.retry_spread",
            "was removed: aggregated mode now retries the refused records of each PutRecords call \
             together after one backoff, as per-record mode does (batch.max_records sets the call size); \
             delete this line",
        );
    }
    let trace = match &e.trace_records {
        None => Some(d::TRACE_RECORDS),
        Some(v) => int(c, "engine.trace_records", v, 0, d::TRACE_RECORDS_MAX.into(), "records traced")
            .map(|n| n as u32),
    };
    if removed {
        return None;
    }
    Some((mode?, tick?, trace?))
}
