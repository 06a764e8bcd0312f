//! Undo of one action, the trash, moves across roots, history.

mod common;

use common::*;
use cowork_fs::{FsError, JournalOp, UndoTarget, Workspace};

#[test]
fn undo_one_action_leaves_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "old.txt", b"old");
    let ws = open(root, &[]);
    let mut a1 = ws.begin("t1", "a1", &[create("one.txt")]);
    a1.write_file(&p(&ws, "one.txt"), b"1", false).unwrap();
    let mut a2 = ws.begin(
        "t1",
        "a2",
        &[create("Archive"), mv("old.txt", "Archive/old.txt")],
    );
    a2.make_dir(&p(&ws, "Archive")).unwrap();
    a2.move_path(&p(&ws, "old.txt"), &p(&ws, "Archive/old.txt"))
        .unwrap();
    assert_eq!(a2.ops().len(), 2);
    let mut a3 = ws.begin("t1", "a3", &[create("three.txt")]);
    a3.write_file(&p(&ws, "three.txt"), b"3", false).unwrap();

    let report = ws.undo(UndoTarget::Action("a2".into()), false).unwrap();
    assert_eq!(report.task.as_deref(), Some("t1"));
    assert_eq!(report.actions, vec!["a2"]);
    assert_eq!(report.restored, vec!["old.txt", "Archive"]);
    assert_eq!(std::fs::read(root.join("old.txt")).unwrap(), b"old");
    assert!(!root.join("Archive").exists());
    assert!(root.join("one.txt").exists() && root.join("three.txt").exists());

    let history = ws.history().unwrap();
    assert_eq!(history.len(), 1);
    let flags: Vec<(String, bool)> = history[0]
        .actions
        .iter()
        .map(|a| (a.action.clone(), a.undone))
        .collect();
    assert_eq!(
        flags,
        vec![
            ("a1".into(), false),
            ("a2".into(), true),
            ("a3".into(), false)
        ]
    );
    assert!(matches!(
        &history[0].actions[1].ops[..],
        [JournalOp::CreatedDir { .. }, JournalOp::Moved { from, to }] if from == "old.txt" && to == "Archive/old.txt"
    ));
    assert!(
        time::OffsetDateTime::parse(
            &history[0].started,
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );

    assert!(matches!(
        ws.undo(UndoTarget::Action("a2".into()), false),
        Err(FsError::NothingToUndo { .. })
    ));
    assert!(matches!(
        ws.undo(UndoTarget::Action("zz".into()), false),
        Err(FsError::UnknownAction { .. })
    ));
    assert!(matches!(
        ws.undo(UndoTarget::Task("nope".into()), false),
        Err(FsError::UnknownTask { .. })
    ));

    // The rest of the task is undone by LastTask; a2 is skipped.
    let report = ws.undo(UndoTarget::LastTask, false).unwrap();
    assert_eq!(report.actions, vec!["a1", "a3"]);
    assert_eq!(
        snapshot(root).keys().cloned().collect::<Vec<_>>(),
        vec!["old.txt"]
    );
}

#[test]
fn an_action_whose_result_was_reused_later_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let ws = open(root, &[]);
    let mut a1 = ws.begin("t1", "a1", &[create("draft.md")]);
    a1.write_file(&p(&ws, "draft.md"), b"v1", false).unwrap();
    let mut a2 = ws.begin("t1", "a2", &[modify("draft.md")]);
    a2.write_file(&p(&ws, "draft.md"), b"v2", true).unwrap();
    // Undoing only a1 would delete a file a2 changed since.
    let err = ws.undo(UndoTarget::Action("a1".into()), false).unwrap_err();
    assert!(
        matches!(&err, FsError::Conflict { path, reason } if path == "draft.md" && reason.contains("--action a1 --force")),
        "{err}"
    );
    assert_eq!(std::fs::read(root.join("draft.md")).unwrap(), b"v2");
    ws.undo(UndoTarget::Task("t1".into()), false).unwrap();
    assert!(!root.join("draft.md").exists());
}

