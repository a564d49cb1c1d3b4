//! Aggregated mode: the new records of each tick (how many per shard, and their bytes), drawn
//! from the producers' own random streams, either in line or on a thread of their own that runs
//! ahead of the simulation.
//!
//! The draws depend on nothing the simulation does, except the shard map the records are split
//! over. The thread draws ticks ahead with the map it knows; when the map changes, the ticks it
//! drew for the old map are split again from the random state they started from (kept for each
//! tick drawn ahead). Each tick's records are therefore drawn exactly as in line: the same
//! draws from the same streams, in the same order, whatever the thread count (tested).
//!
//! Owns each producer's traffic streams ([`Traffic`]; per-record mode draws its arrivals, keys
//! and sizes from them too) and the drawing thread. Calls `producer`, `sizes` and `split`.

use crate::engine::rng_stream;
use crate::model::producer::TickCounter;
use crate::model::sizes::SizeSampler;
use crate::model::split::Splitter;
use crate::scenario::Producer;
use crate::units::{round_u64, SimTime};
use rand_pcg::Pcg64Mcg;
use std::collections::VecDeque;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender, TryRecvError};
use std::thread::JoinHandle;

/// Ticks the thread hands over at once, and batches it may draw ahead of the simulation: the
/// two threads meet once every `BATCH` ticks, not every tick.
const BATCH: usize = 8;
const AHEAD_BATCHES: usize = 4;
/// Ticks drawn and not yet used at most: those in the channel, in the simulation's batch at
/// hand, in the batch being handed over and in the batch being filled. The thread keeps the
/// random state of that many ticks, to split them again.
const AHEAD_TICKS: usize = (AHEAD_BATCHES + 3) * BATCH;

/// A producer's traffic draws: when records arrive (per-record mode) or how many each tick
/// brings and how they split over the shards (aggregated mode), their partition keys and
/// sizes, from the producer's own random streams.
pub struct Traffic {
    pub ticks: TickCounter,
    /// Aggregated mode: each shard position's share of the keys, and the split by it.
    pub split: Splitter,
    /// Aggregated mode: mean key length [bytes] per shard position.
    pub mean_key_len: Vec<f64>,
    pub sizes: SizeSampler,
    pub rng_arrivals: Pcg64Mcg,
    pub rng_keys: Pcg64Mcg,
    pub rng_sizes: Pcg64Mcg,
}

impl Traffic {
    /// Producer `spec`'s draws in a run seeded `seed`: its records' sizes drawn by `sizes`, its
    /// share of records on each open shard `share` and their mean key length `mean_key_len`.
    pub fn new(
        spec: &Producer,
        seed: u64,
        sizes: SizeSampler,
        share: Vec<f64>,
        mean_key_len: Vec<f64>,
    ) -> Self {
        let label = |what: &str| format!("producer/{}/{}", spec.name, what);
        Traffic {
            ticks: TickCounter::new(&spec.rate, spec.arrivals),
            split: Splitter::new(share),
            mean_key_len,
            sizes,
            rng_arrivals: rng_stream(seed, &label("arrivals")),
            rng_keys: rng_stream(seed, &label("keys")),
            rng_sizes: rng_stream(seed, &label("sizes")),
        }
    }
}

/// The new records of one tick.
#[derive(Default)]
pub struct TickDraw {
    /// The tick's start.
    pub start: SimTime,
    /// The shard map it was split over (a count of map changes).
    generation: u64,
    /// Each producer's records of the tick and the expected number.
    pub totals: Vec<(u64, f64)>,
    /// Producer by producer, the records of each shard position and their bytes (data + key).
    pub counts: Vec<u64>,
    pub bytes: Vec<u64>,
}

impl TickDraw {
    /// Draw each producer's records of `[t0, t1)`.
    fn draw_totals(&mut self, traffic: &mut [Traffic], t0: SimTime, t1: SimTime) {
        self.start = t0;
        self.totals.clear();
        for t in traffic.iter_mut() {
            self.totals.push(t.ticks.tick(t0, t1, &mut t.rng_arrivals));
        }
    }

