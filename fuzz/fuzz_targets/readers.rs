//! The readers on any bytes: the first byte picks the way (JSON Lines, lines, a whole file, a
//! folder, Matrix Market, Matrix Market transposed, CSV, TSV; gzip-compressed when its top bit
//! is set),
//! the rest is the input. What must hold is in `tests/harness.rs`, shared with the tests.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/harness.rs"]
mod harness;

/// One folder for the whole run, removed when the process ends normally.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("nmf-topics-fuzz-")
            .tempdir()
            .expect("a temporary folder");
        // Kept for the life of the process: libFuzzer ends it with exit, not by returning.
        dir.keep()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    harness::read_every_way(input, selector, dir());
});
