//! The bundled scenario library: every file of `scenarios/`, compiled into the binary so
//! `kinesim run NAME` and `kinesim list` work from any directory.
//!
//! Each file starts with a comment saying what it demonstrates, what to look at and what to try
//! next, and an `# expect:` line a test checks (`tests/it/library.rs`) on the first seconds of
//! the run; `# expect (full run):` lines are checked on the whole run, for a scenario whose
//! point shows only at its end. A test also checks that every file of `scenarios/` is listed
//! here.

use crate::scenario::{self, Scenario, ScenarioError};
use std::path::Path;

/// A scenario shipped with kinesim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundled {
    /// File stem, equal to the scenario's `name`.
    pub name: &'static str,
    /// The TOML text, header comment included.
    pub text: &'static str,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(Bundled { name: $name, text: include_str!(concat!("../scenarios/", $name, ".toml")) }),*]
    };
}

/// Every bundled scenario, in teaching order.
pub const ALL: &[Bundled] = bundled![
    "quickstart",
    "write-limit-80",
    "write-limit-100",
    "write-limit-120",
    "one-shard-poisson",
    "records-vs-bytes",
    "large-records-cdc",
    "hot-key",
    "hot-key-zipf",
    "key-design-low-cardinality",
    "key-design-uuid",
    "batching-one-per-call",
    "batching-500",
    "aggregation-kpl",
    "retries-none",
    "retries-immediate",
    "retries-backoff",
    "per-minute-metrics",
    "on-demand-doubling",
    "on-demand-hot-key",
    "on-demand-quiet-weekend",
    "on-demand-sale-day",
    "autoscaler-oscillation",
    "resharding-limits",
    "polling-vs-efo",
    "slow-consumer-retention",
    "kcl-worker-failover",
    "reshard-consumer-lag",
    "periodic-job-lock",
    "daily-fixed",
    "daily-scheduled",
    "daily-target-tracking",
    "daily-on-demand",
    "size-launch",
    "size-hot-key",
    "size-readers",
    "size-policies",
];

/// The bundled scenario called `name`.
pub fn find(name: &str) -> Option<&'static Bundled> {
    ALL.iter().find(|b| b.name == name)
}

impl Bundled {
    /// Parse and validate (a bundled scenario always validates: tested).
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let label = format!("{}.toml (bundled)", self.name);
        scenario::parse_str(self.text, Some(Path::new(&label)))
    }

    /// The `description` field, or the first line of the header comment.
    pub fn summary(&self) -> String {
        for line in self.text.lines() {
            if let Some(rest) = line.trim().strip_prefix("description") {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    return v.trim().trim_matches('"').to_string();
                }
            }
        }
        let first = self.header().lines().next().unwrap_or_default().to_string();
        let prefix = format!("{}: ", self.name);
        first.strip_prefix(&prefix).map(str::to_string).unwrap_or(first)
    }

    /// The leading comment block, without the `# ` markers.
    pub fn header(&self) -> String {
        let lines: Vec<&str> = self
            .text
            .lines()
            .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
            .map(|l| {
                l.trim_start()
                    .trim_start_matches('#')
                    .strip_prefix(' ')
                    .unwrap_or(l.trim_start().trim_start_matches('#'))
            })
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// The `# expect:` conditions of the header, e.g. `throttle_rate > 0`.
    pub fn expectations(&self) -> Vec<&'static str> {
        expectations(self.text)
    }

    /// The `# expect (full run):` conditions of the header, checked on the whole run.
    pub fn full_run_expectations(&self) -> Vec<&'static str> {
        full_run_expectations(self.text)
    }
}

/// The `# expect:` conditions of a scenario text.
pub fn expectations(text: &str) -> Vec<&str> {
    text.lines().filter_map(|l| l.trim().strip_prefix("# expect:")).map(str::trim).collect()
}

/// The `# expect (full run):` conditions of a scenario text (checked on the whole run).
pub fn full_run_expectations(text: &str) -> Vec<&str> {
    text.lines().filter_map(|l| l.trim().strip_prefix("# expect (full run):")).map(str::trim).collect()
}
