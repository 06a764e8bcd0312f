use std::collections::HashSet;

use cowork_models::{ContentBlock, Message, Role};
use proptest::prelude::*;

use super::*;

fn uses(ids: &[&str]) -> Message {
    Message {
        role: Role::Assistant,
        content: ids
            .iter()
            .map(|id| ContentBlock::ToolUse {
                id: id.to_string(),
                name: "read_file".into(),
                input: serde_json::json!({"path": "a.md"}),
            })
            .collect(),
    }
}

fn results(ids: &[&str]) -> Message {
    Message {
        role: Role::User,
        content: ids
            .iter()
            .map(|id| ContentBlock::ToolResult {
                tool_use_id: id.to_string(),
                content: "x".repeat(100),
                is_error: false,
            })
            .collect(),
    }
}

fn said(text: &str) -> Message {
    Message {
        role: Role::Assistant,
        content: vec![ContentBlock::Text { text: text.into() }],
    }
}

/// Every tool_use in `tail` has its result there and every result its tool_use.
fn closed(tail: &[Message]) -> bool {
    let mut used = Vec::new();
    let mut answered = Vec::new();
    for block in tail.iter().flat_map(|m| &m.content) {
        match block {
            ContentBlock::ToolUse { id, .. } => used.push(id.clone()),
            ContentBlock::ToolResult { tool_use_id, .. } => answered.push(tool_use_id.clone()),
            _ => {}
        }
    }
    used.sort();
    answered.sort();
    used == answered
}

#[test]
fn the_window_arithmetic() {
    assert_eq!(max_output(200_000, None), 8192);
    assert_eq!(max_output(200_000, Some(64_000)), 50_000);
    assert_eq!(max_output(8_000, None), 2_000);
    assert_eq!(threshold(200_000, 8192), (200_000 - 8192) / 4 * 3);
    assert_eq!(threshold(100, 200), 0);
    assert_eq!(calibrate(1000, 300), Some(0.3));
    assert_eq!(calibrate(1000, 0), None);
    assert_eq!(calibrate(10, 1_000_000), Some(1.0));
}

#[test]
fn cuts_fall_only_where_no_pair_is_split() {
    let transcript = vec![
        Message::user_text("task one"),
        uses(&["a", "b"]),
        results(&["a", "b"]),
        said("done"),
        Message::user_text("task two"),
        uses(&["c"]),
        results(&["c"]),
        uses(&["d"]),
        results(&["d"]),
    ];
    assert_eq!(cut_points(&transcript), vec![1, 3, 4, 5, 7]);
    let sizes = vec![10; transcript.len()];
    // Keep at most 25 tokens: the last pair (20) fits; nothing later than 7 is a cut.
    assert_eq!(choose_cut(&transcript, &sizes, 25, 1), Some(7));
    assert_eq!(choose_cut(&transcript, &sizes, 50, 1), Some(4));
    // Nothing fits: keep the least that can be kept.
    assert_eq!(choose_cut(&transcript, &sizes, 5, 1), Some(7));
    assert_eq!(choose_cut(&transcript, &sizes, 5, 8), None);
}

#[test]
fn repeated_tool_ids_across_tasks_still_pair() {
    // Tapes number their calls per task, so ids repeat across tasks.
    let transcript = vec![
        Message::user_text("one"),
        uses(&["tape-1-1"]),
        results(&["tape-1-1"]),
        Message::user_text("two"),
        uses(&["tape-1-1"]),
        results(&["tape-1-1"]),
    ];
    assert_eq!(cut_points(&transcript), vec![1, 3, 4]);
}

