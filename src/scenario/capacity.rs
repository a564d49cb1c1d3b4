//! The `[capacity]` table: scheduled `UpdateShardCount` calls and an autoscaling policy.
//!
//! ```toml
//! [capacity]
//! schedule = [ { at = "1h", shards = 8 }, { at = "6h", shards = 4 } ]
//! autoscaling = { policy = "target-tracking", target = 0.7, min_shards = 1, max_shards = 64 }
//! resharding_duration = "3m"
//! ```
//!
//! Also owns what the run does with the settings' mode switches ([`switch_outcomes`],
//! [`mode_at`]) and the shards of a warm throughput. May call: `checker`, `raw`, `types`,
//! `defaults`.

use super::checker::{choice, duration, field, int, num, only_fields, size, Checker};
use super::defaults as d;
use super::raw::choices::{AUTOSCALING_POLICIES, CAPACITY_MODES};
use super::raw::{Field, RawAutoscaling, RawCapacity, RawOnDemand, Scalar};
use super::types::CapacityMode;
use super::types::{AutoscalingPolicy, CapacitySettings, OnDemandSettings};
use crate::limits;

impl Default for CapacitySettings {
    /// No schedule, no autoscaling, no mode switch; every other field its documented default.
    fn default() -> Self {
        defaults()
    }
}

fn defaults() -> CapacitySettings {
    CapacitySettings {
        schedule: Vec::new(),
        autoscaling: None,
        resharding_duration: d::RESHARDING_DURATION,
        evaluation_period: d::EVALUATION_PERIOD,
        max_shards_per_stream: limits::MAX_SHARDS_PER_STREAM,
        account_shard_quota: limits::ACCOUNT_SHARD_QUOTA,
        on_demand: OnDemandSettings {
            initial_shards: d::OD_INITIAL_SHARDS,
            split_threshold: d::OD_SPLIT_THRESHOLD,
            split_delay: d::OD_SPLIT_DELAY,
            merge_threshold: d::OD_MERGE_THRESHOLD,
            merge_after: d::OD_MERGE_AFTER,
            max_shards: d::OD_MAX_SHARDS,
            warm_throughput: 0,
        },
        mode_switches: Vec::new(),
    }
}

/// What the run will do with one capacity-mode switch, see [`switch_outcomes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchOutcome {
    pub accepted: bool,
    /// The stream is already in the mode asked for (refused).
    pub same_mode: bool,
    /// The mode after the switch (unchanged when refused).
    pub mode_after: CapacityMode,
}

/// Play the switches (sorted by time) from `initial` as the run does when no UpdateShardCount
/// makes the stream `UPDATING`: a switch is refused when the stream is already in that mode,
/// when two switches were accepted in the last 24 hours, or while the stream is `UPDATING`
/// (`updating` [µs]) after the previous accepted switch; a refused switch leaves the mode
/// unchanged. Source: https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
/// (switching between modes twice within 24 hours).
pub fn switch_outcomes(
    initial: CapacityMode,
    switches: &[(u64, CapacityMode)],
    updating: u64,
) -> Vec<SwitchOutcome> {
    let day = limits::DAY;
    let mut mode = initial;
    let mut accepted: Vec<u64> = Vec::new();
    let mut busy_until = 0;
    switches
        .iter()
        .map(|&(at, to)| {
            accepted.retain(|t| at.saturating_sub(*t) < day);
            let same_mode = to == mode;
            let ok = !same_mode && accepted.len() < limits::MODE_SWITCHES_PER_24H && at >= busy_until;
            if ok {
                mode = to;
                accepted.push(at);
                busy_until = at + updating;
            }
            SwitchOutcome { accepted: ok, same_mode, mode_after: mode }
        })
        .collect()
}

/// The mode at `t` [µs] by [`switch_outcomes`] (a switch at `t` counts).
pub fn mode_at(initial: CapacityMode, settings: &CapacitySettings, t: u64) -> CapacityMode {
    let list = &settings.mode_switches;
    let outcomes = switch_outcomes(initial, list, settings.resharding_duration);
    list.iter()
        .zip(outcomes)
        .take_while(|((at, _), _)| *at <= t)
        .last()
        .map_or(initial, |(_, o)| o.mode_after)
}

