//! `barejwt keygen --format jwks` and `--jwks FILE`: the JWK Set a server
//! rotates its keys with, made and changed without hand-written JSON, and
//! every result one that `barejwt serve` accepts.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn keygen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barejwt"))
        .arg("keygen")
        .args(args)
        .output()
        .unwrap()
}

/// Runs keygen, expects success, returns its stdout.
fn ok(args: &[&str]) -> String {
    let o = keygen(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Runs keygen, expects exit status 2, returns its stderr.
fn refused(args: &[&str]) -> String {
    let o = keygen(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    String::from_utf8(o.stderr).unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn kids(set: &Value) -> Vec<&str> {
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect()
}

#[test]
fn format_jwks_prints_a_set_of_one_fresh_key_that_signs() {
    let a: Value = serde_json::from_str(&ok(&["--format", "jwks", "--kid", "2026-12"])).unwrap();
    let b: Value = serde_json::from_str(&ok(&["--format", "jwks", "--kid", "2026-12"])).unwrap();
    assert_eq!(a["current"], "2026-12");
    assert_eq!(kids(&a), ["2026-12"]);
    let key = &a["keys"][0];
    assert_eq!((&key["kty"], &key["alg"]), (&"oct".into(), &"HS256".into()));
    let k = barejwt::base64url::decode(key["k"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(k.len(), 32);
    assert_ne!(a["keys"][0]["k"], b["keys"][0]["k"], "fresh each time");
    let e = refused(&["--format", "jwks"]);
    assert!(e.contains("needs --kid"), "{e}");
}

#[test]
fn the_three_rotation_steps_change_the_file_and_say_which_key_signs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.json");
    let f = file.to_str().unwrap();
    let out = ok(&["--jwks", f, "--kid", "2026-11"]);
    assert!(out.contains("\"2026-11\" signs"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let first = read(&file);
    let out = ok(&["--jwks", f, "--kid", "2026-12"]);
    assert!(
        out.contains("(\"2026-11\", \"2026-12\"); \"2026-11\" signs"),
        "{out}"
    );
    let added = read(&file);
    assert_eq!(kids(&added), ["2026-11", "2026-12"]);
    assert_eq!(added["keys"][0], first["keys"][0], "the old key unchanged");
    let out = ok(&["--jwks", f, "--current", "2026-12"]);
    assert!(out.contains("\"2026-12\" signs"), "{out}");
    assert_eq!(read(&file)["current"], "2026-12");
    ok(&["--jwks", f, "--drop", "2026-11"]);
    let dropped = read(&file);
    assert_eq!(kids(&dropped), ["2026-12"]);
    assert_eq!(dropped["keys"][0], added["keys"][1]);
    // What keygen printed is never a key.
    for k in [&added["keys"][0]["k"], &added["keys"][1]["k"]] {
        assert!(!out.contains(k.as_str().unwrap()));
    }
}

#[test]
fn the_key_that_signs_cannot_be_dropped_and_kids_must_exist_and_differ() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("keys.json");
    let f = f.to_str().unwrap();
    ok(&["--jwks", f, "--kid", "a"]);
    ok(&["--jwks", f, "--kid", "b"]);
    let before = std::fs::read(f).unwrap();
    // Without "current", the first key signs.
    assert!(refused(&["--jwks", f, "--drop", "a"]).contains("\"a\" signs new tokens"));
    assert!(refused(&["--jwks", f, "--kid", "b"]).contains("already has a key with kid \"b\""));
    assert!(refused(&["--jwks", f, "--current", "c"]).contains("no key with kid \"c\""));
    assert!(refused(&["--jwks", f, "--drop", "c"]).contains("no key with kid \"c\""));
    assert!(refused(&["--jwks", f]).contains("needs a change"));
    assert!(refused(&["--jwks", f, "--kid", "x", "--alg", "HS512"]).contains("HS256 only"));
    assert_eq!(std::fs::read(f).unwrap(), before, "nothing written");
    ok(&["--jwks", f, "--current", "b"]);
    assert!(refused(&["--jwks", f, "--drop", "b"]).contains("\"b\" signs new tokens"));
    ok(&["--jwks", f, "--drop", "a"]);
}

#[test]
fn a_file_the_server_would_refuse_is_neither_edited_nor_written() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("keys.json");
    std::fs::write(&f, r#"{"keys": [{"kty": "oct", "kid": "a", "k": "AAAA"}]}"#).unwrap();
    let e = refused(&["--jwks", f.to_str().unwrap(), "--kid", "b"]);
    assert!(
        e.contains("is refused as it stands") && e.contains("3 bytes"),
        "{e}"
    );
    // A raw secret shorter than 32 bytes is not a key either.
    let short = dir.path().join("short.secret");
    std::fs::write(&short, "only 20 bytes long..\n").unwrap();
    let g = dir.path().join("new.json");
    let e = refused(&[
        "--jwks",
        g.to_str().unwrap(),
        "--kid",
        "old",
        "--import",
        short.to_str().unwrap(),
    ]);
    assert!(
        e.contains("would refuse the result") && e.contains("20 bytes"),
        "{e}"
    );
    assert!(!g.exists());
}

#[test]
fn import_turns_a_raw_secret_into_a_key_that_verifies_tokens_without_kid() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("old.secret");
    std::fs::write(&secret, "a raw secret of thirty-two bytes or more\n").unwrap();
    let f = dir.path().join("keys.json");
    let out = ok(&[
        "--jwks",
        f.to_str().unwrap(),
        "--kid",
        "old",
        "--import",
        secret.to_str().unwrap(),
        "--kidless",
        "old",
    ]);
    assert!(
        out.ends_with("tokens without kid: verified with \"old\"\n"),
        "{out}"
    );
    let set = read(&f);
    let k = barejwt::base64url::decode(set["keys"][0]["k"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(k, b"a raw secret of thirty-two bytes or more");
    assert_eq!(set["kidless"], "old");
    // Dropping the kidless key (once another signs) drops the member too.
    ok(&[
        "--jwks",
        f.to_str().unwrap(),
        "--kid",
        "new",
        "--current",
        "new",
    ]);
    let out = ok(&["--jwks", f.to_str().unwrap(), "--drop", "old"]);
    assert!(out.ends_with("tokens without kid: refused\n"), "{out}");
    assert!(read(&f).get("kidless").is_none());
}

#[test]
fn the_help_of_serve_and_keygen_documents_reloading_and_the_steps() {
    let serve = Command::new(env!("CARGO_BIN_EXE_barejwt"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let serve = String::from_utf8(serve.stdout).unwrap();
    for piece in ["SIGHUP", "JWK Set", "\"current\"", "--drop 2026-11"] {
        assert!(serve.contains(piece), "serve --help lacks {piece}");
    }
    let help = ok(&["--help"]);
    for piece in [
        "--jwks keys.json --kid 2026-12",
        "--current 2026-12",
        "--import",
    ] {
        assert!(help.contains(piece), "keygen --help lacks {piece}");
    }
}
