//! The `kinesim` command line. `main` reads as the data flow: parse -> validate -> simulate ->
//! summarise -> write the report.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use kinesim::limits;
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
#[command(name = "kinesim", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "\
Examples:
  kinesim list                                    the bundled teaching scenarios
  kinesim run quickstart                          simulate one -> reports/quickstart/
  kinesim run my-stream.toml --out reports/try-2  a scenario file of yours
  kinesim compare daily-fixed daily-on-demand     the same traffic, two capacity plans
  kinesim size size-launch                        the cheapest configuration meeting an SLO
  cat s.toml | kinesim validate -                 a scenario from standard input

Exit codes: 0 success; 1 failure while running, no configuration meets the SLO (size), or
the verdict reached --fail-on (run);
2 bad input; 128 + n stopped by signal n (130 Ctrl-C).";

/// Where a report goes and what is printed (`run`, `compare`, `size`, `size-merge`).
#[derive(clap::Args)]
struct ReportArgs {
    /// Report folder (default: reports/<name>, reports/compare, reports/size-<name>)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing on success (and no progress bar)
    #[arg(long, short)]
    quiet: bool,
    /// Print the report's JSON (summary.json, comparison.json, sizing.json) to standard output
    /// instead of the text summary
    #[arg(long)]
    json: bool,
    /// Replace what is at the report folder's path even when it is not a report kinesim wrote
    /// (a folder of yours, a file, a link); never one holding the scenario or the current
    /// directory
    #[arg(long)]
    overwrite: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and write its report to reports/<name>/ (or --out)
    #[command(
        after_help = "Examples:\n  kinesim run quickstart\n  kinesim run hot-key --seed 7 --out reports/hot-key-7\n  \
                            kinesim run my-stream.toml --json | jq .write.throttle_rate\n  \
                            kinesim run my-stream.toml --fail-on bad    # exit 1 on dropped records or a missed SLO\n  \
                            kinesim run - < my-stream.toml"
    )]
    Run {
        /// Scenario file (TOML), the name of a bundled scenario (see `kinesim list`), or `-`
        /// for standard input
        scenario: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
        /// Override the scenario's seed
        #[arg(long)]
        seed: Option<u64>,
        /// Run even if the estimated work or memory is enormous
        #[arg(long)]
        force: bool,
        /// Exit 1 (after writing the report) when the run's verdict is this bad or worse: `bad`
        /// (records dropped or lost to retention, a missed `[size] slo`) or `warn` (any
        /// throttling, a consumer behind, a job skipping periods)
        #[arg(long, value_name = "LEVEL")]
        fail_on: Option<FailOn>,
    },
    /// Run one workload under several capacity configurations (one scenario each) with the
    /// same seed, in parallel, and write one side-by-side report
    #[command(
        after_help = "Examples:\n  kinesim compare daily-fixed daily-on-demand daily-scheduled daily-target-tracking\n  \
                            kinesim compare provisioned.toml on-demand.toml --out reports/modes"
    )]
    Compare {
        /// Scenario files or bundled names, one per variant (at most one `-`)
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
        /// Seed for every variant (default: the first scenario's seed)
        #[arg(long)]
        seed: Option<u64>,
        /// Run even if the estimated work or memory is enormous
        #[arg(long)]
        force: bool,
    },
    /// Find the cheapest configuration meeting the scenario's SLO (`[size]`): a parallel sweep
    /// over shard counts and capacity modes with several seeds per point. Exits 1 when no
    /// configuration meets the SLO
    #[command(
        after_help = "Examples:\n  kinesim size size-launch\n  kinesim size my-stream.toml --json > sizing.json\n  \
                            kinesim size my-stream.toml --part 3/8    # one task of a job array\n  \
                            kinesim size my-stream.toml --part auto/8 # the index from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX"
    )]
    Size {
        /// Scenario file (TOML), the name of a bundled scenario, or `-`
        scenario: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
        /// Run only part I of N of the grid (e.g. one task of a job array) and write
        /// part.json to --out (default reports/size-<name>-part-i-of-n); merge with size-merge.
        /// `auto/N` reads the index from SLURM_ARRAY_TASK_ID (counted from
        /// SLURM_ARRAY_TASK_MIN), JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX
        #[arg(long, value_name = "I/N")]
        part: Option<kinesim::size::parts::PartSpec>,
        /// The first index of an explicit --part I/N: 1 (1/N .. N/N) or 0 (0/N .. N-1/N)
        #[arg(long, value_name = "0|1", default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=1))]
        part_base: u32,
        /// Run even if the estimated work or memory of a point of the sweep is enormous
        #[arg(long)]
        force: bool,
    },
    /// Merge the part files of `kinesim size --part i/n` into the report one run would write
    /// (exits 1 when no configuration meets the SLO)
    SizeMerge {
        /// The scenario the parts ran (file, bundled name, or `-`)
        scenario: PathBuf,
        /// Part files (part.json of every part, any order)
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Check scenarios without running them
    #[command(
        after_help = "Examples:\n  kinesim validate scenarios/*.toml\n  kinesim validate --json my-stream.toml"
    )]
    Validate {
        /// Scenario files, bundled names, or `-` for standard input
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Print one JSON document: per scenario, ok or every problem with file, line, column,
        /// field and message
        #[arg(long)]
        json: bool,
    },
    /// Print each partition key's 128-bit hash key and the shard Kinesis puts it on
    #[command(after_help = "Example:\n  kinesim keys --shards 4 user-0 user-1")]
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
    List {
        /// Print a JSON array of { name, summary } instead of the table
        #[arg(long)]
        json: bool,
    },
    /// Print a scenario with every default filled in: value, default or set, and meaning
    #[command(after_help = "Examples:\n  kinesim explain quickstart\n  \
                            kinesim explain my-stream.toml --json | jq '.sections[] | select(.section == \"stream\")'\n\n\
                      status: required (no default), default, set (differs from the default), auto (resolved by a rule),\n\
                      fixed (a limit no scenario changes). kind: input, AWS (a Kinesis fact), assumption (a model default)")]
    Explain {
        /// Scenario file (TOML), the name of a bundled scenario, or `-`
        scenario: PathBuf,
        /// Print one JSON document instead of the table: the settings grouped by section, in
        /// file order, each with its value, default, status, kind and meaning
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the scenario format (draft 7), for editors that check and
    /// complete TOML files against one
    #[command(after_help = "Examples:\n  kinesim schema > kinesim.schema.json\n\n\
                      Then make this the first line of a scenario file (Taplo, Even Better TOML):\n  \
                      #:schema ./kinesim.schema.json")]
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Examples:\n  kinesim completions bash > ~/.local/share/bash-completion/completions/kinesim\n  \
                            kinesim completions zsh > \"${fpath[1]}/_kinesim\""
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `kinesim man > kinesim.1 && man ./kinesim.1`
    Man,
}

