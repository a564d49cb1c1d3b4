//! The scenario checker: [`Checker`] collects problems by field path, and the leaf checks
//! (`text`, `int`, `num`, `positive`, `duration`, `size`, `choice`, `only_fields`) each read one
//! [`Scalar`], report their own problem and return `None` on failure.
//!
//! Knows no section of the scenario: every section validator calls it, never the reverse.
//! May call: `raw` (the [`Scalar`] type), `error` (suggestions, lists), `crate::units`.

use super::error::{did_you_mean, or_list};
use super::raw::Scalar;
use crate::units::{
    format_bytes, format_duration, parse_bytes, parse_duration, thousands, SimTime, UnitError,
};

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

pub(super) const SIZE_LIKE: &str =
    "a size like \"100B\", \"1KiB\" or \"2MiB\" (units B, KB, MB, GB, KiB, MiB, GiB)";

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
