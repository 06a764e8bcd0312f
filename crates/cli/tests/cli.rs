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

/// Wait for `child` at most `secs` seconds; kill it and fail the test if it is still running.
fn wait_within(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("cowork still running after {secs}s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The `action_decided` events of a `--json` run, parsed.
fn decided(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "action_decided")
        .collect()
}

#[test]
fn escape_sequences_from_the_model_are_shown_not_run() {
    let env = Env::new();
    let tape = env.tape(
        "turns:\n  - say: \"Harmless \\u001b[2K\\u001b[1A step \\u202e gnp.exe\"\n    call:\n      - {tool: write_file, input: {path: out.md, content: \"x\\u001b]0;pwned\\u0007y\\u009b\"}}\n  - say: \"Done \\u001b[2K.\"\n",
    );
    let out = env.run(&[
        "run",
        "-f",
        env.ws().to_str().unwrap(),
        "-m",
        &tape,
        "--on-ask",
        "approve",
        "write it",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = text(&out);
    for raw in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!all.contains(raw), "raw {raw:?} printed: {all:?}");
    }
    assert!(all.contains("Harmless \\u{1b}[2K"), "{all}");
    assert!(all.contains("\\u{202e}"), "{all}");
    // The preview of the file content is escaped too; the file itself is written as proposed.
    assert!(all.contains("x\\u{1b}]0;pwned\\u{7}y"), "{all}");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("out.md")).unwrap(),
        "x\u{1b}]0;pwned\u{7}y\u{9b}"
    );
}

#[test]
fn json_with_stdin_closed_rejects_instead_of_waiting() {
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
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_within(&mut child, 30);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(status.success(), "{stdout}");
    assert!(!env.ws().join("out.md").exists());
    for line in stdout.lines() {
        assert!(line.starts_with("{\"type\":"), "not an event: {line}");
    }
    let decisions = decided(&stdout);
    assert_eq!(decisions.len(), 1, "{stdout}");
    assert_eq!(decisions[0]["decision"]["decision"], "reject", "{stdout}");
    assert_eq!(
        decisions[0]["decision"]["reason"], "stdin closed: no more decisions",
        "{stdout}"
    );
}

