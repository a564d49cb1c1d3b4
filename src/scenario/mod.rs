//! Scenario files: the TOML format, its validation and its defaults.
//!
//! ```text
//! bytes -> UTF-8 text -> TOML document (spans kept)   raw/document.rs  syntax errors stop here
//!       -> serde mirror (deny_unknown_fields)         raw/             unknown fields stop here
//!       -> validated Scenario                         validate.rs      every problem collected
//!          (trace CSV files read here)                trace.rs, cloudwatch.rs, minute_csv.rs
//! ```
//!
//! Problems are located in the file (line, column) by their field path; see [`ScenarioError`].
//! This module knows nothing of the engine: it only produces a [`Scenario`].
//!
//! The files are layered, each calling only those below it (no file cycle):
//!
//! ```text
//! mod.rs        entry points: load, parse_str, parse_trace, ...
//! validate.rs   orchestration: top-level fields, one validator per section, cross-section rules
//! stream.rs  engine.rs  producers.rs (rate.rs, keys.rs)  capacity.rs  consumers.rs  cost.rs  size.rs
//!               one validator per section: raw section in, typed section out
//! checker.rs    Checker and the leaf checks (text, int, num, duration, size, choice, ...)
//! raw/          the serde mirror (Raw*, Scalar) and the span-preserving document
//! trace.rs  cloudwatch.rs  minute_csv.rs
//!               traffic files read for `rate`
//! types.rs  defaults.rs  error.rs  read.rs
//!               typed result, defaults, problems, bounded file reading: no validator
//! ```

mod capacity;
mod checker;
mod cloudwatch;
mod consumers;
mod cost;
pub mod defaults;
mod engine;
mod error;
mod keys;
mod minute_csv;
mod producers;
mod rate;
mod raw;
mod read;
mod size;
mod stream;
mod trace;
mod types;
mod validate;

pub use capacity::{mode_at, switch_outcomes, SwitchOutcome};
pub use error::{Problem, ScenarioError};
pub use read::read_limited;
pub use types::*;

use std::path::Path;

/// The scenario format as a JSON Schema (draft 7) for editors (`kinesim schema`): every table
/// and field the parser reads, with its kind and description. A file it accepts may still fail
/// validation (ranges, rules between fields); a file it refuses never loads.
pub fn json_schema() -> serde_json::Value {
    raw::scenario_schema()
}

/// Read and validate the scenario file at `path`. Relative trace paths resolve against the
/// file's folder.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, defaults::SCENARIO_FILE_MAX_BYTES)
        .map_err(|e| ScenarioError::io(file.clone(), e))?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => parse_named(text, file, Some(path)),
        Err(e) => {
            // Position of the first bad byte, counted on the valid text before it.
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = error::line_col(valid, valid.len());
            let message = format!(
                "the file is not UTF-8 text (invalid byte 0x{:02x}); is it a scenario file?",
                bytes[e.valid_up_to()]
            );
            Err(ScenarioError::invalid(
                file,
                vec![Problem { path: String::new(), line: Some(line), column: Some(column), message }],
            ))
        }
    }
}

/// Validate scenario text. `source` names the file in messages (`<input>` without one) and is
/// the base for relative trace paths (the current directory without one).
pub fn parse_str(text: &str, source: Option<&Path>) -> Result<Scenario, ScenarioError> {
    let file = source.map_or_else(|| "<input>".to_string(), |p| p.display().to_string());
    parse_named(text, file, source)
}

/// Check a traffic trace CSV given as bytes, as `rate = { shape = "trace" }` reads it: the
/// `(time [µs], records/s)` steps, or every problem (messages name `name` and the line). A
/// public entry for the fuzz targets (`fuzz/`) and tools.
pub fn parse_trace(bytes: &[u8], name: &str) -> Result<Vec<(crate::units::SimTime, f64)>, Vec<String>> {
    trace::parse_trace(bytes, name)
}

