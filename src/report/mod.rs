//! Reports: pure renderers from a run and its bill ([`Outcome`]) (or the runs of a comparison, or
//! a sizing sweep) to bytes, and one writer that owns the file system and writes a report
//! folder atomically. [`render_all`], [`render_compare`] and [`render_sizing`] list every file
//! of a `run`, `compare` and `size` report folder, in a fixed order.

pub mod charts;
pub mod compare;
pub mod compare_html;
pub mod csv;
pub mod html;
pub mod json;
pub mod size;
pub mod text;
pub mod verdict;
pub mod words;
pub mod writer;

use crate::experiment::Outcome;
use crate::scenario::Scenario;
use crate::size::Sizing;

/// Every file of a run's report folder, rendered in memory: (file name, bytes), in a fixed order.
/// `sc` is the scenario that ran: `report.html` lists its settings and assumptions.
pub fn render_all(r: &Outcome, sc: &Scenario) -> Result<Vec<(String, Vec<u8>)>, charts::ChartError> {
    let mut files = vec![
        ("summary.json".to_string(), json::render(r)),
        ("timeseries.csv".to_string(), csv::timeseries(r)),
        ("latency.csv".to_string(), csv::latency(r)),
        ("shards.csv".to_string(), csv::shards(r)),
    ];
    if !r.trace.is_empty() {
        files.push(("trace.csv".to_string(), csv::trace(r)));
    }
    if !r.consumers.is_empty() {
        files.push(("consumers.csv".to_string(), csv::consumers(r)));
    }
    let svgs = run_svgs(r)?;
    files.push(("report.html".to_string(), html::render_with(r, sc, &svgs)));
    for (name, svg) in svgs {
        files.push((name.to_string(), svg.into_bytes()));
    }
    Ok(files)
}

/// Every chart of a run's report, (file name, SVG), in the order the folder and report.html
/// show them: the run's charts, per-minute, then the consumer charts when there are consumers.
pub fn run_svgs(r: &Outcome) -> Result<Vec<(&'static str, String)>, charts::ChartError> {
    let mut svgs = charts::all_svgs(r)?;
    svgs.push(("per-minute.svg", charts::per_minute_svg(r)?));
    if let Some(svg) = charts::consumer_lag_svg(r)? {
        svgs.push(("consumer-lag.svg", svg));
    }
    if let Some(svg) = charts::consumer_reads_svg(r)? {
        svgs.push(("consumer-reads.svg", svg));
    }
    if let Some(svg) = charts::consumer_latency_svg(r)? {
        svgs.push(("consumer-latency.svg", svg));
    }
    Ok(svgs)
}

/// A comparison's report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
    /// The variant `scenarios[index]` is named like one of compare's own files: its report
    /// folder would take that file's place.
    #[error("the variant {name:?} would put its report folder over compare's own {name}")]
    NameTaken { index: usize, name: String },
}

/// Every file of a comparison's report folder, rendered in memory: `comparison.json`,
/// `comparison.csv`, `report.html`, the compare charts, then each variant's report folder ([`render_all`])
/// under `<variant>/`. `scenarios[i]` is the scenario that ran as `results[i]`.
pub fn render_compare(
    results: &[Outcome],
    scenarios: &[Scenario],
) -> Result<Vec<(String, Vec<u8>)>, CompareError> {
    let mut files = vec![
        ("comparison.json".to_string(), compare::json(results)),
        ("comparison.csv".to_string(), compare::csv(results)),
    ];
    let svgs = charts::compare_svgs(results)?;
    files.push(("report.html".to_string(), compare_html::render(results, scenarios, &svgs)));
    for (name, svg) in svgs {
        files.push((name.to_string(), svg.into_bytes()));
    }
    // A variant's folder must not take the name of one of compare's own files.
    let own: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    for (index, sc) in scenarios.iter().enumerate() {
        if own.contains(&sc.name) {
            return Err(CompareError::NameTaken { index, name: sc.name.clone() });
        }
    }
    for (r, sc) in results.iter().zip(scenarios) {
        for (name, bytes) in render_all(r, sc)? {
            files.push((format!("{}/{name}", r.scenario), bytes));
        }
    }
    Ok(files)
}

/// Every file of a sizing report folder, rendered in memory: `sizing.json`, `sizing.csv` and
/// the sizing charts, in a fixed order.
pub fn render_sizing(sizing: &Sizing) -> Result<Vec<(String, Vec<u8>)>, charts::ChartError> {
    let mut files =
        vec![("sizing.json".to_string(), size::json(sizing)), ("sizing.csv".to_string(), size::csv(sizing))];
    for (name, svg) in charts::size_svgs(sizing)? {
        files.push((name.to_string(), svg.into_bytes()));
    }
    Ok(files)
}
