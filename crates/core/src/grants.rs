//! Standing approvals (DESIGN.md §5): kind + target pattern + scope + expiry.
//!
//! Task and session grants live in memory. Workspace grants persist in the person's own data
//! directory (`$XDG_DATA_HOME/cowork/grants/<root id>.json`), never inside the workspace: a folder
//! someone shares, syncs or unzips must not be able to bring approvals with it (C3).
//!
//! A grant covers the folder of the approved target (`reports/*`, not `reports/**` and not the whole
//! workspace) and never covers egress: sending data out always asks (C2, C4).

use std::path::{Path, PathBuf};

use cowork_protocol::{ActionKind, Effect, GrantScope};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::CoreError;

/// How long a workspace grant lasts unless revoked.
const WORKSPACE_GRANT_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: String,
    pub kind: ActionKind,
    /// Glob over workspace paths; `*` never crosses a `/` (e.g. `reports/*`).
    pub pattern: String,
    pub scope: GrantScope,
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

impl Grant {
    fn covers(
        &self,
        matcher: &globset::GlobMatcher,
        kind: ActionKind,
        effects: &[Effect],
        task: &str,
        session: &str,
        now: OffsetDateTime,
    ) -> bool {
        if self.kind != kind || !grantable(effects) {
            return false;
        }
        let in_scope = match self.scope {
            GrantScope::Task => self.task.as_deref() == Some(task),
            GrantScope::Session => self.session.as_deref() == Some(session),
            // A persisted grant without a valid expiry is not one cowork wrote: ignore it.
            GrantScope::Workspace => self
                .expires
                .as_deref()
                .and_then(|e| OffsetDateTime::parse(e, &Rfc3339).ok())
                .is_some_and(|t| t > now),
        };
        in_scope
            && effects
                .iter()
                .all(|effect| effect.paths().iter().all(|p| matcher.is_match(p)))
    }
}

/// Whether standing approvals may cover these effects: never for egress (C2, C4).
pub fn grantable(effects: &[Effect]) -> bool {
    !effects.iter().any(|e| matches!(e, Effect::Egress { .. }))
}

/// The pattern a grant for these effects covers: the folder of the first target.
fn pattern_for(effects: &[Effect]) -> String {
    let first = effects.iter().flat_map(|e| e.paths()).next().unwrap_or("");
    match first.rsplit_once('/') {
        Some((dir, _)) => format!("{}/*", globset::escape(dir)),
        None if first.starts_with('@') => format!("{}/*", globset::escape(first)),
        None => "*".to_string(),
    }
}

/// Compile a grant pattern; `None` (matches nothing) when it does not compile.
fn compile(pattern: &str) -> Option<globset::GlobMatcher> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// The grants of one workspace plus the in-memory ones of the running session.
#[derive(Debug)]
pub struct GrantStore {
    path: PathBuf,
    grants: Vec<Grant>,
    /// Each grant's compiled pattern (compiling a glob costs more than the rest of an action).
    matchers: Vec<Option<globset::GlobMatcher>>,
}

