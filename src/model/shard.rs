//! A shard's write admission: 1,000 records/s and 1 MiB/s (data + partition key), per shard, in
//! both capacity modes (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
//!
//! How AWS enforces the per-second limit is not documented, so it is a model assumption with
//! two options: fixed windows aligned to whole seconds (default) and a token bucket that refills
//! continuously and holds one second's worth. Both are integer arithmetic.

use crate::scenario::defaults::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
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

const REC_CAP: u64 = SHARD_WRITE_RECORDS_PER_S * MICROS_PER_SEC;
const BYTE_CAP: u64 = SHARD_WRITE_BYTES_PER_S * MICROS_PER_SEC;

impl ShardWriter {
    pub fn new(model: WriteLimitModel) -> Self {
        ShardWriter {
            model,
            window: 0,
            used_records: 0,
            used_bytes: 0,
            tokens_records: REC_CAP,
            tokens_bytes: BYTE_CAP,
            last_refill: 0,
        }
    }

    /// Records and bytes still admissible at `now`.
    fn room(&mut self, now: SimTime) -> (u64, u64) {
        match self.model {
            WriteLimitModel::FixedWindow => {
                let w = now / MICROS_PER_SEC;
                if w != self.window {
                    self.window = w;
                    self.used_records = 0;
                    self.used_bytes = 0;
                }
                (SHARD_WRITE_RECORDS_PER_S - self.used_records, SHARD_WRITE_BYTES_PER_S - self.used_bytes)
            }
            WriteLimitModel::TokenBucket => {
                let dt = now.saturating_sub(self.last_refill);
                self.last_refill = now;
                self.tokens_records =
                    (self.tokens_records + dt.saturating_mul(SHARD_WRITE_RECORDS_PER_S)).min(REC_CAP);
                self.tokens_bytes =
                    (self.tokens_bytes + dt.saturating_mul(SHARD_WRITE_BYTES_PER_S)).min(BYTE_CAP);
                (self.tokens_records / MICROS_PER_SEC, self.tokens_bytes / MICROS_PER_SEC)
            }
        }
    }

    fn take(&mut self, records: u64, bytes: u64) {
        match self.model {
            WriteLimitModel::FixedWindow => {
                self.used_records += records;
                self.used_bytes += bytes;
            }
            WriteLimitModel::TokenBucket => {
                self.tokens_records -= records * MICROS_PER_SEC;
                self.tokens_bytes -= bytes * MICROS_PER_SEC;
            }
        }
    }

    /// No record can be admitted at `now` (the records limit is used up).
    pub fn records_used_up(&mut self, now: SimTime) -> bool {
        self.room(now).0 == 0
    }

    /// Offer one record of `bytes` (data + key): accepted or throttled.
    pub fn admit_one(&mut self, now: SimTime, bytes: u64) -> bool {
        self.admit_one_why(now, bytes).is_ok()
    }

    /// [`Self::admit_one`], saying which limit refused the record.
    pub fn admit_one_why(&mut self, now: SimTime, bytes: u64) -> Result<(), Limit> {
        let (r, b) = self.room(now);
        if r < 1 {
            Err(Limit::Records)
        } else if b < bytes {
            Err(Limit::Bytes)
        } else {
            self.take(1, bytes);
            Ok(())
        }
    }

    /// Which limit a traced record would hit now (after it was refused).
    pub fn binding_limit(&mut self, now: SimTime, bytes: u64) -> Limit {
        let (r, b) = self.room(now);
        if r < 1 || b >= bytes {
            Limit::Records
        } else {
            Limit::Bytes
        }
    }

    /// Offer a cohort of `records` records totalling `bytes`, treated as records of equal size:
    /// the largest prefix that fits both limits is accepted.
    pub fn admit(&mut self, now: SimTime, records: u64, bytes: u64) -> Admitted {
        if records == 0 {
            return Admitted { records: 0, bytes: 0 };
        }
        if records == 1 {
            let ok = self.admit_one(now, bytes);
            return Admitted { records: ok as u64, bytes: if ok { bytes } else { 0 } };
        }
        let (r, b) = self.room(now);
        let by_bytes = if bytes == 0 { records } else { mul_div(b, records, bytes) };
        let k = records.min(r).min(by_bytes);
        let kb = if k == records { bytes } else { mul_div(bytes, k, records) };
        self.take(k, kb);
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
    use crate::units::{millis, secs};

    #[test]
    fn fixed_window_caps_records_then_resets() {
        // Source: 1,000 records/s per shard (service-sizes-and-limits).
        let mut s = ShardWriter::new(WriteLimitModel::FixedWindow);
        let ok = (0..1500).filter(|i| s.admit_one(i * 600, 100)).count();
        assert_eq!(ok, 1000);
        assert!(s.admit_one(secs(1), 100));
    }

    #[test]
    fn fixed_window_caps_bytes() {
        // Source: 1 MiB/s per shard, data + key (service-sizes-and-limits).
        let mut s = ShardWriter::new(WriteLimitModel::FixedWindow);
        let ok = (0..1000).filter(|_| s.admit_one(10, 2048 + 6)).count();
        assert_eq!(ok, (1_048_576 / 2054) as usize);
        let a = ShardWriter::new(WriteLimitModel::FixedWindow).admit(0, 2000, 2000 * 2054);
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
        let mut s = ShardWriter::new(WriteLimitModel::TokenBucket);
        assert_eq!(s.admit(0, 1000, 1000).records, 1000);
        assert_eq!(s.admit(0, 1, 1).records, 0);
        // After 100 ms, 100 records' worth has refilled.
        assert_eq!(s.admit(millis(100), 500, 500).records, 100);
    }
}
