//! write_file, edit_file, move_path, make_dir and delete_path against a real temporary workspace.

mod common;

use common::{Env, err_text};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use serde_json::json;

#[test]
fn write_file_creates_with_a_text_preview() {
    let env = Env::new();
    let content = "# Summary\n\nAll good.\n";
    let prepared = env
        .prepare(
            "write_file",
            json!({"path": "summary.md", "content": content}),
        )
        .unwrap();
    assert_eq!(prepared.kind, ActionKind::FileWrite);
    assert_eq!(
        prepared.effects,
        vec![Effect::Create {
            path: "summary.md".into(),
            bytes: 21
        }]
    );
    assert_eq!(prepared.description, "create summary.md");
    assert_eq!(
        prepared.consequence,
        "creates summary.md (21 B); reversible: undo removes it"
    );
    assert_eq!(
        prepared.preview,
        Preview::Text {
            text: content.into(),
            truncated: false
        }
    );

    let (_, out) = env
        .run(
            "write_file",
            json!({"path": "summary.md", "content": content}),
        )
        .unwrap();
    assert_eq!(env.get("summary.md"), content);
    assert_eq!(
        out.changes,
        vec![("summary.md".to_string(), OutputChange::Created)]
    );
    assert_eq!(out.provenance, Provenance::Trusted);
}

#[test]
fn write_file_into_a_new_folder_says_so() {
    let env = Env::new();
    let prepared = env
        .prepare(
            "write_file",
            json!({"path": "reports/q1/x.txt", "content": "x"}),
        )
        .unwrap();
    assert!(
        prepared.consequence.contains("in a new folder reports"),
        "{}",
        prepared.consequence
    );
    env.run(
        "write_file",
        json!({"path": "reports/q1/x.txt", "content": "x"}),
    )
    .unwrap();
    assert_eq!(env.get("reports/q1/x.txt"), "x");
}

#[test]
fn write_file_refuses_overwrite_by_default() {
    let env = Env::new();
    env.put("report.md", "mine\n");
    let err = err_text(env.prepare("write_file", json!({"path": "report.md", "content": "new"})));
    assert!(err.contains("`report.md` already exists"), "{err}");
    assert!(
        err.contains("overwrite: true") && err.contains("edit_file"),
        "{err}"
    );
    // Even if the core skipped prepare, execute refuses and leaves the file alone.
    let allowed = [Effect::Create {
        path: "report.md".into(),
        bytes: 3,
    }];
    assert!(
        env.execute_with(
            "write_file",
            json!({"path": "report.md", "content": "new"}),
            &allowed
        )
        .is_err()
    );
    assert_eq!(env.get("report.md"), "mine\n");
}

#[test]
fn write_file_overwrite_previews_a_diff_and_modifies() {
    let env = Env::new();
    env.put("report.md", "a\nb\nc\n");
    let input = json!({"path": "report.md", "content": "a\nB\nc\n", "overwrite": true});
    let prepared = env.prepare("write_file", input.clone()).unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Modify {
            path: "report.md".into()
        }]
    );
    assert_eq!(
        prepared.consequence,
        "overwrites report.md (6 B) with 6 B; reversible: backup kept"
    );
    match &prepared.preview {
        Preview::Diff { unified } => {
            assert!(
                unified.contains("--- a/report.md") && unified.contains("-b\n+B\n"),
                "{unified}"
            )
        }
        other => panic!("{other:?}"),
    }
    let (_, out) = env.run("write_file", input).unwrap();
    assert_eq!(env.get("report.md"), "a\nB\nc\n");
    assert_eq!(
        out.changes,
        vec![("report.md".to_string(), OutputChange::Modified)]
    );
}

