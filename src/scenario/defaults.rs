//! Every default of the scenario format, in one place. Each says whether it is an AWS fact (its
//! value from [`crate::limits`], which gives the source) or a model assumption (with the reason
//! for its value). The README's scenario reference mirrors this file.
//!
//! May call: `crate::units`, `crate::limits`, and `crate::cost::prices` for the defaults of
//! `[cost]`, which the cost module owns.

use crate::limits::MAX_RECORD_SIZE;
use crate::units::{millis, secs, SimTime, MIB};

// ---- Model assumptions -----------------------------------------------------------------------

/// KCL 2.x/3.x polling interval between GetRecords calls (1,500 ms).
pub const POLL_INTERVAL: SimTime = millis(1500);
/// Polling intervals vary by +-10%, drawn uniformly (assumption: processing time between calls
/// varies). The mean interval is unchanged, and a consumer's processing budget is earned over
/// the real gaps, so its mean read rate is `process_rate` at any jitter.
pub const POLL_JITTER: f64 = 0.1;
/// Typical propagation delays (AWS: about 200 ms polling, 70 ms enhanced fan-out).
pub const POLLING_PROPAGATION: SimTime = millis(200);
pub const EFO_PROPAGATION: SimTime = millis(70);
/// Enhanced fan-out pushes continuously; the model delivers every 50 ms.
pub const EFO_PUSH_INTERVAL: SimTime = millis(50);

/// KPL aggregation: an aggregated record holds user records up to `AggregationMaxSize`,
/// 51,200 bytes by default (KPL `default_config.properties`).
/// Source: https://github.com/awslabs/amazon-kinesis-producer/blob/master/java/amazon-kinesis-producer-sample/default_config.properties
pub const AGGREGATION_MAX_SIZE: u64 = 51_200;
/// Bytes an aggregated record adds (model assumption after the KPL's format: a 4-byte magic
/// number and a 16-byte MD5 checksum around a protobuf message) ...
pub const AGGREGATION_RECORD_OVERHEAD: u64 = 20;
/// ... and per user record in it (protobuf tags and lengths; its partition key is counted in
/// full, as for a key used once).
pub const AGGREGATION_USER_RECORD_OVERHEAD: u64 = 6;

/// KCL failover: a lease not renewed for `failoverTimeMillis` (10 s) is taken by another worker.
/// Source: https://docs.aws.amazon.com/streams/latest/dev/kcl-configuration.html
pub const KCL_FAILOVER_TIME: SimTime = secs(10);
/// Model assumptions for a KCL application's processing, when not given: 0.1 ms per record,
/// 5 ms per batch, a checkpoint every 10,000 records or 60 s.
pub const KCL_RECORD_COST: SimTime = 100;
pub const KCL_BATCH_COST: SimTime = millis(5);
pub const KCL_CHECKPOINT_EVERY: u64 = 10_000;
pub const KCL_CHECKPOINT_INTERVAL: SimTime = secs(60);
/// Most workers one application may have in a scenario (a guard, not an AWS limit).
pub const KCL_MAX_WORKERS: u32 = 10_000;
/// Periodic job defaults (model assumptions): 2 instances, the lock held at most 10 minutes and
/// at least 0 s, a run lasting 5 s.
pub const JOB_INSTANCES: u32 = 2;
pub const JOB_LOCK_AT_MOST_FOR: SimTime = secs(600);
pub const JOB_LOCK_AT_LEAST_FOR: SimTime = 0;
pub const JOB_DURATION: SimTime = secs(5);

/// How long a stream stays `UPDATING` after `UpdateShardCount`: AWS says it "could take a few
/// minutes"; 3 minutes.
pub const RESHARDING_DURATION: SimTime = secs(180);
/// Autoscalers read one-minute CloudWatch datapoints.
pub const EVALUATION_PERIOD: SimTime = secs(60);
/// Target tracking: utilisation target and cooldowns (Application Auto Scaling's default
/// cooldown for custom resources is 300 s).
pub const TT_TARGET: f64 = 0.7;
pub const TT_SCALE_OUT_COOLDOWN: SimTime = secs(300);
pub const TT_SCALE_IN_COOLDOWN: SimTime = secs(300);
/// Target tracking: the CloudWatch alarms Application Auto Scaling creates for a policy evaluate
/// one-minute datapoints, 3 of 3 for scale out and 15 of 15 for scale in (per the Application
/// Auto Scaling user guide: the alarms evaluate the metric over 3 minutes for scale out and 15
/// minutes for scale in). An AWS-documented behaviour, kept as a setting so a scenario can
/// model other alarms.
/// Source: https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
pub const TT_SCALE_OUT_DATAPOINTS: u32 = 3;
pub const TT_SCALE_IN_DATAPOINTS: u32 = 15;
/// Threshold/step: typical settings of amazon-kinesis-scaling-utils deployments: up 100% after
/// 5 minutes above 75%, down 50% after 30 minutes below 25%, 10-minute cool-off.
pub const TS_UP_THRESHOLD: f64 = 0.75;
pub const TS_DOWN_THRESHOLD: f64 = 0.25;
pub const TS_UP_PERIODS: u32 = 5;
pub const TS_DOWN_PERIODS: u32 = 30;
pub const TS_UP_PCT: f64 = 100.0;
pub const TS_DOWN_PCT: f64 = 50.0;
pub const TS_COOLDOWN: SimTime = secs(600);
/// On-demand: a new stream starts at 4 MiB/s and 4,000 records/s (4 shards); shards split
/// above half their write limit (AWS's 500 KB/s), 15 minutes after the start of the evaluation
/// period whose load crossed it (AWS: "within 15 minutes"); adjacent shards below 10% for 24
/// hours merge (assumption: AWS says scale-down is gradual), never below double the trailing
/// 30-day peak ([`crate::limits::OD_PEAK_WINDOW`]).
pub const OD_INITIAL_SHARDS: u32 = 4;
pub const OD_SPLIT_THRESHOLD: f64 = 0.5;
pub const OD_SPLIT_DELAY: SimTime = secs(15 * 60);
pub const OD_MERGE_THRESHOLD: f64 = 0.1;
pub const OD_MERGE_AFTER: SimTime = secs(24 * 3600);
pub const OD_MAX_SHARDS: u32 = 10_000;

