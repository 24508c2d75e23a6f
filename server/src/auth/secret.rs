//! The signing keys: where they come from, and the file that keeps them
//! across restarts.
//!
//! > A key of the same size as the hash output (for instance, 256 bits for
//! > "HS256") or larger MUST be used with this algorithm. — [RFC 7518 §3.2]
//!
//! So a secret shorter than 32 bytes is refused at start-up, whatever its
//! source. With no secret given, the first start writes 32 random bytes to
//! a file beside the database, readable only by its owner (mode 0600), and
//! later starts read it back; a secret file that group or others may read
//! is refused, with the `chmod` that fixes it.
//!
//! `--secret-file` holds either a raw secret (its bytes, one final line
//! break dropped) or a JWK Set of several keys told apart by `kid`
//! (`jwks.rs`: a file starting with `{`). Either is read again on
//! [`reload_keys`] (SIGHUP), which never creates a file: that is how keys
//! are rotated while the server runs (README, "Rotating the secret").
//!
//! # Security
//!
//! Errors name the file, the kid and the length, never a byte of a key.
//! `Debug` on [`SecretSource`] prints the length or the path only.
//!
//! Left out: secrets from a key management service; watching the file
//! (a reload is asked for, with SIGHUP).
//!
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::jwks;
use super::keys::Keys;

/// The shortest secret accepted: HS256's output length (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// The longest raw secret file: a secret is short, and a huge file is a
/// mistake, not a key.
const MAX_RAW_BYTES: usize = 4096;

/// The longest JWK Set file: room for hundreds of keys, and a bound on
/// what a reload reads and parses.
pub const MAX_SET_BYTES: usize = 64 * 1024;

/// Where the signing secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// Given directly (from `BAREJWT_SECRET`).
    Bytes(Vec<u8>),
    /// Read from this file: a JWK Set if it starts with `{`, else a raw
    /// secret whose one trailing newline is ignored.
    File(PathBuf),
    /// Read from this file, or, if it does not exist, 32 random bytes
    /// written to it with mode 0600.
    Generated(PathBuf),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            SecretSource::File(p) => write!(f, "File({})", p.display()),
            SecretSource::Generated(p) => write!(f, "Generated({})", p.display()),
        }
    }
}

impl SecretSource {
    /// Where the keys come from, for a log line.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Bytes(_) => "BAREJWT_SECRET".into(),
            SecretSource::File(p) => format!("the file {}", p.display()),
            SecretSource::Generated(p) => format!("the file {} beside the database", p.display()),
        }
    }
}

/// The secret file beside a database: `barejwt.db` → `barejwt.secret`.
pub fn secret_path_for(db: &Path) -> PathBuf {
    db.with_extension("secret")
}

fn read_small(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot stat the secret file {}: {e}", path.display()))?;
    // A directory (or a device, a FIFO) opens fine; say what it is rather
    // than judge its mode bits, which mean something else there.
    if meta.is_dir() {
        return Err(format!(
            "the secret path {} is a directory, not a file; give the path of a file (it is created if missing)",
            path.display()
        ));
    }
    if !meta.is_file() {
        return Err(format!(
            "the secret path {} is not a regular file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the secret file {} is readable by others (mode {:o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    let mut buf = Vec::new();
    // Never more than the largest file we accept, plus one byte to tell.
    file.take(MAX_SET_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    let max = if jwks::looks_like_set(&buf) {
        MAX_SET_BYTES
    } else {
        MAX_RAW_BYTES
    };
    if buf.len() > max {
        return Err(format!(
            "the secret file {} is longer than {max} bytes",
            path.display()
        ));
    }
    Ok(buf)
}

/// A secret file's keys: a JWK Set, or the raw secret without its final
/// line break.
fn keys_of_file(path: &Path, mut bytes: Vec<u8>) -> Result<Keys, String> {
    if jwks::looks_like_set(&bytes) {
        return jwks::parse(&bytes)
            .map_err(|e| format!("the JWK Set in {} is refused: {e}", path.display()));
    }
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    raw(&bytes)
}

/// A raw secret's key, refused if short (RFC 7518 §3.2).
fn raw(secret: &[u8]) -> Result<Keys, String> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "the signing secret is {} bytes; at least {MIN_SECRET_BYTES} are required for HS256 (RFC 7518 §3.2)",
            secret.len()
        ));
    }
    Keys::secret(secret).map_err(|e| e.to_string())
}

