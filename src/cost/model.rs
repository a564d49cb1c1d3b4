//! The bill of a finished run, computed from its billing quantities.
//!
//! Readings of the pricing page (https://aws.amazon.com/kinesis/data-streams/pricing/, read
//! 2026-11-28), each a choice kinesim states rather than hides:
//! - **Shard-hours**: "You are charged for each shard at an hourly rate"; kinesim bills every
//!   shard open at any moment of a clock hour of the run (hours counted from the run's start)
//!   for that whole hour, "each hour or part of an hour", so during a reshard both the closing
//!   parents and the new children are billed for the hour it happens in (FACTS.md, issue 4).
//!   The last, partial hour of a run is billed as a whole hour.
//! - **PUT payload units**: the model counts each accepted record in 25,000-byte chunks, rounded
//!   up (the quantity comes from the run; throttled attempts are not billed).
//! - **Extended retention** (provisioned): every billed shard-hour again, at the extended price,
//!   when the stream's retention is above 24 h.
//! - **Long-term retention**: GB-months of data older than 7 days still inside the retention
//!   period. Data is stored from the end of the second it was accepted in and kept for exactly
//!   the retention period; a run starts with an empty stream, so a run shorter than 7 days stores
//!   nothing long-term (the monthly projection, at steady state, does).
//! - **On-demand Standard what-if**: stream-hours (one stream, each hour or part), GB ingested
//!   (records rounded up to whole KiB), extended retention per GB-month (24 h to 7 days) and
//!   long-term retention per GB-month (beyond 7 days) of the bytes this run accepted.
//! - **Reads**: EFO consumer-shard-hours, EFO GB, polling GB and long-term retrieval are zero
//!   until consumers are modelled (issue 5): no usage is invented.

use super::*;
use crate::metrics::RunResult;
use crate::units::SimTime;

const HOUR_S: f64 = 3600.0;
/// At most this many instants in the cost and retention series.
const MAX_POINTS: usize = 1000;

