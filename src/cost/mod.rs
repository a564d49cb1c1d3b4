//! Cost: what a run would be billed, line by line, from a dated and sourced price table.
//!
//! ```text
//! prices/<region>.toml (embedded) -> prices::PriceTable -> scenario [cost] overrides -> CostSettings
//! CostSettings + retention + RunResult (open shards, PUT payload units, billed KiB, bytes per s)
//!   -> model::compute -> CostReport (provisioned bill, on-demand what-if, cost and retention over time)
//! ```
//!
//! Pure: no file system, no model types. Conventions (stated in `prices/us-east-1.toml` too):
//! a PUT payload unit is 25,000 bytes, on-demand ingest rounds each record up to 1,024 bytes
//! (a record's size is its data blob unless `[cost] payload_counts_key = true` adds the key), a
//! GB is 2^30 bytes, a month is 730 hours (the AWS pricing calculator's month).

mod model;
pub mod prices;
mod usage;

pub use model::{compute, payload_rule};
pub use prices::{CostSettings, Price, PriceTable};

use crate::units::thousands;

/// Bytes in one GB of a per-GB price: 2^30 (AWS billing counts binary GB, as its 1 KB = 1,024
/// bytes for on-demand ingest).
pub const GB_BYTES: f64 = 1_073_741_824.0;
/// One PUT payload unit price is per million units.
pub const PUT_UNITS_PER_PRICE: f64 = 1_000_000.0;

/// One line of a bill: a quantity of a priced unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineItem {
    /// The price table key (`shard_hour`, `put_payload_units`, ...).
    pub key: String,
    /// What is billed, for people (`shard-hours`, `PUT payload units`, ...).
    pub name: String,
    /// Quantity in `unit`.
    pub quantity: f64,
    /// `shard-hour`, `million PUT payload units`, `stream-hour`, `GB`, `GB-month`, ...
    pub unit: String,
    /// [USD per unit].
    pub unit_price_usd: f64,
    /// quantity x unit price [USD].
    pub usd: f64,
    /// How the quantity was counted, or why it is zero.
    pub note: String,
}

/// A bill: the run's line items and their monthly projection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bill {
    /// What this bill is (`provisioned`, or the what-if's label).
    pub label: String,
    /// The simulated run's charges.
    pub items: Vec<LineItem>,
    /// Sum of `items` [USD].
    pub total_usd: f64,
    /// The same items over a 730-hour month (see [`CostReport::projection`]).
    pub month_items: Vec<LineItem>,
    /// Sum of `month_items` [USD].
    pub per_month_usd: f64,
}

/// Everything cost-related a run produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CostReport {
    /// Region of the price table (`us-east-1`).
    pub table: String,
    /// When the table was verified (YYYY-MM-DD).
    pub table_date: String,
    /// Items the scenario overrode (key, USD per unit).
    pub overrides: Vec<(String, f64)>,
    /// The bill of the simulated capacity modes, each second in the mode the stream was in:
    /// label `provisioned`, `on-demand standard`, or both joined by `then` after a mode switch.
    pub bill: Bill,
    /// The whole run priced in the other mode than the one it started in: for a provisioned
    /// start, the accepted traffic as On-demand Standard (whose own capacity is not simulated
    /// here); for an on-demand start, the shards it opened and its traffic as provisioned.
    pub what_if: Bill,
    /// Mode of the what-if: `on-demand standard` or `provisioned`.
    pub what_if_mode: String,
    /// How `per_month` was computed.
    pub projection: String,
    /// Width of a time bucket of the series below [s].
    pub bucket_s: f64,
    /// Instants of the series below [s]: 0, bucket_s, 2 bucket_s, ..., the run's end.
    pub times_s: Vec<f64>,
    /// Cumulative charges of each bill item at each instant [USD] (same order as `bill.items`).
    pub cumulative_usd: Vec<Vec<f64>>,
    /// Cumulative total of the what-if at each instant [USD].
    pub what_if_cumulative_usd: Vec<f64>,
    /// Retained bytes per retention tier at each instant [bytes]: (tier label, values).
    pub retained_bytes: Vec<(String, Vec<f64>)>,
    /// The stream's retention period [s].
    pub retention_s: u64,
    /// How a record's billed size is counted (with or without its partition key), naming the
    /// `[cost] payload_counts_key` setting in force.
    pub payload_rule: String,
}

impl CostReport {
    /// The run's bill [USD].
    pub fn total_usd(&self) -> f64 {
        self.bill.total_usd
    }
    /// The monthly projection [USD].
    pub fn per_month_usd(&self) -> f64 {
        self.bill.per_month_usd
    }
}

/// `x` with a negative zero made +0.0 (-0.0 + 0.0 = +0.0 in IEEE 754; every other value is
/// unchanged): a line with nothing to bill never reads `-0` or `$-0.00`.
pub fn positive_zero(x: f64) -> f64 {
    x + 0.0
}

