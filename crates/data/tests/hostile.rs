//! Bad input never panics or hangs: each load ends in tables or a clear error naming the file.

mod common;

use cowork_data::DataError;

fn load_ok_or_clear(name: &str, bytes: &[u8]) {
    let mut e = common::engine();
    match e.load(name, bytes) {
        Ok(tables) => {
            for t in tables {
                e.query(&format!("SELECT * FROM {} LIMIT 5", t.table))
                    .unwrap();
            }
            let _ = e.schema_text();
        }
        Err(err) => assert!(err.to_string().contains(name), "{name}: {err}"),
    }
}

/// A small deterministic generator, so failures reproduce.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn random_and_truncated_bytes() {
    for seed in 1..40u64 {
        load_ok_or_clear("noise.csv", &noise(seed, 3000));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(noise(seed, 2000));
        load_ok_or_clear("noise.xlsx", &zip);
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend(noise(seed, 2000));
        load_ok_or_clear("noise.xls", &ole);
    }
    let xlsx = common::corpus_bytes("xlsx/tika__testEXCEL.xlsx");
    for cut in [10, 100, xlsx.len() / 3, xlsx.len() / 2, xlsx.len() - 10] {
        load_ok_or_clear("cut.xlsx", &xlsx[..cut]);
    }
    let csv = common::corpus_bytes("csv/vega__birdstrikes.csv");
    load_ok_or_clear("cut.csv", &csv[..csv.len() / 2 + 7]);
}

#[test]
fn pathological_text() {
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    load_ok_or_clear("deep.json", deep_json.as_bytes());
    let deep_obj = format!("[{{\"a\": {}1{}}}]", "{\"b\":".repeat(120), "}".repeat(120));
    load_ok_or_clear("nested.json", deep_obj.as_bytes());
    load_ok_or_clear("quotes.csv", b"a,b\n\"unterminated,1\n2,3\n");
    load_ok_or_clear("ragged.csv", b"a\n1,2,3,4\n\n,,,,,,,,\n5\n");
    load_ok_or_clear(
        "odd.csv",
        "d,x\n\u{20ac}JAN1960,1\n31JAN\u{e9}60,2\n12:99,3\n2020-13-01T25:61,4\n".as_bytes(),
    );
    load_ok_or_clear(
        "wide.csv",
        format!("{}\n", vec!["c"; 3000].join(",")).as_bytes(),
    );
    let big_cell = format!("a,b\n{},1\n", "x".repeat(2_000_000));
    load_ok_or_clear("bigcell.csv", big_cell.as_bytes());
    load_ok_or_clear("only-header.csv", b"a,b,c\n");
    load_ok_or_clear("blank.csv", b"\n\n , \n");
    load_ok_or_clear("scalar.json", b"\"just a string\"");
    load_ok_or_clear("empty-array.json", b"[]");
    load_ok_or_clear("nul.csv", b"a,b\n1\x002,3\n");
}

#[test]
fn a_header_only_file_is_an_empty_table() {
    let mut e = common::engine();
    let t = e.load("only-header.csv", b"a,b,c\n").unwrap().remove(0);
    assert_eq!((t.columns.len(), t.rows), (3, 0));
    assert!(
        e.query("SELECT * FROM only_header")
            .unwrap()
            .rows
            .is_empty()
    );
    let err = e
        .load(
            "wide.csv",
            format!("{}\n", vec!["c"; 3000].join(",")).as_bytes(),
        )
        .unwrap_err();
    assert!(
        matches!(err, DataError::NotLoadable { .. }) && err.to_string().contains("3000 columns"),
        "{err}"
    );
}
