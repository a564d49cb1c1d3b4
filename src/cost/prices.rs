//! Price tables: one TOML file per region under `prices/`, embedded in the binary, every price
//! with its source address and the date it was read. The scenario's `[cost]` table picks one
//! and may override any item ([`CostSettings`]).
//!
//! The defaults of that table live here too ([`DEFAULT_REGION`], [`DEFAULT_PAYLOAD_COUNTS_KEY`]):
//! the cost module owns them and depends on nothing of the scenario layer, which shows them
//! among its own defaults.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Price table region when a scenario's `[cost]` names none (`prices/us-east-1.toml`).
pub const DEFAULT_REGION: &str = "us-east-1";
/// Whether the partition key counts in the billed size of a record (`[cost]
/// payload_counts_key`): its PUT payload units (25 KB chunks) and its on-demand data ingested
/// (rounded up to 1 KB). **Assumption**: AWS's pricing page
/// (https://aws.amazon.com/kinesis/data-streams/pricing/) counts "25KB payload chunks that
/// comprise a record" (5 KB = 1 unit, 45 KB = 2, 1 MB = 40) and "the size of each record" for
/// on-demand, without saying whether the key counts; the payload of a record is its data blob,
/// so the default bills the data blob only (a 1 MB blob is exactly 40 units, as the example).
/// `true` adds the key, a conservative count (the per-shard write limit does count it:
/// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html).
pub const DEFAULT_PAYLOAD_COUNTS_KEY: bool = false;

/// The shipped tables: (region, file text). Embedded so `kinesim` runs from any directory.
const TABLES: &[(&str, &str)] = &[("us-east-1", include_str!("../../prices/us-east-1.toml"))];

/// One priced item of a table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// `provisioned`, `on-demand standard` or `on-demand advantage`.
    pub mode: String,
    /// What one unit is: `shard-hour`, `million PUT payload units`, `GB`, `GB-month`, ...
    pub unit: String,
    /// Price of one unit [USD].
    pub usd: f64,
    /// Where the price was read.
    pub source: String,
    /// When it was read or verified (YYYY-MM-DD).
    pub read: String,
    /// Size convention and doubts.
    pub note: String,
}

/// A region's price table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// `us-east-1`.
    pub region: String,
    /// `US East (N. Virginia)`.
    pub name: String,
    pub currency: String,
    /// When the table was last verified as a whole (YYYY-MM-DD).
    pub verified: String,
    /// Items by key (`shard_hour`, `put_payload_units`, ...).
    pub items: BTreeMap<String, Price>,
}

impl PriceTable {
    /// Price of `key` [USD per unit]; 0 for an unknown key (keys are checked at validation).
    pub fn usd(&self, key: &str) -> f64 {
        self.items.get(key).map_or(0.0, |p| p.usd)
    }
    /// Unit of `key`, or `""`.
    pub fn unit(&self, key: &str) -> &str {
        self.items.get(key).map_or("", |p| p.unit.as_str())
    }
}

/// Regions with a shipped table, in order.
pub fn known_regions() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.0).collect()
}

/// The shipped table of `region`, or `None` for a region without one. The embedded files are
/// checked by tests, so a parse failure here is a build defect.
pub fn table(region: &str) -> Option<PriceTable> {
    let (_, text) = TABLES.iter().find(|t| t.0 == region)?;
    let t: PriceTable =
        toml::from_str(text).unwrap_or_else(|e| panic!("prices/{region}.toml is invalid: {e}"));
    Some(t)
}

/// The `[cost]` settings of a validated scenario: the table used, with the scenario's
/// overrides applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSettings {
    /// Prices in force (the region's table, overrides applied).
    pub table: PriceTable,
    /// Items the scenario overrode, and their new price [USD per unit].
    pub overrides: BTreeMap<String, f64>,
    /// Bill on-demand use at On-demand Advantage prices (`[cost] on_demand = "advantage"`).
    pub advantage: bool,
    /// The partition key counts in a record's billed size (PUT payload units and on-demand
    /// data ingested): `[cost] payload_counts_key`, default
    /// [`DEFAULT_PAYLOAD_COUNTS_KEY`] (the data blob only).
    pub payload_counts_key: bool,
}

impl Default for CostSettings {
    /// The default region's table ([`DEFAULT_REGION`]), no overrides.
    fn default() -> Self {
        let table = table(DEFAULT_REGION).expect("the default region has a table");
        CostSettings {
            table,
            overrides: BTreeMap::new(),
            advantage: false,
            payload_counts_key: DEFAULT_PAYLOAD_COUNTS_KEY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_table_parses_with_a_source_and_date_for_every_price() {
        for region in known_regions() {
            let t = table(region).unwrap();
            assert_eq!(t.region, region);
            assert_eq!(t.currency, "USD");
            assert!(!t.items.is_empty());
            for (key, p) in &t.items {
                assert!(p.usd >= 0.0 && p.usd.is_finite(), "{key}");
                assert!(p.source.contains("aws.amazon.com") || p.source.contains("AWS"), "{key}");
                assert_eq!(p.read.len(), 10, "{key}: date YYYY-MM-DD");
                assert!(!p.unit.is_empty() && !p.note.is_empty(), "{key}");
            }
        }
        assert!(table("eu-west-9").is_none());
    }

    /// Prices of us-east-1 (https://aws.amazon.com/kinesis/data-streams/pricing/; the AWS Price
    /// List API; the AWS Big Data blog of 2026-03-09 on On-demand Advantage): the table holds
    /// these figures.
    #[test]
    fn us_east_1_holds_the_published_figures() {
        let t = table("us-east-1").unwrap();
        let expect = [
            ("shard_hour", 0.015),
            ("put_payload_units", 0.014),
            ("extended_retention_shard_hour", 0.020),
            ("long_term_retention_gb_month", 0.023),
            ("long_term_retrieval_gb", 0.021),
            ("efo_consumer_shard_hour", 0.015),
            ("efo_retrieval_gb", 0.013),
            ("od_stream_hour", 0.04),
            ("od_ingest_gb", 0.08),
            ("od_retrieval_gb", 0.04),
            ("od_efo_retrieval_gb", 0.05),
            ("od_extended_retention_gb_month", 0.10),
            ("od_long_term_retention_gb_month", 0.023),
            ("oda_stream_hour", 0.0),
            ("oda_ingest_gb", 0.032),
            ("oda_retrieval_gb", 0.016),
            ("oda_efo_retrieval_gb", 0.016),
            ("oda_retention_gb_month", 0.023),
        ];
        assert_eq!(t.items.len(), expect.len());
        for (key, usd) in expect {
            assert_eq!(t.usd(key), usd, "{key}");
        }
        assert_eq!(t.unit("put_payload_units"), "million PUT payload units");
    }
}
