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
    let bytes = super::read_limited(path, TRACE_FILE_MAX_BYTES)
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
        let secs = parse_timestamp(t).ok_or(format!(
            "Timestamps[{i}] = {} is not an ISO 8601 time like \"2026-11-20T10:00:00+00:00\"",
            super::trace::excerpt(t)
        ))?;
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

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
pub(crate) fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "" | "Z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            // ASCII digits only: slicing `hm` by bytes below must not cut a character.
            if hm.len() != 4 || !hm.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            sign * (hm[0..2].parse::<i64>().ok()? * 3600 + hm[2..4].parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_offsets() {
        // Reference: Python datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp() = 1795168800.
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("2026-11-20T10:00:00+00:00"), Some(1_795_168_800));
        assert_eq!(parse_timestamp("2026-11-20T11:00:00+01:00"), Some(1_795_168_800));
        assert_eq!(parse_timestamp("2026-11-20T10:00:00.000Z"), Some(1_795_168_800));
        assert_eq!(parse_timestamp("2026-13-20T10:00:00Z"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
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
}
