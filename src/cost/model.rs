//! The bill of a finished run, computed from its billing quantities.
//!
//! Readings of the pricing page (https://aws.amazon.com/kinesis/data-streams/pricing/, read
//! 2026-11-28), each a choice kinesim states rather than hides:
//! - **Shard-hours**: "You are charged for each shard at an hourly rate"; kinesim bills every
//!   shard open at any moment of a clock hour of the run (hours counted from the run's start)
//!   for that whole hour, "each hour or part of an hour", so during a reshard both the closing
//!   parents and the new children are billed for the hour it happens in.
//!   The last, partial hour of a run is billed as a whole hour.
//! - **PUT payload units**: the model counts each accepted record in 25,000-byte chunks, rounded
//!   up (the quantity comes from the run; throttled attempts are not billed). The page counts
//!   "25KB payload chunks that comprise a record" without saying whether the partition key is
//!   part of the payload: by default (`[cost] payload_counts_key = false`, an assumption) the
//!   size is the data blob only, so a 1 MB blob is 40 units as the page's example; `true` adds
//!   the key. On-demand data ingested ("the size of each record rounded up to the nearest 1 KB")
//!   follows the same setting.
//! - **Extended retention** (provisioned): every billed shard-hour again, at the extended price,
//!   when the stream's retention is above 24 h.
//! - **Long-term retention**: GB-months of data older than 7 days still inside the retention
//!   period. Data is stored from the end of the second it was accepted in and kept for exactly
//!   the retention period; a run starts with an empty stream, so a run shorter than 7 days stores
//!   nothing long-term (the monthly projection, at steady state, does).
//! - **On-demand Standard**: stream-hours (one stream, each hour or part), GB ingested (records
//!   rounded up to whole KiB), extended retention per GB-month (24 h to 7 days) and long-term
//!   retention per GB-month (beyond 7 days) of the bytes the stream accepted.
//! - **Mode switches**: each second is billed in the mode the stream was in (a second split by a
//!   switch goes to the mode at its middle); an hour with time in both modes bills its shards
//!   for the provisioned part and a stream-hour for the on-demand part; stored bytes are billed
//!   at the price of the mode the stream is in while they are stored.
//! - **Reads**: EFO consumer-shard-hours = EFO consumers x shard-hours; EFO GB and polling GB
//!   = bytes the consumers read (exact totals, drawn over time in step with writes); long-term
//!   retrieval = bytes read that were more than 7 days old.

use super::usage::{Tier, TierSpan, Usage, HOUR_S};
use super::*;
use crate::kinds::{CapacityMode as Mode, ConsumerKind};
use crate::limits::{HOURS_PER_MONTH, INCLUDED_RETENTION_S, LONG_TERM_AFTER_S};
use crate::metrics::RunResult;
use crate::units::SimTime;

/// At most this many instants in the cost and retention series.
const MAX_POINTS: usize = 1000;

/// What a mode is billed as, in the bill's label.
fn billed_as(mode: Mode, advantage: bool) -> &'static str {
    match (mode, advantage) {
        (Mode::Provisioned, _) => "provisioned",
        (Mode::OnDemand, false) => "on-demand standard",
        (Mode::OnDemand, true) => "on-demand advantage",
    }
}

/// (key, name, cumulative quantity at each instant, quantity per 730-hour month, note)
type ItemSpec = (&'static str, &'static str, Vec<f64>, f64, String);

