//! Provisioned capacity: `UpdateShardCount` calls, from a schedule or an autoscaling policy, and
//! the AWS rules every call must pass whatever asked for it
//! (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html):
//! - the target is at most twice and at least half the current open shard count;
//! - at most 10 calls per rolling 24 hours per stream;
//! - at most 10,000 shards per stream, and not above the account's shard quota;
//! - the stream is `UPDATING` while it reshards and accepts no other call until `ACTIVE`.
//!
//! The controller decides and keeps the record of calls; `capacity.rs` asks it, schedules the
//! completion and has the shard map changed. Calls nothing of the model.

use crate::limits::{DAY, UPDATE_SHARD_COUNT_CALLS_PER_24H};
use crate::metrics::ReshardCall;
use crate::scenario::{AutoscalingPolicy, CapacitySettings};
use crate::units::{to_secs_f64, SimTime};

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
    /// The stream is in on-demand mode: UpdateShardCount "is only supported for the data
    /// streams with the provisioned capacity mode" (UpdateShardCount API reference, which lists
    /// ValidationException for a call on an on-demand stream).
    OnDemand,
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
            Refusal::OnDemand => write!(
                f,
                "the stream is on-demand: UpdateShardCount is only supported in provisioned mode (ValidationException)"
            ),
        }
    }
}

/// Who asked for a call.
pub use crate::kinds::CallOrigin as Origin;

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

