//! A session: a workspace, a model, the effective policy, the audit log, and a transcript that
//! carries over from one task to the next.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cowork_audit::{AuditEntry, AuditKind, AuditLog, AuditOptions};
use cowork_fs::{RootSpec, Workspace};
use cowork_models::{Message, Model};
use cowork_policy::{ConfigSources, EffectiveConfig, FlagOverrides, Layer, PolicyEngine};
use cowork_protocol::{ApprovalMode, Output, SessionId};
use cowork_tools::Registry;
use tokio::sync::Mutex;

use crate::CoreError;
use crate::context::Fence;
use crate::grants::GrantStore;
use crate::store::SessionStore;
use crate::task::{self, TaskHandle};
use crate::transcript::Transcript;

/// Builds a [`Session`]: roots, model, approval mode, limits and config layers.
pub struct SessionBuilder {
    roots: Vec<RootSpec>,
    model: Option<Arc<dyn Model>>,
    mode: Option<ApprovalMode>,
    extra_config: Option<PathBuf>,
    sources: Option<ConfigSources>,
    flag_toml: Vec<String>,
    audit_path: Option<PathBuf>,
    user: Option<String>,
    registry: Option<Registry>,
    timeout: Option<std::time::Duration>,
    data_dir: Option<PathBuf>,
    max_tokens: Option<u64>,
    resume: Option<String>,
    context_window: Option<u64>,
    persist: bool,
}

impl SessionBuilder {
    /// Grant a folder. The first root is the default root; its base name is `@NAME` for the others.
    pub fn root(mut self, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".to_string());
        self.roots.push(RootSpec { name, path });
        self
    }

    /// Grant a folder under an explicit `@NAME`.
    pub fn named_root(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.roots.push(RootSpec {
            name: name.into(),
            path: path.into(),
        });
        self
    }

    pub fn model(mut self, model: Arc<dyn Model>) -> Self {
        self.model = Some(model);
        self
    }

    /// The approval mode as a flag: it can only tighten what the config files set.
    pub fn mode(mut self, mode: ApprovalMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// An extra config file at workspace strength (`--config FILE`).
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_config = Some(path.into());
        self
    }

    /// Where the organization, user and workspace config files are (default: discovered).
    pub fn config_sources(mut self, sources: ConfigSources) -> Self {
        self.sources = Some(sources);
        self
    }

    pub fn max_actions(mut self, n: u32) -> Self {
        self.flag_toml
            .push(format!("[limits]\nmax_actions_per_task = {n}\n"));
        self
    }

    /// Tokens (input + output) a task may use before it stops with a limit.
    pub fn max_tokens(mut self, tokens: u64) -> Self {
        self.max_tokens = Some(tokens);
        self
    }

    /// Total MB a task may write (can only lower the configured limit).
    pub fn max_written_mb(mut self, mb: u64) -> Self {
        self.flag_toml
            .push(format!("[limits]\nmax_written_mb_per_task = {mb}\n"));
        self
    }

    pub fn timeout_minutes(mut self, minutes: u32) -> Self {
        self.flag_toml
            .push(format!("[limits]\ntimeout_minutes = {minutes}\n"));
        self
    }

