//! list_dir, read_file and search_files against a real temporary workspace.

mod common;

use common::{Env, err_text};
use cowork_protocol::{ActionKind, Effect, Preview, Provenance};
use serde_json::json;

#[test]
fn list_dir_prepares_a_read_and_lists_concisely() {
    let env = Env::new();
    env.put("notes/a.md", "hello");
    env.put("notes/sub/b.txt", "x".repeat(2150));
    env.put("top.txt", "t");

    let prepared = env.prepare("list_dir", json!({"path": "notes"})).unwrap();
    assert_eq!(prepared.kind, ActionKind::FileRead);
    assert_eq!(
        prepared.effects,
        vec![Effect::Read {
            path: "notes".into()
        }]
    );
    assert_eq!(prepared.preview, Preview::None);
    assert_eq!(prepared.description, "list notes");

    let (_, out) = env.run("list_dir", json!({"path": "notes"})).unwrap();
    assert!(
        matches!(out.provenance, Provenance::Untrusted { .. }),
        "file names are data"
    );
    let lines: Vec<&str> = out.content.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.content);
    assert!(
        lines[0].starts_with("file ")
            && lines[0].contains("5 B")
            && lines[0].ends_with("notes/a.md")
    );
    assert!(
        lines[1].starts_with("dir ") && lines[1].ends_with("notes/sub/"),
        "{}",
        lines[1]
    );
    // A date is shown: YYYY-MM-DD HH:MM.
    assert!(
        lines[0].contains("-") && lines[0].contains(":"),
        "{}",
        lines[0]
    );

    let (_, out) = env
        .run("list_dir", json!({"path": "notes", "recursive": true}))
        .unwrap();
    assert!(
        out.content.contains("notes/sub/b.txt") && out.content.contains("2.1 KB"),
        "{}",
        out.content
    );

    // Default path is the root; .cowork never shows.
    let (_, out) = env.run("list_dir", json!({})).unwrap();
    assert!(out.content.contains("top.txt"));
    assert!(!out.content.contains(".cowork"), "{}", out.content);
}

#[test]
fn list_dir_limits_and_reports_the_cut() {
    let env = Env::new();
    for i in 0..12 {
        env.put(&format!("d/f{i:02}.txt"), "x");
    }
    let (_, out) = env
        .run("list_dir", json!({"path": "d", "limit": 5}))
        .unwrap();
    assert_eq!(
        out.content
            .lines()
            .filter(|l| l.starts_with("file"))
            .count(),
        5
    );
    assert!(
        out.content.contains("stopped at 5 entries"),
        "{}",
        out.content
    );
}

#[test]
fn missing_paths_fail_early_with_a_suggestion() {
    let env = Env::new();
    env.put("notes.txt", "n");
    let err = err_text(env.prepare("read_file", json!({"path": "notes.md"})));
    assert!(
        err.contains("no such file or folder `notes.md` (did you mean `notes.txt`?)"),
        "{err}"
    );
    let err = err_text(env.prepare("list_dir", json!({"path": "nothere"})));
    assert!(err.contains("no such file or folder `nothere`"), "{err}");
    let err = err_text(env.prepare("read_file", json!({})));
    assert!(err.contains("`path` is required"), "{err}");
    let err = err_text(env.prepare("read_file", json!({"path": "notes.txt", "bogus": 1})));
    assert!(
        err.contains("`bogus` is not an input of read_file"),
        "{err}"
    );
}

