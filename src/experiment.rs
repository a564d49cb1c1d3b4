//! Experiments: one run of a scenario (sweeps and comparisons build on this). Pure: a scenario
//! in, a [`RunResult`] out; no file system. Also the guard rails around a run: the estimate of
//! its work made before it starts ([`estimate`]), and the cap on its events while it runs
//! ([`Estimate::event_cap`]). It calls the model's `World`, `metrics` and `cost`; it, not the
//! model, asks rayon whether a run has a core to spare.

use crate::cost::CostReport;
use crate::engine::RunError;
use crate::kinds::RunBound;
use crate::limits;
use crate::limits::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::metrics::{BoundFigures, RunResult, Textbook};
use crate::model::keys::KeySpace;
use crate::model::sizes::SizeSampler;
use crate::model::world::{DrawAhead, World};
use crate::scenario::{Bound, Bounds, CapacityMode, EngineMode, Scenario, WriteLimitModel};
use crate::units::to_secs_f64;

/// Simulate `scenario` from start to end, and price the run: under the write-limit bounds
/// `engine.bounds` asks for. With both, the lenient run goes beside the strict one (rayon: in
/// parallel when a core is free); both use the same seed, so the same arrivals.
///
/// Panics with [`RunFailure`]'s message if the run reaches its event cap (its estimate was far
/// off) — never for a scenario whose estimate is right; [`try_run`] returns the error instead.
pub fn run(scenario: &Scenario) -> Outcome {
    try_run(scenario).unwrap_or_else(|e| panic!("{e}"))
}

/// [`run`], failing with [`RunFailure`] instead of panicking (the command line's way).
pub fn try_run(scenario: &Scenario) -> Result<Outcome, RunFailure> {
    run_capped(scenario, estimate(scenario).event_cap)
}

/// [`try_run`] with at most `cap` events in each run.
fn run_capped(scenario: &Scenario, cap: u64) -> Result<Outcome, RunFailure> {
    match scenario.engine.bounds {
        Bounds::One(Bound::Strict) => Ok(priced(scenario, simulate(scenario, cap)?)),
        Bounds::One(Bound::Lenient) => {
            let l = lenient(scenario);
            Ok(priced(&l, simulate(&l, cap)?))
        }
        Bounds::Both => {
            // Only the lenient run's write figures are kept: it reads nothing and traces
            // nothing (consumers never change what a shard admits).
            let mut l = lenient(scenario);
            l.consumers.clear();
            l.engine.trace_records = 0;
            let (strict, lenient) = rayon::join(|| simulate(scenario, cap), || simulate(&l, cap));
            let mut strict = strict?;
            strict.lenient = Some(BoundFigures::of(&lenient?));
            Ok(priced(scenario, strict))
        }
    }
}

/// A run that stopped before its end.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunFailure {
    /// The run reached its event cap ([`Estimate::event_cap`]): its estimate was far off.
    #[error(
        "{scenario}: the run was stopped after {} events, at {at_s:.1} s of simulated time: that is the cap \
         set for it ({EVENT_CAP_FACTOR:.0} times the most events its estimate allows, so the estimate was wrong; \
         please report it). To make the run smaller, {knob}",
        thousands(*cap as f64)
    )]
    EventCap {
        scenario: String,
        cap: u64,
        /// When it was stopped [s].
        at_s: f64,
        /// What to change in the scenario.
        knob: String,
    },
    /// The model asked for an event before the clock: a bug.
    #[error("{scenario}: internal error, please report it: {error}")]
    Past { scenario: String, error: crate::engine::PastError },
}

/// Run several independent scenarios in parallel (rayon), [`try_run`] each; results come back
/// in input order, so the output never depends on the thread count.
pub fn try_run_all(scenarios: &[Scenario]) -> Result<Vec<Outcome>, RunFailure> {
    use rayon::prelude::*;
    scenarios.par_iter().map(try_run).collect()
}

/// `scenario` under the lenient bound alone: the per-shard limit as a token bucket holding
/// `stream.lenient_burst` of it.
pub fn lenient(scenario: &Scenario) -> Scenario {
    let mut l = scenario.clone();
    l.stream.write_limit = WriteLimitModel::TokenBucket { burst: scenario.stream.lenient_burst };
    l.engine.bounds = Bounds::One(Bound::Lenient);
    l
}

/// `scenario` under the strict bound alone (or its explicit `stream.write_limit`).
pub fn strict(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.engine.bounds = Bounds::One(Bound::Strict);
    s
}

