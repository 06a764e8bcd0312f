//! cowork-fs
