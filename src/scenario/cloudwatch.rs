//! Traffic from production: `rate = { shape = "cloudwatch", file = "incoming.json" }` reads what
//! `aws cloudwatch get-metric-data` prints for `IncomingRecords` (per-period sums, usually one
//! minute) and turns each period's sum into a rate held over the period. How the records of a
//! period spread over its seconds is the producer's `arrivals`: `uniform` spreads them evenly,
//! `poisson` draws each second's count (a named model choice; one-minute data cannot tell
//! which is right, and hides sub-minute bursts either way).
//!
//! ```json
//! { "MetricDataResults": [ { "Id": "m1", "Label": "IncomingRecords",
//!     "Timestamps": ["2026-11-20T10:01:00+00:00", "2026-11-20T10:00:00+00:00"],
//!     "Values": [61200.0, 58800.0], "StatusCode": "Complete" } ] }
//! ```
//!
//! May call: `trace` (excerpts), `read`, `defaults`, `crate::units`.

use super::defaults::{RATE_MAX, TRACE_FILE_MAX_BYTES};
use crate::units::{SimTime, MICROS_PER_SEC};
use serde_json::Value;
use std::path::Path;

/// A rate shape read from an export of per-period sums.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Export {
    /// `(time since the first datapoint [µs], records/s x scale)` steps.
    pub steps: Vec<(SimTime, f64)>,
    /// `get-metric-data JSON` or `CSV`.
    pub format: &'static str,
    /// Length of one datapoint [s] (60 for one-minute data).
    pub period_s: u64,
    /// `IncomingBytes / IncomingRecords` over the export, when it has bytes [bytes/record].
    pub mean_record_bytes: Option<f64>,
}

/// Read `path` and return `(time since the first datapoint [µs], records/s x scale)` steps.
/// Errors are complete messages naming the file.
pub(crate) fn read(path: &Path, metric: &str, scale: f64) -> Result<Export, Vec<String>> {
    let name = path.display().to_string();
    let bytes = super::read::read_limited(path, TRACE_FILE_MAX_BYTES)
        .map_err(|e| vec![format!("cannot read CloudWatch export {name}: {e}")])?;
    parse(&bytes, &name, metric, scale).map_err(|m| vec![format!("{name}: {m}")])
}

/// Parse a get-metric-data JSON document.
pub(crate) fn parse(bytes: &[u8], _name: &str, metric: &str, scale: f64) -> Result<Export, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not the JSON that `aws cloudwatch get-metric-data` prints (line {}, column {}: {e})",
            e.line(),
            e.column()
        )
    })?;
    let results = doc.get("MetricDataResults").and_then(Value::as_array).ok_or(
        "expected a top-level `MetricDataResults` array (aws cloudwatch get-metric-data --output json)",
    )?;
    incomplete(&doc, results)?;
    let matches = |r: &&Value, metric: &str| {
        ["Label", "Id"]
            .iter()
            .any(|k| r.get(k).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(metric)))
    };
    let result = match results.iter().filter(|r| matches(r, metric)).collect::<Vec<_>>().as_slice() {
        [one] => *one,
        [] if results.len() == 1 => &results[0],
        [] => {
            let labels: Vec<&str> =
                results.iter().filter_map(|r| r.get("Label").and_then(Value::as_str)).collect();
            return Err(format!("no result labelled {metric:?} (found: {})", labels.join(", ")));
        }
        _ => return Err(format!("several results are labelled {metric:?}; keep one")),
    };
    let points = datapoints(result)?;
    // IncomingBytes beside IncomingRecords (same query): the export's mean record size.
    let bytes = if metric.eq_ignore_ascii_case("IncomingRecords") {
        match results.iter().filter(|r| matches(r, "IncomingBytes")).collect::<Vec<_>>().as_slice() {
            [one] => Some(datapoints(one)?),
            _ => None,
        }
    } else {
        None
    };
    let mean_record_bytes = bytes.and_then(|b| {
        let records: f64 = points.iter().filter(|p| b.iter().any(|q| q.0 == p.0)).map(|p| p.1).sum();
        let bytes: f64 = b.iter().filter(|q| points.iter().any(|p| p.0 == q.0)).map(|q| q.1).sum();
        (records > 0.0).then_some(bytes / records)
    });
    let (steps, period_s) = steps_from_sums(points, scale)?;
    Ok(Export { steps, format: "get-metric-data JSON", period_s, mean_record_bytes })
}

