//! What users expect of a command-line tool: bundled names and `-` (standard input) in every
//! subcommand, exit codes a CI job can gate on, machine-readable output, completions and a man
//! page.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{kinesim_in as kinesim, text, BIN};

fn scratch(name: &str) -> PathBuf {
    crate::common::scratch("habits", name)
}

/// Run with `input` on standard input.
fn kinesim_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

const QUICK: &str =
    "name = \"quick\"\nduration = \"10s\"\n[stream]\nshards = 1\n[[producers]]\nname = \"p\"\n\
                     rate = 500\nrecord_size = \"100B\"\n";

/// `compare daily-fixed daily-on-demand` failed ("no such file"): bundled names now work in
/// every subcommand that takes a scenario, `validate` included.
#[test]
fn bundled_names_work_in_every_subcommand() {
    let d = scratch("bundled");
    let o = kinesim(&d, &["validate", "quickstart", "hot-key"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("ok: quickstart.toml (bundled) (quickstart)"), "{}", text(&o.stdout));
    let o = kinesim(&d, &["compare", "daily-fixed", "daily-on-demand", "--out", "cmp", "-q"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(d.join("cmp/comparison.json").is_file() && d.join("cmp/daily-on-demand/summary.json").is_file());
    let _ = std::fs::remove_dir_all(&d);
}

/// `-` reads the scenario from standard input (`run -`, `validate -`, `explain -`), named
/// `<stdin>` in messages; a second `-` is bad input.
#[test]
fn a_dash_reads_the_scenario_from_standard_input() {
    let d = scratch("stdin");
    let o = kinesim_stdin(&d, &["run", "-", "--out", "r", "--json"], QUICK);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["scenario"], "quick");
    let o = kinesim_stdin(&d, &["validate", "-"], QUICK);
    assert!(o.status.success() && text(&o.stdout).contains("ok: <stdin> (quick)"), "{o:?}");
    let o = kinesim_stdin(&d, &["explain", "-"], QUICK);
    assert!(o.status.success() && text(&o.stdout).contains("quick"), "{o:?}");
    let o = kinesim_stdin(&d, &["validate", "-"], &QUICK.replace("rate = 500", "rat = 500"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("<stdin>:7:1: producers[0]: unknown field `rat`"),
        "{}",
        text(&o.stderr)
    );
    let o = kinesim_stdin(&d, &["validate", "-", "-"], QUICK);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("only once"), "{}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

/// `validate --json`: one document, each problem with file, line, column, field and message;
/// the exit code still says whether all are valid.
#[test]
fn validate_json_locates_every_problem() {
    let d = scratch("validate-json");
    std::fs::write(d.join("good.toml"), QUICK).unwrap();
    std::fs::write(d.join("bad.toml"), QUICK.replace("shards = 1", "shards = 0").replace("\"100B\"", "100"))
        .unwrap();
    let o = kinesim(&d, &["validate", "--json", "good.toml", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["scenarios"][0]["ok"], true);
    assert_eq!(doc["scenarios"][0]["name"], "quick");
    let problems = doc["scenarios"][1]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let shards = problems.iter().find(|p| p["field"] == "stream.shards").expect("the shards problem");
    assert_eq!(shards["file"], "bad.toml");
    assert_eq!(shards["line"], 4);
    assert_eq!(shards["column"], 10);
    assert!(shards["message"].as_str().unwrap().contains("1"), "{shards}");
    let o = kinesim(&d, &["validate", "--json", "good.toml"]);
    assert!(o.status.success());
    let _ = std::fs::remove_dir_all(&d);
}

/// `list --json`: every bundled scenario with its summary.
#[test]
fn list_json_names_every_bundled_scenario() {
    let d = scratch("list");
    let o = kinesim(&d, &["list", "--json"]);
    assert!(o.status.success());
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    let want: Vec<&str> = kinesim::library::ALL.iter().map(|b| b.name).collect();
    assert_eq!(names, want);
    assert!(all[0]["summary"].as_str().is_some_and(|s| !s.is_empty()));
    let _ = std::fs::remove_dir_all(&d);
}

/// `size` exits 1 when no configuration meets the SLO (after writing its report), 0 when one
/// does: a CI job can gate on it.
#[test]
fn size_exits_1_when_nothing_meets_the_slo() {
    let d = scratch("size-exit");
    let base = "name = \"s\"\nseed = 5\nduration = \"20s\"\n[stream]\nshards = 1\n[engine]\nmode = \"aggregated\"\n\
                [[producers]]\nname = \"p\"\nrate = 3500\narrivals = \"uniform\"\nrecord_size = \"200B\"\n\
                retry = { max_attempts = 1 }\n[size]\nslo = { max_throttle_rate = 0.001 }\nseeds = 1\nmodes = [\"provisioned\"]\n";
    std::fs::write(d.join("low.toml"), format!("{base}shards = [1, 2]\n")).unwrap();
    std::fs::write(d.join("enough.toml"), format!("{base}shards = [2, 4, 8]\n")).unwrap();
    let o = kinesim(&d, &["size", "low.toml", "--out", "low"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("no configuration"), "{}", text(&o.stderr));
    assert!(d.join("low/sizing.json").is_file(), "the report is written");
    let o = kinesim(&d, &["size", "enough.toml", "--out", "enough", "-q"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

/// `run --fail-on LEVEL` exits 1 after writing the report when the verdict reaches LEVEL: a
/// missed `[size] slo` or dropped records are `bad`; readers falling behind are `warn`.
#[test]
fn run_fail_on_gates_on_the_verdict() {
    let d = scratch("fail-on");
    let base =
        "name = \"r\"\nseed = 5\nduration = \"20s\"\n[stream]\nshards = 1\n[engine]\nmode = \"aggregated\"\n\
                [[producers]]\nname = \"p\"\narrivals = \"uniform\"\nrecord_size = \"200B\"\n\
                retry = { max_attempts = 1 }\n";
    std::fs::write(d.join("over.toml"), format!("{base}rate = 1500\n")).unwrap();
    std::fs::write(d.join("under.toml"), format!("{base}rate = 500\n")).unwrap();
    std::fs::write(
        d.join("slo.toml"),
        format!("{base}rate = 500\n[size]\nslo = {{ max_p99_put_latency_ms = 1 }}\n"),
    )
    .unwrap();
    let o = kinesim(&d, &["run", "over.toml", "--out", "over", "-q", "--fail-on", "bad"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("the verdict is bad (--fail-on bad"), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("records dropped"), "{}", text(&o.stderr));
    assert!(d.join("over/summary.json").is_file(), "the report is written first");
    let o = kinesim(&d, &["run", "under.toml", "--out", "under", "-q", "--fail-on", "warn"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Nothing throttles, but the stated SLO (p99 put latency <= 1 ms) is missed.
    let o = kinesim(&d, &["run", "slo.toml", "--out", "slo", "-q", "--fail-on", "bad"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("SLO ([size] slo) is missed: p99 put latency"), "{}", text(&o.stderr));
    // Without --fail-on the same run exits 0: the verdict alone never fails a run.
    let o = kinesim(&d, &["run", "slo.toml", "--out", "slo", "-q"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = kinesim(&d, &["run", "under.toml", "--out", "under", "-q", "--fail-on", "maybe"]);
    assert_eq!(o.status.code(), Some(2), "a bad level is bad input");
    let _ = std::fs::remove_dir_all(&d);
}

/// Shell completions and a man page, generated from the same definitions as `--help`; every
/// subcommand's help has examples.
#[test]
fn completions_man_page_and_examples() {
    let d = scratch("completions");
    for shell in ["bash", "zsh", "fish"] {
        let o = kinesim(&d, &["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = text(&o.stdout);
        assert!(script.contains("size-merge") && script.contains("overwrite"), "{shell}: {script}");
    }
    let o = kinesim(&d, &["man"]);
    assert!(o.status.success());
    let page = text(&o.stdout);
    assert!(page.starts_with(".ie") || page.contains(".TH kinesim"), "{}", &page[..200.min(page.len())]);
    for sub in ["run", "compare", "size", "validate", "keys", "completions"] {
        let o = kinesim(&d, &[sub, "--help"]);
        assert!(text(&o.stdout).contains("Example"), "{sub} --help has examples");
    }
    let _ = std::fs::remove_dir_all(&d);
}
