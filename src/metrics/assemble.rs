//! The end of a run: what the model hands over, in the result's own types ([`Handover`]), and
//! the collector's counters become one [`RunResult`]. The experiment then adds the scenario's
//! facts and the bill. Calls `collector` and `result`; nothing of the model.

use crate::metrics::collector::Collector;
use crate::metrics::result::*;

/// What the model knows at the end of a run that the collector does not.
#[derive(Debug, Clone, Default)]
pub struct Handover {
    /// Records still in producers (batching or awaiting a retry).
    pub records_pending: u64,
    /// Every shard ever opened, by id: its identity (id, range, key share, parents, open and
    /// close times); the collector adds its counters.
    pub shards: Vec<ShardTotals>,
    pub capacity: CapacityResult,
    pub consumers: Vec<ConsumerResult>,
    /// Trace rows of the write side (created to accepted, dropped or pending), each with its
    /// record's producer and key.
    pub written: Vec<TraceRow>,
    /// Trace rows of the read side (read, processed, flushed), which know only their record.
    pub read: Vec<TraceRow>,
    /// Kinesis records accepted (an aggregated record counts one).
    pub kinesis_records_accepted: u64,
}

/// The run's result from the collector and the model's handover; the scenario's facts (name,
/// textbook, warnings, bounds) and the cost are left for the experiment.
pub fn assemble(collector: Collector, h: Handover) -> RunResult {
    let mut r = RunResult {
        capacity: h.capacity,
        consumers: h.consumers,
        trace: merge_trace(h.written, h.read),
        kinesis_records_accepted: h.kinesis_records_accepted,
        ..RunResult::default()
    };
    collector.freeze(h.records_pending, h.shards, &mut r);
    r
}

/// Each record's rows in time order: the read side lists each consumer's rows one consumer
/// after the other, so two consumers' rows interleave only by time (the sort is stable: rows at
/// the same time keep their order, `read` before `processed`). Rows of the read side know the
/// record, not its producer and key: take them from the record's first row (its `created` row,
/// the earliest).
fn merge_trace(mut trace: Vec<TraceRow>, read: Vec<TraceRow>) -> Vec<TraceRow> {
    trace.extend(read);
    trace.sort_by(|a, b| a.record.cmp(&b.record).then(a.time_s.total_cmp(&b.time_s)));
    for i in 1..trace.len() {
        if trace[i].record == trace[i - 1].record && trace[i].producer.is_empty() {
            let (head, tail) = trace.split_at_mut(i);
            let prev = &head[i - 1];
            tail[0].producer = prev.producer.clone();
            tail[0].partition_key = prev.partition_key.clone();
            tail[0].hash_key = prev.hash_key;
        }
    }
    trace
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(record: u32, event: &'static str, time_s: f64, producer: &str) -> TraceRow {
        TraceRow {
            record,
            event,
            time_s,
            producer: producer.into(),
            partition_key: producer.into(),
            ..TraceRow::default()
        }
    }

    #[test]
    fn read_rows_join_their_record_in_time_order_with_its_producer_and_key() {
        let written =
            vec![row(2, "created", 0.5, "b"), row(1, "created", 0.0, "a"), row(1, "accepted", 0.1, "a")];
        let read = vec![
            row(1, "read", 0.3, ""),
            row(2, "read", 0.7, ""),
            row(1, "processed", 0.3, ""),
            row(1, "read", 0.2, ""),
        ];
        let t = merge_trace(written, read);
        let seen: Vec<(u32, &str, &str)> =
            t.iter().map(|r| (r.record, r.event, r.producer.as_str())).collect();
        assert_eq!(
            seen,
            [
                (1, "created", "a"),
                (1, "accepted", "a"),
                (1, "read", "a"),
                (1, "read", "a"),
                (1, "processed", "a"),
                (2, "created", "b"),
                (2, "read", "b")
            ]
        );
        assert!(t.iter().all(|r| r.partition_key == r.producer));
    }

    #[test]
    fn assembling_keeps_the_handover_and_freezes_the_collector() {
        let mut c = Collector::new(crate::units::secs(2), 1);
        c.produced(0, 5);
        let h = Handover {
            records_pending: 5,
            shards: vec![ShardTotals { shard_id: "shardId-000000000000".into(), ..ShardTotals::default() }],
            kinesis_records_accepted: 7,
            ..Handover::default()
        };
        let r = assemble(c, h);
        assert_eq!((r.totals.records_produced, r.totals.records_pending), (5, 5));
        assert_eq!(r.kinesis_records_accepted, 7);
        assert_eq!(r.shards[0].shard_id, "shardId-000000000000");
        assert_eq!(r.series.len(), 2);
    }
}
