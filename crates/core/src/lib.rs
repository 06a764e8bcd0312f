//! cowork-core