/// `"2,976 shard-hours x $0.015 = $44.64"`.
pub fn describe(item: &LineItem) -> String {
    format!(
        "{} {} x ${} = {}",
        fmt_quantity(item.quantity),
        plural(&item.unit, item.quantity),
        fmt_price(item.unit_price_usd),
        fmt_usd(item.usd)
    )
}

/// A unit in the plural when the quantity is not exactly 1 (`shard-hour` -> `shard-hours`).
fn plural(unit: &str, q: f64) -> String {
    if q != 1.0 && (unit.ends_with("hour") || unit.ends_with("month")) {
        format!("{unit}s")
    } else {
        unit.to_string()
    }
}

/// A quantity: whole numbers with thousands separators, others with enough digits to check by
/// hand (2 decimals from 100 up, 4 from 1, 6 significant below).
pub fn fmt_quantity(q: f64) -> String {
    let q = positive_zero(q);
    if !q.is_finite() {
        return q.to_string();
    }
    if q.fract() == 0.0 && q.abs() < 1e15 {
        return thousands(q.abs() as u64);
    }
    if q >= 100.0 {
        let s = format!("{q:.2}");
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let int = int.parse::<u64>().map(thousands).unwrap_or_else(|_| int.to_string());
        return trim_zeros(&format!("{int}.{frac}"), 0);
    }
    let decimals = if q >= 1.0 { 4 } else { (6.0 - q.abs().log10().floor() - 1.0).clamp(0.0, 12.0) as usize };
    trim_zeros(&format!("{q:.decimals$}"), 0)
}

/// A unit price: every digit the table has, at least 2 decimals (`0.015`, `0.04`, `0.10`).
pub fn fmt_price(p: f64) -> String {
    let s = format!("{p}");
    match s.split_once('.') {
        None => format!("{s}.00"),
        Some((_, frac)) if frac.len() < 2 => format!("{s}0"),
        Some(_) => s,
    }
}

/// Dollars: cents from $1 up (`$44.64`, `$1,234.50`), up to 4 decimals below (`$0.091`).
pub fn fmt_usd(x: f64) -> String {
    let x = positive_zero(x);
    if x.abs() >= 1.0 {
        let s = format!("{:.2}", x.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
        let int = int.parse::<u64>().map(thousands).unwrap_or_else(|_| int.to_string());
        format!("{}${int}.{frac}", if x < 0.0 { "-" } else { "" })
    } else if x.abs() >= 0.01 || x == 0.0 {
        format!("${}", trim_zeros(&format!("{x:.4}"), 2))
    } else {
        // Three significant digits, so a small charge never reads as $0.00.
        let decimals = (2.0 - x.abs().log10().floor()).clamp(2.0, 12.0) as usize;
        format!("${}", trim_zeros(&format!("{x:.decimals$}"), 2))
    }
}

/// Drop trailing zeros after the decimal point, keeping at least `keep` decimals.
fn trim_zeros(s: &str, keep: usize) -> String {
    let Some((int, frac)) = s.split_once('.') else { return s.to_string() };
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < keep {
        frac.push('0');
    }
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(q: f64, unit: &str, p: f64) -> LineItem {
        LineItem { quantity: q, unit: unit.into(), unit_price_usd: p, usd: q * p, ..Default::default() }
    }

    /// The worked example of https://aws.amazon.com/kinesis/data-streams/pricing/: 4 shards x 24 h x
    /// 31 days.
    #[test]
    fn lines_show_their_working() {
        assert_eq!(describe(&item(2976.0, "shard-hour", 0.015)), "2,976 shard-hours x $0.015 = $44.64");
        assert_eq!(
            describe(&item(535.68, "million PUT payload units", 0.014)),
            "535.68 million PUT payload units x $0.014 = $7.50"
        );
        assert_eq!(describe(&item(1.0, "stream-hour", 0.04)), "1 stream-hour x $0.04 = $0.04");
        assert_eq!(
            describe(&item(6.5, "million PUT payload units", 0.014)),
            "6.5 million PUT payload units x $0.014 = $0.091"
        );
        assert_eq!(describe(&item(0.0, "GB-month", 0.1)), "0 GB-months x $0.10 = $0.00");
        assert_eq!(fmt_usd(1234.5), "$1,234.50");
        assert_eq!(fmt_usd(0.0000148), "$0.0000148");
        assert_eq!(fmt_usd(0.00839), "$0.00839");
        assert_eq!(fmt_quantity(0.000123456789), "0.000123457");
        assert_eq!(fmt_quantity(12345.678), "12,345.68");
        assert_eq!(fmt_quantity(2.5), "2.5");
    }

    /// A line with nothing to bill reads 0 and $0.00, never -0 or $-0.00, even when its
    /// quantity is a negative zero (an empty f64 sum is -0.0).
    #[test]
    fn negative_zero_prints_as_zero() {
        assert_eq!(fmt_usd(-0.0), "$0.00");
        assert_eq!(fmt_quantity(-0.0), "0");
        assert_eq!(describe(&item(-0.0, "GB", 0.021)), "0 GB x $0.021 = $0.00");
        assert!(positive_zero(-0.0).is_sign_positive());
        assert_eq!(positive_zero(-1.5), -1.5);
    }
}
