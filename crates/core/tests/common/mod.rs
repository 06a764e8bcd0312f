//! Test harness: temporary workspaces, explicit config layers, a recording tape model.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cowork_core::Session;
use cowork_core::protocol::{ActionProposal, Decision, Event, TaskSummary};
use cowork_models::{Model, ModelInfo, ModelRequest, ModelStream, Tape, TapeModel};
use cowork_policy::ConfigSources;

/// A tape model that also keeps every request it was sent, so tests can assert what the model saw.
pub struct Recorder {
    tape: TapeModel,
    pub requests: Mutex<Vec<ModelRequest>>,
}

impl Model for Recorder {
    fn info(&self) -> ModelInfo {
        self.tape.info()
    }
    fn stream(&self, request: &ModelRequest) -> ModelStream {
        self.requests.lock().unwrap().push(request.clone());
        self.tape.stream(request)
    }
}

impl Recorder {
    pub fn new(tape: &str) -> Recorder {
        let tape = Tape::parse(tape, Path::new("test.yaml")).unwrap();
        Recorder {
            tape: TapeModel::from_tape("test.yaml", tape),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// All tool_result texts the model received, in order.
    pub fn tool_results(&self) -> Vec<(String, bool)> {
        let requests = self.requests.lock().unwrap();
        let Some(last) = requests.last() else {
            return Vec::new();
        };
        last.messages
            .iter()
            .flat_map(|m| m.content.iter())
            .filter_map(|b| match b {
                cowork_models::ContentBlock::ToolResult {
                    content, is_error, ..
                } => Some((content.clone(), *is_error)),
                _ => None,
            })
            .collect()
    }
}

pub struct Harness {
    pub root: PathBuf,
    pub audit: PathBuf,
    /// The person's data dir (workspace grants).
    pub data: PathBuf,
    pub org: Option<PathBuf>,
    pub user: Option<PathBuf>,
    _dirs: Vec<tempfile::TempDir>,
}

impl Harness {
    pub fn new() -> Harness {
        let ws = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let root = ws.path().canonicalize().unwrap().join("work");
        std::fs::create_dir(&root).unwrap();
        Harness {
            root,
            audit: state.path().join("audit/audit.jsonl"),
            data: state.path().join("data"),
            org: None,
            user: None,
            _dirs: vec![ws, state],
        }
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(rel)).ok()
    }

    /// An organization policy file for this harness.
    pub fn org_policy(&mut self, toml: &str) -> PathBuf {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, toml).unwrap();
        self.org = Some(path.clone());
        self._dirs.push(dir);
        path
    }

    pub fn user_config(&mut self, toml: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, toml).unwrap();
        self.user = Some(path);
        self._dirs.push(dir);
    }

    pub fn sources(&self) -> ConfigSources {
        let workspace = self.root.join(".cowork/config.toml");
        ConfigSources {
            org: self.org.clone(),
            user: self.user.clone(),
            workspace: Some(workspace),
        }
    }

    pub fn builder(&self, tape: &str) -> (cowork_core::SessionBuilder, Arc<Recorder>) {
        let recorder = Arc::new(Recorder::new(tape));
        (self.builder_for(recorder.clone()), recorder)
    }

    /// A session builder over this harness's workspace, data dir and audit log, for any model.
    pub fn builder_for(&self, model: Arc<dyn Model>) -> cowork_core::SessionBuilder {
        Session::builder()
            .root(&self.root)
            .model(model)
            .config_sources(self.sources())
            .audit_path(&self.audit)
            .data_dir(&self.data)
            .user("tester")
    }

    pub fn session(&self, tape: &str) -> (Session, Arc<Recorder>) {
        let (builder, recorder) = self.builder(tape);
        (builder.build().unwrap(), recorder)
    }

    pub fn audit_kinds(&self) -> Vec<String> {
        cowork_audit::read_records(&self.audit)
            .unwrap()
            .iter()
            .map(|r| {
                serde_json::to_value(r.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }
}

/// Run a task to its end, answering each ask with `answer`. Returns all events, the asks and the summary.
pub async fn drive(
    session: &Session,
    text: &str,
    mut answer: impl FnMut(&ActionProposal) -> Decision,
) -> (Vec<Event>, Vec<ActionProposal>, TaskSummary) {
    let mut task = session.run(text);
    let mut events = Vec::new();
    let mut asks = Vec::new();
    while let Some(event) = task.next_event().await {
        if let Event::ActionProposed { action } = &event
            && action.needs_decision()
        {
            asks.push((**action).clone());
            task.decide(action.id.clone(), answer(action)).unwrap();
        }
        let done = matches!(event, Event::TaskFinished { .. });
        events.push(event);
        if done {
            break;
        }
    }
    let Some(Event::TaskFinished { summary, .. }) = events.last().cloned() else {
        panic!("no task_finished: {events:?}")
    };
    (events, asks, summary)
}

pub fn approve(_: &ActionProposal) -> Decision {
    Decision::Approve
}
