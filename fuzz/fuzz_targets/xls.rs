//! cowork_sheets::read_spreadsheet(Format::Xls) on arbitrary bytes (CFB/BIFF).
#![no_main]

use cowork_fuzz::{exercise, opts_for, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = opts_for(data);
    run(data, || {
        if let Ok(doc) = cowork_sheets::read_spreadsheet(data, cowork_docmodel::Format::Xls, &opts)
        {
            exercise(&doc);
        }
    });
});
