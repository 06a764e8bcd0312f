//! The `cowork` binary end to end: exit codes, --json, --on-ask, no-terminal asks, undo, audit, policy.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
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
        std::fs::write(env.ws().join("notes.md"), "meeting notes\n").unwrap();
        // An empty organization policy: the built-in defaults apply.
        std::fs::write(env.dir.path().join("org-policy.toml"), "").unwrap();
        env
    }
    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }
    fn audit(&self) -> PathBuf {
        self.dir.path().join("data/cowork/audit/audit.jsonl")
    }
    fn tape(&self, text: &str) -> String {
        let path = self.dir.path().join("tape.yaml");
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
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        cmd
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const WRITE: &str = "turns:\n  - say: Writing it.\n    call:\n      - {tool: write_file, input: {path: out.md, content: hello}}\n  - say: Done.\n";

#[test]
fn on_ask_approve_runs_and_undo_reverts() {
    let env = Env::new();
    let tape = env.tape(WRITE);
    let ws = env.ws();
    let out = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &tape,
        "--on-ask",
        "approve",
        "write it",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(std::fs::read_to_string(ws.join("out.md")).unwrap(), "hello");

    let history = env.run(&["history", "-f", ws.to_str().unwrap()]);
    assert!(text(&history).contains("out.md"), "{}", text(&history));
    let undo = env.run(&["undo", "-f", ws.to_str().unwrap()]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!ws.join("out.md").exists());

    let verify = env.run(&["audit", "verify", env.audit().to_str().unwrap()]);
    assert_eq!(code(&verify), 0, "{}", text(&verify));
    let show = env.run(&["audit", "show", "--path", env.audit().to_str().unwrap()]);
    assert!(text(&show).contains("action_undone"), "{}", text(&show));
}

#[test]
fn without_a_terminal_an_ask_is_rejected_not_waited_for() {
    let env = Env::new();
    let tape = env.tape(WRITE);
    let out = env.run(&[
        "run",
        "-f",
        env.ws().to_str().unwrap(),
        "-m",
        &tape,
        "write it",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!env.ws().join("out.md").exists());
    assert!(text(&out).contains("no terminal"), "{}", text(&out));
}

#[test]
fn json_mode_streams_events_and_takes_decisions_on_stdin() {
    let env = Env::new();
    let tape = env.tape(WRITE);
    let mut child = env
        .cmd()
        .args([
            "run",
            "--json",
            "-f",
            env.ws().to_str().unwrap(),
            "-m",
            &tape,
            "write it",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut types = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        assert!(line.starts_with("{\"type\":"), "{line}");
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        let kind = event["type"].as_str().unwrap().to_string();
        if kind == "action_proposed" && !event["action"]["options"].as_array().unwrap().is_empty() {
            let id = event["action"]["id"].as_str().unwrap();
            writeln!(
                stdin,
                "{{\"type\":\"decision\",\"action\":\"{id}\",\"decision\":\"approve\"}}"
            )
            .unwrap();
        }
        types.push(kind);
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(types.first().map(String::as_str), Some("task_started"));
    assert_eq!(types.last().map(String::as_str), Some("task_finished"));
    for t in [
        "commentary",
        "action_proposed",
        "action_decided",
        "action_started",
        "action_finished",
        "output_created",
    ] {
        assert!(types.iter().any(|k| k == t), "{t} missing: {types:?}");
    }
    assert_eq!(
        std::fs::read_to_string(env.ws().join("out.md")).unwrap(),
        "hello"
    );
}

#[test]
fn limits_exit_3_and_config_errors_exit_2() {
    let env = Env::new();
    let tape = env.tape("turns:\n  - call:\n      - {tool: list_dir, input: {}}\n      - {tool: list_dir, input: {}}\n  - say: x\n");
    let ws = env.ws();
    let out = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &tape,
        "--max-actions",
        "1",
        "t",
    ]);
    assert_eq!(code(&out), 3, "{}", text(&out));

    let out = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &tape,
        "--approval",
        "yolo",
        "t",
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));

    std::fs::create_dir_all(ws.join(".cowork")).unwrap();
    std::fs::write(
        ws.join(".cowork/config.toml"),
        "[limits]\nmax_action_per_task = 3\n",
    )
    .unwrap();
    let out = env.run(&["run", "-f", ws.to_str().unwrap(), "-m", &tape, "t"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("max_action_per_task"), "{}", text(&out));

    let out = env.run(&["run", "-f", ws.to_str().unwrap(), "t"]);
    assert_eq!(code(&out), 2, "no model: {}", text(&out));
}

#[test]
fn policy_check_reports_line_and_column() {
    let env = Env::new();
    let bad = env.dir.path().join("policy.toml");
    std::fs::write(
        &bad,
        "[approval]\nmode = \"auto\"\nrequire_aproval = [\"file_delete\"]\n",
    )
    .unwrap();
    let out = env.run(&["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains(":3:"), "{}", text(&out));
    std::fs::write(&bad, "[approval]\nmode = \"auto\"\n").unwrap();
    let out = env.run(&["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
}

#[test]
fn config_show_names_the_layer_of_each_value() {
    let env = Env::new();
    let ws = env.ws();
    std::fs::create_dir_all(ws.join(".cowork")).unwrap();
    std::fs::write(
        ws.join(".cowork/config.toml"),
        "[limits]\nmax_actions_per_task = 7\n",
    )
    .unwrap();
    let out = env.run(&["config", "show", "-f", ws.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let line = text(&out)
        .lines()
        .find(|l| l.contains("max_actions_per_task"))
        .unwrap()
        .to_string();
    assert!(line.contains('7') && line.contains("workspace"), "{line}");
}

#[test]
fn audit_verify_exits_1_on_tampering() {
    let env = Env::new();
    let tape = env.tape(WRITE);
    let out = env.run(&[
        "run",
        "-f",
        env.ws().to_str().unwrap(),
        "-m",
        &tape,
        "--on-ask",
        "approve",
        "t",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = env.audit();
    let content = std::fs::read_to_string(&log).unwrap();
    let tampered = content.replacen("\"decided_by\":\"user\"", "\"decided_by\":\"policy\"", 1);
    assert_ne!(content, tampered);
    std::fs::write(&log, tampered).unwrap();
    let out = env.run(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("seq"), "{}", text(&out));
}

#[test]
fn the_demo_tape_runs_on_the_example_workspace() {
    let env = Env::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quarterly");
    let ws = env.dir.path().join("demo");
    copy_dir(&examples.join("workspace"), &ws);
    let tape = format!("tape:{}", examples.join("tape.yaml").display());
    let out = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &tape,
        "--on-ask",
        "approve",
        "Q1 summary",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let summary = std::fs::read_to_string(ws.join("q1-summary.md")).unwrap();
    assert!(summary.contains("159,840"));
    assert!(
        ws.join("data/sales-q1-north.csv").exists() && !ws.join("raw/sales-q1-north.csv").exists()
    );
    assert!(
        std::fs::read_to_string(ws.join("meeting-notes.txt"))
            .unwrap()
            .contains("DONE")
    );
    let undo = env.run(&["undo", "-f", ws.to_str().unwrap()]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!ws.join("q1-summary.md").exists() && ws.join("raw/sales-q1-north.csv").exists());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn undo_reaches_changes_in_a_second_root() {
    let env = Env::new();
    let refs = env.dir.path().join("refs");
    std::fs::create_dir_all(&refs).unwrap();
    let tape = env.tape("turns:\n  - call:\n      - {tool: write_file, input: {path: \"@refs/notes.md\", content: n}}\n  - say: ok\n");
    let ws = env.ws();
    let out = env.run(&[
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-f",
        refs.to_str().unwrap(),
        "-m",
        &tape,
        "--on-ask",
        "approve",
        "t",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(refs.join("notes.md").exists());
    let undo = env.run(&["undo", "-f", ws.to_str().unwrap()]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!refs.join("notes.md").exists());
}
