//! `kinesim schema`: the JSON Schema of the scenario format agrees with the parser. Every
//! scenario kinesim ships passes it; unknown fields and values of the wrong kind fail it, as
//! they fail the parser; the unit grammars it carries are the parser's.

use kinesim::scenario::{self, json_schema};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.toml` files of a folder of the repository, sorted.
fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = root().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// A scenario's TOML as the JSON an editor checks against the schema; `None` when it is not
/// TOML at all (syntax errors are the TOML reader's, before any schema).
fn as_json(text: &str) -> Option<Value> {
    let v: toml::Value = toml::from_str(text).ok()?;
    Some(serde_json::to_value(v).expect("TOML values are JSON values"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&json_schema()).expect("the schema compiles")
}

/// The schema's complaints about `doc`, one line each (empty: it passes).
fn complaints(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn every_shipped_scenario_passes_the_schema() {
    let v = validator();
    let mut files = toml_files("scenarios");
    assert!(files.len() >= 30, "the library's scenarios are found: {files:?}");
    files.extend(toml_files("tests/fixtures/good"));
    files.extend(toml_files("tests/fixtures/faults"));
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // The parser takes it (so the schema must)...
        scenario::load(f).unwrap_or_else(|e| panic!("{} does not load:\n{e}", f.display()));
        let doc = as_json(&text).unwrap_or_else(|| panic!("{} is not TOML", f.display()));
        // ...and the schema does.
        let errors = complaints(&v, &doc);
        assert!(errors.is_empty(), "{} fails the schema:\n{}", f.display(), errors.join("\n"));
    }
}

/// Bad scenarios the schema can tell from names and kinds alone: unknown fields, tables where
/// values belong and the reverse, a string where a number belongs, a bare number or a minus sign
/// where a duration or size belongs, a word not in the list (a region, a price), a required
/// field missing, a negative price, `nan` and `inf` (JSON has neither: they become null). The
/// rest of the corpus breaks ranges or rules between fields: validation's, not the schema's.
const SCHEMA_CATCHES: &[&str] = &[
    "arrivals-typo.toml",
    "batch-linger-negative.toml",
    "batch-max-bytes-bare-number.toml",
    "consumers-job-no-period.toml",
    "consumers-job-unknown-field.toml",
    "consumers-job-unknown-instance.toml",
    "cost-negative-price.toml",
    "cost-unknown-price.toml",
    "cost-unknown-region.toml",
    "datetime-duration.toml",
    "duration-bare-number.toml",
    "duration-missing.toml",
    "duration-nan.toml",
    "duration-negative.toml",
    "duration-spaces-around.toml",
    "duration-unknown-unit.toml",
    "empty.toml",
    "engine-mode-typo.toml",
    "engine-retry-spread-removed.toml",
    "engine-unknown-field.toml",
    "keys-not-a-table.toml",
    "name-missing.toml",
    "name-not-a-string.toml",
    "only-comments.toml",
    "producer-name-missing.toml",
    "producers-empty.toml",
    "producers-missing.toml",
    "producers-single-brackets.toml",
    "put-rtt-bare-number.toml",
    "rate-inf.toml",
    "rate-missing.toml",
    "rate-nan.toml",
    "rate-shape-missing.toml",
    "rate-shape-unknown.toml",
    "rate-string.toml",
    "record-size-bare-number.toml",
    "record-size-distribution-typo.toml",
    "record-size-empirical-bad-weights.toml",
    "record-size-empirical-empty.toml",
    "record-size-float.toml",
    "record-size-missing.toml",
    "record-size-negative.toml",
    "record-size-parsecs.toml",
    "record-size-spaces-around.toml",
    "retry-jitter-typo.toml",
    "seed-float.toml",
    "shards-missing.toml",
    "shards-string.toml",
    "size-shards-duplicate.toml",
    "steps-empty.toml",
    "steps-missing-rate.toml",
    "stream-missing.toml",
    "stream-mode-typo.toml",
    "stream-not-a-table.toml",
    "stream-on-demand.toml",
    "trace-not-a-string.toml",
    "unknown-field-in-batch.toml",
    "unknown-field-in-producer.toml",
    "unknown-field-no-suggestion.toml",
    "unknown-top-level-field.toml",
    "write-limit-typo.toml",
];

#[test]
fn unknown_fields_and_wrong_kinds_in_the_bad_corpus_fail_the_schema() {
    let v = validator();
    let bad = root().join("tests/fixtures/bad");
    let mut wrong = Vec::new();
    for name in SCHEMA_CATCHES {
        let path = bad.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(scenario::load(&path).is_err(), "{name} is in the bad corpus but loads");
        let doc = as_json(&text).unwrap_or_else(|| panic!("{name} is not TOML: it cannot show the schema"));
        if complaints(&v, &doc).is_empty() {
            wrong.push(*name);
        }
    }
    assert!(wrong.is_empty(), "the schema passes these bad scenarios: {wrong:?}");
    // Whatever else of the corpus the schema passes, the parser refuses: the schema is looser,
    // never stricter, and a file it refuses never loads.
    let mut unlisted = Vec::new();
    for path in toml_files("tests/fixtures/bad") {
        let Some(doc) = std::fs::read_to_string(&path).ok().as_deref().and_then(as_json) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !complaints(&v, &doc).is_empty() && !SCHEMA_CATCHES.contains(&name.as_str()) {
            unlisted.push(name);
        }
    }
    assert!(unlisted.is_empty(), "the schema refuses these too: list them in SCHEMA_CATCHES: {unlisted:?}");
}

/// Every table of `v` (arrays of tables included), by path.
fn tables(v: &toml::Value, path: String, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => {
            out.push(path.clone());
            for (k, child) in t {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                tables(child, p, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                tables(child, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The table at `path` (as `tables` writes it).
fn table_at<'a>(v: &'a mut toml::Value, path: &str) -> &'a mut toml::Table {
    let mut here = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        here = here.get_mut(key).unwrap();
        for i in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            here = here.get_mut(i.parse::<usize>().unwrap()).unwrap();
        }
    }
    here.as_table_mut().unwrap()
}

#[test]
fn an_unknown_field_in_any_table_fails_the_schema_and_the_parser() {
    let v = validator();
    let mut checked = 0;
    for f in toml_files("scenarios") {
        let text = std::fs::read_to_string(&f).unwrap();
        let original: toml::Value = toml::from_str(&text).unwrap();
        let mut paths = Vec::new();
        tables(&original, String::new(), &mut paths);
        for path in paths {
            let mut doc = original.clone();
            table_at(&mut doc, &path).insert("not_a_field".into(), toml::Value::Integer(1));
            let where_ = format!("{}: `not_a_field` in table `{path}`", f.display());
            let json = serde_json::to_value(&doc).unwrap();
            assert!(!complaints(&v, &json).is_empty(), "{where_}: the schema passes it");
            // Everything but `cost.prices` is a table of fields; prices are named by the table.
            let err = scenario::parse_str(&toml::to_string(&doc).unwrap(), None)
                .err()
                .unwrap_or_else(|| panic!("{where_}: the parser takes it"));
            let expected =
                if path == "cost.prices" { "unknown price" } else { "unknown field `not_a_field`" };
            assert!(err.to_string().contains(expected), "{where_}: {err}");
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} tables checked");
}

/// Small cases at the edges of the kinds: the schema and the parser agree on each.
#[test]
fn the_schema_and_the_parser_agree_at_the_edges() {
    let v = validator();
    let base = |stream: &str, producer: &str, rest: &str| {
        format!(
            "name = \"edge\"\nduration = \"1m\"\n[stream]\n{stream}\n[[producers]]\nname = \"p\"\n{producer}\n{rest}\n"
        )
    };
    let ok_producer = "rate = 10\nrecord_size = \"1KiB\"";
    let cases: Vec<(String, bool)> = vec![
        (base("shards = 1", ok_producer, ""), true),
        (base("mode = \"on-demand\"", ok_producer, ""), true),
        (base("mode = \"on-demand\"\nshards = 2", ok_producer, ""), false),
        (base("mode = \"provisioned\"", ok_producer, ""), false),
        (base("shards = \"1\"", ok_producer, ""), false),
        (base("shards = 1", "rate = \"10\"\nrecord_size = \"1KiB\"", ""), false),
        (base("shards = 1", "rate = 10\nrecord_size = 1024", ""), false),
        (base("shards = 1", "rate = 10\nrecord_size = \"1 KiB\"", ""), true),
        (base("shards = 1", "rate = 10\nrecord_size = \"1.5KiB\"", ""), true),
        (base("shards = 1", "rate = 10\nrecord_size = \"1.KiB\"", ""), false),
        (base("shards = 1", "rate = 10\nrecord_size = \"1kib\"", ""), false),
        (base("shards = 1", &format!("{ok_producer}\nput_rtt = \"250us\""), ""), true),
        (base("shards = 1", &format!("{ok_producer}\nput_rtt = \"250µs\""), ""), true),
        (base("shards = 1", &format!("{ok_producer}\nput_rtt = {{ min = \"1ms\", max = \"2ms\" }}"), ""), true),
        (base("shards = 1", &format!("{ok_producer}\nput_rtt = {{ min = \"1ms\" }}"), ""), false),
        (base("shards = 1", &format!("{ok_producer}\naggregation = true"), ""), true),
        (base("shards = 1", &format!("{ok_producer}\naggregation = \"yes\""), ""), false),
        (base("shards = 1", &format!("{ok_producer}\naggregation = {{ max_size = \"50KiB\" }}"), ""), true),
        (
            base(
                "shards = 1",
                "rate = { shape = \"steps\", steps = [ { at = \"0s\", rate = 5 }, { at = \"30s\", rate = 9 } ] }\nrecord_size = \"1KiB\"",
                "",
            ),
            true,
        ),
        (base("shards = 1", "rate = { shape = \"steps\", steps = [] }\nrecord_size = \"1KiB\"", ""), false),
        (base("shards = 1", "rate = { shape = \"ramp\", from = 1, to = 2, start = \"0s\", end = 30 }\nrecord_size = \"1KiB\"", ""), false),
        (base("shards = 1", &format!("{ok_producer}\nkeys = {{ distribution = \"zipf\", count = 10, exponent = 1.1 }}"), ""), true),
        (base("shards = 1", &format!("{ok_producer}\nkeys = {{ distribution = \"hot\", hot = [] }}"), ""), false),
        (base("shards = 1", &format!("{ok_producer}\nkeys = {{ distribution = \"hot\", hot = [ {{ key = \"k\", share = 0.5 }} ] }}"), ""), true),
        (base("shards = 1", ok_producer, "[engine]\nretry_spread = 1"), false),
        (base("shards = 1", ok_producer, "[engine]\ntrace_records = 0\nbounds = \"strict\""), true),
        (base("shards = 1", ok_producer, "[size]\nshards = [2, 4]"), true),
        (base("shards = 1", ok_producer, "[size]\nshards = 4"), true),
        (base("shards = 1", ok_producer, "[size]\nshards = []"), false),
        (base("shards = 1", ok_producer, "[size]\nshards = { from = 1, to = 4 }"), true),
        (base("shards = 1", ok_producer, "[size]\nshards = { from = 1 }"), false),
        (base("shards = 1", ok_producer, "[size]\nconfidence = \"every-seed\""), true),
        (base("shards = 1", ok_producer, "[size]\nseeds = 3\nconfidence = 0.9"), true),
        (base("shards = 1", ok_producer, "[size]\nconfidence = \"always\""), false),
        (base("shards = 1", ok_producer, "[size]\nmodes = [\"provisioned\", \"provisioned\"]"), false),
        (base("shards = 1", ok_producer, "[size]\npolicies = [\"fixed\"]"), true),
        (base("shards = 1", ok_producer, "[size]\npolicies = [\"fixd\"]"), false),
        (base("shards = 1", ok_producer, "[cost]\nprices = { shard_hour = 0.02 }\npayload_counts_key = true"), true),
        (base("shards = 1", ok_producer, "[cost]\nprices = { shard_hours = 0.02 }"), false),
        (base("shards = 1", ok_producer, "[cost]\nregion = \"mars-north-1\""), false),
        (base("shards = 1", ok_producer, "[cost]\npayload_counts_key = \"no\""), false),
        (
            base(
                "shards = 1",
                ok_producer,
                "[[consumers]]\nname = \"c\"\n[consumers.job]\nperiod = \"10s\"\ninstance_failures = [ { instance = \"holder\", at = \"20s\" } ]",
            ),
            true,
        ),
        (
            base(
                "shards = 1",
                ok_producer,
                "[[consumers]]\nname = \"c\"\n[consumers.job]\nperiod = \"10s\"\ninstance_failures = [ { instance = \"leader\", at = \"20s\" } ]",
            ),
            false,
        ),
        (base("shards = 1", ok_producer, "[capacity]\nschedule = [ { at = \"30s\", shards = 2 } ]"), true),
        (base("shards = 1", ok_producer, "[capacity]\nschedule = [ { at = \"30s\" } ]"), false),
    ];
    for (text, loads) in &cases {
        let parsed = scenario::parse_str(text, None);
        assert_eq!(
            parsed.is_ok(),
            *loads,
            "the parser on:\n{text}\n{:?}",
            parsed.err().map(|e| e.to_string())
        );
        let errors = complaints(&v, &as_json(text).unwrap());
        assert_eq!(errors.is_empty(), *loads, "the schema on:\n{text}\n{}", errors.join("\n"));
    }
}

#[test]
fn the_unit_patterns_are_the_parsers_grammar() {
    use kinesim::units::{duration_pattern, parse_bytes, parse_duration, size_pattern, UnitError};
    let matches = |pattern: String, s: &str| {
        jsonschema::is_valid(&json!({ "type": "string", "pattern": pattern }), &json!(s))
    };
    // Overflow is a matter of size, not grammar: the pattern takes it, validation says "too long".
    let grammatical =
        |r: Result<u64, UnitError>| !matches!(r, Err(UnitError::Malformed | UnitError::Negative));
    let durations = [
        "10m",
        "1.5h",
        "250ms",
        "90s",
        "7d",
        "24 h",
        "0s",
        "100us",
        "5µs",
        "5μs",
        "1.",
        ".5s",
        "5",
        "5  s",
        " 5s",
        "5s ",
        "-5s",
        "5S",
        "1e3s",
        "5 ms",
        "5sec",
        "",
        "s",
        "1.2.3s",
        "99999999999999999999999999999999s",
    ];
    for s in durations {
        assert_eq!(matches(duration_pattern(), s), grammatical(parse_duration(s)), "duration {s:?}");
    }
    let sizes = [
        "100B",
        "1KiB",
        "1.5KiB",
        "2MiB",
        "1KB",
        "1 GB",
        "1GiB",
        "1kib",
        "1 KiB ",
        "1",
        "1.KiB",
        "-1B",
        "1 B",
        "1TB",
        "1b",
        "100000000000000000000000000000000GiB",
    ];
    for s in sizes {
        assert_eq!(matches(size_pattern(), s), grammatical(parse_bytes(s)), "size {s:?}");
    }
}

#[test]
fn schema_prints_a_draft_7_schema_of_the_format() {
    let o = Command::new(env!("CARGO_BIN_EXE_kinesim")).arg("schema").output().expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed: Value = serde_json::from_slice(&o.stdout).expect("kinesim schema prints JSON");
    assert_eq!(printed["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(printed["title"], "kinesim scenario");
    assert_eq!(printed, json_schema(), "the command prints the library's schema");
    jsonschema::meta::validate(&printed).expect("a valid draft-7 schema");
    // Doc comments are the descriptions; the top level's fields are there, required or not.
    let props = printed["properties"].as_object().expect("properties");
    for key in [
        "name",
        "description",
        "seed",
        "duration",
        "stream",
        "producers",
        "engine",
        "capacity",
        "consumers",
        "cost",
        "size",
    ] {
        let d = props.get(key).and_then(|p| p["description"].as_str());
        assert!(d.is_some_and(|d| !d.is_empty()), "{key} has a description");
    }
    assert_eq!(printed["required"], json!(["name", "duration", "stream", "producers"]));
    assert_eq!(printed["additionalProperties"], json!(false));
    // TOML has no null: no `null` anywhere in the schema.
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("null"), "the schema allows a null somewhere");
    // The same text every time (an editor's copy does not churn).
    let again = Command::new(env!("CARGO_BIN_EXE_kinesim")).arg("schema").output().unwrap();
    assert_eq!(again.stdout, o.stdout);
    // --help shows how to use it.
    let help = Command::new(env!("CARGO_BIN_EXE_kinesim")).args(["schema", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("kinesim schema > kinesim.schema.json") && help.contains("#:schema"), "{help}");
}
