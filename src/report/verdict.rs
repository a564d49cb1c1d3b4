//! The verdict of a run: one finding per part of the stream (writes, each consumer's reads, each
//! periodic job, the SLO when the scenario states one, the cost), each ok, warn or bad, and the
//! worst of them as the headline. The HTML report's banner, the text summary's `verdict` lines
//! and `run --fail-on` read it, so a run whose writes are fine but whose readers fall behind is
//! never shown green.
//!
//! May call: `metrics` (the result), `scenario` (the SLO), `cost` (the bill), `units`.

use super::words::{long_ms, pct};
use crate::cost::{fmt_usd, CostReport};
use crate::metrics::{ConsumerResult, RunResult};
use crate::scenario::Slo;
use crate::units::{count, thousands};

/// A consumer whose p99 iterator age exceeds this is called behind when the scenario states no
/// iterator-age SLO [ms]. A kinesim reporting threshold, not an AWS figure: one minute behind
/// the newest record is where a near-real-time reader is no longer near real time.
pub const ITERATOR_AGE_WARN_MS: f64 = 60_000.0;

/// How a part of the run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Bad,
}

impl Level {
    /// `ok`, `warn`, `bad`: the CSS class of the HTML banner and the word of the text summary.
    pub fn name(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Bad => "bad",
        }
    }
}

/// One part of the run and how it went, in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub level: Level,
    pub text: String,
}

/// Every finding, writes first, then the SLO, each consumer and its job, the cost.
pub fn findings(r: &RunResult, slo: Option<&Slo>, cost: Option<&CostReport>) -> Vec<Finding> {
    let mut out = vec![writes(r)];
    if let Some(slo) = slo {
        out.push(slo_finding(r, slo));
    }
    let age_limit = slo.and_then(|s| s.max_p99_iterator_age_ms);
    let consumers: Vec<&ConsumerResult> = r.consumers.iter().collect();
    out.extend(reads(&consumers, age_limit));
    out.extend(r.consumers.iter().filter_map(job));
    if let Some(c) = cost {
        out.push(Finding {
            level: Level::Ok,
            text: format!(
                "Cost: {} per month (730 h) at this traffic; {} what-if {} per month.",
                fmt_usd(c.bill.per_month_usd),
                c.what_if_mode,
                fmt_usd(c.what_if.per_month_usd)
            ),
        });
    }
    out
}

/// The worst level among the findings (`Ok` for none).
pub fn overall(findings: &[Finding]) -> Level {
    findings.iter().map(|f| f.level).max().unwrap_or(Level::Ok)
}

/// The headline: the first finding at the worst level.
pub fn headline(findings: &[Finding]) -> Option<&Finding> {
    let worst = overall(findings);
    findings.iter().find(|f| f.level == worst)
}

fn writes(r: &RunResult) -> Finding {
    let t = &r.totals;
    let dropped = t.records_dropped();
    let pending = if t.records_pending > 0 {
        format!("; {} were still in a producer when the run ended", thousands(t.records_pending))
    } else {
        String::new()
    };
    let p99 = long_ms(r.latency.overall.p99);
    if t.throttled_attempts == 0 {
        Finding {
            level: Level::Ok,
            text: format!(
                "No write throttling: {} of {} records produced were accepted{pending} (p99 put latency {p99}).",
                thousands(t.records_accepted),
                thousands(t.records_produced)
            ),
        }
    } else if dropped == 0 {
        Finding {
            level: Level::Warn,
            text: format!(
                "{} of write attempts throttled, but retries got every record in (p99 put latency {p99}).",
                pct(t.throttle_rate())
            ),
        }
    } else {
        Finding {
            level: Level::Bad,
            text: format!(
                "{} of write attempts throttled; {} records dropped ({} of those produced).",
                pct(t.throttle_rate()),
                thousands(dropped),
                pct(dropped as f64 / t.records_produced.max(1) as f64)
            ),
        }
    }
}

