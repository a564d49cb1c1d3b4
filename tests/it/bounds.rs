//! The two bounds of the per-shard write limit. AWS documents the limits (1,000 records/s and
//! 1 MiB/s per shard, https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html)
//! but not how a second is enforced, so every run reports a strict bound (fixed one-second
//! windows) and a lenient one (a token bucket holding `stream.lenient_burst`, 10 s by default;
//! both model assumptions).

use crate::common::{poisson_excess, run, scenario};

/// AWS's pricing example (https://aws.amazon.com/kinesis/data-streams/pricing/): 100 records/s
/// of 35 KB on 4 shards, which AWS prices as enough. Poisson arrivals, default uniform keys, no
/// linger and no retry, so every attempt is a first attempt.
const PRICING_EXAMPLE: &str = r#"
name = "aws-pricing-example"
seed = 1
duration = "1h"
[stream]
shards = 4
[[producers]]
name = "p"
rate = 100
record_size = "35KB"
batch = { linger = "0s" }
retry = { max_attempts = 1 }
"#;

/// Strict: a shard's second admits floor(1,048,576 / (35,000 + key)) = 29 records; a shard gets
/// Poisson(25) records a second with perfectly even keys, so at least E[(N - 29)+] / 25 = 2.54% of
/// attempts throttle (closed form), more with the imbalance of 1,000 hashed keys: 2.7% with seed
/// 1 (measured, +-0.3 point). Lenient: a 10-second bucket absorbs the Poisson seconds: below
/// 0.1%.
#[test]
fn the_aws_pricing_example_throttles_under_the_strict_bound_only() {
    let r = run(PRICING_EXAMPLE);
    let strict = r.totals.throttle_rate();
    let (excess, _) = poisson_excess(25.0, 29);
    let floor = excess / 25.0;
    assert!((0.025..0.026).contains(&floor), "closed form {floor}");
    assert!(strict > floor, "strict {strict} below the even-keys closed form {floor}");
    assert!((strict - 0.027).abs() < 0.003, "strict {strict}");
    let l = r.lenient.as_ref().expect("both bounds by default");
    assert!(l.throttle_rate < 0.001, "lenient {}", l.throttle_rate);
    assert_eq!(r.bounds_differ(), Some(true));
    // Same seed, same arrivals: both bounds saw the same records.
    assert_eq!(l.records_accepted + l.records_dropped + l.records_pending, r.totals.records_produced);
    let text = kinesim::report::text::render(&r, None);
    assert!(text.contains("  bounds    differ materially"), "{text}");
    let json = String::from_utf8(kinesim::report::json::render(&r)).unwrap();
    assert!(json.contains("\"lenient\": {") && json.contains("\"bounds_differ_materially\": true"), "{json}");
}

/// `engine.bounds = "strict"` is the run as it was before the bounds: summary.json without the
/// `lenient` object, and the strict figures of a run with both bounds unchanged by the second.
#[test]
fn strict_alone_is_the_strict_half_of_both() {
    let both = run(PRICING_EXAMPLE);
    let alone = run(&format!("{PRICING_EXAMPLE}[engine]\nbounds = \"strict\"\n"));
    assert!(alone.lenient.is_none());
    let alone_json = String::from_utf8(kinesim::report::json::render(&alone)).unwrap();
    assert!(!alone_json.contains("lenient") && !alone_json.contains("\"bound\""), "{alone_json}");
    let mut v: serde_json::Value = serde_json::from_slice(&kinesim::report::json::render(&both)).unwrap();
    v.as_object_mut().unwrap().remove("lenient");
    let w: serde_json::Value = serde_json::from_str(&alone_json).unwrap();
    assert_eq!(v, w);
    // The lenient bound alone is the lenient half.
    let lenient = run(&format!("{PRICING_EXAMPLE}[engine]\nbounds = \"lenient\"\n"));
    assert_eq!(lenient.bound.name(), "lenient");
    assert_eq!(lenient.totals.throttled_attempts, both.lenient.as_ref().unwrap().throttled_attempts);
    let json = String::from_utf8(kinesim::report::json::render(&lenient)).unwrap();
    assert!(json.contains("\"bound\": \"lenient\""), "{json}");
}

/// Both bounds run side by side; the output is the same on one and two threads.
#[test]
fn both_bounds_are_identical_on_one_and_two_threads() {
    let sc = scenario(&PRICING_EXAMPLE.replace("1h", "10m"));
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let r = pool.install(|| kinesim::experiment::run(&sc));
        let mut bytes = kinesim::report::json::render(&r);
        bytes.extend(kinesim::report::text::render(&r, None).into_bytes());
        bytes.extend(kinesim::report::csv::timeseries(&r));
        bytes
    };
    assert!(on(1) == on(2));
}

