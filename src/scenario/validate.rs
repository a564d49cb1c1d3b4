//! From the serde mirror ([`RawScenario`]) to the validated [`Scenario`]: units applied, defaults
//! filled in, ranges and cross-field rules checked, `engine.mode = "auto"` resolved.
//!
//! Every problem is collected with its field path (`producers[1].record_size`); the caller puts
//! line numbers on them. Nothing here panics, whatever the input.

use super::defaults as d;
use super::error::{did_you_mean, or_list};
use super::raw::*;
use super::trace;
use super::types::*;
use crate::units::{
    format_bytes, format_duration, parse_bytes, parse_duration, thousands, SimTime, UnitError,
};
use std::path::Path;

/// A problem before it has a position: (field path, message).
pub(crate) type Found = (String, String);

/// Collects problems.
#[derive(Default)]
pub(super) struct Checker {
    pub(super) found: Vec<Found>,
}

impl Checker {
    pub(super) fn err(&mut self, path: &str, message: impl Into<String>) {
        self.found.push((path.to_string(), message.into()));
    }

    /// Report a missing required field; always `None`.
    pub(super) fn missing<T>(&mut self, path: &str, hint: &str) -> Option<T> {
        self.err(path, format!("missing required field; {hint}"));
        None
    }
}

pub(super) fn field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

// ---- Leaf checks: each reports its own problem and returns None on failure -----------------

pub(super) fn text<'a>(c: &mut Checker, path: &str, v: &'a Scalar) -> Option<&'a str> {
    match v {
        Scalar::Str(s) => Some(s),
        other => {
            c.err(path, format!("expected a string, found {}", other.describe()));
            None
        }
    }
}

/// A whole number in `min..=max`; `why` explains the bounds.
pub(super) fn int(c: &mut Checker, path: &str, v: &Scalar, min: i64, max: i64, why: &str) -> Option<i64> {
    match v {
        Scalar::Int(n) if (min..=max).contains(n) => Some(*n),
        Scalar::Int(n) => {
            c.err(
                path,
                format!(
                    "{}, found {n}",
                    range_words(&thousands_i(min), &thousands_i(max), max == i64::MAX, why)
                ),
            );
            None
        }
        other => {
            c.err(path, format!("expected a whole number, found {}", other.describe()));
            None
        }
    }
}

fn thousands_i(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(n.unsigned_abs()))
    } else {
        thousands(n as u64)
    }
}

fn range_words(min: &str, max: &str, unbounded: bool, why: &str) -> String {
    let why = if why.is_empty() { String::new() } else { format!(" ({why})") };
    if unbounded {
        format!("must be at least {min}{why}")
    } else {
        format!("must be between {min} and {max}{why}")
    }
}

/// A finite number in `min..=max`.
pub(super) fn num(c: &mut Checker, path: &str, v: &Scalar, min: f64, max: f64, why: &str) -> Option<f64> {
    let x = match v {
        Scalar::Int(n) => *n as f64,
        Scalar::Float(x) => *x,
        other => {
            c.err(path, format!("expected a number, found {}", other.describe()));
            return None;
        }
    };
    if !x.is_finite() {
        c.err(path, format!("must be a finite number, found {}", v.describe()));
        return None;
    }
    let why = if why.is_empty() { String::new() } else { format!(" ({why})") };
    if x < min {
        c.err(path, format!("must be at least {}{why}, found {}", fmt_num(min), v.describe()));
        return None;
    }
    if x > max {
        c.err(path, format!("must be at most {}{why}, found {}", fmt_num(max), v.describe()));
        return None;
    }
    Some(x)
}

/// A number greater than 0 (and finite, at most `max`).
pub(super) fn positive(c: &mut Checker, path: &str, v: &Scalar, max: f64, why: &str) -> Option<f64> {
    let x = num(c, path, v, 0.0, max, why)?;
    if x == 0.0 {
        c.err(path, "must be greater than 0");
        return None;
    }
    Some(x)
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

const DURATION_LIKE: &str =
    "a duration like \"90s\", \"250ms\", \"15m\" or \"1.5h\" (units us, ms, s, m, h, d)";

/// A duration string, in `min..=max` [µs].
/// Shards needed for a warm throughput [bytes/s]: one per MiB/s.
pub(super) fn warm_shards(warm: u64) -> u32 {
    warm.div_ceil(d::SHARD_WRITE_BYTES_PER_S) as u32
}

pub(super) fn duration(
    c: &mut Checker,
    path: &str,
    v: &Scalar,
    min: SimTime,
    max: SimTime,
    why: &str,
) -> Option<SimTime> {
    let s = match v {
        Scalar::Str(s) => s,
        Scalar::Int(_) | Scalar::Float(_) => {
            c.err(
                path,
                format!(
                    "durations are strings with a unit, like \"90s\" or \"250ms\"; found {}",
                    v.describe()
                ),
            );
            return None;
        }
        other => {
            c.err(path, format!("expected {DURATION_LIKE}, found {}", other.describe()));
            return None;
        }
    };
    let why_s = if why.is_empty() { String::new() } else { format!(" ({why})") };
    match parse_duration(s) {
        Ok(t) if t < min && min == 1 => c.err(path, format!("must be greater than 0{why_s}, found {s:?}")),
        Ok(t) if t < min => {
            c.err(path, format!("must be at least {}{why_s}, found {s:?}", format_duration(min)))
        }
        Ok(t) if t > max => {
            c.err(path, format!("must be at most {}{why_s}, found {s:?}", format_duration(max)))
        }
        Ok(t) => return Some(t),
        Err(UnitError::Negative) => c.err(path, format!("must not be negative, found {s:?}")),
        Err(UnitError::Overflow) => {
            c.err(path, format!("{s:?} is too long (at most {})", format_duration(max)))
        }
        Err(UnitError::Malformed) => match crate::units::trim_hint(s, parse_duration) {
            Some(t) => c.err(path, format!("expected {t:?} (no spaces around the value), found {s:?}")),
            None => c.err(path, format!("expected {DURATION_LIKE}, found {s:?}")),
        },
    }
    None
}

const SIZE_LIKE: &str = "a size like \"100B\", \"1KiB\" or \"2MiB\" (units B, KB, MB, GB, KiB, MiB, GiB)";

/// A size: a string with a unit (a bare number is refused); in `min..=max` [bytes].
pub(super) fn size(c: &mut Checker, path: &str, v: &Scalar, min: u64, max: u64, like: &str) -> Option<u64> {
    let (bytes, shown) = match v {
        Scalar::Str(s) => match parse_bytes(s) {
            Ok(b) => (b, format!("{s:?}")),
            Err(UnitError::Negative) => {
                c.err(path, format!("must not be negative, found {s:?}"));
                return None;
            }
            Err(UnitError::Overflow) => {
                c.err(path, format!("{s:?} is too large"));
                return None;
            }
            Err(UnitError::Malformed) => {
                match crate::units::trim_hint(s, parse_bytes) {
                    Some(t) => {
                        c.err(path, format!("expected {t:?} (no spaces around the value), found {s:?}"))
                    }
                    None => c.err(path, format!("expected {like}, found {s:?}")),
                }
                return None;
            }
        },
        // Units are always written, as for durations: `100` could be bytes, KiB or records.
        Scalar::Int(n) if *n >= 0 => {
            c.err(path, format!("sizes are strings with a unit, like \"{n}B\" or \"1KiB\"; found {n}"));
            return None;
        }
        Scalar::Int(n) => {
            c.err(path, format!("must not be negative, found {n}"));
            return None;
        }
        other => {
            c.err(path, format!("expected {like}, found {}", other.describe()));
            return None;
        }
    };
    if bytes < min {
        let least = if min == 1 { "1 byte".to_string() } else { format_bytes(min) };
        c.err(path, format!("must be at least {least}, found {shown}"));
        return None;
    }
    if bytes > max {
        c.err(path, format!("must be at most {}, found {shown}", format_bytes(max)));
        return None;
    }
    Some(bytes)
}

/// One of `options`, with a suggestion when it looks like a typo.
pub(super) fn choice<'o>(c: &mut Checker, path: &str, v: &Scalar, options: &[&'o str]) -> Option<&'o str> {
    let expected =
        if options.len() > 2 { format!("one of {}", or_list(options, '"')) } else { or_list(options, '"') };
    match v {
        Scalar::Str(s) => {
            if let Some(o) = options.iter().find(|o| **o == s.as_str()) {
                return Some(o);
            }
            let hint = did_you_mean(s, options.iter().copied())
                .map_or(String::new(), |m| format!("; did you mean \"{m}\"?"));
            c.err(path, format!("expected {expected}, found {s:?}{hint}"));
        }
        other => c.err(path, format!("expected {expected}, found {}", other.describe())),
    }
    None
}

