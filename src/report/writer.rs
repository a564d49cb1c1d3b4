//! The one place that writes report files, and the only code that may replace a folder.
//!
//! **Whose folder.** Every report folder carries a marker, [`MARKER`], that lists the files
//! kinesim wrote there. kinesim replaces a folder only when it is absent, empty, or a report
//! folder whose every entry the marker lists. Anything else (a folder of the user's, a report
//! folder the user added files to, a plain file, a symbolic link) is refused with
//! [`WriteError::Refused`] unless the caller passes `overwrite`; even then a folder that holds
//! the current directory or a protected input (the scenario file) is never replaced.
//!
//! **All or nothing.** The new report is written whole into a temporary sibling
//! (`.kinesim-<tag>.tmp-<pid>-<n>`: its length does not depend on the report's name, so a long
//! `--out` name that fits also fits its sibling), then swapped into place in one step (Linux:
//! `renameat2(RENAME_EXCHANGE)`; elsewhere two renames), and the previous report is removed.
//! A failed or interrupted run leaves the previous report as it was.
//!
//! **Signals.** SIGINT, SIGTERM and SIGHUP ([`interrupt`], called by the binary's signal
//! thread) and a folder being written take turns through one lock: a signal before or during the
//! writing of the files removes the temporary folder; once the swap has begun, it finishes
//! first. Either way the process then prints one line and exits with 128 + the signal.
//!
//! **SIGKILL** (or a power cut) cannot be caught: it may leave a temporary sibling. The marker
//! of a folder being written is locked (`flock`) for as long as its writer lives, so the next
//! run into the same folder removes every sibling of its own naming pattern whose lock it can
//! take: its writer is gone, whatever its process id (containers often give every process the
//! same one). A sibling whose name collides with the new run's is skipped, never an error.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// The marker file of a report folder: which kinesim wrote it, and the files it wrote.
pub const MARKER: &str = ".kinesim-report.json";

/// Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// Set by [`interrupt`]; checked by [`write_folder`] between files.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Held for the whole of a [`write_folder`] call, and by [`interrupt`] until the process exits.
static WRITING: Mutex<()> = Mutex::new(());

/// Temporary folders this process is writing now (never stale, whatever their lock says).
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Distinguishes this process's temporary folders from each other.
static NONCE: AtomicU64 = AtomicU64::new(0);

/// Why a report folder was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The chosen folder is not one kinesim may replace: bad input (exit code 2); the message
    /// says why and how to proceed.
    #[error("{0}")]
    Refused(String),
    /// The file system failed (exit code 1).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> WriteError {
    let context = context.into();
    move |source| WriteError::Io { context, source }
}

/// What a report folder is, for its marker.
#[derive(Debug, Clone)]
pub struct Folder<'a> {
    /// The folder to write (`--out`, or the default).
    pub dir: &'a Path,
    /// What wrote it: `run`, `compare`, `size`, `size part`.
    pub kind: &'a str,
    /// The scenario (or scenarios) it reports on.
    pub scenario: &'a str,
    /// Replace whatever is there (a folder that is not a report, a file, a link).
    pub overwrite: bool,
    /// Inputs that must survive: a folder holding one of them is never replaced.
    pub protect: &'a [PathBuf],
    /// The scenarios it reports on, as the marker records them: a report folder about to be
    /// replaced by the report of another scenario file (a copy that kept its `name`) is noted.
    pub sources: &'a [Source<'a>],
}

