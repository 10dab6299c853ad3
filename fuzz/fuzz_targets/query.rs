//! The search query parser on any bytes, against a small corpus store: an answer or an error,
//! never a panic or a stack overflow. What must hold is in `tests/harness.rs`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nmf_topics::corpus::CorpusStore;

#[path = "../../tests/harness.rs"]
mod harness;

fn store() -> &'static CorpusStore {
    static STORE: OnceLock<CorpusStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("nmf-topics-fuzz-store-")
            .tempdir()
            .expect("a temporary folder")
            .keep();
        harness::search_store(&dir.join("store"))
    })
}

fuzz_target!(|data: &[u8]| {
    harness::search(store(), data);
});
