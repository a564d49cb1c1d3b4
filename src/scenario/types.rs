//! The validated scenario: units applied, defaults filled in, cross-field checks done.
//! The model only ever sees these types; the TOML mirror lives in `raw/`.
//!
//! `Serialize` gives the scenario's canonical form (`kinesim size --part` fingerprints it, see
//! [`crate::size::parts::fingerprint`]): it writes what a run depends on, never where files lie.
//!
//! Holds no validation. May call: `defaults`, `crate::units`, and the cost module's settings
//! type (`crate::cost::CostSettings`).

pub use crate::cost::CostSettings;
pub use crate::kinds::{Bound, CapacityMode, ConsumerKind, EngineMode};
use crate::units::SimTime;
use serde::Serialize;
use std::path::PathBuf;

/// A fully validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Scenario name; also the report folder name.
    pub name: String,
    /// Free text shown in reports (may be empty).
    pub description: String,
    /// Seed of every random stream of the run.
    pub seed: u64,
    /// Simulated duration [µs].
    pub duration: SimTime,
    pub stream: Stream,
    pub producers: Vec<Producer>,
    pub engine: EngineSettings,
    /// Provisioned capacity changes: scheduled `UpdateShardCount` calls and autoscaling.
    pub capacity: CapacitySettings,
    /// Applications reading the stream (`[[consumers]]`).
    pub consumers: Vec<ConsumerSpec>,
    /// Price table and overrides (`[cost]`).
    pub cost: CostSettings,
    /// The file it was read from, if any (for messages and relative trace paths). Not
    /// serialised: where a file lies is not part of what it says (see
    /// [`crate::size::parts::fingerprint`]).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// `kinesim size`: the SLO and the search space (`[size]`; `None` when absent, and
    /// `kinesim size` then uses [`SizeSettings::default`]).
    pub size: Option<SizeSettings>,
}

/// `[size]`: what `kinesim size` searches and the SLO a point must meet in every seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeSettings {
    pub slo: Slo,
    /// Shard counts of provisioned points, ascending, without duplicates.
    pub shards: Vec<u32>,
    /// Capacity modes to try, in the order written (on-demand is one point).
    pub modes: Vec<CapacityMode>,
    /// Seeds per point: the scenario's seed, seed + 1, ...
    pub seeds: u32,
    pub search: SizeSearch,
    /// How provisioned points change their shard count, in the order written (each policy is
    /// one series of shard counts).
    pub policies: Vec<SizePolicy>,
    /// When a point meets the SLO: in every seed, or with a stated confidence over seeds.
    pub rule: SloRule,
    /// The write-limit bound the recommendation is made under (the other, when the scenario
    /// runs both bounds, is shown beside it).
    pub bound: Bound,
}

/// Which write-limit bounds a run reports (`engine.bounds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bounds {
    /// Both: the strict run's figures, and the lenient run's write figures beside them.
    Both,
    /// One bound alone.
    One(Bound),
}

/// How a provisioned point of `kinesim size` manages its shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SizePolicy {
    /// The scenario's `[capacity]` as written (schedule and autoscaling kept; the point's count
    /// is where the stream starts).
    AsWritten,
    /// A fixed shard count: schedule and autoscaling dropped.
    Fixed,
    /// Target tracking from the point's count (its floor); the scenario's settings when it has
    /// this policy, the defaults otherwise.
    TargetTracking,
    /// Threshold/step scaling, likewise.
    ThresholdStep,
    /// Double/halve alarms, likewise.
    DoubleHalve,
}

