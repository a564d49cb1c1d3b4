//! Consumers: the records each shard holds (its log, in per-second segments so memory grows
//! with time retained, not with records), the shared polling read limits of a shard, and each
//! consumer's position and processing budget.
//!
//! Read limits (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html):
//! per shard, 5 GetRecords calls/s and 2 MiB/s shared by all polling consumers, at most 10,000
//! records per call; enhanced fan-out gives each consumer its own 2 MiB/s per shard. One
//! GetRecords call returns up to 10 MiB; "if a call returns this amount of data, subsequent calls
//! made within the next 5 seconds throw ProvisionedThroughputExceededException"
//! (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html). The model
//! reads that as a debt: bytes a call returns beyond the second's 2 MiB carry over into the next
//! seconds, which refuse calls until the debt is paid at 2 MiB/s.
//!
//! Owns these primitives' state (logs, positions, limiters); calls nothing of the model.

use crate::limits::{GET_RECORDS_MAX_BYTES, SHARD_READ_BYTES_PER_S, SHARD_READ_CALLS_PER_S};
use crate::units::{SimTime, MICROS_PER_SEC};
use std::collections::VecDeque;

/// Records accepted by one shard within one second. Within a segment, records are taken as
/// spread evenly between its first and last acceptance and between its earliest and latest
/// creation time (exact for steady traffic; a bounded approximation otherwise).
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    /// When the first and the last of them were accepted [µs].
    pub first_accept: SimTime,
    pub last_accept: SimTime,
    pub records: u64,
    pub bytes: u64,
    /// Earliest and latest creation time of its records [µs].
    pub created_min: SimTime,
    pub created_max: SimTime,
}

impl Segment {
    /// Acceptance time of the record at `offset` [µs].
    pub fn accept_at(&self, offset: u64) -> SimTime {
        let f = offset as f64 / self.records.max(1) as f64;
        self.first_accept + ((self.last_accept - self.first_accept) as f64 * f) as SimTime
    }
}

/// The records a shard holds, oldest first. Segment `i` of `segs` has absolute index
/// `base + i`; positions of readers are absolute.
#[derive(Debug, Default)]
pub struct ShardLog {
    pub segs: VecDeque<Segment>,
    pub base: u64,
}

impl ShardLog {
    /// Append `records` accepted at `now`, created at `created`.
    pub fn append(&mut self, now: SimTime, records: u64, bytes: u64, created: SimTime) {
        let second = now / MICROS_PER_SEC;
        if let Some(last) = self.segs.back_mut() {
            if last.first_accept / MICROS_PER_SEC == second {
                last.records += records;
                last.bytes += bytes;
                last.last_accept = now;
                last.created_min = last.created_min.min(created);
                last.created_max = last.created_max.max(created);
                return;
            }
        }
        self.segs.push_back(Segment {
            first_accept: now,
            last_accept: now,
            records,
            bytes,
            created_min: created,
            created_max: created,
        });
    }

    /// Absolute index one past the newest segment.
    pub fn end(&self) -> u64 {
        self.base + self.segs.len() as u64
    }

    pub fn get(&self, abs: u64) -> Option<&Segment> {
        abs.checked_sub(self.base).and_then(|i| self.segs.get(i as usize))
    }
}

/// A reader's place in a shard log: a segment and how many of its records were read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub seg: u64,
    pub offset: u64,
}

impl Position {
    /// Records from here to the end of `log`.
    pub fn unread(&self, log: &ShardLog) -> u64 {
        let mut n = 0;
        for abs in self.seg.max(log.base)..log.end() {
            let s = log.get(abs).map_or(0, |s| s.records);
            n += if abs == self.seg { s - self.offset } else { s };
        }
        n
    }

    /// Records from here up to `to` (0 if `to` is not after it); segments already dropped count
    /// nothing.
    pub fn records_to(&self, to: Position, log: &ShardLog) -> u64 {
        if to <= *self {
            return 0;
        }
        let mut n = 0;
        for abs in self.seg.max(log.base)..=to.seg {
            let Some(s) = log.get(abs) else { continue };
            let from = if abs == self.seg { self.offset } else { 0 };
            let upto = if abs == to.seg { to.offset.min(s.records) } else { s.records };
            n += upto.saturating_sub(from);
        }
        n
    }

