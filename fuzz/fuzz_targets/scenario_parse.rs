//! Scenario parser and validator on arbitrary bytes: must return Ok or Err, never panic, hang
//! or allocate without bound. Paths in the input resolve against a directory that does not
//! exist, so file references fail cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let path = std::path::Path::new("/nonexistent-lobbysim-fuzz/s.toml");
        if let Ok(s) = lobbysim::scenario::parse(text, path) {
            // A valid scenario must also compile into a model without panicking.
            let _ = lobbysim::model::Model::new(&s);
        }
    }
});