#[test]
fn read_file_windows_lines_and_marks_content_untrusted() {
    let env = Env::new();
    let text: String = (1..=1000).map(|i| format!("line {i}\n")).collect();
    env.put("big.txt", &text);

    let prepared = env
        .prepare("read_file", json!({"path": "big.txt"}))
        .unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Read {
            path: "big.txt".into()
        }]
    );
    assert_eq!(prepared.consequence, "reads big.txt (8.7 KB)");
    assert_eq!(prepared.description, "read big.txt");

    let (_, out) = env.run("read_file", json!({"path": "big.txt"})).unwrap();
    assert_eq!(
        out.provenance,
        Provenance::Untrusted {
            source: "file:big.txt".into()
        }
    );
    assert!(out.content.starts_with("line 1\nline 2\n"));
    assert!(out.content.contains("line 400\n") && !out.content.contains("line 401\n"));
    assert!(
        out.content
            .ends_with("[lines 1-400 of 1000; continue with offset=401]"),
        "{}",
        out.content
    );

    let (_, out) = env
        .run(
            "read_file",
            json!({"path": "big.txt", "offset": 990, "limit": 5}),
        )
        .unwrap();
    assert_eq!(
        out.content,
        "line 990\nline 991\nline 992\nline 993\nline 994\n[lines 990-994 of 1000; continue with offset=995]"
    );
    let err = err_text(env.run("read_file", json!({"path": "big.txt", "offset": 0})));
    assert!(err.contains("starts at 1"), "{err}");
}

#[test]
fn read_file_decodes_text_and_refuses_binary() {
    let env = Env::new();
    env.put("latin.txt", b"caf\xe9\n");
    env.put("bom.txt", b"\xEF\xBB\xBFhi\n");
    env.put("u16.txt", b"\xFF\xFEh\0i\0\n\0");
    env.put("report.pdf", b"%PDF-1.7\n\x00\x01\x02\xff");
    env.put("blob", b"\x00\x01\x02\x03");
    env.mkdir("folder");

    let read = |p: &str| {
        env.run("read_file", json!({"path": p}))
            .map(|(_, o)| o.content)
    };
    assert_eq!(read("latin.txt").unwrap(), "café\n");
    assert_eq!(read("bom.txt").unwrap(), "hi\n");
    assert_eq!(read("u16.txt").unwrap(), "hi\n");
    let err = err_text(read("report.pdf"));
    assert!(
        err.contains("`report.pdf`: pdf file is damaged and cannot be read"),
        "{err}"
    );
    let err = err_text(read("blob"));
    assert!(err.contains("`blob` is not a text file"), "{err}");
    let err = err_text(env.prepare("read_file", json!({"path": "folder"})));
    assert!(err.contains("is a folder; use list_dir"), "{err}");
}

#[test]
fn read_file_caps_at_max_read_bytes() {
    let mut env = Env::new();
    env.max_read_bytes = 100;
    let text: String = (1..=50).map(|i| format!("row {i:03}\n")).collect(); // 8 bytes a line
    env.put("t.txt", &text);
    let (_, out) = env.run("read_file", json!({"path": "t.txt"})).unwrap();
    // 100 bytes hold 12 whole lines; the 13th is cut off rather than shown in part.
    assert!(out.content.starts_with("row 001\n"));
    assert!(
        out.content.contains("row 012\n") && !out.content.contains("row 013"),
        "{}",
        out.content
    );
    assert!(
        out.content.contains("larger than the read limit of 100 B"),
        "{}",
        out.content
    );
}

#[test]
fn read_file_never_reads_restricted_or_state() {
    let env = Env::with_restricted(&["HR/Confidential"]);
    env.put("HR/Confidential/salaries.txt", "secret");
    for p in [
        "HR/Confidential/salaries.txt",
        "hr/confidential/salaries.txt",
        ".cowork/journal.jsonl",
    ] {
        let err = err_text(env.run("read_file", json!({"path": p})));
        assert!(!err.contains("secret"));
        assert!(
            err.contains("restricted") || err.contains(".cowork"),
            "{p}: {err}"
        );
    }
}

