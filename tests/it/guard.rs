//! The guard rail: `experiment::estimate` against measured peak memory, and refusals of runs too
//! big to start without `--force`.

use kinesim::experiment::{estimate, MAX_MEMORY_BYTES};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Peak resident set of a whole `kinesim run SCENARIO --force` (release build, `/usr/bin/time -f
/// %M`, the report folder written) [MiB], measured 2026-12-05 on the project's 2-core Linux
/// development machine (shared; 24 GiB RAM). Scenario files are in `benches/scenarios/`;
/// `cargo bench --bench memory` measures them again and prints estimate vs measured.
const MEASURED: [(&str, f64); 12] = [
    ("guard/baseline.toml", 6.5),
    ("guard/polling-consumers-500.toml", 429.4),
    ("guard/idle-20d.toml", 109.1),
    ("guard/days-consumers.toml", 104.9),
    ("guard/producers-50.toml", 25.0),
    ("guard/keys-3m.toml", 242.3),
    ("guard/shards-2000.toml", 175.9),
    ("guard/trace-200k.toml", 169.1),
    ("guard/backlog-slow-consumer.toml", 46.5),
    ("guard/per-record-efo.toml", 27.0),
    ("1000-shards-day.toml", 161.1),
    ("100-shards-month.toml", 479.1),
];

/// A benchmark scenario as the benches run it: the strict write-limit bound alone (the peaks
/// above were measured so; `engine.bounds = "both"` adds a second run's write side).
fn bench_scenario(file: &str) -> kinesim::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios").join(file);
    kinesim::experiment::strict(&kinesim::scenario::load(&path).unwrap_or_else(|e| panic!("{file}: {e}")))
}