/// Bad input from the user (exit code 2), as opposed to a failure while running (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

/// The command ran, and its answer is "no" (exit code 1): `size` found no configuration
/// meeting the SLO. The report is written and the reason printed first.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Unmet(String);

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
            if let Some(u) = e.downcast_ref::<Unmet>() {
                eprintln!("{u}");
                return ExitCode::from(1);
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

/// The data flow of each subcommand.
fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run { scenario, report, seed, force, fail_on } => {
            cmd_run(&scenario, &report, seed, force, fail_on)
        }
        Command::Compare { scenarios, report, seed, force } => cmd_compare(&scenarios, &report, seed, force),
        Command::Size { scenario, report, part, part_base, force } => {
            let part = part
                .map(|p| p.resolve(part_base, |name| std::env::var(name).ok()))
                .transpose()
                .map_err(BadInput)?;
            cmd_size(&scenario, &report, part, force)
        }
        Command::SizeMerge { scenario, parts, report } => cmd_size_merge(&scenario, &parts, &report),
        Command::Validate { scenarios, json } => cmd_validate(&scenarios, json),
        Command::Keys { shards, json, keys } => cmd_keys(shards, json, &keys),
        Command::List { json } => cmd_list(json),
        Command::Explain { scenario, json } => {
            let (sc, _) = load_scenario(&scenario, &mut Stdin::default())?;
            if json {
                let doc = kinesim::explain::json(&sc);
                outln!("{}", serde_json::to_string_pretty(&doc).expect("JSON serialises"))
            } else {
                out!("{}", kinesim::explain::text(&sc))
            }
        }
        Command::Schema => {
            let schema = scenario::json_schema();
            outln!("{}", serde_json::to_string_pretty(&schema).expect("JSON serialises"))
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "kinesim",
                &mut buf,
            );
            out!("{}", String::from_utf8_lossy(&buf))
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut buf)
                .context("rendering the manual page")?;
            out!("{}", String::from_utf8_lossy(&buf))
        }
    }
}

