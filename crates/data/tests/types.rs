//! Column types inferred from the data, encodings, JSON shapes, names and helpful errors.

mod common;

use cowork_data::{DataError, SqlType};
use serde_json::{Value, json};

fn types_of(t: &cowork_data::TableInfo) -> Vec<(&str, SqlType)> {
    t.columns
        .iter()
        .map(|c| (c.name.as_str(), c.sql_type))
        .collect()
}

#[test]
fn infers_ints_floats_dates_currency_percent_and_nulls() {
    let csv = "\
Order ID,Zip,Units,Price,Revenue,Share,Day,EU date,Paid,Shipped at,Note,Rate
1,00501,\"1,200\",3.5,\"$1,234.50\",12.5%,2024-01-31,31/01/2024,true,2024-01-31 10:15:00,first,NA
2,02134,7,4,$99,50%,2024-02-29,29.02.2024,FALSE,2024-02-01T08:00:00,,1.5
3,10001,,2.25,($10.00),0%,,01/03/2024,,,n/a,#N/A
";
    let mut e = common::engine();
    let t = e.load("orders 2024.csv", csv.as_bytes()).unwrap().remove(0);
    assert_eq!(t.table, "orders_2024");
    assert_eq!(t.rows, 3);
    assert_eq!(
        types_of(&t),
        [
            ("order_id", SqlType::Integer),
            ("zip", SqlType::Text),
            ("units", SqlType::Integer),
            ("price", SqlType::Real),
            ("revenue", SqlType::Real),
            ("share", SqlType::Real),
            ("day", SqlType::Date),
            ("eu_date", SqlType::Date),
            ("paid", SqlType::Boolean),
            ("shipped_at", SqlType::DateTime),
            ("note", SqlType::Text),
            ("rate", SqlType::Real),
        ]
    );
    assert_eq!(t.columns[0].original, "Order ID");
    assert!(t.columns[4].note.as_deref().unwrap().contains('$'));
    assert!(t.columns[5].note.as_deref().unwrap().contains("fraction"));
    let r = e
        .query("SELECT zip, units, revenue, share, day, eu_date, paid, shipped_at, note, rate, typeof(units), typeof(revenue) FROM orders_2024 ORDER BY order_id")
        .unwrap();
    assert_eq!(
        r.rows,
        [
            json!([
                "00501",
                1200,
                1234.5,
                0.125,
                "2024-01-31",
                "2024-01-31",
                1,
                "2024-01-31 10:15:00",
                "first",
                null,
                "integer",
                "real"
            ]),
            json!([
                "02134",
                7,
                99.0,
                0.5,
                "2024-02-29",
                "2024-02-29",
                0,
                "2024-02-01 08:00:00",
                null,
                1.5,
                "integer",
                "real"
            ]),
            json!([
                "10001",
                null,
                -10.0,
                0.0,
                null,
                "2024-03-01",
                null,
                null,
                "n/a",
                null,
                "null",
                "real"
            ]),
        ]
        .map(|v| v.as_array().unwrap().clone())
    );
    // Dates work with SQLite's date functions and order correctly.
    let r = e
        .query("SELECT strftime('%Y-%m', day), julianday(eu_date) - julianday(day) FROM orders_2024 WHERE day IS NOT NULL ORDER BY day DESC")
        .unwrap();
    assert_eq!(
        r.rows,
        [
            vec![json!("2024-02"), json!(0.0)],
            vec![json!("2024-01"), json!(0.0)]
        ]
    );
}

#[test]
fn semicolon_csv_with_decimal_commas_and_a_title_and_total() {
    let csv = "Umsatz 2024\n\nRegion;Monat;Betrag\nNord;01.01.2024;1.234,50 €\nSüd;01.02.2024;99,95 €\nTotal;;1.334,45 €\n";
    let mut e = common::engine();
    let t = e.load("umsatz.csv", csv.as_bytes()).unwrap().remove(0);
    assert_eq!(t.rows, 2, "{:?}", t.warnings);
    assert_eq!(
        types_of(&t),
        [
            ("region", SqlType::Text),
            ("monat", SqlType::Date),
            ("betrag", SqlType::Real)
        ]
    );
    assert!(t.warnings.iter().any(|w| w.contains("Total")));
    assert!(t.warnings.iter().any(|w| w.contains("above the header")));
    let r = e
        .query("SELECT SUM(betrag), MAX(monat) FROM umsatz")
        .unwrap();
    assert_eq!(r.rows[0], [json!(1334.45), json!("2024-02-01")]);
}

