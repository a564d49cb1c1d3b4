//! `kinesim size`: the sweep, the search, the statistics and the recommendation.

use crate::common::scenario;
use kinesim::scenario::{parse_str, CapacityMode, SizeSearch};
use kinesim::size::{self, stats};

/// 3,500 evenly spaced records/s of 200 B over uniform keys: throttling falls as shards grow
/// and stops at 4 shards (3,500 / 4 = 875 records/s per shard), whatever the seed.
const MONOTONE: &str = r#"
name = "monotone"
seed = 5
duration = "20s"
[stream]
shards = 1
[engine]
mode = "aggregated"
[[producers]]
name = "p"
rate = 3500
arrivals = "uniform"
record_size = "200B"
keys = { distribution = "uniform", count = 20000 }
retry = { max_attempts = 1 }
[size]
slo = { max_throttle_rate = 0.001, max_dropped = 0 }
shards = { from = 1, to = 12 }
seeds = 2
"#;

fn no_progress() {}

#[test]
fn bisection_finds_the_grid_answer_with_fewer_points() {
    let sc = scenario(MONOTONE);
    let grid_settings = sc.size.clone().unwrap();
    let grid = size::size(&sc, &grid_settings, &no_progress).unwrap();
    let mut bisect_settings = grid_settings.clone();
    bisect_settings.search = SizeSearch::Bisect;
    let bisect = size::size(&sc, &bisect_settings, &no_progress).unwrap();
    assert_eq!(grid.points.len(), 12);
    let g = &grid.points[grid.recommendation.expect("the grid finds a point")];
    let b = &bisect.points[bisect.recommendation.expect("bisection finds a point")];
    assert_eq!(g.point.shards, b.point.shards);
    assert_eq!(g, b, "the same point, the same runs");
    // Throttling is monotone here, so the grid's answer is the smallest passing count.
    assert!(grid.points.iter().all(|p| p.meets_slo == (p.point.shards >= g.point.shards)));
    assert!(bisect.points.len() <= size::bisect_probes_max(12), "{} points", bisect.points.len());
    assert!(bisect.points.len() < grid.points.len());
    assert_eq!(bisect.runs, bisect.points.len() * 2);
    assert!(bisect.points.windows(2).all(|w| w[0].point.shards < w[1].point.shards), "probes in input order");
}

#[test]
fn the_recommendation_meets_the_slo_in_every_seed_and_nothing_cheaper_does() {
    let sc = scenario(MONOTONE);
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress).unwrap();
    let i = s.recommendation.unwrap();
    let rec = &s.points[i];
    assert_eq!(rec.point.shards, 4);
    assert_eq!(rec.runs.len(), 2);
    assert_eq!(rec.runs.iter().map(|r| r.seed).collect::<Vec<_>>(), vec![5, 6]);
    for r in &rec.runs {
        assert!(r.meets_slo && r.throttle_rate <= 0.001 && r.records_dropped == 0, "{r:?}");
    }
    for p in &s.points {
        if p.cost_per_month_usd.mean < rec.cost_per_month_usd.mean {
            assert!(!p.meets_slo, "{} is cheaper and meets the SLO", p.label);
        }
    }
    let csv = String::from_utf8(kinesim::report::size::csv(&s)).unwrap();
    assert_eq!(csv.lines().count(), 13, "a header and one row per point");
    assert_eq!(csv.lines().filter(|l| l.ends_with(",true,true")).count(), 1, "one recommended row");
}

#[test]
fn a_hot_key_is_not_fixed_by_any_shard_count_and_the_report_says_so() {
    // One key carries half of 4,000 records/s: 2,000 records/s on one shard. The textbook
    // formula (200 B rounded up to 1 KiB: 4,000 KiB/s) says 4 shards.
    let sc = scenario(
        r#"
name = "hot"
seed = 3
duration = "15s"
[stream]
shards = 4
[engine]
mode = "aggregated"
[[producers]]
name = "p"
rate = 4000
record_size = "200B"
keys = { distribution = "hot", hot = [ { key = "celebrity", share = 0.5 } ], count = 10000 }
retry = { max_attempts = 1 }
[size]
shards = [1, 2, 4, 8, 16, 32]
modes = ["provisioned", "on-demand"]
seeds = 1
"#,
    );
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress).unwrap();
    assert_eq!(s.textbook.shards_at_peak_with_record_limit, 4);
    assert_eq!(s.recommendation, None, "{:#?}", s.points);
    assert!(s.points.iter().all(|p| p.throttle_rate.mean > 0.1), "every point throttles heavily");
    let hot = s.reasons.iter().find(|r| r.kind == "hot-key").expect("a hot-key reason");
    assert!(hot.text.contains("one key carries 50% of the traffic"), "{}", hot.text);
    assert!(hot.text.contains("2,000 records/s on one shard"), "{}", hot.text);
    assert!(hot.text.contains("no shard count fixes it"), "{}", hot.text);
    let text = kinesim::report::size::text(&s);
    assert!(text.contains("none of the points tried meets the SLO"), "{text}");
    assert!(text.contains("no shard count fixes it"), "{text}");
}