#[test]
fn delete_goes_to_the_trash_and_the_trash_can_be_emptied() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "a.txt", b"a");
    write(root, "dir/b.txt", b"b");
    write(root, "c.txt", b"c");
    let ws = open(root, &[]);
    let mut txn = ws.begin("t1", "a1", &[delete("a.txt"), delete("dir")]);
    txn.delete(&p(&ws, "a.txt")).unwrap();
    txn.delete(&p(&ws, "dir")).unwrap();
    let mut txn = ws.begin("t2", "a1", &[delete("c.txt")]);
    txn.delete(&p(&ws, "c.txt")).unwrap();
    assert!(!root.join("a.txt").exists() && !root.join("dir").exists());

    let trash = ws.trash_list().unwrap();
    let originals: Vec<&str> = trash.iter().map(|e| e.original.as_str()).collect();
    assert_eq!(originals, vec!["a.txt", "dir", "c.txt"]);
    assert_eq!(trash[0].task, "t1");
    assert_eq!(std::fs::read(&trash[0].trash_path).unwrap(), b"a");
    assert_eq!(
        std::fs::read(trash[1].trash_path.join("b.txt")).unwrap(),
        b"b"
    );
    assert!(
        trash[0]
            .trash_path
            .starts_with(ws.state_dir().join("trash/t1/a1"))
    );
    // Trash contents are invisible to tools.
    assert!(ws.resolve(".cowork/trash/t1/a1/a.txt").is_err());

    // Undo of t2 restores from the trash, which no longer lists it.
    ws.undo(UndoTarget::LastTask, false).unwrap();
    assert_eq!(std::fs::read(root.join("c.txt")).unwrap(), b"c");
    assert_eq!(ws.trash_list().unwrap().len(), 2);

    assert_eq!(ws.trash_empty().unwrap(), 2);
    assert!(ws.trash_list().unwrap().is_empty());
    assert!(!ws.state_dir().join("trash/t1").exists());
    // The deleted files are gone for good, and undo says so instead of pretending.
    let err = ws.undo(UndoTarget::LastTask, false).unwrap_err();
    assert!(
        matches!(&err, FsError::Conflict { reason, .. } if reason.contains("trash was emptied")),
        "{err}"
    );
    let report = ws.undo(UndoTarget::LastTask, true).unwrap();
    assert!(report.restored.is_empty());
    assert!(!root.join("a.txt").exists());
}

#[test]
fn the_same_path_deleted_twice_gets_two_trash_slots() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "x.txt", b"first");
    let ws = open(root, &[]);
    let mut txn = ws.begin("t1", "a1", &[delete("x.txt"), create("x.txt")]);
    txn.delete(&p(&ws, "x.txt")).unwrap();
    txn.write_file(&p(&ws, "x.txt"), b"second", false).unwrap();
    txn.delete(&p(&ws, "x.txt")).unwrap();
    let trash = ws.trash_list().unwrap();
    assert_eq!(trash.len(), 2);
    assert_ne!(trash[0].trash_path, trash[1].trash_path);
    ws.undo(UndoTarget::LastTask, false).unwrap();
    assert_eq!(std::fs::read(root.join("x.txt")).unwrap(), b"first");
    assert!(ws.trash_list().unwrap().is_empty());
}

