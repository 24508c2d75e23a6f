//! [`Location`]: what `--db` names, a SQLite file or a PostgreSQL server,
//! and how a PostgreSQL URL is shown without its password.
//!
//! `postgres://…` and `postgresql://…` (the two schemes libpq accepts)
//! select PostgreSQL; anything else is a SQLite file's path, with an
//! optional `sqlite:` prefix (`sqlite:todo.db`, `sqlite:///var/lib/todo.db`).
//!
//! # The password
//!
//! A URL may carry a password (`postgres://app:s3cret@db/app`). The raw
//! URL lives only inside [`PgUrl`], whose `Debug` and `Display` print the
//! URL rebuilt from its parsed parts with the password replaced by `***`
//! (or, if it does not parse, no part of it at all). So a log line, an
//! error message or a `{:?}` of the [`Config`](crate::Config) never shows
//! it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use tokio_postgres::config::Host;

/// Where the server keeps its users and todos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (created on first start).
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PgUrl),
}

impl Location {
    /// Reads a `--db` value: a `postgres://` or `postgresql://` URL, or a
    /// path with an optional `sqlite:` prefix. Never fails: a URL that
    /// does not parse is refused when the server opens it, with a message
    /// that does not repeat it.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Location::Postgres(PgUrl(s.to_owned()));
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .unwrap_or(s);
        Location::Sqlite(PathBuf::from(path))
    }

    /// The SQLite file's path, if it is one.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl FromStr for Location {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Location, Self::Err> {
        Ok(Location::parse(s))
    }
}

impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Location {
        Location::Sqlite(p)
    }
}

impl From<&std::path::Path> for Location {
    fn from(p: &std::path::Path) -> Location {
        Location::Sqlite(p.to_path_buf())
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// A PostgreSQL URL, password included; shown only redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl(String);

impl PgUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> PgUrl {
        PgUrl(url.into())
    }

    /// The driver's configuration. The error says what is wrong without
    /// repeating the URL.
    pub(crate) fn config(&self) -> Result<tokio_postgres::Config, String> {
        tokio_postgres::Config::from_str(&self.0)
            .map_err(|e| format!("the PostgreSQL URL does not parse ({e})"))
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(c) = self.config() else {
            return f.write_str("postgres://(a URL that does not parse; not shown)");
        };
        f.write_str("postgres://")?;
        if let Some(user) = c.get_user() {
            f.write_str(user)?;
            if c.get_password().is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        let ports = c.get_ports();
        for (i, host) in c.get_hosts().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match host {
                Host::Tcp(h) => f.write_str(h)?,
                #[cfg(unix)]
                Host::Unix(p) => write!(f, "{}", p.display())?,
            }
            if let Some(port) = ports.get(i).or(ports.first()) {
                write!(f, ":{port}")?;
            }
        }
        if let Some(db) = c.get_dbname() {
            write!(f, "/{db}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_select_postgres_and_anything_else_is_a_sqlite_path() {
        for url in ["postgres://h/db", "postgresql://u@h:5433/db"] {
            assert!(
                matches!(Location::parse(url), Location::Postgres(_)),
                "{url}"
            );
        }
        for (given, path) in [
            ("barejwt.db", "barejwt.db"),
            ("sqlite:todo.db", "todo.db"),
            ("sqlite:///var/lib/todo.db", "/var/lib/todo.db"),
            ("/tmp/postgres://x", "/tmp/postgres://x"),
        ] {
            assert_eq!(
                Location::parse(given),
                Location::Sqlite(PathBuf::from(path)),
                "{given}"
            );
        }
    }

    #[test]
    fn the_password_is_never_shown() {
        let secret = "s3cr3t-Pa55";
        for url in [
            format!("postgres://app:{secret}@db.example:5433/todo"),
            format!("postgresql://app:{secret}@127.0.0.1/todo?sslmode=disable"),
            format!("postgres://app@h/todo?password={secret}"),
            format!("postgres://app:{secret}@h/todo?no_such_option=1"),
            format!("postgres://app:{secret}@[::1/todo"),
        ] {
            let loc = Location::parse(&url);
            for shown in [loc.to_string(), format!("{loc:?}")] {
                assert!(!shown.contains(secret), "{shown}");
            }
            if let Location::Postgres(u) = &loc
                && let Err(e) = u.config()
            {
                assert!(!e.contains(secret), "{e}");
            }
        }
        let loc = Location::parse("postgres://app:pw@db.example:5433/todo");
        assert_eq!(loc.to_string(), "postgres://app:***@db.example:5433/todo");
    }
}
