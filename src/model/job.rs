//! A periodic job behind a consumer, guarded by a ShedLock-style lock: each period, each live
//! instance tries the lock; it is free once `lock_until` has passed; the winner flushes what the
//! consumer processed so far and holds the lock until its run ends, but at least
//! `lock_at_least_for`; a holder that dies leaves it held until `lock_at_most_for` expires, and
//! the records it was flushing wait for the next run (the buffer is durable, model assumption).
//! The read side (`readers.rs`) feeds it processed records. Calls `event`.

use crate::engine::rng_stream;
use crate::metrics::histogram::LatencyHistogram;
use crate::metrics::{JobResult, JobRun, JobSkip, TraceRow};
use crate::model::event::{Effects, Event};
use crate::scenario::{Failure, JobSpec};
use crate::units::{to_secs_f64, SimTime, MICROS_PER_SEC};
use rand_pcg::Pcg64Mcg;
use std::collections::VecDeque;

/// Processed records waiting for the job: (processed at, records, sum of creation times).
type Buffered = (SimTime, u64, f64);

pub struct Job {
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

impl Job {
    /// The job of `consumer` in a run seeded `seed`.
    pub fn new(spec: &JobSpec, seed: u64, consumer: &str) -> Self {
        Job {
            alive: vec![true; spec.instances as usize],
            lock_until: 0,
            running: None,
            buffer: VecDeque::new(),
            traced: Vec::new(),
            rng: rng_stream(seed, &format!("consumer/{consumer}/job")),
            result: JobResult::default(),
            flushed: LatencyHistogram::new(3),
        }
    }

    /// `records` (created at `created_sum / records` on average; `traced` among them) were
    /// processed at `at`: they wait for a run.
    pub fn buffer(&mut self, at: SimTime, records: u64, created_sum: f64, traced: &[u32]) {
        // One buffer entry per consumer second: memory follows time, not records.
        match self.buffer.back_mut() {
            Some(b) if b.0 / MICROS_PER_SEC == at / MICROS_PER_SEC && b.0 <= at => {
                b.0 = at;
                b.1 += records;
                b.2 += created_sum;
            }
            _ => self.buffer.push_back((at, records, created_sum)),
        }
        self.traced.extend(traced.iter().map(|&t| (at, t)));
    }

    /// A period begins at `now` (the next one is asked for): if the lock is free, a live
    /// instance takes it and flushes what was processed so far, until the run's end (asked for
    /// as `JobEnd` of consumer `c`).
    pub fn tick(&mut self, spec: &JobSpec, c: u16, now: SimTime, fx: &mut Effects) {
        let period = now / spec.period;
        fx.at(now.saturating_add(spec.period), Event::JobTick { c });
        let live: Vec<u32> = (0..self.alive.len() as u32).filter(|&i| self.alive[i as usize]).collect();
        let skip = |job: &mut Job, reason: String| {
            job.result.skipped.push(JobSkip { period, at_s: to_secs_f64(now), reason });
        };
        if self.lock_until > now {
            let why = match self.running {
                Some((r, _, _)) => format!("instance {} still runs the job", self.result.runs[r].instance),
                None => format!("lock held until {:.1} s", to_secs_f64(self.lock_until)),
            };
            skip(self, why);
            return;
        }
        if live.is_empty() {
            skip(self, "no live instance".into());
            return;
        }
        // Every live instance tries at the same moment; which one arrives first is random.
        let instance = live[rand::Rng::random_range(&mut self.rng, 0..live.len())];
        self.lock_until = now.saturating_add(spec.lock_at_most_for);
        // Everything processed by now (entries are nearly in time order, not exactly: take
        // them all).
        let (flushing, keep): (Vec<Buffered>, Vec<Buffered>) =
            self.buffer.drain(..).partition(|b| b.0 <= now);
        self.buffer = keep.into();
        let run = self.result.runs.len();
        self.result.runs.push(JobRun {
            period,
            instance,
            started_s: to_secs_f64(now),
            ended_s: f64::NAN,
            outcome: "running",
            records_flushed: 0,
        });
        self.running = Some((run, now, flushing));
        fx.at(now.saturating_add(spec.duration), Event::JobEnd { c, run: run as u32 });
    }