    /// Split the totals over the shards, with their bytes.
    fn split(&mut self, traffic: &mut [Traffic]) {
        self.counts.clear();
        self.bytes.clear();
        for (t, &(n, lambda)) in traffic.iter_mut().zip(&self.totals) {
            let from = self.counts.len();
            t.split.split(n, lambda, &mut t.rng_keys, &mut self.counts);
            for (&n, key_len) in self.counts[from..].iter().zip(&t.mean_key_len) {
                let b =
                    if n == 0 { 0 } else { t.sizes.sum(n, &mut t.rng_sizes) + round_u64(n as f64 * key_len) };
                self.bytes.push(b);
            }
        }
    }
}

/// A new shard map: each producer's split and mean key length per shard position.
pub struct Remap {
    pub splits: Vec<Splitter>,
    pub mean_key_len: Vec<Vec<f64>>,
}

fn apply(traffic: &mut [Traffic], remap: Remap) {
    for ((t, s), k) in traffic.iter_mut().zip(remap.splits).zip(remap.mean_key_len) {
        t.split = s;
        t.mean_key_len = k;
    }
}

/// Where the ticks' records come from.
pub enum Source {
    /// Drawn when the tick starts.
    Inline { traffic: Vec<Traffic>, spare: Option<TickDraw> },
    /// Drawn ahead on a thread.
    Ahead(Ahead),
}

impl Source {
    /// Draw in line.
    pub fn inline(traffic: Vec<Traffic>) -> Self {
        Source::Inline { traffic, spare: None }
    }

    /// Draw the ticks `[k * tick, ...)` up to `end` ahead, on a thread.
    pub fn ahead(traffic: Vec<Traffic>, tick: SimTime, end: SimTime) -> Self {
        let (draws_tx, draws) = sync_channel(AHEAD_BATCHES);
        let (cmds, cmds_rx) = channel();
        let (spare, spare_rx) = channel();
        let ends = Ends { out: draws_tx, cmds: cmds_rx, spare: spare_rx };
        let handle = std::thread::spawn(move || draw_ahead(traffic, tick, end, ends));
        Source::Ahead(Ahead {
            draws: Some(draws),
            cmds: Some(cmds),
            spare: Some(spare),
            ready: VecDeque::new(),
            generation: 0,
            remap: None,
            handle: Some(handle),
        })
    }

    /// The records of the tick `[t0, t1)`; ticks are asked for in order.
    pub fn tick(&mut self, t0: SimTime, t1: SimTime) -> TickDraw {
        match self {
            Source::Inline { traffic, spare } => {
                let mut d = spare.take().unwrap_or_default();
                d.draw_totals(traffic, t0, t1);
                d.split(traffic);
                d
            }
            Source::Ahead(a) => a.tick(t0),
        }
    }

    /// Give back a tick's buffers.
    pub fn recycle(&mut self, d: TickDraw) {
        match self {
            Source::Inline { spare, .. } => *spare = Some(d),
            Source::Ahead(a) => {
                if let Some(s) = &a.spare {
                    let _ = s.send(d);
                }
            }
        }
    }

    /// The shard map changed: the next ticks are split over the new one.
    pub fn remap(&mut self, remap: Remap) {
        match self {
            Source::Inline { traffic, .. } => apply(traffic, remap),
            Source::Ahead(a) => a.remap = Some(remap),
        }
    }
}

/// The simulation's end of the drawing thread.
pub struct Ahead {
    /// Channels to the thread: ticks drawn (in batches), map changes, spent ticks' buffers.
    /// `None` only once dropped (see [`Drop`]).
    draws: Option<Receiver<Vec<TickDraw>>>,
    cmds: Option<Sender<(SimTime, u64, Remap)>>,
    spare: Option<Sender<TickDraw>>,
    /// Ticks received and not used yet.
    ready: VecDeque<TickDraw>,
    generation: u64,
    /// A map change not yet sent: it goes with the next tick asked for.
    remap: Option<Remap>,
    handle: Option<JoinHandle<()>>,
}

