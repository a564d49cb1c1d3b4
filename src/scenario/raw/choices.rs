//! The words each choice field of the format accepts, one list per field: the validators accept
//! exactly these (`checker::choice`), and the JSON Schema (`raw/schema.rs`) offers them as its
//! `enum`s, so an editor completes what `kinesim validate` takes.
//!
//! Words that come from elsewhere are not listed here: the sizing policies
//! (`types::SizePolicy::ALL`) and the price-table regions (`cost::prices::known_regions`).
//! The words of the choices results carry too come from [`crate::kinds`], so a file and a
//! report spell them alike. May call: `kinds`.

use crate::kinds::{Bound, CapacityMode, ConsumerKind, EngineMode};

/// `stream.mode`, `capacity.mode_switches[].mode` and `size.modes[]`.
pub(crate) const CAPACITY_MODES: [&str; 2] =
    [CapacityMode::Provisioned.name(), CapacityMode::OnDemand.name()];
/// `stream.write_limit`.
pub(crate) const WRITE_LIMITS: [&str; 2] = ["window", "token-bucket"];
/// `engine.mode`.
pub(crate) const ENGINE_MODES: [&str; 3] =
    ["auto", EngineMode::PerRecord.name(), EngineMode::Aggregated.name()];
/// `engine.bounds`.
pub(crate) const ENGINE_BOUNDS: [&str; 3] = ["both", Bound::Strict.name(), Bound::Lenient.name()];
/// `size.bound`.
pub(crate) const SIZE_BOUNDS: [&str; 2] = [Bound::Strict.name(), Bound::Lenient.name()];
/// `size.search`.
pub(crate) const SIZE_SEARCHES: [&str; 2] = ["grid", "bisect"];
/// `size.confidence`, besides a level.
pub(crate) const EVERY_SEED: [&str; 1] = ["every-seed"];
/// `producers[].arrivals`.
pub(crate) const ARRIVALS: [&str; 2] = ["poisson", "uniform"];
/// `producers[].rate.spread` (a CloudWatch export).
pub(crate) const SPREADS: [&str; 2] = ["evenly", "poisson"];
/// `producers[].rate.shape`.
pub(crate) const RATE_SHAPES: [&str; 7] =
    ["constant", "steps", "ramp", "diurnal", "spike", "trace", "cloudwatch"];
/// `producers[].record_size.distribution`.
pub(crate) const SIZE_DISTRIBUTIONS: [&str; 4] = ["fixed", "uniform", "lognormal", "empirical"];
/// `producers[].keys.distribution`.
pub(crate) const KEY_DISTRIBUTIONS: [&str; 4] = ["uniform", "zipf", "hot", "random"];
/// `producers[].retry.jitter`.
pub(crate) const JITTERS: [&str; 2] = ["full", "none"];
/// `capacity.autoscaling.policy`.
pub(crate) const AUTOSCALING_POLICIES: [&str; 3] = ["target-tracking", "threshold-step", "double-halve"];
/// `consumers[].kind`.
pub(crate) const CONSUMER_KINDS: [&str; 2] =
    [ConsumerKind::Polling.name(), ConsumerKind::EnhancedFanOut.name()];
/// `consumers[].job.instance_failures[].instance`, besides an index.
pub(crate) const HOLDER: [&str; 1] = ["holder"];
/// `cost.on_demand`.
pub(crate) const COST_ON_DEMAND: [&str; 2] = ["standard", "advantage"];
