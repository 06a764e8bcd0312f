//! Per-action overhead of cowork's core: policy + decision routing + audit + events (the
//! orchestrator, measured inside it, excluding the tool's own work and time waiting for the person),
//! plus the pieces measured alone. Prints a table.
//!
//!     cargo bench -p cowork-core --bench action_overhead
//!
//! Targets (issue #2): p50 < 100 µs, p99 < 1 ms per action.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cowork_audit::{AuditEntry, AuditKind, AuditLog, AuditOptions};
use cowork_core::Session;
use cowork_core::protocol::{
    ActionKind, ApprovalMode, Decision, Effect, Event, GrantScope, Preview, Provenance,
};
use cowork_fs::{ActionTxn, RootSpec, Workspace};
use cowork_models::{Tape, TapeModel};
use cowork_policy::{EffectiveConfig, PathFacts, PolicyEngine, PolicyRequest};
use cowork_tools::{Prepared, Registry, Tool, ToolContext, ToolError, ToolOutput, ToolSpec};

const ACTIONS: usize = 2000;

/// A tool that declares a real effect but does no I/O, so only cowork's own work is measured.
struct Touch;

impl Tool for Touch {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "touch_note",
            description: "declares a modify effect and does nothing".into(),
            kind: ActionKind::Draft,
            input_schema: serde_json::json!({"type": "object"}),
        }
    }
    fn prepare(&self, _: &serde_json::Value, _: &ToolContext) -> Result<Prepared, ToolError> {
        Ok(Prepared {
            kind: ActionKind::Draft,
            folders: Vec::new(),
            effects: vec![Effect::Modify {
                path: "notes/draft.md".into(),
            }],
            description: "touch notes/draft.md".into(),
            consequence: "nothing changes".into(),
            preview: Preview::None,
        })
    }
    fn execute(
        &self,
        _: &serde_json::Value,
        _: &ToolContext,
        _: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        Ok(ToolOutput {
            content: "ok".into(),
            provenance: Provenance::Trusted,
            changes: Vec::new(),
            plan: None,
        })
    }
}

fn percentiles(mut samples: Vec<Duration>) -> [Duration; 4] {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    [
        at(0.5),
        at(0.9),
        at(0.99),
        *samples.last().unwrap_or(&Duration::ZERO),
    ]
}

