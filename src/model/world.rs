//! The world: the stream's shards, the producers and the metrics, driven by the event queue.
//! This is the one place where model decisions become scheduled events.

use crate::engine::{rng_stream, EventQueue, RunError};
use crate::metrics::collector::{Collector, Finished, Offered};
use crate::metrics::{ModeSwitchRecord, ReshardCall, ShardTotals, TraceRow};
use crate::model::event::{Effects, Event};
use std::collections::BTreeMap;

/// Capacity-mode switches per rolling 24 hours (how-do-i-size-a-stream).
pub const MAX_MODE_SWITCHES_PER_24H: usize = defaults::MODE_SWITCHES_PER_24H;
use crate::metrics::ConsumerResult;
use crate::model::ahead::{Remap, Source, TickDraw, Traffic};
use crate::model::capacity::{CapacityController, Origin, PeriodLoad};
use crate::model::hashing::{shard_id_string, HashRange, ShardMap};
use crate::model::keys::KeySpace;
use crate::model::peak::PeakMemory;
use crate::model::producer::{
    backoff, rtt, Aggregates, ArrivalProcess, Batcher, Cohort, Target, TickCounter,
};
use crate::model::readers::Readers;
use crate::model::shard::{mul_div, Admitted, ShardWriter};
use crate::model::sizes::SizeSampler;
use crate::model::split::Splitter;
use crate::scenario::defaults::{self, SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::scenario::{CapacityMode, EngineMode, Producer, Scenario};
use crate::units::{round_u64, to_ms_f64, to_secs_f64, SimTime, KIB};

/// A PUT payload unit: 25 KB chunks of a record, rounded up; AWS's examples (5 KB = 1 unit,
/// 45 KB = 2, 1 MB = 40) hold with decimal kilobytes, so a unit is 25,000 bytes. What the
/// record's size is (data blob, or data blob + key) is `[cost] payload_counts_key`.
/// Source: https://aws.amazon.com/kinesis/data-streams/pricing/
pub const PUT_PAYLOAD_UNIT_BYTES: u64 = 25_000;
use rand_pcg::Pcg64Mcg;

/// Aggregated mode: refused records waiting for the tick of their retry. Records of the same
/// producer, creation instant and attempt count that fall due in the same tick wait together
/// (their sizes add up): the work of retries grows with the ticks a backoff spans, not with the
/// records refused.
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

/// A shard ever opened in the run.
struct ShardRt {
    range: HashRange,
    parents: Vec<u32>,
    opened_at: SimTime,
    closed_at: Option<SimTime>,
    /// Traffic-weighted share of keys while it was open.
    key_share: f64,
}

/// The record trace (per-record mode): every `every`-th record created, at most `limit` of
/// them, so the sample spans the whole run; followed from producer to shard.
#[derive(Default)]
struct Tracer {
    limit: u32,
    every: u64,
    created: u64,
    next: u32,
    rows: Vec<TraceRow>,
    /// Traced records not yet resolved: id -> (producer, partition key, hash key).
    open: BTreeMap<u32, (usize, String, u128)>,
}

/// What the run did to capacity, and the record trace.
pub struct WorldOutcome {
    pub consumers: Vec<ConsumerResult>,
    pub trace: Vec<TraceRow>,
    pub calls: Vec<ReshardCall>,
    pub mode_switches: Vec<ModeSwitchRecord>,
    pub shards_final: u32,
    pub shards_max: u32,
    pub reshard_count: u32,
    /// Kinesis records accepted (an aggregated record counts one).
    pub kinesis_records_accepted: u64,
}

struct ProducerRt {
    spec: Producer,
    /// KPL aggregation: the aggregated records filling, one per shard id at most, with the sum
    /// of their user records' creation times.
    aggregates: Aggregates,
    keys: KeySpace,
    arrivals: ArrivalProcess,
    batch: Batcher,
    /// Aggregated mode: each shard position's share of the keys.
    share: Vec<f64>,
    /// Aggregated mode: expected PUT payload units and billed KiB of one record, and the
    /// records accepted in the current tick and not billed yet.
    mean_put_units: f64,
    mean_billed_kib: f64,
    unbilled: u64,
    rng_retry: Pcg64Mcg,
    rng_rtt: Pcg64Mcg,
}

impl ProducerRt {
    /// Bill `records` accepted records of unknown individual sizes from the expected PUT
    /// payload units and billed KiB of one record.
    fn bill_expected(&self, records: u64, now: SimTime, metrics: &mut Collector) {
        let k = records as f64;
        metrics.billing(now, round_u64(k * self.mean_put_units), round_u64(k * self.mean_billed_kib));
    }
}

/// Whether aggregated mode draws the ticks' records ahead on a thread of its own (the results
/// are the same either way): the caller knows whether a core is spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawAhead {
    /// In line: no core to spare.
    Never,
    /// On a thread when the ticks are long enough to be worth it.
    IfWorthIt,
    /// On a thread (tests).
    Always,
}

/// Below this many shard positions x producers a tick is too short to be worth drawing ahead
/// on another thread (the results are the same either way).
const DRAW_AHEAD_MIN_CELLS: usize = 64;

