//! Traffic from production as a plain CSV of per-minute sums, as exported from the CloudWatch
//! console (or written by hand from any monitoring tool):
//! `rate = { shape = "cloudwatch", file = "incoming.csv", scale = 3.0 }`.
//!
//! ```text
//! timestamp,IncomingRecords,IncomingBytes     <- header row (required)
//! 2026-11-20T10:00:00Z,58800,60211200         <- ISO 8601 (Z, +01:00, or none = UTC) ...
//! 2026-11-20 10:01:00,61200,62668800
//! 1795168920,60000,61440000                   <- ... or epoch seconds
//! ```
//!
//! The first column is the time a period starts; the records column is the one whose header
//! contains `IncomingRecords` (case and spaces ignored, so `my-stream IncomingRecords (Sum)`
//! works), the optional bytes column likewise `IncomingBytes`. Rows may come in any order
//! (newest first, as the console lists them); an empty records cell is a period without data
//! (no records, as CloudWatch reports no sum). Blank lines and lines starting with `#` are
//! ignored. Every message names the file and the line.
//!
//! May call: `cloudwatch` (timestamps, sums to steps), `trace` (excerpts), `read`, `defaults`.

use super::cloudwatch::{parse_timestamp, steps_from_sums, Export, TimeError};
use super::defaults::TRACE_FILE_MAX_BYTES;
use super::trace::{binary_line, excerpt};
use std::path::Path;

/// Problems reported per file before the rest are only counted.
const MAX_PROBLEMS: usize = 10;

/// Read `path`: the steps and what the export says about record sizes.
pub(crate) fn read(path: &Path, scale: f64) -> Result<Export, Vec<String>> {
    let name = path.display().to_string();
    let bytes = super::read::read_limited(path, TRACE_FILE_MAX_BYTES)
        .map_err(|e| vec![format!("cannot read CloudWatch CSV export {name}: {e}")])?;
    parse(&bytes, &name, scale)
}

/// `s` without spaces, lower case.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Seconds since 1970 of an ISO 8601 time or a whole number of epoch seconds; `Err` holds why
/// an ISO-shaped time does not exist (`2026-02-30`), `Err(None)` anything else.
fn time_of(s: &str) -> Result<i64, Option<String>> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| None);
    }
    parse_timestamp(s).map_err(|e| match e {
        TimeError::NotIso => None,
        TimeError::Impossible(why) => Some(why),
    })
}

