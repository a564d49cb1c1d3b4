//! On-demand capacity's own scaling: every evaluation period, a shard whose offered load passed
//! the split threshold is split `split_delay` after the start of that period, so a split lands
//! at most 15 minutes after the period's traffic crossed the threshold (AWS: "When the incoming
//! traffic exceeds 500 KB/s per shard, it splits the shard within 15 minutes",
//! https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html). Adjacent shards
//! idle for long enough merge, but never below double the trailing-30-day peak (the same page:
//! on-demand "accommodates up to double the peak write throughput observed in the previous 30
//! days"): two shards merge only if one shard holds double their combined peak, and the stream
//! keeps at least double its own peak.
//!
//! Owns, by shard id, the splits decided, since when each shard has been nearly idle, and the
//! loads its hash range carried ([`PeakMemory`]). Calls `peak`, `shards` and `event`.

use crate::limits;
use crate::limits::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::model::event::{Effects, Event};
use crate::model::peak::PeakMemory;
use crate::model::shards::{MapChange, Shards};
use crate::scenario::OnDemandSettings;
use crate::units::{to_secs_f64, SimTime};

#[derive(Debug, Default)]
pub struct OnDemand {
    /// By shard id: a split already decided, and since when it has been nearly idle.
    split_pending: Vec<bool>,
    low_since: Vec<Option<SimTime>>,
    /// By shard id: the loads its hash range carried in the trailing 30 days; and the stream's
    /// (the sum over its shards).
    peaks: Vec<PeakMemory>,
    stream_peak: PeakMemory,
}

impl OnDemand {
    pub fn new(shards: usize) -> Self {
        let mut od = OnDemand::default();
        od.grow(shards);
        od
    }

    /// Make room for shard ids `0..total`.
    pub fn grow(&mut self, total: usize) {
        self.split_pending.resize(total, false);
        self.low_since.resize(total, None);
        self.peaks.resize_with(total, PeakMemory::default);
    }

    /// Forget everything: tracking starts fresh at a capacity-mode switch (what the stream
    /// carried in the other mode is not an evaluation period of this one).
    pub fn reset(&mut self) {
        self.split_pending.iter_mut().for_each(|p| *p = false);
        self.low_since.iter_mut().for_each(|l| *l = None);
        self.peaks.iter_mut().for_each(|p| *p = PeakMemory::default());
        self.stream_peak = PeakMemory::default();
    }

    /// The evaluation period of `period` ending at `now`, in which each shard id was offered
    /// `offered` (records, bytes; taken, leaving zeros): splits to schedule (as `Split` events),
    /// and the merges made now, in order.
    pub fn evaluate(
        &mut self,
        now: SimTime,
        od: &OnDemandSettings,
        period: SimTime,
        offered: &mut [(u64, u64)],
        shards: &mut Shards,
        fx: &mut Effects,
    ) -> Vec<MapChange> {
        let secs = to_secs_f64(period);
        let window = limits::OD_PEAK_WINDOW;
        let factor = limits::OD_PEAK_FACTOR;
        let mut open = shards.open();
        let split_at = (now.saturating_sub(period) + od.split_delay).max(now);
        let mut stream_load = 0.0;
        for &id in shards.map().shard_ids() {
            let (rec, bytes) = std::mem::take(&mut offered[id as usize]);
            let u = (rec as f64 / (SHARD_WRITE_RECORDS_PER_S as f64 * secs))
                .max(bytes as f64 / (SHARD_WRITE_BYTES_PER_S as f64 * secs));
            stream_load += u;
            let peak = &mut self.peaks[id as usize];
            peak.record(now, u);
            peak.prune(now, window);
            if u > od.split_threshold && !self.split_pending[id as usize] && open < od.max_shards {
                self.split_pending[id as usize] = true;
                open += 1;
                fx.at(split_at, Event::Split { id });
            }
            let low = &mut self.low_since[id as usize];
            *low = if u < od.merge_threshold { low.or(Some(now)) } else { None };
        }
        self.stream_peak.record(now, stream_load);
        self.stream_peak.prune(now, window);
        // Gradual scale-down: merge neighbours idle for `merge_after`, never below the initial
        // capacity (AWS keeps a new stream's 4 MiB/s floor) nor below double the peak.
        let idle = |od_: &OnDemand, id: u32| {
            !od_.split_pending[id as usize]
                && od_.low_since[id as usize].is_some_and(|t| now.saturating_sub(t) >= od.merge_after)
        };
        let floor = od
            .initial_shards
            .max(od.warm_throughput.div_ceil(SHARD_WRITE_BYTES_PER_S) as u32)
            .max((factor * self.stream_peak.peak() - 1e-9).ceil() as u32);
        let mut merges = Vec::new();
        let mut pos = 0;
        while pos + 1 < shards.map().len() && shards.open() > floor {
            let (a, b) = (shards.map().shard_ids()[pos], shards.map().shard_ids()[pos + 1]);
            let room = factor * (self.peaks[a as usize].peak() + self.peaks[b as usize].peak()) <= 1.0;
            if room && idle(self, a) && idle(self, b) {
                let memory = PeakMemory::merged(
                    std::mem::take(&mut self.peaks[a as usize]),
                    std::mem::take(&mut self.peaks[b as usize]),
                );
                let change = shards.merge(now, pos);
                self.grow(shards.count());
                self.peaks[change.opened.start as usize] = memory;
                merges.push(change);
            }
            pos += 1;
        }
        merges
    }

