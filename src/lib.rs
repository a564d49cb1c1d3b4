//! # kinesim: a discrete-event simulator of Amazon Kinesis Data Streams capacity
//!
//! ```text
//! scenarios/x.toml
//!   -> scenario   (serde mirror -> validated Scenario; every problem with file, line, field)
//!   -> experiment (one run today; sweeps later)
//!   -> engine     (event queue ordered by (time, insertion sequence); integer µs clock)
//!        driving model::World (producers, partitioner, shards)
//!   -> metrics    (per-second series, per-shard totals, bounded latency histograms)
//!   -> report     (summary.json, timeseries.csv, shards.csv, SVG charts) -> reports/<name>/
//! ```
//!
//! `scenario` knows nothing of the engine; `model` never sees the queue; `report` sees only
//! [`metrics::RunResult`]; only `report::charts` imports plotters.

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
