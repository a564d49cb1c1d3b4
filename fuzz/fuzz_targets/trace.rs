//! A traffic trace CSV (`rate = { shape = "trace" }`) and a CSV of per-minute CloudWatch sums
//! (`shape = "cloudwatch"` with a `.csv` file): any bytes give steps or messages.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(points) = kinesim::scenario::parse_trace(data, "fuzz.csv") {
        // What the parser promises: starts at 0, strictly increasing times, finite rates >= 0.
        assert_eq!(points.first().map(|p| p.0), Some(0));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(points.iter().all(|p| p.1.is_finite() && p.1 >= 0.0));
    }
    if let Ok(steps) = kinesim::scenario::parse_minute_csv(data, 3.0) {
        assert!(steps.windows(2).all(|w| w[0].0 < w[1].0), "times increase");
        assert!(steps.iter().all(|p| p.1.is_finite() && p.1 >= 0.0), "rates finite and >= 0");
    }
});
