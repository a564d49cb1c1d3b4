//! The write path: the producers while the run goes on (per-record mode: arrivals, KPL
//! aggregation, PutRecords batches and linger timers, throttled records parked for their retry)
//! and the shards' side of every PutRecords call: admission against each shard's write limit
//! ([`ShardWriter`]), the sequence numbers shards assign, and what accepted records bill. What
//! becomes of records goes to the world's [`Sinks`]; an offer answers with its refused records,
//! which the caller retries (per-record mode here; aggregated mode in `ticks.rs`).
//!
//! Calls `producer`, `shard`, `shards` (read only), `tracer`, `readers` (the shard logs),
//! `capacity` (its load meter), `event` and the metrics' collector.

use crate::limits::PUT_PAYLOAD_UNIT_BYTES;
use crate::metrics::collector::{Collector, Offered};
use crate::model::ahead::Traffic;
use crate::model::capacity::Load;
use crate::model::event::{Effects, Event};
use crate::model::producer::{Cohort, ProducerRt, Target};
use crate::model::readers::Readers;
use crate::model::shard::{Admitted, ShardWriter};
use crate::model::shards::{MapChange, Shards};
use crate::model::tracer::{Attempt, Tracer};
use crate::scenario::{defaults, Scenario, WriteLimitModel};
use crate::units::{SimTime, KIB};

/// Who hears what happens to records, borrowed from the world for one event: the metrics,
/// the read side's shard logs, the record trace, capacity's load meter, and the events asked for.
pub struct Sinks<'a, 'q> {
    pub metrics: &'a mut Collector,
    pub logs: &'a mut Readers,
    pub tracer: &'a mut Tracer,
    pub load: &'a mut Load,
    pub fx: &'a mut Effects<'q>,
}

impl Sinks<'_, '_> {
    /// Count records offered to `shard` at `now` and what became of them.
    #[inline]
    pub fn attempt(&mut self, now: SimTime, shard: u32, o: Offered) {
        self.metrics.attempt(now, shard, o);
        self.load.count(shard, &o);
    }
}

pub struct Writes {
    producers: Vec<ProducerRt>,
    /// Per-record mode: each producer's draws of arrivals, keys and sizes (empty in aggregated
    /// mode, whose ticks draw their own).
    traffic: Vec<Traffic>,
    /// By shard id: its write limit, and the last sequence number it assigned (the Kinesis
    /// records it accepted so far).
    writers: Vec<ShardWriter>,
    seq: Vec<u64>,
    /// Kinesis records accepted (differs from user records with KPL aggregation).
    kinesis_accepted: u64,
    /// Per-record mode: cohorts waiting for their retry, and the free slots of that slab.
    parked: Vec<Cohort>,
    free_slots: Vec<u32>,
    /// Scratch buffer reused by every send (no allocation in the loop).
    sending: Vec<Cohort>,
    write_limit: WriteLimitModel,
    burst_bytes: u64,
    payload_counts_key: bool,
    end: SimTime,
}

impl Writes {
    /// The producers of `scenario` (`producers`) and the shards' writers; `traffic`: per-record
    /// mode's draws (empty in aggregated mode).
    pub fn new(
        scenario: &Scenario,
        producers: Vec<ProducerRt>,
        traffic: Vec<Traffic>,
        shards: usize,
    ) -> Self {
        let (write_limit, burst_bytes) = (scenario.stream.write_limit, scenario.stream.burst_bytes);
        Writes {
            producers,
            traffic,
            writers: (0..shards).map(|_| ShardWriter::new(write_limit, burst_bytes)).collect(),
            seq: vec![0; shards],
            kinesis_accepted: 0,
            parked: Vec::new(),
            free_slots: Vec::new(),
            sending: Vec::new(),
            write_limit,
            burst_bytes,
            payload_counts_key: scenario.cost.payload_counts_key,
            end: scenario.duration,
        }
    }

    /// The shard map changed: make room for the new shard ids.
    pub fn reshard(&mut self, change: &MapChange) {
        let total = change.opened.end as usize;
        let (model, burst) = (self.write_limit, self.burst_bytes);
        self.writers.resize_with(total, || ShardWriter::new(model, burst));
        self.seq.resize(total, 0);
    }

