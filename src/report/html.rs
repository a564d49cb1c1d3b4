//! `report.html`: one self-contained page a student reads in a browser. Charts are inlined SVG
//! (from [`super::charts`]); no network, no script. Pure: a run and its scenario in, bytes out.
//!
//! Order of the page: what ran and the verdict (first screen at 1280x800), the summary table,
//! the textbook formula next to the simulation, every chart with one sentence saying what to
//! look at, the per-minute roll-up, the shards, and the assumptions (every named default and its
//! value, from [`crate::explain`]).

use super::words::{ms, pct, ON_DEMAND_NOTE};
use super::{charts, verdict};
use crate::cost::CostReport;
use crate::experiment::Outcome;
use crate::explain::{self, Origin};
use crate::kinds::CapacityMode;
use crate::metrics::RunResult;
use crate::scenario::Scenario;
use crate::units::thousands;
use std::fmt::Write;

/// Most rows of the per-minute and per-shard tables (the charts cover the rest).
const MAX_TABLE_ROWS: usize = 60;

/// Escape text for HTML element content and attribute values (markup and control characters:
/// [`crate::text_safety::html`]).
pub fn esc(s: &str) -> String {
    crate::text_safety::html(s)
}

/// One chart of the page: file name, heading, and the sentence saying what to look at.
struct ChartText {
    file: &'static str,
    heading: &'static str,
    look: String,
}

fn chart_texts(r: &RunResult) -> Vec<ChartText> {
    let hot = r.shards.iter().max_by_key(|s| s.throttled_records).filter(|s| s.throttled_records > 0);
    let shard_totals = match hot {
        Some(h) if r.shards.len() > 1 => format!(
            "Look for the tallest orange bar: {} took {} of all throttling; if one shard stands out while the others have room, a hot key (not the shard count) is the problem.",
            h.shard_id,
            pct(h.throttled_records as f64 / r.totals.throttled_attempts.max(1) as f64)
        ),
        _ => "Compare the bars: even bars mean the partition keys spread the load well; a orange part is throttled records.".into(),
    };
    vec![
        ChartText {
            file: "throughput.svg",
            heading: "Throughput: accepted and throttled records per second",
            look: "Look at the orange line: in every second where it is above zero, Kinesis refused records (WriteProvisionedThroughputExceeded); the blue area (accepted) can never rise above the dashed capacity line.".into(),
        },
        ChartText {
            file: "shard-load.svg",
            heading: "Shard load: each shard's offered load against its limit, over time",
            look: "Each row is a shard: a dark row is a shard at or beyond its 1,000 records/s or 1 MiB/s limit, and pale rows next to it mean the stream has capacity the keys cannot reach.".into(),
        },
        ChartText {
            file: "latency.svg",
            heading: "Put latency: from a record's creation to its acceptance",
            look: "Watch p99 rather than p50: batching (linger) and the round trip set the floor, and every retry backoff shows up as a jump of p99.".into(),
        },
        ChartText { file: "shard-totals.svg", heading: "Records per shard over the whole run", look: shard_totals },
        ChartText {
            file: "consumer-lag.svg",
            heading: "Consumer lag: how far behind the newest record each consumer is",
            look: "A flat line near zero is a consumer keeping up; a line that climbs is one falling behind (polling consumers sharing a shard's 2 MiB/s, or a slow application); once it passes the retention period, records expire unread.".into(),
        },
        ChartText {
            file: "consumer-reads.svg",
            heading: "Consumer reads against the shard read limit",
            look: "On top, compare the polling consumers' sum with the dashed limit (2 MiB/s per open shard): they share it, so several of them meet it long before any one does; an enhanced fan-out consumer's line has the whole limit to itself. A 10 s mean may pass the limit (one call can return 10 MiB and is paid back over the next seconds): the note under the chart says by how much. Below, each consumer's own reads, one lane each: a polling consumer that is behind gets one big call, then waits while the others take their turns.".into(),
        },
        ChartText {
            file: "consumer-latency.svg",
            heading: "End-to-end latency: from the producer to the application (and to the job's store)",
            look: "Read a curve from left to right: where it reaches 50% is the median record, near the top the slowest ones. A periodic job (dashed) adds up to one period plus its run to every record; a lock held after a crash shows as a long tail.".into(),
        },
        ChartText {
            file: "cost.svg",
            heading: "Cost: what the run cost, line by line, as it went",
            look: "Left, what this run cost as it went: each band is one line of the bill (shard-hours, PUT payload units, retention, reads), the dashed line the same traffic priced in the other capacity mode. Hours are billed in full from their first second, so a short run's totals say little about the month: compare the modes by the bars on the right, each mode's cost per 730-hour month. The table below gives each line's quantity and unit price.".into(),
        },
        ChartText {
            file: "per-minute.svg",
            heading: "Per second vs per minute: what one-minute metrics hide",
            look: "Compare the thick black line (the load averaged per minute, the resolution of CloudWatch's one-minute datapoints) with the thin blue one (each second): throttling happens in the seconds above the dashed limit, even when the minute's mean stays below it.".into(),
        },
    ]
}

