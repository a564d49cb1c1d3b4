//! Mean and confidence interval over seeds.

use serde::Serialize;

/// Confidence level of every interval `kinesim size` reports.
pub const CONFIDENCE: f64 = 0.95;
/// How the interval is computed (written into `sizing.json`).
pub const CI_METHOD: &str = "Student's t, two-sided 95%, over seeds";

/// The t multiplier of a two-sided 95% interval with `df` degrees of freedom (`df` >= 1): the
/// 97.5% quantile of Student's t, exact for every `df` (statrs), not a table that stops at 30
/// and then uses the normal 1.96 (2-4% too narrow for 31-120 seeds).
pub fn t_975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if df == 0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// A mean over seeds and its 95% confidence interval (`None` with a single seed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl Estimate {
    /// Half the interval's width, if there is an interval.
    pub fn half_width(&self) -> Option<f64> {
        Some((self.ci_high? - self.ci_low?) / 2.0)
    }
}

/// Mean and `mean ± t(0.975, n-1) · s / √n`, `s` the sample standard deviation.
pub fn estimate(values: &[f64]) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate { mean: f64::NAN, ci_low: None, ci_high: None };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate { mean, ci_low: None, ci_high: None };
    }
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_975(n - 1) * (var / n as f64).sqrt();
    Estimate { mean, ci_low: Some(mean - half), ci_high: Some(mean + half) }
}

/// One-sided upper confidence bound at level `c` of the mean of `values`:
/// `mean + t(c, n-1) · s / √n` (Student's t); infinite with fewer than two values (no bound can
/// be stated), the mean itself when every value is equal.
pub fn upper_bound(values: &[f64], c: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = values.len();
    if n < 2 || values.iter().any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if var == 0.0 {
        return mean;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("n - 1 >= 1 degrees of freedom").inverse_cdf(c);
    mean + t * (var / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_bound_uses_the_one_sided_t_quantile() {
        // t(0.95, 4 df) = 2.131847 (one-sided 95%, tables); values 1..5: mean 3, s/√n = √0.5.
        let u = upper_bound(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
        assert!((u - (3.0 + 2.131_847 * 0.5f64.sqrt())).abs() < 1e-5, "{u}");
        // t(0.975) is the two-sided 95% multiplier of `estimate`.
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((upper_bound(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.975) - e.ci_high.unwrap()).abs() < 1e-3);
        assert_eq!(upper_bound(&[2.0, 2.0], 0.9), 2.0);
        assert_eq!(upper_bound(&[2.0], 0.9), f64::INFINITY);
    }

    #[test]
    fn t_quantiles_match_published_tables_at_every_degree_of_freedom() {
        // Two-sided 95% critical values of Student's t (NIST/SEMATECH e-Handbook of Statistical
        // Methods, table 1.3.6.7.2: https://www.itl.nist.gov/div898/handbook/eda/section3/eda3672.htm).
        for (df, t) in
            [(1, 12.706), (2, 4.303), (10, 2.228), (30, 2.042), (40, 2.021), (60, 2.000), (100, 1.984)]
        {
            assert!((t_975(df) - t).abs() < 0.0015, "df {df}: {} vs {t}", t_975(df));
        }
        // Beyond 30 the old table used 1.96: 3% too narrow at 40 degrees of freedom.
        assert!(t_975(40) > 2.02);
        assert!(t_975(100_000) > 1.959 && t_975(100_000) < 1.961);
    }

    #[test]
    fn one_value_has_no_interval() {
        assert_eq!(estimate(&[3.0]), Estimate { mean: 3.0, ci_low: None, ci_high: None });
    }

    #[test]
    fn equal_values_have_a_zero_width_interval() {
        let e = estimate(&[2.0, 2.0, 2.0]);
        assert_eq!((e.mean, e.ci_low, e.ci_high), (2.0, Some(2.0), Some(2.0)));
    }
}
