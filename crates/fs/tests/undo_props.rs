//! Undo restores the tree byte for byte, and never loses a person's later edit.

mod common;

use common::*;
use cowork_fs::{FsError, UndoTarget, Workspace};
use cowork_protocol::Effect;
use proptest::collection::vec;
use proptest::prelude::*;

/// Names the random ops pick from; some are used both as files and folders on purpose.
const POOL: &[&str] = &[
    "a.txt",
    "b.md",
    "d1",
    "d1/c.txt",
    "d1/d2",
    "d1/d2/e.txt",
    "d3",
    "d3/f.txt",
    "d3/d1",
    "d1/d2/d3",
];

#[derive(Debug, Clone)]
enum Op {
    Write {
        path: usize,
        content: Vec<u8>,
        overwrite: bool,
    },
    Mkdir(usize),
    Move(usize, usize),
    Delete(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let n = POOL.len();
    prop_oneof![
        3 => (0..n, vec(any::<u8>(), 0..6), any::<bool>())
            .prop_map(|(path, content, overwrite)| Op::Write { path, content, overwrite }),
        1 => (0..n).prop_map(Op::Mkdir),
        2 => (0..n, 0..n).prop_map(|(a, b)| Op::Move(a, b)),
        2 => (0..n).prop_map(Op::Delete),
    ]
}

fn effects(op: &Op) -> Vec<Effect> {
    match op {
        Op::Write { path, .. } => vec![create(POOL[*path]), modify(POOL[*path])],
        Op::Mkdir(path) => vec![create(POOL[*path])],
        Op::Move(a, b) => vec![mv(POOL[*a], POOL[*b])],
        Op::Delete(path) => vec![delete(POOL[*path])],
    }
}

/// Run `op`; failures (target exists, source missing…) are part of the game and ignored.
fn run(ws: &Workspace, txn: &mut cowork_fs::ActionTxn<'_>, op: &Op) {
    let _ = match op {
        Op::Write {
            path,
            content,
            overwrite,
        } => txn.write_file(&p(ws, POOL[*path]), content, *overwrite),
        Op::Mkdir(path) => txn.make_dir(&p(ws, POOL[*path])),
        Op::Move(a, b) => txn.move_path(&p(ws, POOL[*a]), &p(ws, POOL[*b])),
        Op::Delete(path) => txn.delete(&p(ws, POOL[*path])),
    };
}

fn run_task(ws: &Workspace, task: &str, ops: &[Op], actions: usize) {
    let per = ops.len().div_ceil(actions).max(1);
    for (k, chunk) in ops.chunks(per).enumerate() {
        let allowed: Vec<Effect> = chunk.iter().flat_map(effects).collect();
        let mut txn = ws.begin(task, &format!("a{}", k + 1), &allowed);
        for op in chunk {
            run(ws, &mut txn, op);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn undo_last_task_restores_the_tree(
        initial in vec((0usize..5, vec(any::<u8>(), 0..6)), 0..4),
        earlier in vec(op(), 0..4),
        ops in vec(op(), 1..14),
        actions in 2usize..4,
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let files = ["a.txt", "b.md", "d1/c.txt", "d1/d2/e.txt", "d3/f.txt"];
        for (i, content) in &initial {
            write(root, files[*i], content);
        }
        let ws = open(root, &[]);
        let start = snapshot(root);
        run_task(&ws, "t0", &earlier, 1);
        let before = snapshot(root);
        run_task(&ws, "t1", &ops, actions);

        let tasks: Vec<String> = ws.history().unwrap().into_iter().map(|t| t.task).collect();
        // A task whose every op failed journals nothing.
        if tasks.iter().any(|t| t == "t1") {
            match ws.undo(UndoTarget::LastTask, false) {
                Ok(r) => prop_assert_eq!(r.task.as_deref(), Some("t1")),
                Err(e) => return Err(TestCaseError::fail(format!("undo failed: {e}"))),
            }
        }
        prop_assert_eq!(snapshot(root), before);

        // Undoing again reaches the earlier task, then there is nothing left.
        if tasks.iter().any(|t| t == "t0") {
            match ws.undo(UndoTarget::LastTask, false) {
                Ok(r) => prop_assert_eq!(r.task.as_deref(), Some("t0")),
                Err(e) => return Err(TestCaseError::fail(format!("second undo failed: {e}"))),
            }
        }
        prop_assert_eq!(snapshot(root), start);
        let last = ws.undo(UndoTarget::LastTask, false);
        prop_assert!(matches!(last, Err(FsError::NothingToUndo { .. })), "expected nothing to undo");
        prop_assert!(ws.history().unwrap().iter().flat_map(|t| &t.actions).all(|a| a.undone));
    }
}

#[test]
fn a_persons_later_edit_stops_undo_and_survives_force() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "notes.md", b"original notes");
    let ws = open(root, &[]);
    let mut txn = ws.begin("t1", "a1", &[create("report.md"), modify("notes.md")]);
    txn.write_file(&p(&ws, "report.md"), b"cowork report", false)
        .unwrap();
    txn.write_file(&p(&ws, "notes.md"), b"cowork notes", true)
        .unwrap();
    drop(txn);

    // The person edits the report afterwards.
    std::fs::write(root.join("report.md"), b"my own edits").unwrap();
    let err = ws.undo(UndoTarget::LastTask, false).unwrap_err();
    match &err {
        FsError::Conflict { path, .. } => assert_eq!(path, "report.md"),
        other => panic!("expected a conflict, got {other}"),
    }
    assert_eq!(
        err.to_string(),
        "report.md was changed after cowork wrote it; run `cowork undo --force` to keep a backup of your version and undo anyway"
    );
    // Nothing changed: not the conflicting file, not the other one.
    assert_eq!(
        std::fs::read(root.join("report.md")).unwrap(),
        b"my own edits"
    );
    assert_eq!(
        std::fs::read(root.join("notes.md")).unwrap(),
        b"cowork notes"
    );
    assert!(!ws.history().unwrap()[0].actions[0].undone);

    let report = ws.undo(UndoTarget::LastTask, true).unwrap();
    assert!(!root.join("report.md").exists());
    assert_eq!(
        std::fs::read(root.join("notes.md")).unwrap(),
        b"original notes"
    );
    assert_eq!(report.forced_backups.len(), 1);
    let (path, blob) = &report.forced_backups[0];
    assert_eq!(path, "report.md");
    assert_eq!(
        std::fs::read(root.join(".cowork/backups").join(blob)).unwrap(),
        b"my own edits"
    );
    assert_eq!(
        ws.backup_path(blob),
        ws.state_dir().join("backups").join(blob)
    );
    assert!(report.restored.contains(&"notes.md".to_string()));
}

#[test]
fn a_persons_new_file_in_a_created_folder_is_kept_by_force() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ws = open(root, &[]);
    let mut txn = ws.begin("t1", "a1", &[create("out/summary.md")]);
    txn.write_file(&p(&ws, "out/summary.md"), b"summary", false)
        .unwrap();
    drop(txn);
    write(root, "out/mine.txt", b"mine");
    let err = ws.undo(UndoTarget::LastTask, false).unwrap_err();
    assert!(
        matches!(&err, FsError::Conflict { path, .. } if path == "out"),
        "{err}"
    );
    assert!(root.join("out/summary.md").exists());