#[test]
fn search_finds_lines_and_names() {
    let env = Env::new();
    env.put("notes/a.md", "alpha\nBudget 2026 draft\ngamma\n");
    env.put("notes/budget.txt", "nothing here\n");
    env.put("other.md", "budget again\n");

    let prepared = env
        .prepare("search_files", json!({"query": "budget", "path": "notes"}))
        .unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Read {
            path: "notes".into()
        }]
    );
    assert_eq!(prepared.kind, ActionKind::FileRead);

    let (_, out) = env
        .run("search_files", json!({"query": "budget", "path": "notes"}))
        .unwrap();
    assert_eq!(
        out.provenance,
        Provenance::Untrusted {
            source: "search:notes".into()
        }
    );
    assert!(
        out.content.contains("notes/a.md:2: Budget 2026 draft"),
        "{}",
        out.content
    );
    assert!(
        out.content.contains("notes/budget.txt (file name matches)"),
        "{}",
        out.content
    );
    assert!(!out.content.contains("other.md"), "{}", out.content);

    // Smart case: an uppercase letter makes the search case-sensitive.
    let (_, out) = env.run("search_files", json!({"query": "Budget"})).unwrap();
    assert!(
        out.content.contains("notes/a.md:2:") && !out.content.contains("other.md:1"),
        "{}",
        out.content
    );

    // names_only: a listing; file names are data too.
    let (_, out) = env
        .run(
            "search_files",
            json!({"query": "budget", "names_only": true}),
        )
        .unwrap();
    assert!(matches!(out.provenance, Provenance::Untrusted { .. }));
    assert!(out.content.contains("notes/budget.txt (file name matches)"));
    assert!(!out.content.contains("a.md"), "{}", out.content);

    // glob narrows the files.
    let (_, out) = env
        .run("search_files", json!({"query": "budget", "glob": "*.md"}))
        .unwrap();
    assert!(
        out.content.contains("other.md:1: budget again"),
        "{}",
        out.content
    );
    assert!(!out.content.contains("budget.txt"), "{}", out.content);
}

#[test]
fn search_handles_invalid_regex_literal_and_caps() {
    let env = Env::new();
    env.put("code.txt", "call f(x\nf(x) twice f(x\n");
    let (_, out) = env.run("search_files", json!({"query": "f(x"})).unwrap();
    assert!(
        out.content.contains("code.txt:1: call f(x"),
        "{}",
        out.content
    );
    assert!(
        out.content.contains("searched for as plain text"),
        "{}",
        out.content
    );
    let (_, out) = env
        .run("search_files", json!({"query": "f(x)", "literal": true}))
        .unwrap();
    assert!(
        out.content.contains("code.txt:2:") && !out.content.contains("code.txt:1:"),
        "{}",
        out.content
    );

    let many: String = (0..50).map(|i| format!("hit {i}\n")).collect();
    env.put("many.txt", &many);
    let (_, out) = env
        .run("search_files", json!({"query": "hit", "max_results": 10}))
        .unwrap();
    assert_eq!(
        out.content
            .lines()
            .filter(|l| l.starts_with("many.txt:"))
            .count(),
        10
    );
    assert!(
        out.content.contains("stopped at 10 matches"),
        "{}",
        out.content
    );

    let (_, out) = env
        .run("search_files", json!({"query": "zzz-nothing"}))
        .unwrap();
    assert!(
        out.content.contains("no matches for `zzz-nothing`"),
        "{}",
        out.content
    );
}

#[test]
fn search_respects_gitignore_and_never_returns_restricted_content() {
    let env = Env::with_restricted(&["HR/Confidential"]);
    env.put(".gitignore", "build/\n*.log\n");
    env.put("build/out.txt", "needle in build\n");
    env.put("app.log", "needle in log\n");
    env.put("HR/Confidential/pay.txt", "needle salary 90000\n");
    env.put("HR/public.txt", "needle public\n");
    env.put("src/main.txt", "needle main\n");
    // The journal lives in .cowork: never searched either.
    env.put(".cowork/notes.txt", "needle state\n");

    let (_, out) = env.run("search_files", json!({"query": "needle"})).unwrap();
    assert!(
        out.content.contains("src/main.txt:1: needle main"),
        "{}",
        out.content
    );
    assert!(
        out.content.contains("HR/public.txt:1: needle public"),
        "{}",
        out.content
    );
    for hidden in [
        "build/out.txt",
        "app.log",
        "90000",
        "Confidential",
        "needle state",
    ] {
        assert!(
            !out.content.contains(hidden),
            "{hidden} leaked: {}",
            out.content
        );
    }
    let err = err_text(env.prepare(
        "search_files",
        json!({"query": "needle", "path": "hr/confidential"}),
    ));
    assert!(err.contains("restricted"), "{err}");
}

