//! All integration tests in one binary (one link step keeps the suite fast).

mod bounds;
mod browser;
mod capacity;
mod classroom;
mod cli;
mod cli_habits;
mod common;
mod consumers;
mod cost;
mod faults;
mod gallery;
mod guard;
mod hashing;
mod html;
mod kcl;
mod library;
mod model;
mod props;
mod report_folder;
mod scenario_errors;
mod schema;
mod size;
