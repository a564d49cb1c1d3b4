//! `kinesim size`: the cheapest configuration that meets an SLO, found by a parallel sweep over
//! shard counts and capacity modes with several seeds per point.
//!
//! Owns the points (copies of the scenario with `stream.shards` / `stream.mode` changed), the
//! search (full grid, or bisection on the shard count), the statistics over seeds and the
//! recommendation with the reasons it differs from the textbook formula. Pure: a scenario in, a
//! [`Sizing`] out; no file system, no terminal (the CLI passes a progress callback).
//!
//! Runs are independent and run in parallel (rayon, like [`crate::experiment::run_all`]);
//! results are gathered in input order, so the output never depends on the thread count.

pub mod parts;
pub mod reasons;
pub mod stats;

use crate::experiment::{self, Outcome, RunFailure};
use crate::limits;
use crate::metrics::Textbook;
use crate::scenario::{
    AutoscalingPolicy, Bound, Bounds, CapacityMode, Scenario, SizePolicy, SizeSearch, SizeSettings, Slo,
    SloRule,
};
use serde::Serialize;
use stats::{estimate, Estimate};

/// One configuration of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Point {
    /// `provisioned` or `on-demand`.
    #[serde(serialize_with = "mode_name")]
    pub mode: CapacityMode,
    /// Provisioned: the (starting) shard count; on-demand: the shards a new stream opens with.
    pub shards: u32,
    /// Provisioned: how the shard count changes (`as-written`, `fixed`, `target-tracking`, ...);
    /// on-demand: none.
    #[serde(serialize_with = "policy_name")]
    pub policy: Option<SizePolicy>,
}

fn policy_name<S: serde::Serializer>(p: &Option<SizePolicy>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(p.name()),
        None => s.serialize_none(),
    }
}

fn mode_name<S: serde::Serializer>(m: &CapacityMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.name())
}

impl Point {
    /// `provisioned, 8 shards`, `fixed, 8 shards`, `target-tracking, from 8 shards` or
    /// `on-demand`.
    pub fn label(&self) -> String {
        let n = format!("{} shard{}", self.shards, if self.shards == 1 { "" } else { "s" });
        match (self.mode, self.policy) {
            (CapacityMode::OnDemand, _) => "on-demand".to_string(),
            (_, None | Some(SizePolicy::AsWritten)) => format!("provisioned, {n}"),
            (_, Some(SizePolicy::Fixed)) => format!("fixed, {n}"),
            (_, Some(p)) => format!("{}, from {n}", p.name()),
        }
    }
}

/// What one (point, seed) run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedRun {
    pub seed: u64,
    pub throttle_rate: f64,
    pub records_dropped: u64,
    pub p99_put_latency_ms: f64,
    /// Largest p99 iterator age of any consumer [ms]; `None` without consumers.
    pub p99_iterator_age_ms: Option<f64>,
    /// Monthly projection of the run's bill [USD].
    pub cost_per_month_usd: f64,
    pub meets_slo: bool,
    /// Largest `key_share` of any shard (share of traffic whose keys hash there, 0..1).
    pub hottest_shard_key_share: f64,
    /// Highest offered load of any shard in any one second [records/s].
    pub hottest_shard_peak_records_per_s: u64,
    /// Shards open at the end of the run.
    pub shards_final: u32,
    /// Most shards open at any time of the run.
    pub shards_max: u32,
}

impl SeedRun {
    /// This run with `meets_slo` set from its own figures (the one place the verdict of a run
    /// is computed: a fresh run and `size-merge` reading a part file both come here).
    pub fn judged(mut self, slo: &Slo) -> SeedRun {
        self.meets_slo = meets(
            slo,
            self.throttle_rate,
            self.records_dropped,
            self.p99_put_latency_ms,
            self.p99_iterator_age_ms,
        );
        self
    }
}

