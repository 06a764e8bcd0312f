//! cowork_textdocs::read_html on arbitrary bytes.
#![no_main]

use cowork_fuzz::{exercise, opts_for, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = opts_for(data);
    run(data, || {
        if let Ok(doc) = cowork_textdocs::read_html(data, &opts) {
            exercise(&doc);
        }
    });
});
