//! Human-readable rendering of events on a terminal (or plain text when piped).

use std::io::IsTerminal;

use cowork_protocol::{
    ActionProposal, DecidedBy, Decision, Event, Preview, TaskStop, VerdictDecision,
};

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
}

impl Renderer {
    pub fn new() -> Renderer {
        Renderer {
            style: Style::detect(),
            step: 0,
            steps: 0,
        }
    }

    pub fn event(&mut self, event: &Event) {
        let s = self.style;
        match event {
            Event::TaskStarted {
                task, mode, roots, ..
            } => {
                println!(
                    "{} {task} · mode {mode} · {}",
                    s.bold("cowork"),
                    roots.join(", ")
                );
            }
            Event::Commentary { text } => println!("{}", text.trim()),
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
                    println!("  [{mark}] {}. {}", i + 1, step.title);
                }
            }
            Event::ActionProposed { action } => {
                if action.needs_decision() {
                    print!("{}", describe(action, s));
                } else if action.verdict.decision != VerdictDecision::Deny {
                    println!("{} {}", s.dim("·"), action.description);
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
                    grant.as_deref().unwrap_or("?"),
                    scope.as_str()
                ),
                (DecidedBy::User, Decision::Modify { .. }) => {
                    println!("  {} approved as modified", s.green("✔"))
                }
                (DecidedBy::Grant, _) => println!(
                    "  {} approved by grant {}",
                    s.green("✔"),
                    grant.as_deref().unwrap_or("?")
                ),
                _ => {}
            },
            Event::ActionStarted { tool, .. } => {
                let progress = if self.steps > 0 {
                    format!("step {} of {} · ", self.step.min(self.steps), self.steps)
                } else {
                    String::new()
                };
                eprintln!("{}", s.dim(&format!("  ▸ {progress}running {tool}")));
            }
            Event::ActionFinished { ok, summary, .. } => {
                if *ok {
                    println!("  {} {}", s.green("✓"), summary);
                } else {
                    println!("  {} {}", s.red("✗"), summary);
                }
            }
            Event::ActionSkipped { reason, .. } => println!("  {} {}", s.yellow("–"), reason),
            Event::OutputCreated { output } => println!("  {} {}", s.cyan("→"), output.path),
            Event::Error { message } => eprintln!("{} {message}", s.red("error:")),
            Event::TaskFinished { summary, .. } => {
                if !summary.summary.is_empty() && !matches!(summary.stop, TaskStop::Finished) {
                    println!("{}", summary.summary);
                }
                let status = match &summary.stop {
                    TaskStop::Finished => s.green("finished"),
                    TaskStop::Limit { detail, .. } => s.yellow(&format!("stopped: {detail}")),
                    TaskStop::Cancelled => s.yellow("cancelled"),
                    TaskStop::Failed { error } => s.red(&format!("failed: {error}")),
                };
                println!(
                    "{} · {} actions · {} outputs{}",
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
                    println!("  {:?} {}", output.change, output.absolute);
                }
            }
        }
    }
}

/// The full description of an action waiting for approval: what, why, consequence, preview, policy.
pub fn describe(action: &ActionProposal, s: Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\n{} {} {}\n",
        s.bold("Approve?"),
        s.bold(&action.description),
        s.dim(&format!("[{} · {}]", action.tool, action.id))
    ));
    if !action.reason.is_empty() {
        out.push_str(&format!(
            "  why:    {}\n",
            action.reason.lines().next().unwrap_or_default()
        ));
    }
    out.push_str(&format!("  result: {}\n", action.consequence));
    for effect in &action.effects {
        out.push_str(&format!("  target: {effect}\n"));
    }
    let rules = action.verdict.reasons.join("; ");
    out.push_str(&format!(
        "  policy: {} — {}\n",
        action.verdict.rules.join(", "),
        rules
    ));
    match &action.preview {
        Preview::None => {}
        Preview::Text { text, truncated } => {
            out.push_str("  preview:\n");
            for line in text.lines() {
                out.push_str(&format!("    {}\n", s.green(&format!("+ {line}"))));
            }
            if *truncated {
                out.push_str(&format!("    {}\n", s.dim("… (cut)")));
            }
        }
        Preview::Diff { unified } => {
            out.push_str("  diff:\n");
            for line in unified.lines() {
                let painted = if line.starts_with("+++") || line.starts_with("---") {
                    s.bold(line)
                } else if line.starts_with('+') {
                    s.green(line)
                } else if line.starts_with('-') {
                    s.red(line)
                } else if line.starts_with("@@") {
                    s.cyan(line)
                } else {
                    line.to_string()
                };
                out.push_str(&format!("    {painted}\n"));
            }
        }
        Preview::Ops { ops } => {
            out.push_str("  operations:\n");
            for (i, op) in ops.iter().enumerate() {
                out.push_str(&format!("    {}. {op}\n", i + 1));
            }
        }
    }
    out
}
