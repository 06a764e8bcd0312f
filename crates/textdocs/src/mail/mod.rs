//! Mail (.eml) and mailboxes (.mbox), parsed with mail-parser (MIME structure, charsets,
//! encoded words, quoted-printable and base64). A message becomes a part: a header block
//! (From, To, Cc, Date, Subject), then the body — the text/plain alternative unless it is a
//! stub of the HTML one, HTML converted through the HTML reader — and its attachments
//! (nested messages included, as `message/rfc822` attachments the dispatcher reads in turn).

mod mbox;

use std::panic::{AssertUnwindSafe, catch_unwind};

use cowork_docmodel::{
    Attachment, Block, Chunk, DocError, Document, Format, ListMarker, Part, PartKind, ReadOptions,
};
use mail_parser::{Address, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::html::{Mode, html_to_blocks};
use crate::util::{check_size, collapse_ws, paragraphs};

/// Read one mail message (.eml).
pub fn read_eml(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Eml, opts)?;
    let mut doc = Document::new(Format::Eml);
    let message = parse(bytes)?;
    let part = message_part(&message, 1, &mut doc);
    doc.title = part.name.clone();
    header_metadata(&message, &mut doc);
    doc.parts.push(part);
    doc.total_parts = Some(1);
    Ok(doc)
}

/// Read a mailbox (.mbox): one part per message, `opts.pages` / `opts.max_parts` honoured.
pub fn read_mbox(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Mbox, opts)?;
    let mut doc = Document::new(Format::Mbox);
    let mut messages = mbox::split(bytes);
    if messages.is_empty() {
        // Not an mbox after all: a single message without a separator line.
        messages.push(bytes);
        doc.warn(None, "no `From ` separator lines: read as a single message");
    }
    doc.total_parts = Some(messages.len());
    let mut last_read = 0;
    for (i, raw) in messages.iter().enumerate() {
        let number = i + 1;
        if !opts.wants_part(number) {
            continue;
        }
        match parse(raw) {
            Ok(message) => {
                let part = message_part(&message, number, &mut doc);
                doc.parts.push(part);
            }
            Err(err) => doc.warn(Some(number), format!("message skipped: {err}")),
        }
        last_read = number;
    }
    let total = messages.len();
    match opts.pages {
        None if last_read < total && last_read >= opts.max_parts => {
            doc.next = Some(Chunk::Pages {
                first: last_read + 1,
                last: (last_read + opts.max_parts).min(total),
            });
        }
        Some(range) if range.last < total => {
            let span = range.last - range.first + 1;
            doc.next = Some(Chunk::Pages {
                first: range.last + 1,
                last: range.last.saturating_add(span).min(total),
            });
        }
        _ => {}
    }
    Ok(doc)
}

/// mail-parser never panics by design, but carries `debug_assert!`s on malformed structure:
/// guard it so a debug build reading hostile mail reports an error instead.
fn parse(bytes: &[u8]) -> Result<Message<'_>, DocError> {
    let parsed = catch_unwind(AssertUnwindSafe(|| MessageParser::default().parse(bytes)));
    match parsed {
        Ok(Some(message)) if !message.parts.is_empty() => Ok(message),
        Ok(_) => Err(DocError::corrupt(
            Format::Eml,
            "no mail headers found; this is not an e-mail message",
        )),
        Err(_) => Err(DocError::corrupt(
            Format::Eml,
            "the MIME structure is malformed beyond repair",
        )),
    }
}

fn addresses(address: Option<&Address<'_>>) -> Option<String> {
    let list: Vec<String> = address?
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(name), Some(addr)) if !name.trim().is_empty() => {
                format!("{} <{addr}>", collapse_ws(name))
            }
            (_, Some(addr)) => addr.to_string(),
            (Some(name), None) => collapse_ws(name),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn header_metadata(message: &Message<'_>, doc: &mut Document) {
    let fields = [
        ("from", addresses(message.from())),
        ("to", addresses(message.to())),
        ("cc", addresses(message.cc())),
        ("subject", message.subject().map(collapse_ws)),
        ("date", message.date().map(|d| d.to_rfc3339())),
        ("message-id", message.message_id().map(str::to_string)),
    ];
    for (key, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            doc.metadata.insert(key.to_string(), value);
        }
    }
}

/// One message as a part; its attachments are added to `doc`.
fn message_part(message: &Message<'_>, number: usize, doc: &mut Document) -> Part {
    let mut part = Part::new(PartKind::Message, number);
    part.name = message.subject().map(collapse_ws).filter(|s| !s.is_empty());
    let date = message
        .header_raw("Date")
        .map(collapse_ws)
        .or_else(|| message.date().map(|d| d.to_rfc822()));
    for (label, value) in [
        ("From", addresses(message.from())),
        ("To", addresses(message.to())),
        ("Cc", addresses(message.cc())),
        ("Date", date),
        ("Subject", part.name.clone()),
    ] {
        if let Some(value) = value {
            part.blocks.push(Block::ListItem {
                depth: 0,
                marker: ListMarker::Bullet,
                text: format!("**{label}:** {value}"),
            });
        }
    }
    let mut warnings = Vec::new();
    body_blocks(message, &mut part.blocks, &mut warnings);
    for w in warnings {
        doc.warn(Some(number), w);
    }
    for (i, &id) in message.attachments.iter().enumerate() {
        let Some(att) = message.parts.get(id as usize) else {
            continue;
        };
        let attachment = attachment(att, i + 1, number);
        doc.attachments.push(attachment);
    }
    part
}

