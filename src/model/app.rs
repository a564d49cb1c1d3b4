//! One consumer application while the run goes on: by shard id where it reads next, its
//! processing budget and enhanced fan-out allowance; its KCL workers ([`Kcl`]) and its job
//! ([`Job`]); its latency histograms and, at the end, its [`ConsumerResult`]. The read side
//! (`readers.rs`) owns the shard logs and drives each application through a read round.
//! Calls `consumer`, `kcl` and `job`.

use crate::engine::rng_stream;
use crate::metrics::histogram::LatencyHistogram;
use crate::metrics::{ConsumerResult, TraceRow};
use crate::model::consumer::{Position, ShardLog};
use crate::model::event::Effects;
use crate::model::hashing::shard_id_string;
use crate::model::job::Job;
use crate::model::kcl::Kcl;
use crate::scenario::ConsumerSpec;
use crate::units::{to_secs_f64, SimTime};
use rand_pcg::Pcg64Mcg;

pub struct App {
    pub spec: ConsumerSpec,
    /// By shard id: where it reads next.
    pub pos: Vec<Position>,
    /// By shard id: bytes of the segment at `pos` already read (see `consumer::read`).
    pub seg_bytes: Vec<u64>,
    /// By shard id: its processing budget [records].
    pub tokens: Vec<f64>,
    /// Enhanced fan-out, by shard id: (second, bytes pushed in it) for its own 2 MiB/s.
    pub efo: Vec<(u64, u64)>,
    pub last_poll: SimTime,
    /// Poll jitter draws.
    pub rng: Pcg64Mcg,
    pub result: ConsumerResult,
    pub delivered: LatencyHistogram,
    pub kcl: Option<Kcl>,
    age: LatencyHistogram,
    /// Iterator ages not yet in `age`: a run of equal values and its count (in aggregated mode
    /// the caught-up shards of one read share their age).
    age_run: (SimTime, u64),
    processed: LatencyHistogram,
    job: Option<Job>,
}

impl App {
    /// Consumer `spec` of a run seeded `seed`, over `shards` shards and `seconds` seconds.
    pub fn new(spec: &ConsumerSpec, seed: u64, shards: usize, seconds: usize) -> Self {
        App {
            spec: spec.clone(),
            pos: vec![Position::default(); shards],
            seg_bytes: vec![0; shards],
            tokens: vec![0.0; shards],
            efo: vec![(0, 0); shards],
            last_poll: 0,
            rng: rng_stream(seed, &format!("consumer/{}/poll", spec.name)),
            result: ConsumerResult {
                name: spec.name.clone(),
                kind: spec.kind,
                // NaN: no read in that second (filled from the previous second at the end).
                iterator_age_s: vec![f64::NAN; seconds],
                read_bytes_s: vec![0.0; seconds],
                ..ConsumerResult::default()
            },
            age: LatencyHistogram::new(3),
            age_run: (0, 0),
            delivered: LatencyHistogram::new(3),
            processed: LatencyHistogram::new(3),
            kcl: spec.kcl.as_ref().map(|k| Kcl::new(k, shards)),
            job: spec.job.as_ref().map(|j| Job::new(j, seed, &spec.name)),
        }
    }

    /// Make room for shard ids `0..total`.
    pub fn grow(&mut self, total: usize) {
        self.pos.resize(total, Position::default());
        self.seg_bytes.resize(total, 0);
        self.tokens.resize(total, 0.0);
        self.efo.resize(total, (0, 0));
        if let Some(k) = &mut self.kcl {
            k.grow(total);
        }
    }

    /// Where the application must be able to read again from on shard `id`: its position, or
    /// for a KCL application the last checkpoint (a failover resumes there).
    pub fn keep_from(&self, id: usize) -> Position {
        match &self.kcl {
            Some(k) => k.checkpoint(id).min(self.pos[id]),
            None => self.pos[id],
        }
    }

    /// No batch of shard `id` is still being processed at `now`.
    pub fn idle(&self, id: usize, now: SimTime) -> bool {
        self.kcl.as_ref().is_none_or(|k| k.idle(id, now))
    }

    /// Iterator age on shard `id` (how far behind the newest record of `log` it is, after its
    /// read at `now`): into the lag distribution and the maximum of `second`. Sampled at every
    /// read and every read the consumer could not make (throttled, lease not held, worker busy,
    /// parents not drained), so a consumer that stops reading shows its growing age.
    pub fn note_age(&mut self, id: usize, log: &ShardLog, now: SimTime, second: usize) {
        let age = iterator_age(log, self.pos[id], now);
        let age_us = age.max(1);
        if self.age_run.0 == age_us {
            self.age_run.1 += 1;
        } else {
            if self.age_run.1 > 0 {
                self.age.record(self.age_run.0, self.age_run.1);
            }
            self.age_run = (age_us, 1);
        }
        let age = to_secs_f64(age);
        if let Some(slot) = self.result.iterator_age_s.get_mut(second) {
            *slot = if slot.is_nan() { age } else { slot.max(age) };
        }
    }

    /// The worker that may read shard `id` now (0 for an application without workers).
    pub fn lease_holder(&mut self, id: usize, now: SimTime) -> Option<u32> {
        match &mut self.kcl {
            Some(kcl) => kcl.holder(id, now, &mut self.result.lease_moves),
            None => Some(0),
        }
    }

    /// Shard `id` is closed and read to its end: its lease (if any) is released for good.
    pub fn release_lease(&mut self, id: usize) {
        if let Some(kcl) = &mut self.kcl {
            kcl.release(id);
        }
    }