#[test]
fn write_file_beyond_declared_effects_fails_and_writes_nothing() {
    let env = Env::new();
    let allowed = [Effect::Create {
        path: "other.txt".into(),
        bytes: 5,
    }];
    let err = err_text(env.execute_with(
        "write_file",
        json!({"path": "x.txt", "content": "hello"}),
        &allowed,
    ));
    assert!(err.contains("did not declare"), "{err}");
    assert!(!env.exists("x.txt"));
    // No effects at all: nothing may change either.
    assert!(
        env.execute_with(
            "write_file",
            json!({"path": "x.txt", "content": "hello"}),
            &[]
        )
        .is_err()
    );
    assert!(!env.exists("x.txt"));
}

#[test]
fn write_file_refuses_state_dir_and_restricted() {
    let env = Env::with_restricted(&["HR/Confidential"]);
    for p in [
        ".cowork/grants.json",
        "HR/Confidential/x.txt",
        "../escape.txt",
        "/etc/passwd",
    ] {
        assert!(
            env.prepare("write_file", json!({"path": p, "content": "x"}))
                .is_err(),
            "{p}"
        );
    }
    assert!(!env.dir.path().join("escape.txt").exists());
}

#[test]
fn edit_file_replaces_a_unique_match_with_a_diff_preview() {
    let env = Env::new();
    env.put("notes.md", "one\ntwo\nthree\n");
    let input = json!({"path": "notes.md", "old": "two\n", "new": "TWO\n2b\n"});
    let prepared = env.prepare("edit_file", input.clone()).unwrap();
    assert_eq!(prepared.kind, ActionKind::FileWrite);
    assert_eq!(
        prepared.effects,
        vec![Effect::Modify {
            path: "notes.md".into()
        }]
    );
    assert_eq!(prepared.description, "edit notes.md");
    assert_eq!(
        prepared.consequence,
        "edits notes.md (14 B): 1 line removed, 2 added; reversible: backup kept"
    );
    match &prepared.preview {
        Preview::Diff { unified } => assert!(
            unified.contains(" one\n-two\n+TWO\n+2b\n three\n"),
            "{unified}"
        ),
        other => panic!("{other:?}"),
    }
    let (_, out) = env.run("edit_file", input).unwrap();
    assert_eq!(env.get("notes.md"), "one\nTWO\n2b\nthree\n");
    assert_eq!(
        out.changes,
        vec![("notes.md".to_string(), OutputChange::Modified)]
    );
}

#[test]
fn edit_file_match_errors_tell_what_to_do() {
    let env = Env::new();
    env.put("notes.md", "x = 1\ny = 2\nx = 1\nx = 1\n");
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "notes.md", "old": "x = 1", "new": "x = 3"}),
    ));
    assert!(
        err.contains("`old` occurs 3 times in notes.md (lines 1, 3, 4); include more"),
        "{err}"
    );
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "notes.md", "old": "z = 9", "new": "z"}),
    ));
    assert!(err.contains("`old` was not found in notes.md"), "{err}");
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "notes.md", "old": "Y = 2", "new": "z"}),
    ));
    assert!(err.contains("upper/lower case"), "{err}");
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "notes.md", "old": "", "new": "z"}),
    ));
    assert!(err.contains("`old` is empty"), "{err}");
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "notes.md", "old": "y = 2", "new": "y = 2"}),
    ));
    assert!(err.contains("nothing would change"), "{err}");
    // Nothing changed on any error.
    assert_eq!(env.get("notes.md"), "x = 1\ny = 2\nx = 1\nx = 1\n");

    // replace_all is the explicit way to change every occurrence.
    env.run(
        "edit_file",
        json!({"path": "notes.md", "old": "x = 1", "new": "x = 3", "replace_all": true}),
    )
    .unwrap();
    assert_eq!(env.get("notes.md"), "x = 3\ny = 2\nx = 3\nx = 3\n");
}

