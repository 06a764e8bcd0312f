//! A read-only view of the workspace: what tools get while they prepare and run.
//!
//! Tools must change the workspace only through the [`crate::ActionTxn`] the core hands them,
//! scoped to the effects they declared. The view exposes resolving, metadata, reads, listings
//! and the search walk — and nothing that starts a transaction, undoes or empties the trash.

use std::path::PathBuf;

use crate::{EntryMeta, FsError, RootInfo, Workspace, WsPath};

#[derive(Clone, Copy)]
pub struct WorkspaceView<'a> {
    ws: &'a Workspace,
}

impl Workspace {
    /// The read-only view tools receive.
    pub fn view(&self) -> WorkspaceView<'_> {
        WorkspaceView { ws: self }
    }
}

impl WorkspaceView<'_> {
    pub fn roots(&self) -> &[RootInfo] {
        self.ws.roots()
    }
    pub fn resolve(&self, path: &str) -> Result<WsPath, FsError> {
        self.ws.resolve(path)
    }
    pub fn display(&self, p: &WsPath) -> String {
        self.ws.display(p)
    }
    pub fn absolute(&self, p: &WsPath) -> PathBuf {
        self.ws.absolute(p)
    }
    pub fn metadata(&self, p: &WsPath) -> Result<Option<EntryMeta>, FsError> {
        self.ws.metadata(p)
    }
    pub fn read(&self, p: &WsPath, max_bytes: u64) -> Result<Vec<u8>, FsError> {
        self.ws.read(p, max_bytes)
    }
    pub fn read_range(&self, p: &WsPath, offset: u64, len: u64) -> Result<Vec<u8>, FsError> {
        self.ws.read_range(p, offset, len)
    }
    pub fn hash_file(&self, p: &WsPath) -> Result<Option<String>, FsError> {
        self.ws.hash_file(p)
    }
    pub fn list(
        &self,
        p: &WsPath,
        recursive: bool,
        glob: Option<&str>,
        max_entries: usize,
    ) -> Result<(Vec<EntryMeta>, bool), FsError> {
        self.ws.list(p, recursive, glob, max_entries)
    }
    pub fn walk_files(
        &self,
        p: &WsPath,
        glob: Option<&str>,
        max_files: usize,
    ) -> Result<Vec<WsPath>, FsError> {
        self.ws.walk_files(p, glob, max_files)
    }
}