/// Parse a CloudWatch `get-metric-data` JSON export given as bytes, as
/// `rate = { shape = "cloudwatch" }` reads it. A public entry for the fuzz targets and tools.
pub fn parse_cloudwatch(
    bytes: &[u8],
    metric: &str,
    scale: f64,
) -> Result<Vec<(crate::units::SimTime, f64)>, String> {
    cloudwatch::parse(bytes, "<input>", metric, scale).map(|e| e.steps)
}

/// Parse a CSV of per-minute sums (`timestamp, IncomingRecords[, IncomingBytes]`) given as
/// bytes, as `rate = { shape = "cloudwatch", file = "x.csv" }` reads it. For fuzzing and tools.
pub fn parse_minute_csv(bytes: &[u8], scale: f64) -> Result<Vec<(crate::units::SimTime, f64)>, Vec<String>> {
    minute_csv::parse(bytes, "<input>", scale).map(|e| e.steps)
}

/// Line and column (1-based) of the field at `path` (such as `name` or `producers[0].rate`) in
/// scenario text, for messages about a field found after validation; `None` when it is absent.
pub fn position_of(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = raw::Document::parse(text).ok()?;
    let p = doc.locate(path.to_string(), String::new());
    Some((p.line?, p.column?))
}

fn parse_named(text: &str, file: String, source: Option<&Path>) -> Result<Scenario, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = raw::Document::parse(text).map_err(|p| ScenarioError::invalid(file.clone(), vec![p]))?;
    let mirror = doc.mirror().map_err(|p| ScenarioError::invalid(file.clone(), vec![p]))?;
    let base_dir = source.and_then(Path::parent).unwrap_or(Path::new(""));
    validate::validate(&mirror, base_dir, source)
        .map_err(|found| ScenarioError::invalid(file, doc.locate_all(found)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{millis, secs, MIB};

    /// The minimal scenario: a name, a duration, a stream and one producer; every other field
    /// takes its default.
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

    /// Every rate shape but `trace` (it needs a file), every size and key distribution, every
    /// optional table.
    const EVERY_FORM: &str = r#"
name = "all"
description = "every form"
duration = "1h"
[stream]
shards = 2
retention = "48h"
max_record_size = "2MiB"
write_limit = "token-bucket"
[engine]
mode = "aggregated"
tick = "100ms"
[[producers]]
name = "steps"
rate = { shape = "steps", steps = [ { at = "0s", rate = 100 }, { at = "5m", rate = 300.5 } ] }
arrivals = "uniform"
record_size = { distribution = "uniform", min = "100B", max = "1KiB" }
keys = { distribution = "zipf", count = 100, exponent = 1.1, template = "user-{}" }
batch = { max_records = 10, max_bytes = "64KiB", linger = "0s" }
retry = { max_attempts = 5, base = "100ms", cap = "2s", jitter = "none" }
buffer_records = 5000
put_rtt = { min = "10ms", max = "50ms" }
[[producers]]
name = "ramp"
rate = { shape = "ramp", from = 100, to = 1000, start = "1m", end = "5m" }
record_size = { distribution = "lognormal", median = "1KiB", p99 = "20KiB" }
keys = { distribution = "hot", hot = [ { key = "celebrity", share = 0.5 }, { key = "b", share = 0.5 } ], count = 0 }
put_rtt = "5ms"
[[producers]]
name = "diurnal"
rate = { shape = "diurnal", mean = 1000, amplitude = 500, peak_hour = 14 }
record_size = { distribution = "empirical", table = [ { size = "100B", weight = 0.7 }, { size = "10KiB", weight = 0.3 } ] }
keys = { distribution = "random" }
[[producers]]
name = "spike"
rate = { shape = "spike", base = 100, peak = 5000, start = "2m", length = "30s" }
record_size = { distribution = "fixed", size = "1.5KiB" }
[[producers]]
name = "constant"
rate = { shape = "constant", rate = 2.5 }
record_size = "2000B"
"#;

    fn problems(text: &str) -> Vec<Problem> {
        match parse_str(text, None) {
            Ok(s) => panic!("expected problems, got {s:?}"),
            Err(e) => e.problems().to_vec(),
        }
    }

    fn messages(text: &str) -> String {
        parse_str(text, None).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn the_design_minimal_scenario_resolves_with_defaults() {
        let s = parse_str(MINIMAL, None).unwrap();
        assert_eq!(s.name, "one-shard-poisson");
        assert_eq!(s.description, "");
        assert_eq!(s.seed, 7);
        assert_eq!(s.duration, secs(600));
        assert_eq!(
            s.stream,
            Stream {
                mode: CapacityMode::Provisioned,
                shards: 1,
                retention: secs(24 * 3600),
                max_record_size: MIB,
                write_limit: WriteLimitModel::FixedWindow,
                burst_bytes: 10 * MIB,
                lenient_burst: secs(10),
            }
        );
        assert_eq!(s.producers.len(), 1);
        let p = &s.producers[0];
        assert_eq!(p.name, "app");
        assert_eq!(p.rate, RateShape::Constant(1100.0));
        assert_eq!(p.arrivals, Arrivals::Poisson);
        assert_eq!(p.record_size, SizeDist::Fixed(100));
        assert_eq!(p.keys, KeySpec::Uniform { count: 10_000, template: "key-{}".into() });
        assert_eq!(p.batch, Batching { max_records: 500, max_bytes: 5 * MIB, linger: millis(100) });
        assert_eq!(p.retry, Retry { max_attempts: 1, base: secs(1), cap: secs(20), jitter: Jitter::Full });
        assert_eq!(p.buffer_records, defaults::BUFFER_RECORDS);
        assert_eq!(p.put_rtt, RttModel::Fixed(millis(20)));
        // 1,100 records/s for 600 s is far below the auto threshold.
        assert_eq!(
            s.engine,
            EngineSettings {
                mode: EngineMode::PerRecord,
                tick: secs(1),
                trace_records: 1000,
                bounds: Bounds::Both
            }
        );
        assert_eq!(s.source, None);
    }

    #[test]
    fn auto_mode_turns_aggregated_for_big_runs() {
        let big = MINIMAL.replace("rate = 1100 ", "rate = 100000 ").replace("10m", "1h");
        assert_eq!(parse_str(&big, None).unwrap().engine.mode, EngineMode::Aggregated);
        let forced = format!("{MINIMAL}\n[engine]\nmode = \"per-record\"\ntick = \"250ms\"\n");
        let forced = forced.replace("rate = 1100 ", "rate = 100000 ").replace("10m", "1h");
        let e = parse_str(&forced, None).unwrap().engine;
        assert_eq!(
            e,
            EngineSettings {
                mode: EngineMode::PerRecord,
                tick: millis(250),
                trace_records: 1000,
                bounds: Bounds::Both
            }
        );
    }

    #[test]
    fn every_shape_and_distribution_resolves() {
        let text = EVERY_FORM;
        let s = parse_str(text, None).unwrap();
        assert_eq!(s.description, "every form");
        assert_eq!(s.stream.retention, secs(48 * 3600));
        assert_eq!(s.stream.max_record_size, 2 * MIB);
        assert_eq!(s.stream.write_limit, WriteLimitModel::TokenBucket { burst: secs(1) });
        assert_eq!(
            s.engine,
            EngineSettings {
                mode: EngineMode::Aggregated,
                tick: millis(100),
                trace_records: 1000,
                bounds: Bounds::One(Bound::Strict)
            }
        );
        let p = &s.producers;
        assert_eq!(p[0].rate, RateShape::Steps(vec![(0, 100.0), (secs(300), 300.5)]));
        assert_eq!(p[0].arrivals, Arrivals::Uniform);
        assert_eq!(p[0].record_size, SizeDist::Uniform { min: 100, max: 1024 });
        assert_eq!(p[0].keys, KeySpec::Zipf { count: 100, exponent: 1.1, template: "user-{}".into() });
        assert_eq!(p[0].batch, Batching { max_records: 10, max_bytes: 65_536, linger: 0 });
        assert_eq!(
            p[0].retry,
            Retry { max_attempts: 5, base: millis(100), cap: secs(2), jitter: Jitter::None }
        );
        assert_eq!(p[0].buffer_records, 5000);
        assert_eq!(p[0].put_rtt, RttModel::Uniform { min: millis(10), max: millis(50) });
        assert_eq!(p[1].rate, RateShape::Ramp { from: 100.0, to: 1000.0, start: secs(60), end: secs(300) });
        assert_eq!(p[1].record_size, SizeDist::LogNormal { median: 1024, p99: 20 * 1024 });
        assert_eq!(
            p[1].keys,
            KeySpec::Hot {
                hot: vec![("celebrity".into(), 0.5), ("b".into(), 0.5)],
                count: 0,
                template: "key-{}".into()
            }
        );
        assert_eq!(p[1].put_rtt, RttModel::Fixed(millis(5)));
        assert_eq!(p[2].rate, RateShape::Diurnal { mean: 1000.0, amplitude: 500.0, peak_hour: 14.0 });
        assert_eq!(p[2].record_size, SizeDist::Empirical(vec![(100, 0.7), (10_240, 0.3)]));
        assert_eq!(p[2].keys, KeySpec::Random);
        assert_eq!(
            p[3].rate,
            RateShape::Spike { base: 100.0, peak: 5000.0, start: secs(120), length: secs(30) }
        );
        assert_eq!(p[3].record_size, SizeDist::Fixed(1536));
        assert_eq!(p[4].rate, RateShape::Constant(2.5));
        assert_eq!(p[4].record_size, SizeDist::Fixed(2000));
    }

    #[test]
    fn validation_collects_every_problem_with_its_line() {
        let text = "name = \"bad name\"\nduration = \"0s\"\n[stream]\nshards = 0\n[[producers]]\nname = \"a\"\nrate = -1\nrecord_size = \"12 parsecs\"\n";
        let ps = problems(text);
        let got: Vec<(&str, Option<usize>)> = ps.iter().map(|p| (p.path.as_str(), p.line)).collect();
        assert_eq!(
            got,
            vec![
                ("name", Some(1)),
                ("duration", Some(2)),
                ("stream.shards", Some(4)),
                ("producers[0].rate", Some(7)),
                ("producers[0].record_size", Some(8)),
            ]
        );
        let all = messages(text);
        assert!(all.contains(
            "error: <input>:8:15: producers[0].record_size: expected a size like \"100B\", \"1KiB\" or a table { distribution = ... }, found \"12 parsecs\""
        ), "{all}");
    }

    #[test]
    fn missing_fields_point_at_their_table() {
        let ps = problems("[stream]\nshards = 1\n[[producers]]\nname = \"a\"\n");
        let got: Vec<(&str, Option<usize>)> = ps.iter().map(|p| (p.path.as_str(), p.line)).collect();
        assert_eq!(
            got,
            vec![
                ("name", None),
                ("duration", None),
                ("producers[0].rate", Some(3)),
                ("producers[0].record_size", Some(3))
            ]
        );
    }

    #[test]
    fn cross_field_record_size_counts_the_key() {
        // 1 MiB - 5 B of data plus "key-999" (7 B) is 2 B too many.
        let t = MINIMAL
            .replace("\"100B\"", &format!("\"{}B\"", MIB - 5))
            .replace("count = 10000", "count = 1000");
        let all = messages(&t);
        assert!(
            all.contains("a record (data + partition key) is at most 1 MiB (stream.max_record_size)"),
            "{all}"
        );
        let t = MINIMAL
            .replace("\"100B\"", &format!("\"{}B\"", MIB - 7))
            .replace("count = 10000", "count = 1000");
        assert!(parse_str(&t, None).is_ok());
    }

    #[test]
    fn a_hot_key_is_refused_only_when_the_template_makes_it() {
        let with = |hot: &str, template: &str, count: u64| {
            let keys = format!(
                "keys = {{ distribution = \"hot\", hot = [ {{ key = {hot:?}, share = 0.5 }} ], count = {count}, template = {template:?} }}"
            );
            parse_str(&MINIMAL.replace("keys = { distribution = \"uniform\", count = 10000 }", &keys), None)
        };
        assert!(with("5", "{}", 10).is_err());
        assert!(with("u-9-x", "u-{}-x", 10).is_err());
        for (hot, template, count) in
            [("10", "{}", 10), ("05", "{}", 10), ("+5", "{}", 10), ("u-9", "u-{}-x", 10)]
        {
            assert!(with(hot, template, count).is_ok(), "{hot} {template} {count}");
        }
    }

    #[test]
    fn relative_trace_paths_resolve_against_the_source_folder() {
        let dir = std::env::temp_dir().join(format!("kinesim-trace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("t.csv"), "time,rate\n0,10\n1m,20\n").unwrap();
        let text = MINIMAL.replace("rate = 1100 ", "rate = { shape = \"trace\", file = \"t.csv\" }");
        let file = dir.join("s.toml");
        std::fs::write(&file, &text).unwrap();
        let s = load(&file).unwrap();
        assert_eq!(
            s.producers[0].rate,
            RateShape::Trace {
                points: vec![(0, 10.0), (secs(60), 20.0)],
                path: dir.join("t.csv"),
                export: None
            }
        );
        assert_eq!(s.source.as_deref(), Some(file.as_path()));
        // Without a source, relative to the current directory: not found, and said so.
        let all = messages(&text);
        assert!(all.contains("cannot read trace file t.csv"), "{all}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_and_non_utf8_files_are_errors() {
        let e = load(Path::new("/dev/null")).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = load(Path::new("/nonexistent/x.toml")).unwrap_err();
        assert!(e.is_io());
        assert!(e.to_string().starts_with("error: cannot read scenario file /nonexistent/x.toml: "), "{e}");
        let dir = std::env::temp_dir().join(format!("kinesim-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bin.toml");
        std::fs::write(&f, b"name = \"x\"\n\xff\xfe").unwrap();
        let e = load(&f).unwrap_err();
        assert_eq!((e.problems()[0].line, e.problems()[0].column), (Some(2), Some(1)));
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Thousands of deterministic mutations of valid scenarios: errors, never panics.
    #[test]
    fn mutated_scenarios_never_panic() {
        const TOKENS: [&str; 16] = [
            "=",
            "\"",
            "[",
            "]",
            "{",
            "}",
            ",",
            "\n",
            "-1",
            "nan",
            "-inf",
            "1e400",
            "0",
            "\"99999999999999999999d\"",
            "[[producers]]\n",
            "\"1.5KiB\"",
        ];
        let seeds = [MINIMAL, EVERY_FORM];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for round in 0..3000 {
            let mut text = seeds[round % seeds.len()].to_string();
            for _ in 0..1 + next(4) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => text.insert_str(at, TOKENS[next(TOKENS.len())]),
                    1 => {
                        let mut end = (at + next(12)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let digit = char::from(b'0' + next(10) as u8);
                        text.insert(at, digit);
                    }
                }
            }
            let r = std::panic::catch_unwind(|| parse_str(&text, None));
            assert!(r.is_ok(), "panicked on:\n{text}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let inputs = [
            "",
            "\u{feff}",
            "\0\0\0",
            "[[[[",
            "a = 99999999999999999999999",
            "duration = \"99999999999999999999d\"",
            "duration = nan\n[stream]\nshards = inf",
            "[stream]\nshards = 9223372036854775807\n[[producers]]\nrate = 1e308\nrecord_size = 9223372036854775807",
            "[[producers]]\nrate = { shape = \"steps\", steps = [] }\nkeys = { distribution = \"hot\", hot = [] }",
            "[[producers]]\nrecord_size = { distribution = \"empirical\", table = [ { size = 1, weight = 1e308 }, { size = 2, weight = 1e308 } ] }",
            "producers = 5",
            "[producers]\nname = 1",
            "stream = []",
            "[[producers]]\nkeys = { distribution = \"uniform\", count = 100000000, template = \"{}{}\" }",
            "[[producers]]\nname = \"\"\nput_rtt = { min = \"1s\" }\nretry = { base = \"1h\" }",
            "x = 1979-05-27T07:32:00Z",
            "duration = 1979-05-27",
        ];
        for input in inputs {
            let r = std::panic::catch_unwind(|| parse_str(input, None));
            assert!(matches!(r, Ok(Err(_))), "{input:?}: {r:?}");
        }
    }
}