impl Ahead {
    fn tick(&mut self, t0: SimTime) -> TickDraw {
        if let Some(remap) = self.remap.take() {
            self.generation += 1;
            if let Some(cmds) = &self.cmds {
                // The thread lives until this end is dropped.
                let _ = cmds.send((t0, self.generation, remap));
            }
        }
        loop {
            while let Some(d) = self.ready.pop_front() {
                // Ticks drawn for an older map were split again; skip the old ones.
                if d.generation == self.generation {
                    assert_eq!(d.start, t0, "ticks are drawn and asked for in order");
                    return d;
                }
            }
            let draws = self.draws.as_ref().expect("not dropped");
            let batch = draws.recv().expect("the drawing thread draws every tick of the run");
            self.ready.extend(batch);
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // Hanging up both channels ends the thread, wherever it waits.
        self.draws = None;
        self.cmds = None;
        self.spare = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A tick drawn ahead: its totals, and each producer's split and size streams as they were
/// before its split (to split it again after a map change).
struct Drawn {
    start: SimTime,
    totals: Vec<(u64, f64)>,
    streams: Vec<(Pcg64Mcg, Pcg64Mcg)>,
}

/// The drawing thread's ends of the channels.
struct Ends {
    out: SyncSender<Vec<TickDraw>>,
    cmds: Receiver<(SimTime, u64, Remap)>,
    spare: Receiver<TickDraw>,
}

/// The drawing thread: draws every tick of the run in order and hands them over in batches,
/// and after each map change (from which tick, its generation, the new map) splits again the
/// ticks it drew from that tick on. Ends when the simulation hangs up.
fn draw_ahead(mut traffic: Vec<Traffic>, tick: SimTime, end: SimTime, ends: Ends) {
    let mut drawn: VecDeque<Drawn> = VecDeque::with_capacity(AHEAD_TICKS + 1);
    let mut batch = Vec::with_capacity(BATCH);
    let mut generation = 0;
    let mut next = 0;
    let snapshot = |traffic: &[Traffic], into: &mut Vec<(Pcg64Mcg, Pcg64Mcg)>| {
        into.clear();
        into.extend(traffic.iter().map(|t| (t.rng_keys.clone(), t.rng_sizes.clone())));
    };
    // Hand over the batch; false once the simulation has hung up.
    let send = |batch: &mut Vec<TickDraw>| batch.is_empty() || ends.out.send(std::mem::take(batch)).is_ok();
    loop {
        let cmd = if next >= end {
            if !send(&mut batch) {
                return;
            }
            match ends.cmds.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        } else {
            match ends.cmds.try_recv() {
                Ok(c) => Some(c),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return,
            }
        };
        if let Some((from, g, remap)) = cmd {
            generation = g;
            apply(&mut traffic, remap);
            // Ticks not drawn yet need nothing more; those drawn are split again from the
            // streams they started with, and handed over at once.
            let Some(i) = drawn.iter().position(|d| d.start == from) else {
                // Not drawn yet (the simulation is waiting for it): drawn with the new map.
                assert!(
                    drawn.back().is_none_or(|d| d.start < from),
                    "tick {from} fell out of the {AHEAD_TICKS} ticks kept"
                );
                continue;
            };
            // Every tick of the batch being filled is one of those, not used yet.
            batch.clear();
            for (t, (keys, sizes)) in traffic.iter_mut().zip(&drawn[i].streams) {
                t.rng_keys = keys.clone();
                t.rng_sizes = sizes.clone();
            }
            for record in drawn.iter_mut().skip(i) {
                snapshot(&traffic, &mut record.streams);
                let mut d = ends.spare.try_recv().unwrap_or_default();
                d.start = record.start;
                d.generation = generation;
                d.totals.clone_from(&record.totals);
                d.split(&mut traffic);
                batch.push(d);
                if batch.len() == BATCH && !send(&mut batch) {
                    return;
                }
            }
            if !send(&mut batch) {
                return;
            }
            continue;
        }
        let t1 = (next + tick).min(end);
        let mut d = ends.spare.try_recv().unwrap_or_default();
        d.generation = generation;
        d.draw_totals(&mut traffic, next, t1);
        let mut record = if drawn.len() >= AHEAD_TICKS {
            drawn.pop_front().expect("not empty")
        } else {
            Drawn { start: 0, totals: Vec::new(), streams: Vec::new() }
        };
        record.start = next;
        record.totals.clone_from(&d.totals);
        snapshot(&traffic, &mut record.streams);
        drawn.push_back(record);
        d.split(&mut traffic);
        batch.push(d);
        next = t1;
        if (batch.len() == BATCH || next >= end) && !send(&mut batch) {
            return;
        }
    }
}
