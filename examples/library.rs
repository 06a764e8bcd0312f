//! Drive a cowork session from code: build it, run a task, answer each ask, list the outputs.
//!
//!     cargo run -p cowork-core --example library -- /path/to/folder examples/quarterly/tape.yaml
//!
//! The folder is changed for real (and can be reverted with `cowork undo -f FOLDER`).

use std::sync::Arc;

use cowork_core::Session;
use cowork_core::protocol::{Decision, Event, VerdictDecision};
use cowork_models::TapeModel;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(folder), Some(tape)) = (args.next(), args.next()) else {
        eprintln!("usage: library FOLDER TAPE.yaml");
        std::process::exit(2);
    };
    let session = Session::builder()
        .root(std::fs::canonicalize(&folder)?)
        .model(Arc::new(TapeModel::load(tape.as_ref())?))
        .max_actions(30)
        .build()?;

    let mut task = session.run("Summarize the Q1 sales files and tidy the folder.");
    while let Some(event) = task.next_event().await {
        match &event {
            Event::Commentary { text } => println!("model: {text}"),
            Event::ActionProposed { action } if action.needs_decision() => {
                println!("asks: {} ({})", action.description, action.consequence);
                // A real embedder would show this to the person; here: approve writes, reject deletes.
                let decision = if action.kind == cowork_core::protocol::ActionKind::FileDelete {
                    Decision::Reject {
                        reason: "keep everything for now".into(),
                    }
                } else {
                    Decision::Approve
                };
                task.decide(action.id.clone(), decision)?;
            }
            Event::ActionProposed { action }
                if action.verdict.decision == VerdictDecision::Allow =>
            {
                println!("runs: {}", action.description)
            }
            Event::TaskFinished { summary, .. } => {
                println!(
                    "stopped: {:?} after {} actions",
                    summary.stop, summary.actions
                );
            }
            _ => {}
        }
    }
    for output in session.outputs() {
        println!("output: {:?} {}", output.change, output.absolute);
    }
    Ok(())
}
