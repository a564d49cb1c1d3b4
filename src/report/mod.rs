//! Reports: pure renderers from a [`crate::metrics::RunResult`] to bytes, and one writer that
//! owns the file system and writes a report folder atomically.

pub mod charts;
pub mod compare;
pub mod csv;
pub mod html;
pub mod json;
pub mod size;
pub mod text;
pub mod verdict;
pub mod writer;

use crate::metrics::RunResult;
use crate::scenario::Scenario;

/// Every file of a run's report folder, rendered in memory: (file name, bytes), in a fixed order.
/// `sc` is the scenario that ran: `report.html` lists its settings and assumptions.
pub fn render_all(r: &RunResult, sc: &Scenario) -> Result<Vec<(String, Vec<u8>)>, charts::ChartError> {
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
    files.push(("report.html".to_string(), html::render_with(r, sc, &svgs)));
    for (name, svg) in svgs {
        files.push((name.to_string(), svg.into_bytes()));
    }
    Ok(files)
}