/// load -> guard -> simulate -> render -> write -> print.
fn cmd_run(
    arg: &Path,
    args: &ReportArgs,
    seed: Option<u64>,
    force: bool,
    fail_on: Option<FailOn>,
) -> Result<()> {
    let (mut sc, origin) = load_scenario(arg, &mut Stdin::default())?;
    if let Some(seed) = seed {
        sc.seed = seed;
    }
    guard(&sc, force)?;
    let result = experiment::try_run(&sc)?;
    let files = report::render_all(&result, &sc).context("rendering the charts")?;
    let dir = args.out.clone().unwrap_or_else(|| report::writer::default_dir(&sc.name));
    write_report(&dir, "run", &sc.name, args, &origin.protect(), &[&origin], &files)?;
    if args.json {
        out!("{}", String::from_utf8_lossy(&files[0].1))?;
    } else if !args.quiet {
        out!("{}", report::text::render(&result, sc.size.as_ref().map(|z| &z.slo)))?;
        outln!("  report: {}/ (summary.json, timeseries.csv, charts)", dir.display())?;
    }
    if let Some(fail_on) = fail_on {
        use report::verdict::{findings, headline, overall};
        let found = findings(&result, sc.size.as_ref().map(|z| &z.slo), Some(&result.cost));
        let level = overall(&found);
        if level >= fail_on.level() {
            let head = headline(&found).map_or(String::new(), |f| f.text.clone());
            return Err(Unmet(format!(
                "run {}: the verdict is {} (--fail-on {}, exit code 1): {head}",
                sc.name,
                level.name(),
                fail_on.level().name()
            ))
            .into());
        }
    }
    Ok(())
}

/// `run --fail-on LEVEL`: the verdict level from which a run exits 1.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Warn,
    Bad,
}

impl FailOn {
    fn level(self) -> report::verdict::Level {
        match self {
            FailOn::Warn => report::verdict::Level::Warn,
            FailOn::Bad => report::verdict::Level::Bad,
        }
    }
}

/// load every variant -> one seed -> guard -> simulate in parallel -> render -> write -> print.
fn cmd_compare(args_in: &[PathBuf], args: &ReportArgs, seed: Option<u64>, force: bool) -> Result<()> {
    let mut stdin = Stdin::default();
    let mut loaded = Vec::new();
    let mut origins = Vec::new();
    for arg in args_in {
        let (sc, origin) = load_scenario(arg, &mut stdin)?;
        loaded.push(sc);
        origins.push(origin);
    }
    let seed = seed.unwrap_or(loaded[0].seed);
    for sc in &mut loaded {
        sc.seed = seed;
    }
    check_variant_names(&origins, &loaded)?;
    for sc in &loaded {
        guard(sc, force)?;
    }
    if let Some(why) = experiment::refuse_together(&loaded).filter(|_| !force) {
        bail!(BadInput(why));
    }
    let results = experiment::try_run_all(&loaded)?;
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("reports").join("compare"));
    // A variant named like one of compare's own files (its folder would take the file's place)
    // is bad input, located at that variant's `name`.
    let files = report::render_compare(&results, &loaded).map_err(|e| match e {
        report::CompareError::NameTaken { index, name } => anyhow::Error::new(BadInput(format!(
            "{}: name: the variant {:?} would put its report folder over compare's own {} in {}: give the \
             scenario another `name`",
            origins[index].located("name"),
            name,
            name,
            dir.display()
        ))),
        report::CompareError::Chart(e) => anyhow::Error::new(e).context("rendering the charts"),
    })?;
    let names: Vec<&str> = loaded.iter().map(|s| s.name.as_str()).collect();
    let protect: Vec<PathBuf> = origins.iter().flat_map(Origin::protect).collect();
    let all: Vec<&Origin> = origins.iter().collect();
    write_report(&dir, "compare", &names.join(", "), args, &protect, &all, &files)?;
    if args.json {
        out!("{}", String::from_utf8_lossy(&files[0].1))?;
    } else if !args.quiet {
        out!("{}", report::compare::text(&results))?;
        outln!(
            "  report: {}/ (report.html, comparison.json, comparison.csv, compare-*.svg, one folder per variant)",
            dir.display()
        )?;
    }
    Ok(())
}

