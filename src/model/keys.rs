//! Partition keys: real strings (from a template, or random UUID-like ones) hashed once each
//! with MD5, and the traffic share each shard receives from them.
//!
//! Memory is O(distinct keys): one hash, one length and one weight per key, never per record.
//!
//! Owns a producer's key tables; calls `hashing`.

use crate::model::hashing::{hash_key, ShardMap};
use crate::scenario::KeySpec;
use rand::Rng;
use rand_distr::{Distribution, Zipf};

/// One drawn key: its hash key and its length [bytes, UTF-8].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDraw {
    pub hash: u128,
    pub len: u32,
    /// Index into the key tables (`u32::MAX` for a random key).
    pub index: u32,
}

enum Sampler {
    Uniform {
        n: u64,
    },
    Zipf {
        dist: Zipf<f64>,
    },
    /// Hot keys first (cumulative shares), then a uniform remainder over the template keys,
    /// which follow the hot keys in the key tables.
    Hot {
        cumulative: Vec<f64>,
        remainder: u64,
    },
    Random,
}

/// The keys of one producer.
pub struct KeySpace {
    hashes: Vec<u128>,
    lens: Vec<u32>,
    /// Probability of each key (same order as `hashes`); empty for random keys.
    weights: Vec<f64>,
    sampler: Sampler,
    /// The keys sorted by hash, with cumulative weights and weighted lengths, so the traffic of
    /// any hash range is two binary searches away (resharding recomputes shares often).
    sorted: Vec<u128>,
    cum_weight: Vec<f64>,
    cum_len: Vec<f64>,
    spec: KeySpec,
}

/// Length of a random UUID-like key (`8-4-4-4-12` hex digits).
pub const RANDOM_KEY_LEN: u32 = 36;

/// Expand a key template: `{}` replaced by `i`.
pub fn key_from_template(template: &str, i: u64) -> String {
    template.replacen("{}", &i.to_string(), 1)
}

