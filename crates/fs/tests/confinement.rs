//! C1 battery: nothing outside the roots, the state dir and restricted folders can be reached.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;

use common::*;
use cowork_fs::{EntryKind, FsError, Workspace};

const SECRET: &[u8] = b"TOP SECRET outside content";

/// A workspace root and a separate "outside" folder holding a secret.
struct Fixture {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: std::path::PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
        write(&root, "notes/a.md", b"# notes");
        write(&root, "HR/Confidential/salaries.csv", b"alice,100");
        write(&root, "HR/handbook.md", b"be nice");
        Fixture {
            _tmp: tmp,
            root,
            outside,
        }
    }

    fn ws(&self) -> Workspace {
        open(&self.root, &["HR/Confidential", "Finance/R\u{e9}serve"])
    }

    /// The outside folder holds exactly the secret, unchanged.
    fn assert_outside_untouched(&self) {
        let names: Vec<String> = std::fs::read_dir(&self.outside)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["secret.txt".to_string()],
            "outside folder gained or lost entries"
        );
        assert_eq!(
            std::fs::read(self.outside.join("secret.txt")).unwrap(),
            SECRET
        );
    }
}

fn no_secret(err: &FsError) {
    assert!(
        !err.to_string().contains("TOP SECRET"),
        "error leaks content: {err}"
    );
}

#[test]
fn dotdot_and_absolute_paths_are_refused() {
    let f = Fixture::new();
    let ws = f.ws();
    for bad in [
        "..",
        "../outside/secret.txt",
        "notes/../../outside",
        "./a/b/../../../x",
    ] {
        assert!(
            matches!(ws.resolve(bad), Err(FsError::Outside { .. })),
            "{bad} was accepted"
        );
    }
    assert_eq!(
        ws.resolve("notes/../notes/./a.md").unwrap().rel(),
        "notes/a.md"
    );
    assert!(matches!(
        ws.resolve("/etc/passwd"),
        Err(FsError::Outside { .. })
    ));
    let inside = f.root.canonicalize().unwrap().join("notes/a.md");
    let err = ws.resolve(inside.to_str().unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("`notes/a.md`"),
        "no hint for an absolute path inside: {err}"
    );
    assert!(matches!(
        ws.resolve("a\0b"),
        Err(FsError::InvalidPath { .. })
    ));
    assert!(matches!(
        ws.resolve("@unknown/x"),
        Err(FsError::UnknownRoot { .. })
    ));
    assert!(matches!(
        ws.resolve("@unknown"),
        Err(FsError::UnknownRoot { .. })
    ));
}

#[test]
fn symlink_to_an_outside_file_is_neither_read_nor_written() {
    let f = Fixture::new();
    symlink(f.outside.join("secret.txt"), f.root.join("leak.txt")).unwrap();
    let ws = f.ws();
    let leak = p(&ws, "leak.txt");
    for err in [
        ws.read(&leak, 1 << 20).unwrap_err(),
        ws.read_range(&leak, 0, 10).unwrap_err(),
        ws.hash_file(&leak).unwrap_err(),
    ] {
        assert!(matches!(err, FsError::SymlinkEscape { .. }), "{err}");
        no_secret(&err);
    }
    // metadata does not follow the final link.
    assert_eq!(
        ws.metadata(&leak).unwrap().unwrap().kind,
        EntryKind::Symlink
    );

    let mut txn = ws.begin("t1", "a1", &[modify("leak.txt"), create("leak.txt")]);
    let err = txn.write_file(&leak, b"overwritten", true).unwrap_err();
    assert!(matches!(err, FsError::SymlinkRefused { .. }), "{err}");
    assert!(err.to_string().contains("leak.txt"));
    let err = txn.write_file(&leak, b"overwritten", false).unwrap_err();
    assert!(matches!(err, FsError::SymlinkRefused { .. }), "{err}");
    f.assert_outside_untouched();
}

