//! cowork_data::DataEngine::load on arbitrary bytes named x.csv / x.xlsx / x.json (by input
//! length; an entry list is zipped and named x.xlsx, or x.ods when it has content.xml), then a
//! COUNT(*) over every loaded table so the created tables are queried too.
#![no_main]

use std::time::Duration;

use cowork_data::{DataEngine, EngineLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let zipped = cowork_fuzz::package(data);
    let (name, bytes) = match &zipped {
        Some(zip)
            if cowork_fuzz::entries(data)
                .iter()
                .any(|(n, _)| n == "content.xml") =>
        {
            ("x.ods", zip.as_slice())
        }
        Some(zip) => ("x.xlsx", zip.as_slice()),
        None => (["x.csv", "x.xlsx", "x.json"][data.len() % 3], data),
    };
    let limits = EngineLimits {
        max_load_rows: 100_000,
        timeout: Duration::from_secs(2),
        ..EngineLimits::default()
    };
    cowork_fuzz::run(data, || {
        let Ok(mut engine) = DataEngine::new(limits) else {
            return;
        };
        let Ok(tables) = engine.load(name, bytes) else {
            return;
        };
        for t in tables {
            let sql = format!("SELECT COUNT(*) FROM \"{}\"", t.table);
            std::hint::black_box(engine.query(&sql).ok());
        }
        std::hint::black_box(engine.schema_text());
    });
});