/// The enforcement model in words: `fixed 1 s windows`, `token bucket of 10 s`.
pub fn describe_write_limit(m: WriteLimitModel) -> String {
    match m {
        WriteLimitModel::FixedWindow => "fixed 1 s windows".to_string(),
        WriteLimitModel::TokenBucket { burst } => {
            format!("token bucket of {}", crate::units::format_duration(burst))
        }
    }
}

/// A finished run and its bill: what every report of a run shows.
///
/// The bill is computed from the run's measurements ([`crate::cost::compute`]) and kept beside
/// them, not inside: the measurements know nothing of prices. An `Outcome` reads as its
/// [`RunResult`] (`outcome.totals`, `&outcome` where a `&RunResult` is asked for).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub result: RunResult,
    pub cost: CostReport,
}

impl std::ops::Deref for Outcome {
    type Target = RunResult;
    fn deref(&self) -> &RunResult {
        &self.result
    }
}

impl std::ops::DerefMut for Outcome {
    fn deref_mut(&mut self) -> &mut RunResult {
        &mut self.result
    }
}

/// `result`, the run of `scenario`, with its bill.
pub fn priced(scenario: &Scenario, result: RunResult) -> Outcome {
    let cost = crate::cost::compute(&scenario.cost, scenario.stream.retention, &result);
    Outcome { result, cost }
}

impl Outcome {
    /// `result` priced as a scenario without a `[cost]` section or a `retention` would be
    /// (the default region's prices, 24 h retention): for runs built by hand, as tests do.
    pub fn at_default_prices(result: RunResult) -> Outcome {
        let cost = crate::cost::compute(&Default::default(), limits::RETENTION, &result);
        Outcome { result, cost }
    }
}

/// Whether aggregated mode may draw the ticks' records ahead on a thread of its own: when
/// there is a core to spare, i.e. the thread pool has more than one (RAYON_NUM_THREADS=1 says
/// no) and this is not a run of a sweep, whose runs already use every core.
fn draw_ahead() -> DrawAhead {
    if rayon::current_num_threads() > 1 && rayon::current_thread_index().is_none() {
        DrawAhead::IfWorthIt
    } else {
        DrawAhead::Never
    }
}

/// Simulate `scenario` from start to end, stopping after `cap` events.
fn simulate(scenario: &Scenario, cap: u64) -> Result<RunResult, RunFailure> {
    let r = World::new(scenario).run(cap, draw_ahead()).map_err(|e| match e {
        RunError::CapReached { cap, at } => RunFailure::EventCap {
            scenario: scenario.name.clone(),
            cap,
            at_s: to_secs_f64(at),
            knob: estimate(scenario).events_knob(scenario),
        },
        RunError::Past(error) => RunFailure::Past { scenario: scenario.name.clone(), error },
    })?;
    Ok(RunResult {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        seed: scenario.seed,
        duration_s: to_secs_f64(scenario.duration),
        engine_mode: scenario.engine.mode,
        textbook: textbook(scenario),
        shard_limit_records_per_s: SHARD_WRITE_RECORDS_PER_S,
        shard_limit_bytes_per_s: SHARD_WRITE_BYTES_PER_S,
        warnings: warnings(scenario),
        bound: match (scenario.engine.bounds, scenario.stream.write_limit) {
            (Bounds::One(Bound::Lenient), _) => RunBound::Lenient,
            (_, WriteLimitModel::FixedWindow) => RunBound::Strict,
            _ => RunBound::Explicit,
        },
        write_limit: describe_write_limit(scenario.stream.write_limit),
        ..r
    })
}

/// Warnings about how to read a run of `s`.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut w = Vec::new();
    // UpdateShardCount "is only supported for the data streams with the provisioned capacity
    // mode" (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
    for (i, (at, n)) in s.capacity.schedule.iter().enumerate() {
        if crate::scenario::mode_at(s.stream.mode, &s.capacity, *at)
            == crate::scenario::CapacityMode::OnDemand
        {
            w.push(format!(
                "capacity.schedule[{i}] ({n} shards at {}): the stream is on-demand then; AWS accepts \
                 UpdateShardCount only in provisioned mode, so the call is refused (calls in summary.json)",
                crate::units::format_duration(*at)
            ));
        }
    }
    for p in &s.producers {
        if let crate::scenario::RateShape::Trace { export: Some(e), .. } = &p.rate {
            let period =
                if e.period_s == 60 { "one-minute".to_string() } else { format!("{}-second", e.period_s) };
            w.push(format!(
                "producer {}: traffic from {period} CloudWatch sums ({}); each period is spread over its seconds \
                 ({}), so bursts shorter than a period in production are not in this run",
                p.name,
                e.format,
                match p.arrivals {
                    crate::scenario::Arrivals::Uniform => "evenly: spread = \"evenly\"",
                    crate::scenario::Arrivals::Poisson => "as Poisson arrivals: spread = \"poisson\"",
                }
            ));
            if let Some(b) = e.mean_record_bytes {
                let mine = SizeSampler::new(&p.record_size, s.stream.max_record_size).mean()
                    + KeySpace::mean_key_len(&p.keys);
                if (mine - b).abs() > 0.1 * b {
                    w.push(format!(
                        "producer {}: the export's records average {:.0} B (IncomingBytes / IncomingRecords, key included) but this producer's average {:.0} B; set record_size to match",
                        p.name, b, mine
                    ));
                }
            }
        }
    }
    w
}

