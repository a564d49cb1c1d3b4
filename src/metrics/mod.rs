//! Metrics: per-second series, per-shard totals and latency histograms, collected during a run
//! and frozen into a [`RunResult`] at its end.

pub mod collector;
pub mod histogram;
pub mod result;

pub use result::*;
