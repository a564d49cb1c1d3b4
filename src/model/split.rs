//! Aggregated mode: the records of a tick split over the shards, by each shard's share of the
//! keys. The split is an exact multinomial draw, and it is drawn after (and independently of)
//! the tick's total, so every capacity plan sees the same records per tick.
//!
//! Owns the shares and cached samplers of one split; calls `producer` (`split_counts`).

use crate::model::producer::split_counts;
use rand::Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, Poisson};

/// Below this many records per shard the records are placed one by one.
const DIRECT_PER_SHARD: u64 = 4;
/// The Poisson stage aims `TOP_UP_SD` standard deviations below the tick's expected count:
/// fewer placements against more overshoots into the chain (measured best near 2).
const TOP_UP_SD: f64 = 2.0;
/// The binomial chain is used when the shards are fewer than this times the standard
/// deviation of the tick's count: the top-up then costs more than the chain (measured: 100
/// shards at 60,000 records 5.7 µs against 6.8 µs for the chain, 4 shards at 200,000 records
/// far slower).
const CHAIN_SHARDS_PER_SD: f64 = 0.3;

/// How a split was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// Record by record.
    OneByOne,
    /// Poisson counts, then the rest record by record.
    Poisson,
    /// The Poisson stage overshot: the binomial chain.
    Chain,
}

/// A multinomial sampler over fixed shares (one per shard position, summing to 1).
///
/// A chain of binomials (one per shard, [`split_counts`]) costs about as much as the rest of a
/// shard's tick, so large counts are drawn another way, with the same distribution:
/// 1. each shard gets an independent Poisson count with mean `mu * share`, where `mu` is about
///    `lambda - 2 sqrt(lambda)` for the tick's expected count `lambda` (kept while `lambda`
///    stays within one standard deviation, so a steady rate reuses the shards' Poisson
///    samplers). Given their sum `t`, such counts are multinomial(`t`, shares), whatever `mu`;
/// 2. if `t <= n`, the other `n - t` records are placed one by one, each on a shard drawn by
///    its share (an alias table, O(1) per record). Multinomial(`t`) plus `n - t` independent
///    placements is multinomial(`n`), whatever `t` was;
/// 3. if `t > n` (about 8% of ticks for a Poisson `n`), the draw is discarded and the binomial
///    chain is used; the event depends only on `t` and `n`, so the result is still
///    multinomial(`n`).
///
/// For 1,000,000 records over 1,000 shards that is 1,000 Poisson draws and about 2,000
/// placements instead of 1,000 binomials (measured: 37 instead of 64 µs). With few shards
/// for the count ([`CHAIN_SHARDS_PER_SD`]) the chain itself is cheaper and is used.
pub struct Splitter {
    share: Vec<f64>,
    /// `None` when no shard has a share.
    alias: Option<WeightedAliasIndex<f64>>,
    /// The Poisson stage's `mu` (`None` until the first split), and each shard's sampler for
    /// it (`None` for a zero mean), built when a Poisson stage needs them.
    mu: Option<f64>,
    poisson: Vec<Option<Poisson<f64>>>,
    poisson_mu: Option<f64>,
}

impl Splitter {
    pub fn new(share: Vec<f64>) -> Self {
        let alias = WeightedAliasIndex::new(share.clone()).ok();
        Splitter { share, alias, mu: None, poisson: Vec::new(), poisson_mu: None }
    }

    /// Each shard position's share.
    pub fn share(&self) -> &[f64] {
        &self.share
    }

