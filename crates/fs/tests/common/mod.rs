//! Helpers shared by the integration tests: temp workspaces, effects and tree snapshots.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use cowork_fs::{RootSpec, Workspace, WsPath};
use cowork_protocol::Effect;

pub fn spec(name: &str, path: &Path) -> RootSpec {
    RootSpec {
        name: name.to_string(),
        path: path.to_path_buf(),
    }
}

pub fn open(root: &Path, restricted: &[&str]) -> Workspace {
    let restricted: Vec<String> = restricted.iter().map(|s| s.to_string()).collect();
    Workspace::open(vec![spec("main", root)], &restricted).unwrap()
}

pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

pub fn create(path: &str) -> Effect {
    Effect::Create {
        path: path.to_string(),
        bytes: 0,
    }
}
pub fn modify(path: &str) -> Effect {
    Effect::Modify {
        path: path.to_string(),
    }
}
pub fn delete(path: &str) -> Effect {
    Effect::Delete {
        path: path.to_string(),
    }
}
pub fn mv(from: &str, to: &str) -> Effect {
    Effect::Move {
        from: from.to_string(),
        to: to.to_string(),
    }
}

pub fn p(ws: &Workspace, path: &str) -> WsPath {
    ws.resolve(path).unwrap()
}

/// Every path below `root` (except `.cowork`) with its bytes (`None` for folders).
pub fn snapshot(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == ".cowork" {
            continue;
        }
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            out.insert(rel, None);
            walk(root, &path, out);
        } else if ft.is_symlink() {
            out.insert(
                rel,
                Some(
                    std::fs::read_link(&path)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                        .into_bytes(),
                ),
            );
        } else {
            out.insert(rel, Some(std::fs::read(&path).unwrap()));
        }
    }
}
