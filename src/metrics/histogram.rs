//! Latency histograms with bounded relative error (HdrHistogram): p99 of a billion records costs
//! kilobytes. Values are recorded in µs and reported in ms.
//!
//! Owns one histogram; calls `result` (percentiles).

use crate::metrics::result::Percentiles;
use crate::units::SimTime;
use hdrhistogram::Histogram;

/// Highest trackable latency: 400 days [µs]; larger values saturate.
const HIGHEST_US: u64 = 400 * 86_400 * 1_000_000;

pub struct LatencyHistogram {
    h: Histogram<u64>,
}

impl LatencyHistogram {
    /// `sigfig` significant decimal digits: 3 gives 0.1% relative error, 2 gives 1%.
    pub fn new(sigfig: u8) -> Self {
        let h = Histogram::new_with_bounds(1, HIGHEST_US, sigfig).expect("valid static histogram bounds");
        LatencyHistogram { h }
    }

    /// Record `count` records of latency `value` [µs].
    pub fn record(&mut self, value: SimTime, count: u64) {
        // saturating_record_n clamps into [1, HIGHEST_US]; it cannot fail.
        self.h.saturating_record_n(value.max(1), count);
    }

    pub fn count(&self) -> u64 {
        self.h.len()
    }

    /// Percentiles [ms]; each is the midpoint of its bucket (within the stated relative error).
    pub fn percentiles(&self) -> Percentiles {
        if self.h.is_empty() {
            return Percentiles::default();
        }
        let q = |q: f64| self.h.median_equivalent(self.h.value_at_quantile(q)) as f64 / 1000.0;
        Percentiles {
            count: self.h.len(),
            p50: q(0.50),
            p90: q(0.90),
            p99: q(0.99),
            max: self.h.max() as f64 / 1000.0,
        }
    }

    /// The distribution as points (latency [ms], fraction of records at or below it), one per
    /// step of the quantile ladder below the maximum; empty when nothing was recorded.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        if self.h.is_empty() {
            return Vec::new();
        }
        const LADDER: [f64; 21] = [
            0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999,
            0.9995, 0.9999, 0.99999, 1.0,
        ];
        LADDER
            .iter()
            .map(|&q| (self.h.median_equivalent(self.h.value_at_quantile(q)) as f64 / 1000.0, q))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_within_relative_error() {
        let mut h = LatencyHistogram::new(3);
        for v in 1..=100_000u64 {
            h.record(v * 10, 1); // 10 µs .. 1 s
        }
        let p = h.percentiles();
        assert_eq!(p.count, 100_000);
        assert!((p.p50 / 500.0 - 1.0).abs() < 0.002, "{}", p.p50);
        assert!((p.p99 / 990.0 - 1.0).abs() < 0.002, "{}", p.p99);
        assert!((p.max / 1000.0 - 1.0).abs() < 0.002, "{}", p.max);
        assert_eq!(LatencyHistogram::new(2).percentiles(), Percentiles::default());
    }
}
