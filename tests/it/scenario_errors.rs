//! The bad-scenario corpus (tests/fixtures/bad/*.toml): every file must be rejected, without a
//! panic, with a message that names the file, says what `# expect:` lines say, and points at the
//! line given by `# line: N`. The good scenarios (tests/fixtures/good/*.toml) must load.
//!
//! Directives at the top of each bad file:
//!
//! ```text
//! # expect: <substring of the error text>     (one or more)
//! # line: <N> | none                          (the first problem is reported at `<file>:<N>:`)
//! # what: <what the file gets wrong>
//! ```

use kinesim::scenario::{self, EngineMode, KeySpec, RateShape, SizeDist};
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(kind)
}

/// The `.toml` files of a fixture folder, sorted; unreadable folders are a failure.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Files that cannot carry their own `# expect:` lines.
fn built_in_expectations(file_name: &str) -> Option<(Vec<&'static str>, Option<usize>)> {
    match file_name {
        "empty.toml" => {
            Some((vec!["name: missing required field", "duration: missing required field"], None))
        }
        _ => None,
    }
}

struct Expectations {
    substrings: Vec<String>,
    line: Option<usize>,
}

/// Read the directives; bytes after them may be anything (binary files).
fn expectations(path: &Path, bytes: &[u8]) -> Result<Expectations, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some((subs, line)) = built_in_expectations(&name) {
        return Ok(Expectations { substrings: subs.into_iter().map(String::from).collect(), line });
    }
    let mut substrings = Vec::new();
    let mut line = None;
    let mut line_given = false;
    for raw in bytes.split(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(raw);
        if let Some(e) = text.strip_prefix("# expect: ") {
            substrings.push(e.trim_end().to_string());
        } else if let Some(l) = text.strip_prefix("# line: ") {
            line_given = true;
            let l = l.trim();
            if l != "none" {
                line = Some(l.parse().map_err(|_| format!("{name}: bad `# line:` directive {l:?}"))?);
            }
        } else if !text.starts_with("# what: ") {
            break;
        }
    }
    if substrings.is_empty() {
        return Err(format!("{name}: no `# expect:` line"));
    }
    if !line_given {
        return Err(format!("{name}: no `# line:` directive (use `# line: none` for whole-file problems)"));
    }
    Ok(Expectations { substrings, line })
}

/// Check one bad file; `Err` describes what is wrong with the result.
fn check_bad(path: &Path) -> Result<(), String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read the fixture: {e}"))?;
    let expect = expectations(path, &bytes)?;
    let result =
        std::panic::catch_unwind(|| scenario::load(path)).map_err(|_| format!("{name}: load panicked"))?;
    let err = match result {
        Ok(_) => return Err(format!("{name}: loaded, but it is in the bad corpus")),
        Err(e) => e,
    };
    let text = err.to_string();
    let mut wrong = Vec::new();
    if !text.contains(&name) {
        wrong.push("the message does not name the file".to_string());
    }
    for s in &expect.substrings {
        if !text.contains(s.as_str()) {
            wrong.push(format!("missing {s:?}"));
        }
    }
    if let Some(line) = expect.line {
        let at = format!("{name}:{line}:");
        if err.problems().first().and_then(|p| p.line) != Some(line) || !text.contains(&at) {
            wrong.push(format!("the first problem is not at {at}"));
        }
    }
    if err.problems().is_empty() {
        wrong.push("no problems listed".to_string());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}\n--- message ---\n{text}\n---", wrong.join("; ")))
    }
}