/// The textbook formula for the scenario's offered traffic.
pub fn textbook(s: &Scenario) -> Textbook {
    let d = s.duration;
    let mut mean_rate = 0.0;
    let mut peak_rate = 0.0;
    let mut bytes_per_s = 0.0;
    for p in &s.producers {
        let keys = KeySpace::mean_key_len(&p.keys);
        let size = SizeSampler::new(&p.record_size, s.stream.max_record_size).mean() + keys;
        let mean = p.rate.mean_rate(0, d);
        mean_rate += mean;
        // Producers peak at different times; the sum of peaks is the conservative reading.
        peak_rate += p.rate.peak_rate(d);
        bytes_per_s += mean * size;
    }
    let avg_size = if mean_rate > 0.0 { bytes_per_s / mean_rate } else { 0.0 };
    let avg_kib = (avg_size / 1024.0).ceil().max(1.0);
    let mean_in = mean_rate * avg_kib;
    let peak_in = peak_rate * avg_kib;
    // Outgoing = incoming x number of consumers (how-do-i-size-a-stream); 2 MiB/s per shard.
    let consumers = s.consumers.len() as f64;
    let shards = |kib: f64| (kib / 1024.0).max(kib * consumers / 2048.0).ceil().max(1.0) as u64;
    Textbook {
        mean_records_per_s: mean_rate,
        peak_records_per_s: peak_rate,
        avg_record_kib: avg_kib,
        mean_ingress_kib_per_s: mean_in,
        peak_ingress_kib_per_s: peak_in,
        peak_egress_kib_per_s: peak_in * consumers,
        shards_at_mean: shards(mean_in),
        shards_at_peak: shards(peak_in),
        shards_at_peak_with_record_limit: shards(peak_in)
            .max((peak_rate / SHARD_WRITE_RECORDS_PER_S as f64).ceil() as u64),
    }
}

/// Run several independent scenarios in parallel (rayon); results come back in input order, so
/// the output never depends on the thread count. Panics as [`run`] does; [`try_run_all`]
/// returns the error instead.
pub fn run_all(scenarios: &[Scenario]) -> Vec<Outcome> {
    try_run_all(scenarios).unwrap_or_else(|e| panic!("{e}"))
}

/// A rough estimate of a run's work, made before running it, so that an enormous run is refused
/// with the knob to change rather than leaving the user waiting (or the machine swapping).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Events (per-record mode: records and their retries; aggregated: cohorts), consumer reads
    /// included.
    pub events: f64,
    /// Of `events`, consumer reads (GetRecords calls and enhanced fan-out pushes).
    pub read_events: f64,
    /// Peak memory [bytes] of a whole `kinesim run`, rendered report files included: the sum of
    /// `memory`'s terms.
    pub memory_bytes: f64,
    /// Peak memory term by term [bytes].
    pub memory: Memory,
    /// The run-time guard beside this estimate: each run of the scenario is stopped, with an
    /// error, once it has processed this many events. [`EVENT_CAP_FACTOR`] times the most
    /// events the estimated run can make (every record retried to its last attempt, each
    /// attempt opening a linger timer, every timer of capacity and consumers), and at least
    /// [`EVENT_CAP_FLOOR`]: a run whose estimate is right is never stopped, one whose estimate
    /// is wrong cannot run away. Independent of `--force`, which only passes the refusal.
    pub event_cap: u64,
}

/// How many times the most events an estimated run can make its cap allows.
pub const EVENT_CAP_FACTOR: f64 = 10.0;
/// The fewest events a cap allows (fixed timers of short runs; a fraction of a second's work).
pub const EVENT_CAP_FLOOR: f64 = 1e7;