#[test]
fn move_across_two_roots_and_undo() {
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("main");
    let docs = tmp.path().join("docs");
    write(&main, "report.md", b"report");
    write(&main, "folder/inner.txt", b"inner");
    write(&docs, "existing.txt", b"e");
    let ws = Workspace::open(vec![spec("main", &main), spec("docs", &docs)], &[]).unwrap();
    let before_main = snapshot(&main);
    let before_docs = snapshot(&docs);

    let mut txn = ws.begin(
        "t1",
        "a1",
        &[
            mv("report.md", "@docs/in/report.md"),
            mv("folder", "@docs/folder"),
            mv("@docs/existing.txt", "existing.txt"),
            delete("@docs/folder/inner.txt"),
        ],
    );
    txn.move_path(&p(&ws, "report.md"), &p(&ws, "@docs/in/report.md"))
        .unwrap();
    txn.move_path(&p(&ws, "folder"), &p(&ws, "@docs/folder"))
        .unwrap();
    txn.move_path(&p(&ws, "@docs/existing.txt"), &p(&ws, "existing.txt"))
        .unwrap();
    txn.delete(&p(&ws, "@docs/folder/inner.txt")).unwrap();
    assert!(matches!(
        txn.move_path(&p(&ws, "existing.txt"), &p(&ws, "@docs/in/report.md")),
        Err(FsError::UndeclaredEffect { .. })
    ));
    assert_eq!(std::fs::read(docs.join("in/report.md")).unwrap(), b"report");
    assert!(docs.join("folder").is_dir() && !main.join("folder").exists());
    let trash = ws.trash_list().unwrap();
    assert_eq!(trash[0].original, "@docs/folder/inner.txt");
    assert!(
        trash[0]
            .trash_path
            .starts_with(ws.state_dir().join("trash/t1/a1/@docs"))
    );
    // No state dir appears in the second root.
    assert!(!docs.join(".cowork").exists());

    let report = ws.undo(UndoTarget::LastTask, false).unwrap();
    assert!(report.restored.contains(&"report.md".to_string()));
    assert_eq!(snapshot(&main), before_main);
    assert_eq!(snapshot(&docs), before_docs);
}

#[test]
fn moves_refuse_to_overwrite_and_to_nest() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "a.txt", b"a");
    write(root, "b.txt", b"b");
    write(root, "d/x.txt", b"x");
    let ws = open(root, &[]);
    let mut txn = ws.begin(
        "t1",
        "a1",
        &[
            mv("a.txt", "b.txt"),
            mv("d", "d/sub/d"),
            mv("nope", "z"),
            create("a.txt"),
        ],
    );
    assert!(matches!(
        txn.move_path(&p(&ws, "a.txt"), &p(&ws, "b.txt")),
        Err(FsError::AlreadyExists { .. })
    ));
    assert!(matches!(
        txn.move_path(&p(&ws, "d"), &p(&ws, "d/sub/d")),
        Err(FsError::InvalidPath { .. })
    ));
    assert!(matches!(
        txn.move_path(&p(&ws, "nope"), &p(&ws, "z")),
        Err(FsError::NotFound { .. })
    ));
    let err = txn.write_file(&p(&ws, "a.txt"), b"new", false).unwrap_err();
    assert!(matches!(err, FsError::AlreadyExists { .. }));
    assert!(err.to_string().contains("overwrite"));
    assert_eq!(std::fs::read(root.join("b.txt")).unwrap(), b"b");
    assert!(!root.join("d/sub").exists());
}

#[test]
fn overwrite_keeps_a_backup_and_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "run.sh", b"echo old");
    std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o750)).unwrap();
    let ws = open(root, &[]);
    let mut txn = ws.begin("t1", "a1", &[modify("run.sh")]);
    txn.write_file(&p(&ws, "run.sh"), b"echo new", true)
        .unwrap();
    let before = match &txn.ops()[0] {
        JournalOp::Modified { before, .. } => before.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        std::fs::read(ws.state_dir().join("backups").join(&before)).unwrap(),
        b"echo old"
    );
    assert_eq!(
        std::fs::metadata(root.join("run.sh"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o750
    );
    // No temp files are left behind.
    assert_eq!(std::fs::read_dir(root).unwrap().count(), 2);
    ws.undo(UndoTarget::LastTask, false).unwrap();
    assert_eq!(std::fs::read(root.join("run.sh")).unwrap(), b"echo old");
}
