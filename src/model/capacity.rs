//! Provisioned capacity: `UpdateShardCount` calls, from a schedule or an autoscaling policy, and
//! the AWS rules every call must pass whatever asked for it
//! (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html):
//! - the target is at most twice and at least half the current open shard count;
//! - at most 10 calls per rolling 24 hours per stream;
//! - at most 10,000 shards per stream, and not above the account's shard quota;
//! - the stream is `UPDATING` while it reshards and accepts no other call until `ACTIVE`.
//!
//! The controller decides; the world schedules the completion and swaps the shard map.

use crate::scenario::{AutoscalingPolicy, CapacitySettings};
use crate::units::{SimTime, MICROS_PER_SEC};

/// Most `UpdateShardCount` calls in any rolling 24 hours (UpdateShardCount API reference).
pub const MAX_CALLS_PER_24H: usize = 10;
/// 24 hours [µs].
pub const DAY: SimTime = 86_400 * MICROS_PER_SEC;

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The stream is `UPDATING` (`ResourceInUseException`).
    Updating,
    /// More than twice the open shards.
    AboveDouble { open: u32, target: u32 },
    /// Less than half the open shards.
    BelowHalf { open: u32, target: u32 },
    /// The 11th call within 24 hours (`LimitExceededException`).
    RateLimit { calls_in_24h: usize },
    /// Above the per-stream maximum or the account quota.
    Quota { target: u32, limit: u32 },
    /// Asked for the current count: nothing to do (not sent).
    NoChange,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Updating => write!(f, "stream is UPDATING (ResourceInUseException)"),
            Refusal::AboveDouble { open, target } => {
                write!(f, "target {target} is more than double the {open} open shards")
            }
            Refusal::BelowHalf { open, target } => {
                write!(f, "target {target} is less than half the {open} open shards")
            }
            Refusal::RateLimit { calls_in_24h } => {
                write!(f, "{calls_in_24h} calls already in the last 24 h (limit 10; LimitExceededException)")
            }
            Refusal::Quota { target, limit } => write!(f, "target {target} exceeds the shard limit {limit}"),
            Refusal::NoChange => write!(f, "target equals the open shard count"),
        }
    }
}

/// Who asked for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Schedule,
    Autoscaler,
}

/// One `UpdateShardCount` call and its fate, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub at: SimTime,
    pub origin: Origin,
    pub from: u32,
    pub target: u32,
    /// `Ok(completion time)` or the refusal.
    pub result: Result<SimTime, Refusal>,
}

/// Utilisation of the stream's write capacity over one evaluation period:
/// `max(records / (open x 1,000 x period), bytes / (open x 1 MiB x period))`, from accepted
/// traffic (`IncomingRecords`, `IncomingBytes`) as CloudWatch reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodLoad {
    pub utilisation: f64,
    /// Throttled attempts in the period (`WriteProvisionedThroughputExceeded`).
    pub throttled: u64,
}

pub struct CapacityController {
    settings: CapacitySettings,
    open: u32,
    updating_until: Option<SimTime>,
    /// Times of accepted calls in the last 24 h.
    recent_calls: Vec<SimTime>,
    /// Consecutive periods above / below the policy's thresholds.
    above: u32,
    below: u32,
    last_scale_out: Option<SimTime>,
    last_scale_in: Option<SimTime>,
    pub calls: Vec<CallRecord>,
}

impl CapacityController {
    pub fn new(settings: &CapacitySettings, open: u32) -> Self {
        CapacityController {
            settings: settings.clone(),
            open,
            updating_until: None,
            recent_calls: Vec::new(),
            above: 0,
            below: 0,
            last_scale_out: None,
            last_scale_in: None,
            calls: Vec::new(),
        }
    }

    pub fn open_shards(&self) -> u32 {
        self.open
    }

    /// Is the stream `UPDATING` at `now`?
    pub fn is_updating(&self, now: SimTime) -> bool {
        self.updating_until.is_some_and(|t| now < t)
    }

    /// A mode switch: the stream has `open` shards and is `UPDATING` for the resharding
    /// duration.
    pub fn set_updating(&mut self, now: SimTime, open: u32) {
        self.open = open;
        self.updating_until = Some(now + self.settings.resharding_duration);
    }

