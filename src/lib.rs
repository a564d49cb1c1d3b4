//! # kinesim: a discrete-event simulator of Amazon Kinesis Data Streams capacity
//!
//! ```text
//! scenarios/x.toml
//!   -> scenario   (serde mirror -> validated Scenario; every problem with file, line, field)
//!   -> experiment (one run or many in parallel, priced: Outcome = RunResult + its bill)
//!   -> engine     (event queue ordered by (time, insertion sequence); integer µs clock)
//!        driving model::World (a router of components: writes, shards, capacity, readers)
//!   -> metrics    (per-second series, per-shard totals, bounded latency histograms)
//!   -> cost       (the bill of the run, beside it)
//!   -> report     (summary.json, CSV, SVG charts, report.html) -> reports/<name>/
//! ```
//!
//! Below them all: `units`, `kinds` (the enums results carry) and `limits` (every AWS fact,
//! with its public source). `scenario` knows nothing of the engine; `model` never sees the
//! queue; `metrics` knows nothing of the model or of prices; only `report::charts` imports
//! plotters. The README's code map gives each module's ownership and what it may call.

pub mod cost;
pub mod engine;
pub mod experiment;
pub mod explain;
pub mod kinds;
pub mod library;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod size;
pub mod text_safety;
pub mod units;

/// kinesim's version, as written into every `summary.json`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
