//! The headline use: GROUP BY and window-function questions answered by SQL over a corpus CSV
//! and over a workbook sheet, checked against values computed here independently.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not text: {v}"))
        .to_string()
}

/// (date, precipitation, temp_max, weather) parsed straight from the file.
fn seattle_rows() -> Vec<(String, f64, f64, String)> {
    let text = String::from_utf8(common::corpus_bytes("csv/vega__seattle-weather.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0].to_string(),
                c[1].parse().unwrap(),
                c[2].parse().unwrap(),
                c[5].trim().to_string(),
            )
        })
        .collect()
}

#[test]
fn group_by_over_corpus_csv() {
    let mut engine = common::engine();
    let tables = common::load(&mut engine, "csv/vega__seattle-weather.csv");
    assert_eq!(tables[0].table, "vega_seattle_weather");
    let rows = seattle_rows();
    assert_eq!(tables[0].rows, rows.len());

    let mut expected: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for (_, _, tmax, weather) in &rows {
        let e = expected.entry(weather.clone()).or_default();
        e.0 += tmax;
        e.1 += 1;
    }
    let r = engine
        .query("SELECT weather, AVG(temp_max) AS avg_max, COUNT(*) AS days FROM vega_seattle_weather GROUP BY weather ORDER BY weather")
        .unwrap();
    assert_eq!(r.columns, ["weather", "avg_max", "days"]);
    assert_eq!(r.rows.len(), expected.len());
    assert!(!r.truncated);
    for (row, (weather, (sum, n))) in r.rows.iter().zip(&expected) {
        assert_eq!(&s(&row[0]), weather);
        assert!((f(&row[1]) - sum / *n as f64).abs() < 1e-9, "{weather}");
        assert_eq!(row[2].as_u64(), Some(*n as u64));
    }
}

#[test]
fn window_functions_over_corpus_csv() {
    let mut engine = common::engine();
    common::load(&mut engine, "csv/vega__seattle-weather.csv");
    // Monthly precipitation with a running total per year and its rank within the year.
    let r = engine
        .query(
            "WITH m AS (
                SELECT strftime('%Y', date) AS y, strftime('%m', date) AS mo, SUM(precipitation) AS p
                FROM vega_seattle_weather GROUP BY y, mo)
             SELECT y, mo, p,
                    SUM(p) OVER (PARTITION BY y ORDER BY mo) AS running,
                    RANK() OVER (PARTITION BY y ORDER BY p DESC) AS rnk
             FROM m ORDER BY y, mo",
        )
        .unwrap();
    let mut monthly: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (date, p, _, _) in seattle_rows() {
        *monthly
            .entry((date[..4].to_string(), date[5..7].to_string()))
            .or_default() += p;
    }
    assert_eq!(r.rows.len(), monthly.len());
    assert_eq!(r.rows.len(), 48);
    let mut running: BTreeMap<String, f64> = BTreeMap::new();
    for (row, ((y, mo), p)) in r.rows.iter().zip(&monthly) {
        assert_eq!((s(&row[0]), s(&row[1])), (y.clone(), mo.clone()));
        assert!((f(&row[2]) - p).abs() < 1e-6);
        let run = running.entry(y.clone()).or_default();
        *run += p;
        assert!((f(&row[3]) - *run).abs() < 1e-6, "{y}-{mo}");
        let rank = 1 + monthly
            .iter()
            .filter(|((yy, _), pp)| yy == y && **pp > *p + 1e-9)
            .count();
        assert_eq!(row[4].as_u64(), Some(rank as u64), "{y}-{mo}");
    }

    // Year-over-year growth of the average maximum temperature with LAG().
    let r = engine
        .query(
            "WITH y AS (SELECT CAST(strftime('%Y', date) AS INTEGER) AS year, AVG(temp_max) AS t
                        FROM vega_seattle_weather GROUP BY year)
             SELECT year, t, (t - LAG(t) OVER (ORDER BY year)) / LAG(t) OVER (ORDER BY year) AS yoy
             FROM y ORDER BY year",
        )
        .unwrap();
    let mut yearly: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for (date, _, tmax, _) in seattle_rows() {
        let e = yearly.entry(date[..4].parse().unwrap()).or_default();
        e.0 += tmax;
        e.1 += 1.0;
    }
    let avgs: Vec<(i64, f64)> = yearly.iter().map(|(y, (s, n))| (*y, s / n)).collect();
    assert_eq!(r.rows.len(), avgs.len());
    assert_eq!(r.rows[0][2], Value::Null);
    for (i, (row, (year, avg))) in r.rows.iter().zip(&avgs).enumerate() {
        assert_eq!(row[0].as_i64(), Some(*year));
        assert!((f(&row[1]) - avg).abs() < 1e-9);
        if i > 0 {
            let prev = avgs[i - 1].1;
            assert!((f(&row[2]) - (avg - prev) / prev).abs() < 1e-9);
        }
    }
}