    pub fn at_end(&self, log: &ShardLog) -> bool {
        self.seg >= log.end()
            || (self.seg + 1 == log.end() && log.get(self.seg).is_some_and(|s| self.offset >= s.records))
    }
}

/// What one read returned.
#[derive(Debug, Clone, Copy, Default)]
pub struct Read {
    pub records: u64,
    pub bytes: u64,
    /// Sum of the creation times of the records read [µs].
    pub created_sum: f64,
}

/// Read up to `max_records` and `max_bytes` from `pos` on, oldest first; records of a segment
/// are taken as records of equal size. `done` holds the bytes of `pos`'s segment read so far:
/// the first `x` records of a segment are `floor(bytes x x / records)` bytes, and a read returns
/// what that count adds to `done`, so the reads of a segment add up to its bytes exactly, also
/// while it still grows (records of the current second), and never to more. (Rounding each
/// read's share on its own, as before, could return a few bytes more or fewer than were
/// accepted.)
pub fn read(log: &ShardLog, pos: &mut Position, done: &mut u64, max_records: u64, max_bytes: u64) -> Read {
    let mut out = Read::default();
    while out.records < max_records {
        let Some(seg) = log.get(pos.seg) else { break };
        let left = seg.records - pos.offset;
        if left == 0 {
            // The newest segment may still grow (records of the current second): stay on it.
            if pos.seg + 1 >= log.end() {
                break;
            }
            pos.seg += 1;
            pos.offset = 0;
            *done = 0;
            continue;
        }
        // Bytes of the first `x` records of the segment, and the most records whose bytes
        // fit: floor(B x / n) <= t  <=>  x <= ((t + 1) n - 1) / B.
        let (b, n) = (u128::from(seg.bytes), u128::from(seg.records));
        let upto = |x: u64| (b * u128::from(x) / n) as u64;
        let target = u128::from(*done) + u128::from(max_bytes.saturating_sub(out.bytes));
        let by_bytes = match ((target + 1).saturating_mul(n) - 1).checked_div(b) {
            Some(x) => u64::try_from(x).unwrap_or(u64::MAX).saturating_sub(pos.offset),
            None => left,
        };
        let k = left.min(max_records - out.records).min(by_bytes);
        if k == 0 {
            break;
        }
        let end = upto(pos.offset + k);
        out.records += k;
        out.bytes += end.saturating_sub(*done);
        *done = (*done).max(end);
        // Mean creation time of records pos.offset .. pos.offset + k, spread evenly.
        let mid = (pos.offset as f64 + k as f64 / 2.0) / seg.records as f64;
        let mean = seg.created_min as f64 + (seg.created_max - seg.created_min) as f64 * mid;
        out.created_sum += mean * k as f64;
        pos.offset += k;
        if pos.offset == seg.records && pos.seg + 1 < log.end() {
            pos.seg += 1;
            pos.offset = 0;
            *done = 0;
        }
    }
    out
}

/// Bytes of the first `pos.offset` records of `pos`'s segment (what a reader placed at `pos`
/// has read of it), 0 for a segment no longer held.
pub fn bytes_before(log: &ShardLog, pos: Position) -> u64 {
    log.get(pos.seg).map_or(0, |s| {
        (u128::from(s.bytes) * u128::from(pos.offset.min(s.records)) / u128::from(s.records.max(1))) as u64
    })
}

/// The polling read limits of one shard, shared by every polling consumer: 5 calls in each
/// one-second window (the same windows as the write limits), and 2 MiB/s of bytes, where one call
/// may return up to 10 MiB and the bytes beyond a second's 2 MiB are a debt carried into the next
/// seconds (see the module's notes).
#[derive(Debug, Clone, Default)]
pub struct ReadLimiter {
    window: u64,
    calls: u64,
    /// Bytes charged to the current window, the debt of earlier ones included.
    bytes: u64,
}