/// Report fields present in a tagged table that the chosen tag does not use.
pub(super) fn only_fields(
    c: &mut Checker,
    prefix: &str,
    tag: &str,
    tag_value: &str,
    present: &[&str],
    allowed: &[&str],
) {
    for f in present.iter().filter(|f| !allowed.contains(f)) {
        let its = if allowed.is_empty() {
            "it takes no other fields".to_string()
        } else {
            format!("its fields: {}", allowed.join(", "))
        };
        c.err(&field(prefix, f), format!("`{f}` does not apply to {tag} = \"{tag_value}\" ({its})"));
    }
}

// ---- The scenario ---------------------------------------------------------------------------

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
        Some(s) => stream(&mut c, s),
    };
    let max_record = stream.as_ref().map(|s: &Stream| s.max_record_size);
    let producers: Option<Vec<Producer>> = match &raw.producers {
        None => c.missing("producers", "add at least one [[producers]] table"),
        Some(list) if list.is_empty() => {
            c.err("producers", "a scenario needs at least one [[producers]] table");
            None
        }
        Some(list) => {
            let all: Vec<Option<Producer>> =
                list.iter().enumerate().map(|(i, p)| producer(&mut c, i, p, max_record, base_dir)).collect();
            unique_names(&mut c, list);
            all.into_iter().collect()
        }
    };
    let engine = engine(&mut c, raw.engine.as_ref());
    // `stream.write_limit` set explicitly picks one enforcement model and runs it alone.
    let pinned = raw.stream.as_ref().is_some_and(|s| s.write_limit.is_some());
    let bounds = match bounds(&mut c, raw.engine.as_ref()) {
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
    let capacity = super::capacity::capacity(&mut c, raw.capacity.as_ref(), run, on_demand);
    let stream = stream.map(|mut s| {
        if let (true, Some(cap)) = (on_demand, &capacity) {
            s.shards = cap.on_demand.initial_shards.max(warm_shards(cap.on_demand.warm_throughput));
        }
        s
    });
    let cost = super::cost::cost(&mut c, raw.cost.as_ref());
    let consumers = super::consumers::consumers(
        &mut c,
        raw.consumers.as_ref(),
        run,
        if cost.as_ref().is_some_and(|k| k.advantage) {
            d::EFO_MAX_CONSUMERS_ADVANTAGE
        } else {
            d::EFO_MAX_CONSUMERS
        },
    );
    let has_consumers = raw.consumers.as_ref().is_some_and(|l| !l.is_empty());
    let size = size_table(&mut c, raw.size.as_ref(), raw.capacity.as_ref(), has_consumers);

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

fn unique_names(c: &mut Checker, list: &[RawProducer]) {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(Scalar::Str(name)) = &p.name else { continue };
        match seen.iter().find(|(n, _)| *n == name.as_str()) {
            Some((_, first)) => c.err(
                &format!("producers[{i}].name"),
                format!("duplicate producer name {name:?} (also producers[{first}]); names must be unique"),
            ),
            None => seen.push((name, i)),
        }
    }
}

fn stream(c: &mut Checker, s: &RawStream) -> Option<Stream> {
    let mode = match &s.mode {
        None => Some(CapacityMode::Provisioned),
        Some(v) => match choice(c, "stream.mode", v, &["provisioned", "on-demand"]) {
            Some("provisioned") => Some(CapacityMode::Provisioned),
            Some(_) => Some(CapacityMode::OnDemand),
            None => None,
        },
    };
    let shards = match (&s.shards, mode) {
        (Some(_), Some(CapacityMode::OnDemand)) => {
            c.err(
                "stream.shards",
                "an on-demand stream manages its own shards; remove `shards` (the initial capacity is \
                 capacity.on_demand.initial_shards, 4 by default as AWS starts new streams)",
            );
            None
        }
        // Filled from capacity.on_demand.initial_shards once that is validated.
        (None, Some(CapacityMode::OnDemand)) => Some(0),
        (None, _) => c.missing("stream.shards", "a provisioned stream needs `shards = N`"),
        (Some(v), _) => int(c, "stream.shards", v, 1, d::MAX_SHARDS_PER_STREAM.into(), "shards per stream")
            .map(|n| n as u32),
    };
    let retention = match &s.retention {
        None => Some(d::RETENTION),
        Some(v) => duration(
            c,
            "stream.retention",
            v,
            d::RETENTION,
            d::RETENTION_MAX,
            "Kinesis retention is 24h to 8760h",
        ),
    };
    let max_record_size = match &s.max_record_size {
        None => Some(d::STREAM_MAX_RECORD_SIZE),
        Some(v) => size(
            c,
            "stream.max_record_size",
            v,
            d::MIN_RECORD_SIZE_LIMIT,
            d::MAX_RECORD_SIZE_LIMIT,
            SIZE_LIKE,
        ),
    };
    let write_limit = match &s.write_limit {
        None => Some(WriteLimitModel::FixedWindow),
        Some(v) => match choice(c, "stream.write_limit", v, &["window", "token-bucket"])? {
            "window" => Some(WriteLimitModel::FixedWindow),
            _ => Some(WriteLimitModel::TokenBucket { burst: crate::units::secs(1) }),
        },
    };
    let burst_bytes = match &s.burst_bytes {
        None => Some(d::BURST_BYTES),
        Some(v) => {
            size(c, "stream.burst_bytes", v, d::SHARD_WRITE_BYTES_PER_S, d::BURST_BYTES_MAX, SIZE_LIKE)
        }
    };
    if let (Some(max), Some(burst)) = (max_record_size, burst_bytes) {
        if burst < max {
            c.err(
                "stream.burst_bytes",
                format!(
                    "a record of {} (stream.max_record_size) could never be admitted by a tank of {}; \
                     raise burst_bytes to at least max_record_size",
                    format_bytes(max),
                    format_bytes(burst)
                ),
            );
        }
    }
    let lenient_burst = match &s.lenient_burst {
        None => Some(d::LENIENT_BURST),
        Some(v) => duration(
            c,
            "stream.lenient_burst",
            v,
            d::LENIENT_BURST_MIN,
            d::LENIENT_BURST_MAX,
            "seconds of the per-shard limit the lenient bound's bucket holds",
        ),
    };
    Some(Stream {
        mode: mode?,
        shards: shards?,
        retention: retention?,
        max_record_size: max_record_size?,
        write_limit: write_limit?,
        burst_bytes: burst_bytes?,
        lenient_burst: lenient_burst?,
    })
}