#[test]
fn shift_jis_csv_is_decoded() {
    let mut e = common::engine();
    let t = common::load(&mut e, "csv/markitdown__test_mskanji.csv").remove(0);
    let originals: Vec<&str> = t.columns.iter().map(|c| c.original.as_str()).collect();
    assert_eq!(originals, ["名前", "年齢", "住所"]);
    assert_eq!(t.columns[1].sql_type, SqlType::Integer);
    let name = &t.columns[0].name;
    let r = e
        .query(&format!(
            "SELECT {name}, {} FROM {} ORDER BY 2 DESC",
            t.columns[1].name, t.table
        ))
        .unwrap();
    assert_eq!(r.rows[0], [json!("髙橋淳"), json!(35)]);
    assert_eq!(r.rows.len(), 3);
    assert!(e.schema_text().contains("\"名前\""));
}

#[test]
fn utf16_and_latin1_text_are_decoded() {
    let text = "name\tcity\nZoë\tKöln\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut e = common::engine();
    let t = e.load("people.tsv", &utf16).unwrap().remove(0);
    assert_eq!(t.columns.len(), 2);
    assert_eq!(
        e.query("SELECT city FROM people").unwrap().rows[0][0],
        "Köln"
    );
    let latin1: Vec<u8> = "name;city\nZo\u{eb};K\u{f6}ln and M\u{fc}nchen\n"
        .chars()
        .map(|c| c as u8)
        .collect();
    e.load("latin.csv", &latin1).unwrap();
    assert_eq!(
        e.query("SELECT city FROM latin").unwrap().rows[0][0],
        "Köln and München"
    );
}

#[test]
fn json_arrays_and_keyed_records() {
    let bytes = common::corpus_bytes("json/vega__cars.json");
    let cars: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    let mut e = common::engine();
    let t = e.load("cars.json", &bytes).unwrap().remove(0);
    assert_eq!(t.rows, cars.len());
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names[..3],
        ["name", "miles_per_gallon", "cylinders"],
        "file order kept"
    );
    assert_eq!(
        t.columns
            .iter()
            .find(|c| c.name == "year")
            .unwrap()
            .sql_type,
        SqlType::Date
    );
    // Average mpg per origin, computed here from the parsed JSON.
    let mut by_origin: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for c in &cars {
        if let Some(mpg) = c["Miles_per_Gallon"].as_f64() {
            let e = by_origin
                .entry(c["Origin"].as_str().unwrap().to_string())
                .or_default();
            e.0 += mpg;
            e.1 += 1.0;
        }
    }
    let r = e
        .query("SELECT origin, AVG(miles_per_gallon) FROM cars GROUP BY origin ORDER BY origin")
        .unwrap();
    for (row, (origin, (sum, n))) in r.rows.iter().zip(&by_origin) {
        assert_eq!(row[0], json!(origin));
        assert!((row[1].as_f64().unwrap() - sum / n).abs() < 1e-9);
    }

    let nested = br#"{"generated": "2024-05-01", "orders": [
        {"id": 1, "customer": {"name": "Ada", "tier": "gold"}, "items": [1, 2], "total": 10.5},
        {"id": 2, "customer": {"name": "Bob"}, "total": null, "rush": true}
    ], "refunds": [{"id": 9, "amount": 3}]}"#;
    let tables = e.load("shop.json", nested).unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(names, ["shop_orders", "shop_refunds"]);
    let r = e
        .query("SELECT id, json_extract(customer, '$.name'), json_array_length(items), total, rush FROM shop_orders ORDER BY id")
        .unwrap();
    assert_eq!(
        r.rows[0],
        [json!(1), json!("Ada"), json!(2), json!(10.5), Value::Null]
    );
    assert_eq!(
        r.rows[1],
        [json!(2), json!("Bob"), Value::Null, Value::Null, json!(1)]
    );
    let err = e.load("bad.json", b"{\"a\": [1, 2").unwrap_err();
    assert!(
        matches!(err, DataError::NotLoadable { .. }) && err.to_string().contains("bad.json"),
        "{err}"
    );
}

