//! The real binary: run, validate, keys; bad input gives exit code 2 and a message naming the
//! file, line and field; nothing is half-written.

use crate::common::text;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kinesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kinesim")).args(args).output().expect("binary runs")
}

fn temp_dir(name: &str) -> PathBuf {
    crate::common::scratch("cli", name)
}

const MINIMAL: &str = r#"name = "one-shard-poisson"
seed = 7
duration = "10m"

[stream]
mode = "provisioned"      # or "on-demand"
shards = 1

[[producers]]
name = "app"
rate = 1100               # user records per second (constant); other shapes are tables
arrivals = "poisson"      # or "uniform" (evenly spaced)
record_size = "100B"      # fixed size; distributions are tables
keys = { distribution = "uniform", count = 10000 }
retry = { max_attempts = 1 }   # 1 = no retry: a throttled record is dropped and counted
"#;

/// The smallest scenario (the README's "Scenario format" starts with it) runs as written and
/// writes the report contract.
#[test]
fn run_writes_the_report_and_is_deterministic() {
    let d = temp_dir("run");
    let file = d.join("minimal.toml");
    std::fs::write(&file, MINIMAL).unwrap();
    let out1 = d.join("r1");
    let out2 = d.join("r2");
    for out in [&out1, &out2] {
        let o = kinesim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("throttled"), "{}", text(&o.stdout));
    }
    for f in [
        "summary.json",
        "timeseries.csv",
        "latency.csv",
        "shards.csv",
        "throughput.svg",
        "shard-load.svg",
        "latency.svg",
    ] {
        assert!(out1.join(f).exists(), "{f} missing");
    }
    // Determinism: same scenario and seed, identical bytes.
    for f in ["summary.json", "timeseries.csv", "shards.csv", "latency.csv"] {
        assert!(std::fs::read(out1.join(f)).unwrap() == std::fs::read(out2.join(f)).unwrap(), "{f} differs");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.join("summary.json")).unwrap()).unwrap();
    let w = &summary["write"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(summary["scenario"], "one-shard-poisson");
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["duration_s"], 600.0);
    assert_eq!(
        n(&w["records_produced"]),
        n(&w["records_accepted"]) + n(&w["records_dropped"]) + n(&w["records_pending"])
    );
    assert!(n(&w["throttled_attempts"]) > 0);
    for k in ["p50", "p90", "p99", "max"] {
        assert!(w["put_latency_ms"][k].is_number());
    }
    for k in ["mode", "shards_initial", "shards_final", "shards_max", "reshard_count"] {
        assert!(!summary["capacity"][k].is_null(), "capacity.{k}");
    }
    assert!(summary["read"]["consumers"].is_array());
    assert!(summary["cost_usd"].get("total").is_some());
    // Another seed gives other numbers.
    let o = kinesim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        d.join("r3").to_str().unwrap(),
        "--seed",
        "8",
        "--json",
    ]);
    assert!(o.status.success());
    let s3: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s3["seed"], 8);
    assert_ne!(s3["write"]["records_produced"], summary["write"]["records_produced"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn validate_accepts_good_and_rejects_bad_with_exit_2() {
    let d = temp_dir("validate");
    let good = d.join("good.toml");
    std::fs::write(&good, MINIMAL).unwrap();
    let o = kinesim(&["validate", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let bad = d.join("bad.toml");
    std::fs::write(&bad, MINIMAL.replace("rate = 1100 ", "rat = 1100 ")).unwrap();
    let o = kinesim(&["validate", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains(":11:"), "names the line: {err}");
    assert!(err.contains("did you mean `rate`"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn run_with_bad_input_exits_2_and_writes_nothing() {
    let d = temp_dir("bad-run");
    let bad = d.join("bad.toml");
    std::fs::write(&bad, MINIMAL.replace("record_size = \"100B\"", "record_size = \"2MiB\"")).unwrap();
    let out = d.join("out");
    let o = kinesim(&["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("producers[0].record_size"), "{err}");
    assert!(err.contains(":13:"), "{err}");
    assert!(!out.exists(), "nothing written for bad input");
    let o = kinesim(&["run", d.join("missing.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("missing.toml"));
    let o = kinesim(&["run"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
    let o = kinesim(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

/// `kinesim keys` prints the hash key and shard of each key as Kinesis places it
/// (reference vectors: tests/data/key-to-shard.csv).
#[test]
fn keys_matches_reference_vectors() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/key-to-shard.csv");
    let mut r = csv::Reader::from_path(data).unwrap();
    let rows: Vec<csv::StringRecord> =
        r.records().map(Result::unwrap).filter(|r| &r[2] == "4").take(20).collect();
    assert!(!rows.is_empty());
    let keys: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    let mut args = vec!["keys", "--shards", "4", "--json"];
    args.extend(keys.iter());
    let o = kinesim(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> =
        text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), rows.len());
    for (row, line) in rows.iter().zip(&lines) {
        assert_eq!(line["partition_key"], row[0]);
        assert_eq!(line["hash_key"], row[1]);
        assert_eq!(line["shard_index"].to_string(), row[3]);
    }
    let o = kinesim(&["keys", "--shards", "0", "a"]);
    assert_eq!(o.status.code(), Some(2));
    let long = "x".repeat(257);
    let o = kinesim(&["keys", "--shards", "2", &long]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("1..=256"));
}

/// A closed pipe on standard output (`kinesim list | head -1`) ends the program quietly, never
/// with a panic.
#[test]
fn closed_stdout_pipe_does_not_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(["keys", "--shards", "4"])
        .args((0..20_000).map(|i| format!("user-{i}")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

/// Guard rail: a run whose estimated work is enormous is refused before it starts, with the
/// estimate and the knob to change (exit 2, nothing written); an aggregated run of the same
/// traffic is within the guard.
#[test]
fn enormous_runs_are_refused_with_the_knob_to_change() {
    let d = temp_dir("guard");
    let file = d.join("huge.toml");
    let body = |mode: &str| {
        format!(
            "name = \"huge\"\nduration = \"7d\"\n[stream]\nshards = 1000\n[engine]\nmode = \"{mode}\"\nbounds = \"strict\"\n\
             [[producers]]\nname = \"p\"\nrate = 1000000\nrecord_size = \"100B\"\n"
        )
    };
    std::fs::write(&file, body("per-record")).unwrap();
    let out = d.join("out");
    let o = kinesim(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("events") && err.contains("aggregated") && err.contains("--force"), "{err}");
    assert!(!out.exists());
    let sc = kinesim::scenario::parse_str(&body("aggregated"), None).unwrap();
    let est = kinesim::experiment::estimate(&sc);
    assert!(est.refusal(&sc).is_none(), "{est:?}");
    assert!((est.events - 7.0 * 86_400.0 * 1000.0).abs() < 1.0);
    // Both write-limit bounds (the default) are two runs: twice the events, and refused here.
    let both =
        kinesim::scenario::parse_str(&body("aggregated").replace("bounds = \"strict\"\n", ""), None).unwrap();
    let est_both = kinesim::experiment::estimate(&both);
    assert!((est_both.events - 2.0 * est.events).abs() < 1.0, "{est_both:?}");
    assert!(est_both.refusal(&both).is_some());
    // Consumers count: an enhanced fan-out consumer reads each of the 1,000 shards every 50 ms.
    let with_efo = format!("{}[[consumers]]\nname = \"c\"\nkind = \"efo\"\n", body("aggregated"));
    let sc = kinesim::scenario::parse_str(&with_efo, None).unwrap();
    let est = kinesim::experiment::estimate(&sc);
    assert!((est.events - 7.0 * 86_400.0 * 1000.0 * 21.0).abs() < 1e3, "{est:?}");
    assert!(est.refusal(&sc).is_some(), "1.3e10 events: refused");
    let _ = std::fs::remove_dir_all(&d);
}

/// Run kinesim with a deadline: a hang is killed and fails the test instead of stalling the
/// suite.
#[cfg(unix)]
fn kinesim_within(args: &[&str], limit: std::time::Duration) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kinesim {args:?} was still running after {limit:?} (killed)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let o = Command::new("mkfifo").arg(path).output().expect("mkfifo runs");
    assert!(o.status.success(), "mkfifo {}: {}", path.display(), text(&o.stderr));
}

/// A named pipe is refused before it is opened (opening one for reading waits for a writer,
/// forever): as the scenario itself (`validate`, `run`) and as every `file =` field; a folder as
/// a trace file too. Exit code 2, the file named, and for fields the field and its line.
#[cfg(unix)]
#[test]
fn named_pipes_and_folders_are_refused_without_hanging() {
    let limit = std::time::Duration::from_secs(30);
    let d = temp_dir("fifo");
    let pipe = d.join("scenario.toml");
    mkfifo(&pipe);
    let out = d.join("out");
    let commands: [&[&str]; 2] = [&["validate"], &["run", "--out", out.to_str().unwrap()]];
    for cmd in commands {
        let o = kinesim_within(&[cmd, &[pipe.to_str().unwrap()]].concat(), limit);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(
            err.contains(&format!(
                "cannot read scenario file {}: not a regular file but a named pipe (FIFO)",
                pipe.display()
            )),
            "{cmd:?}: {err}"
        );
    }
    // `rate = ...` is line 11 of MINIMAL.
    let fields = [
        ("pipe.csv", "rate = { shape = \"trace\", file = \"pipe.csv\" }", "cannot read trace file"),
        (
            "pipe.json",
            "rate = { shape = \"cloudwatch\", file = \"pipe.json\" }",
            "cannot read CloudWatch export",
        ),
        ("minutes.csv", "rate = { shape = \"cloudwatch\", file = \"minutes.csv\" }", "cannot read"),
    ];
    for (file, rate, says) in fields {
        mkfifo(&d.join(file));
        let s = d.join(format!("{file}.toml"));
        std::fs::write(&s, MINIMAL.replace("rate = 1100 ", rate)).unwrap();
        let o = kinesim_within(&["validate", s.to_str().unwrap()], limit);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(&format!("{}:11:", s.display())), "{file}: names the line: {err}");
        assert!(err.contains("producers[0].rate.file: "), "{file}: names the field: {err}");
        assert!(err.contains(says), "{file}: {err}");
        assert!(err.contains("not a regular file but a named pipe (FIFO)"), "{file}: {err}");
    }
    std::fs::create_dir(d.join("folder.csv")).unwrap();
    let s = d.join("folder.toml");
    std::fs::write(
        &s,
        MINIMAL.replace("rate = 1100 ", "rate = { shape = \"trace\", file = \"folder.csv\" }"),
    )
    .unwrap();
    let o = kinesim_within(&["validate", s.to_str().unwrap()], limit);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:11:", s.display())), "{err}");
    assert!(err.contains("cannot read trace file"), "{err}");
    assert!(err.contains("not a regular file but a directory"), "{err}");
    // A part file of `size-merge` too.
    let good = d.join("good.toml");
    std::fs::write(&good, MINIMAL).unwrap();
    let part = d.join("part.json");
    mkfifo(&part);
    let o = kinesim_within(&["size-merge", good.to_str().unwrap(), part.to_str().unwrap()], limit);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("part.json: cannot read the part file: not a regular file but a named pipe"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// A scenario whose text is hostile to terminals and spreadsheets: a description and a hot key
/// holding escape sequences (clear screen, retitle the window, the one-byte C1 CSI), a key
/// template that is a spreadsheet formula, a producer name starting with `@`.
const HOSTILE: &str = r#"name = "hostile"
description = "line one\u001B[2J\u001B]0;pwned\u0007\nline two\u009B31m"
seed = 3
duration = "5s"
[stream]
shards = 1
[engine]
mode = "per-record"
trace_records = 20
[[producers]]
name = "@x"
rate = 50
record_size = "100B"
keys = { distribution = "hot", hot = [{ key = "\u001B[2Jhot", share = 0.5 }], count = 100, template = "=cmd|' /C calc'!A0-{}" }
"#;

/// Bytes a terminal would act on: ESC, BEL and the C1 CSI (UTF-8 C2 9B).
fn assert_no_terminal_controls(what: &str, b: &[u8]) {
    assert!(!b.contains(&0x1b), "{what}: raw ESC");
    assert!(!b.contains(&0x07), "{what}: raw BEL");
    assert!(!b.windows(2).any(|w| w == [0xc2, 0x9b]), "{what}: raw C1 CSI");
}

#[test]
fn hostile_text_never_reaches_a_terminal_page_or_spreadsheet_raw() {
    let d = temp_dir("hostile");
    let file = d.join("hostile.toml");
    std::fs::write(&file, HOSTILE).unwrap();
    let f = file.to_str().unwrap();

    // `explain`: escapes shown visibly, the description's own line break kept.
    let o = kinesim(&["explain", f]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_no_terminal_controls("explain", &o.stdout);
    let out = text(&o.stdout);
    assert!(out.contains("line one\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\nline two\\u{9b}31m"), "{out}");
    assert!(out.contains("\\u{1b}[2Jhot"), "{out}");

    // `keys`: the key as given on the command line, made visible in the table.
    let o = kinesim(&["keys", "--shards", "2", "\u{1b}]0;pwned\u{7}", "plain"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_no_terminal_controls("keys", &o.stdout);
    assert!(text(&o.stdout).contains("\\u{1b}]0;pwned\\u{7}"), "{}", text(&o.stdout));

    // `run`: report.html and trace.csv.
    let out = d.join("report");
    let o = kinesim(&["run", f, "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read(out.join("report.html")).unwrap();
    assert_no_terminal_controls("report.html", &html);
    assert!(text(&html).contains("line one\\u{1b}[2J"), "the description is shown, escaped");
    // (JSON files are left to serde_json, which escapes C0 as \u001b but, as JSON allows,
    // writes C1 raw.)
    for name in std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()) {
        if name.extension().is_some_and(|x| x == "json") {
            continue;
        }
        assert_no_terminal_controls(&name.display().to_string(), &std::fs::read(&name).unwrap());
    }
    // trace.csv: every text cell a spreadsheet would evaluate starts with `'`; numbers stay.
    let mut rd = csv::Reader::from_path(out.join("trace.csv")).unwrap();
    let rows: Vec<std::collections::HashMap<String, String>> = rd.deserialize().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    let mut formula_keys = 0;
    for row in &rows {
        assert_eq!(row["producer"], "'@x");
        let key = &row["partition_key"];
        assert!(!key.starts_with(['=', '+', '-', '@']), "{key}");
        if key.starts_with("'=cmd|' /C calc'!A0-") {
            formula_keys += 1;
        }
        assert!(row["time_s"].parse::<f64>().is_ok(), "{row:?}");
    }
    assert!(formula_keys > 0, "some traced record uses a template key: {rows:?}");
    let _ = std::fs::remove_dir_all(&d);
}

/// A scenario name may start with `-` (it names a folder): comparison.csv shows it as text.
#[test]
fn a_scenario_name_starting_with_a_minus_is_text_in_comparison_csv() {
    let sc =
        kinesim::scenario::parse_str(&MINIMAL.replace("one-shard-poisson", "-x").replace("10m", "2s"), None)
            .unwrap();
    let csv = kinesim::report::compare::csv(&[kinesim::experiment::run(&sc)]);
    let mut rd = csv::Reader::from_reader(csv.as_slice());
    let row: std::collections::HashMap<String, String> = rd.deserialize().next().unwrap().unwrap();
    assert_eq!(row["scenario"], "'-x");
    assert_eq!(row["shards_initial"], "1");
}
