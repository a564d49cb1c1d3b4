//! What a finished run hands to reports: plain data, no model types. Reports (`report::*`) see
//! only this.
//!
//! Owns no behaviour beyond small accessors; calls `kinds` (the enums results carry), nothing
//! of the scenario or the model and nothing of prices (the bill goes beside a result:
//! [`crate::experiment::Outcome`]).

use crate::kinds::{CallOrigin, CapacityMode, ConsumerKind, EngineMode, RunBound};

/// Latency percentiles [ms].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percentiles {
    /// Records measured.
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Stream-level counters, one entry per simulated second (index = second).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// New user records created by producers [records].
    pub produced_records: Vec<u64>,
    /// Record attempts that reached a shard (first attempts and retries) [records].
    pub offered_records: Vec<u64>,
    /// Bytes of those attempts, data + key [bytes].
    pub offered_bytes: Vec<u64>,
    /// `IncomingRecords`: accepted [records].
    pub accepted_records: Vec<u64>,
    /// `IncomingBytes`: accepted, data + key [bytes].
    pub accepted_bytes: Vec<u64>,
    /// `WriteProvisionedThroughputExceeded`: throttled attempts [records].
    pub throttled_records: Vec<u64>,
    /// Attempts that were retries [records].
    pub retried_records: Vec<u64>,
    /// Records given up (attempts exhausted or buffer full) [records].
    pub dropped_records: Vec<u64>,
    /// Open shards at the end of the second.
    pub open_shards: Vec<u32>,
    /// PUT payload units of the accepted records: each record counted in 25 KB chunks (25,000
    /// bytes), rounded up (provisioned billing).
    pub put_payload_units: Vec<u64>,
    /// Accepted records with each one rounded up to whole KiB (on-demand ingest billing) [KiB].
    pub billed_ingest_kib: Vec<u64>,
}

