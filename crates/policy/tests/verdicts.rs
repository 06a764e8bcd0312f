//! Verdicts: every mode, the constitution, and the simple config keys.

mod common;

use VerdictDecision::{Allow, Ask, Deny};
use common::*;
use cowork_policy::{PathFacts, PolicyEngine};
use cowork_protocol::{ActionKind, ApprovalMode, Effect, Principle, VerdictDecision};

#[test]
fn every_mode_for_read_write_delete_and_egress() {
    let e = engine("", "");
    let r = read("notes/a.md");
    let w = write("out.md", 10);
    let d = delete("old.md");
    let x = egress(ActionKind::WebFetch, "https://reuters.com/world");
    use ApprovalMode::*;
    let c2 = "constitution.C2.egress_asks";

    expect(
        &eval(&e, &r, Interactive, false),
        Allow,
        &["mode.interactive.reads_run"],
    );
    expect(
        &eval(&e, &w, Interactive, false),
        Ask,
        &["mode.interactive.ask_others"],
    );
    expect(
        &eval(&e, &d, Interactive, false),
        Ask,
        &["mode.interactive.ask_others", "approval.require_approval"],
    );
    expect(
        &eval(&e, &x, Interactive, false),
        Ask,
        &["mode.interactive.ask_others", c2],
    );

    for mode in [Auto, Unattended] {
        expect(
            &eval(&e, &r, mode, false),
            Allow,
            &["approval.auto_approve"],
        );
        expect(&eval(&e, &w, mode, false), Ask, &["default.ask"]);
        expect(
            &eval(&e, &d, mode, false),
            Ask,
            &["approval.require_approval"],
        );
        expect(&eval(&e, &x, mode, false), Ask, &[c2]);
    }

    expect(&eval(&e, &r, Plan, false), Allow, &["mode.plan.reads_run"]);
    expect(&eval(&e, &w, Plan, false), Ask, &["mode.plan.ask_others"]);
    expect(
        &eval(&e, &d, Plan, false),
        Ask,
        &["mode.plan.ask_others", "approval.require_approval"],
    );
    expect(
        &eval(&e, &x, Plan, false),
        Ask,
        &["mode.plan.ask_others", c2],
    );

    expect(
        &eval(&e, &r, ReadOnly, false),
        Allow,
        &["mode.read-only.reads_run"],
    );
    for act in [&w, &d, &x] {
        expect(
            &eval(&e, act, ReadOnly, false),
            Deny,
            &["mode.read-only.deny_writes"],
        );
    }

    // Reasons are sentences naming the effect; C2 is named as a principle.
    let v = eval(&e, &x, Auto, false);
    assert_eq!(v.principles, vec![Principle::Reversibility]);
    assert!(
        v.reasons[0].starts_with("egress to https://reuters.com/world")
            || v.reasons[0].contains("reuters.com"),
        "{v:?}"
    );
    let v = eval(&e, &w, Auto, false);
    assert!(
        v.reasons[0].contains("no rule allows file_write in auto mode"),
        "{v:?}"
    );
}

#[test]
fn auto_approve_from_any_layer_never_makes_egress_allow() {
    let e = engine(
        "[approval]\nauto_approve = [\"web_fetch\", \"file_read\"]\n",
        "",
    );
    let v = eval(
        &e,
        &egress(ActionKind::WebFetch, "https://example.com"),
        ApprovalMode::Auto,
        false,
    );
    expect(&v, Ask, &["constitution.C2.egress_asks"]);
}

#[test]
fn taint_makes_egress_ask_and_only_go_to_allowlisted_destinations() {
    let e = engine(
        "[network]\nallowed_domains = [\"*.gov\", \"reuters.com\"]\n",
        "",
    );
    let gov = egress(ActionKind::WebFetch, "https://data.census.gov/x");
    expect(
        &eval(&e, &gov, ApprovalMode::Auto, false),
        Ask,
        &["constitution.C2.egress_asks"],
    );
    expect(
        &eval(&e, &gov, ApprovalMode::Auto, true),
        Ask,
        &[
            "constitution.C4.tainted_egress_asks",
            "constitution.C2.egress_asks",
        ],
    );
    let evil = egress(ActionKind::WebFetch, "https://evil.com/x");
    expect(
        &eval(&e, &evil, ApprovalMode::Auto, false),
        Deny,
        &["network.allowed_domains"],
    );
    expect(
        &eval(&e, &evil, ApprovalMode::Auto, true),
        Deny,
        &[
            "network.allowed_domains",
            "constitution.C4.tainted_egress_allowlist",
        ],
    );
    // Taint does not change file work.
    expect(
        &eval(&e, &read("a.md"), ApprovalMode::Auto, true),
        Allow,
        &["approval.auto_approve"],
    );
}

#[test]
fn every_layers_domain_list_must_match() {
    let e = engine(
        "[network]\nallowed_domains = [\"*.gov\"]\n",
        "[network]\nallowed_domains = [\"census.gov\", \"evil.com\"]\n",
    );
    let send = |d: &str| {
        eval(
            &e,
            &egress(ActionKind::EmailSend, d),
            ApprovalMode::Interactive,
            false,
        )
    };
    assert_eq!(send("bob@data.census.gov").decision, Deny);
    assert_eq!(
        send("mailto:bob@census.gov").decision,
        Ask,
        "census.gov matches both lists"
    );
    assert_eq!(send("bob@evil.com").decision, Deny);
    let v = send("bob@data.census.gov");
    assert_eq!(v.rules, vec!["network.allowed_domains"]);
    assert!(
        v.reasons[0].contains("user (/home/u/.config/cowork/config.toml)"),
        "{v:?}"
    );

    let e = engine(
        "[network]\nallowed_domains = [\"*.gov\"]\n",
        "[network]\nallowed_domains = [\"*.census.gov\"]\n",
    );
    let v = eval(
        &e,
        &egress(ActionKind::EmailSend, "bob@data.census.gov"),
        ApprovalMode::Interactive,
        false,
    );
    expect(
        &v,
        Ask,
        &[
            "mode.interactive.ask_others",
            "approval.require_approval",
            "constitution.C2.egress_asks",
        ],
    );
}

