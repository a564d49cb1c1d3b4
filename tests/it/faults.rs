//! Faults: the run interrupted by Ctrl-C, and fault scenarios in the model itself
//! (tests/fixtures/faults/*.toml) whose every record must be accounted for.

use crate::common::snapshot;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    crate::common::scratch("faults", name)
}

/// Whether process `pid` has a handler installed for SIGINT (Linux: bit 1 of `SigCgt` in
/// /proc/PID/status). Elsewhere, assume it does once the process has had a moment to start.
fn catches_sigint(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1 << (2 - 1)) != 0),
        Err(_) if cfg!(target_os = "linux") => false,
        Err(_) => {
            std::thread::sleep(std::time::Duration::from_secs(2));
            true
        }
    }
}

/// Ctrl-C in the middle of a long run: exit code 130, one line on standard error, the previous
/// report in the same folder byte for byte as it was, and no temporary folder left beside it.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_keeps_the_previous_report() {
    let bin = env!("CARGO_BIN_EXE_kinesim");
    let d = scratch("ctrl-c");
    let out = d.join("report");
    let quick = d.join("quick.toml");
    std::fs::write(
        &quick,
        "name = \"quick\"\nduration = \"10s\"\n[stream]\nshards = 1\n[[producers]]\nname = \"p\"\nrate = 100\nrecord_size = \"100B\"\n",
    )
    .unwrap();
    let o = Command::new(bin).args(["run", "-q", "--out"]).arg(&out).arg(&quick).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = snapshot(&out);
    assert!(before.contains_key("summary.json"));

    // Days of per-record traffic on many shards: minutes of work, far more than the test waits.
    let long = d.join("long.toml");
    std::fs::write(
        &long,
        "name = \"long\"\nduration = \"2d\"\n[stream]\nshards = 200\n[[producers]]\nname = \"p\"\nrate = 150000\nrecord_size = \"100B\"\n",
    )
    .unwrap();
    let mut child = Command::new(bin)
        .args(["run", "-q", "--force", "--out"])
        .arg(&out)
        .arg(&long)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait (up to a minute, on a loaded machine) until the handler is installed; it is the first
    // thing `main` does, so the run is still far from its end.
    let mut ready = false;
    for _ in 0..600 {
        if catches_sigint(pid) || child.try_wait().unwrap().is_some() {
            ready = catches_sigint(pid);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let sent = ready && Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap().success();
    if !sent {
        let _ = child.kill();
    }
    let o = child.wait_with_output().unwrap();
    assert!(ready, "the run never installed its SIGINT handler (or ended first): {o:?}");
    assert!(sent, "kill -INT failed");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(snapshot(&out) == before, "the previous report changed");
    let mut left: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["long.toml", "quick.toml", "report"], "no temporary folder is left");
    let _ = std::fs::remove_dir_all(&d);
}

/// The report of a fault scenario, as a user sees it.
struct Report {
    summary: serde_json::Value,
    /// timeseries.csv: column name -> values per second.
    series: std::collections::BTreeMap<String, Vec<u64>>,
    /// trace.csv rows: (record, event, time_s, shard_id).
    trace: Vec<(u64, String, f64, String)>,
}

impl Report {
    fn write(&self, field: &str) -> u64 {
        self.summary["write"][field].as_u64().unwrap_or_else(|| panic!("write.{field} missing"))
    }
    fn col(&self, name: &str) -> &[u64] {
        &self.series[name]
    }
    fn col_sum(&self, name: &str) -> u64 {
        self.col(name).iter().sum()
    }
}