    /// Records of shard `id` between `span` delivered at `at` to `worker`: a KCL application
    /// queues them as a batch on the worker; any other is done with them on delivery.
    #[allow(clippy::too_many_arguments)]
    pub fn process(
        &mut self,
        id: usize,
        worker: u32,
        at: SimTime,
        records: u64,
        created_sum: f64,
        span: (Position, Position),
        traced: Vec<u32>,
        rows: &mut Vec<TraceRow>,
    ) {
        match (&mut self.kcl, &self.spec.kcl) {
            (Some(kcl), Some(spec)) => kcl.queue(spec, id, worker, at, records, created_sum, span, traced),
            _ => self.processed(id, at, records, created_sum, &traced, None, rows),
        }
    }

    /// Records processed at `at`: counted, timed, traced and buffered for the job.
    #[allow(clippy::too_many_arguments)]
    fn processed(
        &mut self,
        id: usize,
        at: SimTime,
        records: u64,
        created_sum: f64,
        traced: &[u32],
        worker: Option<u32>,
        rows: &mut Vec<TraceRow>,
    ) {
        self.result.records_processed += records;
        self.processed.record((at as f64 - created_sum / records as f64).max(0.0) as SimTime, records);
        let by = match worker {
            Some(w) => format!("by {} worker {w}", self.spec.name),
            None => format!("by consumer {}", self.spec.name),
        };
        for &t in traced {
            rows.push(row(t, "processed", at, id, by.clone()));
        }
        if let Some(job) = &mut self.job {
            job.buffer(at, records, created_sum, traced);
        }
    }

    /// The KCL batches of shard `id` (its records in `log`) whose processing has ended by `now`:
    /// their records are processed.
    pub fn finish_batches(&mut self, id: usize, now: SimTime, log: &ShardLog, rows: &mut Vec<TraceRow>) {
        loop {
            let (Some(kcl), Some(spec)) = (&mut self.kcl, &self.spec.kcl) else { return };
            let Some(b) = kcl.next_done(id, now, spec, log, &mut self.result) else { return };
            self.processed(id, b.done, b.records, b.created_sum, &b.traced, Some(b.worker), rows);
        }
    }

    /// Worker `w` stops at `now` (see [`Kcl::worker_fails`]).
    pub fn worker_fails(&mut self, w: u32, now: SimTime, logs: &[ShardLog]) {
        if let (Some(kcl), Some(spec)) = (&mut self.kcl, &self.spec.kcl) {
            kcl.worker_fails(w, now, spec, &mut self.pos, &mut self.seg_bytes, logs);
        }
    }

    /// A period of the job (of consumer `c`) begins (see [`Job::tick`]).
    pub fn job_tick(&mut self, c: u16, now: SimTime, fx: &mut Effects) {
        if let (Some(job), Some(spec)) = (&mut self.job, &self.spec.job) {
            job.tick(spec, c, now, fx);
        }
    }

    /// Run `run` of the job ends (see [`Job::end`]).
    pub fn job_end(&mut self, run: u32, now: SimTime, rows: &mut Vec<TraceRow>) {
        if let (Some(job), Some(spec)) = (&mut self.job, &self.spec.job) {
            job.end(spec, run, now, &self.spec.name, rows);
        }
    }

    /// Instance `i` of the job stops (see [`Job::instance_fails`]).
    pub fn instance_fails(&mut self, i: u32, now: SimTime) {
        if let Some(job) = &mut self.job {
            job.instance_fails(i, now);
        }
    }

    /// The application's result at the end of the run (`end`), its shards' records in `logs`.
    pub fn finish(mut self, logs: &[ShardLog], end: SimTime) -> ConsumerResult {
        if let Some(kcl) = &self.kcl {
            self.result.records_in_flight = kcl.in_flight();
        }
        // Unread: never read, or (KCL) sent back by a failover and not yet processed again
        // (what was processed once is not counted twice).
        self.result.records_unread = self
            .pos
            .iter()
            .enumerate()
            .map(|(id, p)| match &self.kcl {
                Some(k) => (*p).max(k.done_to(id)).unread(&logs[id]),
                None => p.unread(&logs[id]),
            })
            .sum();
        // A second without a read keeps the age the previous read reported.
        let mut last = 0.0;
        for v in &mut self.result.iterator_age_s {
            if v.is_nan() {
                *v = last;
            }
            last = *v;
        }
        if self.age_run.1 > 0 {
            self.age.record(self.age_run.0, std::mem::take(&mut self.age_run.1));
        }
        let r = &mut self.result;
        r.iterator_age_ms = self.age.percentiles();
        r.delivered_ms = self.delivered.percentiles();
        r.end_to_end_ms = self.processed.percentiles();
        r.delivered_cdf = self.delivered.cdf();
        r.processed_cdf = self.processed.cdf();
        if let Some(kcl) = &self.kcl {
            r.workers = kcl.workers();
        }
        if let Some(job) = self.job {
            let (result, cdf) = job.finish(end);
            r.flushed_cdf = cdf;
            r.job = Some(result);
        }
        self.result
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

/// A trace row of the read side: it knows its record, not the record's producer and key.
pub fn row(record: u32, event: &'static str, at: SimTime, shard: usize, detail: String) -> TraceRow {
    TraceRow {
        record,
        event,
        time_s: to_secs_f64(at),
        shard_id: shard_id_string(shard as u32),
        detail,
        ..TraceRow::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    #[test]
    fn iterator_age_is_that_of_the_first_record_not_read() {
        let mut log = ShardLog::default();
        log.append(secs(1), 10, 100, 0);
        log.append(secs(2), 10, 100, 0);
        assert_eq!(iterator_age(&log, Position::default(), secs(5)), secs(4));
        assert_eq!(iterator_age(&log, Position { seg: 0, offset: 10 }, secs(5)), secs(3));
        assert_eq!(iterator_age(&log, Position { seg: 1, offset: 10 }, secs(5)), 0);
    }
}
