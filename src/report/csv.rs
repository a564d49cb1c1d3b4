//! CSV exports: `timeseries.csv` (per second, stream level, CloudWatch names where they exist),
//! `latency.csv` (put-latency percentiles per interval) and `shards.csv` (per shard and bucket).
//! Units are in the column names.

use crate::metrics::RunResult;
use crate::text_safety::csv_text;
use std::fmt::Write;

/// One integer field, formatted into `buf` (reused).
fn write_u64(w: &mut csv::Writer<Vec<u8>>, buf: &mut String, n: u64) -> csv::Result<()> {
    buf.clear();
    // Writing to a String cannot fail.
    let _ = write!(buf, "{n}");
    w.write_field(buf.as_str())
}

fn to_bytes(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    write(&mut w).expect("in-memory CSV");
    w.into_inner().expect("in-memory CSV")
}

/// `timeseries.csv`: one row per simulated second.
pub fn timeseries(r: &RunResult) -> Vec<u8> {
    to_bytes(|w| {
        w.write_record([
            "second",
            "produced_records",
            "offered_records",
            "offered_bytes",
            "incoming_records",
            "incoming_bytes",
            "write_provisioned_throughput_exceeded_records",
            "retried_records",
            "dropped_records",
            "open_shards",
            "write_capacity_records_per_s",
            "write_capacity_bytes_per_s",
            "put_payload_units",
            "billed_ingest_kib",
        ])?;
        let s = &r.series;
        for i in 0..s.len() {
            let open = s.open_shards[i] as u64;
            w.write_record(&[
                i.to_string(),
                s.produced_records[i].to_string(),
                s.offered_records[i].to_string(),
                s.offered_bytes[i].to_string(),
                s.accepted_records[i].to_string(),
                s.accepted_bytes[i].to_string(),
                s.throttled_records[i].to_string(),
                s.retried_records[i].to_string(),
                s.dropped_records[i].to_string(),
                open.to_string(),
                (open * r.shard_limit_records_per_s).to_string(),
                (open * r.shard_limit_bytes_per_s).to_string(),
                s.put_payload_units[i].to_string(),
                s.billed_ingest_kib[i].to_string(),
            ])?;
        }
        Ok(())
    })
}

/// `latency.csv`: put latency percentiles of the records accepted in each interval.
pub fn latency(r: &RunResult) -> Vec<u8> {
    to_bytes(|w| {
        w.write_record([
            "interval_start_s",
            "interval_s",
            "accepted_records",
            "p50_ms",
            "p90_ms",
            "p99_ms",
            "max_ms",
        ])?;
        let step = r.latency.interval_s;
        for (i, p) in r.latency.over_time.iter().enumerate() {
            let start = (i as u64 * step).to_string();
            match p {
                Some(p) => w.write_record(&[
                    start,
                    step.to_string(),
                    p.count.to_string(),
                    format!("{:.3}", p.p50),
                    format!("{:.3}", p.p90),
                    format!("{:.3}", p.p99),
                    format!("{:.3}", p.max),
                ])?,
                None => w.write_record(&[
                    start,
                    step.to_string(),
                    "0".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                ])?,
            }
        }
        Ok(())
    })
}

/// `trace.csv`: every event of the traced records (per-record mode), sorted by record. Text
/// cells (producer, partition key, detail) pass through [`csv_text`]: a partition key like
/// `=HYPERLINK(...)` is shown as text by a spreadsheet, not evaluated.
pub fn trace(r: &RunResult) -> Vec<u8> {
    to_bytes(|w| {
        w.write_record([
            "record",
            "producer",
            "event",
            "time_s",
            "partition_key",
            "hash_key",
            "shard_id",
            "attempt",
            "sequence_number",
            "detail",
        ])?;
        for t in &r.trace {
            w.write_record(&[
                t.record.to_string(),
                csv_text(&t.producer).into_owned(),
                t.event.to_string(),
                format!("{:.6}", t.time_s),
                csv_text(&t.partition_key).into_owned(),
                if t.partition_key.is_empty() { String::new() } else { hash_key_hex(t.hash_key) },
                t.shard_id.clone(),
                t.attempt.to_string(),
                t.sequence_number.map_or(String::new(), |n| n.to_string()),
                csv_text(&t.detail).into_owned(),
            ])?;
        }
        Ok(())
    })
}

/// A 128-bit hash key as `0x` and 32 hexadecimal digits: a text column in every CSV reader
/// (pandas and polars cannot hold the 39-digit decimal in a number column), fixed width so it
/// sorts as the key space does, and `int(x, 16)` in Python gives the number AWS writes in
/// decimal (`StartingHashKey`; `kinesim keys` prints the decimal).
pub fn hash_key_hex(h: u128) -> String {
    format!("0x{h:032x}")
}

