//! The `[stream]` table: capacity mode, shards, retention, maximum record size and the
//! write-limit enforcement (window or token bucket, the large-record tank, the lenient burst).
//!
//! May call: `checker`, `raw`, `types`, `defaults`.

use super::checker::{choice, duration, int, size, Checker, SIZE_LIKE};
use super::defaults as d;
use super::raw::choices::{CAPACITY_MODES, WRITE_LIMITS};
use super::raw::RawStream;
use super::types::{CapacityMode, Stream, WriteLimitModel};
use crate::limits;
use crate::units::format_bytes;

/// Validate `[stream]`. An on-demand stream's `shards` is 0 here: the caller fills it from
/// `[capacity]`.
pub(super) fn stream(c: &mut Checker, s: &RawStream) -> Option<Stream> {
    let mode = match &s.mode {
        None => Some(CapacityMode::Provisioned),
        Some(v) => match choice(c, "stream.mode", v, &CAPACITY_MODES) {
            Some("provisioned") => Some(CapacityMode::Provisioned),
            Some(_) => Some(CapacityMode::OnDemand),
            None => None,
        },
    };
    let shards = match (&s.shards, mode) {
        (Some(_), Some(CapacityMode::OnDemand)) => {
            c.err(
                "stream.shards",
                "an on-demand stream manages its own shards; remove `shards` (the initial capacity is \
                 capacity.on_demand.initial_shards, 4 by default as AWS starts new streams)",
            );
            None
        }
        // Filled from capacity.on_demand.initial_shards once that is validated.
        (None, Some(CapacityMode::OnDemand)) => Some(0),
        (None, _) => c.missing("stream.shards", "a provisioned stream needs `shards = N`"),
        (Some(v), _) => {
            int(c, "stream.shards", v, 1, limits::MAX_SHARDS_PER_STREAM.into(), "shards per stream")
                .map(|n| n as u32)
        }
    };
    let retention = match &s.retention {
        None => Some(limits::RETENTION),
        Some(v) => duration(
            c,
            "stream.retention",
            v,
            limits::RETENTION,
            limits::RETENTION_MAX,
            "Kinesis retention is 24h to 8760h",
        ),
    };
    let max_record_size = match &s.max_record_size {
        None => Some(d::STREAM_MAX_RECORD_SIZE),
        Some(v) => size(
            c,
            "stream.max_record_size",
            v,
            limits::MIN_RECORD_SIZE_LIMIT,
            limits::MAX_RECORD_SIZE_LIMIT,
            SIZE_LIKE,
        ),
    };
    let write_limit = match &s.write_limit {
        None => Some(WriteLimitModel::FixedWindow),
        Some(v) => match choice(c, "stream.write_limit", v, &WRITE_LIMITS)? {
            "window" => Some(WriteLimitModel::FixedWindow),
            _ => Some(WriteLimitModel::TokenBucket { burst: crate::units::secs(1) }),
        },
    };
    let burst_bytes = match &s.burst_bytes {
        None => Some(d::BURST_BYTES),
        Some(v) => {
            size(c, "stream.burst_bytes", v, limits::SHARD_WRITE_BYTES_PER_S, d::BURST_BYTES_MAX, SIZE_LIKE)
        }
    };
    if let (Some(max), Some(burst)) = (max_record_size, burst_bytes) {
        if burst < max {
            c.err(
                "stream.burst_bytes",
                format!(
                    "a record of {} (stream.max_record_size) could never be admitted by a tank of {}; \
                     raise burst_bytes to at least max_record_size",
                    format_bytes(max),
                    format_bytes(burst)
                ),
            );
        }
    }
    let lenient_burst = match &s.lenient_burst {
        None => Some(d::LENIENT_BURST),
        Some(v) => duration(
            c,
            "stream.lenient_burst",
            v,
            d::LENIENT_BURST_MIN,
            d::LENIENT_BURST_MAX,
            "seconds of the per-shard limit the lenient bound's bucket holds",
        ),
    };
    Some(Stream {
        mode: mode?,
        shards: shards?,
        retention: retention?,
        max_record_size: max_record_size?,
        write_limit: write_limit?,
        burst_bytes: burst_bytes?,
        lenient_burst: lenient_burst?,
    })
}