fn on_demand(c: &mut Checker, v: Option<&RawOnDemand>) -> Option<OnDemandSettings> {
    let base = defaults().on_demand;
    let Some(o) = v else { return Some(base) };
    const P: &str = "capacity.on_demand";
    let f = |name: &str| field(P, name);
    let shards = |c: &mut Checker, name: &str, v: &Field, default: u32| match v {
        None => Some(default),
        Some(v) => int(c, &f(name), v, 1, limits::MAX_SHARDS_PER_STREAM.into(), "shards").map(|n| n as u32),
    };
    let ratio = |c: &mut Checker, name: &str, v: &Field, default: f64| match v {
        None => Some(default),
        Some(v) => num(c, &f(name), v, 0.0, 1.0, "fraction of a shard's write limit"),
    };
    let wait = |c: &mut Checker, name: &str, v: &Field, default: u64| match v {
        None => Some(default),
        Some(v) => duration(c, &f(name), v, 0, d::DURATION_MAX, ""),
    };
    Some(OnDemandSettings {
        initial_shards: shards(c, "initial_shards", &o.initial_shards, base.initial_shards)?,
        split_threshold: ratio(c, "split_threshold", &o.split_threshold, base.split_threshold)?,
        split_delay: wait(c, "split_delay", &o.split_delay, base.split_delay)?,
        merge_threshold: ratio(c, "merge_threshold", &o.merge_threshold, base.merge_threshold)?,
        merge_after: wait(c, "merge_after", &o.merge_after, base.merge_after)?,
        max_shards: shards(c, "max_shards", &o.max_shards, base.max_shards)?,
        warm_throughput: match &o.warm_throughput {
            None => Some(0),
            Some(v) => {
                size(c, &f("warm_throughput"), v, 0, 10 * 1024 * 1024 * 1024, "\"50MiB\" (per second)")
            }
        }?,
    })
}

/// Shards needed for a warm throughput [bytes/s]: one per MiB/s.
pub(super) fn warm_shards(warm: u64) -> u32 {
    warm.div_ceil(limits::SHARD_WRITE_BYTES_PER_S) as u32
}