/// Refuse an export CloudWatch marked incomplete: a top-level `NextToken` or a result whose
/// `StatusCode` is not `Complete`. GetMetricData "returns NextToken when more data is available"
/// and a result's `PartialData` status means the same; `InternalError` and `Forbidden` mean no
/// or partial data (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html).
/// Simulating the first page alone would plan capacity from part of the traffic, so the run
/// does not start; a missing `StatusCode` (a hand-written export) is taken as complete.
fn incomplete(doc: &Value, results: &[Value]) -> Result<(), String> {
    let token = doc.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty());
    let partial = results.iter().find_map(|r| {
        let code = r.get("StatusCode").and_then(Value::as_str)?;
        (code != "Complete").then(|| {
            let label = r.get("Label").or_else(|| r.get("Id")).and_then(Value::as_str).unwrap_or("?");
            (label.to_string(), code.to_string())
        })
    });
    let how = "GetMetricData returns a NextToken when more data is available \
               (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html): \
               get the rest by calling again with the token (`aws cloudwatch get-metric-data ... \
               --next-token TOKEN`, or `--starting-token TOKEN` after `--max-items`) until no \
               NextToken comes back, and merge the pages' Timestamps and Values into one result; or \
               let the AWS CLI fetch every page (leave out --no-paginate and --max-items)";
    match (token, partial) {
        (None, None) => Ok(()),
        (_, Some((label, code))) if code != "PartialData" => Err(format!(
            "the result {label:?} has StatusCode {code:?}, not \"Complete\": CloudWatch did not return \
             all of its data; export it again"
        )),
        (Some(_), Some((label, code))) => Err(format!(
            "incomplete export: the result {label:?} has StatusCode {code:?} and the export has a \
             NextToken, so it holds only the first page of the data; {how}"
        )),
        (None, Some((label, code))) => {
            Err(format!("incomplete export: the result {label:?} has StatusCode {code:?}; {how}"))
        }
        (Some(_), None) => Err(format!(
            "incomplete export: it has a NextToken, so it holds only the first page of the data; {how}"
        )),
    }
}

/// `(seconds since 1970, value)` of one `MetricDataResults` entry, in its order.
fn datapoints(result: &Value) -> Result<Vec<(i64, f64)>, String> {
    let stamps =
        result.get("Timestamps").and_then(Value::as_array).ok_or("the result has no `Timestamps` array")?;
    let values = result.get("Values").and_then(Value::as_array).ok_or("the result has no `Values` array")?;
    if stamps.len() != values.len() {
        return Err(format!("{} timestamps but {} values", stamps.len(), values.len()));
    }
    if stamps.is_empty() {
        return Err("the result has no datapoints".into());
    }
    let mut points = Vec::with_capacity(stamps.len());
    for (i, (t, v)) in stamps.iter().zip(values).enumerate() {
        let t = t.as_str().ok_or(format!("Timestamps[{i}] is not a string"))?;
        let secs = parse_timestamp(t).map_err(|e| e.message(&format!("Timestamps[{i}]"), t))?;
        let v = v
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or(format!("Values[{i}] is not a number >= 0"))?;
        points.push((secs, v));
    }
    Ok(points)
}

/// Per-period sums `(seconds since 1970, sum)` in any order -> rate steps (sum / period x
/// scale, held over the period; a missing period is 0) and the period [s]: the smallest gap
/// between datapoints (60 s when there is only one).
pub(crate) fn steps_from_sums(
    mut points: Vec<(i64, f64)>,
    scale: f64,
) -> Result<(Vec<(SimTime, f64)>, u64), String> {
    if points.is_empty() {
        return Err("no datapoints".into());
    }
    // CloudWatch lists the newest first by default.
    points.sort_by_key(|p| p.0);
    if points.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err("two datapoints share a timestamp".into());
    }
    let period = points.windows(2).map(|w| w[1].0 - w[0].0).min().unwrap_or(60).max(1);
    let t0 = points[0].0;
    let mut steps = Vec::with_capacity(points.len() + 1);
    let mut expected = t0;
    for (t, sum) in points {
        if t > expected {
            // A gap (missing datapoints): CloudWatch reports no sum, i.e. no records.
            steps.push((((expected - t0) as u64) * MICROS_PER_SEC, 0.0));
        }
        let rate = sum / period as f64 * scale;
        if rate > RATE_MAX {
            return Err(format!("a rate of {rate:.0} records/s is above the {RATE_MAX:e} limit"));
        }
        steps.push((((t - t0) as u64) * MICROS_PER_SEC, rate));
        expected = t + period;
    }
    Ok((steps, period as u64))
}

