//! organize: whole-plan validation and execution; update_plan.

mod common;

use common::{Env, err_text};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use serde_json::json;

#[test]
fn organize_previews_numbered_ops_and_runs_them_in_order() {
    let env = Env::new();
    env.put("a.txt", "a");
    env.put("b.txt", "b");
    env.put("photos/p.jpg", "p");
    let input = json!({"ops": [
        {"op": "mkdir", "path": "Archive"},
        {"op": "move", "from": "a.txt", "to": "Archive/a.txt"},
        {"op": "move", "from": "b.txt", "to": "Archive"},
        {"op": "move", "from": "photos", "to": "Archive/photos"},
    ]});
    let prepared = env.prepare("organize", input.clone()).unwrap();
    assert_eq!(prepared.kind, ActionKind::FileMove);
    assert_eq!(
        prepared.effects,
        vec![
            Effect::Create {
                path: "Archive".into(),
                bytes: 0
            },
            Effect::Move {
                from: "a.txt".into(),
                to: "Archive/a.txt".into()
            },
            Effect::Move {
                from: "b.txt".into(),
                to: "Archive/b.txt".into()
            },
            Effect::Move {
                from: "photos".into(),
                to: "Archive/photos".into()
            },
        ]
    );
    assert_eq!(
        prepared.preview,
        Preview::Ops {
            ops: vec![
                "1. mkdir Archive".into(),
                "2. move a.txt -> Archive/a.txt".into(),
                "3. move b.txt -> Archive/b.txt".into(),
                "4. move photos -> Archive/photos".into(),
            ]
        }
    );
    assert_eq!(
        prepared.consequence,
        "moves 2 files, moves 1 folder, creates 1 folder; reversible: undo moves them back"
    );

    let (_, out) = env.run("organize", input).unwrap();
    assert_eq!(out.provenance, Provenance::Trusted);
    assert_eq!(env.get("Archive/a.txt"), "a");
    assert_eq!(env.get("Archive/b.txt"), "b");
    assert_eq!(env.get("Archive/photos/p.jpg"), "p");
    assert!(!env.exists("a.txt") && !env.exists("photos"));
    assert_eq!(out.changes.len(), 4);
    assert_eq!(
        out.changes[0],
        ("Archive".to_string(), OutputChange::Created)
    );
    assert_eq!(
        out.changes[1],
        ("Archive/a.txt".to_string(), OutputChange::Moved)
    );
}

#[test]
fn later_ops_see_earlier_results() {
    let env = Env::new();
    env.put("a.txt", "a");
    env.put("dir/inner.txt", "i");
    // a -> b -> c, a folder moved then a file inside it moved out by its new path.
    let input = json!({"ops": [
        {"op": "move", "from": "a.txt", "to": "b.txt"},
        {"op": "move", "from": "b.txt", "to": "c.txt"},
        {"op": "move", "from": "dir", "to": "moved"},
        {"op": "move", "from": "moved/inner.txt", "to": "inner.txt"},
        {"op": "mkdir", "path": "x/y"},
        {"op": "move", "from": "c.txt", "to": "x/y"},
    ]});
    env.prepare("organize", input.clone()).unwrap();
    env.run("organize", input).unwrap();
    assert_eq!(env.get("x/y/c.txt"), "a");
    assert_eq!(env.get("inner.txt"), "i");
    assert!(env.path("moved").is_dir() && !env.exists("dir") && !env.exists("a.txt"));
}

#[test]
fn the_whole_plan_is_validated_before_anything_runs() {
    let env = Env::new();
    env.put("a.txt", "a");
    env.put("b.txt", "b");
    env.put("taken.txt", "t");
    let before = env.tree();
    let cases = [
        (
            json!({"ops": [{"op": "move", "from": "a.txt", "to": "Archive/a.txt"}]}),
            "op 1: the folder `Archive` does not exist at this point; add {\"op\":\"mkdir\",\"path\":\"Archive\"}",
        ),
        (
            json!({"ops": [{"op": "move", "from": "a.txt", "to": "z.txt"}, {"op": "move", "from": "nope.txt", "to": "y.txt"}]}),
            "op 2: no such file or folder `nope.txt`",
        ),
        (
            json!({"ops": [{"op": "move", "from": "a.txt", "to": "z.txt"}, {"op": "move", "from": "a.txt", "to": "y.txt"}]}),
            "op 2: `a.txt` was already moved away by an earlier op",
        ),
        (
            json!({"ops": [{"op": "move", "from": "a.txt", "to": "taken.txt"}]}),
            "op 1: `taken.txt` already exists (file)",
        ),
        (
            json!({"ops": [{"op": "move", "from": "a.txt", "to": "z.txt"}, {"op": "move", "from": "b.txt", "to": "z.txt"}]}),
            "op 2: `z.txt` is already the target of op 1",
        ),
        (
            json!({"ops": [{"op": "mkdir", "path": "a.txt/sub"}]}),
            "op 1: `a.txt` is a file, not a folder",
        ),
        (
            json!({"ops": [{"op": "copy", "from": "a.txt", "to": "c.txt"}]}),
            "unknown variant `copy`",
        ),
        (
            json!({"ops": [{"op": "move", "from": "a.txt"}]}),
            "`to` is required",
        ),
        (json!({"ops": []}), "`ops` is empty"),
        (
            json!({"ops": [{"op": "move", "from": "../x", "to": "y"}]}),
            "op 1:",
        ),
    ];
    for (input, expected) in cases {
        let err = err_text(env.prepare("organize", input.clone()));
        assert!(err.contains(expected), "expected `{expected}` in: {err}");
        // execute validates again and changes nothing either.
        assert!(env.execute_with("organize", input, &[]).is_err());
    }
    assert_eq!(env.tree(), before);
}

#[test]
fn organize_needs_every_effect_declared() {
    let env = Env::new();
    env.put("a.txt", "a");
    env.put("b.txt", "b");
    let input = json!({"ops": [
        {"op": "move", "from": "a.txt", "to": "c.txt"},
        {"op": "move", "from": "b.txt", "to": "d.txt"},
    ]});
    // Only the first move is allowed: the second fails, the error says what was done.
    let allowed = [Effect::Move {
        from: "a.txt".into(),
        to: "c.txt".into(),
    }];
    let err = err_text(env.execute_with("organize", input, &allowed));
    assert!(
        err.contains("op 2 failed") && err.contains("cowork undo"),
        "{err}"
    );
    assert!(env.exists("b.txt") && !env.exists("d.txt"));
}

#[test]
fn update_plan_has_no_effects() {
    let env = Env::new();
    let input = json!({"steps": [
        {"title": "Read the files", "status": "done"},
        {"title": "Write the summary", "status": "in_progress"},
        {"title": "Tidy up", "status": "pending"},
    ]});
    let prepared = env.prepare("update_plan", input.clone()).unwrap();
    assert_eq!(prepared.kind, ActionKind::Summarize);
    assert!(prepared.effects.is_empty());
    let steps = cowork_tools::parse_plan(&input).unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[1].title, "Write the summary");
    let (_, out) = env.run("update_plan", input).unwrap();
    assert_eq!(out.content, "plan updated");
    let err = err_text(env.prepare(
        "update_plan",
        json!({"steps": [{"title": "x", "status": "later"}]}),
    ));
    assert!(err.contains("unknown variant `later`"), "{err}");
}
