//! Scenario text -> TOML -> validated scenario -> the guard rail's estimate and `explain`: what
//! `kinesim validate`, `run` (before simulating) and `explain` do with a file. Any input must
//! give a scenario or a `ScenarioError`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Non-UTF-8 bytes are refused by `scenario::load` before parsing (covered by the bad-input
    // corpus); the parser sees text.
    let Ok(text) = std::str::from_utf8(data) else { return };
    match kinesim::scenario::parse_str(text, None) {
        Ok(sc) => {
            let estimate = kinesim::experiment::estimate(&sc);
            let _ = estimate.refusal(&sc);
            let _ = kinesim::experiment::warnings(&sc);
            let _ = kinesim::explain::text(&sc);
        }
        Err(e) => {
            // Rendering the message (file:line:column: path: message) must not panic either.
            let _ = e.to_string();
        }
    }
});