/// The bill of `r` under `settings`' prices, for a stream retaining data for `retention` [µs].
pub fn compute(settings: &CostSettings, retention: SimTime, r: &RunResult) -> CostReport {
    let p = &settings.table;
    let run_s = r.duration_s.max(0.0);
    let n = r.series.len();
    let retention_s = retention / crate::units::MICROS_PER_SEC;
    let usage = Usage::new(r, run_s, retention_s);

    // ---- Time grid -------------------------------------------------------------------------
    let bucket_s = (run_s / MAX_POINTS as f64).ceil().max(1.0);
    let mut times_s = vec![0.0];
    while *times_s.last().unwrap_or(&run_s) < run_s {
        let next = (times_s.len() as f64 * bucket_s).min(run_s);
        times_s.push(next);
    }

    // ---- Quantities over time (cumulative at each instant) ---------------------------------
    let mut hour_prefix = vec![0.0];
    for c in usage.hour_counts() {
        hour_prefix.push(hour_prefix.last().copied().unwrap_or(0.0) + c);
    }
    let shard_hours: Vec<f64> = times_s.iter().map(|&t| usage.shard_hours_until(t, &hour_prefix)).collect();
    let put_units: Vec<f64> = cumulative_at(&r.series.put_payload_units, &times_s);
    let ingest_kib: Vec<f64> = cumulative_at(&r.series.billed_ingest_kib, &times_s);
    let stream_hours: Vec<f64> = times_s.iter().map(|&t| (t / HOUR_S).ceil()).collect();
    let tiers = usage.tiers();
    // Byte-seconds stored per tier, cumulative, and the retained bytes at each instant.
    let (tier_byte_s, retained) = usage.retention_series(&tiers, &times_s, n);
    let gb_month = |byte_s: f64| byte_s / GB_BYTES / HOUR_S / HOURS_PER_MONTH;
    let tier_gb_month = |which: Tier| -> Vec<f64> {
        match tiers.iter().position(|t| t.which == which) {
            Some(i) => tier_byte_s[i].iter().map(|&b| gb_month(b)).collect(),
            None => vec![0.0; times_s.len()],
        }
    };
    let extended_gbm = tier_gb_month(Tier::Extended);
    let long_gbm = tier_gb_month(Tier::LongTerm);
    let extended = retention_s > INCLUDED_RETENTION_S;

    // ---- Monthly rates (steady state, exact time, no part-hour rounding) -------------------
    let per_s = |total: f64| if run_s > 0.0 { total / run_s } else { 0.0 };
    let month_s = HOURS_PER_MONTH * HOUR_S;
    let mean_shards = per_s(r.series.open_shards.iter().map(|&x| x as f64).sum());
    let bytes_per_s = per_s(r.series.accepted_bytes.iter().sum::<u64>() as f64);
    let stored_gb = |lo: u64, hi: u64| bytes_per_s * hi.saturating_sub(lo) as f64 / GB_BYTES;
    let ext_hi = retention_s.min(EXTENDED_RETENTION_END_S);

    let zero = vec![0.0; times_s.len()];
    let no_consumers = "no consumers are modelled yet (issue 5): zero, not estimated";
    // (key, name, cumulative quantity over time, monthly quantity, note)
    let provisioned: Vec<(&str, &str, Vec<f64>, f64, String)> = vec![
        (
            "shard_hour",
            "shard-hours",
            shard_hours.clone(),
            mean_shards * HOURS_PER_MONTH,
            "every open shard, each clock hour or part of one (parents and children both during a reshard)"
                .into(),
        ),
        (
            "put_payload_units",
            "PUT payload units",
            put_units.iter().map(|u| u / PUT_UNITS_PER_PRICE).collect(),
            per_s(r.totals.put_payload_units as f64) * month_s / PUT_UNITS_PER_PRICE,
            "each accepted record in 25,000-byte chunks, rounded up".into(),
        ),
        (
            "extended_retention_shard_hour",
            "extended retention shard-hours",
            if extended { shard_hours.clone() } else { zero.clone() },
            if extended { mean_shards * HOURS_PER_MONTH } else { 0.0 },
            if extended {
                format!("retention {} h > 24 h: every shard-hour", retention_s / 3600)
            } else {
                "retention is 24 h: not billed".into()
            },
        ),
        (
            "long_term_retention_gb_month",
            "long-term retention",
            long_gbm.clone(),
            stored_gb(EXTENDED_RETENTION_END_S, retention_s),
            long_term_note(retention_s, run_s),
        ),
        ("long_term_retrieval_gb", "long-term data retrieval", zero.clone(), 0.0, no_consumers.into()),
        (
            "efo_consumer_shard_hour",
            "enhanced fan-out consumer-shard-hours",
            zero.clone(),
            0.0,
            no_consumers.into(),
        ),
        ("efo_retrieval_gb", "enhanced fan-out data retrieval", zero.clone(), 0.0, no_consumers.into()),
    ];
    let on_demand: Vec<(&str, &str, Vec<f64>, f64, String)> = vec![
        (
            "od_stream_hour",
            "stream-hours",
            stream_hours,
            HOURS_PER_MONTH,
            "one stream, each clock hour or part of one".into(),
        ),
        (
            "od_ingest_gb",
            "data ingested",
            ingest_kib.iter().map(|k| k * 1024.0 / GB_BYTES).collect(),
            per_s(r.totals.billed_ingest_kib as f64) * month_s * 1024.0 / GB_BYTES,
            "each accepted record rounded up to 1 KiB".into(),
        ),
        (
            "od_extended_retention_gb_month",
            "extended retention (24 h to 7 days)",
            extended_gbm,
            stored_gb(INCLUDED_RETENTION_S, ext_hi),
            if extended {
                "bytes stored between 24 h and 7 days old".into()
            } else {
                "retention is 24 h: not billed".into()
            },
        ),
        (
            "od_long_term_retention_gb_month",
            "long-term retention (beyond 7 days)",
            long_gbm,
            stored_gb(EXTENDED_RETENTION_END_S, retention_s),
            long_term_note(retention_s, run_s),
        ),
        ("od_retrieval_gb", "data retrieved", zero.clone(), 0.0, no_consumers.into()),
        ("od_efo_retrieval_gb", "enhanced fan-out data retrieved", zero, 0.0, no_consumers.into()),
    ];

    let on_demand_run = r.capacity.mode.starts_with("on-demand");
    let ((bill, cumulative_usd), (what_if, what_if_cum), what_if_mode) = if on_demand_run {
        (
            price_items("on-demand standard", p, &on_demand),
            price_items(
                "provisioned what-if: the shards this on-demand stream opened, and its accepted \
                 traffic, priced as provisioned (a provisioned stream would have its own shard count)",
                p,
                &provisioned,
            ),
            "provisioned",
        )
    } else {
        (
            price_items("provisioned", p, &provisioned),
            price_items(
                "on-demand standard what-if: the same accepted traffic priced as On-demand Standard \
                 (on-demand capacity and throttling are not simulated for this run)",
                p,
                &on_demand,
            ),
            "on-demand standard",
        )
    };
    let what_if_over_time =
        (0..times_s.len()).map(|k| what_if_cum.iter().map(|c| c[k]).sum::<f64>()).collect();
    let projection = format!(
        "per_month = each item's rate over the simulated {} h (exact shard-seconds and bytes, no \
         part-hour rounding) x {} h (the AWS pricing calculator's month), i.e. the simulated \
         pattern repeated back to back for a month; retention at steady state: the stream has run \
         longer than its retention ({} h), storing the run's mean accepted rate",
        super::fmt_quantity((run_s / HOUR_S * 1000.0).round() / 1000.0),
        HOURS_PER_MONTH,
        retention_s / 3600
    );
    CostReport {
        table: p.region.clone(),
        table_date: p.verified.clone(),
        overrides: settings.overrides.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        bill,
        what_if,
        what_if_mode: what_if_mode.into(),
        projection,
        bucket_s,
        times_s,
        cumulative_usd,
        what_if_cumulative_usd: what_if_over_time,
        retained_bytes: tiers.iter().map(|t| t.label.to_string()).zip(retained).collect(),
        retention_s,
    }
}