/// The scenario's `[size] slo`, judged on this run's figures.
fn slo_finding(r: &RunResult, slo: &Slo) -> Finding {
    let t = &r.totals;
    let mut missed = vec![];
    if let Some(max) = slo.max_throttle_rate {
        if t.throttle_rate() > max {
            missed.push(format!("throttle rate {} > {}", pct(t.throttle_rate()), pct(max)));
        }
    }
    if let Some(max) = slo.max_dropped {
        if t.records_dropped() > max {
            missed.push(format!("{} records dropped > {}", thousands(t.records_dropped()), thousands(max)));
        }
    }
    if let Some(max) = slo.max_p99_put_latency_ms {
        if r.latency.overall.p99 > max {
            missed.push(format!("p99 put latency {} > {}", long_ms(r.latency.overall.p99), long_ms(max)));
        }
    }
    if let Some(max) = slo.max_p99_iterator_age_ms {
        if let Some(c) =
            r.consumers.iter().max_by(|a, b| a.iterator_age_ms.p99.total_cmp(&b.iterator_age_ms.p99))
        {
            if c.iterator_age_ms.p99 > max {
                missed.push(format!(
                    "{}'s p99 iterator age {} > {}",
                    c.name,
                    long_ms(c.iterator_age_ms.p99),
                    long_ms(max)
                ));
            }
        }
    }
    if missed.is_empty() {
        Finding { level: Level::Ok, text: "The scenario's SLO ([size] slo) is met.".to_string() }
    } else {
        Finding {
            level: Level::Bad,
            text: format!("The scenario's SLO ([size] slo) is missed: {}.", missed.join("; ")),
        }
    }
}

/// How one consumer's reads went, before consumers in the same state are told together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ReadState {
    /// Records expired before it read them.
    Lost,
    /// Its p99 iterator age is above the limit.
    Behind,
    /// It keeps up, but some GetRecords calls were refused.
    Throttled,
    Ok,
}

fn read_state(c: &ConsumerResult, limit_ms: f64) -> ReadState {
    if c.records_lost_to_retention > 0 {
        ReadState::Lost
    } else if c.iterator_age_ms.p99 > limit_ms {
        ReadState::Behind
    } else if c.read_throttled_calls > 0 {
        ReadState::Throttled
    } else {
        ReadState::Ok
    }
}

/// One finding per state the consumers are in (a single consumer by name, several together with
/// the range of their figures), worst state first.
fn reads(consumers: &[&ConsumerResult], age_limit_ms: Option<f64>) -> Vec<Finding> {
    let limit = age_limit_ms.unwrap_or(ITERATOR_AGE_WARN_MS);
    let mut states: Vec<(ReadState, Vec<&ConsumerResult>)> = vec![];
    for c in consumers {
        let st = read_state(c, limit);
        match states.iter_mut().find(|(s, _)| *s == st) {
            Some((_, group)) => group.push(c),
            None => states.push((st, vec![c])),
        }
    }
    states.sort_by_key(|(s, _)| *s);
    states.into_iter().map(|(st, group)| read_finding(st, &group, limit, age_limit_ms.is_some())).collect()
}

