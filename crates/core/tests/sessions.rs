//! Sessions that last: the store, resuming (also after a crash), and compaction of long sessions.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{Harness, Recorder, approve, drive};
use cowork_core::protocol::{Event, Provenance, TaskStop};
use cowork_core::{ActionStatus, SessionStore, TaskStatus};
use cowork_models::{
    ContentBlock, Message, Model, ModelError, ModelEvent, ModelInfo, ModelRequest, ModelStream,
    Role, StopReason, ToolCall,
};

const READ_WRITE: &str = r##"
turns:
  - say: "Reading the notes first."
    call:
      - tool: read_file
        input: {path: "notes.md"}
  - say: "Writing the summary."
    call:
      - tool: write_file
        input: {path: "summary.md", content: "# Summary\n"}
  - say: "Done."
"##;

#[tokio::test]
async fn the_store_keeps_the_exact_transcript_and_a_resumed_session_continues_it() {
    let h = Harness::new();
    h.write("notes.md", "meeting notes\n");
    let (session, _) = h.session(READ_WRITE);
    let (_, _, summary) = drive(&session, "summarize my notes", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished);
    let live = session.transcript().await;
    assert_eq!(live.len(), 6, "{live:?}");
    let id = session.id().to_string();
    drop(session);

    // Reopened from disk: the same messages, block for block.
    let store = SessionStore::open_in(&h.data).unwrap();
    assert_eq!(store.transcript(&id).unwrap(), live);
    let messages = store.messages(&id).unwrap();
    assert_eq!(messages[0].labels.source, Some(Provenance::Trusted));
    assert!(
        matches!(messages[2].labels.results.values().next(), Some(Provenance::Untrusted { source }) if source.contains("notes.md")),
        "{:?}",
        messages[2].labels
    );
    let detail = store.detail(&id).unwrap();
    assert_eq!(detail.session.title, "summarize my notes");
    assert_eq!(detail.session.model, "tape:test.yaml");
    assert!(detail.session.tainted, "the file content was untrusted");
    let task = &detail.tasks[0];
    assert_eq!(task.status, TaskStatus::Finished);
    assert_eq!(task.summary.as_deref(), Some("Done."));
    let statuses: Vec<(&str, ActionStatus)> = task
        .actions
        .iter()
        .map(|a| (a.tool.as_str(), a.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("read_file", ActionStatus::Executed),
            ("write_file", ActionStatus::Executed)
        ]
    );
    assert!(task.actions[1].journal.is_some());
    assert_eq!(
        task.actions[1].decided_by,
        Some(cowork_core::protocol::DecidedBy::User)
    );
    drop(store);

    // Resumed: the next task's request carries the earlier turns, and the session stays tainted.
    let (builder, model) = h.builder("turns:\n  - say: \"Still here.\"\n");
    let resumed = builder.resume("last").build().unwrap();
    assert_eq!(resumed.id(), id);
    let (_, _, summary) = drive(&resumed, "anything else?", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished);
    let request = model.requests.lock().unwrap()[0].clone();
    assert_eq!(request.messages[..6], live[..]);
    assert_eq!(request.messages[6], Message::user_text("anything else?"));
    let store = SessionStore::open_in(&h.data).unwrap();
    let detail = store.detail(&id).unwrap();
    assert_eq!(detail.tasks.len(), 2);
    assert_eq!(detail.session.title, "summarize my notes");
    assert_eq!(store.list().unwrap().len(), 1);
}

#[tokio::test]
async fn resuming_an_unknown_session_names_the_fix() {
    let h = Harness::new();
    let (builder, _) = h.builder("turns: []\n");
    let err = builder.resume("s-nothere").build().err().unwrap();
    assert_eq!(
        err.to_string(),
        "no session s-nothere; `cowork sessions` lists them"
    );
}

