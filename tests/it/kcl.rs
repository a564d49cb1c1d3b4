//! KCL-style applications and periodic jobs against hand-computed answers.
//!
//! KCL rules (https://docs.aws.amazon.com/streams/latest/dev/kcl-concepts.html, lease table and
//! failover): one lease per shard held by one worker, leases
//! balanced over workers; a failed worker's leases are taken after `failoverTimeMillis`, from the
//! last checkpoint (records processed since are processed again); a child shard is read only
//! after its parents are fully processed
//! (https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html).
//! Lock rules (ShedLock's documented semantics, modelled as stated in `model::readers`).

use crate::common::{run, scenario};
use kinesim::metrics::{ConsumerResult, JobResult, RunResult};

fn only(r: &RunResult) -> &ConsumerResult {
    assert_eq!(r.consumers.len(), 1);
    &r.consumers[0]
}

fn job(r: &RunResult) -> &JobResult {
    only(r).job.as_ref().expect("the consumer has a job")
}

/// 6 shards and 3 workers: 2 leases each. Worker 2 fails at 30 s: after the 10 s failover its
/// 2 leases go one each to the two others (the least loaded takes each), 2 lease moves.
#[test]
fn leases_are_balanced_and_move_after_a_failure() {
    let base = r#"
        name = "leases"
        duration = "2m"
        [stream]
        shards = 6
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 3000
        record_size = "200B"
        [[consumers]]
        name = "app"
        workers = 3
    "#;
    let r = run(base);
    let leases: Vec<u32> = only(&r).workers.iter().map(|w| w.leases).collect();
    assert_eq!(leases, vec![2, 2, 2]);
    assert_eq!(only(&r).lease_moves, 0);

    let r = run(&format!("{base}\nworker_failures = [{{ worker = 2, at = \"30s\" }}]\n"));
    let c = only(&r);
    let leases: Vec<u32> = c.workers.iter().map(|w| w.leases).collect();
    assert_eq!(leases, vec![3, 3, 0]);
    assert_eq!(c.lease_moves, 2);
    assert_eq!(c.workers[2].failed_at_s, Some(30.0));
    // Nobody read worker 2's shards for the failover time: the lag reached at least 10 s, and
    // at most 10 s + the age of the last checkpoint (every 10,000 records: 20 s at 500
    // records/s a shard) + a poll interval (1.5 s) + a second of rounding.
    let peak = c.iterator_age_s[30..60].iter().copied().fold(0.0, f64::max);
    assert!((10.0..10.0 + 20.0 + 1.5 + 1.0).contains(&peak), "peak lag {peak}");
    assert!(c.iterator_age_s[100] < 2.0, "caught up again: {}", c.iterator_age_s[100]);
}

