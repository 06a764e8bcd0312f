//! Hostile and broken input: truncated files, random bytes, empty input, bombs, cycles,
//! deep nesting and encryption. Each must give a document or a clear error, in bounded time.

mod common;

use std::time::{Duration, Instant};

use common::{corpus, pdf_with_pages, save};
use cowork_docmodel::{DocError, ReadOptions};
use lopdf::{EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary};

fn read_bounded(bytes: &[u8], opts: &ReadOptions) -> Result<cowork_docmodel::Document, DocError> {
    let start = Instant::now();
    let result = std::panic::catch_unwind(|| cowork_pdf::read_pdf(bytes, opts)).expect("no panic");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    result
}

#[test]
fn empty_and_tiny_inputs_are_corrupt() {
    for bytes in [
        &b""[..],
        b"   \n",
        b"%PDF-1.4",
        b"%PDF-1.4\n%%EOF",
        b"not a pdf at all",
    ] {
        match read_bounded(bytes, &ReadOptions::default()) {
            Err(DocError::Corrupt { detail, .. }) => assert!(!detail.is_empty()),
            Ok(doc) => assert!(
                doc.parts.is_empty() && !doc.warnings.is_empty(),
                "{bytes:?}"
            ),
            Err(e) => panic!("{bytes:?}: {e}"),
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    // A small LCG keeps the test deterministic without a dependency.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u8
    };
    for len in [1usize, 17, 512, 4096, 65_536] {
        let mut bytes: Vec<u8> = (0..len).map(|_| next()).collect();
        let _ = read_bounded(&bytes, &ReadOptions::default());
        // The same noise behind a valid header goes further into the parser.
        bytes.splice(0..0, b"%PDF-1.7\n".iter().copied());
        let _ = read_bounded(&bytes, &ReadOptions::default());
    }
}

#[test]
fn truncated_files_give_partial_text_or_an_error() {
    for name in [
        "pdfjs__tracemonkey.pdf",
        "pdfjs__prefilled_f1040.pdf",
        "pdfminer__zen_of_python_corrupted.pdf",
        "tika__testPDF.pdf",
    ] {
        let bytes = corpus(name);
        for tenth in 1..10 {
            let cut = bytes.len() * tenth / 10;
            match read_bounded(&bytes[..cut], &ReadOptions::default()) {
                Ok(_) | Err(DocError::Corrupt { .. }) => {}
                Err(e) => panic!("{name} cut at {cut}: unexpected {e}"),
            }
        }
    }
    // Cut near the end (the xref table lost): lopdf rebuilds it and the text survives.
    let bytes = corpus("pdfjs__tracemonkey.pdf");
    let doc =
        read_bounded(&bytes[..bytes.len() - 2000], &ReadOptions::default()).expect("rebuilt xref");
    assert!(
        doc.plain_text()
            .contains("Trace-based Just-in-Time Type Specialization")
    );
}

#[test]
fn decompression_bomb_is_bounded() {
    let mut doc = pdf_with_pages(&[b"BT /F1 12 Tf 72 720 Td (small page) Tj ET"]);
    // 64 MiB of spaces in one content stream, a few KiB compressed.
    let mut bomb = Stream::new(dictionary! {}, vec![b' '; 64 * 1024 * 1024]);
    bomb.compress().unwrap();
    let bomb_id = doc.add_object(bomb);
    let page_id = *doc.get_pages().get(&1).unwrap();
    let page = doc.get_dictionary_mut(page_id).unwrap();
    page.set("Contents", vec![Object::Reference(bomb_id)]);
    let bytes = save(&mut doc);
    assert!(bytes.len() < 1024 * 1024, "bomb is {} bytes", bytes.len());
    let opts = ReadOptions {
        max_expanded_bytes: 8 * 1024 * 1024,
        ..ReadOptions::default()
    };
    match read_bounded(&bytes, &opts) {
        Ok(d) => assert!(
            d.warnings.iter().any(|w| w.part == Some(1)),
            "{:?}",
            d.warnings
        ),
        Err(DocError::TooLarge { .. } | DocError::Corrupt { .. }) => {}
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn nesting_cycles_and_operator_floods_terminate() {
    let deep = format!("BT /F1 12 Tf 72 700 Td {}(deep) Tj ET", "[".repeat(200_000));
    let flood = format!(
        "{} BT /F1 12 Tf 72 700 Td (after the flood) Tj ET",
        "q 1 0 0 1 0 0 cm ".repeat(100_000)
    );
    // A form that draws itself.
    let mut doc = pdf_with_pages(&[
        deep.as_bytes(),
        flood.as_bytes(),
        b"/X1 Do BT /F1 12 Tf 72 700 Td (page three) Tj ET",
    ]);
    let form_id = doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "X1" => form_id } },
        },
        b"/X1 Do BT /F1 12 Tf 0 0 Td (in form) Tj ET".to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let page3 = *doc.get_pages().get(&3).unwrap();
    let resources_id = doc
        .get_dictionary(page3)
        .unwrap()
        .get(b"Resources")
        .unwrap()
        .as_reference()
        .unwrap();
    doc.get_dictionary_mut(resources_id)
        .unwrap()
        .set("XObject", dictionary! { "X1" => form_id });
    let bytes = save(&mut doc);
    let out = read_bounded(&bytes, &ReadOptions::default()).expect("reads");
    let text = out.plain_text();
    assert!(text.contains("after the flood"), "{text}");
    assert!(text.contains("page three"), "{text}");
    // The form's own text is there (once per level, bounded), not endlessly.
    assert!(
        text.matches("in form").count() >= 1 && text.matches("in form").count() <= 16,
        "{text}"
    );
}

#[test]
fn page_tree_cycle_terminates() {
    let mut doc = pdf_with_pages(&[b"BT /F1 12 Tf 72 700 Td (one) Tj ET"]);
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let kids = doc
        .get_dictionary(pages_id)
        .unwrap()
        .get(b"Kids")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let mut looped = kids.clone();
    looped.push(Object::Reference(pages_id));
    doc.get_dictionary_mut(pages_id)
        .unwrap()
        .set("Kids", looped);
    let bytes = save(&mut doc);
    match read_bounded(&bytes, &ReadOptions::default()) {
        Ok(d) => assert!(d.plain_text().contains("one") || !d.warnings.is_empty()),
        Err(DocError::Corrupt { .. }) => {}
        Err(e) => panic!("{e}"),
    }
}

fn encrypted(user: &str) -> Vec<u8> {
    let mut doc = pdf_with_pages(&[b"BT /F1 12 Tf 72 700 Td (secret text) Tj ET"]);
    let id = Object::string_literal(&b"0123456789abcdef"[..]);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: user,
        key_length: 128,
        permissions: Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    save(&mut doc)
}

#[test]
fn password_protected_is_encrypted_error() {
    let err = read_bounded(&encrypted("user"), &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DocError::Encrypted { .. }), "{err}");
    assert!(err.to_string().contains("password"));
}

#[test]
fn empty_user_password_is_read() {
    let doc = read_bounded(&encrypted(""), &ReadOptions::default())
        .expect("empty user password decrypts");
    assert!(
        doc.plain_text().contains("secret text"),
        "{}",
        doc.plain_text()
    );
}

#[test]
fn input_over_the_limit_is_too_large() {
    let opts = ReadOptions {
        max_input_bytes: 100,
        ..ReadOptions::default()
    };
    let err = read_bounded(&corpus("tika__testPDF.pdf"), &opts).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err}");
}
