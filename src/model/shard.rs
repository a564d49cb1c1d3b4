//! A shard's write admission: 1,000 records/s and 1 MiB/s (data + partition key), per shard, in
//! both capacity modes (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
//!
//! How AWS enforces the per-second limit is not documented, so it is a model assumption with
//! two options: fixed windows aligned to whole seconds (default) and a token bucket that refills
//! continuously and holds some seconds' worth. Both are integer arithmetic.
//!
//! Large records (above 1 MiB, on a stream whose maximum record size was raised) burst from a
//! "tank" of bytes refilled at the sustained 1 MiB/s
//! (https://docs.aws.amazon.com/streams/latest/dev/large-records.html). Its size is not
//! published: `stream.burst_bytes` (an assumption, 10 MiB by default). Every record draws from
//! the tank; a record up to 1 MiB must also fit the per-second limit above, a larger one only the
//! tank (and the records/s limit), and it uses up what is left of the per-second bytes. With a
//! tank of at least 2 MiB more than the per-second limiter can hold (10 MiB against 1 MiB), the
//! tank never binds for records up to 1 MiB: a fixed window admits at most 2 MiB in any interval
//! beyond its refill (1 MiB at the end of a second and 1 MiB at the start of the next).
//!
//! Owns one shard's write-limit state; calls nothing of the model.

use crate::limits::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::scenario::WriteLimitModel;
use crate::units::{SimTime, MICROS_PER_SEC};

/// The write limit that refused a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// 1,000 records/s.
    Records,
    /// 1 MiB/s.
    Bytes,
}

impl Limit {
    pub fn describe(self) -> &'static str {
        match self {
            Limit::Records => "over 1,000 records/s",
            Limit::Bytes => "over 1 MiB/s",
        }
    }
}

/// What a shard accepted of an offered cohort; the rest is throttled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Admitted {
    pub records: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone)]
pub struct ShardWriter {
    model: WriteLimitModel,
    /// Token bucket capacity, in the same units as the tokens.
    rec_cap: u64,
    byte_cap: u64,
    /// The large-record tank, in units of "1 / 1e6 byte", and its capacity.
    tank: u64,
    tank_cap: u64,
    /// Fixed window: the second counted, and what it has used.
    window: u64,
    used_records: u64,
    used_bytes: u64,
    /// Token bucket, in units of "1 / 1e6 record" and "1 / 1e6 byte", so a refill of
    /// `rate * elapsed µs` stays an integer.
    tokens_records: u64,
    tokens_bytes: u64,
    last_refill: SimTime,
}

/// Records up to this size [bytes] are "normal" and must fit the per-second bytes limit; larger
/// ones burst from the tank (https://docs.aws.amazon.com/streams/latest/dev/large-records.html:
/// records up to 1 MiB are the default, larger ones are large records).
const LARGE_ABOVE: u64 = SHARD_WRITE_BYTES_PER_S;

/// Room at one instant: records and bytes left under the per-second limit, bytes in the tank.
#[derive(Debug, Clone, Copy)]
struct Room {
    records: u64,
    bytes: u64,
    tank: u64,
}

impl ShardWriter {
    /// A shard's writer with the per-second limit enforced by `model` and a tank of
    /// `burst_bytes` for large records.
    pub fn new(model: WriteLimitModel, burst_bytes: u64) -> Self {
        let burst_us = match model {
            WriteLimitModel::FixedWindow => MICROS_PER_SEC,
            WriteLimitModel::TokenBucket { burst } => burst,
        };
        let rec_cap = SHARD_WRITE_RECORDS_PER_S.saturating_mul(burst_us);
        let byte_cap = SHARD_WRITE_BYTES_PER_S.saturating_mul(burst_us);
        let tank_cap = burst_bytes.saturating_mul(MICROS_PER_SEC);
        ShardWriter {
            model,
            rec_cap,
            byte_cap,
            tank: tank_cap,
            tank_cap,
            window: 0,
            used_records: 0,
            used_bytes: 0,
            tokens_records: rec_cap,
            tokens_bytes: byte_cap,
            last_refill: 0,
        }
    }