    let report = ws.undo(UndoTarget::LastTask, true).unwrap();
    assert!(!root.join("out").exists());
    let (path, trash) = &report.forced_backups[0];
    assert_eq!(path, "out");
    assert_eq!(
        std::fs::read(ws.state_dir().join(trash).join("mine.txt")).unwrap(),
        b"mine"
    );
    assert!(ws.trash_list().unwrap().iter().any(|e| e.original == "out"));
}

#[test]
fn ops_journaled_but_never_performed_undo_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "kept.txt", b"kept");
    write(root, "d/x.txt", b"x");
    let ws = open(root, &[]);
    // Simulate crashes between the journal line and the change itself.
    let hash = blake3::hash(b"kept").to_hex().to_string();
    let lines = [
        r#"{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","action":"a1","op":{"op":"created","path":"new.txt","after":"00"}}"#.to_string(),
        r#"{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","action":"a1","op":{"op":"created_dir","path":"newdir"}}"#.to_string(),
        format!(r#"{{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","action":"a1","op":{{"op":"modified","path":"kept.txt","before":"{hash}","after":"11"}}}}"#),
        format!(r#"{{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","action":"a1","op":{{"op":"deleted","path":"kept.txt","before_hash":"{hash}","trash":"trash/t9/a1/kept.txt","is_dir":false}}}}"#),
        r#"{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","action":"a1","op":{"op":"moved","from":"d","to":"e"}}"#.to_string(),
        // A line cut short by the crash.
        r#"{"type":"op","ts":"2026-01-01T00:00:00Z","task":"t9","act"#.to_string(),
    ];
    std::fs::write(root.join(".cowork/journal.jsonl"), lines.join("\n")).unwrap();
    let before = snapshot(root);
    let report = ws.undo(UndoTarget::LastTask, false).unwrap();
    assert_eq!(report.task.as_deref(), Some("t9"));
    assert!(report.restored.is_empty(), "{report:?}");
    assert_eq!(snapshot(root), before);
    // Later appends start on a fresh line after the cut one.
    let mut txn = ws.begin("t10", "a1", &[create("z.txt")]);
    txn.write_file(&p(&ws, "z.txt"), b"z", false).unwrap();
    assert_eq!(ws.history().unwrap().last().unwrap().task, "t10");
}