impl Series {
    /// Number of seconds covered.
    pub fn len(&self) -> usize {
        self.accepted_records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per-shard totals over the run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShardTotals {
    /// `shardId-000000000000` style id.
    pub shard_id: String,
    pub starting_hash_key: u128,
    pub ending_hash_key: u128,
    /// Share of producers' traffic whose keys hash into this shard (traffic-weighted, 0..1).
    pub key_share: f64,
    pub offered_records: u64,
    pub accepted_records: u64,
    pub throttled_records: u64,
    pub accepted_bytes: u64,
    /// Highest offered load of any one second [records/s].
    pub peak_offered_records_per_s: u64,
    /// Highest offered load of any one second [bytes/s].
    pub peak_offered_bytes_per_s: u64,
    /// Shards this one was split or merged from (`ParentShardId`, `AdjacentParentShardId`).
    pub parent_shard_ids: Vec<String>,
    /// When the shard opened and (if it did) closed for writes [s].
    pub opened_at_s: f64,
    pub closed_at_s: Option<f64>,
}

/// One event in the life of a traced record (`trace.csv`): follow a record from its producer
/// to its shard.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceRow {
    /// Trace id of the record (1, 2, ... in creation order).
    pub record: u32,
    pub producer: String,
    /// `created`, `accepted`, `throttled`, `dropped` (attempts exhausted), `lost` (producer
    /// buffer full), `pending` (still in the producer at the end).
    pub event: &'static str,
    /// When it happened [s].
    pub time_s: f64,
    pub partition_key: String,
    pub hash_key: u128,
    /// The shard it was sent to (empty for `created`, `lost`, `pending`).
    pub shard_id: String,
    /// Attempt number (1 = first; 0 for `created`, `lost`).
    pub attempt: u32,
    /// For `accepted`: the record's sequence number in its shard (1, 2, ... in arrival order,
    /// as Kinesis assigns increasing sequence numbers per shard).
    pub sequence_number: Option<u64>,
    /// For `accepted`: put latency from creation [ms]; for `throttled`: which limit.
    pub detail: String,
}

/// What one consumer read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsumerResult {
    pub name: String,
    /// `polling` or `efo`.
    pub kind: ConsumerKind,
    pub records_read: u64,
    pub bytes_read: u64,
    /// Of those, bytes that were more than 7 days old when read (long-term retention
    /// retrieval, billed per GB).
    pub bytes_read_long_term: u64,
    /// GetRecords calls refused (`ReadProvisionedThroughputExceeded`).
    pub read_throttled_calls: u64,
    /// Records that expired (retention) before this consumer read them.
    pub records_lost_to_retention: u64,
    /// Records still unread when the run ended (for a KCL application, records sent back by a
    /// failover that had been processed once are not counted: they are in `records_processed`).
    pub records_unread: u64,
    /// Iterator age at each read (after it) and each read the consumer could not make: how far
    /// behind the newest data the consumer is (`GetRecords.IteratorAgeMilliseconds`, KCL
    /// `MillisBehindLatest`) [ms].
    pub iterator_age_ms: Percentiles,
    /// From record creation to processed by the application [ms] (for a consumer without
    /// KCL workers, processed = delivered).
    pub end_to_end_ms: Percentiles,
    /// From record creation to delivery to the application (propagation included) [ms].
    pub delivered_ms: Percentiles,
    /// Records processed (a record processed again after a failover counts again).
    pub records_processed: u64,
    /// Records processed a second time because their worker failed before checkpointing them.
    pub records_reprocessed: u64,
    /// KCL: records read and still being processed when the run ended.
    pub records_in_flight: u64,
    /// KCL: checkpoints written, leases moved to another worker, and per worker its leases at
    /// the end, records processed and when it failed [s].
    pub checkpoints: u64,
    pub lease_moves: u64,
    pub workers: Vec<WorkerResult>,
    /// The periodic job behind the consumer, if any.
    pub job: Option<JobResult>,
    /// Largest iterator age of each second [s].
    pub iterator_age_s: Vec<f64>,
    /// Bytes read in each second [bytes].
    pub read_bytes_s: Vec<f64>,
    /// End-to-end latency distributions [(ms, fraction of records at or below)], for charts:
    /// delivered, processed and flushed (empty when not measured).
    pub delivered_cdf: Vec<(f64, f64)>,
    pub processed_cdf: Vec<(f64, f64)>,
    pub flushed_cdf: Vec<(f64, f64)>,
}

/// One KCL worker at the end of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkerResult {
    pub leases: u32,
    pub records_processed: u64,
    pub failed_at_s: Option<f64>,
}

/// A periodic job guarded by a distributed lock, over the run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobResult {
    pub runs: Vec<JobRun>,
    /// Periods in which no run started, and why.
    pub skipped: Vec<JobSkip>,
    pub records_flushed: u64,
    /// Processed records not flushed yet at the end.
    pub records_waiting: u64,
    /// From record creation to flushed by the job [ms].
    pub flushed_ms: Percentiles,
}

/// One run of the periodic job.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobRun {
    /// The period it ran for (1 = the first tick, at one period into the run).
    pub period: u64,
    pub instance: u32,
    pub started_s: f64,
    /// When it ended: completed, or its instance failed [s].
    pub ended_s: f64,
    /// `completed` or `failed`; `running` if the run ended first.
    pub outcome: &'static str,
    pub records_flushed: u64,
}

/// A period in which the job did not run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobSkip {
    pub period: u64,
    pub at_s: f64,
    pub reason: String,
}

/// One capacity-mode switch and its fate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModeSwitchRecord {
    pub at_s: f64,
    pub to: CapacityMode,
    /// Why it was refused, if it was.
    pub refused: Option<String>,
}

/// One `UpdateShardCount` call and its fate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReshardCall {
    /// When it was made [s].
    pub at_s: f64,
    pub origin: CallOrigin,
    pub from_shards: u32,
    pub target_shards: u32,
    /// When the stream became `ACTIVE` again [s], if accepted (may be after the run's end).
    pub completed_at_s: Option<f64>,
    /// Why AWS refused it, if it did.
    pub refused: Option<String>,
}