    /// What is still admissible at `now`.
    fn room(&mut self, now: SimTime) -> Room {
        let dt = now.saturating_sub(self.last_refill);
        self.last_refill = now;
        self.tank = self.tank.saturating_add(dt.saturating_mul(SHARD_WRITE_BYTES_PER_S)).min(self.tank_cap);
        let tank = self.tank / MICROS_PER_SEC;
        match self.model {
            WriteLimitModel::FixedWindow => {
                let w = now / MICROS_PER_SEC;
                if w != self.window {
                    self.window = w;
                    self.used_records = 0;
                    self.used_bytes = 0;
                }
                Room {
                    records: SHARD_WRITE_RECORDS_PER_S - self.used_records,
                    bytes: SHARD_WRITE_BYTES_PER_S - self.used_bytes,
                    tank,
                }
            }
            WriteLimitModel::TokenBucket { .. } => {
                self.tokens_records =
                    (self.tokens_records + dt.saturating_mul(SHARD_WRITE_RECORDS_PER_S)).min(self.rec_cap);
                self.tokens_bytes =
                    (self.tokens_bytes + dt.saturating_mul(SHARD_WRITE_BYTES_PER_S)).min(self.byte_cap);
                Room {
                    records: self.tokens_records / MICROS_PER_SEC,
                    bytes: self.tokens_bytes / MICROS_PER_SEC,
                    tank,
                }
            }
        }
    }

    /// Take `records` and `bytes` from the per-second limit (at most what is left of its bytes:
    /// a large record uses them up) and `tank_bytes` from the tank.
    fn take(&mut self, records: u64, bytes: u64, tank_bytes: u64) {
        self.tank -= tank_bytes * MICROS_PER_SEC;
        match self.model {
            WriteLimitModel::FixedWindow => {
                self.used_records += records;
                self.used_bytes = (self.used_bytes + bytes).min(SHARD_WRITE_BYTES_PER_S);
            }
            WriteLimitModel::TokenBucket { .. } => {
                self.tokens_records -= records * MICROS_PER_SEC;
                self.tokens_bytes = self.tokens_bytes.saturating_sub(bytes.saturating_mul(MICROS_PER_SEC));
            }
        }
    }

    /// No record can be admitted at `now` (the records limit is used up).
    pub fn records_used_up(&mut self, now: SimTime) -> bool {
        self.room(now).records == 0
    }

    /// Offer one record of `bytes` (data + key): accepted or throttled.
    pub fn admit_one(&mut self, now: SimTime, bytes: u64) -> bool {
        self.admit_one_why(now, bytes).is_ok()
    }

    /// [`Self::admit_one`], saying which limit refused the record.
    pub fn admit_one_why(&mut self, now: SimTime, bytes: u64) -> Result<(), Limit> {
        let room = self.room(now);
        if room.records < 1 {
            Err(Limit::Records)
        } else if room.tank < bytes || (bytes <= LARGE_ABOVE && room.bytes < bytes) {
            Err(Limit::Bytes)
        } else {
            self.take(1, bytes, bytes);
            Ok(())
        }
    }

    /// Which limit a traced record would hit now (after it was refused).
    pub fn binding_limit(&mut self, now: SimTime, bytes: u64) -> Limit {
        let room = self.room(now);
        let bytes_fit = room.tank >= bytes && (bytes > LARGE_ABOVE || room.bytes >= bytes);
        if room.records < 1 || bytes_fit {
            Limit::Records
        } else {
            Limit::Bytes
        }
    }