    /// Check a call against the AWS rules at `now`.
    pub fn check(&mut self, now: SimTime, target: u32) -> Result<(), Refusal> {
        if self.updating_until.is_some_and(|t| now < t) {
            return Err(Refusal::Updating);
        }
        if target == self.open {
            return Err(Refusal::NoChange);
        }
        if target as u64 > 2 * self.open as u64 {
            return Err(Refusal::AboveDouble { open: self.open, target });
        }
        if (target as u64) * 2 < self.open as u64 {
            return Err(Refusal::BelowHalf { open: self.open, target });
        }
        let limit = self.settings.max_shards_per_stream.min(self.settings.account_shard_quota);
        if target > limit {
            return Err(Refusal::Quota { target, limit });
        }
        self.recent_calls.retain(|t| now.saturating_sub(*t) < DAY);
        if self.recent_calls.len() >= MAX_CALLS_PER_24H {
            return Err(Refusal::RateLimit { calls_in_24h: self.recent_calls.len() });
        }
        Ok(())
    }

    /// Ask for `target` open shards at `now`. On success the stream is `UPDATING` until the
    /// returned time, when the world must call [`Self::complete`].
    pub fn request(&mut self, now: SimTime, target: u32, origin: Origin) -> Result<SimTime, Refusal> {
        let from = self.open;
        let result = self.check(now, target).map(|()| {
            let done = now + self.settings.resharding_duration;
            self.updating_until = Some(done);
            self.recent_calls.push(now);
            done
        });
        if result != Err(Refusal::NoChange) {
            self.calls.push(CallRecord { at: now, origin, from, target, result: result.clone() });
        }
        result
    }

    /// The reshard to `target` finished: the stream is `ACTIVE` with `target` open shards.
    pub fn complete(&mut self, target: u32) {
        self.open = target;
        self.updating_until = None;
        self.above = 0;
        self.below = 0;
    }

    /// The autoscaling policy's wish after one evaluation period, or `None`.
    pub fn evaluate(&mut self, now: SimTime, load: PeriodLoad) -> Option<u32> {
        let policy = self.settings.autoscaling.clone()?;
        let open = self.open;
        let cooled = |last: Option<SimTime>, cooldown: SimTime| last.is_none_or(|t| now >= t + cooldown);
        let (min, max) = (policy.min_shards(), policy.max_shards());
        let wish = match policy {
            AutoscalingPolicy::TargetTracking { target, scale_out_cooldown, scale_in_cooldown, .. } => {
                // Application Auto Scaling style: the capacity that brings utilisation to target.
                let desired = ((open as f64 * load.utilisation / target).ceil() as u32).max(1);
                if desired > open && cooled(self.last_scale_out, scale_out_cooldown) {
                    Some(desired.min(2 * open))
                } else if desired < open && cooled(self.last_scale_in, scale_in_cooldown) {
                    Some(desired.max(open.div_ceil(2)))
                } else {
                    None
                }
            }
            AutoscalingPolicy::ThresholdStep {
                scale_up_threshold,
                scale_down_threshold,
                up_periods,
                down_periods,
                scale_up_pct,
                scale_down_pct,
                cooldown,
                ..
            } => {
                self.count(load.utilisation > scale_up_threshold, load.utilisation < scale_down_threshold);
                if !cooled(self.last_scale_out.max(self.last_scale_in), cooldown) {
                    None
                } else if self.above >= up_periods {
                    let step = ((open as f64 * scale_up_pct / 100.0).ceil() as u32).max(1);
                    Some((open + step).min(2 * open))
                } else if self.below >= down_periods {
                    let step = ((open as f64 * scale_down_pct / 100.0).floor() as u32).max(1);
                    Some(open.saturating_sub(step).max(open.div_ceil(2)))
                } else {
                    None
                }
            }
            AutoscalingPolicy::DoubleHalve { high, low, up_periods, down_periods, .. } => {
                // CloudWatch alarms on utilisation: double when high, halve when low.
                self.count(load.utilisation > high, load.utilisation < low);
                if self.above >= up_periods {
                    Some(2 * open)
                } else if self.below >= down_periods {
                    Some(open.div_ceil(2))
                } else {
                    None
                }
            }
        }?;
        let wish = wish.clamp(min, max);
        (wish != open).then_some(wish)
    }

    fn count(&mut self, above: bool, below: bool) {
        self.above = if above { self.above + 1 } else { 0 };
        self.below = if below { self.below + 1 } else { 0 };
    }

