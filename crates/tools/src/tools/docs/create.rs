//! The tools that write deliverables: create_spreadsheet, create_document, create_presentation
//! and create_chart. Each builds the file's bytes with cowork-writers while it prepares (so the
//! person sees the real size and any error before approving) and writes them through the
//! journal when it runs.

use std::collections::BTreeMap;

use cowork_fs::ActionTxn;
use cowork_protocol::{ActionKind, Effect, Preview};
use cowork_writers::chart::ChartSpec;
use cowork_writers::docx::{DocxOptions, image_refs, markdown_to_docx};
use cowork_writers::pptx::{PptxOptions, PresentationSpec, SlideSpec, write_pptx};
use cowork_writers::xlsx::{CellInput, SheetSpec, SpreadsheetSpec, write_xlsx};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::common::{OutputTarget, output_target};
use crate::format::text_preview;
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

/// What one writer tool produced for an input: the bytes, and how to describe them.
struct Built {
    target: OutputTarget,
    bytes: Vec<u8>,
    what: &'static str,
    detail: String,
    preview: Preview,
    /// Workspace files read to build it (images, templates).
    reads: Vec<String>,
}

/// A writer tool: parse its input, build the bytes.
trait Writer: Send + Sync {
    const NAME: &'static str;
    type Input: DeserializeOwned + JsonSchema;
    fn description() -> &'static str;
    fn build(input: Self::Input, ctx: &ToolContext) -> Result<Built, ToolError>;
}

/// Adapts a [`Writer`] to the [`Tool`] trait.
#[derive(Debug)]
pub struct WriterTool<W>(std::marker::PhantomData<fn() -> W>);

// Written out: derived impls would demand `W: Default`, which the markers need not be.
impl<W> Default for WriterTool<W> {
    fn default() -> Self {
        WriterTool(std::marker::PhantomData)
    }
}

impl<W: Writer> Tool for WriterTool<W> {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: W::NAME,
            description: W::description().to_string(),
            kind: ActionKind::FileWrite,
            input_schema: schema::<W::Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let built = W::build(parse(W::NAME, input)?, ctx)?;
        let mut prepared =
            built
                .target
                .prepared(built.what, built.bytes.len(), &built.detail, built.preview);
        let reads = built.reads.into_iter().map(|path| Effect::Read { path });
        prepared.effects = reads.chain(prepared.effects).collect();
        Ok(prepared)
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let built = W::build(parse(W::NAME, input)?, ctx)?;
        built
            .target
            .write(txn, built.what, &built.bytes, &built.detail)
    }
}

fn write_error(e: cowork_docmodel::DocError) -> ToolError {
    ToolError::invalid(e.to_string())
}

/// Read workspace files named in a document (images, a template), keyed as written.
fn read_inputs(
    ctx: &ToolContext,
    refs: &[String],
    reads: &mut Vec<String>,
) -> Result<BTreeMap<String, Vec<u8>>, ToolError> {
    let mut out = BTreeMap::new();
    for r in refs {
        if r.starts_with("http://") || r.starts_with("https://") || r.starts_with("data:") {
            return Err(ToolError::invalid(format!(
                "image `{r}` is not a workspace file; cowork does not download images — save it in the workspace first"
            )));
        }
        let p = paths::resolve(ctx, r)?;
        paths::existing(ctx, &p)?;
        reads.push(ctx.ws.display(&p));
        out.insert(r.clone(), ctx.ws.read(&p, ctx.max_read_bytes)?);
    }
    Ok(out)
}

fn read_template(
    ctx: &ToolContext,
    template: Option<&String>,
    reads: &mut Vec<String>,
) -> Result<Option<Vec<u8>>, ToolError> {
    let Some(t) = template else {
        return Ok(None);
    };
    let mut map = read_inputs(ctx, std::slice::from_ref(t), reads)?;
    Ok(map.remove(t))
}

// ---------------------------------------------------------------------------------------------