/// The terms of a run's peak memory [bytes]. Coefficients are measured on this program (peak
/// resident set of `kinesim run`, release build; see `benches/memory.rs` and the table in
/// `tests/it/guard.rs`), not derived from type sizes alone: zeroed pages never written cost
/// nothing, and temporary copies while rendering reports do.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Memory {
    /// The program, its threads and fixed-size tables: a 10-second one-shard run.
    pub baseline: f64,
    /// Per simulated second: the collector's per-second series (eleven counters, only the
    /// open-shard count when nothing is produced), the `timeseries.csv` row, and the charts'
    /// per-second copies.
    pub seconds: f64,
    /// Latency histograms per interval (up to 300 of them) when records flow.
    pub latency_intervals: f64,
    /// Per shard and heatmap bucket (at most 600 buckets): counters while running, the
    /// heatmap and `shards.csv` rows after; plus per-shard totals.
    pub shards: f64,
    /// Partition key tables: hash, length, weight and sorted copies per distinct key.
    pub keys: f64,
    /// Per producer: traffic generators, samplers, per-shard splitting state.
    pub producers: f64,
    /// Per consumer: three (four with a job) latency histograms, per-shard positions and
    /// leases, its lines in the charts and report.html.
    pub consumers: f64,
    /// Per consumer and simulated second: iterator age and bytes read, and their chart copies.
    pub consumer_seconds: f64,
    /// Records held in the shard logs because a consumer falls behind (one segment per shard
    /// and second not yet read, up to the retention).
    pub backlog: f64,
    /// The record trace (per-record mode): rows while running and `trace.csv`.
    pub trace: f64,
}

impl Memory {
    pub fn total(&self) -> f64 {
        self.terms().iter().map(|t| t.1).sum()
    }

    fn terms(&self) -> [(Term, f64); 10] {
        [
            (Term::Baseline, self.baseline),
            (Term::Seconds, self.seconds),
            (Term::LatencyIntervals, self.latency_intervals),
            (Term::Shards, self.shards),
            (Term::Keys, self.keys),
            (Term::Producers, self.producers),
            (Term::Consumers, self.consumers),
            (Term::ConsumerSeconds, self.consumer_seconds),
            (Term::Backlog, self.backlog),
            (Term::Trace, self.trace),
        ]
    }

    /// The largest term and its bytes.
    pub fn dominant(&self) -> (Term, f64) {
        self.terms().into_iter().fold((Term::Baseline, f64::MIN), |a, t| if t.1 > a.1 { t } else { a })
    }
}

/// A term of [`Memory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Baseline,
    Seconds,
    LatencyIntervals,
    Shards,
    Keys,
    Producers,
    Consumers,
    ConsumerSeconds,
    Backlog,
    Trace,
}

/// Variants of one `kinesim compare` run side by side (rayon), so their peak memory adds up:
/// `Some(advice)` when together they are above the guard though each alone is not.
pub fn refuse_together(scenarios: &[Scenario]) -> Option<String> {
    let total: f64 = scenarios.iter().map(|s| estimate(s).memory_bytes).sum();
    (total > MAX_MEMORY_BYTES).then(|| {
        format!(
            "the {} variants run side by side and together would need about {:.1} GiB of memory (the guard is \
             {:.1} GiB): compare fewer variants at a time, or --force runs them anyway",
            scenarios.len(),
            total / GIB,
            MAX_MEMORY_BYTES / GIB
        )
    })
}

