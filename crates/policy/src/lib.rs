//! cowork-policy
