//! A validated [`Scenario`] explained field by field: its value, whether that is the default,
//! and what it means. Used by `kinesim explain` (text or `--json`) and by the assumptions table
//! of `report.html`.
//!
//! Pure: a scenario in, rows (or text) out. Defaults come from [`crate::scenario::defaults`],
//! never from numbers repeated here.

use crate::limits;
use crate::scenario::defaults as d;
use crate::scenario::{
    Arrivals, AutoscalingPolicy, CapacityMode, ConsumerKind, ConsumerSpec, EngineMode, Jitter, KeySpec,
    Producer, RateShape, RttModel, Scenario, SizeDist, WriteLimitModel,
};
use crate::text_safety;
use crate::units::{format_bytes, format_duration, thousands, to_secs_f64};
use std::fmt::Write;

/// Where a field's rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Describes the workload or the stream: the scenario's own choice.
    Input,
    /// A Kinesis fact or limit (source in `scenario/defaults.rs`).
    Aws,
    /// A model assumption: AWS does not document it, kinesim picks a named default.
    Assumption,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Input => "input",
            Origin::Aws => "AWS",
            Origin::Assumption => "assumption",
        }
    }
}

/// One resolved field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Path in the scenario file, e.g. `producers[0].retry.max_attempts`.
    pub path: String,
    /// The resolved value, in the scenario format's notation.
    pub value: String,
    /// The default in the same notation (`None`: the field is required).
    pub default: Option<String>,
    pub origin: Origin,
    /// What it means, in one sentence.
    pub meaning: &'static str,
    /// A status that is neither required, default nor set: `auto` (resolved by a rule) or
    /// `fixed` (a limit no scenario changes).
    pub status_override: Option<&'static str>,
}

impl Field {
    /// True when the value equals the default.
    pub fn is_default(&self) -> bool {
        self.default.as_deref() == Some(self.value.as_str())
    }

    /// `required` (no default), `default`, `set` (differs from the default), `auto` or `fixed`.
    pub fn status(&self) -> &'static str {
        match (self.status_override, &self.default) {
            (Some(s), _) => s,
            (None, None) => "required",
            (None, Some(_)) if self.is_default() => "default",
            (None, Some(_)) => "set",
        }
    }
}

/// The row of the per-shard write limit: a fact of the stream, not a field of the file.
const SHARD_WRITE_LIMIT: &str = "shard write limit";
/// The row of on-demand's peak memory: a fact of on-demand capacity, not a field of the file.
const OD_PEAK_MEMORY: &str = "on-demand peak memory";

impl Field {
    /// The part of the scenario the field belongs to: `scenario` (the top-level fields),
    /// `stream`, `producers[0]`, `engine`, `capacity`, `cost`, `consumers[0]` or `size`.
    pub fn section(&self) -> &str {
        match self.path.as_str() {
            SHARD_WRITE_LIMIT => "stream",
            OD_PEAK_MEMORY => "capacity",
            path => match path.split_once('.') {
                Some((section, _)) => section,
                None => "scenario",
            },
        }
    }
}

fn field(
    path: String,
    value: String,
    default: Option<String>,
    origin: Origin,
    meaning: &'static str,
) -> Field {
    Field { path, value, default, origin, meaning, status_override: None }
}

fn with_status(mut f: Field, status: &'static str) -> Field {
    f.status_override = Some(status);
    f
}

fn rate_text(r: &RateShape) -> String {
    let n = |v: f64| if v.fract() == 0.0 && v.abs() < 1e15 { thousands(v as u64) } else { format!("{v}") };
    match r {
        RateShape::Constant(v) => format!("{} records/s", n(*v)),
        RateShape::Steps(s) => {
            let parts: Vec<String> =
                s.iter().take(6).map(|(t, v)| format!("{} from {}", n(*v), format_duration(*t))).collect();
            let more = if s.len() > 6 { format!(", … ({} steps)", s.len()) } else { String::new() };
            format!("steps: {}{more} records/s", parts.join(", "))
        }
        RateShape::Ramp { from, to, start, end } => format!(
            "ramp {} -> {} records/s between {} and {}",
            n(*from),
            n(*to),
            format_duration(*start),
            format_duration(*end)
        ),
        RateShape::Diurnal { mean, amplitude, peak_hour } => {
            format!("diurnal: mean {} ± {} records/s, peak at {peak_hour}h", n(*mean), n(*amplitude))
        }
        RateShape::Spike { base, peak, start, length } => format!(
            "spike: {} records/s, {} for {} from {}",
            n(*base),
            n(*peak),
            format_duration(*length),
            format_duration(*start)
        ),
        RateShape::Trace { points, path, .. } => {
            format!("trace {} ({} points)", path.display(), points.len())
        }
    }
}