pub struct World<'a> {
    scenario: &'a Scenario,
    /// The events asked for while handling the current one.
    fx: Effects,
    map: ShardMap,
    shards: Vec<ShardWriter>,
    shard_rt: Vec<ShardRt>,
    capacity: CapacityController,
    /// Accepted records and bytes in the current evaluation period.
    period_records: u64,
    period_bytes: u64,
    period_throttled: u64,
    shards_max: u32,
    reshards_done: u32,
    /// Each producer's expected volume over the run, to weight key shares.
    volumes: Vec<f64>,
    /// On-demand, by shard id: offered (records, bytes) in the current evaluation period, a
    /// split already decided, and since when the shard has been nearly idle.
    period_offered: Vec<(u64, u64)>,
    split_pending: Vec<bool>,
    low_since: Vec<Option<SimTime>>,
    /// On-demand, by shard id: the loads its hash range carried in the trailing 30 days; and the
    /// stream's (the sum over its shards).
    peaks: Vec<PeakMemory>,
    stream_peak: PeakMemory,
    /// Aggregated mode: refused records waiting for their retry, by the shard id they were
    /// drawn for, and a scratch list of those due in the current tick.
    waiting: Vec<Vec<Waiting>>,
    due_now: Vec<Waiting>,
    /// Closed shard ids with retries still waiting.
    closed_waiting: Vec<u32>,
    /// Scratch: each producer's round trip of the tick.
    tick_rtts: Vec<SimTime>,
    /// Cohorts waiting for their retry, and the free slots of that slab.
    parked: Vec<Cohort>,
    free_slots: Vec<u32>,
    /// The read side: shard logs, read limits, consumers and their jobs.
    readers: Readers,
    /// Records accepted so far per shard id: the last sequence number each shard assigned.
    shard_seq: Vec<u64>,
    tracer: Tracer,
    /// The capacity mode now (mode switches change it).
    mode: CapacityMode,
    /// Accepted mode switches (for the 2-per-24-hours rule) and every switch asked for.
    switch_times: Vec<SimTime>,
    switches: Vec<ModeSwitchRecord>,
    producers: Vec<ProducerRt>,
    metrics: Collector,
    /// Kinesis records accepted (differs from user records with KPL aggregation).
    kinesis_accepted: u64,
    /// Scratch buffer reused by every send (no allocation in the loop).
    sending: Vec<Cohort>,
    /// Each producer's traffic draws (in line, or ahead on a thread: [`Source`]).
    source: Source,
}

impl<'a> World<'a> {
    pub fn new(scenario: &'a Scenario) -> Self {
        let n = scenario.stream.shards;
        let map = ShardMap::uniform(n);
        let seed = scenario.seed;
        let (producers, traffic): (Vec<ProducerRt>, Vec<Traffic>) = scenario
            .producers
            .iter()
            .map(|p| {
                let keys = KeySpace::new(&p.keys);
                let max_data = scenario.stream.max_record_size.saturating_sub(keys.max_len() as u64);
                let (share, mean_key_len) = keys.shard_shares(&map);
                let label = |what: &str| format!("producer/{}/{}", p.name, what);
                let sizes = SizeSampler::new(&p.record_size, max_data);
                // The billed size counts the key only if the scenario says so.
                let key_len =
                    if scenario.cost.payload_counts_key { KeySpace::mean_key_len(&p.keys) } else { 0.0 };
                let producer = ProducerRt {
                    share: share.clone(),
                    mean_put_units: sizes.mean_units(key_len, PUT_PAYLOAD_UNIT_BYTES),
                    mean_billed_kib: sizes.mean_units(key_len, KIB),
                    unbilled: 0,
                    arrivals: ArrivalProcess::new(&p.rate, p.arrivals),
                    batch: Batcher::new(),
                    keys,
                    rng_retry: rng_stream(seed, &label("retry")),
                    rng_rtt: rng_stream(seed, &label("rtt")),
                    aggregates: Aggregates::default(),
                    spec: p.clone(),
                };
                let traffic = Traffic {
                    ticks: TickCounter::new(&p.rate, p.arrivals),
                    split: Splitter::new(share),
                    mean_key_len,
                    sizes,
                    rng_arrivals: rng_stream(seed, &label("arrivals")),
                    rng_keys: rng_stream(seed, &label("keys")),
                    rng_sizes: rng_stream(seed, &label("sizes")),
                };
                (producer, traffic)
            })
            .unzip();
        let mut metrics = Collector::new(scenario.duration, n as usize);
        metrics.open_shards_from(0, n);
        let volumes: Vec<f64> =
            scenario.producers.iter().map(|p| p.rate.integral(0, scenario.duration)).collect();
        let mut world = World {
            scenario,
            fx: Effects::new(),
            shard_rt: Vec::new(),
            capacity: CapacityController::new(&scenario.capacity, n),
            period_records: 0,
            period_bytes: 0,
            period_throttled: 0,
            shards_max: n,
            reshards_done: 0,
            volumes,
            period_offered: vec![(0, 0); n as usize],
            split_pending: vec![false; n as usize],
            low_since: vec![None; n as usize],
            peaks: vec![PeakMemory::default(); n as usize],
            stream_peak: PeakMemory::default(),
            mode: scenario.stream.mode,
            shard_seq: vec![0; n as usize],
            parked: Vec::new(),
            readers: Readers::new(scenario, n as usize),
            waiting: Vec::new(),
            due_now: Vec::new(),
            closed_waiting: Vec::new(),
            tick_rtts: Vec::new(),
            free_slots: Vec::new(),
            tracer: {
                let limit = if scenario.engine.mode == EngineMode::PerRecord {
                    scenario.engine.trace_records
                } else {
                    0
                };
                let expected: f64 =
                    scenario.producers.iter().map(|p| p.rate.integral(0, scenario.duration)).sum();
                let every = (expected / f64::from(limit.max(1))).floor().max(1.0) as u64;
                Tracer { limit, every, ..Tracer::default() }
            },
            switch_times: Vec::new(),
            switches: Vec::new(),
            shards: (0..n)
                .map(|_| ShardWriter::new(scenario.stream.write_limit, scenario.stream.burst_bytes))
                .collect(),
            producers,
            metrics,
            sending: Vec::new(),
            kinesis_accepted: 0,
            source: Source::inline(traffic),
            map,
        };
        world.record_open_shards(0, &[]);
        world
    }

    /// Register the shards of the current map that are not known yet (all of them at start, the
    /// children after a reshard), with their parents.
    fn record_open_shards(&mut self, now: SimTime, parents_of: &[Vec<u32>]) {
        let total: f64 = self.volumes.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        for (pos, (r, id)) in self.map.ranges().iter().zip(self.map.shard_ids()).enumerate() {
            let key_share =
                self.producers.iter().zip(&self.volumes).map(|(p, v)| p.share[pos] * v).sum::<f64>() / total;
            if *id as usize >= self.shard_rt.len() {
                self.shard_rt.push(ShardRt {
                    range: *r,
                    parents: parents_of.get(pos).cloned().unwrap_or_default(),
                    opened_at: now,
                    closed_at: None,
                    key_share,
                });
            }
        }
        self.waiting.resize_with(self.shard_rt.len(), Vec::new);
    }