/// Why a text is not a time [`parse_timestamp`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeError {
    /// Not an ISO 8601 time at all.
    NotIso,
    /// Written like one, but its date or clock time does not exist (`2026-02-30`): the reason.
    Impossible(String),
}

impl TimeError {
    /// The message for `text`, found at `what` (`Timestamps[3]`, `column 1 (time)`).
    pub(crate) fn message(&self, what: &str, text: &str) -> String {
        match self {
            TimeError::NotIso => format!(
                "{what} = {} is not an ISO 8601 time like \"2026-11-20T10:00:00+00:00\"",
                super::trace::excerpt(text)
            ),
            TimeError::Impossible(why) => {
                format!("{what} = {}: no such time: {why}", super::trace::excerpt(text))
            }
        }
    }
}

/// Seconds since 1970 of an ISO 8601 / RFC 3339 time, `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`
/// (a space may stand for the `T`; no offset means UTC), parsed strictly by the `jiff` crate
/// (https://docs.rs/jiff/latest/jiff/fmt/temporal/index.html): a date that does not exist
/// (2026-02-30) or a clock time past 23:59:60 is an error, never rolled over into the next
/// month or day.
pub(crate) fn parse_timestamp(s: &str) -> Result<i64, TimeError> {
    // An offset after the seconds (and any fraction) makes it an instant; without one it is a
    // UTC wall-clock time (a civil date-time in jiff's terms, which would ignore an offset).
    let has_offset = s.get(19..).is_some_and(|rest| {
        let rest =
            rest.strip_prefix('.').map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
        !rest.is_empty()
    });
    let parsed = if has_offset {
        s.parse::<jiff::Timestamp>().map(|t| t.as_second())
    } else {
        s.parse::<jiff::civil::DateTime>()
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt))
            .map(|t| t.as_second())
    };
    parsed.map_err(|_| impossible(s).map_or(TimeError::NotIso, TimeError::Impossible))
}

