//! The classroom commands through the real binary: `list`, `run NAME` from any directory,
//! `explain`.

use crate::common::{kinesim_in, text};
use kinesim::library;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    crate::common::scratch("classroom", name)
}

#[test]
fn list_shows_every_bundled_scenario_with_its_line() {
    let d = temp_dir("list");
    let o = kinesim_in(&d, &["list"]);
    assert!(o.status.success());
    let out = text(&o.stdout);
    for b in library::ALL {
        let line = out.lines().find(|l| l.split_whitespace().next() == Some(b.name));
        let line = line.unwrap_or_else(|| panic!("{} listed:\n{out}", b.name));
        assert!(line.contains(&b.summary()), "{line}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn run_accepts_a_bundled_name_from_any_directory() {
    let d = temp_dir("run");
    let o = kinesim_in(&d, &["run", "write-limit-120", "--out", "r", "--seed", "3"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("write-limit-120"));
    for f in ["summary.json", "report.html", "per-minute.svg"] {
        assert!(d.join("r").join(f).exists(), "{f}");
    }
    // A file of that name wins over the bundled scenario.
    std::fs::write(d.join("quickstart"), "name = \"mine\"\nduration = \"5s\"\n[stream]\nshards = 1\n[[producers]]\nname = \"p\"\nrate = 10\nrecord_size = \"1B\"\n").unwrap();
    let o = kinesim_in(&d, &["run", "quickstart", "--out", "q", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("\"scenario\": \"mine\""), "{}", text(&o.stdout));
    // A misspelt name: exit 2 and a suggestion.
    let o = kinesim_in(&d, &["run", "hot-kye"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("did you mean `hot-key`"), "{err}");
    assert!(err.contains("kinesim list"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn explain_prints_every_field_with_default_and_meaning() {
    let d = temp_dir("explain");
    let o = kinesim_in(&d, &["explain", "hot-key"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let line = |path: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(path))
            .unwrap_or_else(|| panic!("{path} explained:\n{out}"))
            .to_string()
    };
    let shards = line("stream.shards");
    assert!(shards.contains(" 8 ") && shards.contains("required"), "{shards}");
    let linger = line("producers[0].batch.linger");
    assert!(
        linger.contains("100ms") && linger.contains("default") && linger.contains("assumption"),
        "{linger}"
    );
    let retry = line("producers[0].retry.max_attempts");
    assert!(retry.contains(" 3 ") && retry.contains("default"), "{retry}");
    let base = line("producers[0].retry.base");
    assert!(base.contains("100ms") && base.contains(" set ") && base.contains("(default: 1s)"), "{base}");
    for path in ["stream.write_limit", "producers[0].put_rtt", "engine.mode", "producers[0].keys", "seed"] {
        line(path);
    }
    // Consumers (KCL workers, the job and its lock) and [size] are explained too.
    let o = kinesim_in(&d, &["explain", "periodic-job-lock"]);
    let out = text(&o.stdout);
    for (path, has) in [
        ("consumers[0].failover_time", "10s"),
        ("consumers[0].job.lock_at_most_for", "1m"),
        ("consumers[0].job.instance_failures[0]", "the lock holder at 42s"),
    ] {
        let l = out.lines().find(|l| l.starts_with(path)).unwrap_or_else(|| panic!("{path}:\n{out}"));
        assert!(l.contains(has), "{l}");
    }
    let o = kinesim_in(&d, &["explain", "size-readers"]);
    let out = text(&o.stdout);
    let l =
        out.lines().find(|l| l.starts_with("size.slo.max_p99_iterator_age_ms")).expect("[size] explained");
    assert!(l.contains("5000") && l.contains("set"), "{l}");
    // Every [cost] setting and engine.trace_records: the defaults, and what a file sets.
    let o = kinesim_in(&d, &["explain", "quickstart"]);
    let out = text(&o.stdout);
    let starting = |out: &str, path: &str| -> String {
        out.lines().find(|l| l.starts_with(path)).unwrap_or_else(|| panic!("{path}:\n{out}")).to_string()
    };
    for (path, has) in [
        ("cost.region", "us-east-1 (prices of 2026-11-28)"),
        ("cost.on_demand", "standard"),
        ("cost.prices", "none"),
        ("engine.trace_records", "1,000"),
    ] {
        let l = starting(&out, path);
        assert!(l.contains(has) && l.contains("default"), "{l}");
    }
    let custom = d.join("costly.toml");
    std::fs::write(
        &custom,
        "name = \"costly\"\nduration = \"1m\"\n[stream]\nshards = 1\n[engine]\ntrace_records = 5\n\
         [[producers]]\nname = \"p\"\nrate = 10\nrecord_size = \"1KiB\"\n\
         [cost]\non_demand = \"advantage\"\nprices = { shard_hour = 0.0165 }\n",
    )
    .unwrap();
    let o = kinesim_in(&d, &["explain", "costly.toml"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for (path, has) in [
        ("cost.on_demand", "advantage"),
        ("cost.prices", "shard_hour = 0.0165"),
        ("engine.trace_records", "5"),
    ] {
        let l = starting(&out, path);
        assert!(l.contains(has) && l.contains(" set "), "{l}");
    }
    // A file path works too; a bad file is exit 2.
    let o = kinesim_in(&d, &["explain", "missing.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}
