//! Aggregated mode: time goes by in ticks, and each tick every producer's new records reach
//! each shard as one cohort, with the retries due in that tick. Owns the ticks' draws
//! ([`Source`]: in line or ahead on a thread) and the refused records waiting for the tick of
//! their retry. Offers go through the write path ([`Writes`]). Calls `ahead`, `writes`,
//! `shards` (read only), `producer` and `event`.

use crate::metrics::collector::Offered;
use crate::model::ahead::{Remap, Source, TickDraw, Traffic};
use crate::model::event::Event;
use crate::model::producer::{Cohort, Target};
use crate::model::shard::mul_div;
use crate::model::shards::{MapChange, Shards};
use crate::model::writes::{Sinks, Writes};
use crate::scenario::Scenario;
use crate::units::SimTime;

/// Refused records waiting for the tick of their retry. Records of the same producer, creation
/// instant and attempt count that fall due in the same tick wait together (their sizes add up):
/// the work of retries grows with the ticks a backoff spans, not with the records refused.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    /// The tick (index) the retry goes out in.
    due: u64,
    created: SimTime,
    records: u64,
    bytes: u64,
    /// Attempts made so far.
    attempts: u32,
    p: u16,
}

pub struct Ticks {
    tick: SimTime,
    end: SimTime,
    /// Each producer's traffic draws (in line, or ahead on a thread).
    source: Source,
    /// Refused records waiting for their retry, by the shard id they were drawn for, and a
    /// scratch list of those due in the current tick.
    waiting: Vec<Vec<Waiting>>,
    due_now: Vec<Waiting>,
    /// Closed shard ids with retries still waiting.
    closed_waiting: Vec<u32>,
    /// Scratch: each producer's round trip of the tick.
    rtts: Vec<SimTime>,
}

impl Ticks {
    /// The ticks of `scenario`, drawing from each producer's `traffic` in line.
    pub fn new(scenario: &Scenario, traffic: Vec<Traffic>, shards: usize) -> Self {
        Ticks {
            tick: scenario.engine.tick,
            end: scenario.duration,
            source: Source::inline(traffic),
            waiting: vec![Vec::new(); shards],
            due_now: Vec::new(),
            closed_waiting: Vec::new(),
            rtts: Vec::new(),
        }
    }

    /// Draw the ticks' records ahead on a thread of their own (the same draws as in line).
    pub fn draw_ahead(&mut self) {
        let Source::Inline { traffic, .. } = std::mem::replace(&mut self.source, Source::inline(Vec::new()))
        else {
            unreachable!("ticks start drawing in line")
        };
        self.source = Source::ahead(traffic, self.tick, self.end);
    }

    /// The first tick starts with the run.
    pub fn start(&self, fx: &mut crate::model::event::Effects) {
        fx.at(0, Event::Tick);
    }

    /// The shard map changed: closed shards with retries waiting keep them (they go to the
    /// open shard holding the middle of their range), new shard ids get room.
    pub fn reshard(&mut self, change: &MapChange) {
        for &id in &change.closed {
            if !self.waiting[id as usize].is_empty() {
                self.closed_waiting.push(id);
            }
        }
        self.waiting.resize_with(change.opened.end as usize, Vec::new);
    }

    /// The next ticks split their records over the new map.
    pub fn remap(&mut self, remap: Remap) {
        self.source.remap(remap);
    }

    /// The tick `[now, now + tick)`, with its new records, and the next one asked for.
    pub fn tick(&mut self, now: SimTime, writes: &mut Writes, shards: &Shards, out: &mut Sinks) {
        let tick_end = (now + self.tick).min(self.end);
        let cur = self.source.tick(now, tick_end);
        self.run_tick(now, &cur, writes, shards, out);
        self.source.recycle(cur);
        if tick_end < self.end {
            out.fx.at(tick_end, Event::Tick);
        }
    }

    /// Run the tick `[now, ...)` with its new records `cur`. Shard by shard: first the retries
    /// due, then each producer's new records for the shard; what the shard did in the tick is
    /// counted once.
    fn run_tick(
        &mut self,
        now: SimTime,
        cur: &TickDraw,
        writes: &mut Writes,
        shards: &Shards,
        out: &mut Sinks,
    ) {
        let this_tick = now / self.tick;
        let mut due = std::mem::take(&mut self.due_now);
        // Retries drawn for shards that have since closed go to the open shard holding the
        // middle of the closed shard's range, each counted on its own.
        let mut closed = std::mem::take(&mut self.closed_waiting);
        closed.retain(|&id| {
            self.take_due(id as usize, this_tick, &mut due);
            for w in due.drain(..) {
                let (shard, o) = self.send_waiting(id, w, now, writes, shards, out);
                out.attempt(now, shard, o);
            }
            !self.waiting[id as usize].is_empty()
        });
        self.closed_waiting = closed;
        // Each producer's new records of the tick, per shard position.
        let n_pos = shards.map().len();
        let counts = &cur.counts;
        let mut rtts = std::mem::take(&mut self.rtts);
        rtts.clear();
        for (pr, &(total, _)) in writes.producers().iter_mut().zip(&cur.totals) {
            out.metrics.produced(now, total);
            out.metrics.put_calls(calls_for(total, pr.spec.batch.max_records));
            rtts.push(if total > 0 { pr.rtt() } else { 0 });
        }
        for pos in 0..n_pos {
            let id = shards.map().shard_ids()[pos];
            let mut tick = Offered::default();
            if !self.waiting[id as usize].is_empty() {
                self.take_due(id as usize, this_tick, &mut due);
                for w in due.drain(..) {
                    tick += self.send_waiting(id, w, now, writes, shards, out).1;
                }
            }
            for (p, &rtt) in rtts.iter().enumerate() {
                let n = counts[p * n_pos + pos];
                let n_bytes = cur.bytes[p * n_pos + pos];
                if n == 0 {
                    continue;
                }
                let pr = writes.producer(p);
                let room = pr.spec.buffer_records.saturating_sub(pr.batch.buffered);
                let take = n.min(room);
                if take < n {
                    out.metrics.dropped_buffer(now, n - take);
                }
                if take == 0 {
                    continue;
                }
                // Records lost to a full buffer take their share of the bytes with them.
                let bytes = if take == n { n_bytes } else { mul_div(n_bytes, take, n) };
                pr.batch.buffered += take;
                let c = Cohort {
                    trace: 0,
                    created: now,
                    records: take,
                    bytes,
                    key_bytes: 0,
                    target: Target::Shard(id),
                    attempts: 0,
                    aggregated: false,
                };
                tick += self.send(p, c, now, rtt, writes, shards, out).1;
            }
            if tick.records > 0 {
                out.attempt(now, id, tick);
            }
        }
        for pr in writes.producers() {
            let unbilled = std::mem::take(&mut pr.unbilled);
            if unbilled > 0 {
                let (units, kib) = pr.bill_expected(unbilled);
                out.metrics.billing(now, units, kib);
            }
        }
        self.rtts = rtts;
        self.due_now = due;
    }