fn row(name: &str, samples: Vec<Duration>) {
    let n = samples.len();
    let [p50, p90, p99, max] = percentiles(samples);
    println!(
        "| {name:<58} | {n:>5} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8.1} |",
        us(p50),
        us(p90),
        us(p99),
        us(max)
    );
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("ws");
    std::fs::create_dir_all(root.join("notes")).expect("mkdir");
    std::fs::write(root.join("notes/draft.md"), "draft").expect("write");
    let audit = dir.path().join("audit/audit.jsonl");

    println!(
        "| measurement (µs per action)                                | n     | p50      | p90      | p99      | max      |"
    );
    println!(
        "|------------------------------------------------------------|-------|----------|----------|----------|----------|"
    );

    // 1. The whole orchestrator in a real task: ask → grant routing, audit, events.
    let calls: String = (0..ACTIONS)
        .map(|_| "      - {tool: touch_note, input: {}}\n")
        .collect();
    let tape = Tape::parse(
        &format!("turns:\n  - call:\n{calls}  - say: done\n"),
        Path::new("bench.yaml"),
    )
    .expect("tape");
    let mut registry = Registry::builtin();
    registry.register(Box::new(Touch));
    let org = dir.path().join("org.toml");
    std::fs::write(&org, "").expect("org");
    let session = Session::builder()
        .root(&root)
        .model(Arc::new(TapeModel::from_tape("bench.yaml", tape)))
        .config_sources(cowork_policy::ConfigSources {
            org: Some(org),
            user: None,
            workspace: None,
        })
        .audit_path(&audit)
        .data_dir(dir.path().join("data"))
        .tools(registry)
        .mode(ApprovalMode::Interactive)
        .max_actions(ACTIONS as u32 + 10)
        .build()
        .expect("session");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut task = session.run("bench");
        while let Some(event) = task.next_event().await {
            match event {
                Event::ActionProposed { action } if action.needs_decision() => {
                    task.decide(
                        action.id.clone(),
                        Decision::ApproveFor {
                            scope: GrantScope::Session,
                        },
                    )
                    .expect("decide");
                }
                Event::TaskFinished { .. } => break,
                _ => {}
            }
        }
    });
    let mut overheads = session.action_overheads();
    overheads.remove(0); // the first action waited for the person and created the grant
    row(
        "orchestrator: policy + grant routing + audit (3 rec) + events",
        overheads,
    );

    // 2. Policy alone.
    let engine = PolicyEngine::new(&EffectiveConfig::default()).expect("policy");
    let effects = [Effect::Modify {
        path: "notes/draft.md".into(),
    }];
    let facts = [PathFacts {
        is_dir: false,
        exists: true,
        ext: Some(".md".into()),
        size: 5,
    }];
    let mut samples = Vec::with_capacity(ACTIONS);
    for _ in 0..ACTIONS {
        let t = Instant::now();
        let verdict = engine.evaluate(&PolicyRequest {
            user: "bench",
            tool: "edit_file",
            kind: ActionKind::FileWrite,
            effects: &effects,
            facts: &facts,
            mode: ApprovalMode::Interactive,
            tainted: false,
        });
        samples.push(t.elapsed());
        std::hint::black_box(verdict);
    }
    row(
        "policy: one Cedar verdict (file_write, interactive)",
        samples,
    );

    // 3. Audit append alone.
    let log = AuditLog::open(
        &dir.path().join("audit2/audit.jsonl"),
        AuditOptions {
            include_content: false,
            retention_days: None,
        },
    )
    .expect("audit");
    let mut samples = Vec::with_capacity(ACTIONS);
    for i in 0..ACTIONS {
        let mut entry = AuditEntry::new(AuditKind::ActionProposed, "bench", "s");
        entry.action = Some(format!("a-{i}"));
        entry.effects = Some(effects.to_vec());
        entry.content = Some("{\"path\":\"notes/draft.md\"}".into());
        let t = Instant::now();
        log.append(entry).expect("append");
        samples.push(t.elapsed());
    }
    row("audit: one hash-chained record", samples);

    // 4. Journal write-ahead: a journaled 1 KB overwrite minus a plain atomic overwrite (both fsync).
    let ws = Workspace::open(
        vec![RootSpec {
            name: "ws".into(),
            path: root.clone(),
        }],
        &[],
    )
    .expect("workspace");
    let target = ws.resolve("notes/journaled.md").expect("resolve");
    let allowed = [
        Effect::Create {
            path: "notes/journaled.md".into(),
            bytes: 1024,
        },
        Effect::Modify {
            path: "notes/journaled.md".into(),
        },
    ];
    let body = vec![b'x'; 1024];
    let rounds = 300;
    let mut journaled = Vec::with_capacity(rounds);
    let mut plain = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let mut content = body.clone();
        content.extend_from_slice(i.to_string().as_bytes());
        let t = Instant::now();
        let mut txn = ws.begin("t-bench", &format!("a-{i}"), &allowed);
        txn.write_file(&target, &content, true)
            .expect("journaled write");
        journaled.push(t.elapsed());
        let t = Instant::now();
        plain_atomic_write(&root.join("notes/plain.md"), &content);
        plain.push(t.elapsed());
    }
    let [j50, ..] = percentiles(journaled.clone());
    let [p50, ..] = percentiles(plain.clone());
    row(
        "journaled 1 KB overwrite (write-ahead + backup + atomic write)",
        journaled,
    );
    row(
        "plain atomic 1 KB overwrite (temp + fsync + rename), for scale",
        plain,
    );
    println!();
    println!(
        "journal bookkeeping at p50 ≈ {:.1} µs (journaled − plain); the rest is the disk's fsync.",
        us(j50.saturating_sub(p50))
    );
}

fn plain_atomic_write(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).expect("create");
    file.write_all(bytes).expect("write");
    file.sync_all().expect("sync");
    std::fs::rename(&tmp, path).expect("rename");
    std::fs::File::open(path.parent().expect("parent"))
        .and_then(|d| d.sync_all())
        .expect("sync dir");
}
