//! Step 11: the claims ([RFC 7519 §4.1]), one line per claim saying what
//! it means and what the verifier made of it, with times in words.
//!
//! The time verdicts are the verifier's own comparisons,
//! [`crate::validation::expired`] and [`crate::validation::not_yet_valid`]:
//! with the verifier's leeway (refused or not), and with none (within the
//! leeway or not).
//!
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

use serde_json::Value;

use super::object::{Member, Object};
use super::show::{json_offset, short};
use super::time::{date, gap};
use super::walk::{Failed, Walk};
use super::{Line, Tone};
use crate::error::Stage;
use crate::validation::{Clock, Validation, expired, not_yet_valid};

impl Walk<'_> {
    /// Step 11: the claims, with human-readable times.
    pub(super) fn claims(&mut self, payload: &[u8], failed: &Failed) {
        let v = self.v.clone();
        let unverified = self.key.is_none();
        let now = v.clock.now();
        let s = self.step(
            if unverified {
                "The claims (UNVERIFIED: no key)"
            } else {
                "The claims"
            },
            "RFC 7519 §4.1, §7.2 step 10: read only once the MAC has matched",
        );
        if unverified {
            s.lines.push(Line::toned(
                Tone::Warn,
                "signature NOT verified: anyone could have written these claims",
            ));
        }
        let stops_here = failed.as_ref().filter(|e| e.stage() == Stage::Claims);
        let parsed = Object::parse(payload);
        match &parsed {
            Ok(c) => {
                s.lines
                    .extend(c.to_pretty().lines().map(|l| Line::from(l.to_owned())));
                s.data
                    .insert("claims".into(), serde_json::to_value(c).unwrap_or_default());
                s.lines.push(
                    format!(
                        "now {} ({now}, {}){}",
                        date(now as f64),
                        if matches!(v.clock, Clock::Fixed(_)) {
                            "--now"
                        } else {
                            "the system clock"
                        },
                        if v.leeway > 0 {
                            format!("; leeway {}s", v.leeway)
                        } else {
                            String::new()
                        }
                    )
                    .into(),
                );
                s.data.insert("now".into(), now.into());
                s.lines.extend(claim_lines(c, &v, now));
            }
            Err(e) if stops_here.is_none() => {
                // The library read it; this display could not.
                s.lines
                    .push(format!("(explain cannot display this claims set: {e})").into());
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        match stops_here {
            Some(e) => {
                let e = e.clone();
                let at = parsed.err().map(|pe| json_offset(payload, &pe));
                self.fail(&e, at.map(|at| (payload, at, "decoded payload")));
            }
            None => {
                let s = self.steps.last_mut().expect("a step");
                s.lines
                    .push(Line::toned(Tone::Good, "every claim check passed"));
            }
        }
    }
}

/// One line per claim: what it means and what the verifier made of it.
pub(crate) fn claim_lines(c: &Object, v: &Validation, now: i64) -> Vec<Line> {
    let mut out = Vec::new();
    let t = now as f64;
    let plain = |s: String| Line::from(s);
    for (name, member) in &c.0 {
        let shown = short(&member.text(), 60);
        let value = member.value().unwrap_or(&Value::Null);
        let line = match (name.as_str(), member.as_f64()) {
            ("exp", Some(exp)) => {
                if expired(exp, now, v.leeway) {
                    plain(format!("exp {} — ", date(exp)))
                        .and(Tone::Bad, "expired")
                        .and(
                            Tone::Plain,
                            format!(" {} ago (RFC 7519 §4.1.4)", gap(t - exp)),
                        )
                } else if expired(exp, now, 0) {
                    plain(format!(
                        "exp {} — expired {} ago, ",
                        date(exp),
                        gap(t - exp)
                    ))
                    .and(Tone::Warn, "accepted")
                    .and(
                        Tone::Plain,
                        format!(" within the leeway of {}s (RFC 7519 §4.1.4)", v.leeway),
                    )
                } else {
                    plain(format!("exp {} — ", date(exp)))
                        .and(Tone::Good, "expires")
                        .and(
                            Tone::Plain,
                            format!(" in {} (RFC 7519 §4.1.4)", gap(exp - t)),
                        )
                }
            }
            ("nbf", Some(nbf)) => {
                if not_yet_valid(nbf, now, v.leeway) {
                    plain(format!("nbf {} — ", date(nbf)))
                        .and(Tone::Bad, "not valid")
                        .and(
                            Tone::Plain,
                            format!(" for another {} (RFC 7519 §4.1.5)", gap(nbf - t)),
                        )
                } else if not_yet_valid(nbf, now, 0) {
                    plain(format!("nbf {} — valid in {}, ", date(nbf), gap(nbf - t)))
                        .and(Tone::Warn, "accepted")
                        .and(
                            Tone::Plain,
                            format!(" within the leeway of {}s (RFC 7519 §4.1.5)", v.leeway),
                        )
                } else {
                    plain(format!("nbf {} — ", date(nbf)))
                        .and(Tone::Good, "valid since")
                        .and(
                            Tone::Plain,
                            format!(" {} ago (RFC 7519 §4.1.5)", gap(t - nbf)),
                        )
                }
            }
            ("iat", Some(iat)) => plain(if iat > t {
                format!(
                    "iat {} — issued in the future, {} from now: RFC 7519 §4.1.6 gives iat no rule, so it is only type-checked",
                    date(iat),
                    gap(iat - t)
                )
            } else {
                format!(
                    "iat {} — issued {} ago (RFC 7519 §4.1.6; only type-checked)",
                    date(iat),
                    gap(t - iat)
                )
            }),
            ("exp" | "nbf" | "iat", None) => plain(format!("{name} {shown} — "))
                .and(Tone::Bad, "not a number")
                .and(
                    Tone::Plain,
                    ": a NumericDate is a JSON number (RFC 7519 §2)",
                ),
            ("iss", _) => exact_line(
                "iss",
                "the issuer (RFC 7519 §4.1.1)",
                member,
                v.iss.as_deref(),
                "--iss",
            ),
            ("sub", _) => exact_line(
                "sub",
                "the subject (RFC 7519 §4.1.2)",
                member,
                v.sub.as_deref(),
                "--sub",
            ),
            ("aud", _) => {
                let names: Option<Vec<&str>> = match value {
                    Value::String(s) => Some(vec![s.as_str()]),
                    Value::Array(a) => a.iter().map(Value::as_str).collect(),
                    _ => None,
                };
                let head = format!("aud {shown} — ");
                match (names, &v.aud) {
                    (None, _) => plain(head).and(Tone::Bad, "ill-typed").and(
                        Tone::Plain,
                        ": a string or an array of strings (RFC 7519 §4.1.3)",
                    ),
                    (Some(n), Some(want)) if n.contains(&want.as_str()) => plain(format!(
                        "{head}the audience (RFC 7519 §4.1.3): names {want:?}, "
                    ))
                    .and(Tone::Good, "ok"),
                    (Some(_), Some(want)) => {
                        plain(format!("{head}the audience (RFC 7519 §4.1.3): "))
                            .and(Tone::Bad, "does not name")
                            .and(Tone::Plain, format!(" {want:?}"))
                    }
                    (Some(_), None) => plain(format!(
                        "{head}the audience (RFC 7519 §4.1.3): this verifier names none (--aud), so it "
                    ))
                    .and(Tone::Bad, "cannot be among them"),
                }
            }
            ("jti", _) => plain(format!(
                "jti {shown} — the token's id (RFC 7519 §4.1.7), not checked"
            )),
            _ => plain(format!(
                "{} {shown} — a private claim (RFC 7519 §4.3), not checked",
                short(name, 40)
            )),
        };
        out.push(line);
    }
    for want in &v.required {
        let present = c.member(want).is_some();
        out.push(plain(format!("required {}: ", short(want, 40))).and(
            if present { Tone::Good } else { Tone::Bad },
            if present { "present" } else { "missing" },
        ));
    }
    for (name, flag) in [("iss", &v.iss), ("sub", &v.sub), ("aud", &v.aud)] {
        if flag.is_some() && c.member(name).is_none() {
            out.push(
                plain(format!("{name}: "))
                    .and(Tone::Bad, "missing")
                    .and(Tone::Plain, " (this verifier requires one)"),
            );
        }
    }
    out
}

/// `iss` and `sub`: compared exactly, when the verifier names one.
fn exact_line(name: &str, what: &str, member: &Member, want: Option<&str>, flag: &str) -> Line {
    let shown = short(&member.text(), 60);
    let value = member.value().and_then(Value::as_str);
    match want {
        None => format!("{name} {shown} — {what}, not checked (no {flag})").into(),
        Some(w) if value == Some(w) => {
            Line::from(format!("{name} {shown} — {what}: ")).and(Tone::Good, "as required")
        }
        Some(w) => Line::from(format!("{name} {shown} — {what}: "))
            .and(Tone::Bad, "expected")
            .and(Tone::Plain, format!(" {w:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: Vec<Line>) -> Vec<String> {
        lines.iter().map(Line::text).collect()
    }

    #[test]
    fn times_within_the_leeway_say_so() {
        let c = Object::parse(br#"{"exp":100,"nbf":105}"#).unwrap();
        let v = Validation::default().now(102).leeway(5);
        let lines = texts(claim_lines(&c, &v, 102));
        assert!(
            lines[0].contains("expired 2 seconds ago, accepted within the leeway of 5s"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("valid in 3 seconds, accepted within the leeway of 5s"),
            "{lines:?}"
        );
        let lines = texts(claim_lines(&c, &Validation::default(), 99));
        assert!(lines[0].contains("expires in 1 second"), "{lines:?}");
        assert!(
            lines[1].contains("not valid for another 6 seconds"),
            "{lines:?}"
        );
    }

    #[test]
    fn the_verdict_word_carries_the_tone() {
        let c = Object::parse(br#"{"exp":100}"#).unwrap();
        let lines = claim_lines(&c, &Validation::default(), 200);
        let bad: Vec<&str> = lines[0]
            .0
            .iter()
            .filter(|s| s.tone == Tone::Bad)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(bad, ["expired"]);
    }
}
