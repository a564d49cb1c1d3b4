//! A producer: its arrival process, its PutRecords batch, its KPL aggregates, its buffer, its
//! retry policy and what its records bill ([`ProducerRt`], its state while a run goes on). It
//! holds state and makes decisions; the write path (`writes.rs`) acts on them. Calls `sizes`.

use crate::engine::rng_stream;
use crate::limits::PUT_PAYLOAD_UNIT_BYTES;
use crate::model::sizes::SizeSampler;
use crate::scenario::{Arrivals, Jitter, Producer, RateShape, Retry, RttModel};
use crate::units::{round_u64, SimTime, KIB, MICROS_PER_SEC};
use rand::Rng;
use rand_distr::{Binomial, Distribution, Exp1, Poisson};
use rand_pcg::Pcg64Mcg;

/// A producer while the run goes on.
pub struct ProducerRt {
    pub spec: Producer,
    /// Per-record mode: when its records arrive.
    pub arrivals: ArrivalProcess,
    /// Per-record mode: the PutRecords batch it fills; both modes: its buffer occupancy.
    pub batch: Batcher,
    /// KPL aggregation: the aggregated records filling, one per shard id at most, with the sum
    /// of their user records' creation times.
    pub aggregates: Aggregates,
    /// Aggregated mode: expected PUT payload units and billed KiB of one record, and the
    /// records accepted in the current tick and not billed yet.
    mean_put_units: f64,
    mean_billed_kib: f64,
    pub unbilled: u64,
    rng_retry: Pcg64Mcg,
    rng_rtt: Pcg64Mcg,
}

impl ProducerRt {
    /// Producer `spec` of a run seeded `seed`, its records' sizes drawn by `sizes`; billing counts
    /// the key of a record when `payload_counts_key`.
    pub fn new(spec: &Producer, seed: u64, sizes: &SizeSampler, payload_counts_key: bool) -> Self {
        let label = |what: &str| format!("producer/{}/{}", spec.name, what);
        // The billed size counts the key only if the scenario says so.
        let key_len =
            if payload_counts_key { crate::model::keys::KeySpace::mean_key_len(&spec.keys) } else { 0.0 };
        ProducerRt {
            mean_put_units: sizes.mean_units(key_len, PUT_PAYLOAD_UNIT_BYTES),
            mean_billed_kib: sizes.mean_units(key_len, KIB),
            unbilled: 0,
            arrivals: ArrivalProcess::new(&spec.rate, spec.arrivals),
            batch: Batcher::new(),
            rng_retry: rng_stream(seed, &label("retry")),
            rng_rtt: rng_stream(seed, &label("rtt")),
            aggregates: Aggregates::default(),
            spec: spec.clone(),
        }
    }

    /// PUT payload units and billed KiB of `records` accepted records of unknown individual
    /// sizes, from the expected billing of one record.
    pub fn bill_expected(&self, records: u64) -> (u64, u64) {
        let k = records as f64;
        (round_u64(k * self.mean_put_units), round_u64(k * self.mean_billed_kib))
    }

    /// A PutRecords round trip [µs].
    #[inline]
    pub fn rtt(&mut self) -> SimTime {
        rtt(&self.spec.put_rtt, &mut self.rng_rtt)
    }

    /// Backoff before the next attempt, after `attempts` attempts failed [µs].
    #[inline]
    pub fn backoff(&mut self, attempts: u32) -> SimTime {
        backoff(&self.spec.retry, attempts, &mut self.rng_retry)
    }
}

/// Where a cohort goes: a hash key (per-record mode, placed on the shard map at send time) or
/// a shard position (aggregated mode, where cohorts are drawn per shard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Hash(u128),
    Shard(u32),
}

/// N records of one target created at one instant: the unit that moves through the model.
/// N = 1 is one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cohort {
    /// When the user records were created [µs].
    pub created: SimTime,
    pub records: u64,
    /// Data + partition key bytes of all its records.
    pub bytes: u64,
    /// Partition key bytes inside `bytes` of a single record or of an aggregated record (its
    /// own key; the user records' keys are part of its data blob); 0 for a cohort of many
    /// records, billed from the expected size of a record instead. Billing subtracts it unless
    /// the scenario counts the key (`[cost] payload_counts_key`).
    pub key_bytes: u32,
    pub target: Target,
    /// Attempts made so far.
    pub attempts: u32,
    /// Trace id of a traced record (per-record mode), 0 if not traced.
    pub trace: u32,
    /// One KPL aggregated Kinesis record holding `records` user records (per-record mode):
    /// it counts as one record against the shard's and the PutRecords call's record limits.
    pub aggregated: bool,
}

