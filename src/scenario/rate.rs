//! A producer's `rate`: a constant, or a shape (`steps`, `ramp`, `diurnal`, `spike`) or a
//! recorded traffic (`trace`, `cloudwatch`), whose file is read here.
//!
//! May call: `checker`, `raw`, `types`, `defaults`, and the readers `trace`, `cloudwatch`,
//! `minute_csv`.

use super::checker::{choice, duration, field, num, only_fields, text, Checker};
use super::defaults as d;
use super::error::or_list;
use super::raw::choices::RATE_SHAPES;
use super::raw::{RawRate, RawStep, Scalar, ScalarOr};
use super::trace;
use super::types::{RateShape, TraceExport};
use crate::units::{format_duration, SimTime};
use std::path::Path;

/// A producer's `rate`: a number of records/s or a shape table; trace and CloudWatch files
/// are read here, relative to `base_dir`.
pub(super) fn rate(
    c: &mut Checker,
    path: &str,
    v: Option<&ScalarOr<RawRate>>,
    base_dir: &Path,
) -> Option<RateShape> {
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
                &format!("a rate table needs `shape`: {}", or_list(&RATE_SHAPES, '"')),
            )
        }
        Some(v) => choice(c, &field(path, "shape"), v, &RATE_SHAPES)?,
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
