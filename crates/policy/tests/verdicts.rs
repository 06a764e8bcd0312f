//! Verdicts: modes, the constitution, simple keys and organization Cedar rules.

use std::fs;
use std::path::Path;

use VerdictDecision::{Allow, Ask, Deny};
use cowork_policy::{
    EffectiveConfig, Layer, PathFacts, PolicyEngine, PolicyRequest, check_file, merge, parse_layer,
    schema_text,
};
use cowork_protocol::{
    ActionKind, ApprovalMode, Effect, EgressChannel, Principle, Verdict, VerdictDecision,
};

fn config(org: &str, user: &str) -> EffectiveConfig {
    let mut layers =
        vec![parse_layer(org, "/etc/cowork/policy.toml", Layer::Organization).unwrap()];
    layers.push(parse_layer(user, "/home/u/.config/cowork/config.toml", Layer::User).unwrap());
    merge(&layers).unwrap()
}

fn engine(org: &str, user: &str) -> PolicyEngine {
    PolicyEngine::new(&config(org, user)).unwrap()
}

/// An engine whose organization file lists one Cedar file with `cedar` in it.
fn engine_with_cedar(dir: &Path, org: &str, cedar: &str) -> PolicyEngine {
    fs::write(dir.join("org-extra.cedar"), cedar).unwrap();
    let org_path = dir.join("policy.toml");
    let text = format!("{org}\n[cedar]\npolicies = [\"org-extra.cedar\"]\n");
    let layer = parse_layer(&text, &org_path.display().to_string(), Layer::Organization).unwrap();
    PolicyEngine::new(&merge(&[layer]).unwrap()).unwrap()
}

struct Act {
    kind: ActionKind,
    effects: Vec<Effect>,
    facts: Vec<PathFacts>,
}

fn file(ext: &str, size: u64) -> PathFacts {
    PathFacts {
        is_dir: false,
        exists: true,
        ext: Some(ext.to_string()),
        size,
    }
}

fn read(path: &str) -> Act {
    let ext = path
        .rsplit_once('.')
        .map_or(String::new(), |(_, e)| format!(".{e}"));
    Act {
        kind: ActionKind::FileRead,
        effects: vec![Effect::Read { path: path.into() }],
        facts: vec![file(&ext, 100)],
    }
}

fn write(path: &str, bytes: u64) -> Act {
    Act {
        kind: ActionKind::FileWrite,
        effects: vec![Effect::Create {
            path: path.into(),
            bytes,
        }],
        facts: vec![PathFacts {
            exists: false,
            ..PathFacts::default()
        }],
    }
}

fn delete(path: &str) -> Act {
    Act {
        kind: ActionKind::FileDelete,
        effects: vec![Effect::Delete { path: path.into() }],
        facts: vec![file(".md", 10)],
    }
}

fn egress(kind: ActionKind, destination: &str) -> Act {
    Act {
        kind,
        effects: vec![Effect::Egress {
            channel: EgressChannel::Web,
            destination: destination.into(),
            carries_data: true,
        }],
        facts: vec![],
    }
}

fn eval(engine: &PolicyEngine, act: &Act, mode: ApprovalMode, tainted: bool) -> Verdict {
    engine.evaluate(&PolicyRequest {
        user: "alice",
        tool: "some_tool",
        kind: act.kind,
        effects: &act.effects,
        facts: &act.facts,
        mode,
        tainted,
    })
}

