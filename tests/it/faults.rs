//! Faults: the run interrupted by Ctrl-C, and fault scenarios in the model itself
//! (tests/fixtures/faults/*.toml) whose every record must be accounted for.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kinesim-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every file under `dir` (relative path -> bytes), sorted.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                files.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    files
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
