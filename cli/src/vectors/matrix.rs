//! `barejwt vectors --matrix`: barejwt and every `--harness` over the same
//! vector files, as one table. Rows are implementations with the version
//! their greeting gave; columns are the vector files and a total; a cell
//! is `passed/total`, with the `unsafe` count first (red on a terminal),
//! because accepting what must be refused is what a reviewer reads first.
//! Written as markdown and as JSON, with the `unsafe` vector ids listed.
//!
//! The exit status fails only on our side of the table: barejwt's own row
//! (in process or through `barejwt harness`) with a non-pass, or a
//! harness that broke the protocol. Other libraries' failures are
//! findings, not errors.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use barejwt::vectors::{self, Class, Report};
use serde_json::{Value, json};

/// One implementation's run.
struct Row {
    label: String,
    name: String,
    command: Option<String>,
    report: Report,
}

/// Runs the matrix and prints it.
pub fn run(
    paths: &[PathBuf],
    harnesses: &[String],
    timeout: Duration,
    json: bool,
    out: Option<&Path>,
) -> ExitCode {
    let mut rows = vec![row(None, vectors::run_paths(paths))];
    for command in harnesses {
        eprintln!("matrix: running {command}");
        rows.push(row(
            Some(command),
            vectors::run_harness(command, paths, timeout),
        ));
    }
    let files = file_names(&rows);
    let date = today();
    let md = markdown(&rows, &files, &date, false);
    let doc = to_json(&rows, &files, &date);
    if let Some(dir) = out {
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(dir.join("matrix.md"), &md))
            .and_then(|()| std::fs::write(dir.join("matrix.json"), format!("{doc:#}\n")));
        if let Err(e) = written {
            eprintln!("error: cannot write the matrix into {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    if json {
        println!("{doc:#}");
    } else {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        print!("{}", markdown(&rows, &files, &date, colour));
    }
    let mut ours_fail = false;
    for r in &rows {
        let broken =
            r.report.count(Class::HarnessError) + usize::from(r.report.implementation.is_none());
        if broken > 0 {
            eprintln!(
                "matrix: {} broke the harness protocol ({} harness errors)",
                r.label,
                r.report.count(Class::HarnessError)
            );
            ours_fail = true;
        }
        if r.name == "barejwt" && r.report.failed() > 0 {
            eprintln!(
                "matrix: barejwt's own row ({}) has {} non-pass outcomes",
                r.command.as_deref().unwrap_or("in process"),
                r.report.failed()
            );
            ours_fail = true;
        }
    }
    if ours_fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn row(command: Option<&String>, report: Report) -> Row {
    let (label, name) = match &report.implementation {
        Some(i) if command.is_none() => (
            format!("{} {} (in process)", i.name, i.version),
            i.name.clone(),
        ),
        Some(i) if i.name == "barejwt" => (
            format!("{} {} (harness)", i.name, i.version),
            i.name.clone(),
        ),
        Some(i) => (format!("{} {}", i.name, i.version), i.name.clone()),
        None => (
            format!("`{}` (no greeting)", command.map_or("", String::as_str)),
            String::new(),
        ),
    };
    Row {
        label,
        name,
        command: command.cloned(),
        report,
    }
}

/// The files of the run, in order, by their file name.
fn file_names(rows: &[Row]) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for o in rows.iter().flat_map(|r| &r.report.outcomes) {
        let name = short(&o.file);
        if !files.contains(&name) {
            files.push(name);
        }
    }
    files
}

fn short(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map_or(file.into(), |s| s.to_string_lossy().into_owned())
}

/// Counts per class, for one file (`Some`) or all of them.
fn counts(report: &Report, file: Option<&str>) -> BTreeMap<Class, usize> {
    let mut c = BTreeMap::new();
    for o in report
        .outcomes
        .iter()
        .filter(|o| file.is_none_or(|f| short(&o.file) == f))
    {
        *c.entry(o.class).or_insert(0) += 1;
    }
    c
}

fn cell(c: &BTreeMap<Class, usize>, colour: bool) -> String {
    let total: usize = c.values().sum();
    let passed = c.get(&Class::Pass).copied().unwrap_or(0);
    let score = format!("{passed}/{total}");
    match c.get(&Class::Unsafe).copied().unwrap_or(0) {
        0 => score,
        n if colour => format!("\x1b[1;31m{n} unsafe\x1b[0m · {score}"),
        n => format!("**{n} unsafe** · {score}"),
    }
}

fn markdown(rows: &[Row], files: &[String], date: &str, colour: bool) -> String {
    let mut s = format!(
        "Conformance matrix, {date}: `barejwt vectors --matrix` over vectors/ (harness protocol {}).\n\
         A cell is passed/total; **N unsafe** counts vectors accepted that must be refused.\n\n",
        vectors::PROTOCOL
    );
    s.push_str("| implementation |");
    for f in files {
        s.push_str(&format!(" {f} |"));
    }
    s.push_str(" total |\n|---|");
    s.push_str(&"---|".repeat(files.len() + 1));
    s.push('\n');
    for r in rows {
        s.push_str(&format!("| {} |", r.label));
        for f in files {
            s.push_str(&format!(" {} |", cell(&counts(&r.report, Some(f)), colour)));
        }
        s.push_str(&format!(" {} |\n", cell(&counts(&r.report, None), colour)));
    }
    s.push_str("\nOutcomes per implementation (every vector has exactly one):\n\n");
    s.push_str("| implementation |");
    for c in Class::ALL {
        s.push_str(&format!(" {c} |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(Class::ALL.len()));
    s.push('\n');
    for r in rows {
        s.push_str(&format!("| {} |", r.label));
        for c in Class::ALL {
            s.push_str(&format!(" {} |", r.report.count(c)));
        }
        s.push('\n');
    }
    for r in rows {
        let unsafe_ids: Vec<String> = r
            .report
            .outcomes
            .iter()
            .filter(|o| o.class == Class::Unsafe)
            .map(|o| format!("`{}`", o.id))
            .collect();
        if !unsafe_ids.is_empty() {
            s.push_str(&format!(
                "\n{} accepts: {}\n",
                r.label,
                unsafe_ids.join(", ")
            ));
        }
        for note in &r.report.notes {
            s.push_str(&format!("\n{}: {note}\n", r.label));
        }
    }
    s
}

fn class_counts(c: &BTreeMap<Class, usize>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("total".into(), c.values().sum::<usize>().into());
    for class in Class::ALL {
        m.insert(
            class.name().into(),
            c.get(&class).copied().unwrap_or(0).into(),
        );
    }
    Value::Object(m)
}

fn to_json(rows: &[Row], files: &[String], date: &str) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let cells: serde_json::Map<String, Value> = files
                .iter()
                .map(|f| (f.clone(), class_counts(&counts(&r.report, Some(f)))))
                .collect();
            let not_passed: Vec<Value> = r
                .report
                .failures()
                .map(|o| json!({"file": short(&o.file), "id": o.id, "outcome": o.class.name(), "expected": o.expected, "got": o.got}))
                .collect();
            json!({
                "implementation": r.report.implementation.as_ref().map(|i| json!({"name": i.name, "version": i.version})),
                "label": r.label,
                "command": r.command,
                "files": cells,
                "total": class_counts(&counts(&r.report, None)),
                "not_passed": not_passed,
                "notes": r.report.notes,
            })
        })
        .collect();
    json!({"date": date, "protocol": vectors::PROTOCOL, "files": files, "rows": rows})
}

/// Today's date (UTC) as YYYY-MM-DD, from the days since the epoch
/// (the civil-from-days algorithm of Howard Hinnant's date library).
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil(i64::try_from(secs / 86_400).unwrap_or(0))
}

fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_read_as_dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(11_016), "2000-02-29");
        assert_eq!(civil(20_423), "2025-12-01");
        assert_eq!(civil(-1), "1969-12-31");
    }
}
