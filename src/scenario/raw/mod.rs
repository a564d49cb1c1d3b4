//! The scenario TOML as written: a serde mirror of the file, and the span-preserving document
//! used to point at the line of each problem.
//!
//! The mirror is deliberately loose: every leaf is a [`Scalar`] (string, number or boolean) and
//! every field is optional, so that validation (`validate.rs`) can check types, units, ranges
//! and required fields itself and report *all* problems at once. Serde only rejects what cannot
//! be a scenario at all: syntax errors, unknown fields (`deny_unknown_fields`, reported with a
//! suggestion) and tables where values belong or the reverse. Tables whose fields depend on a tag
//! (`shape`, `distribution`) are flat structs with the union of the fields; validation rejects
//! the fields that do not belong to the chosen tag.
//!
//! ```text
//! choices.rs    the words of each choice field (validators and schema share them)
//! scalar.rs     Scalar, ScalarOr, Field: the leaves
//! kinds.rs      the kinds of leaf of the JSON Schema: duration, size, words... (uses choices)
//! producers.rs  RawProducer and its parts                      (uses scalar, kinds)
//! sections.rs   RawScenario and every other section            (uses scalar, producers, kinds)
//! schema.rs     the JSON Schema of the format, from the mirror  (uses sections)
//! document.rs   Document: TOML with spans, the mirror, positions (uses sections, error)
//! ```
//!
//! The mirror derives `schemars::JsonSchema` besides `Deserialize`: `kinesim schema` prints the
//! format as a JSON Schema for editors. Each leaf says there what validation will take (a
//! duration string, a whole number, one of a list of words: see `kinds.rs`), and each field's
//! doc comment becomes its description.
//!
//! Nothing here validates; the checker and the section validators (`checker.rs`,
//! `producers.rs`, ...) read these types and never the reverse.

pub(crate) mod choices;
mod document;
mod kinds;
mod producers;
mod scalar;
mod schema;
mod sections;

pub(crate) use document::Document;
pub(crate) use producers::{
    RawAggregation, RawBatch, RawHotKey, RawKeys, RawProducer, RawRate, RawRetry, RawRtt, RawSize, RawStep,
};
pub(crate) use scalar::{Field, Scalar, ScalarOr};
pub(crate) use schema::scenario_schema;
pub(crate) use sections::{
    RawAutoscaling, RawCapacity, RawConsumer, RawCost, RawEngine, RawFailure, RawJob, RawOnDemand,
    RawScenario, RawShardAxis, RawSizeTable, RawStream,
};
