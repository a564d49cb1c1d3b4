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

/// `explain --json`: the rows of the text form, grouped by section in file order, each with its
/// value, default, status and kind.
#[test]
fn explain_json_has_every_setting_of_the_text_grouped_by_section() {
    let d = temp_dir("explain-json");
    let o = kinesim_in(&d, &["explain", "--json", "quickstart"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("explain --json prints JSON");
    assert_eq!(doc["scenario"], "quickstart");
    let sections: Vec<&str> =
        doc["sections"].as_array().unwrap().iter().map(|s| s["section"].as_str().unwrap()).collect();
    assert_eq!(sections, ["scenario", "stream", "producers[0]", "engine", "cost"]);
    let setting = |section: &str, field: &str| -> serde_json::Value {
        let s = doc["sections"].as_array().unwrap().iter().find(|s| s["section"] == section).unwrap();
        s["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("{field} in {section}: {s}"))
    };
    let shards = setting("stream", "stream.shards");
    assert_eq!((shards["value"].as_str(), shards["status"].as_str()), (Some("4"), Some("required")));
    assert!(shards["default"].is_null(), "{shards}");
    let linger = setting("producers[0]", "producers[0].batch.linger");
    assert_eq!(linger["status"], "default");
    assert_eq!(linger["kind"], "assumption");
    assert_eq!(linger["value"], linger["default"]);
    assert!(linger["meaning"].as_str().is_some_and(|m| m.contains("batch waits")), "{linger}");
    let seed = setting("scenario", "seed");
    assert_eq!((seed["value"].as_str(), seed["status"].as_str()), (Some("42"), Some("set")));
    // Facts that are no field of the file sit in their section.
    assert_eq!(setting("stream", "shard write limit")["status"], "fixed");

    // Every scenario of the library: one JSON setting per row of the text, same order, same
    // value and status (the rows come from one list).
    for b in library::ALL {
        let t = kinesim_in(&d, &["explain", b.name]);
        let j = kinesim_in(&d, &["explain", b.name, "--json"]);
        assert!(t.status.success() && j.status.success(), "{}: {}", b.name, text(&j.stderr));
        let out = text(&t.stdout);
        let rows: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("field ")).skip(1).collect();
        let doc: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
        let settings: Vec<&serde_json::Value> = doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["settings"].as_array().unwrap().iter())
            .collect();
        assert_eq!(rows.len(), settings.len(), "{}: text rows vs JSON settings", b.name);
        assert!(rows.len() > 20, "{}: {} rows", b.name, rows.len());
        for (row, s) in rows.iter().zip(&settings) {
            let field = s["field"].as_str().unwrap();
            assert!(row.starts_with(&format!("{field} ")), "{}: {row:?} is not {field}", b.name);
            let status = s["status"].as_str().unwrap();
            assert!(row.contains(&format!(" {status} ")), "{}: {row:?} is not {status}", b.name);
            let value = s["value"].as_str().unwrap();
            if field != "description" && !value.is_empty() {
                assert!(row.contains(value), "{}: {row:?} lacks {value:?}", b.name);
            }
            // Sections are the field's first part (`scenario` for the top level); the two
            // facts that are no field of the file sit in the section they are about.
            let section = doc["sections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|sec| sec["settings"].as_array().unwrap().iter().any(|x| std::ptr::eq(x, *s)))
                .unwrap()["section"]
                .as_str()
                .unwrap();
            let expected = match field.split_once('.') {
                Some((first, _)) => first,
                None if field == "shard write limit" => "stream",
                None if field == "on-demand peak memory" => "capacity",
                None => "scenario",
            };
            assert_eq!(section, expected, "{}: {field}", b.name);
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
