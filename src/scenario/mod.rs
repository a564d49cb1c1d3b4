//! Scenario files: the TOML format, its validation and its defaults.

pub mod defaults;
mod types;

pub use types::*;
