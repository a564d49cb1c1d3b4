//! A grid sweep split into parts that run anywhere (`kinesim size --part i/n`, e.g. one task
//! of a Slurm or Kubernetes job array each) and merged into the report one run would write
//! (`kinesim size-merge`), byte for byte.
//!
//! The jobs are the grid's (point, seed) pairs in input order; part `i` of `n` runs jobs `j`
//! with `j % n == i - 1` (round-robin, so parts are balanced whatever the point costs). A part
//! file carries its kinesim version and a fingerprint of the scenario, so parts of different
//! scenarios, versions or splits are refused, and every float as its bit pattern, so the merge sees exactly the
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

/// What `--part` says: `I/N`, or `auto/N` (the index from a job array's environment variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartSpec {
    /// `None` for `auto`.
    pub index: Option<u32>,
    pub count: u32,
}

impl std::str::FromStr for PartSpec {
    type Err = String;
    /// `i/n` or `auto/n`, n >= 1 (the range of `i` depends on `--part-base`).
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("--part {s:?}: expected I/N (like 2/8) or auto/N (the index from a job array's variable)")
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        let index = match i.trim() {
            "auto" => None,
            i => Some(i.parse().map_err(|_| bad())?),
        };
        Ok(PartSpec { index, count })
    }
}

/// The job-array variables `auto/N` reads, in this order, and how each counts: Slurm's task id
/// counts from `SLURM_ARRAY_TASK_MIN` (whatever `--array=` started at); a Kubernetes indexed
/// Job's `JOB_COMPLETION_INDEX` and AWS Batch's `AWS_BATCH_JOB_ARRAY_INDEX` count from 0.
pub const ARRAY_VARIABLES: [&str; 3] =
    ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

impl PartSpec {
    /// The part this task runs. `base` is the first index (`--part-base`, 1 or 0) of an explicit
    /// `I/N`; `auto` reads [`ARRAY_VARIABLES`] through `env`.
    pub fn resolve(self, base: u32, env: impl Fn(&str) -> Option<String>) -> Result<Part, String> {
        let n = self.count;
        let index0 = match self.index {
            Some(i) => {
                if i < base || i - base >= n {
                    return Err(format!(
                        "--part {i}/{n}: with --part-base {base} the index runs from {base} to {}",
                        n - 1 + base
                    ));
                }
                i - base
            }
            None => {
                let read = |name: &str| -> Result<Option<u64>, String> {
                    match env(name) {
                        None => Ok(None),
                        Some(v) => v
                            .trim()
                            .parse()
                            .map(Some)
                            .map_err(|_| format!("{name}={v:?} is not a whole number")),
                    }
                };
                let (name, i0) = if let Some(id) = read("SLURM_ARRAY_TASK_ID")? {
                    let min = read("SLURM_ARRAY_TASK_MIN")?.unwrap_or(1);
                    let i0 = id.checked_sub(min).ok_or_else(|| {
                        format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
                    })?;
                    ("SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN", i0)
                } else if let Some(i) = read("JOB_COMPLETION_INDEX")? {
                    ("JOB_COMPLETION_INDEX", i)
                } else if let Some(i) = read("AWS_BATCH_JOB_ARRAY_INDEX")? {
                    ("AWS_BATCH_JOB_ARRAY_INDEX", i)
                } else {
                    return Err(format!(
                        "--part auto/{n}: none of {} is set (give the part as I/N instead)",
                        ARRAY_VARIABLES.join(", ")
                    ));
                };
                if i0 >= u64::from(n) {
                    return Err(format!(
                        "--part auto/{n}: {name} = {i0} counts from 0, so an array of {n} tasks runs 0 to {}",
                        n - 1
                    ));
                }
                i0 as u32
            }
        };
        Ok(Part { index: index0 + 1, count: n })
    }
}