/// Strip an XML declaration and make the SVG scale with the page (its viewBox is kept).
pub(crate) fn inline_svg(svg: &str, title: &str) -> String {
    let svg = svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, b)| b).trim_start(),
        None => svg,
    };
    match svg.strip_prefix("<svg") {
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", esc(title)),
        None => svg.to_string(),
    }
}

/// How much the answer rests on the undocumented enforcement of the per-shard limit.
fn bounds_sentence(r: &RunResult) -> Option<String> {
    let l = r.lenient.as_ref()?;
    let both = format!(
        "Strict bound ({}): {} of attempts throttled, {} dropped; lenient bound ({}): {} throttled, {} dropped.",
        r.write_limit,
        pct(r.totals.throttle_rate()),
        thousands(r.totals.records_dropped()),
        l.write_limit,
        pct(l.throttle_rate),
        thousands(l.records_dropped)
    );
    Some(if r.bounds_differ() == Some(true) {
        format!(
            "{both} The bounds differ materially: AWS does not document how the per-shard limit is enforced, so the \
             figures on this page (the strict bound) are the cautious reading and the truth may lie anywhere up to the lenient one."
        )
    } else {
        format!("{both} The bounds agree (within 0.1 percentage point): the answer does not rest on how AWS enforces the limit.")
    })
}

