//! The structured form of a read document: parts (pages, slides, sheets …) made of blocks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A document format cowork reads. Detected from content, not from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
    Pptx,
    Xlsx,
    Xls,
    Ods,
    Csv,
    Tsv,
    Eml,
    Mbox,
    Ics,
    Html,
    Markdown,
    Text,
    Json,
}

impl Format {
    /// Every format, in a stable order (for listings and tests).
    pub const ALL: [Format; 15] = [
        Format::Pdf,
        Format::Docx,
        Format::Pptx,
        Format::Xlsx,
        Format::Xls,
        Format::Ods,
        Format::Csv,
        Format::Tsv,
        Format::Eml,
        Format::Mbox,
        Format::Ics,
        Format::Html,
        Format::Markdown,
        Format::Text,
        Format::Json,
    ];

    /// The short lowercase name (`pdf`, `docx`, `markdown` …), as used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Pptx => "pptx",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Eml => "eml",
            Format::Mbox => "mbox",
            Format::Ics => "ics",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Json => "json",
        }
    }

    /// The format a file extension usually means (without the dot, any case). Only a hint:
    /// detection by content wins.
    pub fn from_extension(ext: &str) -> Option<Format> {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => Format::Pdf,
            "docx" | "docm" | "dotx" => Format::Docx,
            "pptx" | "pptm" | "potx" => Format::Pptx,
            "xlsx" | "xlsm" | "xltx" => Format::Xlsx,
            "xls" => Format::Xls,
            "ods" => Format::Ods,
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "eml" | "msg822" => Format::Eml,
            "mbox" | "mbx" => Format::Mbox,
            "ics" | "ical" | "ifb" => Format::Ics,
            "html" | "htm" | "xhtml" => Format::Html,
            "md" | "markdown" => Format::Markdown,
            "txt" | "text" | "log" => Format::Text,
            "json" => Format::Json,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A read document: Markdown-ready blocks grouped in parts, plus what is around them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub format: Format,
    /// The document's own title (metadata, first heading of a slide deck, mail subject …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Metadata as found: author, created, modified, producer, page count, From/To/Date …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Pages, slides, sheets, sections, messages or events, in document order. Only the parts
    /// selected by the [`crate::ReadOptions`] are present; `number` keeps their real position.
    pub parts: Vec<Part>,
    /// Files carried inside the document (mail attachments, embedded files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Things the reader could not do or had to guess, e.g. "page 3: no text layer (scanned?)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// How many parts the whole document has (pages of a PDF, slides, sheets), when known,
    /// even when only some were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_parts: Option<usize>,
    /// Where the next chunk starts when this read stopped early (page range, sheet range,
    /// character offset); None when the document was read to its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Chunk>,
}

impl Document {
    /// An empty document of this format.
    pub fn new(format: Format) -> Document {
        Document {
            format,
            title: None,
            metadata: BTreeMap::new(),
            parts: Vec::new(),
            attachments: Vec::new(),
            warnings: Vec::new(),
            total_parts: None,
            next: None,
        }
    }

    /// Record a warning, optionally about one part (1-based number).
    pub fn warn(&mut self, part: Option<usize>, message: impl Into<String>) {
        self.warnings.push(Warning {
            part,
            message: message.into(),
        });
    }

    /// All text of the document as plain words (no Markdown markup): what word-recall
    /// measurements and search compare against.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            if let Some(name) = &part.name {
                out.push_str(name);
                out.push('\n');
            }
            for block in &part.blocks {
                block.push_plain(&mut out);
            }
        }
        out
    }
}

/// What kind of division a [`Part`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    Page,
    Slide,
    Sheet,
    /// A section of a flowing document (docx, html, markdown, text): usually there is one.
    Section,
    /// One message of a mailbox or mail file.
    Message,
    /// One event / todo of a calendar.
    Event,
}

/// One page, slide, sheet, section, message or event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub kind: PartKind,
    /// 1-based position in the whole document (page 7 stays 7 when pages 5–9 are read).
    pub number: usize,
    /// Sheet name, slide title, message subject, event summary …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub blocks: Vec<Block>,
}

impl Part {
    pub fn new(kind: PartKind, number: usize) -> Part {
        Part {
            kind,
            number,
            name: None,
            blocks: Vec::new(),
        }
    }
}

/// A unit of content. Text fields hold plain text; inline links may be written as Markdown
/// `[text](url)` and emphasis as `*text*` / `**text**` — the renderer passes them through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading {
        /// 1–6.
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    ListItem {
        /// 0 for a top-level item.
        depth: u8,
        marker: ListMarker,
        text: String,
    },
    Table(Table),
    /// Footnotes, endnotes, comments, speaker notes, annotations, headers/footers, text boxes.
    Note {
        kind: NoteKind,
        /// The footnote number, comment author, annotation type …
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        text: String,
    },
    Code {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        text: String,
    },
    Quote {
        text: String,
    },
    Image {
        alt: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    /// A form field and its value (PDF AcroForm, docx content control).
    FormField {
        name: String,
        value: String,
    },
    /// Tracked changes: text inserted or deleted under revision marks.
    Revision {
        inserted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        author: Option<String>,
        text: String,
    },
}

