//! The record trace (per-record mode): every `every`-th record created, at most `limit` of them,
//! so the sample spans the whole run; each followed from its producer to its shard, as the rows
//! of `trace.csv`. Owns those rows and the records still followed; the write path tells it what
//! happens to them. Calls nothing of the model but shard ids' names and the write limits' words.

use crate::metrics::TraceRow;
use crate::model::hashing::shard_id_string;
use crate::model::shard::Limit;
use crate::scenario::{EngineMode, Scenario};
use crate::units::{to_ms_f64, to_secs_f64, SimTime};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Tracer {
    limit: u32,
    every: u64,
    created: u64,
    next: u32,
    rows: Vec<TraceRow>,
    /// Traced records not yet resolved: id -> (producer, partition key, hash key).
    open: BTreeMap<u32, (usize, String, u128)>,
    /// Producer names, by index.
    producers: Vec<String>,
}

/// What became of one attempt of a traced record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted, with the sequence number its shard gave it, `latency` after its creation [µs].
    Accepted { sequence_number: u64, latency: SimTime },
    /// Throttled by `limit`; `last`: it had no attempt left, and is dropped.
    Throttled { limit: Limit, last: bool },
}

impl Tracer {
    /// Per-record mode traces `engine.trace_records` records spread over the run's expected
    /// records; aggregated mode traces none.
    pub fn new(scenario: &Scenario) -> Self {
        let limit =
            if scenario.engine.mode == EngineMode::PerRecord { scenario.engine.trace_records } else { 0 };
        let expected: f64 = scenario.producers.iter().map(|p| p.rate.integral(0, scenario.duration)).sum();
        let every = (expected / f64::from(limit.max(1))).floor().max(1.0) as u64;
        Tracer {
            limit,
            every,
            producers: scenario.producers.iter().map(|p| p.name.clone()).collect(),
            ..Tracer::default()
        }
    }

    /// A user record is created: its trace id (1, 2, ... in creation order) if it is one of
    /// those followed, else 0.
    #[inline]
    pub fn on_created(&mut self) -> u32 {
        self.created += 1;
        if self.next < self.limit && (self.created - 1).is_multiple_of(self.every) {
            self.next += 1;
            self.next
        } else {
            0
        }
    }

    /// Record `id` of producer `p` has partition key `key` (hashed to `hash`): its rows carry
    /// them until it is resolved.
    pub fn follow(&mut self, id: u32, p: usize, key: String, hash: u128) {
        self.open.insert(id, (p, key, hash));
    }

    /// Record `id` entered its producer at `now`.
    pub fn created(&mut self, id: u32, p: usize, now: SimTime) {
        self.row(TraceRow { record: id, event: "created", ..TraceRow::default() }, p, now);
    }

    /// Record `id` was lost at `now`: its producer's buffer was full.
    pub fn lost(&mut self, id: u32, p: usize, now: SimTime) {
        let detail = "producer buffer full".into();
        self.row(TraceRow { record: id, event: "lost", detail, ..TraceRow::default() }, p, now);
    }

    /// Record `id` went into the aggregated record that already carries traced record `with`:
    /// it is followed no further (one traced record per aggregated record).
    pub fn aggregated(&mut self, id: u32, with: u32, p: usize, now: SimTime) {
        self.open.remove(&id);
        let row = TraceRow {
            record: id,
            event: "aggregated",
            detail: format!("in the same aggregated record as record {with}: followed there"),
            ..TraceRow::default()
        };
        self.row(row, p, now);
    }