/// Where a report's scenario came from, for its marker.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A scenario file: recorded relative to the report folder, so the marker is the same on
    /// every machine that has the same layout.
    File(&'a Path),
    /// A bundled scenario or standard input: recorded as this label.
    Named(&'a str),
}

/// What [`write_folder`] has to say about a successful write.
#[derive(Debug, Default, PartialEq)]
pub struct Written {
    /// The folder held the report of other scenario sources (theirs, ours), now replaced.
    pub replaced_other: Option<(Vec<String>, Vec<String>)>,
}

/// Stop the process for a signal (`signal` is its number) without leaving a half-written report
/// (call it from the signal thread; see the module comment). Never returns.
pub fn interrupt(signal: i32) -> ! {
    STOP_CODE.store((128 + signal) as u64, Ordering::SeqCst);
    INTERRUPTED.store(true, Ordering::SeqCst);
    // Wait for a folder being written: it either cleans up and exits itself, or completes its
    // swap. Holding the lock until exit keeps any later folder from starting.
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    stop(STOP_CODE.load(Ordering::SeqCst) as i32)
}

fn stop(code: i32) -> ! {
    eprintln!("kinesim: interrupted; stopped without writing a partial report (exit code {code})");
    std::process::exit(code)
}

/// Exit code for the signal that interrupted a write (set by [`interrupt`]).
static STOP_CODE: AtomicU64 = AtomicU64::new(INTERRUPTED_EXIT_CODE as u64);

/// Write `files` (relative path, bytes) as the report folder `f.dir`, replacing a previous
/// report atomically (see the module comment for what may be replaced).
pub fn write_folder(f: &Folder, files: &[(String, Vec<u8>)]) -> Result<Written, WriteError> {
    let names = check_names(files)?;
    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = f.dir;
    let name = dir.file_name().ok_or_else(|| {
        WriteError::Refused(format!(
            "{}: the report folder must end in a folder name (not `/`, `.` or `..`); give one such as reports/run-1",
            dir.display()
        ))
    })?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err(format!("creating {}", parent.display())))?;
    let existing = check_target(f)?;
    let sources = source_refs(f.dir, f.sources);
    let previous = read_marker(dir).map(|m| m.sources).filter(|p| !p.is_empty() && *p != sources);
    let tag = tag_of(&name.to_string_lossy());
    remove_stale_siblings(parent, &tag);

    let (tmp, marker_lock) = make_temporary(parent, &tag)?;
    let result = fill_and_swap(f, files, &names, &sources, &tmp, &existing, parent, &tag);
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    drop(marker_lock);
    LIVE.lock().unwrap_or_else(PoisonError::into_inner).remove(&tmp);
    result?;
    let replaced_other = previous.filter(|_| existing == Existing::Folder).map(|p| (p, sources));
    Ok(Written { replaced_other })
}

/// The marker's record of each source: a file relative to the report folder (canonical paths,
/// so `./a.toml` and `a.toml` agree), a label as it is.
fn source_refs(dir: &Path, sources: &[Source]) -> Vec<String> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = fs::canonicalize(parent).ok().zip(dir.file_name()).map(|(p, n)| p.join(n));
    sources
        .iter()
        .map(|s| match s {
            Source::Named(label) => label.to_string(),
            Source::File(path) => {
                let rel = base
                    .as_ref()
                    .zip(fs::canonicalize(path).ok())
                    .and_then(|(base, file)| pathdiff::diff_paths(file, base));
                // Forward slashes on every platform, so markers compare equal.
                rel.unwrap_or_else(|| path.to_path_buf()).to_string_lossy().replace('\\', "/")
            }
        })
        .collect()
}

/// What is at the report folder's path now.
#[derive(Debug, PartialEq)]
enum Existing {
    Nothing,
    /// A folder that may be replaced: empty, or a report folder.
    Folder,
    /// A file or a link the user chose to overwrite.
    Other,
}

/// File names must stay inside the folder, be unique, and not be a folder of another name.
fn check_names(files: &[(String, Vec<u8>)]) -> Result<BTreeSet<String>, WriteError> {
    let mut names = BTreeSet::new();
    for (file, _) in files {
        let p = Path::new(file);
        if file.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) || file == MARKER {
            return Err(WriteError::Refused(format!(
                "{file:?} is not a file name kinesim may write in a report"
            )));
        }
        if !names.insert(file.clone()) {
            return Err(WriteError::Refused(format!("two report files are both named {file}")));
        }
    }
    for file in &names {
        let mut prefix = String::new();
        for c in Path::new(file).parent().into_iter().flat_map(Path::components) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(&c.as_os_str().to_string_lossy());
            if names.contains(&prefix) {
                return Err(WriteError::Refused(format!(
                    "the report file {prefix} and the folder of {file} would have the same name"
                )));
            }
        }
    }
    Ok(names)
}

