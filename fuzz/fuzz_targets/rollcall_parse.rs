//! Roll-call CSV reader on arbitrary bytes: Ok or Err, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(r) = lobbysim::rollcall::parse(text, std::path::Path::new("r.csv")) {
            let _ = r.tally();
        }
    }
});