#[test]
fn json_rejects_the_open_ask_when_stdin_closes_later() {
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
    let mut stdin = Some(child.stdin.take().unwrap());
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        if event["type"] == "action_proposed"
            && !event["action"]["options"].as_array().unwrap().is_empty()
        {
            // The ask is open: now end stdin without answering it.
            drop(stdin.take());
        }
        lines.push(line);
    }
    let status = wait_within(&mut child, 30);
    let stdout = lines.join("\n");
    assert!(status.success(), "{stdout}");
    assert!(stdin.is_none(), "no ask was proposed: {stdout}");
    assert!(!env.ws().join("out.md").exists());
    let decisions = decided(&stdout);
    assert_eq!(decisions.len(), 1, "{stdout}");
    assert_eq!(
        decisions[0]["decision"]["reason"], "stdin closed: no more decisions",
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    let tape = env.tape(WRITE);
    let ws = env.ws();
    let ws = ws.to_str().unwrap();
    for task in ["", "   "] {
        let out = env.run(&["run", "-f", ws, "-m", &tape, task]);
        assert_eq!(code(&out), 2, "{:?}: {}", task, text(&out));
        assert!(text(&out).contains("empty"), "{}", text(&out));
    }

    // An empty task on stdin.
    let mut child = env
        .cmd()
        .args(["run", "-f", ws, "-m", &tape, "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b" \n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 2, "{}", text(&out));

    // `--json -` is refused before stdin is read (stdin stays open here) and before a session
    // is built (no model given).
    let mut child = env
        .cmd()
        .args(["run", "--json", "-f", ws, "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let status = wait_within(&mut child, 30);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--json"), "{}", text(&out));

    for args in [
        &[
            "policy", "explain", "-f", ws, "--kind", "bogus", "--path", "a.md",
        ][..],
        &[
            "policy",
            "explain",
            "-f",
            ws,
            "--kind",
            "file_write",
            "--path",
            "a.md",
            "--mode",
            "yolo",
        ],
        &["policy", "explain", "-f", ws, "--kind", "file_write"],
    ] {
        let out = env.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out));
    }
    let out = env.run(&[
        "policy",
        "explain",
        "-f",
        ws,
        "--kind",
        "file_write",
        "--path",
        "a.md",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
}

#[test]
fn undo_refuses_before_restoring_when_the_audit_log_is_broken() {
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
    assert!(ws.join("out.md").exists());
    // A directory where the log file should be: the log cannot be opened.
    let log = env.audit();
    let aside = log.with_extension("aside");
    std::fs::rename(&log, &aside).unwrap();
    std::fs::create_dir(&log).unwrap();

    let undo = env.run(&["undo", "-f", ws.to_str().unwrap()]);
    assert_ne!(code(&undo), 0, "{}", text(&undo));
    assert!(
        text(&undo).contains("nothing was undone"),
        "{}",
        text(&undo)
    );
    assert!(
        text(&undo).contains(log.to_str().unwrap()),
        "{}",
        text(&undo)
    );
    assert_eq!(std::fs::read_to_string(ws.join("out.md")).unwrap(), "hello");

    // Once the log is repaired, the same undo works.
    std::fs::remove_dir(&log).unwrap();
    std::fs::rename(&aside, &log).unwrap();
    let undo = env.run(&["undo", "-f", ws.to_str().unwrap()]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!ws.join("out.md").exists());
}

#[test]
fn an_exhausted_tape_fails_the_task_with_exit_1() {
    let env = Env::new();
    let tape =
        env.tape("turns:\n  - say: Looking.\n    call:\n      - {tool: list_dir, input: {}}\n");
    let out = env.run(&[
        "run",
        "-f",
        env.ws().to_str().unwrap(),
        "-m",
        &tape,
        "look around",
    ]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("tape exhausted"), "{}", text(&out));
}

#[test]
fn a_recorded_run_replays_identically() {
    let env = Env::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quarterly");
    let ws = env.dir.path().join("demo");
    copy_dir(&examples.join("workspace"), &ws);
    let tape = format!("tape:{}", examples.join("tape.yaml").display());
    let recording = env.dir.path().join("recorded.yaml");
    let run = |model: &str, record: Option<&Path>| {
        let mut args = vec![
            "run",
            "--json",
            "--on-ask",
            "approve",
            "-f",
            ws.to_str().unwrap(),
            "-m",
            model,
        ];
        if let Some(path) = record {
            args.extend(["--record", path.to_str().unwrap()]);
        }
        args.push("Q1 summary");
        let out = env.run(&args);
        assert_eq!(code(&out), 0, "{}", text(&out));
        // The events, without the ids and timestamps that differ from run to run.
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                strip_ids(&mut v);
                v.to_string()
            })
            .collect::<Vec<_>>()
    };
    let first = run(&tape, Some(&recording));
    let summary = std::fs::read_to_string(ws.join("q1-summary.md")).unwrap();
    assert_eq!(code(&env.run(&["undo", "-f", ws.to_str().unwrap()])), 0);
    let replayed = run(&format!("tape:{}", recording.display()), None);
    assert_eq!(first, replayed);
    assert_eq!(
        std::fs::read_to_string(ws.join("q1-summary.md")).unwrap(),
        summary
    );
}

fn strip_ids(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for key in [
                "id", "action", "task", "session", "grant", "hash", "absolute",
            ] {
                if map.get(key).is_some_and(|x| x.is_string()) {
                    map.remove(key);
                }
            }
            map.values_mut().for_each(strip_ids);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_ids),
        _ => {}
    }
}