#[track_caller]
fn expect(v: &Verdict, decision: VerdictDecision, rules: &[&str]) {
    assert_eq!(v.decision, decision, "{v:#?}");
    assert_eq!(v.rules, rules, "{v:#?}");
    assert_eq!(v.reasons.len(), v.rules.len(), "{v:#?}");
}

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
fn an_explicit_org_allow_lifts_the_egress_ask_but_not_taint() {
    let dir = tempfile::tempdir().unwrap();
    let cedar = "@id(\"reuters\")\n@verdict(\"allow\")\npermit(principal, action == Cowork::Action::\"web_fetch\", resource)\n\
                 when { context.channel == \"web\" && context.domain == \"reuters.com\" };\n";
    let e = engine_with_cedar(
        dir.path(),
        "[approval]\nauto_approve = [\"web_fetch\"]\n",
        cedar,
    );
    let reuters = egress(ActionKind::WebFetch, "https://reuters.com/a");
    expect(
        &eval(&e, &reuters, ApprovalMode::Auto, false),
        Allow,
        &["approval.auto_approve", "org:org-extra.cedar:reuters"],
    );
    // Another destination still asks.
    let other = egress(ActionKind::WebFetch, "https://example.com/a");
    expect(
        &eval(&e, &other, ApprovalMode::Auto, false),
        Ask,
        &["constitution.C2.egress_asks"],
    );
    // Interactive mode still asks for everything but reads.
    expect(
        &eval(&e, &reuters, ApprovalMode::Interactive, false),
        Ask,
        &["mode.interactive.ask_others"],
    );
    // Tainted: C4 asks, and without an allowlist the egress is denied.
    let v = eval(&e, &reuters, ApprovalMode::Auto, true);
    expect(&v, Deny, &["constitution.C4.tainted_egress_allowlist"]);
    assert_eq!(v.principles, vec![Principle::Privacy]);

    // A plain permit without @verdict("allow") is an allow rule but does not lift C2.
    let dir = tempfile::tempdir().unwrap();
    let cedar = "permit(principal, action == Cowork::Action::\"web_fetch\", resource);\n";
    let e = engine_with_cedar(
        dir.path(),
        "[approval]\nauto_approve = [\"web_fetch\"]\n",
        cedar,
    );
    expect(
        &eval(&e, &reuters, ApprovalMode::Auto, false),
        Ask,
        &["constitution.C2.egress_asks"],
    );
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
fn org_cedar_forbid_denies_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cedar = "// no sharing of spreadsheets\n@id(\"no-xlsx-share\")\n@reason(\"spreadsheets stay inside\")\n\
                 forbid(principal, action, resource) when { context.effect == \"delete\" && context.ext == \".xlsx\" };\n\
                 forbid(principal == Cowork::User::\"mallory\", action, resource);\n\
                 @verdict(\"ask\")\npermit(principal, action == Cowork::Action::\"summarize\", resource);\n";
    let e = engine_with_cedar(dir.path(), "", cedar);
    let mut d = delete("budget.xlsx");
    d.facts[0].ext = Some(".xlsx".into());
    let v = eval(&e, &d, ApprovalMode::Auto, false);
    expect(&v, Deny, &["org:org-extra.cedar:no-xlsx-share"]);
    assert!(v.reasons[0].contains("spreadsheets stay inside"), "{v:?}");
    // Unnamed policies are named by their index in the file.
    let v = e.evaluate(&PolicyRequest {
        user: "mallory",
        tool: "read_file",
        kind: ActionKind::FileRead,
        effects: &read("a.md").effects,
        facts: &[],
        mode: ApprovalMode::Interactive,
        tainted: false,
    });
    expect(&v, Deny, &["org:org-extra.cedar:1"]);
    // @verdict("ask") permits are ask rules.
    let s = Act {
        kind: ActionKind::Summarize,
        effects: vec![Effect::Read {
            path: "a.md".into(),
        }],
        facts: vec![],
    };
    expect(
        &eval(&e, &s, ApprovalMode::Auto, false),
        Ask,
        &["org:org-extra.cedar:2"],
    );
    assert!(e.cedar_source().contains("no-xlsx-share"));
}

#[test]
fn org_rules_that_fail_to_evaluate_count_as_ask() {
    let dir = tempfile::tempdir().unwrap();
    // Valid for the schema only when guarded; `has` on a record attribute that exists but
    // then a division-like failure is hard to write, so use an overflow.
    let cedar = "@id(\"overflow\")\nforbid(principal, action, resource) when { context.size_bytes * 9223372036854775807 > 0 };\n";
    let e = engine_with_cedar(dir.path(), "", cedar);
    let v = eval(&e, &read("a.md"), ApprovalMode::Interactive, false);
    assert_eq!(v.decision, Ask, "{v:?}");
    assert_eq!(v.rules, vec!["org:org-extra.cedar:overflow"]);
    assert!(v.reasons[0].contains("could not be evaluated"), "{v:?}");
}