/// Runs estimated above this many events are refused without `--force` (about two minutes at
/// ten million events per second).
pub const MAX_EVENTS: f64 = 1e9;
/// Runs estimated above this peak memory are refused without `--force` [bytes]. 1.5 GiB: the
/// estimate is good to within a factor of two, so a refused run would likely need more than
/// 0.75 GiB and an accepted one less than 3 GiB; the longest bundled and benchmark runs (the
/// 100-shard month) need about 0.5 GiB.
pub const MAX_MEMORY_BYTES: f64 = 1.5 * GIB;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// Measured coefficients of [`Memory`] (see its notes) [bytes].
mod coef {
    /// A 10-second one-shard run peaks at 6.7 MiB.
    pub const BASELINE: f64 = 6.5 * super::MIB;
    /// Eleven u64 counters per second.
    pub const SERIES_PER_S: f64 = 88.0;
    /// The open-shard count alone (u32), when no record is ever produced (the other counters
    /// stay untouched zero pages).
    pub const SERIES_IDLE_PER_S: f64 = 4.0;
    /// Per-second copies made while drawing charts (capacity line, bucket means).
    pub const CHARTS_PER_S: f64 = 16.0;
    /// One `LatencyHistogram::new(2)` (400-day range, 2 significant digits): 4,992 u64.
    pub const INTERVAL_HISTOGRAM: f64 = 39_936.0;
    pub const MAX_LATENCY_INTERVALS: f64 = 300.0;
    /// Per shard and heatmap bucket: counters (32 B) and utilisation (4 B) while running, heat
    /// (4 B) and a row (48 B) after, and the `shards.csv` line (~70 B). Measured: 500 shards x
    /// 600 buckets peak 52 MiB above the baseline.
    pub const PER_SHARD_BUCKET: f64 = 160.0;
    pub const MAX_HEAT_BUCKETS: f64 = 600.0;
    /// Per shard: totals, ids, writer and read-side state.
    pub const PER_SHARD: f64 = 1024.0;
    /// Per distinct key: hash (16 B), length, weight, sorted hash and cumulative weights and
    /// lengths, and the temporary (hash, index) pairs of sorting. Measured: 2 million keys, 76 B.
    pub const PER_KEY: f64 = 80.0;
    /// Per producer. Measured: 100 producers add 8.5 MiB.
    pub const PER_PRODUCER: f64 = 90.0 * 1024.0;
    pub const PER_PRODUCER_SHARD: f64 = 64.0;
    /// One `LatencyHistogram::new(3)` (400-day range, 3 significant digits): 36,864 u64. A
    /// consumer has three (iterator age, delivered, processed), a job one more. Measured: 1,000
    /// polling consumers peak at 853 MiB.
    pub const CONSUMER_HISTOGRAM: f64 = 294_912.0;
    /// Per consumer: its tables in report.html and summary.json.
    pub const PER_CONSUMER: f64 = 4096.0;
    /// Per consumer and shard: position, budget, push counters (KCL: a lease).
    pub const PER_CONSUMER_SHARD: f64 = 64.0;
    pub const PER_KCL_LEASE: f64 = 160.0;
    /// Per consumer and chart point: two charts (lag and reads), each in its SVG and in
    /// report.html, ~12 B a point.
    pub const PER_CONSUMER_POINT: f64 = 4.0 * 12.0;
    /// Per consumer and second: iterator age and bytes read (f64 each), and the charts' Option
    /// copies. Measured: 4 consumers over 3 days, 28 B.
    pub const PER_CONSUMER_S: f64 = 28.0;
    /// Per shard and second of backlog: one log segment (48 B) and the deque's slack.
    pub const PER_BACKLOG_SEGMENT: f64 = 64.0;
    /// Per traced record (per-record mode): its rows while running and in `trace.csv`.
    /// Measured: 200,000 traced records take 0.8 KiB each, 1,000,000 take 1.6 KiB each.
    pub const PER_TRACED_RECORD: f64 = 1100.0;
}

/// Decimal digits of `x` (at least 1).
fn digits(x: f64) -> f64 {
    if x < 10.0 {
        1.0
    } else {
        x.log10().floor() + 1.0
    }
}

/// Estimate the work of `scenario`.
pub fn estimate(scenario: &Scenario) -> Estimate {
    use crate::scenario::ConsumerKind;
    let d = scenario.duration;
    let records: f64 = scenario.producers.iter().map(|p| p.rate.integral(0, d)).sum();
    let seconds = to_secs_f64(d).ceil().max(1.0);
    let shards = f64::from(scenario.stream.shards.max(scenario.capacity.on_demand.initial_shards));
    let events = match scenario.engine.mode {
        // One arrival event per record, and at most one more per retry allowed.
        EngineMode::PerRecord => {
            let attempts = scenario.producers.iter().map(|p| p.retry.max_attempts).max().unwrap_or(1);
            records * f64::from(attempts.min(2))
        }
        EngineMode::Aggregated => {
            let ticks = seconds / to_secs_f64(scenario.engine.tick);
            ticks * shards * scenario.producers.len() as f64
        }
    };
    // Consumers: one read of every shard per poll (enhanced fan-out: every push interval).
    let reads: f64 = scenario
        .consumers
        .iter()
        .map(|c| {
            let every = match c.kind {
                ConsumerKind::Polling => c.poll_interval,
                ConsumerKind::EnhancedFanOut => crate::scenario::defaults::EFO_PUSH_INTERVAL,
            };
            to_secs_f64(d) / to_secs_f64(every.max(1)) * shards
        })
        .sum();
    let tb = textbook(scenario);
    let shard_ids = shard_ids(scenario, &tb, shards);
    let event_cap = event_cap(scenario, records, events + reads, shard_ids);
    let mut memory = memory(scenario, &tb, records, seconds, shards, shard_ids);
    let mut events = events;
    if scenario.engine.bounds == Bounds::Both {
        // Two runs side by side (strict and lenient bounds); the lenient one has no consumers
        // and no trace: twice the write events, and twice the write side's memory.
        events *= 2.0;
        let m = &mut memory;
        for t in [&mut m.seconds, &mut m.latency_intervals, &mut m.shards, &mut m.keys, &mut m.producers] {
            *t *= 2.0;
        }
    }
    Estimate { events: events + reads, read_events: reads, memory_bytes: memory.total(), memory, event_cap }
}