    /// Run to the scenario's end and return the collected metrics. At most `max_events` events
    /// run (the caller's guard against a runaway run); `draw` says whether aggregated mode may
    /// draw the ticks' records ahead on a thread (the results are the same either way).
    pub fn run(mut self, max_events: u64, draw: DrawAhead) -> Result<(Finished, WorldOutcome), RunError> {
        let end = self.scenario.duration;
        let cells = self.producers.len() * self.map.len();
        let ahead = match draw {
            DrawAhead::Never => false,
            DrawAhead::IfWorthIt => cells >= DRAW_AHEAD_MIN_CELLS,
            DrawAhead::Always => true,
        };
        if ahead && self.scenario.engine.mode == EngineMode::Aggregated {
            let Source::Inline { traffic, .. } =
                std::mem::replace(&mut self.source, Source::inline(Vec::new()))
            else {
                unreachable!("a world starts drawing in line")
            };
            self.source = Source::ahead(traffic, self.scenario.engine.tick, end);
        }
        match self.scenario.engine.mode {
            EngineMode::PerRecord => {
                for p in 0..self.producers.len() {
                    self.schedule_arrival(p, end);
                }
            }
            EngineMode::Aggregated => self.fx.at(0, Event::Tick),
        }
        for (i, (at, _)) in self.scenario.capacity.schedule.iter().enumerate() {
            // Validation keeps scheduled calls inside the run, so this is never in the past.
            self.fx.at(*at, Event::ScheduledCall { i: i as u32 });
        }
        for (i, (at, _)) in self.scenario.capacity.mode_switches.iter().enumerate() {
            self.fx.at(*at, Event::ModeSwitch { i: i as u32 });
        }
        self.readers.start(&mut self.fx);
        let cap = &self.scenario.capacity;
        if cap.autoscaling.is_some() || self.on_demand() || !cap.mode_switches.is_empty() {
            self.fx.at(self.scenario.capacity.evaluation_period, Event::Evaluate);
        }
        let mut queue = EventQueue::new();
        queue.schedule_all(&mut self.fx)?;
        queue.run_until(end, max_events, |now, ev, fx| {
            std::mem::swap(&mut self.fx, fx);
            self.handle(now, ev, end);
            std::mem::swap(&mut self.fx, fx);
        })?;
        Ok(self.finish(end))
    }

    fn handle(&mut self, now: SimTime, ev: Event, end: SimTime) {
        match ev {
            Event::Arrival { p } => self.on_arrival(p as usize, now, end),
            Event::Linger { p, epoch } => {
                if self.producers[p as usize].batch.epoch == epoch {
                    self.send_batch(p as usize, now);
                }
            }
            Event::Retry { p, slot } => {
                let cohort = self.parked[slot as usize];
                self.free_slots.push(slot);
                self.add_to_batch(p as usize, cohort, now);
            }
            Event::Tick => self.on_tick(now, end),
            Event::ScheduledCall { i } => {
                let target = self.scenario.capacity.schedule[i as usize].1;
                self.update_shard_count(now, target, Origin::Schedule);
            }
            Event::Evaluate => self.on_evaluate(now),
            Event::ReshardDone { target } => self.on_reshard_done(now, target),
            Event::Split { id } => self.on_split(now, id),
            Event::ModeSwitch { i } => self.on_mode_switch(now, i as usize),
            Event::Poll { c } => self.readers.poll(c as usize, now, &mut self.fx),
            Event::WorkerFail { c, w } => self.readers.worker_fails(c as usize, w, now),
            Event::JobTick { c } => self.readers.job_tick(c as usize, now, &mut self.fx),
            Event::JobEnd { c, run } => self.readers.job_end(c as usize, run, now),
            Event::InstanceFail { c, i } => self.readers.instance_fails(c as usize, i, now),
        }
    }

    fn finish(mut self, end: SimTime) -> (Finished, WorldOutcome) {
        let pending = self.producers.iter().map(|p| p.batch.buffered).sum();
        let (consumers, read_rows): (Vec<ConsumerResult>, _) = self.readers.finish(end);
        for id in self.tracer.open.keys().copied().collect::<Vec<_>>() {
            let p = self.tracer.open[&id].0;
            let row = TraceRow {
                record: id,
                event: "pending",
                detail: "still in the producer at the end".into(),
                ..TraceRow::default()
            };
            self.trace_row(row, p, end);
        }
        let mut trace = std::mem::take(&mut self.tracer.rows);
        trace.extend(read_rows);
        // Each record's rows in time order: the read side lists each consumer's rows one
        // consumer after the other, so two consumers' rows interleave only by time (the sort is
        // stable: rows at the same time keep their order, `read` before `processed`). Rows of
        // the read side know the record, not its producer and key: take them from the record's
        // first row (its `created` row, the earliest).
        trace.sort_by(|a, b| a.record.cmp(&b.record).then(a.time_s.total_cmp(&b.time_s)));
        for i in 1..trace.len() {
            if trace[i].record == trace[i - 1].record && trace[i].producer.is_empty() {
                let (head, tail) = trace.split_at_mut(i);
                let prev = &head[i - 1];
                tail[0].producer = prev.producer.clone();
                tail[0].partition_key = prev.partition_key.clone();
                tail[0].hash_key = prev.hash_key;
            }
        }
        let meta = self
            .shard_rt
            .iter()
            .enumerate()
            .map(|(id, s)| ShardTotals {
                shard_id: shard_id_string(id as u32),
                starting_hash_key: s.range.start,
                ending_hash_key: s.range.end,
                key_share: s.key_share,
                parent_shard_ids: s.parents.iter().map(|p| shard_id_string(*p)).collect(),
                opened_at_s: to_secs_f64(s.opened_at),
                closed_at_s: s.closed_at.map(to_secs_f64),
                ..ShardTotals::default()
            })
            .collect();
        let calls = self
            .capacity
            .calls
            .iter()
            .map(|c| ReshardCall {
                at_s: to_secs_f64(c.at),
                origin: match c.origin {
                    Origin::Schedule => "schedule",
                    Origin::Autoscaler => "autoscaling",
                }
                .into(),
                from_shards: c.from,
                target_shards: c.target,
                completed_at_s: c.result.as_ref().ok().map(|t| to_secs_f64(*t)),
                refused: c.result.as_ref().err().map(ToString::to_string),
            })
            .collect();
        let outcome = WorldOutcome {
            consumers,
            trace,
            calls,
            mode_switches: std::mem::take(&mut self.switches),
            shards_final: self.map.len() as u32,
            shards_max: self.shards_max,
            reshard_count: self.reshards_done,
            kinesis_records_accepted: self.kinesis_accepted,
        };
        (self.metrics.finish(pending, meta), outcome)
    }

