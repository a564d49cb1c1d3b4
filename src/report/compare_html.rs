//! `report.html` of `kinesim compare`: one self-contained page (inline SVG, no script) with a
//! verdict per variant, the side-by-side table, the overlaid charts (saying which variants draw
//! the same line, which an overlay hides), each variant's bill per month, and a link to each
//! variant's own report.
//!
//! May call: `html` (escaping, number formats, the style sheet), `verdict`, `compare` (the
//! table's figures), `metrics`, `scenario`, `cost`.

use super::html::{esc, finish_page, inline_svg, CSS};
use super::verdict;
use super::words::{ms, pct, AGGREGATED_LATENCY_NOTE};
use crate::experiment::Outcome;
use crate::kinds::EngineMode;
use crate::metrics::RunResult;
use crate::scenario::Scenario;
use crate::units::thousands;
use std::fmt::Write;

/// What each compare chart shows and what to look at.
const CHARTS: [(&str, &str, &str); 4] = [
    (
        "compare-throttled.svg",
        "Throttled records per second",
        "The variant whose line rises is the one that runs out of capacity; compare when it happens with the shard chart below.",
    ),
    (
        "compare-accepted.svg",
        "Accepted records per second",
        "Where a variant throttles, its line drops below the others: those records were refused and retried or dropped.",
    ),
    (
        "compare-shards.svg",
        "Open shards",
        "The capacity each plan holds over time: the area under a line is what a provisioned variant pays for (on-demand bills by stream-hour and GB instead).",
    ),
    (
        "compare-latency.svg",
        "Put latency p99",
        "Retries after throttling lengthen the put latency: a variant that throttles shows it here.",
    ),
];

/// The page. `scenarios[i]` ran as `results[i]`; `svgs` are the compare charts (file name, svg).
pub fn render(results: &[Outcome], scenarios: &[Scenario], svgs: &[(&str, String)]) -> Vec<u8> {
    let names: Vec<&str> = results.iter().map(|r| r.scenario.as_str()).collect();
    let mut s = String::with_capacity(512 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>kinesim compare: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&names.join(", "))
    );
    let _ = writeln!(s, "<h1>kinesim comparison: {}</h1>", esc(&names.join(" · ")));
    if let Some(first) = results.first() {
        let _ = writeln!(
            s,
            "<p class=\"facts\">the same workload under {} capacity plans · {} simulated · seed {} · kinesim {}</p>",
            results.len(),
            esc(&crate::units::format_duration(crate::units::secs(first.duration_s as u64))),
            first.seed,
            crate::VERSION
        );
    }
    verdicts(&mut s, results, scenarios);
    table(&mut s, results);
    s.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for (file, heading, look) in CHARTS {
        let Some((_, svg)) = svgs.iter().find(|(f, _)| *f == file) else { continue };
        let _ = writeln!(s, "<h3>{}</h3>\n<p class=\"look\">{}</p>", esc(heading), esc(look));
        for group in coinciding(results, file) {
            let _ = writeln!(
                s,
                "<p class=\"small\">{} draw the same line here: only the last one drawn is visible.</p>",
                esc(&join_names(&group))
            );
        }
        let _ = writeln!(
            s,
            "<figure>{}</figure>\n<p class=\"small\">File: {}</p>",
            inline_svg(svg, heading),
            esc(file)
        );
    }
    bills(&mut s, results);
    s.push_str("</main>\n</body>\n</html>\n");
    finish_page(s)
}

/// One row per variant: its verdict's level, headline and the link to its report.
fn verdicts(s: &mut String, results: &[Outcome], scenarios: &[Scenario]) {
    s.push_str("<h2 id=\"verdicts\">Verdict per variant</h2>\n<ul class=\"findings\">");
    for (r, sc) in results.iter().zip(scenarios) {
        let found = verdict::findings(r, sc.size.as_ref().map(|z| &z.slo), Some(&r.cost));
        let level = verdict::overall(&found);
        let head = verdict::headline(&found).map_or(String::new(), |f| f.text.clone());
        let _ = write!(
            s,
            "<li class=\"{}\"><b><a href=\"{}/report.html\">{}</a></b> ({}): {}</li>",
            level.name(),
            esc(&r.scenario),
            esc(&r.scenario),
            level.name(),
            esc(&head)
        );
    }
    s.push_str("</ul>\n");
}

