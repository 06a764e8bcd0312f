//! `cowork read` and `cowork convert`: the document engine on the command line, without a model.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use cowork_docmodel::{CellRange, Document, PageRange, ReadOptions};

use crate::UsageError;

/// `cowork read FILE`.
#[derive(Args)]
pub struct ReadArgs {
    /// The document: pdf, docx, pptx, xlsx/xls/ods, csv/tsv, eml/mbox, ics, html, md, txt, json
    /// (detected by content, whatever the extension)
    pub file: PathBuf,
    /// Output: Markdown text, or the structured document as JSON
    #[arg(long, value_enum, default_value_t = ReadFormat::Md)]
    pub format: ReadFormat,
    /// Pages (PDF), slides (PPTX) or messages (mbox) to read: 3, 3-7, 10-
    #[arg(long, value_name = "A-B")]
    pub pages: Option<String>,
    /// Spreadsheet: the sheet to read (by name)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Spreadsheet / CSV: the cell range to read, e.g. A1:F20
    #[arg(long, value_name = "A1:F20")]
    pub range: Option<String>,
    /// Rows shown per sheet when no range is given
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_rows: usize,
    /// Shorthand for --format json
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadFormat {
    Md,
    Json,
}

/// Read options from the command line; a malformed range is a usage error (exit 2).
fn read_options(args: &ReadArgs) -> Result<ReadOptions> {
    let mut opts = ReadOptions {
        max_sheet_rows: args.max_rows.max(1),
        sheet: args.sheet.clone(),
        ..ReadOptions::default()
    };
    if let Some(pages) = &args.pages {
        opts.pages = Some(PageRange::parse(pages).map_err(|e| UsageError::Invalid(e.to_string()))?);
    }
    if let Some(range) = &args.range {
        opts.range = Some(CellRange::parse(range).map_err(|e| UsageError::Invalid(e.to_string()))?);
    }
    Ok(opts)
}

pub fn read(args: ReadArgs) -> Result<u8> {
    let opts = read_options(&args)?;
    let doc = read_file(&args.file, &opts)?;
    let out = if args.json || args.format == ReadFormat::Json {
        let mut s =
            serde_json::to_string_pretty(&doc).context("cannot encode the document as JSON")?;
        s.push('\n');
        s
    } else {
        doc.to_markdown()
    };
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .context("cannot write to standard output")?;
    Ok(0)
}

fn read_file(path: &Path, opts: &ReadOptions) -> Result<Document> {
    cowork_docs::read_path(path, opts).with_context(|| format!("cannot read {}", path.display()))
}
