//! On-demand's memory of the write throughput it has carried: AWS documents that an on-demand
//! stream "accommodates up to double the peak write throughput observed in the previous 30
//! days" (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html), so the
//! model never merges shards below what that peak needs.
//!
//! The load remembered is each evaluation period's (one minute by default) average offered write
//! load of a shard, as a fraction of one shard's limit: `max(records / 1,000/s, bytes / 1 MiB/s)`
//! (a model choice: the per-minute peak, as CloudWatch's one-minute datapoints show it; a
//! per-second peak would chase Poisson noise). A shard's memory follows its hash range: a child of
//! a split remembers its share of the parent's history, a merged shard the sum of its parents'
//! (an upper bound of their combined peak: the model errs on the side of keeping capacity).
//!
//! Owns one shard's remembered loads; calls nothing of the model.

use crate::units::SimTime;
use std::collections::VecDeque;

/// The remembered loads of one shard (hash range).
#[derive(Debug, Clone, Default)]
pub struct PeakMemory {
    /// This shard's own periods: (time, load), loads strictly decreasing from the front (the
    /// front is the window's maximum).
    own: VecDeque<(SimTime, f64)>,
    /// The memories of the shards merged into this one; their peaks add up.
    parts: Vec<PeakMemory>,
}

impl PeakMemory {
    /// Remember `load` at `now`.
    pub fn record(&mut self, now: SimTime, load: f64) {
        while self.own.back().is_some_and(|(_, l)| *l <= load) {
            self.own.pop_back();
        }
        self.own.push_back((now, load));
    }

    /// Forget what is `window` old or older at `now`.
    pub fn prune(&mut self, now: SimTime, window: SimTime) {
        let since = now.saturating_sub(window);
        while self.own.front().is_some_and(|(t, _)| *t <= since && now >= window) {
            self.own.pop_front();
        }
        for p in &mut self.parts {
            p.prune(now, window);
        }
        self.parts.retain(|p| !p.is_empty());
    }

    fn is_empty(&self) -> bool {
        self.own.is_empty() && self.parts.is_empty()
    }

    /// The peak of the remembered loads (call [`Self::prune`] first).
    pub fn peak(&self) -> f64 {
        let own = self.own.front().map_or(0.0, |(_, l)| *l);
        own.max(self.parts.iter().map(PeakMemory::peak).sum())
    }

    /// The memory of a part of this range carrying `fraction` of its traffic (a split child).
    pub fn scaled(&self, fraction: f64) -> PeakMemory {
        PeakMemory {
            own: self.own.iter().map(|(t, l)| (*t, l * fraction)).collect(),
            parts: self.parts.iter().map(|p| p.scaled(fraction)).collect(),
        }
    }

    /// The memory of the shard merged from `a` and `b`.
    pub fn merged(a: PeakMemory, b: PeakMemory) -> PeakMemory {
        PeakMemory { own: VecDeque::new(), parts: [a, b].into_iter().filter(|p| !p.is_empty()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    const DAY: SimTime = secs(86_400);
    const WINDOW: SimTime = secs(30 * 86_400);

    /// "up to double the peak write throughput observed in the previous 30 days"
    /// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html): the peak is
    /// the highest load of the trailing 30 days, and is forgotten after them.
    #[test]
    fn remembers_the_peak_of_the_previous_30_days_how_do_i_size_a_stream() {
        let mut m = PeakMemory::default();
        m.record(DAY, 0.4);
        m.record(2 * DAY, 0.1);
        m.record(3 * DAY, 0.2);
        m.prune(29 * DAY, WINDOW);
        assert_eq!(m.peak(), 0.4);
        m.prune(31 * DAY, WINDOW);
        assert_eq!(m.peak(), 0.2, "the 0.4 of day 1 is 30 days old");
        m.prune(34 * DAY, WINDOW);
        assert_eq!(m.peak(), 0.0);
    }

    #[test]
    fn split_children_share_and_merged_shards_add_up() {
        let mut m = PeakMemory::default();
        m.record(DAY, 0.4);
        let (a, b) = (m.scaled(0.25), m.scaled(0.75));
        assert_eq!((a.peak(), b.peak()), (0.1, 0.30000000000000004));
        let mut ab = PeakMemory::merged(a, b);
        assert!((ab.peak() - 0.4).abs() < 1e-12);
        ab.record(2 * DAY, 0.3);
        assert!((ab.peak() - 0.4).abs() < 1e-12, "its parents' peak is higher");
        ab.prune(DAY + WINDOW, WINDOW);
        assert_eq!(ab.peak(), 0.3);
    }
}
