//! A user's files are never lost: kinesim replaces only report folders it wrote, never follows a
//! link, leaves no temporary sibling on success, survives SIGKILL at every stage of a report's
//! write with the previous report intact, stops cleanly on SIGTERM and SIGHUP, and never loses
//! its standard output silently.

use crate::common::snapshot;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{kinesim_in as kinesim, text, BIN};

/// A small scenario (a fraction of a second of work).
const QUICK: &str =
    "name = \"quick\"\nduration = \"20s\"\n[stream]\nshards = 2\n[[producers]]\nname = \"p\"\n\
                     rate = 1500\nrecord_size = \"100B\"\n";

/// A fresh, empty scratch folder with the quick scenario in it.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let d = crate::common::scratch("rf", name);
    let sc = d.join("quick.toml");
    std::fs::write(&sc, QUICK).unwrap();
    (d, sc)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `--out` at a folder of the user's: exit 2, why and how to proceed, nothing touched, nothing
/// left beside it. (Today's code deleted notes.txt and sub/ and exited 0.)
#[test]
fn a_folder_of_the_users_is_refused_and_untouched() {
    let (d, _) = scratch("victim");
    std::fs::create_dir_all(d.join("victim/sub")).unwrap();
    std::fs::write(d.join("victim/notes.txt"), "important").unwrap();
    let before = snapshot(&d);
    let o = kinesim(&d, &["run", "quick.toml", "--out", "victim"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = text(&o.stderr);
    assert!(err.contains("victim") && err.contains("not a kinesim report folder"), "{err}");
    assert!(err.contains("--overwrite") && err.contains("another --out"), "says how to proceed: {err}");
    assert!(snapshot(&d) == before, "nothing changed");
    assert!(d.join("victim/sub").is_dir());
    // --overwrite is the user's explicit choice.
    let o = kinesim(&d, &["run", "-q", "quick.toml", "--out", "victim", "--overwrite"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(d.join("victim/summary.json").is_file() && !d.join("victim/notes.txt").exists());
    assert_eq!(entries(&d), ["quick.toml", "victim"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// `--out` at a parent of the current directory (which holds the scenario): refused even with
/// --overwrite. (Today's code deleted the scenario and the working directory.)
#[test]
fn a_parent_of_the_working_directory_is_never_replaced() {
    let (d, _) = scratch("parent");
    let work = d.join("project/work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("quick.toml"), QUICK).unwrap();
    for extra in [&[][..], &["--overwrite"]] {
        let mut args = vec!["run", "quick.toml", "--out", ".."];
        args.extend_from_slice(extra);
        let o = kinesim(&work, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        let mut args = vec!["run", "quick.toml", "--out", "../../project"];
        args.extend_from_slice(extra);
        let o = kinesim(&work, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert!(text(&o.stderr).contains("current directory"), "{}", text(&o.stderr));
    }
    assert_eq!(std::fs::read_to_string(work.join("quick.toml")).unwrap(), QUICK);
    assert_eq!(entries(&d), ["project", "quick.toml"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// A plain file and a symbolic link given as `--out` are refused and left as they were: the
/// file is not moved aside, the link's target is never written.
#[cfg(unix)]
#[test]
fn a_file_or_a_link_is_refused_and_left_as_it_was() {
    let (d, _) = scratch("file-link");
    std::fs::write(d.join("plain"), "mine").unwrap();
    std::fs::create_dir(d.join("target")).unwrap();
    std::os::unix::fs::symlink(d.join("target"), d.join("link")).unwrap();
    let before = snapshot(&d);
    let o = kinesim(&d, &["run", "quick.toml", "--out", "plain"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(text(&o.stderr).contains("is a file"), "{}", text(&o.stderr));
    let o = kinesim(&d, &["run", "quick.toml", "--out", "link"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(text(&o.stderr).contains("symbolic link"), "{}", text(&o.stderr));
    assert!(snapshot(&d) == before, "nothing changed");
    assert_eq!(entries(&d), ["link", "plain", "quick.toml", "target"], "no .old or .tmp sibling");
    assert!(entries(&d.join("target")).is_empty(), "nothing written through the link");
    let _ = std::fs::remove_dir_all(&d);
}

/// A report folder is replaced whole by the next run, with nothing left beside it; a name as
/// long as the file system allows works (the temporary sibling's name has a fixed length).
#[test]
fn own_reports_are_replaced_and_long_names_work() {
    let (d, _) = scratch("own");
    let long = "r".repeat(250);
    for out in ["rep", long.as_str()] {
        for seed in ["1", "2"] {
            let o = kinesim(&d, &["run", "-q", "quick.toml", "--seed", seed, "--out", out]);
            assert!(o.status.success(), "{out}: {}", text(&o.stderr));
        }
        let marker = std::fs::read_to_string(d.join(out).join(".kinesim-report.json")).unwrap();
        assert!(marker.contains("\"summary.json\"") && marker.contains("\"quick\""), "{marker}");
    }
    assert_eq!(entries(&d), ["quick.toml", "rep", long.as_str()]);
    let summary = std::fs::read_to_string(d.join("rep/summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 2"), "the second run's report");
    let _ = std::fs::remove_dir_all(&d);
}

/// Start `kinesim run` into `out` paused at `stage` of the report write; returns once it says
/// it has paused.
fn start_paused(d: &Path, out: &str, stage: &str) -> std::process::Child {
    let mut child = Command::new(BIN)
        .current_dir(d)
        .args(["run", "-q", "quick.toml", "--seed", "2", "--out", out])
        .env("KINESIM_TEST_PAUSE_AT", stage)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.contains(&format!("paused at {stage}")) => return child,
            Ok(_) => {}
            Err(_) if Instant::now() > deadline || child.try_wait().unwrap().is_some() => {
                let _ = child.kill();
                panic!("the run never paused at {stage}: {:?}", child.wait_with_output());
            }
            Err(_) => {}
        }
    }
}

fn kill(child: &mut std::process::Child, signal: &str) -> std::process::ExitStatus {
    let ok = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill {signal}");
    child.wait().unwrap()
}

/// Crash consistency: SIGKILL at each stage of the report write. Before the swap the previous
/// report is intact byte for byte; after it the new report is complete; no user file is ever
/// touched; the next run removes the leftover temporary folder and succeeds.
#[cfg(unix)]
#[test]
fn sigkill_at_every_stage_keeps_a_whole_report_and_the_next_run_cleans_up() {
    let (d, _) = scratch("crash");
    std::fs::write(d.join("notes.txt"), "the user's").unwrap();
    // The report the killed run would write, made elsewhere (same scenario, same seed).
    let o = kinesim(&d, &["run", "-q", "quick.toml", "--seed", "2", "--out", "expected"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let expected = snapshot(&d.join("expected"));
    std::fs::remove_dir_all(d.join("expected")).unwrap();
    for stage in ["tmp-created", "files-half", "files-written", "swapped"] {
        let o = kinesim(&d, &["run", "-q", "quick.toml", "--seed", "1", "--out", "rep"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let previous = snapshot(&d.join("rep"));
        let mut child = start_paused(&d, "rep", stage);
        let status = kill(&mut child, "-KILL");
        assert!(!status.success());
        let now = snapshot(&d.join("rep"));
        if stage == "swapped" {
            assert!(now == expected, "{stage}: the new report is complete");
        } else {
            assert!(now == previous, "{stage}: the previous report is intact");
        }
        assert_eq!(std::fs::read_to_string(d.join("notes.txt")).unwrap(), "the user's");
        assert_eq!(std::fs::read_to_string(d.join("quick.toml")).unwrap(), QUICK);
        let left: Vec<String> = entries(&d).into_iter().filter(|n| n.starts_with(".kinesim-")).collect();
        assert_eq!(left.len(), 1, "{stage}: SIGKILL leaves one temporary folder: {left:?}");
        // The next run into the same folder removes it.
        let o = kinesim(&d, &["run", "-q", "quick.toml", "--seed", "2", "--out", "rep"]);
        assert!(o.status.success(), "{stage}: {}", text(&o.stderr));
        assert!(snapshot(&d.join("rep")) == expected, "{stage}");
        assert_eq!(entries(&d), ["notes.txt", "quick.toml", "rep"], "{stage}: leftovers removed");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// SIGTERM and SIGHUP during the write: exit 128 + the signal, one line, the previous report
/// intact, no temporary folder left (a killed run once left a 429 MB one).
#[cfg(unix)]
#[test]
fn sigterm_and_sighup_leave_no_temporary_folder() {
    let (d, _) = scratch("term");
    let o = kinesim(&d, &["run", "-q", "quick.toml", "--out", "rep"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let previous = snapshot(&d.join("rep"));
    for (signal, code) in [("-TERM", 143), ("-HUP", 129), ("-INT", 130)] {
        let mut child = start_paused(&d, "rep", "files-half");
        let status = kill(&mut child, signal);
        assert_eq!(status.code(), Some(code), "{signal}");
        assert!(snapshot(&d.join("rep")) == previous, "{signal}: the previous report is intact");
        assert_eq!(entries(&d), ["quick.toml", "rep"], "{signal}: nothing left beside it");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// Output lost to a failed write is an error (exit 1, a message), not a silent success.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_standard_output_is_exit_1() {
    let (d, _) = scratch("full");
    let cases: [&[&str]; 4] = [
        &["run", "--json", "quick.toml", "--out", "rep"],
        &["keys", "--json", "--shards", "4", "a", "b"],
        &["validate", "quick.toml"],
        &["list"],
    ];
    for args in cases {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = Command::new(BIN).current_dir(&d).args(args).stdout(full).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("writing to standard output"), "{args:?}: {}", text(&o.stderr));
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// `compare`: a variant named like one of compare's own files, or two variants of one name,
/// is a located exit-2 error naming the files (and nothing is written).
#[test]
fn compare_names_that_collide_are_located_errors() {
    let (d, _) = scratch("compare");
    std::fs::write(d.join("a.toml"), QUICK.replace("\"quick\"", "\"base\"")).unwrap();
    std::fs::write(d.join("b.toml"), QUICK.replace("\"quick\"", "\"base\"")).unwrap();
    std::fs::write(d.join("c.toml"), QUICK.replace("\"quick\"", "\"comparison.json\"")).unwrap();
    let o = kinesim(&d, &["compare", "a.toml", "b.toml", "--out", "cmp"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = text(&o.stderr);
    assert!(err.contains("b.toml:1:8") && err.contains("a.toml:1:8"), "both files, located: {err}");
    let o = kinesim(&d, &["compare", "a.toml", "c.toml", "--out", "cmp"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = text(&o.stderr);
    assert!(err.contains("c.toml:1:8") && err.contains("comparison.json"), "{err}");
    assert!(!d.join("cmp").exists());
    let _ = std::fs::remove_dir_all(&d);
}

/// A copied scenario that kept its `name` writes over the original's report folder: the marker
/// records which file a report came from (relative to the folder), and the replacement is said
/// on standard error. The same file run again says nothing.
#[test]
fn a_copy_that_kept_its_name_is_noted_when_it_replaces_the_report() {
    let (d, _) = scratch("copy");
    std::fs::write(d.join("copy.toml"), QUICK).unwrap();
    let o = kinesim(&d, &["run", "-q", "quick.toml"]);
    assert!(o.status.success() && o.stderr.is_empty(), "{}", text(&o.stderr));
    let marker = std::fs::read_to_string(d.join("reports/quick/.kinesim-report.json")).unwrap();
    assert!(marker.contains("\"../../quick.toml\""), "{marker}");
    let o = kinesim(&d, &["run", "-q", "./quick.toml"]);
    assert!(o.status.success() && o.stderr.is_empty(), "same file, no note: {}", text(&o.stderr));
    let o = kinesim(&d, &["run", "-q", "copy.toml"]);
    assert!(o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("../../quick.toml") && err.contains("../../copy.toml") && err.contains("own `name`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