    /// Records still in producers (batching or awaiting a retry).
    pub fn pending(&self) -> u64 {
        self.producers.iter().map(|p| p.batch.buffered).sum()
    }

    /// Kinesis records accepted (an aggregated record counts one).
    pub fn kinesis_accepted(&self) -> u64 {
        self.kinesis_accepted
    }

    /// Producer `p` (aggregated mode's ticks use their producers through this).
    pub fn producer(&mut self, p: usize) -> &mut ProducerRt {
        &mut self.producers[p]
    }

    pub fn producers(&mut self) -> &mut [ProducerRt] {
        &mut self.producers
    }

    /// Per-record mode: ask for every producer's first arrival.
    pub fn start(&mut self, fx: &mut Effects) {
        for p in 0..self.producers.len() {
            self.schedule_arrival(p, fx);
        }
    }

    fn schedule_arrival(&mut self, p: usize, fx: &mut Effects) {
        let rng = &mut self.traffic[p].rng_arrivals;
        if let Some(t) = self.producers[p].arrivals.next(rng, self.end) {
            // `next` never goes back in time: arrivals are generated in order.
            fx.at(t, Event::Arrival { p: p as u16 });
        }
    }

    /// Per-record mode: producer `p` creates its next user record: into its buffer (unless it is
    /// full), with a key and a size drawn from its streams, then aggregated or batched.
    pub fn arrival(&mut self, p: usize, now: SimTime, shards: &Shards, out: &mut Sinks) {
        out.metrics.produced(now, 1);
        let trace = out.tracer.on_created();
        let pr = &mut self.producers[p];
        if pr.batch.buffered >= pr.spec.buffer_records {
            out.metrics.dropped_buffer(now, 1);
            if trace != 0 {
                out.tracer.lost(trace, p, now);
            }
        } else {
            let t = &mut self.traffic[p];
            let key = if trace != 0 {
                let (key, text) = shards.keys(p).sample_with_string(&mut t.rng_keys);
                out.tracer.follow(trace, p, text, key.hash);
                key
            } else {
                shards.keys(p).sample(&mut t.rng_keys)
            };
            let size = t.sizes.sample(&mut t.rng_sizes);
            pr.batch.buffered += 1;
            let c = Cohort {
                created: now,
                records: 1,
                bytes: size + key.len as u64,
                key_bytes: key.len,
                target: Target::Hash(key.hash),
                attempts: 0,
                trace,
                aggregated: false,
            };
            if trace != 0 {
                out.tracer.created(trace, p, now);
            }
            match pr.spec.aggregation {
                Some(max_size) => self.aggregate(p, c, u64::from(key.len), max_size, now, shards, out),
                None => self.add_to_batch(p, c, now, shards, out),
            }
        }
        self.schedule_arrival(p, out.fx);
    }

    /// Per-record mode: the linger timer of producer `p`'s batch of `epoch` expires (a batch sent
    /// since is another epoch).
    pub fn linger(&mut self, p: usize, epoch: u64, now: SimTime, shards: &Shards, out: &mut Sinks) {
        if self.producers[p].batch.epoch == epoch {
            self.send_batch(p, now, shards, out);
        }
    }

    /// Per-record mode: the backoff of the cohort parked in `slot` is over: it goes back to its
    /// producer's batch.
    pub fn retry(&mut self, p: usize, slot: u32, now: SimTime, shards: &Shards, out: &mut Sinks) {
        let cohort = self.parked[slot as usize];
        self.free_slots.push(slot);
        self.add_to_batch(p, cohort, now, shards, out);
    }

