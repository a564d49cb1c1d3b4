//! The world: the stream's shards, the producers and the metrics, driven by the event queue.
//! This is the one place where model decisions become scheduled events.

use crate::engine::{rng_stream, EventQueue};
use crate::metrics::collector::{Collector, Finished};
use crate::model::hashing::{shard_id_string, ShardMap};
use crate::model::keys::KeySpace;
use crate::model::producer::{
    backoff, rtt, split_counts, ArrivalProcess, Batcher, Cohort, Target, TickCounter,
};
use crate::model::shard::ShardWriter;
use crate::model::sizes::SizeSampler;
use crate::scenario::{EngineMode, Producer, Scenario};
use crate::units::{SimTime, KIB};

/// A PUT payload unit: 25 KB chunks of a record, rounded up; AWS's examples (5 KB = 1 unit,
/// 45 KB = 2, 1 MB = 40) hold with decimal kilobytes, so a unit is 25,000 bytes.
/// Source: https://aws.amazon.com/kinesis/data-streams/pricing/
pub const PUT_PAYLOAD_UNIT_BYTES: u64 = 25_000;
use rand_pcg::Pcg64Mcg;

/// Every kind of event, matched exhaustively.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// Per-record mode: producer `p` creates its next user record.
    Arrival { p: u16 },
    /// Per-record mode: the linger timer of producer `p`'s batch of `epoch` expires.
    Linger { p: u16, epoch: u64 },
    /// A throttled cohort's backoff is over: it goes back to its producer.
    Retry { p: u16, cohort: Cohort },
    /// Aggregated mode: every producer creates one tick's cohorts.
    Tick,
}

struct ProducerRt {
    spec: Producer,
    keys: KeySpace,
    sizes: SizeSampler,
    arrivals: ArrivalProcess,
    ticks: TickCounter,
    batch: Batcher,
    /// Aggregated mode: share and mean key length [bytes] per shard position.
    share: Vec<f64>,
    mean_key_len: Vec<f64>,
    /// Aggregated mode: expected PUT payload units and billed KiB of one record.
    mean_put_units: f64,
    mean_billed_kib: f64,
    rng_arrivals: Pcg64Mcg,
    rng_keys: Pcg64Mcg,
    rng_sizes: Pcg64Mcg,
    rng_retry: Pcg64Mcg,
    rng_rtt: Pcg64Mcg,
}

pub struct World<'a> {
    scenario: &'a Scenario,
    queue: EventQueue<Event>,
    map: ShardMap,
    shards: Vec<ShardWriter>,
    producers: Vec<ProducerRt>,
    metrics: Collector,
    /// Scratch buffers reused by every send and tick (no allocation in the loop).
    sending: Vec<Cohort>,
    counts: Vec<u64>,
}