/// The most events one run of `scenario` can make, times [`EVENT_CAP_FACTOR`], and at least
/// [`EVENT_CAP_FLOOR`] (see [`Estimate::event_cap`]). `events`: the estimate of one run's
/// events, reads included; `shard_ids`: every shard id it may open.
fn event_cap(scenario: &Scenario, records: f64, events: f64, shard_ids: f64) -> u64 {
    let d = to_secs_f64(scenario.duration);
    let cap = &scenario.capacity;
    let mut most = events;
    if scenario.engine.mode == EngineMode::PerRecord {
        // The estimate counts at most two attempts a record; each of up to `max_attempts`
        // attempts may also open a batch and its linger timer.
        let attempts = scenario.producers.iter().map(|p| p.retry.max_attempts).max().unwrap_or(1);
        most += 2.0 * records * f64::from(attempts);
    }
    // Capacity: each evaluation period, each scheduled call or mode switch and its completion,
    // and on-demand splits (at most one per shard id opened).
    let evaluating = cap.autoscaling.is_some()
        || scenario.stream.mode == CapacityMode::OnDemand
        || !cap.mode_switches.is_empty();
    if evaluating {
        most += d / to_secs_f64(cap.evaluation_period.max(1)) + 1.0;
    }
    most += 2.0 * (cap.schedule.len() + cap.mode_switches.len()) as f64 + shard_ids;
    // Consumers' timers beside their reads: a job's periods and runs, failures.
    for c in &scenario.consumers {
        if let Some(job) = &c.job {
            most += 2.0 * (d / to_secs_f64(job.period.max(1)) + 1.0) + job.failures.len() as f64;
        }
        if let Some(kcl) = &c.kcl {
            most += kcl.failures.len() as f64;
        }
    }
    (EVENT_CAP_FACTOR * most).max(EVENT_CAP_FLOOR).min(u64::MAX as f64) as u64
}

/// Every shard id a run of `scenario` may open (`shards` at the start): resharding closes
/// shards and opens new ones.
fn shard_ids(scenario: &Scenario, tb: &Textbook, shards: f64) -> f64 {
    let mut shard_ids = shards;
    for (_, target) in &scenario.capacity.schedule {
        shard_ids += f64::from(*target);
    }
    // Scaling on its own (autoscaling, on-demand) goes up to about twice what the peak traffic
    // needs, within its maximum, and may go up and down: twice that in new shard ids.
    let need = 2.0 * tb.shards_at_peak_with_record_limit as f64;
    if let Some(a) = &scenario.capacity.autoscaling {
        shard_ids += 2.0 * need.min(f64::from(a.max_shards())).max(shards);
    }
    if scenario.stream.mode == CapacityMode::OnDemand
        || scenario.capacity.mode_switches.iter().any(|(_, m)| *m == CapacityMode::OnDemand)
    {
        shard_ids += 2.0 * need.min(f64::from(scenario.capacity.on_demand.max_shards)).max(shards);
    }
    shard_ids
}

