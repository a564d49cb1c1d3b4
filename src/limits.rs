//! Every AWS fact kinesim models, each with the public page it comes from: service limits, API
//! limits, scaling rules, billing rules. A number here is what AWS documents; a number kinesim
//! chooses where AWS is silent is a model assumption and lives in `scenario::defaults`, named
//! and explained there. Two kinds of AWS numbers live elsewhere, with their sources: the
//! defaults of settings a scenario may change (the KPL's `AggregationMaxSize`, the KCL's
//! `failoverTimeMillis`, Application Auto Scaling's alarms and cooldowns) are scenario defaults
//! (`scenario::defaults`), and per-region prices (USD) are data read by region (`cost::prices`).
//!
//! Where AWS pages disagree, the newer page wins and the constant says so.
//!
//! Owns no state. May call `crate::units` only (every other module may call it).

use crate::units::{secs, SimTime, MIB};

// ---- Writes ------------------------------------------------------------------------------------

/// Per-shard write limit [records/s].
/// Source: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
pub const SHARD_WRITE_RECORDS_PER_S: u64 = 1_000;
/// Per-shard write limit [bytes/s], data blob + partition key.
/// Source: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
pub const SHARD_WRITE_BYTES_PER_S: u64 = MIB;
/// Default maximum record size (data + key) [bytes].
/// Source: https://docs.aws.amazon.com/streams/latest/dev/large-records.html
pub const MAX_RECORD_SIZE: u64 = MIB;
/// Largest maximum record size a stream can be set to [bytes] (`UpdateMaxRecordSize`).
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
pub const MAX_RECORD_SIZE_LIMIT: u64 = 10 * MIB;
/// Smallest settable maximum record size [bytes] (`UpdateMaxRecordSize`: 1024..10240 KiB).
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
pub const MIN_RECORD_SIZE_LIMIT: u64 = MIB;
/// Partition key length [Unicode characters].
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
pub const PARTITION_KEY_MAX_CHARS: usize = 256;
/// Records per PutRecords call.
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
pub const PUT_RECORDS_MAX_RECORDS: u32 = 500;
/// Bytes per PutRecords call (data + keys). 5 MiB is the long-standing limit of the API
/// reference and every SDK's documentation; AWS raised it to 10 MiB for streams with large
/// records (2025-10-27). kinesim keeps 5 MiB as the cap.
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
pub const PUT_RECORDS_MAX_BYTES: u64 = 5 * MIB;

// ---- Reads -------------------------------------------------------------------------------------

/// Per shard: 5 GetRecords calls/s and 2 MiB/s, shared by all polling consumers; one call
/// returns at most 10,000 records.
/// Source: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
pub const SHARD_READ_CALLS_PER_S: u64 = 5;
pub const SHARD_READ_BYTES_PER_S: u64 = 2 * MIB;
pub const GET_RECORDS_MAX_RECORDS: u32 = 10_000;
/// One GetRecords call returns at most 10 MiB; a call that returns more than the shard's
/// 2 MiB/s leaves a debt: further calls are refused until it is paid at 2 MiB/s (a 10 MiB call
/// blocks the next 5 seconds, as the GetRecords reference says).
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
pub const GET_RECORDS_MAX_BYTES: u64 = 10 * MIB;
/// Registered enhanced fan-out consumers per stream (20 since 2019).
/// Source: https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
pub const EFO_MAX_CONSUMERS: usize = 20;
/// ... and 50 on a stream under On-demand Advantage (2025-11).
/// Source: https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
pub const EFO_MAX_CONSUMERS_ADVANTAGE: usize = 50;

// ---- Retention ---------------------------------------------------------------------------------

/// Default retention [µs].
/// Source: https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
pub const RETENTION: SimTime = secs(24 * 3600);
/// Longest retention [µs] (365 days).
/// Source: https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
pub const RETENTION_MAX: SimTime = secs(8760 * 3600);
/// Data older than 7 days is in long-term retention (stored and read at long-term prices) [s].
/// Source: https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
pub const LONG_TERM_AFTER_S: u64 = 7 * 24 * 3600;