/// One shard's counters over one heatmap bucket (`shards.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShardBucketRow {
    /// Start of the bucket [s]; its width is `Heatmap::bucket_s`.
    pub bucket_start_s: u64,
    /// Index into `RunResult::shards`.
    pub shard: usize,
    pub offered_records: u64,
    pub offered_bytes: u64,
    pub accepted_records: u64,
    pub throttled_records: u64,
}

/// Per-shard offered load over time, relative to the shard's write limit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Heatmap {
    /// Width of a time bucket [s].
    pub bucket_s: u64,
    pub n_shards: usize,
    pub n_buckets: usize,
    /// `utilisation[shard * n_buckets + bucket]`: mean over the bucket of
    /// `max(offered records / 1,000, offered bytes / 1 MiB)` per second (1.0 = at the limit).
    pub utilisation: Vec<f32>,
}

impl Heatmap {
    pub fn get(&self, shard: usize, bucket: usize) -> f32 {
        self.utilisation[shard * self.n_buckets + bucket]
    }
}

/// Put latency: from a record's creation to its acceptance (linger, retries and backoff
/// included) [ms].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LatencyResult {
    pub overall: Percentiles,
    /// Width of one interval of `over_time` [s].
    pub interval_s: u64,
    /// Percentiles of the records accepted in each interval (`None`: none accepted).
    pub over_time: Vec<Option<Percentiles>>,
}

/// Record accounting over the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub records_produced: u64,
    pub records_accepted: u64,
    /// Dropped after the last attempt was throttled.
    pub records_dropped_throttled: u64,
    /// Lost because the producer buffer was full.
    pub records_dropped_buffer: u64,
    /// Still in a producer (batching or awaiting retry) when the run ended.
    pub records_pending: u64,
    pub bytes_accepted: u64,
    /// Attempts that were throttled (`WriteProvisionedThroughputExceeded`).
    pub throttled_attempts: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// PutRecords calls made.
    pub put_calls: u64,
    /// PUT payload units of accepted records (25,000-byte chunks, rounded up per record).
    pub put_payload_units: u64,
    /// Accepted bytes with every record rounded up to whole KiB [KiB].
    pub billed_ingest_kib: u64,
}

impl Totals {
    pub fn records_dropped(&self) -> u64 {
        self.records_dropped_throttled + self.records_dropped_buffer
    }
    /// `throttled / (throttled + accepted)`, 0 when nothing was attempted.
    pub fn throttle_rate(&self) -> f64 {
        let d = self.throttled_attempts + self.records_accepted;
        if d == 0 {
            0.0
        } else {
            self.throttled_attempts as f64 / d as f64
        }
    }
}

/// Capacity facts of the run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CapacityResult {
    /// The mode the run started in.
    pub mode: CapacityMode,
    pub shards_initial: u32,
    pub shards_final: u32,
    pub shards_max: u32,
    pub reshard_count: u32,
    /// Every call made, accepted or refused, in time order.
    pub calls: Vec<ReshardCall>,
    /// Every capacity-mode switch asked for, in time order.
    pub mode_switches: Vec<ModeSwitchRecord>,
}

