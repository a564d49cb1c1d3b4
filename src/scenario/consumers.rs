//! `[[consumers]]`: applications reading the stream, by polling (GetRecords) or by enhanced
//! fan-out (SubscribeToShard); optionally a KCL-style application (workers holding leases,
//! processing and checkpointing) and a periodic job behind it guarded by a distributed lock.
//!
//! ```toml
//! [[consumers]]
//! name = "analytics"
//! kind = "polling"          # or "efo"
//! poll_interval = "1.5s"    # polling: KCL 2.x default
//! max_records = 10000       # polling: records per GetRecords call (<= 10,000)
//! process_rate = 500        # records/s per shard the application keeps up with (0 = no limit)
//!
//! # A KCL application: `workers` turns it on.
//! workers = 2               # each holds leases on shards, balanced
//! record_cost = "1ms"       # processing time per record (model assumption: one thread per worker)
//! batch_cost = "10ms"       # processing time per batch (processRecords call)
//! checkpoint_every = 1000   # records (0 = not by count)
//! checkpoint_interval = "60s"
//! failover_time = "10s"     # KCL failoverTimeMillis
//! worker_failures = [{ worker = 1, at = "10m" }]
//!
//! [consumers.job]           # a periodic job flushing what the consumer processed
//! period = "60s"
//! instances = 3
//! lock_at_most_for = "10m"
//! lock_at_least_for = "30s"
//! duration = "5s"
//! instance_failures = [{ instance = "holder", at = "20m" }]   # or an index from 0
//! ```
//!
//! May call: `checker`, `raw`, `types`, `defaults`.

use super::checker::{choice, duration, field, int, num, text, Checker};
use super::defaults as d;
use super::raw::choices::{CONSUMER_KINDS, HOLDER};
use super::raw::{Field, RawConsumer, RawFailure, RawJob, Scalar};
use super::types::{ConsumerKind, ConsumerSpec, Failure, JobSpec, KclSpec};
use crate::limits;
use crate::units::SimTime;

/// Validate the consumers list. `run` is the scenario's duration (failures must fall inside).
pub(super) fn consumers(
    c: &mut Checker,
    list: Option<&Vec<RawConsumer>>,
    run: Option<SimTime>,
    efo_max: usize,
) -> Option<Vec<ConsumerSpec>> {
    let Some(list) = list else { return Some(Vec::new()) };
    let mut out = Some(Vec::with_capacity(list.len()));
    let mut names = std::collections::BTreeSet::new();
    let mut efo = 0;
    for (i, r) in list.iter().enumerate() {
        let path = format!("consumers[{i}]");
        let f = |n: &str| field(&path, n);
        let name = match &r.name {
            None => c.missing(&f("name"), "give each consumer a `name`, like name = \"analytics\""),
            Some(v) => text(c, &f("name"), v).map(str::to_string),
        };
        if let Some(n) = &name {
            if !names.insert(n.clone()) {
                c.err(&f("name"), format!("duplicate consumer name {n:?}; names must be unique"));
            }
        }
        let kind = match &r.kind {
            None => Some(ConsumerKind::Polling),
            Some(v) => choice(c, &f("kind"), v, &CONSUMER_KINDS).map(|k| {
                if k == "efo" {
                    ConsumerKind::EnhancedFanOut
                } else {
                    ConsumerKind::Polling
                }
            }),
        };
        if kind == Some(ConsumerKind::EnhancedFanOut) {
            efo += 1;
            if efo > efo_max {
                let advantage = if efo_max == limits::EFO_MAX_CONSUMERS {
                    "; 50 under On-demand Advantage, cost.on_demand = \"advantage\""
                } else {
                    " under On-demand Advantage"
                };
                c.err(
                    &f("kind"),
                    format!(
                        "at most {efo_max} enhanced fan-out consumers per stream (AWS limit{advantage}); this is number {efo}"
                    ),
                );
            }
            for (k, v) in [("poll_interval", &r.poll_interval), ("max_records", &r.max_records)] {
                if v.is_some() {
                    c.err(&f(k), "applies to kind = \"polling\" only (enhanced fan-out pushes records)");
                }
            }
        }
        let poll_interval = match &r.poll_interval {
            None => Some(d::POLL_INTERVAL),
            Some(v) => duration(c, &f("poll_interval"), v, crate::units::millis(10), d::DURATION_MAX, ""),
        };
        let max_records = match &r.max_records {
            None => Some(limits::GET_RECORDS_MAX_RECORDS),
            Some(v) => int(
                c,
                &f("max_records"),
                v,
                1,
                limits::GET_RECORDS_MAX_RECORDS.into(),
                "records per GetRecords call",
            )
            .map(|n| n as u32),
        };
        let process_rate = match &r.process_rate {
            None => Some(0.0),
            Some(v) => num(c, &f("process_rate"), v, 0.0, d::RATE_MAX, "records/s per shard, 0 = no limit"),
        };
        let poll_jitter = match &r.poll_jitter {
            None => Some(d::POLL_JITTER),
            Some(v) => num(c, &f("poll_jitter"), v, 0.0, 0.9, "fraction of the poll interval"),
        };
        let kcl = kcl(c, &path, r, run);
        if r.workers.is_some() && r.process_rate.is_some() {
            c.err(
                &f("process_rate"),
                "a KCL application (`workers`) processes at `record_cost` and `batch_cost` per worker; \
                 remove process_rate",
            );
        }
        let job = match &r.job {
            None => Some(None),
            Some(j) => job(c, &f("job"), j, run).map(Some),
        };
        match (name, kind, poll_interval, max_records, process_rate, poll_jitter, kcl, job, out.as_mut()) {
            (
                Some(name),
                Some(kind),
                Some(poll_interval),
                Some(max_records),
                Some(process_rate),
                Some(poll_jitter),
                Some(kcl),
                Some(job),
                Some(v),
            ) => v.push(ConsumerSpec {
                name,
                kind,
                poll_interval,
                max_records,
                process_rate,
                poll_jitter,
                kcl,
                job,
            }),
            _ => out = None,
        }
    }
    out
}

