//! `barejwt keygen --jwks FILE`: the JWK Set file `barejwt serve
//! --secret-file` reads, changed in place, so that rotating a key needs
//! no hand-written JSON.
//!
//! > The "kid" (key ID) parameter is used to match a specific key. This
//! > is used, for instance, to choose among a set of keys within a JWK Set
//! > during key rollover. — [RFC 7517 §4.5]
//!
//! So each change is one step of the rollover (README, "Rotating the
//! secret"): add a key (`--kid`), sign with it (`--current`), drop the old
//! one (`--drop`). `"current"` and `"kidless"` are the server's additional
//! members ([RFC 7517 §5] lets a set carry them; `jwks.rs` in the server
//! says what they mean).
//!
//! The result is checked by the server's own rules before anything is
//! written (a file the server would refuse is never written), then
//! written to a new file beside the old one with mode 0600 and renamed
//! over it, so a server reloading at that moment reads the old set or the
//! new one, never half of either. What is printed names the kids and
//! which one signs, never a key.
//!
//! [RFC 7517 §4.5]: https://www.rfc-editor.org/rfc/rfc7517#section-4.5
//! [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5

use std::io::Write;
use std::path::Path;

use barejwt_server::auth::{MAX_SET_BYTES, parse_jwk_set};
use serde_json::Value;

use super::input::{Failure, Object, read_file};

/// One call's changes, applied in this order.
#[derive(Debug, Default)]
pub struct Changes {
    /// A key to add: its kid and its bytes.
    pub add: Option<(String, Vec<u8>)>,
    /// The kid to verify tokens without kid with.
    pub kidless: Option<String>,
    /// The kid to sign with.
    pub current: Option<String>,
    /// The kid to remove.
    pub drop: Option<String>,
}

/// Applies `changes` to the set in `path` (a new set if there is no file)
/// and returns what the server will now use, for the user to read.
pub fn edit(path: &Path, changes: Changes) -> Result<String, Failure> {
    let shown = path.display();
    let mut set = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut set = Object::default();
            set.set("keys", Value::Array(Vec::new()));
            set
        }
        _ => {
            let bytes = read_file(path)?;
            parse_jwk_set(&bytes)
                .map_err(|e| Failure::usage(format!("{shown} is refused as it stands: {e}")))?;
            Object::parse(&bytes)
                .map_err(|e| Failure::usage(format!("{shown} is not a JSON object: {e}")))?
        }
    };
    let mut keys = match set.get("keys") {
        Some(Value::Array(keys)) => keys.clone(),
        _ => return Err(Failure::usage(format!("{shown} has no \"keys\" array"))),
    };
    let has = |keys: &[Value], kid: &str| keys.iter().any(|k| k["kid"] == kid);
    if let Some((kid, secret)) = changes.add {
        if has(&keys, &kid) {
            return Err(Failure::usage(format!(
                "{shown} already has a key with kid {kid:?}"
            )));
        }
        keys.push(serde_json::json!({
            "kty": "oct",
            "kid": kid,
            "alg": "HS256",
            "k": barejwt::base64url::encode(&secret),
        }));
    }
    for (member, kid) in [("kidless", &changes.kidless), ("current", &changes.current)] {
        if let Some(kid) = kid {
            if !has(&keys, kid) {
                return Err(Failure::usage(format!(
                    "{shown} has no key with kid {kid:?}"
                )));
            }
            set.set(member, Value::from(kid.as_str()));
        }
    }
    if let Some(kid) = &changes.drop {
        let signing = match set.get("current") {
            Some(Value::String(current)) => Some(current.clone()),
            _ => keys
                .first()
                .and_then(|k| k["kid"].as_str())
                .map(str::to_owned),
        };
        if signing.as_deref() == Some(kid.as_str()) {
            return Err(Failure::usage(format!(
                "the key {kid:?} signs new tokens; make another one --current first"
            )));
        }
        let before = keys.len();
        keys.retain(|k| k["kid"] != kid.as_str());
        if keys.len() == before {
            return Err(Failure::usage(format!(
                "{shown} has no key with kid {kid:?}"
            )));
        }
        // Its tokens cannot verify any more, with or without a kid.
        if set.get("kidless").and_then(Value::as_str) == Some(kid.as_str()) {
            set.0.retain(|(name, _)| name != "kidless");
        }
    }
    set.set("keys", Value::Array(keys));
    let text = serde_json::to_string_pretty(&set)
        .map_err(|e| Failure::usage(format!("cannot write the set: {e}")))?
        + "\n";
    if text.len() > MAX_SET_BYTES {
        return Err(Failure::usage(format!(
            "the set would be {} bytes, more than the {MAX_SET_BYTES} the server reads",
            text.len()
        )));
    }
    let keys = parse_jwk_set(text.as_bytes()).map_err(|e| {
        Failure::usage(format!(
            "not written: barejwt serve would refuse the result: {e}"
        ))
    })?;
    replace(path, &text)?;
    Ok(format!("{shown}: {}", keys.describe()))
}

/// Writes `text` to a new file with mode 0600 beside `path`, then renames
/// it over `path` (one step for a reader).
fn replace(path: &Path, text: &str) -> Result<(), Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("{} names no file", path.display())))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    renamed.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::usage(format!("cannot write {}: {e}", path.display()))
    })
}
