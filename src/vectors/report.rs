//! What a run produces: one [`Outcome`] per vector, gathered in a
//! [`Report`] that prints the failures and the closing `N passed, N
//! failed` line of `vectors/FORMAT.md` ("Runner output").

use std::fmt;

use serde_json::Value;

use super::classify::Class;
use super::protocol::Implementation;

/// One vector's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The file it came from.
    pub file: String,
    /// The vector's `id` (`-` when the file itself could not be read).
    pub id: String,
    /// The vector's `kind`, if known.
    pub kind: String,
    /// What the vector expects.
    pub expected: String,
    /// What happened.
    pub got: String,
    /// Whether the two agree (the class is [`Class::Pass`]).
    pub passed: bool,
    /// The protocol's name for the outcome (`pass`, `unsafe`, …).
    pub class: Class,
}

impl Outcome {
    /// A file that could not be run at all: one failing outcome naming it.
    pub(crate) fn file_error(file: &str, why: String) -> Outcome {
        Outcome {
            file: file.to_owned(),
            id: "-".to_owned(),
            kind: String::new(),
            expected: "a readable vector file (format 1)".to_owned(),
            got: format!("malformed vector file: {why}"),
            passed: false,
            class: Class::MalformedVector,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, got {}",
            self.file, self.id, self.expected, self.got
        )
    }
}

/// All outcomes of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every vector's outcome, in file order.
    pub outcomes: Vec<Outcome>,
    /// Who answered: barejwt, or the harness's greeting (`None` when a
    /// harness never greeted).
    pub implementation: Option<Implementation>,
    /// What happened to the harness on the way (restarts, giving up).
    pub notes: Vec<String>,
}

impl Report {
    /// How many passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// The failures.
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.passed)
    }

    /// How many vectors had this outcome.
    pub fn count(&self, class: Class) -> usize {
        self.outcomes.iter().filter(|o| o.class == class).count()
    }

    /// The failures counted by outcome, `unsafe` first: `unsafe 3,
    /// refused 1, wrong_code 0, …` (every class but `pass`, each once).
    pub fn counts_line(&self) -> String {
        Class::ALL[1..]
            .iter()
            .map(|&c| format!("{c} {}", self.count(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The closing line: `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// The report as JSON, for `barejwt vectors --json`.
    pub fn to_json(&self) -> Value {
        let results: Vec<Value> = self
            .outcomes
            .iter()
            .map(|o| {
                serde_json::json!({
                    "file": o.file, "id": o.id, "kind": o.kind,
                    "outcome": o.class.name(), "expected": o.expected, "got": o.got,
                    "passed": o.passed,
                })
            })
            .collect();
        let counts: serde_json::Map<String, Value> = Class::ALL
            .iter()
            .map(|&c| (c.name().to_owned(), Value::from(self.count(c))))
            .collect();
        serde_json::json!({
            "implementation": self.implementation.as_ref().map(|i| {
                serde_json::json!({"name": i.name, "version": i.version})
            }),
            "passed": self.passed(), "failed": self.failed(), "counts": counts,
            "notes": self.notes, "results": results,
        })
    }
}