impl Block {
    /// A paragraph block.
    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::Paragraph { text: text.into() }
    }

    /// A heading block (level clamped to 1–6).
    pub fn heading(level: u8, text: impl Into<String>) -> Block {
        Block::Heading {
            level: level.clamp(1, 6),
            text: text.into(),
        }
    }

    fn push_plain(&self, out: &mut String) {
        let mut line = |s: &str| {
            out.push_str(s);
            out.push('\n');
        };
        match self {
            Block::Heading { text, .. }
            | Block::Paragraph { text }
            | Block::ListItem { text, .. }
            | Block::Code { text, .. }
            | Block::Quote { text }
            | Block::Revision { text, .. } => line(text),
            Block::Note { label, text, .. } => {
                if let Some(label) = label {
                    line(label);
                }
                line(text);
            }
            Block::Table(table) => {
                if let Some(caption) = &table.caption {
                    line(caption);
                }
                for row in &table.rows {
                    line(&row.join(" "));
                }
            }
            Block::Image { alt, .. } => line(alt),
            Block::FormField { name, value } => line(&format!("{name} {value}")),
        }
    }
}

/// How a list item is marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "label", rename_all = "snake_case")]
pub enum ListMarker {
    Bullet,
    /// The number as the document shows it: "1.", "2.3", "a)", "iv." …
    Number(String),
}

/// What a [`Block::Note`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Footnote,
    Endnote,
    Comment,
    SpeakerNotes,
    Annotation,
    Header,
    Footer,
    TextBox,
}

impl NoteKind {
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Footnote => "Footnote",
            NoteKind::Endnote => "Endnote",
            NoteKind::Comment => "Comment",
            NoteKind::SpeakerNotes => "Speaker notes",
            NoteKind::Annotation => "Annotation",
            NoteKind::Header => "Header",
            NoteKind::Footer => "Footer",
            NoteKind::TextBox => "Text box",
        }
    }
}

/// A table: rows of cell texts as displayed (numbers and dates formatted as the document
/// shows them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    pub rows: Vec<Vec<String>>,
    /// How many leading rows are header rows (0 when the table has none).
    #[serde(default)]
    pub header_rows: usize,
    /// For spreadsheet ranges: the A1 reference of the top-left cell shown (e.g. "A1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Formulas of the cells shown, beside their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formulas: Vec<CellFormula>,
    /// Set when only part of the table is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncation>,
}

/// A formula and the cell it is in ("B14", "=SUM(B2:B13)").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellFormula {
    pub cell: String,
    pub formula: String,
}

/// How much of a table is left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truncation {
    /// Rows and columns of the whole table (or sheet's used range).
    pub total_rows: usize,
    pub total_cols: usize,
    /// The range shown, e.g. "A1:H201".
    pub shown: String,
    /// A range that continues where this one stops, e.g. "A202:H401".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A file carried inside a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub size: u64,
    /// The part it belongs to (the message number of a mailbox), 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
    /// The attachment's bytes, kept so the dispatcher can read it as a document in turn. Never
    /// serialized: JSON carries `content` instead.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// The attachment read as a document, when its format is readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Box<Document>>,
}

/// Something a reader could not do, or did with a guess.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The part (1-based) it concerns, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
    pub message: String,
}

/// Where the next chunk of a document starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Chunk {
    /// Pages (or slides) `first..=last`, 1-based.
    Pages { first: usize, last: usize },
    /// A cell range of a sheet.
    Range { sheet: String, range: String },
    /// A character offset into the rendered text.
    Offset { offset: usize },
}

impl Chunk {
    /// The chunk in words both the model (tool arguments) and a person understand:
    /// `pages 11-20`, `sheet "Q1" range A202:H401`, `offset 60000`.
    pub fn describe(&self) -> String {
        match self {
            Chunk::Pages { first, last } => format!("pages {first}-{last}"),
            Chunk::Range { sheet, range } if sheet.is_empty() => format!("range {range}"),
            Chunk::Range { sheet, range } => format!("sheet \"{sheet}\" range {range}"),
            Chunk::Offset { offset } => format!("offset {offset}"),
        }
    }

    /// The command-line arguments that read this chunk, e.g. `--pages 11-20`.
    pub fn as_cli_args(&self) -> String {
        match self {
            Chunk::Pages { first, last } => format!("--pages {first}-{last}"),
            Chunk::Range { sheet, range } => format!("--sheet '{sheet}' --range {range}"),
            Chunk::Offset { offset } => format!("--offset {offset}"),
        }
    }
}
