//! Test fixtures of the chart tests (compiled for tests only): a synthetic run with a hot
//! shard, and checks that an SVG is well formed and says what it should. Builds
//! `crate::metrics` values; calls no chart code.

use crate::metrics::{Heatmap, LatencyResult, Percentiles, RunResult, Series, ShardTotals};

pub(super) const NAME: &str = "hot-shard-test";

/// Pseudo-random but deterministic value in 0..1 for cell (a, b).
pub(super) fn noise(a: usize, b: usize) -> f64 {
    let mut x =
        (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % 10_000) as f64 / 10_000.0
}

/// A run of `seconds` s over `n_shards` shards; shard 2 (if any) is offered twice the limit.
pub(super) fn synthetic(seconds: usize, n_shards: usize) -> RunResult {
    let limit = 1000u64;
    let bucket_s = 5u64;
    let n_buckets = (seconds as u64).div_ceil(bucket_s) as usize;
    let offered = |s: usize, t: usize| -> u64 {
        if s == 2 {
            2000
        } else {
            (500.0 + 300.0 * noise(s, t)) as u64
        }
    };
    let mut series = Series::default();
    for t in 0..seconds {
        // Per-shard detail only for small runs; big ones scale one shard's pattern.
        let (acc, thr) = if n_shards <= 64 {
            (0..n_shards).fold((0, 0), |(a, th), s| {
                let o = offered(s, t);
                (a + o.min(limit), th + o.saturating_sub(limit))
            })
        } else {
            (600 * n_shards as u64, 1000)
        };
        series.produced_records.push(acc);
        series.offered_records.push(acc + thr);
        series.offered_bytes.push((acc + thr) * 500);
        series.accepted_records.push(acc);
        series.accepted_bytes.push(acc * 500);
        series.throttled_records.push(thr);
        series.retried_records.push(thr / 2);
        series.dropped_records.push(thr / 10);
        series.open_shards.push(n_shards as u32);
    }
    let shards = (0..n_shards)
        .map(|s| {
            let o = offered(s, 0) * seconds as u64;
            let a = o.min(limit * seconds as u64);
            ShardTotals {
                shard_id: format!("shardId-{s:012}"),
                starting_hash_key: 0,
                ending_hash_key: 0,
                key_share: if s == 2 { 0.4 } else { 0.6 / n_shards.max(2) as f64 },
                offered_records: o,
                accepted_records: a,
                throttled_records: o - a,
                accepted_bytes: a * 500,
                peak_offered_records_per_s: offered(s, 0),
                peak_offered_bytes_per_s: offered(s, 0) * 500,
                ..ShardTotals::default()
            }
        })
        .collect();
    let mut util = Vec::with_capacity(n_shards * n_buckets);
    for s in 0..n_shards {
        for b in 0..n_buckets {
            util.push(offered(s, b * bucket_s as usize) as f32 / limit as f32);
        }
    }
    let interval_s = 10;
    let over_time = (0..(seconds as u64).div_ceil(interval_s))
        .map(|i| {
            (i % 7 != 3).then(|| Percentiles {
                count: 1000,
                p50: 50.0 + noise(i as usize, 1) * 10.0,
                p90: 120.0,
                p99: 400.0,
                max: 900.0 + noise(i as usize, 2) * 100.0,
            })
        })
        .collect();
    RunResult {
        scenario: NAME.to_string(),
        duration_s: seconds as f64,
        series,
        shards,
        heatmap: Heatmap { bucket_s, n_shards, n_buckets, utilisation: util },
        latency: LatencyResult {
            overall: Percentiles { count: 1000, p50: 55.0, p90: 120.0, p99: 400.0, max: 1000.0 },
            interval_s,
            over_time,
        },
        shard_limit_records_per_s: limit,
        shard_limit_bytes_per_s: 1 << 20,
        ..RunResult::default()
    }
}

/// Well-formed enough: one svg element, balanced text elements, no NaN coordinates.
pub(super) fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "starts with {:?}", &svg[..svg.len().min(40)]);
    assert!(svg.trim_end().ends_with("</svg>"), "ends with {:?}", &svg[svg.len().saturating_sub(40)..]);
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(!svg.contains("NaN"), "NaN in svg");
    assert!(!svg.contains("inf\""), "inf in svg");
}

/// The text of each non-empty `<text>` element, trimmed, in order.
pub(super) fn text_elements(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// The text of all `<text>` elements, joined by spaces (a wrapped title reads as one).
pub(super) fn texts(svg: &str) -> String {
    text_elements(svg).join(" ")
}

pub(super) fn assert_contains(svg: &str, needles: &[&str]) {
    let text = texts(svg);
    for n in needles {
        assert!(text.contains(n), "svg lacks {n:?} in {text:?}");
    }
}
