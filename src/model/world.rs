//! The world: the router between the engine and the model's components. It builds them from
//! the scenario, hands each event to the component that owns it, passes changes of the shard map
//! on to every component that keeps state by shard id, and at the end hands what they know to
//! the metrics. The components' events go to the engine through [`Effects`]. Calls every
//! component, the engine's loop and `metrics::assemble`.

use crate::engine::{EventQueue, RunError};
use crate::metrics::collector::Collector;
use crate::metrics::{Handover, RunResult};
use crate::model::ahead::Traffic;
use crate::model::capacity::Capacity;
use crate::model::event::{Effects, Event};
use crate::model::producer::ProducerRt;
use crate::model::readers::Readers;
use crate::model::shards::{MapChange, Shards};
use crate::model::sizes::SizeSampler;
use crate::model::ticks::Ticks;
use crate::model::tracer::Tracer;
use crate::model::writes::{Sinks, Writes};
use crate::scenario::{EngineMode, Scenario};
use crate::units::SimTime;

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
    shards: Shards,
    capacity: Capacity,
    writes: Writes,
    /// Aggregated mode's ticks (`None` in per-record mode).
    ticks: Option<Ticks>,
    readers: Readers,
    tracer: Tracer,
    metrics: Collector,
}

impl<'a> World<'a> {
    pub fn new(scenario: &'a Scenario) -> Self {
        let shards = Shards::new(scenario);
        let n = shards.count();
        let seed = scenario.seed;
        let (producers, traffic): (Vec<ProducerRt>, Vec<Traffic>) = scenario
            .producers
            .iter()
            .enumerate()
            .map(|(p, spec)| {
                let max_data =
                    scenario.stream.max_record_size.saturating_sub(shards.keys(p).max_len() as u64);
                let sizes = SizeSampler::new(&spec.record_size, max_data);
                let producer = ProducerRt::new(spec, seed, &sizes, scenario.cost.payload_counts_key);
                let (share, mean_key_len) = shards.shares(p);
                (producer, Traffic::new(spec, seed, sizes, share.to_vec(), mean_key_len.to_vec()))
            })
            .unzip();
        let (traffic, ticks) = match scenario.engine.mode {
            EngineMode::PerRecord => (traffic, None),
            EngineMode::Aggregated => (Vec::new(), Some(Ticks::new(scenario, traffic, n))),
        };
        let mut metrics = Collector::new(scenario.duration, n);
        metrics.open_shards_from(0, shards.open());
        World {
            scenario,
            capacity: Capacity::new(scenario),
            writes: Writes::new(scenario, producers, traffic, n),
            ticks,
            readers: Readers::new(scenario, n),
            tracer: Tracer::new(scenario),
            metrics,
            shards,
        }
    }

    /// Run to the scenario's end and return what it did (the scenario's own facts and the cost
    /// are the caller's to add). At most `max_events` events run (the caller's guard against a
    /// runaway run); `draw` says whether aggregated mode may draw ahead on a thread.
    pub fn run(mut self, max_events: u64, draw: DrawAhead) -> Result<RunResult, RunError> {
        let end = self.scenario.duration;
        let cells = self.scenario.producers.len() * self.shards.map().len();
        if let Some(ticks) = &mut self.ticks {
            let ahead = match draw {
                DrawAhead::Never => false,
                DrawAhead::IfWorthIt => cells >= DRAW_AHEAD_MIN_CELLS,
                DrawAhead::Always => true,
            };
            if ahead {
                ticks.draw_ahead();
            }
        }
        let mut queue = EventQueue::new();
        let mut fx = queue.agenda();
        match &self.ticks {
            None => self.writes.start(&mut fx),
            Some(ticks) => ticks.start(&mut fx),
        }
        self.capacity.start_calls(&mut fx);
        self.readers.start(&mut fx);
        self.capacity.start_evaluating(&mut fx);
        fx.close()?;
        queue.run_until(end, max_events, |now, event, fx| self.handle(now, event, fx))?;
        Ok(self.finish(end))
    }