    /// A per-task time limit finer than `timeout_minutes` (embedders, tests); the shorter one applies.
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Where the person's own cowork state lives (workspace grants); default `$XDG_DATA_HOME/cowork`.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The audit log file (default: `[audit] path`, else `$XDG_DATA_HOME/cowork/audit/audit.jsonl`).
    pub fn audit_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.audit_path = Some(path.into());
        self
    }

    /// Who asks (audit `user`); default `$USER`.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Replace the built-in tools (tests, embedders adding their own tools).
    pub fn tools(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Continue the stored session `id` (or `last`, the most recently active one): its
    /// transcript, its taint, and — when no root is given — its roots. Tool calls a crash left
    /// without results get the outcome the store recorded; nothing that ran runs again.
    pub fn resume(mut self, id: impl Into<String>) -> Self {
        self.resume = Some(id.into());
        self
    }

    /// The model's context window in tokens (default: the model's declared window, else
    /// 200 000). A turn asks for at most a quarter of it as output. Older turns are compacted when a request would pass 75 % of what the window
    /// leaves after the output.
    pub fn context_window(mut self, tokens: u64) -> Self {
        self.context_window = Some(tokens);
        self
    }

    /// Whether the session is kept in the session store (`<data dir>/sessions.db`); default on.
    pub fn persist(mut self, on: bool) -> Self {
        self.persist = on;
        self
    }

    /// Load the config layers, open the workspace and the audit log, and record the start.
    pub fn build(mut self) -> Result<Session, CoreError> {
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(cowork_audit::default_data_dir);
        let store = match (self.persist, &self.resume) {
            (true, _) => Some(SessionStore::open_in(&data_dir)?),
            (false, Some(_)) => return Err(CoreError::ResumeWithoutStore),
            (false, None) => None,
        };
        let resumed = match (&store, &self.resume) {
            (Some(store), Some(id)) => {
                let info = store.session(&store.resolve(id)?)?;
                if self.roots.is_empty() {
                    self.roots = crate::resume::roots_of(&info);
                }
                Some(info)
            }
            _ => None,
        };
        let first = self.roots.first().ok_or(CoreError::NoRoots)?;
        let model = self.model.ok_or(CoreError::NoModel)?;
        let sources = self
            .sources
            .unwrap_or_else(|| ConfigSources::discover(&first.path));
        let flags = FlagOverrides {
            mode: self.mode,
            extra_config: self.extra_config,
        };
        let mut layers = cowork_policy::load_layers(&sources, &flags)?;
        for text in &self.flag_toml {
            layers.push(cowork_policy::parse_layer(text, "--flags", Layer::Flags)?);
        }
        let config = cowork_policy::merge(&layers)?;
        let workspace = Workspace::open(self.roots, &config.restricted_folders.value)?;
        let policy = PolicyEngine::new(&config)?;

        let audit_path = self.audit_path.unwrap_or_else(|| {
            cowork_audit::configured_audit_path(config.audit_path.value.as_deref())
        });
        let audit_real = real_path(&audit_path);
        for root in workspace.roots() {
            if audit_real.starts_with(&root.path) {
                return Err(CoreError::AuditInsideRoot {
                    path: audit_path,
                    root: root.path.clone(),
                });
            }
        }
        let audit = if config.audit_enabled.value {
            Some(AuditLog::open(
                &audit_path,
                AuditOptions {
                    include_content: config.audit_include_content.value,
                    retention_days: Some(config.audit_retention_days.value),
                },
            )?)
        } else {
            None
        };
        if let Err(refusal) = check_privacy(&config, &model.info()) {
            if let Some(log) = &audit {
                let mut record = AuditEntry::new(
                    AuditKind::SessionStarted,
                    self.user.clone().unwrap_or_default(),
                    "refused",
                );
                record.detail =
                    Some(serde_json::json!({ "refused": refusal, "model": model.info().spec }));
                log.append(record)?;
            }
            return Err(CoreError::Privacy(refusal));
        }
        let default_root = workspace
            .roots()
            .iter()
            .find(|r| r.default)
            .map(|r| r.path.clone())
            .unwrap_or_default();
        let grants = GrantStore::load(&data_dir, &default_root)?;
        remember_roots(&workspace)?;
        let user = self
            .user
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "unknown".to_string());
        let (id, transcript, tainted) = match (&store, &resumed) {
            (Some(store), Some(info)) => (
                info.id.clone(),
                crate::resume::transcript(store, &info.id, &workspace)?,
                info.tainted,
            ),
            _ => (new_id("s"), Transcript::default(), false),
        };
        let context_window = self
            .context_window
            .or_else(|| model.context_window())
            .unwrap_or(crate::compact::DEFAULT_CONTEXT_WINDOW)
            .max(1);
        let max_output =
            crate::compact::max_output(context_window, model.max_output_tokens().map(u64::from));
        let inner = SessionInner {
            id,
            user,
            model,
            config,
            policy,
            workspace,
            registry: self.registry.unwrap_or_else(Registry::builtin),
            audit,
            fence: Fence::new(),
            grants: std::sync::Mutex::new(grants),
            transcript: Mutex::new(transcript),
            outputs: std::sync::Mutex::new(Vec::new()),
            overheads: std::sync::Mutex::new(Vec::new()),
            timeout: self.timeout,
            max_tokens: self.max_tokens,
            audit_error: std::sync::Mutex::new(None),
            tainted: std::sync::atomic::AtomicBool::new(tainted),
            store,
            store_failed: std::sync::atomic::AtomicBool::new(false),
            context_window,
            max_output,
            token_rate: std::sync::Mutex::new(crate::compact::default_rate()),
        };
        inner.record_start(&layers, resumed.is_some())?;
        Ok(Session {
            inner: Arc::new(inner),
        })
    }
}