fn size_text(s: &SizeDist) -> String {
    match s {
        SizeDist::Fixed(b) => format_bytes(*b),
        SizeDist::Uniform { min, max } => format!("uniform {} .. {}", format_bytes(*min), format_bytes(*max)),
        SizeDist::LogNormal { median, p99 } => {
            format!("log-normal, median {}, p99 {}", format_bytes(*median), format_bytes(*p99))
        }
        SizeDist::Empirical(t) => {
            let parts: Vec<String> = t.iter().map(|(b, w)| format!("{} x{w}", format_bytes(*b))).collect();
            format!("empirical: {}", parts.join(", "))
        }
    }
}

fn keys_text(k: &KeySpec) -> String {
    match k {
        KeySpec::Uniform { count, template } => {
            format!("uniform over {} keys \"{template}\"", thousands(*count))
        }
        KeySpec::Zipf { count, exponent, template } => {
            format!("zipf (exponent {exponent}) over {} keys \"{template}\"", thousands(*count))
        }
        KeySpec::Hot { hot, count, template } => {
            let parts: Vec<String> = hot.iter().map(|(k, s)| format!("\"{k}\" {:.0}%", s * 100.0)).collect();
            format!(
                "hot: {}; the rest uniform over {} keys \"{template}\"",
                parts.join(", "),
                thousands(*count)
            )
        }
        KeySpec::Random => "random: a fresh UUID-like key per record".to_string(),
    }
}

fn rtt_text(r: &RttModel) -> String {
    match r {
        RttModel::Fixed(t) => format_duration(*t),
        RttModel::Uniform { min, max } => {
            format!("uniform {} .. {}", format_duration(*min), format_duration(*max))
        }
    }
}

fn producer_fields(i: usize, p: &Producer, out: &mut Vec<Field>) {
    use Origin::*;
    let at = |f: &str| format!("producers[{i}].{f}");
    out.push(field(at("name"), p.name.clone(), None, Input, "the producer's name in reports"));
    out.push(field(at("rate"), rate_text(&p.rate), None, Input, "user records created per second over time"));
    out.push(field(
        at("arrivals"),
        match p.arrivals {
            Arrivals::Poisson => "poisson",
            Arrivals::Uniform => "uniform",
        }
        .into(),
        Some(d::ARRIVALS.into()),
        Assumption,
        "poisson: independent users, random bursts; uniform: evenly spaced records",
    ));
    out.push(field(
        at("record_size"),
        size_text(&p.record_size),
        None,
        Input,
        "data blob size of each record (the partition key is added on top)",
    ));
    out.push(field(
        at("keys"),
        keys_text(&p.keys),
        Some(format!("uniform over {} keys \"{}\"", thousands(d::KEY_COUNT), d::KEY_TEMPLATE)),
        Input,
        "partition keys: MD5 of the key picks the shard, so one key always lands on one shard",
    ));
    out.push(field(
        at("batch.max_records"),
        p.batch.max_records.to_string(),
        Some(d::BATCH_MAX_RECORDS.to_string()),
        Aws,
        "records per PutRecords call (AWS allows at most 500)",
    ));
    out.push(field(
        at("batch.max_bytes"),
        format_bytes(p.batch.max_bytes),
        Some(format_bytes(d::BATCH_MAX_BYTES)),
        Aws,
        "bytes per PutRecords call (AWS allows at most 5 MiB)",
    ));
    out.push(field(
        at("batch.linger"),
        format_duration(p.batch.linger),
        Some(format_duration(d::BATCH_LINGER)),
        Assumption,
        "how long a batch waits for more records before it is sent (KPL RecordMaxBufferedTime)",
    ));
    out.push(field(
        at("retry.max_attempts"),
        p.retry.max_attempts.to_string(),
        Some(d::RETRY_MAX_ATTEMPTS.to_string()),
        Assumption,
        "attempts per record including the first; after the last throttled one the record is dropped",
    ));
    out.push(field(
        at("retry.base"),
        format_duration(p.retry.base),
        Some(format_duration(d::RETRY_BASE)),
        Assumption,
        "backoff before retry n is min(cap, base x 2^(n-1))",
    ));
    out.push(field(
        at("retry.cap"),
        format_duration(p.retry.cap),
        Some(format_duration(d::RETRY_CAP)),
        Assumption,
        "longest backoff between two attempts",
    ));
    out.push(field(
        at("retry.jitter"),
        match p.retry.jitter {
            Jitter::Full => "full",
            Jitter::None => "none",
        }
        .into(),
        Some(d::RETRY_JITTER.into()),
        Assumption,
        "full: each backoff is random in [0, backoff], so retries spread out; none: exact backoff",
    ));
    out.push(field(
        at("buffer_records"),
        thousands(p.buffer_records),
        Some(thousands(d::BUFFER_RECORDS)),
        Assumption,
        "records a producer may hold (batching or awaiting retry); arrivals beyond it are lost",
    ));
    out.push(field(
        at("put_rtt"),
        rtt_text(&p.put_rtt),
        Some(format_duration(d::PUT_RTT)),
        Assumption,
        "round trip of one PutRecords call",
    ));
    out.push(field(
        at("aggregation"),
        match p.aggregation {
            Some(max) => format!("max_size = {}", format_bytes(max)),
            None => "off".into(),
        },
        Some("off".into()),
        Input,
        "KPL aggregation: user records packed per shard into Kinesis records of up to max_size (KPL default 51,200 B), each counting one against the record limits",
    ));
}

