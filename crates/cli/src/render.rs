//! Human-readable rendering of events on a terminal (or plain text when piped).

use std::io::IsTerminal;

use cowork_protocol::{
    ActionProposal, DecidedBy, Decision, Event, Preview, TaskStop, VerdictDecision,
};

use crate::sanitize::clean;

/// ANSI styling, off when stdout is not a terminal or NO_COLOR is set.
#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    pub fn detect() -> Style {
        Style {
            on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(self, t: &str) -> String {
        self.paint("2", t)
    }
    pub fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn cyan(self, t: &str) -> String {
        self.paint("36", t)
    }
}

pub struct Renderer {
    style: Style,
    step: usize,
    steps: usize,
    /// The session of the task shown, to say how to continue it.
    session: Option<String>,
}

impl Renderer {
    pub fn new() -> Renderer {
        Renderer {
            style: Style::detect(),
            step: 0,
            steps: 0,
            session: None,
        }
    }

    pub fn event(&mut self, event: &Event) {
        let s = self.style;
        match event {
            Event::TaskStarted {
                task,
                session,
                mode,
                roots,
                ..
            } => {
                self.session = Some(session.clone());
                println!(
                    "{} {} · mode {mode} · {}",
                    s.bold("cowork"),
                    clean(task),
                    clean(&roots.join(", "))
                );
            }
            Event::Commentary { text } => println!("{}", clean(text.trim())),
            Event::PlanUpdated { steps } => {
                self.steps = steps.len();
                self.step = steps
                    .iter()
                    .position(|st| st.status != cowork_protocol::PlanStepStatus::Done)
                    .map_or(steps.len(), |i| i + 1);
                println!("{}", s.bold("Plan:"));
                for (i, step) in steps.iter().enumerate() {
                    let mark = match step.status {
                        cowork_protocol::PlanStepStatus::Done => "x",
                        cowork_protocol::PlanStepStatus::InProgress => ">",
                        cowork_protocol::PlanStepStatus::Pending => " ",
                    };
                    println!("  [{mark}] {}. {}", i + 1, clean(&step.title));
                }
            }
            Event::ActionProposed { action } => {
                if action.needs_decision() {
                    print!("{}", describe(action, s));
                } else if action.verdict.decision != VerdictDecision::Deny {
                    println!("{} {}", s.dim("·"), clean(&action.description));
                }
            }
            Event::ActionDecided {
                decision,
                decided_by,
                grant,
                ..
            } => match (decided_by, decision) {
                (DecidedBy::User, Decision::Approve) => println!("  {} approved", s.green("✔")),
                (DecidedBy::User, Decision::ApproveFor { scope }) => println!(
                    "  {} approved; grant {} covers this kind of action for the {}",
                    s.green("✔"),
                    clean(grant.as_deref().unwrap_or("?")),
                    scope.as_str()
                ),
                (DecidedBy::User, Decision::Modify { .. }) => {
                    println!("  {} approved as modified", s.green("✔"))
                }
                (DecidedBy::Grant, _) => println!(
                    "  {} approved by grant {}",
                    s.green("✔"),
                    clean(grant.as_deref().unwrap_or("?"))
                ),
                _ => {}
            },
            Event::ActionStarted { tool, .. } => {
                let progress = if self.steps > 0 {
                    format!("step {} of {} · ", self.step.min(self.steps), self.steps)
                } else {
                    String::new()
                };
                let tool = clean(tool);
                eprintln!("{}", s.dim(&format!("  ▸ {progress}running {tool}")));
            }
            Event::ActionFinished { ok, summary, .. } => {
                if *ok {
                    println!("  {} {}", s.green("✓"), clean(summary));
                } else {
                    println!("  {} {}", s.red("✗"), clean(summary));
                }
            }
            Event::ActionSkipped { reason, .. } => {
                println!("  {} {}", s.yellow("–"), clean(reason))
            }
            Event::OutputCreated { output } => {
                println!("  {} {}", s.cyan("→"), clean(&output.path))
            }
            Event::Error { message } => eprintln!("{} {}", s.red("error:"), clean(message)),
            Event::ContextCompacted {
                replaced,
                summarized,
                tokens_before,
                tokens_after,
                ..
            } => {
                let how = if *summarized {
                    "summarized"
                } else {
                    "dropped (the summary failed)"
                };
                eprintln!(
                    "{}",
                    s.dim(&format!(
                        "  · {replaced} earlier messages {how} to fit the model's context \
                         (~{tokens_before} → ~{tokens_after} tokens)"
                    ))
                );
            }
            Event::TaskFinished { summary, .. } => {
                if !summary.summary.is_empty() && !matches!(summary.stop, TaskStop::Finished) {
                    println!("{}", clean(&summary.summary));
                }
                let status = match &summary.stop {
                    TaskStop::Finished => s.green("finished"),
                    TaskStop::Limit { detail, .. } => {
                        s.yellow(&format!("stopped: {}", clean(detail)))
                    }
                    TaskStop::Cancelled => s.yellow("cancelled"),
                    TaskStop::Failed { error } => s.red(&format!("failed: {}", clean(error))),
                };
                let u = &summary.usage;
                let tokens = if u.input_tokens + u.output_tokens > 0 {
                    let cached = if u.cache_read_tokens > 0 {
                        format!(", {} cached", u.cache_read_tokens)
                    } else {
                        String::new()
                    };
                    let cost = summary
                        .cost_usd
                        .map(|c| format!(" · ≈ ${c:.4}"))
                        .unwrap_or_default();
                    format!(
                        " · {} tokens in, {} out{cached}{cost}",
                        u.input_tokens, u.output_tokens
                    )
                } else {
                    String::new()
                };
                println!(
                    "{} · {} actions · {} outputs{}{tokens}",
                    status,
                    summary.actions,
                    summary.outputs.len(),
                    if summary.skipped.is_empty() {
                        String::new()
                    } else {
                        format!(" · {} skipped", summary.skipped.len())
                    }
                );
                for output in &summary.outputs {
                    println!("  {:?} {}", output.change, clean(&output.absolute));
                }
                if let Some(session) = &self.session {
                    println!(
                        "{}",
                        s.dim(&format!(
                            "session {} · continue it with: cowork run --resume {} TASK",
                            clean(session),
                            clean(session)
                        ))
                    );
                }
            }
        }
    }
}