#[test]
fn the_confidence_interval_matches_a_hand_computation() {
    // Mean 3, sample variance 2.5, s/√n = √0.5, t(0.975, 4 df) = 2.776445 (tables: 2.776).
    let e = stats::estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    let half = 2.776_445 * 0.5f64.sqrt();
    assert_eq!(e.mean, 3.0);
    assert!((e.ci_low.unwrap() - (3.0 - half)).abs() < 1e-5, "{e:?}");
    assert!((e.ci_high.unwrap() - (3.0 + half)).abs() < 1e-5, "{e:?}");
    assert!((e.half_width().unwrap() - 1.963_243).abs() < 1e-5);
    assert!((stats::t_975(1) - 12.706_205).abs() < 1e-5);
    assert!((stats::t_975(100) - 1.983_972).abs() < 1e-5, "not the normal 1.96 beyond 30 seeds");
}

#[test]
fn points_change_only_the_capacity() {
    let mut sc = scenario(MONOTONE);
    sc.capacity.on_demand.initial_shards = 6;
    let settings = sc.size.clone().unwrap();
    let p = size::Point { mode: CapacityMode::OnDemand, shards: 6, policy: None };
    let od = size::point_scenario(&sc, p, 9);
    assert_eq!((od.stream.mode, od.stream.shards, od.seed), (CapacityMode::OnDemand, 6, 9));
    assert_eq!(od.producers, sc.producers);
    assert_eq!(size::grid_points(&sc, &settings).len(), 12);
    // Both write-limit bounds (the default): the sweep runs under each.
    assert_eq!(size::planned_runs(&sc, &settings), 48);
    assert_eq!(size::planned_runs(&kinesim::experiment::strict(&sc), &settings), 24);
}

#[test]
fn the_size_table_is_validated_with_field_paths() {
    let bad = |table: &str| {
        let text = MONOTONE.split("[size]").next().unwrap().to_string() + "[size]\n" + table;
        parse_str(&text, None).unwrap_err().to_string()
    };
    let e = bad("shards = { from = 8, to = 2 }\n");
    assert!(e.contains("size.shards.to") && e.contains("at least from (8)"), "{e}");
    let e = bad("shards = [4, 0]\n");
    assert!(e.contains("size.shards[1]"), "{e}");
    let e = bad("modes = [\"provisioned\", \"ondemand\"]\n");
    assert!(e.contains("size.modes[1]") && e.contains("did you mean \"on-demand\""), "{e}");
    let e = bad("slo = { max_p99_iterator_age_ms = 5000 }\n");
    assert!(e.contains("size.slo.max_p99_iterator_age_ms") && e.contains("no [[consumers]]"), "{e}");
    let e = bad("slo = {}\n");
    assert!(e.contains("size.slo") && e.contains("at least one bound"), "{e}");
    let e = bad("seeds = 0\nsearch = \"binary\"\n");
    assert!(e.contains("size.seeds") && e.contains("size.search"), "{e}");
    let e = bad("shards = 4\nstep = 2\n");
    assert!(e.contains("unknown field `step`"), "{e}");
    let ok =
        parse_str(&(MONOTONE.split("[size]").next().unwrap().to_string() + "[size]\nshards = 4\n"), None);
    let s = ok.unwrap().size.unwrap();
    assert_eq!(s.shards, vec![4]);
    assert_eq!(s.seeds, 3, "default seeds");
    assert_eq!(scenario(MONOTONE.split("[size]").next().unwrap()).size, None, "no [size]: None");
}

