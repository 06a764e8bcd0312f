//! Written files checked by a real office suite: LibreOffice headless converts them (a
//! test-time validator only, never a run-time dependency) and we check that formulas
//! recalculate to the expected values, charts exist, and documents open with their text.
//!
//! Needs `soffice` (Debian: libreoffice-calc-nogui libreoffice-writer-nogui
//! libreoffice-impress-nogui) and `pdftotext` (poppler-utils). Set COWORK_SKIP_LIBREOFFICE=1
//! to skip on a machine without them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use cowork_writers::docx::{DocxOptions, markdown_to_docx};
use cowork_writers::pptx::{PptxOptions, write_pptx};
use cowork_writers::xlsx::write_xlsx;

fn soffice() -> Option<PathBuf> {
    let found = [
        "/usr/bin/soffice",
        "/usr/local/bin/soffice",
        "/usr/bin/libreoffice",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("COWORK_SKIP_LIBREOFFICE").as_deref() == Ok("1") {
            eprintln!(
                "skipped: LibreOffice (soffice) is not installed and COWORK_SKIP_LIBREOFFICE=1"
            );
            return None;
        }
        panic!(
            "LibreOffice (soffice) is needed to validate written files: apt-get install -y \
             libreoffice-calc-nogui libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils \
             (or set COWORK_SKIP_LIBREOFFICE=1 to skip)"
        );
    }
    found
}

/// Convert `file` with a private profile (so tests run in parallel); returns the output path.
fn convert(soffice: &Path, file: &Path, filter: &str, out: &Path) {
    let dir = file.parent().unwrap();
    let profile = dir.join("lo-profile");
    let mut child = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(dir)
        .arg(file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start soffice");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "soffice failed on {}", file.display());
            break;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!(
                "soffice did not finish converting {} in 180 s",
                file.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        out.exists(),
        "LibreOffice could not open {} ({} not written)",
        file.display(),
        out.display()
    );
}

fn to_pdf(soffice: &Path, file: &Path) -> PathBuf {
    let pdf = file.with_extension("pdf");
    convert(soffice, file, "pdf", &pdf);
    pdf
}

fn pdf_text(pdf: &Path) -> (String, usize) {
    let out =
        Command::new("pdftotext").arg(pdf).arg("-").output().expect(
            "pdftotext is needed (apt-get install -y poppler-utils) to read LibreOffice's PDF",
        );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn xlsx_formulas_recalculate_in_libreoffice() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sales.xlsx");
    let bytes = write_xlsx(&sales_workbook()).unwrap();
    assert!(
        unzip(&bytes).contains_key("xl/charts/chart1.xml"),
        "native chart written"
    );
    std::fs::write(&file, &bytes).unwrap();
    // Filter options: comma, quote, UTF-8, row 1, …, cells as shown, …, -1 = each sheet to its own file.
    let first = dir.path().join("sales-Sales.csv");
    convert(
        &soffice,
        &file,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        &first,
    );
    let sales = std::fs::read_to_string(&first).unwrap();
    let lines: Vec<&str> = sales.lines().collect();
    assert_eq!(lines[0], "Month,Revenue,Cost");
    assert_eq!(
        lines[1], "2025-01-31,100.00,40",
        "real date, number format kept"
    );
    assert_eq!(lines[2], "2025-02-28,200.50,100.25", "=B3/2");
    assert_eq!(lines[4], "Total,600.50,140.25", "=SUM totals");
    // These have no cached value: LibreOffice must compute them (cross-sheet, PI, SUMPRODUCT).
    let calc = std::fs::read_to_string(dir.path().join("sales-Calc (EU).csv")).unwrap();
    assert_eq!(calc.trim(), "1000,3.14,140200.25,1003.14");
}

#[test]
fn docx_opens_in_libreoffice_with_its_text() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.docx");
    let opts = DocxOptions {
        template: None,
        images: report_images(),
    };
    std::fs::write(&file, markdown_to_docx(REPORT_MD, &opts).unwrap()).unwrap();
    let pdf = to_pdf(&soffice, &file);
    let (text, pages) = pdf_text(&pdf);
    let text = squeeze(&text);
    for needle in [
        "Quarterly Report",
        "Intro with bold, italic, inline code",
        "nested banana",
        "3. third step",
        "4. fourth step",
        "a. sub step",
        "A quote that matters.",
        "fn main() {}",
        "Region",
        "Revenue",
        "North",
        "1,200",
        "Appendix",
        "Second page text.",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    assert_eq!(pages, 2, "\\pagebreak starts a new page");
    let images = Command::new("pdfimages").arg("-list").arg(&pdf).output();
    if let Ok(out) = images {
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(" 640 "),
            "the chart image is drawn"
        );
    }
}

#[test]
fn docx_on_a_template_opens_with_its_header() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("templated.docx");
    let template = std::fs::read(format!(
        "{}/../../../shared/corpus/docx/tika__testWORD.docx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let opts = DocxOptions {
        template: Some(template),
        images: report_images(),
    };
    std::fs::write(&file, markdown_to_docx(REPORT_MD, &opts).unwrap()).unwrap();
    let (text, _) = pdf_text(&to_pdf(&soffice, &file));
    let text = squeeze(&text);
    assert!(
        text.contains("This is the header for our document"),
        "template header kept: {text}"
    );
    assert!(
        text.contains("Quarterly Report") && text.contains("nested banana"),
        "{text}"
    );
    assert!(
        !text.contains("Sample Word Document"),
        "template body replaced"
    );
}

#[test]
fn pptx_opens_in_libreoffice_with_slides_and_charts() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deck.pptx");
    let opts = PptxOptions {
        template: None,
        images: deck_images(),
    };
    std::fs::write(&file, write_pptx(&deck(), &opts).unwrap()).unwrap();
    let (text, pages) = pdf_text(&to_pdf(&soffice, &file));
    assert_eq!(pages, 6, "one page per slide");
    let text = squeeze(&text);
    for needle in [
        "Q1 Review",
        "Sales team, April 2025",
        "Revenue up 12%",
        "North led the growth",
        "Fast rollout",
        "Vendor risk",
        "Figure one",
        "Revenue by region",
        "North",
        "South",
        "Alpha",
        "Beta",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

#[test]
fn pptx_on_a_template_opens_in_libreoffice() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("templated.pptx");
    let template = std::fs::read(format!(
        "{}/../../../shared/corpus/pptx/tika__testPPT.pptx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let opts = PptxOptions {
        template: Some(template),
        images: deck_images(),
    };
    std::fs::write(&file, write_pptx(&deck(), &opts).unwrap()).unwrap();
    let (text, pages) = pdf_text(&to_pdf(&soffice, &file));
    assert_eq!(pages, 6, "the template's own slides are dropped");
    let text = squeeze(&text);
    assert!(
        text.contains("Highlights")
            && text.contains("Vendor risk")
            && text.contains("Revenue by region"),
        "{text}"
    );
}
