//! `report.html`: self-contained (no script, no network), with the description, the summary,
//! every chart with its sentence, the per-minute roll-up, the textbook comparison and the
//! assumptions.

use crate::common;
use kinesim::report;

const HOT: &str = r#"name = "html-hot"
description = "A <hot> key & friends"
seed = 3
duration = "150s"

[stream]
shards = 4

[[producers]]
name = "feed"
rate = 2500
record_size = "200B"
keys = { distribution = "hot", hot = [ { key = "celebrity", share = 0.5 } ], count = 1000 }
retry = { max_attempts = 2, base = "50ms" }
batch = { linger = "50ms" }
"#;

fn page(toml: &str) -> String {
    let sc = common::scenario(toml);
    let r = kinesim::experiment::run(&sc);
    let files = report::render_all(&r, &sc).unwrap();
    let html = &files.iter().find(|(n, _)| n == "report.html").expect("report.html is rendered").1;
    assert_eq!(report::html::render(&r, &sc).unwrap(), *html, "pure and deterministic");
    assert!(files.iter().any(|(n, _)| n == "per-minute.svg"));
    String::from_utf8(html.clone()).unwrap()
}

#[test]
fn report_html_has_every_part_and_nothing_external() {
    let html = page(HOT);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>kinesim report: html-hot</h1>"));
    assert!(html.contains("A &lt;hot&gt; key &amp; friends"), "the description, escaped");
    for id in ["summary", "textbook", "charts", "per-minute", "shards", "cost", "assumptions"] {
        assert!(html.contains(&format!("<h2 id=\"{id}\"")), "section {id}");
    }
    assert_eq!(html.matches("<svg").count(), 6, "every chart inlined (the cost chart included)");
    assert_eq!(html.matches("class=\"look\"").count(), 7, "a sentence per chart, and the textbook verdict");
    assert!(html.contains("shard-hours x $0.015"), "the bill's working, line by line");
    for word in ["<script", "<link", "<img", "<iframe", " src=", "url(", "@import"] {
        assert!(!html.contains(word), "self-contained: no `{word}`");
    }
    // Summary and latency.
    for k in ["produced", "accepted", "dropped", "pending", "throttle rate", "p99", "PUT payload units"] {
        assert!(html.contains(k), "summary row {k}");
    }
    assert!(html.contains("class=\"verdict bad\""), "throttling and drops: a red verdict");
    // The textbook comparison.
    assert!(html.contains("formula + the 1,000 records/s limit, at the peak"));
    // Assumptions, read from the validated scenario: changed and default values.
    assert!(html.contains(
        "<code>producers[0].batch.linger</code></td><td>50ms</td><td class=\"small status-set\">set</td>"
    ));
    assert!(html.contains(
        "<code>producers[0].retry.cap</code></td><td>20s</td><td class=\"small status-default\">default</td>"
    ));
    assert!(html.contains("<code>producers[0].put_rtt</code></td><td>20ms</td>"));
    assert!(html.contains("<code>stream.write_limit</code></td><td>window</td>"));
    assert!(html.contains("<code>engine.mode</code></td><td>per-record</td>"));
    // The per-minute table: 150 s is three rows, the last one 30 s long.
    assert!(html.contains("of 30</td></tr>"), "a partial last minute");
    // The hot shard is named in the sentence of the shard totals chart.
    assert!(html.contains("took") && html.contains("of all throttling"));
}

#[test]
fn a_healthy_run_reads_green() {
    let html = page(
        r#"name = "calm"
duration = "30s"
[stream]
shards = 2
[[producers]]
name = "a"
rate = 300
record_size = "100B"
"#,
    );
    assert!(html.contains("class=\"verdict ok\""));
    assert!(html.contains("No throttling"));
}

/// Degenerate results render without panicking: nothing simulated, and a run with more shards
/// than the page lists.
#[test]
fn degenerate_results_render() {
    let sc = common::scenario(
        "name = \"d\"\nduration = \"1s\"\n[stream]\nshards = 1\n[[producers]]\nname = \"a\"\nrate = 0\nrecord_size = \"1B\"\n",
    );
    let empty = kinesim::experiment::Outcome::at_default_prices(kinesim::metrics::RunResult::default());
    let html = String::from_utf8(report::html::render(&empty, &sc).unwrap()).unwrap();
    assert!(html.contains("No throttling"));
    let mut many = empty.clone();
    many.shards = (0..200)
        .map(|i| kinesim::metrics::ShardTotals {
            shard_id: format!("shardId-{i:012}"),
            throttled_records: i,
            ..Default::default()
        })
        .collect();
    let html = String::from_utf8(report::html::render(&many, &sc).unwrap()).unwrap();
    assert!(html.contains("The 60 most throttled of 200 shards"));
    assert!(html.contains("shardId-000000000199") && !html.contains("shardId-000000000100<"));
}

/// With consumers, the report has a Consumers section (with the KCL workers and the job's
/// failed run and skipped periods), the three consumer charts with their sentences, and the
/// trace follows records on to the consumer.
#[test]
fn consumers_have_their_section_and_charts() {
    let b = kinesim::library::find("periodic-job-lock").unwrap();
    let mut sc = b.scenario().unwrap();
    sc.duration = kinesim::units::secs(120);
    let r = kinesim::experiment::run(&sc);
    let files = report::render_all(&r, &sc).unwrap();
    for f in ["consumer-lag.svg", "consumer-reads.svg", "consumer-latency.svg"] {
        assert!(files.iter().any(|(n, _)| n == f), "{f}");
    }
    let html = String::from_utf8(files.iter().find(|(n, _)| n == "report.html").unwrap().1.clone()).unwrap();
    assert!(html.contains("<h2 id=\"consumers\""));
    assert!(html.contains("<a href=\"#consumers\">Consumers</a>"), "the section is in the page's navigation");
    assert!(html.contains("2 KCL workers"));
    assert!(html.contains("3 runs (1 failed), 2 periods skipped"), "the job's summary line");
    assert!(html.contains("instance") && html.contains("died holding the lock"));
    assert!(html.contains("lock held until 100.0 s"), "why the periods were skipped");
    assert!(html.contains("Consumer reads against the shard read limit"));
    assert!(html.contains("End-to-end latency: from the producer to the application"));
    // Trace rows of the read side.
    for ev in ["read", "processed", "flushed"] {
        assert!(r.trace.iter().any(|t| t.event == ev), "a traced record was {ev}");
    }
}
