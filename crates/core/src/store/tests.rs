use cowork_models::{ContentBlock, Message, Role};
use cowork_protocol::{Provenance, TaskStop, Usage};

use super::*;

fn start<'a>(session: &'a str, task: &'a str, roots: &'a [StoredRoot]) -> TaskStart<'a> {
    TaskStart {
        session,
        roots,
        model: "tape:t.yaml",
        user: "tester",
        task,
        text: "tidy my notes\nsecond line",
        mode: "interactive",
    }
}

fn roots() -> Vec<StoredRoot> {
    vec![StoredRoot {
        name: "work".into(),
        path: "/tmp/work".into(),
        default: true,
    }]
}

fn results(id: &str) -> Message {
    Message {
        role: Role::User,
        content: vec![ContentBlock::ToolResult {
            tool_use_id: id.into(),
            content: "ok".into(),
            is_error: false,
        }],
    }
}

#[test]
fn a_new_store_is_private_in_wal_mode_at_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open_in(&dir.path().join("data")).unwrap();
    let path = dir.path().join("data").join(STORE_FILE);
    assert_eq!(store.path(), path);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    store
        .with(|c| {
            let journal: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            assert_eq!(journal, "wal");
            assert_eq!(version, schema::VERSION);
            assert_eq!(sync, 1, "NORMAL");
            Ok(())
        })
        .unwrap();
    drop(store);
    // Reopening migrates nothing and keeps working.
    SessionStore::open(&path).unwrap();
}

#[test]
fn a_store_from_a_newer_cowork_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STORE_FILE);
    let store = SessionStore::open(&path).unwrap();
    store
        .with(|c| c.pragma_update(None, "user_version", 99))
        .unwrap();
    drop(store);
    let err = SessionStore::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("upgrade cowork"), "{err}");
}

#[test]
fn messages_actions_and_tasks_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open_in(dir.path()).unwrap();
    let roots = roots();
    let first = Message::user_text("tidy my notes\nsecond line");
    store
        .begin_task(
            &start("s-1", "t-1", &roots),
            0,
            &first,
            &MessageLabels::default(),
        )
        .unwrap();
    let call = Message {
        role: Role::Assistant,
        content: vec![
            ContentBlock::Thinking {
                thinking: "hmm".into(),
                signature: "sig".into(),
            },
            ContentBlock::ToolUse {
                id: "c1".into(),
                name: "read_file".into(),
                input: serde_json::json!({"path": "a.md"}),
            },
        ],
    };
    store
        .append_message("s-1", 1, Some("t-1"), &call, &MessageLabels::default())
        .unwrap();
    let mut labels = MessageLabels::default();
    labels.results.insert(
        "c1".into(),
        Provenance::Untrusted {
            source: "file:a.md".into(),
        },
    );
    store
        .append_message("s-1", 2, Some("t-1"), &results("c1"), &labels)
        .unwrap();
    let effects = vec![cowork_protocol::Effect::Read {
        path: "a.md".into(),
    }];
    let mut update = ActionUpdate {
        id: "a-1",
        session: "s-1",
        task: "t-1",
        tool_use_id: "c1",
        tool: "read_file",
        input: r#"{"path":"a.md"}"#,
        status: ActionStatus::Proposed,
        kind: Some(cowork_protocol::ActionKind::FileRead),
        effects: Some(&effects),
        description: Some("read a.md"),
        decision: None,
        outcome: None,
        provenance: None,
        journal: None,
    };
    store.record_action(&update).unwrap();
    update.status = ActionStatus::Executed;
    update.kind = None;
    update.effects = None;
    update.outcome = Some(("ok", false));
    let decision = cowork_protocol::Decision::Approve;
    update.decision = Some((&decision, cowork_protocol::DecidedBy::Mode, None));
    store.record_action(&update).unwrap();
    let usage = Usage {
        input_tokens: 10,
        output_tokens: 5,
        ..Usage::default()
    };
    store
        .finish_task("t-1", &TaskStop::Finished, "Done.", &usage, Some(0.5))
        .unwrap();

    assert_eq!(
        store.transcript("s-1").unwrap(),
        vec![first, call, results("c1")]
    );
    let detail = store.detail("s-1").unwrap();
    assert_eq!(detail.session.title, "tidy my notes");
    assert_eq!(detail.session.tasks, 1);
    assert_eq!(detail.session.roots, roots);
    let task = &detail.tasks[0];
    assert_eq!(task.status, TaskStatus::Finished);
    assert_eq!(task.usage, usage);
    assert_eq!(task.cost, Some(0.5));
    let action = &task.actions[0];
    assert_eq!(action.status, ActionStatus::Executed);
    // Later steps keep what earlier steps recorded.
    assert_eq!(action.effects.as_deref(), Some(&effects[..]));
    assert_eq!(action.kind, Some(cowork_protocol::ActionKind::FileRead));
    assert_eq!(action.decision, Some(decision));
    assert_eq!(action.outcome.as_deref(), Some("ok"));
    assert_eq!(
        store.action_for("t-1", "c1").unwrap().map(|a| a.id),
        Some("a-1".to_string())
    );
}