/// Parse a per-minute CSV given as bytes; `name` is the file name used in messages.
pub(crate) fn parse(bytes: &[u8], name: &str, scale: f64) -> Result<Export, Vec<String>> {
    if let Some(line) = binary_line(bytes) {
        return Err(vec![format!(
            "{name}:{line}: not a text file (it has NUL bytes); expected a CSV with a header row `timestamp,IncomingRecords,IncomingBytes` and one row per minute"
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let mut problems: Vec<String> = Vec::new();
    let mut extra = 0usize;
    let mut report = |problems: &mut Vec<String>, msg: String| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(msg);
        } else {
            extra += 1;
        }
    };
    let mut header: Option<(usize, Option<usize>, usize)> = None;
    // (seconds, records, bytes, line)
    let mut rows: Vec<(i64, f64, Option<f64>, u64)> = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                report(&mut problems, format!("{name}:{line}: not valid CSV: {e}"));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let Some((records_col, bytes_col, width)) = header else {
            let cols: Vec<String> = rec.iter().map(squash).collect();
            let find = |what: &str| cols.iter().skip(1).position(|c| c.contains(what)).map(|i| i + 1);
            match find("incomingrecords") {
                Some(r) => header = Some((r, find("incomingbytes"), rec.len())),
                None => {
                    // The row is quoted only when it looks like a CSV header (a file that is not
                    // a CSV is not echoed), and then only its start.
                    let found = if rec.len() < 2 {
                        "a single column (no comma); is it a CSV file?".to_string()
                    } else {
                        excerpt(&rec.iter().collect::<Vec<_>>().join(","))
                    };
                    report(
                        &mut problems,
                        format!(
                            "{name}:{line}: expected a header row like `timestamp,IncomingRecords,IncomingBytes` (a column whose name contains IncomingRecords), found {found}"
                        ),
                    );
                    break;
                }
            }
            continue;
        };
        if rec.len() != width {
            report(
                &mut problems,
                format!("{name}:{line}: expected {width} columns like the header, found {}", rec.len()),
            );
            continue;
        }
        let t = &rec[0];
        let secs = match time_of(t) {
            Ok(secs) => secs,
            Err(None) => {
                report(
                    &mut problems,
                    format!(
                        "{name}:{line}: column 1 (time): expected an ISO 8601 time like 2026-11-20T10:00:00Z or epoch seconds like 1795168800, found {}",
                        excerpt(t)
                    ),
                );
                continue;
            }
            Err(Some(why)) => {
                report(
                    &mut problems,
                    format!("{name}:{line}: column 1 (time): {}: no such time: {why}", excerpt(t)),
                );
                continue;
            }
        };
        let number = |col: usize, what: &str| -> Result<Option<f64>, String> {
            let v = &rec[col];
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).map(Some).ok_or(format!(
                "{name}:{line}: column {} ({what}): expected a number >= 0 (a per-period sum), found {}",
                col + 1,
                excerpt(v)
            ))
        };
        let records = match number(records_col, "IncomingRecords") {
            Ok(v) => v.unwrap_or(0.0),
            Err(m) => {
                report(&mut problems, m);
                continue;
            }
        };
        let bytes = match bytes_col.map(|c| number(c, "IncomingBytes")) {
            None => None,
            Some(Ok(v)) => v,
            Some(Err(m)) => {
                report(&mut problems, m);
                continue;
            }
        };
        rows.push((secs, records, bytes, line));
    }
    if header.is_none() && problems.is_empty() {
        problems.push(format!("{name}: empty: expected a header row `timestamp,IncomingRecords,IncomingBytes` and one row per minute"));
    } else if rows.is_empty() && problems.is_empty() {
        problems.push(format!("{name}: no data rows after the header"));
    }
    rows.sort_by_key(|r| r.0);
    for w in rows.windows(2) {
        if w[0].0 == w[1].0 {
            report(
                &mut problems,
                format!(
                    "{name}:{}: the same time as line {} (one row per period)",
                    w[1].3.max(w[0].3),
                    w[1].3.min(w[0].3)
                ),
            );
        }
    }
    if extra > 0 {
        problems.push(format!("{name}: ... and {extra} more problems"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (recs, byts) =
        rows.iter().filter_map(|r| Some((r.1, r.2?))).fold((0.0, 0.0), |(a, b), (r, by)| (a + r, b + by));
    let mean_record_bytes = (recs > 0.0).then_some(byts / recs).filter(|_| bytes_seen(&rows));
    let (steps, period_s) = steps_from_sums(rows.iter().map(|r| (r.0, r.1)).collect(), scale)
        .map_err(|m| vec![format!("{name}: {m}")])?;
    Ok(Export { steps, format: "CSV", period_s, mean_record_bytes })
}

fn bytes_seen(rows: &[(i64, f64, Option<f64>, u64)]) -> bool {
    rows.iter().any(|r| r.2.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_minute_sums_in_any_order_with_iso_and_epoch_times() {
        let csv = "timestamp,IncomingRecords,IncomingBytes\n\
                   2026-11-20T10:02:00Z,6000,600000\n\
                   # a comment\n\
                   1795168800,60000,6000000\n\
                   2026-11-20 10:01:00,12000,1200000\n";
        let e = parse(csv.as_bytes(), "x.csv", 2.0).unwrap();
        assert_eq!(e.steps, vec![(0, 2000.0), (60_000_000, 400.0), (120_000_000, 200.0)]);
        assert_eq!((e.period_s, e.mean_record_bytes), (60, Some(100.0)));
    }

    #[test]
    fn bad_rows_name_the_line_and_column() {
        let csv = "time,IncomingRecords\n2026-11-20T10:00:00Z,abc\nyesterday,5\n2026-11-20T10:00:00Z,1\n";
        let e = parse(csv.as_bytes(), "x.csv", 1.0).unwrap_err().join("\n");
        assert!(e.contains("x.csv:2: column 2 (IncomingRecords): expected a number >= 0"), "{e}");
        assert!(e.contains("x.csv:3: column 1 (time)"), "{e}");
        let e = parse(b"time,Other\n1,2\n", "x.csv", 1.0).unwrap_err().join("\n");
        assert!(e.contains("x.csv:1: expected a header row"), "{e}");
        let e = parse(b"", "x.csv", 1.0).unwrap_err().join("\n");
        assert!(e.contains("empty"), "{e}");
        let e = parse(b"t,IncomingRecords\n60,1\n60,2\n", "x.csv", 1.0).unwrap_err().join("\n");
        assert!(e.contains("x.csv:3: the same time as line 2"), "{e}");
        let e = parse(b"t,IncomingRecords\n2026-02-30 10:00:00,1\n", "x.csv", 1.0).unwrap_err().join("\n");
        assert!(
            e.contains("x.csv:2: column 1 (time): \"2026-02-30 10:00:00\": no such time: 2026-02-30 is not a date: February 2026 has 28 days"),
            "{e}"
        );
        let e = parse(b"t,IncomingRecords\n60,1,2\n", "x.csv", 1.0).unwrap_err().join("\n");
        assert!(e.contains("x.csv:2: expected 2 columns"), "{e}");
    }
}