/// One conversation with a model over a workspace; holds several tasks.
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<SessionInner>,
}

pub(crate) struct SessionInner {
    pub id: SessionId,
    pub user: String,
    pub model: Arc<dyn Model>,
    pub config: EffectiveConfig,
    pub policy: PolicyEngine,
    pub workspace: Workspace,
    pub registry: Registry,
    pub audit: Option<AuditLog>,
    pub fence: Fence,
    pub grants: std::sync::Mutex<GrantStore>,
    /// The conversation so far; held by the running task.
    pub transcript: Mutex<Transcript>,
    pub outputs: std::sync::Mutex<Vec<Output>>,
    /// cowork's own time per action (policy, routing, journal bookkeeping, audit, events),
    /// excluding the tool's work and the person's thinking time.
    pub overheads: std::sync::Mutex<Vec<std::time::Duration>>,
    /// The builder's finer task time limit, if any.
    pub timeout: Option<std::time::Duration>,
    /// Token budget per task, if any.
    pub max_tokens: Option<u64>,
    /// The first failed audit write; once set, nothing more runs in this session (C5).
    pub audit_error: std::sync::Mutex<Option<String>>,
    /// Untrusted content has entered the session's conversation (C4).
    pub tainted: std::sync::atomic::AtomicBool,
    /// Where the session is kept (`None` when the builder turned persistence off).
    pub store: Option<SessionStore>,
    /// A store write failed (reported once).
    pub store_failed: std::sync::atomic::AtomicBool,
    /// The model's context window in tokens.
    pub context_window: u64,
    /// Output tokens a turn may ask for.
    pub max_output: u64,
    /// Tokens per byte of a request, calibrated by the provider's counts.
    pub token_rate: std::sync::Mutex<f64>,
}