    /// Attempt number `attempt` (1 = first) of record `id` to `shard` at `now`: accepted (with
    /// its sequence number) or throttled (and by which limit), and dropped when it was its last.
    pub fn attempt(&mut self, id: u32, shard: u32, attempt: u32, outcome: Attempt, p: usize, now: SimTime) {
        let base = TraceRow { record: id, shard_id: shard_id_string(shard), attempt, ..TraceRow::default() };
        match outcome {
            Attempt::Accepted { sequence_number, latency } => {
                let row = TraceRow {
                    event: "accepted",
                    sequence_number: Some(sequence_number),
                    detail: format!("put latency {:.1} ms", to_ms_f64(latency)),
                    ..base
                };
                self.row(row, p, now);
                self.open.remove(&id);
            }
            Attempt::Throttled { limit, last } => {
                let row = TraceRow { event: "throttled", detail: limit.describe().into(), ..base.clone() };
                self.row(row, p, now);
                if last {
                    let row = TraceRow { event: "dropped", detail: "no attempts left".into(), ..base };
                    self.row(row, p, now);
                    self.open.remove(&id);
                }
            }
        }
    }

    /// The rows at the end of the run (`end`): records still in their producer are `pending`.
    pub fn finish(&mut self, end: SimTime) -> Vec<TraceRow> {
        for id in self.open.keys().copied().collect::<Vec<_>>() {
            let p = self.open[&id].0;
            let row = TraceRow {
                record: id,
                event: "pending",
                detail: "still in the producer at the end".into(),
                ..TraceRow::default()
            };
            self.row(row, p, end);
        }
        std::mem::take(&mut self.rows)
    }

    /// Add a row, filling in the record's producer, time, and key while it is followed.
    fn row(&mut self, mut row: TraceRow, p: usize, now: SimTime) {
        row.producer = self.producers[p].clone();
        row.time_s = to_secs_f64(now);
        if let Some((_, key, hash)) = self.open.get(&row.record) {
            row.partition_key = key.clone();
            row.hash_key = *hash;
        }
        self.rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracer(limit: u32, every: u64) -> Tracer {
        Tracer { limit, every, producers: vec!["p".into(), "q".into()], ..Tracer::default() }
    }

    #[test]
    fn follows_every_nth_record_up_to_the_limit() {
        let mut t = tracer(3, 4);
        let ids: Vec<u32> = (0..20).map(|_| t.on_created()).collect();
        assert_eq!(ids.iter().filter(|i| **i != 0).copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!((ids[0], ids[4], ids[8], ids[12]), (1, 2, 3, 0));
    }

    #[test]
    fn a_record_is_followed_from_creation_to_its_fate() {
        let mut t = tracer(10, 1);
        let (a, b, c) = (t.on_created(), t.on_created(), t.on_created());
        t.follow(a, 0, "k-a".into(), 7);
        t.created(a, 0, 1_000_000);
        t.attempt(a, 3, 1, Attempt::Throttled { limit: Limit::Records, last: false }, 0, 1_000_000);
        t.attempt(a, 3, 2, Attempt::Accepted { sequence_number: 42, latency: 1_500 }, 0, 2_000_000);
        t.follow(b, 1, "k-b".into(), 8);
        t.attempt(b, 0, 1, Attempt::Throttled { limit: Limit::Bytes, last: true }, 1, 0);
        t.follow(c, 1, "k-c".into(), 9);
        let rows = t.finish(5_000_000);
        let seen: Vec<(u32, &str, &str, &str)> =
            rows.iter().map(|r| (r.record, r.event, r.producer.as_str(), r.partition_key.as_str())).collect();
        assert_eq!(
            seen,
            [
                (1, "created", "p", "k-a"),
                (1, "throttled", "p", "k-a"),
                (1, "accepted", "p", "k-a"),
                (2, "throttled", "q", "k-b"),
                (2, "dropped", "q", "k-b"),
                (3, "pending", "q", "k-c")
            ]
        );
        assert_eq!(rows[2].sequence_number, Some(42));
        assert_eq!(rows[2].detail, "put latency 1.5 ms");
        assert_eq!(rows[2].shard_id, "shardId-000000000003");
        assert_eq!(rows[3].detail, "over 1 MiB/s");
        assert_eq!(rows[5].time_s, 5.0);
    }
}