/// May `f.dir` be replaced? (see the module comment)
fn check_target(f: &Folder) -> Result<Existing, WriteError> {
    let dir = f.dir;
    let shown = dir.display();
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(io_err(format!("looking at {shown}"))(e)),
        Ok(m) => m,
    };
    let how = "choose another --out, or pass --overwrite to replace it";
    if meta.file_type().is_symlink() {
        if !f.overwrite {
            let to = fs::read_link(dir).map(|t| t.display().to_string()).unwrap_or_default();
            return Err(WriteError::Refused(format!(
                "{shown} is a symbolic link (to {to}); kinesim does not write through links: {how} (the link itself, never what it points to)"
            )));
        }
        return Ok(Existing::Other);
    }
    if !meta.is_dir() {
        if protected(dir, f.protect) {
            return Err(WriteError::Refused(format!(
                "{shown} is an input of this run; choose another --out"
            )));
        }
        if !f.overwrite {
            return Err(WriteError::Refused(format!(
                "{shown} is a file, not a report folder: kinesim does not replace it; {how}"
            )));
        }
        return Ok(Existing::Other);
    }
    let real = fs::canonicalize(dir).map_err(io_err(format!("looking at {shown}")))?;
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
        if cwd.starts_with(&real) {
            return Err(WriteError::Refused(format!(
                "{shown} holds the current directory; kinesim never replaces it: choose another --out"
            )));
        }
    }
    if f.protect.iter().any(|p| fs::canonicalize(p).is_ok_and(|p| p.starts_with(&real))) {
        return Err(WriteError::Refused(format!(
            "{shown} holds an input of this run (the scenario file); kinesim never replaces it: choose another --out"
        )));
    }
    let mut entries = fs::read_dir(dir).map_err(io_err(format!("listing {shown}")))?.peekable();
    if entries.peek().is_none() || f.overwrite {
        return Ok(Existing::Folder);
    }
    let listed = match read_marker(dir) {
        Some(marker) => marker.files,
        None => {
            return Err(WriteError::Refused(format!(
            "{shown} exists and is not a kinesim report folder (it has no {MARKER}): kinesim only replaces \
                 folders it wrote; {how} whole"
        )))
        }
    };
    let foreign = foreign_entries(dir, &listed).map_err(io_err(format!("listing {shown}")))?;
    if !foreign.is_empty() {
        let more = if foreign.len() > 3 { format!(" and {} more", foreign.len() - 3) } else { String::new() };
        let shown_files: Vec<&str> = foreign.iter().take(3).map(String::as_str).collect();
        return Err(WriteError::Refused(format!(
            "{shown} is a kinesim report folder, but holds files kinesim did not write ({}{more}): move them out, \
             or {how} whole",
            shown_files.join(", ")
        )));
    }
    Ok(Existing::Folder)
}

fn protected(path: &Path, protect: &[PathBuf]) -> bool {
    let Ok(real) = fs::canonicalize(path) else { return false };
    protect.iter().any(|p| fs::canonicalize(p).is_ok_and(|p| p == real))
}

/// What a report folder's marker says.
struct Marker {
    files: BTreeSet<String>,
    sources: Vec<String>,
}

/// A report folder's marker (`None`: no marker, or not one of ours).
fn read_marker(dir: &Path) -> Option<Marker> {
    let meta = fs::symlink_metadata(dir.join(MARKER)).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&fs::read(dir.join(MARKER)).ok()?).ok()?;
    let strings = |key: &str| -> Option<Vec<String>> {
        v.get(key)?.as_array()?.iter().map(|f| f.as_str().map(String::from)).collect()
    };
    let files = strings("files")?.into_iter().collect();
    Some(Marker { files, sources: strings("sources").unwrap_or_default() })
}

/// Entries under `dir` (relative paths) that are not listed files or their folders; links and
/// other special files are always foreign. Links are never followed.
fn foreign_entries(dir: &Path, listed: &BTreeSet<String>) -> io::Result<Vec<String>> {
    let mut folders = BTreeSet::new();
    for file in listed {
        let mut p = Path::new(file).parent();
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
            folders.insert(d.to_string_lossy().into_owned());
            p = d.parent();
        }
    }
    let mut foreign = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = fs::read_dir(dir.join(&rel))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let r = rel.join(e.file_name());
            let key = r.to_string_lossy().into_owned();
            let t = e.file_type()?;
            if t.is_dir() && folders.contains(&key) {
                stack.push(r);
            } else if !(t.is_file() && (listed.contains(&key) || key == MARKER)) {
                foreign.push(key);
            }
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// A short tag for a report folder's name: its siblings are named by it, whatever its length.
fn tag_of(name: &str) -> String {
    // FNV-1a, 64 bits: names only need telling apart in one parent folder.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn sibling_prefix(tag: &str) -> String {
    format!(".kinesim-{tag}.")
}