fn read_finding(st: ReadState, group: &[&ConsumerResult], limit: f64, stated: bool) -> Finding {
    let who = match group {
        [one] => format!("Consumer {}", one.name),
        _ => format!(
            "{} consumers ({})",
            group.len(),
            group.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    let verb = |one: &str, many: &str| if group.len() == 1 { one.to_string() } else { many.to_string() };
    let age = span(group.iter().map(|c| c.iterator_age_ms.p99), long_ms);
    let throttles = span(group.iter().map(|c| c.read_throttled_calls as f64), |x| thousands(x as u64));
    let refused = if group.iter().any(|c| c.read_throttled_calls > 0) {
        format!(
            "; {throttles} GetRecords calls refused{} (ReadProvisionedThroughputExceeded)",
            if group.len() > 1 { " each" } else { "" }
        )
    } else {
        String::new()
    };
    match st {
        ReadState::Lost => Finding {
            level: Level::Bad,
            text: format!(
                "{who} lost {} records to retention: they expired before being read (p99 iterator age {age}{refused}).",
                thousands(group.iter().map(|c| c.records_lost_to_retention).sum())
            ),
        },
        ReadState::Behind => Finding {
            level: if stated { Level::Bad } else { Level::Warn },
            text: format!("{who} {}: p99 iterator age {age}, above {}{refused}.", verb("falls behind", "fall behind"), long_ms(limit)),
        },
        ReadState::Throttled => Finding {
            level: Level::Warn,
            text: format!("{who} {} (p99 iterator age {age}){refused}.", verb("keeps up", "keep up")),
        },
        ReadState::Ok => Finding {
            level: Level::Ok,
            text: format!("{who} {}: p99 iterator age {age}.", verb("keeps up", "keep up")),
        },
    }
}

/// `a` or `a to b`: the range of a figure over a group of consumers.
fn span(values: impl Iterator<Item = f64>, show: impl Fn(f64) -> String) -> String {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo == hi || !lo.is_finite() {
        show(hi)
    } else {
        format!("{} to {}", show(lo), show(hi))
    }
}

fn job(c: &ConsumerResult) -> Option<Finding> {
    let j = c.job.as_ref()?;
    let failed = j.runs.iter().filter(|r| r.outcome == "failed").count();
    let flushed = long_ms(j.flushed_ms.p99);
    Some(if j.skipped.is_empty() && failed == 0 {
        Finding {
            level: Level::Ok,
            text: format!("{}'s periodic job ran every period: produced -> flushed p99 {flushed}.", c.name),
        }
    } else {
        let why = j.skipped.first().map(|s| format!(" (first: {})", s.reason)).unwrap_or_default();
        Finding {
            level: Level::Warn,
            text: format!(
                "{}'s periodic job: {} skipped, {} failed{why}; produced -> flushed p99 {flushed}.",
                c.name,
                count(j.skipped.len(), "period", "periods"),
                count(failed, "run", "runs")
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{JobResult, JobSkip, Percentiles};

    fn run(produced: u64, accepted: u64, throttled: u64, dropped: u64, pending: u64) -> RunResult {
        let mut r = RunResult::default();
        r.totals.records_produced = produced;
        r.totals.records_accepted = accepted;
        r.totals.throttled_attempts = throttled;
        r.totals.records_dropped_throttled = dropped;
        r.totals.records_pending = pending;
        r
    }

    fn slo(throttle: Option<f64>, dropped: Option<u64>, age_ms: Option<f64>) -> Slo {
        Slo {
            max_throttle_rate: throttle,
            max_dropped: dropped,
            max_p99_put_latency_ms: None,
            max_p99_iterator_age_ms: age_ms,
        }
    }

    fn consumer(name: &str, age_p99: f64, lost: u64, throttles: u64) -> ConsumerResult {
        ConsumerResult {
            name: name.into(),
            iterator_age_ms: Percentiles { p99: age_p99, ..Default::default() },
            records_lost_to_retention: lost,
            read_throttled_calls: throttles,
            ..Default::default()
        }
    }

    #[test]
    fn healthy_writes_are_ok_and_say_what_is_still_pending() {
        let f = findings(&run(1000, 990, 0, 0, 10), None, None);
        assert_eq!(overall(&f), Level::Ok);
        assert!(f[0].text.contains("990 of 1,000 records produced were accepted"), "{}", f[0].text);
        assert!(f[0].text.contains("10 were still in a producer"), "{}", f[0].text);
        let f = findings(&run(1000, 1000, 0, 0, 0), None, None);
        assert!(!f[0].text.contains("still"), "{}", f[0].text);
    }

    #[test]
    fn throttling_without_loss_warns_and_drops_are_bad() {
        assert_eq!(overall(&findings(&run(1000, 1000, 50, 0, 0), None, None)), Level::Warn);
        assert_eq!(overall(&findings(&run(1000, 900, 150, 100, 0), None, None)), Level::Bad);
    }

    /// Five readers three minutes behind with perfect writes: the run is not green.
    #[test]
    fn lagging_readers_make_a_green_write_path_warn() {
        let mut r = run(1000, 1000, 0, 0, 0);
        r.consumers = vec![consumer("analytics", 180_000.0, 0, 500), consumer("search", 1_000.0, 0, 0)];
        let f = findings(&r, None, None);
        assert_eq!(overall(&f), Level::Warn);
        let head = headline(&f).unwrap();
        assert!(
            head.text.starts_with("Consumer analytics falls behind: p99 iterator age 180.0 s"),
            "{}",
            head.text
        );
        assert!(head.text.contains("500 GetRecords calls refused"), "{}", head.text);
        assert_eq!(f[2].level, Level::Ok);
        assert_eq!(f[2].text, "Consumer search keeps up: p99 iterator age 1,000 ms.");
    }

    /// Consumers in the same state are told in one sentence, with the range of their figures.
    #[test]
    fn consumers_in_the_same_state_are_told_together() {
        let mut r = run(1000, 1000, 0, 0, 0);
        r.consumers = vec![
            consumer("a", 102_200.0, 0, 182),
            consumer("b", 183_700.0, 0, 189),
            consumer("c", 500.0, 0, 0),
        ];
        let f = findings(&r, None, None);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(
            f[1].text,
            "2 consumers (a, b) fall behind: p99 iterator age 102.2 s to 183.7 s, above 60.0 s; 182 to 189 \
             GetRecords calls refused each (ReadProvisionedThroughputExceeded)."
        );
        assert_eq!(f[2].level, Level::Ok);
    }

    #[test]
    fn retention_loss_is_bad_and_a_stated_age_slo_is_binding() {
        let mut r = run(1000, 1000, 0, 0, 0);
        r.consumers = vec![consumer("slow", 1_000.0, 7, 0)];
        assert_eq!(overall(&findings(&r, None, None)), Level::Bad);
        r.consumers = vec![consumer("reader", 8_000.0, 0, 0)];
        assert_eq!(overall(&findings(&r, None, None)), Level::Ok, "8 s is below the default threshold");
        let age = slo(None, None, Some(5_000.0));
        let f = findings(&r, Some(&age), None);
        assert_eq!(overall(&f), Level::Bad);
        assert!(f.iter().any(|x| x.text.contains("reader's p99 iterator age 8,000 ms > 5,000 ms")), "{f:?}");
    }

    #[test]
    fn the_slo_is_judged_bound_by_bound() {
        let r = run(1000, 980, 30, 20, 0);
        let strict = slo(Some(0.001), Some(0), None);
        let f = findings(&r, Some(&strict), None);
        let s = &f[1];
        assert_eq!(s.level, Level::Bad);
        assert!(s.text.contains("throttle rate") && s.text.contains("20 records dropped > 0"), "{}", s.text);
        let ok = slo(Some(0.5), None, None);
        assert_eq!(findings(&r, Some(&ok), None)[1].level, Level::Ok);
    }

    #[test]
    fn a_job_that_skips_periods_warns_with_the_reason() {
        let mut r = run(10, 10, 0, 0, 0);
        let mut c = consumer("loader", 500.0, 0, 0);
        c.job = Some(JobResult {
            skipped: vec![
                JobSkip { period: 3, at_s: 60.0, reason: "lock held by instance 1".into() },
                JobSkip { period: 4, at_s: 80.0, reason: "lock held by instance 1".into() },
            ],
            flushed_ms: Percentiles { p99: 83_000.0, ..Default::default() },
            ..Default::default()
        });
        r.consumers = vec![c];
        let f = findings(&r, None, None);
        assert_eq!(overall(&f), Level::Warn);
        let j = headline(&f).unwrap();
        assert!(
            j.text.contains("2 periods skipped, 0 runs failed (first: lock held by instance 1)"),
            "{}",
            j.text
        );
        assert!(j.text.contains("p99 83.0 s"), "{}", j.text);
    }

    #[test]
    fn latencies_read_in_one_unit_per_magnitude() {
        assert_eq!(long_ms(120.04), "120 ms");
        assert_eq!(long_ms(8.25), "8.2 ms");
        assert_eq!(long_ms(172_900.0), "172.9 s");
        assert_eq!(long_ms(3_600_000.0), "60.0 min");
        assert_eq!(long_ms(86_400_000.0), "24.0 h");
    }
}
