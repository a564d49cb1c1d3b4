//! Collects metrics during a run: the model reports what happened (records produced, attempts
//! and their outcomes, latencies, drops) in plain values, and the collector keeps per-second
//! series, per-shard counters and histograms; at the end it freezes them into their part of the
//! [`RunResult`] (`assemble.rs` adds the model's). Memory: O(seconds + shards x buckets), never
//! O(records). Calls `histogram`, `result` and the scenario's write limits; nothing of the model.

use crate::limits::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::metrics::histogram::LatencyHistogram;
use crate::metrics::result::*;
use crate::units::{SimTime, MICROS_PER_SEC};

/// Time buckets of the per-shard heatmap at most (bucket width grows with the run).
const MAX_HEAT_BUCKETS: u64 = 600;
/// Distinct latencies summed before they go into the histograms.
const PENDING_LATENCIES: usize = 8;
/// Intervals of the latency-over-time series at most.
const MAX_LATENCY_INTERVALS: u64 = 300;

#[derive(Debug, Clone, Copy, Default)]
struct ShardCell {
    offered_records: u64,
    offered_bytes: u64,
    accepted_records: u64,
    throttled_records: u64,
}

#[derive(Debug, Clone, Default)]
struct ShardAcc {
    totals: ShardCell,
    accepted_bytes: u64,
    peak_records: u64,
    peak_bytes: u64,
    /// Offered in the current second.
    sec_records: u64,
    sec_bytes: u64,
}

/// One heatmap time bucket: counters and summed per-second utilisation of every shard. Bucket
/// by bucket, so the shards of one second are side by side in memory.
#[derive(Debug, Clone, Default)]
struct Bucket {
    cells: Vec<ShardCell>,
    heat: Vec<f32>,
}

/// Records offered to a shard and what became of them: the unit the collector counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offered {
    pub records: u64,
    /// Data + partition key bytes.
    pub bytes: u64,
    /// Of those, what the shard accepted (the rest was throttled).
    pub accepted_records: u64,
    pub accepted_bytes: u64,
    /// Of `records`, those that were retries.
    pub retried: u64,
}

impl std::ops::AddAssign for Offered {
    fn add_assign(&mut self, o: Offered) {
        self.records += o.records;
        self.bytes += o.bytes;
        self.accepted_records += o.accepted_records;
        self.accepted_bytes += o.accepted_bytes;
        self.retried += o.retried;
    }
}

pub struct Collector {
    seconds: usize,
    heat_bucket_s: u64,
    n_heat: usize,
    latency_interval_s: u64,
    series: Series,
    shards: Vec<ShardAcc>,
    buckets: Vec<Bucket>,
    cur_second: u64,
    touched: Vec<u32>,
    overall: LatencyHistogram,
    intervals: Vec<Option<LatencyHistogram>>,
    /// Latency not yet in the histograms: (value [µs], interval, records), a few distinct
    /// values at most ([`PENDING_LATENCIES`]).
    pending_latency: Vec<(SimTime, usize, u64)>,
    totals: Totals,
}

impl Collector {
    pub fn new(duration: SimTime, shards: usize) -> Self {
        let seconds = duration.div_ceil(MICROS_PER_SEC).max(1);
        let heat_bucket_s = seconds.div_ceil(MAX_HEAT_BUCKETS).max(1);
        let latency_interval_s = seconds.div_ceil(MAX_LATENCY_INTERVALS).max(1);
        let n = seconds as usize;
        let series = Series {
            produced_records: vec![0; n],
            offered_records: vec![0; n],
            offered_bytes: vec![0; n],
            accepted_records: vec![0; n],
            accepted_bytes: vec![0; n],
            throttled_records: vec![0; n],
            retried_records: vec![0; n],
            dropped_records: vec![0; n],
            open_shards: vec![0; n],
            put_payload_units: vec![0; n],
            billed_ingest_kib: vec![0; n],
        };
        let n_heat = seconds.div_ceil(heat_bucket_s) as usize;
        let mut c = Collector {
            seconds: n,
            heat_bucket_s,
            n_heat,
            latency_interval_s,
            series,
            shards: Vec::new(),
            buckets: vec![Bucket::default(); n_heat],
            cur_second: 0,
            touched: Vec::new(),
            overall: LatencyHistogram::new(3),
            intervals: (0..seconds.div_ceil(latency_interval_s)).map(|_| None).collect(),
            pending_latency: Vec::with_capacity(PENDING_LATENCIES),
            totals: Totals::default(),
        };
        c.ensure_shards(shards);
        c
    }