/// The bill of `r` under `settings`' prices, for a stream retaining data for `retention` [µs].
pub fn compute(settings: &CostSettings, retention: SimTime, r: &RunResult) -> CostReport {
    let p = &settings.table;
    let run_s = r.duration_s.max(0.0);
    let retention_s = retention / crate::units::MICROS_PER_SEC;
    let mut usage = Usage::new(r, run_s, retention_s);
    usage.advantage = settings.advantage;
    usage.counts_key = settings.payload_counts_key;

    // ---- Time grid -------------------------------------------------------------------------
    let bucket_s = (run_s / MAX_POINTS as f64).ceil().max(1.0);
    let mut times_s = vec![0.0];
    while *times_s.last().unwrap_or(&run_s) < run_s {
        let next = (times_s.len() as f64 * bucket_s).min(run_s);
        times_s.push(next);
    }
    let tiers = usage.tiers();
    let (_, retained) = usage.retention_series(&tiers, &times_s, None);

    // ---- The bill: each mode's items over the time spent in it ------------------------------
    let initial = r.capacity.mode;
    let mut specs: Vec<ItemSpec> = Vec::new();
    for m in [Mode::Provisioned, Mode::OnDemand] {
        if usage.seconds_in(Some(m)) > 0.0 || (m == initial && run_s == 0.0) {
            specs.extend(usage.specs(m, Some(m), &times_s, &tiers));
        }
    }
    // The modes in the order the stream was in them (a switch back shows both ways).
    let mut sequence: Vec<&str> = Vec::new();
    for (i, &(start, m)) in usage.timeline.iter().enumerate() {
        let end = usage.timeline.get(i + 1).map_or(run_s, |x| x.0).min(run_s);
        let spent = end > start || (i == 0 && run_s == 0.0);
        let name = billed_as(m, settings.advantage);
        if spent && sequence.last() != Some(&name) {
            sequence.push(name);
        }
    }
    let label = sequence.join(" then ");
    let (bill, cumulative_usd) = price_items(&label, p, &specs);
    // ---- The what-if: the whole run in the other mode than the one it started in ------------
    let other = initial.other();
    let what_if_label = match other {
        Mode::OnDemand => format!(
            "{plan} what-if: the same accepted traffic priced as {plan} (priced, not simulated: \
             simulate on-demand with stream.mode = \"on-demand\" or kinesim compare)",
            plan = billed_as(other, settings.advantage)
        ),
        Mode::Provisioned => {
            "provisioned what-if: the shards this on-demand stream opened, and its accepted \
             traffic, priced as provisioned (a provisioned stream would have its own shard count)"
                .to_string()
        }
    };
    let (what_if, what_if_cum) = price_items(&what_if_label, p, &usage.specs(other, None, &times_s, &tiers));
    let what_if_over_time = (0..times_s.len()).map(|k| total(what_if_cum.iter().map(|c| c[k]))).collect();
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
        what_if_mode: billed_as(other, settings.advantage).into(),
        projection,
        bucket_s,
        times_s,
        cumulative_usd,
        what_if_cumulative_usd: what_if_over_time,
        retained_bytes: tiers.iter().map(|t| t.label.to_string()).zip(retained).collect(),
        retention_s,
        payload_rule: payload_rule(settings.payload_counts_key),
    }
}

/// What a record's billed size is, for the bill's notes.
fn billed_size(counts_key: bool) -> &'static str {
    if counts_key {
        "data blob + partition key"
    } else {
        "data blob (partition key not counted)"
    }
}

/// The bill's statement of how a record's size is counted (PUT payload units and on-demand data
/// ingested), naming the scenario setting.
pub fn payload_rule(counts_key: bool) -> String {
    if counts_key {
        "PUT payload units and on-demand data ingested count each record's data blob + partition \
         key ([cost] payload_counts_key = true, a conservative count; AWS's examples speak of the \
         payload)"
            .into()
    } else {
        "PUT payload units and on-demand data ingested count each record's data blob only, not its \
         partition key ([cost] payload_counts_key = false, the default: AWS's examples count the \
         payload, 1 MB = 40 units; the key does count against the 1 MiB/s shard write limit)"
            .into()
    }
}

fn long_term_note(retention_s: u64, run_s: f64) -> String {
    if retention_s <= LONG_TERM_AFTER_S {
        "retention is at most 7 days: not billed".into()
    } else if run_s <= LONG_TERM_AFTER_S as f64 {
        "the run is shorter than 7 days: no data is old enough yet (the month is at steady state)".into()
    } else {
        "bytes stored beyond 7 days old".into()
    }
}

/// The sum of `xs`, starting from +0.0: Rust's `Sum for f64` starts from -0.0 (the IEEE 754
/// additive identity), so an empty sum (no consumer of a kind, no item) would be -0.0 and print
/// as `-0.0` / `$-0.00` (https://doc.rust-lang.org/std/iter/trait.Sum.html#impl-Sum-for-f64).
fn total(xs: impl Iterator<Item = f64>) -> f64 {
    xs.fold(0.0, |a, x| a + x)
}

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
            quantity: positive_zero(quantity),
            unit: unit.clone(),
            unit_price_usd: price,
            usd: positive_zero(quantity * price),
            note: note.clone(),
        };
        b.items.push(line(q));
        b.month_items.push(line(*month_q));
        cumulative.push(over_time.iter().map(|x| x * price).collect());
    }
    b.total_usd = total(b.items.iter().map(|i| i.usd));
    b.per_month_usd = total(b.month_items.iter().map(|i| i.usd));
    (b, cumulative)
}