#[test]
fn size_is_identical_at_any_thread_count() {
    let dir = std::env::temp_dir().join(format!("kinesim-size-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("monotone.toml");
    let text = MONOTONE
        .replace("arrivals = \"uniform\"", "arrivals = \"poisson\"")
        .replace("seeds = 2", "seeds = 3\nmodes = [\"provisioned\", \"on-demand\"]\nsearch = \"grid\"")
        .replace("to = 12", "to = 6");
    std::fs::write(&file, text).unwrap();
    let run = |threads: &str, out: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim"))
            .args(["size", &file.to_string_lossy(), "--out", &dir.join(out).to_string_lossy(), "--quiet"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet prints nothing");
    };
    run("1", "one");
    run("2", "two");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".kinesim-report.json",
            "size-cost-vs-latency.svg",
            "size-cost-vs-throttle.svg",
            "size-throttle-vs-shards.svg",
            "sizing.csv",
            "sizing.json"
        ]
    );
    for n in &names {
        let a = std::fs::read(dir.join("one").join(n)).unwrap();
        let b = std::fs::read(dir.join("two").join(n)).unwrap();
        assert!(a == b, "{n} differs between 1 and 2 threads");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("one/sizing.json")).unwrap()).unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 7);
    assert_eq!(json["points"][6]["mode"], "on-demand");
    assert_eq!(json["points"][0]["runs"].as_array().unwrap().len(), 3);
    assert!(json["points"][0]["throttle_rate"]["ci_low"].is_number());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parts_merged_equal_one_run_byte_for_byte() {
    let dir = std::env::temp_dir().join(format!("kinesim-size-parts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("monotone.toml");
    let text = MONOTONE
        .replace("arrivals = \"uniform\"", "arrivals = \"poisson\"")
        .replace("seeds = 2", "seeds = 2\nmodes = [\"on-demand\", \"provisioned\"]")
        .replace("to = 12", "to = 5")
        // Parts sweep under size.bound alone; so does this single run, to compare byte for byte.
        .replace("mode = \"aggregated\"", "mode = \"aggregated\"\nbounds = \"strict\"");
    std::fs::write(&file, text).unwrap();
    let kinesim = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim")).args(args).output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let f = file.to_string_lossy().into_owned();
    let d = |s: &str| dir.join(s).to_string_lossy().into_owned();
    assert_eq!(kinesim(&["size", &f, "--out", &d("single"), "--quiet"]).0, Some(0));
    // Parts in any order, each in its own folder (as separate machines would write them).
    for i in [3, 1, 2] {
        let (code, err) =
            kinesim(&["size", &f, "--part", &format!("{i}/3"), "--out", &d(&format!("p{i}")), "--quiet"]);
        assert_eq!(code, Some(0), "{err}");
    }
    let part = |i: u32| d(&format!("p{i}/part.json"));
    let (code, err) =
        kinesim(&["size-merge", &f, &part(2), &part(3), &part(1), "--out", &d("merged"), "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    for n in [
        "sizing.json",
        "sizing.csv",
        "size-cost-vs-throttle.svg",
        "size-cost-vs-latency.svg",
        "size-throttle-vs-shards.svg",
    ] {
        let a = std::fs::read(dir.join("single").join(n)).unwrap();
        let b = std::fs::read(dir.join("merged").join(n)).unwrap();
        assert!(a == b, "{n}: merged parts differ from the single run");
    }
    // The same split as a job array would run it: one command line, the index from the
    // array's variable (Kubernetes: JOB_COMPLETION_INDEX, 0-based; Slurm: the task id counted
    // from SLURM_ARRAY_TASK_MIN), or 0-based explicit indexes with --part-base 0. Each gives
    // part files identical to `--part i/3`.
    for i in 1..=3u32 {
        let array = |vars: &[(&str, String)], args: &[&str]| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim"));
            for v in [
                "SLURM_ARRAY_TASK_ID",
                "SLURM_ARRAY_TASK_MIN",
                "JOB_COMPLETION_INDEX",
                "AWS_BATCH_JOB_ARRAY_INDEX",
            ] {
                c.env_remove(v);
            }
            let o = c.envs(vars.iter().map(|(k, v)| (*k, v.as_str()))).args(args).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        };
        let k8s = d(&format!("k{i}"));
        array(
            &[("JOB_COMPLETION_INDEX", (i - 1).to_string())],
            &["size", &f, "--part", "auto/3", "--out", &k8s, "-q"],
        );
        let slurm = d(&format!("s{i}"));
        let ids = [("SLURM_ARRAY_TASK_ID", (i + 9).to_string()), ("SLURM_ARRAY_TASK_MIN", "10".to_string())];
        array(&ids, &["size", &f, "--part", "auto/3", "--out", &slurm, "-q"]);
        let zero = d(&format!("z{i}"));
        let spec = format!("{}/3", i - 1);
        array(&[], &["size", &f, "--part", &spec, "--part-base", "0", "--out", &zero, "-q"]);
        let want = std::fs::read(part(i)).unwrap();
        for got in [&k8s, &slurm, &zero] {
            assert!(std::fs::read(format!("{got}/part.json")).unwrap() == want, "{got}: part {i} of 3");
        }
    }
    // A missing part, a duplicated part and a bad split are refused as bad input.
    let (code, err) = kinesim(&["size-merge", &f, &part(1), &part(3), "--out", &d("m2")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing part(s) 2/3"), "{err}");
    let (code, err) = kinesim(&["size-merge", &f, &part(1), &part(1), &part(2), &part(3), "--out", &d("m3")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("given twice"), "{err}");
    let (code, err) = kinesim(&["size", &f, "--part", "4/3"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("the index runs from 1 to 3"), "{err}");
    // A part of another scenario is refused.
    let other = dir.join("other.toml");
    std::fs::write(&other, std::fs::read_to_string(&file).unwrap().replace("rate = 3500", "rate = 3600"))
        .unwrap();
    let (code, err) =
        kinesim(&["size-merge", &other.to_string_lossy(), &part(1), &part(2), &part(3), "--out", &d("m4")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("different scenario"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kinesim` with `args`: (exit code, stderr).
fn kinesim_cli(args: &[&str]) -> (Option<i32>, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim")).args(args).output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn tampered_part_files_are_refused_or_judged_again_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("kinesim-size-tamper-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("monotone.toml");
    std::fs::write(&file, MONOTONE.replace("to = 12", "to = 5")).unwrap();
    let f = file.to_string_lossy().into_owned();
    let d = |s: &str| dir.join(s).to_string_lossy().into_owned();
    for i in [1, 2] {
        let (code, err) =
            kinesim_cli(&["size", &f, "--part", &format!("{i}/2"), "--out", &d(&format!("p{i}")), "--quiet"]);
        assert_eq!(code, Some(0), "{err}");
    }
    let read = |i: u32| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join(format!("p{i}/part.json"))).unwrap()).unwrap()
    };
    let (code, err) = kinesim_cli(&[
        "size-merge",
        &f,
        &d("p1/part.json"),
        &d("p2/part.json"),
        "--out",
        &d("honest"),
        "--quiet",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let honest = std::fs::read(dir.join("honest/sizing.json")).unwrap();
    let sizing: serde_json::Value = serde_json::from_slice(&honest).unwrap();
    // 3,500 records/s need 4 shards: 1 to 3 shards throttle (the forgery below needs them).
    assert_eq!(sizing["points"][sizing["recommendation"].as_u64().unwrap() as usize]["shards"], 4);

    // Every run claims to meet the SLO: the claim is not read, so the report is the honest one
    // (it used to recommend 1 shard, throttling most records).
    let mut forged = [read(1), read(2)];
    for part in &mut forged {
        for run in part["runs"].as_array_mut().unwrap() {
            run["meets_slo"] = serde_json::json!(true);
        }
    }
    for (i, v) in forged.iter().enumerate() {
        std::fs::write(dir.join(format!("forged{}.json", i + 1)), serde_json::to_vec(v).unwrap()).unwrap();
    }
    let (code, err) = kinesim_cli(&[
        "size-merge",
        &f,
        &d("forged1.json"),
        &d("forged2.json"),
        "--out",
        &d("forged"),
        "--quiet",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        std::fs::read(dir.join("forged/sizing.json")).unwrap() == honest,
        "a forged meets_slo was believed"
    );

    // Each tampering of part 1, merged with the honest part 2: exit 2, the file named, the reason.
    let nan = f64::NAN.to_bits();
    type Tamper = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Tamper, &str)> = vec![
        ("zero-parts", Box::new(|v| v["parts"] = 0.into()), "expected 1 <= part <= parts"),
        ("zero-part", Box::new(|v| v["part"] = 0.into()), "expected 1 <= part <= parts"),
        (
            "duplicate-job",
            Box::new(|v| {
                let runs = v["runs"].as_array_mut().unwrap();
                let first = runs[0].clone();
                runs.push(first);
            }),
            "listed twice",
        ),
        ("nan", Box::new(move |v| v["runs"][0]["throttle_rate_bits"] = nan.into()), "not a finite number"),
        (
            "inf-cost",
            Box::new(|v| v["runs"][0]["cost_per_month_usd_bits"] = f64::INFINITY.to_bits().into()),
            "cost_per_month_usd_bits",
        ),
        (
            "throttle-above-1",
            Box::new(|v| v["runs"][0]["throttle_rate_bits"] = 1.5f64.to_bits().into()),
            "outside 0..=1",
        ),
        (
            "negative-latency",
            Box::new(|v| v["runs"][0]["p99_put_latency_ms_bits"] = (-1.0f64).to_bits().into()),
            "p99_put_latency_ms_bits",
        ),
        ("no-shards", Box::new(|v| v["runs"][0]["shards_final"] = 0.into()), "shards_final"),
        (
            "age-without-consumers",
            Box::new(|v| v["runs"][0]["p99_iterator_age_ms_bits"] = 1.0f64.to_bits().into()),
            "no consumers",
        ),
        ("job-out-of-range", Box::new(|v| v["runs"][0]["job"] = 1_000_000.into()), "out of range"),
        (
            "other-version",
            Box::new(|v| v["kinesim_version"] = "0.0.1-other".into()),
            "written by kinesim \"0.0.1-other\", but this is kinesim",
        ),
    ];
    for (name, tamper, why) in cases {
        let mut v = read(1);
        tamper(&mut v);
        let path = d(&format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let (code, err) =
            kinesim_cli(&["size-merge", &f, &path, &d("p2/part.json"), "--out", &d("m"), "--quiet"]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(&format!("{name}.json")) && err.contains(why), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // The other version is named alongside this one.
    let (_, err) =
        kinesim_cli(&["size-merge", &f, &d("other-version.json"), &d("p2/part.json"), "--out", &d("m")]);
    assert!(err.contains(env!("CARGO_PKG_VERSION")), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

const TINY: &str = r#"
name = "tiny"
seed = 1
duration = "10s"
[stream]
shards = 2
[[producers]]
name = "p"
rate = 100
record_size = "1KiB"
[size]
shards = [1, 2]
seeds = 2
"#;

#[test]
fn the_fingerprint_is_a_pinned_hash_of_what_the_scenario_says_not_where_it_lies() {
    use kinesim::size::parts::fingerprint;
    let fp = |toml: &str, source: Option<&std::path::Path>| {
        let sc = parse_str(toml, source).unwrap();
        let settings = sc.size.clone().unwrap();
        fingerprint(&sc, &settings)
    };
    let a = fp(TINY, None);
    // Golden value: SHA-256 of the canonical JSON. It changes only when the canonical form (a
    // field of the validated scenario, a default, a shipped price) changes; update it then, on
    // purpose.
    // (Changed on purpose when `[cost] payload_counts_key` joined the cost settings, and again
    // with the stream's burst settings and the engine's bounds, and when the price table's
    // `source` texts were rewritten to name public addresses only.)
    assert_eq!(a, "ed0ce506ca29a2a201172804201f46117ae405ea5405a352e53508189c7def75");
    assert_eq!(a.len(), 64);
    // Where the file lies does not matter (parts run on different machines) ...
    assert_eq!(fp(TINY, Some(std::path::Path::new("/some/where/tiny.toml"))), a);
    assert_eq!(fp(TINY, Some(std::path::Path::new("elsewhere/tiny.toml"))), a);
    // ... each setting does, in the scenario and in [size].
    for (from, to) in [
        ("rate = 100", "rate = 101"),
        ("seeds = 2", "seeds = 3"),
        ("duration = \"10s\"", "duration = \"11s\""),
        ("[size]", "[cost]\npayload_counts_key = true\n[size]"),
    ] {
        assert_ne!(fp(&TINY.replace(from, to), None), a, "{to}");
    }
}

/// Five polling consumers read 800 KiB/s each from a stream written at 800 records/s of 1 KiB:
/// 4 MiB/s of reads against each shard's shared 2 MiB/s read limit
/// (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html:
/// GetRecords 2 MiB/s per shard). One shard takes the writes easily (800 < 1,000 records/s),
/// so only the iterator-age bound asks for more shards: 4 MiB/s / N <= 2 MiB/s needs N >= 2,
/// with headroom 3.
const LAGGING: &str = r#"
name = "lagging-readers"
seed = 11
duration = "3m"
[stream]
shards = 1
[engine]
mode = "aggregated"
[[producers]]
name = "clicks"
rate = 800
record_size = "1KiB"
keys = { distribution = "uniform", count = 10000 }
[[consumers]]
name = "a"
kind = "polling"
[[consumers]]
name = "b"
kind = "polling"
[[consumers]]
name = "c"
kind = "polling"
[[consumers]]
name = "d"
kind = "polling"
[[consumers]]
name = "e"
kind = "polling"
[size]
slo = { max_throttle_rate = 0.001, max_dropped = 0, max_p99_iterator_age_ms = 5000 }
shards = [1, 2, 3, 4, 6]
seeds = 2
"#;

#[test]
fn more_shards_fix_consumer_lag_under_an_iterator_age_slo() {
    let sc = scenario(LAGGING);
    let settings = sc.size.clone().unwrap();
    let s = size::size(&sc, &settings, &no_progress).unwrap();
    let rec = &s.points[s.recommendation.expect("a point meets the SLO")];
    assert_eq!(rec.point.shards, 3, "{}", kinesim::report::size::text(&s));
    for p in &s.points {
        // Writes never throttle: the iterator age alone decides.
        assert!(p.runs.iter().all(|r| r.throttle_rate == 0.0 && r.records_dropped == 0), "{}", p.label);
        let ages: Vec<f64> = p.runs.iter().map(|r| r.p99_iterator_age_ms.unwrap()).collect();
        assert_eq!(p.meets_slo, ages.iter().all(|a| *a <= 5000.0), "{}: {ages:?}", p.label);
    }
    // One and two shards fall far behind (tens of seconds and more).
    assert!(s.points[0].runs.iter().all(|r| r.p99_iterator_age_ms.unwrap() > 20_000.0));
    assert!(s.points[1].runs.iter().all(|r| r.p99_iterator_age_ms.unwrap() > 5_000.0));
    assert!(s.points[3].p99_iterator_age_ms.unwrap().mean < 5000.0);
    let why = s.reasons.iter().find(|r| r.kind == "consumers").expect("a consumers reason");
    assert!(why.text.contains("5 polling consumers") && why.text.contains("2 MiB/s"), "{}", why.text);
    assert!(kinesim::report::size::text(&s).contains("p99 iter. age [ms]"));
    // Without the iterator-age bound one shard is enough.
    let mut no_age = settings.clone();
    no_age.slo.max_p99_iterator_age_ms = None;
    let s = size::size(&sc, &no_age, &no_progress).unwrap();
    assert_eq!(s.points[s.recommendation.unwrap()].point.shards, 1);
}

#[test]
fn scaling_policies_are_a_search_axis_reported_per_point() {
    use kinesim::scenario::{AutoscalingPolicy, SizePolicy};
    // 1,000 records/s, tripled at 2 minutes: 3 shards carry the peak.
    let sc = scenario(
        r#"
name = "policies"
seed = 4
duration = "14m"
[stream]
shards = 1
[engine]
mode = "aggregated"
[[producers]]
name = "p"
rate = { shape = "steps", steps = [ { at = "0s", rate = 1000 }, { at = "2m", rate = 3000 } ] }
arrivals = "uniform"
record_size = "200B"
keys = { distribution = "uniform", count = 20000 }
retry = { max_attempts = 1 }
[capacity]
schedule = [ { at = "1m", shards = 2 } ]
[size]
shards = [1, 2, 4]
policies = ["fixed", "target-tracking"]
seeds = 1
"#,
    );
    let settings = sc.size.clone().unwrap();
    assert_eq!(settings.policies, vec![SizePolicy::Fixed, SizePolicy::TargetTracking]);
    let s = size::size(&sc, &settings, &no_progress).unwrap();
    let labels: Vec<&str> = s.points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "fixed, 1 shard",
            "fixed, 2 shards",
            "fixed, 4 shards",
            "target-tracking, from 1 shard",
            "target-tracking, from 2 shards",
            "target-tracking, from 4 shards"
        ]
    );
    // Fixed: the schedule is dropped, the count never changes.
    for p in &s.points[..3] {
        assert!(p.runs.iter().all(|r| r.shards_final == p.point.shards), "{}", p.label);
    }
    // Target tracking (70% target) grows a stream that is too small for 3,000 records/s.
    for p in &s.points[3..5] {
        assert!(p.runs.iter().all(|r| r.shards_final > p.point.shards), "{}: {:?}", p.label, p.runs);
    }
    let tt = size::point_scenario(&sc, s.points[4].point, 4);
    match tt.capacity.autoscaling {
        Some(AutoscalingPolicy::TargetTracking { min_shards, target, .. }) => {
            assert_eq!((min_shards, target), (2, kinesim::scenario::defaults::TT_TARGET));
        }
        other => panic!("{other:?}"),
    }
    assert!(tt.capacity.schedule.is_empty());
    // The fixed 4 shards meet the SLO; target tracking from 1 or 2 throttles while it grows.
    assert!(s.points[2].meets_slo && !s.points[3].meets_slo && !s.points[4].meets_slo);
    let json: serde_json::Value = serde_json::from_slice(&kinesim::report::size::json(&s)).unwrap();
    assert_eq!(json["points"][3]["policy"], "target-tracking");
    assert_eq!(json["policies"], serde_json::json!(["fixed", "target-tracking"]));
    let csv = String::from_utf8(kinesim::report::size::csv(&s)).unwrap();
    assert!(csv.lines().nth(4).unwrap().starts_with("provisioned,target-tracking,1,"), "{csv}");
    let svgs = kinesim::report::charts::size_svgs(&s).unwrap();
    let names: Vec<&str> = svgs.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["size-cost-vs-throttle.svg", "size-cost-vs-latency.svg", "size-throttle-vs-shards.svg"]
    );
    let latency = &svgs[1].1;
    assert!(latency.contains("p99 put latency, mean over seeds [ms, log scale]"), "x axis with its unit");
    assert!(latency.contains("cost per month, mean over seeds [USD]"));
    assert!(latency.contains("recommended: fixed, 4 shards"), "the recommendation named");
    assert!(svgs[2].1.contains("target-tracking from the count"), "one series per policy");
}

/// A throttle rate is at most 100%: the cost-vs-throttle axis stops there even when a point is
/// near it (1 shard at 5x its records limit throttles ~80% of attempts).
#[test]
fn the_throttle_rate_axis_stops_at_100_percent() {
    let sc = scenario(
        r#"
        name = "axis"
        duration = "10s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 5000
        record_size = "100B"
        [size]
        shards = [1]
        seeds = 1
        "#,
    );
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress).unwrap();
    assert!(s.points[0].throttle_rate.mean > 0.67, "{}", s.points[0].throttle_rate.mean);
    let svgs = kinesim::report::charts::size_svgs(&s).unwrap();
    assert!(svgs[0].1.contains("100%") && !svgs[0].1.contains("1,000%"), "throttle axis capped at 100%");
}

#[test]
fn a_confidence_rule_uses_one_sided_upper_bounds_and_says_so() {
    let sc = scenario(
        &MONOTONE
            .replace("arrivals = \"uniform\"", "arrivals = \"poisson\"")
            .replace("seeds = 2", "seeds = 4\nconfidence = 0.9")
            .replace("to = 12", "to = 6"),
    );
    let settings = sc.size.clone().unwrap();
    assert_eq!(settings.rule, kinesim::scenario::SloRule::Confidence(0.9));
    let s = size::size(&sc, &settings, &no_progress).unwrap();
    for p in &s.points {
        let u = p.upper_bounds.expect("upper bounds under a confidence rule");
        let rates: Vec<f64> = p.runs.iter().map(|r| r.throttle_rate).collect();
        let dropped: Vec<f64> = p.runs.iter().map(|r| r.records_dropped as f64).collect();
        assert_eq!(u.throttle_rate, Some(stats::upper_bound(&rates, 0.9)));
        assert_eq!(u.records_dropped, Some(stats::upper_bound(&dropped, 0.9)));
        assert_eq!(u.p99_put_latency_ms, None, "not bounded by the SLO");
        assert_eq!(p.meets_slo, u.throttle_rate.unwrap() <= 0.001 && u.records_dropped.unwrap() <= 0.0);
    }
    assert_eq!(s.points[s.recommendation.unwrap()].point.shards, 4);
    let text = kinesim::report::size::text(&s);
    assert!(text.contains("SLO (with 90% confidence)"), "{text}");
    assert!(text.contains("one-sided 90% upper confidence bound"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&kinesim::report::size::json(&s)).unwrap();
    assert_eq!(json["rule"]["name"], "confidence");
    assert_eq!(json["rule"]["confidence"], 0.9);
    // The default rule is every seed.
    let d = size::size(&scenario(MONOTONE), scenario(MONOTONE).size.as_ref().unwrap(), &no_progress).unwrap();
    assert_eq!(d.rule.name, "every-seed");
    assert!(d.points.iter().all(|p| p.upper_bounds.is_none()));
}

#[test]
fn new_size_fields_are_validated_with_field_paths() {
    let bad = |table: &str| {
        let text = MONOTONE.split("[size]").next().unwrap().to_string() + "[size]\n" + table;
        parse_str(&text, None).unwrap_err().to_string()
    };
    let e = bad("seeds = 1\nconfidence = 0.95\n");
    assert!(e.contains("size.confidence") && e.contains("at least 2 seeds"), "{e}");
    let e = bad("confidence = 1.0\n");
    assert!(e.contains("size.confidence") && e.contains("between 0.5 and 1"), "{e}");
    let e = bad("confidence = \"always\"\n");
    assert!(e.contains("size.confidence") && e.contains("every-seed"), "{e}");
    let e = bad("policies = [\"fixed\", \"target-traking\"]\n");
    assert!(e.contains("size.policies[1]") && e.contains("did you mean \"target-tracking\""), "{e}");
    let e = bad("policies = [\"fixed\", \"fixed\"]\n");
    assert!(e.contains("size.policies[1]") && e.contains("listed twice"), "{e}");
    let e = bad("policies = [\"fixed\"]\nmodes = [\"on-demand\"]\n");
    assert!(e.contains("size.policies") && e.contains("provisioned"), "{e}");
    let ok = MONOTONE.split("[size]").next().unwrap().to_string()
        + "[size]\nconfidence = \"every-seed\"\npolicies = [\"as-written\", \"double-halve\"]\n";
    let s = parse_str(&ok, None).unwrap().size.unwrap();
    assert_eq!(s.rule, kinesim::scenario::SloRule::EverySeed);
    assert_eq!(s.policies.len(), 2);
}

#[test]
fn per_minute_csv_exports_drive_the_traffic_and_the_report_warns() {
    let dir = std::env::temp_dir().join(format!("kinesim-size-csv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Three minutes, newest first as the console lists them, one an epoch time; 1,000 B records
    // by IncomingBytes / IncomingRecords.
    std::fs::write(
        dir.join("incoming.csv"),
        "Timestamp,my-stream IncomingRecords (Sum),my-stream IncomingBytes (Sum)\n\
         2026-11-20T10:02:00Z,90000,90000000\n\
         2026-11-20 10:01:00,120000,120000000\n\
         1795168800,60000,60000000\n",
    )
    .unwrap();
    let toml = r#"
name = "from-csv"
seed = 3
duration = "3m"
[stream]
shards = 8
[engine]
mode = "aggregated"
[[producers]]
name = "web"
rate = { shape = "cloudwatch", file = "incoming.csv", scale = 3.0, spread = "evenly" }
record_size = "200B"
keys = { distribution = "uniform", count = 10000 }
[size]
shards = [4, 8]
seeds = 1
"#;
    let file = dir.join("from-csv.toml");
    std::fs::write(&file, toml).unwrap();
    let sc = kinesim::scenario::load(&file).unwrap();
    let p = &sc.producers[0];
    assert_eq!(p.arrivals, kinesim::scenario::Arrivals::Uniform, "spread = \"evenly\"");
    match &p.rate {
        kinesim::scenario::RateShape::Trace { points, export: Some(e), .. } => {
            // 60,000 records a minute = 1,000/s, x 3; then 2,000 x 3; then 1,500 x 3.
            assert_eq!(points, &vec![(0, 3000.0), (60_000_000, 6000.0), (120_000_000, 4500.0)]);
            assert_eq!((e.format, e.period_s, e.mean_record_bytes), ("CSV", 60, Some(1000.0)));
        }
        other => panic!("{other:?}"),
    }
    let w = kinesim::experiment::warnings(&sc).join("\n");
    assert!(w.contains("one-minute CloudWatch sums (CSV)") && w.contains("spread = \"evenly\""), "{w}");
    assert!(w.contains("bursts shorter than a period"), "{w}");
    assert!(w.contains("average 1000 B") && w.contains("set record_size"), "{w}");
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress).unwrap();
    assert!(s.warnings.iter().any(|x| x.contains("one-minute CloudWatch sums")));
    // Bad rows: exit 2, the file and line named, nothing written.
    std::fs::write(
        dir.join("incoming.csv"),
        "Timestamp,IncomingRecords\n2026-11-20T10:00:00Z,60000\n2026-11-20T10:01:00Z,-5\nnoon,1\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(["size", &file.to_string_lossy(), "--out", &dir.join("out").to_string_lossy()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("incoming.csv:3: column 2 (IncomingRecords): expected a number >= 0"), "{err}");
    assert!(err.contains("incoming.csv:4: column 1 (time)"), "{err}");
    assert!(err.contains("producers[0].rate.file"), "{err}");
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bisection_runs_each_policy_and_agrees_with_the_grid() {
    use kinesim::scenario::SizePolicy;
    let sc = scenario(MONOTONE);
    let mut grid = sc.size.clone().unwrap();
    grid.policies = vec![SizePolicy::Fixed, SizePolicy::AsWritten];
    let mut bisect = grid.clone();
    bisect.search = SizeSearch::Bisect;
    let g = size::size(&sc, &grid, &no_progress).unwrap();
    let b = size::size(&sc, &bisect, &no_progress).unwrap();
    assert_eq!(g.points.len(), 24);
    assert!(b.points.len() <= 2 * size::bisect_probes_max(12), "{}", b.points.len());
    for policy in [SizePolicy::Fixed, SizePolicy::AsWritten] {
        let first_ok = |s: &size::Sizing| {
            s.points.iter().find(|p| p.point.policy == Some(policy) && p.meets_slo).map(|p| p.point.shards)
        };
        assert_eq!(first_ok(&g), Some(4), "{policy:?}");
        assert_eq!(first_ok(&b), Some(4), "{policy:?}");
    }
    assert_eq!(g.points[g.recommendation.unwrap()], b.points[b.recommendation.unwrap()]);
}

#[test]
fn the_progress_bar_is_silent_when_stderr_is_not_a_terminal() {
    let dir = std::env::temp_dir().join(format!("kinesim-size-bar-{}", std::process::id()));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(["size", "size-readers", "--out", &dir.to_string_lossy()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "stderr: {:?}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("recommendation: provisioned, 3 shards"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
