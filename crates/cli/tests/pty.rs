//! A real interactive approval prompt on a pseudo-terminal: approve, modify in $EDITOR, reject with a reason.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Session, WaitStatus};

const TAPE: &str = r#"
turns:
  - say: "Writing the first file."
    call:
      - {tool: write_file, input: {path: one.md, content: "first version"}}
  - say: "Writing the second file."
    call:
      - {tool: write_file, input: {path: two.md, content: "All good"}}
  - say: "Deleting the old notes."
    call:
      - {tool: delete_path, input: {path: old.md}}
  - say: "Finished."
"#;

#[test]
fn interactive_prompt_approve_modify_reject() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    std::fs::write(ws.join("old.md"), "keep me").unwrap();
    let tape = dir.path().join("tape.yaml");
    std::fs::write(&tape, TAPE).unwrap();
    // A non-interactive "editor" that changes the proposed input, as a person would in vi.
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/All good/Edited by hand/' \"$1\"\n",
    )
    .unwrap();
    make_executable(&editor);
    std::fs::write(dir.path().join("org.toml"), "").unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cowork"));
    cmd.args([
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &format!("tape:{}", tape.display()),
        "write files",
    ])
    .env("XDG_DATA_HOME", dir.path().join("data"))
    .env("XDG_CONFIG_HOME", dir.path().join("config"))
    .env("COWORK_ORG_POLICY", dir.path().join("org.toml"))
    .env("EDITOR", &editor)
    .env("NO_COLOR", "1");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));

    p.expect("create one.md").unwrap();
    p.expect("[a]pprove").unwrap();
    p.send_line("a").unwrap();

    p.expect("create two.md").unwrap();
    p.expect("All good").unwrap();
    p.expect("[m]odify").unwrap();
    p.send_line("m").unwrap();

    p.expect("delete").unwrap();
    p.expect("[r]eject").unwrap();
    p.send_line("r").unwrap();
    p.expect("reason").unwrap();
    p.send_line("we still need the old notes").unwrap();

    p.expect("finished").unwrap();
    p.expect(Eof).unwrap();

    assert_eq!(
        std::fs::read_to_string(ws.join("one.md")).unwrap(),
        "first version"
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("two.md")).unwrap(),
        "Edited by hand"
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("old.md")).unwrap(),
        "keep me"
    );
    let audit = std::fs::read_to_string(dir.path().join("data/cowork/audit/audit.jsonl")).unwrap();
    assert!(audit.contains("\"decision\":\"modify\""), "{audit}");
    assert!(audit.contains("we still need the old notes"), "{audit}");
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn ctrl_c_at_the_prompt_cancels_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let tape = dir.path().join("tape.yaml");
    std::fs::write(&tape, TAPE).unwrap();
    std::fs::write(dir.path().join("org.toml"), "").unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cowork"));
    cmd.args([
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        &format!("tape:{}", tape.display()),
        "write files",
    ])
    .env("XDG_DATA_HOME", dir.path().join("data"))
    .env("XDG_CONFIG_HOME", dir.path().join("config"))
    .env("COWORK_ORG_POLICY", dir.path().join("org.toml"))
    .env("NO_COLOR", "1");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));

    p.expect("create one.md").unwrap();
    p.expect("[a]pprove").unwrap();
    p.send(ControlCode::EndOfText).unwrap();

    p.expect("cancelled").unwrap();
    p.expect(Eof).unwrap();
    let status = p.get_process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 3)),
        "expected exit 3, got {status:?}"
    );
    assert!(!ws.join("one.md").exists());
}