fn long_term_note(retention_s: u64, run_s: f64) -> String {
    if retention_s <= EXTENDED_RETENTION_END_S {
        "retention is at most 7 days: not billed".into()
    } else if run_s <= EXTENDED_RETENTION_END_S as f64 {
        "the run is shorter than 7 days: no data is old enough yet (the month is at steady state)".into()
    } else {
        "bytes stored beyond 7 days old".into()
    }
}

type ItemSpec<'a> = (&'a str, &'a str, Vec<f64>, f64, String);

/// Price each item: the run's quantity is the last cumulative value.
fn price_items(label: &str, p: &PriceTable, specs: &[ItemSpec]) -> (Bill, Vec<Vec<f64>>) {
    let mut b = Bill { label: label.into(), ..Default::default() };
    let mut cumulative = Vec::new();
    for (key, name, over_time, month_q, note) in specs {
        let price = p.usd(key);
        let unit = p.unit(key).to_string();
        let q = over_time.last().copied().unwrap_or(0.0);
        let line = |quantity: f64| LineItem {
            key: key.to_string(),
            name: name.to_string(),
            quantity,
            unit: unit.clone(),
            unit_price_usd: price,
            usd: quantity * price,
            note: note.clone(),
        };
        b.items.push(line(q));
        b.month_items.push(line(*month_q));
        cumulative.push(over_time.iter().map(|x| x * price).collect());
    }
    b.total_usd = b.items.iter().map(|i| i.usd).sum();
    b.per_month_usd = b.month_items.iter().map(|i| i.usd).sum();
    (b, cumulative)
}

/// Sum of `v` over the seconds before each instant of `times`.
fn cumulative_at(v: &[u64], times: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(times.len());
    let (mut sum, mut i) = (0u64, 0usize);
    for &t in times {
        let end = (t.ceil() as usize).min(v.len());
        while i < end {
            sum += v[i];
            i += 1;
        }
        out.push(sum as f64);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Included,
    Extended,
    LongTerm,
}

/// A retention tier: data aged `[lo, hi)` seconds.
struct TierSpan {
    which: Tier,
    label: &'static str,
    lo: u64,
    hi: u64,
}

/// The run's usage, indexed for billing.
struct Usage<'a> {
    r: &'a RunResult,
    run_s: f64,
    retention_s: u64,
    /// Shard (opened, closed) [s], from the run's shard list.
    intervals: Vec<(f64, f64)>,
}

impl<'a> Usage<'a> {
    fn new(r: &'a RunResult, run_s: f64, retention_s: u64) -> Self {
        let intervals = r
            .shards
            .iter()
            .map(|s| (s.opened_at_s, s.closed_at_s.unwrap_or(f64::INFINITY).min(run_s)))
            .filter(|(o, c)| c > o)
            .collect();
        Usage { r, run_s, retention_s, intervals }
    }