#[test]
fn search_skips_files_over_the_read_limit() {
    let mut env = Env::new();
    env.max_read_bytes = 64;
    env.put("small.txt", "needle\n");
    env.put("large.txt", format!("needle\n{}", "x".repeat(200)));
    let (_, out) = env.run("search_files", json!({"query": "needle"})).unwrap();
    assert!(
        out.content.contains("small.txt:1: needle"),
        "{}",
        out.content
    );
    assert!(!out.content.contains("large.txt:1"), "{}", out.content);
    assert!(
        out.content.contains("1 file could not be searched"),
        "{}",
        out.content
    );
}

#[test]
fn links_cannot_lead_reads_or_searches_outside() {
    let env = Env::new();
    let outside = env.dir.path().join("outside.txt");
    std::fs::write(&outside, "needle outside secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, env.path("link.txt")).unwrap();
    std::fs::hard_link(&outside, env.path("hard.txt")).unwrap();
    env.put("inside.txt", "needle inside\n");

    for p in ["link.txt", "hard.txt"] {
        let err = err_text(env.run("read_file", json!({"path": p})));
        assert!(!err.contains("secret"), "{err}");
    }
    let (_, out) = env.run("search_files", json!({"query": "needle"})).unwrap();
    assert!(
        out.content.contains("inside.txt:1: needle inside"),
        "{}",
        out.content
    );
    assert!(!out.content.contains("secret"), "{}", out.content);
}

#[test]
fn other_roots_are_addressed_with_their_name() {
    let env = Env::new();
    let other = env.dir.path().join("shared");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("doc.txt"), "from shared\n").unwrap();
    let ws = cowork_fs::Workspace::open(
        vec![
            cowork_fs::RootSpec {
                name: "work".into(),
                path: env.root(),
            },
            cowork_fs::RootSpec {
                name: "shared".into(),
                path: other.clone(),
            },
        ],
        &[],
    )
    .unwrap();
    let ctx = cowork_tools::ToolContext {
        ws: ws.view(),
        max_read_bytes: 1 << 20,
    };
    let registry = cowork_tools::Registry::builtin();
    let read = registry.get("read_file").unwrap();
    let prepared = read
        .prepare(&json!({"path": "@shared/doc.txt"}), &ctx)
        .unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Read {
            path: "@shared/doc.txt".into()
        }]
    );
    let err = err_text(read.prepare(&json!({"path": "@shared/dok.txt"}), &ctx));
    assert!(err.contains("did you mean `@shared/doc.txt`?"), "{err}");

    // Move across roots, into a folder of the other root.
    std::fs::create_dir(other.join("in")).unwrap();
    env.put("mine.txt", "mine");
    let mv = registry.get("move_path").unwrap();
    let input = json!({"from": "mine.txt", "to": "@shared/in"});
    let prepared = mv.prepare(&input, &ctx).unwrap();
    assert_eq!(
        prepared.effects,
        vec![Effect::Move {
            from: "mine.txt".into(),
            to: "@shared/in/mine.txt".into()
        }]
    );
    let mut txn = ws.begin("t-roots", "a1", &prepared.effects);
    mv.execute(&input, &ctx, &mut txn).unwrap();
    drop(txn);
    assert_eq!(
        std::fs::read_to_string(other.join("in/mine.txt")).unwrap(),
        "mine"
    );
    assert!(!env.exists("mine.txt"));
}

#[test]
fn names_starting_with_at_stay_in_the_default_root() {
    // cowork-fs shows such names as `./@odd.txt` so that they resolve back to the default root.
    let env = Env::new();
    env.put("@odd.txt", "odd");
    env.mkdir("box");
    let input = json!({"ops": [{"op": "move", "from": "./@odd.txt", "to": "box"}]});
    let prepared = env.prepare("organize", input.clone()).unwrap();
    assert_eq!(
        prepared.preview,
        Preview::Ops {
            ops: vec!["1. move ./@odd.txt -> box/@odd.txt".into()]
        }
    );
    env.run("organize", input).unwrap();
    assert_eq!(env.get("box/@odd.txt"), "odd");
}
