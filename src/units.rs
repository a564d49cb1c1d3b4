//! Units: simulated time and byte sizes, and the parsers for the unit strings the scenario format
//! uses (`"90s"`, `"15m"`, `"7d"`, `"100ms"`, `"1KiB"`, `"2MiB"`, `"1KB"`).
//!
//! Simulated time is an integer count of microseconds ([`SimTime`]); there is no float time
//! anywhere in the engine, so event order never depends on rounding.

/// A point in simulated time, or a duration [µs].
pub type SimTime = u64;

/// Microseconds in one second.
pub const MICROS_PER_SEC: SimTime = 1_000_000;
/// Microseconds in one millisecond.
pub const MICROS_PER_MS: SimTime = 1_000;

/// 1 KiB = 1,024 bytes.
pub const KIB: u64 = 1024;
/// 1 MiB = 1,048,576 bytes.
pub const MIB: u64 = 1024 * 1024;

/// Whole seconds [s] to [`SimTime`].
pub const fn secs(s: u64) -> SimTime {
    s * MICROS_PER_SEC
}

/// Milliseconds [ms] to [`SimTime`].
pub const fn millis(ms: u64) -> SimTime {
    ms * MICROS_PER_MS
}

/// [`SimTime`] to seconds [s] as a float, for reports only.
pub fn to_secs_f64(t: SimTime) -> f64 {
    t as f64 / MICROS_PER_SEC as f64
}

/// [`SimTime`] to milliseconds [ms] as a float, for reports only.
pub fn to_ms_f64(t: SimTime) -> f64 {
    t as f64 / MICROS_PER_MS as f64
}

// ---- Parsing and formatting of unit strings ----------------------------------------------

/// Why a unit string could not be parsed. The caller words the message, since it knows the
/// field and the examples worth showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitError {
    /// Not `<number><unit>`: no number, an unknown unit or stray characters.
    Malformed,
    /// A leading minus sign: durations and sizes are never negative.
    Negative,
    /// The value does not fit in a `u64` of the base unit (µs or bytes).
    Overflow,
}

impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnitError::Malformed => "not a number followed by a unit",
            UnitError::Negative => "negative",
            UnitError::Overflow => "too large",
        })
    }
}

/// Duration units and their length [µs].
const DURATION_UNITS: &[(&str, u64)] = &[
    ("us", 1),
    ("µs", 1),
    ("μs", 1),
    ("ms", MICROS_PER_MS),
    ("s", MICROS_PER_SEC),
    ("m", 60 * MICROS_PER_SEC),
    ("h", 3_600 * MICROS_PER_SEC),
    ("d", 86_400 * MICROS_PER_SEC),
];

/// Size units and their length [bytes]: decimal (`KB` = 1,000 B) and binary (`KiB` = 1,024 B).
const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("KiB", KIB),
    ("MiB", MIB),
    ("GiB", 1024 * MIB),
];

/// The grammar [`parse_duration`] reads, as a regular expression (ECMA 262, for the scenario
/// format's JSON Schema): digits, an optional decimal part, at most one space, a unit.
/// Whether the value fits (overflow, a field's range) is not part of it.
pub fn duration_pattern() -> String {
    unit_pattern(DURATION_UNITS)
}

/// The grammar [`parse_bytes`] reads, as a regular expression (see [`duration_pattern`]).
pub fn size_pattern() -> String {
    unit_pattern(SIZE_UNITS)
}

/// The duration units, in order (`us`, `ms`, ...), for messages.
pub fn duration_unit_names() -> Vec<&'static str> {
    DURATION_UNITS.iter().map(|u| u.0).collect()
}

/// The size units, in order (`B`, `KB`, ...), for messages.
pub fn size_unit_names() -> Vec<&'static str> {
    SIZE_UNITS.iter().map(|u| u.0).collect()
}

/// `parse_with_units`' grammar: the number as `scaled` reads it (`1`, `1.5`; not `1.`, `.5` or
/// `1e3`), then an optional space, then one unit (none has a character special to a regular
/// expression).
fn unit_pattern(units: &[(&str, u64)]) -> String {
    let names: Vec<&str> = units.iter().map(|u| u.0).collect();
    format!("^[0-9]+(\\.[0-9]+)? ?({})$", names.join("|"))
}

/// Parse a duration such as `"250ms"`, `"1.5s"`, `"90s"`, `"15m"`, `"7d"` into [`SimTime`] [µs].
///
/// The number is an integer or a decimal (`1.5`; no exponent), the unit one of `us` (or `µs`),
/// `ms`, `s`, `m`, `h`, `d`, written right after the number or after one space (`"24h"`, `"24 h"`);
/// other spaces, before or after, are not allowed (see [`trim_hint`]). Arithmetic is exact
/// (no float): `"0.1s"` is exactly 100,000 µs; fractions of a microsecond round to the nearest.
pub fn parse_duration(text: &str) -> Result<SimTime, UnitError> {
    parse_with_units(text, DURATION_UNITS)
}

