//! The named choices that scenarios, the model, results and bills share: capacity mode, engine
//! mode, consumer kind, write-limit bound, who asked for a reshard.
//!
//! Results carry these enums rather than their names, so a chart or a bill matches on a variant
//! instead of comparing strings; each prints (`Display`) as the word the scenario file and the
//! reports use.
//!
//! Owns no state. May call nothing in the crate (every other module may call it).

use serde::Serialize;
use std::fmt;

/// Writes the enum's `name()`, honouring width and alignment (`{:<12}` pads it like a `str`).
macro_rules! display_by_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.name())
            }
        }
    )*};
}

/// Capacity mode of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum CapacityMode {
    #[default]
    Provisioned,
    /// AWS manages the shards: they split as traffic grows.
    OnDemand,
}

impl CapacityMode {
    /// `provisioned` or `on-demand`, as in `stream.mode`.
    pub const fn name(self) -> &'static str {
        match self {
            CapacityMode::Provisioned => "provisioned",
            CapacityMode::OnDemand => "on-demand",
        }
    }
    /// The mode a switch from this one goes to.
    pub fn other(self) -> CapacityMode {
        match self {
            CapacityMode::Provisioned => CapacityMode::OnDemand,
            CapacityMode::OnDemand => CapacityMode::Provisioned,
        }
    }
}

/// Per-record (one cohort per record) or aggregated (one cohort per shard per tick).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum EngineMode {
    #[default]
    PerRecord,
    Aggregated,
}

impl EngineMode {
    /// `per-record` or `aggregated`, as in `engine.mode`.
    pub const fn name(self) -> &'static str {
        match self {
            EngineMode::PerRecord => "per-record",
            EngineMode::Aggregated => "aggregated",
        }
    }
}

/// How a consumer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum ConsumerKind {
    /// GetRecords: every `poll_interval`, one call per shard; 5 calls/s and 2 MiB/s per shard
    /// shared by all polling consumers.
    #[default]
    Polling,
    /// SubscribeToShard: records pushed, 2 MiB/s per shard for this consumer alone.
    EnhancedFanOut,
}

impl ConsumerKind {
    /// `polling` or `efo`, as in `consumers.kind`.
    pub const fn name(self) -> &'static str {
        match self {
            ConsumerKind::Polling => "polling",
            ConsumerKind::EnhancedFanOut => "efo",
        }
    }
}

/// One of the two bounds of the undocumented per-second write-limit enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bound {
    /// Fixed one-second windows (`stream.write_limit`'s model when set explicitly).
    Strict,
    /// A token bucket holding `stream.lenient_burst` of the limit.
    Lenient,
}

impl Bound {
    /// `strict` or `lenient`, as in `engine.bounds` and `size.bound`.
    pub const fn name(self) -> &'static str {
        match self {
            Bound::Strict => "strict",
            Bound::Lenient => "lenient",
        }
    }
}

/// The write-limit bound a run's figures were computed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum RunBound {
    /// Fixed one-second windows.
    #[default]
    Strict,
    /// A bucket of `stream.lenient_burst`.
    Lenient,
    /// The model `stream.write_limit` names, set explicitly and run alone.
    Explicit,
}

impl RunBound {
    /// `strict`, `lenient` or `stream.write_limit`, as `summary.json` writes it.
    pub const fn name(self) -> &'static str {
        match self {
            RunBound::Strict => "strict",
            RunBound::Lenient => "lenient",
            RunBound::Explicit => "stream.write_limit",
        }
    }
}

/// Who made an `UpdateShardCount` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum CallOrigin {
    /// `[[capacity.schedule]]`.
    #[default]
    Schedule,
    /// `[capacity.autoscaling]`.
    Autoscaling,
}

impl CallOrigin {
    /// `schedule` or `autoscaling`.
    pub const fn name(self) -> &'static str {
        match self {
            CallOrigin::Schedule => "schedule",
            CallOrigin::Autoscaling => "autoscaling",
        }
    }
}

display_by_name!(CapacityMode, EngineMode, ConsumerKind, Bound, RunBound, CallOrigin);

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the scenario format's (a renamed variant must not change a report).
    #[test]
    fn every_choice_prints_as_the_scenario_file_spells_it() {
        assert_eq!(CapacityMode::OnDemand.to_string(), "on-demand");
        assert_eq!(CapacityMode::Provisioned.other(), CapacityMode::OnDemand);
        assert_eq!(EngineMode::PerRecord.to_string(), "per-record");
        assert_eq!(ConsumerKind::EnhancedFanOut.to_string(), "efo");
        assert_eq!(format!("{:>8}|{:<8}|", Bound::Strict, ConsumerKind::Polling), "  strict|polling |");
        assert_eq!(RunBound::Explicit.to_string(), "stream.write_limit");
        assert_eq!(CallOrigin::Autoscaling.to_string(), "autoscaling");
    }
}