impl Cohort {
    /// Kinesis records it counts as against record limits.
    pub fn kinesis_records(&self) -> u64 {
        if self.aggregated {
            1
        } else {
            self.records
        }
    }
}

/// The user-record arrival process of one producer, with the rate held at its mean over each
/// second (exact per-second counts for every shape).
pub struct ArrivalProcess {
    shape: RateShape,
    kind: Arrivals,
    /// Second whose rate is cached, and that rate [records/s].
    sec: u64,
    rate: f64,
    /// Poisson: exact (fractional) time of the last arrival [µs].
    t_exact: f64,
    /// Uniform: integral of the rate up to the start of `sec`, and the next arrival's index.
    cum: f64,
    next_k: f64,
}

impl ArrivalProcess {
    pub fn new(shape: &RateShape, kind: Arrivals) -> Self {
        let rate = shape.mean_rate(0, MICROS_PER_SEC);
        ArrivalProcess { shape: shape.clone(), kind, sec: 0, rate, t_exact: 0.0, cum: 0.0, next_k: 0.0 }
    }

    fn move_to_second(&mut self, s: u64) {
        while self.sec < s {
            self.cum += self.rate;
            self.sec += 1;
            let t = self.sec * MICROS_PER_SEC;
            self.rate = self.shape.mean_rate(t, t + MICROS_PER_SEC);
        }
    }

    /// The next arrival strictly before `horizon`, or `None`.
    pub fn next<R: Rng + ?Sized>(&mut self, rng: &mut R, horizon: SimTime) -> Option<SimTime> {
        loop {
            let sec_start = self.sec * MICROS_PER_SEC;
            if sec_start >= horizon {
                return None;
            }
            let sec_end = sec_start + MICROS_PER_SEC;
            match self.kind {
                Arrivals::Poisson => {
                    if self.rate > 0.0 {
                        let gap: f64 = rng.sample(Exp1);
                        let t = self.t_exact + gap / self.rate * MICROS_PER_SEC as f64;
                        if t < sec_end as f64 {
                            self.t_exact = t;
                            let at = t as SimTime;
                            return (at < horizon).then_some(at);
                        }
                    }
                    // Memoryless: restart the clock at the next second with its rate.
                    self.t_exact = sec_end as f64;
                    self.move_to_second(self.sec + 1);
                }
                Arrivals::Uniform => {
                    let into = self.next_k - self.cum;
                    if self.rate > 0.0 && into < self.rate {
                        self.next_k += 1.0;
                        let off = ((into / self.rate) * MICROS_PER_SEC as f64).ceil() as SimTime;
                        let at = sec_start + off.min(MICROS_PER_SEC - 1);
                        return (at < horizon).then_some(at);
                    }
                    self.move_to_second(self.sec + 1);
                }
            }
        }
    }
}

/// Total records a producer creates in `[t0, t1)` in aggregated mode.
pub struct TickCounter {
    shape: RateShape,
    kind: Arrivals,
    /// Uniform arrivals: integral of the rate up to the last tick.
    cum: f64,
}

impl TickCounter {
    pub fn new(shape: &RateShape, kind: Arrivals) -> Self {
        TickCounter { shape: shape.clone(), kind, cum: 0.0 }
    }

    /// The records of the tick: Poisson with the tick's expected count, or the exact count of
    /// evenly spaced arrivals. Drawn before, and independently of, the split over shards, so
    /// the traffic is the same whatever the capacity (a fair comparison of capacity plans).
    /// Also the tick's expected count.
    pub fn tick<R: Rng + ?Sized>(&mut self, t0: SimTime, t1: SimTime, rng: &mut R) -> (u64, f64) {
        let lambda = self.shape.integral(t0, t1);
        let n = match self.kind {
            Arrivals::Poisson if lambda > 0.0 => Poisson::new(lambda).map_or(0, |d| d.sample(rng) as u64),
            Arrivals::Poisson => 0,
            Arrivals::Uniform => {
                let before = self.cum.ceil();
                self.cum += lambda;
                (self.cum.ceil() - before).max(0.0) as u64
            }
        };
        (n, lambda)
    }
}