/// Every field of `sc`, resolved, in file order.
pub fn fields(sc: &Scenario) -> Vec<Field> {
    use Origin::*;
    let mut out = vec![
        field("name".into(), sc.name.clone(), None, Input, "names the report folder reports/<name>/"),
        field(
            "description".into(),
            sc.description.clone(),
            Some(String::new()),
            Input,
            "free text shown in reports",
        ),
        field("seed".into(), sc.seed.to_string(), Some(d::SEED.to_string()), Input, "every random draw derives from it: same seed, same run"),
        field("duration".into(), format_duration(sc.duration), None, Input, "simulated time"),
        field(
            "stream.mode".into(),
            sc.stream.mode.name().into(),
            Some(d::STREAM_MODE.into()),
            Input,
            "provisioned: you choose (and pay for) the shards; on-demand: AWS adds shards as traffic grows",
        ),
        {
            let f = field(
                "stream.shards".into(),
                sc.stream.shards.to_string(),
                None,
                Input,
                "open shards at the start; each accepts 1,000 records/s and 1 MiB/s",
            );
            if sc.stream.mode == CapacityMode::OnDemand {
                with_status(f, "auto")
            } else {
                f
            }
        },
        field(
            "stream.retention".into(),
            format_duration(sc.stream.retention),
            Some(format_duration(limits::RETENTION)),
            Aws,
            "how long records stay readable",
        ),
        field(
            "stream.max_record_size".into(),
            format_bytes(sc.stream.max_record_size),
            Some(format_bytes(d::STREAM_MAX_RECORD_SIZE)),
            Aws,
            "largest record (data + key) the stream accepts",
        ),
        field(
            "stream.write_limit".into(),
            match sc.stream.write_limit {
                WriteLimitModel::FixedWindow => "window".to_string(),
                WriteLimitModel::TokenBucket { burst } if burst == crate::units::secs(1) => "token-bucket".to_string(),
                WriteLimitModel::TokenBucket { burst } => format!("token-bucket ({})", format_duration(burst)),
            },
            Some(d::WRITE_LIMIT.into()),
            Assumption,
            "how the per-shard limit is enforced: fixed one-second windows, or a continuously refilled bucket",
        ),
        field(
            "stream.burst_bytes".into(),
            format_bytes(sc.stream.burst_bytes),
            Some(format_bytes(d::BURST_BYTES)),
            Assumption,
            "large-record tank per shard: refilled at 1 MiB/s, every record draws from it, records over 1 MiB burst from it (size not published)",
        ),
        field(
            "stream.lenient_burst".into(),
            format_duration(sc.stream.lenient_burst),
            Some(format_duration(d::LENIENT_BURST)),
            Assumption,
            "the lenient bound's token bucket holds this much of the per-shard limit (AWS documents neither bound)",
        ),
        with_status(
            field(
                SHARD_WRITE_LIMIT.into(),
                format!(
                    "{} records/s, {}/s",
                    thousands(limits::SHARD_WRITE_RECORDS_PER_S),
                    format_bytes(limits::SHARD_WRITE_BYTES_PER_S)
                ),
                None,
                Aws,
                "per shard, data + partition key; beyond it records are throttled",
            ),
            "fixed",
        ),
    ];
    for (i, p) in sc.producers.iter().enumerate() {
        producer_fields(i, p, &mut out);
    }
    out.push(with_status(
        field(
            "engine.mode".into(),
            sc.engine.mode.name().into(),
            Some(d::ENGINE_MODE.into()),
            Assumption,
            "per-record: every record simulated; aggregated: per-shard cohorts per tick (auto picks per-record up to 20 M records)",
        ),
        // `auto` when the rule would pick this mode; otherwise the file chose it.
        if auto_mode(sc) == sc.engine.mode { "auto" } else { "set" },
    ));
    out.push(field(
        "engine.tick".into(),
        format_duration(sc.engine.tick),
        Some(format_duration(d::TICK)),
        Assumption,
        "aggregated mode: cohort interval",
    ));
    out.push(field(
        "engine.bounds".into(),
        match sc.engine.bounds {
            crate::scenario::Bounds::Both => "both",
            crate::scenario::Bounds::One(b) => b.name(),
        }
        .into(),
        Some(d::BOUNDS.into()),
        Assumption,
        "write-limit bounds reported: strict (fixed 1 s windows), lenient (a bucket of stream.lenient_burst), or both (two runs); stream.write_limit set explicitly runs alone",
    ));
    out.push(field(
        "engine.trace_records".into(),
        thousands(sc.engine.trace_records.into()),
        Some(thousands(d::TRACE_RECORDS.into())),
        Input,
        "per-record mode: records followed from producer to shard in trace.csv and report.html, spread over the run (0: none)",
    ));
    let cap = &sc.capacity;
    if !cap.schedule.is_empty() {
        let parts: Vec<String> =
            cap.schedule.iter().map(|(t, n)| format!("{} shards at {}", n, format_duration(*t))).collect();
        out.push(field(
            "capacity.schedule".into(),
            parts.join(", "),
            Some(String::new()),
            Input,
            "UpdateShardCount calls at fixed times",
        ));
    }
    if let Some(a) = &cap.autoscaling {
        let kind = match a {
            AutoscalingPolicy::TargetTracking { .. } => "target tracking",
            AutoscalingPolicy::ThresholdStep { .. } => "threshold/step",
            AutoscalingPolicy::DoubleHalve { .. } => "double/halve",
        };
        out.push(field(
            "capacity.autoscaling".into(),
            format!("{kind}, {} .. {} shards", a.min_shards(), a.max_shards()),
            None,
            Input,
            "an autoscaler that calls UpdateShardCount from the stream's utilisation",
        ));
        if let AutoscalingPolicy::TargetTracking {
            scale_out_cooldown,
            scale_in_cooldown,
            scale_out_datapoints,
            scale_in_datapoints,
            ..
        } = a
        {
            let rows = [
                (
                    "capacity.autoscaling.scale_out_cooldown",
                    format_duration(*scale_out_cooldown),
                    format_duration(d::TT_SCALE_OUT_COOLDOWN),
                    "from the completion of a scale-out (stream ACTIVE again) to the next one",
                ),
                (
                    "capacity.autoscaling.scale_in_cooldown",
                    format_duration(*scale_in_cooldown),
                    format_duration(d::TT_SCALE_IN_COOLDOWN),
                    "from the completion of a scale-in to the next one",
                ),
                (
                    "capacity.autoscaling.scale_out_datapoints",
                    scale_out_datapoints.to_string(),
                    d::TT_SCALE_OUT_DATAPOINTS.to_string(),
                    "consecutive one-period datapoints above target before a scale-out (AWS's alarm: 3 of 3)",
                ),
                (
                    "capacity.autoscaling.scale_in_datapoints",
                    scale_in_datapoints.to_string(),
                    d::TT_SCALE_IN_DATAPOINTS.to_string(),
                    "consecutive datapoints below target before a scale-in (AWS's alarm: 15 of 15)",
                ),
            ];
            for (path, value, default, meaning) in rows {
                out.push(field(path.into(), value, Some(default), Aws, meaning));
            }
        }
    }
    let on_demand = sc.stream.mode == CapacityMode::OnDemand
        || cap.mode_switches.iter().any(|(_, m)| *m == CapacityMode::OnDemand);
    if on_demand {
        let od = &cap.on_demand;
        let frac = |v: f64| format!("{}% of the write limit", v * 100.0);
        out.push(field(
            "capacity.on_demand.initial_shards".into(),
            od.initial_shards.to_string(),
            Some(d::OD_INITIAL_SHARDS.to_string()),
            Aws,
            "shards of a new on-demand stream (4 MiB/s, 4,000 records/s)",
        ));
        out.push(field(
            "capacity.on_demand.split_threshold".into(),
            frac(od.split_threshold),
            Some(frac(d::OD_SPLIT_THRESHOLD)),
            Aws,
            "a shard busier than this is split in two (AWS: above 500 KB/s)",
        ));
        out.push(field(
            "capacity.on_demand.split_delay".into(),
            format_duration(od.split_delay),
            Some(format_duration(d::OD_SPLIT_DELAY)),
            Assumption,
            "from the start of the minute whose load crossed the threshold to the split (AWS: \"within 15 minutes\"); meanwhile the hot shard throttles",
        ));
        out.push(with_status(
            field(
                OD_PEAK_MEMORY.into(),
                format!(
                    "{}x the peak of the last {}",
                    limits::OD_PEAK_FACTOR,
                    format_duration(limits::OD_PEAK_WINDOW)
                ),
                None,
                Aws,
                "merges never take capacity below this (peak: highest one-minute offered load, per hash range)",
            ),
            "fixed",
        ));
        out.push(field(
            "capacity.on_demand.merge_threshold".into(),
            frac(od.merge_threshold),
            Some(frac(d::OD_MERGE_THRESHOLD)),
            Assumption,
            "two adjacent shards both quieter than this for merge_after are merged",
        ));
        out.push(field(
            "capacity.on_demand.merge_after".into(),
            format_duration(od.merge_after),
            Some(format_duration(d::OD_MERGE_AFTER)),
            Assumption,
            "how long shards stay quiet before a merge (AWS: scale-down is gradual)",
        ));
        out.push(field(
            "capacity.on_demand.warm_throughput".into(),
            if od.warm_throughput == 0 {
                "none".into()
            } else {
                format!("{}/s", format_bytes(od.warm_throughput))
            },
            Some("none".into()),
            Input,
            "write capacity kept ready (On-demand Advantage): never fewer shards than it needs",
        ));
    }
    if !cap.schedule.is_empty() || cap.autoscaling.is_some() {
        out.push(field(
            "capacity.resharding_duration".into(),
            format_duration(cap.resharding_duration),
            Some(format_duration(d::RESHARDING_DURATION)),
            Assumption,
            "how long the stream stays UPDATING after an accepted UpdateShardCount",
        ));
    }
    out.push(field(
        "cost.region".into(),
        format!("{} (prices of {})", sc.cost.table.region, sc.cost.table.verified),
        Some(format!("{} (prices of {})", d::COST_REGION, sc.cost.table.verified)),
        Input,
        "the price table the bill uses (embedded in kinesim, each price with its source and the date it was read)",
    ));
    out.push(field(
        "cost.on_demand".into(),
        if sc.cost.advantage { "advantage" } else { "standard" }.into(),
        Some("standard".into()),
        Input,
        "the prices on-demand use is billed at: On-demand Standard, or On-demand Advantage (an account-level commitment; no stream-hour charge)",
    ));
    out.push(field(
        "cost.prices".into(),
        if sc.cost.overrides.is_empty() {
            "none".into()
        } else {
            sc.cost.overrides.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
        },
        Some("none".into()),
        Input,
        "price overrides [USD per unit] on top of the region's table (e.g. a negotiated shard-hour price)",
    ));
    out.push(field(
        "cost.payload_counts_key".into(),
        sc.cost.payload_counts_key.to_string(),
        Some(d::COST_PAYLOAD_COUNTS_KEY.to_string()),
        Assumption,
        "false: PUT payload units (25 KB chunks) and on-demand data ingested (1 KB) count the data blob only, AWS's \"payload\" (1 MB = 40 units); true: the partition key too",
    ));
    for (i, c) in sc.consumers.iter().enumerate() {
        consumer_fields(i, c, &mut out);
    }
    if let Some(z) = &sc.size {
        size_fields(z, &mut out);
    }
    out
}

