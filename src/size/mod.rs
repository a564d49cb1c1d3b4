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

use crate::experiment;
use crate::metrics::{RunResult, Textbook};
use crate::scenario::{CapacityMode, Scenario, SizeSearch, SizeSettings, Slo};
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
}

fn mode_name<S: serde::Serializer>(m: &CapacityMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(mode_str(*m))
}

/// `provisioned` or `on-demand`.
pub fn mode_str(m: CapacityMode) -> &'static str {
    match m {
        CapacityMode::Provisioned => "provisioned",
        CapacityMode::OnDemand => "on-demand",
    }
}

impl Point {
    /// `provisioned, 8 shards` or `on-demand`.
    pub fn label(&self) -> String {
        match self.mode {
            CapacityMode::Provisioned => {
                format!("provisioned, {} shard{}", self.shards, if self.shards == 1 { "" } else { "s" })
            }
            CapacityMode::OnDemand => "on-demand".to_string(),
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
    /// Monthly projection of the run's bill [USD].
    pub cost_per_month_usd: f64,
    pub meets_slo: bool,
    /// Largest `key_share` of any shard (share of traffic whose keys hash there, 0..1).
    pub hottest_shard_key_share: f64,
    /// Highest offered load of any shard in any one second [records/s].
    pub hottest_shard_peak_records_per_s: u64,
    /// Shards open at the end of the run.
    pub shards_final: u32,
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
    pub cost_per_month_usd: Estimate,
    /// Met in every seed.
    pub meets_slo: bool,
    pub seeds_meeting_slo: usize,
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
    /// Evaluated points in input order (provisioned shard counts ascending, then on-demand, in
    /// the order of `size.modes`); with bisection only the probed shard counts.
    pub points: Vec<PointResult>,
    /// Index into `points` of the cheapest point meeting the SLO in every seed.
    pub recommendation: Option<usize>,
    #[serde(serialize_with = "textbook_json")]
    pub textbook: Textbook,
    /// Why the recommendation and the formula differ (or why nothing meets the SLO).
    pub reasons: Vec<Reason>,
    pub runs: usize,
}

/// The SLO as written into `sizing.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloView {
    pub max_throttle_rate: Option<f64>,
    pub max_dropped: Option<u64>,
    pub max_p99_put_latency_ms: Option<f64>,
}

impl From<&Slo> for SloView {
    fn from(s: &Slo) -> Self {
        SloView {
            max_throttle_rate: s.max_throttle_rate,
            max_dropped: s.max_dropped,
            max_p99_put_latency_ms: s.max_p99_put_latency_ms,
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

/// Does one run meet the SLO?
pub fn meets(slo: &Slo, throttle_rate: f64, dropped: u64, p99_ms: f64) -> bool {
    slo.max_throttle_rate.is_none_or(|m| throttle_rate <= m)
        && slo.max_dropped.is_none_or(|m| dropped <= m)
        && slo.max_p99_put_latency_ms.is_none_or(|m| p99_ms <= m)
}

/// The provisioned shard counts (ascending) and the on-demand point, if asked for.
fn axes(sc: &Scenario, settings: &SizeSettings) -> (Vec<Point>, Option<Point>) {
    let prov = if settings.modes.contains(&CapacityMode::Provisioned) {
        settings.shards.iter().map(|&n| Point { mode: CapacityMode::Provisioned, shards: n }).collect()
    } else {
        Vec::new()
    };
    let od = settings.modes.contains(&CapacityMode::OnDemand).then(|| {
        let o = &sc.capacity.on_demand;
        let warm = o.warm_throughput.div_ceil(crate::scenario::defaults::SHARD_WRITE_BYTES_PER_S) as u32;
        Point { mode: CapacityMode::OnDemand, shards: o.initial_shards.max(warm) }
    });
    (prov, od)
}

/// Every point of the full grid, in input order.
pub fn grid_points(sc: &Scenario, settings: &SizeSettings) -> Vec<Point> {
    let (mut prov, od) = axes(sc, settings);
    let od_first = settings.modes.first() == Some(&CapacityMode::OnDemand);
    match od {
        Some(p) if od_first => prov.insert(0, p),
        Some(p) => prov.push(p),
        None => {}
    }
    prov
}

/// The scenario of one point and seed: the shard count and mode changed, everything else kept
/// (a provisioned point keeps its schedule and autoscaling policy; an on-demand stream scales
/// itself, so those are dropped).
pub fn point_scenario(sc: &Scenario, p: Point, seed: u64) -> Scenario {
    let mut s = sc.clone();
    s.seed = seed;
    s.size = None;
    s.stream.mode = p.mode;
    s.stream.shards = p.shards;
    if p.mode == CapacityMode::OnDemand {
        s.capacity.schedule.clear();
        s.capacity.autoscaling = None;
    }
    s
}

/// Seeds of every point: the scenario's seed, seed + 1, ...
pub fn seeds(sc: &Scenario, settings: &SizeSettings) -> Vec<u64> {
    (0..u64::from(settings.seeds)).map(|i| sc.seed.wrapping_add(i)).collect()
}

/// Most runs the search can make (for a progress bar): the grid, or bisection's probes.
pub fn planned_runs(sc: &Scenario, settings: &SizeSettings) -> usize {
    let (prov, od) = axes(sc, settings);
    let points = match settings.search {
        SizeSearch::Grid => prov.len(),
        SizeSearch::Bisect => bisect_probes_max(prov.len()),
    };
    (points + usize::from(od.is_some())) * settings.seeds as usize
}

/// Most probes bisection makes over `n` ordered candidates: both ends, then halving.
pub fn bisect_probes_max(n: usize) -> usize {
    match n {
        0..=2 => n,
        _ => 2 + (usize::BITS - (n - 2).leading_zeros()) as usize,
    }
}

fn summarise(r: &RunResult, slo: &Slo) -> SeedRun {
    let t = &r.totals;
    let throttle_rate = t.throttle_rate();
    let dropped = t.records_dropped();
    let p99 = r.latency.overall.p99;
    SeedRun {
        seed: r.seed,
        throttle_rate,
        records_dropped: dropped,
        p99_put_latency_ms: p99,
        cost_per_month_usd: r.cost.as_ref().map_or(0.0, |c| c.bill.per_month_usd),
        meets_slo: meets(slo, throttle_rate, dropped, p99),
        hottest_shard_key_share: r.shards.iter().map(|s| s.key_share).fold(0.0, f64::max),
        hottest_shard_peak_records_per_s: r
            .shards
            .iter()
            .map(|s| s.peak_offered_records_per_s)
            .max()
            .unwrap_or(0),
        shards_final: r.capacity.shards_final,
    }
}

/// Run every (point, seed) in parallel; one `SeedRun` list per point, in input order.
fn run_points(
    sc: &Scenario,
    points: &[Point],
    seeds: &[u64],
    slo: &Slo,
    progress: &(dyn Fn() + Sync),
) -> Vec<Vec<SeedRun>> {
    use rayon::prelude::*;
    let jobs: Vec<Scenario> =
        points.iter().flat_map(|&p| seeds.iter().map(move |&s| point_scenario(sc, p, s))).collect();
    // Each run is summarised as soon as it ends: a sweep holds a few numbers per run, not the
    // runs' time series.
    let runs: Vec<SeedRun> = jobs
        .par_iter()
        .map(|s| {
            let r = summarise(&experiment::run(s), slo);
            progress();
            r
        })
        .collect();
    runs.chunks(seeds.len().max(1)).map(<[SeedRun]>::to_vec).collect()
}

fn point_result(point: Point, runs: Vec<SeedRun>) -> PointResult {
    let col = |f: &dyn Fn(&SeedRun) -> f64| estimate(&runs.iter().map(f).collect::<Vec<_>>());
    let seeds_meeting_slo = runs.iter().filter(|r| r.meets_slo).count();
    PointResult {
        point,
        label: point.label(),
        throttle_rate: col(&|r| r.throttle_rate),
        records_dropped: col(&|r| r.records_dropped as f64),
        p99_put_latency_ms: col(&|r| r.p99_put_latency_ms),
        cost_per_month_usd: col(&|r| r.cost_per_month_usd),
        meets_slo: !runs.is_empty() && seeds_meeting_slo == runs.len(),
        seeds_meeting_slo,
        runs,
    }
}

/// Size `sc` with `settings`; `progress` is called once per finished run (from any thread).
pub fn size(sc: &Scenario, settings: &SizeSettings, progress: &(dyn Fn() + Sync)) -> Sizing {
    let seeds = seeds(sc, settings);
    let slo = &settings.slo;
    let (prov, od) = axes(sc, settings);
    let od_first = settings.modes.first() == Some(&CapacityMode::OnDemand);
    let mut evaluated: Vec<PointResult> = Vec::new();
    let mut od_result = None;
    match settings.search {
        SizeSearch::Grid => {
            let points = grid_points(sc, settings);
            for (p, runs) in points.iter().zip(run_points(sc, &points, &seeds, slo, progress)) {
                evaluated.push(point_result(*p, runs));
            }
            if let Some(i) = evaluated.iter().position(|p| p.point.mode == CapacityMode::OnDemand) {
                od_result = Some(evaluated.remove(i));
            }
        }
        SizeSearch::Bisect => {
            // First batch: both ends of the shard axis and the on-demand point, in parallel.
            let mut first: Vec<Point> = Vec::new();
            if let Some(p) = prov.first() {
                first.push(*p);
            }
            if prov.len() > 1 {
                first.push(prov[prov.len() - 1]);
            }
            first.extend(od);
            let mut batch = run_points(sc, &first, &seeds, slo, progress).into_iter();
            let mut probed: Vec<(usize, PointResult)> = Vec::new();
            if !prov.is_empty() {
                probed.push((0, point_result(prov[0], batch.next().unwrap_or_default())));
            }
            if prov.len() > 1 {
                probed.push((
                    prov.len() - 1,
                    point_result(prov[prov.len() - 1], batch.next().unwrap_or_default()),
                ));
            }
            if let Some(p) = od {
                od_result = Some(point_result(p, batch.next().unwrap_or_default()));
            }
            let ok = |probed: &[(usize, PointResult)], i: usize| {
                probed.iter().find(|(j, _)| *j == i).is_some_and(|(_, r)| r.meets_slo)
            };
            // Invariant: `lo` fails and `hi` meets the SLO; the answer is in (lo, hi].
            if prov.len() > 1 && !ok(&probed, 0) && ok(&probed, prov.len() - 1) {
                let (mut lo, mut hi) = (0, prov.len() - 1);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    let runs = run_points(sc, &[prov[mid]], &seeds, slo, progress).pop().unwrap_or_default();
                    let r = point_result(prov[mid], runs);
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
            evaluated = probed.into_iter().map(|(_, r)| r).collect();
        }
    }
    match od_result {
        Some(r) if od_first => evaluated.insert(0, r),
        Some(r) => evaluated.push(r),
        None => {}
    }
    finish(sc, settings, evaluated)
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
        points: evaluated,
        recommendation,
        textbook,
        reasons,
    }
}

/// The cheapest point meeting the SLO in every seed (mean monthly cost; ties: fewer shards,
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