/// One point with every seed's run and the statistics over seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointResult {
    #[serde(flatten)]
    pub point: Point,
    pub label: String,
    pub runs: Vec<SeedRun>,
    pub throttle_rate: Estimate,
    pub records_dropped: Estimate,
    pub p99_put_latency_ms: Estimate,
    /// With consumers: the worst consumer's p99 iterator age [ms].
    pub p99_iterator_age_ms: Option<Estimate>,
    pub cost_per_month_usd: Estimate,
    /// Meets the SLO under the sizing's rule (every seed, or the stated confidence).
    pub meets_slo: bool,
    pub seeds_meeting_slo: usize,
    /// With `size.confidence = c`: the one-sided upper confidence bound of each bounded metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_bounds: Option<UpperBounds>,
}

/// One-sided upper confidence bounds (level `c`) of the mean over seeds, of each metric the SLO
/// bounds (`None` for metrics it does not bound).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UpperBounds {
    pub throttle_rate: Option<f64>,
    pub records_dropped: Option<f64>,
    pub p99_put_latency_ms: Option<f64>,
    pub p99_iterator_age_ms: Option<f64>,
}

/// The rule a point's verdict used, as written into `sizing.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    /// `every-seed` or `confidence`.
    pub name: &'static str,
    pub confidence: Option<f64>,
    /// The rule in words.
    pub text: String,
}

impl From<SloRule> for RuleView {
    fn from(r: SloRule) -> Self {
        match r {
            SloRule::EverySeed => RuleView {
                name: "every-seed",
                confidence: None,
                text: "a point meets the SLO when every bound holds in every seed".into(),
            },
            SloRule::Confidence(c) => RuleView {
                name: "confidence",
                confidence: Some(c),
                text: format!(
                    "a point meets the SLO when, for every bound, the one-sided {}% upper confidence bound of the metric's mean over seeds (Student's t, n - 1 degrees of freedom) is within it",
                    percent(c)
                ),
            },
        }
    }
}

/// One reason the simulation and the textbook formula differ, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `hot-key`, `bursts`, `record-limit`, `poisson`, `rounding`, `no-point`.
    pub kind: &'static str,
    pub text: String,
}

/// The outcome of `kinesim size`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizing {
    pub scenario: String,
    pub duration_s: f64,
    /// Seeds of every point, in order.
    pub seeds: Vec<u64>,
    /// `grid` or `bisect`.
    pub search: &'static str,
    pub slo: SloView,
    /// When a point meets the SLO.
    pub rule: RuleView,
    /// Policies of the provisioned points, in order.
    pub policies: Vec<&'static str>,
    /// Evaluated points in input order (provisioned shard counts ascending, then on-demand, in
    /// the order of `size.modes`); with bisection only the probed shard counts.
    pub points: Vec<PointResult>,
    /// Index into `points` of the cheapest point meeting the SLO in every seed.
    pub recommendation: Option<usize>,
    #[serde(serialize_with = "textbook_json")]
    pub textbook: Textbook,
    /// Why the recommendation and the formula differ (or why nothing meets the SLO).
    pub reasons: Vec<Reason>,
    /// How to read the runs (e.g. traffic from one-minute CloudWatch sums hides sub-minute
    /// bursts), as in a run's `summary.json`.
    pub warnings: Vec<String>,
    pub runs: usize,
    /// The write-limit bound every point above ran under (`strict` or `lenient`, `size.bound`).
    pub bound: &'static str,
    /// With `engine.bounds = "both"`: the same sizing under the other bound, in brief.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_bound: Option<OtherBound>,
}

/// The recommendation under the other write-limit bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherBound {
    pub bound: &'static str,
    /// Its recommended point's label, shards and mean monthly cost (`None`: no point meets the
    /// SLO under that bound).
    pub recommended: Option<String>,
    pub shards: Option<u32>,
    pub cost_per_month_usd: Option<f64>,
    /// The main recommendation's monthly cost minus this one's [USD] (positive: the lenient
    /// bound would save that much); `None` when either has no recommendation.
    pub saving_per_month_usd: Option<f64>,
    /// Runs it took.
    pub runs: usize,
}

/// `sc` to run under `bound` alone.
pub fn under(sc: &Scenario, bound: Bound) -> Scenario {
    match bound {
        Bound::Strict => experiment::strict(sc),
        Bound::Lenient => experiment::lenient(sc),
    }
}