pub(crate) const CSS: &str = r#"
:root { --ink: #111; --grey: #555; --line: #ddd; --ok: #00795a; --warn: #a86a00; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 18px 28px 48px; background: #fff; }
h1 { font-size: 28px; margin: 4px 0 2px; }
h2 { font-size: 22px; margin: 34px 0 8px; padding-top: 10px; border-top: 2px solid var(--line); }
h3 { font-size: 18px; margin: 22px 0 4px; }
p { margin: 6px 0; }
.lead { font-size: 18px; margin: 4px 0 6px; }
.facts { color: var(--grey); margin: 0 0 12px; }
.verdict { font-size: 20px; font-weight: 600; padding: 8px 14px; border-left: 8px solid; margin: 8px 0 12px; }
.verdict.ok { border-color: var(--ok); background: #e8f5f0; }
.verdict.warn { border-color: var(--warn); background: #fdf3e1; }
.verdict.bad { border-color: var(--bad); background: #fbeceb; }
ul.findings { list-style: none; padding: 0; margin: -4px 0 12px; }
ul.findings li { padding: 1px 0 1px 12px; border-left: 5px solid; margin: 3px 0; }
ul.findings li.ok { border-color: var(--ok); }
ul.findings li.warn { border-color: var(--warn); }
ul.findings li.bad { border-color: var(--bad); }
.glance { display: grid; grid-template-columns: 210px 1fr; gap: 18px; align-items: start; }
.glance h3 { margin-top: 0; }
.cards { display: grid; grid-template-columns: 1fr; gap: 10px; margin: 0; }
.two { display: flex; flex-wrap: wrap; gap: 0 48px; align-items: flex-start; }
th, td.n, .two td:first-child { white-space: nowrap; }
table.settings td:nth-child(1), table.settings td:nth-child(3), table.settings td:nth-child(4) { white-space: nowrap; }
td.status-set { color: var(--ink); font-weight: 700; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .k { color: var(--grey); font-size: 14px; }
.card .v { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
th { font-weight: 600; }
.look { background: #f2f6fb; border-left: 4px solid #0072b2; padding: 6px 10px; }
figure { margin: 8px 0 0; }
table.trace { font-size: 0.85em; } table.trace td.h { word-break: break-all; }
figure svg { display: block; width: 100%; max-width: 1000px; height: auto; border: 1px solid var(--line); }
.small { font-size: 14px; color: var(--grey); }
table.compact { font-size: 14px; }
table.compact th { white-space: normal; vertical-align: bottom; }
.tag { font-size: 13px; padding: 1px 6px; border-radius: 4px; background: #eee; }
.tag.AWS { background: #fff0d6; }
.tag.assumption { background: #e4eefb; }
nav a { margin-right: 14px; }
"#;

fn card(s: &mut String, key: &str, value: &str, sub: &str) {
    let _ = write!(
        s,
        "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
        esc(key),
        esc(value),
        esc(sub)
    );
}

/// Render the page. `svgs` are the run's charts (file name, svg); a chart missing from it is
/// left out of the page.
pub fn render_with(r: &Outcome, sc: &Scenario, svgs: &[(&str, String)]) -> Vec<u8> {
    let t = &r.totals;
    let l = &r.latency.overall;
    let mut s = String::with_capacity(256 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>kinesim: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&r.scenario)
    );
    let _ = writeln!(s, "<h1>kinesim report: {}</h1>", esc(&r.scenario));
    if !r.description.is_empty() {
        let _ = writeln!(s, "<p class=\"lead\">{}</p>", esc(&r.description));
    }
    let _ = writeln!(
        s,
        "<p class=\"facts\">{} simulated · {} shard{} ({}) · {} producer{} · seed {} · {} engine · kinesim {}</p>",
        crate::units::format_duration(sc.duration),
        if r.capacity.shards_final == r.capacity.shards_initial {
            r.capacity.shards_initial.to_string()
        } else {
            format!("{} → {}", r.capacity.shards_initial, r.capacity.shards_final)
        },
        if r.capacity.shards_final == 1 { "" } else { "s" },
        r.capacity.mode,
        sc.producers.len(),
        if sc.producers.len() == 1 { "" } else { "s" },
        r.seed,
        r.engine_mode,
        crate::VERSION
    );
    let found = verdict::findings(r, sc.size.as_ref().map(|z| &z.slo), Some(&r.cost));
    if let Some(head) = verdict::headline(&found) {
        let _ =
            writeln!(s, "<p class=\"verdict {}\">{}</p>", verdict::overall(&found).name(), esc(&head.text));
        let rest: Vec<_> = found.iter().filter(|f| !std::ptr::eq(*f, head)).collect();
        if !rest.is_empty() {
            s.push_str("<ul class=\"findings\">");
            for f in rest {
                let _ = write!(s, "<li class=\"{}\">{}</li>", f.level.name(), esc(&f.text));
            }
            s.push_str("</ul>\n");
        }
    }
    if let Some(b) = bounds_sentence(r) {
        let _ = writeln!(s, "<p class=\"lead\">{}</p>", esc(&b));
    }

    // The first screen: the numbers and the throughput chart side by side.
    s.push_str("<div class=\"glance\"><div class=\"cards\">");
    card(&mut s, "throttle rate", &pct(t.throttle_rate()), "of write attempts");
    card(
        &mut s,
        "records dropped",
        &thousands(t.records_dropped()),
        &format!("of {} produced", thousands(t.records_produced)),
    );
    card(&mut s, "p99 put latency", &ms(l.p99), &format!("p50 {}", ms(l.p50)));
    card(
        &mut s,
        "shards",
        &r.capacity.shards_max.to_string(),
        &format!("textbook formula: {}", r.textbook.shards_at_peak_with_record_limit),
    );
    s.push_str("</div>\n");
    let texts = chart_texts(r);
    if let (Some(ct), Some((_, svg))) = (texts.first(), svgs.iter().find(|(f, _)| *f == "throughput.svg")) {
        chart_section(&mut s, ct, svg);
    }
    s.push_str("</div>\n");
    s.push_str("<nav class=\"small\"><a href=\"#summary\">Summary</a><a href=\"#textbook\">Textbook formula</a><a href=\"#charts\">Charts</a><a href=\"#per-minute\">Per minute</a>");
    if !r.consumers.is_empty() {
        s.push_str("<a href=\"#consumers\">Consumers</a>");
    }
    s.push_str("<a href=\"#shards\">Shards</a><a href=\"#cost\">Cost</a>");
    if !r.trace.is_empty() {
        s.push_str("<a href=\"#trace\">Follow one record</a>");
    }
    s.push_str("<a href=\"#assumptions\">Assumptions</a></nav>\n");

    // Summary
    s.push_str("<h2 id=\"summary\">Summary</h2>\n<div class=\"two\"><div><table>\n<tr><th>records</th><th class=\"n\">count</th><th>meaning</th></tr>\n");
    let rows: [(&str, u64, &str); 9] = [
        ("produced", t.records_produced, "user records created by the producers"),
        ("accepted", t.records_accepted, "accepted by Kinesis (IncomingRecords)"),
        ("dropped", t.records_dropped(), "given up: last attempt throttled, or producer buffer full"),
        ("pending", t.records_pending, "still in a producer (batching or awaiting a retry) at the end"),
        ("throttled attempts", t.throttled_attempts, "attempts refused (WriteProvisionedThroughputExceeded)"),
        ("retries", t.retries, "attempts that were retries"),
        ("PutRecords calls", t.put_calls, "API calls made (batches)"),
        (
            "PUT payload units",
            t.put_payload_units,
            "accepted records counted in 25 KB chunks (provisioned billing)",
        ),
        ("bytes accepted", t.bytes_accepted, "data + partition key (IncomingBytes)"),
    ];
    for (k, v, m) in rows {
        let _ = writeln!(
            s,
            "<tr><td>{k}</td><td class=\"n\">{}</td><td class=\"small\">{m}</td></tr>",
            thousands(v)
        );
    }
    let _ = writeln!(
        s,
        "<tr><td>throttle rate</td><td class=\"n\">{}</td><td class=\"small\">throttled attempts / (throttled attempts + accepted)</td></tr>",
        pct(t.throttle_rate())
    );
    s.push_str("</table></div>\n<div><table>\n<tr><th>put latency</th><th class=\"n\">p50</th><th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">max</th></tr>\n");
    let _ = writeln!(
        s,
        "<tr><td>creation to acceptance</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n</table>",
        ms(l.p50),
        ms(l.p90),
        ms(l.p99),
        ms(l.max)
    );
    let c = &r.capacity;
    let _ = writeln!(
        s,
        "<table>\n<tr><th>shards</th><th class=\"n\">at start</th><th class=\"n\">at end</th><th class=\"n\">most open</th><th class=\"n\">reshards</th></tr>\n<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n</table></div></div>",
        c.mode,
        c.shards_initial,
        c.shards_final,
        c.shards_max,
        c.reshard_count
    );
    if c.mode == CapacityMode::OnDemand || c.mode_switches.iter().any(|m| m.to == CapacityMode::OnDemand) {
        let _ =
            writeln!(s, "<p class=\"small\">{}</p>", esc(ON_DEMAND_NOTE.trim().trim_start_matches("note: ")));
    }

    // Textbook
    let tb = &r.textbook;
    s.push_str("<h2 id=\"textbook\">Textbook formula vs simulation</h2>\n");
    s.push_str("<p>The textbook sizing formula is <code>shards = ceil(max(ingress KiB/s ÷ 1024, egress KiB/s ÷ 2048))</code>, with every record rounded up to 1 KiB. It averages: it knows neither seconds, nor keys, nor retries.</p>\n<table>\n");
    let tb_rows: [(&str, String); 9] = [
        ("mean offered rate", format!("{} records/s", thousands(tb.mean_records_per_s.round() as u64))),
        (
            "peak rate (busiest second's mean)",
            format!("{} records/s", thousands(tb.peak_records_per_s.round() as u64)),
        ),
        ("average record, rounded up", format!("{} KiB", tb.avg_record_kib)),
        ("ingress at the peak", format!("{} KiB/s", thousands(tb.peak_ingress_kib_per_s.round() as u64))),
        (
            "egress at the peak (ingress x consumers)",
            format!("{} KiB/s", thousands(tb.peak_egress_kib_per_s.round() as u64)),
        ),
        ("formula at the mean rate", crate::units::shards(tb.shards_at_mean)),
        ("formula at the peak rate", crate::units::shards(tb.shards_at_peak)),
        (
            "formula + the 1,000 records/s limit, at the peak",
            crate::units::shards(tb.shards_at_peak_with_record_limit),
        ),
        (
            "this simulation",
            format!(
                "{}: {} of attempts throttled, {} records dropped",
                crate::units::shards(c.shards_max.into()),
                pct(t.throttle_rate()),
                thousands(t.records_dropped())
            ),
        ),
    ];
    for (k, v) in tb_rows {
        let _ = writeln!(s, "<tr><td>{k}</td><td>{}</td></tr>", esc(&v));
    }
    s.push_str("</table>\n");
    let why = if t.throttled_attempts > 0 && u64::from(c.shards_max) >= tb.shards_at_peak_with_record_limit {
        "The stream has at least the shards the formula asks for and still throttles: look at the shard charts for a hot key, and at the throughput chart for seconds busier than the average."
    } else if t.throttled_attempts > 0 {
        "The stream has fewer shards than the formula asks for at the peak: throttling is expected."
    } else {
        "No throttling: the formula and the simulation agree for this traffic."
    };
    let _ = writeln!(s, "<p class=\"look\">{why}</p>");

    // Charts
    s.push_str("<h2 id=\"charts\">Charts</h2>\n<p class=\"small\">The throughput chart is at the top; every chart is also an SVG file in this folder.</p>\n");
    for ct in texts.iter().skip(1) {
        let Some((_, svg)) = svgs.iter().find(|(f, _)| *f == ct.file) else { continue };
        if ct.file == "per-minute.svg" {
            s.push_str("<h2 id=\"per-minute\">Per minute: what CloudWatch shows</h2>\n");
        }
        chart_section(&mut s, ct, svg);
    }
    per_minute_table(&mut s, r);
    consumers_table(&mut s, r);
    shards_table(&mut s, r);
    cost_table(&mut s, &r.cost);
    trace_table(&mut s, r);
    assumptions(&mut s, sc);
    s.push_str("<p class=\"small\">Made by kinesim, a discrete-event simulator of Amazon Kinesis Data Streams. Rerun with the same seed for the same numbers: <code>kinesim run SCENARIO --seed N</code>.</p>\n</main>\n</body>\n</html>\n");
    finish_page(s)
}

/// The page's bytes. Text reaches a page through `esc`; chart labels drawn by plotters do not,
/// so the page as a whole is made free of raw control characters too.
pub(crate) fn finish_page(s: String) -> Vec<u8> {
    match crate::text_safety::html_page(&s) {
        std::borrow::Cow::Borrowed(_) => s.into_bytes(),
        std::borrow::Cow::Owned(safe) => safe.into_bytes(),
    }
}

fn chart_section(s: &mut String, ct: &ChartText, svg: &str) {
    let _ = writeln!(
        s,
        "<section class=\"chart\"><h3>{}</h3>\n<p class=\"look\">{}</p>\n<figure>{}</figure>\n<p class=\"small\">File: {}</p></section>",
        esc(ct.heading),
        esc(&ct.look),
        inline_svg(svg, ct.heading),
        ct.file
    );
}

/// Render the page, drawing the charts itself.
pub fn render(r: &Outcome, sc: &Scenario) -> Result<Vec<u8>, charts::ChartError> {
    Ok(render_with(r, sc, &super::run_svgs(r)?))
}

fn per_minute_table(s: &mut String, r: &RunResult) {
    let se = &r.series;
    let n = se.len();
    let minutes = n.div_ceil(60);
    s.push_str("<p>One row per minute, as CloudWatch's one-minute datapoints would show it, next to what happened in its busiest second. <b>Mean/s</b> is the minute's <code>IncomingRecords</code> Sum divided by 60.</p>\n");
    s.push_str("<table>\n<tr><th>minute</th><th class=\"n\">IncomingRecords (sum)</th><th class=\"n\">mean/s</th><th class=\"n\">busiest second offered</th><th class=\"n\">throttled (sum)</th><th class=\"n\">seconds with throttling</th></tr>\n");
    for m in 0..minutes.min(MAX_TABLE_ROWS) {
        let (lo, hi) = (m * 60, ((m + 1) * 60).min(n));
        let sum = |v: &[u64]| v.get(lo..hi.min(v.len())).map_or(0, |x| x.iter().sum::<u64>());
        let acc = sum(&se.accepted_records);
        let thr = sum(&se.throttled_records);
        let peak = se
            .offered_records
            .get(lo..hi.min(se.offered_records.len()))
            .and_then(|x| x.iter().max().copied())
            .unwrap_or(0);
        let busy = se
            .throttled_records
            .get(lo..hi.min(se.throttled_records.len()))
            .map_or(0, |x| x.iter().filter(|&&v| v > 0).count());
        let secs = (hi - lo).max(1) as f64;
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{busy} of {}</td></tr>",
            m + 1,
            thousands(acc),
            thousands((acc as f64 / secs).round() as u64),
            thousands(peak),
            thousands(thr),
            hi - lo
        );
    }
    s.push_str("</table>\n");
    if minutes > MAX_TABLE_ROWS {
        let _ = writeln!(s, "<p class=\"small\">First {MAX_TABLE_ROWS} of {minutes} minutes; every second is in timeseries.csv.</p>");
    }
}

fn consumers_table(s: &mut String, r: &RunResult) {
    if r.consumers.is_empty() {
        return;
    }
    s.push_str("<h2 id=\"consumers\">Consumers</h2>\n<p>What each application read, how far behind it fell (iterator age) and how long a record took from its producer to being processed. Records lost to retention expired before this consumer read them.</p>\n");
    s.push_str("<table>\n<tr><th>consumer</th><th class=\"n\">records read</th><th class=\"n\">read throttles</th><th class=\"n\">lag p99</th><th class=\"n\">end-to-end p50</th><th class=\"n\">end-to-end p99</th><th class=\"n\">lost to retention</th><th class=\"n\">processed twice</th></tr>\n");
    for c in &r.consumers {
        let _ = writeln!(
            s,
            "<tr><td>{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.name),
            c.kind,
            thousands(c.records_read),
            thousands(c.read_throttled_calls),
            ms(c.iterator_age_ms.p99),
            ms(c.end_to_end_ms.p50),
            ms(c.end_to_end_ms.p99),
            thousands(c.records_lost_to_retention),
            thousands(c.records_reprocessed)
        );
    }
    s.push_str("</table>\n");
    for c in r.consumers.iter().filter(|c| !c.workers.is_empty()) {
        let failed: Vec<String> = c
            .workers
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.failed_at_s.map(|t| format!("worker {i} at {t:.0} s")))
            .collect();
        let _ = writeln!(
            s,
            "<p>{}: {} KCL workers, {} checkpoints, {} leases moved{}; leases at the end: {}.</p>",
            esc(&c.name),
            c.workers.len(),
            thousands(c.checkpoints),
            thousands(c.lease_moves),
            if failed.is_empty() { String::new() } else { format!(" (failed: {})", failed.join(", ")) },
            c.workers.iter().map(|w| w.leases.to_string()).collect::<Vec<_>>().join(" / ")
        );
    }
    for c in r.consumers.iter() {
        let Some(j) = &c.job else { continue };
        let failed = j.runs.iter().filter(|r| r.outcome == "failed").count();
        let _ = writeln!(
            s,
            "<p>{}'s periodic job: {} runs ({} failed), {} periods skipped, {} records flushed, produced → flushed p50 {}, p99 {}.</p>",
            esc(&c.name),
            j.runs.len(),
            failed,
            j.skipped.len(),
            thousands(j.records_flushed),
            ms(j.flushed_ms.p50),
            ms(j.flushed_ms.p99)
        );
        let notable: Vec<String> = j
            .runs
            .iter()
            .filter(|r| r.outcome == "failed")
            .map(|r| {
                format!(
                    "run of period {} failed at {:.0} s (instance {} died holding the lock)",
                    r.period, r.ended_s, r.instance
                )
            })
            .chain(
                j.skipped
                    .iter()
                    .take(5)
                    .map(|k| format!("period {} at {:.0} s skipped: {}", k.period, k.at_s, k.reason)),
            )
            .collect();
        if !notable.is_empty() {
            let _ = writeln!(
                s,
                "<ul class=\"small\">{}</ul>",
                notable.iter().map(|n| format!("<li>{}</li>", esc(n))).collect::<String>()
            );
        }
    }
}

fn shards_table(s: &mut String, r: &RunResult) {
    s.push_str("<h2 id=\"shards\">Shards</h2>\n<p>Where each shard's keys land (<b>key share</b>: the share of traffic whose partition keys hash into its range) and what it did.</p>\n");
    s.push_str("<table>\n<tr><th>shard</th><th class=\"n\">key share</th><th class=\"n\">offered</th><th class=\"n\">accepted</th><th class=\"n\">throttled</th><th class=\"n\">busiest second [records/s]</th></tr>\n");
    let mut order: Vec<usize> = (0..r.shards.len()).collect();
    if r.shards.len() > MAX_TABLE_ROWS {
        order.sort_by_key(|&i| std::cmp::Reverse(r.shards[i].throttled_records));
        order.truncate(MAX_TABLE_ROWS);
        order.sort_unstable();
    }
    for i in order {
        let sh = &r.shards[i];
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&sh.shard_id),
            pct(sh.key_share),
            thousands(sh.offered_records),
            thousands(sh.accepted_records),
            thousands(sh.throttled_records),
            thousands(sh.peak_offered_records_per_s)
        );
    }
    s.push_str("</table>\n");
    if r.shards.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            s,
            "<p class=\"small\">The {MAX_TABLE_ROWS} most throttled of {} shards; all are in summary.json.</p>",
            r.shards.len()
        );
    }
}

/// The bill, line by line, with quantities and unit prices, and the monthly projection.
fn cost_table(s: &mut String, c: &CostReport) {
    let _ = writeln!(
        s,
        "<h2 id=\"cost\">Cost</h2>\n<p>{} prices of {} ({}). The run cost <b>{}</b>; a month (730 h) at the same rates: <b>{}</b>. {}</p>",
        esc(&c.table),
        esc(&c.table_date),
        esc(&c.bill.label),
        crate::cost::fmt_usd(c.bill.total_usd),
        crate::cost::fmt_usd(c.bill.per_month_usd),
        esc(&c.projection)
    );
    s.push_str("<table>\n<tr><th>line</th><th>working</th><th>note</th></tr>\n");
    for item in c.bill.items.iter().filter(|i| i.usd > 0.0) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
            esc(&item.name),
            esc(&crate::cost::describe(item)),
            esc(&item.note)
        );
    }
    s.push_str("</table>\n");
    let _ = writeln!(s, "<p class=\"small\">{}.</p>", esc(&c.payload_rule));
    let _ = writeln!(
        s,
        "<p class=\"small\">{}: {} for the run, {} per month.</p>",
        esc(&c.what_if.label),
        crate::cost::fmt_usd(c.what_if.total_usd),
        crate::cost::fmt_usd(c.what_if.per_month_usd)
    );
}

/// "Follow one record": the life of the first records, and of the first record that was
/// throttled, from trace.csv.
fn trace_table(s: &mut String, r: &RunResult) {
    if r.trace.is_empty() {
        return;
    }
    let throttled = r.trace.iter().find(|t| t.event == "throttled").map(|t| t.record);
    let shown: Vec<u32> = {
        let mut ids: Vec<u32> = vec![1, 2];
        ids.extend(throttled);
        ids.dedup();
        ids
    };
    s.push_str("<h2 id=\"trace\">Follow one record</h2>\n<p>A record's life from its producer to its shard: its partition key, the 128-bit hash key MD5 gives it, the shard whose hash-key range holds that value, every attempt, and the sequence number the shard assigned when it accepted it; with consumers, when each one read it, processed it and its job flushed it. ");
    if throttled.is_some() {
        s.push_str("The last record shown is the first one that was throttled: look at its retries.");
    }
    s.push_str(" Every traced record is in trace.csv.</p>\n");
    s.push_str("<table class=\"trace\">\n<tr><th class=\"n\">record</th><th>event</th><th class=\"n\">time [s]</th><th>partition key</th><th>hash key</th><th>shard</th><th class=\"n\">attempt</th><th class=\"n\">sequence</th><th>detail</th></tr>\n");
    for t in r.trace.iter().filter(|t| shown.contains(&t.record)) {
        let _ = writeln!(
            s,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{:.6}</td><td>{}</td><td class=\"small h\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            t.record,
            t.event,
            t.time_s,
            // Key and hash key on the `created` row only: the record number ties the rows.
            if t.event == "created" { esc(&t.partition_key) } else { String::new() },
            if t.event == "created" && !t.partition_key.is_empty() { t.hash_key.to_string() } else { String::new() },
            esc(&t.shard_id),
            if t.attempt == 0 { String::new() } else { t.attempt.to_string() },
            t.sequence_number.map_or(String::new(), |n| n.to_string()),
            esc(&t.detail)
        );
    }
    s.push_str("</table>\n");
}

fn assumptions(s: &mut String, sc: &Scenario) {
    s.push_str("<h2 id=\"assumptions\">Assumptions and settings</h2>\n<p>Every setting the run used. <span class=\"tag AWS\">AWS</span> is a Kinesis fact or limit; <span class=\"tag assumption\">assumption</span> is a model default kinesim names because AWS does not document it; <b>default</b> means the scenario did not change it. Print the same list with <code>kinesim explain SCENARIO</code>.</p>\n");
    s.push_str("<table class=\"settings\">\n<tr><th>setting</th><th>value</th><th>status</th><th>kind</th><th>meaning</th></tr>\n");
    for f in explain::fields(sc) {
        let status = match f.status() {
            "required" => "",
            st => st,
        };
        let kind = match f.origin {
            Origin::Input => String::new(),
            o => format!("<span class=\"tag {0}\">{0}</span>", o.label()),
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"small status-{status}\">{status}</td><td>{kind}</td><td class=\"small\">{}</td></tr>",
            esc(&f.path),
            esc(&f.value),
            esc(f.meaning)
        );
    }
    s.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn inlines_svg_without_xml_declaration() {
        let out = inline_svg("<?xml version=\"1.0\"?>\n<svg width=\"10\"></svg>", "t<");
        assert!(out.starts_with("<svg role=\"img\" aria-label=\"t&lt;\" width=\"10\""), "{out}");
    }
}
