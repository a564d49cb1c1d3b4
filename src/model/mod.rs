//! The Kinesis model: one file per domain noun. Components own their state and take
//! `(now, input)` with what they may touch borrowed for the call; they ask for events through
//! [`event::Effects`] (the engine's ask-only handle) and never pop or see the event queue.
//! `world.rs` routes each event to its component and applies what comes back.
//!
//! - the router: `world` (and the events, `event`);
//! - the write path: `writes` (producers at run time, admission, sequence numbers), `ticks`
//!   (aggregated mode), `producer`, `shard`, `keys`, `sizes`, `traffic`, `split`, `ahead`,
//!   `tracer`;
//! - capacity: `shards` (the map and every shard ever opened), `capacity` (modes, calls,
//!   evaluation), `provisioned`, `on_demand`, `peak`, `hashing`;
//! - the read side: `readers` (the shard logs and read limits), `app` (one consumer application),
//!   `kcl`, `job`, `consumer`.

pub mod ahead;
pub mod app;
pub mod capacity;
pub mod consumer;
pub mod event;
pub mod hashing;
pub mod job;
pub mod kcl;
pub mod keys;
pub mod on_demand;
pub mod peak;
pub mod producer;
pub mod provisioned;
pub mod readers;
pub mod shard;
pub mod shards;
pub mod sizes;
pub mod split;
pub mod ticks;
pub mod tracer;
pub mod traffic;
pub mod world;
pub mod writes;