    /// Hand `event` to the component that owns it, and changes of the shard map to the rest.
    /// Inlined into the engine's loop, which then matches on the event where it popped it
    /// (passing it to a call costs a store-forwarding stall per event).
    #[inline(always)]
    fn handle(&mut self, now: SimTime, event: Event, fx: &mut Effects) {
        // The write path's sinks, borrowed from the world for one event.
        macro_rules! sinks {
            () => {
                &mut Sinks {
                    metrics: &mut self.metrics,
                    logs: &mut self.readers,
                    tracer: &mut self.tracer,
                    load: &mut self.capacity.load,
                    fx,
                }
            };
        }
        match event {
            Event::Arrival { p } => self.writes.arrival(p as usize, now, &self.shards, sinks!()),
            Event::Linger { p, epoch } => self.writes.linger(p as usize, epoch, now, &self.shards, sinks!()),
            Event::Retry { p, slot } => self.writes.retry(p as usize, slot, now, &self.shards, sinks!()),
            Event::Tick => {
                if let Some(ticks) = &mut self.ticks {
                    ticks.tick(now, &mut self.writes, &self.shards, sinks!());
                }
            }
            Event::ScheduledCall { i } => self.capacity.scheduled_call(now, i, fx),
            Event::Evaluate => {
                let merges = self.capacity.evaluate(now, &mut self.shards, fx);
                self.reshard(now, &merges);
            }
            Event::ReshardDone { target } => {
                let change = self.capacity.reshard_done(now, target, &mut self.shards);
                self.reshard(now, &[change]);
            }
            Event::Split { id } => {
                if let Some(change) = self.capacity.split(now, id, &mut self.shards) {
                    self.reshard(now, &[change]);
                }
            }
            Event::ModeSwitch { i } => self.capacity.mode_switch(now, i, &self.shards),
            Event::Poll { c } => self.readers.poll(c as usize, now, fx),
            Event::WorkerFail { c, w } => self.readers.worker_fails(c as usize, w, now),
            Event::JobTick { c } => self.readers.job_tick(c as usize, now, fx),
            Event::JobEnd { c, run } => self.readers.job_end(c as usize, run, now),
            Event::InstanceFail { c, i } => self.readers.instance_fails(c as usize, i, now),
        }
    }

    /// The shard map changed at `now` (`changes`, in order): every component keeping state by
    /// shard id makes room, and the ticks split their records over the new map.
    fn reshard(&mut self, now: SimTime, changes: &[MapChange]) {
        for change in changes {
            if let Some(ticks) = &mut self.ticks {
                ticks.reshard(change);
            }
            let parents = change.opened.clone().map(|id| self.shards.parents(id));
            self.readers.reshard(&change.closed, parents);
            self.writes.reshard(change);
            self.metrics.ensure_shards(change.opened.end as usize);
            self.metrics.open_shards_from(now, change.open);
        }
        if let (Some(ticks), false) = (&mut self.ticks, changes.is_empty()) {
            ticks.remap(self.shards.remap());
        }
    }

    /// The run's end: every component hands over what it knows.
    fn finish(mut self, end: SimTime) -> RunResult {
        let (consumers, read) = self.readers.finish(end);
        let handover = Handover {
            records_pending: self.writes.pending(),
            shards: self.shards.meta(),
            capacity: self.capacity.result(&self.shards),
            consumers,
            written: self.tracer.finish(end),
            read,
            kinesis_records_accepted: self.writes.kinesis_accepted(),
        };
        crate::metrics::assemble(self.metrics, handover)
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

    fn run(sc: &Scenario, draw: DrawAhead) -> RunResult {
        World::new(sc).run(u64::MAX, draw).unwrap()
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
        let r = run(&sc, DrawAhead::Never);
        let retried = &r.series.retried_records;
        assert!(retried.iter().all(|r| r % 500 == 0), "{retried:?}");
        let distinct: std::collections::BTreeSet<u64> = retried.iter().copied().collect();
        assert!(distinct.len() >= 3, "calls spread over ticks: {distinct:?}");
        let t = &r.totals;
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
            let a = run(&sc, DrawAhead::Always);
            let b = run(&sc, DrawAhead::Never);
            assert!(a.capacity.reshard_count >= 2, "{}: the map changes", sc.name);
            assert!(a.totals.throttled_attempts > 0, "{}: retries wait across the changes", sc.name);
            assert_eq!(a, b, "{}", sc.name);
        }
    }

    #[test]
    fn both_modes_throttle_exactly_the_excess_of_evenly_spaced_traffic() {
        for mode in [EngineMode::PerRecord, EngineMode::Aggregated] {
            let r = run(&one_shard(1500.0, mode), DrawAhead::Never);
            assert_eq!(r.totals.records_produced, 15_000, "{mode:?}");
            assert_eq!(r.totals.records_accepted, 10_000, "{mode:?}");
            assert_eq!(r.totals.throttled_attempts, 5_000, "{mode:?}");
            assert_eq!(r.totals.records_dropped_throttled, 5_000, "{mode:?}");
            assert_eq!(r.latency.overall.p50.round(), 20.0, "{mode:?}: latency is the round trip");
        }
    }

    /// The world stops a run at its event cap, with the engine's error.
    #[test]
    fn a_run_stops_at_its_event_cap() {
        let sc = one_shard(1500.0, EngineMode::PerRecord);
        let err = World::new(&sc).run(100, DrawAhead::Never).unwrap_err();
        assert!(matches!(err, RunError::CapReached { cap: 100, .. }), "{err:?}");
    }
}
