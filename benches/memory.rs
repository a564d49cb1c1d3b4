//! The guard rail's memory estimate against measured peaks: each scenario of
//! `benches/scenarios/guard/` (and the two long performance runs of `benches/scenarios/`) runs in
//! a child process (this binary again) that does what `kinesim run` does (simulate, render every
//! report file in memory, write the folder) and prints its peak resident set (`VmHWM` of
//! `/proc/self/status`, Linux), as `benches/figures.rs` does. Prints estimate vs measured and
//! their ratio; the recorded table is `MEASURED` in `tests/it/guard.rs`, whose test checks the
//! estimate stays within 2x of it.
//! Run: `cargo bench --bench memory` (about two minutes; runs one at a time).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The scenarios measured: every file of `benches/scenarios/guard/`, then these.
const LONG_RUNS: [&str; 2] = ["1000-shards-day.toml", "100-shards-month.toml"];

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("guard"))
        .expect("benches/scenarios/guard")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files.extend(LONG_RUNS.iter().map(|f| root.join(f)));
    files
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    // `cargo bench --bench memory -- --estimate [FILE.toml...]`: the estimates and their terms,
    // nothing run.
    if args.iter().any(|a| a == "--estimate") {
        let given: Vec<PathBuf> = args.iter().filter(|a| a.ends_with(".toml")).map(PathBuf::from).collect();
        for path in if given.is_empty() { scenarios() } else { given } {
            let sc = kinesim::experiment::strict(&kinesim::scenario::load(&path).expect("guard scenario"));
            let est = kinesim::experiment::estimate(&sc);
            println!("{}: {:.1} MiB {:?}", path.display(), est.memory_bytes / (1024.0 * 1024.0), est.memory);
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` would too: only run when benching.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    const MIB: f64 = 1024.0 * 1024.0;
    println!(
        "{:<44} {:>14} {:>14} {:>16} {:>9}",
        "scenario", "estimate [MiB]", "peak RSS [MiB]", "ratio est/meas", "wall [s]"
    );
    for path in scenarios() {
        let sc = kinesim::experiment::strict(&kinesim::scenario::load(&path).expect("guard scenario"));
        let est = kinesim::experiment::estimate(&sc);
        let t = Instant::now();
        let out = Command::new(std::env::current_exe().expect("own path"))
            .arg("--child")
            .arg(&path)
            .output()
            .expect("child run");
        let wall = t.elapsed().as_secs_f64();
        assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        let kib: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("VmHWM in KiB");
        let measured = kib / 1024.0;
        let estimate = est.memory_bytes / MIB;
        let name = path.file_name().unwrap().to_string_lossy();
        println!("{name:<44} {estimate:>14.1} {measured:>14.1} {:>16.2} {wall:>9.2}", estimate / measured);
    }
}

/// Run one scenario as `kinesim run` does, print the peak resident set size [KiB].
fn child(path: &Path) {
    let sc = kinesim::experiment::strict(&kinesim::scenario::load(path).expect("guard scenario"));
    let r = kinesim::experiment::run(&sc);
    let files = kinesim::report::render_all(&r, &sc).expect("charts");
    let dir = std::env::temp_dir().join(format!("kinesim-memory-bench-{}", std::process::id()));
    let folder = kinesim::report::writer::Folder {
        dir: &dir,
        kind: "run",
        scenario: &sc.name,
        overwrite: false,
        protect: &[],
        sources: &[],
    };
    kinesim::report::writer::write_folder(&folder, &files).expect("report folder");
    drop(files);
    let _ = std::fs::remove_dir_all(&dir);
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let hwm = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    println!("{}", hwm.trim_start_matches("VmHWM:").trim().trim_end_matches(" kB"));
}