impl ReadLimiter {
    /// A GetRecords call at `now`: `None` when throttled (`ReadProvisionedThroughputExceeded`),
    /// else the bytes it may return.
    pub fn call(&mut self, now: SimTime) -> Option<u64> {
        let w = now / MICROS_PER_SEC;
        if w != self.window {
            let passed = w.saturating_sub(self.window);
            self.bytes = self.bytes.saturating_sub(passed.saturating_mul(SHARD_READ_BYTES_PER_S));
            self.window = w;
            self.calls = 0;
        }
        if self.calls >= SHARD_READ_CALLS_PER_S || self.bytes >= SHARD_READ_BYTES_PER_S {
            return None;
        }
        self.calls += 1;
        Some(GET_RECORDS_MAX_BYTES)
    }

    pub fn used(&mut self, bytes: u64) {
        self.bytes += bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_span_segments_and_respect_limits() {
        let mut log = ShardLog::default();
        log.append(0, 10, 1000, 0);
        log.append(500_000, 10, 1000, 0); // same second: merged
        log.append(1_000_000, 5, 500, 1_000_000);
        assert_eq!(log.segs.len(), 2);
        let (mut pos, mut done) = (Position::default(), 0);
        let r = read(&log, &mut pos, &mut done, 12, u64::MAX);
        assert_eq!((r.records, r.bytes), (12, 1200));
        assert_eq!(pos.unread(&log), 13);
        let r = read(&log, &mut pos, &mut done, 100, 900);
        assert_eq!(r.records, 9, "9 records of 100 bytes fit 900 bytes");
        let r = read(&log, &mut pos, &mut done, 100, u64::MAX);
        assert_eq!(r.records, 4);
        assert!(pos.at_end(&log));
        let a = Position { seg: 0, offset: 15 };
        assert_eq!(a.records_to(Position { seg: 1, offset: 2 }, &log), 7);
        assert_eq!(a.records_to(Position { seg: 0, offset: 18 }, &log), 3);
        assert_eq!(a.records_to(a, &log), 0);
    }

    /// Records of unequal sizes read a few at a time, while their segment still grows: the
    /// bytes read add up to the bytes written, never more, and no read passes its byte budget.
    #[test]
    fn reads_of_a_growing_segment_add_up_to_its_bytes() {
        let mut log = ShardLog::default();
        let (mut pos, mut done) = (Position::default(), 0);
        let (mut written, mut read_bytes) = (0, 0);
        for i in 0..200u64 {
            let bytes = 100 + (i * 7919) % 13;
            log.append(i * 4_000, 1, bytes, 0);
            written += bytes;
            let budget = 150 + i % 97;
            let r = read(&log, &mut pos, &mut done, 1 + i % 3, budget);
            assert!(r.bytes <= budget);
            read_bytes += r.bytes;
            assert!(read_bytes <= written, "after record {i}: read {read_bytes} of {written}");
        }
        read_bytes += read(&log, &mut pos, &mut done, u64::MAX, u64::MAX).bytes;
        assert!(pos.at_end(&log));
        assert_eq!(read_bytes, written);
        assert_eq!(bytes_before(&log, Position { seg: 0, offset: 3 }), log.segs[0].bytes * 3 / 200);
    }

    #[test]
    fn five_calls_per_second_per_shard() {
        let mut l = ReadLimiter::default();
        let ok = (0..10).filter(|i| l.call(i * 10_000).is_some()).count();
        assert_eq!(ok, 5);
        assert!(l.call(1_000_000).is_some());
    }

    /// GetRecords reference: a call returning 10 MiB makes the calls of the next 5 seconds fail;
    /// one returning a second's 2 MiB, those of the rest of that second only.
    #[test]
    fn a_ten_mib_call_blocks_the_next_seconds() {
        let mut l = ReadLimiter::default();
        assert_eq!(l.call(100_000), Some(10 * crate::units::MIB));
        l.used(10 * crate::units::MIB);
        let first_ok = (1..100).map(|i| i * 100_000).find(|&t| l.call(t).is_some());
        assert_eq!(first_ok, Some(5_000_000), "refused until the fifth second after the call");
        let mut l = ReadLimiter::default();
        assert!(l.call(0).is_some());
        l.used(2 * crate::units::MIB);
        assert!(l.call(999_999).is_none());
        assert!(l.call(1_000_000).is_some(), "a 2 MiB call blocks only the rest of its second");
    }
}