/// Remove the temporary siblings of this report that no living writer holds (see the module
/// comment). Failures are ignored: a sibling left behind is untidy, not wrong.
fn remove_stale_siblings(parent: &Path, tag: &str) {
    let prefix = sibling_prefix(tag);
    let Ok(entries) = fs::read_dir(parent) else { return };
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        if !(rest.starts_with("tmp-") || rest.starts_with("old-")) {
            continue;
        }
        let path = e.path();
        // Only folders of ours (never a link, never a file), and never one this process writes.
        if !e.file_type().is_ok_and(|t| t.is_dir()) || live.contains(&path) {
            continue;
        }
        let stale = match fs::OpenOptions::new().read(true).write(true).open(path.join(MARKER)) {
            // The writer holds the lock for as long as it lives.
            Ok(marker) => marker.try_lock().is_ok(),
            // No marker: the writer died before making it, or while removing the folder (or is
            // doing so now: removing it twice is harmless). Give a writer that has just made
            // the folder time to make its marker.
            Err(_) => e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() >= 60)),
        };
        if stale {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Make a fresh temporary sibling with its marker, locked; registered as live.
fn make_temporary(parent: &Path, tag: &str) -> Result<(PathBuf, fs::File), WriteError> {
    let pid = std::process::id();
    loop {
        let n = NONCE.fetch_add(1, Ordering::Relaxed);
        let tmp = parent.join(format!("{}tmp-{pid}-{n}", sibling_prefix(tag)));
        match fs::create_dir(&tmp) {
            // A leftover of another process with the same id (or anything else of that name):
            // not ours to touch now; take the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(format!("creating {}", tmp.display()))(e)),
            Ok(()) => {}
        }
        LIVE.lock().unwrap_or_else(PoisonError::into_inner).insert(tmp.clone());
        let marker = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(tmp.join(MARKER))
            .and_then(|m| m.lock().map(|()| m))
            .map_err(io_err(format!("creating {}", tmp.join(MARKER).display())));
        match marker {
            Ok(m) => return Ok((tmp, m)),
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                LIVE.lock().unwrap_or_else(PoisonError::into_inner).remove(&tmp);
                return Err(e);
            }
        }
    }
}

/// The marker's bytes: deterministic (no time, no process id), so reports stay byte-identical.
fn marker_bytes(f: &Folder, names: &BTreeSet<String>, sources: &[String]) -> Vec<u8> {
    let v = serde_json::json!({
        "written_by": format!("kinesim {}", crate::VERSION),
        "kind": f.kind,
        "scenario": f.scenario,
        "sources": sources,
        "about": "kinesim replaces this folder whole on its next run into it, and refuses to if it holds files not listed here",
        "files": names,
    });
    let mut out = serde_json::to_vec_pretty(&v).expect("a marker serialises");
    out.push(b'\n');
    out
}

#[allow(clippy::too_many_arguments)]
fn fill_and_swap(
    f: &Folder,
    files: &[(String, Vec<u8>)],
    names: &BTreeSet<String>,
    sources: &[String],
    tmp: &Path,
    existing: &Existing,
    parent: &Path,
    tag: &str,
) -> Result<(), WriteError> {
    // Interrupted before the swap: remove the temporary folder and stop (the lock is held, so
    // `interrupt` waits on it and this thread prints the line and exits).
    let stop_if_interrupted = || {
        if INTERRUPTED.load(Ordering::SeqCst) {
            let _ = fs::remove_dir_all(tmp);
            stop(STOP_CODE.load(Ordering::SeqCst) as i32);
        }
    };
    stop_if_interrupted();
    fs::write(tmp.join(MARKER), marker_bytes(f, names, sources))
        .map_err(io_err(format!("writing {}", tmp.display())))?;
    test_pause("tmp-created");
    for (i, (file, bytes)) in files.iter().enumerate() {
        stop_if_interrupted();
        if i == files.len() / 2 {
            test_pause("files-half");
        }
        let path = tmp.join(file);
        if let Some(sub) = path.parent() {
            fs::create_dir_all(sub).map_err(io_err(format!("creating {}", sub.display())))?;
        }
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err(format!("writing {}", path.display())))?;
        out.write_all(bytes).map_err(io_err(format!("writing {}", path.display())))?;
    }
    test_pause("files-written");
    stop_if_interrupted();
    let dir = f.dir;
    let context = || format!("moving the new report into {}", dir.display());
    match existing {
        Existing::Nothing => fs::rename(tmp, dir).map_err(io_err(context()))?,
        Existing::Folder => {
            if !exchange(tmp, dir).map_err(io_err(context()))? {
                two_step_replace(tmp, dir, parent, tag).map_err(io_err(context()))?;
            } else {
                // `tmp` now holds the previous report.
                test_pause("swapped");
                let _ = fs::remove_dir_all(tmp);
            }
        }
        Existing::Other => two_step_replace(tmp, dir, parent, tag).map_err(io_err(context()))?,
    }
    Ok(())
}