#[test]
fn file_types_and_sizes_are_enforced() {
    let e = engine(
        "[files]\nallowed_file_types = [\".md\", \".txt\"]\n[limits]\nmax_file_size_mb = 1\n",
        "",
    );
    use ApprovalMode::Interactive;
    expect(
        &eval(&e, &read("a.md"), Interactive, false),
        Allow,
        &["mode.interactive.reads_run"],
    );
    expect(
        &eval(&e, &read("a.exe"), Interactive, false),
        Deny,
        &["files.allowed_file_types"],
    );
    expect(
        &eval(&e, &read("Makefile"), Interactive, false),
        Deny,
        &["files.allowed_file_types"],
    );
    // Directories have no file type.
    let dir_read = Act {
        kind: ActionKind::FileRead,
        effects: vec![Effect::Read {
            path: "docs".into(),
        }],
        facts: vec![PathFacts {
            is_dir: true,
            exists: true,
            ext: None,
            size: 4096,
        }],
    };
    expect(
        &eval(&e, &dir_read, Interactive, false),
        Allow,
        &["mode.interactive.reads_run"],
    );
    // Writing: the extension comes from the path when the file does not exist yet.
    expect(
        &eval(&e, &write("out.exe", 10), Interactive, false),
        Deny,
        &["files.allowed_file_types"],
    );
    let v = eval(&e, &write("out.md", 2 * 1024 * 1024), Interactive, false);
    expect(&v, Deny, &["limits.max_file_size_mb"]);
    assert_eq!(v.principles, vec![Principle::Safety]);
    expect(
        &eval(&e, &write("out.md", 1024 * 1024), Interactive, false),
        Ask,
        &["mode.interactive.ask_others"],
    );
    // Reading a big file is denied too.
    let mut big = read("big.txt");
    big.facts[0].size = 5 * 1024 * 1024;
    expect(
        &eval(&e, &big, Interactive, false),
        Deny,
        &["limits.max_file_size_mb"],
    );
    // A move checks the extension of both ends and the size of the source.
    let mv = |to: &str, size: u64| Act {
        kind: ActionKind::FileMove,
        effects: vec![Effect::Move {
            from: "a.md".into(),
            to: to.into(),
        }],
        facts: vec![file(".md", size), PathFacts::default()],
    };
    expect(
        &eval(&e, &mv("b.txt", 10), Interactive, false),
        Ask,
        &["mode.interactive.ask_others"],
    );
    expect(
        &eval(&e, &mv("b.exe", 10), Interactive, false),
        Deny,
        &["files.allowed_file_types"],
    );
    expect(
        &eval(&e, &mv("b.txt", 9 << 20), Interactive, false),
        Deny,
        &["limits.max_file_size_mb"],
    );
}

#[test]
fn effects_combine_deny_over_ask_over_allow() {
    let e = engine("[files]\nallowed_file_types = [\".md\"]\n", "");
    let act = Act {
        kind: ActionKind::FileWrite,
        effects: vec![
            Effect::Create {
                path: "a.md".into(),
                bytes: 1,
            },
            Effect::Create {
                path: "b.exe".into(),
                bytes: 1,
            },
            Effect::Create {
                path: "c.exe".into(),
                bytes: 1,
            },
        ],
        facts: vec![],
    };
    let v = eval(&e, &act, ApprovalMode::Interactive, false);
    expect(&v, Deny, &["files.allowed_file_types"]);
    assert!(
        v.reasons[0].contains("b.exe") && v.reasons[0].contains("c.exe"),
        "{v:?}"
    );

    let none = Act {
        kind: ActionKind::FileWrite,
        effects: vec![],
        facts: vec![],
    };
    expect(
        &eval(&e, &none, ApprovalMode::ReadOnly, false),
        Allow,
        &["constitution.no_effects"],
    );
}

#[test]
fn restricted_folders_are_denied_even_if_reached() {
    let e = engine(
        "[files]\nrestricted_folders = [\"HR/Confidential\", \"/abs/secret\"]\n",
        "",
    );
    for path in [
        "HR/Confidential",
        "HR/Confidential/pay.md",
        "./HR/Confidential/x",
        "@data/HR/Confidential/y.md",
    ] {
        let v = eval(&e, &read(path), ApprovalMode::Interactive, false);
        expect(&v, Deny, &["constitution.C1.restricted_folders"]);
        assert_eq!(v.principles, vec![Principle::MinimalFootprint]);
    }
    expect(
        &eval(
            &e,
            &read("HR/ConfidentialNot/a.md"),
            ApprovalMode::Interactive,
            false,
        ),
        Allow,
        &["mode.interactive.reads_run"],
    );
}

#[test]
fn the_engine_is_shareable_and_fast_enough_to_sample() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PolicyEngine>();
    let e = engine(
        "[network]\nallowed_domains = [\"*.gov\"]\n[files]\nallowed_file_types = [\".md\"]\n",
        "",
    );
    let act = write("out.md", 10);
    let start = std::time::Instant::now();
    let n = 2000;
    for _ in 0..n {
        assert_eq!(eval(&e, &act, ApprovalMode::Auto, false).decision, Ask);
    }
    // No timed assertion (shared CI machines): the figure is printed for `--nocapture`.
    println!(
        "evaluate: {:?} per single-effect action",
        start.elapsed() / n
    );
}
