//! Sessions that last, end to end: `cowork sessions`, `run --resume`, and a run killed with
//! SIGKILL mid-task that resumes without losing or repeating anything.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(env.ws()).unwrap();
        std::fs::write(env.dir.path().join("org-policy.toml"), "").unwrap();
        env
    }
    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }
    fn audit(&self) -> PathBuf {
        self.dir.path().join("data/cowork/audit/audit.jsonl")
    }
    fn tape(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        format!("tape:{}", path.display())
    }
    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cowork"));
        cmd.env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("COWORK_ORG_POLICY", self.dir.path().join("org-policy.toml"))
            .env("NO_COLOR", "1")
            .env_remove("COWORK_MODEL")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        cmd
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const TWO_FILES: &str = "turns:\n  - say: Two files.\n    call:\n      - {tool: write_file, input: {path: a.md, content: \"one\\n\"}}\n      - {tool: write_file, input: {path: b.md, content: \"two\\n\"}}\n  - say: Done.\n";

#[test]
fn a_run_killed_mid_task_resumes_without_losing_or_repeating_anything() {
    let env = Env::new();
    let tape = env.tape("first.yaml", TWO_FILES);
    let ws = env.ws();
    let mut child = env
        .cmd()
        .args([
            "run",
            "--json",
            "-f",
            ws.to_str().unwrap(),
            "-m",
            &tape,
            "write two",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut session = None;
    let mut first_action = None;
    let mut first_done = false;
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        match event["type"].as_str().unwrap() {
            "task_started" => session = event["session"].as_str().map(str::to_string),
            "action_proposed" if !event["action"]["options"].as_array().unwrap().is_empty() => {
                let id = event["action"]["id"].as_str().unwrap().to_string();
                if first_action.is_none() {
                    writeln!(
                        stdin,
                        r#"{{"type":"decision","action":"{id}","decision":"approve"}}"#
                    )
                    .unwrap();
                    stdin.flush().unwrap();
                    first_action = Some(id);
                } else {
                    // The second write waits for its approval, the first has run: kill -9 now.
                    assert!(
                        first_done,
                        "the first write finished before the second was proposed"
                    );
                    child.kill().unwrap();
                    break;
                }
            }
            "action_finished" if event["action"].as_str() == first_action.as_deref() => {
                assert_eq!(event["ok"], true, "{event}");
                first_done = true;
            }
            "task_finished" => panic!("the task ended before it could be killed: {event}"),
            _ => {}
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");
    drop(stdin);
    let session = session.expect("task_started names the session");
    assert_eq!(std::fs::read_to_string(ws.join("a.md")).unwrap(), "one\n");
    assert!(!ws.join("b.md").exists());

    // Nothing recorded was lost: the killed task is listed, interrupted, with its executed write.
    let detail = env.json(&["sessions", "show", &session, "--json"]);
    let task = &detail["tasks"][0];
    assert_eq!(task["status"], "interrupted", "{detail:#}");
    assert_eq!(task["actions"][0]["status"], "executed", "{detail:#}");
    assert_eq!(task["actions"][0]["decided_by"], "user");

    // Resume with a model that proposes the second write again (it asks again: approved).
    let tape = env.tape(
        "second.yaml",
        "turns:\n  - say: Writing b again.\n    call:\n      - {tool: write_file, input: {path: b.md, content: \"two\\n\"}}\n  - say: Both written.\n",
    );
    let out = env.run(&[
        "run", "--resume", &session, "-m", &tape, "--on-ask", "approve", "continue",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(ws.join("a.md")).unwrap(), "one\n");
    assert_eq!(std::fs::read_to_string(ws.join("b.md")).unwrap(), "two\n");

    // a.md was written exactly once, in the killed run; b.md once, in the resumed one.
    let audit = std::fs::read_to_string(env.audit()).unwrap();
    let executed = |path: &str| {
        audit
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["kind"] == "action_executed" && r["effects"].to_string().contains(path))
            .count()
    };
    assert_eq!(executed("a.md"), 1, "{audit}");
    assert_eq!(executed("b.md"), 1, "{audit}");

    // The conversation kept the earlier turns and says what became of each call.
    let detail = env.json(&["sessions", "show", &session, "--json"]);
    let transcript = detail["transcript"].as_array().unwrap();
    assert_eq!(transcript[0]["content"][0]["text"], "write two");
    assert_eq!(transcript[1]["role"], "assistant");
    assert_eq!(transcript[1]["content"][1]["type"], "tool_use");
    let results = &transcript[2]["content"];
    assert_eq!(results[0]["is_error"], false, "{results:#}");
    let done = results[0]["content"].as_str().unwrap();
    assert!(
        done.contains("a.md") && done.contains("It was not run again"),
        "{done}"
    );
    let not_run = results[1]["content"].as_str().unwrap();
    assert!(
        not_run.starts_with("not run: the session stopped"),
        "{not_run}"
    );
    assert_eq!(transcript[3]["content"][0]["text"], "continue");
    let tasks = detail["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["status"], "interrupted");
    assert_eq!(tasks[0]["actions"][0]["status"], "executed");
    assert_eq!(tasks[0]["actions"][1]["status"], "interrupted");
    assert_eq!(tasks[1]["status"], "finished");
    assert_eq!(tasks[1]["actions"][0]["status"], "executed");
}

#[test]
fn sessions_lists_shows_and_deletes() {
    let env = Env::new();
    let out = env.run(&["sessions"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("no sessions yet"), "{}", text(&out));
    assert_eq!(env.json(&["sessions", "--json"]), serde_json::json!([]));

    let tape = env.tape("t.yaml", "turns:\n  - say: Nothing to do.\n");
    let ws = env.ws();
    for task in ["tidy my notes", "and now the rest"] {
        let mut args = vec!["run", "-f", ws.to_str().unwrap(), "-m", &tape, task];
        if task != "tidy my notes" {
            args.splice(1..1, ["--resume", "last"]);
        }
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            text(&out).contains("cowork run --resume s-"),
            "{}",
            text(&out)
        );
    }
    let other = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &tape,
        "a second session",
    ]);
    assert_eq!(other.status.code(), Some(0), "{}", text(&other));

    let list = env.json(&["sessions", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["title"], "a second session", "most recent first");
    assert_eq!(list[1]["title"], "tidy my notes");
    assert_eq!(list[1]["tasks"], 2);
    assert_eq!(
        list[1]["roots"][0]["path"],
        ws.canonicalize().unwrap().to_str().unwrap()
    );
    let first = list[1]["id"].as_str().unwrap().to_string();

    let table = text(&env.run(&["sessions"]));
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table.contains(&first) && table.contains("tidy my notes"),
        "{table}"
    );

    let show = env.run(&["sessions", "show", &first, "--transcript"]);
    let shown = text(&show);
    assert_eq!(show.status.code(), Some(0), "{shown}");
    for expected in [
        "task 1",
        "task 2",
        "tidy my notes",
        "and now the rest",
        "Nothing to do.",
        "finished",
    ] {
        assert!(shown.contains(expected), "{expected} missing in {shown}");
    }

    // Unknown ids exit 2 and name the fix.
    for args in [
        vec!["sessions", "show", "s-nope"],
        vec!["sessions", "delete", "s-nope"],
        vec!["run", "--resume", "s-nope", "-m", &tape, "x"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("no session s-nope; `cowork sessions` lists them"),
            "{}",
            text(&out)
        );
    }

    let out = env.run(&["sessions", "delete", &first]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let list = env.json(&["sessions", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_ne!(list[0]["id"], first.as_str());
}
