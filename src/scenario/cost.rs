//! The `[cost]` table: which price table to use, and overrides of any of its prices.
//!
//! ```toml
//! [cost]
//! region = "us-east-1"                                    # default; a shipped table
//! prices = { shard_hour = 0.0165, put_payload_units = 0.015 }   # USD per the item's unit
//! on_demand = "standard"                                  # default; or "advantage"
//! payload_counts_key = false    # default (assumption): billed size = data blob, key excluded
//! ```
//!
//! May call: `checker`, `raw`, `defaults`, `error`, and the cost module's price tables
//! (`crate::cost`, which knows nothing of the scenario layer).

use super::checker::{choice, field, num, Checker};
use super::defaults as d;
use super::error::{did_you_mean, or_list};
use super::raw::choices::COST_ON_DEMAND;
use super::raw::{RawCost, Scalar};
use crate::cost::{prices, CostSettings};
use std::collections::BTreeMap;

/// Most a price override may be [USD per unit]: a guard against a misplaced decimal point.
const PRICE_MAX_USD: f64 = 1_000_000.0;

/// Validate `[cost]`: the region must have a shipped table; override keys must be its items.
pub(super) fn cost(c: &mut Checker, v: Option<&RawCost>) -> Option<CostSettings> {
    let Some(raw) = v else { return Some(CostSettings::default()) };
    let known = prices::known_regions();
    let region = match &raw.region {
        None => d::COST_REGION.to_string(),
        Some(Scalar::Str(s)) if known.contains(&s.as_str()) => s.clone(),
        Some(other) => {
            c.err(
                "cost.region",
                format!(
                    "no price table for region {}; kinesim ships tables for {} (to price another \
                     region, keep one and override its prices with [cost] prices = {{ ... }})",
                    other.describe(),
                    or_list(&known, '"')
                ),
            );
            return None;
        }
    };
    let mut table = prices::table(&region)?;
    let mut overrides = BTreeMap::new();
    let mut ok = true;
    for (key, value) in raw.prices.iter().flatten() {
        let path = field("cost.prices", key);
        if !table.items.contains_key(key) {
            let keys: Vec<&str> = table.items.keys().map(String::as_str).collect();
            let text = match did_you_mean(key, keys.iter().copied()) {
                Some(s) => format!("unknown price `{key}`; did you mean `{s}`?"),
                None => format!("unknown price `{key}`; the {region} table has {}", or_list(&keys, '`')),
            };
            c.err(&path, text);
            ok = false;
            continue;
        }
        let unit = table.unit(key).to_string();
        match num(c, &path, value, 0.0, PRICE_MAX_USD, &format!("USD per {unit}")) {
            Some(usd) => {
                if let Some(item) = table.items.get_mut(key) {
                    item.usd = usd;
                    item.source = "scenario override ([cost] prices)".into();
                }
                overrides.insert(key.clone(), usd);
            }
            None => ok = false,
        }
    }
    let advantage = match &raw.on_demand {
        None => Some(false),
        Some(v) => choice(c, "cost.on_demand", v, &COST_ON_DEMAND).map(|p| p == "advantage"),
    };
    let payload_counts_key = match &raw.payload_counts_key {
        None => Some(d::COST_PAYLOAD_COUNTS_KEY),
        Some(Scalar::Bool(b)) => Some(*b),
        Some(other) => {
            c.err(
                "cost.payload_counts_key",
                format!(
                    "must be true or false, found {}: false bills a record's data blob only \
                     (AWS's PUT payload unit examples), true adds its partition key",
                    other.describe()
                ),
            );
            None
        }
    };
    ok.then_some(CostSettings {
        table,
        overrides,
        advantage: advantage?,
        payload_counts_key: payload_counts_key?,
    })
}
