//! Traffic traces for `rate = { shape = "trace", file = "traffic.csv" }`: a CSV file of
//! `(time, records/s)` steps, each rate holding until the next row's time.
//!
//! ```text
//! time,records_per_second      <- header row (required; any names)
//! 0s,1200                      <- first row at time 0
//! 90s,1500                     <- time: a duration string, or a plain number of seconds
//! 300,800
//! ```
//!
//! Blank lines and lines starting with `#` are ignored. Every message names the CSV file and
//! its line. A file that is not such a CSV (binary, or a first row that is not two columns) is
//! refused at its first line without echoing it, and cells are quoted only as short escaped
//! excerpts ([`excerpt`]): the path may name any file the user can read.
//!
//! May call: `read`, `defaults`, `crate::units`.

use super::defaults::{DURATION_MAX, RATE_MAX, TRACE_FILE_MAX_BYTES};
use crate::units::{format_duration, parse_duration, SimTime, UnitError};
use std::path::Path;

/// Problems reported per file before the rest are only counted.
const MAX_PROBLEMS: usize = 10;

/// Read and check the trace at `path`. Errors are complete messages naming the file and line.
pub(crate) fn read_trace(path: &Path) -> Result<Vec<(SimTime, f64)>, Vec<String>> {
    let name = path.display().to_string();
    let bytes = super::read::read_limited(path, TRACE_FILE_MAX_BYTES)
        .map_err(|e| vec![format!("cannot read trace file {name}: {e}")])?;
    parse_trace(&bytes, &name)
}

