//! `kinesim size`: `sizing.json`, `sizing.csv` and the terminal table. Pure renderers; the
//! writer owns the files.

use crate::size::stats::{Estimate, CI_METHOD};
use crate::size::Sizing;
use crate::units::thousands;
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
struct Document<'a> {
    kinesim_version: &'a str,
    confidence_interval: &'a str,
    #[serde(flatten)]
    sizing: &'a Sizing,
    /// The recommended point's label, for readers of the file.
    recommended: Option<&'a str>,
}

/// `sizing.json`: every point in input order with its per-seed values, means, intervals, cost
/// and verdict, then the recommendation, the textbook formula and the reasons they differ.
pub fn json(s: &Sizing) -> Vec<u8> {
    let doc = Document {
        kinesim_version: crate::VERSION,
        confidence_interval: CI_METHOD,
        sizing: s,
        recommended: s.recommendation.map(|i| s.points[i].label.as_str()),
    };
    let mut out = serde_json::to_vec_pretty(&doc).expect("sizing serialises");
    out.push(b'\n');
    out
}

#[derive(Serialize)]
struct Row<'a> {
    mode: &'a str,
    policy: &'a str,
    shards: u32,
    seeds: usize,
    throttle_rate_mean: f64,
    throttle_rate_ci_low: Option<f64>,
    throttle_rate_ci_high: Option<f64>,
    records_dropped_mean: f64,
    records_dropped_ci_low: Option<f64>,
    records_dropped_ci_high: Option<f64>,
    #[serde(rename = "p99_put_latency_mean [ms]")]
    p99_mean: f64,
    #[serde(rename = "p99_put_latency_ci_low [ms]")]
    p99_low: Option<f64>,
    #[serde(rename = "p99_put_latency_ci_high [ms]")]
    p99_high: Option<f64>,
    #[serde(rename = "p99_iterator_age_mean [ms]")]
    age_mean: Option<f64>,
    #[serde(rename = "p99_iterator_age_ci_low [ms]")]
    age_low: Option<f64>,
    #[serde(rename = "p99_iterator_age_ci_high [ms]")]
    age_high: Option<f64>,
    #[serde(rename = "cost_per_month_mean [USD]")]
    cost: f64,
    seeds_meeting_slo: usize,
    meets_slo: bool,
    recommended: bool,
}

