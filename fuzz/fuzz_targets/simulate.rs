//! Scenario text -> validated scenario -> simulation -> every report file, for the scenarios
//! small enough to run in milliseconds: what `kinesim run` does. Any valid scenario must run
//! without a panic, conserve records and render its report.
#![no_main]

use kinesim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

/// Small enough to run thousands of times a minute.
fn small(sc: &Scenario) -> bool {
    let e = kinesim::experiment::estimate(sc);
    e.refusal(sc).is_none()
        && e.events <= 50_000.0
        && e.memory_bytes <= 64.0 * 1024.0 * 1024.0
        && sc.duration <= 600 * kinesim::units::MICROS_PER_SEC
        && sc.stream.shards <= 64
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = kinesim::scenario::parse_str(text, None) else { return };
    if !small(&sc) {
        return;
    }
    let r = kinesim::experiment::run(&sc);
    let t = &r.totals;
    assert_eq!(t.records_produced, t.records_accepted + t.records_dropped() + t.records_pending, "{t:?}");
    kinesim::report::render_all(&r, &sc).expect("the report renders");
    let _ = kinesim::report::text::render(&r, sc.size.as_ref().map(|z| &z.slo));
});
