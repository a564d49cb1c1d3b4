//! Helpers shared by the integration tests.

use kinesim::experiment::Outcome;
use kinesim::metrics::RunResult;
use kinesim::scenario::{parse_str, Scenario};

/// Parse a scenario written inline in a test (panics with the message if it is invalid).
pub fn scenario(toml: &str) -> Scenario {
    parse_str(toml, None).unwrap_or_else(|e| panic!("test scenario is invalid:\n{e}"))
}

/// Parse and run.
pub fn run(toml: &str) -> Outcome {
    kinesim::experiment::run(&scenario(toml))
}

/// Records are never created or lost: produced = accepted + dropped + pending.
pub fn assert_conserved(r: &RunResult) {
    let t = &r.totals;
    assert_eq!(
        t.records_produced,
        t.records_accepted + t.records_dropped() + t.records_pending,
        "conservation: {t:?}"
    );
    let s = &r.series;
    assert_eq!(s.produced_records.iter().sum::<u64>(), t.records_produced);
    assert_eq!(s.accepted_records.iter().sum::<u64>(), t.records_accepted);
    assert_eq!(s.throttled_records.iter().sum::<u64>(), t.throttled_attempts);
    assert_eq!(s.dropped_records.iter().sum::<u64>(), t.records_dropped());
}

/// Poisson(lambda): E[(N - c)+] and Var[(N - c)+], exactly (pmf summed in log space).
pub fn poisson_excess(lambda: f64, c: u64) -> (f64, f64) {
    let hi = (lambda + 20.0 * lambda.sqrt() + 50.0) as u64;
    let mut ln_fact = 0.0;
    let (mut e1, mut e2) = (0.0, 0.0);
    for k in 0..=hi {
        if k > 0 {
            ln_fact += (k as f64).ln();
        }
        let p = (k as f64 * lambda.ln() - lambda - ln_fact).exp();
        if k > c {
            let x = (k - c) as f64;
            e1 += x * p;
            e2 += x * x * p;
        }
    }
    (e1, e2 - e1 * e1)
}

/// Every file under `dir` (relative path -> bytes), sorted; links are not followed.
pub fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                files.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    files
}

/// The `kinesim` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_kinesim");

/// Run `kinesim args` in folder `dir`.
pub fn kinesim_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).current_dir(dir).args(args).output().expect("binary runs")
}

/// A process's output as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh, empty scratch folder for one test: `<temp>/kinesim-<group>-<name>-<pid>`.
pub fn scratch(group: &str, name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kinesim-{group}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Whether a test's prerequisite from outside the repository (Chromium, Python) is here.
/// `found` is what the test looked up. When it is missing the test cannot check anything: under
/// `CI=true` it fails, naming what is missing and how to install it (`.ci/run` installs its
/// prerequisites, so a missing one is a broken CI, not a pass); elsewhere it says, on the
/// terminal (not in captured output), that it is ignored and why, and the test returns.
pub fn prerequisite<T>(what: &str, found: Option<T>, how: &str) -> Option<T> {
    if found.is_some() {
        return found;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and {what} is missing: this test cannot run ({how})");
    }
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "ignored: {what} is missing ({how}); under CI=true this test fails");
    None
}