/// The terms of the peak memory of a run of `scenario` (see [`Memory`]).
fn memory(
    scenario: &Scenario,
    tb: &Textbook,
    records: f64,
    seconds: f64,
    shards: f64,
    shard_ids: f64,
) -> Memory {
    use crate::scenario::{ConsumerKind, KeySpec};
    use coef::*;
    let rate = tb.mean_records_per_s;
    let flowing = records >= 1.0;

    // timeseries.csv: one row of 14 numbers per second.
    let size = tb.avg_record_kib.max(0.0) * 1024.0;
    let bytes_per_s = if flowing { rate * size } else { 0.0 };
    let row = digits(seconds / 2.0)
        + 4.0 * digits(rate)
        + digits(rate * tb.avg_record_kib)
        + 2.0 * digits(bytes_per_s)
        + 3.0
        + digits(shards)
        + digits(shards * limits::SHARD_WRITE_RECORDS_PER_S as f64)
        + digits(shards * limits::SHARD_WRITE_BYTES_PER_S as f64)
        + 14.0;
    let series = if flowing { SERIES_PER_S } else { SERIES_IDLE_PER_S };
    let per_second = series + row + CHARTS_PER_S;

    let heat_bucket_s = (seconds / MAX_HEAT_BUCKETS).ceil().max(1.0);
    let heat_buckets = (seconds / heat_bucket_s).ceil();

    let keys: f64 = scenario
        .producers
        .iter()
        .map(|p| match &p.keys {
            KeySpec::Uniform { count, .. } | KeySpec::Zipf { count, .. } => *count as f64,
            KeySpec::Hot { hot, count, .. } => (*count as usize + hot.len()) as f64,
            KeySpec::Random => 0.0,
        })
        .sum();

    // Chart points of one consumer's line: one step (two points) per bucket, at most ~1,000
    // buckets past 2,000 seconds.
    let points = 2.0 * if seconds > 2000.0 { seconds / (seconds / 1000.0).ceil() } else { seconds };
    let n_polling =
        scenario.consumers.iter().filter(|c| c.kind == ConsumerKind::Polling).count().max(1) as f64;
    let retained_s = seconds.min(to_secs_f64(scenario.stream.retention).ceil());
    let per_shard_rate = rate / shards;
    let read_limit = limits::SHARD_READ_BYTES_PER_S as f64;
    let mut consumers = 0.0;
    // Share of the run's seconds whose records the slowest consumer still holds at the end.
    let mut behind: f64 = 0.0;
    for c in &scenario.consumers {
        let histograms = if c.job.is_some() { 4.0 } else { 3.0 };
        let lease = if c.kcl.is_some() { PER_KCL_LEASE } else { 0.0 };
        consumers += histograms * CONSUMER_HISTOGRAM
            + PER_CONSUMER
            + shard_ids * (PER_CONSUMER_SHARD + lease)
            + points * PER_CONSUMER_POINT;
        // Records per second per shard this consumer can take: it falls behind (and the shard
        // logs keep what it has not read, up to the retention) when the traffic is more.
        let read_bytes = match c.kind {
            ConsumerKind::Polling => read_limit / n_polling,
            ConsumerKind::EnhancedFanOut => read_limit,
        };
        let mut can = if size > 0.0 { read_bytes / size } else { f64::INFINITY };
        if c.kind == ConsumerKind::Polling {
            can = can.min(f64::from(c.max_records) / to_secs_f64(c.poll_interval.max(1)));
        }
        if c.process_rate > 0.0 {
            can = can.min(c.process_rate);
        }
        if let Some(k) = &c.kcl {
            if k.record_cost > 0 {
                can = can.min(f64::from(k.workers) / to_secs_f64(k.record_cost) / shards);
            }
        }
        if flowing && per_shard_rate > can {
            behind = behind.max(1.0 - can / per_shard_rate);
        }
    }
    let traced = match scenario.engine.mode {
        EngineMode::PerRecord => records.min(f64::from(scenario.engine.trace_records)),
        EngineMode::Aggregated => 0.0,
    };
    Memory {
        baseline: BASELINE,
        seconds: seconds * per_second,
        latency_intervals: if flowing {
            seconds.min(MAX_LATENCY_INTERVALS) * INTERVAL_HISTOGRAM
        } else {
            0.0
        },
        shards: shard_ids * (heat_buckets * PER_SHARD_BUCKET + PER_SHARD),
        keys: keys * PER_KEY,
        producers: scenario.producers.len() as f64 * (PER_PRODUCER + shard_ids * PER_PRODUCER_SHARD),
        consumers,
        consumer_seconds: scenario.consumers.len() as f64 * seconds * PER_CONSUMER_S,
        backlog: shard_ids * (seconds * behind).min(retained_s) * PER_BACKLOG_SEGMENT,
        trace: traced * PER_TRACED_RECORD,
    }
}