    /// Add a trace row, filling in the record's producer, key and time.
    fn trace_row(&mut self, mut row: TraceRow, p: usize, now: SimTime) {
        row.producer = self.producers[p].spec.name.clone();
        row.time_s = to_secs_f64(now);
        if let Some((_, key, hash)) = self.tracer.open.get(&row.record) {
            row.partition_key = key.clone();
            row.hash_key = *hash;
        }
        self.tracer.rows.push(row);
    }

    /// Trace one attempt of a traced record: accepted (with its sequence number), throttled (and
    /// by which limit), and dropped when that was its last attempt.
    fn trace_attempt(
        &mut self,
        c: &Cohort,
        shard: u32,
        accepted: bool,
        now: SimTime,
        answered: SimTime,
        p: usize,
    ) {
        let base = TraceRow {
            record: c.trace,
            shard_id: shard_id_string(shard),
            attempt: c.attempts + 1,
            ..TraceRow::default()
        };
        if accepted {
            let latency = to_ms_f64(answered - c.created);
            let row = TraceRow {
                event: "accepted",
                sequence_number: Some(self.shard_seq[shard as usize]),
                detail: format!("put latency {latency:.1} ms"),
                ..base
            };
            self.trace_row(row, p, now);
            self.tracer.open.remove(&c.trace);
            return;
        }
        let limit = self.shards[shard as usize].binding_limit(now, c.bytes);
        let row = TraceRow { event: "throttled", detail: limit.describe().into(), ..base.clone() };
        self.trace_row(row, p, now);
        if c.attempts + 1 >= self.producers[p].spec.retry.max_attempts {
            let row = TraceRow { event: "dropped", detail: "no attempts left".into(), ..base };
            self.trace_row(row, p, now);
            self.tracer.open.remove(&c.trace);
        }
    }

    /// An `UpdateShardCount` call: checked against AWS's rules, then scheduled to complete. On an
    /// on-demand stream it is refused: the API "is only supported for the data streams with the
    /// provisioned capacity mode"
    /// (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
    fn update_shard_count(&mut self, now: SimTime, target: u32, origin: Origin) -> bool {
        if self.on_demand() {
            self.capacity.refuse(now, target, origin, crate::model::capacity::Refusal::OnDemand);
            return false;
        }
        match self.capacity.request(now, target, origin) {
            Ok(done) => {
                self.fx.at(done, Event::ReshardDone { target });
                true
            }
            Err(_) => false,
        }
    }

    fn on_demand(&self) -> bool {
        self.mode == CapacityMode::OnDemand
    }

    /// A capacity-mode switch: at most twice per rolling 24 hours; the stream keeps its shards
    /// and is `UPDATING` (no `UpdateShardCount`) for the resharding duration
    /// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html).
    fn on_mode_switch(&mut self, now: SimTime, i: usize) {
        let to = self.scenario.capacity.mode_switches[i].1;
        self.switch_times.retain(|t| now.saturating_sub(*t) < crate::model::capacity::DAY);
        let refused = if to == self.mode {
            // Only when an earlier switch was refused at run time (validation rejects a switch to
            // the mode the stream is certainly in).
            Some("the stream is already in this mode".to_string())
        } else if self.switch_times.len() >= MAX_MODE_SWITCHES_PER_24H {
            Some(format!("{} switches already in the last 24 h (limit 2)", self.switch_times.len()))
        } else if self.capacity.is_updating(now) {
            Some("stream is UPDATING (ResourceInUseException)".to_string())
        } else {
            None
        };
        if refused.is_none() {
            self.switch_times.push(now);
            self.mode = to;
            self.capacity.set_updating(now, self.map.len() as u32);
            // Each mode's load tracking starts fresh at the switch: what the stream carried in
            // the other mode is not an evaluation period of this one.
            self.split_pending.iter_mut().for_each(|p| *p = false);
            self.period_offered.iter_mut().for_each(|p| *p = (0, 0));
            self.low_since.iter_mut().for_each(|l| *l = None);
            self.peaks.iter_mut().for_each(|p| *p = PeakMemory::default());
            self.stream_peak = PeakMemory::default();
            self.period_records = 0;
            self.period_bytes = 0;
            self.period_throttled = 0;
        }
        self.switches.push(ModeSwitchRecord {
            at_s: to_secs_f64(now),
            to: match to {
                CapacityMode::Provisioned => "provisioned",
                CapacityMode::OnDemand => "on-demand",
            }
            .into(),
            refused,
        });
    }

    fn on_evaluate(&mut self, now: SimTime) {
        let period = self.scenario.capacity.evaluation_period;
        if self.on_demand() {
            self.on_demand_evaluate(now);
            self.fx.at(now + period, Event::Evaluate);
            return;
        }
        let open = self.map.len() as f64;
        let secs = to_secs_f64(period);
        let load = PeriodLoad {
            utilisation: (self.period_records as f64 / (open * SHARD_WRITE_RECORDS_PER_S as f64 * secs))
                .max(self.period_bytes as f64 / (open * SHARD_WRITE_BYTES_PER_S as f64 * secs)),
            throttled: self.period_throttled,
        };
        self.period_records = 0;
        self.period_bytes = 0;
        self.period_throttled = 0;
        if let Some(target) = self.capacity.evaluate(now, load) {
            let up = target > self.capacity.open_shards();
            if self.update_shard_count(now, target, Origin::Autoscaler) {
                self.capacity.note_scaled(up);
            }
        }
        self.fx.at(now + period, Event::Evaluate);
    }

