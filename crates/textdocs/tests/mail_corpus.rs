//! Mail golden tests on corpus files: headers, bodies, attachments, encoded words.

mod common;

use common::corpus;
use cowork_docmodel::{Block, Chunk, PageRange, PartKind, ReadOptions};
use cowork_textdocs::{read_eml, read_mbox};

fn eml(name: &str) -> cowork_docmodel::Document {
    read_eml(&corpus(&format!("eml/{name}")), &ReadOptions::default()).unwrap()
}

#[test]
fn multipart_attachments_are_listed_with_their_bytes() {
    let doc = eml("tika__testRFC822_multipart_attachments.eml");
    assert_eq!(doc.title.as_deref(), Some("EML 1"));
    assert_eq!(doc.metadata["from"], "Bugs Bunny <Bugs.Bunny@acme.com>");
    let names: Vec<&str> = doc.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Test TxtA.txt", "Test TxtB.txt"]);
    for a in &doc.attachments {
        assert_eq!(a.content_type.as_deref(), Some("text/plain"));
        assert_eq!(a.size as usize, a.data.len());
        assert_eq!(a.part, Some(1));
    }
    let md = doc.to_markdown();
    // multipart/alternative: the text is there once, not once per alternative.
    assert_eq!(md.matches("This is test email for EML1").count(), 1, "{md}");
}

#[test]
fn png_attachment_is_decoded() {
    let doc = eml("tika__testEmailWithPNGAtt.eml");
    assert_eq!(doc.attachments.len(), 1);
    let png = &doc.attachments[0];
    assert_eq!(png.name, "testPNG.png");
    assert_eq!(png.content_type.as_deref(), Some("image/png"));
    assert!(png.data.starts_with(b"\x89PNG\r\n\x1a\n"), "base64 decoded");
    assert!(
        doc.to_markdown()
            .contains("This email has a PNG attachment included in it")
    );
}

#[test]
fn html_only_mail_goes_through_the_html_reader() {
    let doc = eml("tika__testLotusEml.eml");
    let part = &doc.parts[0];
    assert_eq!(part.kind, PartKind::Message);
    assert!(
        part.blocks.contains(&Block::paragraph("Message body")),
        "{:?}",
        part.blocks
    );
    assert!(!doc.to_markdown().contains("<html>"));
}

#[test]
fn encoded_words_and_legacy_charsets() {
    let doc = eml("mailparser__legacy-035.eml");
    assert_eq!(
        doc.title.as_deref(),
        Some("Die Hasen und die Frösche (Netscape Messenger 4.7)")
    );
    assert_eq!(doc.metadata["to"], "Heinz Müller <mueller@example.com>");
    let md = doc.to_markdown();
    assert!(
        md.contains("Die Hasen klagten einst über ihre mißliche Lage"),
        "{md}"
    );
    assert_eq!(md.matches("Die Hasen klagten").count(), 1, "{md}");
    // Inline images of the related HTML part are still listed.
    assert!(doc.attachments.iter().any(|a| a.name == "redball.png"));
}

#[test]
fn nested_message_is_an_attachment() {
    let doc = eml("tika__testGroupWiseEml.eml");
    let nested = doc
        .attachments
        .iter()
        .find(|a| a.name == "test.eml")
        .expect("nested message");
    assert_eq!(nested.content_type.as_deref(), Some("message/rfc822"));
    // The dispatcher reads it in turn: the bytes are a message of their own.
    let inner = read_eml(&nested.data, &ReadOptions::default()).unwrap();
    assert_eq!(inner.parts.len(), 1);
    assert!(
        doc.attachments
            .iter()
            .any(|a| a.name == "Neues Textdokument.txt")
    );
}

#[test]
fn every_corpus_mail_has_headers() {
    for path in common::corpus_dir("eml") {
        let doc = read_eml(&std::fs::read(&path).unwrap(), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(doc.metadata.contains_key("from"), "{}", path.display());
        assert_eq!(doc.parts.len(), 1);
    }
}

#[test]
fn mbox_of_corpus_mails_is_paged() {
    // An mbox made of three corpus mails.
    let mut mbox = Vec::new();
    for name in [
        "tika__testRFC822_dkim.eml",
        "tika__testThunderbirdEml.eml",
        "tika__testEmailWithPNGAtt.eml",
    ] {
        mbox.extend_from_slice(b"From sender@example.com Mon Jan  1 00:00:00 2024\n");
        mbox.extend_from_slice(&corpus(&format!("eml/{name}")));
        mbox.extend_from_slice(b"\n");
    }
    let doc = read_mbox(&mbox, &ReadOptions::default()).unwrap();
    assert_eq!(doc.total_parts, Some(3));
    let names: Vec<_> = doc.parts.iter().map(|p| p.name.as_deref()).collect();
    assert_eq!(
        names,
        vec![
            Some("Is dinner ready?"),
            Some("JUnit test message"),
            Some("Test Attachment Email")
        ]
    );
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].part, Some(3));
    assert!(doc.next.is_none());

    let opts = ReadOptions {
        pages: Some(PageRange::parse("2").unwrap()),
        ..ReadOptions::default()
    };
    let doc = read_mbox(&mbox, &opts).unwrap();
    assert_eq!(doc.parts.len(), 1);
    assert_eq!(doc.parts[0].number, 2);
    assert_eq!(doc.next, Some(Chunk::Pages { first: 3, last: 3 }));

    let opts = ReadOptions {
        max_parts: 2,
        ..ReadOptions::default()
    };
    let doc = read_mbox(&mbox, &opts).unwrap();
    assert_eq!(doc.parts.len(), 2);
    assert_eq!(doc.next, Some(Chunk::Pages { first: 3, last: 3 }));
}
