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
}
