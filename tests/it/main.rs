//! All integration tests in one binary (one link step keeps the suite fast).

mod capacity;
mod cli;
mod common;
mod cost;
mod hashing;
mod model;
mod props;
mod scenario_errors;