/// `engine.bounds`: `None` when not set.
fn bounds(c: &mut Checker, e: Option<&RawEngine>) -> Option<Option<Bounds>> {
    let Some(v) = e.and_then(|e| e.bounds.as_ref()) else { return Some(None) };
    choice(c, "engine.bounds", v, &["both", "strict", "lenient"]).map(|b| {
        Some(match b {
            "both" => Bounds::Both,
            "strict" => Bounds::One(Bound::Strict),
            _ => Bounds::One(Bound::Lenient),
        })
    })
}

fn engine(c: &mut Checker, e: Option<&RawEngine>) -> Option<(Option<EngineMode>, SimTime, u32)> {
    let Some(e) = e else { return Some((None, d::TICK, d::TRACE_RECORDS)) };
    let mode = match &e.mode {
        None => Some(None),
        Some(v) => choice(c, "engine.mode", v, &["auto", "per-record", "aggregated"]).map(|m| match m {
            "per-record" => Some(EngineMode::PerRecord),
            "aggregated" => Some(EngineMode::Aggregated),
            _ => None,
        }),
    };
    let tick = match &e.tick {
        None => Some(d::TICK),
        Some(v) => duration(c, "engine.tick", v, d::TICK_MIN, d::TICK, "").and_then(|t| {
            if crate::units::MICROS_PER_SEC.is_multiple_of(t) {
                Some(t)
            } else {
                c.err(
                    "engine.tick",
                    format!(
                        "must divide 1s evenly (1s, 500ms, 250ms, 200ms, 100ms, ..., 1ms), found {:?}",
                        format_duration(t)
                    ),
                );
                None
            }
        }),
    };
    // A removed setting: say what replaced it rather than "unknown field".
    let removed = e.retry_spread.is_some();
    if removed {
        c.err(
            "engine.retry_spread",
            "was removed: aggregated mode now retries the refused records of each PutRecords call \
             together after one backoff, as per-record mode does (batch.max_records sets the call size); \
             delete this line",
        );
    }
    let trace = match &e.trace_records {
        None => Some(d::TRACE_RECORDS),
        Some(v) => int(c, "engine.trace_records", v, 0, d::TRACE_RECORDS_MAX.into(), "records traced")
            .map(|n| n as u32),
    };
    if removed {
        return None;
    }
    Some((mode?, tick?, trace?))
}

// ---- Producers ------------------------------------------------------------------------------

fn producer(
    c: &mut Checker,
    i: usize,
    p: &RawProducer,
    max_record: Option<u64>,
    base_dir: &Path,
) -> Option<Producer> {
    let at = |f: &str| format!("producers[{i}].{f}");
    let name = match &p.name {
        None => c.missing(&at("name"), "give each producer a unique `name`"),
        Some(v) => text(c, &at("name"), v).and_then(|s| {
            let n = s.chars().count();
            if n == 0 || n > d::PRODUCER_NAME_MAX_CHARS || s.chars().any(char::is_control) {
                c.err(
                    &at("name"),
                    format!("must be 1 to {} printable characters, found {s:?}", d::PRODUCER_NAME_MAX_CHARS),
                );
                None
            } else {
                Some(s.to_string())
            }
        }),
    };
    let rate = rate(c, &at("rate"), p.rate.as_ref(), base_dir);
    let arrivals = match &p.arrivals {
        None => Some(Arrivals::Poisson),
        Some(v) => match choice(c, &at("arrivals"), v, &["poisson", "uniform"])? {
            "poisson" => Some(Arrivals::Poisson),
            _ => Some(Arrivals::Uniform),
        },
    };
    // `spread` of a CloudWatch export: how a period's sum spreads over its seconds, i.e. the
    // producer's arrivals, named for what it does here.
    let spread = match &p.rate {
        Some(ScalarOr::Table(t)) => t.spread.as_ref().map(|v| {
            choice(c, &at("rate.spread"), v, &["evenly", "poisson"]).map(|s| {
                if s == "evenly" {
                    Arrivals::Uniform
                } else {
                    Arrivals::Poisson
                }
            })
        }),
        _ => None,
    };
    let arrivals = match (spread, arrivals, &p.arrivals) {
        (None, a, _) => a,
        (Some(s), _, None) => s,
        (Some(Some(s)), Some(a), Some(_)) if s != a => {
            c.err(
                &at("rate.spread"),
                "disagrees with the producer's `arrivals` (spread = \"evenly\" is arrivals = \"uniform\"); give one of them",
            );
            None
        }
        (Some(s), a, _) => s.and(a),
    };
    let record_size = record_size(c, &at("record_size"), p.record_size.as_ref());
    let keys = keys(c, &at("keys"), p.keys.as_ref());
    let batch = batch(c, &at("batch"), p.batch.as_ref());
    let retry = retry(c, &at("retry"), p.retry.as_ref());
    let buffer_records = match &p.buffer_records {
        None => Some(d::BUFFER_RECORDS),
        Some(v) => {
            int(c, &at("buffer_records"), v, 1, i64::MAX, "records the producer may hold").map(|n| n as u64)
        }
    };
    let put_rtt = put_rtt(c, &at("put_rtt"), p.put_rtt.as_ref());
    let aggregation =
        aggregation(c, &at("aggregation"), p.aggregation.as_ref(), max_record, &record_size, &keys, &batch);

    // Cross-field: the largest record must fit the stream's maximum record size.
    if let (Some(limit), Some((_, largest)), Some(keys)) = (max_record, &record_size, &keys) {
        let key_bytes = longest_key_bytes(keys);
        let total = largest.saturating_add(key_bytes);
        if total > limit {
            let raise = if limit < d::MAX_RECORD_SIZE_LIMIT && total <= d::MAX_RECORD_SIZE_LIMIT {
                format!(
                    "; raise stream.max_record_size (up to {}) or make records smaller",
                    format_bytes(d::MAX_RECORD_SIZE_LIMIT)
                )
            } else {
                String::new()
            };
            c.err(
                &at("record_size"),
                format!(
                    "a record (data + partition key) is at most {} (stream.max_record_size), but this producer's can reach {} of data + {} B of key = {}{raise}",
                    format_bytes(limit),
                    format_bytes(*largest),
                    key_bytes,
                    format_bytes(total)
                ),
            );
        }
    }
    // Cross-field: a PutRecords call of at most batch.max_bytes must hold one record. A record
    // above the API's call limit (a stream with max_record_size over 5 MiB) goes alone in a call,
    // so max_bytes then needs only that limit.
    if let (Some((_, largest)), Some(keys), Some(b)) = (&record_size, &keys, &batch) {
        let key_bytes = longest_key_bytes(keys);
        let one = largest.saturating_add(key_bytes);
        let needed = one.min(d::PUT_RECORDS_MAX_BYTES);
        if b.max_bytes < needed {
            let largest_is =
                if matches!(record_size, Some((SizeDist::LogNormal { .. }, _))) { "p99 " } else { "" };
            c.err(
                &at("batch.max_bytes"),
                format!(
                    "{} cannot hold one of this producer's records: {largest_is}{} of data + {key_bytes} B of key = {}; raise max_bytes to at least {}",
                    format_bytes(b.max_bytes),
                    format_bytes(*largest),
                    format_bytes(one),
                    format_bytes(needed)
                ),
            );
        }
    }
    Some(Producer {
        name: name?,
        rate: rate?,
        arrivals: arrivals?,
        record_size: record_size?.0,
        keys: keys?,
        batch: batch?,
        retry: retry?,
        buffer_records: buffer_records?,
        put_rtt: put_rtt?,
        aggregation: aggregation?,
    })
}

const SHAPES: [&str; 7] = ["constant", "steps", "ramp", "diurnal", "spike", "trace", "cloudwatch"];