    /// Offer cohort `c` of producer `p` (drawn for a shard), without counting it: that shard and
    /// what became of the records. Its refused records wait for their retry.
    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        p: usize,
        c: Cohort,
        now: SimTime,
        rtt: SimTime,
        writes: &mut Writes,
        shards: &Shards,
        out: &mut Sinks,
    ) -> (u32, Offered) {
        let (shard, o, refused) = writes.send(p, c, now, rtt, shards, out);
        if let Some(retry) = refused {
            self.wait(p, &c, retry, now, rtt, writes);
        }
        (shard, o)
    }

    /// The cohort `c` went out as PutRecords calls of `max_records` records in order, and the
    /// shard took the first of them; `retry` is the rest. The refused records of each call retry
    /// together after one backoff, as in per-record mode; they wait by the shard they were drawn
    /// for, with the retries due in the same tick of the same producer, creation instant and
    /// attempt count.
    fn wait(&mut self, p: usize, c: &Cohort, retry: Cohort, now: SimTime, rtt: SimTime, writes: &mut Writes) {
        let Target::Shard(id) = c.target else { unreachable!("aggregated-mode cohorts are drawn per shard") };
        let first_tick = now / self.tick + 1;
        let pr = writes.producer(p);
        let max = u64::from(pr.spec.batch.max_records).max(1);
        let waiting = &mut self.waiting[id as usize];
        let (rejected, bytes, attempts) = (retry.records, retry.bytes, retry.attempts);
        let key = (p as u16, attempts, c.created);
        // Call by call, from the rest of the call the shard stopped in; bytes in proportion to
        // records, the last call taking the remainder.
        let (mut from, mut left_b) = (c.records - rejected, bytes);
        while from < c.records {
            let to = c.records.min((from / max + 1) * max);
            let n = to - from;
            let b = if to == c.records { left_b } else { mul_div(bytes, n, rejected) };
            left_b -= b;
            from = to;
            let delay = rtt + pr.backoff(attempts);
            let due = (now + delay).div_ceil(self.tick).max(first_tick);
            match waiting.iter_mut().find(|w| w.due == due && (w.p, w.attempts, w.created) == key) {
                Some(w) => {
                    w.records += n;
                    w.bytes += b;
                }
                None => waiting.push(Waiting {
                    due,
                    created: c.created,
                    records: n,
                    bytes: b,
                    attempts,
                    p: key.0,
                }),
            }
        }
    }

    /// Refused records whose retry is due now, drawn for shard `id`, go out as one PutRecords
    /// round (as many calls as their count needs); not counted yet.
    fn send_waiting(
        &mut self,
        id: u32,
        w: Waiting,
        now: SimTime,
        writes: &mut Writes,
        shards: &Shards,
        out: &mut Sinks,
    ) -> (u32, Offered) {
        let p = w.p as usize;
        let pr = writes.producer(p);
        out.metrics.put_calls(calls_for(w.records, pr.spec.batch.max_records));
        let rtt = pr.rtt();
        let c = Cohort {
            created: w.created,
            records: w.records,
            bytes: w.bytes,
            key_bytes: 0,
            target: Target::Shard(id),
            attempts: w.attempts,
            trace: 0,
            aggregated: false,
        };
        self.send(p, c, now, rtt, writes, shards, out)
    }

    /// Take out of `waiting[id]` the retries due by tick `this_tick`, into `due` (in the order
    /// they were queued).
    fn take_due(&mut self, id: usize, this_tick: u64, due: &mut Vec<Waiting>) {
        self.waiting[id].retain(|w| {
            let now_due = w.due <= this_tick;
            if now_due {
                due.push(*w);
            }
            !now_due
        });
    }
}

/// PutRecords calls that carry `records` records, `max_records` per call. Most retried cohorts
/// fit one call: that case skips the division (a hot path in aggregated mode).
fn calls_for(records: u64, max_records: u32) -> u64 {
    let max = u64::from(max_records);
    if records <= max {
        u64::from(records > 0)
    } else {
        records.div_ceil(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_carry_at_most_max_records_each() {
        assert_eq!(calls_for(0, 500), 0);
        assert_eq!(calls_for(1, 500), 1);
        assert_eq!(calls_for(500, 500), 1);
        assert_eq!(calls_for(501, 500), 2);
        assert_eq!(calls_for(1_250, 500), 3);
    }
}