/// Double/halve alarms: double after 1 minute above 75%, halve after 15 minutes below 25%.
pub const DH_HIGH: f64 = 0.75;
pub const DH_LOW: f64 = 0.25;
pub const DH_UP_PERIODS: u32 = 1;
pub const DH_DOWN_PERIODS: u32 = 15;

/// Write limits are enforced in fixed windows aligned to whole seconds: AWS does not document
/// the enforcement, and per-second windows match how `WriteProvisionedThroughputExceeded` is
/// usually explained.
pub const WRITE_LIMIT: &str = "window";
/// Size of a shard's large-record tank [bytes] (`stream.burst_bytes`). AWS: "think of your
/// stream's write capacity as a tank that refills at a steady rate; when you send a large record
/// (for example a 10 MiB record), the tank temporarily depletes"
/// (https://docs.aws.amazon.com/streams/latest/dev/large-records.html). The size is not
/// published; 10 MiB is the smallest tank that admits the largest record AWS allows on an idle
/// shard, which the page implies it does. Refilled at the per-shard 1 MiB/s.
pub const BURST_BYTES: u64 = 10 * MIB;
/// The lenient bound of the write limit (`stream.lenient_burst`): a token bucket refilled at
/// the limit that holds 10 seconds of it (10,000 records and 10 MiB per shard). AWS documents
/// neither bound; 10 s is the burst the large-record page implies for bytes (a tank that takes a
/// 10 MiB record on a shard whose sustained rate is 1 MiB/s,
/// https://docs.aws.amazon.com/streams/latest/dev/large-records.html), applied to records too.
/// It is a plausible lenient reading, not an upper limit of what AWS might allow.
pub const LENIENT_BURST: SimTime = secs(10);
/// Range of `stream.lenient_burst`: 1 s (a bucket as strict as one window) to 300 s (the most
/// generous burst AWS documents for a sibling service: DynamoDB keeps 5 minutes of unused
/// capacity, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html).
pub const LENIENT_BURST_MIN: SimTime = secs(1);
pub const LENIENT_BURST_MAX: SimTime = secs(300);
/// `engine.bounds`: both bounds of the write limit, strict (fixed one-second windows) and
/// lenient (the bucket above), since AWS documents neither.
pub const BOUNDS: &str = "both";
/// `size.bound`: recommend under the strict bound (the lenient one is shown beside it).
pub const SIZE_BOUND: &str = "strict";
/// Largest `stream.burst_bytes` (a guard: a tank of 1 GiB is over 17 minutes of the limit).
pub const BURST_BYTES_MAX: u64 = 1024 * MIB;
/// PutRecords batch size: the KPL's `CollectionMaxCount` (500), also the API maximum.
pub const BATCH_MAX_RECORDS: u32 = 500;
/// PutRecords batch bytes: the API maximum.
pub const BATCH_MAX_BYTES: u64 = 5 * MIB;
/// How long a batch waits for more records: the KPL's `RecordMaxBufferedTime` (100 ms).
pub const BATCH_LINGER: SimTime = millis(100);
/// Attempts per record: the AWS SDKs' standard retry mode (3).
pub const RETRY_MAX_ATTEMPTS: u32 = 3;
/// Backoff base: the SDKs' throttling base delay (1 s in Java; the Rust SDK's initial backoff).
pub const RETRY_BASE: SimTime = secs(1);
/// Backoff cap: the SDKs' 20 s maximum backoff.
pub const RETRY_CAP: SimTime = secs(20);
/// Full jitter, as the SDKs' standard mode.
pub const RETRY_JITTER: &str = "full";
/// Producer buffer [records]: a generous bound (the KPL bounds by memory and `RecordTtl`); what
/// overflows is counted as lost.
pub const BUFFER_RECORDS: u64 = 1_000_000;
/// PutRecords round trip: a typical in-region call.
pub const PUT_RTT: SimTime = millis(20);
/// Partition-key template for generated keys.
pub const KEY_TEMPLATE: &str = "key-{}";
/// Arrival process.
pub const ARRIVALS: &str = "poisson";
/// Engine mode: `auto` runs per-record when the expected number of records is at most
/// [`AUTO_PER_RECORD_MAX_RECORDS`], aggregated otherwise.
pub const ENGINE_MODE: &str = "auto";
/// Threshold of `auto` [records over the run].
pub const AUTO_PER_RECORD_MAX_RECORDS: f64 = 20_000_000.0;
/// Aggregated mode tick [µs]: the per-second resolution of the write limit.
pub const TICK: SimTime = secs(1);