/// Parse a size such as `"100B"`, `"1KiB"`, `"1.5KiB"`, `"2MiB"`, `"1KB"` into bytes (rounded to
/// the nearest byte). Units: `B`, `KB`, `MB`, `GB` (powers of 1,000), `KiB`, `MiB`, `GiB`
/// (powers of 1,024); spaces as for [`parse_duration`]. A bare number is not a size: the unit is
/// always written (`"100B"`).
pub fn parse_bytes(text: &str) -> Result<u64, UnitError> {
    parse_with_units(text, SIZE_UNITS)
}

fn parse_with_units(text: &str, units: &[(&str, u64)]) -> Result<u64, UnitError> {
    let t = text;
    if t.starts_with('-') {
        return Err(UnitError::Negative);
    }
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = (&t[..split], &t[split..]);
    // One space between number and unit at most; none before or after.
    let unit = unit.strip_prefix(' ').unwrap_or(unit);
    let per_unit = units.iter().find(|(u, _)| *u == unit).map(|(_, n)| *n).ok_or(UnitError::Malformed)?;
    scaled(number, per_unit)
}

/// When `text` is a unit string with spaces around it, the string to write instead, for a
/// message: `" 10 s "` -> `"10s"`. `None` when the spaces around are not the problem.
pub fn trim_hint(text: &str, parse: fn(&str) -> Result<u64, UnitError>) -> Option<String> {
    let trimmed = text.trim();
    if trimmed == text || parse(trimmed).is_err() {
        return None;
    }
    let tight: String = trimmed.split_whitespace().collect();
    Some(if parse(&tight).is_ok() { tight } else { trimmed.to_string() })
}

/// `number * per_unit`, rounded to the nearest integer, with exact decimal arithmetic.
fn scaled(number: &str, per_unit: u64) -> Result<u64, UnitError> {
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits_only(int) || !digits_only(frac) || (number.contains('.') && frac.is_empty())
    {
        return Err(UnitError::Malformed);
    }
    let int = int.trim_start_matches('0');
    // More than 30 digits cannot fit once multiplied; u128 holds 38.
    if int.len() > 30 {
        return Err(UnitError::Overflow);
    }
    let int_value: u128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| UnitError::Overflow)? };
    let per_unit = u128::from(per_unit);
    let whole = int_value.checked_mul(per_unit).ok_or(UnitError::Overflow)?;
    // Digits beyond the 18th change the result by less than 1e-18 of a unit: ignore them.
    let frac = &frac[..frac.len().min(18)];
    let frac_part = if frac.is_empty() {
        0
    } else {
        let numerator: u128 = frac.parse().map_err(|_| UnitError::Malformed)?;
        let denominator = 10u128.pow(frac.len() as u32);
        (numerator * per_unit + denominator / 2) / denominator
    };
    let total = whole.checked_add(frac_part).ok_or(UnitError::Overflow)?;
    u64::try_from(total).map_err(|_| UnitError::Overflow)
}

/// A duration [µs] in the scenario format's notation, exact and short: `"10m"`, `"1.5s"`,
/// `"250ms"`, `"0s"`. Parsing the result with [`parse_duration`] gives `t` back.
pub fn format_duration(t: SimTime) -> String {
    if t == 0 {
        return "0s".to_string();
    }
    // Largest unit in which the value has at most three decimals.
    const UNITS: [(&str, u64); 6] = [
        ("d", 86_400 * MICROS_PER_SEC),
        ("h", 3_600 * MICROS_PER_SEC),
        ("m", 60 * MICROS_PER_SEC),
        ("s", MICROS_PER_SEC),
        ("ms", MICROS_PER_MS),
        ("us", 1),
    ];
    for (name, unit) in UNITS {
        let milli_units = u128::from(t) * 1000;
        if t >= unit && milli_units.is_multiple_of(u128::from(unit)) {
            return format!("{}{name}", decimal_thousandths(milli_units / u128::from(unit)));
        }
    }
    format!("{t}us")
}

/// A size [bytes] for messages: `"1 MiB"`, `"5 MiB"`, `"512 KiB"`, `"2,097,162 B"`.
pub fn format_bytes(b: u64) -> String {
    if b >= MIB && b.is_multiple_of(MIB) {
        format!("{} MiB", b / MIB)
    } else if b >= KIB && b.is_multiple_of(KIB) {
        format!("{} KiB", b / KIB)
    } else {
        format!("{} B", thousands(b))
    }
}