/// Run `tests/fixtures/faults/<name>.toml` with the binary and read its report.
fn run_fault(name: &str) -> Report {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faults").join(format!("{name}.toml"));
    let d = scratch(name);
    let out = d.join("report");
    let o = Command::new(env!("CARGO_BIN_EXE_kinesim"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    let summary = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let mut rd = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let names: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let mut series: std::collections::BTreeMap<String, Vec<u64>> =
        names.iter().map(|n| (n.clone(), vec![])).collect();
    for row in rd.records() {
        for (n, v) in names.iter().zip(row.unwrap().iter()) {
            series.get_mut(n).unwrap().push(v.parse().unwrap());
        }
    }
    let mut trace = Vec::new();
    let mut rd = csv::Reader::from_path(out.join("trace.csv")).unwrap();
    for row in rd.deserialize::<std::collections::HashMap<String, String>>() {
        let row = row.unwrap();
        trace.push((
            row["record"].parse().unwrap(),
            row["event"].clone(),
            row["time_s"].parse().unwrap(),
            row["shard_id"].clone(),
        ));
    }
    let _ = std::fs::remove_dir_all(&d);
    Report { summary, series, trace }
}

/// Every record created is accepted, dropped (attempts exhausted or buffer full) or pending at
/// the end, none unaccounted, with exact equalities between summary.json, timeseries.csv, the
/// per-shard totals and the record trace.
fn assert_accounted(r: &Report) {
    let (produced, accepted, pending) =
        (r.write("records_produced"), r.write("records_accepted"), r.write("records_pending"));
    let (dropped_throttled, dropped_buffer) =
        (r.write("records_dropped_throttled"), r.write("records_dropped_buffer_full"));
    assert_eq!(
        produced,
        accepted + dropped_throttled + dropped_buffer + pending,
        "records: {}",
        r.summary["write"]
    );
    assert_eq!(r.write("records_dropped"), dropped_throttled + dropped_buffer);
    // Per second, as CloudWatch would show it.
    assert_eq!(r.col_sum("produced_records"), produced);
    assert_eq!(r.col_sum("incoming_records"), accepted);
    assert_eq!(r.col_sum("dropped_records"), dropped_throttled + dropped_buffer);
    let throttled = r.write("throttled_attempts");
    assert_eq!(r.col_sum("write_provisioned_throughput_exceeded_records"), throttled);
    assert_eq!(r.col_sum("retried_records"), r.write("retried_attempts"));
    // Every attempt that reached a shard was accepted or throttled.
    assert_eq!(r.col_sum("offered_records"), accepted + throttled);
    // Every throttled attempt was retried, was the last attempt (dropped), or is still waiting
    // for its retry at the end (one of the pending records).
    let after_throttle = r.write("retried_attempts") + dropped_throttled;
    assert!(throttled >= after_throttle && throttled - after_throttle <= pending, "{}", r.summary["write"]);
    // Per shard.
    let shards = r.summary["shards"].as_array().unwrap();
    let per_shard = |f: &str| shards.iter().map(|s| s[f].as_u64().unwrap()).sum::<u64>();
    assert_eq!(per_shard("accepted_records"), accepted);
    assert_eq!(per_shard("throttled_records"), throttled);
    // The record trace: each sampled record is created once and ends exactly once (accepted,
    // dropped, lost to a full buffer, or pending), and nothing happens to it after that.
    let mut by_record: std::collections::BTreeMap<u64, Vec<(&str, f64)>> = Default::default();
    for (id, event, t, _) in &r.trace {
        by_record.entry(*id).or_default().push((event, *t));
    }
    assert!(by_record.len() >= 100, "only {} traced records", by_record.len());
    for (id, events) in &by_record {
        assert_eq!(events[0].0, "created", "record {id}: {events:?}");
        let ends =
            events.iter().filter(|e| ["accepted", "dropped", "lost", "pending"].contains(&e.0)).count();
        assert_eq!(ends, 1, "record {id}: {events:?}");
        assert!(
            ["accepted", "dropped", "lost", "pending"].contains(&events[events.len() - 1].0),
            "record {id}: {events:?}"
        );
        assert!(events.windows(2).all(|w| w[0].1 <= w[1].1), "record {id}: time goes back {events:?}");
    }
}

/// Producer outage: the rate drops to 0 from 60 s to 120 s, then a catch-up burst above the
/// stream's capacity. Nothing is created during the outage; once the last retries are resolved
/// nothing is accepted either; the burst throttles; every record is accounted for.
#[test]
fn producer_outage_is_accounted_for() {
    let r = run_fault("producer-outage");
    assert_accounted(&r);
    let produced = r.col("produced_records");
    let incoming = r.col("incoming_records");
    assert!(produced[60..120].iter().all(|n| *n == 0), "records created during the outage");
    // Retries of the last records before the outage end within a few seconds (3 attempts,
    // backoff capped at 2 s); from 70 s the stream sees nothing.
    assert!(incoming[70..120].iter().all(|n| *n == 0), "records accepted long into the outage");
    assert!(produced[120..].iter().all(|n| *n > 0), "traffic came back");
    let throttled = r.col("write_provisioned_throughput_exceeded_records");
    assert!(throttled[120..150].iter().sum::<u64>() > 0, "the 3,500 records/s burst on 2 shards throttles");
    assert_eq!(throttled[..60].iter().sum::<u64>(), 0, "1,500 records/s on 2 shards does not throttle");
    assert!(r.write("records_dropped_throttled") > 0);
}

/// A sudden hot key: one key carries 2,500 records/s from 60 s for 40 s on a 4-shard stream
/// with 800 records/s of background traffic. All the throttling is on the shard whose hash
/// range holds MD5("celebrity"); none before the spike; every record is accounted for.
#[test]
fn sudden_hot_key_throttles_only_its_shard_and_is_accounted_for() {
    use kinesim::model::hashing::{hash_key, shard_id_string, ShardMap};
    let r = run_fault("sudden-hot-key");
    assert_accounted(&r);
    let hot = shard_id_string(ShardMap::uniform(4).shard_of(hash_key("celebrity")));
    let throttled = r.write("throttled_attempts");
    assert!(throttled > 0);
    for s in r.summary["shards"].as_array().unwrap() {
        let t = s["throttled_records"].as_u64().unwrap();
        if s["shard_id"] == hot.as_str() {
            assert_eq!(t, throttled, "the hot shard {hot} takes all the throttling");
        } else {
            assert_eq!(t, 0, "{} is not hot", s["shard_id"]);
        }
    }
    let per_second = r.col("write_provisioned_throughput_exceeded_records");
    assert_eq!(per_second[..60].iter().sum::<u64>(), 0, "no throttling before the spike");
    assert!(per_second[60..100].iter().all(|n| *n > 0), "throttling every second of the spike");
    // Traced records that were throttled were all sent to the hot shard.
    assert!(r.trace.iter().filter(|t| t.1 == "throttled").all(|t| t.3 == hot));
}

/// A reshard in the middle of throttling: 3,000 records/s on 2 shards (2,000 records/s of
/// capacity) with retries waiting, `UpdateShardCount` to 4 at 60 s taking 30 s. The parents
/// close at 90 s under records waiting to be retried; those go to the children. Throttling
/// stops once the backlog clears; every record is accounted for.
#[test]
fn reshard_while_throttled_is_accounted_for() {
    let r = run_fault("reshard-while-throttled");
    assert_accounted(&r);
    let call = &r.summary["capacity"]["update_shard_count_calls"][0];
    assert_eq!(call["accepted"], true);
    assert_eq!(call["completed_at_s"].as_f64(), Some(90.0), "60 s + resharding_duration 30 s");
    let open = r.col("open_shards");
    assert!(open[..90].iter().all(|n| *n == 2) && open[90..].iter().all(|n| *n == 4));
    let shards = r.summary["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 6);
    let (parents, children): (Vec<_>, Vec<_>) =
        shards.iter().partition(|s| s["closed_at_s"].as_f64().is_some());
    assert_eq!(parents.len(), 2);
    assert!(parents.iter().all(|s| s["closed_at_s"].as_f64() == Some(90.0)));
    assert!(children.iter().all(|s| s["opened_at_s"].as_f64() == Some(90.0)));
    // What the parents accepted is exactly what the stream accepted before 90 s; the children
    // took the rest.
    let sum =
        |v: &[&serde_json::Value]| v.iter().map(|s| s["accepted_records"].as_u64().unwrap()).sum::<u64>();
    let incoming = r.col("incoming_records");
    assert_eq!(sum(&parents), incoming[..90].iter().sum::<u64>());
    assert_eq!(sum(&children), incoming[90..].iter().sum::<u64>());
    let throttled = r.col("write_provisioned_throughput_exceeded_records");
    assert!(throttled[..90].iter().all(|n| *n > 0), "2 shards throttle 3,000 records/s");
    assert!(
        throttled[100..].iter().all(|n| *n == 0),
        "4 shards hold 3,000 records/s once the backlog is gone"
    );
    // Some traced record was throttled by a parent and accepted by a child after the reshard.
    let parent_ids: Vec<&str> = parents.iter().map(|s| s["shard_id"].as_str().unwrap()).collect();
    let moved =
        r.trace.iter().filter(|t| t.1 == "accepted" && !parent_ids.contains(&t.3.as_str())).any(|a| {
            r.trace.iter().any(|t| t.0 == a.0 && t.1 == "throttled" && parent_ids.contains(&t.3.as_str()))
        });
    assert!(moved, "no traced record moved from a parent to a child");
}