/// The SLO as written into `sizing.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloView {
    pub max_throttle_rate: Option<f64>,
    pub max_dropped: Option<u64>,
    pub max_p99_put_latency_ms: Option<f64>,
    pub max_p99_iterator_age_ms: Option<f64>,
}

impl From<&Slo> for SloView {
    fn from(s: &Slo) -> Self {
        SloView {
            max_throttle_rate: s.max_throttle_rate,
            max_dropped: s.max_dropped,
            max_p99_put_latency_ms: s.max_p99_put_latency_ms,
            max_p99_iterator_age_ms: s.max_p99_iterator_age_ms,
        }
    }
}

fn textbook_json<S: serde::Serializer>(t: &Textbook, s: S) -> Result<S::Ok, S::Error> {
    serde_json::json!({
        "formula": "ceil(max(in_KiB/1024, out_KiB/2048)), records rounded up to 1 KiB",
        "mean_records_per_s": t.mean_records_per_s,
        "peak_records_per_s": t.peak_records_per_s,
        "avg_record_kib": t.avg_record_kib,
        "peak_ingress_kib_per_s": t.peak_ingress_kib_per_s,
        "shards_at_mean": t.shards_at_mean,
        "shards_at_peak": t.shards_at_peak,
        "shards_at_peak_with_record_limit": t.shards_at_peak_with_record_limit,
    })
    .serialize(s)
}

/// Does one run meet the SLO? (An iterator-age bound is missed by a run without consumers.)
pub fn meets(slo: &Slo, throttle_rate: f64, dropped: u64, p99_ms: f64, p99_age_ms: Option<f64>) -> bool {
    slo.max_throttle_rate.is_none_or(|m| throttle_rate <= m)
        && slo.max_dropped.is_none_or(|m| dropped <= m)
        && slo.max_p99_put_latency_ms.is_none_or(|m| p99_ms <= m)
        && slo.max_p99_iterator_age_ms.is_none_or(|m| p99_age_ms.is_some_and(|a| a <= m))
}