// ---- Capacity and scaling ----------------------------------------------------------------------

/// Most shards in one stream.
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
pub const MAX_SHARDS_PER_STREAM: u32 = 10_000;
/// Default account shard quota in the largest regions (1,000 or 6,000 elsewhere).
/// Source: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
pub const ACCOUNT_SHARD_QUOTA: u32 = 20_000;
/// Most `UpdateShardCount` calls in any rolling 24 hours; each call may at most double and at
/// least halve the open shards.
/// Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
pub const UPDATE_SHARD_COUNT_CALLS_PER_24H: usize = 10;
/// Capacity-mode switches per rolling 24 hours.
/// Source: https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
pub const MODE_SWITCHES_PER_24H: usize = 2;
/// 24 hours [µs]: the window of the mode-switch and `UpdateShardCount` rate limits.
pub const DAY: SimTime = secs(86_400);
/// On-demand: "accommodates up to double the peak write throughput observed in the previous 30
/// days": the window [µs] and the factor.
/// Source: https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
pub const OD_PEAK_WINDOW: SimTime = secs(30 * 86_400);
pub const OD_PEAK_FACTOR: f64 = 2.0;

// ---- Billing -----------------------------------------------------------------------------------

/// A PUT payload unit: 25 KB chunks of a record, rounded up; AWS's examples (5 KB = 1 unit,
/// 45 KB = 2, 1 MB = 40) hold with decimal kilobytes, so a unit is 25,000 bytes. What the
/// record's size is (data blob, or data blob + key) is `[cost] payload_counts_key`.
/// Source: https://aws.amazon.com/kinesis/data-streams/pricing/
pub const PUT_PAYLOAD_UNIT_BYTES: u64 = 25_000;
/// Retention included in every price [s] (24 h); extended retention is billed beyond it, up to
/// [`LONG_TERM_AFTER_S`].
/// Source: https://aws.amazon.com/kinesis/data-streams/pricing/
pub const INCLUDED_RETENTION_S: u64 = 24 * 3600;
/// Hours in the month of GB-month quantities and monthly projections: 730, as the AWS pricing
/// calculator (365 days x 24 h / 12): 1 shard for 730 h is $10.95, 1 on-demand stream for
/// 730 h $29.20.
/// Source: https://calculator.aws/
pub const HOURS_PER_MONTH: f64 = 730.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::MICROS_PER_SEC;

    /// The facts hold together as the pages state them.
    #[test]
    fn the_facts_agree_with_each_other() {
        // service-sizes-and-limits: a shard reads twice what it writes.
        assert_eq!(SHARD_READ_BYTES_PER_S, 2 * SHARD_WRITE_BYTES_PER_S);
        // API_GetRecords: a 10 MiB call blocks the next 5 s of a 2 MiB/s shard.
        assert_eq!(GET_RECORDS_MAX_BYTES / SHARD_READ_BYTES_PER_S, 5);
        // pricing: a 1 MB record is 40 PUT payload units.
        assert_eq!(1_000_000u64.div_ceil(PUT_PAYLOAD_UNIT_BYTES), 40);
        assert_eq!(45_000u64.div_ceil(PUT_PAYLOAD_UNIT_BYTES), 2);
        // kinesis-extended-retention: 24 h default, 365 days at most, long-term after 7 days.
        assert_eq!(RETENTION / MICROS_PER_SEC, INCLUDED_RETENTION_S);
        assert_eq!(RETENTION_MAX / MICROS_PER_SEC, 365 * 86_400);
        assert_eq!(LONG_TERM_AFTER_S, 7 * INCLUDED_RETENTION_S);
        // calculator: 730 h x $0.015 per shard-hour = $10.95.
        assert!((HOURS_PER_MONTH * 0.015 - 10.95).abs() < 1e-9);
    }

    // UpdateMaxRecordSize: the default lies in the settable range.
    const _: () =
        assert!(MIN_RECORD_SIZE_LIMIT <= MAX_RECORD_SIZE && MAX_RECORD_SIZE < MAX_RECORD_SIZE_LIMIT);
}