impl<'a> World<'a> {
    pub fn new(scenario: &'a Scenario) -> Self {
        let n = scenario.stream.shards;
        let map = ShardMap::uniform(n);
        let seed = scenario.seed;
        let producers = scenario
            .producers
            .iter()
            .map(|p| {
                let keys = KeySpace::new(&p.keys);
                let max_data = scenario.stream.max_record_size.saturating_sub(keys.max_len() as u64);
                let (share, mean_key_len) = keys.shard_shares(&map);
                let label = |what: &str| format!("producer/{}/{}", p.name, what);
                let sizes = SizeSampler::new(&p.record_size, max_data);
                let key_len = KeySpace::mean_key_len(&p.keys);
                ProducerRt {
                    mean_put_units: sizes.mean_units(key_len, PUT_PAYLOAD_UNIT_BYTES),
                    mean_billed_kib: sizes.mean_units(key_len, KIB),
                    sizes,
                    arrivals: ArrivalProcess::new(&p.rate, p.arrivals),
                    ticks: TickCounter::new(&p.rate, p.arrivals),
                    batch: Batcher::new(),
                    share,
                    mean_key_len,
                    keys,
                    rng_arrivals: rng_stream(seed, &label("arrivals")),
                    rng_keys: rng_stream(seed, &label("keys")),
                    rng_sizes: rng_stream(seed, &label("sizes")),
                    rng_retry: rng_stream(seed, &label("retry")),
                    rng_rtt: rng_stream(seed, &label("rtt")),
                    spec: p.clone(),
                }
            })
            .collect();
        let mut metrics = Collector::new(scenario.duration, n as usize);
        metrics.open_shards_from(0, n);
        World {
            scenario,
            queue: EventQueue::new(),
            map,
            shards: (0..n).map(|_| ShardWriter::new(scenario.stream.write_limit)).collect(),
            producers,
            metrics,
            sending: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Run to the scenario's end and return the collected metrics.
    pub fn run(mut self) -> Finished {
        let end = self.scenario.duration;
        match self.scenario.engine.mode {
            EngineMode::PerRecord => {
                for p in 0..self.producers.len() {
                    self.schedule_arrival(p, end);
                }
            }
            EngineMode::Aggregated => self.queue.schedule_in(0, Event::Tick),
        }
        while let Some((now, ev)) = self.queue.pop_before(end) {
            match ev {
                Event::Arrival { p } => self.on_arrival(p as usize, now, end),
                Event::Linger { p, epoch } => {
                    if self.producers[p as usize].batch.epoch == epoch {
                        self.send_batch(p as usize, now);
                    }
                }
                Event::Retry { p, cohort } => self.on_retry(p as usize, cohort, now),
                Event::Tick => self.on_tick(now, end),
            }
        }
        let pending = self.producers.iter().map(|p| p.batch.buffered).sum();
        let d = self.scenario.duration;
        // Traffic-weighted key share: each producer's shard shares weighted by its volume.
        let volumes: Vec<f64> = self.producers.iter().map(|p| p.spec.rate.integral(0, d)).collect();
        let total: f64 = volumes.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        let shards = self
            .map
            .ranges()
            .iter()
            .zip(self.map.shard_ids())
            .enumerate()
            .map(|(pos, (r, id))| {
                let share =
                    self.producers.iter().zip(&volumes).map(|(p, v)| p.share[pos] * v).sum::<f64>() / total;
                (shard_id_string(*id), r.start, r.end, share)
            })
            .collect();
        self.metrics.finish(pending, shards)
    }

    fn schedule_arrival(&mut self, p: usize, end: SimTime) {
        let pr = &mut self.producers[p];
        if let Some(t) = pr.arrivals.next(&mut pr.rng_arrivals, end) {
            // `next` never goes back in time: arrivals are generated in order.
            let _ = self.queue.schedule_at(t, Event::Arrival { p: p as u16 });
        }
    }

    fn on_arrival(&mut self, p: usize, now: SimTime, end: SimTime) {
        self.metrics.produced(now, 1);
        let pr = &mut self.producers[p];
        if pr.batch.buffered >= pr.spec.buffer_records {
            self.metrics.dropped_buffer(now, 1);
        } else {
            let key = pr.keys.sample(&mut pr.rng_keys);
            let size = pr.sizes.sample(&mut pr.rng_sizes);
            pr.batch.buffered += 1;
            let c = Cohort {
                created: now,
                records: 1,
                bytes: size + key.len as u64,
                target: Target::Hash(key.hash),
                attempts: 0,
            };
            self.add_to_batch(p, c, now);
        }
        self.schedule_arrival(p, end);
    }

    fn add_to_batch(&mut self, p: usize, c: Cohort, now: SimTime) {
        if self.producers[p].batch.would_overflow(&self.producers[p].spec, &c) {
            self.send_batch(p, now);
        }
        let pr = &mut self.producers[p];
        let out = pr.batch.push(&pr.spec, c);
        if out.start_timer {
            let epoch = pr.batch.epoch;
            let linger = pr.spec.batch.linger;
            self.queue.schedule_in(linger, Event::Linger { p: p as u16, epoch });
        }
        if out.send_now {
            self.send_batch(p, now);
        }
    }

    fn on_retry(&mut self, p: usize, c: Cohort, now: SimTime) {
        match self.scenario.engine.mode {
            EngineMode::PerRecord => self.add_to_batch(p, c, now),
            EngineMode::Aggregated => {
                let calls = c.records.div_ceil(self.producers[p].spec.batch.max_records as u64);
                self.metrics.put_calls(calls);
                let pr = &mut self.producers[p];
                let rtt = rtt(&pr.spec.put_rtt, &mut pr.rng_rtt);
                self.deliver(p, c, now, rtt);
            }
        }
    }

    /// Send producer `p`'s batch as one PutRecords call.
    fn send_batch(&mut self, p: usize, now: SimTime) {
        let mut sending = std::mem::take(&mut self.sending);
        self.producers[p].batch.take(&mut sending);
        if !sending.is_empty() {
            self.metrics.put_calls(1);
            let pr = &mut self.producers[p];
            let rtt = rtt(&pr.spec.put_rtt, &mut pr.rng_rtt);
            for c in sending.drain(..) {
                self.deliver(p, c, now, rtt);
            }
        }
        self.sending = sending;
    }

    /// Offer a cohort to its shard at `now`; the call's answer comes back after `rtt`. Records
    /// are resolved (accepted, retried or dropped) one by one, as PutRecords does.
    fn deliver(&mut self, p: usize, c: Cohort, now: SimTime, rtt: SimTime) {
        let shard = match c.target {
            Target::Hash(h) => self.map.shard_of(h),
            Target::Shard(pos) => self.map.shard_ids()[pos as usize],
        };
        let adm = self.shards[shard as usize].admit(now, c.records, c.bytes);
        self.metrics.attempt(now, shard, c.records, c.bytes, adm, c.attempts > 0);
        let answered = now + rtt;
        self.metrics.latency(now, answered - c.created, adm.records);
        let pr = &mut self.producers[p];
        if adm.records > 0 {
            let (units, kib) = if c.records == 1 {
                (adm.bytes.div_ceil(PUT_PAYLOAD_UNIT_BYTES), adm.bytes.div_ceil(KIB))
            } else {
                let k = adm.records as f64;
                ((k * pr.mean_put_units).round() as u64, (k * pr.mean_billed_kib).round() as u64)
            };
            self.metrics.billing(now, units, kib);
        }
        pr.batch.buffered -= adm.records;
        let rejected = c.records - adm.records;
        if rejected == 0 {
            return;
        }
        let attempts = c.attempts + 1;
        if attempts >= pr.spec.retry.max_attempts {
            pr.batch.buffered -= rejected;
            self.metrics.dropped_throttled(now, rejected);
            return;
        }
        let bytes = c.bytes - adm.bytes;
        // A cohort of many records retries as several sub-cohorts, each with its own jitter.
        let parts = match self.scenario.engine.mode {
            EngineMode::PerRecord => 1,
            EngineMode::Aggregated => (self.scenario.engine.retry_spread as u64).min(rejected),
        };
        let mut left_r = rejected;
        let mut left_b = bytes;
        for i in 0..parts {
            let r = left_r / (parts - i);
            let b =
                if i + 1 == parts { left_b } else { (bytes as u128 * r as u128 / rejected as u128) as u64 };
            left_r -= r;
            left_b -= b;
            let delay = rtt + backoff(&pr.spec.retry, attempts, &mut pr.rng_retry);
            let retry = Cohort { records: r, bytes: b, attempts, ..c };
            self.queue.schedule_in(delay, Event::Retry { p: p as u16, cohort: retry });
        }
    }

    /// Aggregated mode: each producer's records of `[now, now + tick)`, drawn per shard.
    fn on_tick(&mut self, now: SimTime, end: SimTime) {
        let tick_end = (now + self.scenario.engine.tick).min(end);
        let mut counts = std::mem::take(&mut self.counts);
        for p in 0..self.producers.len() {
            let pr = &mut self.producers[p];
            let count = pr.ticks.tick(now, tick_end);
            split_counts(&count, &pr.share, &mut pr.rng_arrivals, &mut counts);
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            self.metrics.produced(now, total);
            self.metrics.put_calls(total.div_ceil(pr.spec.batch.max_records as u64));
            let rtt = rtt(&pr.spec.put_rtt, &mut pr.rng_rtt);
            for (pos, &n) in counts.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let pr = &mut self.producers[p];
                let room = pr.spec.buffer_records.saturating_sub(pr.batch.buffered);
                let take = n.min(room);
                if take < n {
                    self.metrics.dropped_buffer(now, n - take);
                }
                if take == 0 {
                    continue;
                }
                let key_bytes = (take as f64 * pr.mean_key_len[pos]).round() as u64;
                let bytes = pr.sizes.sum(take, &mut pr.rng_sizes) + key_bytes;
                pr.batch.buffered += take;
                let c = Cohort {
                    created: now,
                    records: take,
                    bytes,
                    target: Target::Shard(pos as u32),
                    attempts: 0,
                };
                self.deliver(p, c, now, rtt);
            }
        }
        self.counts = counts;
        if tick_end < end {
            self.queue.schedule_in(tick_end - now, Event::Tick);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::*;
    use crate::units::{millis, secs};

    /// A scenario built without the parser: the model's own contract.
    fn one_shard(rate: f64, mode: EngineMode) -> Scenario {
        Scenario {
            name: "t".into(),
            description: String::new(),
            seed: 1,
            duration: secs(10),
            stream: Stream {
                mode: CapacityMode::Provisioned,
                shards: 1,
                retention: secs(86_400),
                max_record_size: 1 << 20,
                write_limit: WriteLimitModel::FixedWindow,
            },
            producers: vec![Producer {
                name: "p".into(),
                rate: RateShape::Constant(rate),
                arrivals: Arrivals::Uniform,
                record_size: SizeDist::Fixed(100),
                keys: KeySpec::Uniform { count: 10, template: "k{}".into() },
                batch: Batching { max_records: 500, max_bytes: 5 << 20, linger: 0 },
                retry: Retry { max_attempts: 1, base: secs(1), cap: secs(20), jitter: Jitter::Full },
                buffer_records: 1_000_000,
                put_rtt: RttModel::Fixed(millis(20)),
            }],
            engine: EngineSettings { mode, tick: secs(1), retry_spread: 8 },
            source: None,
        }
    }

    #[test]
    fn both_modes_throttle_exactly_the_excess_of_evenly_spaced_traffic() {
        for mode in [EngineMode::PerRecord, EngineMode::Aggregated] {
            let f = World::new(&one_shard(1500.0, mode)).run();
            assert_eq!(f.totals.records_produced, 15_000, "{mode:?}");
            assert_eq!(f.totals.records_accepted, 10_000, "{mode:?}");
            assert_eq!(f.totals.throttled_attempts, 5_000, "{mode:?}");
            assert_eq!(f.totals.records_dropped_throttled, 5_000, "{mode:?}");
            assert_eq!(f.latency.overall.p50.round(), 20.0, "{mode:?}: latency is the round trip");
        }
    }
}