#[test]
fn every_bad_scenario_is_rejected_with_the_expected_message() {
    let files = match toml_files(&fixtures("bad")) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    assert!(files.len() >= 40, "the bad corpus has only {} files", files.len());
    let failures: Vec<String> = files.iter().filter_map(|f| check_bad(f).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad scenarios misbehave:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// A problem's field path, line and column.
type Position<'a> = (&'a str, Option<usize>, Option<usize>);

/// Exact positions (line and column) of a few problems, through the `problems()` API.
#[test]
fn problems_carry_exact_positions() {
    let cases: &[(&str, &[Position])] = &[
        // `record_size = "12 parsecs"`: the value starts in column 15.
        ("record-size-parsecs.toml", &[("producers[0].record_size", Some(13), Some(15))]),
        // Unknown fields are reported on their key, in their table.
        ("unknown-field-in-producer.toml", &[("producers[0]", Some(13), Some(1))]),
        // A missing field points at the header of its table.
        ("shards-missing.toml", &[("stream.shards", Some(7), Some(1))]),
        // Every problem, in line order; missing top-level fields have no line.
        (
            "many-problems.toml",
            &[
                ("duration", Some(10), Some(12)),
                ("stream.shards", Some(12), Some(10)),
                ("producers[0].rate", Some(15), Some(8)),
                ("producers[0].record_size", Some(16), Some(15)),
                ("producers[1].name", Some(18), Some(8)),
                ("producers[1].batch.max_records", Some(21), Some(25)),
            ],
        ),
        (
            "empty.toml",
            &[
                ("name", None, None),
                ("duration", None, None),
                ("stream", None, None),
                ("producers", None, None),
            ],
        ),
    ];
    for (file, expected) in cases {
        let err = scenario::load(&fixtures("bad").join(file)).expect_err(file);
        let got: Vec<Position> = err.problems().iter().map(|p| (p.path.as_str(), p.line, p.column)).collect();
        assert_eq!(&got, expected, "{file}:\n{err}");
    }
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = fixtures("bad").join("does-not-exist.toml");
    let err = scenario::load(&path).expect_err("missing file");
    assert!(err.is_io());
    assert!(err.to_string().starts_with("error: cannot read scenario file "), "{err}");
    assert!(err.to_string().contains("does-not-exist.toml"), "{err}");
    assert_eq!(err.problems().len(), 1);
}

#[test]
fn every_good_scenario_loads() {
    let files = match toml_files(&fixtures("good")) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    assert!(files.len() >= 3);
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| scenario::load(f).err().map(|e| format!("{}:\n{e}", f.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_good_scenarios_resolve_as_written() {
    let s = scenario::load(&fixtures("good").join("every-shape.toml")).expect("every-shape loads");
    let shapes: Vec<&str> = s
        .producers
        .iter()
        .map(|p| match p.rate {
            RateShape::Constant(_) => "constant",
            RateShape::Steps(_) => "steps",
            RateShape::Ramp { .. } => "ramp",
            RateShape::Diurnal { .. } => "diurnal",
            RateShape::Spike { .. } => "spike",
            RateShape::Trace { .. } => "trace",
        })
        .collect();
    assert_eq!(shapes, ["constant", "constant", "steps", "ramp", "diurnal", "spike", "trace"]);
    assert_eq!(s.producers[1].rate, RateShape::Constant(250.5));
    assert_eq!(s.producers[3].record_size, SizeDist::LogNormal { median: 1024, p99: 20 * 1024 });
    assert_eq!(
        s.producers[4].keys,
        KeySpec::Hot { hot: vec![("celebrity".into(), 0.5)], count: 1000, template: "fan-{}".into() }
    );
    assert_eq!(s.engine.mode, EngineMode::Aggregated, "over 20 million records expected");
    assert_eq!(s.engine.tick, 500_000);

    let t = scenario::load(&fixtures("good").join("with-trace.toml")).expect("with-trace loads");
    let RateShape::Trace { points, path, .. } = &t.producers[0].rate else {
        panic!("not a trace: {:?}", t.producers[0].rate)
    };
    assert_eq!(points, &[(0, 200.0), (90_000_000, 800.0), (300_000_000, 1200.5), (600_000_000, 300.0)]);
    assert_eq!(path, &fixtures("good").join("traffic.csv"));
    assert_eq!(t.engine.mode, EngineMode::PerRecord);

    let m = scenario::load(&fixtures("good").join("minimal.toml")).expect("minimal loads");
    assert_eq!(m.producers[0].retry.max_attempts, 1);
    assert_eq!(m.producers[0].keys, KeySpec::Uniform { count: 10_000, template: "key-{}".into() });
}

/// A scenario with `n` hot keys (`hot-0`, `hot-1`, ...), entry `i` on line `10 + i`.
fn hot_list(n: usize, share: &str) -> String {
    let mut s = String::from(
        "name = \"hot\"\nduration = \"10m\"\n[stream]\nshards = 1\n[[producers]]\nname = \"app\"\n\
         rate = 100\nrecord_size = \"100B\"\nkeys = { distribution = \"hot\", count = 10, hot = [\n",
    );
    for i in 0..n {
        s.push_str(&format!("{{ key = \"hot-{i}\", share = {share} }},\n"));
    }
    s.push_str("]}\n");
    s
}

/// 200,000 hot keys (a 7 MB file): accepted, in order; a duplicate at the very end is found
/// and located. The duplicate check used to compare each key with every earlier one, and took
/// minutes here (`cargo bench --bench validate` shows the time per entry).
#[test]
fn a_200000_entry_hot_key_list_validates() {
    let n = 200_000;
    let text = hot_list(n, "1e-6");
    let s = scenario::parse_str(&text, None).unwrap_or_else(|e| panic!("{e}"));
    let KeySpec::Hot { hot, count, .. } = &s.producers[0].keys else { panic!("{:?}", s.producers[0].keys) };
    assert_eq!((hot.len(), *count), (n, 10));
    assert_eq!(hot[0], ("hot-0".to_string(), 1e-6));
    assert_eq!(hot[n - 1], (format!("hot-{}", n - 1), 1e-6));
    let last = format!("key = \"hot-{}\"", n - 1);
    let dup = text.replace(&last, "key = \"hot-0\"");
    let e = scenario::parse_str(&dup, None).expect_err("a duplicate hot key");
    let got: Vec<(&str, Option<usize>)> = e.problems().iter().map(|p| (p.path.as_str(), p.line)).collect();
    assert_eq!(got, vec![("producers[0].keys.hot[199999].key", Some(10 + n - 1))], "{e}");
    assert!(e.to_string().contains("duplicate hot key \"hot-0\""), "{e}");
}

/// A problem on each of 20,000 lines: every one is reported at its own line and column (the
/// positions are found in one pass over the text, not one rescan per problem).
#[test]
fn every_problem_of_a_long_list_is_located() {
    let n = 20_000;
    let e = scenario::parse_str(&hot_list(n, "0"), None).expect_err("shares of 0");
    let problems = e.problems();
    assert_eq!(problems.len(), n);
    for (i, p) in problems.iter().enumerate() {
        assert_eq!(p.path, format!("producers[0].keys.hot[{i}].share"));
        // `{ key = "hot-7", share = 0 }`: the value is after `share = `.
        let column = format!("{{ key = \"hot-{i}\", share = ").chars().count() + 1;
        assert_eq!((p.line, p.column), (Some(10 + i), Some(column)), "{p}");
        assert_eq!(p.message, "must be greater than 0");
    }
}

/// A `file =` that names a file which is not a CSV (here /etc/passwd, and a copy of its start
/// in the fixtures) is refused at its first line, and the error does not echo the file.
#[test]
fn files_that_are_not_csv_are_not_echoed() {
    let copy = fixtures("bad").join("not-a-csv.passwd.csv");
    let mut files = vec![copy];
    if Path::new("/etc/passwd").is_file() {
        files.push(PathBuf::from("/etc/passwd"));
    }
    for file in files {
        for shape in ["trace", "cloudwatch"] {
            for name in ["x.csv", "x.json"] {
                // A copy under each name, so the extension picks the reader.
                let dir = std::env::temp_dir().join(format!("kinesim-not-csv-{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(name);
                std::fs::copy(&file, &path).unwrap();
                let text = format!(
                    "name = \"x\"\nduration = \"10m\"\n[stream]\nshards = 1\n[[producers]]\nname = \"a\"\n\
                     rate = {{ shape = \"{shape}\", file = {:?} }}\nrecord_size = \"100B\"\n",
                    path.display().to_string()
                );
                let e = scenario::parse_str(&text, None).expect_err("not a CSV");
                let all = e.to_string();
                let first_line = std::fs::read_to_string(&file).unwrap().lines().next().unwrap().to_string();
                for echo in ["root:x:0:0", "/bin/bash", "daemon:x", first_line.as_str()] {
                    assert!(
                        !all.contains(echo),
                        "{shape} {name} {}: echoes {echo:?}:\n{all}",
                        file.display()
                    );
                }
                assert_eq!(e.problems().len(), 1, "{all}");
                assert_eq!(e.problems()[0].line, Some(7), "{all}");
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
}