    /// Run `run` ends at `now`: its records are flushed (traced ones get a row in `rows`, named
    /// after `consumer`) and the lock is released (held at least `lock_at_least_for`).
    pub fn end(&mut self, spec: &JobSpec, run: u32, now: SimTime, consumer: &str, rows: &mut Vec<TraceRow>) {
        let Some((r, started, flushing)) = self.running.take_if(|(r, _, _)| *r == run as usize) else {
            return;
        };
        let mut n = 0;
        for (_, records, created_sum) in &flushing {
            n += records;
            self.flushed.record((now as f64 - created_sum / *records as f64).max(0.0) as SimTime, *records);
        }
        let (flushed, waiting): (Vec<_>, Vec<_>) = self.traced.iter().partition(|(at, _)| *at <= started);
        self.traced = waiting;
        for (_, t) in flushed {
            let who = self.result.runs[r].instance;
            rows.push(TraceRow {
                record: t,
                event: "flushed",
                time_s: to_secs_f64(now),
                detail: format!("by {consumer} job, instance {who}"),
                ..TraceRow::default()
            });
        }
        let run = &mut self.result.runs[r];
        run.ended_s = to_secs_f64(now);
        run.outcome = "completed";
        run.records_flushed = n;
        self.result.records_flushed += n;
        self.lock_until = now.max(started.saturating_add(spec.lock_at_least_for));
    }

    /// Instance `i` stops at `now`; if it was running the job, the run fails, its records wait
    /// for the next run and the lock stays held until `lock_at_most_for` expires.
    pub fn instance_fails(&mut self, i: u32, now: SimTime) {
        let holder = self.running.as_ref().map(|(r, _, _)| self.result.runs[*r].instance);
        let i = if i == Failure::HOLDER {
            holder.or(self.result.runs.last().map(|r| r.instance)).unwrap_or(0)
        } else {
            i
        };
        self.alive[i as usize] = false;
        if holder == Some(i) {
            if let Some((r, _, flushing)) = self.running.take() {
                for b in flushing.into_iter().rev() {
                    self.buffer.push_front(b);
                }
                let run = &mut self.result.runs[r];
                run.ended_s = to_secs_f64(now);
                run.outcome = "failed";
            }
        }
    }

    /// The job over the run (ended at `end`), and the distribution of its flush latency.
    pub fn finish(mut self, end: SimTime) -> (JobResult, Vec<(f64, f64)>) {
        if let Some((r, _, flushing)) = self.running.take() {
            self.buffer.extend(flushing);
            self.result.runs[r].ended_s = to_secs_f64(end);
        }
        self.result.records_waiting = self.buffer.iter().map(|b| b.1).sum();
        self.result.flushed_ms = self.flushed.percentiles();
        (self.result, self.flushed.cdf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    fn spec() -> JobSpec {
        JobSpec {
            period: secs(60),
            instances: 2,
            lock_at_most_for: secs(300),
            lock_at_least_for: secs(30),
            duration: secs(10),
            failures: Vec::new(),
        }
    }

    /// A run flushes what was processed before it started; a holder that dies leaves the lock
    /// held until `lock_at_most_for`, and its records wait for the next run.
    #[test]
    fn a_run_flushes_and_a_dead_holder_keeps_the_lock() {
        let s = spec();
        let mut job = Job::new(&s, 1, "c");
        job.buffer(secs(10), 100, 100.0 * 5e6, &[7]);
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        job.tick(&s, 0, secs(60), &mut fx);
        assert_eq!(fx.len(), 2, "the next period and this run's end");
        let mut rows = Vec::new();
        job.end(&s, 0, secs(70), "c", &mut rows);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].detail, format!("by c job, instance {}", job.result.runs[0].instance));
        job.buffer(secs(100), 50, 50.0 * 95e6, &[]);
        job.tick(&s, 0, secs(120), &mut fx);
        job.instance_fails(Failure::HOLDER, secs(125));
        job.tick(&s, 0, secs(180), &mut fx);
        let (r, cdf) = job.finish(secs(200));
        assert_eq!(r.records_flushed, 100);
        assert_eq!(r.records_waiting, 50);
        assert_eq!(r.runs[1].outcome, "failed");
        assert!(r.skipped[0].reason.contains("lock held until 420.0 s"), "{:?}", r.skipped);
        assert!(!cdf.is_empty());
    }
}
