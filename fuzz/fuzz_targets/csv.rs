//! cowork_textdocs::read_csv, as CSV or TSV (chosen by the input length, so no byte is spent on it).
#![no_main]

use cowork_fuzz::{exercise, opts_for, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = opts_for(data);
    let format = if (data.len() / 8).is_multiple_of(2) {
        cowork_docmodel::Format::Csv
    } else {
        cowork_docmodel::Format::Tsv
    };
    run(data, || {
        if let Ok(doc) = cowork_textdocs::read_csv(data, format, &opts) {
            exercise(&doc);
        }
    });
});
