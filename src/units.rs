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
