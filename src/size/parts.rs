//! A grid sweep split into parts that run anywhere (`kinesim size --part i/n`, e.g. one task
//! of a Slurm or Kubernetes job array each) and merged into the report one run would write
//! (`kinesim size-merge`), byte for byte.
//!
//! The jobs are the grid's (point, seed) pairs in input order; part `i` of `n` runs jobs `j`
//! with `j % n == i - 1` (round-robin, so parts are balanced whatever the point costs). A part
//! file carries a fingerprint of the scenario, so parts of different scenarios, versions or
//! splits are refused, and every float as its bit pattern, so the merge sees exactly the
//! numbers the part computed.

use super::{finish, grid_points, point_result, run_points, seeds, Point, SeedRun, Sizing};
use crate::scenario::{CapacityMode, Scenario, SizeSearch, SizeSettings};
use serde::{Deserialize, Serialize};

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Part {
    type Err = String;
    /// `i/n` with 1 <= i <= n.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--part {s:?}: expected i/n with 1 <= i <= n, like 2/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) =
            (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Part { index, count })
    }
}

/// A part's results: what `size-merge` reads.
#[derive(Debug, Serialize, Deserialize)]
struct PartFile {
    kinesim_version: String,
    scenario: String,
    /// FNV-1a of the validated scenario and its `[size]` settings.
    fingerprint: String,
    part: u32,
    parts: u32,
    jobs_total: usize,
    runs: Vec<PartRun>,
}

/// One (point, seed) run; floats as `f64::to_bits` so they survive the file exactly.
#[derive(Debug, Serialize, Deserialize)]
struct PartRun {
    job: usize,
    mode: String,
    shards: u32,
    /// The provisioned point's policy (`None` for on-demand).
    policy: Option<String>,
    seed: u64,
    throttle_rate_bits: u64,
    records_dropped: u64,
    p99_put_latency_ms_bits: u64,
    p99_iterator_age_ms_bits: Option<u64>,
    cost_per_month_usd_bits: u64,
    meets_slo: bool,
    hottest_shard_key_share_bits: u64,
    hottest_shard_peak_records_per_s: u64,
    shards_final: u32,
    shards_max: u32,
}

/// Every (point, seed) job of the grid, in input order.
fn jobs(sc: &Scenario, settings: &SizeSettings) -> Vec<(Point, u64)> {
    let seeds = seeds(sc, settings);
    grid_points(sc, settings).into_iter().flat_map(|p| seeds.iter().map(move |&s| (p, s))).collect()
}

