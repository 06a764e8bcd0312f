//! Parsing, loading and merging config layers.

use std::fs;
use std::path::Path;

use cowork_policy::{
    ConfigSources, FlagOverrides, Layer, LayerConfig, PolicyError, load_layers, merge, parse_layer,
};
use cowork_protocol::{ActionKind, ApprovalMode};

fn layer(text: &str, origin: &str, layer: Layer) -> LayerConfig {
    parse_layer(text, origin, layer).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str, layer: Layer) -> String {
    parse_layer(text, "~/.config/cowork/config.toml", layer)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_typo_key_is_an_error_with_line_column_and_suggestion() {
    let text = "# my config\n[approval]\nmode = \"auto\"\n\n[limits]\ntimeout_minutes = 10\nmax_action_per_task = 5\n";
    assert_eq!(
        err(text, Layer::User),
        "~/.config/cowork/config.toml:7:1: unknown key `max_action_per_task` in [limits]; \
         did you mean `max_actions_per_task`?"
    );
}

#[test]
fn unknown_sections_and_misplaced_keys_are_named() {
    let e = err("[limit]\nmax_actions_per_task = 5\n", Layer::User);
    assert!(
        e.contains(":1:2: unknown key `limit` at the top level; did you mean `limits`?"),
        "{e}"
    );
    let e = err("[limits]\nmode = \"auto\"\n", Layer::User);
    assert!(
        e.contains(":2:1: unknown key `mode` in [limits]; `mode` belongs in [approval]"),
        "{e}"
    );
    let e = err("[audit]\nzzzzzzzz = 1\n", Layer::User);
    assert!(
        e.contains("expected one of: enabled, path, include_content, retention_days"),
        "{e}"
    );
}

#[test]
fn bad_values_are_errors_with_line_and_column() {
    let e = err("[approval]\nmode = \"fast\"\n", Layer::User);
    assert!(
        e.starts_with("~/.config/cowork/config.toml:2:8: approval.mode `fast` is not a mode"),
        "{e}"
    );
    let e = err("[approval]\nmode = \"auot\"\n", Layer::User);
    assert!(e.ends_with("did you mean `auto`?"), "{e}");

    let e = err(
        "[approval]\nrequire_approval = [\"file_delete\", \"file_nuke\"]\n",
        Layer::User,
    );
    assert!(
        e.contains(":2:36: approval.require_approval: `file_nuke` is not an action kind"),
        "{e}"
    );

    let e = err("[files]\nallowed_file_types = [\"pdf\"]\n", Layer::User);
    assert!(
        e.contains(":2:23: files.allowed_file_types: `pdf` must start with '.'"),
        "{e}"
    );

    let e = err("[limits]\nmax_file_size_mb = -3\n", Layer::User);
    assert!(
        e.contains(":2:20: limits.max_file_size_mb = -3 is out of range"),
        "{e}"
    );
    let e = err("[limits]\ntimeout_minutes = \"ten\"\n", Layer::User);
    assert!(
        e.contains(":2:19: limits.timeout_minutes must be a whole number"),
        "{e}"
    );

    let e = err(
        "[network]\nallowed_domains = [\"https://reuters.com/\"]\n",
        Layer::User,
    );
    assert!(e.contains("is not a domain pattern"), "{e}");
    let e = err("[audit]\npath = \"logs\"\n", Layer::User);
    assert!(
        e.contains(":2:8: audit.path `logs` must be absolute"),
        "{e}"
    );
    let e = err("[privacy]\nlocal_processing_only = \"yes\"\n", Layer::User);
    assert!(e.contains("must be true or false"), "{e}");
}

#[test]
fn toml_syntax_errors_have_positions() {
    let e = err("[limits]\nmax_actions_per_task = = 5\n", Layer::User);
    assert!(e.starts_with("~/.config/cowork/config.toml:2:"), "{e}");
}

#[test]
fn raw_cedar_is_rejected_outside_the_organization_layer() {
    let text = "[approval]\nmode = \"auto\"\n[cedar]\npolicies = [\"extra.cedar\"]\n";
    for l in [Layer::User, Layer::Workspace, Layer::Flags] {
        let e = err(text, l);
        assert!(
            e.contains(":4:12: [cedar] policies are only accepted in the organization policy file"),
            "{e}"
        );
    }
    let org = layer(text, "/etc/cowork/policy.toml", Layer::Organization);
    assert_eq!(
        org.cedar.policies,
        Some(vec![Path::new("/etc/cowork/extra.cedar").to_path_buf()])
    );
}

#[test]
fn models_tables_are_kept_raw() {
    let cfg = layer(
        "[models.work]\nspec = \"ollama:llama3\"\n",
        "c.toml",
        Layer::User,
    );
    let models = cfg.models.unwrap();
    assert_eq!(models["work"]["spec"].as_str(), Some("ollama:llama3"));
}

#[test]
fn merge_only_tightens_and_notes_every_ignored_loosening() {
    let org = layer(
        "[limits]\nmax_actions_per_task = 20\n[approval]\nmode = \"interactive\"\nrequire_approval = [\"file_write\"]\n\
         auto_approve = [\"file_read\", \"summarize\"]\n[files]\nallowed_file_types = [\".md\", \".txt\", \".csv\"]\n\
         restricted_folders = [\"HR\"]\n[network]\nallowed_domains = [\"*.gov\", \"reuters.com\"]\n\
         [audit]\nenabled = true\nretention_days = 400\n[privacy]\nlocal_processing_only = true\n",
        "/etc/cowork/policy.toml",
        Layer::Organization,
    );
    let user = layer(
        "[limits]\nmax_actions_per_task = 100\ntimeout_minutes = 10\n[approval]\nmode = \"auto\"\n\
         auto_approve = [\"file_read\", \"file_delete\"]\nrequire_approval = [\"email_send\"]\n\
         [files]\nallowed_file_types = [\".md\", \".exe\"]\nrestricted_folders = [\"Finance/Payroll\"]\n\
         [network]\nallowed_domains = [\"evil.com\", \"data.census.gov\"]\n\
         [audit]\nenabled = false\nretention_days = 1\n[privacy]\nlocal_processing_only = false\n",
        "/home/u/.config/cowork/config.toml",
        Layer::User,
    );
    let ws = layer(
        "[approval]\nmode = \"plan\"\n[limits]\nmax_actions_per_task = 5\n",
        "/w/.cowork/config.toml",
        Layer::Workspace,
    );
    // Order of the slice does not matter: layers are sorted strongest first.
    let cfg = merge(&[ws, user, org]).unwrap();

    assert_eq!(cfg.max_actions_per_task.value, 5);
    assert_eq!(cfg.max_actions_per_task.layer, Layer::Workspace);
    assert_eq!(cfg.timeout_minutes.value, 10);
    assert_eq!(cfg.timeout_minutes.layer, Layer::User);
    assert_eq!(cfg.max_file_size_mb.layer, Layer::Constitution);
    assert_eq!(cfg.mode.value, ApprovalMode::Plan);
    assert_eq!(cfg.mode.origin, "/w/.cowork/config.toml");
    assert_eq!(
        cfg.allowed_file_types.value,
        Some([".md".to_string()].into())
    );
    assert_eq!(
        cfg.restricted_folders.value,
        vec!["HR".to_string(), "Finance/Payroll".to_string()]
    );
    assert_eq!(
        cfg.require_approval.value,
        [ActionKind::FileWrite, ActionKind::EmailSend].into()
    );
    assert_eq!(cfg.org_require_approval, [ActionKind::FileWrite].into());
    assert_eq!(cfg.auto_approve.value, [ActionKind::FileRead].into());
    assert_eq!(cfg.allowed_domain_lists.len(), 2);
    assert_eq!(cfg.allowed_domains.layer, Layer::Organization);
    assert!(cfg.audit_enabled.value);
    assert!(cfg.local_processing_only.value);
    assert_eq!(cfg.audit_retention_days.value, 400);

    let notes = cfg.notes.join("\n");
    for expected in [
        "user layer (/home/u/.config/cowork/config.toml) sets approval.mode = auto, looser than organization's interactive: kept interactive",
        "sets limits.max_actions_per_task = 100, looser than organization's 20: kept 20",
        "allows [.exe] in files.allowed_file_types, which organization does not allow: ignored",
        "adds [file_delete] to approval.auto_approve, which organization did not auto-approve: ignored",
        "allows network destination \"evil.com\", which organization's network.allowed_domains does not",
        "sets audit.enabled = false, looser than organization's true: kept true",
        "sets privacy.local_processing_only = false, looser than organization's true: kept true",
        "sets audit.retention_days = 1, but organization set 400: kept 400",
    ] {
        assert!(
            notes.contains(expected),
            "missing note {expected:?} in:\n{notes}"
        );
    }
    // data.census.gov is covered by *.gov: not a loosening attempt.
    assert!(!notes.contains("data.census.gov"), "{notes}");
}

#[test]
fn defaults_apply_when_nothing_is_set_and_a_layer_may_replace_them() {
    let cfg = merge(&[]).unwrap();
    assert_eq!(cfg.max_actions_per_task.value, 50);
    assert_eq!(cfg.timeout_minutes.value, 30);
    assert_eq!(cfg.max_file_size_mb.value, 50);
    assert_eq!(cfg.mode.value, ApprovalMode::Interactive);
    assert_eq!(
        cfg.require_approval.value,
        [
            ActionKind::FileDelete,
            ActionKind::EmailSend,
            ActionKind::ExternalShare
        ]
        .into()
    );
    assert_eq!(
        cfg.auto_approve.value,
        [
            ActionKind::FileRead,
            ActionKind::Summarize,
            ActionKind::Draft
        ]
        .into()
    );
    assert_eq!(cfg.allowed_file_types.value, None);
    assert!(cfg.audit_enabled.value && !cfg.audit_include_content.value);
    assert_eq!(cfg.audit_retention_days.value, 365);
    assert!(cfg.notes.is_empty());

    // The constitution's values are defaults: `--approval auto` must be able to choose auto.
    let mut flags = LayerConfig::empty(Layer::Flags, "--approval");
    flags.approval.mode = Some(ApprovalMode::Auto);
    let cfg = merge(&[flags]).unwrap();
    assert_eq!(cfg.mode.value, ApprovalMode::Auto);
    assert_eq!(cfg.mode.layer, Layer::Flags);
}

#[test]
fn require_approval_kinds_are_never_auto_approved() {
    let user = layer(
        "[approval]\nauto_approve = [\"file_read\", \"file_delete\"]\n",
        "u.toml",
        Layer::User,
    );
    let cfg = merge(&[user]).unwrap();
    assert_eq!(cfg.auto_approve.value, [ActionKind::FileRead].into());
    assert!(
        cfg.notes
            .iter()
            .any(|n| n.contains("[file_delete]") && n.contains("require")),
        "{:?}",
        cfg.notes
    );
}

#[test]
fn config_show_lists_the_layer_of_every_value() {
    let org = layer(
        "[approval]\nmode = \"plan\"\n[network]\nallowed_domains = [\"*.gov\"]\n",
        "/etc/cowork/policy.toml",
        Layer::Organization,
    );
    let ws = layer(
        "[limits]\ntimeout_minutes = 5\n[network]\nallowed_domains = [\"a.gov\"]\n",
        "/w/.cowork/config.toml",
        Layer::Workspace,
    );
    let rows = merge(&[org, ws]).unwrap().show();
    let get = |key: &str| {
        rows.iter()
            .filter(|r| r.0 == key)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        get("approval.mode"),
        vec![(
            "approval.mode".into(),
            "\"plan\"".into(),
            "organization (/etc/cowork/policy.toml)".into()
        )]
    );
    assert_eq!(
        get("limits.timeout_minutes")[0].2,
        "workspace (/w/.cowork/config.toml)"
    );
    assert_eq!(
        get("limits.max_actions_per_task")[0],
        (
            "limits.max_actions_per_task".into(),
            "50".into(),
            "constitution (built-in default)".into()
        )
    );
    let domains = get("network.allowed_domains");
    assert_eq!(domains.len(), 2);
    assert_eq!(domains[1].1, "[\"a.gov\"]");
    assert_eq!(
        get("approval.auto_approve")[0].1,
        "[\"file_read\", \"summarize\", \"draft\"]"
    );
    for key in [
        "files.allowed_file_types",
        "privacy.data_residency",
        "audit.path",
        "audit.retention_days",
        "audit.include_content",
    ] {
        assert_eq!(get(key).len(), 1, "{key} missing from {rows:?}");
    }
}

#[test]
fn load_layers_reads_existing_files_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("work");
    fs::create_dir_all(root.join(".cowork")).unwrap();
    fs::write(
        root.join(".cowork/config.toml"),
        "[limits]\ntimeout_minutes = 7\n",
    )
    .unwrap();
    let home = dir.path().join("home");
    let sources = ConfigSources::discover_with(&root, |name| match name {
        "HOME" => Some(home.clone().into_os_string()),
        _ => None,
    });
    assert_eq!(sources.user, Some(home.join(".config/cowork/config.toml")));
    assert_eq!(sources.workspace, Some(root.join(".cowork/config.toml")));

    // The user file is missing: fine.
    let flags = FlagOverrides {
        mode: Some(ApprovalMode::ReadOnly),
        extra_config: None,
    };
    let layers = load_layers(&sources, &flags).unwrap();
    assert_eq!(
        layers.iter().map(|l| l.layer).collect::<Vec<_>>(),
        vec![Layer::Workspace, Layer::Flags]
    );
    let cfg = merge(&layers).unwrap();
    assert_eq!(cfg.timeout_minutes.value, 7);
    assert_eq!(cfg.mode.value, ApprovalMode::ReadOnly);

    // --config adds a workspace-strength layer; a missing one is an error naming it.
    let extra = dir.path().join("extra.toml");
    fs::write(&extra, "[limits]\ntimeout_minutes = 3\n").unwrap();
    let flags = FlagOverrides {
        mode: None,
        extra_config: Some(extra.clone()),
    };
    let layers = load_layers(&sources, &flags).unwrap();
    assert_eq!(layers.last().unwrap().origin, extra.display().to_string());
    assert_eq!(merge(&layers).unwrap().timeout_minutes.value, 3);
    let flags = FlagOverrides {
        mode: None,
        extra_config: Some(dir.path().join("nope.toml")),
    };
    assert!(matches!(
        load_layers(&sources, &flags),
        Err(PolicyError::MissingConfig { .. })
    ));

    // A broken file is an error that names it.
    fs::write(root.join(".cowork/config.toml"), "[limits]\ntimeout = 7\n").unwrap();
    let e = load_layers(&sources, &FlagOverrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(".cowork/config.toml:2:1: unknown key `timeout` in [limits]"),
        "{e}"
    );
}