fn rate(c: &mut Checker, path: &str, v: Option<&ScalarOr<RawRate>>, base_dir: &Path) -> Option<RateShape> {
    let rate_num = |c: &mut Checker, p: &str, v: &Scalar| num(c, p, v, 0.0, d::RATE_MAX, "records/s");
    let t = match v {
        None => {
            return c.missing(
                path,
                "give a `rate` in records/s, like rate = 1000, or a table like { shape = \"steps\", ... }",
            )
        }
        Some(ScalarOr::Scalar(Scalar::Str(s))) => {
            c.err(path, format!("expected a number of records/s (like rate = 1000) or a table {{ shape = ... }}, found {s:?}"));
            return None;
        }
        Some(ScalarOr::Scalar(s)) => return rate_num(c, path, s).map(RateShape::Constant),
        Some(ScalarOr::Table(t)) => t,
    };
    let shape = match &t.shape {
        None => {
            return c.missing(
                &field(path, "shape"),
                &format!("a rate table needs `shape`: {}", or_list(&SHAPES, '"')),
            )
        }
        Some(v) => choice(c, &field(path, "shape"), v, &SHAPES)?,
    };
    let allowed: &[&str] = match shape {
        "constant" => &["rate"],
        "steps" => &["steps"],
        "ramp" => &["from", "to", "start", "end"],
        "diurnal" => &["mean", "amplitude", "peak_hour"],
        "spike" => &["base", "peak", "start", "length"],
        "cloudwatch" => &["file", "metric", "scale", "spread"],
        _ => &["file", "scale"],
    };
    only_fields(c, path, "shape", shape, &t.present(), allowed);
    let need = |c: &mut Checker, name: &str, v: &Option<Scalar>| -> Option<Scalar> {
        match v {
            Some(s) => Some(s.clone()),
            None => c.missing(&field(path, name), &format!("shape \"{shape}\" needs {}", allowed.join(", "))),
        }
    };
    let f = |name: &str| field(path, name);
    match shape {
        "constant" => {
            let r = need(c, "rate", &t.rate)?;
            rate_num(c, &f("rate"), &r).map(RateShape::Constant)
        }
        "steps" => {
            let Some(steps) = &t.steps else {
                return c.missing(
                    &f("steps"),
                    "shape \"steps\" needs steps = [ { at = \"0s\", rate = 100 }, ... ]",
                );
            };
            if steps.is_empty() {
                c.err(&f("steps"), "needs at least one step, like { at = \"0s\", rate = 100 }");
                return None;
            }
            steps_points(c, &f("steps"), steps).map(RateShape::Steps)
        }
        "ramp" => {
            let (from, to, start, end) = (
                need(c, "from", &t.from),
                need(c, "to", &t.to),
                need(c, "start", &t.start),
                need(c, "end", &t.end),
            );
            let from = from.and_then(|v| rate_num(c, &f("from"), &v));
            let to = to.and_then(|v| rate_num(c, &f("to"), &v));
            let start = start.and_then(|v| duration(c, &f("start"), &v, 0, d::DURATION_MAX, ""));
            let end = end.and_then(|v| duration(c, &f("end"), &v, 0, d::DURATION_MAX, ""));
            if let (Some(s), Some(e)) = (start, end) {
                if e <= s {
                    c.err(
                        &f("end"),
                        format!(
                            "must be after start ({}), found {:?}",
                            format_duration(s),
                            format_duration(e)
                        ),
                    );
                    return None;
                }
            }
            Some(RateShape::Ramp { from: from?, to: to?, start: start?, end: end? })
        }
        "diurnal" => {
            let (mean, amplitude, peak_hour) = (
                need(c, "mean", &t.mean),
                need(c, "amplitude", &t.amplitude),
                need(c, "peak_hour", &t.peak_hour),
            );
            let mean = mean.and_then(|v| rate_num(c, &f("mean"), &v));
            let amplitude = amplitude.and_then(|v| rate_num(c, &f("amplitude"), &v));
            let peak_hour = peak_hour
                .and_then(|v| num(c, &f("peak_hour"), &v, 0.0, 24.0, "hour of the day, 0 <= h < 24"));
            if peak_hour == Some(24.0) {
                c.err(
                    &f("peak_hour"),
                    "must be less than 24 (hour of the day, 0 <= h < 24); use 0 for midnight",
                );
                return None;
            }
            if let (Some(m), Some(a)) = (mean, amplitude) {
                if m + a > d::RATE_MAX {
                    c.err(
                        &f("amplitude"),
                        format!("mean + amplitude must be at most {:e} records/s", d::RATE_MAX),
                    );
                    return None;
                }
            }
            Some(RateShape::Diurnal { mean: mean?, amplitude: amplitude?, peak_hour: peak_hour? })
        }
        "spike" => {
            let (base, peak, start, length) = (
                need(c, "base", &t.base),
                need(c, "peak", &t.peak),
                need(c, "start", &t.start),
                need(c, "length", &t.length),
            );
            let base = base.and_then(|v| rate_num(c, &f("base"), &v));
            let peak = peak.and_then(|v| rate_num(c, &f("peak"), &v));
            let start = start.and_then(|v| duration(c, &f("start"), &v, 0, d::DURATION_MAX, ""));
            let length = length.and_then(|v| duration(c, &f("length"), &v, 1, d::DURATION_MAX, ""));
            Some(RateShape::Spike { base: base?, peak: peak?, start: start?, length: length? })
        }
        _ => {
            // A scale factor on the trace ("launch = 3x today's traffic").
            let scale = match &t.scale {
                None => Some(1.0),
                Some(v) => num(c, &f("scale"), v, 0.0, 1e6, "a multiplier of the recorded traffic"),
            };
            let metric = match &t.metric {
                None => Some("IncomingRecords".to_string()),
                Some(v) => text(c, &f("metric"), v).map(str::to_string),
            };
            let file = need(c, "file", &t.file)?;
            let file = text(c, &f("file"), &file)?;
            let (scale, metric) = (scale?, metric?);
            let path_buf = base_dir.join(file);
            let csv = path_buf.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let read = match (shape, csv) {
                ("cloudwatch", true) if t.metric.is_some() => Err(vec![
                    "a CSV export names its columns (IncomingRecords, IncomingBytes): remove `metric`"
                        .to_string(),
                ]),
                ("cloudwatch", true) => super::minute_csv::read(&path_buf, scale),
                ("cloudwatch", false) => super::cloudwatch::read(&path_buf, &metric, scale),
                _ => trace::read_trace(&path_buf).and_then(|pts| {
                    match pts.iter().find(|p| p.1 * scale > d::RATE_MAX) {
                        // As for CloudWatch exports: the scaled rate obeys the rate limit too.
                        Some((t, r)) => Err(vec![format!(
                            "{}: at {}, {r} records/s x scale {scale} is above the {:e} records/s limit",
                            path_buf.display(),
                            format_duration(*t),
                            d::RATE_MAX
                        )]),
                        None => Ok(super::cloudwatch::Export {
                            steps: pts.into_iter().map(|(t, r)| (t, r * scale)).collect(),
                            format: "",
                            period_s: 0,
                            mean_record_bytes: None,
                        }),
                    }
                }),
            };
            match read {
                Ok(e) => Some(RateShape::Trace {
                    points: e.steps,
                    path: path_buf,
                    export: (shape == "cloudwatch").then_some(TraceExport {
                        format: e.format,
                        period_s: e.period_s,
                        mean_record_bytes: e.mean_record_bytes,
                    }),
                }),
                Err(messages) => {
                    for m in messages {
                        c.err(&f("file"), m);
                    }
                    None
                }
            }
        }
    }
}