/// Append to `out` a split of `n` records over shards with shares `share` (summing to 1): a
/// multinomial draw by sequential binomials.
pub fn split_counts<R: Rng + ?Sized>(n: u64, share: &[f64], rng: &mut R, out: &mut Vec<u64>) {
    let from = out.len();
    let mut left = n;
    let mut mass = 1.0;
    for p in share {
        let k = if left == 0 || *p <= 0.0 {
            0
        } else if *p >= mass {
            left
        } else {
            Binomial::new(left, (p / mass).clamp(0.0, 1.0)).map_or(0, |d| d.sample(rng))
        };
        out.push(k);
        left -= k;
        mass -= p;
    }
    // Rounding in the shares: anything left goes to the last shard with mass.
    if left > 0 {
        if let Some(i) = share.iter().rposition(|p| *p > 0.0) {
            out[from + i] += left;
        }
    }
}

/// Backoff before the next attempt, after `attempts` attempts failed [µs]:
/// `min(cap, base * 2^(attempts-1))`, then full jitter (uniform in `[0, that]`) or none.
pub fn backoff<R: Rng + ?Sized>(retry: &Retry, attempts: u32, rng: &mut R) -> SimTime {
    let exp = attempts.saturating_sub(1).min(63);
    let b = retry.base.saturating_mul(1u64 << exp).min(retry.cap);
    match retry.jitter {
        Jitter::Full => rng.random_range(0..=b),
        Jitter::None => b,
    }
}

/// One PutRecords round trip [µs].
pub fn rtt<R: Rng + ?Sized>(m: &RttModel, rng: &mut R) -> SimTime {
    match m {
        RttModel::Fixed(t) => *t,
        RttModel::Uniform { min, max } => rng.random_range(*min..=*max),
    }
}

/// The batch a producer is filling, and its buffer occupancy.
pub struct Batcher {
    pub cohorts: Vec<Cohort>,
    /// Kinesis records in the batch (an aggregated record counts one).
    pub records: u64,
    pub bytes: u64,
    /// Incremented at every send; a linger timer from an older epoch is stale.
    pub epoch: u64,
    /// Records held unresolved (batching or awaiting a retry).
    pub buffered: u64,
}

/// What adding a cohort to the batch asks the world to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddOutcome {
    /// Send the batch as it was before this cohort (it would not fit).
    pub send_before: bool,
    /// Start the linger timer (this cohort opened a batch).
    pub start_timer: bool,
    /// Send now (batch full, or no linger).
    pub send_now: bool,
}

impl Batcher {
    pub fn new() -> Self {
        Batcher { cohorts: Vec::new(), records: 0, bytes: 0, epoch: 0, buffered: 0 }
    }

    /// Would `c` overflow the batch limits of `p`?
    pub fn would_overflow(&self, p: &Producer, c: &Cohort) -> bool {
        !self.cohorts.is_empty()
            && (self.records + c.kinesis_records() > p.batch.max_records as u64
                || self.bytes + c.bytes > p.batch.max_bytes)
    }

    /// Add a cohort (after the world sent the previous batch if `would_overflow`).
    pub fn push(&mut self, p: &Producer, c: Cohort) -> AddOutcome {
        let opened = self.cohorts.is_empty();
        self.records += c.kinesis_records();
        self.bytes += c.bytes;
        self.cohorts.push(c);
        let full = self.records >= p.batch.max_records as u64 || self.bytes >= p.batch.max_bytes;
        AddOutcome {
            send_before: false,
            start_timer: opened && p.batch.linger > 0 && !full,
            send_now: full || p.batch.linger == 0,
        }
    }

    /// Take the batch to send, leaving an empty one (its allocation is reused).
    pub fn take(&mut self, into: &mut Vec<Cohort>) {
        into.clear();
        std::mem::swap(into, &mut self.cohorts);
        self.records = 0;
        self.bytes = 0;
        self.epoch += 1;
    }
}

/// KPL aggregation: the aggregated records filling, at most one per shard id, in the order
/// they were opened; each with the sum of its user records' creation times. An index by shard
/// id makes finding a shard's aggregate O(1) (a record arrives for it every time).
#[derive(Debug, Default)]
pub struct Aggregates {
    open: Vec<(u32, Cohort, f64)>,
    /// By shard id: its position in `open`, or `NONE`.
    at: Vec<u32>,
}

