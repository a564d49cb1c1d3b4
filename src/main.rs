//! The `kinesim` command line. `main` reads as the data flow: parse -> validate -> simulate ->
//! summarise -> write the report.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use kinesim::model::hashing::{hash_key, ShardMap};
use kinesim::scenario::{self, defaults, ScenarioError};
use kinesim::{experiment, library, report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print to standard output. A closed pipe (`kinesim list | head -1`) ends the command quietly
/// and successfully; any other failure to write (a full disk, `> /dev/full`) is an error
/// (exit code 1), never output silently lost. Use with `?`.
macro_rules! out {
    ($($arg:tt)*) => {
        emit(format_args!($($arg)*))
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {
        emit(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Standard output was closed by its reader: stop printing, exit 0.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
struct ClosedPipe;

fn emit(text: std::fmt::Arguments) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ClosedPipe.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to standard output")),
    }
}

/// Simulate Amazon Kinesis Data Streams capacity: throttling, latency and shards, second by
/// second, before anything is deployed.
#[derive(Parser)]
#[command(name = "kinesim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and write its report to reports/<name>/ (or --out)
    Run {
        /// Scenario file (TOML), or the name of a bundled scenario (see `kinesim list`)
        scenario: PathBuf,
        /// Report folder (default: reports/<scenario name>)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override the scenario's seed
        #[arg(long)]
        seed: Option<u64>,
        /// Print nothing on success
        #[arg(long, short)]
        quiet: bool,
        /// Print summary.json to standard output instead of the text summary
        #[arg(long)]
        json: bool,
        /// Run even if the estimated work or memory is enormous
        #[arg(long)]
        force: bool,
        /// Replace what is at the report folder's path even when it is not a report kinesim
        /// wrote (a folder of yours, a file, a link); never one holding the scenario or the
        /// current directory
        #[arg(long)]
        overwrite: bool,
    },
    /// Run one workload under several capacity configurations (one scenario file each) with
    /// the same seed, in parallel, and write one side-by-side report
    Compare {
        /// Scenario files (TOML), one per variant
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Report folder (default: reports/compare)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed for every variant (default: the first scenario's seed)
        #[arg(long)]
        seed: Option<u64>,
        /// Print nothing on success
        #[arg(long, short)]
        quiet: bool,
        /// Print comparison.json to standard output instead of the table
        #[arg(long)]
        json: bool,
        /// Run even if the estimated work or memory is enormous
        #[arg(long)]
        force: bool,
        /// Replace what is at the report folder's path even when it is not a report kinesim
        /// wrote (a folder of yours, a file, a link); never one holding the scenario or the
        /// current directory
        #[arg(long)]
        overwrite: bool,
    },
    /// Find the cheapest configuration meeting the scenario's SLO (`[size]`): a parallel sweep
    /// over shard counts and capacity modes with several seeds per point
    Size {
        /// Scenario file (TOML), or the name of a bundled scenario
        scenario: PathBuf,
        /// Report folder (default: reports/size-<scenario name>)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing on success (and no progress bar)
        #[arg(long, short)]
        quiet: bool,
        /// Print sizing.json to standard output instead of the table
        #[arg(long)]
        json: bool,
        /// Run only part i of n of the grid (e.g. one task of a job array) and write
        /// part.json to --out (default reports/size-<name>-part-i-of-n); merge with size-merge
        #[arg(long, value_name = "I/N")]
        part: Option<kinesim::size::parts::Part>,
        /// Replace what is at the report folder's path even when it is not a report kinesim
        /// wrote (a folder of yours, a file, a link); never one holding the scenario or the
        /// current directory
        #[arg(long)]
        overwrite: bool,
    },
    /// Merge the part files of `kinesim size --part i/n` into the report one run would write
    SizeMerge {
        /// The scenario the parts ran (file or bundled name)
        scenario: PathBuf,
        /// Part files (part.json of every part, any order)
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Report folder (default: reports/size-<scenario name>)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing on success
        #[arg(long, short)]
        quiet: bool,
        /// Print sizing.json to standard output instead of the table
        #[arg(long)]
        json: bool,
        /// Replace what is at the report folder's path even when it is not a report kinesim
        /// wrote (a folder of yours, a file, a link); never one holding the scenario or the
        /// current directory
        #[arg(long)]
        overwrite: bool,
    },
    /// Check scenario files without running them
    Validate {
        /// Scenario files (TOML)
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Print each partition key's 128-bit hash key and the shard Kinesis puts it on
    Keys {
        /// Open shards of a new stream (uniform hash-key ranges)
        #[arg(long)]
        shards: u32,
        /// Print JSON lines instead of a table
        #[arg(long)]
        json: bool,
        /// Partition keys
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// List the bundled teaching scenarios (run one with `kinesim run NAME`)
    List,
    /// Print a scenario with every default filled in: value, default or set, and meaning
    Explain {
        /// Scenario file (TOML), or the name of a bundled scenario
        scenario: PathBuf,
    },
}

/// Bad input from the user (exit code 2), as opposed to a failure while running (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn main() -> ExitCode {
    watch_signals();
    let cli = Cli::parse();
    let result = run(cli).and_then(|()| out!(""));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ClosedPipe>().is_some() => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(se) = e.downcast_ref::<ScenarioError>() {
                eprintln!("{se}");
                return ExitCode::from(2);
            }
            eprintln!("error: {e:#}");
            let refused = matches!(e.downcast_ref(), Some(report::writer::WriteError::Refused(_)));
            if refused || e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Ctrl-C, SIGTERM and SIGHUP: exit 128 + the signal without a half-written report or a
/// temporary folder (see report::writer). Without the watcher (it could not be installed) a
/// signal still stops the run, only less politely.
fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                report::writer::interrupt(signal);
            }
        });
    }
}