/// Validate `[capacity]`; `run` is the scenario duration (scheduled calls must fall inside it).
pub(super) fn capacity(
    c: &mut Checker,
    v: Option<&RawCapacity>,
    run: Option<u64>,
    on_demand_mode: bool,
) -> Option<CapacitySettings> {
    let Some(raw) = v else { return Some(defaults()) };
    let mut switches = Some(Vec::new());
    let initial_mode = if on_demand_mode { CapacityMode::OnDemand } else { CapacityMode::Provisioned };
    let mut last: (Option<u64>, CapacityMode) = (None, initial_mode);
    for (i, sw) in raw.mode_switches.iter().flatten().enumerate() {
        let path = format!("capacity.mode_switches[{i}]");
        let at = match &sw.at {
            None => c.missing(&field(&path, "at"), "say when to switch, like at = \"12h\""),
            Some(v) => duration(c, &field(&path, "at"), v, 0, d::DURATION_MAX, ""),
        };
        let mode = match &sw.mode {
            None => c.missing(&field(&path, "mode"), "say which mode, \"provisioned\" or \"on-demand\""),
            Some(v) => choice(c, &field(&path, "mode"), v, &CAPACITY_MODES).map(|m| {
                if m == "on-demand" {
                    CapacityMode::OnDemand
                } else {
                    CapacityMode::Provisioned
                }
            }),
        };
        if let (Some(at), Some(prev)) = (at, last.0) {
            if at <= prev {
                c.err(&field(&path, "at"), "switches must be in increasing time order");
            }
        }
        if let (Some(at), Some(run)) = (at, run) {
            if at >= run {
                c.err(&field(&path, "at"), "must fall before the end of the run (`duration`)");
            }
        }
        match (at, mode, switches.as_mut()) {
            (Some(at), Some(m), Some(list)) => {
                list.push((at, m));
                last = (Some(at), m);
            }
            _ => switches = None,
        }
    }
    let ever_provisioned = !on_demand_mode
        || raw
            .mode_switches
            .iter()
            .flatten()
            .any(|s| matches!(&s.mode, Some(Scalar::Str(m)) if m == "provisioned"));
    let ever_on_demand = on_demand_mode
        || raw
            .mode_switches
            .iter()
            .flatten()
            .any(|s| matches!(&s.mode, Some(Scalar::Str(m)) if m == "on-demand"));
    if !ever_provisioned {
        if raw.schedule.is_some() {
            c.err(
                "capacity.schedule",
                "UpdateShardCount is for provisioned streams; an on-demand stream scales itself",
            );
        }
        if raw.autoscaling.is_some() {
            c.err(
                "capacity.autoscaling",
                "autoscaling policies are for provisioned streams; an on-demand stream scales itself",
            );
        }
    }
    if !ever_on_demand && raw.on_demand.is_some() {
        c.err("capacity.on_demand", "applies to stream.mode = \"on-demand\" (or a switch to it) only");
    }
    let od = on_demand(c, raw.on_demand.as_ref());
    let base = defaults();
    let resharding_duration = match &raw.resharding_duration {
        None => Some(base.resharding_duration),
        Some(v) => duration(c, "capacity.resharding_duration", v, 0, d::DURATION_MAX, ""),
    };
    let evaluation_period = match &raw.evaluation_period {
        None => Some(base.evaluation_period),
        Some(v) => duration(c, "capacity.evaluation_period", v, d::TICK, d::DURATION_MAX, ""),
    };
    // A switch to the mode the stream is in: the sequence as the run will play it, a switch
    // refused by the two-per-24-hours rule (or while the stream is UPDATING after the previous
    // switch) leaving the mode unchanged. Certain only when no UpdateShardCount can make the
    // stream UPDATING; otherwise the run refuses such a switch and reports it.
    if let (Some(list), Some(updating)) = (&switches, resharding_duration) {
        if raw.schedule.is_none() && raw.autoscaling.is_none() {
            for (i, o) in switch_outcomes(initial_mode, list, updating).iter().enumerate() {
                if o.same_mode {
                    c.err(
                        &field(&format!("capacity.mode_switches[{i}]"), "mode"),
                        "the stream is already in this mode at that time (switches refused by the \
                         two-per-24-hours rule leave the mode unchanged)",
                    );
                }
            }
        }
    }
    let quota = match &raw.account_shard_quota {
        None => Some(base.account_shard_quota),
        Some(v) => {
            int(c, "capacity.account_shard_quota", v, 1, 1_000_000, "shards per account").map(|n| n as u32)
        }
    };
    let mut schedule = Some(Vec::new());
    let mut last_at: Option<u64> = None;
    for (i, call) in raw.schedule.iter().flatten().enumerate() {
        let path = format!("capacity.schedule[{i}]");
        let at = match &call.at {
            None => c.missing(&field(&path, "at"), "say when to call UpdateShardCount, like at = \"1h\""),
            Some(v) => duration(c, &field(&path, "at"), v, 0, d::DURATION_MAX, ""),
        };
        let shards = match &call.shards {
            None => c.missing(&field(&path, "shards"), "give the target shard count, like shards = 8"),
            // Targets beyond AWS's rules are allowed here on purpose: the simulated call is
            // refused and the refusal reported, which is what users need to see.
            Some(v) => {
                int(c, &field(&path, "shards"), v, 1, 1_000_000, "target open shards").map(|n| n as u32)
            }
        };
        if let (Some(at), Some(prev)) = (at, last_at) {
            if at <= prev {
                c.err(&field(&path, "at"), "calls must be in increasing time order");
            }
        }
        if let (Some(at), Some(run)) = (at, run) {
            if at >= run {
                c.err(&field(&path, "at"), "must fall before the end of the run (`duration`)");
            }
        }
        last_at = at.or(last_at);
        match (at, shards, schedule.as_mut()) {
            (Some(at), Some(n), Some(list)) => list.push((at, n)),
            _ => schedule = None,
        }
    }
    let autoscaling = match &raw.autoscaling {
        None => Some(None),
        Some(a) => autoscaling(c, a).map(Some),
    };
    Some(CapacitySettings {
        schedule: schedule?,
        autoscaling: autoscaling?,
        resharding_duration: resharding_duration?,
        evaluation_period: evaluation_period?,
        max_shards_per_stream: limits::MAX_SHARDS_PER_STREAM,
        account_shard_quota: quota?,
        on_demand: od?,
        mode_switches: switches?,
    })
}