impl SizePolicy {
    /// The name used in `[size] policies`, reports and labels.
    pub fn name(self) -> &'static str {
        match self {
            SizePolicy::AsWritten => "as-written",
            SizePolicy::Fixed => "fixed",
            SizePolicy::TargetTracking => "target-tracking",
            SizePolicy::ThresholdStep => "threshold-step",
            SizePolicy::DoubleHalve => "double-halve",
        }
    }
    /// Every policy, in the order of [`SizePolicy::name`]s listed in errors.
    pub const ALL: [SizePolicy; 5] = [
        SizePolicy::AsWritten,
        SizePolicy::Fixed,
        SizePolicy::TargetTracking,
        SizePolicy::ThresholdStep,
        SizePolicy::DoubleHalve,
    ];
}

/// When a point meets the SLO.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum SloRule {
    /// Every bound holds in every seed (default).
    EverySeed,
    /// For every bound, the one-sided upper confidence bound at this level (Student's t over
    /// seeds, n - 1 degrees of freedom) of the metric's mean is within it (0.5 < c < 1).
    Confidence(f64),
}

impl Default for SizeSettings {
    fn default() -> Self {
        use super::defaults as d;
        SizeSettings {
            slo: Slo {
                max_throttle_rate: Some(d::SIZE_SLO_MAX_THROTTLE_RATE),
                max_dropped: Some(d::SIZE_SLO_MAX_DROPPED),
                max_p99_put_latency_ms: None,
                max_p99_iterator_age_ms: None,
            },
            shards: (d::SIZE_SHARDS_FROM..=d::SIZE_SHARDS_TO).collect(),
            modes: vec![CapacityMode::Provisioned],
            seeds: d::SIZE_SEEDS,
            search: SizeSearch::Grid,
            policies: vec![SizePolicy::AsWritten],
            rule: SloRule::EverySeed,
            bound: Bound::Strict,
        }
    }
}

/// A service-level objective; a point meets it when every bound set holds in every seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slo {
    /// Highest `throttled / (throttled + accepted)` (0..1).
    pub max_throttle_rate: Option<f64>,
    /// Most records dropped (attempts exhausted or buffer full) [records].
    pub max_dropped: Option<u64>,
    /// Highest p99 put latency [ms].
    pub max_p99_put_latency_ms: Option<f64>,
    /// Highest p99 iterator age of any consumer [ms] (`GetRecords.IteratorAgeMilliseconds`).
    pub max_p99_iterator_age_ms: Option<f64>,
}

/// How `kinesim size` walks the provisioned shard counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SizeSearch {
    /// Every shard count.
    Grid,
    /// Bisection on the SLO, assuming it holds from some shard count upwards (throttling falls
    /// as shards grow): O(log n) points.
    Bisect,
}

/// How the per-shard write limit is enforced (AWS does not document it: a model assumption).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WriteLimitModel {
    /// Counters reset at every whole simulated second (default).
    FixedWindow,
    /// A token bucket refilled continuously at the limit, holding at most `burst` [µs] of it
    /// (`stream.write_limit = "token-bucket"`: one second).
    TokenBucket { burst: SimTime },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stream {
    pub mode: CapacityMode,
    /// Open shards at the start.
    pub shards: u32,
    /// Retention period [µs] (24 h .. 8,760 h).
    pub retention: SimTime,
    /// Maximum record size: data blob + partition key [bytes] (1 MiB default, up to 10 MiB).
    pub max_record_size: u64,
    pub write_limit: WriteLimitModel,
    /// The large-record tank [bytes]: refilled at the per-shard 1 MiB/s, every record draws from
    /// it, records above 1 MiB burst from it (a model assumption: AWS does not publish its size).
    pub burst_bytes: u64,
    /// The lenient bound's bucket holds this much of the per-second limit [µs].
    pub lenient_burst: SimTime,
}