/// 1 shard, 1,000 evenly spaced records/s, read every 1 s; the worker checkpoints when 10 s
/// have passed since the last checkpoint. Batches finish at k s + 200 ms (propagation) + a
/// few ms of processing, so checkpoints fall at ~10.2 s and ~20.2 s; the worker dies at 25.5 s
/// having processed the batches finished at ~21.2 .. ~25.2 s since: 5 batches of 1,000 records,
/// processed again by the worker that takes the lease over.
#[test]
fn records_since_the_last_checkpoint_are_processed_again() {
    let r = run(r#"
        name = "checkpoints"
        duration = "60s"
        [stream]
        shards = 1
        [[producers]]
        name = "p"
        rate = 1000
        arrivals = "uniform"
        record_size = "100B"
        batch = { linger = "0s" }
        [[consumers]]
        name = "app"
        poll_interval = "1s"
        poll_jitter = 0
        workers = 2
        record_cost = "1us"
        batch_cost = "1ms"
        checkpoint_every = 0
        checkpoint_interval = "10s"
        failover_time = "10s"
        worker_failures = [ { worker = 0, at = "25.5s" } ]
    "#);
    let c = only(&r);
    assert_eq!(c.records_reprocessed, 5_000);
    assert_eq!(c.lease_moves, 1);
    assert_eq!(c.workers[1].leases, 1);
    // What was processed twice is processed twice: processed = read at most (a batch cut off by
    // the failure is read twice but processed once).
    assert!(c.records_processed <= c.records_read);
    // No batch was in flight at 25.5 s (the last one ended at ~25.2 s): every accepted record
    // was read once, and the reprocessed ones twice.
    assert_eq!(c.records_read + c.records_unread, r.totals.records_accepted + c.records_reprocessed);
}

/// One worker at 2 ms a record (no batch cost) processes 500 records/s; against 1,000 records/s
/// its iterator age grows at 1 - 500/1000 = 0.5 s per second.
#[test]
fn a_worker_at_two_ms_a_record_falls_behind_half_a_second_per_second() {
    let r = run(r#"
        name = "slow-worker"
        duration = "10m"
        [stream]
        shards = 1
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 1000
        arrivals = "uniform"
        record_size = "100B"
        [[consumers]]
        name = "app"
        poll_interval = "1s"
        poll_jitter = 0
        workers = 1
        record_cost = "2ms"
        batch_cost = "0s"
    "#);
    let c = only(&r);
    let slope = (c.iterator_age_s[599] - c.iterator_age_s[299]) / 300.0;
    assert!((slope - 0.5).abs() < 0.02, "slope {slope}");
    let rate = c.records_processed as f64 / 600.0;
    assert!((rate - 500.0).abs() < 5.0, "processed {rate}/s");
}

/// After a reshard, a child shard is read only once its parents are drained: no read of a
/// child before the last read of any of its parents (the bundled scenario, traced).
#[test]
fn children_are_read_only_after_their_parents_are_drained() {
    let mut sc = kinesim::library::find("reshard-consumer-lag").unwrap().scenario().unwrap();
    sc.duration = kinesim::units::secs(120);
    let r = kinesim::experiment::run(&sc);
    let reads = |shard: &str| -> Vec<f64> {
        r.trace.iter().filter(|t| t.event == "read" && t.shard_id == shard).map(|t| t.time_s).collect()
    };
    let mut children = 0;
    for s in r.shards.iter().filter(|s| !s.parent_shard_ids.is_empty()) {
        let first_child = reads(&s.shard_id).into_iter().fold(f64::INFINITY, f64::min);
        for p in &s.parent_shard_ids {
            let last_parent = reads(p).into_iter().fold(0.0, f64::max);
            assert!(last_parent > 0.0, "parent {p} was read");
            assert!(
                first_child >= last_parent,
                "{} read at {first_child} before {p} at {last_parent}",
                s.shard_id
            );
        }
        children += usize::from(first_child.is_finite());
    }
    assert_eq!(children, 4, "all four children were read within the horizon");
    // The trace follows records to the consumer: read rows carry their producer and key.
    let read = r.trace.iter().find(|t| t.event == "read").unwrap();
    assert!(!read.partition_key.is_empty() && !read.producer.is_empty());
}

const JOB_BASE: &str = r#"
    name = "job"
    duration = "10m"
    [stream]
    shards = 1
    [engine]
    mode = "aggregated"
    [[producers]]
    name = "p"
    rate = 200
    arrivals = "uniform"
    record_size = "100B"
    [[consumers]]
    name = "app"
    poll_interval = "1s"
    poll_jitter = 0
"#;

fn with_job(job: &str) -> kinesim::experiment::Outcome {
    run(&format!("{JOB_BASE}\n[consumers.job]\n{job}\n"))
}

/// Five instances, one lock: exactly one run per period (ticks at 10 s, 20 s, ... 590 s), no
/// two runs overlapping, no period skipped.
#[test]
fn the_lock_lets_exactly_one_instance_run_each_period() {
    let r = with_job("period = \"10s\"\ninstances = 5\nduration = \"3s\"");
    let j = job(&r);
    assert_eq!(j.runs.len(), 59);
    assert!(j.skipped.is_empty(), "{:?}", j.skipped);
    let periods: std::collections::BTreeSet<u64> = j.runs.iter().map(|r| r.period).collect();
    assert_eq!(periods.len(), j.runs.len(), "no period ran twice");
    for w in j.runs.windows(2) {
        assert!(w[0].ended_s <= w[1].started_s, "runs overlap: {w:?}");
    }
    let used: std::collections::BTreeSet<u32> = j.runs.iter().map(|r| r.instance).collect();
    assert!(used.len() > 1, "the instance that gets the lock varies");
    assert!(j.runs.iter().all(|r| r.outcome == "completed" && r.ended_s - r.started_s == 3.0));
}

/// The holder dies at 22 s during the run that started at 20 s: the lock stays taken until
/// 20 s + lock_at_most_for (35 s) = 55 s, so the periods at 30, 40 and 50 s are skipped and
/// the next run starts at 60 s. Its records are not lost: the next run flushes them.
#[test]
fn a_holder_failure_delays_the_next_run_until_lock_at_most_for() {
    let r = with_job(
        "period = \"10s\"\ninstances = 3\nduration = \"5s\"\nlock_at_most_for = \"35s\"\ninstance_failures = [ { instance = \"holder\", at = \"22s\" } ]",
    );
    let j = job(&r);
    let failed: Vec<_> = j.runs.iter().filter(|r| r.outcome == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!((failed[0].period, failed[0].started_s, failed[0].ended_s), (2, 20.0, 22.0));
    let skipped: Vec<u64> = j.skipped.iter().map(|s| s.period).collect();
    assert_eq!(skipped, vec![3, 4, 5]);
    let next = j.runs.iter().find(|r| r.started_s > 22.0).unwrap();
    assert_eq!((next.period, next.started_s), (6, 60.0));
    assert_ne!(next.instance, failed[0].instance, "a dead instance does not run the job");
    // Records flushed + waiting = records processed (none lost by the failed run).
    let c = only(&r);
    assert_eq!(j.records_flushed + j.records_waiting, c.records_processed);
    // The run at 60 s flushes the 40 s of records the failed run left behind, and more.
    assert!(next.records_flushed >= 200 * 39, "{}", next.records_flushed);
}

/// lock_at_least_for keeps the lock after a short run: a 1 s run holding the lock at least 15 s
/// makes every other 10 s period find it taken. A run longer than its period makes the next
/// period find the job still running.
#[test]
fn lock_at_least_for_and_long_runs_skip_periods() {
    let r = with_job("period = \"10s\"\ninstances = 2\nduration = \"1s\"\nlock_at_least_for = \"15s\"");
    let j = job(&r);
    let started: Vec<f64> = j.runs.iter().take(3).map(|r| r.started_s).collect();
    assert_eq!(started, vec![10.0, 30.0, 50.0]);
    assert_eq!(j.skipped.len(), 29, "periods 2, 4, ..., 58");

    let r = with_job("period = \"10s\"\ninstances = 2\nduration = \"15s\"\nlock_at_most_for = \"60s\"");
    let j = job(&r);
    let started: Vec<f64> = j.runs.iter().take(3).map(|r| r.started_s).collect();
    assert_eq!(started, vec![10.0, 30.0, 50.0]);
    assert!(j.skipped[0].reason.contains("still runs"), "{}", j.skipped[0].reason);
}

/// A record processed at a uniformly random moment waits for the next period's run (on average
/// half a period) and the run's duration: the median of produced -> flushed is about
/// P/2 + D + the median of produced -> processed (P = 20 s, D = 2 s), within the model's
/// one-second buffer resolution.
#[test]
fn flushed_latency_is_half_a_period_plus_the_run() {
    let r = with_job("period = \"20s\"\ninstances = 2\nduration = \"2s\"");
    let c = only(&r);
    let j = job(&r);
    let expected = 10_000.0 + 2_000.0 + c.end_to_end_ms.p50;
    assert!((j.flushed_ms.p50 - expected).abs() < 1_000.0, "p50 {} vs {expected}", j.flushed_ms.p50);
    assert!(j.flushed_ms.max <= 20_000.0 + 2_000.0 + c.end_to_end_ms.max + 1_000.0);
}

/// Job and KCL settings are checked: a lock shorter than the run, a failure naming a worker
/// that does not exist, KCL fields without workers.
#[test]
fn bad_kcl_and_job_settings_are_refused() {
    for (extra, expect) in [
        (
            "workers = 2\nworker_failures = [ { worker = 2, at = \"1s\" } ]",
            "consumers[0].worker_failures[0].worker",
        ),
        ("record_cost = \"1ms\"", "set `workers`"),
        ("workers = 1\nprocess_rate = 10", "remove process_rate"),
        (
            "[consumers.job]\nperiod = \"10s\"\nduration = \"20s\"\nlock_at_most_for = \"15s\"",
            "longer than the job's duration",
        ),
        ("[consumers.job]\nperiod = \"10s\"\nlock_at_least_for = \"20m\"", "lock_at_most_for"),
        ("[consumers.job]\nduration = \"1s\"", "consumers[0].job.period"),
    ] {
        let text = format!("{JOB_BASE}\n{extra}\n");
        let err = kinesim::scenario::parse_str(&text, None).expect_err(extra).to_string();
        assert!(err.contains(expect), "{extra}: {err}");
    }
    let _ = scenario(&format!("{JOB_BASE}\nworkers = 1\n"));
}

/// A consumer that reads nothing (its only worker dies at once, before finishing its first
/// batch) loses exactly what expires. Retention 24 h (AWS's minimum), 500 evenly spaced
/// records/s, a run of 25 h, aggregated mode (each second's records are accepted at the start of
/// the second). Expiry is checked at each poll, every whole second; a second's records expire
/// at the first poll 24 h or more after they were accepted. The last poll is at 25 h - 1 s, so
/// the seconds 0 .. 3,599 have expired by then: 3,600 x 500 records, exactly.
#[test]
fn a_consumer_that_reads_nothing_loses_exactly_what_expires() {
    let r = run(r#"
        name = "expiry-exact"
        duration = "25h"
        [stream]
        shards = 1
        retention = "24h"
        [engine]
        mode = "aggregated"
        [[producers]]
        name = "p"
        rate = 500
        arrivals = "uniform"
        record_size = "100B"
        [[consumers]]
        name = "gone"
        poll_interval = "1s"
        poll_jitter = 0
        workers = 1
        worker_failures = [ { worker = 0, at = "0s" } ]
    "#);
    let c = only(&r);
    assert_eq!(c.records_processed, 0, "the worker died before finishing its first batch");
    assert_eq!(r.series.accepted_records[0], 500, "500 records accepted in every second");
    assert_eq!(c.records_lost_to_retention, 3_600 * 500);
    assert_eq!(c.records_lost_to_retention + c.records_unread, r.totals.records_accepted);
}

/// Every accepted record is, for each consumer, processed (once or more), being processed,
/// unread or lost to retention, whatever fails: workers one after another (down to none),
/// checkpoints by count and by time, polling and enhanced fan-out, a job whose lock holder
/// dies. Processed records are flushed, waiting for the job, or in the run in progress.
#[test]
fn every_record_is_accounted_for_through_failures() {
    for (kind, mode, failures) in [
        ("polling", "per-record", r#"[ { worker = 0, at = "20s" }, { worker = 2, at = "50s" } ]"#),
        (
            "efo",
            "aggregated",
            r#"[ { worker = 1, at = "15s" }, { worker = 0, at = "33s" }, { worker = 2, at = "70s" } ]"#,
        ),
        ("polling", "aggregated", r#"[ { worker = 2, at = "0s" } ]"#),
    ] {
        let r = run(&format!(
            r#"
            name = "faults"
            duration = "100s"
            [stream]
            shards = 5
            [engine]
            mode = "{mode}"
            [capacity]
            schedule = [ {{ at = "40s", shards = 10 }} ]
            resharding_duration = "5s"
            [[producers]]
            name = "p"
            rate = 3000
            record_size = "300B"
            [[consumers]]
            name = "app"
            kind = "{kind}"
            workers = 3
            record_cost = "0.2ms"
            checkpoint_every = 700
            checkpoint_interval = "3s"
            failover_time = "4s"
            worker_failures = {failures}
            [consumers.job]
            period = "7s"
            instances = 2
            duration = "2s"
            lock_at_most_for = "20s"
            instance_failures = [ {{ instance = "holder", at = "15s" }} ]
            "#
        ));
        let c = only(&r);
        let unique = c.records_processed - c.records_reprocessed;
        assert_eq!(
            unique + c.records_in_flight + c.records_unread + c.records_lost_to_retention,
            r.totals.records_accepted,
            "{kind} {mode}: processed once + in flight + unread + lost = accepted ({c:?})"
        );
        let j = c.job.as_ref().unwrap();
        // A run still in progress at the end gives its records back to waiting.
        assert_eq!(j.records_flushed + j.records_waiting, c.records_processed, "{kind} {mode}");
        assert!(j.runs.iter().any(|r| r.outcome == "failed"), "{kind} {mode}: the holder died mid-run");
        crate::common::assert_conserved(&r);
    }
}