#[test]
fn edit_file_keeps_crlf_and_bom_and_refuses_non_utf8() {
    let env = Env::new();
    env.put("win.txt", "\u{feff}a\r\nb\r\nc\r\n");
    env.run(
        "edit_file",
        json!({"path": "win.txt", "old": "a\nb\n", "new": "A\nB\n"}),
    )
    .unwrap();
    assert_eq!(env.get("win.txt"), "\u{feff}A\r\nB\r\nc\r\n");
    env.put("latin.txt", b"caf\xe9\n");
    let err = err_text(env.prepare(
        "edit_file",
        json!({"path": "latin.txt", "old": "caf", "new": "x"}),
    ));
    assert!(err.contains("not UTF-8 text"), "{err}");
}

#[test]
fn move_path_moves_renames_and_never_replaces() {
    let env = Env::new();
    env.put("old.txt", "four");
    env.put("taken.txt", "keep");
    env.mkdir("Archive");

    let prepared = env
        .prepare("move_path", json!({"from": "old.txt", "to": "Archive"}))
        .unwrap();
    assert_eq!(prepared.kind, ActionKind::FileMove);
    assert_eq!(
        prepared.effects,
        vec![Effect::Move {
            from: "old.txt".into(),
            to: "Archive/old.txt".into()
        }]
    );
    assert_eq!(
        prepared.consequence,
        "moves old.txt (4 B) to Archive/old.txt; reversible: undo moves it back"
    );
    assert_eq!(
        prepared.preview,
        Preview::Ops {
            ops: vec!["1. move old.txt -> Archive/old.txt".into()]
        }
    );

    let err = err_text(env.prepare("move_path", json!({"from": "old.txt", "to": "taken.txt"})));
    assert!(err.contains("`taken.txt` already exists"), "{err}");
    let err = err_text(env.prepare("move_path", json!({"from": "Archive", "to": "Archive/sub"})));
    assert!(err.contains("into itself"), "{err}");
    let err = err_text(env.prepare("move_path", json!({"from": "nope.txt", "to": "x.txt"})));
    assert!(err.contains("no such file or folder `nope.txt`"), "{err}");

    let (_, out) = env
        .run("move_path", json!({"from": "old.txt", "to": "Archive"}))
        .unwrap();
    assert!(!env.exists("old.txt"));
    assert_eq!(env.get("Archive/old.txt"), "four");
    assert_eq!(
        out.changes,
        vec![("Archive/old.txt".to_string(), OutputChange::Moved)]
    );
    assert_eq!(env.get("taken.txt"), "keep");
}

#[test]
fn move_path_creates_a_missing_target_folder_as_a_declared_effect() {
    let env = Env::new();
    env.put("a.txt", "a");
    let input = json!({"from": "a.txt", "to": "new/deep/a.txt"});
    let prepared = env.prepare("move_path", input.clone()).unwrap();
    assert_eq!(
        prepared.effects,
        vec![
            Effect::Create {
                path: "new/deep".into(),
                bytes: 0
            },
            Effect::Move {
                from: "a.txt".into(),
                to: "new/deep/a.txt".into()
            },
        ]
    );
    env.run("move_path", input).unwrap();
    assert_eq!(env.get("new/deep/a.txt"), "a");
}

#[test]
fn move_path_beyond_declared_effects_fails() {
    let env = Env::new();
    env.put("a.txt", "a");
    let allowed = [Effect::Move {
        from: "a.txt".into(),
        to: "b.txt".into(),
    }];
    assert!(
        env.execute_with(
            "move_path",
            json!({"from": "a.txt", "to": "c.txt"}),
            &allowed
        )
        .is_err()
    );
    assert!(env.exists("a.txt") && !env.exists("c.txt"));
}