/// `sizing.csv`: one row per point, units in the header.
pub fn csv(s: &Sizing) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, p) in s.points.iter().enumerate() {
        let row = Row {
            mode: p.point.mode.name(),
            policy: p.point.policy.map_or("", |x| x.name()),
            shards: p.point.shards,
            seeds: p.runs.len(),
            throttle_rate_mean: p.throttle_rate.mean,
            throttle_rate_ci_low: p.throttle_rate.ci_low,
            throttle_rate_ci_high: p.throttle_rate.ci_high,
            records_dropped_mean: p.records_dropped.mean,
            records_dropped_ci_low: p.records_dropped.ci_low,
            records_dropped_ci_high: p.records_dropped.ci_high,
            p99_mean: p.p99_put_latency_ms.mean,
            p99_low: p.p99_put_latency_ms.ci_low,
            p99_high: p.p99_put_latency_ms.ci_high,
            age_mean: p.p99_iterator_age_ms.map(|e| e.mean),
            age_low: p.p99_iterator_age_ms.and_then(|e| e.ci_low),
            age_high: p.p99_iterator_age_ms.and_then(|e| e.ci_high),
            cost: p.cost_per_month_usd.mean,
            seeds_meeting_slo: p.seeds_meeting_slo,
            meets_slo: p.meets_slo,
            recommended: s.recommendation == Some(i),
        };
        // Serialising plain structs into memory cannot fail.
        w.serialize(row).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// `mean ± half` with `digits` decimals (`mean` alone for one seed).
fn pm(e: &Estimate, scale: f64, digits: usize) -> String {
    match e.half_width() {
        Some(h) => format!("{:.digits$} ± {:.digits$}", e.mean * scale, h * scale),
        None => format!("{:.digits$}", e.mean * scale),
    }
}

/// The SLO in words.
pub fn slo_words(s: &Sizing) -> String {
    let mut parts = Vec::new();
    if let Some(t) = s.slo.max_throttle_rate {
        parts.push(format!("throttle rate <= {}%", 100.0 * t));
    }
    if let Some(d) = s.slo.max_dropped {
        parts.push(format!("dropped <= {}", thousands(d)));
    }
    if let Some(p) = s.slo.max_p99_put_latency_ms {
        parts.push(format!("p99 put latency <= {p} ms"));
    }
    if let Some(a) = s.slo.max_p99_iterator_age_ms {
        parts.push(format!("p99 iterator age <= {a} ms"));
    }
    parts.join(", ")
}

/// How the verdict was reached, in a few words: `in every seed` or `with 95% confidence`.
pub fn rule_words(s: &Sizing) -> String {
    match s.rule.confidence {
        None => "in every seed".to_string(),
        Some(c) => format!("with {}% confidence", crate::size::percent(c)),
    }
}

/// The terminal report: the table, the recommendation, the formula and why they differ.
pub fn text(s: &Sizing) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "size {}: {} x {} = {} runs of {} s ({} search)",
        s.scenario,
        crate::units::count(s.points.len(), "point", "points"),
        crate::units::count(s.seeds.len(), "seed", "seeds"),
        s.runs,
        s.duration_s,
        s.search
    );
    let _ = writeln!(o, "SLO ({}): {}", rule_words(s), slo_words(s));
    let _ = writeln!(o, "rule: {}", s.rule.text);
    let ages = s.points.iter().any(|p| p.p99_iterator_age_ms.is_some());
    let width = s.points.iter().map(|p| p.label.len()).max().unwrap_or(0).max(24);
    let age_head = if ages { format!(" {:>20}", "p99 iter. age [ms]") } else { String::new() };
    let _ = writeln!(
        o,
        "\n  {:<width$} {:>20} {:>18} {:>20}{age_head} {:>12}  SLO",
        "point", "throttle [%]", "dropped", "p99 put [ms]", "USD/month"
    );
    for (i, p) in s.points.iter().enumerate() {
        let verdict = match (p.meets_slo, s.rule.confidence) {
            (true, _) => "met".to_string(),
            (false, None) => {
                format!("{}/{}", p.seeds_meeting_slo, crate::units::count(p.runs.len(), "seed", "seeds"))
            }
            (false, Some(_)) => format!("not met ({}/{} seeds)", p.seeds_meeting_slo, p.runs.len()),
        };
        let mark = if s.recommendation == Some(i) { "<- recommended" } else { "" };
        let age = match (ages, &p.p99_iterator_age_ms) {
            (false, _) => String::new(),
            (true, Some(e)) => format!(" {:>20}", pm(e, 1.0, 0)),
            (true, None) => format!(" {:>20}", "-"),
        };
        let row = format!(
            "  {:<width$} {:>20} {:>18} {:>20}{age} {:>12.2}  {verdict} {mark}",
            p.label,
            pm(&p.throttle_rate, 100.0, 3),
            pm(&p.records_dropped, 1.0, 0),
            pm(&p.p99_put_latency_ms, 1.0, 0),
            p.cost_per_month_usd.mean,
        );
        let _ = writeln!(o, "{}", row.trim_end());
    }
    if s.points.iter().any(|p| p.runs.len() > 1) {
        let _ = writeln!(o, "  (mean ± half-width of the 95% interval, Student's t over seeds)\n");
    } else {
        let _ = writeln!(o, "  (one seed per point: no interval)\n");
    }
    match s.recommendation.map(|i| &s.points[i]) {
        Some(p) => {
            let how = match s.rule.confidence {
                None => format!(
                    "meets the SLO in {} of {}",
                    p.seeds_meeting_slo,
                    crate::units::count(p.runs.len(), "seed", "seeds")
                ),
                Some(_) => format!(
                    "meets the SLO {} (its runs: {} of {} seeds within every bound)",
                    rule_words(s),
                    p.seeds_meeting_slo,
                    p.runs.len()
                ),
            };
            let _ =
                writeln!(o, "recommendation: {}, ${:.2}/month, {how}", p.label, p.cost_per_month_usd.mean);
        }
        None => {
            let _ = writeln!(o, "recommendation: none of the points tried meets the SLO {}", rule_words(s));
        }
    }
    if let Some(b) = &s.other_bound {
        let _ = match (&b.recommended, b.cost_per_month_usd) {
            (Some(label), Some(cost)) => writeln!(
                o,
                "under the {} bound: {label}, ${cost:.2}/month{}",
                b.bound,
                b.saving_per_month_usd.map_or(String::new(), |d| if d > 0.0 {
                    format!(" (saves ${d:.2}/month)")
                } else if d < 0.0 {
                    format!(" (costs ${:.2}/month more)", -d)
                } else {
                    " (the same cost)".to_string()
                })
            ),
            _ => writeln!(o, "under the {} bound: none of the points tried meets the SLO", b.bound),
        };
        let _ = writeln!(
            o,
            "  recommended under the {} bound (size.bound); AWS does not document how the per-shard limit is enforced: \
             strict = fixed 1 s windows, lenient = a token bucket (stream.lenient_burst)",
            s.bound
        );
    }
    let t = &s.textbook;
    let _ = writeln!(
        o,
        "textbook formula: {} at the peak ({} by bytes alone, {} at the mean)",
        crate::units::shards(t.shards_at_peak_with_record_limit),
        t.shards_at_peak,
        t.shards_at_mean
    );
    if !s.reasons.is_empty() {
        let _ = writeln!(o, "why they differ:");
        for r in &s.reasons {
            let _ = writeln!(o, "  - {}", r.text);
        }
    }
    o
}