/// load -> sweep (or one part of it) -> write -> print; exit 1 when nothing meets the SLO.
fn cmd_size(
    arg: &Path,
    args: &ReportArgs,
    part: Option<kinesim::size::parts::Part>,
    force: bool,
) -> Result<()> {
    let (sc, origin) = load_scenario(arg, &mut Stdin::default())?;
    let settings = sc.size.clone().unwrap_or_default();
    guard_sweep(&sc, &settings, force)?;
    if let Some(part) = part {
        let planned = kinesim::size::parts::planned_runs(&sc, &settings, part);
        let bar = Progress::new(planned, !args.quiet);
        let bytes =
            kinesim::size::parts::run_part(&sc, &settings, part, &|| bar.tick()).map_err(|e| match e {
                kinesim::size::parts::PartError::Grid(why) => anyhow::Error::from(BadInput(why)),
                kinesim::size::parts::PartError::Run(failure) => failure.into(),
            })?;
        bar.finish();
        let dir = args.out.clone().unwrap_or_else(|| {
            report::writer::default_dir(&format!("size-{}-part-{}-of-{}", sc.name, part.index, part.count))
        });
        write_report(
            &dir,
            "size part",
            &sc.name,
            args,
            &origin.protect(),
            &[&origin],
            &[("part.json".to_string(), bytes)],
        )?;
        if !args.quiet {
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
    let bar = Progress::new(planned, !args.quiet && !args.json);
    let sizing = kinesim::size::size(&sc, &settings, &|| bar.tick());
    bar.finish();
    let sizing = sizing?;
    write_sizing(&sc, &sizing, args, &origin.protect(), &origin)
}

/// load -> read and check every part -> merge -> write -> print.
fn cmd_size_merge(arg: &Path, parts: &[PathBuf], args: &ReportArgs) -> Result<()> {
    let (sc, origin) = load_scenario(arg, &mut Stdin::default())?;
    let settings = sc.size.clone().unwrap_or_default();
    let mut files = Vec::new();
    for p in parts {
        // A part file is a few KiB per run; 256 MiB is far beyond any real one.
        let bytes = scenario::read_limited(p, 256 << 20)
            .map_err(|e| BadInput(format!("{}: cannot read the part file: {e}", p.display())))?;
        files.push((p.display().to_string(), bytes));
    }
    let sizing = kinesim::size::parts::merge(&sc, &settings, &files).map_err(BadInput)?;
    let mut protect = parts.to_vec();
    protect.extend(origin.protect());
    write_sizing(&sc, &sizing, args, &protect, &origin)
}

/// Check every scenario; print `ok` lines (or one JSON document); exit 2 if any is invalid.
fn cmd_validate(args_in: &[PathBuf], json: bool) -> Result<()> {
    let mut stdin = Stdin::default();
    let mut failed = 0;
    let mut docs = Vec::new();
    for arg in args_in {
        match load_scenario(arg, &mut stdin) {
            Ok((sc, origin)) => {
                if json {
                    docs.push(serde_json::json!({ "input": origin.label(), "ok": true, "name": sc.name }));
                } else {
                    outln!("ok: {} ({})", origin.label(), sc.name)?;
                }
            }
            Err(e) => {
                failed += 1;
                if json {
                    docs.push(problems_json(arg, &e));
                } else if let Some(se) = e.downcast_ref::<ScenarioError>() {
                    eprintln!("{se}");
                } else {
                    eprintln!("error: {e:#}");
                }
            }
        }
    }
    if json {
        let doc = serde_json::json!({ "valid": failed == 0, "scenarios": docs });
        outln!("{}", serde_json::to_string_pretty(&doc).expect("JSON serialises"))?;
    }
    if failed > 0 {
        bail!(BadInput(format!("{failed} of {} scenarios are invalid", args_in.len())));
    }
    Ok(())
}

/// One invalid scenario for `validate --json`: every problem, located.
fn problems_json(arg: &Path, e: &anyhow::Error) -> serde_json::Value {
    let Some(se) = e.downcast_ref::<ScenarioError>() else {
        let message = format!("{e:#}");
        return serde_json::json!({ "input": arg.display().to_string(), "ok": false, "problems": [
            { "file": arg.display().to_string(), "line": null, "column": null, "field": "", "message": message }
        ] });
    };
    let problems: Vec<serde_json::Value> = se
        .problems()
        .iter()
        .map(|p| {
            serde_json::json!({
                "file": se.file(), "line": p.line, "column": p.column, "field": p.path, "message": p.message,
            })
        })
        .collect();
    serde_json::json!({ "input": arg.display().to_string(), "ok": false, "problems": problems })
}

fn cmd_keys(shards: u32, json: bool, keys: &[String]) -> Result<()> {
    if shards == 0 || shards > limits::MAX_SHARDS_PER_STREAM {
        bail!(BadInput(format!(
            "--shards {shards}: expected 1..={} (shards per stream)",
            limits::MAX_SHARDS_PER_STREAM
        )));
    }
    for k in keys {
        let n = k.chars().count();
        if n == 0 || n > limits::PARTITION_KEY_MAX_CHARS {
            bail!(BadInput(format!(
                "partition key {k:?} has {n} characters: expected 1..={}",
                limits::PARTITION_KEY_MAX_CHARS
            )));
        }
    }
    let map = ShardMap::uniform(shards);
    if !json {
        outln!("{:<32} {:>40} {:>6}  shard_id", "partition_key", "hash_key", "shard")?;
    }
    for k in keys {
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

fn cmd_list(json: bool) -> Result<()> {
    if json {
        let all: Vec<serde_json::Value> = library::ALL
            .iter()
            .map(|b| serde_json::json!({ "name": b.name, "summary": b.summary() }))
            .collect();
        return outln!("{}", serde_json::to_string_pretty(&all).expect("JSON serialises"));
    }
    let width = library::ALL.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in library::ALL {
        outln!("{:<width$}  {}", b.name, b.summary())?;
    }
    outln!("\nrun one: kinesim run NAME    its settings: kinesim explain NAME    lessons: docs/tutorial.md")
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

/// Write a report folder; a folder kinesim may not replace is bad input (exit code 2). A
/// report of other scenario files replaced (a copy that kept its `name`) is noted.
fn write_report(
    dir: &Path,
    kind: &str,
    scenario: &str,
    args: &ReportArgs,
    protect: &[PathBuf],
    origins: &[&Origin],
    files: &[(String, Vec<u8>)],
) -> Result<()> {
    let labels: Vec<String> = origins.iter().map(|o| o.label()).collect();
    let sources: Vec<report::writer::Source> = origins
        .iter()
        .zip(&labels)
        .map(|(o, label)| match o {
            Origin::File(p) => report::writer::Source::File(p),
            _ => report::writer::Source::Named(label),
        })
        .collect();
    let folder =
        report::writer::Folder { dir, kind, scenario, overwrite: args.overwrite, protect, sources: &sources };
    let written = report::writer::write_folder(&folder, files).map_err(|e| match e {
        report::writer::WriteError::Refused(_) => anyhow::Error::new(e),
        io => anyhow::Error::new(io).context(format!("writing the report to {}", dir.display())),
    })?;
    if let Some((theirs, ours)) = written.replaced_other {
        eprintln!(
            "note: {} held the report of {} and now holds that of {} (same scenario name {scenario:?}); give a \
             copied scenario its own `name` to keep both reports",
            dir.display(),
            theirs.join(", "),
            ours.join(", ")
        );
    }
    Ok(())
}

/// Refuse an enormous run before starting it, with the knob to change (unless `--force`).
/// `size` guards every point of its grid as `run` guards one run (bisection runs some of them);
/// the first point refused names itself.
fn guard_sweep(sc: &scenario::Scenario, settings: &scenario::SizeSettings, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let base = kinesim::size::under(sc, settings.bound);
    for p in kinesim::size::grid_points(&base, settings) {
        let one = kinesim::size::point_scenario(&base, p, base.seed);
        if let Some(why) = experiment::estimate(&one).refusal(&one) {
            bail!(BadInput(format!("{}, point {}: {why}", sc.name, p.label())));
        }
    }
    Ok(())
}

fn guard(sc: &kinesim::scenario::Scenario, force: bool) -> Result<()> {
    if let Some(why) = experiment::estimate(sc).refusal(sc) {
        if !force {
            bail!(BadInput(format!("{}: {why}", sc.name)));
        }
    }
    Ok(())
}

/// Write the sizing report folder and print the table (or sizing.json); `Unmet` (exit 1) when
/// no configuration meets the SLO.
fn write_sizing(
    sc: &scenario::Scenario,
    sizing: &kinesim::size::Sizing,
    args: &ReportArgs,
    protect: &[PathBuf],
    origin: &Origin,
) -> Result<()> {
    let files = report::render_sizing(sizing).context("rendering the charts")?;
    let dir = args.out.clone().unwrap_or_else(|| report::writer::default_dir(&format!("size-{}", sc.name)));
    write_report(&dir, "size", &sc.name, args, protect, &[origin], &files)?;
    if args.json {
        out!("{}", String::from_utf8_lossy(&files[0].1))?;
    } else if !args.quiet {
        out!("{}", report::size::text(sizing))?;
        for w in experiment::warnings(sc) {
            outln!("note: {w}")?;
        }
        outln!("  report: {}/ (sizing.json, sizing.csv, size-*.svg)", dir.display())?;
    }
    if sizing.recommendation.is_none() {
        return Err(Unmet(format!(
            "size {}: no configuration of the {} tried meets the SLO in every seed (exit code 1); the report \
             says how close each came",
            sc.name,
            sizing.points.len()
        ))
        .into());
    }
    Ok(())
}

/// Two variants of one comparison need names of their own (each names its report folder); the
/// error names both inputs and the line of each `name`.
fn check_variant_names(origins: &[Origin], loaded: &[scenario::Scenario]) -> Result<()> {
    for (j, b) in loaded.iter().enumerate() {
        if let Some(i) = loaded[..j].iter().position(|a| a.name == b.name) {
            bail!(BadInput(format!(
                "{}: name: the variant {:?} has the same name as the variant of {}: give each scenario its own \
                 `name` (it names the variant's report folder)",
                origins[j].located("name"),
                b.name,
                origins[i].located("name"),
            )));
        }
    }
    Ok(())
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

/// Where a scenario came from: a file, a bundled scenario, or standard input.
enum Origin {
    File(PathBuf),
    Bundled(&'static library::Bundled),
    Stdin(String),
}

impl Origin {
    /// How messages name it.
    fn label(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Bundled(b) => format!("{}.toml (bundled)", b.name),
            Origin::Stdin(_) => STDIN_LABEL.to_string(),
        }
    }

    /// Inputs a report folder must never replace.
    fn protect(&self) -> Vec<PathBuf> {
        match self {
            Origin::File(p) => vec![p.clone()],
            _ => Vec::new(),
        }
    }

    /// `label:line:column` of `field` (the label alone when it cannot be found).
    fn located(&self, field: &str) -> String {
        let text = match self {
            Origin::File(p) => std::fs::read_to_string(p).ok(),
            Origin::Bundled(b) => Some(b.text.to_string()),
            Origin::Stdin(t) => Some(t.clone()),
        };
        match text.and_then(|t| scenario::position_of(&t, field)) {
            Some((line, column)) => format!("{}:{line}:{column}", self.label()),
            None => self.label(),
        }
    }
}

/// How messages name standard input.
const STDIN_LABEL: &str = "<stdin>";

/// Standard input, read at most once per command (a second `-` is bad input).
#[derive(Default)]
struct Stdin {
    taken: bool,
}

impl Stdin {
    fn read(&mut self) -> Result<String> {
        use std::io::Read as _;
        if std::mem::replace(&mut self.taken, true) {
            bail!(BadInput("`-` (standard input) can be given only once".into()));
        }
        let limit = defaults::SCENARIO_FILE_MAX_BYTES;
        let mut bytes = Vec::new();
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes).context("reading standard input")?;
        if bytes.len() as u64 > limit {
            bail!(BadInput(format!("{STDIN_LABEL}: larger than {} bytes: is it a scenario?", limit)));
        }
        String::from_utf8(bytes).map_err(|e| {
            anyhow::Error::new(BadInput(format!(
                "{STDIN_LABEL}: not UTF-8 text (invalid byte at offset {}); is it a scenario?",
                e.utf8_error().valid_up_to()
            )))
        })
    }
}

/// A scenario file, `-` for standard input (relative trace paths then resolve against the
/// current directory), or else a bundled scenario of that name (so `kinesim run hot-key` works
/// from any directory). A name that is neither gets a suggestion.
fn load_scenario(arg: &Path, stdin: &mut Stdin) -> Result<(scenario::Scenario, Origin)> {
    if arg == Path::new("-") {
        let text = stdin.read()?;
        let sc = scenario::parse_str(&text, Some(Path::new(STDIN_LABEL)))?;
        return Ok((sc, Origin::Stdin(text)));
    }
    if !arg.exists() {
        if let Some(b) = arg.to_str().and_then(library::find) {
            return Ok((b.scenario()?, Origin::Bundled(b)));
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
    Ok((scenario::load(arg)?, Origin::File(arg.to_path_buf())))
}
