//! Organization Cedar rules, `policy check`, and the schema the rules are checked against.

mod common;

use std::fs;

use VerdictDecision::{Allow, Ask, Deny};
use common::*;
use cowork_policy::{PolicyEngine, PolicyRequest, check_file, schema_text};
use cowork_protocol::{ActionKind, ApprovalMode, Effect, Principle, VerdictDecision};

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
