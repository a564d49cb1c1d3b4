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
    let grid = size::size(&sc, &grid_settings, &no_progress);
    let mut bisect_settings = grid_settings.clone();
    bisect_settings.search = SizeSearch::Bisect;
    let bisect = size::size(&sc, &bisect_settings, &no_progress);
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
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress);
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
    let s = size::size(&sc, sc.size.as_ref().unwrap(), &no_progress);
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
    // Mean 3, sample variance 2.5, s/√n = √0.5, t(0.975, 4 df) = 2.776.
    let e = stats::estimate(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    let half = 2.776 * 0.5f64.sqrt();
    assert_eq!(e.mean, 3.0);
    assert!((e.ci_low.unwrap() - (3.0 - half)).abs() < 1e-12, "{e:?}");
    assert!((e.ci_high.unwrap() - (3.0 + half)).abs() < 1e-12, "{e:?}");
    assert!((e.half_width().unwrap() - 1.962_928_3).abs() < 1e-6);
    assert_eq!(stats::t_975(1), 12.706);
    assert_eq!(stats::t_975(100), 1.96);
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
    assert_eq!(size::planned_runs(&sc, &settings), 24);
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
        .replace("to = 12", "to = 5");
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
    // A missing part, a duplicated part and a bad split are refused as bad input.
    let (code, err) = kinesim(&["size-merge", &f, &part(1), &part(3), "--out", &d("m2")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing part(s) 2/3"), "{err}");
    let (code, err) = kinesim(&["size-merge", &f, &part(1), &part(1), &part(2), &part(3), "--out", &d("m3")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("given twice"), "{err}");
    let (code, err) = kinesim(&["size", &f, "--part", "4/3"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("expected i/n"), "{err}");
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