    /// Make room for shards `0..n` (resharding opens new ones).
    pub fn ensure_shards(&mut self, n: usize) {
        if self.shards.len() < n {
            self.shards.resize_with(n, ShardAcc::default);
            for b in &mut self.buckets {
                b.cells.resize(n, ShardCell::default());
                b.heat.resize(n, 0.0);
            }
        }
    }

    fn sec(&self, now: SimTime) -> usize {
        ((now / MICROS_PER_SEC) as usize).min(self.seconds - 1)
    }

    /// Close the per-shard second counters when time moves into a new second.
    fn advance(&mut self, now: SimTime) {
        let s = now / MICROS_PER_SEC;
        if s != self.cur_second {
            self.flush_second();
            self.cur_second = s;
        }
    }

    fn flush_second(&mut self) {
        let bucket = ((self.cur_second / self.heat_bucket_s) as usize).min(self.n_heat - 1);
        for &i in &self.touched {
            let a = &mut self.shards[i as usize];
            a.peak_records = a.peak_records.max(a.sec_records);
            a.peak_bytes = a.peak_bytes.max(a.sec_bytes);
            let u = (a.sec_records as f64 / SHARD_WRITE_RECORDS_PER_S as f64)
                .max(a.sec_bytes as f64 / SHARD_WRITE_BYTES_PER_S as f64);
            self.buckets[bucket].heat[i as usize] += u as f32;
            a.sec_records = 0;
            a.sec_bytes = 0;
        }
        self.touched.clear();
    }

    /// `n` new user records created (accepted into the buffer or not).
    pub fn produced(&mut self, now: SimTime, n: u64) {
        let s = self.sec(now);
        self.series.produced_records[s] += n;
        self.totals.records_produced += n;
    }

    /// `n` records lost because the producer buffer was full.
    pub fn dropped_buffer(&mut self, now: SimTime, n: u64) {
        let s = self.sec(now);
        self.series.dropped_records[s] += n;
        self.totals.records_dropped_buffer += n;
    }

    /// `n` records given up after their last attempt was throttled.
    pub fn dropped_throttled(&mut self, now: SimTime, n: u64) {
        let s = self.sec(now);
        self.series.dropped_records[s] += n;
        self.totals.records_dropped_throttled += n;
    }

    /// One PutRecords call sent.
    pub fn put_calls(&mut self, n: u64) {
        self.totals.put_calls += n;
    }

    /// Records offered to `shard` at `now` (one cohort, or all of one shard's tick) and how many
    /// of them were accepted and were retries.
    pub fn attempt(&mut self, now: SimTime, shard: u32, o: Offered) {
        let Offered { records, bytes, accepted_records, accepted_bytes, retried } = o;
        self.advance(now);
        let s = self.sec(now);
        let throttled = records - accepted_records;
        let se = &mut self.series;
        se.offered_records[s] += records;
        se.offered_bytes[s] += bytes;
        se.accepted_records[s] += accepted_records;
        se.accepted_bytes[s] += accepted_bytes;
        se.throttled_records[s] += throttled;
        se.retried_records[s] += retried;
        self.totals.retries += retried;
        self.totals.records_accepted += accepted_records;
        self.totals.bytes_accepted += accepted_bytes;
        self.totals.throttled_attempts += throttled;

        let bucket = ((s as u64 / self.heat_bucket_s) as usize).min(self.n_heat - 1);
        let a = &mut self.shards[shard as usize];
        if a.sec_records == 0 && a.sec_bytes == 0 {
            self.touched.push(shard);
        }
        a.sec_records += records;
        a.sec_bytes += bytes;
        a.totals.offered_records += records;
        a.totals.offered_bytes += bytes;
        a.totals.accepted_records += accepted_records;
        a.totals.throttled_records += throttled;
        a.accepted_bytes += accepted_bytes;
        let c = &mut self.buckets[bucket].cells[shard as usize];
        c.offered_records += records;
        c.offered_bytes += bytes;
        c.accepted_records += accepted_records;
        c.throttled_records += throttled;
    }