fn steps_points(c: &mut Checker, path: &str, steps: &[RawStep]) -> Option<Vec<(SimTime, f64)>> {
    let mut points = Vec::with_capacity(steps.len());
    let mut ok = true;
    let mut previous: Option<SimTime> = None;
    for (k, s) in steps.iter().enumerate() {
        let here = format!("{path}[{k}]");
        let at = match &s.at {
            None => c.missing(&field(&here, "at"), "each step needs `at` (a duration) and `rate`"),
            Some(v) => duration(c, &field(&here, "at"), v, 0, d::DURATION_MAX, ""),
        };
        let rate = match &s.rate {
            None => c.missing(&field(&here, "rate"), "each step needs `at` (a duration) and `rate`"),
            Some(v) => num(c, &field(&here, "rate"), v, 0.0, d::RATE_MAX, "records/s"),
        };
        if let Some(t) = at {
            match previous {
                None if k == 0 && t != 0 => {
                    c.err(
                        &field(&here, "at"),
                        format!("the first step must be at \"0s\", found {:?}", format_duration(t)),
                    );
                    ok = false;
                }
                Some(p) if t <= p => {
                    c.err(
                        &field(&here, "at"),
                        format!(
                            "steps must be in strictly increasing time: {:?} is not after {:?} (steps[{}])",
                            format_duration(t),
                            format_duration(p),
                            k - 1
                        ),
                    );
                    ok = false;
                }
                _ => {}
            }
            previous = Some(t);
        }
        match (at, rate) {
            (Some(t), Some(r)) => points.push((t, r)),
            _ => ok = false,
        }
    }
    ok.then_some(points)
}

const SIZE_DISTRIBUTIONS: [&str; 4] = ["fixed", "uniform", "lognormal", "empirical"];
const RECORD_SIZE_LIKE: &str = "a size like \"100B\", \"1KiB\" or a table { distribution = ... }";

/// The size distribution and its largest possible record (p99 for log-normal) [bytes].
fn record_size(c: &mut Checker, path: &str, v: Option<&ScalarOr<RawSize>>) -> Option<(SizeDist, u64)> {
    let t = match v {
        None => {
            return c
                .missing(path, "give a `record_size`, like record_size = \"1KiB\" (data bytes per record)")
        }
        Some(ScalarOr::Scalar(s)) => {
            return size(c, path, s, 1, u64::MAX, RECORD_SIZE_LIKE).map(|b| (SizeDist::Fixed(b), b))
        }
        Some(ScalarOr::Table(t)) => t,
    };
    let dist = match &t.distribution {
        None => {
            return c.missing(
                &field(path, "distribution"),
                &format!("a size table needs `distribution`: {}", or_list(&SIZE_DISTRIBUTIONS, '"')),
            )
        }
        Some(v) => choice(c, &field(path, "distribution"), v, &SIZE_DISTRIBUTIONS)?,
    };
    let allowed: &[&str] = match dist {
        "fixed" => &["size"],
        "uniform" => &["min", "max"],
        "lognormal" => &["median", "p99"],
        _ => &["table"],
    };
    only_fields(c, path, "distribution", dist, &t.present(), allowed);
    let f = |name: &str| field(path, name);
    let need_size = |c: &mut Checker, name: &str, v: &Option<Scalar>| -> Option<u64> {
        match v {
            Some(s) => size(c, &f(name), s, 1, u64::MAX, SIZE_LIKE),
            None => c.missing(&f(name), &format!("distribution \"{dist}\" needs {}", allowed.join(", "))),
        }
    };
    match dist {
        "fixed" => need_size(c, "size", &t.size).map(|b| (SizeDist::Fixed(b), b)),
        "uniform" => {
            let (min, max) = (need_size(c, "min", &t.min), need_size(c, "max", &t.max));
            let (min, max) = (min?, max?);
            if max < min {
                c.err(
                    &f("max"),
                    format!("must be at least min ({}), found {}", format_bytes(min), format_bytes(max)),
                );
                return None;
            }
            Some((SizeDist::Uniform { min, max }, max))
        }
        "lognormal" => {
            let (median, p99) = (need_size(c, "median", &t.median), need_size(c, "p99", &t.p99));
            let (median, p99) = (median?, p99?);
            if p99 < median {
                c.err(
                    &f("p99"),
                    format!(
                        "must be at least the median ({}), found {}",
                        format_bytes(median),
                        format_bytes(p99)
                    ),
                );
                return None;
            }
            Some((SizeDist::LogNormal { median, p99 }, p99))
        }
        _ => {
            let Some(table) = &t.table else {
                return c.missing(
                    &f("table"),
                    "distribution \"empirical\" needs table = [ { size = \"100B\", weight = 0.7 }, ... ]",
                );
            };
            if table.is_empty() {
                c.err(&f("table"), "needs at least one row, like { size = \"100B\", weight = 1 }");
                return None;
            }
            let mut rows = Vec::with_capacity(table.len());
            for (k, row) in table.iter().enumerate() {
                let here = format!("{}[{k}]", f("table"));
                let s = match &row.size {
                    None => c.missing(&field(&here, "size"), "each row needs `size` and `weight`"),
                    Some(v) => size(c, &field(&here, "size"), v, 1, u64::MAX, SIZE_LIKE),
                };
                let w = match &row.weight {
                    None => c.missing(&field(&here, "weight"), "each row needs `size` and `weight`"),
                    Some(v) => positive(c, &field(&here, "weight"), v, f64::MAX, ""),
                };
                rows.push(s.zip(w));
            }
            let rows: Vec<(u64, f64)> = rows.into_iter().collect::<Option<_>>()?;
            if !rows.iter().map(|r| r.1).sum::<f64>().is_finite() {
                c.err(&f("table"), "the weights add up to more than a float can hold; scale them down");
                return None;
            }
            let largest = rows.iter().map(|r| r.0).max().unwrap_or(0);
            Some((SizeDist::Empirical(rows), largest))
        }
    }
}

const KEY_DISTRIBUTIONS: [&str; 4] = ["uniform", "zipf", "hot", "random"];

