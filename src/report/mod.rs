//! Reports: pure renderers from a [`crate::metrics::RunResult`] to bytes, and one writer that
//! owns the file system and writes a report folder atomically.

pub mod charts;
pub mod csv;
pub mod json;
pub mod writer;
