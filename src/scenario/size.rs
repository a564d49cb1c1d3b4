//! The `[size]` table of `kinesim size`: the SLO, the shard counts, modes and policies searched,
//! the seeds per point, the confidence rule and the write-limit bound recommended under.
//!
//! May call: `checker`, `raw`, `types`, `defaults`.

use super::checker::{choice, int, num, positive, Checker};
use super::defaults as d;
use super::raw::choices::{CAPACITY_MODES, EVERY_SEED, SIZE_BOUNDS, SIZE_SEARCHES};
use super::raw::{RawCapacity, RawShardAxis, RawSizeTable, Scalar};
use super::types::{Bound, CapacityMode, SizePolicy, SizeSearch, SizeSettings, Slo, SloRule};
use crate::limits;

/// Validate `[size]`: `None` on a problem (reported), `Some(None)` when absent.
pub(super) fn size_table(
    c: &mut Checker,
    raw: Option<&RawSizeTable>,
    capacity: Option<&RawCapacity>,
    has_consumers: bool,
) -> Option<Option<SizeSettings>> {
    let Some(raw) = raw else { return Some(None) };
    let base = SizeSettings::default();
    if capacity.is_some_and(|cap| cap.mode_switches.as_ref().is_some_and(|m| !m.is_empty())) {
        c.err("size", "`kinesim size` sets the stream's mode for each point; remove capacity.mode_switches");
    }
    let slo = match &raw.slo {
        None => Some(base.slo),
        Some(s) => {
            let throttle = s.max_throttle_rate.as_ref().map(|v| {
                num(c, "size.slo.max_throttle_rate", v, 0.0, 1.0, "throttled / (throttled + accepted)")
            });
            let dropped = s
                .max_dropped
                .as_ref()
                .map(|v| int(c, "size.slo.max_dropped", v, 0, i64::MAX, "records").map(|n| n as u64));
            let p99 = s
                .max_p99_put_latency_ms
                .as_ref()
                .map(|v| positive(c, "size.slo.max_p99_put_latency_ms", v, 1e9, "milliseconds"));
            let age = s
                .max_p99_iterator_age_ms
                .as_ref()
                .map(|v| positive(c, "size.slo.max_p99_iterator_age_ms", v, 1e12, "milliseconds"));
            if age.is_some() && !has_consumers {
                c.err(
                    "size.slo.max_p99_iterator_age_ms",
                    "the scenario has no [[consumers]] whose iterator age could be measured; add one or remove this bound",
                );
            }
            if throttle.is_none() && dropped.is_none() && p99.is_none() && age.is_none() {
                c.err(
                    "size.slo",
                    "give at least one bound: max_throttle_rate, max_dropped, max_p99_put_latency_ms or max_p99_iterator_age_ms",
                );
            }
            // An absent bound is `Some(None)`, a bad one `None`.
            let (t, d, p, a) = (
                throttle.map_or(Some(None), |x| x.map(Some)),
                dropped.map_or(Some(None), |x| x.map(Some)),
                p99.map_or(Some(None), |x| x.map(Some)),
                age.map_or(Some(None), |x| x.map(Some)),
            );
            Some(Slo {
                max_throttle_rate: t?,
                max_dropped: d?,
                max_p99_put_latency_ms: p?,
                max_p99_iterator_age_ms: a?,
            })
        }
    };
    let max_shards: i64 = limits::MAX_SHARDS_PER_STREAM.into();
    let shard =
        |c: &mut Checker, path: &str, v: &Scalar| int(c, path, v, 1, max_shards, "shards").map(|n| n as u32);
    let shards = match &raw.shards {
        None => Some(base.shards),
        Some(RawShardAxis::One(v)) => shard(c, "size.shards", v).map(|n| vec![n]),
        Some(RawShardAxis::List(list)) => {
            if list.is_empty() {
                c.err("size.shards", "give at least one shard count, like [2, 4, 8]");
            }
            let all: Vec<Option<u32>> =
                list.iter().enumerate().map(|(i, v)| shard(c, &format!("size.shards[{i}]"), v)).collect();
            // A count listed twice is a typo for another (it used to be dropped silently).
            let mut first: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
            let mut twice = false;
            for (i, n) in all.iter().enumerate() {
                let Some(n) = *n else { continue };
                if let Some(j) = first.insert(n, i) {
                    first.insert(n, j);
                    c.err(
                        &format!("size.shards[{i}]"),
                        format!("{n} shards is listed twice (also size.shards[{j}])"),
                    );
                    twice = true;
                }
            }
            all.into_iter().collect::<Option<Vec<u32>>>().filter(|l| !l.is_empty() && !twice)
        }
        Some(RawShardAxis::Range(r)) => {
            let from = match &r.from {
                None => c.missing("size.shards.from", "give the smallest shard count, like from = 1"),
                Some(v) => shard(c, "size.shards.from", v),
            };
            let to = match &r.to {
                None => c.missing("size.shards.to", "give the largest shard count, like to = 32"),
                Some(v) => shard(c, "size.shards.to", v),
            };
            let step = match &r.step {
                None => Some(1),
                Some(v) => int(c, "size.shards.step", v, 1, max_shards, "shards").map(|n| n as u32),
            };
            match (from, to, step) {
                (Some(f), Some(t), Some(s)) if f <= t => Some((f..=t).step_by(s as usize).collect()),
                (Some(f), Some(t), Some(_)) => {
                    c.err("size.shards.to", format!("must be at least from ({f}), found {t}"));
                    None
                }
                _ => None,
            }
        }
    };
    let shards = shards.map(|mut l: Vec<u32>| {
        l.sort_unstable();
        l
    });
    if let Some(l) = &shards {
        if l.len() > d::SIZE_POINTS_MAX {
            c.err(
                "size.shards",
                format!("{} shard counts: at most {} (use a step)", l.len(), d::SIZE_POINTS_MAX),
            );
        }
    }
    let modes = match &raw.modes {
        None => Some(base.modes),
        Some(list) if list.is_empty() => {
            c.err("size.modes", "give at least one of \"provisioned\" or \"on-demand\"");
            None
        }
        Some(list) => {
            let mut out = Some(Vec::new());
            for (i, v) in list.iter().enumerate() {
                let path = format!("size.modes[{i}]");
                let m = choice(c, &path, v, &CAPACITY_MODES).map(|m| {
                    if m == "on-demand" {
                        CapacityMode::OnDemand
                    } else {
                        CapacityMode::Provisioned
                    }
                });
                match (m, out.as_mut()) {
                    (Some(m), Some(l)) if l.contains(&m) => {
                        c.err(&path, "listed twice");
                        out = None;
                    }
                    (Some(m), Some(l)) => l.push(m),
                    _ => out = None,
                }
            }
            out
        }
    };
    let seeds = match &raw.seeds {
        None => Some(base.seeds),
        Some(v) => {
            int(c, "size.seeds", v, 1, d::SIZE_SEEDS_MAX.into(), "runs per point, seed, seed + 1, ...")
                .map(|n| n as u32)
        }
    };
    let search = match &raw.search {
        None => Some(base.search),
        Some(v) => choice(c, "size.search", v, &SIZE_SEARCHES).map(|s| {
            if s == "bisect" {
                SizeSearch::Bisect
            } else {
                SizeSearch::Grid
            }
        }),
    };
    let policies = match &raw.policies {
        None => Some(base.policies),
        Some(list) if list.is_empty() => {
            c.err("size.policies", "give at least one policy, like [\"fixed\", \"target-tracking\"]");
            None
        }
        Some(list) => {
            let names: Vec<&str> = SizePolicy::ALL.iter().map(|p| p.name()).collect();
            let mut out = Some(Vec::new());
            for (i, v) in list.iter().enumerate() {
                let path = format!("size.policies[{i}]");
                let p = choice(c, &path, v, &names)
                    .and_then(|n| SizePolicy::ALL.into_iter().find(|p| p.name() == n));
                match (p, out.as_mut()) {
                    (Some(p), Some(l)) if l.contains(&p) => {
                        c.err(&path, "listed twice");
                        out = None;
                    }
                    (Some(p), Some(l)) => l.push(p),
                    _ => out = None,
                }
            }
            out
        }
    };
    if let (Some(p), Some(m)) = (&policies, &modes) {
        if raw.policies.is_some() && !p.is_empty() && !m.contains(&CapacityMode::Provisioned) {
            c.err("size.policies", "policies apply to provisioned points; add \"provisioned\" to size.modes");
        }
    }
    let rule = match &raw.confidence {
        None => Some(base.rule),
        Some(Scalar::Str(t)) if t == EVERY_SEED[0] => Some(SloRule::EverySeed),
        Some(v @ (Scalar::Float(_) | Scalar::Int(_))) => {
            let x = num(c, "size.confidence", v, 0.5, 1.0, "a confidence level like 0.95, or \"every-seed\"");
            match x {
                Some(x) if x <= 0.5 || x >= 1.0 => {
                    c.err("size.confidence", format!("expected a level between 0.5 and 1 (exclusive), like 0.95, or \"every-seed\", found {x}"));
                    None
                }
                Some(x) => {
                    if seeds.is_some_and(|n| n < 2) {
                        c.err(
                            "size.confidence",
                            "a confidence level needs at least 2 seeds per point (size.seeds)",
                        );
                    }
                    Some(SloRule::Confidence(x))
                }
                None => None,
            }
        }
        Some(v) => {
            c.err(
                "size.confidence",
                format!("expected \"every-seed\" or a confidence level like 0.95, found {}", v.describe()),
            );
            None
        }
    };
    let bound = match &raw.bound {
        None => Some(base.bound),
        Some(v) => choice(c, "size.bound", v, &SIZE_BOUNDS).map(|b| match b {
            "strict" => Bound::Strict,
            _ => Bound::Lenient,
        }),
    };
    Some(Some(SizeSettings {
        bound: bound?,
        slo: slo?,
        shards: shards?,
        modes: modes?,
        seeds: seeds?,
        search: search?,
        policies: policies?,
        rule: rule?,
    }))
}