impl CallRecord {
    /// The call as the report shows it.
    pub fn report(&self) -> ReshardCall {
        ReshardCall {
            at_s: to_secs_f64(self.at),
            origin: self.origin,
            from_shards: self.from,
            target_shards: self.target,
            completed_at_s: self.result.as_ref().ok().map(|t| to_secs_f64(*t)),
            refused: self.result.as_ref().err().map(ToString::to_string),
        }
    }
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
    /// When the policy's last scale-out / scale-in completed (cooldowns count from there).
    last_scale_out: Option<SimTime>,
    last_scale_in: Option<SimTime>,
    /// The policy's accepted call not completed yet: `Some(true)` for a scale-out.
    in_flight: Option<bool>,
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
            in_flight: None,
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
        if self.recent_calls.len() >= UPDATE_SHARD_COUNT_CALLS_PER_24H {
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

    /// A call refused before the rules are checked (the stream is on-demand), recorded for the
    /// report.
    pub fn refuse(&mut self, now: SimTime, target: u32, origin: Origin, why: Refusal) {
        let from = self.open;
        self.calls.push(CallRecord { at: now, origin, from, target, result: Err(why) });
    }

    /// The reshard to `target` finished at `now`: the stream is `ACTIVE` with `target` open
    /// shards. If the policy asked for it, its cooldown starts now: Application Auto Scaling's
    /// ScaleOutCooldown / ScaleInCooldown is "the amount of time, in seconds, after a scale-out
    /// [scale-in] activity completes before another scale-out [scale-in] activity can start"
    /// (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html).
    pub fn complete(&mut self, now: SimTime, target: u32) {
        self.open = target;
        self.updating_until = None;
        self.above = 0;
        self.below = 0;
        match self.in_flight.take() {
            Some(true) => self.last_scale_out = Some(now),
            Some(false) => self.last_scale_in = Some(now),
            None => {}
        }
    }

    /// The autoscaling policy's wish after one evaluation period, or `None`.
    pub fn evaluate(&mut self, now: SimTime, load: PeriodLoad) -> Option<u32> {
        let policy = self.settings.autoscaling.clone()?;
        let open = self.open;
        // A cooldown counts from the completion of the policy's last activity; while that
        // activity is in progress no other one starts.
        let in_flight = self.in_flight.is_some();
        let cooled =
            |last: Option<SimTime>, cooldown: SimTime| !in_flight && last.is_none_or(|t| now >= t + cooldown);
        let (min, max) = (policy.min_shards(), policy.max_shards());
        let wish = match policy {
            AutoscalingPolicy::TargetTracking {
                target,
                scale_out_cooldown,
                scale_in_cooldown,
                scale_out_datapoints,
                scale_in_datapoints,
                ..
            } => {
                // Application Auto Scaling style: the capacity that brings utilisation to target,
                // once the scale-out alarm has `scale_out_datapoints` consecutive datapoints
                // above target (the scale-in alarm `scale_in_datapoints` below): per the
                // Application Auto Scaling user guide, 3 of 3 and 15 of 15 one-minute datapoints
                // (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
                let desired = ((open as f64 * load.utilisation / target).ceil() as u32).max(1);
                self.count(desired > open, desired < open);
                if self.above >= scale_out_datapoints && cooled(self.last_scale_out, scale_out_cooldown) {
                    Some(desired.min(2 * open))
                } else if self.below >= scale_in_datapoints && cooled(self.last_scale_in, scale_in_cooldown) {
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

    /// Record that a scaling call of the policy was accepted: its cooldown starts when it
    /// completes ([`Self::complete`]).
    pub fn note_scaled(&mut self, up: bool) {
        self.in_flight = Some(up);
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
        c.complete(secs(180), 8);
        assert_eq!(c.request(secs(200), 16, Origin::Schedule), Ok(secs(380)));
        c.complete(secs(380), 16);
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
            c.complete(secs(i * 3600 + 60), target);
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

    fn tracking(out_points: u32, in_points: u32) -> AutoscalingPolicy {
        AutoscalingPolicy::TargetTracking {
            target: 0.5,
            min_shards: 2,
            max_shards: 100,
            scale_out_cooldown: secs(300),
            scale_in_cooldown: secs(300),
            scale_out_datapoints: out_points,
            scale_in_datapoints: in_points,
        }
    }

    #[test]
    fn target_tracking_asks_for_the_capacity_that_meets_its_target() {
        let mut c = CapacityController::new(&settings(Some(tracking(1, 1))), 4);
        // 4 shards at 90%: 7.2 shards' worth of traffic, target 50% -> 8 (capped at 2x).
        assert_eq!(c.evaluate(secs(60), PeriodLoad { utilisation: 0.9, throttled: 0 }), Some(8));
        c.note_scaled(true);
        c.complete(secs(240), 8);
        // Within the scale-out cooldown: nothing.
        assert_eq!(c.evaluate(secs(300), PeriodLoad { utilisation: 1.0, throttled: 0 }), None);
        // Low load: scale in, not below min_shards or half.
        assert_eq!(c.evaluate(secs(600), PeriodLoad { utilisation: 0.05, throttled: 0 }), Some(4));
    }

    /// Application Auto Scaling: ScaleOutCooldown is "the amount of time, in seconds, after a
    /// scale-out activity completes before another scale-out activity can start"
    /// (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html):
    /// a call at 60 s completing at 240 s (3-minute resharding) cools down until 540 s, not 360 s;
    /// nothing starts while the first is in progress.
    #[test]
    fn target_tracking_cooldown_counts_from_the_completion_api_target_tracking_configuration() {
        let mut c = CapacityController::new(&settings(Some(tracking(1, 1))), 4);
        let hot = PeriodLoad { utilisation: 0.9, throttled: 0 };
        assert_eq!(c.evaluate(secs(60), hot), Some(8));
        assert!(c.request(secs(60), 8, Origin::Autoscaling).is_ok());
        c.note_scaled(true);
        assert_eq!(c.evaluate(secs(180), hot), None, "in progress");
        c.complete(secs(240), 8);
        assert_eq!(c.evaluate(secs(420), hot), None, "cooling down since 240 s");
        assert_eq!(c.evaluate(secs(480), hot), None, "cooling down since 240 s");
        assert_eq!(c.evaluate(secs(540), hot), Some(15), "cooled at 240 + 300 s");
    }

    /// Target tracking's alarms (Application Auto Scaling user guide,
    /// https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html):
    /// 3 of 3 one-minute datapoints above target before a scale-out, 15 of 15 below before a
    /// scale-in; one datapoint back on the other side starts the count again.
    #[test]
    fn target_tracking_alarms_need_3_datapoints_out_and_15_in_target_tracking_overview() {
        let hot = PeriodLoad { utilisation: 0.9, throttled: 0 };
        let cold = PeriodLoad { utilisation: 0.05, throttled: 0 };
        let ok = PeriodLoad { utilisation: 0.5, throttled: 0 };
        let mut c = CapacityController::new(&settings(Some(tracking(3, 15))), 4);
        assert_eq!(c.evaluate(secs(60), hot), None);
        assert_eq!(c.evaluate(secs(120), hot), None);
        assert_eq!(c.evaluate(secs(180), ok), None, "the run of datapoints is broken");
        assert_eq!(c.evaluate(secs(240), hot), None);
        assert_eq!(c.evaluate(secs(300), hot), None);
        assert_eq!(c.evaluate(secs(360), hot), Some(8), "third datapoint in a row");
        let mut c = CapacityController::new(&settings(Some(tracking(3, 15))), 8);
        for m in 1..15 {
            assert_eq!(c.evaluate(secs(60 * m), cold), None, "datapoint {m}");
        }
        assert_eq!(c.evaluate(secs(900), cold), Some(4), "the fifteenth");
    }

    /// The threshold/step policy's cool-off also counts from the completion of its call.
    #[test]
    fn step_cooldown_counts_from_the_completion() {
        let p = AutoscalingPolicy::ThresholdStep {
            scale_up_threshold: 0.75,
            scale_down_threshold: 0.25,
            up_periods: 1,
            down_periods: 1,
            scale_up_pct: 100.0,
            scale_down_pct: 50.0,
            cooldown: secs(600),
            min_shards: 1,
            max_shards: 64,
        };
        let mut c = CapacityController::new(&settings(Some(p)), 4);
        let hot = PeriodLoad { utilisation: 0.9, throttled: 0 };
        assert_eq!(c.evaluate(secs(60), hot), Some(8));
        c.note_scaled(true);
        c.complete(secs(240), 8);
        assert_eq!(c.evaluate(secs(780), hot), None, "600 s after the call, not after completion");
        assert_eq!(c.evaluate(secs(840), hot), Some(16));
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