/// Swap two folders in one step; `Ok(false)` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: two valid NUL-terminated paths, relative to the current directory.
    let rc = unsafe {
        libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE)
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        // The file system or kernel does not support the exchange.
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Move what is at `dir` aside, move `tmp` into place, remove what was moved aside. A crash
/// between the two renames leaves the previous report in an `old-` sibling.
fn two_step_replace(tmp: &Path, dir: &Path, parent: &Path, tag: &str) -> io::Result<()> {
    let pid = std::process::id();
    let old = loop {
        let n = NONCE.fetch_add(1, Ordering::Relaxed);
        let old = parent.join(format!("{}old-{pid}-{n}", sibling_prefix(tag)));
        if fs::symlink_metadata(&old).is_err() {
            break old;
        }
    };
    fs::rename(dir, &old)?;
    if let Err(e) = fs::rename(tmp, dir) {
        let _ = fs::rename(&old, dir);
        return Err(e);
    }
    let removed = match fs::symlink_metadata(&old) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&old),
        _ => fs::remove_file(&old),
    };
    let _ = removed;
    Ok(())
}

/// For the crash-consistency tests: with `KINESIM_TEST_PAUSE_AT=<stage>`, say so on standard
/// error and wait at that stage of the write until a signal arrives (as a long write would) or
/// the test kills the process.
fn test_pause(stage: &str) {
    if std::env::var_os("KINESIM_TEST_PAUSE_AT").is_some_and(|s| s == stage) {
        let _ = writeln!(io::stderr(), "kinesim-test: paused at {stage}");
        while !INTERRUPTED.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// The default report folder of a scenario: `reports/<name>`.
pub fn default_dir(name: &str) -> PathBuf {
    Path::new("reports").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("kinesim-writer-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        base
    }

    fn folder(dir: &Path) -> Folder<'_> {
        Folder { dir, kind: "run", scenario: "t", overwrite: false, protect: &[], sources: &[] }
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        list.iter().map(|(n, b)| (n.to_string(), b.as_bytes().to_vec())).collect()
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_previous_report_whole() {
        let base = scratch("whole");
        let dir = base.join("r");
        write_folder(&folder(&dir), &files(&[("a.txt", "1"), ("b.txt", "2")])).unwrap();
        write_folder(&folder(&dir), &files(&[("a.txt", "3")])).unwrap();
        assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"3");
        assert!(!dir.join("b.txt").exists(), "old files are gone");
        assert_eq!(entries(&base), ["r"], "no temporary folders left");
        assert_eq!(entries(&dir), [MARKER, "a.txt"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_folder_that_is_not_a_report_is_refused_and_untouched() {
        let base = scratch("victim");
        let dir = base.join("victim");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("notes.txt"), "important").unwrap();
        let e = write_folder(&folder(&dir), &files(&[("a.txt", "1")])).unwrap_err();
        assert!(matches!(e, WriteError::Refused(_)), "{e}");
        assert!(
            e.to_string().contains("not a kinesim report folder") && e.to_string().contains("--overwrite"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "important");
        assert!(dir.join("sub").is_dir());
        assert_eq!(entries(&base), ["victim"], "nothing left beside it");
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_report_with_a_file_the_user_added_is_refused() {
        let base = scratch("added");
        let dir = base.join("r");
        write_folder(&folder(&dir), &files(&[("a.txt", "1"), ("v/b.txt", "2")])).unwrap();
        fs::write(dir.join("v/mine.txt"), "mine").unwrap();
        let e = write_folder(&folder(&dir), &files(&[("a.txt", "3")])).unwrap_err();
        assert!(e.to_string().contains("v/mine.txt"), "{e}");
        assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"1");
        // --overwrite replaces it whole.
        let f = Folder { overwrite: true, ..folder(&dir) };
        write_folder(&f, &files(&[("a.txt", "3")])).unwrap();
        assert_eq!(entries(&dir), [MARKER, "a.txt"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_never_followed() {
        let base = scratch("link");
        let target = base.join("elsewhere");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("keep.txt"), "keep").unwrap();
        let link = base.join("r");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_folder(&folder(&link), &files(&[("a.txt", "1")])).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let f = Folder { overwrite: true, ..folder(&link) };
        write_folder(&f, &files(&[("a.txt", "1")])).unwrap();
        assert!(!fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is replaced");
        assert_eq!(entries(&target), ["keep.txt"], "what it pointed to is untouched");
        assert_eq!(entries(&base), ["elsewhere", "r"]);
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_plain_file_is_refused_without_overwrite_and_no_sibling_is_left() {
        let base = scratch("file");
        let dir = base.join("r");
        fs::write(&dir, "a file").unwrap();
        let e = write_folder(&folder(&dir), &files(&[("a.txt", "1")])).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        assert_eq!(fs::read_to_string(&dir).unwrap(), "a file");
        assert_eq!(entries(&base), ["r"]);
        let f = Folder { overwrite: true, ..folder(&dir) };
        write_folder(&f, &files(&[("a.txt", "1")])).unwrap();
        assert_eq!(entries(&base), ["r"], "no .old sibling left");
        assert!(dir.join("a.txt").is_file());
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_protected_input_inside_the_folder_is_never_replaced() {
        let base = scratch("protect");
        let dir = base.join("r");
        fs::create_dir_all(&dir).unwrap();
        let scenario = dir.join("s.toml");
        fs::write(&scenario, "x").unwrap();
        let protect = [scenario.clone()];
        let f = Folder { overwrite: true, protect: &protect, ..folder(&dir) };
        let e = write_folder(&f, &files(&[("a.txt", "1")])).unwrap_err();
        assert!(e.to_string().contains("input of this run"), "{e}");
        assert!(scenario.is_file());
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_long_name_that_fits_is_written() {
        let base = scratch("long");
        let dir = base.join("n".repeat(250));
        write_folder(&folder(&dir), &files(&[("a.txt", "1")])).unwrap();
        write_folder(&folder(&dir), &files(&[("a.txt", "2")])).unwrap();
        assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"2");
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn names_that_leave_the_folder_or_collide_are_refused() {
        let base = scratch("names");
        let dir = base.join("r");
        for bad in [&[("../x", "1")][..], &[("/x", "1")], &[("a", "1"), ("a/b", "2")], &[(MARKER, "1")]] {
            let e = write_folder(&folder(&dir), &files(bad)).unwrap_err();
            assert!(matches!(e, WriteError::Refused(_)), "{bad:?}: {e}");
        }
        assert_eq!(entries(&base), Vec::<String>::new());
        fs::remove_dir_all(&base).unwrap();
    }

    /// Leftovers of a killed writer (an unlocked marker), even under this very process id, are
    /// removed; a leftover whose name is the next one this process would take is skipped, not an
    /// error; a folder a living writer holds locked is left alone.
    #[test]
    fn stale_siblings_are_removed_and_never_block_a_run() {
        let base = scratch("stale");
        let dir = base.join("r");
        let tag = tag_of("r");
        let pid = std::process::id();
        let next = NONCE.load(Ordering::Relaxed);
        // Names this process is about to take, held by files (never removed: not ours).
        for n in next..next + 20 {
            fs::write(base.join(format!(".kinesim-{tag}.tmp-{pid}-{n}")), "").unwrap();
        }
        let mut stale = Vec::new();
        for n in 1_000_000..1_000_050 {
            let s = base.join(format!(".kinesim-{tag}.tmp-{pid}-{n}"));
            fs::create_dir(&s).unwrap();
            fs::write(s.join(MARKER), "{}").unwrap();
            fs::write(s.join("big.csv"), "x").unwrap();
            stale.push(s);
        }
        let held = base.join(format!(".kinesim-{tag}.tmp-999999999-0"));
        fs::create_dir(&held).unwrap();
        let lock =
            fs::OpenOptions::new().read(true).write(true).create_new(true).open(held.join(MARKER)).unwrap();
        lock.lock().unwrap();
        let other = base.join(".kinesim-0000000000000000.tmp-1-0");
        fs::create_dir(&other).unwrap();
        write_folder(&folder(&dir), &files(&[("a.txt", "1")])).unwrap();
        assert!(stale.iter().all(|s| !s.exists()), "stale leftovers removed");
        assert!(held.exists(), "a living writer's folder is kept");
        assert!(other.exists(), "another report's sibling is not ours to touch");
        drop(lock);
        fs::remove_dir_all(&base).unwrap();
    }
}