/// A random UUID-like key, drawn from `rng`.
pub fn random_key<R: Rng + ?Sized>(rng: &mut R) -> String {
    let v: u128 = rng.random();
    let h = format!("{v:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

impl KeySpace {
    pub fn new(spec: &KeySpec) -> Self {
        let mut k = Self::build(spec);
        k.spec = spec.clone();
        // Sort (hash, index) pairs held side by side: one pass over contiguous memory rather
        // than an index sort that looks every hash up. Hashes of distinct keys are distinct
        // (MD5 has no known collision among short keys), and the index breaks any tie, so the
        // order is fully determined.
        let mut pairs: Vec<(u128, u32)> = k.hashes.iter().enumerate().map(|(i, h)| (*h, i as u32)).collect();
        {
            use rayon::slice::ParallelSliceMut;
            // (hash, index) pairs are all distinct: the sorted order is unique, whatever the
            // number of threads.
            pairs.par_sort_unstable();
        }
        let order: Vec<u32> = pairs.iter().map(|p| p.1).collect();
        k.sorted = pairs.into_iter().map(|p| p.0).collect();
        k.cum_weight = std::iter::once(0.0)
            .chain(order.iter().scan(0.0, |acc, &i| {
                *acc += k.weights[i as usize];
                Some(*acc)
            }))
            .collect();
        k.cum_len = std::iter::once(0.0)
            .chain(order.iter().scan(0.0, |acc, &i| {
                *acc += k.weights[i as usize] * k.lens[i as usize] as f64;
                Some(*acc)
            }))
            .collect();
        k
    }

    fn build(spec: &KeySpec) -> Self {
        // MD5 of every templated key, in parallel (rayon): each result is placed by its index, so
        // the tables are the same whatever the number of threads.
        let template_keys = |template: &str, count: u64, hashes: &mut Vec<u128>, lens: &mut Vec<u32>| {
            use rayon::prelude::*;
            use std::fmt::Write;
            // `{}` is replaced by the index (as `key_from_template` does), written into one
            // buffer per rayon task: no allocation per key.
            let (head, tail) = template.split_once("{}").unwrap_or((template, ""));
            let has_slot = template.contains("{}");
            let (h, l): (Vec<u128>, Vec<u32>) = (0..count)
                .into_par_iter()
                .map_init(String::new, |key, i| {
                    key.clear();
                    key.push_str(head);
                    if has_slot {
                        // Writing to a String cannot fail.
                        let _ = write!(key, "{i}");
                    }
                    key.push_str(tail);
                    (hash_key(key), key.len() as u32)
                })
                .unzip();
            hashes.extend(h);
            lens.extend(l);
        };
        let mut hashes = Vec::new();
        let mut lens = Vec::new();
        match spec {
            KeySpec::Uniform { count, template } => {
                template_keys(template, *count, &mut hashes, &mut lens);
                let w = 1.0 / *count as f64;
                KeySpace {
                    weights: vec![w; *count as usize],
                    hashes,
                    lens,
                    sampler: Sampler::Uniform { n: *count },
                    sorted: Vec::new(),
                    cum_weight: Vec::new(),
                    cum_len: Vec::new(),
                    spec: KeySpec::Random,
                }
            }
            KeySpec::Zipf { count, exponent, template } => {
                template_keys(template, *count, &mut hashes, &mut lens);
                let raw: Vec<f64> = (1..=*count).map(|k| (k as f64).powf(-exponent)).collect();
                let total: f64 = raw.iter().sum();
                let weights = raw.into_iter().map(|w| w / total).collect();
                // Validation guarantees count >= 1 and exponent > 0, so this cannot fail.
                let dist = Zipf::new(*count as f64, *exponent).expect("validated Zipf parameters");
                KeySpace {
                    hashes,
                    lens,
                    weights,
                    sampler: Sampler::Zipf { dist },
                    sorted: Vec::new(),
                    cum_weight: Vec::new(),
                    cum_len: Vec::new(),
                    spec: KeySpec::Random,
                }
            }
            KeySpec::Hot { hot, count, template } => {
                let mut weights = Vec::new();
                let mut cumulative = Vec::new();
                let mut acc = 0.0;
                for (key, share) in hot {
                    hashes.push(hash_key(key));
                    lens.push(key.len() as u32);
                    weights.push(*share);
                    acc += share;
                    cumulative.push(acc);
                }
                let rest = (1.0 - acc).max(0.0);
                template_keys(template, *count, &mut hashes, &mut lens);
                if *count > 0 {
                    weights.extend(std::iter::repeat_n(rest / *count as f64, *count as usize));
                }
                // Normalise (shares that sum to 1 with no remainder, or rounding).
                let total: f64 = weights.iter().sum();
                weights.iter_mut().for_each(|w| *w /= total);
                cumulative.iter_mut().for_each(|c| *c /= total);
                KeySpace {
                    hashes,
                    lens,
                    weights,
                    sampler: Sampler::Hot { cumulative, remainder: *count },
                    sorted: Vec::new(),
                    cum_weight: Vec::new(),
                    cum_len: Vec::new(),
                    spec: KeySpec::Random,
                }
            }
            KeySpec::Random => KeySpace {
                hashes,
                lens,
                weights: Vec::new(),
                sampler: Sampler::Random,
                sorted: Vec::new(),
                cum_weight: Vec::new(),
                cum_len: Vec::new(),
                spec: KeySpec::Random,
            },
        }
    }

    /// Mean key length of a spec [bytes], without building its key tables (templated keys
    /// are measured on a sample of indexes spread over the range).
    pub fn mean_key_len(spec: &KeySpec) -> f64 {
        let template_mean = |template: &str, count: u64| -> f64 {
            let samples = count.clamp(1, 1000);
            (0..samples).map(|i| key_from_template(template, i * count / samples).len() as f64).sum::<f64>()
                / samples as f64
        };
        match spec {
            KeySpec::Uniform { count, template } | KeySpec::Zipf { count, template, .. } => {
                template_mean(template, *count)
            }
            KeySpec::Hot { hot, count, template } => {
                let hot_share: f64 = hot.iter().map(|h| h.1).sum();
                let hot_len: f64 = hot.iter().map(|(k, s)| k.len() as f64 * s).sum();
                let rest = (1.0 - hot_share).max(0.0);
                let rest_len = if *count > 0 { template_mean(template, *count) * rest } else { 0.0 };
                (hot_len + rest_len) / (hot_share + rest).max(f64::MIN_POSITIVE)
            }
            KeySpec::Random => RANDOM_KEY_LEN as f64,
        }
    }

    /// Distinct keys held (0 for random keys).
    pub fn distinct(&self) -> usize {
        self.hashes.len()
    }

    /// Longest key [bytes].
    pub fn max_len(&self) -> u32 {
        match self.sampler {
            Sampler::Random => RANDOM_KEY_LEN,
            _ => self.lens.iter().copied().max().unwrap_or(0),
        }
    }

    /// Draw the key of one record.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> KeyDraw {
        let i = match &self.sampler {
            Sampler::Uniform { n } => rng.random_range(0..*n) as usize,
            Sampler::Zipf { dist } => {
                (dist.sample(rng) as usize).saturating_sub(1).min(self.hashes.len() - 1)
            }
            Sampler::Hot { cumulative, remainder } => {
                let u: f64 = rng.random();
                match cumulative.iter().position(|c| u < *c) {
                    Some(h) => h,
                    None if *remainder > 0 => cumulative.len() + rng.random_range(0..*remainder) as usize,
                    None => cumulative.len() - 1,
                }
            }
            Sampler::Random => {
                let k = random_key(rng);
                return KeyDraw { hash: hash_key(&k), len: RANDOM_KEY_LEN, index: u32::MAX };
            }
        };
        KeyDraw { hash: self.hashes[i], len: self.lens[i], index: i as u32 }
    }

    /// Draw a key as [`Self::sample`] does (the same random draws) and also return its string,
    /// for the record trace.
    pub fn sample_with_string<R: Rng + ?Sized>(&self, rng: &mut R) -> (KeyDraw, String) {
        if let Sampler::Random = self.sampler {
            let k = random_key(rng);
            return (KeyDraw { hash: hash_key(&k), len: RANDOM_KEY_LEN, index: u32::MAX }, k);
        }
        let d = self.sample(rng);
        (d, self.key_string(d.index as usize))
    }

    /// The partition key string of table index `i`.
    fn key_string(&self, i: usize) -> String {
        match &self.spec {
            KeySpec::Uniform { template, .. } | KeySpec::Zipf { template, .. } => {
                key_from_template(template, i as u64)
            }
            KeySpec::Hot { hot, template, .. } => match hot.get(i) {
                Some((k, _)) => k.clone(),
                None => key_from_template(template, (i - hot.len()) as u64),
            },
            KeySpec::Random => String::new(),
        }
    }

    /// For each open shard of `map` (by position): the share of this producer's records that
    /// land there, and the mean key length of those records [bytes]. Computed once per shard
    /// map, by hashing nothing new: each distinct key's hash was computed once at start.
    pub fn shard_shares(&self, map: &ShardMap) -> (Vec<f64>, Vec<f64>) {
        let n = map.len();
        let mut share = vec![0.0; n];
        let mut len_sum = vec![0.0; n];
        if let Sampler::Random = self.sampler {
            for (i, r) in map.ranges().iter().enumerate() {
                share[i] = r.width_fraction();
                len_sum[i] = share[i] * RANDOM_KEY_LEN as f64;
            }
        } else {
            for (i, r) in map.ranges().iter().enumerate() {
                let lo = self.sorted.partition_point(|h| *h < r.start);
                let hi = self.sorted.partition_point(|h| *h <= r.end);
                share[i] = self.cum_weight[hi] - self.cum_weight[lo];
                len_sum[i] = self.cum_len[hi] - self.cum_len[lo];
            }
        }
        let mean_len = share.iter().zip(&len_sum).map(|(s, l)| if *s > 0.0 { l / s } else { 0.0 }).collect();
        (share, mean_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn shares_sum_to_one_and_hot_key_lands_on_its_shard() {
        let spec =
            KeySpec::Hot { hot: vec![("celebrity".into(), 0.5)], count: 1000, template: "user-{}".into() };
        let ks = KeySpace::new(&spec);
        let map = ShardMap::uniform(8);
        let (share, mean_len) = ks.shard_shares(&map);
        assert!((share.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let hot = map.position_of(hash_key("celebrity"));
        assert!(share[hot] >= 0.5);
        assert!(mean_len.iter().all(|l| *l > 0.0));
    }

    #[test]
    fn zipf_sampling_matches_its_weights() {
        let ks = KeySpace::new(&KeySpec::Zipf { count: 100, exponent: 1.2, template: "k{}".into() });
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let n = 200_000;
        let top = hash_key("k0");
        let hits = (0..n).filter(|_| ks.sample(&mut rng).hash == top).count() as f64;
        let p = ks.weights[0];
        // Binomial standard deviation; 5 sigma.
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        assert!((hits - n as f64 * p).abs() < 5.0 * sd, "hits {hits}, expected {}", n as f64 * p);
    }

    #[test]
    fn key_tables_match_the_template_expansion() {
        for template in ["user-{}", "{}", "k{}-x", "fixed"] {
            let ks = KeySpace::new(&KeySpec::Uniform { count: 2_000, template: template.into() });
            for i in [0u64, 9, 10, 1_999] {
                let key = key_from_template(template, i);
                assert_eq!(ks.hashes[i as usize], hash_key(&key), "{template} {i}");
                assert_eq!(ks.lens[i as usize], key.len() as u32);
            }
            assert!(ks.sorted.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn random_keys_look_like_uuids() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        let k = random_key(&mut rng);
        assert_eq!(k.len(), RANDOM_KEY_LEN as usize);
        assert_eq!(k.matches('-').count(), 4);
    }
}