    /// On-demand, every evaluation period: a shard whose offered load passed the split threshold
    /// is split `split_delay` after the start of that period, so a split lands at most 15 minutes
    /// after the period's traffic crossed the threshold (AWS: "When the incoming traffic exceeds
    /// 500 KB/s per shard, it splits the shard within 15 minutes",
    /// https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html). Adjacent
    /// shards idle for long enough merge, but never below double the trailing-30-day peak (the
    /// same page: on-demand "accommodates up to double the peak write throughput observed in
    /// the previous 30 days"): two shards merge only if one shard holds double their combined
    /// peak, and the stream keeps at least double its own peak.
    fn on_demand_evaluate(&mut self, now: SimTime) {
        let od = &self.scenario.capacity.on_demand;
        let period = self.scenario.capacity.evaluation_period;
        let secs = to_secs_f64(period);
        let window = defaults::OD_PEAK_WINDOW;
        let factor = defaults::OD_PEAK_FACTOR;
        let mut open = self.map.len() as u32;
        let ids: Vec<u32> = self.map.shard_ids().to_vec();
        let split_at = (now.saturating_sub(period) + od.split_delay).max(now);
        let mut stream_load = 0.0;
        for &id in &ids {
            let (rec, bytes) = std::mem::take(&mut self.period_offered[id as usize]);
            let u = (rec as f64 / (SHARD_WRITE_RECORDS_PER_S as f64 * secs))
                .max(bytes as f64 / (SHARD_WRITE_BYTES_PER_S as f64 * secs));
            stream_load += u;
            let peak = &mut self.peaks[id as usize];
            peak.record(now, u);
            peak.prune(now, window);
            if u > od.split_threshold && !self.split_pending[id as usize] && open < od.max_shards {
                self.split_pending[id as usize] = true;
                open += 1;
                self.fx.at(split_at, Event::Split { id });
            }
            let low = &mut self.low_since[id as usize];
            *low = if u < od.merge_threshold { low.or(Some(now)) } else { None };
        }
        self.stream_peak.record(now, stream_load);
        self.stream_peak.prune(now, window);
        // Gradual scale-down: merge neighbours idle for `merge_after`, never below the initial
        // capacity (AWS keeps a new stream's 4 MiB/s floor) nor below double the peak.
        let idle = |w: &World, id: u32| {
            !w.split_pending[id as usize]
                && w.low_since[id as usize].is_some_and(|t| now.saturating_sub(t) >= od.merge_after)
        };
        let mut pos = 0;
        let floor = od
            .initial_shards
            .max(od.warm_throughput.div_ceil(SHARD_WRITE_BYTES_PER_S) as u32)
            .max((factor * self.stream_peak.peak() - 1e-9).ceil() as u32);
        while pos + 1 < self.map.len() && self.map.len() as u32 > floor {
            let (a, b) = (self.map.shard_ids()[pos], self.map.shard_ids()[pos + 1]);
            let room = factor * (self.peaks[a as usize].peak() + self.peaks[b as usize].peak()) <= 1.0;
            if room && idle(self, a) && idle(self, b) {
                let id = self.shard_rt.len() as u32;
                self.map.merge(pos, id);
                let mut parents = vec![Vec::new(); self.map.len()];
                parents[pos] = vec![a, b];
                let memory = PeakMemory::merged(
                    std::mem::take(&mut self.peaks[a as usize]),
                    std::mem::take(&mut self.peaks[b as usize]),
                );
                self.close_and_open(now, &[a, b], &parents);
                self.peaks[id as usize] = memory;
            }
            pos += 1;
        }
    }

    fn on_split(&mut self, now: SimTime, id: u32) {
        if !self.on_demand() || !self.split_pending[id as usize] {
            return; // switched to provisioned meanwhile
        }
        let Some(pos) = self.map.position_of_id(id) else { return };
        let first = self.shard_rt.len() as u32;
        self.map.split(pos, first, first + 1);
        let mut parents = vec![Vec::new(); self.map.len()];
        parents[pos] = vec![id];
        parents[pos + 1] = vec![id];
        self.close_and_open(now, &[id], &parents);
        // Each child remembers its share of the parent's loads (by its keys' share of traffic).
        let memory = std::mem::take(&mut self.peaks[id as usize]);
        let (ka, kb) = (self.shard_rt[first as usize].key_share, self.shard_rt[first as usize + 1].key_share);
        let fa = if ka + kb > 0.0 { ka / (ka + kb) } else { 0.5 };
        self.peaks[first as usize] = memory.scaled(fa);
        self.peaks[first as usize + 1] = memory.scaled(1.0 - fa);
        self.reshards_done += 1;
    }

    /// After the map changed: close `closed`, register the new shards (with `parents_of` by
    /// map position), recompute key shares, grow the per-shard state.
    fn close_and_open(&mut self, now: SimTime, closed: &[u32], parents_of: &[Vec<u32>]) {
        for id in closed {
            self.shard_rt[*id as usize].closed_at = Some(now);
            if !self.waiting[*id as usize].is_empty() {
                self.closed_waiting.push(*id);
            }
        }
        let mut remap = Remap { splits: Vec::new(), mean_key_len: Vec::new() };
        for p in &mut self.producers {
            let (share, mean_key_len) = p.keys.shard_shares(&self.map);
            remap.splits.push(Splitter::new(share.clone()));
            remap.mean_key_len.push(mean_key_len);
            p.share = share;
        }
        self.source.remap(remap);
        let known = self.shard_rt.len();
        self.record_open_shards(now, parents_of);
        let total = self.shard_rt.len();
        self.readers.reshard(closed, self.shard_rt[known..].iter().map(|s| s.parents.as_slice()));
        let (model, burst) = (self.scenario.stream.write_limit, self.scenario.stream.burst_bytes);
        self.shards.resize_with(total, || ShardWriter::new(model, burst));
        self.period_offered.resize(total, (0, 0));
        self.split_pending.resize(total, false);
        self.shard_seq.resize(total, 0);
        self.low_since.resize(total, None);
        self.peaks.resize_with(total, PeakMemory::default);
        self.metrics.ensure_shards(total);
        let open = self.map.len() as u32;
        self.metrics.open_shards_from(now, open);
        self.shards_max = self.shards_max.max(open);
    }

    /// Uniform scaling done: the new open shards split the key space equally; the old ones
    /// close for writes (they stay readable until retention expires) and are the parents of
    /// the children whose ranges overlap theirs.
    fn on_reshard_done(&mut self, now: SimTime, target: u32) {
        let first_id = self.shard_rt.len() as u32;
        let old = std::mem::replace(&mut self.map, ShardMap::uniform_from(target, first_id));
        let parents: Vec<Vec<u32>> = self
            .map
            .ranges()
            .iter()
            .map(|r| {
                old.ranges()
                    .iter()
                    .zip(old.shard_ids())
                    .filter(|(o, _)| o.start <= r.end && r.start <= o.end)
                    .map(|(_, id)| *id)
                    .collect()
            })
            .collect();
        self.close_and_open(now, old.shard_ids(), &parents);
        self.capacity.complete(now, target);
        self.reshards_done += 1;
    }