/// The estimate is within a factor of two of every measured peak.
#[test]
fn memory_estimate_is_within_2x_of_measured_peaks() {
    let mut bad = Vec::new();
    for (file, mib) in MEASURED {
        let est = estimate(&bench_scenario(file)).memory_bytes / (1024.0 * 1024.0);
        if !(mib / 2.0 <= est && est <= 2.0 * mib) {
            bad.push(format!("{file}: estimate {est:.1} MiB, measured {mib} MiB"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The table covers what grows: at least two runs whose peak is mostly a growing term (hundreds
/// of MiB), and every file of `benches/scenarios/guard/` is in it.
#[test]
fn the_measured_table_covers_every_guard_scenario() {
    assert!(MEASURED.iter().filter(|m| m.1 > 200.0).count() >= 2);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/guard");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = format!("guard/{}", e.unwrap().file_name().to_string_lossy());
        assert!(MEASURED.iter().any(|m| m.0 == name), "{name} is not in MEASURED");
    }
}

/// Bundled scenarios, benchmark scenarios and the test fixtures meant to run are not refused.
#[test]
fn ordinary_scenarios_are_not_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["scenarios", "benches/scenarios", "benches/scenarios/guard", "tests/fixtures/good"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 40, "{}", files.len());
    for p in files {
        let Ok(mut sc) = kinesim::scenario::load(&p) else { continue };
        if p.starts_with(root.join("benches")) {
            // Benchmarks run the strict bound alone.
            sc = kinesim::experiment::strict(&sc);
        }
        let est = estimate(&sc);
        assert!(est.refusal(&sc).is_none(), "{}: {:?}", p.display(), est.refusal(&sc));
        assert!(est.memory_bytes < MAX_MEMORY_BYTES / 2.0, "{}: {est:?}", p.display());
    }
}

fn temp_dir(name: &str) -> PathBuf {
    crate::common::scratch("guard", name)
}

/// `kinesim validate` then `kinesim run` (without --force) of `toml`.
fn validate_and_run(name: &str, toml: &str) -> (Output, PathBuf) {
    let d = temp_dir(name);
    let file = d.join(format!("{name}.toml"));
    std::fs::write(&file, toml).unwrap();
    let bin = env!("CARGO_BIN_EXE_kinesim");
    let v = Command::new(bin).arg("validate").arg(&file).output().unwrap();
    assert!(v.status.success(), "{name} must be a valid scenario: {}", String::from_utf8_lossy(&v.stderr));
    let out = d.join("out");
    let o = Command::new(bin).arg("run").arg(&file).arg("--out").arg(&out).output().unwrap();
    (o, out)
}

fn producers(n: usize, rate: u32) -> String {
    (0..n)
        .map(|i| format!("[[producers]]\nname = \"p{i}\"\nrate = {rate}\nrecord_size = \"500B\"\n"))
        .collect()
}

fn consumers(n: usize) -> String {
    (0..n).map(|i| format!("[[consumers]]\nname = \"c{i}\"\nkind = \"polling\"\n")).collect()
}

/// An adversarial tester's runs that peaked at 8.7 GB, 5.1 GB and 1.9 GB were let through by the
/// guard; now each is refused without --force (exit 2, nothing written), naming the term that
/// dominates and the knob to change.
#[test]
fn memory_hungry_runs_are_refused_naming_the_dominant_term() {
    let cases = [
        (
            "consumers-10000",
            format!(
                "name = \"consumers-10000\"\nduration = \"10s\"\n[stream]\nshards = 4\n[engine]\nmode = \"aggregated\"\nbounds = \"strict\"\n{}{}",
                producers(1, 1000),
                consumers(10_000)
            ),
            &["10,000 consumers", "histograms", "`[[consumers]]`"][..],
        ),
        (
            "aggregated-150d",
            format!(
                "name = \"aggregated-150d\"\nduration = \"150d\"\n[stream]\nshards = 4\n[engine]\nmode = \"aggregated\"\nbounds = \"strict\"\n{}{}",
                producers(10, 100),
                consumers(10)
            ),
            &["per-second series of 10 consumers", "`duration`", "`[[consumers]]`"][..],
        ),
        (
            "idle-400d",
            format!(
                "name = \"idle-400d\"\nduration = \"400d\"\n[stream]\nshards = 2\n[engine]\nmode = \"aggregated\"\nbounds = \"strict\"\n{}",
                producers(1, 0)
            ),
            &["per-second series", "timeseries.csv", "`duration`"][..],
        ),
    ];
    for (name, toml, words) in cases {
        // Checked in-process first: a guard that let one through would start a run of gigabytes.
        let sc = kinesim::scenario::parse_str(&toml, None).unwrap();
        assert!(estimate(&sc).refusal(&sc).is_some(), "{name}: not refused: {:?}", estimate(&sc));
        let (o, out) = validate_and_run(name, &toml);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("memory") && err.contains("mostly") && err.contains("--force"), "{name}: {err}");
        for w in words {
            assert!(err.contains(w), "{name}: {w:?} not in {err}");
        }
        assert!(!out.exists(), "{name}: nothing written");
    }
}

/// Refusal messages name each knob once: the event guard used to say "... or a shorter
/// `duration`, or shorten `duration`".
#[test]
fn refusal_messages_do_not_repeat_themselves() {
    let body = |mode: &str, duration: &str, extra: &str| {
        format!(
            "name = \"big\"\nduration = \"{duration}\"\n[stream]\nshards = 1000\n[engine]\nmode = \"{mode}\"\n\
             [[producers]]\nname = \"p\"\nrate = 1000000\nrecord_size = \"100B\"\n{extra}"
        )
    };
    let cases = [
        body("aggregated", "30d", ""),
        body("per-record", "7d", ""),
        body("aggregated", "7d", "[[consumers]]\nname = \"c\"\nkind = \"efo\"\n"),
    ];
    for toml in cases {
        let sc = kinesim::scenario::parse_str(&toml, None).unwrap();
        let why = estimate(&sc).refusal(&sc).unwrap_or_else(|| panic!("refused: {toml}"));
        assert!(why.contains("events"), "{why}");
        for knob in ["`duration`", "`engine.tick`", "shards", "--force", "`[[consumers]]`", "aggregated"] {
            assert!(why.matches(knob).count() <= 1, "{knob} repeated in: {why}");
        }
        assert_eq!(why.matches("shorten").count() + why.matches("shorter").count(), 1, "{why}");
    }
}

/// `compare` runs its variants side by side, so their memory adds up: variants that pass the
/// guard one by one are refused together (exit 2, before any runs), and --force runs them.
#[test]
fn compare_guards_the_memory_of_its_variants_together() {
    let idle = |days: u32, name: &str| {
        format!(
            "name = \"{name}\"\nduration = \"{days}d\"\n[stream]\nshards = 2\n[engine]\nmode = \"aggregated\"\nbounds = \"strict\"\n{}",
            producers(1, 0)
        )
    };
    // The longest idle run that is at most 60% of the guard: two of them are above it.
    let days = (1..=400)
        .rev()
        .find(|&d| {
            estimate(&kinesim::scenario::parse_str(&idle(d, "x"), None).unwrap()).memory_bytes
                < 0.6 * MAX_MEMORY_BYTES
        })
        .unwrap();
    let one = kinesim::scenario::parse_str(&idle(days, "x"), None).unwrap();
    assert!(estimate(&one).memory_bytes > 0.5 * MAX_MEMORY_BYTES, "{days} days");
    assert!(estimate(&one).refusal(&one).is_none());
    let d = temp_dir("compare-together");
    let (a, b) = (d.join("a.toml"), d.join("b.toml"));
    std::fs::write(&a, idle(days, "a")).unwrap();
    std::fs::write(&b, idle(days, "b")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .arg("compare")
        .args([&a, &b])
        .arg("--out")
        .arg(d.join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("2 variants run side by side") && err.contains("--force"), "{err}");
    assert!(!d.join("out").exists());
    let _ = std::fs::remove_dir_all(&d);
}

/// `size` guards every point of its sweep as `run` guards one run: a sweep with an enormous
/// point is refused before anything runs (exit 2, nothing written), naming the point and
/// `--force`; the same sweep at a sane duration is not refused.
#[test]
fn size_refuses_a_sweep_with_an_enormous_point() {
    let sweep = |duration: &str| {
        format!(
            "name = \"huge-sweep\"\nduration = \"{duration}\"\n[stream]\nshards = 2\n[engine]\nmode = \"aggregated\"\nbounds = \"strict\"\n{}{}\
             [size]\nslo = {{ max_throttle_rate = 0.01 }}\nshards = {{ from = 1, to = 2 }}\nseeds = 1\n",
            producers(10, 100),
            consumers(10)
        )
    };
    let d = temp_dir("size-huge");
    let file = d.join("huge-sweep.toml");
    std::fs::write(&file, sweep("150d")).unwrap();
    let out = d.join("out");
    let o = crate::common::kinesim_in(&d, &["size", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = crate::common::text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("huge-sweep, point ") && err.contains("memory") && err.contains("--force"), "{err}");
    assert!(!out.exists(), "nothing written");
    // The guard looks at the points, not at the scenario's own shard count only: a sane
    // duration passes it (checked in-process, without running the sweep).
    let sane = kinesim::scenario::parse_str(&sweep("1m"), None).unwrap();
    let settings = sane.size.clone().unwrap();
    for p in kinesim::size::grid_points(&sane, &settings) {
        let one = kinesim::size::point_scenario(&sane, p, 1);
        assert!(estimate(&one).refusal(&one).is_none(), "{}", p.label());
    }
}
