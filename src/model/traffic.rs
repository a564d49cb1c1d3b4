//! Rate shapes: how many user records per second a producer creates over time.
//!
//! The engine uses the *mean rate over each tick* (one second unless the scenario says
//! otherwise): arrivals are a Poisson process (or evenly spaced) with that rate within the tick.
//! For constant, step, spike and trace shapes that is exact; for ramps and the diurnal sinusoid
//! it is exact in the count per tick.
//!
//! Rates of a `RateShape` over time; owns no state and calls nothing of the model.

use crate::scenario::RateShape;
use crate::units::{to_secs_f64, SimTime, MICROS_PER_SEC};

impl RateShape {
    /// Instantaneous rate at `t` [records/s].
    pub fn rate_at(&self, t: SimTime) -> f64 {
        match self {
            RateShape::Constant(r) => *r,
            RateShape::Steps(steps) | RateShape::Trace { points: steps, .. } => step_rate(steps, t),
            RateShape::Ramp { from, to, start, end } => {
                if t <= *start {
                    *from
                } else if t >= *end {
                    *to
                } else {
                    let f = (t - start) as f64 / (end - start) as f64;
                    from + (to - from) * f
                }
            }
            RateShape::Diurnal { mean, amplitude, peak_hour } => {
                diurnal(*mean, *amplitude, *peak_hour, to_secs_f64(t))
            }
            RateShape::Spike { base, peak, start, length } => {
                if t >= *start && t < start.saturating_add(*length) {
                    *peak
                } else {
                    *base
                }
            }
        }
    }

    /// Expected number of records in `[t0, t1)`: the integral of the rate.
    pub fn integral(&self, t0: SimTime, t1: SimTime) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        match self {
            RateShape::Constant(r) => r * to_secs_f64(t1 - t0),
            RateShape::Steps(steps) | RateShape::Trace { points: steps, .. } => {
                // Sum over the pieces that overlap [t0, t1).
                let mut total = 0.0;
                let mut t = t0;
                while t < t1 {
                    let next = next_step_after(steps, t).map_or(t1, |n| n.min(t1));
                    total += step_rate(steps, t) * to_secs_f64(next - t);
                    t = next;
                }
                total
            }
            RateShape::Spike { start, length, .. } => {
                let end = start.saturating_add(*length);
                piecewise(self, t0, t1, &[*start, end])
            }
            RateShape::Ramp { start, end, .. } => {
                // Linear between breakpoints: the trapezoid rule is exact on each piece.
                let mut cuts = vec![t0];
                for c in [*start, *end] {
                    if c > t0 && c < t1 {
                        cuts.push(c);
                    }
                }
                cuts.push(t1);
                cuts.windows(2)
                    .map(|w| 0.5 * (self.rate_at(w[0]) + self.rate_at(w[1])) * to_secs_f64(w[1] - w[0]))
                    .sum()
            }
            RateShape::Diurnal { mean, amplitude, peak_hour } => {
                let (a, b) = (to_secs_f64(t0), to_secs_f64(t1));
                if amplitude.abs() <= *mean {
                    // Never clamped: integrate the cosine exactly.
                    let w = 2.0 * std::f64::consts::PI / 86_400.0;
                    let ph = peak_hour * 3600.0;
                    mean * (b - a) + amplitude / w * ((w * (b - ph)).sin() - (w * (a - ph)).sin())
                } else {
                    // Clamped at zero: composite Simpson on 64 panels.
                    let n = 64;
                    let h = (b - a) / n as f64;
                    let f = |x: f64| diurnal(*mean, *amplitude, *peak_hour, x);
                    let mut s = f(a) + f(b);
                    for i in 1..n {
                        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
                    }
                    s * h / 3.0
                }
            }
        }
    }

    /// Mean rate over `[t0, t1)` [records/s].
    pub fn mean_rate(&self, t0: SimTime, t1: SimTime) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        self.integral(t0, t1) / to_secs_f64(t1 - t0)
    }

    /// Highest per-second mean rate over `[0, duration)` [records/s].
    pub fn peak_rate(&self, duration: SimTime) -> f64 {
        let mut peak: f64 = 0.0;
        let mut t = 0;
        while t < duration {
            let e = (t + MICROS_PER_SEC).min(duration);
            peak = peak.max(self.mean_rate(t, e));
            t = e;
        }
        peak
    }
}

fn diurnal(mean: f64, amplitude: f64, peak_hour: f64, t_s: f64) -> f64 {
    let hours = t_s / 3600.0;
    let v = mean + amplitude * (2.0 * std::f64::consts::PI * (hours - peak_hour) / 24.0).cos();
    v.max(0.0)
}

fn step_rate(steps: &[(SimTime, f64)], t: SimTime) -> f64 {
    // Last step whose time is <= t; before the first step, the first rate.
    match steps.partition_point(|(at, _)| *at <= t) {
        0 => steps.first().map_or(0.0, |s| s.1),
        i => steps[i - 1].1,
    }
}

fn next_step_after(steps: &[(SimTime, f64)], t: SimTime) -> Option<SimTime> {
    let i = steps.partition_point(|(at, _)| *at <= t);
    steps.get(i).map(|s| s.0)
}

/// Integral of a shape that is constant between `cuts`.
fn piecewise(shape: &RateShape, t0: SimTime, t1: SimTime, cuts: &[SimTime]) -> f64 {
    let mut points = vec![t0];
    points.extend(cuts.iter().copied().filter(|c| *c > t0 && *c < t1));
    points.push(t1);
    points.sort_unstable();
    points.windows(2).map(|w| shape.rate_at(w[0]) * to_secs_f64(w[1] - w[0])).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    #[test]
    fn constant_and_steps_integrate_exactly() {
        assert_eq!(RateShape::Constant(1100.0).integral(0, secs(10)), 11_000.0);
        let s = RateShape::Steps(vec![(0, 100.0), (secs(5), 300.0)]);
        assert_eq!(s.integral(0, secs(10)), 100.0 * 5.0 + 300.0 * 5.0);
        assert_eq!(s.integral(secs(4), secs(6)), 400.0);
        assert_eq!(s.rate_at(secs(5)), 300.0);
    }

    #[test]
    fn ramp_and_spike() {
        let r = RateShape::Ramp { from: 0.0, to: 100.0, start: secs(10), end: secs(20) };
        assert_eq!(r.integral(0, secs(30)), 0.0 + 500.0 + 1000.0);
        assert_eq!(r.mean_rate(secs(15), secs(16)), 55.0);
        let s = RateShape::Spike { base: 10.0, peak: 50.0, start: secs(2), length: secs(3) };
        assert_eq!(s.integral(0, secs(10)), 10.0 * 7.0 + 50.0 * 3.0);
        assert_eq!(s.peak_rate(secs(10)), 50.0);
    }

    #[test]
    fn diurnal_day_integrates_to_mean() {
        let d = RateShape::Diurnal { mean: 1000.0, amplitude: 500.0, peak_hour: 14.0 };
        let day = d.integral(0, secs(86_400));
        assert!((day - 86_400_000.0).abs() < 1e-3, "{day}");
        assert!((d.rate_at(secs(14 * 3600)) - 1500.0).abs() < 1e-9);
        // Clamped variant: Simpson agrees with the exact formula where no clamping happens.
        let c = RateShape::Diurnal { mean: 100.0, amplitude: 300.0, peak_hour: 0.0 };
        assert!(c.integral(0, secs(86_400)) > 100.0 * 86_400.0);
    }
}
