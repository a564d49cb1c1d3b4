//! The kinds of leaf the scenario format's JSON Schema (`raw/schema.rs`) knows: the mirror's
//! leaves are all [`Scalar`](super::Scalar)s, typed by validation, so each field of the mirror
//! names, with `#[schemars(with = ...)]`, the kind of value validation takes: [`Text`], [`Int`],
//! [`Number`], [`Bool`], [`Duration`] and [`Size`] (strings with a unit, their grammar as a
//! `pattern` built from the units `units.rs` parses), [`OneOf`] a list of words (the lists of
//! [`choices`], which the validators use too), [`ValueOr`] a value or a table, [`Prices`] the
//! items of the price tables. A field that is not given a kind does not compile (`Scalar` has
//! no schema).
//!
//! May call: `raw::choices`, `types::SizePolicy` and `crate::cost::prices` (words of two
//! lists), `crate::units` (the unit grammar), schemars.

use super::choices;
use crate::cost::prices;
use crate::scenario::types::SizePolicy;
use crate::units;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map};
use std::borrow::Cow;
use std::marker::PhantomData;

/// A schema for a kind of leaf that lives inline (no definition of its own).
macro_rules! inline_leaf {
    ($(#[$doc:meta])* $name:ident, $schema:tt) => {
        $(#[$doc])*
        pub(crate) struct $name;

        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

inline_leaf!(
    /// A string.
    Text,
    { "type": "string" }
);
inline_leaf!(
    /// A whole number (`checker::int`).
    Int,
    { "type": "integer" }
);
inline_leaf!(
    /// A number, whole or not (`checker::num`).
    Number,
    { "type": "number" }
);
inline_leaf!(
    /// `true` or `false`.
    Bool,
    { "type": "boolean" }
);
inline_leaf!(
    /// A setting that was removed: any value is refused (validation says what replaced it).
    Removed,
    { "not": {}, "deprecated": true }
);

/// A duration string (`checker::duration`): its own definition, shared by every duration field.
pub(crate) struct Duration;

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": units::duration_pattern(),
            "description": format!(
                "A duration: a number and a unit ({}), like \"90s\", \"250ms\", \"15m\" or \"1.5h\". A bare number is not a duration.",
                units::duration_unit_names().join(", ")
            ),
            "examples": ["90s", "250ms", "15m", "1.5h"],
        })
    }
}

/// A size string (`checker::size`): its own definition, shared by every size field.
pub(crate) struct Size;

impl JsonSchema for Size {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": units::size_pattern(),
            "description": format!(
                "A size: a number and a unit ({}; KB = 1,000 B, KiB = 1,024 B), like \"100B\", \"1KiB\" or \"2MiB\". A bare number is not a size.",
                units::size_unit_names().join(", ")
            ),
            "examples": ["100B", "1KiB", "2MiB"],
        })
    }
}

/// A list of the words a choice field takes.
pub(crate) trait Words {
    fn words() -> Vec<&'static str>;
}

/// One of the words of `W` (`checker::choice`).
pub(crate) struct OneOf<W>(PhantomData<W>);

impl<W: Words> JsonSchema for OneOf<W> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("OneOf_{}", W::words().join("_")).into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": W::words() })
    }
}

macro_rules! words {
    ($($name:ident = $list:expr;)*) => {
        $(
            pub(crate) struct $name;

            impl Words for $name {
                fn words() -> Vec<&'static str> {
                    $list.to_vec()
                }
            }
        )*
    };
}

words! {
    CapacityModes = choices::CAPACITY_MODES;
    WriteLimits = choices::WRITE_LIMITS;
    EngineModes = choices::ENGINE_MODES;
    EngineBounds = choices::ENGINE_BOUNDS;
    SizeBounds = choices::SIZE_BOUNDS;
    SizeSearches = choices::SIZE_SEARCHES;
    EverySeed = choices::EVERY_SEED;
    Arrivals = choices::ARRIVALS;
    Spreads = choices::SPREADS;
    RateShapes = choices::RATE_SHAPES;
    SizeDistributions = choices::SIZE_DISTRIBUTIONS;
    KeyDistributions = choices::KEY_DISTRIBUTIONS;
    Jitters = choices::JITTERS;
    AutoscalingPolicies = choices::AUTOSCALING_POLICIES;
    ConsumerKinds = choices::CONSUMER_KINDS;
    Holder = choices::HOLDER;
    CostOnDemand = choices::COST_ON_DEMAND;
    SizePolicies = SizePolicy::ALL.map(SizePolicy::name);
    Regions = prices::known_regions();
}

/// A value of kind `L` or a table `T` (the mirror's `ScalarOr`), or any two alternatives.
pub(crate) struct ValueOr<L, T>(PhantomData<(L, T)>);

impl<L: JsonSchema, T: JsonSchema> JsonSchema for ValueOr<L, T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("{}_or_{}", L::schema_name(), T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [generator.subschema_for::<L>(), generator.subschema_for::<T>()] })
    }
}

/// `cost.prices`: an item of any shipped price table, in USD per its unit.
pub(crate) struct Prices;

impl JsonSchema for Prices {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Prices".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut items = Map::new();
        for region in prices::known_regions() {
            for (key, price) in prices::table(region).map(|t| t.items).unwrap_or_default() {
                items.entry(key).or_insert_with(|| {
                    json!({
                        "type": "number",
                        "minimum": 0,
                        "description": format!("USD per {} ({})", price.unit, price.mode),
                    })
                });
            }
        }
        json_schema!({ "type": "object", "additionalProperties": false, "properties": items })
    }
}