/// Check a trace given as bytes; `name` is the file name used in messages.
pub(crate) fn parse_trace(bytes: &[u8], name: &str) -> Result<Vec<(SimTime, f64)>, Vec<String>> {
    if let Some(line) = binary_line(bytes) {
        return Err(vec![format!(
            "{name}:{line}: not a text file (it has NUL bytes); expected a CSV trace: a header row `time,records_per_second`, then rows like `0s,1200`"
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let mut problems = Vec::new();
    let mut extra = 0usize;
    let mut report = |problems: &mut Vec<String>, msg: String| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(msg);
        } else {
            extra += 1;
        }
    };
    let mut points: Vec<(SimTime, f64)> = Vec::new();
    let mut header_seen = false;
    // Time of the previous good row, to check the order.
    let mut previous: Option<SimTime> = None;
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(String::new(), |p| format!(":{}", p.line()));
                report(&mut problems, format!("{name}{line}: not a readable CSV row ({e})"));
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let at = format!("{name}:{line}");
        let cells: Vec<String> = record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        if !header_seen {
            header_seen = true;
            if cells.len() != 2 {
                // Not a trace CSV at all (a text file, a CSV of another shape): say so once,
                // without listing (or echoing) every line of it.
                let found = if cells.len() == 1 {
                    "a single column (no comma); is it a CSV file?".to_string()
                } else {
                    format!("{} columns", cells.len())
                };
                return Err(vec![format!(
                    "{at}: expected a header row of two columns, like `time,records_per_second`; found {found}"
                )]);
            } else if parse_time(&cells[0]).is_ok() {
                report(
                    &mut problems,
                    format!(
                        "{at}: the first row must be a header like `time,records_per_second`, found {}",
                        excerpt(&cells.join(","))
                    ),
                );
                // Check it as the data row it looks like, so the rows after it are judged fairly.
            } else {
                continue;
            }
        }
        if cells.len() != 2 {
            report(
                &mut problems,
                format!("{at}: expected 2 columns (time, records_per_second), found {}", cells.len()),
            );
            continue;
        }
        let time = match parse_time(&cells[0]) {
            Ok(t) if t <= DURATION_MAX => Some(t),
            Ok(_) | Err(UnitError::Overflow) => {
                report(
                    &mut problems,
                    format!(
                        "{at}: time {} is too late (at most {})",
                        excerpt(&cells[0]),
                        format_duration(DURATION_MAX)
                    ),
                );
                None
            }
            Err(UnitError::Negative) => {
                report(&mut problems, format!("{at}: time {} is negative", excerpt(&cells[0])));
                None
            }
            Err(UnitError::Malformed) => {
                report(
                    &mut problems,
                    format!(
                        "{at}: time {}: expected a duration like \"90s\" or a number of seconds",
                        excerpt(&cells[0])
                    ),
                );
                None
            }
        };
        let rate = match cells[1].parse::<f64>() {
            Ok(r) if r.is_finite() && (0.0..=RATE_MAX).contains(&r) => Some(r),
            Ok(r) if r.is_finite() && r > RATE_MAX => {
                report(
                    &mut problems,
                    format!("{at}: records_per_second {} is more than {RATE_MAX:e}", excerpt(&cells[1])),
                );
                None
            }
            _ => {
                report(
                    &mut problems,
                    format!("{at}: records_per_second {}: expected a finite number >= 0", excerpt(&cells[1])),
                );
                None
            }
        };
        if let Some(t) = time {
            match previous {
                None if t != 0 => report(
                    &mut problems,
                    format!("{at}: the first row must be at time 0 (the trace starts the run), found {}", excerpt(&cells[0])),
                ),
                Some(p) if t <= p => report(
                    &mut problems,
                    format!(
                        "{at}: time {} is not after the previous row's {} (rows must be in strictly increasing time)",
                        format_duration(t),
                        format_duration(p)
                    ),
                ),
                _ => {}
            }
            previous = Some(t);
            if let Some(r) = rate {
                points.push((t, r));
            }
        }
    }
    if !header_seen {
        report(
            &mut problems,
            format!("{name}: the file is empty; expected a header row `time,records_per_second` and rows"),
        );
    } else if previous.is_none() && problems.is_empty() {
        report(
            &mut problems,
            format!("{name}: no rows after the header; a trace needs at least one `time,rate` row"),
        );
    }
    if extra > 0 {
        problems.push(format!("{name}: ... and {extra} more problems"));
    }
    if problems.is_empty() {
        Ok(points)
    } else {
        Err(problems)
    }
}

/// Longest cell quoted in a message [characters].
const EXCERPT_CHARS: usize = 24;

/// A cell quoted for a message: escaped (`{:?}`) and cut to [`EXCERPT_CHARS`] characters, so
/// that a message never echoes much of a file that is not what the field expects.
pub(crate) fn excerpt(cell: &str) -> String {
    if cell.chars().count() <= EXCERPT_CHARS {
        format!("{cell:?}")
    } else {
        let head: String = cell.chars().take(EXCERPT_CHARS).collect();
        format!("{head:?}…")
    }
}

/// Line of the first NUL byte, if any: a binary file, not a CSV.
pub(crate) fn binary_line(bytes: &[u8]) -> Option<usize> {
    let at = bytes.iter().position(|&b| b == 0)?;
    Some(bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1)
}

/// A duration string (`"90s"`), or a plain number of seconds (`"90"`, `"1.5"`).
fn parse_time(cell: &str) -> Result<SimTime, UnitError> {
    let plain = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    if plain {
        parse_duration(&format!("{cell}s"))
    } else {
        parse_duration(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    #[test]
    fn a_good_trace_mixes_durations_and_seconds() {
        let csv = b"time,records_per_second\n# warm-up\n0s,100\n\n90,150.5\n5m,0\n";
        assert_eq!(parse_trace(csv, "t.csv"), Ok(vec![(0, 100.0), (secs(90), 150.5), (secs(300), 0.0)]));
    }

    #[test]
    fn every_bad_row_is_named_by_line() {
        let csv = b"time,rate\n5s,100\n4s,abc\n6s\nx,1\n7s,-1\n8s,inf\n-3,1\n";
        let errors = parse_trace(csv, "t.csv").unwrap_err();
        let all = errors.join("\n");
        assert!(all.contains("t.csv:2: the first row must be at time 0"), "{all}");
        assert!(all.contains("t.csv:3: time 4s is not after the previous row's 5s"), "{all}");
        assert!(all.contains("t.csv:3: records_per_second \"abc\""), "{all}");
        assert!(all.contains("t.csv:4: expected 2 columns"), "{all}");
        assert!(all.contains("t.csv:5: time \"x\""), "{all}");
        assert!(all.contains("t.csv:6: records_per_second \"-1\""), "{all}");
        assert!(all.contains("t.csv:7: records_per_second \"inf\""), "{all}");
        assert!(all.contains("t.csv:8: time \"-3\" is negative"), "{all}");
    }

    #[test]
    fn header_and_emptiness_are_checked() {
        let all = |b: &[u8]| parse_trace(b, "t.csv").unwrap_err().join("\n");
        let no_header = parse_trace(b"0,100\n10,200\n", "t.csv").unwrap_err();
        assert_eq!(
            no_header,
            ["t.csv:1: the first row must be a header like `time,records_per_second`, found \"0,100\""]
        );
        assert!(all(b"").contains("the file is empty"));
        assert!(all(b"time,rate\n").contains("no rows after the header"));
        assert!(all(b"time\n0\n").contains("expected a header row of two columns"));
        assert!(all(&[0xff, 0xfe, 0, 1, 2, b'\n', 0x80, b',', 0x81]).contains("t.csv:"));
        let many: String = "time,rate\n".to_string() + &"x,y\n".repeat(50);
        let errors = parse_trace(many.as_bytes(), "t.csv").unwrap_err();
        assert_eq!(errors.len(), MAX_PROBLEMS + 1);
        assert!(errors.last().unwrap().contains("more problems"));
    }
}