#[test]
fn symlink_to_an_outside_dir_is_not_listed_read_or_written() {
    let f = Fixture::new();
    symlink(&f.outside, f.root.join("outdir")).unwrap();
    let ws = f.ws();
    let outdir = p(&ws, "outdir");
    let inner = p(&ws, "outdir/secret.txt");
    let err = ws.read(&inner, 1 << 20).unwrap_err();
    assert!(matches!(err, FsError::SymlinkEscape { .. }), "{err}");
    no_secret(&err);
    assert!(matches!(
        ws.list(&outdir, false, None, 100),
        Err(FsError::SymlinkEscape { .. })
    ));
    assert!(matches!(
        ws.walk_files(&outdir, None, 100),
        Err(FsError::SymlinkEscape { .. })
    ));
    assert!(matches!(
        ws.metadata(&inner),
        Err(FsError::SymlinkEscape { .. })
    ));

    let (all, truncated) = ws.list(&p(&ws, "."), true, None, 1000).unwrap();
    assert!(!truncated);
    let shown: Vec<&str> = all.iter().map(|e| e.display.as_str()).collect();
    assert!(shown.contains(&"outdir"));
    assert!(
        !shown.iter().any(|s| s.starts_with("outdir/")),
        "walked into an outside link: {shown:?}"
    );
    assert!(
        all.iter()
            .any(|e| e.display == "outdir" && e.kind == EntryKind::Symlink)
    );
    let files = ws.walk_files(&p(&ws, "."), None, 1000).unwrap();
    assert!(
        files.iter().all(|f| !f.rel().starts_with("outdir")),
        "{files:?}"
    );

    let mut txn = ws.begin(
        "t1",
        "a1",
        &[create("outdir/new.txt"), create("outdir/sub")],
    );
    let err = txn
        .write_file(&p(&ws, "outdir/new.txt"), b"x", false)
        .unwrap_err();
    assert!(matches!(err, FsError::SymlinkRefused { .. }), "{err}");
    let err = txn.make_dir(&p(&ws, "outdir/sub")).unwrap_err();
    assert!(matches!(err, FsError::SymlinkRefused { .. }), "{err}");
    f.assert_outside_untouched();
}

#[test]
fn symlinks_inside_the_root_may_be_read_but_not_into_hidden_folders() {
    let f = Fixture::new();
    symlink("notes/a.md", f.root.join("alias.md")).unwrap();
    symlink("notes", f.root.join("notes-link")).unwrap();
    symlink("HR/Confidential/salaries.csv", f.root.join("peek.csv")).unwrap();
    symlink("Confidential", f.root.join("HR/conf-link")).unwrap();
    let ws = f.ws();
    assert_eq!(ws.read(&p(&ws, "alias.md"), 100).unwrap(), b"# notes");
    assert_eq!(
        ws.read(&p(&ws, "notes-link/a.md"), 100).unwrap(),
        b"# notes"
    );
    let (entries, _) = ws.list(&p(&ws, "notes-link"), false, None, 10).unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.display.as_str())
            .collect::<Vec<_>>(),
        vec!["notes-link/a.md"]
    );

    for link in ["peek.csv", "HR/conf-link/salaries.csv"] {
        let err = ws.read(&p(&ws, link), 100).unwrap_err();
        assert!(
            matches!(err, FsError::SymlinkEscape { .. }),
            "{link}: {err}"
        );
        assert!(!err.to_string().contains("alice"));
    }
    assert!(ws.list(&p(&ws, "HR/conf-link"), false, None, 10).is_err());
    symlink(".cowork", f.root.join("state-link")).unwrap();
    assert!(matches!(
        ws.read(&p(&ws, "state-link/journal.jsonl"), 1 << 20),
        Err(FsError::SymlinkEscape { .. } | FsError::NotFound { .. })
    ));
    assert!(matches!(
        ws.list(&p(&ws, "state-link"), false, None, 10),
        Err(FsError::SymlinkEscape { .. })
    ));
    // Writing through an inside link is refused too: writes never follow links.
    let mut txn = ws.begin("t1", "a1", &[create("state-link/x"), modify("alias.md")]);
    assert!(matches!(
        txn.write_file(&p(&ws, "state-link/x"), b"x", false),
        Err(FsError::SymlinkRefused { .. })
    ));
    assert!(matches!(
        txn.write_file(&p(&ws, "alias.md"), b"x", true),
        Err(FsError::SymlinkRefused { .. })
    ));
    assert_eq!(
        std::fs::read(f.root.join("notes/a.md")).unwrap(),
        b"# notes"
    );
}