/// A part's results: what `size-merge` reads.
#[derive(Debug, Serialize, Deserialize)]
struct PartFile {
    kinesim_version: String,
    scenario: String,
    /// SHA-256 of the canonical form of the validated scenario and its `[size]` settings
    /// ([`fingerprint`]).
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
    /// Written for people reading the file; never read back: `size-merge` judges every run
    /// again from its figures and the scenario's SLO ([`SeedRun::judged`]).
    #[serde(default, skip_deserializing)]
    meets_slo: bool,
    hottest_shard_key_share_bits: u64,
    hottest_shard_peak_records_per_s: u64,
    shards_final: u32,
    shards_max: u32,
}

impl PartRun {
    /// The run as measured, after checking that every figure is one a run can produce; the
    /// verdict is recomputed, not read. `Err` names the bad field.
    fn to_seed_run(&self, has_consumers: bool, slo: &crate::scenario::Slo) -> Result<SeedRun, String> {
        let job = self.job;
        let bad = |field: &str, why: &str, v: f64| format!("job {job}: {field} = {v} {why}");
        let float = |field: &str, bits: u64, lo: f64, hi: f64| -> Result<f64, String> {
            let v = f64::from_bits(bits);
            if !v.is_finite() {
                Err(bad(field, "is not a finite number", v))
            } else if !(lo..=hi).contains(&v) {
                Err(bad(field, &format!("is outside {lo}..={hi}"), v))
            } else {
                Ok(v)
            }
        };
        let throttle_rate = float("throttle_rate_bits", self.throttle_rate_bits, 0.0, 1.0)?;
        let p99_put_latency_ms =
            float("p99_put_latency_ms_bits", self.p99_put_latency_ms_bits, 0.0, f64::MAX)?;
        let cost_per_month_usd =
            float("cost_per_month_usd_bits", self.cost_per_month_usd_bits, 0.0, f64::MAX)?;
        let hottest_shard_key_share =
            float("hottest_shard_key_share_bits", self.hottest_shard_key_share_bits, 0.0, 1.0)?;
        // A consumer that never read has an infinite iterator age (see `summarise`): +inf is a
        // real figure here, NaN and negatives are not.
        let p99_iterator_age_ms = match (self.p99_iterator_age_ms_bits, has_consumers) {
            (None, false) => None,
            (Some(bits), true) => {
                let v = f64::from_bits(bits);
                if v.is_nan() || v < 0.0 {
                    return Err(bad("p99_iterator_age_ms_bits", "is not an age (>= 0 or infinite)", v));
                }
                Some(v)
            }
            (None, true) => {
                return Err(format!(
                    "job {job}: p99_iterator_age_ms_bits is missing (the scenario has consumers)"
                ))
            }
            (Some(_), false) => {
                return Err(format!(
                    "job {job}: p99_iterator_age_ms_bits is set, but the scenario has no consumers"
                ))
            }
        };
        if self.shards_final == 0 || self.shards_max < self.shards_final {
            return Err(format!(
                "job {job}: shards_final = {}, shards_max = {}: expected 1 <= shards_final <= shards_max",
                self.shards_final, self.shards_max
            ));
        }
        Ok(SeedRun {
            seed: self.seed,
            throttle_rate,
            records_dropped: self.records_dropped,
            p99_put_latency_ms,
            p99_iterator_age_ms,
            cost_per_month_usd,
            meets_slo: false,
            hottest_shard_key_share,
            hottest_shard_peak_records_per_s: self.hottest_shard_peak_records_per_s,
            shards_final: self.shards_final,
            shards_max: self.shards_max,
        }
        .judged(slo))
    }
}

/// Every (point, seed) job of the grid, in input order.
fn jobs(sc: &Scenario, settings: &SizeSettings) -> Vec<(Point, u64)> {
    let seeds = seeds(sc, settings);
    grid_points(sc, settings).into_iter().flat_map(|p| seeds.iter().map(move |&s| (p, s))).collect()
}