/// One consumer application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsumerSpec {
    pub name: String,
    pub kind: ConsumerKind,
    /// Polling: time between GetRecords calls on a shard [µs].
    pub poll_interval: SimTime,
    /// Polling: records per GetRecords call (at most 10,000).
    pub max_records: u32,
    /// Records per second per shard the application processes (0 = no limit).
    pub process_rate: f64,
    /// Polling: each interval varies uniformly by +- this fraction (processing time varies in
    /// real applications; without it, consumers polling in step meet the limits in a fixed
    /// order forever).
    pub poll_jitter: f64,
    /// A KCL-style application (workers, leases, checkpoints), if `workers` is set.
    pub kcl: Option<KclSpec>,
    /// A periodic job behind the consumer, guarded by a distributed lock.
    pub job: Option<JobSpec>,
}

/// A KCL-style consumer application: `workers` share the shards' leases (balanced); each worker
/// processes one batch at a time (model assumption); checkpoints after `checkpoint_every`
/// records or `checkpoint_interval`, whichever comes first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KclSpec {
    pub workers: u32,
    /// Processing time per record and per batch (`processRecords` call) [µs].
    pub record_cost: SimTime,
    pub batch_cost: SimTime,
    /// Records between checkpoints (0 = not by count).
    pub checkpoint_every: u64,
    /// Time between checkpoints [µs] (0 = not by time).
    pub checkpoint_interval: SimTime,
    /// A failed worker's leases are taken over after this long (KCL `failoverTimeMillis`) [µs].
    pub failover_time: SimTime,
    /// Workers that stop, by time (permanent for the rest of the run).
    pub failures: Vec<Failure>,
}

/// A periodic job (as with ShedLock): every `period`, each live instance tries to take the lock;
/// the one that gets it flushes what the consumer processed so far, for `duration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobSpec {
    pub period: SimTime,
    pub instances: u32,
    /// The lock expires this long after it was taken, even if its holder died [µs].
    pub lock_at_most_for: SimTime,
    /// The lock is held at least this long after it was taken, even if the job ends sooner [µs].
    pub lock_at_least_for: SimTime,
    /// How long one run (a flush) takes [µs].
    pub duration: SimTime,
    /// Instances that stop, by time (permanent for the rest of the run).
    pub failures: Vec<Failure>,
}

/// A worker or instance (`index`, from 0) that stops at `at` [µs].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub at: SimTime,
    /// Which one; [`Failure::HOLDER`] for a job instance means "whichever holds the lock".
    pub index: u32,
}

impl Failure {
    /// `instance = "holder"`: the instance running the job (or the last to take its lock).
    pub const HOLDER: u32 = u32::MAX;
}

/// Provisioned capacity changes over a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacitySettings {
    /// `UpdateShardCount` calls at fixed times: `(time [µs], target open shards)`, sorted.
    pub schedule: Vec<(SimTime, u32)>,
    pub autoscaling: Option<AutoscalingPolicy>,
    /// How long the stream stays `UPDATING` after an accepted call [µs] (model assumption).
    pub resharding_duration: SimTime,
    /// Period of the utilisation metric autoscaling reads [µs].
    pub evaluation_period: SimTime,
    /// Most shards one stream may have (AWS: 10,000).
    pub max_shards_per_stream: u32,
    /// The account's shard quota (AWS default: 20,000 in the largest regions).
    pub account_shard_quota: u32,
    /// How an on-demand stream's shards follow traffic (used in on-demand mode).
    pub on_demand: OnDemandSettings,
    /// Capacity-mode switches: `(time [µs], new mode)`, sorted, alternating.
    pub mode_switches: Vec<(SimTime, CapacityMode)>,
}