#[test]
fn a_compaction_replaces_the_prefix_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open_in(dir.path()).unwrap();
    let roots = roots();
    let first = Message::user_text("one");
    store
        .begin_task(
            &start("s-1", "t-1", &roots),
            0,
            &first,
            &MessageLabels::default(),
        )
        .unwrap();
    for seq in 1..5 {
        let m = Message::user_text(format!("m{seq}"));
        store
            .append_message("s-1", seq, Some("t-1"), &m, &MessageLabels::default())
            .unwrap();
    }
    let head = Message::user_text("[Summary of earlier conversation] s");
    store
        .record_compaction(&CompactionRow {
            session: "s-1",
            task: "t-1",
            cut_seq: 3,
            head: &head,
            labels: &MessageLabels::default(),
            summarized: true,
            replaced: 3,
            tokens_before: 100,
            tokens_after: 40,
            note: None,
        })
        .unwrap();
    let loaded = store.load("s-1").unwrap();
    assert_eq!(
        loaded.messages,
        vec![head, Message::user_text("m3"), Message::user_text("m4")]
    );
    assert_eq!(loaded.seqs, vec![None, Some(3), Some(4)]);
    assert_eq!(loaded.next_seq, 5);
    let compactions = store.detail("s-1").unwrap().compactions;
    assert_eq!(compactions.len(), 1);
    assert!(compactions[0].summarized && compactions[0].tokens_before == 100);
}

#[test]
fn resolve_claim_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = SessionStore::open_in(dir.path()).unwrap();
    assert!(matches!(store.resolve("last"), Err(StoreError::Empty)));
    let err = store.resolve("s-nope").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no session s-nope; `cowork sessions` lists them"
    );
    let roots = roots();
    for (s, t) in [("s-1", "t-1"), ("s-2", "t-2")] {
        store
            .begin_task(
                &start(s, t, &roots),
                0,
                &Message::user_text("x"),
                &MessageLabels::default(),
            )
            .unwrap();
    }
    assert_eq!(store.resolve("last").unwrap(), "s-2");
    assert_eq!(store.list().unwrap().len(), 2);

    // A task of a live process (pid 1 always is): in use.
    store
        .with(|c| c.execute("UPDATE tasks SET pid = 1 WHERE id = 't-1'", []))
        .unwrap();
    assert!(matches!(
        store.claim("s-1"),
        Err(StoreError::InUse { pid: 1, .. })
    ));
    assert!(matches!(store.delete("s-1"), Err(StoreError::InUse { .. })));
    // A task whose process is gone is shown, and then marked, interrupted.
    store
        .with(|c| c.execute("UPDATE tasks SET pid = 999999999 WHERE id = 't-1'", []))
        .unwrap();
    assert_eq!(
        store.detail("s-1").unwrap().tasks[0].status,
        TaskStatus::Interrupted
    );
    assert_eq!(store.claim("s-1").unwrap(), vec!["t-1".to_string()]);
    store
        .with(|c| {
            let status: String =
                c.query_row("SELECT status FROM tasks WHERE id = 't-1'", [], |r| {
                    r.get(0)
                })?;
            assert_eq!(status, "interrupted");
            Ok(())
        })
        .unwrap();

    store.delete("s-1").unwrap();
    assert!(matches!(store.delete("s-1"), Err(StoreError::NoSession(_))));
    let left: i64 = store
        .with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM messages WHERE session_id = 's-1'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(left, 0, "the transcript goes with the session");
    assert_eq!(store.list().unwrap().len(), 1);
}
