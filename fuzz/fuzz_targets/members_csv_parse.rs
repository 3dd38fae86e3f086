//! Members CSV reader on arbitrary bytes: Ok or Err, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = lobbysim::input::members::parse_members_csv(text, std::path::Path::new("m.csv"));
    }
});
