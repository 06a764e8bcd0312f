//! The built-in tools, one module each.

mod delete_path;
mod docs;
mod edit_file;
mod list_dir;
mod make_dir;
mod move_path;
mod organize;
mod read_file;
mod search_files;
mod update_plan;
mod write_file;

pub use delete_path::DeletePath;
pub use docs::{
    CreateChart, CreateDocument, CreatePresentation, CreateSpreadsheet, DocumentReader,
    ExtractTables, QueryData, ReadDocument,
};
pub use edit_file::EditFile;
pub use list_dir::ListDir;
pub use make_dir::MakeDir;
pub use move_path::MovePath;
pub use organize::Organize;
pub use read_file::ReadFile;
pub use search_files::SearchFiles;
pub use update_plan::{UpdatePlan, parse_plan};
pub use write_file::WriteFile;

use cowork_fs::EntryKind;

/// "file", "folder", "link", "other" for messages.
pub(crate) fn kind_word(kind: &EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "folder",
        EntryKind::Symlink => "link",
        EntryKind::Other => "special file",
    }
}