/// `1234567` -> `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1500` thousandths -> `"1.5"`; `2000` -> `"2"`.
fn decimal_thousandths(v: u128) -> String {
    let (int, frac) = (v / 1000, v % 1000);
    if frac == 0 {
        int.to_string()
    } else {
        format!("{int}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// "1 period", "2 periods": a count and its noun, singular for one.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 shard", "6 shards": a shard count as a reader says it.
pub fn shards(n: u64) -> String {
    if n == 1 {
        "1 shard".to_string()
    } else {
        format!("{} shards", thousands(n))
    }
}

/// `x.round() as u64` (half away from zero, saturating; NaN and negatives give 0) without the
/// call to libm's `round` that x86-64's baseline instruction set needs: the same value for every
/// input (tested), on paths taken for every cohort.
pub fn round_u64(x: f64) -> u64 {
    let t = x as u64;
    if x - t as f64 >= 0.5 {
        t.saturating_add(1)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_u64_matches_round_then_cast() {
        let mut xs = vec![0.0, 0.5, 1.5, 2.5, 0.49999999999999994, 4503599627370495.5, 1e19, 2e19, 1e300];
        xs.extend([-0.3, -0.7, -2.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE]);
        let mut x = 1e-3;
        while x < 1e20 {
            xs.extend([x, x + 0.5, x * 1.000_000_1]);
            x *= 1.37;
        }
        for x in xs {
            assert_eq!(round_u64(x), x.round() as u64, "{x}");
        }
    }

    #[test]
    fn durations_parse_exactly() {
        assert_eq!(parse_duration("250ms"), Ok(millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration("0.1s"), Ok(100_000));
        assert_eq!(parse_duration("90s"), Ok(secs(90)));
        assert_eq!(parse_duration("15m"), Ok(secs(900)));
        assert_eq!(parse_duration("7d"), Ok(secs(7 * 86_400)));
        assert_eq!(parse_duration("24 h"), Ok(secs(86_400)));
        for spaced in [" 24h", "24h ", " 24 h ", "24  h", "24\th", "2 4h"] {
            assert_eq!(parse_duration(spaced), Err(UnitError::Malformed), "{spaced:?}");
        }
        assert_eq!(trim_hint(" 10 s ", parse_duration).as_deref(), Some("10s"));
        assert_eq!(trim_hint("10  s", parse_duration), None);
        assert_eq!(trim_hint(" 2 4h", parse_duration), None);
        assert_eq!(trim_hint("10 s", parse_duration), None);
        assert_eq!(trim_hint(" 10 parsecs", parse_duration), None);
        assert_eq!(trim_hint(" 1 KiB", parse_bytes).as_deref(), Some("1KiB"));
        assert_eq!(parse_duration("5us"), Ok(5));
        assert_eq!(parse_duration("5µs"), Ok(5));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration("1.0000005s"), Ok(1_000_001));
        assert_eq!(parse_duration("0.0000000000000000000001d"), Ok(0));
    }

    #[test]
    fn bad_durations_are_errors_not_panics() {
        for bad in ["", "s", "10", "10 minutes", "1e3s", ".5s", "5.s", "1..5s", "ten s", "5 S", "+5s", "5s5"]
        {
            assert_eq!(parse_duration(bad), Err(UnitError::Malformed), "{bad:?}");
        }
        assert_eq!(parse_duration("-5s"), Err(UnitError::Negative));
        assert_eq!(parse_duration("213503983d"), Err(UnitError::Overflow));
        assert_eq!(parse_duration("99999999999999999999999999999999999999999999d"), Err(UnitError::Overflow));
        assert_eq!(parse_duration("18446744073709551615us"), Ok(u64::MAX));
        assert_eq!(parse_duration("18446744073709551616us"), Err(UnitError::Overflow));
    }

    #[test]
    fn sizes_parse_in_both_bases() {
        assert_eq!(parse_bytes("100B"), Ok(100));
        assert_eq!(parse_bytes("1KiB"), Ok(1024));
        assert_eq!(parse_bytes("1KB"), Ok(1000));
        assert_eq!(parse_bytes("1.5KiB"), Ok(1536));
        assert_eq!(parse_bytes("2MiB"), Ok(2 * MIB));
        assert_eq!(parse_bytes("1 GiB"), Ok(1024 * MIB));
        assert_eq!(parse_bytes("0.4B"), Ok(0));
        assert_eq!(parse_bytes("0.5B"), Ok(1));
        assert_eq!(parse_bytes("100"), Err(UnitError::Malformed));
        assert_eq!(parse_bytes("12 parsecs"), Err(UnitError::Malformed));
        assert_eq!(parse_bytes("1kib"), Err(UnitError::Malformed));
        assert_eq!(parse_bytes("99999999999999GiB"), Err(UnitError::Overflow));
    }

    #[test]
    fn formats_round_trip() {
        for t in [
            0,
            1,
            999,
            1_000,
            1_500_000,
            secs(90),
            secs(600),
            secs(86_400),
            millis(250),
            123_456_789,
            u64::MAX,
        ] {
            assert_eq!(parse_duration(&format_duration(t)), Ok(t), "{}", format_duration(t));
        }
        assert_eq!(format_duration(secs(600)), "10m");
        assert_eq!(format_duration(1_500_000), "1.5s");
        assert_eq!(format_duration(secs(90)), "1.5m");
        assert_eq!(format_duration(millis(250)), "250ms");
        assert_eq!(format_bytes(MIB), "1 MiB");
        assert_eq!(format_bytes(512 * KIB), "512 KiB");
        assert_eq!(format_bytes(2 * MIB + 10), "2,097,162 B");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(999), "999");
    }
}