/// A crash between two calls of one turn: the first ran, the second was approved but never
/// started. Simulated by removing what the process would not have written yet.
#[tokio::test]
async fn after_a_crash_what_ran_is_reported_done_and_what_did_not_is_not_run() {
    let h = Harness::new();
    let tape = "turns:\n  - say: Two files.\n    call:\n      - {tool: write_file, input: {path: a.md, content: one}}\n      - {tool: write_file, input: {path: b.md, content: two}}\n  - say: Done.\n";
    let (session, _) = h.session(tape);
    let (_, _, summary) = drive(&session, "write two", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished);
    let id = session.id().to_string();
    drop(session);
    std::fs::remove_file(h.root.join("b.md")).unwrap();
    let db = rusqlite::Connection::open(h.data.join(cowork_core::STORE_FILE)).unwrap();
    let second: String = db
        .query_row(
            "SELECT id FROM actions WHERE tool_use_id = 'tape-1-2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute_batch(&format!(
        "DELETE FROM messages WHERE seq >= 2;
         UPDATE tasks SET status = 'running', pid = 999999999, finished = NULL;
         UPDATE actions SET status = 'decided', outcome = NULL WHERE id = '{second}';"
    ))
    .unwrap();
    drop(db);

    let (builder, model) = h.builder("turns:\n  - say: Noted.\n");
    let resumed = builder.resume(&id).build().unwrap();
    let transcript = resumed.transcript().await;
    let Some(Message {
        role: Role::User,
        content,
    }) = transcript.last()
    else {
        panic!("{transcript:?}")
    };
    let [
        ContentBlock::ToolResult {
            content: first,
            is_error: false,
            ..
        },
        ContentBlock::ToolResult {
            content: second_result,
            is_error: true,
            ..
        },
    ] = &content[..]
    else {
        panic!("{content:?}")
    };
    assert!(
        first.contains("wrote a.md") || first.contains("a.md"),
        "{first}"
    );
    assert!(first.contains("It was not run again"), "{first}");
    assert!(
        second_result.starts_with("not run: the session stopped"),
        "{second_result}"
    );
    let (_, _, summary) = drive(&resumed, "continue", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished);
    // Nothing ran again: b.md stays gone, a.md was written once.
    assert!(!h.root.join("b.md").exists());
    assert_eq!(h.read("a.md").as_deref(), Some("one"));
    // The journal holds the two writes of the first run only.
    assert_eq!(resumed.workspace().history().unwrap().len(), 1);
    assert_eq!(resumed.workspace().history().unwrap()[0].actions.len(), 2);
    let request = model.requests.lock().unwrap()[0].clone();
    assert_eq!(request.messages.len(), 4);

    let store = SessionStore::open_in(&h.data).unwrap();
    let detail = store.detail(&id).unwrap();
    assert_eq!(detail.tasks[0].status, TaskStatus::Interrupted);
    assert_eq!(detail.tasks[0].actions[0].status, ActionStatus::Executed);
    assert_eq!(detail.tasks[0].actions[1].status, ActionStatus::Interrupted);
    assert_eq!(detail.tasks[1].status, TaskStatus::Finished);
}

/// A model for long sessions: tool turns read one big file each; a request without tools is the
/// summary call. Every request is kept.
struct Long {
    turns: usize,
    summary: Option<String>,
    calls: AtomicUsize,
    requests: Mutex<Vec<ModelRequest>>,
}

impl Model for Long {
    fn info(&self) -> ModelInfo {
        ModelInfo {
            spec: "scripted:long".into(),
            local: true,
            region: None,
        }
    }