fn keys(c: &mut Checker, path: &str, v: Option<&RawKeys>) -> Option<KeySpec> {
    let Some(k) = v else {
        return Some(KeySpec::Uniform { count: d::KEY_COUNT, template: d::KEY_TEMPLATE.to_string() });
    };
    let f = |name: &str| field(path, name);
    let dist = match &k.distribution {
        None => {
            return c.missing(
                &f("distribution"),
                &format!("a keys table needs `distribution`: {}", or_list(&KEY_DISTRIBUTIONS, '"')),
            )
        }
        Some(v) => choice(c, &f("distribution"), v, &KEY_DISTRIBUTIONS)?,
    };
    let allowed: &[&str] = match dist {
        "uniform" => &["count", "template"],
        "zipf" => &["count", "exponent", "template"],
        "hot" => &["hot", "count", "template"],
        _ => &[],
    };
    only_fields(c, path, "distribution", dist, &k.present(), allowed);
    if dist == "random" {
        return Some(KeySpec::Random);
    }
    let min_count = if dist == "hot" { 0 } else { 1 };
    let count = match &k.count {
        None => Some(d::KEY_COUNT),
        Some(v) => int(c, &f("count"), v, min_count, d::KEY_COUNT_MAX as i64, "number of distinct keys")
            .map(|n| n as u64),
    };
    let template = match &k.template {
        None => Some(d::KEY_TEMPLATE.to_string()),
        Some(v) => text(c, &f("template"), v).and_then(|t| {
            if t.matches("{}").count() == 1 {
                Some(t.to_string())
            } else {
                c.err(
                    &f("template"),
                    format!(
                        "must contain \"{{}}\" exactly once (it is replaced by the key number), found {t:?}"
                    ),
                );
                None
            }
        }),
    };
    // AWS: a partition key is 1..=256 Unicode characters; check the longest generated one.
    if let (Some(n), Some(t)) = (count, &template) {
        if n > 0 {
            let longest = t.replacen("{}", &(n - 1).to_string(), 1);
            let chars = longest.chars().count();
            if chars > d::PARTITION_KEY_MAX_CHARS {
                let where_ = if k.template.is_some() { f("template") } else { f("count") };
                c.err(
                    &where_,
                    format!(
                        "generated keys are up to {chars} characters long ({}); a partition key is at most {} Unicode characters",
                        shorten(&longest),
                        d::PARTITION_KEY_MAX_CHARS
                    ),
                );
            }
        }
    }
    match dist {
        "uniform" => Some(KeySpec::Uniform { count: count?, template: template? }),
        "zipf" => {
            let exponent = match &k.exponent {
                None => c.missing(
                    &f("exponent"),
                    "distribution \"zipf\" needs `exponent` (> 0; 1 is classic Zipf)",
                ),
                Some(v) => positive(c, &f("exponent"), v, f64::MAX, "Zipf exponent"),
            };
            Some(KeySpec::Zipf { count: count?, exponent: exponent?, template: template? })
        }
        _ => {
            let hot = hot_keys(c, &f("hot"), k.hot.as_ref());
            if let (Some(hot), Some(n)) = (&hot, count) {
                let sum: f64 = hot.iter().map(|h| h.1).sum();
                if sum > 1.0 + d::SHARE_SUM_TOLERANCE {
                    c.err(
                        &f("hot"),
                        format!("the shares add up to {}; they must add up to at most 1", round6(sum)),
                    );
                    return None;
                }
                if sum < 1.0 - d::SHARE_SUM_TOLERANCE && n == 0 {
                    c.err(
                        &f("count"),
                        format!(
                            "must be at least 1: the hot keys take {} of the traffic and the rest needs template keys",
                            round6(sum)
                        ),
                    );
                    return None;
                }
            }
            if let (Some(hot), Some(n), Some(t)) = (&hot, count, &template) {
                // A hot key the template also makes would be drawn as both: its hot share plus
                // a uniform share of the rest, more than written.
                let (prefix, suffix) = t.split_once("{}").unwrap_or((t.as_str(), ""));
                let mut clash = false;
                for (i, (key, _)) in hot.iter().enumerate() {
                    if let Some(k) = template_index(key, prefix, suffix).filter(|&k| k < n) {
                        c.err(
                            &format!("{}[{i}].key", f("hot")),
                            format!(
                                "hot key {key:?} is also template key number {k} ({t:?} makes keys 0 to {} with count = {n}): it would get its share and a uniform share of the rest as well, more than written; use a key the template does not make",
                                n - 1
                            ),
                        );
                        clash = true;
                    }
                }
                if clash {
                    return None;
                }
            }
            Some(KeySpec::Hot { hot: hot?, count: count?, template: template? })
        }
    }
}

fn hot_keys(c: &mut Checker, path: &str, v: Option<&Vec<RawHotKey>>) -> Option<Vec<(String, f64)>> {
    let Some(list) = v else {
        return c
            .missing(path, "distribution \"hot\" needs hot = [ { key = \"celebrity\", share = 0.4 }, ... ]");
    };
    if list.is_empty() {
        c.err(path, "needs at least one hot key, like { key = \"celebrity\", share = 0.4 }");
        return None;
    }
    let mut out = Vec::with_capacity(list.len());
    // Keys seen so far: a set, so a list of hundreds of thousands of keys checks in linear time.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::with_capacity(list.len());
    for (k, h) in list.iter().enumerate() {
        let here = format!("{path}[{k}]");
        let key = match &h.key {
            None => c.missing(&field(&here, "key"), "each hot key needs `key` and `share`"),
            Some(v) => text(c, &field(&here, "key"), v).and_then(|s| {
                let n = s.chars().count();
                if n == 0 || n > d::PARTITION_KEY_MAX_CHARS {
                    c.err(
                        &field(&here, "key"),
                        format!(
                            "a partition key is 1 to {} Unicode characters, found {n} ({})",
                            d::PARTITION_KEY_MAX_CHARS,
                            shorten(s)
                        ),
                    );
                    None
                } else if !seen.insert(s) {
                    c.err(&field(&here, "key"), format!("duplicate hot key {s:?}"));
                    None
                } else {
                    Some(s.to_string())
                }
            }),
        };
        let share = match &h.share {
            None => c.missing(&field(&here, "share"), "each hot key needs `key` and `share`"),
            Some(v) => positive(c, &field(&here, "share"), v, 1.0, "fraction of the producer's records"),
        };
        match (key, share) {
            (Some(k), Some(s)) => out.push((k, s)),
            _ => return finish_hot(c, path, list, k + 1),
        }
    }
    Some(out)
}

/// The number `k` when `key` is what the template `prefix{}suffix` makes of `k` (written as
/// `k.to_string()` writes it: digits, no leading zero, no sign).
fn template_index(key: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = key.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical {
        digits.parse().ok()
    } else {
        None
    }
}

/// After a bad hot key, still check the remaining ones (for their own problems), then fail.
fn finish_hot(c: &mut Checker, path: &str, list: &[RawHotKey], from: usize) -> Option<Vec<(String, f64)>> {
    for (k, h) in list.iter().enumerate().skip(from) {
        let here = format!("{path}[{k}]");
        if let Some(v) = &h.key {
            let _ = text(c, &field(&here, "key"), v);
        }
        if let Some(v) = &h.share {
            let _ = positive(c, &field(&here, "share"), v, 1.0, "fraction of the producer's records");
        }
    }
    None
}

/// `0.30000000000000004` -> `0.3`: a float for a message, to six decimals.
fn round6(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A long string shortened for a message: `"user-aaaa…aaaa-9"`.
fn shorten(s: &str) -> String {
    let n = s.chars().count();
    if n <= 40 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(20).collect();
        let tail: String = s.chars().skip(n - 12).collect();
        format!("{:?}", format!("{head}…{tail}"))
    }
}

/// Bytes of the longest partition key a spec can produce (UTF-8).
fn longest_key_bytes(spec: &KeySpec) -> u64 {
    let template_len = |t: &str, count: u64| {
        if count == 0 {
            0
        } else {
            (t.len() - 2 + (count - 1).to_string().len()) as u64
        }
    };
    match spec {
        KeySpec::Uniform { count, template } | KeySpec::Zipf { count, template, .. } => {
            template_len(template, *count)
        }
        KeySpec::Hot { hot, count, template } => {
            hot.iter().map(|h| h.0.len() as u64).max().unwrap_or(0).max(template_len(template, *count))
        }
        // 32 hex digits and 4 dashes.
        KeySpec::Random => 36,
    }
}

fn batch(c: &mut Checker, path: &str, v: Option<&RawBatch>) -> Option<Batching> {
    let defaults = Batching {
        max_records: d::BATCH_MAX_RECORDS,
        max_bytes: d::BATCH_MAX_BYTES,
        linger: d::BATCH_LINGER,
    };
    let Some(b) = v else { return Some(defaults) };
    let f = |name: &str| field(path, name);
    let max_records = match &b.max_records {
        None => Some(defaults.max_records),
        Some(v) => {
            int(c, &f("max_records"), v, 1, d::PUT_RECORDS_MAX_RECORDS.into(), "records per PutRecords call")
                .map(|n| n as u32)
        }
    };
    let max_bytes = match &b.max_bytes {
        None => Some(defaults.max_bytes),
        Some(v) => size(c, &f("max_bytes"), v, 1, d::PUT_RECORDS_MAX_BYTES, SIZE_LIKE),
    };
    let linger = match &b.linger {
        None => Some(defaults.linger),
        Some(v) => duration(c, &f("linger"), v, 0, d::DURATION_MAX, ""),
    };
    Some(Batching { max_records: max_records?, max_bytes: max_bytes?, linger: linger? })
}