/// `[size]`: what `kinesim size` searches and the SLO a point must meet.
fn size_fields(z: &crate::scenario::SizeSettings, out: &mut Vec<Field>) {
    use crate::scenario::{SizeSearch, SloRule};
    use Origin::*;
    let dflt = crate::scenario::SizeSettings::default();
    let bound = |v: Option<String>| v.unwrap_or_else(|| "none".into());
    let slo = &z.slo;
    let rows: [(&str, String, String, &'static str); 4] = [
        (
            "size.slo.max_throttle_rate",
            bound(slo.max_throttle_rate.map(|v| format!("{v}"))),
            bound(dflt.slo.max_throttle_rate.map(|v| format!("{v}"))),
            "highest share of write attempts throttled a point may have",
        ),
        (
            "size.slo.max_dropped",
            bound(slo.max_dropped.map(thousands)),
            bound(dflt.slo.max_dropped.map(thousands)),
            "most records a point may drop (attempts exhausted or buffer full)",
        ),
        (
            "size.slo.max_p99_put_latency_ms",
            bound(slo.max_p99_put_latency_ms.map(|v| format!("{v}"))),
            "none".into(),
            "highest p99 put latency [ms]",
        ),
        (
            "size.slo.max_p99_iterator_age_ms",
            bound(slo.max_p99_iterator_age_ms.map(|v| format!("{v}"))),
            "none".into(),
            "highest p99 iterator age of any consumer [ms]",
        ),
    ];
    for (path, value, default, meaning) in rows {
        out.push(field(path.into(), value, Some(default), Input, meaning));
    }
    let list = |v: &[u32]| match v {
        [] => String::new(),
        [a] => a.to_string(),
        _ if v.windows(2).all(|w| w[1] == w[0] + 1) => format!("{}..{}", v[0], v[v.len() - 1]),
        _ => v.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
    };
    out.push(field(
        "size.shards".into(),
        list(&z.shards),
        Some(list(&dflt.shards)),
        Input,
        "provisioned shard counts searched",
    ));
    let modes = |m: &[CapacityMode]| m.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
    out.push(field(
        "size.modes".into(),
        modes(&z.modes),
        Some(modes(&dflt.modes)),
        Input,
        "capacity modes tried (on-demand is one point)",
    ));
    let policies =
        |p: &[crate::scenario::SizePolicy]| p.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ");
    out.push(field(
        "size.policies".into(),
        policies(&z.policies),
        Some(policies(&dflt.policies)),
        Input,
        "how provisioned points manage their shards (each policy is one series of points)",
    ));
    out.push(field(
        "size.seeds".into(),
        z.seeds.to_string(),
        Some(dflt.seeds.to_string()),
        Input,
        "runs per point: the scenario's seed, seed + 1, ...",
    ));
    let search = |s: SizeSearch| if s == SizeSearch::Bisect { "bisect" } else { "grid" }.to_string();
    out.push(field(
        "size.search".into(),
        search(z.search),
        Some(search(dflt.search)),
        Input,
        "grid: every shard count; bisect: bisection on the SLO (it must hold from some count up)",
    ));
    let rule = |r: SloRule| match r {
        SloRule::EverySeed => "every-seed".to_string(),
        SloRule::Confidence(c) => format!("{c}"),
    };
    out.push(field(
        "size.confidence".into(),
        rule(z.rule),
        Some(rule(dflt.rule)),
        Input,
        "a point meets the SLO in every seed, or when the one-sided upper bound of each mean at this level does",
    ));
    out.push(field(
        "size.bound".into(),
        z.bound.name().into(),
        Some(d::SIZE_BOUND.into()),
        Input,
        "the write-limit bound the recommendation is made under (with engine.bounds = \"both\" the other is shown beside it)",
    ));
}

fn consumer_fields(i: usize, c: &ConsumerSpec, out: &mut Vec<Field>) {
    use Origin::*;
    let at = |f: &str| format!("consumers[{i}].{f}");
    let dur = format_duration;
    out.push(field(at("name"), c.name.clone(), None, Input, "the consumer's name in reports"));
    let efo = c.kind == ConsumerKind::EnhancedFanOut;
    out.push(field(
        at("kind"),
        c.kind.name().into(),
        Some(ConsumerKind::Polling.name().into()),
        Input,
        "polling: GetRecords, 5 calls/s and 2 MiB/s per shard shared by all polling consumers; efo: 2 MiB/s per shard of its own, pushed",
    ));
    if efo {
        out.push(with_status(
            field(
                at("push_interval"),
                dur(d::EFO_PUSH_INTERVAL),
                Some(dur(d::EFO_PUSH_INTERVAL)),
                Assumption,
                "enhanced fan-out pushes continuously; the model delivers at this interval",
            ),
            "fixed",
        ));
    } else {
        out.push(field(
            at("poll_interval"),
            dur(c.poll_interval),
            Some(dur(d::POLL_INTERVAL)),
            Aws,
            "time between GetRecords calls on a shard (KCL 2.x/3.x default 1.5 s)",
        ));
        out.push(field(
            at("max_records"),
            thousands(c.max_records.into()),
            Some(thousands(limits::GET_RECORDS_MAX_RECORDS.into())),
            Aws,
            "records per GetRecords call (at most 10,000; a call returns at most 10 MiB)",
        ));
        out.push(field(
            at("poll_jitter"),
            format!("{}", c.poll_jitter),
            Some(format!("{}", d::POLL_JITTER)),
            Assumption,
            "each poll interval is drawn uniformly within ± this fraction (processing time varies); the mean interval and the mean read rate are unchanged",
        ));
    }
    out.push(with_status(
        field(
            at("propagation"),
            dur(if efo { d::EFO_PROPAGATION } else { d::POLLING_PROPAGATION }),
            None,
            Assumption,
            "from a read to the application (AWS: typically ~70 ms with EFO, ~200 ms polling)",
        ),
        "fixed",
    ));
    if c.kcl.is_none() {
        out.push(field(
            at("process_rate"),
            if c.process_rate == 0.0 {
                "0 (no limit)".into()
            } else {
                format!("{} records/s", c.process_rate)
            },
            Some("0 (no limit)".into()),
            Input,
            "records per second per shard the application keeps up with",
        ));
    }
    if let Some(k) = &c.kcl {
        out.push(field(
            at("workers"),
            k.workers.to_string(),
            None,
            Input,
            "KCL workers; leases (one per shard) are balanced over the live ones",
        ));
        out.push(field(
            at("record_cost"),
            dur(k.record_cost),
            Some(dur(d::KCL_RECORD_COST)),
            Assumption,
            "processing time per record; a worker processes one batch at a time",
        ));
        out.push(field(
            at("batch_cost"),
            dur(k.batch_cost),
            Some(dur(d::KCL_BATCH_COST)),
            Assumption,
            "processing time per batch (processRecords call)",
        ));
        out.push(field(
            at("checkpoint_every"),
            thousands(k.checkpoint_every),
            Some(thousands(d::KCL_CHECKPOINT_EVERY)),
            Assumption,
            "records between checkpoints (0: not by count); a failover resumes at the last one",
        ));
        out.push(field(
            at("checkpoint_interval"),
            dur(k.checkpoint_interval),
            Some(dur(d::KCL_CHECKPOINT_INTERVAL)),
            Assumption,
            "time between checkpoints (0: not by time)",
        ));
        out.push(field(
            at("failover_time"),
            dur(k.failover_time),
            Some(dur(d::KCL_FAILOVER_TIME)),
            Aws,
            "a dead worker's leases are taken over after this (KCL failoverTimeMillis, 10 s)",
        ));
        for (j, f) in k.failures.iter().enumerate() {
            out.push(field(
                format!("consumers[{i}].worker_failures[{j}]"),
                format!("worker {} at {}", f.index, dur(f.at)),
                None,
                Input,
                "a worker that stops for the rest of the run",
            ));
        }
    }
    if let Some(j) = &c.job {
        let at = |f: &str| format!("consumers[{i}].job.{f}");
        out.push(field(
            at("period"),
            dur(j.period),
            None,
            Input,
            "every period each live instance tries the lock; the winner flushes what was processed",
        ));
        out.push(field(
            at("instances"),
            j.instances.to_string(),
            Some(d::JOB_INSTANCES.to_string()),
            Input,
            "application instances scheduling the job",
        ));
        out.push(field(
            at("lock_at_most_for"),
            dur(j.lock_at_most_for),
            Some(dur(d::JOB_LOCK_AT_MOST_FOR)),
            Input,
            "the lock expires this long after it was taken, even if its holder died",
        ));
        out.push(field(
            at("lock_at_least_for"),
            dur(j.lock_at_least_for),
            Some(dur(d::JOB_LOCK_AT_LEAST_FOR)),
            Input,
            "the lock is kept at least this long, even after a shorter run",
        ));
        out.push(field(
            at("duration"),
            dur(j.duration),
            Some(dur(d::JOB_DURATION)),
            Assumption,
            "how long one run (a flush) takes",
        ));
        for (n, f) in j.failures.iter().enumerate() {
            let who = if f.index == crate::scenario::Failure::HOLDER {
                "the lock holder".to_string()
            } else {
                format!("instance {}", f.index)
            };
            out.push(field(
                format!("consumers[{i}].job.instance_failures[{n}]"),
                format!("{who} at {}", dur(f.at)),
                None,
                Input,
                "an instance that stops; if it holds the lock, the lock stays taken until lock_at_most_for",
            ));
        }
    }
}

/// The mode `engine.mode = "auto"` picks for `sc` (the rule of the validator).
fn auto_mode(sc: &Scenario) -> EngineMode {
    let expected: f64 = sc.producers.iter().map(|p| p.rate.integral(0, sc.duration)).sum();
    if expected <= d::AUTO_PER_RECORD_MAX_RECORDS {
        EngineMode::PerRecord
    } else {
        EngineMode::Aggregated
    }
}

/// `kinesim explain --json`: the rows of [`text`] as one JSON document, grouped by section in
/// file order: `{ "scenario": NAME, "sections": [ { "section": "stream", "settings": [ { "field",
/// "value", "default" (null: required), "status", "kind", "meaning" }, ... ] }, ... ] }`.
/// Values are as written in the text form, unescaped (JSON escapes what needs it).
pub fn json(sc: &Scenario) -> serde_json::Value {
    let mut sections: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for f in fields(sc) {
        let row = serde_json::json!({
            "field": f.path,
            "value": f.value,
            "default": f.default,
            "status": f.status(),
            "kind": f.origin.label(),
            "meaning": f.meaning,
        });
        let section = f.section();
        match sections.iter_mut().find(|(name, _)| name == section) {
            Some((_, rows)) => rows.push(row),
            None => sections.push((section.to_string(), vec![row])),
        }
    }
    let sections: Vec<serde_json::Value> = sections
        .into_iter()
        .map(|(section, settings)| serde_json::json!({ "section": section, "settings": settings }))
        .collect();
    serde_json::json!({ "scenario": sc.name, "sections": sections })
}

/// `kinesim explain`: one line per field with its value, whether it is the default, and its
/// meaning; a short header says how long and how large the run is.
pub fn text(sc: &Scenario) -> String {
    let rows = fields(sc);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} simulated on {} shard{} ({} producer{}), seed {}",
        sc.name,
        format_duration(sc.duration),
        sc.stream.shards,
        if sc.stream.shards == 1 { "" } else { "s" },
        sc.producers.len(),
        if sc.producers.len() == 1 { "" } else { "s" },
        sc.seed
    );
    if !sc.description.is_empty() {
        let _ = writeln!(s, "  {}", text_safety::terminal(&sc.description));
    }
    let _ = writeln!(
        s,
        "  ({:.0} s. status: `set` differs from the default, `auto` is resolved by a rule. kind: AWS = a Kinesis fact, assumption = a model default)",
        to_secs_f64(sc.duration)
    );
    let _ = writeln!(s);
    let w_path = rows.iter().map(|f| f.path.chars().count()).max().unwrap_or(0).min(34);
    let w_val = rows
        .iter()
        .filter(|f| f.path != "description")
        .map(|f| text_safety::terminal_line(&f.value).chars().count())
        .max()
        .unwrap_or(0)
        .min(44);
    let _ = writeln!(s, "{:<w_path$}  {:<w_val$}  {:<8} {:<10} meaning", "field", "value", "status", "kind");
    for f in &rows {
        let status = f.status();
        let value = if f.value.is_empty() {
            "\"\"".to_string()
        } else if f.path == "description"
            && (f.value.contains('\n') || text_safety::terminal_line(&f.value).chars().count() > w_val)
        {
            "(above)".to_string()
        } else {
            text_safety::terminal_line(&f.value).into_owned()
        };
        let mut meaning = f.meaning.to_string();
        if let ("set", Some(def)) = (status, &f.default) {
            let def = if def.is_empty() { "none" } else { def };
            let _ = write!(meaning, " (default: {def})");
        }
        let _ = writeln!(
            s,
            "{:<w_path$}  {:<w_val$}  {:<8} {:<10} {}",
            f.path,
            value,
            status,
            f.origin.label(),
            meaning
        );
    }
    // Values are escaped above; this catches any other user text (a default, a meaning).
    text_safety::terminal(&s).into_owned()
}
