//! The model's events and the effects through which components ask for them: an [`Effects`]
//! (the engine's [`Agenda`]) lent by the world for one event, through which a component asks
//! for events and can neither pop nor look at the queue. A leaf: it calls nothing of the model.

use crate::engine::Agenda;

/// How components ask for events (absolute times; equal times run in the order asked).
pub type Effects<'q> = Agenda<'q, Event>;

/// Every kind of event, matched exhaustively.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// Per-record mode: producer `p` creates its next user record.
    Arrival { p: u16 },
    /// Per-record mode: the linger timer of producer `p`'s batch of `epoch` expires.
    Linger { p: u16, epoch: u64 },
    /// A throttled cohort's backoff is over: it goes back to its producer.
    /// (The cohort waits in the world's `parked` slab: events stay 16 bytes, so the heap moves
    /// little memory.)
    Retry { p: u16, slot: u32 },
    /// Aggregated mode: every producer creates one tick's cohorts.
    Tick,
    /// The `i`-th scheduled `UpdateShardCount` call is due.
    ScheduledCall { i: u32 },
    /// The autoscaling policy reads the last evaluation period.
    Evaluate,
    /// An accepted `UpdateShardCount` finishes: the stream has `target` open shards.
    ReshardDone { target: u32 },
    /// On-demand: the split decided for shard `id` happens now.
    Split { id: u32 },
    /// The `i`-th scheduled capacity-mode switch is due.
    ModeSwitch { i: u32 },
    /// Consumer `c` reads (a GetRecords round over its shards, or an enhanced fan-out push).
    Poll { c: u16 },
    /// Worker `w` of consumer `c`'s KCL application stops.
    WorkerFail { c: u16, w: u32 },
    /// A period of consumer `c`'s job begins: its instances try the lock.
    JobTick { c: u16 },
    /// Run `run` of consumer `c`'s job ends.
    JobEnd { c: u16, run: u32 },
    /// Instance `i` of consumer `c`'s job stops.
    InstanceFail { c: u16, i: u32 },
}