/// Create an Excel workbook.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpreadsheetInput {
    /// The .xlsx file to write, relative to the workspace.
    path: String,
    /// The sheets, in tab order.
    sheets: Vec<SheetSpec>,
    /// Replace the file if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

#[derive(Debug)]
pub struct Spreadsheet;

impl Writer for Spreadsheet {
    const NAME: &'static str = "create_spreadsheet";
    type Input = SpreadsheetInput;

    fn description() -> &'static str {
        "Create an Excel workbook (.xlsx) with typed cells, number/date formats, LIVE formulas \
         (write totals as \"=SUM(B2:B13)\", never as computed numbers), frozen header, filters, \
         tables, a totals row and native Excel charts. Get the numbers from query_data first."
    }

    fn build(input: SpreadsheetInput, ctx: &ToolContext) -> Result<Built, ToolError> {
        let target = output_target(ctx, Self::NAME, &input.path, &["xlsx"], input.overwrite)?;
        let spec = SpreadsheetSpec {
            sheets: input.sheets,
        };
        let bytes = write_xlsx(&spec).map_err(write_error)?;
        let mut lines = Vec::new();
        let (mut rows, mut formulas, mut charts) = (0, 0, 0);
        for sheet in &spec.sheets {
            let f = sheet
                .rows
                .iter()
                .flatten()
                .filter(|c| matches!(c, CellInput::Text(t) if t.starts_with('=')))
                .count();
            let headers: Vec<&str> = sheet.columns.iter().map(|c| c.header.as_str()).collect();
            lines.push(format!(
                "sheet {}: {} rows × {} columns [{}]{}{}",
                sheet.name,
                sheet.rows.len(),
                sheet
                    .columns
                    .len()
                    .max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0)),
                headers.join(", "),
                if f > 0 {
                    format!(", {f} formulas")
                } else {
                    String::new()
                },
                if sheet.charts.is_empty() {
                    String::new()
                } else {
                    format!(", {} charts", sheet.charts.len())
                },
            ));
            rows += sheet.rows.len();
            formulas += f;
            charts += sheet.charts.len();
        }
        let detail = format!(
            "{} sheets, {rows} rows, {formulas} formulas, {charts} charts",
            spec.sheets.len()
        );
        Ok(Built {
            target,
            bytes,
            what: "spreadsheet",
            detail,
            preview: Preview::Ops { ops: lines },
            reads: Vec::new(),
        })
    }
}

/// Create a Word document from Markdown.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// The .docx file to write, relative to the workspace.
    path: String,
    /// The content as Markdown: headings, lists, tables, **bold**, *italic*, links, images
    /// (`![alt](charts/q1.png)` — a PNG/JPEG in the workspace), and `\pagebreak` on its own line.
    markdown: String,
    /// A .docx in the workspace whose styles, headers/footers and page setup are used.
    #[serde(default)]
    template: Option<String>,
    /// Replace the file if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

#[derive(Debug)]
pub struct WordDocument;

impl Writer for WordDocument {
    const NAME: &'static str = "create_document";
    type Input = DocumentInput;

    fn description() -> &'static str {
        "Create a Word document (.docx) from Markdown, optionally on a template .docx whose styles \
         are kept. Images must be PNG/JPEG files in the workspace."
    }

    fn build(input: DocumentInput, ctx: &ToolContext) -> Result<Built, ToolError> {
        let target = output_target(ctx, Self::NAME, &input.path, &["docx"], input.overwrite)?;
        let mut reads = Vec::new();
        let images = read_inputs(ctx, &image_refs(&input.markdown), &mut reads)?;
        let template = read_template(ctx, input.template.as_ref(), &mut reads)?;
        let bytes = markdown_to_docx(&input.markdown, &DocxOptions { template, images })
            .map_err(write_error)?;
        let words = input.markdown.split_whitespace().count();
        Ok(Built {
            target,
            bytes,
            what: "document",
            detail: format!("{words} words"),
            preview: text_preview(&input.markdown),
            reads,
        })
    }
}