/// The textbook sizing formula for the scenario's traffic, for comparison with the simulation:
/// `shards = ceil(max(ingress_KiB_per_s / 1024, egress_KiB_per_s / 2048))`, with the average
/// record size rounded up to 1 KiB (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Textbook {
    /// Mean offered rate over the run [records/s].
    pub mean_records_per_s: f64,
    /// Highest per-second mean rate [records/s].
    pub peak_records_per_s: f64,
    /// Average record size (data + key) rounded up to whole KiB [KiB].
    pub avg_record_kib: f64,
    /// Ingress at the mean and at the peak rate [KiB/s].
    pub mean_ingress_kib_per_s: f64,
    pub peak_ingress_kib_per_s: f64,
    /// Egress (consumers x ingress, the formula's outgoing bandwidth) at the peak [KiB/s].
    pub peak_egress_kib_per_s: f64,
    /// The formula at the mean rate and at the peak rate [shards].
    pub shards_at_mean: u64,
    pub shards_at_peak: u64,
    /// The formula plus the 1,000 records/s limit it leaves out, at the peak [shards].
    pub shards_at_peak_with_record_limit: u64,
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunResult {
    pub scenario: String,
    pub description: String,
    pub seed: u64,
    pub duration_s: f64,
    pub engine_mode: EngineMode,
    pub capacity: CapacityResult,
    pub textbook: Textbook,
    pub series: Series,
    pub shards: Vec<ShardTotals>,
    pub heatmap: Heatmap,
    /// Per shard and heatmap bucket counters (shard-major order).
    pub shard_buckets: Vec<ShardBucketRow>,
    pub latency: LatencyResult,
    pub totals: Totals,
    /// Per-shard write limits, for capacity lines [records/s], [bytes/s].
    pub shard_limit_records_per_s: u64,
    /// Consumers, in scenario order.
    pub consumers: Vec<ConsumerResult>,
    /// Things the user should know about how to read this run (e.g. traffic from one-minute
    /// data).
    pub warnings: Vec<String>,
    /// The record trace (per-record mode; empty otherwise).
    pub trace: Vec<TraceRow>,
    pub shard_limit_bytes_per_s: u64,
    /// Kinesis records accepted: equal to `totals.records_accepted` unless producers aggregate
    /// (KPL), when an aggregated record of many user records counts one.
    pub kinesis_records_accepted: u64,
    /// The write-limit bound of every figure above: `strict` (fixed one-second windows),
    /// `lenient` (a bucket of `stream.lenient_burst`), or `stream.write_limit` (set explicitly,
    /// run alone).
    pub bound: RunBound,
    /// How the per-shard limit was enforced for the figures above, in words.
    pub write_limit: String,
    /// With `engine.bounds = "both"`: the write figures of the same run under the lenient bound.
    pub lenient: Option<BoundFigures>,
}

/// The write figures of a run under one write-limit bound (same seed, same arrivals).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundFigures {
    /// How the per-shard limit was enforced, in words.
    pub write_limit: String,
    pub records_accepted: u64,
    pub records_dropped: u64,
    pub records_pending: u64,
    pub throttled_attempts: u64,
    pub throttle_rate: f64,
    pub retried_attempts: u64,
    pub put_latency: Percentiles,
}

impl BoundFigures {
    pub fn of(r: &RunResult) -> BoundFigures {
        let t = &r.totals;
        BoundFigures {
            write_limit: r.write_limit.clone(),
            records_accepted: t.records_accepted,
            records_dropped: t.records_dropped(),
            records_pending: t.records_pending,
            throttled_attempts: t.throttled_attempts,
            throttle_rate: t.throttle_rate(),
            retried_attempts: t.retries,
            put_latency: r.latency.overall,
        }
    }
}

/// A run's two bounds "differ materially" when their throttle rates differ by more than this
/// (0.1 percentage point), or one drops records and the other does not (a reporting threshold,
/// not a setting).
pub const BOUNDS_MATERIAL_THROTTLE: f64 = 0.001;

impl RunResult {
    /// The strict and lenient bounds differ materially: throttle rates more than 0.1 percentage
    /// point apart, or one bound drops records and the other does not
    /// ([`BOUNDS_MATERIAL_THROTTLE`]). `None` with one bound.
    pub fn bounds_differ(&self) -> Option<bool> {
        let l = self.lenient.as_ref()?;
        let t = &self.totals;
        Some(
            (t.throttle_rate() - l.throttle_rate).abs() > BOUNDS_MATERIAL_THROTTLE
                || (t.records_dropped() == 0) != (l.records_dropped == 0),
        )
    }
}