/// The KCL fields of one consumer: `Some(None)` when it is not a KCL application.
fn kcl(c: &mut Checker, path: &str, r: &RawConsumer, run: Option<SimTime>) -> Option<Option<KclSpec>> {
    let f = |n: &str| field(path, n);
    let Some(w) = &r.workers else {
        let given: Vec<&str> = [
            ("record_cost", r.record_cost.is_some()),
            ("batch_cost", r.batch_cost.is_some()),
            ("checkpoint_every", r.checkpoint_every.is_some()),
            ("checkpoint_interval", r.checkpoint_interval.is_some()),
            ("failover_time", r.failover_time.is_some()),
            ("worker_failures", r.worker_failures.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, g)| g.then_some(n))
        .collect();
        for n in &given {
            c.err(&f(n), "applies to a KCL application only: set `workers` (e.g. workers = 2) too");
        }
        return given.is_empty().then_some(None);
    };
    let workers = int(c, &f("workers"), w, 1, d::KCL_MAX_WORKERS.into(), "KCL workers").map(|n| n as u32);
    let dur = |c: &mut Checker, name: &str, v: &Field, default: SimTime, min: SimTime| match v {
        None => Some(default),
        Some(v) => duration(c, &f(name), v, min, d::DURATION_MAX, ""),
    };
    let record_cost = dur(c, "record_cost", &r.record_cost, d::KCL_RECORD_COST, 0);
    let batch_cost = dur(c, "batch_cost", &r.batch_cost, d::KCL_BATCH_COST, 0);
    let checkpoint_interval =
        dur(c, "checkpoint_interval", &r.checkpoint_interval, d::KCL_CHECKPOINT_INTERVAL, 0);
    let failover_time = dur(c, "failover_time", &r.failover_time, d::KCL_FAILOVER_TIME, 1);
    let checkpoint_every = match &r.checkpoint_every {
        None => Some(d::KCL_CHECKPOINT_EVERY),
        Some(v) => {
            int(c, &f("checkpoint_every"), v, 0, i64::MAX, "records between checkpoints, 0 = not by count")
                .map(|n| n as u64)
        }
    };
    if checkpoint_every == Some(0) && checkpoint_interval == Some(0) {
        c.err(
            &f("checkpoint_every"),
            "checkpoint_every = 0 and checkpoint_interval = \"0s\" would never checkpoint; set one of them",
        );
    }
    let failures = failures(c, &f("worker_failures"), r.worker_failures.as_ref(), "worker", workers, run);
    match (workers, record_cost, batch_cost, checkpoint_every, checkpoint_interval, failover_time, failures) {
        (
            Some(workers),
            Some(record_cost),
            Some(batch_cost),
            Some(checkpoint_every),
            Some(ci),
            Some(fo),
            Some(fl),
        ) => Some(Some(KclSpec {
            workers,
            record_cost,
            batch_cost,
            checkpoint_every,
            checkpoint_interval: ci,
            failover_time: fo,
            failures: fl,
        })),
        _ => None,
    }
}

