//! cowork_textdocs::decode_text, read_text and read_text_from (a chunk from the middle) on arbitrary bytes.
#![no_main]

use cowork_fuzz::{exercise, opts_for, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = opts_for(data);
    run(data, || {
        std::hint::black_box(cowork_textdocs::decode_text(data));
        if let Ok(doc) = cowork_textdocs::read_text(data, &opts) {
            exercise(&doc);
        }
        if let Ok(doc) = cowork_textdocs::read_text_from(data, data.len() / 3, &opts) {
            exercise(&doc);
        }
    });
});
