//! cowork_docs::detect on arbitrary bytes (entry lists are zipped first, so the zip sniffing
//! that tells docx/pptx/xlsx/ods apart sees real packages), with a file name hint chosen by
//! the input length.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [Option<&str>; 8] = [
    None,
    Some("x.csv"),
    Some("x.tsv"),
    Some("notes.txt"),
    Some("README.md"),
    Some("x.json"),
    Some("mail.eml"),
    Some("report.docx"),
];

fuzz_target!(|data: &[u8]| {
    let zipped = cowork_fuzz::package(data);
    let bytes = zipped.as_deref().unwrap_or(data);
    let name = NAMES[data.len() % NAMES.len()];
    cowork_fuzz::run(data, || {
        std::hint::black_box(cowork_docs::detect(bytes, name));
    });
});
