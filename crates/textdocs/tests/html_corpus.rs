//! HTML golden tests on corpus pages: main content kept, boilerplate dropped, structure.

mod common;

use common::corpus;
use cowork_docmodel::{Block, ListMarker, ReadOptions};
use cowork_textdocs::read_html;

/// The page's text without Markdown link targets and emphasis, for phrase checks.
fn read(name: &str) -> (cowork_docmodel::Document, String) {
    let doc = read_html(&corpus(&format!("html/{name}")), &ReadOptions::default()).unwrap();
    let md = doc.to_markdown();
    let mut plain = String::with_capacity(md.len());
    let mut rest = md.as_str();
    while let Some(i) = rest.find("](") {
        plain.push_str(&rest[..i]);
        rest = &rest[i + 2..];
        let close = rest.find(')').map_or(rest.len(), |c| c + 1);
        rest = &rest[close..];
    }
    plain.push_str(rest);
    let plain = plain.replace(['[', '*'], "");
    (doc, plain)
}

fn assert_has(plain: &str, phrases: &[&str]) {
    for p in phrases {
        assert!(plain.contains(p), "missing {p:?}");
    }
}

fn assert_lacks(plain: &str, phrases: &[&str]) {
    for p in phrases {
        assert!(!plain.contains(p), "boilerplate {p:?} kept");
    }
}

#[test]
fn wikipedia_article_without_its_chrome() {
    let (doc, plain) = read("markitdown__test_wikipedia.html");
    assert_eq!(doc.title.as_deref(), Some("Microsoft - Wikipedia"));
    assert_has(
        &plain,
        &[
            "Microsoft Corporation is an American multinational corporation and technology company headquartered in Redmond, Washington",
            "Bill Gates and Paul Allen",
            "Financials as of June 30, 2023",
        ],
    );
    assert_lacks(
        &plain,
        &[
            "Jump to content",
            "Random article",
            "Create account",
            "Afrikaans",
            "Privacy policy",
            "This page was last edited",
        ],
    );
    let blocks = &doc.parts[0].blocks;
    assert!(
        blocks.contains(&Block::heading(2, "History")),
        "section headings kept"
    );
    // The infobox is a table with its label/value cells.
    assert!(blocks.iter().any(|b| matches!(b, Block::Table(t)
        if t.rows.iter().any(|r| r.first().is_some_and(|c| c == "Industry")))));
}

#[test]
fn blog_post_keeps_lists_and_drops_navigation() {
    let (doc, plain) = read("markitdown__test_blog.html");
    assert_has(
        &plain,
        &[
            "Does Model and Inference Parameter Matter in LLM Applications? - A Case Study for MATH",
            "Experiment Setup",
            "For Further Reading",
        ],
    );
    assert_lacks(
        &plain,
        &[
            "Skip to main content",
            "Copyright © 2024 AutoGen Authors",
            "FSM Group Chat -- User-specified agent transitions",
        ],
    );
    assert!(
        doc.parts[0]
            .blocks
            .iter()
            .any(|b| matches!(b, Block::ListItem { .. }))
    );
}

#[test]
fn readability_pages_keep_the_article() {
    let cases: [(&str, &[&str], &[&str]); 5] = [
        (
            "readability__yahoo-1.html",
            &[
                "Virtual reality has officially reached the consoles. And it’s pretty good!",
                "Already a hit on the Oculus Rift, this space dogfighting game",
                "Ben Silverman is on Twitter at",
            ],
            &[],
        ),
        (
            "readability__herald-sun-1.html",
            &[
                "A HIGH-powered federal government team has been doing the rounds",
                "Memories of the grief Conroy brought down on his head would undoubtedly make Abbott sit up and take notice.",
                "LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR",
                "A new Bill would require telecommunications service providers to store so-called ‘metadata’ for two years.",
            ],
            &["Forgot your password?"],
        ),
        (
            "readability__webmd-2.html",
            &[
                "April 17, 2015 -- Imagine being sick in the hospital",
                "Here are some of the growing superbug threats identified in the 2015 White House report.",
            ],
            &[
                "Enter Search Keywords",
                "Find or Review a Vitamin or Supplement",
            ],
        ),
        (
            "readability__mathjax.html",
            &[
                "The Lorenz Equations",
                "Finally, while display equations look good",
            ],
            &[],
        ),
        (
            "readability__google-sre-book-1.html",
            &["The Production Environment at Google, from the Viewpoint of an SRE"],
            &[],
        ),
    ];
    for (name, present, absent) in cases {
        let (_, plain) = read(name);
        assert_has(&plain, present);
        assert_lacks(&plain, absent);
    }
}

#[test]
fn small_pages_are_read_whole() {
    let (doc, plain) = read("tika__testHTML_utf8.html");
    assert!(!plain.trim().is_empty());
    assert_eq!(doc.metadata["encoding"], "UTF-8");
    let (doc, _) = read("tika__resume.html");
    assert!(doc.parts[0].blocks.len() > 5);
}

#[test]
fn ordered_lists_keep_numbers() {
    let html = b"<html><body><article><p>Steps to follow, in this order, carefully:</p><ol start=\"5\"><li>five</li><li>six</li></ol><ol type=\"a\"><li>x</li><li>y</li></ol></article></body></html>";
    let doc = read_html(html, &ReadOptions::default()).unwrap();
    let markers: Vec<String> = doc.parts[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::ListItem {
                marker: ListMarker::Number(n),
                ..
            } => Some(n.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(markers, vec!["5.", "6.", "a.", "b."]);
}