/// Create a PowerPoint deck.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentationInput {
    /// The .pptx file to write, relative to the workspace.
    path: String,
    /// Deck title for the document properties (default: the first slide's title).
    #[serde(default)]
    title: Option<String>,
    /// The slides, in order.
    slides: Vec<SlideSpec>,
    /// A .pptx in the workspace whose masters, layouts and theme are used.
    #[serde(default)]
    template: Option<String>,
    /// Replace the file if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

#[derive(Debug)]
pub struct Presentation;

impl Writer for Presentation {
    const NAME: &'static str = "create_presentation";
    type Input = PresentationInput;

    fn description() -> &'static str {
        "Create a PowerPoint deck (.pptx) from an outline: title, bullets, two-column, image and \
         chart slides, each with speaker notes; optionally on a template deck."
    }

    fn build(input: PresentationInput, ctx: &ToolContext) -> Result<Built, ToolError> {
        let target = output_target(ctx, Self::NAME, &input.path, &["pptx"], input.overwrite)?;
        let mut reads = Vec::new();
        let image_keys: Vec<String> = input
            .slides
            .iter()
            .filter_map(|s| match s {
                SlideSpec::Image { image, .. } => Some(image.clone()),
                _ => None,
            })
            .collect();
        let images = read_inputs(ctx, &image_keys, &mut reads)?;
        let template = read_template(ctx, input.template.as_ref(), &mut reads)?;
        let spec = PresentationSpec {
            title: input.title,
            slides: input.slides,
        };
        let bytes = write_pptx(&spec, &PptxOptions { template, images }).map_err(write_error)?;
        let ops: Vec<String> = spec
            .slides
            .iter()
            .enumerate()
            .map(|(i, s)| format!("slide {}: {}", i + 1, slide_title(s)))
            .collect();
        Ok(Built {
            target,
            bytes,
            what: "presentation",
            detail: format!("{} slides", spec.slides.len()),
            preview: Preview::Ops { ops },
            reads,
        })
    }
}

fn slide_title(slide: &SlideSpec) -> String {
    serde_json::to_value(slide)
        .ok()
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// Create a chart image.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartInput {
    /// The image to write: .png or .svg, relative to the workspace.
    path: String,
    /// The chart: kind, title, categories, series.
    chart: ChartSpec,
    /// Replace the file if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

#[derive(Debug)]
pub struct ChartImage;

impl Writer for ChartImage {
    const NAME: &'static str = "create_chart";
    type Input = ChartInput;

    fn description() -> &'static str {
        "Draw a bar, line, pie or scatter chart as a PNG or SVG image (for reports and slides). \
         For a chart inside a workbook use create_spreadsheet's charts instead."
    }

    fn build(input: ChartInput, ctx: &ToolContext) -> Result<Built, ToolError> {
        let target = output_target(
            ctx,
            Self::NAME,
            &input.path,
            &["png", "svg"],
            input.overwrite,
        )?;
        let svg = target.shown.to_ascii_lowercase().ends_with(".svg");
        let bytes = if svg {
            cowork_writers::chart::render_svg(&input.chart).map(String::into_bytes)
        } else {
            cowork_writers::chart::render_png(&input.chart)
        }
        .map_err(write_error)?;
        let series: Vec<&str> = input.chart.series.iter().map(|s| s.name.as_str()).collect();
        let line = format!(
            "{:?} chart \"{}\": {} categories, series {}",
            input.chart.kind,
            input.chart.title.clone().unwrap_or_default(),
            input.chart.categories.len(),
            series.join(", ")
        );
        Ok(Built {
            target,
            bytes,
            what: "chart",
            detail: format!("{} series", series.len()),
            preview: Preview::Ops { ops: vec![line] },
            reads: Vec::new(),
        })
    }
}

pub type CreateSpreadsheet = WriterTool<Spreadsheet>;
pub type CreateDocument = WriterTool<WordDocument>;
pub type CreatePresentation = WriterTool<Presentation>;
pub type CreateChart = WriterTool<ChartImage>;
