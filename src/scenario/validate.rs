//! From the serde mirror ([`RawScenario`]) to the validated [`Scenario`]: units applied, defaults
//! filled in, ranges and cross-field rules checked, `engine.mode = "auto"` resolved.
//!
//! Every problem is collected with its field path (`producers[1].record_size`); the caller puts
//! line numbers on them. Nothing here panics, whatever the input.
//!
//! Only orchestrates: checks the top-level fields (`name`, `description`, `seed`, `duration`),
//! calls one validator per section in order, applies the rules that join sections (on-demand
//! initial shards, the write-limit bounds, the EFO limit under On-demand Advantage, the engine
//! mode) and assembles the [`Scenario`]. May call: `checker`, `raw`, `types`, `defaults` and the
//! section validators (`stream`, `producers`, `engine`, `capacity`, `cost`, `consumers`,
//! `size`); none of them calls it.

use super::checker::{duration, int, text, Checker, Found};
use super::defaults as d;
use super::raw::RawScenario;
use super::types::*;
use super::{capacity, consumers, cost, engine, producers, size, stream};
use crate::limits;
use std::path::Path;

/// Validate `raw`. Relative trace files resolve against `base_dir`; `source` is recorded.
pub(crate) fn validate(
    raw: &RawScenario,
    base_dir: &Path,
    source: Option<&Path>,
) -> Result<Scenario, Vec<Found>> {
    let mut c = Checker::default();
    let name = match &raw.name {
        None => c.missing(
            "name",
            "give the scenario a `name` (it names the report folder), like name = \"peak-hour\"",
        ),
        Some(v) => text(&mut c, "name", v).and_then(|s| scenario_name(&mut c, s)),
    };
    let description = match &raw.description {
        None => Some(String::new()),
        Some(v) => text(&mut c, "description", v).map(str::to_string),
    };
    let seed = match &raw.seed {
        None => Some(d::SEED),
        Some(v) => int(&mut c, "seed", v, 0, i64::MAX, "").map(|s| s as u64),
    };
    let run = match &raw.duration {
        None => c.missing("duration", "say how long to simulate, like duration = \"10m\""),
        Some(v) => duration(&mut c, "duration", v, 1, d::DURATION_MAX, ""),
    };
    let stream = match &raw.stream {
        None => c.missing("stream", "add a [stream] table with at least `shards = 1`"),
        Some(s) => stream::stream(&mut c, s),
    };
    let max_record = stream.as_ref().map(|s: &Stream| s.max_record_size);
    let producers: Option<Vec<Producer>> = match &raw.producers {
        None => c.missing("producers", "add at least one [[producers]] table"),
        Some(list) if list.is_empty() => {
            c.err("producers", "a scenario needs at least one [[producers]] table");
            None
        }
        Some(list) => {
            let all: Vec<Option<Producer>> = list
                .iter()
                .enumerate()
                .map(|(i, p)| producers::producer(&mut c, i, p, max_record, base_dir))
                .collect();
            producers::unique_names(&mut c, list);
            all.into_iter().collect()
        }
    };
    let engine = engine::engine(&mut c, raw.engine.as_ref());
    // `stream.write_limit` set explicitly picks one enforcement model and runs it alone.
    let pinned = raw.stream.as_ref().is_some_and(|s| s.write_limit.is_some());
    let bounds = match engine::bounds(&mut c, raw.engine.as_ref()) {
        None => None,
        Some(None) if pinned => Some(Bounds::One(Bound::Strict)),
        Some(None) => Some(Bounds::Both),
        Some(Some(_)) if pinned => {
            c.err(
                "engine.bounds",
                "stream.write_limit is set, so this run uses that one enforcement model alone; remove \
                 stream.write_limit to report the strict and lenient bounds (engine.bounds), or remove engine.bounds",
            );
            None
        }
        Some(Some(b)) => Some(b),
    };
    let on_demand = stream.as_ref().is_some_and(|s: &Stream| s.mode == CapacityMode::OnDemand);
    let capacity = capacity::capacity(&mut c, raw.capacity.as_ref(), run, on_demand);
    let stream = stream.map(|mut s| {
        if let (true, Some(cap)) = (on_demand, &capacity) {
            s.shards = cap.on_demand.initial_shards.max(capacity::warm_shards(cap.on_demand.warm_throughput));
        }
        s
    });
    let cost = cost::cost(&mut c, raw.cost.as_ref());
    let consumers = consumers::consumers(
        &mut c,
        raw.consumers.as_ref(),
        run,
        if cost.as_ref().is_some_and(|k| k.advantage) {
            limits::EFO_MAX_CONSUMERS_ADVANTAGE
        } else {
            limits::EFO_MAX_CONSUMERS
        },
    );
    let has_consumers = raw.consumers.as_ref().is_some_and(|l| !l.is_empty());
    let size = size::size_table(&mut c, raw.size.as_ref(), raw.capacity.as_ref(), has_consumers);

    let (
        Some(name),
        Some(description),
        Some(seed),
        Some(run),
        Some(stream),
        Some(producers),
        Some((mode, tick, trace_records)),
        Some(capacity),
        Some(cost),
        Some(consumers),
        Some(bounds),
    ) = (name, description, seed, run, stream, producers, engine, capacity, cost, consumers, bounds)
    else {
        if c.found.is_empty() {
            c.err("", "the scenario is incomplete (internal: a check failed without saying why)");
        }
        return Err(c.found);
    };
    if !c.found.is_empty() {
        return Err(c.found);
    }
    let aggregating = producers.iter().position(|p| p.aggregation.is_some());
    let mode = match mode {
        Some(EngineMode::Aggregated) if aggregating.is_some() => {
            let i = aggregating.unwrap_or(0);
            c.err(
                &format!("producers[{i}].aggregation"),
                "KPL aggregation is modelled record by record: set engine.mode = \"per-record\" (or \"auto\")",
            );
            return Err(c.found);
        }
        Some(m) => m,
        None if aggregating.is_some() => EngineMode::PerRecord,
        None => {
            let expected: f64 = producers.iter().map(|p| p.rate.integral(0, run)).sum();
            if expected <= d::AUTO_PER_RECORD_MAX_RECORDS {
                EngineMode::PerRecord
            } else {
                EngineMode::Aggregated
            }
        }
    };
    Ok(Scenario {
        name,
        description,
        seed,
        duration: run,
        stream,
        producers,
        engine: EngineSettings { mode, tick, trace_records, bounds },
        capacity,
        consumers,
        cost,
        source: source.map(Path::to_path_buf),
        // Every failure of `size_table` is in `c.found`, checked above.
        size: size.flatten(),
    })
}

fn scenario_name(c: &mut Checker, s: &str) -> Option<String> {
    let ok_chars = s.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-'));
    let n = s.chars().count();
    if !ok_chars || n == 0 || n > d::NAME_MAX_CHARS || s.chars().all(|ch| ch == '.') {
        c.err(
            "name",
            format!(
                "must be 1 to {} characters of A-Z, a-z, 0-9, '.', '_' or '-', and not only dots (it names the report folder); found {s:?}",
                d::NAME_MAX_CHARS
            ),
        );
        return None;
    }
    Some(s.to_string())
}
