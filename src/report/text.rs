//! The short terminal summary printed after a run.

use super::words::ON_DEMAND_NOTE;
use crate::experiment::Outcome;
use crate::kinds::{CapacityMode, RunBound};
use crate::metrics::RunResult;
use crate::units::thousands;
use std::fmt::Write;

/// A few lines a person reads at a glance; `slo` is the scenario's `[size] slo`, judged in the
/// verdict lines when given.
pub fn render(r: &Outcome, slo: Option<&crate::scenario::Slo>) -> String {
    let t = &r.totals;
    let l = &r.latency.overall;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} s simulated, {} ({}), seed {}, {} mode",
        r.scenario,
        r.duration_s,
        shard_counts(&r.capacity),
        r.capacity.mode,
        r.seed,
        r.engine_mode
    );
    verdict_lines(&mut s, &super::verdict::findings(r, slo, None));
    if r.capacity.mode == CapacityMode::OnDemand
        || r.capacity.mode_switches.iter().any(|m| m.to == CapacityMode::OnDemand)
    {
        s.push_str(ON_DEMAND_NOTE);
    }
    let _ = writeln!(
        s,
        "  records   produced {}  accepted {}  dropped {}  pending {}",
        thousands(t.records_produced),
        thousands(t.records_accepted),
        thousands(t.records_dropped()),
        thousands(t.records_pending)
    );
    if r.kinesis_records_accepted != t.records_accepted {
        let _ = writeln!(
            s,
            "  aggregated: {} user records accepted in {} Kinesis records (KPL aggregation)",
            thousands(t.records_accepted),
            thousands(r.kinesis_records_accepted)
        );
    }
    let _ = writeln!(
        s,
        "  throttled {} attempts ({:.3}% of attempts), {} retries",
        thousands(t.throttled_attempts),
        100.0 * t.throttle_rate(),
        thousands(t.retries)
    );
    let _ = writeln!(
        s,
        "  put latency ms  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        l.p50, l.p90, l.p99, l.max
    );
    bounds_lines(&mut s, r);
    if let Some(hot) = r.shards.iter().max_by_key(|s| s.throttled_records) {
        if hot.throttled_records > 0 && r.shards.len() > 1 {
            let share = hot.throttled_records as f64 / t.throttled_attempts.max(1) as f64;
            let _ =
                writeln!(s, "  busiest shard {} took {:.0}% of all throttling", hot.shard_id, 100.0 * share);
        }
    }
    for c in &r.consumers {
        let _ = writeln!(
            s,
            "  consumer {} ({}): read {}, lost to retention {}, read throttles {}, lag p99 {}, end-to-end p99 {}",
            c.name,
            c.kind,
            thousands(c.records_read),
            thousands(c.records_lost_to_retention),
            thousands(c.read_throttled_calls),
            super::words::long_ms(c.iterator_age_ms.p99),
            super::words::long_ms(c.end_to_end_ms.p99)
        );
        if let Some(j) = &c.job {
            let _ = writeln!(
                s,
                "    job: {} ({} failed), {} skipped, {} flushed, produced -> flushed p99 {}",
                crate::units::count(j.runs.len(), "run", "runs"),
                j.runs.iter().filter(|r| r.outcome == "failed").count(),
                crate::units::count(j.skipped.len(), "period", "periods"),
                thousands(j.records_flushed),
                super::words::long_ms(j.flushed_ms.p99)
            );
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "  note: {w}");
    }
    let tb = &r.textbook;
    let _ = writeln!(
        s,
        "  textbook formula: {} at the peak ({} with the 1,000 records/s limit)",
        crate::units::shards(tb.shards_at_peak),
        tb.shards_at_peak_with_record_limit
    );
    cost_lines(&mut s, &r.cost);
    s
}

/// "4 shards", or how the count moved: "4 -> 32 shards", "4 -> 4 shards, most 8".
pub fn shard_counts(c: &crate::metrics::CapacityResult) -> String {
    let (a, b, most) = (c.shards_initial, c.shards_final, c.shards_max);
    if a == b && b == most {
        crate::units::shards(a.into())
    } else if most == a.max(b) {
        format!("{a} -> {}", crate::units::shards(b.into()))
    } else {
        format!("{a} -> {}, most {most}", crate::units::shards(b.into()))
    }
}

/// The verdict: its worst finding, then every other finding that is not ok (the bill follows
/// at the end of the summary).
fn verdict_lines(s: &mut String, found: &[super::verdict::Finding]) {
    use super::verdict::{headline, overall, Level};
    let Some(head) = headline(found) else { return };
    let _ = writeln!(s, "  verdict   {}: {}", overall(found).name(), head.text);
    for f in found.iter().filter(|f| f.level != Level::Ok && !std::ptr::eq(*f, head)) {
        let _ = writeln!(s, "            {}: {}", f.level.name(), f.text);
    }
}

/// The lenient bound beside the strict one (the lines above), and whether they differ
/// materially; with the lenient bound alone, a line saying so.
fn bounds_lines(s: &mut String, r: &RunResult) {
    if let Some(l) = &r.lenient {
        let _ = writeln!(
            s,
            "  lenient   throttled {} attempts ({:.3}% of attempts), dropped {}, put p99 {:.1} ms: the same run with a {}",
            thousands(l.throttled_attempts),
            100.0 * l.throttle_rate,
            thousands(l.records_dropped),
            l.put_latency.p99,
            l.write_limit
        );
        let _ = if r.bounds_differ() == Some(true) {
            writeln!(
                s,
                "  bounds    differ materially: AWS does not document how the per-shard limit is enforced; the figures above \
                 are the strict bound ({}), the truth may lie anywhere up to the lenient one",
                r.write_limit
            )
        } else {
            writeln!(
                s,
                "  bounds    agree: strict ({}) and lenient bounds within 0.1 percentage point of throttling",
                r.write_limit
            )
        };
    } else if r.bound == RunBound::Lenient {
        let _ = writeln!(s, "  bound     lenient alone ({}): engine.bounds = \"lenient\"", r.write_limit);
    }
}

/// The bill: total, monthly projection, every non-zero line with its working, the what-if.
fn cost_lines(s: &mut String, c: &crate::cost::CostReport) {
    use crate::cost::{describe, fmt_usd};
    let _ = writeln!(
        s,
        "  cost      {} for the run, {} per month (730 h); {} prices of {}{}",
        fmt_usd(c.bill.total_usd),
        fmt_usd(c.bill.per_month_usd),
        c.table,
        c.table_date,
        if c.overrides.is_empty() { "" } else { ", with overrides" }
    );
    for item in c.bill.items.iter().filter(|i| i.quantity > 0.0) {
        let _ = writeln!(s, "    {:<32} {}", format!("{}:", item.name), describe(item));
    }
    let _ = writeln!(s, "    ({})", c.payload_rule);
    let _ = writeln!(
        s,
        "  {} what-if{}: {} for the run, {} per month",
        c.what_if_mode,
        if c.what_if_mode == "provisioned" {
            " (the same shards)"
        } else {
            " (this traffic priced, not simulated; use kinesim compare to simulate it)"
        },
        fmt_usd(c.what_if.total_usd),
        fmt_usd(c.what_if.per_month_usd)
    );
}