    fn stream(&self, request: &ModelRequest) -> ModelStream {
        self.requests.lock().unwrap().push(request.clone());
        let events: Vec<Result<ModelEvent, ModelError>> = if request.tools.is_empty() {
            match &self.summary {
                Some(text) => vec![
                    Ok(ModelEvent::TextDelta(text.clone())),
                    Ok(ModelEvent::Stop(StopReason::EndTurn)),
                ],
                None => vec![Err(ModelError::Request {
                    message: "overloaded".into(),
                    retryable: false,
                })],
            }
        } else {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.turns {
                vec![
                    Ok(ModelEvent::TextDelta(format!("Reading part {n}."))),
                    Ok(ModelEvent::ToolCall(ToolCall {
                        id: format!("call-{n}"),
                        name: "read_file".into(),
                        input_json: format!(r#"{{"path": "part{n}.txt"}}"#),
                    })),
                    Ok(ModelEvent::Stop(StopReason::ToolUse)),
                ]
            } else {
                vec![
                    Ok(ModelEvent::TextDelta("All parts read.".into())),
                    Ok(ModelEvent::Stop(StopReason::EndTurn)),
                ]
            }
        };
        Box::pin(futures::stream::iter(events))
    }
}

const WINDOW: u64 = 16_000;

/// Run a long session with a small window; returns its events, the model and the session.
async fn long_session(
    summary: Option<&str>,
) -> (Vec<Event>, Arc<Long>, cowork_core::Session, Harness) {
    let h = Harness::new();
    for n in 0..24 {
        h.write(
            &format!("part{n}.txt"),
            &format!("part {n} line\n").repeat(250),
        );
    }
    let model = Arc::new(Long {
        turns: 24,
        summary: summary.map(str::to_string),
        calls: AtomicUsize::new(0),
        requests: Mutex::new(Vec::new()),
    });
    let session = h
        .builder_for(model.clone())
        .context_window(WINDOW)
        .max_actions(100)
        .build()
        .unwrap();
    let (events, _, summary) = drive(&session, "read every part and report", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished, "{events:?}");
    assert_eq!(summary.actions, 24);
    (events, model, session, h)
}

fn request_tokens(request: &ModelRequest) -> u64 {
    let bytes = request.system.len()
        + serde_json::to_string(&request.tools).unwrap().len()
        + request
            .messages
            .iter()
            .map(|m| serde_json::to_string(m).unwrap().len())
            .sum::<usize>();
    bytes as u64 / 4
}

/// Each tool_result answers a tool_use of the assistant message just before it, and each
/// tool_use (but in a final assistant message) is answered in the message just after it.
fn assert_pairs_intact(messages: &[Message]) {
    let ids = |m: &Message, results: bool| -> Vec<String> {
        m.content
            .iter()
            .filter_map(|b| match (b, results) {
                (ContentBlock::ToolUse { id, .. }, false) => Some(id.clone()),
                (ContentBlock::ToolResult { tool_use_id, .. }, true) => Some(tool_use_id.clone()),
                _ => None,
            })
            .collect()
    };
    for (i, m) in messages.iter().enumerate() {
        let results = ids(m, true);
        if !results.is_empty() {
            assert!(
                i > 0 && messages[i - 1].role == Role::Assistant,
                "result without call at {i}"
            );
            assert_eq!(results, ids(&messages[i - 1], false), "pairing at {i}");
        }
        let uses = ids(m, false);
        if !uses.is_empty() {
            let next = messages
                .get(i + 1)
                .expect("a request never ends with unanswered calls");
            assert_eq!(uses, ids(next, true), "calls at {i} unanswered");
        }
    }
}

#[tokio::test]
async fn a_long_session_is_summarized_within_the_window_and_pairs_stay_intact() {
    let (events, model, session, h) =
        long_session(Some("SUMMARY: parts 0.. read; nothing written.")).await;
    let requests = model.requests.lock().unwrap().clone();
    let summaries: Vec<&ModelRequest> = requests.iter().filter(|r| r.tools.is_empty()).collect();
    assert!(!summaries.is_empty(), "the summary call was made");
    assert!(
        summaries.len() >= 2,
        "a later compaction summarizes the earlier summary too"
    );
    assert!(
        summaries[1].messages[0]
            .content
            .iter()
            .any(|b| matches!(b, ContentBlock::Text { text } if text.contains("SUMMARY: parts"))),
        "the second summary call reads the first summary"
    );
    for request in &requests {
        let used = request_tokens(request) + u64::from(request.max_output_tokens);
        assert!(
            used <= WINDOW,
            "a request of {used} tokens for a window of {WINDOW}"
        );
        assert_pairs_intact(&request.messages);
    }
    for summary in &summaries {
        assert_eq!(summary.messages.len(), 1);
        assert!(
            summary.messages[0].is_task_text(),
            "the summarizer gets text, no tool blocks"
        );
        assert!(summary.system.contains("condense"));
    }
    // The first request after a compaction starts with the summary, then whole recent turns.
    let after = requests
        .iter()
        .find(|r| {
            !r.tools.is_empty()
                && r.messages
                    .iter()
                    .any(|m| m.is_task_text() && format!("{m:?}").contains("SUMMARY: parts"))
        })
        .expect("a request with the summary");
    let ContentBlock::Text { text } = &after.messages[0].content[0] else {
        panic!()
    };
    assert!(
        text.starts_with("[Summary of earlier conversation"),
        "{text}"
    );
    let compacted: Vec<&Event> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::ContextCompacted {
                    summarized: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(compacted.len(), summaries.len());
    let Event::ContextCompacted {
        tokens_before,
        tokens_after,
        ..
    } = compacted[0]
    else {
        panic!()
    };
    assert!(tokens_after < tokens_before);

    // The store holds the compaction: a resumed session sees what the model saw last.
    let store = SessionStore::open_in(&h.data).unwrap();
    assert_eq!(
        store.transcript(session.id()).unwrap(),
        session.transcript().await
    );
    let detail = store.detail(session.id()).unwrap();
    assert_eq!(detail.compactions.len(), summaries.len());
    assert!(detail.compactions.iter().all(|c| c.summarized));
    // Nothing is lost from the record: every message ever sent is still stored.
    assert_eq!(store.messages(session.id()).unwrap().len(), 1 + 24 * 2 + 1);
}

#[tokio::test]
async fn when_the_summary_fails_the_oldest_turns_are_dropped_with_a_note() {
    let (events, model, session, _h) = long_session(None).await;
    let requests = model.requests.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r.tools.is_empty()),
        "the summary was tried"
    );
    for request in requests.iter().filter(|r| !r.tools.is_empty()) {
        let used = request_tokens(request) + u64::from(request.max_output_tokens);
        assert!(
            used <= WINDOW,
            "a request of {used} tokens for a window of {WINDOW}"
        );
        assert_pairs_intact(&request.messages);
    }
    assert!(events.iter().any(|e| matches!(
        e,
        Event::ContextCompacted {
            summarized: false,
            ..
        }
    )));
    let transcript = session.transcript().await;
    let ContentBlock::Text { text } = &transcript[0].content[0] else {
        panic!("{transcript:?}")
    };
    assert!(text.starts_with("[Earlier conversation dropped"), "{text}");
    assert!(text.contains("overloaded"), "{text}");
    // The person's task survives the drop.
    assert!(text.contains("read every part and report"), "{text}");
}

