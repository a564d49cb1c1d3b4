//! Record data sizes: one draw per record in per-record mode; the sum of a cohort's sizes in
//! aggregated mode (exact draws for small cohorts, a normal approximation by the central limit
//! theorem for large ones).
//!
//! Owns a size distribution's sampler; calls nothing of the model.

use crate::scenario::SizeDist;
use crate::units::round_u64;
use rand::Rng;
use rand_distr::weighted::WeightedIndex;
use rand_distr::{Distribution, LogNormal, StandardNormal, Uniform};

/// z of the 99th percentile of the standard normal.
const Z99: f64 = 2.326_347_874_040_841;

/// Cohorts up to this many records get one draw per record.
const EXACT_SUM_MAX: u64 = 32;

pub struct SizeSampler {
    kind: Kind,
    /// Smallest and largest size a draw can take [bytes].
    min: u64,
    max: u64,
    mean: f64,
    variance: f64,
}

enum Kind {
    Fixed(u64),
    Uniform(Uniform<u64>),
    LogNormal(LogNormal<f64>),
    Empirical { sizes: Vec<u64>, index: WeightedIndex<f64> },
}

impl SizeSampler {
    /// `max_data` caps draws (the record limit minus the key); validation has checked that the
    /// distribution's stated maximum (or p99) fits.
    pub fn new(dist: &SizeDist, max_data: u64) -> Self {
        let max_data = max_data.max(1);
        match dist {
            SizeDist::Fixed(s) => {
                SizeSampler { kind: Kind::Fixed(*s), min: *s, max: *s, mean: *s as f64, variance: 0.0 }
            }
            SizeDist::Uniform { min, max } => {
                let n = (max - min + 1) as f64;
                SizeSampler {
                    kind: Kind::Uniform(Uniform::new_inclusive(*min, *max).expect("validated min <= max")),
                    min: *min,
                    max: *max,
                    mean: (*min + *max) as f64 / 2.0,
                    variance: (n * n - 1.0) / 12.0,
                }
            }
            SizeDist::LogNormal { median, p99 } => {
                let mu = (*median as f64).ln();
                let sigma = ((*p99 as f64).ln() - mu) / Z99;
                let mean = (mu + sigma * sigma / 2.0).exp();
                let variance = ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp();
                SizeSampler {
                    kind: Kind::LogNormal(LogNormal::new(mu, sigma).expect("validated log-normal")),
                    min: 1,
                    max: max_data,
                    // Truncation at max_data moves these by a negligible amount when p99 fits.
                    mean,
                    variance,
                }
            }
            SizeDist::Empirical(table) => {
                let total: f64 = table.iter().map(|t| t.1).sum();
                let mean = table.iter().map(|(s, w)| *s as f64 * w / total).sum::<f64>();
                let variance = table.iter().map(|(s, w)| (*s as f64 - mean).powi(2) * w / total).sum();
                SizeSampler {
                    kind: Kind::Empirical {
                        sizes: table.iter().map(|t| t.0).collect(),
                        index: WeightedIndex::new(table.iter().map(|t| t.1)).expect("validated weights"),
                    },
                    min: table.iter().map(|t| t.0).min().unwrap_or(1),
                    max: table.iter().map(|t| t.0).max().unwrap_or(1),
                    mean,
                    variance,
                }
            }
        }
    }

    /// Expected `ceil((size + key_len) / unit)` of one record: exact for fixed sizes, estimated
    /// from 100,000 draws of a fixed random stream otherwise (aggregated-mode billing units).
    pub fn mean_units(&self, key_len: f64, unit: u64) -> f64 {
        use rand::SeedableRng;
        let units = |size: u64| (size + key_len.round() as u64).div_ceil(unit) as f64;
        match &self.kind {
            Kind::Fixed(s) => units(*s),
            _ => {
                let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(0x5eed_u64 ^ unit);
                let n = 100_000;
                (0..n).map(|_| units(self.sample(&mut rng))).sum::<f64>() / n as f64
            }
        }
    }

    /// Mean data size [bytes].
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// One record's data size [bytes].
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.kind {
            Kind::Fixed(s) => *s,
            Kind::Uniform(u) => u.sample(rng),
            Kind::LogNormal(d) => (d.sample(rng).round() as u64).clamp(self.min, self.max),
            Kind::Empirical { sizes, index } => sizes[index.sample(rng)],
        }
    }

    /// Total data size of `n` records [bytes].
    pub fn sum<R: Rng + ?Sized>(&self, n: u64, rng: &mut R) -> u64 {
        match &self.kind {
            Kind::Fixed(s) => s * n,
            _ if n <= EXACT_SUM_MAX => (0..n).map(|_| self.sample(rng)).sum(),
            _ => {
                // Normal(n mean, n variance), as `Normal::sample` computes it, without its
                // parameter checks and libm's `round` (the same values).
                let nf = n as f64;
                let sd = (nf * self.variance).sqrt().max(f64::MIN_POSITIVE);
                let z: f64 = rng.sample(StandardNormal);
                round_u64(nf * self.mean + sd * z).clamp(n * self.min, n.saturating_mul(self.max))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng() -> rand_pcg::Pcg64Mcg {
        rand_pcg::Pcg64Mcg::seed_from_u64(11)
    }

    #[test]
    fn lognormal_median_and_p99_are_honoured() {
        let s = SizeSampler::new(&SizeDist::LogNormal { median: 1000, p99: 20_000 }, 1 << 20);
        let mut r = rng();
        let mut v: Vec<u64> = (0..100_000).map(|_| s.sample(&mut r)).collect();
        v.sort_unstable();
        let median = v[50_000] as f64;
        let p99 = v[99_000] as f64;
        // Sample quantiles of 100k draws: within 3% (median) and 8% (p99) of the target.
        assert!((median / 1000.0 - 1.0).abs() < 0.03, "median {median}");
        assert!((p99 / 20_000.0 - 1.0).abs() < 0.08, "p99 {p99}");
    }

    #[test]
    fn cohort_sums_have_the_right_mean() {
        let s = SizeSampler::new(&SizeDist::Uniform { min: 100, max: 300 }, 1 << 20);
        let mut r = rng();
        // 1,000 cohorts of 10,000 records: the mean of the sums is 2,000,000 with standard error
        // sqrt(10,000 * var / 1,000) = ~183; accept 5 standard errors.
        let mean = (0..1000).map(|_| s.sum(10_000, &mut r) as f64).sum::<f64>() / 1000.0;
        assert!((mean - 2_000_000.0).abs() < 5.0 * (10_000.0 * s.variance / 1000.0).sqrt(), "{mean}");
        assert_eq!(SizeSampler::new(&SizeDist::Fixed(7), 100).sum(9, &mut r), 63);
        let e = SizeSampler::new(&SizeDist::Empirical(vec![(10, 1.0), (30, 3.0)]), 100);
        assert_eq!(e.mean(), 25.0);
    }
}
