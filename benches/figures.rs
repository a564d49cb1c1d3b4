//! The performance issue's figures that are single long runs: wall time and peak memory of
//! the 1,000-shard stream over one hour and one day, of the 100-shard stream over a month, and
//! of the 1,000-shard hour read by a polling and an enhanced fan-out consumer.
//! Run: `cargo bench --bench figures` (about a minute). Each run is a child process (this
//! binary again), so its peak resident memory (`VmHWM` of `/proc/self/status`, Linux) is its
//! own; a run is simulating plus rendering every report file in memory, as `kinesim run` does
//! before writing them.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// (label, scenario file in `benches/scenarios`, duration override)
const RUNS: [(&str, &str, Option<&str>); 4] = [
    ("1,000 shards, 1 M records/s, 1 hour", "1000-shards-hour.toml", None),
    ("1,000 shards, 1 M records/s, 24 hours", "1000-shards-day.toml", None),
    ("100 shards, 30,000-90,000 records/s, 30 days", "100-shards-month.toml", None),
    ("the 1,000-shard hour read by 2 consumers", "1000-shards-hour-consumers.toml", None),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], args.get(i + 2).map(String::as_str));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` would too: only run when benching.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    println!("{:<48} {:>10} {:>14}", "run", "wall [s]", "peak RSS [MiB]");
    let mut rss = Vec::new();
    for (label, file, duration) in RUNS {
        let mut cmd = Command::new(std::env::current_exe().expect("own path"));
        cmd.arg("--child").arg(file);
        if let Some(d) = duration {
            cmd.arg(d);
        }
        let t = Instant::now();
        let out = cmd.output().expect("child run");
        let wall = t.elapsed().as_secs_f64();
        assert!(out.status.success(), "{label}: {}", String::from_utf8_lossy(&out.stderr));
        let kib: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("VmHWM in KiB");
        println!("{label:<48} {wall:>10.2} {:>14.1}", kib / 1024.0);
        rss.push(kib);
    }
    println!("peak RSS, 24 hours / 1 hour: {:.3}", rss[1] / rss[0]);
}

/// Run one scenario, render its reports, print the peak resident set size [KiB].
fn child(file: &str, duration: Option<&str>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios").join(file);
    let text = std::fs::read_to_string(&path).expect("bench scenario");
    let text = match duration {
        Some(d) => text
            .lines()
            .map(|l| if l.starts_with("duration = ") { format!("duration = \"{d}\"") } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n"),
        None => text,
    };
    // The strict bound alone, so figures stay comparable with runs before the bounds.
    let sc = kinesim::experiment::strict(
        &kinesim::scenario::parse_str(&text, Some(&path)).expect("bench scenario"),
    );
    let r = kinesim::experiment::run(&sc);
    let files = kinesim::report::render_all(&r, &sc).expect("charts");
    std::hint::black_box(files);
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let hwm = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    println!("{}", hwm.trim_start_matches("VmHWM:").trim().trim_end_matches(" kB"));
}