fn job(c: &mut Checker, path: &str, r: &RawJob, run: Option<SimTime>) -> Option<JobSpec> {
    let f = |n: &str| field(path, n);
    let period = match &r.period {
        None => c.missing(&f("period"), "how often the job runs, like period = \"60s\""),
        Some(v) => duration(c, &f("period"), v, crate::units::millis(100), d::DURATION_MAX, ""),
    };
    let instances = match &r.instances {
        None => Some(d::JOB_INSTANCES),
        Some(v) => int(c, &f("instances"), v, 1, 1000, "application instances").map(|n| n as u32),
    };
    let dur = |c: &mut Checker, name: &str, v: &Field, default: SimTime| match v {
        None => Some(default),
        Some(v) => duration(c, &f(name), v, 0, d::DURATION_MAX, ""),
    };
    let at_most = dur(c, "lock_at_most_for", &r.lock_at_most_for, d::JOB_LOCK_AT_MOST_FOR);
    let at_least = dur(c, "lock_at_least_for", &r.lock_at_least_for, d::JOB_LOCK_AT_LEAST_FOR);
    let duration = dur(c, "duration", &r.duration, d::JOB_DURATION);
    if let (Some(most), Some(least)) = (at_most, at_least) {
        if least > most {
            c.err(&f("lock_at_least_for"), "must not be longer than lock_at_most_for (ShedLock's rule)");
        }
    }
    if let (Some(most), Some(dur)) = (at_most, duration) {
        if most <= dur {
            c.err(
                &f("lock_at_most_for"),
                "must be longer than the job's duration, or the lock expires while the job still runs \
                 and a second instance starts it",
            );
        }
    }
    let failures =
        failures(c, &f("instance_failures"), r.instance_failures.as_ref(), "instance", instances, run);
    match (period, instances, at_most, at_least, duration, failures) {
        (
            Some(period),
            Some(instances),
            Some(lock_at_most_for),
            Some(lock_at_least_for),
            Some(duration),
            Some(failures),
        ) => Some(JobSpec { period, instances, lock_at_most_for, lock_at_least_for, duration, failures }),
        _ => None,
    }
}

/// `[{ worker = 1, at = "10m" }, ...]`, sorted by time.
fn failures(
    c: &mut Checker,
    path: &str,
    list: Option<&Vec<RawFailure>>,
    who: &str,
    count: Option<u32>,
    run: Option<SimTime>,
) -> Option<Vec<Failure>> {
    let Some(list) = list else { return Some(Vec::new()) };
    let mut out = Some(Vec::new());
    for (i, r) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let (index, wrong) =
            if who == "worker" { (&r.worker, &r.instance) } else { (&r.instance, &r.worker) };
        if wrong.is_some() {
            let other = if who == "worker" { "instance" } else { "worker" };
            c.err(&field(&p, other), format!("this list names {who}s: use `{who}` instead of `{other}`"));
        }
        let index = match index {
            None => c.missing(&field(&p, who), &format!("which {who} fails, counted from 0")),
            Some(Scalar::Str(h)) if who == "instance" && h == HOLDER[0] => Some(Failure::HOLDER),
            Some(Scalar::Str(h)) if who == "instance" => {
                c.err(
                    &field(&p, who),
                    format!("expected an instance number (from 0) or \"holder\" (whichever holds the lock), found {h:?}"),
                );
                None
            }
            Some(v) => {
                let max = i64::from(count.unwrap_or(1).max(1)) - 1;
                int(c, &field(&p, who), v, 0, max, &format!("{who}s are numbered from 0")).map(|n| n as u32)
            }
        };
        let at = match &r.at {
            None => c.missing(&field(&p, "at"), "when it fails, like at = \"10m\""),
            Some(v) => {
                let max = run.unwrap_or(d::DURATION_MAX);
                duration(c, &field(&p, "at"), v, 0, max, "inside the run")
            }
        };
        match (index, at, out.as_mut()) {
            (Some(index), Some(at), Some(v)) => v.push(Failure { at, index }),
            _ => out = None,
        }
    }
    if let Some(v) = out.as_mut() {
        v.sort_by_key(|f| (f.at, f.index));
    }
    out
}