#[test]
fn errors_name_what_exists() {
    let mut e = common::engine();
    e.load("sales.csv", b"Region,Product,Revenue\nNorth,A,1\n")
        .unwrap();
    let err = e
        .query("SELECT regoin, SUM(revenue) FROM sales GROUP BY 1")
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DataError::Sql { .. }));
    assert!(msg.contains("no such column: regoin"), "{msg}");
    assert!(msg.contains("did you mean `region`?"), "{msg}");
    assert!(
        msg.contains("columns of sales: region, product, revenue"),
        "{msg}"
    );
    let msg = e.query("SELECT * FROM sale").unwrap_err().to_string();
    assert!(
        msg.contains("no such table: sale") && msg.contains("did you mean `sales`?"),
        "{msg}"
    );
    let msg = e.query("SELEC * FROM sales").unwrap_err().to_string();
    assert!(
        msg.contains("syntax error") && msg.contains("columns of sales"),
        "{msg}"
    );
    assert!(matches!(
        e.query("  ").unwrap_err(),
        DataError::EmptyQuery { .. }
    ));
    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("scan.pdf", b"%PDF-1.7 ..."),
        ("blob.bin", b"\x00\x01\x02\x03\x00\x00"),
    ] {
        let err = e.load(name, bytes).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    // Truncated and random bytes claiming to be a workbook fail clearly, naming the file.
    let err = e.load("broken.xlsx", b"PK\x03\x04garbage").unwrap_err();
    assert!(err.to_string().contains("broken.xlsx"), "{err}");
}

#[test]
fn names_are_sanitized_unique_and_reloads_replace() {
    let mut e = common::engine();
    let t = e
        .load(
            "dir/Sales 2024.csv",
            b"Order,Order,,2024 total,Select\n1,2,3,4,5\n",
        )
        .unwrap()
        .remove(0);
    assert_eq!(t.table, "sales_2024");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["order_", "order__2", "col_3", "n_2024_total", "select_"]
    );
    assert_eq!(
        e.query("SELECT order_ + order__2 + col_3 FROM sales_2024")
            .unwrap()
            .rows[0][0],
        6
    );
    // Another file with the same stem gets a suffix; the same source again replaces its table.
    assert_eq!(
        e.load("other/sales 2024.json", b"[{\"a\":1}]").unwrap()[0].table,
        "sales_2024_2"
    );
    let t = e
        .load("dir/Sales 2024.csv", b"x\n1\n2\n")
        .unwrap()
        .remove(0);
    assert_eq!((t.table.as_str(), t.rows), ("sales_2024", 2));
    assert_eq!(e.tables().len(), 2);
    assert_eq!(
        e.query("SELECT COUNT(*) FROM sales_2024").unwrap().rows[0][0],
        2
    );
    let schema = e.schema_text();
    assert!(
        schema.contains("CREATE TABLE sales_2024 (\n  x INTEGER\n);"),
        "{schema}"
    );
    assert!(
        schema.contains("-- 2 rows from dir/Sales 2024.csv"),
        "{schema}"
    );
}

#[test]
fn a_single_sheet_workbook_is_also_named_by_its_file() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Item").unwrap();
    ws.write_string(0, 1, "Qty").unwrap();
    for (i, (item, qty)) in [("bolt", 3.0), ("nut", 4.0), ("gear", 5.0)]
        .iter()
        .enumerate()
    {
        ws.write_string(1 + i as u32, 0, *item).unwrap();
        ws.write_number(1 + i as u32, 1, *qty).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let mut e = common::engine();
    let t = e.load("Stock.xlsx", &bytes).unwrap().remove(0);
    assert_eq!(
        (t.table.as_str(), t.aliases.as_slice()),
        ("stock_sheet1", &["stock".to_string()][..])
    );
    assert_eq!(t.columns[1].sql_type, SqlType::Integer);
    assert_eq!(
        e.query("SELECT SUM(qty) FROM stock").unwrap().rows[0][0],
        12
    );
    assert!(e.schema_text().contains("also available as stock"));
    // Reloading replaces both the table and its view.
    e.load("Stock.xlsx", &bytes).unwrap();
    assert_eq!(e.tables().len(), 1);
    assert_eq!(e.query("SELECT COUNT(*) FROM stock").unwrap().rows[0][0], 3);
}
