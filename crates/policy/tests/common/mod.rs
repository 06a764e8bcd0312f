//! Helpers shared by the verdict tests.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use cowork_policy::{
    EffectiveConfig, Layer, PathFacts, PolicyEngine, PolicyRequest, merge, parse_layer,
};
use cowork_protocol::{ActionKind, ApprovalMode, Effect, EgressChannel, Verdict, VerdictDecision};

pub fn config(org: &str, user: &str) -> EffectiveConfig {
    let mut layers =
        vec![parse_layer(org, "/etc/cowork/policy.toml", Layer::Organization).unwrap()];
    layers.push(parse_layer(user, "/home/u/.config/cowork/config.toml", Layer::User).unwrap());
    merge(&layers).unwrap()
}

pub fn engine(org: &str, user: &str) -> PolicyEngine {
    PolicyEngine::new(&config(org, user)).unwrap()
}

/// An engine whose organization file lists one Cedar file with `cedar` in it.
pub fn engine_with_cedar(dir: &Path, org: &str, cedar: &str) -> PolicyEngine {
    fs::write(dir.join("org-extra.cedar"), cedar).unwrap();
    let org_path = dir.join("policy.toml");
    let text = format!("{org}\n[cedar]\npolicies = [\"org-extra.cedar\"]\n");
    let layer = parse_layer(&text, &org_path.display().to_string(), Layer::Organization).unwrap();
    PolicyEngine::new(&merge(&[layer]).unwrap()).unwrap()
}

pub struct Act {
    pub kind: ActionKind,
    pub effects: Vec<Effect>,
    pub facts: Vec<PathFacts>,
}

pub fn file(ext: &str, size: u64) -> PathFacts {
    PathFacts {
        is_dir: false,
        exists: true,
        ext: Some(ext.to_string()),
        size,
    }
}

pub fn read(path: &str) -> Act {
    let ext = path
        .rsplit_once('.')
        .map_or(String::new(), |(_, e)| format!(".{e}"));
    Act {
        kind: ActionKind::FileRead,
        effects: vec![Effect::Read { path: path.into() }],
        facts: vec![file(&ext, 100)],
    }
}

pub fn write(path: &str, bytes: u64) -> Act {
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

pub fn delete(path: &str) -> Act {
    Act {
        kind: ActionKind::FileDelete,
        effects: vec![Effect::Delete { path: path.into() }],
        facts: vec![file(".md", 10)],
    }
}

pub fn egress(kind: ActionKind, destination: &str) -> Act {
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

pub fn eval(engine: &PolicyEngine, act: &Act, mode: ApprovalMode, tainted: bool) -> Verdict {
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
pub fn expect(v: &Verdict, decision: VerdictDecision, rules: &[&str]) {
    assert_eq!(v.decision, decision, "{v:#?}");
    assert_eq!(v.rules, rules, "{v:#?}");
    assert_eq!(v.reasons.len(), v.rules.len(), "{v:#?}");
}
