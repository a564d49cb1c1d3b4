//! A CloudWatch `get-metric-data` JSON export (`rate = { shape = "cloudwatch" }`): any bytes give
//! steps or a message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(points) = kinesim::scenario::parse_cloudwatch(data, "IncomingRecords", 3.0) {
        // Steps start at 0, in strictly increasing time, with finite rates >= 0.
        assert_eq!(points.first().map(|p| p.0), Some(0));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(points.iter().all(|p| p.1.is_finite() && p.1 >= 0.0));
    }
});
