//! cowork-tools