/// (region, product line, month, revenue) of one sale.
type Sale = (&'static str, &'static str, u32, f64);

/// A workbook as people send it: a title line, a header, typed numbers and dates, a Total row.
fn sales_workbook() -> (Vec<u8>, Vec<Sale>) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let data: Vec<Sale> = vec![
        ("North", "Widgets", 1, 1200.0),
        ("North", "Gadgets", 2, 850.5),
        ("South", "Widgets", 1, 990.0),
        ("South", "Widgets", 3, 1010.25),
        ("East", "Gadgets", 2, 400.0),
        ("North", "Widgets", 3, 1320.0),
        ("East", "Widgets", 1, 700.0),
        ("South", "Gadgets", 2, 640.0),
    ];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Q1 Sales").unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "Sales report Q1 2024").unwrap();
    for (c, h) in ["Region", "Product line", "Date", "Revenue ($)"]
        .iter()
        .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, (region, product, month, revenue)) in data.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, *region).unwrap();
        ws.write_string(r, 1, *product).unwrap();
        let d = ExcelDateTime::from_ymd(2024, *month as u8, 10 + i as u8).unwrap();
        ws.write_datetime_with_format(r, 2, &d, &date_fmt).unwrap();
        ws.write_number(r, 3, *revenue).unwrap();
    }
    let total_row = 3 + data.len() as u32;
    ws.write_string(total_row, 0, "Total").unwrap();
    ws.write_number(total_row, 3, data.iter().map(|d| d.3).sum::<f64>())
        .unwrap();
    let second = wb.add_worksheet();
    second.set_name("Notes").unwrap();
    second.write_string(0, 0, "Key").unwrap();
    second.write_string(0, 1, "Value").unwrap();
    second.write_string(1, 0, "owner").unwrap();
    second.write_string(1, 1, "finance").unwrap();
    (wb.save_to_buffer().unwrap(), data)
}