/// Why `s`, shaped like `YYYY-MM-DDTHH:MM:SS...`, names no time: its date does not exist
/// (`2026-02-30 is not a date: February 2026 has 28 days`) or its clock time does not; `None`
/// when it is not shaped like a time at all.
fn impossible(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shaped = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .iter()
            .all(|r| b[r.clone()].iter().all(u8::is_ascii_digit));
    if !shaped {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let date = &s[0..10];
    if !(1..=12).contains(&mo) {
        return Some(format!("{date} is not a date: there is no month {mo}"));
    }
    if jiff::civil::Date::new(y, mo as i8, d as i8).is_err() {
        let first = jiff::civil::Date::new(y, mo as i8, 1).ok()?;
        return Some(format!(
            "{date} is not a date: {} {y} has {} days",
            first.strftime("%B"),
            first.days_in_month()
        ));
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || se > 60 {
        return Some(format!("{} is not a time of day", &s[11..19]));
    }
    // Shaped like a time with a real date and clock: the rest (the offset) is what is wrong.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_offsets() {
        // Reference: Python datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp() = 1795168800.
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_timestamp("2026-11-20T10:00:00+00:00"), Ok(1_795_168_800));
        assert_eq!(parse_timestamp("2026-11-20T11:00:00+01:00"), Ok(1_795_168_800));
        assert_eq!(parse_timestamp("2026-11-20T10:00:00.000Z"), Ok(1_795_168_800));
        assert_eq!(parse_timestamp("2026-11-20 10:00:00"), Ok(1_795_168_800), "no offset: UTC");
        assert_eq!(parse_timestamp("2028-02-29T00:00:00Z"), Ok(1_835_395_200), "a leap day");
        assert!(matches!(parse_timestamp("2026-13-20T10:00:00Z"), Err(TimeError::Impossible(_))));
        assert_eq!(parse_timestamp("yesterday"), Err(TimeError::NotIso));
        assert_eq!(parse_timestamp("2026-11-20T10:00:00+0é0"), Err(TimeError::NotIso));
    }

    /// Impossible dates are refused, not rolled over (2026-02-30 is not 2026-03-02): the Gregorian
    /// calendar, as https://www.rfc-editor.org/rfc/rfc3339#section-5.7 requires of a full-date.
    #[test]
    fn impossible_dates_are_refused_not_rolled_over() {
        for (t, why) in [
            ("2026-02-30T10:00:00Z", "2026-02-30 is not a date: February 2026 has 28 days"),
            ("2026-02-29 10:00:00", "2026-02-29 is not a date: February 2026 has 28 days"),
            ("2026-04-31T00:00:00+01:00", "2026-04-31 is not a date: April 2026 has 30 days"),
            ("2026-11-20T24:00:00Z", "24:00:00 is not a time of day"),
        ] {
            assert_eq!(parse_timestamp(t), Err(TimeError::Impossible(why.into())), "{t}");
        }
    }

    #[test]
    fn per_minute_sums_become_rates_newest_first_and_gaps_are_zero() {
        let doc = br#"{"MetricDataResults":[
            {"Id":"b","Label":"IncomingBytes","Timestamps":["2026-11-20T10:00:00Z"],"Values":[1.0]},
            {"Id":"r","Label":"IncomingRecords","Timestamps":["2026-11-20T10:03:00Z","2026-11-20T10:01:00Z","2026-11-20T10:00:00Z"],
             "Values":[6000.0,12000.0,60000.0],"StatusCode":"Complete"}]}"#;
        let e = parse(doc, "x.json", "IncomingRecords", 3.0).unwrap();
        assert_eq!(
            (e.period_s, e.mean_record_bytes),
            (60, Some(1.0 / 60_000.0)),
            "bytes of the shared minute"
        );
        assert_eq!(
            e.steps,
            vec![(0, 3000.0), (60_000_000, 600.0), (120_000_000, 0.0), (180_000_000, 300.0)],
            "1,000 records/s x 3, then 200 x 3, a missing minute, then 100 x 3"
        );
        assert!(parse(doc, "x.json", "WriteProvisionedThroughputExceeded", 1.0)
            .unwrap_err()
            .contains("no result labelled"));
        assert!(parse(b"{}", "x.json", "IncomingRecords", 1.0).is_err());
        assert!(parse(b"not json", "x.json", "IncomingRecords", 1.0).unwrap_err().contains("line 1"));
    }

    /// GetMetricData "returns NextToken when more data is available" and marks such a result
    /// `PartialData` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
    /// an export holding one page of several is refused with how to get the rest, not simulated.
    #[test]
    fn a_partial_export_is_refused_with_how_to_get_the_rest() {
        let page = |status: &str, token: &str| {
            format!(
                r#"{{"MetricDataResults":[{{"Id":"m1","Label":"IncomingRecords",
                "Timestamps":["2026-11-20T10:00:00Z"],"Values":[60.0],"StatusCode":"{status}"}}]{token}}}"#
            )
        };
        let parse = |doc: String| parse(doc.as_bytes(), "x.json", "IncomingRecords", 1.0);
        assert!(parse(page("Complete", "")).is_ok());
        let e = parse(page("PartialData", r#","NextToken":"abc""#)).unwrap_err();
        assert!(
            e.contains("incomplete export") && e.contains("\"PartialData\"") && e.contains("NextToken"),
            "{e}"
        );
        assert!(e.contains("--next-token") && e.contains("merge"), "{e}");
        assert!(parse(page("PartialData", "")).unwrap_err().contains("incomplete export"));
        assert!(parse(page("Complete", r#","NextToken":"abc""#)).unwrap_err().contains("first page"));
        assert!(parse(page("InternalError", "")).unwrap_err().contains("export it again"));
        assert!(parse(page("Complete", r#","NextToken":null"#)).is_ok());
    }
}