#[test]
fn check_file_reports_cedar_and_config_errors_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.cedar");
    fs::write(
        &good,
        "@id(\"x\")\nforbid(principal, action, resource) when { context.ext == \".exe\" };\n",
    )
    .unwrap();
    let report = check_file(&good).unwrap();
    assert_eq!(report.rules, vec!["org:good.cedar:x"]);

    let bad = dir.path().join("bad.cedar");
    fs::write(
        &bad,
        "permit(principal, action, resource)\nwhen { context.ext == };\n",
    )
    .unwrap();
    let e = check_file(&bad).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:2:", bad.display())), "{e}");

    // An attribute cowork does not send is caught by validation, with its position.
    let typo = dir.path().join("typo.cedar");
    fs::write(
        &typo,
        "forbid(principal, action, resource)\n  when { context.extension == \".exe\" };\n",
    )
    .unwrap();
    let e = check_file(&typo).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:2:", typo.display())), "{e}");
    assert!(e.contains("context attributes: effect"), "{e}");

    let unknown_action = dir.path().join("act.cedar");
    fs::write(
        &unknown_action,
        "forbid(principal, action == Cowork::Action::\"file_nuke\", resource);\n",
    )
    .unwrap();
    assert!(check_file(&unknown_action).is_err());

    // A config file is checked as an organization layer, with its Cedar files.
    let toml = dir.path().join("policy.toml");
    fs::write(
        &toml,
        "[approval]\nmode = \"auto\"\n[cedar]\npolicies = [\"good.cedar\"]\n",
    )
    .unwrap();
    let report = check_file(&toml).unwrap();
    assert_eq!(report.cedar_policies, 1);
    assert!(
        report
            .rules
            .contains(&"constitution.C2.egress_asks".to_string())
    );
    fs::write(
        &toml,
        "[approval]\nmode = \"auto\"\n[cedar]\npolicies = [\"typo.cedar\"]\n",
    )
    .unwrap();
    assert!(
        check_file(&toml)
            .unwrap_err()
            .to_string()
            .contains("typo.cedar:2:")
    );
    fs::write(&toml, "[approval]\nmod = \"auto\"\n").unwrap();
    let e = check_file(&toml).unwrap_err().to_string();
    assert!(
        e.contains("policy.toml:2:1: unknown key `mod` in [approval]; did you mean `mode`?"),
        "{e}"
    );

    let other = dir.path().join("x.yaml");
    fs::write(&other, "a: 1").unwrap();
    assert!(
        check_file(&other)
            .unwrap_err()
            .to_string()
            .contains(".toml config file or a .cedar")
    );
}

#[test]
fn built_in_rules_fit_the_schema_and_carry_annotations() {
    let cfg = config(
        "[files]\nallowed_file_types = [\".md\"]\nrestricted_folders = [\"HR\"]\n[network]\nallowed_domains = [\"*.gov\"]\n",
        "[network]\nallowed_domains = []\n",
    );
    let engine = PolicyEngine::new(&cfg).unwrap();
    let source = engine.cedar_source();
    let set: cedar_policy::PolicySet = source.parse().unwrap();
    let (schema, _) = cedar_policy::Schema::from_cedarschema_str(&schema_text()).unwrap();
    let result =
        cedar_policy::Validator::new(schema).validate(&set, cedar_policy::ValidationMode::Strict);
    let errors: Vec<String> = result.validation_errors().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{source}");
    for p in set.policies() {
        assert!(
            p.annotation("id").is_some()
                && p.annotation("verdict").is_some()
                && p.annotation("reason").is_some()
        );
    }
    for id in [
        "mode.interactive.reads_run",
        "mode.interactive.ask_others",
        "mode.read-only.deny_writes",
        "files.allowed_file_types",
        "limits.max_file_size_mb",
        "approval.require_approval",
        "approval.auto_approve",
        "network.allowed_domains",
        "constitution.C2.egress_asks",
        "constitution.C4.tainted_egress_asks",
        "constitution.C4.tainted_egress_allowlist",
    ] {
        assert!(engine.rule_ids().iter().any(|r| r == id), "{id} missing");
    }
    assert!(source.contains("@principle(\"C2\")"));
    // An empty user allowlist blocks every egress.
    let v = eval(
        &engine,
        &egress(ActionKind::WebFetch, "https://x.gov"),
        ApprovalMode::Interactive,
        false,
    );
    assert_eq!(v.decision, Deny);
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