// ---- Defaults of the scenario format added with the loader ---------------------------------

/// Seed when the scenario names none.
pub const SEED: u64 = 1;
/// Stream capacity mode.
pub const STREAM_MODE: &str = "provisioned";
/// Maximum record size when `[stream]` names none [bytes]: the AWS default.
pub const STREAM_MAX_RECORD_SIZE: u64 = MAX_RECORD_SIZE;
/// Key distribution when `keys` is absent.
pub const KEY_DISTRIBUTION: &str = "uniform";
/// Number of template keys when `keys` (or its `count`) is absent: enough that uniform keys
/// spread evenly over any realistic shard count.
pub const KEY_COUNT: u64 = 1_000;

/// Price table region when `[cost]` names none (`prices/us-east-1.toml`). Owned and documented
/// by the cost module: [`crate::cost::prices::DEFAULT_REGION`].
pub const COST_REGION: &str = crate::cost::prices::DEFAULT_REGION;
/// Whether the partition key counts in the billed size of a record (`[cost]
/// payload_counts_key`); **assumption**: no, the data blob only. Owned and documented (with its
/// sources) by the cost module: [`crate::cost::prices::DEFAULT_PAYLOAD_COUNTS_KEY`].
pub const COST_PAYLOAD_COUNTS_KEY: bool = crate::cost::prices::DEFAULT_PAYLOAD_COUNTS_KEY;

// ---- Limits of the scenario format (guards, not AWS facts) -----------------------------------

/// Longest simulated run, and longest duration any field may hold [µs] (400 days): a year of
/// simulated traffic plus margin. Keeps every `time + duration` far from `u64` overflow.
pub const DURATION_MAX: SimTime = secs(400 * 86_400);
/// Scenario names become folder names: 1..=64 characters of `[A-Za-z0-9._-]`.
pub const NAME_MAX_CHARS: usize = 64;
/// Producer names appear in reports and CSV headers.
pub const PRODUCER_NAME_MAX_CHARS: usize = 64;
/// Highest rate any rate shape may reach [records/s]: 100 times what the largest stream (10,000
/// shards) accepts, so record counts stay far inside `u64`.
pub const RATE_MAX: f64 = 1e9;
/// Most template keys of one producer: each is generated and hashed up front.
pub const KEY_COUNT_MAX: u64 = 100_000_000;
/// Most attempts per record (including the first).
pub const RETRY_MAX_ATTEMPTS_LIMIT: u32 = 100;
/// Records the trace follows (per-record mode): the first 1,000 created, enough to follow
/// records through a classroom run, bounded so a large run's trace stays small.
pub const TRACE_RECORDS: u32 = 1_000;
/// Largest `engine.trace_records`.
pub const TRACE_RECORDS_MAX: u32 = 1_000_000;
/// Shortest aggregated-mode tick [µs]; a tick must also divide one second evenly.
pub const TICK_MIN: SimTime = millis(1);
/// Tolerance when hot-key shares are compared with 1 (`0.7 + 0.2 + 0.1` is not exactly 1.0).
pub const SHARE_SUM_TOLERANCE: f64 = 1e-9;
/// Largest scenario file read [bytes].
pub const SCENARIO_FILE_MAX_BYTES: u64 = 16 * MIB;
/// Largest trace CSV read [bytes] (some 20 million rows).
pub const TRACE_FILE_MAX_BYTES: u64 = 256 * MIB;

// ---- `[size]` (kinesim size) ---------------------------------------------------------------

/// Default SLO: at most 0.1% of attempts throttled (**assumption**: a common launch target; the
/// SDKs retry the rest).
pub const SIZE_SLO_MAX_THROTTLE_RATE: f64 = 0.001;
/// Default SLO: no record dropped.
pub const SIZE_SLO_MAX_DROPPED: u64 = 0;
/// Default shard counts searched: 1 to 32, every count.
pub const SIZE_SHARDS_FROM: u32 = 1;
pub const SIZE_SHARDS_TO: u32 = 32;
/// Default seeds per point (seed, seed + 1, seed + 2): enough to see run-to-run spread.
pub const SIZE_SEEDS: u32 = 3;
/// Most seeds per point.
pub const SIZE_SEEDS_MAX: u32 = 100;
/// Most shard counts in one sweep (each is `seeds` runs).
pub const SIZE_POINTS_MAX: usize = 1_000;