    fn schedule_arrival(&mut self, p: usize, end: SimTime) {
        let rng = &mut self.source.traffic()[p].rng_arrivals;
        if let Some(t) = self.producers[p].arrivals.next(rng, end) {
            // `next` never goes back in time: arrivals are generated in order.
            self.fx.at(t, Event::Arrival { p: p as u16 });
        }
    }

    fn on_arrival(&mut self, p: usize, now: SimTime, end: SimTime) {
        self.metrics.produced(now, 1);
        self.tracer.created += 1;
        let traced = self.tracer.next < self.tracer.limit
            && (self.tracer.created - 1).is_multiple_of(self.tracer.every);
        let trace = if traced {
            self.tracer.next += 1;
            self.tracer.next
        } else {
            0
        };
        let pr = &mut self.producers[p];
        if pr.batch.buffered >= pr.spec.buffer_records {
            self.metrics.dropped_buffer(now, 1);
            if traced {
                let row = TraceRow {
                    record: trace,
                    event: "lost",
                    detail: "producer buffer full".into(),
                    ..TraceRow::default()
                };
                self.trace_row(row, p, now);
            }
        } else {
            let key = if traced {
                let (key, text) = pr.keys.sample_with_string(&mut self.source.traffic()[p].rng_keys);
                self.tracer.open.insert(trace, (p, text, key.hash));
                key
            } else {
                pr.keys.sample(&mut self.source.traffic()[p].rng_keys)
            };
            let t = &mut self.source.traffic()[p];
            let size = t.sizes.sample(&mut t.rng_sizes);
            let pr = &mut self.producers[p];
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
            if traced {
                self.trace_row(TraceRow { record: trace, event: "created", ..TraceRow::default() }, p, now);
            }
            match self.producers[p].spec.aggregation {
                Some(max_size) => self.aggregate(p, c, u64::from(key.len), max_size, now),
                None => self.add_to_batch(p, c, now),
            }
        }
        self.schedule_arrival(p, end);
    }