    /// Record that a scaling call of the policy was accepted (for cooldowns).
    pub fn note_scaled(&mut self, now: SimTime, up: bool) {
        if up {
            self.last_scale_out = Some(now);
        } else {
            self.last_scale_in = Some(now);
        }
        self.above = 0;
        self.below = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    fn settings(autoscaling: Option<AutoscalingPolicy>) -> CapacitySettings {
        CapacitySettings { autoscaling, ..CapacitySettings::default() }
    }

    /// UpdateShardCount API reference: the target is at most double and at least half the open
    /// shards; the stream accepts no call while UPDATING.
    #[test]
    fn double_and_half_rules_and_updating() {
        let mut c = CapacityController::new(&settings(None), 4);
        assert_eq!(c.request(0, 9, Origin::Schedule), Err(Refusal::AboveDouble { open: 4, target: 9 }));
        assert_eq!(c.request(0, 1, Origin::Schedule), Err(Refusal::BelowHalf { open: 4, target: 1 }));
        assert_eq!(c.request(0, 8, Origin::Schedule), Ok(secs(180)));
        assert_eq!(c.request(secs(60), 16, Origin::Schedule), Err(Refusal::Updating));
        c.complete(8);
        assert_eq!(c.request(secs(200), 16, Origin::Schedule), Ok(secs(380)));
        c.complete(16);
        assert_eq!(c.request(secs(400), 8, Origin::Schedule), Ok(secs(580)));
        // 5 -> 3 is allowed (3 >= 5/2), 5 -> 2 is not.
        let mut c = CapacityController::new(&settings(None), 5);
        assert!(c.check(0, 2).is_err());
        assert!(c.check(0, 3).is_ok());
        assert_eq!(c.calls.len(), 0, "check alone records nothing");
    }

    /// At most 10 calls per rolling 24 hours; the 11th is refused until the first is 24 h old.
    #[test]
    fn eleventh_call_in_24_hours_is_refused() {
        let mut s = settings(None);
        s.resharding_duration = secs(60);
        let mut c = CapacityController::new(&s, 4);
        let mut open = 4;
        for i in 0..10u64 {
            let target = if open == 4 { 8 } else { 4 };
            assert!(c.request(secs(i * 3600), target, Origin::Schedule).is_ok(), "call {i}");
            c.complete(target);
            open = target;
        }
        let target = if open == 4 { 8 } else { 4 };
        assert_eq!(
            c.request(secs(10 * 3600), target, Origin::Schedule),
            Err(Refusal::RateLimit { calls_in_24h: 10 })
        );
        // The first call (t = 0) leaves the window at t = 24 h.
        assert!(c.request(DAY, target, Origin::Schedule).is_ok());
        assert_eq!(c.calls.iter().filter(|c| c.result.is_err()).count(), 1);
    }

    #[test]
    fn shard_limits_refuse_beyond_quota() {
        let mut s = settings(None);
        s.account_shard_quota = 6;
        let mut c = CapacityController::new(&s, 4);
        assert_eq!(c.request(0, 8, Origin::Schedule), Err(Refusal::Quota { target: 8, limit: 6 }));
    }

    #[test]
    fn target_tracking_asks_for_the_capacity_that_meets_its_target() {
        let p = AutoscalingPolicy::TargetTracking {
            target: 0.5,
            min_shards: 2,
            max_shards: 100,
            scale_out_cooldown: secs(300),
            scale_in_cooldown: secs(300),
        };
        let mut c = CapacityController::new(&settings(Some(p)), 4);
        // 4 shards at 90%: 7.2 shards' worth of traffic, target 50% -> 8 (capped at 2x).
        assert_eq!(c.evaluate(secs(60), PeriodLoad { utilisation: 0.9, throttled: 0 }), Some(8));
        c.note_scaled(secs(60), true);
        // Within the scale-out cooldown: nothing.
        assert_eq!(c.evaluate(secs(120), PeriodLoad { utilisation: 1.0, throttled: 0 }), None);
        // Low load: scale in, not below min_shards or half.
        assert_eq!(c.evaluate(secs(600), PeriodLoad { utilisation: 0.05, throttled: 0 }), Some(2));
    }

    #[test]
    fn double_halve_waits_for_its_periods() {
        let p = AutoscalingPolicy::DoubleHalve {
            high: 0.75,
            low: 0.25,
            up_periods: 2,
            down_periods: 3,
            min_shards: 1,
            max_shards: 6,
        };
        let mut c = CapacityController::new(&settings(Some(p)), 4);
        let hi = PeriodLoad { utilisation: 0.9, throttled: 0 };
        let lo = PeriodLoad { utilisation: 0.1, throttled: 0 };
        assert_eq!(c.evaluate(0, hi), None);
        assert_eq!(c.evaluate(1, hi), Some(6), "doubles, capped at max_shards");
        assert_eq!(c.evaluate(2, lo), None);
        assert_eq!(c.evaluate(3, lo), None);
        assert_eq!(c.evaluate(4, lo), Some(2));
    }
}