#[test]
fn a_symlink_swapped_in_after_resolve_fails_and_touches_nothing_outside() {
    let f = Fixture::new();
    write(&f.root, "sub/secret.txt", b"inside version");
    let ws = f.ws();
    let target = p(&ws, "sub/secret.txt");
    let mut txn = ws.begin(
        "t1",
        "a1",
        &[
            modify("sub/secret.txt"),
            delete("sub/secret.txt"),
            mv("sub/secret.txt", "moved.txt"),
            create("sub/new.txt"),
        ],
    );
    // Swap the parent folder for a link to outside after resolving.
    std::fs::rename(f.root.join("sub"), f.root.join("sub-old")).unwrap();
    symlink(&f.outside, f.root.join("sub")).unwrap();

    let err = ws.read(&target, 1 << 20).unwrap_err();
    no_secret(&err);
    assert!(ws.read_range(&target, 0, 100).is_err());
    assert!(ws.hash_file(&target).is_err());
    assert!(matches!(
        txn.write_file(&target, b"pwned", true),
        Err(FsError::SymlinkRefused { .. })
    ));
    assert!(matches!(
        txn.write_file(&p(&ws, "sub/new.txt"), b"pwned", false),
        Err(FsError::SymlinkRefused { .. })
    ));
    assert!(txn.delete(&target).is_err());
    assert!(txn.move_path(&target, &p(&ws, "moved.txt")).is_err());
    assert!(!f.root.join("moved.txt").exists());
    assert!(txn.ops().is_empty());
    f.assert_outside_untouched();
}

#[test]
fn hard_links_are_refused_for_read_and_write() {
    let f = Fixture::new();
    std::fs::hard_link(f.outside.join("secret.txt"), f.root.join("hl.txt")).unwrap();
    let ws = f.ws();
    let hl = p(&ws, "hl.txt");
    let err = ws.read(&hl, 1 << 20).unwrap_err();
    assert!(matches!(err, FsError::HardLink { links: 2, .. }), "{err}");
    assert!(err.to_string().contains("copy"), "no advice: {err}");
    no_secret(&err);
    assert!(matches!(
        ws.read_range(&hl, 0, 5),
        Err(FsError::HardLink { .. })
    ));
    assert!(matches!(ws.hash_file(&hl), Err(FsError::HardLink { .. })));
    let mut txn = ws.begin("t1", "a1", &[modify("hl.txt")]);
    assert!(matches!(
        txn.write_file(&hl, b"pwned", true),
        Err(FsError::HardLink { .. })
    ));
    f.assert_outside_untouched();
}

#[test]
fn restricted_folder_variants_are_all_refused() {
    let f = Fixture::new();
    let ws = f.ws();
    for variant in [
        "HR/Confidential",
        "hr/confidential",
        "HR/Confidential/",
        "./HR//Confidential/x",
        "HR/CONFIDENTIAL/salaries.csv",
        "HR/x/../Confidential",
        "Finance/R\u{e9}serve/a.txt",
        "finance/RE\u{301}SERVE",
        "finance/re\u{301}serve/deep/er",
    ] {
        match ws.resolve(variant) {
            Err(FsError::Restricted { folder, .. }) => assert!(!folder.is_empty()),
            other => panic!("{variant:?} was not refused as restricted: {other:?}"),
        }
    }
    assert!(ws.resolve("HR").is_ok());
    assert!(ws.resolve("HR/Confidentials").is_ok());
    assert!(ws.resolve("HR/handbook.md").is_ok());
}

#[test]
fn restricted_entries_given_decomposed_or_absolute_match_too() {
    let f = Fixture::new();
    let abs = f.root.join("Legal");
    let ws = Workspace::open(
        vec![spec("main", &f.root)],
        &[
            "Payroll/Ge\u{301}ne\u{301}ral".to_string(),
            abs.to_string_lossy().into_owned(),
        ],
    )
    .unwrap();
    assert!(matches!(
        ws.resolve("payroll/G\u{e9}n\u{e9}ral/x"),
        Err(FsError::Restricted { .. })
    ));
    assert!(matches!(
        ws.resolve("legal/contract.pdf"),
        Err(FsError::Restricted { .. })
    ));
}

#[test]
fn state_dir_variants_are_refused() {
    let f = Fixture::new();
    let ws = f.ws();
    assert!(f.root.join(".cowork/.gitignore").exists());
    assert_eq!(
        std::fs::read_to_string(f.root.join(".cowork/.gitignore"))
            .unwrap()
            .trim(),
        "*"
    );
    for variant in [
        ".cowork",
        ".cowork/",
        "./.cowork/journal.jsonl",
        ".COWORK/trash",
        "notes/../.Cowork",
        ".//.cowork//x",
    ] {
        assert!(
            matches!(ws.resolve(variant), Err(FsError::StateDir { .. })),
            "{variant:?} accepted"
        );
    }
    // A `.cowork` deeper down is an ordinary folder.
    assert!(ws.resolve("notes/.cowork").is_ok());
}