/// `95` for 0.95, `97.5` for 0.975.
pub fn percent(c: f64) -> String {
    let t = format!("{:.3}", 100.0 * c);
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The provisioned series (one per policy, shard counts ascending) and the on-demand point.
fn axes(sc: &Scenario, settings: &SizeSettings) -> (Vec<Vec<Point>>, Option<Point>) {
    let prov = if settings.modes.contains(&CapacityMode::Provisioned) {
        settings
            .policies
            .iter()
            .map(|&policy| {
                settings
                    .shards
                    .iter()
                    .map(|&n| Point { mode: CapacityMode::Provisioned, shards: n, policy: Some(policy) })
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    let od = settings.modes.contains(&CapacityMode::OnDemand).then(|| {
        let o = &sc.capacity.on_demand;
        let warm = o.warm_throughput.div_ceil(limits::SHARD_WRITE_BYTES_PER_S) as u32;
        Point { mode: CapacityMode::OnDemand, shards: o.initial_shards.max(warm), policy: None }
    });
    (prov, od)
}

/// Every point of the full grid, in input order: each policy's shard counts ascending (policies
/// in the order written), on-demand first or last as in `size.modes`.
pub fn grid_points(sc: &Scenario, settings: &SizeSettings) -> Vec<Point> {
    let (prov, od) = axes(sc, settings);
    let mut all: Vec<Point> = prov.into_iter().flatten().collect();
    place_on_demand(&mut all, od, settings);
    all
}

/// Put the on-demand point (or its result) first or last, as `size.modes` lists it.
fn place_on_demand<T>(all: &mut Vec<T>, od: Option<T>, settings: &SizeSettings) {
    match od {
        Some(p) if settings.modes.first() == Some(&CapacityMode::OnDemand) => all.insert(0, p),
        Some(p) => all.push(p),
        None => {}
    }
}

/// The autoscaling policy of a `target-tracking` / `threshold-step` / `double-halve` point
/// starting at `n` shards: the scenario's own settings when it uses that policy, the defaults
/// otherwise; `n` is the policy's floor (`min_shards`).
fn policy_at(sc: &Scenario, kind: SizePolicy, n: u32) -> Option<AutoscalingPolicy> {
    use crate::scenario::defaults as d;
    let own = sc.capacity.autoscaling.clone().filter(|a| {
        matches!(
            (a, kind),
            (AutoscalingPolicy::TargetTracking { .. }, SizePolicy::TargetTracking)
                | (AutoscalingPolicy::ThresholdStep { .. }, SizePolicy::ThresholdStep)
                | (AutoscalingPolicy::DoubleHalve { .. }, SizePolicy::DoubleHalve)
        )
    });
    let max = limits::MAX_SHARDS_PER_STREAM;
    let mut a = own.or(match kind {
        SizePolicy::TargetTracking => Some(AutoscalingPolicy::TargetTracking {
            target: d::TT_TARGET,
            min_shards: n,
            max_shards: max,
            scale_out_cooldown: d::TT_SCALE_OUT_COOLDOWN,
            scale_in_cooldown: d::TT_SCALE_IN_COOLDOWN,
            scale_out_datapoints: d::TT_SCALE_OUT_DATAPOINTS,
            scale_in_datapoints: d::TT_SCALE_IN_DATAPOINTS,
        }),
        SizePolicy::ThresholdStep => Some(AutoscalingPolicy::ThresholdStep {
            scale_up_threshold: d::TS_UP_THRESHOLD,
            scale_down_threshold: d::TS_DOWN_THRESHOLD,
            up_periods: d::TS_UP_PERIODS,
            down_periods: d::TS_DOWN_PERIODS,
            scale_up_pct: d::TS_UP_PCT,
            scale_down_pct: d::TS_DOWN_PCT,
            cooldown: d::TS_COOLDOWN,
            min_shards: n,
            max_shards: max,
        }),
        SizePolicy::DoubleHalve => Some(AutoscalingPolicy::DoubleHalve {
            high: d::DH_HIGH,
            low: d::DH_LOW,
            up_periods: d::DH_UP_PERIODS,
            down_periods: d::DH_DOWN_PERIODS,
            min_shards: n,
            max_shards: max,
        }),
        SizePolicy::AsWritten | SizePolicy::Fixed => None,
    })?;
    match &mut a {
        AutoscalingPolicy::TargetTracking { min_shards, max_shards, .. }
        | AutoscalingPolicy::ThresholdStep { min_shards, max_shards, .. }
        | AutoscalingPolicy::DoubleHalve { min_shards, max_shards, .. } => {
            *min_shards = n;
            *max_shards = (*max_shards).max(n);
        }
    }
    Some(a)
}

/// The scenario of one point and seed: the shard count, mode and policy changed, everything
/// else kept. `as-written` keeps the scenario's schedule and autoscaling (the count is where the
/// stream starts); `fixed` drops both; an autoscaling policy replaces them (see [`policy_at`]);
/// an on-demand stream scales itself, so both are dropped.
pub fn point_scenario(sc: &Scenario, p: Point, seed: u64) -> Scenario {
    let mut s = sc.clone();
    s.seed = seed;
    s.size = None;
    s.stream.mode = p.mode;
    s.stream.shards = p.shards;
    match (p.mode, p.policy) {
        (CapacityMode::Provisioned, None | Some(SizePolicy::AsWritten)) => {}
        (CapacityMode::Provisioned, Some(kind)) => {
            s.capacity.schedule.clear();
            s.capacity.autoscaling = policy_at(sc, kind, p.shards);
        }
        (CapacityMode::OnDemand, _) => {
            s.capacity.schedule.clear();
            s.capacity.autoscaling = None;
        }
    }
    s
}

/// Seeds of every point: the scenario's seed, seed + 1, ...
pub fn seeds(sc: &Scenario, settings: &SizeSettings) -> Vec<u64> {
    (0..u64::from(settings.seeds)).map(|i| sc.seed.wrapping_add(i)).collect()
}

/// Most runs the search can make (for a progress bar): the grid, or bisection's probes.
pub fn planned_runs(sc: &Scenario, settings: &SizeSettings) -> usize {
    let sweeps = if sc.engine.bounds == Bounds::Both { 2 } else { 1 };
    sweeps * planned_runs_one(sc, settings)
}

fn planned_runs_one(sc: &Scenario, settings: &SizeSettings) -> usize {
    let (prov, od) = axes(sc, settings);
    let points: usize = prov
        .iter()
        .map(|series| match settings.search {
            SizeSearch::Grid => series.len(),
            SizeSearch::Bisect => bisect_probes_max(series.len()),
        })
        .sum();
    (points + usize::from(od.is_some())) * settings.seeds as usize
}

/// Most probes bisection makes over `n` ordered candidates: both ends, then halving.
pub fn bisect_probes_max(n: usize) -> usize {
    match n {
        0..=2 => n,
        _ => 2 + (usize::BITS - (n - 2).leading_zeros()) as usize,
    }
}

fn summarise(r: &Outcome, slo: &Slo) -> SeedRun {
    let t = &r.totals;
    let throttle_rate = t.throttle_rate();
    let dropped = t.records_dropped();
    let p99 = r.latency.overall.p99;
    // The worst consumer; a consumer that never read counts as infinitely late.
    let age = (!r.consumers.is_empty()).then(|| {
        r.consumers
            .iter()
            .map(|c| if c.iterator_age_ms.count == 0 { f64::INFINITY } else { c.iterator_age_ms.p99 })
            .fold(0.0, f64::max)
    });
    SeedRun {
        seed: r.seed,
        throttle_rate,
        records_dropped: dropped,
        p99_put_latency_ms: p99,
        p99_iterator_age_ms: age,
        cost_per_month_usd: r.cost.bill.per_month_usd,
        meets_slo: false,
        hottest_shard_key_share: r.shards.iter().map(|s| s.key_share).fold(0.0, f64::max),
        hottest_shard_peak_records_per_s: r
            .shards
            .iter()
            .map(|s| s.peak_offered_records_per_s)
            .max()
            .unwrap_or(0),
        shards_final: r.capacity.shards_final,
        shards_max: r.capacity.shards_max,
    }
    .judged(slo)
}

/// Run every (point, seed) in parallel; one `SeedRun` list per point, in input order.
fn run_points(
    sc: &Scenario,
    points: &[Point],
    seeds: &[u64],
    slo: &Slo,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Vec<SeedRun>>, RunFailure> {
    use rayon::prelude::*;
    let jobs: Vec<Scenario> =
        points.iter().flat_map(|&p| seeds.iter().map(move |&s| point_scenario(sc, p, s))).collect();
    // Each run is summarised as soon as it ends: a sweep holds a few numbers per run, not the
    // runs' time series.
    let runs: Vec<SeedRun> = jobs
        .par_iter()
        .map(|s| {
            let r = summarise(&experiment::try_run(s)?, slo);
            progress();
            Ok(r)
        })
        .collect::<Result<_, RunFailure>>()?;
    Ok(runs.chunks(seeds.len().max(1)).map(<[SeedRun]>::to_vec).collect())
}

fn point_result(point: Point, runs: Vec<SeedRun>, slo: &Slo, rule: SloRule) -> PointResult {
    let col = |f: &dyn Fn(&SeedRun) -> f64| estimate(&runs.iter().map(f).collect::<Vec<_>>());
    let seeds_meeting_slo = runs.iter().filter(|r| r.meets_slo).count();
    let ages: Option<Vec<f64>> = runs.iter().map(|r| r.p99_iterator_age_ms).collect();
    let ages = ages.filter(|a| !a.is_empty());
    let every_seed = !runs.is_empty() && seeds_meeting_slo == runs.len();
    let (meets_slo, upper_bounds) = match rule {
        SloRule::EverySeed => (every_seed, None),
        SloRule::Confidence(c) => {
            let ub = |on: bool, v: Vec<f64>| on.then(|| stats::upper_bound(&v, c));
            let u = UpperBounds {
                throttle_rate: ub(
                    slo.max_throttle_rate.is_some(),
                    runs.iter().map(|r| r.throttle_rate).collect(),
                ),
                records_dropped: ub(
                    slo.max_dropped.is_some(),
                    runs.iter().map(|r| r.records_dropped as f64).collect(),
                ),
                p99_put_latency_ms: ub(
                    slo.max_p99_put_latency_ms.is_some(),
                    runs.iter().map(|r| r.p99_put_latency_ms).collect(),
                ),
                p99_iterator_age_ms: slo
                    .max_p99_iterator_age_ms
                    .map(|_| ages.as_ref().map_or(f64::INFINITY, |a| stats::upper_bound(a, c))),
            };
            let within = |bound: Option<f64>, upper: Option<f64>| match (bound, upper) {
                (Some(b), Some(u)) => u <= b,
                _ => true,
            };
            let ok = !runs.is_empty()
                && within(slo.max_throttle_rate, u.throttle_rate)
                && within(slo.max_dropped.map(|d| d as f64), u.records_dropped)
                && within(slo.max_p99_put_latency_ms, u.p99_put_latency_ms)
                && within(slo.max_p99_iterator_age_ms, u.p99_iterator_age_ms);
            (ok, Some(u))
        }
    };
    PointResult {
        point,
        label: point.label(),
        throttle_rate: col(&|r| r.throttle_rate),
        records_dropped: col(&|r| r.records_dropped as f64),
        p99_put_latency_ms: col(&|r| r.p99_put_latency_ms),
        p99_iterator_age_ms: ages.map(|a| estimate(&a)),
        cost_per_month_usd: col(&|r| r.cost_per_month_usd),
        meets_slo,
        seeds_meeting_slo,
        upper_bounds,
        runs,
    }
}

/// Size `sc` with `settings`; `progress` is called once per finished run (from any thread).
/// With both write-limit bounds (`engine.bounds`), the sweep runs under each (side by side) and
/// recommends under `size.bound`, the other's recommendation beside it. Fails as
/// [`experiment::try_run`] does when a run reaches its event cap.
pub fn size(
    sc: &Scenario,
    settings: &SizeSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<Sizing, RunFailure> {
    Ok(match sc.engine.bounds {
        Bounds::One(b) => size_under(sc, settings, b, progress)?,
        Bounds::Both => {
            let other = match settings.bound {
                Bound::Strict => Bound::Lenient,
                Bound::Lenient => Bound::Strict,
            };
            let (main, alt) = rayon::join(
                || size_under(sc, settings, settings.bound, progress),
                || size_under(sc, settings, other, progress),
            );
            let (mut main, alt) = (main?, alt?);
            let pick = |s: &Sizing| s.recommendation.map(|i| s.points[i].clone());
            let (mine, theirs) = (pick(&main), pick(&alt));
            main.other_bound = Some(OtherBound {
                bound: other.name(),
                recommended: theirs.as_ref().map(|p| p.label.clone()),
                shards: theirs.as_ref().map(|p| p.point.shards),
                cost_per_month_usd: theirs.as_ref().map(|p| p.cost_per_month_usd.mean),
                saving_per_month_usd: match (&mine, &theirs) {
                    (Some(a), Some(b)) => Some(a.cost_per_month_usd.mean - b.cost_per_month_usd.mean),
                    _ => None,
                },
                runs: alt.runs,
            });
            main
        }
    })
}

/// [`size`] under one bound.
fn size_under(
    sc: &Scenario,
    settings: &SizeSettings,
    bound: Bound,
    progress: &(dyn Fn() + Sync),
) -> Result<Sizing, RunFailure> {
    let sc = &under(sc, bound);
    let seeds = seeds(sc, settings);
    let mut sizing = sweep(sc, settings, &seeds, progress)?;
    sizing.bound = bound.name();
    Ok(sizing)
}

fn sweep(
    sc: &Scenario,
    settings: &SizeSettings,
    seeds: &[u64],
    progress: &(dyn Fn() + Sync),
) -> Result<Sizing, RunFailure> {
    let seeds = seeds.to_vec();
    let (slo, rule) = (&settings.slo, settings.rule);
    let result = |p: Point, runs: Vec<SeedRun>| point_result(p, runs, slo, rule);
    let evaluated = match settings.search {
        SizeSearch::Grid => {
            let points = grid_points(sc, settings);
            let runs = run_points(sc, &points, &seeds, slo, progress)?;
            points.iter().zip(runs).map(|(p, r)| result(*p, r)).collect()
        }
        SizeSearch::Bisect => {
            let (series, od) = axes(sc, settings);
            // First batch, in parallel: both ends of every policy's shard axis and the on-demand
            // point.
            let mut first: Vec<Point> = Vec::new();
            for axis in &series {
                first.extend(axis.first());
                if axis.len() > 1 {
                    first.push(axis[axis.len() - 1]);
                }
            }
            first.extend(od);
            let mut batch = first.iter().copied().zip(run_points(sc, &first, &seeds, slo, progress)?);
            let mut probed: Vec<Vec<(usize, PointResult)>> = Vec::new();
            for axis in &series {
                let mut mine = Vec::new();
                for i in [0, axis.len().saturating_sub(1)].into_iter().take(axis.len().min(2)) {
                    let (p, runs) = batch.next().expect("one result per probe");
                    mine.push((i, result(p, runs)));
                }
                probed.push(mine);
            }
            let od_result = od.map(|_| {
                let (p, runs) = batch.next().expect("one result per probe");
                result(p, runs)
            });
            // Then each policy's axis by halving. Invariant: `lo` fails and `hi` meets the
            // SLO; the answer is in (lo, hi].
            let ok = |probed: &[(usize, PointResult)], i: usize| {
                probed.iter().find(|(j, _)| *j == i).is_some_and(|(_, r)| r.meets_slo)
            };
            for (axis, probed) in series.iter().zip(probed.iter_mut()) {
                if axis.len() > 1 && !ok(probed, 0) && ok(probed, axis.len() - 1) {
                    let (mut lo, mut hi) = (0, axis.len() - 1);
                    while hi - lo > 1 {
                        let mid = lo + (hi - lo) / 2;
                        let runs =
                            run_points(sc, &[axis[mid]], &seeds, slo, progress)?.pop().unwrap_or_default();
                        let r = result(axis[mid], runs);
                        let meets = r.meets_slo;
                        probed.push((mid, r));
                        if meets {
                            hi = mid;
                        } else {
                            lo = mid;
                        }
                    }
                }
                probed.sort_by_key(|(i, _)| *i);
            }
            let mut evaluated: Vec<PointResult> =
                probed.into_iter().flat_map(|l| l.into_iter().map(|(_, r)| r)).collect();
            place_on_demand(&mut evaluated, od_result, settings);
            evaluated
        }
    };
    Ok(finish(sc, settings, evaluated))
}

/// The grid's points with their runs (in [`grid_points`] order) -> the sizing.
fn finish(sc: &Scenario, settings: &SizeSettings, evaluated: Vec<PointResult>) -> Sizing {
    let seeds = seeds(sc, settings);
    let slo = &settings.slo;
    let recommendation = recommend(&evaluated);
    let textbook = experiment::textbook(sc);
    let reasons = reasons::explain(sc, &evaluated, recommendation, &textbook);
    Sizing {
        scenario: sc.name.clone(),
        duration_s: crate::units::to_secs_f64(sc.duration),
        runs: evaluated.iter().map(|p| p.runs.len()).sum(),
        seeds,
        search: match settings.search {
            SizeSearch::Grid => "grid",
            SizeSearch::Bisect => "bisect",
        },
        slo: slo.into(),
        rule: settings.rule.into(),
        policies: if settings.modes.contains(&CapacityMode::Provisioned) {
            settings.policies.iter().map(|p| p.name()).collect()
        } else {
            Vec::new()
        },
        points: evaluated,
        recommendation,
        textbook,
        reasons,
        warnings: experiment::warnings(sc),
        bound: settings.bound.name(),
        other_bound: None,
    }
}

/// The cheapest point meeting the SLO under the rule (mean monthly cost; ties: fewer shards,
/// then input order).
pub fn recommend(points: &[PointResult]) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.meets_slo)
        .min_by(|(i, a), (j, b)| {
            a.cost_per_month_usd
                .mean
                .total_cmp(&b.cost_per_month_usd.mean)
                .then(a.point.shards.cmp(&b.point.shards))
                .then(i.cmp(j))
        })
        .map(|(i, _)| i)
}