/// On-demand capacity, modelled as AWS describes it: a new stream starts with about 4 shards
/// (4 MiB/s, 4,000 records/s); "when the incoming traffic exceeds 500 KB/s per shard, it splits
/// the shard within 15 minutes", halving its hash range; scale-down is gradual.
/// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnDemandSettings {
    /// Open shards of a new on-demand stream.
    pub initial_shards: u32,
    /// A shard whose offered load over an evaluation period exceeds this fraction of its write
    /// limit is split (AWS: 500 KB/s, half of a shard's 1 MB/s).
    pub split_threshold: f64,
    /// Delay from the start of the evaluation period whose load crossed the threshold to the
    /// split [µs] (AWS: "within 15 minutes"; assumption: the whole 15 min).
    pub split_delay: SimTime,
    /// Two adjacent shards both below this fraction of their limit for `merge_after` merge.
    pub merge_threshold: f64,
    /// [µs] (assumption: 24 h, "gradual").
    pub merge_after: SimTime,
    /// Warm throughput [bytes/s] (On-demand Advantage): write capacity kept ready; the stream
    /// never has fewer than `ceil(warm / 1 MiB)` shards. 0 = none.
    pub warm_throughput: u64,
    /// Upper bound of open shards (AWS: 10 GB/s write per on-demand stream in the largest
    /// regions, about 10,000 shards).
    pub max_shards: u32,
}

/// Autoscaling policies users run today. Utilisation is the stream's write utilisation over one
/// evaluation period (1.0 = at the open shards' limits).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AutoscalingPolicy {
    /// Application Auto Scaling style: keep utilisation at `target`.
    TargetTracking {
        target: f64,
        min_shards: u32,
        max_shards: u32,
        /// From the completion of a scale-out (the stream `ACTIVE` again) to the next one [µs].
        scale_out_cooldown: SimTime,
        /// From the completion of a scale-in to the next one [µs].
        scale_in_cooldown: SimTime,
        /// Consecutive one-period datapoints above target before a scale-out (the alarm's
        /// "3 of 3").
        scale_out_datapoints: u32,
        /// Consecutive datapoints below target before a scale-in ("15 of 15").
        scale_in_datapoints: u32,
    },
    /// amazon-kinesis-scaling-utils style: scale by a percentage when utilisation stays above or
    /// below a threshold for a number of periods, then cool off.
    ThresholdStep {
        scale_up_threshold: f64,
        scale_down_threshold: f64,
        up_periods: u32,
        down_periods: u32,
        scale_up_pct: f64,
        scale_down_pct: f64,
        cooldown: SimTime,
        min_shards: u32,
        max_shards: u32,
    },
    /// The aws-samples Lambda autoscaler style: CloudWatch alarms double or halve the shards.
    DoubleHalve { high: f64, low: f64, up_periods: u32, down_periods: u32, min_shards: u32, max_shards: u32 },
}

impl AutoscalingPolicy {
    pub fn min_shards(&self) -> u32 {
        match self {
            AutoscalingPolicy::TargetTracking { min_shards, .. }
            | AutoscalingPolicy::ThresholdStep { min_shards, .. }
            | AutoscalingPolicy::DoubleHalve { min_shards, .. } => *min_shards,
        }
    }
    pub fn max_shards(&self) -> u32 {
        match self {
            AutoscalingPolicy::TargetTracking { max_shards, .. }
            | AutoscalingPolicy::ThresholdStep { max_shards, .. }
            | AutoscalingPolicy::DoubleHalve { max_shards, .. } => *max_shards,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineSettings {
    /// Resolved mode (`auto` in the file is resolved at validation).
    pub mode: EngineMode,
    /// Aggregated mode: length of one tick [µs].
    pub tick: SimTime,
    /// Per-record mode: how many records (the first created) the record trace follows.
    pub trace_records: u32,
    /// Which write-limit bounds to run and report (`engine.bounds`; `stream.write_limit` set
    /// explicitly runs that one model alone: `One(Strict)`).
    pub bounds: Bounds,
}

/// Arrival process of user records within the rate shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Arrivals {
    Poisson,
    /// Evenly spaced: the k-th record arrives when the integral of the rate reaches k.
    Uniform,
}

/// Producer rate over time [user records/s].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RateShape {
    Constant(f64),
    /// `(from time [µs], rate)`, sorted by time, first at 0; each rate holds until the next step.
    Steps(Vec<(SimTime, f64)>),
    /// `from` until `start`, linear to `to` at `end`, `to` afterwards.
    Ramp {
        from: f64,
        to: f64,
        start: SimTime,
        end: SimTime,
    },
    /// `mean + amplitude * cos(2π (hour - peak_hour) / 24)`, never below 0.
    Diurnal {
        mean: f64,
        amplitude: f64,
        peak_hour: f64,
    },
    /// `base`, then `peak` during `[start, start + length)`, then `base`.
    Spike {
        base: f64,
        peak: f64,
        start: SimTime,
        length: SimTime,
    },
    /// Read from a CSV file of `(time, records/s)`, or from a CloudWatch export of per-period
    /// sums (`export`): steps, as `Steps`.
    Trace {
        points: Vec<(SimTime, f64)>,
        /// Not serialised: the points are what the run uses; the path differs between machines.
        #[serde(skip)]
        path: PathBuf,
        export: Option<TraceExport>,
    },
}

/// What a CloudWatch export (`shape = "cloudwatch"`) said beyond the rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceExport {
    /// `get-metric-data JSON` or `CSV`.
    pub format: &'static str,
    /// Length of one datapoint [s] (60: one-minute sums).
    pub period_s: u64,
    /// `IncomingBytes / IncomingRecords` over the export, when it has bytes [bytes/record].
    pub mean_record_bytes: Option<f64>,
}

