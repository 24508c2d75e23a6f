//! Finding and reading vector files: the paths a user names, folders
//! searched for `*.json`, and a size cap so that a mistaken path (a disk
//! image, a log) is refused rather than read into memory.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest vector file read (a guard against reading a disk image).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// The vector files under `paths`: files as given, folders searched
/// recursively for `*.json`, each folder's entries in name order. A folder
/// that cannot be listed is an `Err` naming it, so that the run reports it.
pub(crate) fn collect(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(Ok(p.clone()));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Result<PathBuf, (PathBuf, String)>>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => return out.push(Err((dir.to_owned(), format!("cannot read folder: {e}")))),
    };
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(Ok(p));
        }
    }
}

/// The text of one vector file, or why it cannot be run.
pub(crate) fn read(path: &Path) -> Result<String, String> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| format!("cannot read file: {e}"))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("file is larger than {MAX_FILE_BYTES} bytes"));
    }
    Ok(text)
}