#[test]
fn hidden_folders_are_absent_from_list_and_walk() {
    let f = Fixture::new();
    // A case variant that is a separate folder on a case-sensitive filesystem is hidden too.
    write(&f.root, "hr/confidential/bonus.csv", b"bob,5");
    write(&f.root, "Finance/Re\u{301}serve/plan.txt", b"plan");
    write(&f.root, "Finance/open.txt", b"open");
    let ws = f.ws();
    let (all, _) = ws.list(&p(&ws, "."), true, None, 1000).unwrap();
    let shown: Vec<String> = all.iter().map(|e| e.display.clone()).collect();
    for hidden in ["HR/Confidential", "hr/confidential", ".cowork"] {
        assert!(
            !shown
                .iter()
                .any(|s| s == hidden || s.starts_with(&format!("{hidden}/"))),
            "{hidden} listed: {shown:?}"
        );
    }
    assert!(!shown.iter().any(|s| s.contains("serve")), "{shown:?}");
    assert!(shown.contains(&"HR/handbook.md".to_string()));
    assert!(shown.contains(&"Finance/open.txt".to_string()));
    let (flat, _) = ws.list(&p(&ws, "HR"), false, None, 100).unwrap();
    assert_eq!(
        flat.iter().map(|e| e.display.as_str()).collect::<Vec<_>>(),
        vec!["HR/handbook.md"]
    );

    let files: Vec<String> = ws
        .walk_files(&p(&ws, "."), None, 1000)
        .unwrap()
        .iter()
        .map(|w| ws.display(w))
        .collect();
    assert!(files.contains(&"HR/handbook.md".to_string()));
    assert!(
        !files.iter().any(|s| s.contains("salaries")
            || s.contains("bonus")
            || s.contains("plan")
            || s.contains(".cowork")),
        "{files:?}"
    );
    let md: Vec<String> = ws
        .walk_files(&p(&ws, "."), Some("*.md"), 1000)
        .unwrap()
        .iter()
        .map(|w| ws.display(w))
        .collect();
    assert_eq!(md, vec!["HR/handbook.md", "notes/a.md"]);
}

#[test]
fn listing_is_sorted_globbed_and_capped() {
    let f = Fixture::new();
    write(&f.root, "b.txt", b"1");
    write(&f.root, "a-b/x.txt", b"2");
    write(&f.root, "a/y.md", b"3");
    std::fs::write(f.root.join(".gitignore"), "ignored.log\n").unwrap();
    write(&f.root, "ignored.log", b"4");
    let ws = f.ws();
    let (entries, truncated) = ws.list(&p(&ws, "."), true, Some("*.txt"), 100).unwrap();
    assert!(!truncated);
    let shown: Vec<&str> = entries.iter().map(|e| e.display.as_str()).collect();
    assert_eq!(shown, vec!["a-b/x.txt", "b.txt"]);
    let (_, truncated) = ws.list(&p(&ws, "."), true, None, 3).unwrap();
    assert!(truncated);
    // Listing is not search: ignored files are listed, but the search walk skips them.
    let (entries, _) = ws.list(&p(&ws, "."), false, None, 100).unwrap();
    assert!(entries.iter().any(|e| e.display == "ignored.log"));
    let files = ws.walk_files(&p(&ws, "."), None, 100).unwrap();
    assert!(!files.iter().any(|w| w.rel() == "ignored.log"));
    assert!(matches!(
        ws.list(&p(&ws, "b.txt"), false, None, 10),
        Err(FsError::NotADirectory { .. })
    ));
    assert!(matches!(
        ws.list(&p(&ws, "."), false, Some("[bad"), 10),
        Err(FsError::InvalidGlob { .. })
    ));
}

#[test]
fn reads_cap_their_size() {
    let f = Fixture::new();
    write(&f.root, "big.txt", &[b'x'; 1000]);
    let ws = f.ws();
    let big = p(&ws, "big.txt");
    assert!(matches!(
        ws.read(&big, 999),
        Err(FsError::FileTooLarge { size: 1000, .. })
    ));
    assert_eq!(ws.read(&big, 1000).unwrap().len(), 1000);
    assert_eq!(ws.read_range(&big, 990, 100).unwrap().len(), 10);
    assert!(matches!(
        ws.read(&p(&ws, "missing.txt"), 10),
        Err(FsError::NotFound { .. })
    ));
    assert!(matches!(
        ws.read(&p(&ws, "notes"), 10),
        Err(FsError::NotAFile { .. })
    ));
    assert!(ws.metadata(&p(&ws, "missing/deeper")).unwrap().is_none());
    assert_eq!(ws.hash_file(&p(&ws, "missing.txt")).unwrap(), None);
    assert_eq!(
        ws.hash_file(&big).unwrap().unwrap(),
        blake3::hash(&[b'x'; 1000]).to_hex().to_string()
    );
}