/// Size of a record's data blob [bytes] (the partition key is added on top).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SizeDist {
    Fixed(u64),
    /// Inclusive on both ends.
    Uniform {
        min: u64,
        max: u64,
    },
    /// Log-normal given by its median and 99th percentile; draws are truncated to
    /// `[1, max_record_size - key bytes]`.
    LogNormal {
        median: u64,
        p99: u64,
    },
    /// `(size, weight)`; weights are normalised.
    Empirical(Vec<(u64, f64)>),
}

/// How partition keys are chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum KeySpec {
    /// Uniform over `count` keys made from `template` (`{}` replaced by 0..count).
    Uniform { count: u64, template: String },
    /// Zipf over `count` keys: key k (1-based rank) has weight `k^-exponent`.
    Zipf { count: u64, exponent: f64, template: String },
    /// Named hot keys with their shares of traffic; the remainder is uniform over `count`
    /// template keys.
    Hot { hot: Vec<(String, f64)>, count: u64, template: String },
    /// A fresh random UUID-like key (36 characters) per record.
    Random,
}

/// PutRecords batching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batching {
    /// Records per PutRecords call (1..=500).
    pub max_records: u32,
    /// Bytes per call, data + keys (<= 5 MiB).
    pub max_bytes: u64,
    /// How long the first record of a batch waits for more [µs].
    pub linger: SimTime,
}

/// Retry of throttled records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retry {
    /// Attempts in all, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before retry n (1-based) is `min(cap, base * 2^(n-1))`, then jittered [µs].
    pub base: SimTime,
    /// [µs]
    pub cap: SimTime,
    pub jitter: Jitter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Jitter {
    /// Uniform in `[0, backoff]` (AWS "full jitter").
    Full,
    /// Exactly the backoff.
    None,
}

/// Round trip of a PutRecords call [µs].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RttModel {
    Fixed(SimTime),
    Uniform { min: SimTime, max: SimTime },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Producer {
    pub name: String,
    pub rate: RateShape,
    pub arrivals: Arrivals,
    pub record_size: SizeDist,
    pub keys: KeySpec,
    pub batch: Batching,
    pub retry: Retry,
    /// Records the producer may hold unresolved (batching or awaiting retry); arrivals beyond it
    /// are lost and counted.
    pub buffer_records: u64,
    pub put_rtt: RttModel,
    /// KPL-style aggregation: user records packed into Kinesis records of at most this many
    /// bytes, per shard (`None`: one Kinesis record per user record).
    pub aggregation: Option<u64>,
}
