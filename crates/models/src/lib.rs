//! cowork-models