    /// The split decided for shard `id` happens now, if still pending and the shard open: each
    /// child remembers its share of the parent's loads (by its keys' share of traffic).
    pub fn split(&mut self, now: SimTime, id: u32, shards: &mut Shards) -> Option<MapChange> {
        if !self.split_pending[id as usize] {
            return None; // switched modes meanwhile
        }
        let change = shards.split(now, id)?;
        self.grow(shards.count());
        let memory = std::mem::take(&mut self.peaks[id as usize]);
        let first = change.opened.start;
        let (ka, kb) = (shards.key_share(first), shards.key_share(first + 1));
        let fa = if ka + kb > 0.0 { ka / (ka + kb) } else { 0.5 };
        self.peaks[first as usize] = memory.scaled(fa);
        self.peaks[first as usize + 1] = memory.scaled(1.0 - fa);
        Some(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    fn setup(n: u32) -> (Shards, OnDemandSettings) {
        let text = format!(
            "name = \"s\"\nduration = \"1h\"\n[stream]\nmode = \"on-demand\"\n[capacity.on_demand]\n\
             initial_shards = {n}\n[[producers]]\n\
             name = \"p\"\nrate = 100\nrecord_size = \"100B\"\n"
        );
        let sc = crate::scenario::parse_str(&text, None).unwrap();
        (Shards::new(&sc), sc.capacity.on_demand.clone())
    }

    /// A shard over the split threshold is split `split_delay` after the start of its period,
    /// once; the split opens two children that share the parent's remembered load.
    #[test]
    fn a_hot_shard_is_split_once_within_the_delay() {
        let (mut shards, od) = setup(4);
        let mut on_demand = OnDemand::new(shards.count());
        let period = secs(60);
        let mut offered = vec![(0, 0); 4];
        offered[2] = (60 * 900, 0); // 90% of the records limit over the period
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        let merges = on_demand.evaluate(secs(60), &od, period, &mut offered, &mut shards, &mut fx);
        assert!(merges.is_empty());
        assert_eq!(fx.len(), 1, "one split scheduled");
        assert!(offered.iter().all(|o| *o == (0, 0)), "the period's counts are taken");
        let mut qfx2 = crate::engine::EventQueue::new();
        let mut fx2 = qfx2.agenda();
        offered[2] = (60 * 900, 0);
        on_demand.evaluate(secs(120), &od, period, &mut offered, &mut shards, &mut fx2);
        assert!(fx2.is_empty(), "already pending");
        let change = on_demand.split(secs(120), 2, &mut shards).unwrap();
        assert_eq!(change.opened, 4..6);
        let p = |id: usize| on_demand.peaks[id].peak();
        assert!((p(4) + p(5) - 0.9).abs() < 1e-9, "children share the parent's peak");
        assert!(on_demand.split(secs(121), 2, &mut shards).is_none(), "closed");
    }

    /// Idle neighbours merge after `merge_after`, never below the initial shards.
    #[test]
    fn idle_neighbours_merge_down_to_the_floor() {
        let (mut shards, mut od) = setup(8);
        od.initial_shards = 4;
        od.warm_throughput = 0;
        let mut on_demand = OnDemand::new(shards.count());
        let mut offered = vec![(0, 0); 8];
        let mut qfx = crate::engine::EventQueue::new();
        let mut fx = qfx.agenda();
        let mut merged = Vec::new();
        let mut t = secs(60);
        while t <= od.merge_after + secs(120) {
            merged.extend(on_demand.evaluate(t, &od, secs(60), &mut offered, &mut shards, &mut fx));
            offered.resize(shards.count(), (0, 0));
            t += secs(60);
        }
        assert_eq!(merged.len(), 4);
        assert_eq!(shards.open(), 4);
        assert!(merged.iter().all(|m| m.closed.len() == 2 && m.opened.len() == 1));
    }
}
