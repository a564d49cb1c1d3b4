//! The words and number formats every report shares (the run page, the comparison page, the
//! terminal text and the verdict), so one figure reads the same everywhere.
//!
//! Calls `crate::units` only.

use crate::units::thousands;

/// A share as a percentage: `0%`, `0.042%` below 0.1%, `12.5%` above.
pub fn pct(v: f64) -> String {
    if v == 0.0 {
        "0%".into()
    } else if v < 0.001 {
        format!("{:.3}%", 100.0 * v)
    } else {
        format!("{:.1}%", 100.0 * v)
    }
}

/// A latency [ms] for a table: `-` when there is none, seconds from 10 s.
pub fn ms(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v >= 10_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{} ms", thousands(v.round() as u64))
    } else {
        format!("{v:.1} ms")
    }
}

/// A latency for a sentence, as the report writes it, in minutes from 10 minutes and in hours
/// from 10 hours.
pub fn long_ms(v: f64) -> String {
    if v.is_finite() && v >= 36_000_000.0 {
        format!("{:.1} h", v / 3_600_000.0)
    } else if v.is_finite() && v >= 600_000.0 {
        format!("{:.1} min", v / 60_000.0)
    } else {
        ms(v)
    }
}

/// Said wherever on-demand shard counts are shown.
pub const ON_DEMAND_NOTE: &str =
    "  note: on-demand shard counts are kinesim's internal picture of the capacity (shards of \
     1 MiB/s and 1,000 records/s that split and merge); AWS bills on-demand by stream-hours and GB\n";

/// Said wherever an aggregated run's put latency is shown.
pub const AGGREGATED_LATENCY_NOTE: &str =
    "† aggregated mode: the put latency counts the PutRecords round trip and \
     the retries after throttling, not the time a record waits in its batch (batching linger is modelled in \
     per-record mode only), so variants that never throttle show the same figure.";
