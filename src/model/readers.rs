//! The read side of the stream: every consumer application, the shards' logs and their shared
//! polling limits, KCL-style workers holding leases, and periodic jobs behind consumers.
//!
//! Rules reproduced (sources cited in `scenario::defaults` and `model::consumer`):
//! - polling: per shard 5 GetRecords calls/s and 2 MiB/s shared by all polling consumers; one
//!   call returns at most 10,000 records or 10 MiB, and a 10 MiB call blocks the next 5 seconds;
//! - enhanced fan-out: each consumer its own 2 MiB/s per shard, pushed;
//! - a child shard is read only after its parents are drained (the KCL's rule);
//! - KCL leases: one lease per shard, held by one worker, balanced over the live workers; a
//!   failed worker's leases are taken over once `failover_time` has passed (at the consumer's
//!   next poll), from the last checkpoint: records processed after it are processed again;
//! - a periodic job (ShedLock-style lock): each period, each live instance tries the lock; it is
//!   free once `lock_until` has passed; the winner holds it until the run ends but at least
//!   `lock_at_least_for`; a holder that dies leaves it held until `lock_at_most_for` expires.
//!
//! Model assumptions: a KCL worker processes one batch at a time (its shards queue for it);
//! records a job did not flush because its instance failed wait for the next run (the buffer is
//! durable); a lease freed by a failure is taken at the consumer's first poll after the failover
//! time.

use crate::engine::rng_stream;
use crate::metrics::histogram::LatencyHistogram;
use crate::metrics::{ConsumerResult, JobResult, JobRun, JobSkip, TraceRow, WorkerResult};
use crate::model::consumer::{self, Position, ReadLimiter, ShardLog};
use crate::model::event::{Effects, Event};
use crate::model::hashing::shard_id_string;
use crate::scenario::{defaults, ConsumerKind, ConsumerSpec, Failure, Scenario};
use crate::units::{to_secs_f64, SimTime, MICROS_PER_SEC};
use rand_pcg::Pcg64Mcg;
use std::collections::VecDeque;

/// Data older than this is in long-term retention; reading it is billed per GB [µs].
/// Source: https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html
const LONG_TERM_AGE: SimTime = 7 * 86_400 * MICROS_PER_SEC;

/// What the read side needs to know of a shard: closed for writes, and its parents.
#[derive(Debug, Clone, Default)]
struct ShardInfo {
    closed: bool,
    parents: Vec<u32>,
}

/// A batch a KCL worker is processing.
#[derive(Debug, Clone)]
struct Batch {
    done: SimTime,
    worker: u32,
    records: u64,
    created_sum: f64,
    /// Positions before and after the batch (the end is the checkpoint it allows).
    start: Position,
    end: Position,
    /// Traced records in it.
    traced: Vec<u32>,
}

/// One shard's lease of a KCL application.
#[derive(Debug, Clone, Default)]
struct Lease {
    holder: Option<u32>,
    /// A free lease may be taken from this time on.
    free_at: SimTime,
    held_before: bool,
    /// The shard is closed and fully processed: nobody needs the lease any more.
    finished: bool,
    ckpt: Position,
    ckpt_at: SimTime,
    since_ckpt: u64,
    /// End of the furthest batch ever processed: records before it processed again after a
    /// failover are duplicates.
    done_to: Position,
    /// Batches read and not processed yet, oldest first (the worker fetches ahead).
    pending: VecDeque<Batch>,
}

#[derive(Debug, Clone, Default)]
struct Worker {
    alive: bool,
    busy_until: SimTime,
    leases: u32,
    processed: u64,
    failed_at: Option<SimTime>,
}

struct Kcl {
    workers: Vec<Worker>,
    leases: Vec<Lease>,
    /// Per worker, in the current read round: processing time per lease [µs].
    shares: Vec<u64>,
}

/// Processed records waiting for the job: (processed at, records, sum of creation times).
type Buffered = (SimTime, u64, f64);

struct Job {
    alive: Vec<bool>,
    lock_until: SimTime,
    /// The run in progress: its index in `runs`, when it started, and the records it flushes.
    running: Option<(usize, SimTime, Vec<Buffered>)>,
    buffer: VecDeque<Buffered>,
    /// Traced records processed and not flushed yet: (processed at, id).
    traced: Vec<(SimTime, u32)>,
    rng: Pcg64Mcg,
    result: JobResult,
    flushed: LatencyHistogram,
}

