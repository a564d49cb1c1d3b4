//! The one place that writes report files. A report folder is written whole into a temporary
//! sibling folder, then renamed into place: a failed or interrupted run never leaves a
//! half-written report, and the previous report stays intact until the new one is complete.
//!
//! Ctrl-C ([`interrupt`], called by the binary's SIGINT handler) and a folder being written
//! take turns through one lock: an interrupt before or during the writing of the files removes
//! the temporary folder and leaves the previous report as it was; once the renames have begun,
//! they finish first. Either way the process then prints one line and exits with 130.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// Set by [`interrupt`]; checked by [`write_folder`] between files.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Held for the whole of a [`write_folder`] call, and by [`interrupt`] until the process exits.
static WRITING: Mutex<()> = Mutex::new(());

/// Stop the process for Ctrl-C without leaving a half-written report (call it from the SIGINT
/// handler; see the module comment). Never returns.
pub fn interrupt() -> ! {
    INTERRUPTED.store(true, Ordering::SeqCst);
    // Wait for a folder being written: it either cleans up and exits itself, or completes its
    // renames. Holding the lock until exit keeps any later folder from starting.
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    stop()
}

fn stop() -> ! {
    eprintln!(
        "kinesim: interrupted; stopped without writing a partial report (exit code {INTERRUPTED_EXIT_CODE})"
    );
    std::process::exit(INTERRUPTED_EXIT_CODE)
}

/// Write `files` (name, bytes) as the folder `dir`, replacing any previous one atomically.
pub fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("report");
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    // Interrupted before the renames: remove the temporary folder and stop (the lock is held,
    // so `interrupt` waits on it and this thread prints the line and exits).
    let stop_if_interrupted = || {
        if INTERRUPTED.load(Ordering::SeqCst) {
            let _ = fs::remove_dir_all(&tmp);
            stop();
        }
    };
    stop_if_interrupted();
    let result = (|| {
        fs::create_dir_all(&tmp)?;
        for (file, bytes) in files {
            stop_if_interrupted();
            let path = tmp.join(file);
            if let Some(sub) = path.parent() {
                fs::create_dir_all(sub)?;
            }
            fs::write(path, bytes)?;
        }
        stop_if_interrupted();
        if dir.exists() {
            fs::rename(dir, &old)?;
        }
        if let Err(e) = fs::rename(&tmp, dir) {
            // Put the previous report back.
            let _ = fs::rename(&old, dir);
            return Err(e);
        }
        let _ = fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// The default report folder of a scenario: `reports/<name>`.
pub fn default_dir(name: &str) -> PathBuf {
    Path::new("reports").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_previous_report_whole() {
        let base = std::env::temp_dir().join(format!("kinesim-writer-{}", std::process::id()));
        let dir = base.join("r");
        write_folder(&dir, &[("a.txt".into(), b"1".to_vec()), ("b.txt".into(), b"2".to_vec())]).unwrap();
        write_folder(&dir, &[("a.txt".into(), b"3".to_vec())]).unwrap();
        assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"3");
        assert!(!dir.join("b.txt").exists(), "old files are gone");
        let leftovers: Vec<_> = fs::read_dir(&base).unwrap().filter_map(Result::ok).collect();
        assert_eq!(leftovers.len(), 1, "no temporary folders left");
        fs::remove_dir_all(&base).unwrap();
    }
}