#[test]
fn writes_are_limited_to_declared_effects_and_visible_paths() {
    let f = Fixture::new();
    let ws = f.ws();
    let mut txn = ws.begin(
        "t1",
        "a1",
        &[create("allowed.txt"), create(".cowork/evil"), delete("HR")],
    );
    let err = txn
        .write_file(&p(&ws, "other.txt"), b"x", false)
        .unwrap_err();
    assert!(matches!(err, FsError::UndeclaredEffect { .. }), "{err}");
    assert!(!f.root.join("other.txt").exists());
    assert!(matches!(
        txn.delete(&p(&ws, "notes/a.md")),
        Err(FsError::UndeclaredEffect { .. })
    ));
    // Deleting a folder that contains a restricted folder would carry it away.
    assert!(matches!(
        txn.delete(&p(&ws, "HR")),
        Err(FsError::Restricted { .. })
    ));
    txn.write_file(&p(&ws, "allowed.txt"), b"ok", false)
        .unwrap();
    assert_eq!(txn.bytes_written(), 2);
    assert!(f.root.join("HR/Confidential/salaries.csv").exists());
    let journal = std::fs::read_to_string(f.root.join(".cowork/journal.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 1);
    assert!(!f.root.join(".cowork/evil").exists());
}

#[test]
fn several_roots_are_addressed_by_name() {
    let f = Fixture::new();
    let docs = f.root.parent().unwrap().join("docs");
    write(&docs, "x.md", b"docs x");
    let ws = Workspace::open(
        vec![spec("main", &f.root), spec("docs", &docs)],
        &["HR/Confidential".into()],
    )
    .unwrap();
    let x = p(&ws, "@docs/x.md");
    assert_eq!(x.root(), 1);
    assert_eq!(ws.display(&x), "@docs/x.md");
    assert_eq!(ws.display(&p(&ws, "@docs")), "@docs");
    assert_eq!(ws.display(&p(&ws, ".")), ".");
    assert_eq!(ws.display(&p(&ws, "./@odd")), "./@odd");
    assert_eq!(ws.read(&x, 100).unwrap(), b"docs x");
    assert!(ws.roots()[0].default && !ws.roots()[1].default);
    assert!(matches!(
        ws.resolve("@docs/../x"),
        Err(FsError::Outside { .. })
    ));
    assert!(matches!(
        ws.resolve("@docs/hr/confidential"),
        Err(FsError::Restricted { .. })
    ));
    // `.cowork` is only hidden where it is the state dir.
    assert!(ws.resolve("@docs/.cowork").is_ok());
    assert!(!docs.join(".cowork").exists());

    let dup = Workspace::open(vec![spec("a", &f.root), spec("a", &docs)], &[]);
    assert!(matches!(dup, Err(FsError::DuplicateRoot { .. })));
    let missing = Workspace::open(vec![spec("a", Path::new("/definitely/not/here"))], &[]);
    assert!(matches!(missing, Err(FsError::Root { .. })));
    let file_root = Workspace::open(vec![spec("a", &f.outside.join("secret.txt"))], &[]);
    assert!(matches!(file_root, Err(FsError::Root { .. })));
}

#[test]
fn a_nested_root_cannot_reach_the_state_dir_or_restricted_folders() {
    let f = Fixture::new();
    let hr = f.root.join("HR");
    let parent = f.root.parent().unwrap().to_path_buf();
    let ws = Workspace::open(
        vec![spec("main", &f.root), spec("hr", &hr), spec("all", &parent)],
        &["HR/Confidential".into()],
    )
    .unwrap();
    assert!(matches!(
        ws.resolve("@hr/Confidential/salaries.csv"),
        Err(FsError::Restricted { .. })
    ));
    assert!(matches!(
        ws.resolve("@all/root/.cowork/journal.jsonl"),
        Err(FsError::StateDir { .. })
    ));
    assert!(matches!(
        ws.resolve("@all/root/hr/confidential"),
        Err(FsError::Restricted { .. })
    ));
    // A root inside a restricted folder is refused outright.
    let inner = Workspace::open(
        vec![spec("c", &f.root.join("HR/Confidential"))],
        &[f.root
            .join("HR/Confidential")
            .to_string_lossy()
            .into_owned()],
    );
    assert!(matches!(inner, Err(FsError::Root { .. })));
}