impl GrantStore {
    /// The grants of the workspace whose default root is `root`, kept under `data_dir`.
    pub fn load(data_dir: &Path, root: &Path) -> Result<GrantStore, CoreError> {
        let id = blake3::hash(root.as_os_str().as_encoded_bytes()).to_hex();
        let path = data_dir.join("grants").join(format!("{}.json", &id[..16]));
        let grants: Vec<Grant> = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CoreError::Grants {
                path: path.clone(),
                message: format!("{e}; fix or delete the file (it only holds standing approvals)"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(CoreError::Io { path, source }),
        };
        let matchers = grants.iter().map(|g| compile(&g.pattern)).collect();
        Ok(GrantStore {
            path,
            grants,
            matchers,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn list(&self) -> &[Grant] {
        &self.grants
    }

    /// Add a grant for this action's kind over its target's folder; persisted first for the
    /// workspace scope, so a grant that could not be saved is not in force either.
    pub fn add(
        &mut self,
        kind: ActionKind,
        effects: &[Effect],
        scope: GrantScope,
        task: &str,
        session: &str,
    ) -> Result<Grant, CoreError> {
        let now = OffsetDateTime::now_utc();
        let grant = Grant {
            id: format!("g-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            kind,
            pattern: pattern_for(effects),
            scope,
            created: now.format(&Rfc3339).unwrap_or_default(),
            expires: match scope {
                GrantScope::Workspace => (now + time::Duration::days(WORKSPACE_GRANT_DAYS))
                    .format(&Rfc3339)
                    .ok(),
                GrantScope::Task | GrantScope::Session => None,
            },
            task: (scope == GrantScope::Task).then(|| task.to_string()),
            session: (scope == GrantScope::Session).then(|| session.to_string()),
        };
        self.grants.push(grant.clone());
        self.matchers.push(compile(&grant.pattern));
        if scope == GrantScope::Workspace
            && let Err(e) = self.save()
        {
            self.grants.pop();
            self.matchers.pop();
            return Err(e);
        }
        Ok(grant)
    }

    pub fn find(
        &self,
        kind: ActionKind,
        effects: &[Effect],
        task: &str,
        session: &str,
    ) -> Option<&Grant> {
        let now = OffsetDateTime::now_utc();
        self.grants
            .iter()
            .zip(&self.matchers)
            .find(|(g, m)| {
                m.as_ref()
                    .is_some_and(|m| g.covers(m, kind, effects, task, session, now))
            })
            .map(|(g, _)| g)
    }

    pub fn revoke(&mut self, id: &str) -> Result<Grant, CoreError> {
        let index = self
            .grants
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| CoreError::UnknownGrant(id.to_string()))?;
        let grant = self.grants.remove(index);
        self.matchers.remove(index);
        self.save()?;
        Ok(grant)
    }

    /// Persist the workspace grants atomically (temp file + rename).
    fn save(&self) -> Result<(), CoreError> {
        let persisted: Vec<&Grant> = self
            .grants
            .iter()
            .filter(|g| g.scope == GrantScope::Workspace)
            .collect();
        let json = serde_json::to_vec_pretty(&persisted).map_err(|e| CoreError::Grants {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        crate::session::write_atomic(&self.path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(path: &str) -> Vec<Effect> {
        vec![Effect::Create {
            path: path.into(),
            bytes: 1,
        }]
    }

    #[test]
    fn a_grant_covers_the_folder_of_its_target_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = GrantStore::load(dir.path(), Path::new("/ws")).unwrap();
        store
            .add(
                ActionKind::FileWrite,
                &create("reports/q1.md"),
                GrantScope::Task,
                "t",
                "s",
            )
            .unwrap();
        let covers = |p: &str| {
            store
                .find(ActionKind::FileWrite, &create(p), "t", "s")
                .is_some()
        };
        assert!(covers("reports/q2.md"));
        assert!(!covers("reports/sub/q2.md"));
        assert!(!covers("notes.md"));
        assert!(!covers("@other/reports/q2.md"));
        assert!(
            store
                .find(ActionKind::FileDelete, &create("reports/q2.md"), "t", "s")
                .is_none()
        );
        assert!(
            store
                .find(ActionKind::FileWrite, &create("reports/q2.md"), "t2", "s")
                .is_none()
        );
    }

    #[test]
    fn egress_is_never_granted_and_unexpiring_workspace_grants_are_ignored() {
        let egress = vec![Effect::Egress {
            channel: cowork_protocol::EgressChannel::Web,
            destination: "example.com".into(),
            carries_data: true,
        }];
        assert!(!grantable(&egress));
        let dir = tempfile::tempdir().unwrap();
        let mut store = GrantStore::load(dir.path(), Path::new("/ws")).unwrap();
        store
            .add(
                ActionKind::FileWrite,
                &create("a.md"),
                GrantScope::Workspace,
                "t",
                "s",
            )
            .unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        let planted = text.replace("\"expires\"", "\"expired_not\"");
        std::fs::write(store.path(), planted).unwrap();
        let reloaded = GrantStore::load(dir.path(), Path::new("/ws")).unwrap();
        assert_eq!(reloaded.list().len(), 1);
        assert!(
            reloaded
                .find(ActionKind::FileWrite, &create("b.md"), "t", "s")
                .is_none()
        );
    }
}
