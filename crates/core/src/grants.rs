//! Standing approvals (DESIGN.md §5): kind + target pattern + scope + expiry.
//! Task and session grants live in memory; workspace grants persist in `<state>/grants.json`.

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
    /// Glob over workspace paths (`**` = anywhere) or, for egress, the destination host.
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
        if self.kind != kind {
            return false;
        }
        match self.scope {
            GrantScope::Task if self.task.as_deref() != Some(task) => return false,
            GrantScope::Session if self.session.as_deref() != Some(session) => return false,
            _ => {}
        }
        if let Some(expires) = &self.expires {
            match OffsetDateTime::parse(expires, &Rfc3339) {
                Ok(t) if t > now => {}
                _ => return false,
            }
        }
        effects.iter().all(|effect| match effect {
            Effect::Egress { destination, .. } => destination.eq_ignore_ascii_case(&self.pattern),
            other => other.paths().iter().all(|p| matcher.is_match(p)),
        })
    }
}

/// The grants of one workspace plus the in-memory ones of the running session.
#[derive(Debug)]
pub struct GrantStore {
    path: PathBuf,
    grants: Vec<Grant>,
    /// Each grant's compiled pattern (compiling a glob costs more than the rest of an action);
    /// `None` for a pattern that does not compile, which then matches nothing.
    matchers: Vec<Option<globset::GlobMatcher>>,
}

fn compile(pattern: &str) -> Option<globset::GlobMatcher> {
    globset::Glob::new(pattern)
        .ok()
        .map(|g| g.compile_matcher())
}

impl GrantStore {
    pub fn load(state_dir: &Path) -> Result<GrantStore, CoreError> {
        let path = state_dir.join("grants.json");
        let grants = match std::fs::read(&path) {
            Ok(bytes) => {
                let persisted: Vec<Grant> =
                    serde_json::from_slice(&bytes).map_err(|e| CoreError::Grants {
                        path: path.clone(),
                        message: format!(
                            "{e}; fix or delete the file (it only holds standing approvals)"
                        ),
                    })?;
                persisted
            }
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

    pub fn list(&self) -> &[Grant] {
        &self.grants
    }

    /// Add a grant for this action's kind, covering its targets from now on.
    pub fn add(
        &mut self,
        kind: ActionKind,
        effects: &[Effect],
        scope: GrantScope,
        task: &str,
        session: &str,
    ) -> Result<Grant, CoreError> {
        let now = OffsetDateTime::now_utc();
        let pattern = effects
            .iter()
            .find_map(|e| match e {
                Effect::Egress { destination, .. } => Some(destination.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "**".to_string());
        let grant = Grant {
            id: format!("g-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            kind,
            pattern,
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
        self.matchers.push(compile(&grant.pattern));
        self.grants.push(grant.clone());
        if scope == GrantScope::Workspace {
            self.save()?;
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
