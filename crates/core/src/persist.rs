//! What a running task writes to the session store, as it happens: its start, each transcript
//! message, each step of each action, its end. A failed write is reported once and the task goes
//! on: the store serves resuming and listing, and the audit log remains the record of actions.

use cowork_models::{Message, Role};
use cowork_protocol::{Event, Provenance, TaskSummary};

use crate::session::SessionInner;
use crate::store::{ActionUpdate, MessageLabels, StoreError, StoredRoot, TaskStart};
use crate::task::TaskRun;
use crate::transcript::{Transcript, result_for};

impl SessionInner {
    /// The roots as the store keeps them.
    pub(crate) fn stored_roots(&self) -> Vec<StoredRoot> {
        self.workspace
            .roots()
            .iter()
            .map(|r| StoredRoot {
                name: r.name.clone(),
                path: r.path.clone(),
                default: r.default,
            })
            .collect()
    }

    /// Tokens per byte for estimates: calibrated by the last real usage, else bytes / 4.
    pub(crate) fn token_rate(&self) -> f64 {
        self.token_rate
            .lock()
            .map(|r| *r)
            .unwrap_or_else(|_| crate::compact::default_rate())
    }

    /// Learn the tokens-per-byte rate from what the provider counted for `request`.
    pub(crate) fn calibrate(
        &self,
        request: &cowork_models::ModelRequest,
        usage: &cowork_protocol::Usage,
    ) {
        let prompt = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens;
        if let Some(rate) =
            crate::compact::calibrate(crate::compact::request_bytes(request), prompt)
            && let Ok(mut slot) = self.token_rate.lock()
        {
            *slot = rate;
        }
    }
}

impl TaskRun {
    /// Report the first failed store write of the session; later ones would only repeat it.
    pub(crate) fn store_failed(&self, e: StoreError) {
        if !self
            .session
            .store_failed
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            self.emit(Event::Error {
                message: format!(
                    "{e}; the session goes on, but what follows may be missing when it is resumed"
                ),
            });
        }
    }

    /// Untrusted content entered the task: the task and the session are tainted (C4), and the
    /// store remembers it so that a resumed session is too.
    pub(crate) fn taint(&mut self) {
        self.tainted = true;
        let was = self
            .session
            .tainted
            .swap(true, std::sync::atomic::Ordering::SeqCst);
        if !was
            && let Some(store) = &self.session.store
            && let Err(e) = store.set_tainted(&self.session.id)
        {
            self.store_failed(e);
        }
    }

    /// The task's text starts the task's record: session row, task row and message together.
    pub(crate) fn record_start(&self, transcript: &mut Transcript, text: &str) {
        let message = Message::user_text(text);
        let seq = transcript.push(message.clone(), Some(&self.id));
        let Some(store) = &self.session.store else {
            return;
        };
        let session = &self.session;
        let start = TaskStart {
            session: &session.id,
            roots: &session.stored_roots(),
            model: &session.model.info().spec,
            user: &session.user,
            task: &self.id,
            text,
            mode: session.config.mode.value.as_str(),
        };
        let labels = MessageLabels {
            source: Some(Provenance::Trusted),
            results: Default::default(),
        };
        if let Err(e) = store.begin_task(&start, seq, &message, &labels) {
            self.store_failed(e);
        }
    }

    /// Add a message to the transcript and record it.
    pub(crate) fn record(
        &self,
        transcript: &mut Transcript,
        message: Message,
        labels: MessageLabels,
    ) {
        let seq = transcript.push(message, Some(&self.id));
        if let (Some(store), Some(message)) = (&self.session.store, transcript.messages.last())
            && let Err(e) =
                store.append_message(&self.session.id, seq, Some(&self.id), message, &labels)
        {
            self.store_failed(e);
        }
    }

    pub(crate) fn record_action(&self, update: &ActionUpdate) {
        if let Some(store) = &self.session.store
            && let Err(e) = store.record_action(update)
        {
            self.store_failed(e);
        }
    }

    pub(crate) fn record_finish(&self, summary: &TaskSummary) {
        if let Some(store) = &self.session.store
            && let Err(e) = store.finish_task(
                &self.id,
                &summary.stop,
                &summary.summary,
                &summary.usage,
                summary.cost_usd,
            )
        {
            self.store_failed(e);
        }
    }

    /// After a timeout, cancel or limit the transcript may end with tool calls whose results were
    /// never sent: pair each with the result it got, or "not run", so the next task sends a valid
    /// conversation that does not hide what already ran.
    pub(crate) fn repair(&mut self, transcript: &mut Transcript) {
        let unanswered = transcript.unanswered();
        if unanswered.is_empty() {
            return;
        }
        let done = std::mem::take(&mut self.pending_results);
        let mut labels = std::mem::take(&mut self.pending_labels);
        labels.results.retain(|id, _| unanswered.contains(id));
        let content = unanswered
            .iter()
            .map(|id| result_for(id, &done, "not run: the task stopped"))
            .collect();
        self.record(
            transcript,
            Message {
                role: Role::User,
                content,
            },
            labels,
        );
    }
}
