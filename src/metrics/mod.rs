//! Metrics: per-second series, per-shard totals and latency histograms, collected during a run
//! and, with what the model hands over at its end, assembled into a [`RunResult`]. Metrics call
//! nothing of the model: the model calls them, with plain values.

pub mod assemble;
pub mod collector;
pub mod histogram;
pub mod result;

pub use assemble::{assemble, Handover};
pub use result::*;