/// The full description of an action waiting for approval: what, why, consequence, preview, policy.
/// Every string in it may come from the model or a file, so each is [`clean`]ed before styling.
pub fn describe(action: &ActionProposal, s: Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\n{} {} {}\n",
        s.bold("Approve?"),
        s.bold(&clean(&action.description)),
        s.dim(&clean(&format!("[{} · {}]", action.tool, action.id)))
    ));
    if !action.reason.is_empty() {
        out.push_str(&format!(
            "  why:    {}\n",
            clean(action.reason.lines().next().unwrap_or_default())
        ));
    }
    out.push_str(&format!("  result: {}\n", clean(&action.consequence)));
    for effect in &action.effects {
        out.push_str(&format!("  target: {}\n", clean(&effect.to_string())));
    }
    out.push_str(&format!(
        "  policy: {} — {}\n",
        clean(&action.verdict.rules.join(", ")),
        clean(&action.verdict.reasons.join("; "))
    ));
    match &action.preview {
        Preview::None => {}
        Preview::Text { text, truncated } => {
            out.push_str("  preview:\n");
            for line in text.lines() {
                out.push_str(&format!("    {}\n", s.green(&format!("+ {}", clean(line)))));
            }
            if *truncated {
                out.push_str(&format!("    {}\n", s.dim("… (cut)")));
            }
        }
        Preview::Diff { unified } => {
            out.push_str("  diff:\n");
            for line in unified.lines() {
                let line = clean(line);
                let painted = if line.starts_with("+++") || line.starts_with("---") {
                    s.bold(&line)
                } else if line.starts_with('+') {
                    s.green(&line)
                } else if line.starts_with('-') {
                    s.red(&line)
                } else if line.starts_with("@@") {
                    s.cyan(&line)
                } else {
                    line.into_owned()
                };
                out.push_str(&format!("    {painted}\n"));
            }
        }
        Preview::Ops { ops } => {
            out.push_str("  operations:\n");
            for (i, op) in ops.iter().enumerate() {
                out.push_str(&format!("    {}. {}\n", i + 1, clean(op)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use cowork_protocol::{
        ActionKind, ActionProposal, DecisionOption, Effect, Preview, Verdict, VerdictDecision,
    };

    use super::{Style, describe};

    const ESC: &str = "\u{1b}[2K\u{1b}[1A";

    fn hostile(preview: Preview) -> ActionProposal {
        ActionProposal {
            id: format!("a-1{ESC}"),
            tool: format!("write_file{ESC}"),
            kind: ActionKind::FileWrite,
            input: serde_json::json!({}),
            reason: format!("because{ESC}\u{202e}"),
            description: format!("create a.md{ESC}"),
            consequence: format!("creates a.md{ESC}"),
            effects: vec![Effect::Create {
                path: format!("a{ESC}.md"),
                bytes: 1,
            }],
            preview,
            verdict: Verdict {
                decision: VerdictDecision::Ask,
                rules: vec![format!("rule{ESC}")],
                principles: vec![],
                reasons: vec![format!("asks{ESC}\u{2066}")],
            },
            options: vec![DecisionOption::Approve, DecisionOption::Reject],
            hash: String::new(),
        }
    }

    #[test]
    fn describe_escapes_every_untrusted_field() {
        for preview in [
            Preview::Text {
                text: format!("line{ESC}\nnext\u{9b}"),
                truncated: false,
            },
            Preview::Diff {
                unified: format!("--- a\n+++ b\n@@ -1 +1 @@\n-old{ESC}\n+new{ESC}\n"),
            },
            Preview::Ops {
                ops: vec![format!("move x{ESC} -> y")],
            },
        ] {
            let plain = describe(&hostile(preview.clone()), Style { on: false });
            assert!(!plain.contains('\u{1b}'), "{plain:?}");
            assert!(!plain.contains('\u{202e}') && !plain.contains('\u{2066}'));
            assert!(!plain.contains('\u{9b}'));
            assert!(plain.contains("\\u{1b}[2K"), "{plain}");
            // With colour on, the only escapes left are our own SGR codes.
            let coloured = describe(&hostile(preview), Style { on: true });
            assert!(!coloured.contains("\u{1b}[2K"), "{coloured:?}");
            assert!(!coloured.contains("\u{1b}[1A"), "{coloured:?}");
        }
    }
}
