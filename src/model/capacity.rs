//! Capacity at run time: the stream's capacity mode and its switches, `UpdateShardCount` calls
//! (scheduled, or from an autoscaling policy; checked by [`CapacityController`]), on-demand's
//! own splits and merges ([`OnDemand`]), and the load the write path reports over each
//! evaluation period ([`Load`]). Its decisions change the shard map ([`Shards`]) and come back
//! as [`MapChange`]s for the world to pass on, and as events to schedule ([`Effects`]).
//! Calls `provisioned`, `on_demand`, `shards` and `event`.

use crate::limits::{DAY, MODE_SWITCHES_PER_24H, SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::metrics::collector::Offered;
use crate::metrics::{CapacityResult, ModeSwitchRecord};
use crate::model::event::{Effects, Event};
use crate::model::on_demand::OnDemand;
use crate::model::provisioned::{CapacityController, Origin, PeriodLoad, Refusal};
use crate::model::shards::{MapChange, Shards};
use crate::scenario::{CapacityMode, CapacitySettings, Scenario};
use crate::units::{to_secs_f64, SimTime};

/// What the stream carried in the current evaluation period: accepted records and bytes and
/// throttled attempts (what autoscaling reads), and by shard id the records and bytes offered
/// (what on-demand reads).
#[derive(Debug, Default)]
pub struct Load {
    records: u64,
    bytes: u64,
    throttled: u64,
    offered: Vec<(u64, u64)>,
}

impl Load {
    /// Records offered to `shard` and what became of them.
    #[inline]
    pub fn count(&mut self, shard: u32, o: &Offered) {
        self.records += o.accepted_records;
        self.bytes += o.accepted_bytes;
        self.throttled += o.records - o.accepted_records;
        if let Some(v) = self.offered.get_mut(shard as usize) {
            v.0 += o.records;
            v.1 += o.bytes;
        }
    }

    fn reset(&mut self) {
        self.offered.iter_mut().for_each(|p| *p = (0, 0));
        self.records = 0;
        self.bytes = 0;
        self.throttled = 0;
    }
}

pub struct Capacity {
    settings: CapacitySettings,
    /// The mode and shards the stream started with, and its mode now.
    initial: (CapacityMode, u32),
    mode: CapacityMode,
    controller: CapacityController,
    on_demand: OnDemand,
    pub load: Load,
    /// Reshards completed (`UpdateShardCount` calls and on-demand splits).
    reshards: u32,
    /// Accepted mode switches (for the 2-per-24-hours rule) and every switch asked for.
    switch_times: Vec<SimTime>,
    switches: Vec<ModeSwitchRecord>,
}

impl Capacity {
    pub fn new(scenario: &Scenario) -> Self {
        let n = scenario.stream.shards;
        Capacity {
            settings: scenario.capacity.clone(),
            initial: (scenario.stream.mode, n),
            mode: scenario.stream.mode,
            controller: CapacityController::new(&scenario.capacity, n),
            on_demand: OnDemand::new(n as usize),
            load: Load { offered: vec![(0, 0); n as usize], ..Load::default() },
            reshards: 0,
            switch_times: Vec::new(),
            switches: Vec::new(),
        }
    }

    /// Ask for the scheduled `UpdateShardCount` calls and mode switches.
    pub fn start_calls(&self, fx: &mut Effects) {
        for (i, (at, _)) in self.settings.schedule.iter().enumerate() {
            // Validation keeps scheduled calls inside the run, so this is never in the past.
            fx.at(*at, Event::ScheduledCall { i: i as u32 });
        }
        for (i, (at, _)) in self.settings.mode_switches.iter().enumerate() {
            fx.at(*at, Event::ModeSwitch { i: i as u32 });
        }
    }

    /// Ask for the first evaluation period's end, if anything reads it.
    pub fn start_evaluating(&self, fx: &mut Effects) {
        let s = &self.settings;
        if s.autoscaling.is_some() || self.on_demand() || !s.mode_switches.is_empty() {
            fx.at(s.evaluation_period, Event::Evaluate);
        }
    }

    fn on_demand(&self) -> bool {
        self.mode == CapacityMode::OnDemand
    }

    /// Make room for shard ids `0..total`.
    fn grow(&mut self, total: usize) {
        self.load.offered.resize(total, (0, 0));
        self.on_demand.grow(total);
    }

    /// The `i`-th scheduled `UpdateShardCount` call is due.
    pub fn scheduled_call(&mut self, now: SimTime, i: u32, fx: &mut Effects) {
        let target = self.settings.schedule[i as usize].1;
        self.update_shard_count(now, target, Origin::Schedule, fx);
    }

    /// An `UpdateShardCount` call: checked against AWS's rules, then scheduled to complete. On an
    /// on-demand stream it is refused: the API "is only supported for the data streams with the
    /// provisioned capacity mode"
    /// (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
    fn update_shard_count(&mut self, now: SimTime, target: u32, origin: Origin, fx: &mut Effects) -> bool {
        if self.on_demand() {
            self.controller.refuse(now, target, origin, Refusal::OnDemand);
            return false;
        }
        match self.controller.request(now, target, origin) {
            Ok(done) => {
                fx.at(done, Event::ReshardDone { target });
                true
            }
            Err(_) => false,
        }
    }

    /// An evaluation period ends at `now`: on-demand splits and merges, or the autoscaling
    /// policy's call. The merges made now come back, in order.
    pub fn evaluate(&mut self, now: SimTime, shards: &mut Shards, fx: &mut Effects) -> Vec<MapChange> {
        let period = self.settings.evaluation_period;
        if self.on_demand() {
            let od = &self.settings.on_demand;
            let merges = self.on_demand.evaluate(now, od, period, &mut self.load.offered, shards, fx);
            self.grow(shards.count());
            fx.at(now + period, Event::Evaluate);
            return merges;
        }
        let open = f64::from(shards.open());
        let secs = to_secs_f64(period);
        let load = PeriodLoad {
            utilisation: (self.load.records as f64 / (open * SHARD_WRITE_RECORDS_PER_S as f64 * secs))
                .max(self.load.bytes as f64 / (open * SHARD_WRITE_BYTES_PER_S as f64 * secs)),
            throttled: self.load.throttled,
        };
        self.load.records = 0;
        self.load.bytes = 0;
        self.load.throttled = 0;
        if let Some(target) = self.controller.evaluate(now, load) {
            let up = target > self.controller.open_shards();
            if self.update_shard_count(now, target, Origin::Autoscaling, fx) {
                self.controller.note_scaled(up);
            }
        }
        fx.at(now + period, Event::Evaluate);
        Vec::new()
    }

    /// An accepted `UpdateShardCount` finishes: the stream has `target` open shards.
    pub fn reshard_done(&mut self, now: SimTime, target: u32, shards: &mut Shards) -> MapChange {
        let change = shards.reshard_uniform(now, target);
        self.grow(shards.count());
        self.controller.complete(now, target);
        self.reshards += 1;
        change
    }

    /// On-demand: the split decided for shard `id` is due (unless the stream has switched to
    /// provisioned meanwhile).
    pub fn split(&mut self, now: SimTime, id: u32, shards: &mut Shards) -> Option<MapChange> {
        if !self.on_demand() {
            return None;
        }
        let change = self.on_demand.split(now, id, shards)?;
        self.grow(shards.count());
        self.reshards += 1;
        Some(change)
    }

    /// The `i`-th capacity-mode switch: at most twice per rolling 24 hours; the stream keeps its
    /// shards and is `UPDATING` (no `UpdateShardCount`) for the resharding duration
    /// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html).
    pub fn mode_switch(&mut self, now: SimTime, i: u32, shards: &Shards) {
        let to = self.settings.mode_switches[i as usize].1;
        self.switch_times.retain(|t| now.saturating_sub(*t) < DAY);
        let refused = if to == self.mode {
            // Only when an earlier switch was refused at run time (validation rejects a switch to
            // the mode the stream is certainly in).
            Some("the stream is already in this mode".to_string())
        } else if self.switch_times.len() >= MODE_SWITCHES_PER_24H {
            Some(format!("{} switches already in the last 24 h (limit 2)", self.switch_times.len()))
        } else if self.controller.is_updating(now) {
            Some("stream is UPDATING (ResourceInUseException)".to_string())
        } else {
            None
        };
        if refused.is_none() {
            self.switch_times.push(now);
            self.mode = to;
            self.controller.set_updating(now, shards.open());
            // Each mode's load tracking starts fresh at the switch.
            self.on_demand.reset();
            self.load.reset();
        }
        self.switches.push(ModeSwitchRecord { at_s: to_secs_f64(now), to, refused });
    }

    /// What the run did to capacity.
    pub fn result(&mut self, shards: &Shards) -> CapacityResult {
        CapacityResult {
            mode: self.initial.0,
            shards_initial: self.initial.1,
            shards_final: shards.open(),
            shards_max: shards.max_open(),
            reshard_count: self.reshards,
            calls: self.controller.calls.iter().map(|c| c.report()).collect(),
            mode_switches: std::mem::take(&mut self.switches),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "name = \"c\"\nduration = \"3d\"\n[stream]\nshards = 4\n[[producers]]\nname = \"p\"\nrate = 100\nrecord_size = \"100B\"\n{extra}"
        );
        crate::scenario::parse_str(&text, None).unwrap()
    }

    /// A scheduled call is scheduled to complete after the resharding duration; its completion
    /// opens the new shards; the report names the call.
    #[test]
    fn a_scheduled_call_completes_and_reshards() {
        let sc = scenario("[capacity]\nschedule = [{ at = \"1h\", shards = 8 }]\n");
        let (mut cap, mut shards) = (Capacity::new(&sc), Shards::new(&sc));
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        cap.start_calls(&mut fx);
        cap.start_evaluating(&mut fx);
        assert_eq!(fx.len(), 1, "the call; nothing evaluates");
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        cap.scheduled_call(secs(3600), 0, &mut fx);
        assert_eq!(fx.len(), 1, "its completion");
        let change = cap.reshard_done(secs(3600) + sc.capacity.resharding_duration, 8, &mut shards);
        assert_eq!((change.closed.len(), change.opened.len(), change.open), (4, 8, 8));
        let r = cap.result(&shards);
        assert_eq!((r.shards_initial, r.shards_final, r.shards_max, r.reshard_count), (4, 8, 8, 1));
        assert_eq!(r.calls[0].origin, Origin::Schedule);
        assert_eq!(r.mode, CapacityMode::Provisioned);
    }

    /// Two mode switches per rolling 24 hours: the third is refused; an on-demand stream refuses
    /// `UpdateShardCount`.
    #[test]
    fn mode_switches_are_limited_and_on_demand_refuses_update_shard_count() {
        let sc = scenario(
            "[capacity]\nresharding_duration = \"1m\"\nmode_switches = [\
             { at = \"1h\", mode = \"on-demand\" }, { at = \"2h\", mode = \"provisioned\" }, \
             { at = \"3h\", mode = \"on-demand\" }]\n",
        );
        let (mut cap, shards) = (Capacity::new(&sc), Shards::new(&sc));
        cap.mode_switch(secs(3600), 0, &shards);
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        cap.update_shard_count(secs(5400), 8, Origin::Schedule, &mut fx);
        assert!(fx.is_empty());
        for (i, h) in [(1, 2), (2, 3)] {
            cap.mode_switch(secs(h * 3600), i, &shards);
        }
        let r = cap.result(&shards);
        let refused: Vec<Option<&str>> = r.mode_switches.iter().map(|s| s.refused.as_deref()).collect();
        assert_eq!(refused[..2], [None, None]);
        assert!(refused[2].unwrap().contains("limit 2"), "{refused:?}");
        assert!(r.calls[0].refused.as_deref().unwrap().contains("on-demand"));
    }

    #[test]
    fn load_counts_accepted_throttled_and_offered_by_shard() {
        let mut l = Load { offered: vec![(0, 0); 2], ..Load::default() };
        let o = Offered { records: 10, bytes: 100, accepted_records: 7, accepted_bytes: 70, retried: 0 };
        l.count(1, &o);
        l.count(5, &o);
        assert_eq!((l.records, l.bytes, l.throttled), (14, 140, 6));
        assert_eq!(l.offered, [(0, 0), (10, 100)]);
        l.reset();
        assert_eq!((l.records, l.offered[1]), (0, (0, 0)));
    }
}
