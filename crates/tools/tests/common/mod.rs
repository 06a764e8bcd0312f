//! A real temporary workspace for the tool tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cowork_fs::{RootSpec, Workspace};
use cowork_tools::{Prepared, Registry, ToolContext, ToolError, ToolOutput};
use serde_json::Value;

static ACTIONS: AtomicUsize = AtomicUsize::new(0);

pub struct Env {
    pub dir: tempfile::TempDir,
    pub ws: Workspace,
    pub registry: Registry,
    pub max_read_bytes: u64,
}

impl Env {
    pub fn new() -> Env {
        Env::with_restricted(&[])
    }

    pub fn with_restricted(restricted: &[&str]) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("work");
        std::fs::create_dir(&root).unwrap();
        let restricted: Vec<String> = restricted.iter().map(|s| s.to_string()).collect();
        let ws = Workspace::open(
            vec![RootSpec {
                name: "work".into(),
                path: root,
            }],
            &restricted,
        )
        .unwrap();
        Env {
            dir,
            ws,
            registry: Registry::builtin(),
            max_read_bytes: 1024 * 1024,
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn ctx(&self) -> ToolContext<'_> {
        ToolContext {
            ws: self.ws.view(),
            max_read_bytes: self.max_read_bytes,
        }
    }

    /// Write a file (and its folders) directly, as the person would.
    pub fn put(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }

    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.root().join(rel)).unwrap();
    }

    pub fn get(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root().join(rel).symlink_metadata().is_ok()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    pub fn prepare(&self, tool: &str, input: Value) -> Result<Prepared, ToolError> {
        let tool = self
            .registry
            .get(tool)
            .unwrap_or_else(|| panic!("no tool {tool}"));
        tool.prepare(&input, &self.ctx())
    }

    /// Prepare, then execute inside a transaction allowing exactly the prepared effects — what
    /// the core's orchestrator does.
    pub fn run(&self, tool: &str, input: Value) -> Result<(Prepared, ToolOutput), ToolError> {
        let prepared = self.prepare(tool, input.clone())?;
        let n = ACTIONS.fetch_add(1, Ordering::SeqCst);
        let mut txn = self.ws.begin("t-test", &format!("a{n}"), &prepared.effects);
        let out = self
            .registry
            .get(tool)
            .unwrap()
            .execute(&input, &self.ctx(), &mut txn)?;
        Ok((prepared, out))
    }

    /// Execute with a transaction allowing `allowed` only (not what the tool declared).
    pub fn execute_with(
        &self,
        tool: &str,
        input: Value,
        allowed: &[cowork_protocol::Effect],
    ) -> Result<ToolOutput, ToolError> {
        let n = ACTIONS.fetch_add(1, Ordering::SeqCst);
        let mut txn = self.ws.begin("t-test", &format!("a{n}"), allowed);
        self.registry
            .get(tool)
            .unwrap()
            .execute(&input, &self.ctx(), &mut txn)
    }

    /// Every file and folder under the root (except .cowork), with file contents.
    pub fn tree(&self) -> Vec<(String, Option<Vec<u8>>)> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Option<Vec<u8>>)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap())
                .collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let path = e.path();
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if rel == ".cowork" {
                    continue;
                }
                if e.file_type().unwrap().is_dir() {
                    out.push((rel, None));
                    walk(base, &path, out);
                } else {
                    out.push((rel, Some(std::fs::read(&path).unwrap())));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root(), &self.root(), &mut out);
        out
    }
}

pub fn err_text(r: Result<impl std::fmt::Debug, ToolError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}