    /// KPL aggregation: the user record `c` (its key `key_len` bytes) joins the aggregated
    /// record filling for its shard; a record that would grow it past `max_size` bytes sends it
    /// to the batch first. The first record of an aggregate opens the linger timer if no batch
    /// is open, so no record waits longer than the linger.
    fn aggregate(&mut self, p: usize, c: Cohort, key_len: u64, max_size: u64, now: SimTime) {
        let Target::Hash(h) = c.target else { return self.add_to_batch(p, c, now) };
        let shard = self.map.shard_of(h);
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
                        // One traced record per aggregated record: this one is followed no further.
                        let with = open.trace;
                        self.tracer.open.remove(&c.trace);
                        let row = TraceRow {
                            record: c.trace,
                            event: "aggregated",
                            detail: format!("in the same aggregated record as record {with}: followed there"),
                            ..TraceRow::default()
                        };
                        self.trace_row(row, p, now);
                    }
                }
                return;
            }
        }
        if let Some((full, created_sum)) = pr.aggregates.remove(shard) {
            let full = Cohort { created: (created_sum / full.records as f64) as SimTime, ..full };
            self.add_to_batch(p, full, now);
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
            self.fx.at(now.saturating_add(pr.spec.batch.linger), Event::Linger { p: p as u16, epoch });
        }
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
            self.fx.at(now.saturating_add(linger), Event::Linger { p: p as u16, epoch });
        }
        if out.send_now {
            self.send_batch(p, now);
        }
    }

    /// Send producer `p`'s batch as one PutRecords call.
    fn send_batch(&mut self, p: usize, now: SimTime) {
        // A PutRecords call also takes the aggregated records still filling (KPL: a record
        // waits at most RecordMaxBufferedTime, the linger here).
        if !self.producers[p].aggregates.is_empty() {
            let open = self.producers[p].aggregates.take_all();
            for (_, c, created_sum) in open {
                self.add_to_batch(
                    p,
                    Cohort { created: (created_sum / c.records as f64) as SimTime, ..c },
                    now,
                );
            }
        }
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

    /// Offer a cohort to its shard at `now` and count it; the call's answer comes back after
    /// `rtt`. Records are resolved (accepted, retried or dropped) one by one, as PutRecords does.
    fn deliver(&mut self, p: usize, c: Cohort, now: SimTime, rtt: SimTime) {
        let (shard, o) = self.send(p, c, now, rtt);
        self.count_attempt(now, shard, o);
    }

    /// Offer a cohort to the shard it goes to now, without counting it: that shard and what
    /// became of the records.
    fn send(&mut self, p: usize, c: Cohort, now: SimTime, rtt: SimTime) -> (u32, Offered) {
        let shard = self.shard_for(c.target);
        let accepted = self.offer(p, shard, &c, now, rtt);
        let retried = if c.attempts > 0 { c.records } else { 0 };
        (shard, Offered { records: c.records, bytes: c.bytes, accepted, retried })
    }

    /// Aggregated mode: refused records whose retry is due now, drawn for shard `id`, go out as
    /// one PutRecords round (as many calls as their count needs); not counted yet.
    fn send_waiting(&mut self, id: u32, w: Waiting, now: SimTime) -> (u32, Offered) {
        let p = w.p as usize;
        let pr = &mut self.producers[p];
        self.metrics.put_calls(calls_for(w.records, pr.spec.batch.max_records));
        let rtt = rtt(&pr.spec.put_rtt, &mut pr.rng_rtt);
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
        self.send(p, c, now, rtt)
    }

    /// Aggregated mode: take out of `waiting[id]` the retries due by tick `this_tick`, into
    /// `due` (in the order they were queued).
    fn take_due(&mut self, id: usize, this_tick: u64, due: &mut Vec<Waiting>) {
        self.waiting[id].retain(|w| {
            let now_due = w.due <= this_tick;
            if now_due {
                due.push(*w);
            }
            !now_due
        });
    }

    /// The shard id a cohort goes to now.
    fn shard_for(&self, target: Target) -> u32 {
        match target {
            Target::Hash(h) => self.map.shard_of(h),
            // A cohort drawn for a shard that has since closed goes to the open shard holding
            // the middle of the closed shard's range (aggregated mode only; documented).
            Target::Shard(id) if self.shard_rt[id as usize].closed_at.is_some() => {
                let r = self.shard_rt[id as usize].range;
                self.map.shard_of(r.start + (r.end - r.start) / 2)
            }
            Target::Shard(id) => id,
        }
    }

    /// Count records offered to `shard` at `now` and what became of them.
    fn count_attempt(&mut self, now: SimTime, shard: u32, o: Offered) {
        self.metrics.attempt(now, shard, o);
        self.period_records += o.accepted.records;
        self.period_bytes += o.accepted.bytes;
        self.period_throttled += o.records - o.accepted.records;
        if let Some(v) = self.period_offered.get_mut(shard as usize) {
            v.0 += o.records;
            v.1 += o.bytes;
        }
    }

    /// The shard decides on cohort `c`: accepted records are billed and timed, the rest is
    /// retried after a backoff or dropped. The caller counts the attempt ([`Self::count_attempt`]).
    fn offer(&mut self, p: usize, shard: u32, c: &Cohort, now: SimTime, rtt: SimTime) -> Admitted {
        let mut adm = self.shards[shard as usize].admit(now, c.kinesis_records(), c.bytes);
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
        self.metrics.latency(now, answered - c.created, adm.records);
        // Kinesis numbers Kinesis records; the user records of an aggregated one share its
        // sequence number (with sub-sequence numbers).
        self.shard_seq[shard as usize] += if c.aggregated { u64::from(adm.records > 0) } else { adm.records };
        if adm.records > 0 && self.readers.active() {
            let traced = if adm.records == c.records { c.trace } else { 0 };
            self.readers.append(shard as usize, now, adm.records, adm.bytes, c.created, traced);
        }
        if c.trace != 0 {
            self.trace_attempt(c, shard, adm.records == c.records, now, answered, p);
        }
        let pr = &mut self.producers[p];
        if adm.records > 0 {
            // A record of known size (per-record mode: one record, or one KPL aggregated
            // record) is billed exactly; aggregated-mode cohorts, even of one record, from the
            // expected billing of a record (their sizes are drawn with the mean key length).
            if c.aggregated || (c.records == 1 && matches!(c.target, Target::Hash(_))) {
                // Accepted whole: the billed size is the data blob, plus the key if the
                // scenario counts it (`[cost] payload_counts_key`).
                let billed = if self.scenario.cost.payload_counts_key {
                    adm.bytes
                } else {
                    adm.bytes - u64::from(c.key_bytes)
                };
                let units = billed.div_ceil(PUT_PAYLOAD_UNIT_BYTES);
                self.metrics.billing(now, units, billed.div_ceil(KIB));
            } else if self.scenario.engine.mode == EngineMode::Aggregated {
                // Billed at the end of the tick, from the expected units of a record.
                pr.unbilled += adm.records;
            } else {
                pr.bill_expected(adm.records, now, &mut self.metrics);
            }
        }
        pr.batch.buffered -= adm.records;
        let rejected = c.records - adm.records;
        if rejected == 0 {
            return adm;
        }
        let attempts = c.attempts + 1;
        if attempts >= pr.spec.retry.max_attempts {
            pr.batch.buffered -= rejected;
            self.metrics.dropped_throttled(now, rejected);
            return adm;
        }
        let bytes = c.bytes - adm.bytes;
        if self.scenario.engine.mode == EngineMode::PerRecord {
            let delay = rtt + backoff(&pr.spec.retry, attempts, &mut pr.rng_retry);
            let retry = Cohort { records: rejected, bytes, attempts, ..*c };
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
            self.fx.at(now.saturating_add(delay), Event::Retry { p: p as u16, slot });
            return adm;
        }
        // Aggregated mode: the cohort went out as PutRecords calls of `max_records` records in
        // order, and the shard took the first `adm.records`. The refused records of each call
        // retry together after one backoff, as in per-record mode; they wait by the shard they
        // were drawn for, with the retries due in the same tick of the same producer, creation
        // instant and attempt count.
        let Target::Shard(id) = c.target else { unreachable!("aggregated-mode cohorts are drawn per shard") };
        let tick = self.scenario.engine.tick;
        let first_tick = now / tick + 1;
        let max = u64::from(pr.spec.batch.max_records).max(1);
        let waiting = &mut self.waiting[id as usize];
        let key = (p as u16, attempts, c.created);
        // Call by call, from the rest of the call the shard stopped in; bytes in proportion to
        // records, the last call taking the remainder.
        let (mut from, mut left_b) = (adm.records, bytes);
        while from < c.records {
            let to = c.records.min((from / max + 1) * max);
            let n = to - from;
            let b = if to == c.records { left_b } else { mul_div(bytes, n, rejected) };
            left_b -= b;
            from = to;
            let delay = rtt + backoff(&pr.spec.retry, attempts, &mut pr.rng_retry);
            let due = (now + delay).div_ceil(tick).max(first_tick);
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
        adm
    }

    /// Aggregated mode: the tick `[now, now + tick)`, with its new records ([`Source`]).
    fn on_tick(&mut self, now: SimTime, end: SimTime) {
        let tick_end = (now + self.scenario.engine.tick).min(end);
        let cur = self.source.tick(now, tick_end);
        self.run_tick(now, &cur);
        self.source.recycle(cur);
        if tick_end < end {
            self.fx.at(tick_end, Event::Tick);
        }
    }

    /// Aggregated mode: run the tick `[now, ...)` with its new records `cur`. Shard by shard:
    /// first the retries due, then each producer's new records for the shard; what the shard
    /// did in the tick is counted once.
    fn run_tick(&mut self, now: SimTime, cur: &TickDraw) {
        let this_tick = now / self.scenario.engine.tick;
        let mut due = std::mem::take(&mut self.due_now);
        // Retries drawn for shards that have since closed go to the open shard holding the
        // middle of the closed shard's range, each counted on its own.
        let mut closed = std::mem::take(&mut self.closed_waiting);
        closed.retain(|&id| {
            self.take_due(id as usize, this_tick, &mut due);
            for w in due.drain(..) {
                let (shard, o) = self.send_waiting(id, w, now);
                self.count_attempt(now, shard, o);
            }
            !self.waiting[id as usize].is_empty()
        });
        self.closed_waiting = closed;
        // Each producer's new records of the tick, per shard position.
        let n_pos = self.map.len();
        let counts = &cur.counts;
        let mut rtts = std::mem::take(&mut self.tick_rtts);
        rtts.clear();
        for (pr, &(total, _)) in self.producers.iter_mut().zip(&cur.totals) {
            self.metrics.produced(now, total);
            self.metrics.put_calls(calls_for(total, pr.spec.batch.max_records));
            rtts.push(if total > 0 { rtt(&pr.spec.put_rtt, &mut pr.rng_rtt) } else { 0 });
        }
        for pos in 0..n_pos {
            let id = self.map.shard_ids()[pos];
            let mut tick = Offered::default();
            if !self.waiting[id as usize].is_empty() {
                self.take_due(id as usize, this_tick, &mut due);
                for w in due.drain(..) {
                    tick += self.send_waiting(id, w, now).1;
                }
            }
            for (p, &rtt) in rtts.iter().enumerate() {
                let n = counts[p * n_pos + pos];
                let n_bytes = cur.bytes[p * n_pos + pos];
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
                tick += self.send(p, c, now, rtt).1;
            }
            if tick.records > 0 {
                self.count_attempt(now, id, tick);
            }
        }
        for pr in &mut self.producers {
            let unbilled = std::mem::take(&mut pr.unbilled);
            if unbilled > 0 {
                pr.bill_expected(unbilled, now, &mut self.metrics);
            }
        }
        self.tick_rtts = rtts;
        self.due_now = due;
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
                burst_bytes: crate::scenario::defaults::BURST_BYTES,
                lenient_burst: secs(10),
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
                aggregation: None,
                put_rtt: RttModel::Fixed(millis(20)),
            }],
            engine: EngineSettings {
                mode,
                tick: secs(1),
                trace_records: 0,
                bounds: crate::scenario::Bounds::One(crate::scenario::Bound::Strict),
            },
            capacity: CapacitySettings::default(),
            consumers: Vec::new(),
            cost: CostSettings::default(),
            source: None,
            size: None,
        }
    }

    /// Aggregated mode: the refused records of one PutRecords call (500 records) retry
    /// together after one backoff, as in per-record mode. The shard takes 1,000 records a second
    /// and every cohort is offered in calls of 500, so whole calls are refused, and every
    /// second's retries are a multiple of 500. A 500 ms round trip and a backoff uniform in
    /// [0, 1 s] send each call's retry one or two ticks later with equal odds, so the calls
    /// of one tick spread over two ticks (per-record jitter would give binomial counts).
    #[test]
    fn the_refused_records_of_a_call_retry_together() {
        let mut sc = one_shard(1_500.0, EngineMode::Aggregated);
        sc.duration = secs(60);
        sc.producers[0].retry.max_attempts = 2;
        sc.producers[0].put_rtt = RttModel::Fixed(millis(500));
        let (f, _) = World::new(&sc).run(u64::MAX, DrawAhead::Never).unwrap();
        let retried = &f.series.retried_records;
        assert!(retried.iter().all(|r| r % 500 == 0), "{retried:?}");
        let distinct: std::collections::BTreeSet<u64> = retried.iter().copied().collect();
        assert!(distinct.len() >= 3, "calls spread over ticks: {distinct:?}");
        let t = &f.totals;
        assert_eq!(t.records_produced, 90_000);
        assert_eq!(t.records_accepted + t.records_dropped_throttled + t.records_pending, t.records_produced);
        assert_eq!(t.retries, retried.iter().sum::<u64>());
    }

    /// Aggregated mode draws the ticks' records ahead on a thread, and splits them again after
    /// a map change: the run must be exactly the run drawn in line, through scheduled reshards
    /// (80 -> 120 -> 60 shards, two producers) and through on-demand splits, with retries
    /// waiting across the changes.
    #[test]
    fn drawing_ahead_on_a_thread_changes_nothing() {
        let scheduled = include_str!("../../tests/fixtures/good/reshard-two-producers.toml");
        let on_demand = r#"
            name = "od"
            duration = "1h"
            [stream]
            mode = "on-demand"
            [engine]
            mode = "aggregated"
            [[producers]]
            name = "p"
            rate = 1048
            record_size = "10000B"
            keys = { distribution = "uniform", count = 100000 }
        "#;
        for text in [scheduled, on_demand] {
            let sc = crate::scenario::parse_str(text, None).unwrap();
            let (a, ca) = World::new(&sc).run(u64::MAX, DrawAhead::Always).unwrap();
            let (b, cb) = World::new(&sc).run(u64::MAX, DrawAhead::Never).unwrap();
            assert!(ca.reshard_count >= 2, "{}: the map changes", sc.name);
            assert!(a.totals.throttled_attempts > 0, "{}: retries wait across the changes", sc.name);
            assert_eq!(a.totals, b.totals, "{}", sc.name);
            assert_eq!(a.series, b.series, "{}", sc.name);
            assert_eq!(a.latency, b.latency, "{}", sc.name);
            assert_eq!(a.shard_rows, b.shard_rows, "{}", sc.name);
            assert_eq!((ca.reshard_count, ca.shards_final), (cb.reshard_count, cb.shards_final));
        }
    }

    #[test]
    fn both_modes_throttle_exactly_the_excess_of_evenly_spaced_traffic() {
        for mode in [EngineMode::PerRecord, EngineMode::Aggregated] {
            let (f, _) = World::new(&one_shard(1500.0, mode)).run(u64::MAX, DrawAhead::Never).unwrap();
            assert_eq!(f.totals.records_produced, 15_000, "{mode:?}");
            assert_eq!(f.totals.records_accepted, 10_000, "{mode:?}");
            assert_eq!(f.totals.throttled_attempts, 5_000, "{mode:?}");
            assert_eq!(f.totals.records_dropped_throttled, 5_000, "{mode:?}");
            assert_eq!(f.latency.overall.p50.round(), 20.0, "{mode:?}: latency is the round trip");
        }
    }
}