#[tokio::test]
async fn a_short_session_is_never_compacted() {
    let h = Harness::new();
    h.write("notes.md", "meeting notes\n");
    let model = Arc::new(Recorder::new(READ_WRITE));
    let session = h.builder_for(model.clone()).build().unwrap();
    assert_eq!(session.context_window(), 200_000);
    let (events, _, _) = drive(&session, "summarize", approve).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::ContextCompacted { .. }))
    );
    assert!(
        model
            .requests
            .lock()
            .unwrap()
            .iter()
            .all(|r| !r.tools.is_empty())
    );
}

#[tokio::test]
async fn a_session_without_persistence_leaves_no_store_and_cannot_be_resumed() {
    let h = Harness::new();
    h.write("notes.md", "meeting notes\n");
    let (builder, _) = h.builder(READ_WRITE);
    let session = builder.persist(false).build().unwrap();
    assert!(session.store().is_none());
    let (_, _, summary) = drive(&session, "summarize", approve).await;
    assert_eq!(summary.stop, TaskStop::Finished);
    assert!(!h.data.join(cowork_core::STORE_FILE).exists());
    let (builder, _) = h.builder(READ_WRITE);
    let err = builder.persist(false).resume("last").build().err().unwrap();
    assert!(err.to_string().contains("session store"), "{err}");
}
