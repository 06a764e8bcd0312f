//! The interactive approval prompt: approve, approve for a scope, modify in $EDITOR, reject.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use cowork_protocol::{ActionProposal, Decision, DecisionOption, GrantScope};

use crate::sanitize::clean;

/// Ask the person on the terminal until they give a valid answer.
pub fn ask(action: &ActionProposal) -> Result<Decision> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let menu = menu(&action.options);
    loop {
        print!("  {menu} > ");
        std::io::stdout()
            .flush()
            .context("cannot write the prompt")?;
        let Some(answer) = read_line(&mut input)? else {
            return Ok(Decision::Reject {
                reason: "the terminal closed before an answer".into(),
            });
        };
        let offered = |option: DecisionOption| action.options.contains(&option);
        match answer.trim().to_ascii_lowercase().as_str() {
            "a" | "approve" | "y" | "yes" if offered(DecisionOption::Approve) => {
                return Ok(Decision::Approve);
            }
            "t" | "task" if offered(DecisionOption::ApproveFor(GrantScope::Task)) => {
                return Ok(Decision::ApproveFor {
                    scope: GrantScope::Task,
                });
            }
            "s" | "session" if offered(DecisionOption::ApproveFor(GrantScope::Session)) => {
                return Ok(Decision::ApproveFor {
                    scope: GrantScope::Session,
                });
            }
            "w" | "workspace" if offered(DecisionOption::ApproveFor(GrantScope::Workspace)) => {
                return Ok(Decision::ApproveFor {
                    scope: GrantScope::Workspace,
                });
            }
            "m" | "modify" if offered(DecisionOption::Modify) => match modify(&action.input) {
                Ok(Some(input)) => return Ok(Decision::Modify { input }),
                Ok(None) => println!("  input unchanged; choose again"),
                // The error may quote the edited file (serde) or the editor's name: clean it.
                Err(e) => println!("  {}; choose again", clean(&format!("{e:#}"))),
            },
            "r" | "reject" | "n" | "no" => {
                print!("  reason (sent to the model, optional) > ");
                std::io::stdout()
                    .flush()
                    .context("cannot write the prompt")?;
                let reason = read_line(&mut input)?.unwrap_or_default();
                let reason = reason.trim();
                return Ok(Decision::Reject {
                    reason: if reason.is_empty() {
                        "rejected by the person".to_string()
                    } else {
                        reason.to_string()
                    },
                });
            }
            // Echoed input may hold pasted escape sequences; show them, do not run them.
            other => println!("  `{}` is not one of the choices", clean(other)),
        }
    }
}

fn read_line(input: &mut impl BufRead) -> Result<Option<String>> {
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .context("cannot read from the terminal")?;
    Ok((n > 0).then_some(line))
}

fn menu(options: &[DecisionOption]) -> String {
    let mut parts = Vec::new();
    for option in options {
        parts.push(match option {
            DecisionOption::Approve => "[a]pprove",
            DecisionOption::ApproveFor(GrantScope::Task) => "approve for [t]ask",
            DecisionOption::ApproveFor(GrantScope::Session) => "[s]ession",
            DecisionOption::ApproveFor(GrantScope::Workspace) => "[w]orkspace",
            DecisionOption::Modify => "[m]odify",
            DecisionOption::Reject => "[r]eject",
        });
    }
    parts.join("  ")
}

/// Open $VISUAL/$EDITOR (default `vi`) on the input as pretty JSON; `None` when unchanged.
fn modify(input: &serde_json::Value) -> Result<Option<serde_json::Value>> {
    let before = serde_json::to_string_pretty(input).context("cannot encode the input")?;
    let mut file = tempfile::Builder::new()
        .prefix("cowork-input-")
        .suffix(".json")
        .tempfile()
        .context("cannot create a temporary file")?;
    file.write_all(before.as_bytes())
        .context("cannot write the temporary file")?;
    file.flush().context("cannot write the temporary file")?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    // The editor command may carry arguments ("code --wait"): run it through the shell.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("cowork-editor")
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`; set $EDITOR"))?;
    if !status.success() {
        anyhow::bail!("the editor `{editor}` exited with {status}");
    }
    let after = std::fs::read_to_string(file.path()).context("cannot read the edited input")?;
    if after.trim() == before.trim() {
        return Ok(None);
    }
    let value: serde_json::Value =
        serde_json::from_str(&after).context("the edited input is not valid JSON")?;
    Ok(Some(value))
}
