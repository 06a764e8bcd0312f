//! The one error type of this crate, and source positions for it.

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column in a config or policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The line and column of byte `offset` in `text` (clamped to the text, columns in chars).
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Location { line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// `origin:line:column` when the position is known, else `origin`.
fn at(origin: &str, location: &Option<Location>) -> String {
    match location {
        Some(loc) => format!("{origin}:{loc}"),
        None => origin.to_string(),
    }
}

/// Everything that can go wrong loading config, compiling or checking policies.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A config or Cedar file is malformed. `message` says what is wrong and how to fix it.
    #[error("{}: {message}", at(origin, location))]
    Invalid {
        /// The file path (or `--approval` for a flag).
        origin: String,
        location: Option<Location>,
        message: String,
    },
    /// A file exists (or must exist) but could not be read.
    #[error("cannot read {}: {source}; check that the file exists and is readable", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The organization policy file is named (by `$COWORK_ORG_POLICY`) but missing: running
    /// without it would silently drop the administrator's rules.
    #[error(
        "organization policy {} does not exist; create it or point $COWORK_ORG_POLICY at the right file",
        path.display()
    )]
    MissingOrgPolicy { path: PathBuf },
    /// An explicitly named config file (`--config FILE`) is missing.
    #[error("config file {} (from --config) does not exist; check the path", path.display())]
    MissingConfig { path: PathBuf },
    /// A bug in cowork: the built-in rules did not compile.
    #[error(
        "internal error compiling the built-in policy rule `{rule}`: {message}; please report this bug"
    )]
    Internal { rule: String, message: String },
}

impl PolicyError {
    pub(crate) fn invalid(
        origin: &str,
        location: Option<Location>,
        message: impl Into<String>,
    ) -> Self {
        PolicyError::Invalid {
            origin: origin.to_string(),
            location,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let text = "a = 1\n[limits]\nmax = 2\n";
        assert_eq!(
            Location::from_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::from_offset(text, 6),
            Location { line: 2, column: 1 }
        );
        assert_eq!(
            Location::from_offset(text, 21),
            Location { line: 3, column: 7 }
        );
        assert_eq!(Location::from_offset(text, 999).line, 4);
        assert_eq!(
            Location::from_offset("é=1", 1),
            Location { line: 1, column: 1 }
        );
    }
}