#[test]
fn an_org_policy_named_by_the_environment_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org.toml");
    let xdg = dir.path().join("xdg");
    let sources = ConfigSources::discover_with(dir.path(), |name| match name {
        "COWORK_ORG_POLICY" => Some(org.clone().into_os_string()),
        "XDG_CONFIG_HOME" => Some(xdg.clone().into_os_string()),
        _ => None,
    });
    assert_eq!(sources.org, Some(org.clone()));
    assert_eq!(sources.user, Some(xdg.join("cowork/config.toml")));
    let e = load_layers(&sources, &FlagOverrides::default()).unwrap_err();
    assert!(matches!(e, PolicyError::MissingOrgPolicy { .. }), "{e}");
    assert!(e.to_string().contains("COWORK_ORG_POLICY"));

    fs::write(&org, "[approval]\nmode = \"interactive\"\n").unwrap();
    let layers = load_layers(
        &sources,
        &FlagOverrides {
            mode: Some(ApprovalMode::Auto),
            extra_config: None,
        },
    )
    .unwrap();
    let cfg = merge(&layers).unwrap();
    assert_eq!(cfg.mode.value, ApprovalMode::Interactive);
    assert_eq!(cfg.notes.len(), 1, "{:?}", cfg.notes);
    assert!(
        cfg.notes[0].starts_with("flags layer (--approval) sets approval.mode = auto"),
        "{:?}",
        cfg.notes
    );
}

#[test]
fn org_cedar_files_are_read_relative_to_the_org_file() {
    let dir = tempfile::tempdir().unwrap();
    let org_path = dir.path().join("policy.toml");
    fs::write(
        dir.path().join("extra.cedar"),
        "forbid(principal, action, resource);\n",
    )
    .unwrap();
    let org = layer(
        "[cedar]\npolicies = [\"extra.cedar\"]\n",
        &org_path.display().to_string(),
        Layer::Organization,
    );
    let cfg = merge(&[org]).unwrap();
    assert_eq!(cfg.cedar_files.len(), 1);
    assert_eq!(cfg.cedar_files[0].0, dir.path().join("extra.cedar"));
    assert!(cfg.show().iter().any(|r| r.0 == "cedar.policies"));

    let org = layer(
        "[cedar]\npolicies = [\"missing.cedar\"]\n",
        &org_path.display().to_string(),
        Layer::Organization,
    );
    let e = merge(&[org]).unwrap_err().to_string();
    assert!(e.contains("missing.cedar"), "{e}");
}