    /// KPL aggregation: the user record `c` (its key `key_len` bytes) joins the aggregated
    /// record filling for its shard; a record that would grow it past `max_size` bytes sends it
    /// to the batch first. The first record of an aggregate opens the linger timer if no batch
    /// is open, so no record waits longer than the linger.
    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        p: usize,
        c: Cohort,
        key_len: u64,
        max_size: u64,
        now: SimTime,
        shards: &Shards,
        out: &mut Sinks,
    ) {
        let Target::Hash(h) = c.target else { return self.add_to_batch(p, c, now, shards, out) };
        let shard = shards.map().shard_of(h);
        let add = c.bytes + defaults::AGGREGATION_USER_RECORD_OVERHEAD;
        let pr = &mut self.producers[p];
        if let Some((open, created_sum)) = pr.aggregates.get_mut(shard) {
            if open.bytes + add <= max_size {
                open.records += 1;
                open.bytes += add;
                *created_sum += c.created as f64;
                if c.trace != 0 {
                    if open.trace == 0 {
                        open.trace = c.trace;
                    } else {
                        out.tracer.aggregated(c.trace, open.trace, p, now);
                    }
                }
                return;
            }
        }
        if let Some((full, created_sum)) = pr.aggregates.remove(shard) {
            let full = Cohort { created: (created_sum / full.records as f64) as SimTime, ..full };
            self.add_to_batch(p, full, now, shards, out);
        }
        let pr = &mut self.producers[p];
        let first = pr.aggregates.is_empty() && pr.batch.cohorts.is_empty();
        let open = Cohort {
            bytes: key_len + defaults::AGGREGATION_RECORD_OVERHEAD + add,
            key_bytes: key_len as u32,
            aggregated: true,
            ..c
        };
        pr.aggregates.push(shard, open, c.created as f64);
        if first && pr.spec.batch.linger > 0 {
            let epoch = pr.batch.epoch;
            out.fx.at(now.saturating_add(pr.spec.batch.linger), Event::Linger { p: p as u16, epoch });
        }
    }

    fn add_to_batch(&mut self, p: usize, c: Cohort, now: SimTime, shards: &Shards, out: &mut Sinks) {
        if self.producers[p].batch.would_overflow(&self.producers[p].spec, &c) {
            self.send_batch(p, now, shards, out);
        }
        let pr = &mut self.producers[p];
        let added = pr.batch.push(&pr.spec, c);
        if added.start_timer {
            let epoch = pr.batch.epoch;
            out.fx.at(now.saturating_add(pr.spec.batch.linger), Event::Linger { p: p as u16, epoch });
        }
        if added.send_now {
            self.send_batch(p, now, shards, out);
        }
    }

    /// Send producer `p`'s batch as one PutRecords call. Records are resolved (accepted, retried
    /// or dropped) one by one, as PutRecords does; the call's answer comes back after one round
    /// trip.
    fn send_batch(&mut self, p: usize, now: SimTime, shards: &Shards, out: &mut Sinks) {
        // A PutRecords call also takes the aggregated records still filling (KPL: a record
        // waits at most RecordMaxBufferedTime, the linger here).
        if !self.producers[p].aggregates.is_empty() {
            let open = self.producers[p].aggregates.take_all();
            for (_, c, created_sum) in open {
                let c = Cohort { created: (created_sum / c.records as f64) as SimTime, ..c };
                self.add_to_batch(p, c, now, shards, out);
            }
        }
        let mut sending = std::mem::take(&mut self.sending);
        self.producers[p].batch.take(&mut sending);
        if !sending.is_empty() {
            out.metrics.put_calls(1);
            let rtt = self.producers[p].rtt();
            for c in sending.drain(..) {
                let (shard, o, refused) = self.send(p, c, now, rtt, shards, out);
                out.attempt(now, shard, o);
                if let Some(retry) = refused {
                    self.park(p, retry, now, rtt, out.fx);
                }
            }
        }
        self.sending = sending;
    }

    /// Per-record mode: the refused records `retry` of producer `p` wait for their backoff,
    /// which starts when the call's answer comes back.
    fn park(&mut self, p: usize, retry: Cohort, now: SimTime, rtt: SimTime, fx: &mut Effects) {
        let delay = rtt + self.producers[p].backoff(retry.attempts);
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.parked[s as usize] = retry;
                s
            }
            None => {
                self.parked.push(retry);
                (self.parked.len() - 1) as u32
            }
        };
        fx.at(now.saturating_add(delay), Event::Retry { p: p as u16, slot });
    }

    /// Offer cohort `c` of producer `p` to the shard it goes to now, its call answered after
    /// `rtt`: that shard, what became of the records (not counted yet: the caller counts it),
    /// and the refused records to retry (none when all were accepted or the attempts are used
    /// up).
    #[inline]
    pub fn send(
        &mut self,
        p: usize,
        c: Cohort,
        now: SimTime,
        rtt: SimTime,
        shards: &Shards,
        out: &mut Sinks,
    ) -> (u32, Offered, Option<Cohort>) {
        let shard = shards.shard_for(c.target);
        let (adm, refused) = self.offer(p, shard, &c, now, rtt, out);
        let offered = Offered {
            records: c.records,
            bytes: c.bytes,
            accepted_records: adm.records,
            accepted_bytes: adm.bytes,
            retried: if c.attempts > 0 { c.records } else { 0 },
        };
        (shard, offered, refused)
    }

    /// The shard decides on cohort `c`: accepted records are numbered, logged for readers, timed
    /// and billed; the rest is dropped after its last attempt or comes back to be retried.
    fn offer(
        &mut self,
        p: usize,
        shard: u32,
        c: &Cohort,
        now: SimTime,
        rtt: SimTime,
        out: &mut Sinks,
    ) -> (Admitted, Option<Cohort>) {
        let mut adm = self.writers[shard as usize].admit(now, c.kinesis_records(), c.bytes);
        if c.aggregated {
            // An aggregated record is accepted whole: all its user records are in.
            if adm.records == 1 {
                adm.records = c.records;
                self.kinesis_accepted += 1;
            }
        } else {
            self.kinesis_accepted += adm.records;
        }
        let answered = now + rtt;
        out.metrics.latency(now, answered - c.created, adm.records);
        // Kinesis numbers Kinesis records; the user records of an aggregated one share its
        // sequence number (with sub-sequence numbers).
        self.seq[shard as usize] += if c.aggregated { u64::from(adm.records > 0) } else { adm.records };
        if adm.records > 0 && out.logs.active() {
            let traced = if adm.records == c.records { c.trace } else { 0 };
            out.logs.append(shard as usize, now, adm.records, adm.bytes, c.created, traced);
        }
        let pr = &mut self.producers[p];
        let attempts = c.attempts + 1;
        let last = attempts >= pr.spec.retry.max_attempts;
        if c.trace != 0 {
            let outcome = if adm.records == c.records {
                Attempt::Accepted { sequence_number: self.seq[shard as usize], latency: answered - c.created }
            } else {
                Attempt::Throttled { limit: self.writers[shard as usize].binding_limit(now, c.bytes), last }
            };
            out.tracer.attempt(c.trace, shard, attempts, outcome, p, now);
        }
        if adm.records > 0 {
            // A record of known size (per-record mode: one record, or one KPL aggregated
            // record) is billed exactly; aggregated-mode cohorts (drawn per shard), even of one
            // record, at the end of their tick from the expected billing of a record (their
            // sizes are drawn with the mean key length).
            match c.target {
                Target::Hash(_) if c.aggregated || c.records == 1 => {
                    // Accepted whole: the billed size is the data blob, plus the key if the
                    // scenario counts it (`[cost] payload_counts_key`).
                    let billed =
                        if self.payload_counts_key { adm.bytes } else { adm.bytes - u64::from(c.key_bytes) };
                    out.metrics.billing(now, billed.div_ceil(PUT_PAYLOAD_UNIT_BYTES), billed.div_ceil(KIB));
                }
                Target::Shard(_) => pr.unbilled += adm.records,
                Target::Hash(_) => {
                    let (units, kib) = pr.bill_expected(adm.records);
                    out.metrics.billing(now, units, kib);
                }
            }
        }
        pr.batch.buffered -= adm.records;
        let rejected = c.records - adm.records;
        if rejected == 0 {
            return (adm, None);
        }
        if last {
            pr.batch.buffered -= rejected;
            out.metrics.dropped_throttled(now, rejected);
            return (adm, None);
        }
        (adm, Some(Cohort { records: rejected, bytes: c.bytes - adm.bytes, attempts, ..*c }))
    }
}
