//! A KCL-style consumer application: its workers and the leases they hold, one per shard and
//! balanced over the live workers; the batches each worker fetched and is processing (one at a
//! time, model assumption), and the checkpoints written after them. A failed worker's leases go
//! back to their last checkpoint and are taken over once `failover_time` has passed (at the
//! consumer's next poll): records processed after the checkpoint are processed again. The read
//! side (`readers.rs`) drives it. Calls `consumer` (positions in the shard logs).

use crate::metrics::{ConsumerResult, WorkerResult};
use crate::model::consumer::{self, Position, ShardLog};
use crate::scenario::KclSpec;
use crate::units::{to_secs_f64, SimTime};
use std::collections::VecDeque;

/// A batch a KCL worker is processing.
#[derive(Debug, Clone)]
pub struct Batch {
    /// When its processing ends, and by which worker.
    pub done: SimTime,
    pub worker: u32,
    pub records: u64,
    pub created_sum: f64,
    /// Positions before and after the batch (the end is the checkpoint it allows).
    start: Position,
    end: Position,
    /// Traced records in it.
    pub traced: Vec<u32>,
}

/// One shard's lease.
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

#[derive(Debug)]
pub struct Kcl {
    workers: Vec<Worker>,
    /// By shard id.
    leases: Vec<Lease>,
    /// Per worker, in the current read round: processing time per lease [µs].
    shares: Vec<u64>,
}

impl Kcl {
    pub fn new(spec: &KclSpec, shards: usize) -> Self {
        Kcl {
            workers: vec![Worker { alive: true, ..Worker::default() }; spec.workers as usize],
            leases: vec![Lease::default(); shards],
            shares: Vec::new(),
        }
    }

    /// Make room for shard ids `0..total`.
    pub fn grow(&mut self, total: usize) {
        self.leases.resize(total, Lease::default());
    }

    /// Shard `id`'s last checkpoint: a failover resumes there.
    pub fn checkpoint(&self, id: usize) -> Position {
        self.leases[id].ckpt
    }

    /// End of the furthest batch of shard `id` ever processed.
    pub fn done_to(&self, id: usize) -> Position {
        self.leases[id].done_to
    }

    /// Records of shard `id` before `next` expired: a checkpoint cannot point before them.
    pub fn expired_before(&mut self, id: usize, next: Position) {
        let l = &mut self.leases[id];
        l.ckpt = l.ckpt.max(next);
    }

    /// No batch of shard `id` is still being processed at `now`.
    pub fn idle(&self, id: usize, now: SimTime) -> bool {
        self.leases[id].pending.back().is_none_or(|b| b.done <= now)
    }

    /// A read round delivering from `from` until the next delivery at `to`: each worker's time
    /// until then, shared evenly over its leases.
    pub fn plan_round(&mut self, from: SimTime, to: SimTime) {
        self.shares.clear();
        self.shares.extend(
            self.workers
                .iter()
                .map(|w| to.saturating_sub(w.busy_until.max(from)) / u64::from(w.leases.max(1))),
        );
    }

    /// Back-pressure: the records `worker` fetches for one lease this round, what it can process
    /// before the next read (0: none).
    pub fn budget(&self, worker: u32, spec: &KclSpec) -> u64 {
        let share = self.shares[worker as usize];
        match spec.record_cost {
            0 => u64::MAX,
            c => (share.saturating_sub(spec.batch_cost) / c).max(u64::from(share > 0)),
        }
    }

    /// The worker that may read shard `id` now: its holder, or a free lease goes to the live
    /// worker holding the fewest (a lease held before counts a move in `moves`).
    pub fn holder(&mut self, id: usize, now: SimTime, moves: &mut u64) -> Option<u32> {
        let lease = &mut self.leases[id];
        if let Some(w) = lease.holder {
            return Some(w);
        }
        if lease.free_at > now {
            return None;
        }
        let workers = &mut self.workers;
        let w = (0..workers.len()).filter(|&w| workers[w].alive).min_by_key(|&w| workers[w].leases)?;
        if lease.held_before {
            *moves += 1;
        }
        lease.holder = Some(w as u32);
        lease.held_before = true;
        workers[w].leases += 1;
        Some(w as u32)
    }

    /// Shard `id` is closed and fully processed: its lease is released for good.
    pub fn release(&mut self, id: usize) {
        let lease = &mut self.leases[id];
        if let Some(w) = lease.holder.take() {
            self.workers[w as usize].leases -= 1;
        }
        lease.finished = true;
    }

    /// Records of shard `id` between `span` delivered to `worker` at `at`: a batch queued on the
    /// worker, processed once it is free.
    #[allow(clippy::too_many_arguments)]
    pub fn queue(
        &mut self,
        spec: &KclSpec,
        id: usize,
        worker: u32,
        at: SimTime,
        records: u64,
        created_sum: f64,
        (start, end): (Position, Position),
        traced: Vec<u32>,
    ) {
        let w = &mut self.workers[worker as usize];
        let begins = at.max(w.busy_until);
        let done =
            begins.saturating_add(spec.batch_cost).saturating_add(spec.record_cost.saturating_mul(records));
        w.busy_until = done;
        self.leases[id].pending.push_back(Batch { done, worker, records, created_sum, start, end, traced });
    }