    /// Shards open at any moment of `[a, b)`: the distinct shards whose open interval overlaps
    /// it, and never fewer than the most open in any one second of it.
    fn shards_in(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        let distinct = self.intervals.iter().filter(|(o, c)| *o < b && *c > a).count();
        let s = &self.r.series.open_shards;
        let lo = (a.floor() as usize).min(s.len());
        let hi = (b.ceil() as usize).min(s.len());
        let most = s[lo..hi].iter().copied().max().unwrap_or(0) as usize;
        distinct.max(most) as f64
    }

    /// Shards open in each whole clock hour of the run (the last one may be partial).
    fn hour_counts(&self) -> Vec<f64> {
        let hours = (self.run_s / HOUR_S).ceil() as usize;
        let mut distinct = vec![0i64; hours + 1];
        for &(o, c) in &self.intervals {
            let h0 = ((o / HOUR_S).floor() as usize).min(hours);
            let h1 = ((c / HOUR_S).ceil() as usize).min(hours);
            if h1 > h0 {
                distinct[h0] += 1;
                distinct[h1] -= 1;
            }
        }
        let mut most = vec![0u32; hours];
        for (s, &open) in self.r.series.open_shards.iter().enumerate() {
            if let Some(m) = most.get_mut(s / 3600) {
                *m = (*m).max(open);
            }
        }
        let mut running = 0i64;
        (0..hours)
            .map(|h| {
                running += distinct[h];
                (running.max(0) as f64).max(most[h] as f64)
            })
            .collect()
    }

    /// Shard-hours billed for the run up to instant `t`, given [`Self::hour_counts`] summed:
    /// whole clock hours before it, plus the hour `t` falls in, already owed for every shard
    /// open in it so far.
    fn shard_hours_until(&self, t: f64, hour_prefix: &[f64]) -> f64 {
        let t = t.min(self.run_s);
        let h = ((t / HOUR_S).floor() as usize).min(hour_prefix.len().saturating_sub(1));
        hour_prefix[h] + self.shards_in(h as f64 * HOUR_S, t)
    }

    /// The tiers the retention period spans.
    fn tiers(&self) -> Vec<TierSpan> {
        let r = self.retention_s;
        let mut t = vec![TierSpan {
            which: Tier::Included,
            label: "first 24 h (included)",
            lo: 0,
            hi: r.min(INCLUDED_RETENTION_S),
        }];
        if r > INCLUDED_RETENTION_S {
            t.push(TierSpan {
                which: Tier::Extended,
                label: "24 h to 7 days (extended)",
                lo: INCLUDED_RETENTION_S,
                hi: r.min(EXTENDED_RETENTION_END_S),
            });
        }
        if r > EXTENDED_RETENTION_END_S {
            t.push(TierSpan {
                which: Tier::LongTerm,
                label: "beyond 7 days (long-term)",
                lo: EXTENDED_RETENTION_END_S,
                hi: r,
            });
        }
        t
    }