/// Write a report folder; a folder kinesim may not replace is bad input (exit code 2).
fn write_report(
    dir: &Path,
    kind: &str,
    scenario: &str,
    opts: &Overwrite,
    files: &[(String, Vec<u8>)],
) -> Result<()> {
    let folder =
        report::writer::Folder { dir, kind, scenario, overwrite: opts.overwrite, protect: &opts.protect };
    report::writer::write_folder(&folder, files).map_err(|e| match e {
        report::writer::WriteError::Refused(_) => anyhow::Error::new(e),
        io => anyhow::Error::new(io).context(format!("writing the report to {}", dir.display())),
    })
}

/// `--overwrite`, and the inputs no report may replace.
struct Overwrite {
    overwrite: bool,
    protect: Vec<PathBuf>,
}

/// Refuse an enormous run before starting it, with the knob to change (unless `--force`).
fn guard(sc: &kinesim::scenario::Scenario, force: bool) -> Result<()> {
    if let Some(why) = experiment::estimate(sc).refusal(sc) {
        if !force {
            bail!(BadInput(format!("{}: {why}", sc.name)));
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run { scenario, out, seed, quiet, json, force, overwrite } => {
            let mut sc = load_scenario(&scenario)?;
            if let Some(seed) = seed {
                sc.seed = seed;
            }
            guard(&sc, force)?;
            let result = experiment::run(&sc);
            let files = report::render_all(&result, &sc).context("rendering the charts")?;
            let dir = out.unwrap_or_else(|| report::writer::default_dir(&sc.name));
            let opts = Overwrite { overwrite, protect: vec![scenario.clone()] };
            write_report(&dir, "run", &sc.name, &opts, &files)?;
            if json {
                let summary = &files[0].1;
                out!("{}", String::from_utf8_lossy(summary))?;
            } else if !quiet {
                out!("{}", report::text::render(&result))?;
                outln!("  report: {}/ (summary.json, timeseries.csv, charts)", dir.display())?;
            }
            Ok(())
        }
        Command::Compare { scenarios, out, seed, quiet, json, force, overwrite } => {
            let mut loaded = Vec::new();
            for path in &scenarios {
                loaded.push(scenario::load(path)?);
            }
            let seed = seed.unwrap_or(loaded[0].seed);
            for sc in &mut loaded {
                sc.seed = seed;
            }
            check_variant_names(&scenarios, &loaded)?;
            for sc in &loaded {
                guard(sc, force)?;
            }
            if let Some(why) = experiment::refuse_together(&loaded).filter(|_| !force) {
                bail!(BadInput(why));
            }
            let results = experiment::run_all(&loaded);
            let dir = out.unwrap_or_else(|| PathBuf::from("reports").join("compare"));
            let mut files = vec![
                ("comparison.json".to_string(), report::compare::json(&results)),
                ("comparison.csv".to_string(), report::compare::csv(&results)),
            ];
            for (name, svg) in report::charts::compare_svgs(&results).context("rendering the charts")? {
                files.push((name.to_string(), svg.into_bytes()));
            }
            // A variant's folder must not take the name of one of compare's own files.
            let own: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
            for (i, sc) in loaded.iter().enumerate() {
                if own.contains(&sc.name) {
                    bail!(BadInput(format!(
                        "{}: name: the variant {:?} would put its report folder over compare's own {} in {}: \
                         give the scenario another `name`",
                        located(&scenarios[i], "name"),
                        sc.name,
                        sc.name,
                        dir.display()
                    )));
                }
            }
            for (r, sc) in results.iter().zip(&loaded) {
                for (name, bytes) in report::render_all(r, sc).context("rendering the charts")? {
                    files.push((format!("{}/{name}", r.scenario), bytes));
                }
            }
            let names: Vec<&str> = loaded.iter().map(|s| s.name.as_str()).collect();
            let opts = Overwrite { overwrite, protect: scenarios.clone() };
            write_report(&dir, "compare", &names.join(", "), &opts, &files)?;
            if json {
                out!("{}", String::from_utf8_lossy(&files[0].1))?;
            } else if !quiet {
                out!("{}", report::compare::text(&results))?;
                outln!(
                    "  report: {}/ (comparison.json, comparison.csv, compare-*.svg, one folder per variant)",
                    dir.display()
                )?;
            }
            Ok(())
        }
        Command::Size { scenario, out, quiet, json, part, overwrite } => {
            let sc = load_scenario(&scenario)?;
            let settings = sc.size.clone().unwrap_or_default();
            let opts = Overwrite { overwrite, protect: vec![scenario.clone()] };
            if let Some(part) = part {
                let planned = kinesim::size::parts::planned_runs(&sc, &settings, part);
                let bar = Progress::new(planned, !quiet);
                let bytes =
                    kinesim::size::parts::run_part(&sc, &settings, part, &|| bar.tick()).map_err(BadInput)?;
                bar.finish();
                let dir = out.unwrap_or_else(|| {
                    report::writer::default_dir(&format!(
                        "size-{}-part-{}-of-{}",
                        sc.name, part.index, part.count
                    ))
                });
                write_report(&dir, "size part", &sc.name, &opts, &[("part.json".to_string(), bytes)])?;
                if !quiet {
                    outln!(
                        "size {}: part {}/{} ({planned} runs) -> {}/part.json; merge every part with `kinesim size-merge`",
                        sc.name,
                        part.index,
                        part.count,
                        dir.display()
                    )?;
                }
                return Ok(());
            }
            let planned = kinesim::size::planned_runs(&sc, &settings);
            let bar = Progress::new(planned, !quiet && !json);
            let sizing = kinesim::size::size(&sc, &settings, &|| bar.tick());
            bar.finish();
            write_sizing(&sc, &sizing, out, quiet, json, &opts)
        }
        Command::SizeMerge { scenario, parts, out, quiet, json, overwrite } => {
            let sc = load_scenario(&scenario)?;
            let settings = sc.size.clone().unwrap_or_default();
            let mut files = Vec::new();
            for p in &parts {
                // A part file is a few KiB per run; 256 MiB is far beyond any real one.
                let bytes = scenario::read_limited(p, 256 << 20)
                    .map_err(|e| BadInput(format!("{}: cannot read the part file: {e}", p.display())))?;
                files.push((p.display().to_string(), bytes));
            }
            let sizing = kinesim::size::parts::merge(&sc, &settings, &files).map_err(BadInput)?;
            let mut protect = parts.clone();
            protect.push(scenario.clone());
            write_sizing(&sc, &sizing, out, quiet, json, &Overwrite { overwrite, protect })
        }
        Command::List => {
            let width = library::ALL.iter().map(|b| b.name.len()).max().unwrap_or(0);
            for b in library::ALL {
                outln!("{:<width$}  {}", b.name, b.summary())?;
            }
            outln!("\nrun one: kinesim run NAME    its settings: kinesim explain NAME    lessons: docs/tutorial.md")?;
            Ok(())
        }
        Command::Explain { scenario } => {
            let sc = load_scenario(&scenario)?;
            out!("{}", kinesim::explain::text(&sc))?;
            Ok(())
        }
        Command::Validate { scenarios } => {
            let mut failed = Vec::new();
            for path in &scenarios {
                match scenario::load(path) {
                    Ok(sc) => outln!("ok: {} ({})", path.display(), sc.name)?,
                    Err(e) => {
                        eprintln!("{e}");
                        failed.push(path.display().to_string());
                    }
                }
            }
            if !failed.is_empty() {
                bail!(BadInput(format!("{} of {} scenarios are invalid", failed.len(), scenarios.len())));
            }
            Ok(())
        }
        Command::Keys { shards, json, keys } => {
            if shards == 0 || shards > defaults::MAX_SHARDS_PER_STREAM {
                bail!(BadInput(format!(
                    "--shards {shards}: expected 1..={} (shards per stream)",
                    defaults::MAX_SHARDS_PER_STREAM
                )));
            }
            for k in &keys {
                let n = k.chars().count();
                if n == 0 || n > defaults::PARTITION_KEY_MAX_CHARS {
                    bail!(BadInput(format!(
                        "partition key {k:?} has {n} characters: expected 1..={}",
                        defaults::PARTITION_KEY_MAX_CHARS
                    )));
                }
            }
            let map = ShardMap::uniform(shards);
            if !json {
                outln!("{:<32} {:>40} {:>6}  shard_id", "partition_key", "hash_key", "shard")?;
            }
            for k in &keys {
                let h = hash_key(k);
                let shard = map.shard_of(h);
                let id = kinesim::model::hashing::shard_id_string(shard);
                if json {
                    let line = serde_json::json!({ "partition_key": k, "hash_key": h.to_string(), "shard_index": shard, "shard_id": id });
                    outln!("{line}")?;
                } else {
                    let k = kinesim::text_safety::terminal_line(k);
                    outln!("{k:<32} {h:>40} {shard:>6}  {id}")?;
                }
            }
            Ok(())
        }
    }
}

/// Write the sizing report folder and print the table (or sizing.json).
fn write_sizing(
    sc: &scenario::Scenario,
    sizing: &kinesim::size::Sizing,
    out: Option<PathBuf>,
    quiet: bool,
    json: bool,
    opts: &Overwrite,
) -> Result<()> {
    let mut files = vec![
        ("sizing.json".to_string(), report::size::json(sizing)),
        ("sizing.csv".to_string(), report::size::csv(sizing)),
    ];
    for (name, svg) in report::charts::size_svgs(sizing).context("rendering the charts")? {
        files.push((name.to_string(), svg.into_bytes()));
    }
    let dir = out.unwrap_or_else(|| report::writer::default_dir(&format!("size-{}", sc.name)));
    write_report(&dir, "size", &sc.name, opts, &files)?;
    if json {
        out!("{}", String::from_utf8_lossy(&files[0].1))?;
    } else if !quiet {
        out!("{}", report::size::text(sizing))?;
        for w in experiment::warnings(sc) {
            outln!("note: {w}")?;
        }
        outln!("  report: {}/ (sizing.json, sizing.csv, size-*.svg)", dir.display())?;
    }
    Ok(())
}

/// Two variants of one comparison need names of their own (each names its report folder); the
/// error names both files and the line of each `name`.
fn check_variant_names(paths: &[PathBuf], loaded: &[scenario::Scenario]) -> Result<()> {
    for (j, b) in loaded.iter().enumerate() {
        if let Some(i) = loaded[..j].iter().position(|a| a.name == b.name) {
            bail!(BadInput(format!(
                "{}: name: the variant {:?} has the same name as the variant of {}: give each scenario file its own \
                 `name` (it names the variant's report folder)",
                located(&paths[j], "name"),
                b.name,
                located(&paths[i], "name"),
            )));
        }
    }
    Ok(())
}

/// `file:line:column` of `field` in a scenario file (`file` alone when it cannot be found).
fn located(path: &Path, field: &str) -> String {
    let at = std::fs::read_to_string(path).ok().and_then(|text| scenario::position_of(&text, field));
    match at {
        Some((line, column)) => format!("{}:{line}:{column}", path.display()),
        None => path.display().to_string(),
    }
}

/// A progress bar with an ETA on standard error (`indicatif`), drawn only when it is a
/// terminal: tests and pipes see nothing.
struct Progress(indicatif::ProgressBar);

impl Progress {
    fn new(total: usize, wanted: bool) -> Self {
        use std::io::IsTerminal as _;
        let target = if wanted && std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        };
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), target);
        let style = indicatif::ProgressStyle::with_template(
            "  [{bar:30}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
        )
        .expect("a valid template")
        .progress_chars("#>-");
        bar.set_style(style);
        Progress(bar)
    }

    /// One run finished (called from any thread).
    fn tick(&self) {
        // Bisection may stop before its planned worst case, never after it.
        if self.0.length().is_some_and(|l| self.0.position() >= l) {
            self.0.inc_length(1);
        }
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A scenario file, or else a bundled scenario of that name (so `kinesim run hot-key` works from
/// any directory). A name that is neither gets a suggestion.
fn load_scenario(arg: &Path) -> Result<scenario::Scenario> {
    if !arg.exists() {
        if let Some(b) = arg.to_str().and_then(library::find) {
            return Ok(b.scenario()?);
        }
        let text = arg.to_string_lossy();
        if !text.contains(['/', '\\']) && !text.ends_with(".toml") {
            let near = library::ALL
                .iter()
                .map(|b| (strsim::levenshtein(b.name, &text), b.name))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, n)| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            bail!(BadInput(format!(
                "{text}: no such file and no bundled scenario of that name{near} (`kinesim list` shows them)"
            )));
        }
    }
    Ok(scenario::load(arg)?)
}