#[test]
fn group_by_and_window_over_xlsx_sheet() {
    let (bytes, data) = sales_workbook();
    let mut engine = common::engine();
    let tables = engine.load("reports/Sales 2024.xlsx", &bytes).unwrap();
    assert_eq!(tables.len(), 2);
    let t = &tables[0];
    assert_eq!(
        (t.table.as_str(), t.sheet.as_deref()),
        ("sales_2024_q1_sales", Some("Q1 Sales"))
    );
    assert_eq!(
        t.rows,
        data.len(),
        "title line and Total row are not data: {:?}",
        t.warnings
    );
    let names: Vec<(&str, &str, String)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.original.as_str(), c.sql_type.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            ("region", "Region", "TEXT".to_string()),
            ("product_line", "Product line", "TEXT".to_string()),
            ("date", "Date", "TEXT".to_string()),
            ("revenue", "Revenue ($)", "REAL".to_string()),
        ]
    );
    assert_eq!(t.columns[2].sql_type, cowork_data::SqlType::Date);
    assert_eq!(tables[1].table, "sales_2024_notes");

    // Revenue by region and product line.
    let r = engine
        .query("SELECT region, product_line, SUM(revenue) FROM sales_2024_q1_sales GROUP BY 1, 2 ORDER BY 1, 2")
        .unwrap();
    let mut expected: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for (region, product, _, revenue) in &data {
        *expected.entry((region, product)).or_default() += revenue;
    }
    assert_eq!(r.rows.len(), expected.len());
    for (row, ((region, product), sum)) in r.rows.iter().zip(&expected) {
        assert_eq!(
            (s(&row[0]), s(&row[1])),
            (region.to_string(), product.to_string())
        );
        assert!((f(&row[2]) - sum).abs() < 1e-9);
    }

    // Month-over-month growth and share of the quarter with window functions over the dates.
    let r = engine
        .query(
            "WITH m AS (SELECT strftime('%m', date) AS month, SUM(revenue) AS rev
                        FROM sales_2024_q1_sales GROUP BY month)
             SELECT month, rev, rev - LAG(rev) OVER (ORDER BY month) AS growth,
                    rev / SUM(rev) OVER () AS share
             FROM m ORDER BY month",
        )
        .unwrap();
    let mut by_month: BTreeMap<u32, f64> = BTreeMap::new();
    for (_, _, month, revenue) in &data {
        *by_month.entry(*month).or_default() += revenue;
    }
    let total: f64 = by_month.values().sum();
    let months: Vec<(u32, f64)> = by_month.into_iter().collect();
    assert_eq!(r.rows.len(), 3);
    for (i, (row, (month, rev))) in r.rows.iter().zip(&months).enumerate() {
        assert_eq!(s(&row[0]), format!("{month:02}"));
        assert!((f(&row[1]) - rev).abs() < 1e-9);
        if i == 0 {
            assert_eq!(row[2], Value::Null);
        } else {
            assert!((f(&row[2]) - (rev - months[i - 1].1)).abs() < 1e-9);
        }
        assert!((f(&row[3]) - rev / total).abs() < 1e-12);
    }
    // The result goes straight into a spreadsheet or chart.
    let rows = r.to_rows();
    assert_eq!(rows[0], ["month", "rev", "growth", "share"]);
    assert_eq!(rows[1][0], "01");
    assert_eq!(rows[1][2], "");
    assert!(r.to_csv().starts_with("month,rev,growth,share\n01,"));
}

#[test]
fn corpus_xlsx_sheet_sums_match_the_cells() {
    let mut engine = common::engine();
    let tables = common::load(&mut engine, "xlsx/markitdown__test.xlsx");
    let sheet1 = tables
        .iter()
        .find(|t| t.sheet.as_deref() == Some("Sheet1"))
        .unwrap();
    // Independent reading of the same cells with calamine.
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(
        common::corpus_bytes("xlsx/markitdown__test.xlsx"),
    ))
    .unwrap();
    let range = book.worksheet_range("Sheet1").unwrap();
    let mut sums = [0f64; 3];
    let mut ranked: Vec<(f64, f64)> = Vec::new();
    for row in range.rows().skip(1) {
        let num = |d: &Data| match d {
            Data::Int(i) => *i as f64,
            Data::Float(x) => *x,
            other => panic!("{other:?}"),
        };
        let (alpha, gamma, delta) = (num(&row[0]), num(&row[2]), num(&row[3]));
        sums[0] += alpha;
        sums[1] += gamma;
        sums[2] += delta;
        ranked.push((alpha, gamma));
    }
    let r = engine
        .query(&format!(
            "SELECT SUM(alpha), SUM(gamma), SUM(delta), COUNT(*) FROM {}",
            sheet1.table
        ))
        .unwrap();
    for (i, sum) in sums.iter().enumerate() {
        assert!((f(&r.rows[0][i]) - sum).abs() < 1e-9);
    }
    assert_eq!(r.rows[0][3].as_u64(), Some(ranked.len() as u64));
    // Top 3 alpha values with their running gamma total (ties broken by gamma).
    let r = engine
        .query(&format!(
            "SELECT alpha, gamma, SUM(gamma) OVER (ORDER BY alpha DESC, gamma DESC ROWS UNBOUNDED PRECEDING) \
             FROM {} ORDER BY alpha DESC, gamma DESC LIMIT 3",
            sheet1.table
        ))
        .unwrap();
    ranked.sort_by(|a, b| b.partial_cmp(a).unwrap());
    let mut run = 0.0;
    for (row, (alpha, gamma)) in r.rows.iter().zip(&ranked) {
        run += gamma;
        assert_eq!((f(&row[0]), f(&row[1]), f(&row[2])), (*alpha, *gamma, run));
    }
}