/// A consumer application while the run goes on.
struct App {
    spec: ConsumerSpec,
    /// By shard id: where it reads next, and its processing budget [records].
    pos: Vec<Position>,
    /// By shard id: bytes of the segment at `pos` already read (see [`consumer::read`]).
    seg_bytes: Vec<u64>,
    tokens: Vec<f64>,
    /// Enhanced fan-out, by shard id: (second, bytes pushed in it) for its own 2 MiB/s.
    efo: Vec<(u64, u64)>,
    last_poll: SimTime,
    rng: Pcg64Mcg,
    result: ConsumerResult,
    age: LatencyHistogram,
    /// Iterator ages not yet in `age`: a run of equal values and its count (in aggregated mode
    /// the caught-up shards of one read share their age).
    age_run: (SimTime, u64),
    delivered: LatencyHistogram,
    processed: LatencyHistogram,
    kcl: Option<Kcl>,
    job: Option<Job>,
}

impl App {
    /// Where the application must be able to read again from on shard `id`: its position, or
    /// for a KCL application the last checkpoint (a failover resumes there).
    fn keep_from(&self, id: usize) -> Position {
        match &self.kcl {
            Some(k) => k.leases[id].ckpt.min(self.pos[id]),
            None => self.pos[id],
        }
    }

    /// No batch of shard `id` is still being processed at `now`.
    fn idle(&self, id: usize, now: SimTime) -> bool {
        self.kcl.as_ref().is_none_or(|k| k.leases[id].pending.back().is_none_or(|b| b.done <= now))
    }
}

/// The read side.
pub struct Readers {
    /// By shard id: closed or not, and its parents (changed only by reshards).
    shards: Vec<ShardInfo>,
    logs: Vec<ShardLog>,
    limiters: Vec<ReadLimiter>,
    apps: Vec<App>,
    retention: SimTime,
    end: SimTime,
    /// Traced records in the shard logs: (shard id, position, trace id).
    traced: Vec<(usize, Position, u32)>,
    /// Trace rows of reads, processing and flushes (record, event, time, shard, detail).
    rows: Vec<TraceRow>,
}