/// Reads the keys again, for a running server (SIGHUP). Nothing is
/// created: a missing file is an error, and the caller keeps its keys.
/// `BAREJWT_SECRET` cannot change under a running process, so it cannot
/// be reloaded.
pub fn reload_keys(source: &SecretSource) -> Result<Keys, String> {
    match source {
        SecretSource::Bytes(_) => Err(
            "the secret comes from BAREJWT_SECRET, which cannot change while the server runs; rotate with --secret-file".into(),
        ),
        SecretSource::File(path) => keys_of_file(path, read_small(path)?),
        // The generated file is always a raw secret: its 32 random bytes
        // may well start with '{'.
        SecretSource::Generated(path) => raw(&read_small(path)?),
    }
}

/// Loads (or creates) the keys at start-up. The error is a message for the
/// operator; it never contains key bytes.
pub fn load_keys(source: &SecretSource) -> Result<Keys, String> {
    let secret = match source {
        SecretSource::Bytes(b) => b.clone(),
        SecretSource::File(path) => return keys_of_file(path, read_small(path)?),
        SecretSource::Generated(path) => match read_small(path) {
            Ok(b) => {
                tracing::info!(path = %path.display(), "using the signing secret from the file beside the database");
                b
            }
            Err(_) if !path.exists() => {
                let mut b = vec![0u8; MIN_SECRET_BYTES];
                getrandom::fill(&mut b)
                    .map_err(|e| format!("no randomness for the secret: {e}"))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut f = options.open(path).map_err(|e| {
                    format!("cannot create the secret file {}: {e}", path.display())
                })?;
                f.write_all(&b)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| format!("cannot write the secret file {}: {e}", path.display()))?;
                tracing::info!(
                    path = %path.display(),
                    "generated a new signing secret (32 random bytes, mode 0600); keep this file to keep tokens valid across restarts"
                );
                b
            }
            Err(e) => return Err(e),
        },
    };
    raw(&secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_refused_with_its_length() {
        let err = load_keys(&SecretSource::Bytes(vec![1; 31])).unwrap_err();
        assert!(err.contains("31 bytes"), "{err}");
        assert!(load_keys(&SecretSource::Bytes(vec![1; 32])).is_ok());
    }

    /// A secret file with mode 0600 holding `bytes`.
    fn file(dir: &Path, bytes: &[u8]) -> PathBuf {
        let path = dir.join("keys");
        std::fs::write(&path, bytes).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }

    #[test]
    fn a_raw_secret_file_loses_one_line_break_and_signs_without_kid() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), &[b'x'; 33]);
        let keys = load_keys(&SecretSource::File(path.clone())).unwrap();
        assert_eq!((keys.signing().len(), keys.signing().kid()), (33, None));
        let path = file(dir.path(), b"0123456789abcdef0123456789abcde\n");
        let err = load_keys(&SecretSource::File(path)).unwrap_err();
        assert!(err.contains("31 bytes"), "{err}");
    }

    #[test]
    fn a_jwk_set_file_is_read_as_one_and_refusals_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let k = barejwt::base64url::encode(&[9; 32]);
        let set = format!(r#"  {{"keys": [{{"kty": "oct", "kid": "k1", "k": "{k}"}}]}}"#);
        let path = file(dir.path(), set.as_bytes());
        let keys = load_keys(&SecretSource::File(path.clone())).unwrap();
        assert_eq!(keys.signing().kid(), Some("k1"));
        let path = file(dir.path(), br#"{"keys": [], }"#);
        let err = load_keys(&SecretSource::File(path.clone())).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "the JWK Set in {} is refused: not JSON",
                path.display()
            )),
            "{err}"
        );
    }

    #[test]
    fn a_huge_file_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), &vec![b'a'; MAX_RAW_BYTES + 1]);
        let err = load_keys(&SecretSource::File(path)).unwrap_err();
        assert!(err.ends_with("is longer than 4096 bytes"), "{err}");
        let mut huge = b"{\"keys\": [], \"pad\": \"".to_vec();
        huge.resize(10 * MAX_SET_BYTES, b'a');
        let path = file(dir.path(), &huge);
        let err = reload_keys(&SecretSource::File(path)).unwrap_err();
        assert!(err.ends_with("is longer than 65536 bytes"), "{err}");
    }

    #[test]
    fn a_reload_creates_nothing_and_takes_no_environment_secret() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone.secret");
        assert!(reload_keys(&SecretSource::Generated(missing.clone())).is_err());
        assert!(!missing.exists());
        let err = reload_keys(&SecretSource::Bytes(vec![1; 32])).unwrap_err();
        assert!(err.contains("BAREJWT_SECRET"), "{err}");
    }

    #[test]
    fn the_generated_file_is_raw_even_when_it_starts_with_a_brace() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![7; 32];
        bytes[0] = b'{';
        let path = file(dir.path(), &bytes);
        let keys = reload_keys(&SecretSource::Generated(path)).unwrap();
        assert_eq!(keys.signing().len(), 32);
    }
}