/// `aggregation`: `Some(None)` when off, `Some(Some(max_size))` when on.
fn aggregation(
    c: &mut Checker,
    path: &str,
    v: Option<&ScalarOr<RawAggregation>>,
    max_record: Option<u64>,
    record_size: &Option<(SizeDist, u64)>,
    keys: &Option<KeySpec>,
    batch: &Option<Batching>,
) -> Option<Option<u64>> {
    let max_size = match v {
        None | Some(ScalarOr::Scalar(Scalar::Bool(false))) => return Some(None),
        Some(ScalarOr::Scalar(Scalar::Bool(true))) => d::AGGREGATION_MAX_SIZE,
        Some(ScalarOr::Scalar(other)) => {
            c.err(
                path,
                format!(
                    "expected true, false or a table like {{ max_size = \"50KiB\" }}, found {}",
                    other.describe()
                ),
            );
            return None;
        }
        Some(ScalarOr::Table(t)) => match &t.max_size {
            None => d::AGGREGATION_MAX_SIZE,
            Some(v) => size(c, &field(path, "max_size"), v, 1, d::MAX_RECORD_SIZE_LIMIT, SIZE_LIKE)?,
        },
    };
    if let Some(limit) = max_record {
        if max_size > limit {
            c.err(
                path,
                format!(
                    "an aggregated record of {} would exceed the stream's maximum record size {} (stream.max_record_size)",
                    format_bytes(max_size),
                    format_bytes(limit)
                ),
            );
            return None;
        }
    }
    if let (Some((_, largest)), Some(keys)) = (record_size, keys) {
        let one = largest
            .saturating_add(2 * longest_key_bytes(keys))
            .saturating_add(d::AGGREGATION_RECORD_OVERHEAD + d::AGGREGATION_USER_RECORD_OVERHEAD);
        if one > max_size {
            c.err(
                path,
                format!(
                    "max_size {} cannot hold even one of this producer's records ({} with the aggregation overhead)",
                    format_bytes(max_size),
                    format_bytes(one)
                ),
            );
            return None;
        }
    }
    if batch.as_ref().is_some_and(|b| b.linger == 0) {
        c.err(
            path,
            "aggregation packs the records that arrive while a batch lingers: set batch.linger above 0 (the KPL's RecordMaxBufferedTime is 100 ms)",
        );
        return None;
    }
    Some(Some(max_size))
}

fn retry(c: &mut Checker, path: &str, v: Option<&RawRetry>) -> Option<Retry> {
    let defaults = Retry {
        max_attempts: d::RETRY_MAX_ATTEMPTS,
        base: d::RETRY_BASE,
        cap: d::RETRY_CAP,
        jitter: Jitter::Full,
    };
    let Some(r) = v else { return Some(defaults) };
    let f = |name: &str| field(path, name);
    let max_attempts = match &r.max_attempts {
        None => Some(defaults.max_attempts),
        Some(v) => int(
            c,
            &f("max_attempts"),
            v,
            1,
            d::RETRY_MAX_ATTEMPTS_LIMIT.into(),
            "attempts in all; 1 = no retry",
        )
        .map(|n| n as u32),
    };
    let base = match &r.base {
        None => Some(defaults.base),
        Some(v) => duration(c, &f("base"), v, 0, d::DURATION_MAX, ""),
    };
    let cap = match &r.cap {
        None => Some(defaults.cap),
        Some(v) => duration(c, &f("cap"), v, 0, d::DURATION_MAX, ""),
    };
    let jitter = match &r.jitter {
        None => Some(defaults.jitter),
        Some(v) => match choice(c, &f("jitter"), v, &["full", "none"])? {
            "full" => Some(Jitter::Full),
            _ => Some(Jitter::None),
        },
    };
    if let (Some(b), Some(cp)) = (base, cap) {
        if cp < b {
            let (where_, what) = if r.cap.is_some() {
                (
                    f("cap"),
                    format!(
                        "must be at least base ({}), found {:?}",
                        format_duration(b),
                        format_duration(cp)
                    ),
                )
            } else {
                (
                    f("base"),
                    format!(
                        "is more than cap ({}, the default); set cap too, or a smaller base; found {:?}",
                        format_duration(cp),
                        format_duration(b)
                    ),
                )
            };
            c.err(&where_, what);
            return None;
        }
    }
    Some(Retry { max_attempts: max_attempts?, base: base?, cap: cap?, jitter: jitter? })
}

fn put_rtt(c: &mut Checker, path: &str, v: Option<&ScalarOr<RawRtt>>) -> Option<RttModel> {
    match v {
        None => Some(RttModel::Fixed(d::PUT_RTT)),
        Some(ScalarOr::Scalar(s)) => duration(c, path, s, 0, d::DURATION_MAX, "").map(RttModel::Fixed),
        Some(ScalarOr::Table(t)) => {
            let f = |name: &str| field(path, name);
            let min = match &t.min {
                None => c.missing(
                    &f("min"),
                    "a put_rtt range needs min and max, like { min = \"10ms\", max = \"50ms\" }",
                ),
                Some(v) => duration(c, &f("min"), v, 0, d::DURATION_MAX, ""),
            };
            let max = match &t.max {
                None => c.missing(
                    &f("max"),
                    "a put_rtt range needs min and max, like { min = \"10ms\", max = \"50ms\" }",
                ),
                Some(v) => duration(c, &f("max"), v, 0, d::DURATION_MAX, ""),
            };
            let (min, max) = (min?, max?);
            if max < min {
                c.err(
                    &f("max"),
                    format!(
                        "must be at least min ({}), found {:?}",
                        format_duration(min),
                        format_duration(max)
                    ),
                );
                return None;
            }
            Some(RttModel::Uniform { min, max })
        }
    }
}

// ---- `[size]` -------------------------------------------------------------------------------

