//! cowork-fs: the workspace of confined roots (cap-std), atomic journaled writes, the trash and
//! undo (DESIGN §1, §4 C1/C2, §6).
//!
//! Every file access goes through a `cap_std::fs::Dir` opened on a root; nothing built from
//! model input ever reaches an ambient `std::fs` path. Mutations go through an [`ActionTxn`],
//! which only permits the effects the action declared and journals each op before doing it.

mod confined;
mod error;
mod journal;
mod names;
mod read;
mod trash;
mod txn;
mod undo;
mod vfs;
mod view;
mod workspace;
mod wspath;

pub use error::FsError;
pub use journal::{ActionRecord, JournalOp, TaskRecord};
pub use trash::TrashEntry;
pub use txn::ActionTxn;
pub use undo::{UndoReport, UndoTarget};
pub use view::WorkspaceView;
pub use workspace::{STATE_DIR_NAME, Workspace};
pub use wspath::{EntryKind, EntryMeta, RootInfo, RootSpec, WsPath};

#[cfg(test)]
mod assert_traits {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn workspace_is_send_and_sync() {
        send_sync::<super::Workspace>();
    }
}
