//! cowork's core: sessions, the task loop, and the one orchestrator every action goes through.
//!
//! ```text
//! Session::builder().root(..).model(..).build()?   -> Session
//! session.run("task")                               -> TaskHandle (a Stream of Events)
//! handle.decide(action_id, Decision::Approve)        answers an ActionProposed that asks
//! ```
//! Every tool call becomes an action that goes resolve → preview → policy → decision → journal →
//! execute → audit in [`orchestrator`]; tools receive a journal transaction that only permits the
//! effects they declared, so no tool can act outside that path.

mod compact;
mod context;
mod error;
mod grants;
mod orchestrator;
mod persist;
mod resume;
mod session;
mod store;
mod task;
mod transcript;

pub use context::Fence;
pub use cowork_audit::default_data_dir;
pub use error::CoreError;
pub use grants::{Grant, GrantStore};
pub use session::{RememberedRoot, Session, SessionBuilder, remembered_roots};
pub use store::{
    ActionInfo, ActionStatus, CompactionInfo, MessageLabels, STORE_FILE, SessionDetail,
    SessionInfo, SessionStore, StoreError, StoredMessage, StoredRoot, TaskInfo, TaskStatus,
};
pub use task::TaskHandle;

pub use cowork_protocol as protocol;