    /// The next batch of shard `id` whose processing has ended by `now`, if any: counted (records
    /// processed again after a failover, checkpoints written when due, into `result`).
    pub fn next_done(
        &mut self,
        id: usize,
        now: SimTime,
        spec: &KclSpec,
        log: &ShardLog,
        result: &mut ConsumerResult,
    ) -> Option<Batch> {
        let lease = &mut self.leases[id];
        if lease.pending.front().is_none_or(|b| b.done > now) {
            return None;
        }
        let b = lease.pending.pop_front()?;
        self.workers[b.worker as usize].processed += b.records;
        lease.since_ckpt += b.records;
        result.records_reprocessed += b.start.records_to(b.end.min(lease.done_to), log);
        lease.done_to = lease.done_to.max(b.end);
        let by_count = spec.checkpoint_every > 0 && lease.since_ckpt >= spec.checkpoint_every;
        let by_time =
            spec.checkpoint_interval > 0 && b.done.saturating_sub(lease.ckpt_at) >= spec.checkpoint_interval;
        if by_count || by_time {
            lease.ckpt = b.end;
            lease.ckpt_at = b.done;
            lease.since_ckpt = 0;
            result.checkpoints += 1;
        }
        Some(b)
    }

    /// Worker `w` stops at `now`: what it was processing does not count; its leases go back to
    /// their last checkpoint (the application's positions `pos` and read bytes `seg_bytes` in
    /// `logs`) and are free after the failover time.
    pub fn worker_fails(
        &mut self,
        w: u32,
        now: SimTime,
        spec: &KclSpec,
        pos: &mut [Position],
        seg_bytes: &mut [u64],
        logs: &[ShardLog],
    ) {
        let worker = &mut self.workers[w as usize];
        if !worker.alive {
            return;
        }
        worker.alive = false;
        worker.failed_at = Some(now);
        worker.leases = 0;
        for (id, lease) in self.leases.iter_mut().enumerate() {
            if lease.holder != Some(w) {
                continue;
            }
            lease.pending.clear();
            lease.since_ckpt = 0;
            pos[id] = lease.ckpt;
            seg_bytes[id] = consumer::bytes_before(&logs[id], lease.ckpt);
            lease.holder = None;
            lease.free_at = now.saturating_add(spec.failover_time);
        }
    }

    /// Records read and still being processed.
    pub fn in_flight(&self) -> u64 {
        self.leases.iter().flat_map(|l| &l.pending).map(|b| b.records).sum()
    }

    /// Each worker at the end: its leases, records processed and when it failed.
    pub fn workers(&self) -> Vec<WorkerResult> {
        self.workers
            .iter()
            .map(|w| WorkerResult {
                leases: w.leases,
                records_processed: w.processed,
                failed_at_s: w.failed_at.map(to_secs_f64),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{millis, secs};

    fn spec(workers: u32) -> KclSpec {
        KclSpec {
            workers,
            record_cost: millis(1),
            batch_cost: millis(10),
            checkpoint_every: 100,
            checkpoint_interval: 0,
            failover_time: secs(10),
            failures: Vec::new(),
        }
    }

    /// Leases balance over the live workers; a failed worker's leases wait for the failover
    /// time, then move (counted), and its batches in progress are lost.
    #[test]
    fn leases_balance_and_move_after_the_failover_time() {
        let s = spec(2);
        let mut k = Kcl::new(&s, 4);
        let mut moves = 0;
        let holders: Vec<u32> = (0..4).map(|id| k.holder(id, 0, &mut moves).unwrap()).collect();
        assert_eq!(holders, [0, 1, 0, 1]);
        k.queue(&s, 1, 1, 0, 50, 0.0, (Position::default(), Position::default()), vec![]);
        assert_eq!(k.in_flight(), 50);
        let (mut pos, mut seg) = (vec![Position::default(); 4], vec![0; 4]);
        k.worker_fails(
            1,
            secs(1),
            &s,
            &mut pos,
            &mut seg,
            &(0..4).map(|_| ShardLog::default()).collect::<Vec<_>>(),
        );
        assert_eq!(k.in_flight(), 0);
        assert_eq!(k.holder(1, secs(5), &mut moves), None, "free only after the failover time");
        assert_eq!(k.holder(1, secs(11), &mut moves), Some(0));
        assert_eq!(moves, 1);
        let w = k.workers();
        assert_eq!((w[0].leases, w[1].leases, w[1].failed_at_s), (3, 0, Some(1.0)));
    }

    /// A worker processes one batch at a time; a batch is done after its batch and record costs,
    /// and a checkpoint is written every `checkpoint_every` records.
    #[test]
    fn batches_queue_on_their_worker_and_checkpoint() {
        let s = spec(1);
        let mut k = Kcl::new(&s, 2);
        let mut moves = 0;
        k.holder(0, 0, &mut moves);
        let end = Position { seg: 0, offset: 60 };
        k.queue(&s, 0, 0, 0, 60, 0.0, (Position::default(), end), vec![]);
        k.queue(&s, 0, 0, 0, 60, 0.0, (end, Position { seg: 0, offset: 120 }), vec![]);
        assert!(!k.idle(0, millis(70)) && k.idle(1, 0));
        let (log, mut r) = (ShardLog::default(), ConsumerResult::default());
        let first = k.next_done(0, millis(70), &s, &log, &mut r).unwrap();
        assert_eq!(first.done, millis(70));
        assert!(k.next_done(0, millis(70), &s, &log, &mut r).is_none(), "the second waits for the first");
        assert_eq!(k.next_done(0, millis(140), &s, &log, &mut r).unwrap().done, millis(140));
        assert_eq!(
            (r.checkpoints, k.checkpoint(0), k.done_to(0)),
            (1, Position { seg: 0, offset: 120 }, Position { seg: 0, offset: 120 })
        );
    }
}
