//! The run's usage indexed for billing: when the stream was in which capacity mode, the shards
//! open in each window, shard-hours and stream-hours over time, cumulative quantities, and the
//! bytes retained in each retention tier. `model` prices it.
//!
//! Calls `metrics` (the run's quantities), `kinds`, `limits`.

use crate::kinds::CapacityMode as Mode;
use crate::limits::{INCLUDED_RETENTION_S, LONG_TERM_AFTER_S};
use crate::metrics::RunResult;

/// Seconds in an hour.
pub(super) const HOUR_S: f64 = 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    Included,
    Extended,
    LongTerm,
}

/// A retention tier: data aged `[lo, hi)` seconds.
pub(super) struct TierSpan {
    pub(super) which: Tier,
    pub(super) label: &'static str,
    pub(super) lo: u64,
    pub(super) hi: u64,
}

/// The run's usage, indexed for billing.
pub(super) struct Usage<'a> {
    pub(super) r: &'a RunResult,
    pub(super) run_s: f64,
    pub(super) retention_s: u64,
    /// Shard (opened, closed) [s], from the run's shard list.
    pub(super) intervals: Vec<(f64, f64)>,
    /// Capacity mode over time: (start [s], mode), sorted, the first at 0.
    pub(super) timeline: Vec<(f64, Mode)>,
    /// On-demand use is billed at On-demand Advantage prices.
    pub(super) advantage: bool,
    /// The partition key counts in a record's billed size (`[cost] payload_counts_key`).
    pub(super) counts_key: bool,
}

impl<'a> Usage<'a> {
    pub(super) fn new(r: &'a RunResult, run_s: f64, retention_s: u64) -> Self {
        let intervals = r
            .shards
            .iter()
            .map(|s| (s.opened_at_s, s.closed_at_s.unwrap_or(f64::INFINITY).min(run_s)))
            .filter(|(o, c)| c > o)
            .collect();
        let mut timeline = vec![(0.0, r.capacity.mode)];
        for sw in r.capacity.mode_switches.iter().filter(|s| s.refused.is_none()) {
            timeline.push((sw.at_s.max(0.0), sw.to));
        }
        timeline.sort_by(|a, b| a.0.total_cmp(&b.0));
        Usage { r, run_s, retention_s, intervals, timeline, advantage: false, counts_key: false }
    }

    /// The mode at instant `t`.
    pub(super) fn mode_at(&self, t: f64) -> Mode {
        self.timeline.iter().take_while(|(at, _)| *at <= t).last().map_or(Mode::Provisioned, |x| x.1)
    }

    /// Whether second `s` (`[s, s + 1)`) is billed in mode `m` (`None`: every mode).
    pub(super) fn second_in(&self, s: usize, m: Option<Mode>) -> bool {
        m.is_none_or(|m| self.mode_at(s as f64 + 0.5) == m)
    }

    /// The parts of `[a, b)` spent in mode `m` (`None`: all of it).
    pub(super) fn windows(&self, a: f64, b: f64, m: Option<Mode>) -> Vec<(f64, f64)> {
        if b <= a {
            return Vec::new();
        }
        let Some(m) = m else { return vec![(a, b)] };
        let mut out = Vec::new();
        for (i, &(start, mode)) in self.timeline.iter().enumerate() {
            let end = self.timeline.get(i + 1).map_or(f64::INFINITY, |x| x.0);
            let (lo, hi) = (start.max(a), end.min(b));
            if mode == m && hi > lo {
                out.push((lo, hi));
            }
        }
        out
    }

    /// Seconds of the run in mode `m`.
    pub(super) fn seconds_in(&self, m: Option<Mode>) -> f64 {
        self.windows(0.0, self.run_s, m).iter().map(|(a, b)| b - a).sum()
    }

    /// Shards open at any moment of the windows: the distinct shards whose open interval
    /// overlaps one, and never fewer than the most open in any one second of them.
    pub(super) fn shards_in(&self, windows: &[(f64, f64)]) -> f64 {
        if windows.is_empty() {
            return 0.0;
        }
        let distinct =
            self.intervals.iter().filter(|(o, c)| windows.iter().any(|(a, b)| *o < *b && *c > *a)).count();
        let s = &self.r.series.open_shards;
        let most = windows
            .iter()
            .flat_map(|&(a, b)| {
                let lo = (a.floor() as usize).min(s.len());
                let hi = (b.ceil() as usize).min(s.len());
                s[lo..hi].iter().copied()
            })
            .max()
            .unwrap_or(0) as usize;
        distinct.max(most) as f64
    }

