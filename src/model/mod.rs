//! The Kinesis model: one file per domain noun. Components take `(now, &mut rng, input)` and
//! return effects; they never touch the event queue (the engine in `world.rs` schedules).

pub mod ahead;
pub mod capacity;
pub mod consumer;
pub mod event;
pub mod hashing;
pub mod keys;
pub mod peak;
pub mod producer;
pub mod readers;
pub mod shard;
pub mod sizes;
pub mod split;
pub mod traffic;
pub mod world;
