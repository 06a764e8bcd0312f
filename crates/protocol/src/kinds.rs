use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A name that is not one of the known values of a closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}`; expected one of: {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in config files, policies, events and the audit log.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        given: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
    };
}

named_enum!(
    /// The policy vocabulary (DESIGN.md §3): what kind of thing an action does.
    ActionKind, "action kind" {
        FileRead = "file_read",
        FileWrite = "file_write",
        FileMove = "file_move",
        FileDelete = "file_delete",
        Summarize = "summarize",
        Draft = "draft",
        DataExtract = "data_extract",
        EmailRead = "email_read",
        EmailDraft = "email_draft",
        EmailSend = "email_send",
        CalendarRead = "calendar_read",
        CalendarWrite = "calendar_write",
        WebSearch = "web_search",
        WebFetch = "web_fetch",
        ExternalShare = "external_share",
        McpCall = "mcp_call",
    }
);

impl ActionKind {
    /// Kinds that only observe: in `interactive` mode they run without asking.
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            ActionKind::FileRead
                | ActionKind::Summarize
                | ActionKind::DataExtract
                | ActionKind::EmailRead
                | ActionKind::CalendarRead
        )
    }
}

named_enum!(
    /// How approvals are obtained (DESIGN.md §4).
    ApprovalMode, "approval mode" {
        /// Reads run; every other action asks unless a grant covers it.
        Interactive = "interactive",
        /// `auto_approve` kinds run; `require_approval` kinds ask; anything else asks.
        Auto = "auto",
        /// As `auto`, but what would ask is skipped and reported at the end.
        Unattended = "unattended",
        /// No side effects; proposed writes are collected as a numbered plan.
        Plan = "plan",
        /// Every non-read is denied.
        ReadOnly = "read-only",
    }
);

impl ApprovalMode {
    /// How strict a mode is; a weaker config layer may only move to a stricter mode.
    pub fn strictness(self) -> u8 {
        match self {
            ApprovalMode::Auto => 0,
            ApprovalMode::Unattended => 1,
            ApprovalMode::Interactive => 2,
            ApprovalMode::Plan => 3,
            ApprovalMode::ReadOnly => 4,
        }
    }
}

named_enum!(
    /// The constitution's principles (DESIGN.md §4), named in verdicts and audit records.
    Principle, "principle" {
        MinimalFootprint = "C1 minimal footprint",
        Reversibility = "C2 reversibility",
        UserAuthority = "C3 user authority",
        Privacy = "C4 privacy",
        Transparency = "C5 transparency",
        Safety = "C6 safety",
    }
);

impl Principle {
    /// The short code, `C1` … `C6`.
    pub fn code(self) -> &'static str {
        match self {
            Principle::MinimalFootprint => "C1",
            Principle::Reversibility => "C2",
            Principle::UserAuthority => "C3",
            Principle::Privacy => "C4",
            Principle::Transparency => "C5",
            Principle::Safety => "C6",
        }
    }

    /// Resolve `C1`…`C6` (case-insensitive) or the full name.
    pub fn from_code(code: &str) -> Option<Principle> {
        Principle::ALL
            .iter()
            .copied()
            .find(|p| p.code().eq_ignore_ascii_case(code) || p.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in ActionKind::ALL {
            assert_eq!(kind.as_str().parse::<ActionKind>(), Ok(*kind));
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        let err = "file_nuke".parse::<ActionKind>().unwrap_err();
        assert!(err.to_string().contains("file_read"), "{err}");
    }

    #[test]
    fn modes_parse_and_order_by_strictness() {
        assert_eq!("read-only".parse(), Ok(ApprovalMode::ReadOnly));
        assert!(ApprovalMode::ReadOnly.strictness() > ApprovalMode::Interactive.strictness());
        assert!(ApprovalMode::Interactive.strictness() > ApprovalMode::Auto.strictness());
        assert_eq!(Principle::from_code("c4"), Some(Principle::Privacy));
    }
}