    /// Append to `out` a multinomial draw of `n` records over the shares (nothing placed when
    /// no shard has a share), and say how it was drawn. `lambda`: the expected count (`n`
    /// itself will do), which only sets how the draw is made.
    pub fn split<R: Rng + ?Sized>(&mut self, n: u64, lambda: f64, rng: &mut R, out: &mut Vec<u64>) -> Drawn {
        let from = out.len();
        let k = self.share.len();
        out.resize(from + k, 0);
        let Some(alias) = &self.alias else { return Drawn::OneByOne };
        if k == 1 {
            out[from] = n;
            return Drawn::OneByOne;
        }
        let sd = lambda.max(0.0).sqrt();
        if (k as f64) < CHAIN_SHARDS_PER_SD * sd && n > DIRECT_PER_SHARD * k as u64 {
            out.truncate(from);
            split_counts(n, &self.share, rng, out);
            return Drawn::Chain;
        }
        let target = lambda - TOP_UP_SD * sd;
        let mu = match self.mu {
            Some(mu) if (mu - target).abs() <= sd => mu,
            _ => target.max(0.0),
        };
        self.mu = Some(mu);
        if n <= DIRECT_PER_SHARD * k as u64 || mu <= 0.0 {
            for _ in 0..n {
                out[from + alias.sample(rng)] += 1;
            }
            return Drawn::OneByOne;
        }
        if self.poisson_mu != Some(mu) {
            self.poisson = self.share.iter().map(|s| Poisson::new(mu * s).ok()).collect();
            self.poisson_mu = Some(mu);
        }
        let mut t = 0;
        for (o, d) in out[from..].iter_mut().zip(&self.poisson) {
            if let Some(d) = d {
                *o = d.sample(rng) as u64;
                t += *o;
            }
        }
        if t > n {
            out.truncate(from);
            split_counts(n, &self.share, rng, out);
            return Drawn::Chain;
        }
        for _ in t..n {
            out[from + alias.sample(rng)] += 1;
        }
        Drawn::Poisson
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Mean, variance and the covariance of the first two cells over `draws` splits of `n`, and
    /// how many splits were drawn each way.
    fn moments(
        sp: &mut Splitter,
        n: u64,
        lambda: f64,
        draws: usize,
        seed: u64,
    ) -> (Vec<f64>, Vec<f64>, f64, [usize; 3]) {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        let k = sp.share().len();
        let mut all = Vec::with_capacity(draws);
        let mut out = Vec::new();
        let mut ways = [0; 3];
        for _ in 0..draws {
            out.clear();
            ways[sp.split(n, lambda, &mut rng, &mut out) as usize] += 1;
            assert_eq!(out.len(), k);
            assert_eq!(out.iter().sum::<u64>(), n, "every record is placed once");
            all.push(out.iter().map(|&x| x as f64).collect::<Vec<f64>>());
        }
        let m = draws as f64;
        let mean: Vec<f64> = (0..k).map(|i| all.iter().map(|v| v[i]).sum::<f64>() / m).collect();
        let var: Vec<f64> =
            (0..k).map(|i| all.iter().map(|v| (v[i] - mean[i]).powi(2)).sum::<f64>() / (m - 1.0)).collect();
        let cov = all.iter().map(|v| (v[0] - mean[0]) * (v[1] - mean[1])).sum::<f64>() / (m - 1.0);
        (mean, var, cov, ways)
    }

    /// The three ways of drawing (one by one, Poisson then placements, the binomial chain when
    /// the Poisson stage overshoots or costs more) must all give the multinomial's moments:
    /// mean `n p`, variance `n p (1 - p)`, covariance `-n p q`. Tolerances: 5 standard errors
    /// (for the variance, of a sample variance: `var * sqrt(2 / (m - 1))`). Independent
    /// Poisson counts (variance `n p`, covariance 0) fail the variance and covariance checks.
    #[test]
    fn the_split_has_the_multinomial_moments_in_every_regime() {
        let four = vec![0.5, 0.3, 0.15, 0.05];
        let mut forty: Vec<f64> = four.iter().map(|p| p / 2.0).collect();
        forty.extend([0.5 / 36.0; 36]);
        // (shares, n, expected count, draws, seed, [one by one, Poisson, chain] as ranges).
        // Overshoots into the chain: P(Poisson(mu) > n) with mu = lambda - 2 sqrt(lambda):
        // 1.09% for n = lambda = 60 (217 of 20,000), 16.1% for lambda = 70 (3,211), 2.1%
        // for 5,000 (85 of 4,000); ranges of 5 binomial standard deviations. 200,000
        // records over 4 shards: the chain by cost.
        type Ways = [std::ops::Range<usize>; 3];
        type Regime<'a> = (&'a Vec<f64>, u64, f64, usize, u64, Ways);
        let all = |d: usize| d..d + 1;
        let regimes: [Regime; 5] = [
            (&four, 10, 10.0, 20_000, 1, [all(20_000), 0..1, 0..1]),
            (&four, 60, 60.0, 20_000, 2, [0..1, 19_709..19_857, 143..291]),
            (&four, 60, 70.0, 20_000, 3, [0..1, 16_529..17_049, 2_951..3_471]),
            (&four, 200_000, 200_000.0, 4_000, 4, [0..1, 0..1, all(4_000)]),
            (&forty, 5_000, 5_000.0, 4_000, 5, [0..1, 3_869..3_961, 39..131]),
        ];
        for (share, n, lambda, draws, seed, ways_expected) in regimes {
            let mut sp = Splitter::new(share.clone());
            let (mean, var, cov, ways) = moments(&mut sp, n, lambda, draws, seed);
            for (w, e) in ways.iter().zip(&ways_expected) {
                assert!(e.contains(w), "n={n}, lambda={lambda}: drawn {ways:?}, expected {ways_expected:?}");
            }
            let m = draws as f64;
            let nf = n as f64;
            for (i, p) in share.iter().take(4).enumerate() {
                let (mu, v) = (nf * p, nf * p * (1.0 - p));
                assert!(
                    (mean[i] - mu).abs() < 5.0 * (v / m).sqrt(),
                    "n={n} cell {i}: mean {} vs {mu}",
                    mean[i]
                );
                assert!(
                    (var[i] - v).abs() < 5.0 * v * (2.0 / (m - 1.0)).sqrt(),
                    "n={n} cell {i}: variance {} vs {v}",
                    var[i]
                );
            }
            let c = -nf * share[0] * share[1];
            // Var of a sample covariance of a bivariate normal: (var0 var1 + cov^2) / (m - 1).
            let v0 = nf * share[0] * (1.0 - share[0]);
            let v1 = nf * share[1] * (1.0 - share[1]);
            let se = ((v0 * v1 + c * c) / (m - 1.0)).sqrt();
            assert!((cov - c).abs() < 5.0 * se, "n={n}: covariance {cov} vs {c}");
        }
    }

    #[test]
    fn zero_shares_get_nothing_and_one_shard_gets_everything() {
        let mut sp = Splitter::new(vec![0.0, 0.7, 0.0, 0.3]);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        let mut out = vec![42];
        assert_eq!(sp.split(50, 50.0, &mut rng, &mut out), Drawn::Poisson);
        assert_eq!(out[0], 42, "appends");
        assert_eq!((out[1], out[3]), (0, 0));
        assert_eq!(out[2] + out[4], 50);
        out.truncate(1);
        assert_eq!(sp.split(100_000, 100_000.0, &mut rng, &mut out), Drawn::Chain);
        assert_eq!((out[1], out[3]), (0, 0));
        assert_eq!(out[2] + out[4], 100_000);
        let mut one = Splitter::new(vec![1.0]);
        out.clear();
        one.split(7, 7.0, &mut rng, &mut out);
        assert_eq!(out, [7]);
        let mut none = Splitter::new(vec![0.0, 0.0]);
        out.clear();
        none.split(7, 7.0, &mut rng, &mut out);
        assert_eq!(out, [0, 0]);
    }
}