impl Readers {
    pub fn new(scenario: &Scenario, shards: usize) -> Self {
        let seconds = scenario.duration.div_ceil(MICROS_PER_SEC) as usize;
        let apps = scenario
            .consumers
            .iter()
            .map(|spec| App {
                spec: spec.clone(),
                pos: vec![Position::default(); shards],
                seg_bytes: vec![0; shards],
                tokens: vec![0.0; shards],
                efo: vec![(0, 0); shards],
                last_poll: 0,
                rng: rng_stream(scenario.seed, &format!("consumer/{}/poll", spec.name)),
                result: ConsumerResult {
                    name: spec.name.clone(),
                    kind: match spec.kind {
                        ConsumerKind::Polling => "polling",
                        ConsumerKind::EnhancedFanOut => "efo",
                    }
                    .into(),
                    // NaN: no read in that second (filled from the previous second at the end).
                    iterator_age_s: vec![f64::NAN; seconds],
                    read_bytes_s: vec![0.0; seconds],
                    ..ConsumerResult::default()
                },
                age: LatencyHistogram::new(3),
                age_run: (0, 0),
                delivered: LatencyHistogram::new(3),
                processed: LatencyHistogram::new(3),
                kcl: spec.kcl.as_ref().map(|k| Kcl {
                    workers: vec![Worker { alive: true, ..Worker::default() }; k.workers as usize],
                    leases: vec![Lease::default(); shards],
                    shares: Vec::new(),
                }),
                job: spec.job.as_ref().map(|j| Job {
                    alive: vec![true; j.instances as usize],
                    lock_until: 0,
                    running: None,
                    buffer: VecDeque::new(),
                    traced: Vec::new(),
                    rng: rng_stream(scenario.seed, &format!("consumer/{}/job", spec.name)),
                    result: JobResult::default(),
                    flushed: LatencyHistogram::new(3),
                }),
            })
            .collect();
        Readers {
            shards: vec![ShardInfo::default(); shards],
            logs: (0..shards).map(|_| ShardLog::default()).collect(),
            limiters: vec![ReadLimiter::default(); shards],
            apps,
            retention: scenario.stream.retention,
            end: scenario.duration,
            traced: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Whether anything reads the stream (if not, accepted records need not be kept).
    pub fn active(&self) -> bool {
        !self.apps.is_empty()
    }

    /// Schedule every consumer's first read, its failures and its job's periods.
    pub fn start(&mut self, fx: &mut Effects) {
        // Consumers are not synchronised: polling consumers start spread evenly over one poll
        // interval (an assumption; in step they would always meet the shard's limits in the
        // same order).
        let pollers = self.apps.iter().filter(|a| a.spec.kind == ConsumerKind::Polling).count() as u64;
        let mut k = 0;
        for (c, app) in self.apps.iter_mut().enumerate() {
            let start = match app.spec.kind {
                ConsumerKind::Polling => {
                    k += 1;
                    app.spec.poll_interval * (k - 1) / pollers.max(1)
                }
                ConsumerKind::EnhancedFanOut => 0,
            };
            app.last_poll = start;
            let c16 = c as u16;
            fx.at(start, Event::Poll { c: c16 });
            if let Some(kcl) = &app.spec.kcl {
                for f in &kcl.failures {
                    fx.at(f.at, Event::WorkerFail { c: c16, w: f.index });
                }
            }
            if let Some(job) = &app.spec.job {
                fx.at(job.period, Event::JobTick { c: c16 });
                for f in &job.failures {
                    fx.at(f.at, Event::InstanceFail { c: c16, i: f.index });
                }
            }
        }
    }

    /// The shard map changed: `closed` shards closed for writes, `opened` ones (with their
    /// parents) were added after the existing ids.
    pub fn reshard<'p>(&mut self, closed: &[u32], opened: impl Iterator<Item = &'p [u32]>) {
        for &id in closed {
            self.shards[id as usize].closed = true;
        }
        self.shards.extend(opened.map(|p| ShardInfo { closed: false, parents: p.to_vec() }));
        let total = self.shards.len();
        self.logs.resize_with(total, ShardLog::default);
        self.limiters.resize(total, ReadLimiter::default());
        for a in &mut self.apps {
            a.pos.resize(total, Position::default());
            a.seg_bytes.resize(total, 0);
            a.tokens.resize(total, 0.0);
            a.efo.resize(total, (0, 0));
            if let Some(k) = &mut a.kcl {
                k.leases.resize(total, Lease::default());
            }
        }
    }

    /// `records` accepted by shard `id` at `now`, created at `created`; `trace` is the trace id of
    /// a traced single record (0 otherwise).
    pub fn append(
        &mut self,
        id: usize,
        now: SimTime,
        records: u64,
        bytes: u64,
        created: SimTime,
        trace: u32,
    ) {
        let log = &mut self.logs[id];
        if trace != 0 {
            // Its place: the offset it gets in the segment of this second.
            let second = now / MICROS_PER_SEC;
            let at = match log.segs.back() {
                Some(last) if last.first_accept / MICROS_PER_SEC == second => {
                    Position { seg: log.end() - 1, offset: last.records }
                }
                _ => Position { seg: log.end(), offset: 0 },
            };
            self.traced.push((id, at, trace));
        }
        log.append(now, records, bytes, created);
    }

    /// Records older than the retention period expire: whoever had not read them loses them.
    /// Segments every consumer is done with are dropped too (memory follows the backlog).
    fn expire(&mut self, now: SimTime) {
        for (id, log) in self.logs.iter_mut().enumerate() {
            while let Some(front) = log.segs.front().copied() {
                let expired = front.first_accept.saturating_add(self.retention) <= now;
                let all_done = self.apps.iter().all(|a| a.keep_from(id).seg > log.base);
                if !expired && !all_done {
                    break;
                }
                let next = Position { seg: log.base + 1, offset: 0 };
                for a in &mut self.apps {
                    let p = &mut a.pos[id];
                    if p.seg <= log.base {
                        // Records a KCL application processed before a failover sent it back are
                        // not lost: only those it never processed.
                        let processed = match &a.kcl {
                            Some(k) => p.records_to(k.leases[id].done_to.min(next), log),
                            None => 0,
                        };
                        a.result.records_lost_to_retention += front.records - p.offset - processed;
                        *p = next;
                        a.seg_bytes[id] = 0;
                    }
                    if let Some(k) = &mut a.kcl {
                        let l = &mut k.leases[id];
                        l.ckpt = l.ckpt.max(next);
                    }
                }
                log.segs.pop_front();
                log.base += 1;
            }
        }
        if !self.traced.is_empty() {
            let logs = &self.logs;
            self.traced.retain(|(id, p, _)| p.seg >= logs[*id].base);
        }
    }

    /// Consumer `k` reads every shard it may: polling makes one GetRecords call per shard
    /// (counted against the shard's shared limits), enhanced fan-out pushes up to its own
    /// 2 MiB/s per shard. A child shard is read only once its parents are drained; a closed
    /// shard read to its end is not read again. A KCL application reads a shard only through
    /// the live worker holding its lease, and only what that worker can process before its next
    /// read (back-pressure).
    pub fn poll(&mut self, k: usize, now: SimTime, fx: &mut Effects) {
        self.expire(now);
        let (interval, propagation) = match self.apps[k].spec.kind {
            ConsumerKind::Polling => (self.apps[k].spec.poll_interval, defaults::POLLING_PROPAGATION),
            ConsumerKind::EnhancedFanOut => (defaults::EFO_PUSH_INTERVAL, defaults::EFO_PROPAGATION),
        };
        // The processing budget is earned over the real time since the last read, whatever its
        // length: a jittered gap longer than the interval earns more, a shorter one less, so the
        // mean rate is `process_rate` (cutting long gaps to the interval made it
        // `process_rate x (1 - jitter / 4)`).
        let since = now.saturating_sub(self.apps[k].last_poll);
        self.apps[k].last_poll = now;
        // Longest gap between two reads: the interval stretched by the largest jitter draw.
        let longest = match self.apps[k].spec.kind {
            ConsumerKind::Polling => to_secs_f64(interval) * (1.0 + self.apps[k].spec.poll_jitter),
            ConsumerKind::EnhancedFanOut => to_secs_f64(interval),
        };
        let second = (now / MICROS_PER_SEC) as usize;
        if let Some(kcl) = &mut self.apps[k].kcl {
            // Each worker's time until the next delivery, shared evenly over its leases.
            let (from, to) = (now + propagation, now + propagation + interval);
            kcl.shares.clear();
            kcl.shares.extend(
                kcl.workers
                    .iter()
                    .map(|w| to.saturating_sub(w.busy_until.max(from)) / u64::from(w.leases.max(1))),
            );
        }
        // An enhanced fan-out consumer without workers or a processing rate finds nothing to
        // push on a shard it has caught up with (most pushes, 20 a second): for an open shard
        // without parents the push only samples the iterator age, exactly as the full path.
        let plain_push = {
            let a = &self.apps[k];
            a.spec.kind == ConsumerKind::EnhancedFanOut && a.kcl.is_none() && a.spec.process_rate <= 0.0
        };
        for id in 0..self.logs.len() {
            let info = &self.shards[id];
            if plain_push
                && !info.closed
                && info.parents.is_empty()
                && self.apps[k].pos[id].at_end(&self.logs[id])
            {
                self.note_age(k, id, now, second);
                continue;
            }
            self.finish_batch(k, id, now);
            let a = &self.apps[k];
            let log = &self.logs[id];
            let shards = &self.shards;
            if shards[id].closed && a.pos[id].at_end(log) && a.idle(id, now) {
                self.release_lease(k, id);
                continue;
            }
            let parents_drained = shards[id].parents.iter().all(|&p| {
                let p = p as usize;
                shards[p].closed && a.pos[p].at_end(&self.logs[p]) && a.idle(p, now)
            });
            if !parents_drained {
                self.note_age(k, id, now, second);
                continue;
            }
            let Some(worker) = self.lease_holder(k, id, now) else {
                self.note_age(k, id, now, second);
                continue;
            };
            let a = &mut self.apps[k];
            let mut max_records = u64::MAX;
            if let (Some(kcl), Some(spec)) = (&a.kcl, &a.spec.kcl) {
                // Back-pressure: a worker fetches what it can process before the consumer's next
                // read, shared evenly over its leases.
                let share = kcl.shares[worker as usize];
                max_records = match spec.record_cost {
                    0 => u64::MAX,
                    c => (share.saturating_sub(spec.batch_cost) / c).max(u64::from(share > 0)),
                };
                if max_records == 0 {
                    self.note_age(k, id, now, second);
                    continue;
                }
            }
            if a.spec.process_rate > 0.0 {
                // The budget holds at most one second's worth or one longest gap's, whichever is
                // more (what a consumer with nothing to read cannot bank for later): a consumer
                // with a backlog never loses budget to the cap.
                a.tokens[id] = (a.tokens[id] + a.spec.process_rate * to_secs_f64(since))
                    .min(a.spec.process_rate * longest.max(1.0) + 1.0);
                max_records = a.tokens[id].floor() as u64;
            }
            let max_bytes = match a.spec.kind {
                ConsumerKind::Polling => {
                    max_records = max_records.min(u64::from(a.spec.max_records));
                    match self.limiters[id].call(now) {
                        Some(b) => b,
                        None => {
                            a.result.read_throttled_calls += 1;
                            self.note_age(k, id, now, second);
                            continue;
                        }
                    }
                }
                ConsumerKind::EnhancedFanOut => {
                    let w = &mut a.efo[id];
                    if w.0 != now / MICROS_PER_SEC {
                        *w = (now / MICROS_PER_SEC, 0);
                    }
                    defaults::SHARD_READ_BYTES_PER_S.saturating_sub(w.1)
                }
            };
            let log = &self.logs[id];
            // Is the oldest record this read starts from older than the long-term retrieval
            // age? (Its segment's first acceptance bounds it: most reads skip the exact age.)
            let long_term = log.get(a.pos[id].seg).is_some_and(|s| {
                now.saturating_sub(s.first_accept) > LONG_TERM_AGE
                    && now.saturating_sub(s.accept_at(a.pos[id].offset)) > LONG_TERM_AGE
            });
            let from = a.pos[id];
            let got = consumer::read(log, &mut a.pos[id], &mut a.seg_bytes[id], max_records, max_bytes);
            if long_term {
                a.result.bytes_read_long_term += got.bytes;
            }
            if got.records == 0 && max_records > 0 && !a.pos[id].at_end(log) {
                // Data is waiting but the second's read budget cannot hold a record: the call is
                // refused (`ReadProvisionedThroughputExceeded`).
                a.result.read_throttled_calls += 1;
            }
            match a.spec.kind {
                ConsumerKind::Polling => self.limiters[id].used(got.bytes),
                ConsumerKind::EnhancedFanOut => a.efo[id].1 += got.bytes,
            }
            if a.spec.process_rate > 0.0 {
                a.tokens[id] -= got.records as f64;
            }
            a.result.records_read += got.records;
            a.result.bytes_read += got.bytes;
            if let Some(slot) = a.result.read_bytes_s.get_mut(second) {
                *slot += got.bytes as f64;
            }
            if got.records > 0 {
                let delivered = now + propagation;
                let mean_created = got.created_sum / got.records as f64;
                a.delivered.record((delivered as f64 - mean_created).max(0.0) as SimTime, got.records);
                let to = a.pos[id];
                let traced: Vec<u32> = self
                    .traced
                    .iter()
                    .filter(|(s, p, _)| *s == id && from <= *p && *p < to)
                    .map(|t| t.2)
                    .collect();
                let name = &self.apps[k].spec.name;
                for &t in &traced {
                    self.rows.push(row(t, "read", delivered, id, format!("by consumer {name}")));
                }
                self.process(k, id, worker, delivered, got.records, got.created_sum, (from, to), traced);
            }
            self.note_age(k, id, now, second);
        }
        let a = &mut self.apps[k];
        let next = if a.spec.kind == ConsumerKind::Polling && a.spec.poll_jitter > 0.0 {
            let j = a.spec.poll_jitter;
            let f: f64 = rand::Rng::random_range(&mut a.rng, (1.0 - j)..(1.0 + j));
            ((interval as f64 * f) as SimTime).max(1)
        } else {
            interval
        };
        fx.at(now.saturating_add(next), Event::Poll { c: k as u16 });
    }

    /// Iterator age of consumer `k` on shard `id` (how far behind the newest record it is, after
    /// its read): into the lag distribution and the second's maximum. Sampled at every read and
    /// every read the consumer could not make (throttled, lease not held, worker busy, parents
    /// not drained), so a consumer that stops reading shows its growing age.
    fn note_age(&mut self, k: usize, id: usize, now: SimTime, second: usize) {
        let a = &mut self.apps[k];
        let age = iterator_age(&self.logs[id], a.pos[id], now);
        let age_us = age.max(1);
        if a.age_run.0 == age_us {
            a.age_run.1 += 1;
        } else {
            if a.age_run.1 > 0 {
                a.age.record(a.age_run.0, a.age_run.1);
            }
            a.age_run = (age_us, 1);
        }
        let age = to_secs_f64(age);
        if let Some(slot) = a.result.iterator_age_s.get_mut(second) {
            *slot = if slot.is_nan() { age } else { slot.max(age) };
        }
    }

    /// The worker that may read shard `id` for consumer `k` now (0 for an application without
    /// workers); a free lease goes to the live worker holding the fewest.
    fn lease_holder(&mut self, k: usize, id: usize, now: SimTime) -> Option<u32> {
        let a = &mut self.apps[k];
        let Some(kcl) = &mut a.kcl else { return Some(0) };
        let lease = &mut kcl.leases[id];
        if let Some(w) = lease.holder {
            return Some(w);
        }
        if lease.free_at > now {
            return None;
        }
        let w = (0..kcl.workers.len())
            .filter(|&w| kcl.workers[w].alive)
            .min_by_key(|&w| kcl.workers[w].leases)?;
        if lease.held_before {
            a.result.lease_moves += 1;
        }
        lease.holder = Some(w as u32);
        lease.held_before = true;
        kcl.workers[w].leases += 1;
        Some(w as u32)
    }

    fn release_lease(&mut self, k: usize, id: usize) {
        if let Some(kcl) = &mut self.apps[k].kcl {
            let lease = &mut kcl.leases[id];
            if let Some(w) = lease.holder.take() {
                kcl.workers[w as usize].leases -= 1;
            }
            lease.finished = true;
        }
    }

    /// Records delivered to consumer `k` at `at`: a KCL application queues them as a batch on
    /// the lease's worker; any other is done with them on delivery.
    #[allow(clippy::too_many_arguments)]
    fn process(
        &mut self,
        k: usize,
        id: usize,
        worker: u32,
        at: SimTime,
        records: u64,
        created_sum: f64,
        (start, end): (Position, Position),
        traced: Vec<u32>,
    ) {
        let a = &mut self.apps[k];
        match (&mut a.kcl, &a.spec.kcl) {
            (Some(kcl), Some(spec)) => {
                let w = &mut kcl.workers[worker as usize];
                let begins = at.max(w.busy_until);
                let done = begins
                    .saturating_add(spec.batch_cost)
                    .saturating_add(spec.record_cost.saturating_mul(records));
                w.busy_until = done;
                kcl.leases[id].pending.push_back(Batch {
                    done,
                    worker,
                    records,
                    created_sum,
                    start,
                    end,
                    traced,
                });
            }
            _ => self.processed(k, id, at, records, created_sum, &traced, None),
        }
    }

    /// Records of consumer `k` processed at `at`: counted, timed, and buffered for its job.
    #[allow(clippy::too_many_arguments)]
    fn processed(
        &mut self,
        k: usize,
        id: usize,
        at: SimTime,
        records: u64,
        created_sum: f64,
        traced: &[u32],
        worker: Option<u32>,
    ) {
        let a = &mut self.apps[k];
        a.result.records_processed += records;
        a.processed.record((at as f64 - created_sum / records as f64).max(0.0) as SimTime, records);
        let by = match worker {
            Some(w) => format!("by {} worker {w}", a.spec.name),
            None => format!("by consumer {}", a.spec.name),
        };
        for &t in traced {
            self.rows.push(row(t, "processed", at, id, by.clone()));
        }
        if let Some(job) = &mut a.job {
            // One buffer entry per consumer second: memory follows time, not records.
            match job.buffer.back_mut() {
                Some(b) if b.0 / MICROS_PER_SEC == at / MICROS_PER_SEC && b.0 <= at => {
                    b.0 = at;
                    b.1 += records;
                    b.2 += created_sum;
                }
                _ => job.buffer.push_back((at, records, created_sum)),
            }
            job.traced.extend(traced.iter().map(|&t| (at, t)));
        }
    }

    /// A KCL batch of shard `id` whose processing has ended by `now`: its records are processed
    /// and a checkpoint is written when one is due.
    fn finish_batch(&mut self, k: usize, id: usize, now: SimTime) {
        loop {
            let a = &mut self.apps[k];
            let (Some(kcl), Some(spec)) = (&mut a.kcl, &a.spec.kcl) else { return };
            let lease = &mut kcl.leases[id];
            if lease.pending.front().is_none_or(|b| b.done > now) {
                return;
            }
            let Some(b) = lease.pending.pop_front() else { return };
            kcl.workers[b.worker as usize].processed += b.records;
            lease.since_ckpt += b.records;
            let dup = b.start.records_to(b.end.min(lease.done_to), &self.logs[id]);
            a.result.records_reprocessed += dup;
            lease.done_to = lease.done_to.max(b.end);
            let by_count = spec.checkpoint_every > 0 && lease.since_ckpt >= spec.checkpoint_every;
            let by_time = spec.checkpoint_interval > 0
                && b.done.saturating_sub(lease.ckpt_at) >= spec.checkpoint_interval;
            if by_count || by_time {
                lease.ckpt = b.end;
                lease.ckpt_at = b.done;
                lease.since_ckpt = 0;
                a.result.checkpoints += 1;
            }
            self.processed(k, id, b.done, b.records, b.created_sum, &b.traced, Some(b.worker));
        }
    }

    /// Worker `w` of consumer `k` stops: what it finished counts, what it was processing does
    /// not; its leases go back to their last checkpoint and are free after the failover time.
    pub fn worker_fails(&mut self, k: usize, w: u32, now: SimTime) {
        for id in 0..self.logs.len() {
            self.finish_batch(k, id, now);
        }
        let a = &mut self.apps[k];
        let (Some(kcl), Some(spec)) = (&mut a.kcl, &a.spec.kcl) else { return };
        let worker = &mut kcl.workers[w as usize];
        if !worker.alive {
            return;
        }
        worker.alive = false;
        worker.failed_at = Some(now);
        worker.leases = 0;
        for (id, lease) in kcl.leases.iter_mut().enumerate() {
            if lease.holder != Some(w) {
                continue;
            }
            lease.pending.clear();
            lease.since_ckpt = 0;
            a.pos[id] = lease.ckpt;
            a.seg_bytes[id] = consumer::bytes_before(&self.logs[id], lease.ckpt);
            lease.holder = None;
            lease.free_at = now.saturating_add(spec.failover_time);
        }
    }

    /// A period of consumer `k`'s job begins: if the lock is free, a live instance takes it and
    /// flushes what was processed so far.
    pub fn job_tick(&mut self, k: usize, now: SimTime, fx: &mut Effects) {
        for id in 0..self.logs.len() {
            self.finish_batch(k, id, now);
        }
        let a = &mut self.apps[k];
        let (Some(job), Some(spec)) = (&mut a.job, &a.spec.job) else { return };
        let period = now / spec.period;
        fx.at(now.saturating_add(spec.period), Event::JobTick { c: k as u16 });
        let live: Vec<u32> = (0..job.alive.len() as u32).filter(|&i| job.alive[i as usize]).collect();
        let skip = |job: &mut Job, reason: String| {
            job.result.skipped.push(JobSkip { period, at_s: to_secs_f64(now), reason });
        };
        if job.lock_until > now {
            let why = match job.running {
                Some((r, _, _)) => format!("instance {} still runs the job", job.result.runs[r].instance),
                None => format!("lock held until {:.1} s", to_secs_f64(job.lock_until)),
            };
            skip(job, why);
            return;
        }
        if live.is_empty() {
            skip(job, "no live instance".into());
            return;
        }
        // Every live instance tries at the same moment; which one arrives first is random.
        let instance = live[rand::Rng::random_range(&mut job.rng, 0..live.len())];
        job.lock_until = now.saturating_add(spec.lock_at_most_for);
        // Everything processed by now (entries are nearly in time order, not exactly: take
        // them all).
        let (flushing, keep): (Vec<Buffered>, Vec<Buffered>) = job.buffer.drain(..).partition(|b| b.0 <= now);
        job.buffer = keep.into();
        let run = job.result.runs.len();
        job.result.runs.push(JobRun {
            period,
            instance,
            started_s: to_secs_f64(now),
            ended_s: f64::NAN,
            outcome: "running",
            records_flushed: 0,
        });
        job.running = Some((run, now, flushing));
        fx.at(now.saturating_add(spec.duration), Event::JobEnd { c: k as u16, run: run as u32 });
    }

    /// Run `run` of consumer `k`'s job ends: its records are flushed and the lock is released
    /// (held at least `lock_at_least_for`).
    pub fn job_end(&mut self, k: usize, run: u32, now: SimTime) {
        let a = &mut self.apps[k];
        let (Some(job), Some(spec)) = (&mut a.job, &a.spec.job) else { return };
        let Some((r, started, flushing)) = job.running.take_if(|(r, _, _)| *r == run as usize) else {
            return;
        };
        let mut n = 0;
        for (_, records, created_sum) in &flushing {
            n += records;
            job.flushed.record((now as f64 - created_sum / *records as f64).max(0.0) as SimTime, *records);
        }
        let (flushed, waiting): (Vec<_>, Vec<_>) = job.traced.iter().partition(|(at, _)| *at <= started);
        job.traced = waiting;
        for (_, t) in flushed {
            let who = job.result.runs[r].instance;
            self.rows.push(TraceRow {
                record: t,
                event: "flushed",
                time_s: to_secs_f64(now),
                detail: format!("by {} job, instance {who}", a.spec.name),
                ..TraceRow::default()
            });
        }
        let run = &mut job.result.runs[r];
        run.ended_s = to_secs_f64(now);
        run.outcome = "completed";
        run.records_flushed = n;
        job.result.records_flushed += n;
        job.lock_until = now.max(started.saturating_add(spec.lock_at_least_for));
    }

    /// Instance `i` of consumer `k`'s job stops; if it was running the job, the run fails, its
    /// records wait for the next run and the lock stays held until `lock_at_most_for` expires.
    pub fn instance_fails(&mut self, k: usize, i: u32, now: SimTime) {
        let Some(job) = &mut self.apps[k].job else { return };
        let holder = job.running.as_ref().map(|(r, _, _)| job.result.runs[*r].instance);
        let i = if i == Failure::HOLDER {
            holder.or(job.result.runs.last().map(|r| r.instance)).unwrap_or(0)
        } else {
            i
        };
        job.alive[i as usize] = false;
        if holder == Some(i) {
            if let Some((r, _, flushing)) = job.running.take() {
                for b in flushing.into_iter().rev() {
                    job.buffer.push_front(b);
                }
                let run = &mut job.result.runs[r];
                run.ended_s = to_secs_f64(now);
                run.outcome = "failed";
            }
        }
    }

    /// The consumers' results at the end of the run, and the trace rows of reads.
    pub fn finish(&mut self, end: SimTime) -> (Vec<ConsumerResult>, Vec<TraceRow>) {
        debug_assert_eq!(end, self.end);
        for k in 0..self.apps.len() {
            for id in 0..self.logs.len() {
                self.finish_batch(k, id, end);
            }
        }
        for a in &mut self.apps {
            if let Some(kcl) = &a.kcl {
                a.result.records_in_flight =
                    kcl.leases.iter().flat_map(|l| &l.pending).map(|b| b.records).sum();
            }
        }
        let logs = &self.logs;
        let results = std::mem::take(&mut self.apps)
            .into_iter()
            .map(|mut a| {
                // Unread: never read, or (KCL) sent back by a failover and not yet processed again
                // (what was processed once is not counted twice).
                a.result.records_unread = a
                    .pos
                    .iter()
                    .enumerate()
                    .map(|(id, p)| match &a.kcl {
                        Some(k) => p.max(&k.leases[id].done_to).unread(&logs[id]),
                        None => p.unread(&logs[id]),
                    })
                    .sum();
                // A second without a read keeps the age the previous read reported.
                let mut last = 0.0;
                for v in &mut a.result.iterator_age_s {
                    if v.is_nan() {
                        *v = last;
                    }
                    last = *v;
                }
                if a.age_run.1 > 0 {
                    a.age.record(a.age_run.0, std::mem::take(&mut a.age_run.1));
                }
                a.result.iterator_age_ms = a.age.percentiles();
                a.result.delivered_ms = a.delivered.percentiles();
                a.result.end_to_end_ms = a.processed.percentiles();
                a.result.delivered_cdf = a.delivered.cdf();
                a.result.processed_cdf = a.processed.cdf();
                if let Some(kcl) = &a.kcl {
                    a.result.workers = kcl
                        .workers
                        .iter()
                        .map(|w| WorkerResult {
                            leases: w.leases,
                            records_processed: w.processed,
                            failed_at_s: w.failed_at.map(to_secs_f64),
                        })
                        .collect();
                }
                if let Some(mut job) = a.job {
                    if let Some((r, _, flushing)) = job.running.take() {
                        job.buffer.extend(flushing);
                        job.result.runs[r].ended_s = to_secs_f64(end);
                    }
                    job.result.records_waiting = job.buffer.iter().map(|b| b.1).sum();
                    job.result.flushed_ms = job.flushed.percentiles();
                    a.result.flushed_cdf = job.flushed.cdf();
                    a.result.job = Some(job.result);
                }
                a.result
            })
            .collect();
        (results, std::mem::take(&mut self.rows))
    }
}

/// How far behind the newest record a reader at `pos` is: the age of the first record it has
/// not read (0 when it has read everything).
fn iterator_age(log: &ShardLog, pos: Position, now: SimTime) -> SimTime {
    if pos.at_end(log) {
        return 0;
    }
    match log.get(pos.seg) {
        Some(s) if pos.offset < s.records => now.saturating_sub(s.accept_at(pos.offset)),
        // At the end of a segment with newer ones after it: the next one's first record.
        _ => {
            let next = if pos.seg < log.base { log.base } else { pos.seg + 1 };
            log.get(next).map_or(0, |s| now.saturating_sub(s.first_accept))
        }
    }
}

fn row(record: u32, event: &'static str, at: SimTime, shard: usize, detail: String) -> TraceRow {
    TraceRow {
        record,
        event,
        time_s: to_secs_f64(at),
        shard_id: shard_id_string(shard as u32),
        detail,
        ..TraceRow::default()
    }
}
