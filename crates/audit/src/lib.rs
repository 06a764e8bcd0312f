//! cowork-audit
