use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where an egress effect sends something.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "server")]
pub enum EgressChannel {
    Web,
    Email,
    Share,
    /// An MCP server, by its configured name.
    Mcp(String),
}

impl fmt::Display for EgressChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EgressChannel::Web => f.write_str("web"),
            EgressChannel::Email => f.write_str("email"),
            EgressChannel::Share => f.write_str("share"),
            EgressChannel::Mcp(server) => write!(f, "mcp({server})"),
        }
    }
}

/// What an action would do to the world, resolved for its concrete input before it runs
/// (DESIGN.md §3). Paths are workspace paths: relative to the default root, or `@NAME/…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    Read {
        path: String,
    },
    Create {
        path: String,
        bytes: u64,
    },
    Modify {
        path: String,
    },
    Delete {
        path: String,
    },
    Move {
        from: String,
        to: String,
    },
    Egress {
        channel: EgressChannel,
        destination: String,
        carries_data: bool,
    },
}

impl Effect {
    /// True for effects that change the workspace (everything but reads and egress).
    pub fn mutates_workspace(&self) -> bool {
        matches!(
            self,
            Effect::Create { .. }
                | Effect::Modify { .. }
                | Effect::Delete { .. }
                | Effect::Move { .. }
        )
    }

    /// The workspace paths this effect touches (both ends of a move).
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Effect::Read { path }
            | Effect::Create { path, .. }
            | Effect::Modify { path }
            | Effect::Delete { path } => vec![path.as_str()],
            Effect::Move { from, to } => vec![from.as_str(), to.as_str()],
            Effect::Egress { .. } => Vec::new(),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Read { path } => write!(f, "read {path}"),
            Effect::Create { path, bytes } => write!(f, "create {path} ({bytes} bytes)"),
            Effect::Modify { path } => write!(f, "modify {path}"),
            Effect::Delete { path } => write!(f, "delete {path} (to trash)"),
            Effect::Move { from, to } => write!(f, "move {from} -> {to}"),
            Effect::Egress {
                channel,
                destination,
                carries_data,
            } => write!(
                f,
                "send via {channel} to {destination}{}",
                if *carries_data { " (carries data)" } else { "" }
            ),
        }
    }
}
