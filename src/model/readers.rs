//! The read side of the stream: the shards' logs (the records accepted, appended by the write
//! path) and their shared polling limits, and every consumer application reading them, with
//! its KCL-style workers and the periodic job behind it (each an [`App`]). Asks for its events
//! (reads, failures, job periods) through [`Effects`]. Calls `app`, `consumer` and `event`.
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

use crate::limits;
use crate::metrics::{ConsumerResult, TraceRow};
use crate::model::app::{row, App};
use crate::model::consumer::{self, Position, ReadLimiter, ShardLog};
use crate::model::event::{Effects, Event};
use crate::scenario::{defaults, ConsumerKind, Scenario};
use crate::units::{to_secs_f64, SimTime, MICROS_PER_SEC};

/// Data older than this is in long-term retention; reading it is billed per GB [µs].
const LONG_TERM_AGE: SimTime = crate::limits::LONG_TERM_AFTER_S * MICROS_PER_SEC;

/// What the read side needs to know of a shard: closed for writes, and its parents.
#[derive(Debug, Clone, Default)]
struct ShardInfo {
    closed: bool,
    parents: Vec<u32>,
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
        let apps =
            scenario.consumers.iter().map(|spec| App::new(spec, scenario.seed, shards, seconds)).collect();
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
            a.grow(total);
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
                            Some(k) => p.records_to(k.done_to(id).min(next), log),
                            None => 0,
                        };
                        a.result.records_lost_to_retention += front.records - p.offset - processed;
                        *p = next;
                        a.seg_bytes[id] = 0;
                    }
                    if let Some(k) = &mut a.kcl {
                        k.expired_before(id, next);
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
            kcl.plan_round(now + propagation, now + propagation + interval);
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
                self.apps[k].note_age(id, &self.logs[id], now, second);
                continue;
            }
            self.apps[k].finish_batches(id, now, &self.logs[id], &mut self.rows);
            let a = &self.apps[k];
            let log = &self.logs[id];
            let shards = &self.shards;
            if shards[id].closed && a.pos[id].at_end(log) && a.idle(id, now) {
                self.apps[k].release_lease(id);
                continue;
            }
            let parents_drained = shards[id].parents.iter().all(|&p| {
                let p = p as usize;
                shards[p].closed && a.pos[p].at_end(&self.logs[p]) && a.idle(p, now)
            });
            if !parents_drained {
                self.apps[k].note_age(id, &self.logs[id], now, second);
                continue;
            }
            let Some(worker) = self.apps[k].lease_holder(id, now) else {
                self.apps[k].note_age(id, &self.logs[id], now, second);
                continue;
            };
            let a = &mut self.apps[k];
            let mut max_records = u64::MAX;
            if let (Some(kcl), Some(spec)) = (&a.kcl, &a.spec.kcl) {
                // Back-pressure: a worker fetches what it can process before the consumer's next
                // read, shared evenly over its leases.
                max_records = kcl.budget(worker, spec);
                if max_records == 0 {
                    self.apps[k].note_age(id, &self.logs[id], now, second);
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
                            self.apps[k].note_age(id, &self.logs[id], now, second);
                            continue;
                        }
                    }
                }
                ConsumerKind::EnhancedFanOut => {
                    let w = &mut a.efo[id];
                    if w.0 != now / MICROS_PER_SEC {
                        *w = (now / MICROS_PER_SEC, 0);
                    }
                    limits::SHARD_READ_BYTES_PER_S.saturating_sub(w.1)
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
                let (records, created_sum) = (got.records, got.created_sum);
                self.apps[k].process(
                    id,
                    worker,
                    delivered,
                    records,
                    created_sum,
                    (from, to),
                    traced,
                    &mut self.rows,
                );
            }
            self.apps[k].note_age(id, &self.logs[id], now, second);
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

    /// Worker `w` of consumer `k` stops: what it finished counts, what it was processing does
    /// not; its leases go back to their last checkpoint and are free after the failover time.
    pub fn worker_fails(&mut self, k: usize, w: u32, now: SimTime) {
        self.finish_batches(k, now);
        self.apps[k].worker_fails(w, now, &self.logs);
    }

    /// A period of consumer `k`'s job begins: if the lock is free, a live instance takes it and
    /// flushes what was processed so far.
    pub fn job_tick(&mut self, k: usize, now: SimTime, fx: &mut Effects) {
        self.finish_batches(k, now);
        self.apps[k].job_tick(k as u16, now, fx);
    }

    /// Run `run` of consumer `k`'s job ends: its records are flushed and the lock is released
    /// (held at least `lock_at_least_for`).
    pub fn job_end(&mut self, k: usize, run: u32, now: SimTime) {
        self.apps[k].job_end(run, now, &mut self.rows);
    }

    /// Instance `i` of consumer `k`'s job stops; if it was running the job, the run fails, its
    /// records wait for the next run and the lock stays held until `lock_at_most_for` expires.
    pub fn instance_fails(&mut self, k: usize, i: u32, now: SimTime) {
        self.apps[k].instance_fails(i, now);
    }

    /// Consumer `k`'s KCL batches done by `now`, on every shard.
    fn finish_batches(&mut self, k: usize, now: SimTime) {
        for (id, log) in self.logs.iter().enumerate() {
            self.apps[k].finish_batches(id, now, log, &mut self.rows);
        }
    }

    /// The consumers' results at the end of the run, and the trace rows of reads.
    pub fn finish(&mut self, end: SimTime) -> (Vec<ConsumerResult>, Vec<TraceRow>) {
        debug_assert_eq!(end, self.end);
        for k in 0..self.apps.len() {
            self.finish_batches(k, end);
        }
        let results = std::mem::take(&mut self.apps).into_iter().map(|a| a.finish(&self.logs, end)).collect();
        (results, std::mem::take(&mut self.rows))
    }
}
