//! The signing secret: where it comes from, and the file that keeps it
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
//! # Security
//!
//! Errors name the file and the length, never a byte of the secret.
//! `Debug` on [`SecretSource`] prints the length or the path only.
//!
//! Left out: key rotation (one secret at a time), secrets from a key
//! management service.
//!
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The shortest secret accepted: HS256's output length (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// Where the signing secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// Given directly (from `BAREJWT_SECRET`).
    Bytes(Vec<u8>),
    /// Read from this file; one trailing newline is ignored.
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
    // A secret is short; a huge file is a mistake, not a key.
    file.take(4097)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    if buf.len() > 4096 {
        return Err(format!(
            "the secret file {} is longer than 4096 bytes",
            path.display()
        ));
    }
    Ok(buf)
}

/// Loads (or creates) the secret. The error is a message for the operator;
/// it never contains secret bytes.
pub fn load_secret(source: &SecretSource) -> Result<Vec<u8>, String> {
    let secret = match source {
        SecretSource::Bytes(b) => b.clone(),
        SecretSource::File(path) => {
            let mut b = read_small(path)?;
            if b.ends_with(b"\n") {
                b.pop();
                if b.ends_with(b"\r") {
                    b.pop();
                }
            }
            b
        }
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
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "the signing secret is {} bytes; at least {MIN_SECRET_BYTES} are required for HS256 (RFC 7518 §3.2)",
            secret.len()
        ));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_refused_with_its_length() {
        let err = load_secret(&SecretSource::Bytes(vec![1; 31])).unwrap_err();
        assert!(err.contains("31 bytes"), "{err}");
        assert!(load_secret(&SecretSource::Bytes(vec![1; 32])).is_ok());
    }
}