#[test]
fn make_dir_creates_and_is_idempotent() {
    let env = Env::new();
    let prepared = env
        .prepare("make_dir", json!({"path": "Archive/2026"}))
        .unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Create {
            path: "Archive/2026".into(),
            bytes: 0
        }]
    );
    assert_eq!(
        prepared.consequence,
        "creates the folder Archive/2026; reversible: undo removes it"
    );
    assert_eq!(
        prepared.preview,
        Preview::Ops {
            ops: vec!["1. mkdir Archive/2026".into()]
        }
    );
    let (_, out) = env
        .run("make_dir", json!({"path": "Archive/2026"}))
        .unwrap();
    assert!(env.path("Archive/2026").is_dir());
    assert_eq!(
        out.changes,
        vec![("Archive/2026".to_string(), OutputChange::Created)]
    );

    let (prepared, out) = env.run("make_dir", json!({"path": "Archive"})).unwrap();
    assert!(
        prepared.consequence.contains("already exists"),
        "{}",
        prepared.consequence
    );
    assert!(out.changes.is_empty());

    env.put("file.txt", "f");
    let err = err_text(env.prepare("make_dir", json!({"path": "file.txt"})));
    assert!(err.contains("already exists as a file"), "{err}");
}

#[test]
fn delete_path_moves_to_trash() {
    let env = Env::new();
    env.put("old.txt", "four");
    env.put("olddir/a.txt", "aa");
    env.put("olddir/sub/b.txt", "bbb");

    let prepared = env
        .prepare("delete_path", json!({"path": "old.txt"}))
        .unwrap();
    assert_eq!(prepared.kind, ActionKind::FileDelete);
    assert_eq!(
        prepared.effects,
        vec![Effect::Delete {
            path: "old.txt".into()
        }]
    );
    assert_eq!(
        prepared.consequence,
        "moves old.txt (4 B) to the trash; reversible: restore with cowork undo"
    );
    assert_eq!(
        prepared.preview,
        Preview::Ops {
            ops: vec!["1. delete old.txt (to trash)".into()]
        }
    );

    let prepared = env
        .prepare("delete_path", json!({"path": "olddir"}))
        .unwrap();
    assert!(
        prepared
            .consequence
            .contains("the folder olddir with 2 files (5 B)"),
        "{}",
        prepared.consequence
    );

    let (_, out) = env.run("delete_path", json!({"path": "old.txt"})).unwrap();
    assert!(!env.exists("old.txt"));
    assert_eq!(
        out.changes,
        vec![("old.txt".to_string(), OutputChange::Deleted)]
    );
    let trash = env.ws.trash_list().unwrap();
    assert!(trash.iter().any(|t| t.original == "old.txt"), "{trash:?}");

    env.run("delete_path", json!({"path": "olddir"})).unwrap();
    assert!(!env.exists("olddir"));

    let err = err_text(env.prepare("delete_path", json!({"path": "."})));
    assert!(err.contains("root folder"), "{err}");
}

#[test]
fn delete_beyond_declared_effects_fails() {
    let env = Env::new();
    env.put("keep.txt", "k");
    let allowed = [Effect::Delete {
        path: "other.txt".into(),
    }];
    assert!(
        env.execute_with("delete_path", json!({"path": "keep.txt"}), &allowed)
            .is_err()
    );
    assert_eq!(env.get("keep.txt"), "k");
}

#[test]
fn writes_are_undoable_through_the_journal() {
    let env = Env::new();
    env.put("report.md", "v1\n");
    let before = env.tree();
    env.run(
        "write_file",
        json!({"path": "report.md", "content": "v2\n", "overwrite": true}),
    )
    .unwrap();
    env.run(
        "edit_file",
        json!({"path": "report.md", "old": "v2", "new": "v3"}),
    )
    .unwrap();
    env.run("write_file", json!({"path": "new/x.md", "content": "x"}))
        .unwrap();
    env.run("move_path", json!({"from": "new/x.md", "to": "y.md"}))
        .unwrap();
    env.run("delete_path", json!({"path": "y.md"})).unwrap();
    assert_ne!(env.tree(), before);
    env.ws.undo(cowork_fs::UndoTarget::LastTask, false).unwrap();
    assert_eq!(env.tree(), before);
}