    /// Billing units of accepted records: PUT payload units and whole-KiB ingest.
    pub fn billing(&mut self, now: SimTime, put_payload_units: u64, billed_kib: u64) {
        let s = self.sec(now);
        self.series.put_payload_units[s] += put_payload_units;
        self.series.billed_ingest_kib[s] += billed_kib;
        self.totals.put_payload_units += put_payload_units;
        self.totals.billed_ingest_kib += billed_kib;
    }

    /// `count` records accepted with put latency `latency` [µs], attributed to the second of
    /// `now` (the attempt that succeeded).
    pub fn latency(&mut self, now: SimTime, latency: SimTime, count: u64) {
        if count == 0 {
            return;
        }
        let i = (self.sec(now) as u64 / self.latency_interval_s) as usize;
        // Equal latencies in one interval are summed first and recorded once: in aggregated
        // mode a tick holds a few distinct values (round trip plus whole ticks waited), each for
        // many cohorts. Counts add up in any order, so the histograms are the same.
        if let Some(p) = self.pending_latency.iter_mut().find(|p| p.0 == latency && p.1 == i) {
            p.2 += count;
            return;
        }
        if self.pending_latency.len() == PENDING_LATENCIES {
            self.flush_latency();
        }
        self.pending_latency.push((latency, i, count));
    }

    fn flush_latency(&mut self) {
        for (latency, i, count) in self.pending_latency.drain(..) {
            self.overall.record(latency, count);
            self.intervals[i].get_or_insert_with(|| LatencyHistogram::new(2)).record(latency, count);
        }
    }

    /// Open shards during second `s` onwards.
    pub fn open_shards_from(&mut self, now: SimTime, open: u32) {
        let s = self.sec(now);
        self.series.open_shards[s..].iter_mut().for_each(|v| *v = open);
    }

    /// Freeze into `r`'s series, shards, heatmap, shard buckets, latency and totals.
    /// `pending`: records still in producers at the end. `meta`: every shard's identity (id,
    /// range, key share, parents, open/close times); the collector fills in the counters.
    pub fn freeze(mut self, pending: u64, meta: Vec<ShardTotals>, r: &mut RunResult) {
        self.flush_second();
        self.flush_latency();
        self.totals.records_pending = pending;
        self.ensure_shards(meta.len());
        let n_heat = self.n_heat;
        let bucket_s = self.heat_bucket_s;
        let seconds = self.seconds as u64;
        let mut heat = Vec::with_capacity(self.shards.len() * n_heat);
        let mut rows = Vec::new();
        let mut totals = Vec::new();
        for (i, (a, m)) in self.shards.iter().zip(meta).enumerate() {
            for b in 0..n_heat {
                let start = b as u64 * bucket_s;
                let width = bucket_s.min(seconds - start) as f32;
                heat.push(self.buckets[b].heat[i] / width);
                let c = self.buckets[b].cells[i];
                rows.push(ShardBucketRow {
                    bucket_start_s: start,
                    shard: i,
                    offered_records: c.offered_records,
                    offered_bytes: c.offered_bytes,
                    accepted_records: c.accepted_records,
                    throttled_records: c.throttled_records,
                });
            }
            totals.push(ShardTotals {
                offered_records: a.totals.offered_records,
                accepted_records: a.totals.accepted_records,
                throttled_records: a.totals.throttled_records,
                accepted_bytes: a.accepted_bytes,
                peak_offered_records_per_s: a.peak_records,
                peak_offered_bytes_per_s: a.peak_bytes,
                ..m
            });
        }
        r.series = self.series;
        r.shards = totals;
        r.heatmap = Heatmap { bucket_s, n_shards: self.shards.len(), n_buckets: n_heat, utilisation: heat };
        r.latency = LatencyResult {
            overall: self.overall.percentiles(),
            interval_s: self.latency_interval_s,
            over_time: self.intervals.iter().map(|h| h.as_ref().map(LatencyHistogram::percentiles)).collect(),
        };
        r.totals = self.totals;
        r.shard_buckets = rows;
    }
}