    /// Shard-hours in mode `m` at each instant of `times`: whole clock hours before it, plus the
    /// hour it falls in, already owed for every shard open in it so far.
    pub(super) fn shard_hours(&self, times: &[f64], m: Option<Mode>) -> Vec<f64> {
        let hours = (self.run_s / HOUR_S).ceil() as usize;
        let mut prefix = vec![0.0];
        for h in 0..hours {
            let a = h as f64 * HOUR_S;
            let c = self.shards_in(&self.windows(a, (a + HOUR_S).min(self.run_s), m));
            prefix.push(prefix.last().copied().unwrap_or(0.0) + c);
        }
        times
            .iter()
            .map(|&t| {
                let t = t.min(self.run_s);
                let h = ((t / HOUR_S).floor() as usize).min(prefix.len() - 1);
                prefix[h] + self.shards_in(&self.windows(h as f64 * HOUR_S, t, m))
            })
            .collect()
    }

    /// Stream-hours in mode `m` at each instant of `times`: clock hours with time in `m`, each
    /// hour or part of one.
    pub(super) fn stream_hours(&self, times: &[f64], m: Option<Mode>) -> Vec<f64> {
        let hours = (self.run_s / HOUR_S).ceil() as usize;
        let mut prefix = vec![0.0];
        for h in 0..hours {
            let a = h as f64 * HOUR_S;
            let used = !self.windows(a, (a + HOUR_S).min(self.run_s), m).is_empty();
            prefix.push(prefix.last().copied().unwrap_or(0.0) + if used { 1.0 } else { 0.0 });
        }
        times
            .iter()
            .map(|&t| {
                let t = t.min(self.run_s);
                let h = ((t / HOUR_S).floor() as usize).min(prefix.len() - 1);
                let partial = !self.windows(h as f64 * HOUR_S, t, m).is_empty();
                prefix[h] + if partial { 1.0 } else { 0.0 }
            })
            .collect()
    }

    /// Sum of `v` over the seconds in mode `m` before each instant of `times`.
    pub(super) fn cumulative(&self, v: &[u64], times: &[f64], m: Option<Mode>) -> Vec<f64> {
        let mut out = Vec::with_capacity(times.len());
        let (mut sum, mut i) = (0u64, 0usize);
        for &t in times {
            let end = (t.ceil() as usize).min(v.len());
            while i < end {
                if self.second_in(i, m) {
                    sum += v[i];
                }
                i += 1;
            }
            out.push(sum as f64);
        }
        out
    }

    /// The tiers the retention period spans.
    pub(super) fn tiers(&self) -> Vec<TierSpan> {
        let r = self.retention_s;
        let mut t = vec![TierSpan {
            which: Tier::Included,
            label: "first 24 h (included)",
            lo: 0,
            hi: r.min(INCLUDED_RETENTION_S),
        }];
        if r > INCLUDED_RETENTION_S {
            t.push(TierSpan {
                which: Tier::Extended,
                label: "24 h to 7 days (extended)",
                lo: INCLUDED_RETENTION_S,
                hi: r.min(LONG_TERM_AFTER_S),
            });
        }
        if r > LONG_TERM_AFTER_S {
            t.push(TierSpan {
                which: Tier::LongTerm,
                label: "beyond 7 days (long-term)",
                lo: LONG_TERM_AFTER_S,
                hi: r,
            });
        }
        t
    }

    /// Per tier: cumulative byte-seconds stored while in mode `m`, and bytes retained, at each
    /// instant of `times`. Data accepted in second s is stored from instant s + 1; at whole
    /// instant T its age is T - s - 1, and it is retained while its age is below the retention.
    /// Whole instant T stands for the second (T - 1, T] of storage.
    pub(super) fn retention_series(
        &self,
        tiers: &[TierSpan],
        times: &[f64],
        m: Option<Mode>,
    ) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let bytes = &self.r.series.accepted_bytes;
        let mut prefix = Vec::with_capacity(bytes.len() + 1);
        prefix.push(0u64);
        for &b in bytes {
            prefix.push(prefix.last().copied().unwrap_or(0) + b);
        }
        let n = prefix.len() - 1;
        // Bytes aged [lo, hi) at whole instant T: seconds s in [T - hi, T - 1 - lo].
        let in_tier = |t: usize, tier: &TierSpan| -> u64 {
            let end = t.saturating_sub(tier.lo as usize).min(n);
            let start = t.saturating_sub(tier.hi as usize).min(end);
            prefix[end] - prefix[start]
        };
        let mut byte_s = vec![Vec::with_capacity(times.len()); tiers.len()];
        let mut retained = vec![Vec::with_capacity(times.len()); tiers.len()];
        let mut acc = vec![0f64; tiers.len()];
        let mut t_done = 0usize;
        for &t in times {
            let target = t.floor() as usize;
            while t_done < target {
                t_done += 1;
                if self.second_in(t_done - 1, m) {
                    for (i, tier) in tiers.iter().enumerate() {
                        acc[i] += in_tier(t_done, tier) as f64;
                    }
                }
            }
            for (i, tier) in tiers.iter().enumerate() {
                byte_s[i].push(acc[i]);
                retained[i].push(in_tier(t_done, tier) as f64);
            }
        }
        (byte_s, retained)
    }
}
