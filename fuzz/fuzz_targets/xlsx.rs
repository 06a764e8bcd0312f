//! cowork_sheets::read_spreadsheet(Format::Xlsx) on a raw package or an entry list (see src/lib.rs).
#![no_main]

use cowork_fuzz::{exercise, opts_for, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = opts_for(data);
    let zipped = cowork_fuzz::package(data);
    let bytes = zipped.as_deref().unwrap_or(data);
    run(data, || {
        if let Ok(doc) =
            cowork_sheets::read_spreadsheet(bytes, cowork_docmodel::Format::Xlsx, &opts)
        {
            exercise(&doc);
        }
    });
});