#[test]
fn the_summarizer_sees_text_with_both_fence_ends_and_no_tool_blocks() {
    let fenced = format!(
        "<untrusted-data boundary=\"B\">\n{}\n</untrusted-data boundary=\"B\">",
        "row\n".repeat(2000)
    );
    let transcript = vec![
        Message::user_text("sum the rows"),
        uses(&["a"]),
        Message {
            role: Role::User,
            content: vec![ContentBlock::ToolResult {
                tool_use_id: "a".into(),
                content: fenced,
                is_error: false,
            }],
        },
    ];
    let text = render_for_summary(&transcript, 100_000);
    assert!(text.starts_with("PERSON:\nsum the rows"), "{text}");
    assert!(text.contains("ASSISTANT CALLS read_file"));
    assert!(text.contains("RESULT OF read_file:\n<untrusted-data boundary=\"B\">"));
    assert!(text.ends_with("</untrusted-data boundary=\"B\">"), "{text}");
    assert!(text.contains("bytes cut"));
    assert!(text.len() < 3_000);
    // Past the budget the oldest parts go first.
    let small = render_for_summary(&transcript, 1_000);
    assert!(
        small.starts_with("[the earliest part is omitted"),
        "{small}"
    );
    assert!(small.ends_with("</untrusted-data boundary=\"B\">"));
}

#[test]
fn a_dropped_note_keeps_the_task_and_the_previous_summary() {
    let dropped = vec![
        Message::user_text(format!("{SUMMARY_MARK}] earlier: wrote a.md")),
        Message::user_text("now sum the rows"),
        uses(&["a"]),
        results(&["a"]),
    ];
    let note = dropped_note(&dropped, 4, "the summary call failed: boom");
    assert!(note.starts_with(DROPPED_MARK), "{note}");
    assert!(note.contains("boom") && note.contains("4 messages"));
    assert!(note.contains("earlier: wrote a.md"));
    assert!(note.contains("The person's latest task:\nnow sum the rows"));
    assert!(is_head(&Message::user_text(note)));
}

/// A random conversation as the task loop builds it: tasks of tool turns, each turn's calls
/// answered in the next message (now and then not: a lost write), sometimes ending with a reply.
fn conversation() -> impl Strategy<Value = Vec<Message>> {
    let turn = (0usize..3, any::<bool>(), prop::bool::weighted(0.9));
    let task = (prop::collection::vec(turn, 0..5), any::<bool>());
    prop::collection::vec(task, 1..5).prop_map(|tasks| {
        let mut messages = Vec::new();
        let mut n = 0;
        for (turns, reply) in tasks {
            messages.push(Message::user_text("task"));
            for (calls, text, answered) in turns {
                let ids: Vec<String> = (0..calls.max(1))
                    .map(|_| {
                        n += 1;
                        format!("id{}", n % 4) // ids repeat, as tape ids do
                    })
                    .collect();
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let mut call = uses(&refs);
                if text {
                    call.content
                        .insert(0, ContentBlock::Text { text: "why".into() });
                }
                messages.push(call);
                if answered {
                    messages.push(results(&refs));
                }
            }
            if reply {
                messages.push(said("done"));
            }
        }
        messages
    })
}

proptest! {
    #[test]
    fn every_cut_keeps_pairs_whole(messages in conversation(), keep in 0u64..2000) {
        let points = cut_points(&messages);
        let sizes: Vec<u64> = messages.iter().map(|m| message_bytes(m) as u64 / 4).collect();
        // Sound: every point starts a closed tail at a boundary.
        for &k in &points {
            prop_assert!(closed(&messages[k..]), "cut {k} splits a pair");
            prop_assert!(messages[k].role == Role::Assistant || messages[k].is_task_text());
        }
        // Complete: the boundaries with a closed tail are exactly the points.
        let expected: HashSet<usize> = (1..messages.len())
            .filter(|&k| closed(&messages[k..]) && (messages[k].role == Role::Assistant || messages[k].is_task_text()))
            .collect();
        prop_assert_eq!(points.iter().copied().collect::<HashSet<_>>(), expected);
        if let Some(k) = choose_cut(&messages, &sizes, keep, 1) {
            prop_assert!(points.contains(&k));
            let tail: u64 = sizes[k..].iter().sum();
            prop_assert!(tail <= keep || Some(&k) == points.last());
        }
    }
}