impl Usage<'_> {
    /// The line items of billing mode `billed` over the time spent in `m` (`None`: all of it).
    fn specs(&self, billed: Mode, m: Option<Mode>, times: &[f64], tiers: &[TierSpan]) -> Vec<ItemSpec> {
        let r = self.r;
        let (run_s, retention_s) = (self.run_s, self.retention_s);
        let zero = vec![0.0; times.len()];
        let extended = retention_s > INCLUDED_RETENTION_S;
        // Rates for the month: time-weighted over the run, so a mode used part of the run
        // contributes its share.
        let per_s = |total: f64| if run_s > 0.0 { total / run_s } else { 0.0 };
        let month_s = HOURS_PER_MONTH * HOUR_S;
        let masked_sum = |v: &[u64]| -> f64 {
            v.iter().enumerate().filter(|(s, _)| self.second_in(*s, m)).map(|(_, &x)| x as f64).sum()
        };
        let open: Vec<u64> = r.series.open_shards.iter().map(|&x| u64::from(x)).collect();
        let mean_shards = per_s(masked_sum(&open));
        let share = per_s(self.seconds_in(m));
        let bytes_per_s = per_s(r.series.accepted_bytes.iter().sum::<u64>() as f64);
        let stored_gb = |lo: u64, hi: u64| bytes_per_s * hi.saturating_sub(lo) as f64 / GB_BYTES * share;
        let (tier_byte_s, _) = self.retention_series(tiers, times, m);
        // Reads: EFO consumer-shard-hours are exact (EFO consumers x open shard-hours); the GB
        // read are exact in total and drawn over time in proportion to the accepted bytes (reads
        // follow writes), since the run keeps read volume per consumer, not per second.
        let efo_consumers =
            r.consumers.iter().filter(|c| c.kind == ConsumerKind::EnhancedFanOut).count() as f64;
        let read_gb = |kind: ConsumerKind| -> f64 {
            total(r.consumers.iter().filter(|c| c.kind == kind).map(|c| c.bytes_read as f64)) / GB_BYTES
        };
        let accepted_cum = self.cumulative(&r.series.accepted_bytes, times, m);
        let accepted_total = r.series.accepted_bytes.iter().sum::<u64>() as f64;
        let read_over_time = |gb: f64| -> Vec<f64> {
            if accepted_total > 0.0 {
                accepted_cum.iter().map(|b| gb * b / accepted_total).collect()
            } else {
                zero.clone()
            }
        };
        let read_note = |kind: ConsumerKind| -> String {
            if r.consumers.iter().any(|c| c.kind == kind) {
                "bytes read by the consumers of this kind (total exact; over time, in step with writes)"
                    .into()
            } else {
                "no consumer of this kind in the scenario".into()
            }
        };
        let (efo_gb, polling_gb) = (read_gb(ConsumerKind::EnhancedFanOut), read_gb(ConsumerKind::Polling));
        let long_term_gb = total(r.consumers.iter().map(|c| c.bytes_read_long_term as f64)) / GB_BYTES;
        let gb_month = |which: Tier| -> Vec<f64> {
            match tiers.iter().position(|t| t.which == which) {
                Some(i) => tier_byte_s[i].iter().map(|&b| b / GB_BYTES / HOUR_S / HOURS_PER_MONTH).collect(),
                None => vec![0.0; times.len()],
            }
        };
        // Items the on-demand price lists share, under each list's keys.
        let ingest = |key: &'static str| -> ItemSpec {
            (
                key,
                "data ingested",
                self.cumulative(&r.series.billed_ingest_kib, times, m)
                    .iter()
                    .map(|k| k * 1024.0 / GB_BYTES)
                    .collect(),
                per_s(masked_sum(&r.series.billed_ingest_kib)) * month_s * 1024.0 / GB_BYTES,
                format!("each accepted record's {} rounded up to 1 KiB", billed_size(self.counts_key)),
            )
        };
        let reads = |polling_key: &'static str, efo_key: &'static str| -> [ItemSpec; 2] {
            [
                (
                    polling_key,
                    "data retrieved",
                    read_over_time(polling_gb),
                    per_s(polling_gb) * month_s * share,
                    read_note(ConsumerKind::Polling),
                ),
                (
                    efo_key,
                    "enhanced fan-out data retrieved",
                    read_over_time(efo_gb),
                    per_s(efo_gb) * month_s * share,
                    read_note(ConsumerKind::EnhancedFanOut),
                ),
            ]
        };
        match billed {
            Mode::Provisioned => {
                let shard_hours = self.shard_hours(times, m);
                vec![
                    (
                        "shard_hour",
                        "shard-hours",
                        shard_hours.clone(),
                        mean_shards * HOURS_PER_MONTH,
                        "every open shard, each clock hour or part of one (parents and children both \
                         during a reshard)"
                            .into(),
                    ),
                    (
                        "put_payload_units",
                        "PUT payload units",
                        self.cumulative(&r.series.put_payload_units, times, m)
                            .iter()
                            .map(|u| u / PUT_UNITS_PER_PRICE)
                            .collect(),
                        per_s(masked_sum(&r.series.put_payload_units)) * month_s / PUT_UNITS_PER_PRICE,
                        format!(
                            "each accepted record's {} in 25,000-byte chunks, rounded up",
                            billed_size(self.counts_key)
                        ),
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
                        gb_month(Tier::LongTerm),
                        stored_gb(LONG_TERM_AFTER_S, retention_s),
                        long_term_note(retention_s, run_s),
                    ),
                    (
                        "long_term_retrieval_gb",
                        "long-term data retrieval",
                        read_over_time(long_term_gb),
                        per_s(long_term_gb) * month_s * share,
                        "bytes the consumers read that were more than 7 days old".into(),
                    ),
                    (
                        "efo_consumer_shard_hour",
                        "enhanced fan-out consumer-shard-hours",
                        shard_hours.iter().map(|h| h * efo_consumers).collect(),
                        efo_consumers * mean_shards * HOURS_PER_MONTH,
                        if efo_consumers > 0.0 {
                            format!("{efo_consumers} enhanced fan-out consumers x every shard-hour")
                        } else {
                            "no enhanced fan-out consumer in the scenario".into()
                        },
                    ),
                    (
                        "efo_retrieval_gb",
                        "enhanced fan-out data retrieval",
                        read_over_time(efo_gb),
                        per_s(efo_gb) * month_s * share,
                        read_note(ConsumerKind::EnhancedFanOut),
                    ),
                ]
            }
            Mode::OnDemand if self.advantage => {
                let commitment = "On-demand Advantage is an account-level commitment (25 MiB/s ingest and \
                                  retrieval across the account for at least 24 h) that this stream's bill does \
                                  not include";
                let mut retained = gb_month(Tier::Extended);
                for (a, b) in retained.iter_mut().zip(gb_month(Tier::LongTerm)) {
                    *a += b;
                }
                let mut items = vec![
                    (
                        "oda_stream_hour",
                        "stream-hours",
                        self.stream_hours(times, m),
                        HOURS_PER_MONTH * share,
                        format!("no per-stream hourly charge; {commitment}"),
                    ),
                    ingest("oda_ingest_gb"),
                    (
                        "oda_retention_gb_month",
                        "retention beyond 24 h",
                        retained,
                        stored_gb(INCLUDED_RETENTION_S, retention_s),
                        if extended {
                            "bytes stored beyond 24 h".into()
                        } else {
                            "retention is 24 h: not billed".into()
                        },
                    ),
                ];
                items.extend(reads("oda_retrieval_gb", "oda_efo_retrieval_gb"));
                items
            }
            Mode::OnDemand => vec![
                (
                    "od_stream_hour",
                    "stream-hours",
                    self.stream_hours(times, m),
                    HOURS_PER_MONTH * share,
                    "one stream, each clock hour or part of one".into(),
                ),
                ingest("od_ingest_gb"),
                (
                    "od_extended_retention_gb_month",
                    "extended retention (24 h to 7 days)",
                    gb_month(Tier::Extended),
                    stored_gb(INCLUDED_RETENTION_S, retention_s.min(LONG_TERM_AFTER_S)),
                    if extended {
                        "bytes stored between 24 h and 7 days old".into()
                    } else {
                        "retention is 24 h: not billed".into()
                    },
                ),
                (
                    "od_long_term_retention_gb_month",
                    "long-term retention (beyond 7 days)",
                    gb_month(Tier::LongTerm),
                    stored_gb(LONG_TERM_AFTER_S, retention_s),
                    long_term_note(retention_s, run_s),
                ),
            ]
            .into_iter()
            .chain(reads("od_retrieval_gb", "od_efo_retrieval_gb"))
            .collect(),
        }
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

    /// The worked example of https://aws.amazon.com/kinesis/data-streams/pricing/ (provisioned):
    /// 100 records/s of 35 KB on
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

    /// Unit prices of https://aws.amazon.com/kinesis/data-streams/pricing/ over the pricing
    /// calculator's 730-hour month: 1 shard for 730 h = $10.95; 2,920
    /// shard-hours = $43.80; 6,500,000 PUT payload units = $0.091; one on-demand stream for
    /// 730 h = $29.20.
    #[test]
    fn unit_prices_over_a_730_hour_month() {
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
        // hour = $0.15 + $0.15 (the EFO part: $0.15 per hour).
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