impl Estimate {
    /// What to change in `scenario` for a run of fewer events.
    pub fn events_knob(&self, scenario: &Scenario) -> String {
        if self.read_events > self.events / 2.0 {
            format!(
                "mostly reads of {} consumers: use fewer `[[consumers]]`, a longer `poll_interval`, fewer shards, \
                 or a shorter `duration`",
                thousands(scenario.consumers.len() as f64)
            )
        } else {
            match scenario.engine.mode {
                EngineMode::PerRecord => {
                    "set `[engine] mode = \"aggregated\"` (one cohort per shard per second), or shorten `duration`"
                        .to_string()
                }
                EngineMode::Aggregated => {
                    "use a longer `engine.tick`, fewer shards, or a shorter `duration`".to_string()
                }
            }
        }
    }
}

/// `1,234,567`.
fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Estimate {
    /// `Some(advice)` when the run is too big to start without `--force`.
    pub fn refusal(&self, scenario: &Scenario) -> Option<String> {
        if self.events > MAX_EVENTS {
            return Some(format!(
                "this run would process about {:.1e} events (the guard is {:.0e}); {}; --force runs it anyway",
                self.events,
                MAX_EVENTS,
                self.events_knob(scenario)
            ));
        }
        if self.memory_bytes > MAX_MEMORY_BYTES {
            let (term, bytes) = self.memory.dominant();
            let n = |x: usize| thousands(x as f64);
            let dur = crate::units::format_duration(scenario.duration);
            let what = match term {
                Term::Seconds | Term::Baseline | Term::LatencyIntervals => format!(
                    "per-second series and timeseries.csv rows of {dur} ({} simulated seconds): shorten `duration`",
                    thousands(to_secs_f64(scenario.duration).ceil())
                ),
                Term::ConsumerSeconds => format!(
                    "per-second series of {} consumers over {dur}: shorten `duration` or use fewer `[[consumers]]`",
                    n(scenario.consumers.len())
                ),
                Term::Consumers => format!(
                    "latency histograms and per-shard state of {} consumers (about 0.9 MiB each): use fewer \
                     `[[consumers]]`",
                    n(scenario.consumers.len())
                ),
                Term::Shards => format!(
                    "per-shard counters and shards.csv rows of {} shards (600 time buckets each): use fewer shards \
                     or fewer reshards",
                    thousands(self.memory.shards / (coef::PER_SHARD + 600.0 * coef::PER_SHARD_BUCKET))
                ),
                Term::Keys => "distinct partition keys: lower `keys.count`".to_string(),
                Term::Producers => {
                    format!("state of {} producers: use fewer `[[producers]]`", n(scenario.producers.len()))
                }
                Term::Backlog => format!(
                    "records consumers fall behind on, kept up to the retention ({}): let consumers keep up \
                     (`process_rate`, `max_records`, `poll_interval`, KCL `workers`), or shorten `duration` or \
                     `stream.retention`",
                    crate::units::format_duration(scenario.stream.retention)
                ),
                Term::Trace => format!(
                    "the trace of {} records: lower `engine.trace_records`",
                    n(scenario.engine.trace_records as usize)
                ),
            };
            return Some(format!(
                "this run would need about {:.1} GiB of memory (the guard is {:.1} GiB), mostly {what} \
                 (about {:.1} GiB); --force runs it anyway",
                self.memory_bytes / GIB,
                MAX_MEMORY_BYTES / GIB,
                bytes / GIB
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quickstart() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
        crate::scenario::load(&path).unwrap()
    }

    /// The cap is far above what a run makes: a run of the estimate is never stopped.
    #[test]
    fn the_event_cap_is_a_generous_multiple_of_the_estimate() {
        let sc = strict(&quickstart());
        let est = estimate(&sc);
        assert!(est.event_cap as f64 >= EVENT_CAP_FACTOR * est.events, "{est:?}");
        assert!(est.event_cap as f64 >= EVENT_CAP_FLOOR);
        assert!(try_run(&sc).is_ok());
    }

    /// A run that reaches its cap stops with an error naming the cap and what to change.
    #[test]
    fn a_run_over_its_cap_fails_loudly_naming_the_cap_and_the_knob() {
        let mut sc = strict(&quickstart());
        sc.duration = crate::units::secs(20);
        let err = run_capped(&sc, 1_000).unwrap_err();
        assert!(matches!(err, RunFailure::EventCap { cap: 1_000, .. }), "{err:?}");
        let msg = err.to_string();
        for part in ["quickstart", "1,000 events", "the cap", "aggregated", "`duration`"] {
            assert!(msg.contains(part), "{part:?} in: {msg}");
        }
        // Both bounds: either run stopping stops the whole.
        let mut both = sc.clone();
        both.engine.bounds = Bounds::Both;
        assert!(matches!(run_capped(&both, 1_000), Err(RunFailure::EventCap { .. })));
    }
}