fn fingerprint(sc: &Scenario, settings: &SizeSettings) -> String {
    let mut s = sc.clone();
    s.source = None;
    s.size = None;
    let text = format!("{}\n{s:?}\n{settings:?}", crate::VERSION);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn check_grid(settings: &SizeSettings) -> Result<(), String> {
    if settings.search == SizeSearch::Bisect {
        return Err("--part splits a grid sweep; bisection probes one point after another (set size.search = \"grid\")".into());
    }
    Ok(())
}

/// Runs (at most) planned by part `part`.
pub fn planned_runs(sc: &Scenario, settings: &SizeSettings, part: Part) -> usize {
    (0..jobs(sc, settings).len()).filter(|j| j % part.count as usize == (part.index - 1) as usize).count()
}

/// Run part `part` of the grid; the part file's bytes.
pub fn run_part(
    sc: &Scenario,
    settings: &SizeSettings,
    part: Part,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<u8>, String> {
    check_grid(settings)?;
    let all = jobs(sc, settings);
    let mine: Vec<(usize, (Point, u64))> = all
        .iter()
        .copied()
        .enumerate()
        .filter(|(j, _)| j % part.count as usize == (part.index - 1) as usize)
        .collect();
    // Each job is a one-point, one-seed run; they still run in parallel.
    let runs: Vec<SeedRun> = {
        use rayon::prelude::*;
        mine.par_iter()
            .map(|(_, (p, seed))| {
                run_points(sc, &[*p], &[*seed], &settings.slo, progress).remove(0).remove(0)
            })
            .collect()
    };
    let file = PartFile {
        kinesim_version: crate::VERSION.to_string(),
        scenario: sc.name.clone(),
        fingerprint: fingerprint(sc, settings),
        part: part.index,
        parts: part.count,
        jobs_total: all.len(),
        runs: mine
            .iter()
            .zip(runs)
            .map(|((job, (p, _)), r)| PartRun {
                job: *job,
                mode: super::mode_str(p.mode).to_string(),
                shards: p.shards,
                policy: p.policy.map(|x| x.name().to_string()),
                seed: r.seed,
                throttle_rate_bits: r.throttle_rate.to_bits(),
                records_dropped: r.records_dropped,
                p99_put_latency_ms_bits: r.p99_put_latency_ms.to_bits(),
                p99_iterator_age_ms_bits: r.p99_iterator_age_ms.map(f64::to_bits),
                cost_per_month_usd_bits: r.cost_per_month_usd.to_bits(),
                meets_slo: r.meets_slo,
                hottest_shard_key_share_bits: r.hottest_shard_key_share.to_bits(),
                hottest_shard_peak_records_per_s: r.hottest_shard_peak_records_per_s,
                shards_final: r.shards_final,
                shards_max: r.shards_max,
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&file).expect("a part serialises");
    out.push(b'\n');
    Ok(out)
}

/// Merge part files (any order) into the sizing one `kinesim size` run would produce.
pub fn merge(sc: &Scenario, settings: &SizeSettings, parts: &[(String, Vec<u8>)]) -> Result<Sizing, String> {
    check_grid(settings)?;
    let all = jobs(sc, settings);
    let want = fingerprint(sc, settings);
    let mut slots: Vec<Option<SeedRun>> = vec![None; all.len()];
    let mut seen: Vec<u32> = Vec::new();
    let mut count = None;
    for (name, bytes) in parts {
        let f: PartFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("{name}: not a kinesim size part file: {e}"))?;
        if f.fingerprint != want || f.jobs_total != all.len() {
            return Err(format!(
                "{name}: made from a different scenario, [size] table or kinesim version than {} (run every part from the same file with the same kinesim)",
                sc.name
            ));
        }
        if *count.get_or_insert(f.parts) != f.parts {
            return Err(format!(
                "{name}: part {} of {}, but other parts are of {}",
                f.part,
                f.parts,
                count.unwrap_or(0)
            ));
        }
        if seen.contains(&f.part) {
            return Err(format!("{name}: part {}/{} given twice", f.part, f.parts));
        }
        seen.push(f.part);
        for r in f.runs {
            let (p, seed) = *all.get(r.job).ok_or_else(|| format!("{name}: job {} out of range", r.job))?;
            let mode_ok = super::mode_str(p.mode) == r.mode
                && p.policy.map(|x| x.name()) == r.policy.as_deref()
                && (p.mode == CapacityMode::OnDemand || p.shards == r.shards);
            if !mode_ok || seed != r.seed || r.job % f.parts as usize != (f.part - 1) as usize {
                return Err(format!("{name}: job {} does not match the scenario's grid", r.job));
            }
            slots[r.job] = Some(SeedRun {
                seed: r.seed,
                throttle_rate: f64::from_bits(r.throttle_rate_bits),
                records_dropped: r.records_dropped,
                p99_put_latency_ms: f64::from_bits(r.p99_put_latency_ms_bits),
                p99_iterator_age_ms: r.p99_iterator_age_ms_bits.map(f64::from_bits),
                cost_per_month_usd: f64::from_bits(r.cost_per_month_usd_bits),
                meets_slo: r.meets_slo,
                hottest_shard_key_share: f64::from_bits(r.hottest_shard_key_share_bits),
                hottest_shard_peak_records_per_s: r.hottest_shard_peak_records_per_s,
                shards_final: r.shards_final,
                shards_max: r.shards_max,
            });
        }
    }
    let n = count.unwrap_or(0);
    let missing: Vec<String> = (1..=n).filter(|i| !seen.contains(i)).map(|i| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        return Err(format!("missing part(s) {}", missing.join(", ")));
    }
    let runs: Vec<SeedRun> = slots
        .into_iter()
        .enumerate()
        .map(|(j, r)| r.ok_or_else(|| format!("job {j} is in no part")))
        .collect::<Result<_, _>>()?;
    let per = settings.seeds.max(1) as usize;
    let points = grid_points(sc, settings);
    let evaluated = points
        .iter()
        .zip(runs.chunks(per))
        .map(|(p, r)| point_result(*p, r.to_vec(), &settings.slo, settings.rule))
        .collect();
    Ok(finish(sc, settings, evaluated))
}
