//! Shared fixtures: specs exercising every writer feature, and a zip/XML reader for checks.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;

use cowork_writers::chart::{ChartKind, ChartSpec, SeriesSpec, render_png};
use cowork_writers::pptx::PresentationSpec;
use cowork_writers::xlsx::SpreadsheetSpec;

pub fn sales_workbook() -> SpreadsheetSpec {
    serde_json::from_str(
        r##"{"sheets":[
          {"name":"Sales","columns":[{"header":"Month","format":"yyyy-mm-dd"},{"header":"Revenue","format":"#,##0.00"},{"header":"Cost"}],
           "rows":[["2025-01-31",100,40],["2025-02-28",200.5,"=B3/2"],["2025-03-31","300",null]],
           "table":true,
           "totals":{"columns":["Revenue","C"]},
           "charts":[{"kind":"bar","title":"Revenue by month","categories":"Month","series":[{"values":"Revenue"},{"values":"C","name":"Cost"}],"anchor":"F2"},
                     {"kind":"line","title":"Trend","categories":"A","series":[{"values":"'Sales'!B2:B4"}]}]},
          {"name":"Calc (EU)","rows":[["=Sales!B2*10","=ROUND(PI(),2)","=SUMPRODUCT(Sales!B2:B4,Sales!B2:B4)","=SUM(A1:B1)"]],
           "charts":[{"kind":"pie","categories":"Sales!A2:A4","series":[{"values":"Sales!B2:B4"}]}]}
        ]}"##,
    )
    .unwrap()
}

pub fn chart(kind: ChartKind) -> ChartSpec {
    ChartSpec {
        kind,
        title: Some("Revenue by region".into()),
        categories: vec!["North".into(), "South".into(), "West".into()],
        series: vec![
            SeriesSpec {
                name: "2024".into(),
                values: vec![10.0, 20.0, 5.0],
            },
            SeriesSpec {
                name: "2025".into(),
                values: vec![12.0, 18.0, 9.0],
            },
        ],
        x_title: Some("Region".into()),
        y_title: Some("EUR".into()),
        width: 640,
        height: 400,
    }
}

pub const REPORT_MD: &str = r#"# Quarterly Report

Intro with **bold**, *italic*, `inline code`, ~~strike~~ and a [link](https://example.com/report?q=1).

## Lists

- apple
- banana
  - nested banana
- cherry

3. third step
4. fourth step
   1. sub step

> A quote that matters.

```
fn main() {}
```

| Region | Revenue |
|:-------|--------:|
| North  | 1,200   |
| South  |

![Revenue chart](charts/rev.png)

\pagebreak

# Appendix

Second page text.
"#;

pub fn report_images() -> BTreeMap<String, Vec<u8>> {
    let mut images = BTreeMap::new();
    images.insert(
        "charts/rev.png".to_string(),
        render_png(&chart(ChartKind::Bar)).unwrap(),
    );
    images
}

pub fn deck() -> PresentationSpec {
    serde_json::from_str(
        r#"{"title":"Q1 Review","slides":[
          {"layout":"title","title":"Q1 Review","subtitle":"Sales team, April 2025","notes":"Welcome everyone"},
          {"layout":"bullets","title":"Highlights","bullets":["Revenue up **12%**",{"text":"North led the growth","level":1},"Costs flat"],"notes":"Stress the growth"},
          {"layout":"two_column","title":"Pros and cons","left":["Fast rollout","Cheap"],"right":["Vendor risk"]},
          {"layout":"image","title":"The picture","image":"pic.png","caption":"Figure one"},
          {"layout":"chart","title":"Revenue chart","chart":{"kind":"bar","title":"Revenue by region","categories":["North","South"],"series":[{"name":"2024","values":[10,20]},{"name":"2025","values":[12,18]}]},"notes":"Native chart notes"},
          {"layout":"chart","title":"Share chart","chart":{"kind":"pie","categories":["Alpha","Beta"],"series":[{"name":"s","values":[1,3]}]}}
        ]}"#,
    )
    .unwrap()
}

pub fn deck_images() -> BTreeMap<String, Vec<u8>> {
    let mut images = BTreeMap::new();
    images.insert(
        "pic.png".to_string(),
        render_png(&chart(ChartKind::Line)).unwrap(),
    );
    images
}

/// Every entry of a zip, as (name, bytes).
pub fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

/// Parse every XML part fully; panics with the part name on the first well-formedness error.
pub fn assert_well_formed(parts: &BTreeMap<String, Vec<u8>>) {
    for (name, data) in parts {
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let text = std::str::from_utf8(data).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut depth = 0i64;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not well-formed XML: {e}"),
            }
        }
        assert_eq!(depth, 0, "{name} has unclosed elements");
    }
}

pub fn part(parts: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        parts
            .get(name)
            .unwrap_or_else(|| panic!("missing part {name}"))
            .clone(),
    )
    .unwrap()
}

/// Every relationship target inside the package must exist (external links excepted).
pub fn assert_rels_resolve(parts: &BTreeMap<String, Vec<u8>>) {
    for (name, data) in parts {
        if !name.ends_with(".rels") {
            continue;
        }
        let source_dir = name.trim_end_matches(".rels").replace("_rels/", "");
        let source_dir = source_dir
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        let text = String::from_utf8_lossy(data);
        for rel in text.split("<Relationship ").skip(1) {
            if rel.contains("TargetMode=\"External\"") {
                continue;
            }
            let target = rel
                .split("Target=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let mut path: Vec<&str> = source_dir.split('/').filter(|s| !s.is_empty()).collect();
            if let Some(abs) = target.strip_prefix('/') {
                path = abs.split('/').collect();
            } else {
                for seg in target.split('/') {
                    match seg {
                        ".." => {
                            path.pop();
                        }
                        s => path.push(s),
                    }
                }
            }
            let full = path.join("/");
            assert!(
                parts.contains_key(&full),
                "{name} points at missing part {full}"
            );
        }
    }
}