    /// Offer a cohort of `records` records totalling `bytes`, treated as records of equal size:
    /// the largest prefix that fits both limits (and the tank) is accepted. A cohort whose
    /// records average above 1 MiB is treated as large records: the tank bounds it, not the
    /// per-second bytes.
    pub fn admit(&mut self, now: SimTime, records: u64, bytes: u64) -> Admitted {
        if records == 0 {
            return Admitted { records: 0, bytes: 0 };
        }
        if records == 1 {
            let ok = self.admit_one(now, bytes);
            return Admitted { records: ok as u64, bytes: if ok { bytes } else { 0 } };
        }
        let room = self.room(now);
        let large = bytes > LARGE_ABOVE.saturating_mul(records);
        let b = if large { room.tank } else { room.bytes.min(room.tank) };
        let by_bytes = if bytes == 0 { records } else { mul_div(b, records, bytes) };
        let k = records.min(room.records).min(by_bytes);
        let kb = if k == records { bytes } else { mul_div(bytes, k, records) };
        self.take(k, kb, kb);
        Admitted { records: k, bytes: kb }
    }
}

/// `floor(a * b / c)` for `c > 0`: in 64 bits when the product fits (always, for a shard's
/// per-second counts), else in 128 bits; the same value either way.
pub fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    match a.checked_mul(b) {
        Some(p) => p / c,
        None => ((a as u128 * b as u128) / c as u128) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::defaults::BURST_BYTES;
    use crate::units::{millis, secs, MIB};

    #[test]
    fn fixed_window_caps_records_then_resets() {
        // Source: 1,000 records/s per shard (service-sizes-and-limits).
        let mut s = ShardWriter::new(WriteLimitModel::FixedWindow, BURST_BYTES);
        let ok = (0..1500).filter(|i| s.admit_one(i * 600, 100)).count();
        assert_eq!(ok, 1000);
        assert!(s.admit_one(secs(1), 100));
    }

    #[test]
    fn fixed_window_caps_bytes() {
        // Source: 1 MiB/s per shard, data + key (service-sizes-and-limits).
        let mut s = ShardWriter::new(WriteLimitModel::FixedWindow, BURST_BYTES);
        let ok = (0..1000).filter(|_| s.admit_one(10, 2048 + 6)).count();
        assert_eq!(ok, (1_048_576 / 2054) as usize);
        let a = ShardWriter::new(WriteLimitModel::FixedWindow, BURST_BYTES).admit(0, 2000, 2000 * 2054);
        assert_eq!(a.records, 510);
        assert!(a.bytes <= 1_048_576);
    }

    #[test]
    fn mul_div_is_exact_in_both_widths() {
        assert_eq!(mul_div(1_048_576, 3_000, 2_100_000), 1_497);
        assert_eq!(mul_div(u64::MAX, 3, 6), u64::MAX / 2);
        assert_eq!(mul_div(u64::MAX / 2, 4, 8), u64::MAX / 4);
    }

    #[test]
    fn token_bucket_refills_continuously() {
        let mut s = ShardWriter::new(WriteLimitModel::TokenBucket { burst: secs(1) }, BURST_BYTES);
        assert_eq!(s.admit(0, 1000, 1000).records, 1000);
        assert_eq!(s.admit(0, 1, 1).records, 0);
        // After 100 ms, 100 records' worth has refilled.
        assert_eq!(s.admit(millis(100), 500, 500).records, 100);
    }

    #[test]
    fn an_idle_shard_admits_a_10_mib_record_then_refills_at_1_mib_per_s() {
        // Source: https://docs.aws.amazon.com/streams/latest/dev/large-records.html ("a tank
        // that refills at a steady rate"; the sustained rate stays 1 MiB/s per shard). With the
        // default 10 MiB tank (an assumption), a 10 MiB record empties it and the next one fits
        // exactly 10 MiB / (1 MiB/s) = 10 s later.
        for model in [WriteLimitModel::FixedWindow, WriteLimitModel::TokenBucket { burst: secs(1) }] {
            let mut s = ShardWriter::new(model, BURST_BYTES);
            let t0 = secs(5) + millis(300);
            assert_eq!(s.admit_one_why(t0, 10 * MIB), Ok(()), "{model:?}");
            // The rest of that second's bytes is used up, and so is the tank.
            assert_eq!(s.admit_one_why(t0 + 1, 100), Err(Limit::Bytes), "{model:?}");
            assert_eq!(s.admit_one_why(t0 + secs(10) - 1, 10 * MIB), Err(Limit::Bytes), "{model:?}");
            assert_eq!(s.admit_one_why(t0 + secs(10), 10 * MIB), Ok(()), "{model:?}");
            // Half-way, half the tank is back: a 5 MiB record fits, a 5 MiB + 1 B one not yet.
            let mut s = ShardWriter::new(model, BURST_BYTES);
            assert!(s.admit_one(t0, 10 * MIB));
            assert!(!s.admit_one(t0 + secs(5), 5 * MIB + 1));
            assert!(s.admit_one(t0 + secs(5), 5 * MIB));
        }
    }

    #[test]
    fn large_records_above_the_refill_admit_exactly_the_refill_plus_the_tank() {
        // Source: https://docs.aws.amazon.com/streams/latest/dev/large-records.html (sustained
        // 1 MiB/s; bursts from the tank). Offered: 50 records of 10 KiB spread over each second
        // (500 KiB/s, within the per-second limit) plus one 2 MiB record at every half second:
        // 2.49 MiB/s against a refill of 1 MiB/s. Closed form over T seconds: the admitted bytes
        // are the tank's 10 MiB plus T x 1 MiB, less what is left in the tank at the end
        // (at most 2 MiB, or a large record would have been admitted): within [T + 8, T + 10] MiB.
        let mut s = ShardWriter::new(WriteLimitModel::FixedWindow, BURST_BYTES);
        let t_end = 600u64;
        let (mut small_ok, mut large_ok, mut bytes) = (0u64, 0u64, 0u64);
        for sec in 0..t_end {
            for i in 0..50u64 {
                let t = secs(sec) + i * 20_000;
                if t == secs(sec) + millis(500) && s.admit_one(t, 2 * MIB) {
                    large_ok += 1;
                    bytes += 2 * MIB;
                }
                if s.admit_one(t, 10 * 1024) {
                    small_ok += 1;
                    bytes += 10 * 1024;
                }
            }
        }
        let mib = bytes as f64 / MIB as f64;
        assert!(mib >= (t_end + 8) as f64 - 0.01 && mib <= (t_end + 10) as f64, "{mib} MiB");
        // The throttled share of the offered bytes is then 1 - (T + 9 +- 1) / (2.49 T).
        let offered = t_end as f64 * (2.0 + 500.0 / 1024.0);
        let throttled = 1.0 - mib / offered;
        let expected = 1.0 - (t_end + 9) as f64 / offered;
        assert!((throttled - expected).abs() < 1.0 / offered, "{throttled} vs {expected}");
        // Both kinds got through: the tank is shared, not reserved.
        assert!(large_ok > 100 && small_ok > 20_000, "{large_ok} large, {small_ok} small");
    }

    #[test]
    fn the_tank_never_binds_for_records_up_to_1_mib() {
        // A fixed window admits at most 2 MiB in any interval beyond its refill, so a 10 MiB
        // tank keeps at least 8 MiB: saturating 1 MiB records are admitted as without a tank.
        let mut with = ShardWriter::new(WriteLimitModel::FixedWindow, BURST_BYTES);
        let mut without = ShardWriter::new(WriteLimitModel::FixedWindow, u64::MAX / MICROS_PER_SEC);
        for i in 0..20_000u64 {
            let t = i * 997;
            let b = 1 + (i * 7919) % (256 * 1024);
            assert_eq!(with.admit_one(t, b), without.admit_one(t, b), "at {t}");
        }
    }
}
