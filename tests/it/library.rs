//! The scenario library: every file of `scenarios/` is bundled, documented, valid, and does
//! what its header says (`# expect:` lines), run at a short horizon.

use kinesim::library;
use kinesim::metrics::RunResult;
use kinesim::units::secs;
use std::path::Path;

/// Longest simulated time per scenario in this test [s]: the library must stay fast.
const HORIZON_S: u64 = 120;

fn scenario_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A metric of the run, by its `summary.json` name.
fn metric(r: &RunResult, name: &str) -> f64 {
    let t = &r.totals;
    match name {
        "records_produced" => t.records_produced as f64,
        "records_accepted" => t.records_accepted as f64,
        "records_dropped" => t.records_dropped() as f64,
        "records_pending" => t.records_pending as f64,
        "throttled_attempts" => t.throttled_attempts as f64,
        "throttle_rate" => t.throttle_rate(),
        "retried_attempts" => t.retries as f64,
        "put_records_calls" => t.put_calls as f64,
        "put_payload_units" => t.put_payload_units as f64,
        "bytes_accepted" => t.bytes_accepted as f64,
        "p99_put_latency_ms" => r.latency.overall.p99,
        "kinesis_records_accepted" => r.kinesis_records_accepted as f64,
        // Consumers: sums over every consumer (maxima for latencies).
        "records_read" => r.consumers.iter().map(|c| c.records_read as f64).sum(),
        "read_throttled_calls" => r.consumers.iter().map(|c| c.read_throttled_calls as f64).sum(),
        "records_lost_to_retention" => r.consumers.iter().map(|c| c.records_lost_to_retention as f64).sum(),
        "records_reprocessed" => r.consumers.iter().map(|c| c.records_reprocessed as f64).sum(),
        "lease_moves" => r.consumers.iter().map(|c| c.lease_moves as f64).sum(),
        "p99_lag_ms" => r.consumers.iter().map(|c| c.iterator_age_ms.p99).fold(0.0, f64::max),
        "p99_end_to_end_ms" => r.consumers.iter().map(|c| c.end_to_end_ms.p99).fold(0.0, f64::max),
        "records_flushed" => {
            r.consumers.iter().filter_map(|c| c.job.as_ref()).map(|j| j.records_flushed as f64).sum()
        }
        "job_runs_failed" => r
            .consumers
            .iter()
            .filter_map(|c| c.job.as_ref())
            .map(|j| j.runs.iter().filter(|r| r.outcome == "failed").count() as f64)
            .sum(),
        "job_periods_skipped" => {
            r.consumers.iter().filter_map(|c| c.job.as_ref()).map(|j| j.skipped.len() as f64).sum()
        }
        other => panic!("unknown metric `{other}` in an expect line"),
    }
}

/// `factor (* factor)*`, a factor being a number or a metric name.
fn term(r: &RunResult, text: &str) -> f64 {
    text.split('*')
        .map(str::trim)
        .map(|f| f.replace(',', "").parse::<f64>().unwrap_or_else(|_| metric(r, f)))
        .product()
}

/// Evaluate `lhs OP rhs` (OP one of `==`, `!=`, `<=`, `>=`, `<`, `>`).
fn holds(r: &RunResult, expect: &str) -> (bool, f64, f64) {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some((l, rhs)) = expect.split_once(op) {
            let (a, b) = (term(r, l), term(r, rhs));
            let ok = match op {
                "==" => a == b,
                "!=" => a != b,
                "<=" => a <= b,
                ">=" => a >= b,
                "<" => a < b,
                _ => a > b,
            };
            return (ok, a, b);
        }
    }
    panic!("expect line `{expect}` has no comparison (==, !=, <=, >=, <, >)");
}

#[test]
fn every_scenario_file_is_bundled_and_documented() {
    let files = scenario_files();
    assert!(files.len() >= 10, "the library has its scenarios");
    for (stem, text) in &files {
        let b = library::find(stem)
            .unwrap_or_else(|| panic!("scenarios/{stem}.toml is not listed in src/library.rs"));
        assert_eq!(b.text, text.as_str(), "{stem}: bundled text differs (rebuild?)");
        let sc = b.scenario().unwrap_or_else(|e| panic!("{stem} is invalid:\n{e}"));
        assert_eq!(sc.name, *stem, "a scenario's name is its file name");
        let header = b.header();
        for part in ["What it shows", "What to look at", "Try next"] {
            assert!(header.contains(part), "{stem}: the header says `{part}:`");
        }
        assert!(!b.expectations().is_empty(), "{stem}: the header has an `# expect:` line");
        assert!(!b.summary().is_empty(), "{stem}: a one-line summary for `kinesim list`");
    }
    assert_eq!(files.len(), library::ALL.len(), "every bundled scenario has its file");
}

#[test]
fn every_scenario_meets_its_stated_expectation() {
    let mut failures = vec![];
    for b in library::ALL {
        let mut sc = b.scenario().unwrap();
        sc.duration = sc.duration.min(secs(HORIZON_S));
        let r = kinesim::experiment::run(&sc);
        crate::common::assert_conserved(&r);
        for e in b.expectations() {
            let (ok, a, rhs) = holds(&r, e);
            if !ok {
                failures.push(format!("{}: expected {e}, got {a} vs {rhs}", b.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Longest simulated time of a scenario with `# expect (full run):` lines [s]: such a run must
/// stay a few seconds even in a debug build.
const FULL_RUN_MAX_S: u64 = 60 * 3600;

/// `# expect (full run):` lines hold on the scenario's whole run (a point that shows only late,
/// like records expiring after 48 hours).
#[test]
fn full_run_expectations_hold_on_the_whole_run() {
    let mut failures = vec![];
    let mut checked = 0;
    for b in library::ALL {
        let expectations = b.full_run_expectations();
        if expectations.is_empty() {
            continue;
        }
        let sc = b.scenario().unwrap();
        assert!(sc.duration <= secs(FULL_RUN_MAX_S), "{}: a full-run check must stay short", b.name);
        let r = kinesim::experiment::run(&sc);
        crate::common::assert_conserved(&r);
        for e in expectations {
            checked += 1;
            let (ok, a, rhs) = holds(&r, e);
            if !ok {
                failures.push(format!("{} (full run): expected {e}, got {a} vs {rhs}", b.name));
            }
        }
    }
    assert!(checked >= 2, "slow-consumer-retention checks its loss on the full run");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn expect_lines_parse() {
    let r = RunResult {
        totals: kinesim::metrics::Totals {
            records_produced: 1000,
            records_accepted: 900,
            throttled_attempts: 100,
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(holds(&r, "throttle_rate > 0.05").0);
    assert!(holds(&r, "throttled_attempts * 9 == records_accepted").0);
    assert!(!holds(&r, "records_dropped > 0").0);
    assert_eq!(library::expectations("# a\n# expect: x > 1\nname = \"a\"\n"), vec!["x > 1"]);
    let both = "# expect: x > 1\n# expect (full run): y < 2\n";
    assert_eq!(library::expectations(both), vec!["x > 1"]);
    assert_eq!(library::full_run_expectations(both), vec!["y < 2"]);
}