/// The body: plain text parts, or the HTML ones when there is no plain text or the plain
/// text is only a stub ("view this mail in a browser") of the HTML.
fn body_blocks(message: &Message<'_>, out: &mut Vec<Block>, warnings: &mut Vec<String>) {
    let parts = |ids: &[u32]| -> Vec<&MessagePart<'_>> {
        ids.iter()
            .filter_map(|&id| message.parts.get(id as usize))
            .collect()
    };
    let text_parts = parts(&message.text_body);
    let html_parts = parts(&message.html_body);
    let plain_len: usize = text_parts
        .iter()
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(t.trim().len()),
            _ => None,
        })
        .sum();
    let html_blocks = |parts: &[&MessagePart<'_>], warnings: &mut Vec<String>| {
        let mut blocks = Vec::new();
        for p in parts {
            if let PartType::Html(html) = &p.body {
                let content = html_to_blocks(html, Mode::Whole);
                warnings.extend(content.warnings);
                blocks.extend(content.blocks);
            }
        }
        blocks
    };
    let has_html = html_parts
        .iter()
        .any(|p| matches!(p.body, PartType::Html(_)));
    if has_html && plain_len < 200 {
        let blocks = html_blocks(&html_parts, warnings);
        let html_len: usize = blocks.iter().map(block_len).sum();
        if plain_len * 5 < html_len {
            out.extend(blocks);
            return;
        }
    }
    for p in text_parts {
        match &p.body {
            PartType::Text(text) => paragraphs(text, out),
            PartType::Html(html) => {
                let content = html_to_blocks(html, Mode::Whole);
                warnings.extend(content.warnings);
                out.extend(content.blocks);
            }
            PartType::Binary(_)
            | PartType::InlineBinary(_)
            | PartType::Message(_)
            | PartType::Multipart(_) => {}
        }
    }
}

fn block_len(block: &Block) -> usize {
    match block {
        Block::Heading { text, .. }
        | Block::Paragraph { text }
        | Block::ListItem { text, .. }
        | Block::Code { text, .. }
        | Block::Quote { text }
        | Block::Revision { text, .. }
        | Block::Note { text, .. } => text.len(),
        Block::Table(t) => t.rows.iter().flatten().map(String::len).sum(),
        Block::Image { alt, .. } => alt.len(),
        Block::FormField { value, .. } => value.len(),
    }
}

/// An attachment with its decoded bytes; unnamed ones get a name from their type.
fn attachment(part: &MessagePart<'_>, index: usize, message_number: usize) -> Attachment {
    let content_type = part.content_type().map(|ct| match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
        None => ct.ctype().to_ascii_lowercase(),
    });
    let (data, nested_subject) = match &part.body {
        PartType::Message(nested) => (
            nested.raw_message().to_vec(),
            nested.subject().map(collapse_ws),
        ),
        PartType::Text(_)
        | PartType::Html(_)
        | PartType::Binary(_)
        | PartType::InlineBinary(_)
        | PartType::Multipart(_) => (part.contents().to_vec(), None),
    };
    let content_type = match (&part.body, content_type) {
        (PartType::Message(_), None) => Some("message/rfc822".to_string()),
        (_, ct) => ct,
    };
    let name = part
        .attachment_name()
        .map(collapse_ws)
        .filter(|n| !n.is_empty())
        .or_else(|| nested_subject.map(|s| format!("{s}.eml")))
        .unwrap_or_else(|| {
            let ext = content_type
                .as_deref()
                .and_then(|ct| ct.split('/').nth(1))
                .map(|sub| match sub {
                    "rfc822" => "eml",
                    "plain" => "txt",
                    "jpeg" => "jpg",
                    other => other,
                })
                .unwrap_or("bin");
            format!("attachment-{index}.{ext}")
        });
    Attachment {
        name,
        content_type,
        size: data.len() as u64,
        part: Some(message_number),
        data,
        content: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternative_picks_one_body() {
        let eml = "From: Ann <ann@x.org>\r\nTo: Bob <bob@y.org>\r\nSubject: =?utf-8?Q?Caf=C3=A9?= plans\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMeet at noon, the usual place, and bring the agenda for the quarterly review.\r\nWe will go over the numbers together, then plan the next steps for the team.\r\nPlease confirm by Friday so that I can book the room and order lunch for all.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Meet at <b>noon</b>, the usual place.</p>\r\n--b--\r\n";
        let doc = read_eml(eml.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(doc.title.as_deref(), Some("Café plans"));
        assert_eq!(doc.metadata["from"], "Ann <ann@x.org>");
        let md = doc.to_markdown();
        assert_eq!(md.matches("Meet at").count(), 1, "{md}");
        assert!(md.contains("the usual place, and bring"), "{md}");
    }

    #[test]
    fn html_only_and_attachment() {
        let eml = "From: a@x.org\r\nSubject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<html><body><h1>Hello</h1><p>World</p></body></html>\r\n--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
        let doc = read_eml(eml.as_bytes(), &ReadOptions::default()).unwrap();
        let blocks = &doc.parts[0].blocks;
        assert!(blocks.contains(&Block::heading(1, "Hello")), "{blocks:?}");
        assert_eq!(doc.attachments.len(), 1);
        assert_eq!(doc.attachments[0].name, "r.pdf");
        assert_eq!(doc.attachments[0].data, b"%PDF-1.4\n");
    }
}