/// The fingerprint a part file carries: SHA-256 (hex) of the canonical JSON of the validated
/// scenario (without its `source` path and `[size]` table) and the size settings in force.
///
/// Canonical so that parts run by different builds, compilers and platforms agree: the text is
/// `serde_json` of the `Serialize` form (field names, numbers in shortest round-trip form), with
/// every object's keys sorted here (whatever serde_json's map order). Rust's `Debug` text is not
/// a stable format (https://doc.rust-lang.org/std/fmt/trait.Debug.html: "Derived Debug formats
/// are not stable"), and a 64-bit hash lets two scenarios collide by chance far sooner than
/// SHA-256 (https://csrc.nist.gov/pubs/fips/180-4/upd1/final). It tells parts apart; it is no
/// signature (anyone can copy it into a file). File locations (`source`, trace paths)
/// are left out: the same scenario lies in different folders on different machines. The kinesim
/// version is checked on its own ([`merge`]), so its message can name both versions.
pub fn fingerprint(sc: &Scenario, settings: &SizeSettings) -> String {
    use sha2::{Digest, Sha256};
    let mut s = sc.clone();
    s.source = None;
    s.size = None;
    let value = serde_json::json!({ "scenario": s, "size": settings });
    let text = canonical(value).to_string();
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `v` with every object's keys in sorted order (serde_json keeps insertion order when its
/// `preserve_order` feature is on anywhere in the build).
fn canonical(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut fields: Vec<(String, Value)> = m.into_iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(fields.into_iter().map(|(k, v)| (k, canonical(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(canonical).collect()),
        v => v,
    }
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

/// Why a part could not be run.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The scenario's sweep cannot be split (bad input).
    #[error("{0}")]
    Grid(String),
    /// A run of the part stopped before its end.
    #[error(transparent)]
    Run(#[from] super::RunFailure),
}

/// Run part `part` of the grid; the part file's bytes.
pub fn run_part(
    sc: &Scenario,
    settings: &SizeSettings,
    part: Part,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<u8>, PartError> {
    check_grid(settings).map_err(PartError::Grid)?;
    // A part runs the sweep under `size.bound` alone (the merged sizing has no other bound).
    let run_sc = &super::under(sc, settings.bound);
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
                Ok(run_points(run_sc, &[*p], &[*seed], &settings.slo, progress)?.remove(0).remove(0))
            })
            .collect::<Result<_, super::RunFailure>>()?
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
                mode: p.mode.name().to_string(),
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
///
/// Nothing a part file says is believed beyond the raw figures of each run: every number is
/// checked for range before use, every verdict (a run's `meets_slo`, a point's statistics and
/// rule) is recomputed from the figures and the scenario's SLO, and a job given twice, a part
/// of another split, scenario or kinesim version is refused. Errors name the file.
pub fn merge(sc: &Scenario, settings: &SizeSettings, parts: &[(String, Vec<u8>)]) -> Result<Sizing, String> {
    check_grid(settings)?;
    let all = jobs(sc, settings);
    let want = fingerprint(sc, settings);
    let has_consumers = !sc.consumers.is_empty();
    let mut slots: Vec<Option<SeedRun>> = vec![None; all.len()];
    // (part index, file name) of every part read.
    let mut seen: Vec<(u32, &str)> = Vec::new();
    let mut count = None;
    for (name, bytes) in parts {
        let f: PartFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("{name}: not a kinesim size part file: {e}"))?;
        if f.kinesim_version != crate::VERSION {
            return Err(format!(
                "{name}: written by kinesim {:?}, but this is kinesim {}: merge parts with the kinesim version that ran them",
                f.kinesim_version,
                crate::VERSION
            ));
        }
        if f.parts == 0 || f.part == 0 || f.part > f.parts {
            return Err(format!("{name}: part {} of {}: expected 1 <= part <= parts", f.part, f.parts));
        }
        if f.fingerprint != want || f.jobs_total != all.len() {
            return Err(format!(
                "{name}: made from a different scenario or [size] table than {} (run every part from the same file with the same kinesim)",
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
        if let Some((_, first)) = seen.iter().find(|(i, _)| *i == f.part) {
            return Err(format!("{name}: part {}/{} given twice (also {first})", f.part, f.parts));
        }
        seen.push((f.part, name.as_str()));
        for r in &f.runs {
            let (p, seed) = *all.get(r.job).ok_or_else(|| {
                format!("{name}: job {} out of range (the grid has jobs 0..{})", r.job, all.len())
            })?;
            let mode_ok = p.mode.name() == r.mode
                && p.policy.map(|x| x.name()) == r.policy.as_deref()
                && (p.mode == CapacityMode::OnDemand || p.shards == r.shards);
            if !mode_ok || seed != r.seed || r.job % f.parts as usize != (f.part - 1) as usize {
                return Err(format!("{name}: job {} does not match the scenario's grid", r.job));
            }
            if slots[r.job].is_some() {
                return Err(format!("{name}: job {} listed twice", r.job));
            }
            slots[r.job] =
                Some(r.to_seed_run(has_consumers, &settings.slo).map_err(|e| format!("{name}: {e}"))?);
        }
    }
    let n = count.unwrap_or(0);
    // At most ten listed; stops early, so a forged huge `parts` costs nothing.
    let missing: Vec<String> =
        (1..=n).filter(|i| !seen.iter().any(|(j, _)| j == i)).take(10).map(|i| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        let more = if missing.len() == 10 { ", ..." } else { "" };
        return Err(format!("missing part(s) {}{more}", missing.join(", ")));
    }
    let mut runs = Vec::with_capacity(all.len());
    for (j, r) in slots.into_iter().enumerate() {
        let part = (j % n as usize) as u32 + 1;
        let file = seen.iter().find(|(i, _)| *i == part).map_or("", |(_, f)| f);
        runs.push(r.ok_or_else(|| format!("{file}: job {j} is missing (part {part}/{n} should have it)"))?);
    }
    let per = settings.seeds.max(1) as usize;
    let points = grid_points(sc, settings);
    let evaluated = points
        .iter()
        .zip(runs.chunks(per))
        .map(|(p, r)| point_result(*p, r.to_vec(), &settings.slo, settings.rule))
        .collect();
    Ok(finish(sc, settings, evaluated))
}

#[cfg(test)]
mod tests {
    use super::PartSpec;
    use std::collections::HashMap;

    fn resolve(spec: &str, base: u32, vars: &[(&str, &str)]) -> Result<(u32, u32), String> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let p = spec.parse::<PartSpec>()?.resolve(base, |k| vars.get(k).cloned())?;
        Ok((p.index, p.count))
    }

    #[test]
    fn explicit_parts_count_from_the_base() {
        assert_eq!(resolve("1/8", 1, &[]), Ok((1, 8)));
        assert_eq!(resolve("8/8", 1, &[]), Ok((8, 8)));
        assert_eq!(resolve("0/8", 0, &[]), Ok((1, 8)));
        assert_eq!(resolve("7/8", 0, &[]), Ok((8, 8)));
        assert!(resolve("0/8", 1, &[]).unwrap_err().contains("runs from 1 to 8"));
        assert!(resolve("8/8", 0, &[]).unwrap_err().contains("runs from 0 to 7"));
        assert!(resolve("3/0", 1, &[]).is_err());
        assert!(resolve("x/8", 1, &[]).is_err());
    }

    /// Slurm counts from `--array=`'s first id (SLURM_ARRAY_TASK_MIN); Kubernetes indexed Jobs
    /// (JOB_COMPLETION_INDEX) and AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX) from 0.
    #[test]
    fn auto_reads_the_job_array_variables() {
        let slurm = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1")];
        assert_eq!(resolve("auto/8", 1, &slurm), Ok((3, 8)));
        let slurm0 = [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "0")];
        assert_eq!(resolve("auto/8", 1, &slurm0), Ok((4, 8)));
        assert_eq!(resolve("auto/8", 1, &[("JOB_COMPLETION_INDEX", "0")]), Ok((1, 8)));
        assert_eq!(resolve("auto/8", 1, &[("AWS_BATCH_JOB_ARRAY_INDEX", "7")]), Ok((8, 8)));
        assert!(resolve("auto/8", 1, &[("AWS_BATCH_JOB_ARRAY_INDEX", "8")])
            .unwrap_err()
            .contains("runs 0 to 7"));
        assert!(resolve("auto/8", 1, &[]).unwrap_err().contains("none of SLURM_ARRAY_TASK_ID"));
        assert!(resolve("auto/8", 1, &[("JOB_COMPLETION_INDEX", "two")])
            .unwrap_err()
            .contains("not a whole number"));
    }
}