/// Validate `[size]`: `None` on a problem (reported), `Some(None)` when absent.
fn size_table(
    c: &mut Checker,
    raw: Option<&RawSizeTable>,
    capacity: Option<&super::capacity::RawCapacity>,
    has_consumers: bool,
) -> Option<Option<SizeSettings>> {
    let Some(raw) = raw else { return Some(None) };
    let base = SizeSettings::default();
    if capacity.is_some_and(|cap| cap.mode_switches.as_ref().is_some_and(|m| !m.is_empty())) {
        c.err("size", "`kinesim size` sets the stream's mode for each point; remove capacity.mode_switches");
    }
    let slo = match &raw.slo {
        None => Some(base.slo),
        Some(s) => {
            let throttle = s.max_throttle_rate.as_ref().map(|v| {
                num(c, "size.slo.max_throttle_rate", v, 0.0, 1.0, "throttled / (throttled + accepted)")
            });
            let dropped = s
                .max_dropped
                .as_ref()
                .map(|v| int(c, "size.slo.max_dropped", v, 0, i64::MAX, "records").map(|n| n as u64));
            let p99 = s
                .max_p99_put_latency_ms
                .as_ref()
                .map(|v| positive(c, "size.slo.max_p99_put_latency_ms", v, 1e9, "milliseconds"));
            let age = s
                .max_p99_iterator_age_ms
                .as_ref()
                .map(|v| positive(c, "size.slo.max_p99_iterator_age_ms", v, 1e12, "milliseconds"));
            if age.is_some() && !has_consumers {
                c.err(
                    "size.slo.max_p99_iterator_age_ms",
                    "the scenario has no [[consumers]] whose iterator age could be measured; add one or remove this bound",
                );
            }
            if throttle.is_none() && dropped.is_none() && p99.is_none() && age.is_none() {
                c.err(
                    "size.slo",
                    "give at least one bound: max_throttle_rate, max_dropped, max_p99_put_latency_ms or max_p99_iterator_age_ms",
                );
            }
            // An absent bound is `Some(None)`, a bad one `None`.
            let (t, d, p, a) = (
                throttle.map_or(Some(None), |x| x.map(Some)),
                dropped.map_or(Some(None), |x| x.map(Some)),
                p99.map_or(Some(None), |x| x.map(Some)),
                age.map_or(Some(None), |x| x.map(Some)),
            );
            Some(Slo {
                max_throttle_rate: t?,
                max_dropped: d?,
                max_p99_put_latency_ms: p?,
                max_p99_iterator_age_ms: a?,
            })
        }
    };
    let max_shards: i64 = d::MAX_SHARDS_PER_STREAM.into();
    let shard =
        |c: &mut Checker, path: &str, v: &Scalar| int(c, path, v, 1, max_shards, "shards").map(|n| n as u32);
    let shards = match &raw.shards {
        None => Some(base.shards),
        Some(RawShardAxis::One(v)) => shard(c, "size.shards", v).map(|n| vec![n]),
        Some(RawShardAxis::List(list)) => {
            if list.is_empty() {
                c.err("size.shards", "give at least one shard count, like [2, 4, 8]");
            }
            let all: Vec<Option<u32>> =
                list.iter().enumerate().map(|(i, v)| shard(c, &format!("size.shards[{i}]"), v)).collect();
            // A count listed twice is a typo for another (it used to be dropped silently).
            let mut first: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
            let mut twice = false;
            for (i, n) in all.iter().enumerate() {
                let Some(n) = *n else { continue };
                if let Some(j) = first.insert(n, i) {
                    first.insert(n, j);
                    c.err(
                        &format!("size.shards[{i}]"),
                        format!("{n} shards is listed twice (also size.shards[{j}])"),
                    );
                    twice = true;
                }
            }
            all.into_iter().collect::<Option<Vec<u32>>>().filter(|l| !l.is_empty() && !twice)
        }
        Some(RawShardAxis::Range(r)) => {
            let from = match &r.from {
                None => c.missing("size.shards.from", "give the smallest shard count, like from = 1"),
                Some(v) => shard(c, "size.shards.from", v),
            };
            let to = match &r.to {
                None => c.missing("size.shards.to", "give the largest shard count, like to = 32"),
                Some(v) => shard(c, "size.shards.to", v),
            };
            let step = match &r.step {
                None => Some(1),
                Some(v) => int(c, "size.shards.step", v, 1, max_shards, "shards").map(|n| n as u32),
            };
            match (from, to, step) {
                (Some(f), Some(t), Some(s)) if f <= t => Some((f..=t).step_by(s as usize).collect()),
                (Some(f), Some(t), Some(_)) => {
                    c.err("size.shards.to", format!("must be at least from ({f}), found {t}"));
                    None
                }
                _ => None,
            }
        }
    };
    let shards = shards.map(|mut l: Vec<u32>| {
        l.sort_unstable();
        l
    });
    if let Some(l) = &shards {
        if l.len() > d::SIZE_POINTS_MAX {
            c.err(
                "size.shards",
                format!("{} shard counts: at most {} (use a step)", l.len(), d::SIZE_POINTS_MAX),
            );
        }
    }
    let modes = match &raw.modes {
        None => Some(base.modes),
        Some(list) if list.is_empty() => {
            c.err("size.modes", "give at least one of \"provisioned\" or \"on-demand\"");
            None
        }
        Some(list) => {
            let mut out = Some(Vec::new());
            for (i, v) in list.iter().enumerate() {
                let path = format!("size.modes[{i}]");
                let m = choice(c, &path, v, &["provisioned", "on-demand"]).map(|m| {
                    if m == "on-demand" {
                        CapacityMode::OnDemand
                    } else {
                        CapacityMode::Provisioned
                    }
                });
                match (m, out.as_mut()) {
                    (Some(m), Some(l)) if l.contains(&m) => {
                        c.err(&path, "listed twice");
                        out = None;
                    }
                    (Some(m), Some(l)) => l.push(m),
                    _ => out = None,
                }
            }
            out
        }
    };
    let seeds = match &raw.seeds {
        None => Some(base.seeds),
        Some(v) => {
            int(c, "size.seeds", v, 1, d::SIZE_SEEDS_MAX.into(), "runs per point, seed, seed + 1, ...")
                .map(|n| n as u32)
        }
    };
    let search = match &raw.search {
        None => Some(base.search),
        Some(v) => choice(c, "size.search", v, &["grid", "bisect"]).map(|s| {
            if s == "bisect" {
                SizeSearch::Bisect
            } else {
                SizeSearch::Grid
            }
        }),
    };
    let policies = match &raw.policies {
        None => Some(base.policies),
        Some(list) if list.is_empty() => {
            c.err("size.policies", "give at least one policy, like [\"fixed\", \"target-tracking\"]");
            None
        }
        Some(list) => {
            let names: Vec<&str> = SizePolicy::ALL.iter().map(|p| p.name()).collect();
            let mut out = Some(Vec::new());
            for (i, v) in list.iter().enumerate() {
                let path = format!("size.policies[{i}]");
                let p = choice(c, &path, v, &names)
                    .and_then(|n| SizePolicy::ALL.into_iter().find(|p| p.name() == n));
                match (p, out.as_mut()) {
                    (Some(p), Some(l)) if l.contains(&p) => {
                        c.err(&path, "listed twice");
                        out = None;
                    }
                    (Some(p), Some(l)) => l.push(p),
                    _ => out = None,
                }
            }
            out
        }
    };
    if let (Some(p), Some(m)) = (&policies, &modes) {
        if raw.policies.is_some() && !p.is_empty() && !m.contains(&CapacityMode::Provisioned) {
            c.err("size.policies", "policies apply to provisioned points; add \"provisioned\" to size.modes");
        }
    }
    let rule = match &raw.confidence {
        None => Some(base.rule),
        Some(Scalar::Str(t)) if t == "every-seed" => Some(SloRule::EverySeed),
        Some(v @ (Scalar::Float(_) | Scalar::Int(_))) => {
            let x = num(c, "size.confidence", v, 0.5, 1.0, "a confidence level like 0.95, or \"every-seed\"");
            match x {
                Some(x) if x <= 0.5 || x >= 1.0 => {
                    c.err("size.confidence", format!("expected a level between 0.5 and 1 (exclusive), like 0.95, or \"every-seed\", found {x}"));
                    None
                }
                Some(x) => {
                    if seeds.is_some_and(|n| n < 2) {
                        c.err(
                            "size.confidence",
                            "a confidence level needs at least 2 seeds per point (size.seeds)",
                        );
                    }
                    Some(SloRule::Confidence(x))
                }
                None => None,
            }
        }
        Some(v) => {
            c.err(
                "size.confidence",
                format!("expected \"every-seed\" or a confidence level like 0.95, found {}", v.describe()),
            );
            None
        }
    };
    let bound = match &raw.bound {
        None => Some(base.bound),
        Some(v) => choice(c, "size.bound", v, &["strict", "lenient"]).map(|b| match b {
            "strict" => Bound::Strict,
            _ => Bound::Lenient,
        }),
    };
    Some(Some(SizeSettings {
        bound: bound?,
        slo: slo?,
        shards: shards?,
        modes: modes?,
        seeds: seeds?,
        search: search?,
        policies: policies?,
        rule: rule?,
    }))
}