impl Aggregates {
    const NONE: u32 = u32::MAX;

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The aggregate filling for `shard`, with its creation-time sum.
    pub fn get_mut(&mut self, shard: u32) -> Option<(&mut Cohort, &mut f64)> {
        let i = *self.at.get(shard as usize)?;
        self.open.get_mut(i as usize).map(|(_, c, sum)| (c, sum))
    }

    /// Remove `shard`'s aggregate (the last one takes its place, as `Vec::swap_remove`).
    pub fn remove(&mut self, shard: u32) -> Option<(Cohort, f64)> {
        let i = *self.at.get(shard as usize)?;
        if i == Self::NONE {
            return None;
        }
        let (_, c, sum) = self.open.swap_remove(i as usize);
        self.at[shard as usize] = Self::NONE;
        if let Some((moved, _, _)) = self.open.get(i as usize) {
            self.at[*moved as usize] = i;
        }
        Some((c, sum))
    }

    /// Open an aggregate for `shard` (which has none).
    pub fn push(&mut self, shard: u32, c: Cohort, created_sum: f64) {
        if self.at.len() <= shard as usize {
            self.at.resize(shard as usize + 1, Self::NONE);
        }
        self.at[shard as usize] = self.open.len() as u32;
        self.open.push((shard, c, created_sum));
    }

    /// Every aggregate, in order, leaving none.
    pub fn take_all(&mut self) -> Vec<(u32, Cohort, f64)> {
        for (shard, _, _) in &self.open {
            self.at[*shard as usize] = Self::NONE;
        }
        std::mem::take(&mut self.open)
    }
}

impl Default for Batcher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn aggregates_find_remove_and_keep_their_order() {
        let c = |records| Cohort {
            created: 0,
            records,
            bytes: 0,
            key_bytes: 0,
            target: Target::Shard(0),
            attempts: 0,
            trace: 0,
            aggregated: true,
        };
        let mut a = Aggregates::default();
        for shard in [7, 2, 9] {
            a.push(shard, c(u64::from(shard)), 0.0);
        }
        assert_eq!(a.get_mut(2).map(|(c, _)| c.records), Some(2));
        assert!(a.get_mut(3).is_none() && a.get_mut(100).is_none());
        // Removing the first moves the last into its place, as Vec::swap_remove.
        assert_eq!(a.remove(7).map(|(c, _)| c.records), Some(7));
        assert!(a.remove(7).is_none());
        assert_eq!(a.get_mut(9).map(|(c, _)| c.records), Some(9));
        a.push(7, c(70), 1.0);
        let order: Vec<u32> = a.take_all().into_iter().map(|(s, _, _)| s).collect();
        assert_eq!(order, vec![9, 2, 7]);
        assert!(a.is_empty() && a.get_mut(9).is_none());
    }

    use super::*;
    use crate::units::secs;
    use rand::SeedableRng;

    #[test]
    fn uniform_arrivals_are_evenly_spaced_per_second() {
        let mut a = ArrivalProcess::new(&RateShape::Constant(1500.0), Arrivals::Uniform);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        let mut per_sec = [0u32; 10];
        while let Some(t) = a.next(&mut rng, secs(10)) {
            per_sec[(t / MICROS_PER_SEC) as usize] += 1;
        }
        assert_eq!(per_sec, [1500; 10]);
    }

    #[test]
    fn poisson_arrival_count_matches_rate() {
        // 100 s at 1,100/s: the count is Poisson(110,000), sd ~332; accept 5 sd.
        let mut a = ArrivalProcess::new(&RateShape::Constant(1100.0), Arrivals::Poisson);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(2);
        let mut n = 0u64;
        while a.next(&mut rng, secs(100)).is_some() {
            n += 1;
        }
        assert!((n as f64 - 110_000.0).abs() < 5.0 * 110_000f64.sqrt(), "{n}");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let r = Retry { max_attempts: 10, base: secs(1), cap: secs(20), jitter: Jitter::None };
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let b: Vec<_> = (1..=6).map(|a| backoff(&r, a, &mut rng) / MICROS_PER_SEC).collect();
        assert_eq!(b, [1, 2, 4, 8, 16, 20]);
        let full = Retry { jitter: Jitter::Full, ..r };
        assert!((0..1000).all(|_| backoff(&full, 3, &mut rng) <= secs(4)));
    }

    #[test]
    fn multinomial_split_keeps_the_total() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(4);
        let mut out = Vec::new();
        split_counts(1234, &[0.1, 0.0, 0.6, 0.3], &mut rng, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 1234);
        assert_eq!(out[1], 0);
    }
}