fn autoscaling(c: &mut Checker, a: &RawAutoscaling) -> Option<AutoscalingPolicy> {
    const P: &str = "capacity.autoscaling";
    let f = |name: &str| field(P, name);
    let policy = match &a.policy {
        None => {
            c.missing(&f("policy"), "pick one of \"target-tracking\", \"threshold-step\", \"double-halve\"")
        }
        Some(v) => choice(c, &f("policy"), v, &AUTOSCALING_POLICIES),
    }?;
    let ratio = |c: &mut Checker, name: &str, v: &Field, default: f64| match v {
        None => Some(default),
        Some(v) => num(c, &f(name), v, 0.0, 10.0, "utilisation, 1.0 = at the write limit"),
    };
    let periods = |c: &mut Checker, name: &str, v: &Field, default: u32| match v {
        None => Some(default),
        Some(v) => int(c, &f(name), v, 1, 10_000, "evaluation periods").map(|n| n as u32),
    };
    let wait = |c: &mut Checker, name: &str, v: &Field, default: u64| match v {
        None => Some(default),
        Some(v) => duration(c, &f(name), v, 0, d::DURATION_MAX, ""),
    };
    let min = match &a.min_shards {
        None => Some(1),
        Some(v) => {
            int(c, &f("min_shards"), v, 1, limits::MAX_SHARDS_PER_STREAM.into(), "shards").map(|n| n as u32)
        }
    };
    let max = match &a.max_shards {
        None => Some(limits::MAX_SHARDS_PER_STREAM),
        Some(v) => {
            int(c, &f("max_shards"), v, 1, limits::MAX_SHARDS_PER_STREAM.into(), "shards").map(|n| n as u32)
        }
    };
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            c.err(&f("max_shards"), format!("must be at least min_shards ({lo}), found {hi}"));
        }
    }
    let present = a.present();
    let common = ["min_shards", "max_shards"];
    let allowed: Vec<&str> = match policy {
        "target-tracking" => vec![
            "target",
            "scale_out_cooldown",
            "scale_in_cooldown",
            "scale_out_datapoints",
            "scale_in_datapoints",
        ],
        "threshold-step" => vec![
            "scale_up_threshold",
            "scale_down_threshold",
            "up_periods",
            "down_periods",
            "scale_up_pct",
            "scale_down_pct",
            "cooldown",
        ],
        _ => vec!["high", "low", "up_periods", "down_periods"],
    };
    let allowed: Vec<&str> = common.iter().copied().chain(allowed).collect();
    only_fields(c, P, "policy", policy, &present, &allowed);
    let (min_shards, max_shards) = (min?, max?);
    match policy {
        "target-tracking" => {
            let target = match &a.target {
                None => Some(d::TT_TARGET),
                Some(v) => num(c, &f("target"), v, 0.01, 1.0, "target utilisation"),
            };
            Some(AutoscalingPolicy::TargetTracking {
                target: target?,
                min_shards,
                max_shards,
                scale_out_cooldown: wait(
                    c,
                    "scale_out_cooldown",
                    &a.scale_out_cooldown,
                    d::TT_SCALE_OUT_COOLDOWN,
                )?,
                scale_in_cooldown: wait(
                    c,
                    "scale_in_cooldown",
                    &a.scale_in_cooldown,
                    d::TT_SCALE_IN_COOLDOWN,
                )?,
                scale_out_datapoints: periods(
                    c,
                    "scale_out_datapoints",
                    &a.scale_out_datapoints,
                    d::TT_SCALE_OUT_DATAPOINTS,
                )?,
                scale_in_datapoints: periods(
                    c,
                    "scale_in_datapoints",
                    &a.scale_in_datapoints,
                    d::TT_SCALE_IN_DATAPOINTS,
                )?,
            })
        }
        "threshold-step" => {
            let up = ratio(c, "scale_up_threshold", &a.scale_up_threshold, d::TS_UP_THRESHOLD);
            let down = ratio(c, "scale_down_threshold", &a.scale_down_threshold, d::TS_DOWN_THRESHOLD);
            if let (Some(u), Some(dn)) = (up, down) {
                if dn >= u {
                    c.err(&f("scale_down_threshold"), format!("must be below scale_up_threshold ({u})"));
                }
            }
            let pct = |c: &mut Checker, name: &str, v: &Field, default: f64| match v {
                None => Some(default),
                Some(v) => num(c, &f(name), v, 1.0, 100.0, "percent of the open shards"),
            };
            Some(AutoscalingPolicy::ThresholdStep {
                scale_up_threshold: up?,
                scale_down_threshold: down?,
                up_periods: periods(c, "up_periods", &a.up_periods, d::TS_UP_PERIODS)?,
                down_periods: periods(c, "down_periods", &a.down_periods, d::TS_DOWN_PERIODS)?,
                scale_up_pct: pct(c, "scale_up_pct", &a.scale_up_pct, d::TS_UP_PCT)?,
                scale_down_pct: pct(c, "scale_down_pct", &a.scale_down_pct, d::TS_DOWN_PCT)?,
                cooldown: wait(c, "cooldown", &a.cooldown, d::TS_COOLDOWN)?,
                min_shards,
                max_shards,
            })
        }
        _ => {
            let high = ratio(c, "high", &a.high, d::DH_HIGH);
            let low = ratio(c, "low", &a.low, d::DH_LOW);
            if let (Some(h), Some(l)) = (high, low) {
                if l >= h {
                    c.err(&f("low"), format!("must be below high ({h})"));
                }
            }
            Some(AutoscalingPolicy::DoubleHalve {
                high: high?,
                low: low?,
                up_periods: periods(c, "up_periods", &a.up_periods, d::DH_UP_PERIODS)?,
                down_periods: periods(c, "down_periods", &a.down_periods, d::DH_DOWN_PERIODS)?,
                min_shards,
                max_shards,
            })
        }
    }
}