impl Session {
    pub fn builder() -> SessionBuilder {
        SessionBuilder {
            roots: Vec::new(),
            model: None,
            mode: None,
            extra_config: None,
            sources: None,
            flag_toml: Vec::new(),
            audit_path: None,
            user: None,
            registry: None,
            timeout: None,
            data_dir: None,
            max_tokens: None,
            resume: None,
            context_window: None,
            persist: true,
        }
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    pub fn config(&self) -> &EffectiveConfig {
        &self.inner.config
    }

    pub fn workspace(&self) -> &Workspace {
        &self.inner.workspace
    }

    pub fn audit_path(&self) -> Option<&Path> {
        self.inner.audit.as_ref().map(AuditLog::path)
    }

    /// The session store this session is kept in, if any.
    pub fn store(&self) -> Option<&SessionStore> {
        self.inner.store.as_ref()
    }

    /// The context window compaction keeps requests within.
    pub fn context_window(&self) -> u64 {
        self.inner.context_window
    }

    /// The conversation as the model will see it next (waits for a running task to end).
    pub async fn transcript(&self) -> Vec<Message> {
        self.inner.transcript.lock().await.messages.clone()
    }

    /// Start a task. Events arrive on the returned handle; tasks of one session run one at a time.
    pub fn run(&self, text: impl Into<String>) -> TaskHandle {
        task::spawn(self.inner.clone(), text.into())
    }

    /// cowork's own time for each action so far, excluding the tool's work and time spent waiting
    /// for the person: the figure the per-action overhead benchmark reports.
    pub fn action_overheads(&self) -> Vec<std::time::Duration> {
        self.inner
            .overheads
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// Every file the session's tasks created or changed so far.
    pub fn outputs(&self) -> Vec<Output> {
        self.inner
            .outputs
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }
}

impl SessionInner {
    /// Append an audit record. A failure is remembered: the orchestrator then refuses to run
    /// anything more, because an action that cannot be audited must not happen (C5).
    pub fn audit(&self, entry: AuditEntry) {
        if let Some(log) = &self.audit
            && let Err(e) = log.append(entry)
            && let Ok(mut slot) = self.audit_error.lock()
            && slot.is_none()
        {
            *slot = Some(format!(
                "the audit log {} cannot be written ({e}); cowork stops rather than act unaudited",
                log.path().display()
            ));
        }
    }

    /// Why the session can no longer act, if an audit write failed.
    pub fn audit_failure(&self) -> Option<String> {
        self.audit_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn entry(&self, kind: AuditKind) -> AuditEntry {
        AuditEntry::new(kind, self.user.clone(), self.id.clone())
    }

    fn record_start(
        &self,
        layers: &[cowork_policy::LayerConfig],
        resumed: bool,
    ) -> Result<(), CoreError> {
        if let Some(log) = &self.audit {
            let mut start = self.entry(AuditKind::SessionStarted);
            start.detail = Some(serde_json::json!({
                "resumed": resumed,
                "model": self.model.info().spec,
                "roots": self.workspace.roots().iter().map(|r| r.path.display().to_string()).collect::<Vec<_>>(),
                "mode": self.config.mode.value.as_str(),
            }));
            log.append(start)?;
            let mut loaded = self.entry(AuditKind::PolicyLoaded);
            loaded.detail = Some(serde_json::json!({
                "layers": layers.iter().map(|l| format!("{}: {}", l.layer, l.origin)).collect::<Vec<_>>(),
                "notes": self.config.notes,
            }));
            log.append(loaded)?;
        }
        Ok(())
    }
}

/// C4: `local_processing_only` admits only local model endpoints, and `data_residency` only
/// providers that declare the same region.
fn check_privacy(config: &EffectiveConfig, model: &cowork_models::ModelInfo) -> Result<(), String> {
    if config.local_processing_only.value && !model.local {
        return Err(format!(
            "privacy.local_processing_only (set {}) forbids the model {}: it is not a local endpoint. \
             Use a local model (ollama:, local:, or a loopback base URL declared local = true)",
            config.local_processing_only.source(),
            model.spec
        ));
    }
    if let Some(required) = &config.data_residency.value
        && !model.local
        && model.region.as_deref() != Some(required.as_str())
    {
        return Err(format!(
            "privacy.data_residency = \"{required}\" (set {}) forbids the model {}: it declares region {}. \
             Configure a provider in {required}, or a local model",
            config.data_residency.source(),
            model.spec,
            model.region.as_deref().unwrap_or("none")
        ));
    }
    Ok(())
}

/// The file in the state dir that names the session's other roots, so that `cowork undo -f DIR`
/// and `cowork history` can reach changes made under `@NAME/…` paths.
pub const ROOTS_FILE: &str = "roots.json";

/// A root as remembered in `<state>/roots.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RememberedRoot {
    pub name: String,
    pub path: PathBuf,
}

fn remember_roots(workspace: &Workspace) -> Result<(), CoreError> {
    let path = workspace.state_dir().join(ROOTS_FILE);
    let mut known = remembered_roots(workspace.state_dir());
    for root in workspace.roots().iter().filter(|r| !r.default) {
        known.retain(|k| k.name != root.name);
        known.push(RememberedRoot {
            name: root.name.clone(),
            path: root.path.clone(),
        });
    }
    let json = serde_json::to_vec_pretty(&known).map_err(|e| CoreError::Grants {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &json)
}

/// The non-default roots sessions of this workspace have used (empty when none or unreadable).
pub fn remembered_roots(state_dir: &Path) -> Vec<RememberedRoot> {
    std::fs::read(state_dir.join(ROOTS_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Where `path` really is: existing components resolved physically (symlinks, `..`), the
/// components that do not exist yet resolved lexically — as creating them will resolve them — so
/// that no spelling of a path inside a root passes for one outside it.
fn real_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut current = PathBuf::from("/");
    let mut physical = true;
    for component in absolute.components() {
        match component {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                if physical {
                    current = current.join("..").canonicalize().unwrap_or_else(|_| {
                        physical = false;
                        current.parent().map(Path::to_path_buf).unwrap_or_default()
                    });
                } else {
                    current.pop();
                }
            }
            Component::Normal(name) => {
                let next = current.join(name);
                match next.canonicalize() {
                    Ok(real) if physical => current = real,
                    _ => {
                        physical = false;
                        current = next;
                    }
                }
            }
        }
    }
    current
}

/// `t-3f9a2c1b`-style ids: short enough to type into `cowork undo --action`.
pub(crate) fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Write a file of cowork's own state atomically: temp file beside it, fsync, rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let io = |source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