    /// Per tier: cumulative byte-seconds stored, and bytes retained, at each instant of `times`.
    /// Data accepted in second s is stored from instant s + 1; at whole instant T its age is
    /// T - s - 1, and it is retained while its age is below the retention.
    fn retention_series(
        &self,
        tiers: &[TierSpan],
        times: &[f64],
        n: usize,
    ) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let bytes = &self.r.series.accepted_bytes;
        let mut prefix = Vec::with_capacity(n + 1);
        prefix.push(0u64);
        for &b in bytes.iter().take(n) {
            prefix.push(prefix.last().copied().unwrap_or(0) + b);
        }
        let n = prefix.len() - 1;
        // Bytes aged [lo, hi) at whole instant T: seconds s in [T - hi, T - 1 - lo].
        let in_tier = |t: usize, tier: &TierSpan| -> u64 {
            let end = t.saturating_sub(tier.lo as usize).min(n);
            let start = (t.saturating_sub(tier.hi.min(usize::MAX as u64) as usize)).min(end);
            prefix[end] - prefix[start]
        };
        let mut byte_s = vec![Vec::with_capacity(times.len()); tiers.len()];
        let mut retained = vec![Vec::with_capacity(times.len()); tiers.len()];
        let mut acc = vec![0f64; tiers.len()];
        let mut t_done = 0usize;
        for &t in times {
            let target = (t.floor() as usize).min(n.max(t.floor() as usize));
            // Each whole instant T = 1..=target stands for the second (T-1, T] of storage.
            while t_done < target {
                t_done += 1;
                for (i, tier) in tiers.iter().enumerate() {
                    acc[i] += in_tier(t_done, tier) as f64;
                }
            }
            for (i, tier) in tiers.iter().enumerate() {
                byte_s[i].push(acc[i]);
                retained[i].push(in_tier(t_done, tier) as f64);
            }
        }
        (byte_s, retained)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Series, ShardTotals};
    use crate::units::secs;

    fn settings() -> CostSettings {
        CostSettings::default()
    }

    /// A hand-built run: `shards` shards open for `seconds`, `units` PUT payload units, `kib`
    /// billed KiB and `bytes` accepted bytes every second.
    fn steady(shards: u32, seconds: usize, units: u64, kib: u64, bytes: u64) -> RunResult {
        let series = Series {
            open_shards: vec![shards; seconds],
            put_payload_units: vec![units; seconds],
            billed_ingest_kib: vec![kib; seconds],
            accepted_bytes: vec![bytes; seconds],
            accepted_records: vec![0; seconds],
            ..Default::default()
        };
        let mut r = RunResult { duration_s: seconds as f64, series, ..Default::default() };
        r.totals.put_payload_units = units * seconds as u64;
        r.totals.billed_ingest_kib = kib * seconds as u64;
        r.totals.bytes_accepted = bytes * seconds as u64;
        r.shards = (0..shards)
            .map(|i| ShardTotals { shard_id: format!("shardId-{i:012}"), ..Default::default() })
            .collect();
        r
    }

    fn cents(x: f64) -> f64 {
        (x * 100.0).round() / 100.0
    }

    fn line<'a>(b: &'a Bill, key: &str) -> &'a LineItem {
        b.items.iter().find(|i| i.key == key).unwrap()
    }

    /// AWS pricing page worked example (FACTS.md, "Worked example"): 100 records/s of 35 KB on
    /// 4 shards for 31 days: 2,976 shard-hours = $44.64, 535,680,000 PUT payload units = $7.50,
    /// total $52.14.
    #[test]
    fn the_aws_pricing_page_example_to_the_cent() {
        let r = steady(4, 31 * 24 * 3600, 200, 0, 0);
        let c = compute(&settings(), secs(86_400), &r);
        let sh = line(&c.bill, "shard_hour");
        assert_eq!(sh.quantity, 2976.0);
        assert_eq!(cents(sh.usd), 44.64);
        assert_eq!(describe(sh), "2,976 shard-hours x $0.015 = $44.64");
        let pu = line(&c.bill, "put_payload_units");
        assert_eq!((pu.quantity * 1e6).round(), 535_680_000.0);
        assert_eq!(cents(pu.usd), 7.50);
        assert_eq!(cents(c.total_usd()), 52.14);
        // A 31-day month at the same rates, projected to 730 h: 4 x 730 x $0.015 = $43.80.
        assert_eq!(cents(c.bill.month_items[0].usd), 43.80);
    }

    /// FACTS.md unit-price checks (AWS pricing page): 1 shard for 730 h = $10.95; 2,920
    /// shard-hours = $43.80; 6,500,000 PUT payload units = $0.091; one on-demand stream for
    /// 730 h = $29.20.
    #[test]
    fn facts_md_unit_price_checks() {
        let r = steady(1, 730 * 3600, 0, 0, 0);
        let c = compute(&settings(), secs(86_400), &r);
        assert_eq!(cents(line(&c.bill, "shard_hour").usd), 10.95);
        assert_eq!(cents(c.per_month_usd()), 10.95);
        assert_eq!(cents(line(&c.what_if, "od_stream_hour").usd), 29.20);
        let r = steady(4, 730 * 3600, 0, 0, 0);
        assert_eq!(cents(compute(&settings(), secs(86_400), &r).total_usd()), 43.80);
        let p = &settings().table;
        assert!((6_500_000.0 / 1e6 * p.usd("put_payload_units") - 0.091).abs() < 1e-12);
        // A 10-shard stream with 1 EFO consumer: 10 shard-hours + 10 consumer-shard-hours per
        // hour = $0.15 + $0.15 (the FACTS.md check is the EFO part: $0.15 per hour).
        assert!((10.0 * p.usd("efo_consumer_shard_hour") - 0.15).abs() < 1e-12);
    }

    /// Shard-hours: each hour or part of an hour (pricing page: "charged for each shard at an
    /// hourly rate"). 90 minutes of 2 shards bill 4 shard-hours; the month is exact time.
    #[test]
    fn part_hours_are_billed_as_hours_and_not_projected() {
        let r = steady(2, 5400, 0, 0, 0);
        let c = compute(&settings(), secs(86_400), &r);
        assert_eq!(line(&c.bill, "shard_hour").quantity, 4.0);
        assert_eq!(c.bill.month_items[0].quantity, 2.0 * 730.0);
        assert_eq!(line(&c.what_if, "od_stream_hour").quantity, 2.0);
    }

    /// Extended retention (pricing page: per shard-hour when retention > 24 h); long-term
    /// retention per GB-month beyond 7 days; a run shorter than the retention accumulates.
    #[test]
    fn retention_longer_than_the_run_accumulates_and_projects_at_steady_state() {
        let gib = 1u64 << 30;
        // 1 GiB per hour for 2 hours, retention 30 days.
        let mut r = steady(1, 7200, 0, 0, 0);
        r.series.accepted_bytes = vec![gib / 3600; 7200];
        let per_s = (gib / 3600) as f64;
        let c = compute(&settings(), secs(30 * 86_400), &r);
        assert_eq!(line(&c.bill, "extended_retention_shard_hour").quantity, 2.0);
        assert_eq!(line(&c.bill, "long_term_retention_gb_month").quantity, 0.0);
        // Everything accepted is retained at the end, all in the first tier.
        let end = c.retained_bytes[0].1.last().copied().unwrap();
        assert_eq!(end, per_s * 7200.0);
        assert_eq!(c.retained_bytes.len(), 3);
        // Steady state: (30 - 7) days of 1 GiB/h beyond 7 days, ~552 GB-months.
        let lt = &c.bill.month_items[3];
        assert!((lt.quantity - per_s * (23.0 * 86_400.0) / GB_BYTES).abs() < 1e-9, "{lt:?}");
        // On-demand: 24 h..7 d tier, 6 days of data.
        let ext = &c.what_if.month_items[2];
        assert!((ext.quantity - per_s * 6.0 * 86_400.0 / GB_BYTES).abs() < 1e-9);
    }

    #[test]
    fn cost_over_time_is_non_negative_monotone_and_ends_at_the_total() {
        let r = steady(3, 10_000, 7, 3, 5000);
        let c = compute(&settings(), secs(48 * 3600), &r);
        assert_eq!(c.times_s.first(), Some(&0.0));
        assert_eq!(c.times_s.last(), Some(&10_000.0));
        for (item, cum) in c.bill.items.iter().zip(&c.cumulative_usd) {
            assert!(cum.windows(2).all(|w| w[1] >= w[0] && w[0] >= 0.0), "{}", item.key);
            assert!((cum.last().unwrap() - item.usd).abs() < 1e-9, "{}", item.key);
        }
        let od = &c.what_if_cumulative_usd;
        assert!(od.windows(2).all(|w| w[1] >= w[0]));
        assert!((od.last().unwrap() - c.what_if.total_usd).abs() < 1e-9);
    }

    /// Both sides of a reshard are billed for the hour it happens in.
    #[test]
    fn closed_and_opened_shards_both_count_in_their_hour() {
        let mut r = steady(2, 7200, 0, 0, 0);
        r.shards[1].closed_at_s = Some(1800.0);
        r.shards.push(ShardTotals { opened_at_s: 1800.0, ..Default::default() });
        r.shards.push(ShardTotals { opened_at_s: 1800.0, ..Default::default() });
        for s in &mut r.series.open_shards[1800..] {
            *s = 3;
        }
        let c = compute(&settings(), secs(86_400), &r);
        // Hour 0: 4 distinct shards; hour 1: 3.
        assert_eq!(line(&c.bill, "shard_hour").quantity, 7.0);
    }
}
