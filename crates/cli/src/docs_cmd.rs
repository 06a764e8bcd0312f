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

/// `cowork convert IN OUT`.
#[derive(Args)]
pub struct ConvertArgs {
    /// The document to convert (any format `cowork read` reads)
    pub input: PathBuf,
    /// The file to write; its extension chooses the format: .md, .docx, .pptx, .xlsx, .csv
    pub output: PathBuf,
    /// A .docx or .pptx whose styles / masters the output uses
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Replace OUTPUT if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn convert(args: ConvertArgs) -> Result<u8> {
    let ext = args
        .output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !["md", "docx", "pptx", "xlsx", "csv"].contains(&ext.as_str()) {
        return Err(UsageError::Invalid(format!(
            "cannot write `{}`: give OUTPUT one of the extensions .md, .docx, .pptx, .xlsx, .csv",
            args.output.display()
        ))
        .into());
    }
    if args.output.exists() && !args.force {
        return Err(UsageError::Invalid(format!(
            "`{}` exists; pass --force to replace it",
            args.output.display()
        ))
        .into());
    }
    let opts = ReadOptions {
        max_parts: usize::MAX,
        max_sheet_rows: 1_000_000,
        ..ReadOptions::default()
    };
    let doc = read_file(&args.input, &opts)?;
    let template = match &args.template {
        Some(t) => Some(
            std::fs::read(t)
                .with_context(|| format!("cannot read the template {}", t.display()))?,
        ),
        None => None,
    };
    // Markdown and text inputs are converted from their own text, not from our rendering of it.
    let markdown = match doc.format {
        cowork_docmodel::Format::Markdown | cowork_docmodel::Format::Text => {
            std::fs::read_to_string(&args.input).unwrap_or_else(|_| doc.to_markdown())
        }
        _ => doc.to_markdown(),
    };
    let bytes = match ext.as_str() {
        "md" => markdown.into_bytes(),
        "docx" => {
            let base = args.input.parent().unwrap_or(Path::new("."));
            let mut images = std::collections::BTreeMap::new();
            for r in cowork_writers::docx::image_refs(&markdown) {
                if let Ok(b) = std::fs::read(base.join(&r)) {
                    images.insert(r, b);
                }
            }
            let opts = cowork_writers::docx::DocxOptions { template, images };
            cowork_writers::docx::markdown_to_docx(&markdown, &opts)?
        }
        "pptx" => {
            let spec = crate::outline::presentation_from_markdown(&markdown);
            let opts = cowork_writers::pptx::PptxOptions {
                template,
                images: Default::default(),
            };
            cowork_writers::pptx::write_pptx(&spec, &opts)?
        }
        "xlsx" => cowork_writers::xlsx::write_xlsx(&crate::outline::workbook_from_tables(&doc)?)?,
        _ => {
            let table = crate::outline::tables(&doc)
                .into_iter()
                .next()
                .ok_or_else(|| {
                    anyhow::anyhow!("{} has no table to write as CSV", args.input.display())
                })?;
            cowork_writers::csv_md::write_csv(&table.rows)
        }
    };
    write_atomically(&args.output, &bytes)?;
    eprintln!("wrote {} ({} bytes)", args.output.display(), bytes.len());
    Ok(0)
}

/// Temp file beside the target, fsync, rename: a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes).context("cannot write the output")?;
    tmp.as_file()
        .sync_all()
        .context("cannot flush the output")?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