/// `consumers.csv`, with consumers: per consumer and second, the largest iterator age
/// (CloudWatch `GetRecords.IteratorAgeMilliseconds`, the KCL's `MillisBehindLatest`) and the
/// bytes read (`GetRecords.Bytes`; for enhanced fan-out, `SubscribeToShardEvent.Bytes`). Long
/// format: one row per (second, consumer), for a notebook's group-by.
pub fn consumers(r: &RunResult) -> Vec<u8> {
    to_bytes(|w| {
        w.write_record(["time_s", "consumer", "kind", "iterator_age_ms", "bytes_read"])?;
        let seconds = r.consumers.iter().map(|c| c.iterator_age_s.len().max(c.read_bytes_s.len())).max();
        let mut field = String::new();
        for second in 0..seconds.unwrap_or(0) {
            for c in &r.consumers {
                write_u64(w, &mut field, second as u64)?;
                w.write_field(csv_text(&c.name).as_bytes())?;
                w.write_field(c.kind.name())?;
                let age = c.iterator_age_s.get(second).copied().unwrap_or(0.0);
                write_u64(w, &mut field, (age * 1000.0).round() as u64)?;
                let bytes = c.read_bytes_s.get(second).copied().unwrap_or(0.0);
                write_u64(w, &mut field, bytes.round() as u64)?;
                w.write_record(None::<&[u8]>)?;
            }
        }
        Ok(())
    })
}

/// `shards.csv`: per shard and time bucket: offered, accepted and throttled records.
pub fn shards(r: &RunResult) -> Vec<u8> {
    to_bytes(|w| {
        w.write_record([
            "bucket_start_s",
            "bucket_s",
            "shard_id",
            "offered_records",
            "offered_bytes",
            "incoming_records",
            "write_provisioned_throughput_exceeded_records",
            "mean_utilisation",
        ])?;
        let nb = r.heatmap.n_buckets;
        // Hundreds of thousands of rows for a large stream: each field is formatted into one
        // reused buffer (no `String` per field). Shard ids and numbers never need quoting.
        let mut field = String::new();
        for row in &r.shard_buckets {
            let id = r.shards.get(row.shard).map_or("", |s| s.shard_id.as_str());
            let util = r
                .heatmap
                .get(row.shard, (row.bucket_start_s / r.heatmap.bucket_s.max(1)) as usize % nb.max(1));
            for n in [row.bucket_start_s, r.heatmap.bucket_s] {
                write_u64(w, &mut field, n)?;
            }
            w.write_field(id)?;
            for n in [row.offered_records, row.offered_bytes, row.accepted_records, row.throttled_records] {
                write_u64(w, &mut field, n)?;
            }
            field.clear();
            // Writing to a String cannot fail.
            let _ = write!(field, "{util:.4}");
            w.write_field(&field)?;
            w.write_record(None::<&[u8]>)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ConsumerResult;

    #[test]
    fn hash_keys_are_fixed_width_hex_text() {
        assert_eq!(hash_key_hex(0), "0x00000000000000000000000000000000");
        assert_eq!(hash_key_hex(u128::MAX), "0xffffffffffffffffffffffffffffffff");
        // AWS's decimal of the same key, back from the text.
        let h = 234_079_413_770_792_230_875_862_003_829_230_776_425u128;
        assert_eq!(u128::from_str_radix(&hash_key_hex(h)[2..], 16).unwrap(), h);
    }

    #[test]
    fn consumers_csv_has_a_row_per_second_and_consumer() {
        let r = RunResult {
            consumers: vec![
                ConsumerResult {
                    name: "a".into(),
                    kind: crate::kinds::ConsumerKind::Polling,
                    iterator_age_s: vec![0.0, 1.5],
                    read_bytes_s: vec![100.0, 2048.0],
                    ..Default::default()
                },
                ConsumerResult {
                    name: "=b".into(),
                    kind: crate::kinds::ConsumerKind::EnhancedFanOut,
                    iterator_age_s: vec![0.07],
                    read_bytes_s: vec![10.0],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let text = String::from_utf8(consumers(&r)).unwrap();
        assert_eq!(
            text,
            "time_s,consumer,kind,iterator_age_ms,bytes_read\n0,a,polling,0,100\n0,'=b,efo,70,10\n\
             1,a,polling,1500,2048\n1,'=b,efo,0,0\n"
        );
    }
}