fn table(s: &mut String, results: &[Outcome]) {
    s.push_str("<h2 id=\"table\">Side by side</h2>\n<table class=\"compact\">\n<tr><th>variant</th><th>mode</th><th class=\"n\">shards</th><th class=\"n\">throttled (strict)</th><th class=\"n\">throttled (lenient)</th><th class=\"n\">dropped</th><th class=\"n\">p99 put latency</th><th class=\"n\">UpdateShardCount calls (refused)</th><th class=\"n\">shard-hours</th><th class=\"n\">USD per month</th></tr>\n");
    for r in results {
        let t = &r.totals;
        let c = &r.capacity;
        let shards = if c.shards_initial == c.shards_max && c.shards_final == c.shards_max {
            c.shards_max.to_string()
        } else {
            format!("{} → {} (most {})", c.shards_initial, c.shards_final, c.shards_max)
        };
        let aggregated = if r.engine_mode == EngineMode::Aggregated { " †" } else { "" };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}{aggregated}</td><td class=\"n\">{} ({})</td><td class=\"n\">{:.2}</td><td class=\"n\">{}</td></tr>",
            esc(&r.scenario),
            c.mode,
            esc(&shards),
            pct(t.throttle_rate()),
            r.lenient.as_ref().map_or("-".to_string(), |l| pct(l.throttle_rate)),
            thousands(t.records_dropped()),
            ms(r.latency.overall.p99),
            c.calls.len(),
            c.calls.iter().filter(|x| x.refused.is_some()).count(),
            super::compare::shard_hours(r),
            crate::cost::fmt_usd(r.cost.bill.per_month_usd),
        );
    }
    s.push_str("</table>\n");
    if results.iter().any(|r| r.engine_mode == EngineMode::Aggregated) {
        let _ = writeln!(s, "<p class=\"small\">{}</p>", esc(AGGREGATED_LATENCY_NOTE));
    }
    if let Some(r) = results.first() {
        let _ = writeln!(
            s,
            "<p>The textbook formula for this traffic: {} at the peak (with the 1,000 records/s limit).</p>",
            esc(&crate::units::shards(r.textbook.shards_at_peak_with_record_limit))
        );
    }
}

/// Each variant's bill per month, line by line.
fn bills(s: &mut String, results: &[Outcome]) {
    s.push_str("<h2 id=\"cost\">The bills, per month</h2>\n<div class=\"two\">");
    for r in results {
        let c = &r.cost;
        let _ = write!(
            s,
            "<table><tr><th colspan=\"2\">{} — {} per month</th></tr>",
            esc(&r.scenario),
            esc(&crate::cost::fmt_usd(c.bill.per_month_usd))
        );
        for item in c.bill.month_items.iter().filter(|i| i.usd > 0.0) {
            let _ = write!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&item.name),
                esc(&crate::cost::fmt_usd(item.usd))
            );
        }
        s.push_str("</table>");
    }
    s.push_str("</div>\n<p class=\"small\">Each variant's report has the working of every line and the what-if of the other capacity mode.</p>\n");
}

/// Groups of two or more variants whose line in `chart` is the same (an overlay shows one).
fn coinciding<'a>(results: &'a [Outcome], chart: &str) -> Vec<Vec<&'a str>> {
    // Whether two runs draw the same line in this chart, compared in place.
    let same = |a: &RunResult, b: &RunResult| match chart {
        "compare-throttled.svg" => a.series.throttled_records == b.series.throttled_records,
        "compare-accepted.svg" => a.series.accepted_records == b.series.accepted_records,
        "compare-shards.svg" => a.series.open_shards == b.series.open_shards,
        _ => {
            let p99 = |r: &RunResult| {
                r.latency.over_time.iter().map(|p| p.map(|p| p.p99.to_bits())).collect::<Vec<_>>()
            };
            p99(a) == p99(b)
        }
    };
    let mut groups: Vec<Vec<usize>> = vec![];
    for i in 0..results.len() {
        match groups.iter_mut().find(|g| same(&results[g[0]], &results[i])) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|g| g.into_iter().map(|i| results[i].scenario.as_str()).collect())
        .collect()
}

/// "a and b", "a, b and c".
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, throttled: Vec<u64>) -> Outcome {
        let mut r = RunResult { scenario: name.into(), ..Default::default() };
        r.series.throttled_records = throttled;
        Outcome::at_default_prices(r)
    }

    #[test]
    fn variants_drawing_the_same_line_are_named() {
        let runs = vec![
            run("a", vec![0, 0, 1]),
            run("b", vec![0, 0, 1]),
            run("c", vec![0, 2, 1]),
            run("d", vec![0, 0, 1]),
        ];
        assert_eq!(coinciding(&runs, "compare-throttled.svg"), vec![vec!["a", "b", "d"]]);
        assert!(coinciding(&runs[2..3], "compare-throttled.svg").is_empty());
        assert_eq!(join_names(&["a", "b", "d"]), "a, b and d");
        assert_eq!(join_names(&["a", "b"]), "a and b");
    }
}
