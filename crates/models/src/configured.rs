//! A model built from a `[models.NAME]` entry reports what the entry declares.
//!
//! Policy (C4 `local_processing_only`, `data_residency`) reads [`ModelInfo`], compaction reads
//! the context window, cost estimates read the price: the wrapper puts the configuration's
//! declarations in front of what the provider can work out itself, so every provider gets
//! them the same way.

use std::sync::Arc;

use crate::{Model, ModelEntry, ModelInfo, ModelRequest, ModelStream, Price};

/// `inner` with the declarations of `entry` (see the module docs).
pub struct ConfiguredModel {
    inner: Arc<dyn Model>,
    entry: ModelEntry,
}

impl ConfiguredModel {
    pub fn new(inner: Arc<dyn Model>, entry: ModelEntry) -> ConfiguredModel {
        ConfiguredModel { inner, entry }
    }

    pub fn entry(&self) -> &ModelEntry {
        &self.entry
    }
}

impl Model for ConfiguredModel {
    /// `local` is the declared value; without one, the provider's own judgement (true only
    /// for a loopback endpoint, a tape, or a local Ollama).
    fn info(&self) -> ModelInfo {
        let inner = self.inner.info();
        ModelInfo {
            spec: inner.spec,
            local: self.entry.local.unwrap_or(inner.local),
            region: self.entry.region.clone().or(inner.region),
        }
    }

    /// The configured output limit caps every turn: a request asking for more (or for the
    /// provider's default) gets the configured number, since a server rejects a `max_tokens`
    /// above what it serves.
    fn stream(&self, request: &ModelRequest) -> ModelStream {
        match self.entry.max_output_tokens {
            Some(cap) if request.max_output_tokens == 0 || request.max_output_tokens > cap => {
                let mut capped = request.clone();
                capped.max_output_tokens = cap;
                self.inner.stream(&capped)
            }
            Some(_) | None => self.inner.stream(request),
        }
    }

    fn context_window(&self) -> Option<u64> {
        self.entry
            .context_window
            .or_else(|| self.inner.context_window())
    }

    fn max_output_tokens(&self) -> Option<u32> {
        self.entry
            .max_output_tokens
            .or_else(|| self.inner.max_output_tokens())
    }

    fn price(&self) -> Option<Price> {
        self.entry.price.or_else(|| self.inner.price())
    }
}