/// `stream.write_limit` set explicitly runs that one model alone; with `engine.bounds` too it is
/// refused, saying which to remove.
#[test]
fn an_explicit_write_limit_runs_alone() {
    let pinned = PRICING_EXAMPLE.replace("shards = 4", "shards = 4\nwrite_limit = \"window\"");
    let r = run(&pinned);
    assert!(r.lenient.is_none());
    assert_eq!(r.bound.name(), "strict");
    let bucket = PRICING_EXAMPLE.replace("shards = 4", "shards = 4\nwrite_limit = \"token-bucket\"");
    assert_eq!(run(&bucket).bound.name(), "stream.write_limit");
    let both = format!("{pinned}[engine]\nbounds = \"both\"\n");
    let e = kinesim::scenario::parse_str(&both, None).unwrap_err().to_string();
    assert!(e.contains("engine.bounds") && e.contains("stream.write_limit"), "{e}");
}

/// `kinesim size` recommends under the strict bound by default, the lenient recommendation and
/// its saving beside it; `size.bound = "lenient"` swaps them. The pricing example: 4 shards
/// throttle 2.7% under the strict bound (above a 0.1% SLO), under 0.1% under the lenient one.
#[test]
fn size_recommends_under_the_strict_bound_with_the_lenient_one_beside_it() {
    let toml = format!(
        "{}\n[size]\nshards = [3, 4, 5, 6]\nseeds = 2\nslo = {{ max_throttle_rate = 0.001 }}\n",
        PRICING_EXAMPLE.replace("1h", "5m")
    );
    let sc = scenario(&toml);
    let s = kinesim::size::size(&sc, sc.size.as_ref().unwrap(), &|| {}).unwrap();
    let strict = &s.points[s.recommendation.expect("a strict recommendation")];
    assert_eq!(s.bound, "strict");
    assert!(strict.point.shards >= 5, "{}", strict.label);
    let other = s.other_bound.as_ref().expect("the lenient bound beside it");
    assert_eq!(other.bound, "lenient");
    assert_eq!(other.shards, Some(4));
    assert!(other.saving_per_month_usd.unwrap() > 0.0, "{other:?}");
    let text = kinesim::report::size::text(&s);
    assert!(
        text.contains("under the lenient bound: provisioned, 4 shards") && text.contains("saves $"),
        "{text}"
    );

    let lenient_first = toml.replace("seeds = 2\n", "seeds = 2\nbound = \"lenient\"\n");
    let sc = scenario(&lenient_first);
    let l = kinesim::size::size(&sc, sc.size.as_ref().unwrap(), &|| {}).unwrap();
    assert_eq!(l.bound, "lenient");
    assert_eq!(l.points[l.recommendation.unwrap()].point.shards, 4);
    assert_eq!(l.other_bound.as_ref().unwrap().shards, Some(strict.point.shards));
}

/// The new settings are validated with the setting named.
#[test]
fn bound_and_tank_settings_are_checked() {
    let bad = |from: &str, to: &str, words: &[&str]| {
        let toml = PRICING_EXAMPLE.replace(from, to);
        let e = kinesim::scenario::parse_str(&toml, None).unwrap_err().to_string();
        for w in words {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
    };
    bad("shards = 4", "shards = 4\nlenient_burst = \"0.5s\"", &["stream.lenient_burst"]);
    bad("shards = 4", "shards = 4\nlenient_burst = \"301s\"", &["stream.lenient_burst"]);
    bad(
        "shards = 4",
        "shards = 4\nmax_record_size = \"10MiB\"\nburst_bytes = \"5MiB\"",
        &["stream.burst_bytes", "max_record_size"],
    );
    bad("shards = 4", "shards = 4\n[engine]\nbounds = \"loose\"", &["engine.bounds", "lenient"]);
    let ok =
        PRICING_EXAMPLE.replace("shards = 4", "shards = 4\nlenient_burst = \"30s\"\nburst_bytes = \"20MiB\"");
    let sc = scenario(&ok);
    assert_eq!(sc.stream.lenient_burst, kinesim::units::secs(30));
    assert_eq!(
        kinesim::experiment::lenient(&sc).stream.write_limit,
        kinesim::scenario::WriteLimitModel::TokenBucket { burst: kinesim::units::secs(30) }
    );
}
