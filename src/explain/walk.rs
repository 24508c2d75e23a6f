//! The walk itself: the library's verdict first, then one step per stage
//! in the verifier's order, stopping at the stage of the library's error.

use serde::de::IgnoredAny;
use serde_json::{Map, json};

use super::show::{caret, hex, misplaced_dot, printable, short};
use super::{Key, Line, Mark, Step, Tone, Verdict};
use crate::error::{Error, Stage};
use crate::hmac::Algorithm;
use crate::key::{HmacKey, KeySource, Kid};
use crate::validation::Validation;
use crate::{base64url, ct, jws};

/// The library's error, if the token is invalid; its [`Error::stage`] says
/// where the walk stops.
pub(super) type Failed = Option<Error>;

/// A key source that has no key: [`jws::verify`] with it fails at stage 4,
/// the key, exactly when stages 1 to 3 pass. (It may ask for a key and
/// still fail earlier: a malformed payload segment is reported, stage 2,
/// after the key is asked for. So the stage of the error decides, not
/// whether a key was asked for.)
struct NoKey;

impl KeySource for NoKey {
    fn key_for(&self, _: Algorithm, _: Kid<'_>) -> Result<&HmacKey, Error> {
        Err(Error::UnknownKey {
            reason: "no key was given".into(),
        })
    }
}

pub(super) struct Walk<'a> {
    pub(super) token: &'a [u8],
    pub(super) v: Validation,
    pub(super) key: Option<(&'a Key, &'a str)>,
    pub(super) steps: Vec<Step>,
}

impl Walk<'_> {
    pub(super) fn step(&mut self, title: impl Into<String>, rfc: &'static str) -> &mut Step {
        self.steps.push(Step {
            title: title.into(),
            rfc,
            lines: Vec::new(),
            data: Map::new(),
            mark: None,
        });
        self.steps.last_mut().expect("a step was just pushed")
    }

    /// Adds the library's error to the last step, with a caret under
    /// `at` (a byte offset in `text`) when there is one.
    pub(super) fn fail(&mut self, e: &Error, text: Option<(&[u8], usize, &'static str)>) {
        let step = self.steps.last_mut().expect("fail follows a step");
        if let Some((text, at, of)) = text {
            step.lines
                .extend(caret(text, at, of).into_iter().map(Line::from));
            step.data.insert("offset".into(), at.into());
            step.mark = Some(Mark {
                offset: at,
                within: of,
            });
        }
        step.lines.push(Line::toned(
            Tone::Bad,
            format!("FAILED: {}: {}", e.code(), e),
        ));
        step.data.insert(
            "error".into(),
            json!({ "code": e.code(), "message": e.to_string() }),
        );
    }

    pub(super) fn run(&mut self) -> Verdict {
        // The library's verdict first: the walk only illustrates it.
        let failed = self.library_verdict();
        let verdict = match &failed {
            Some(e) => Verdict::Invalid(e.clone()),
            None if self.key.is_some() => Verdict::Valid,
            None => Verdict::Unverified,
        };
        let stop = |s: Stage| failed.as_ref().is_some_and(|e| e.stage() == s);

        // 1. Size (stage 1).
        let max = self.v.max_token_bytes;
        let len = self.token.len();
        let s = self.step("Size", "stage 1: a limit of barejwt's, before any parsing");
        s.lines
            .push(format!("{len} bytes; this verifier reads tokens of at most {max} bytes").into());
        s.data.insert("bytes".into(), len.into());
        s.data.insert("max".into(), max.into());
        if let Some(e) = failed.as_ref().filter(|_| stop(Stage::Size)) {
            self.fail(e, None);
            return verdict;
        }

        // 2. Segments (stage 2).
        let parts = match jws::split(self.token) {
            Ok(p) => p,
            Err(e) => {
                self.step("The three segments", "RFC 7515 §7.1");
                let at = misplaced_dot(self.token);
                // The library's own error, which is this one.
                let e = failed.clone().unwrap_or(e);
                self.fail(&e, Some((self.token, at, "token")));
                return Verdict::Invalid(e);
            }
        };
        let h_at = 0;
        let p_at = parts.header.len() + 1;
        let s_at = p_at + parts.payload.len() + 1;
        let s = self.step(
            "The three segments",
            "RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)",
        );
        for (name, seg, at) in [
            ("header", parts.header, h_at),
            ("payload", parts.payload, p_at),
            ("signature", parts.signature, s_at),
        ] {
            s.lines.push(
                format!(
                    "{name:<9}  bytes {at:>4}..{:<4}  {}",
                    at + seg.len(),
                    printable(seg, 100)
                )
                .into(),
            );
            s.data.insert(
                name.into(),
                json!({ "start": at, "end": at + seg.len(), "text": printable(seg, 8192) }),
            );
        }

        // 3-5. base64url (stage 2).
        let Some(header_json) =
            self.b64("The header, base64url-decoded", parts.header, h_at, &failed)
        else {
            return verdict;
        };
        let Some(payload) = self.b64(
            "The payload, base64url-decoded (not parsed yet)",
            parts.payload,
            p_at,
            &failed,
        ) else {
            return verdict;
        };
        let Some(given) = self.b64(
            "The signature, base64url-decoded",
            parts.signature,
            s_at,
            &failed,
        ) else {
            return verdict;
        };

        // 6. The header (stages 2 and 3).
        let Some((alg, kid_json)) = self.header(&header_json, &failed) else {
            return verdict;
        };

        // 7. The key (stage 4).
        let secret = match self.key_step(alg, kid_json.as_ref(), &failed) {
            KeyFlow::Stop => return verdict,
            KeyFlow::NoKey => None,
            KeyFlow::Secret(s) => Some(s),
        };

        // 8. The signing input.
        let s = self.step(
            "The signing input",
            "RFC 7515 §5.1 step 5, §5.2 step 8: ASCII(BASE64URL(header) || '.' || BASE64URL(payload))",
        );
        s.lines.push(
            format!(
                "{} bytes, the first two segments exactly as received (nothing is re-encoded):",
                parts.signing_input.len()
            )
            .into(),
        );
        s.lines.push(printable(parts.signing_input, 300).into());
        s.data.insert(
            "signing_input".into(),
            printable(parts.signing_input, 8192).into(),
        );

        // 9-10. HMAC and the comparison (stage 5).
        match secret {
            None => {
                let s = self.step(
                    "HMAC and the signature",
                    "RFC 2104 §2, RFC 7515 §5.2 step 8",
                );
                s.lines.push(Line::toned(
                    Tone::Warn,
                    "skipped: no key was given, so the signature cannot be checked.",
                ));
                s.lines.push(
                    format!(
                        "the token carries a {}-byte signature: {}",
                        given.len(),
                        short(&hex(&given), 128)
                    )
                    .into(),
                );
                s.lines.push(
                    "give the key with --secret-env NAME, --secret-file PATH, --jwk PATH or --secret TEXT to see every step"
                        .into(),
                );
                s.data.insert("skipped".into(), true.into());
            }
            Some(secret) => {
                let computed = self.hmac(alg, &secret, parts.signing_input);
                let equal = ct::eq(&computed, &given);
                let s = self.step(
                    "Comparing the signatures",
                    "RFC 7515 §5.2 step 8; compared in constant time (barejwt::ct::eq)",
                );
                s.lines.push(format!("computed  {}", hex(&computed)).into());
                s.lines
                    .push(format!("given     {}", short(&hex(&given), 128)).into());
                s.lines.push(
                    format!(
                        "lengths {} and {} (public: fixed by alg); then every byte, without stopping early",
                        computed.len(),
                        given.len()
                    )
                    .into(),
                );
                s.lines.push(if equal {
                    Line::toned(Tone::Good, "equal: the signature is valid")
                } else {
                    Line::toned(Tone::Bad, "different: the signature is NOT valid")
                });
                s.data.insert("computed".into(), hex(&computed).into());
                s.data.insert("given".into(), hex(&given).into());
                s.data.insert("equal".into(), equal.into());
                if equal == stop(Stage::Signature) {
                    s.lines.push(Line::toned(
                        Tone::Bad,
                        "BUG: this walk and barejwt::decode disagree about the signature; please report it",
                    ));
                }
                if let Some(e) = failed.as_ref().filter(|_| stop(Stage::Signature)) {
                    self.fail(e, None);
                    let s = self.steps.last_mut().expect("a step");
                    s.lines.push(
                        "the verifier stops here: the claims of a token with a bad MAC are never read"
                            .into(),
                    );
                    return verdict;
                }
            }
        }

        // 11. The claims (stage 6).
        self.claims(&payload, &failed);
        verdict
    }

    /// The library's verdict: its error, if any.
    fn library_verdict(&self) -> Failed {
        match self.key {
            Some((key, _)) => {
                let keys = key.source();
                crate::decode::<IgnoredAny, _>(self.token, keys.as_ref(), &self.v).err()
            }
            None => {
                match jws::verify(self.token, &NoKey, &self.v) {
                    Err(e) if e.stage() < Stage::Key => Some(e),
                    // Stages 1-3 passed (NoKey never gives a key, so
                    // nothing verifies): the claims, unverified.
                    _ => {
                        let payload = jws::split(self.token)
                            .ok()
                            .and_then(|p| base64url::decode(p.payload).ok())
                            .unwrap_or_default();
                        self.v.check_unverified_payload(&payload).err()
                    }
                }
            }
        }
    }
}

/// What the key step leads to.
pub(super) enum KeyFlow {
    /// The walk stops at the key.
    Stop,
    /// No key was given: the signature is skipped.
    NoKey,
    /// The key's bytes.
    Secret(Vec<u8>),
}

#[cfg(test)]
mod tests {
    use super::super::{Key, Verdict, explain};
    use crate::base64url;
    use crate::hmac::Algorithm;
    use crate::validation::Validation;

    const SECRET: &[u8] = b"eec7f9b96330e64eaac29ad7c95154cff3addaea90239c262b3f9287e678f6d3";

    fn token(header: &str, payload: &str) -> String {
        let key = crate::HmacKey::new(Algorithm::HS256, SECRET).unwrap();
        let mut t = base64url::encode(header.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(payload.as_bytes()));
        crate::jws::append_signature(t.into_bytes(), &key).unwrap()
    }

    /// The step the walk stops at carries the verdict's error, and it is
    /// the last step.
    fn stops_at(t: &str, key: Option<&Key>, v: &Validation) -> (String, &'static str) {
        let walk = explain(t.as_bytes(), key.map(|k| (k, "test")), v);
        let Verdict::Invalid(e) = &walk.verdict else {
            panic!("{t} is invalid");
        };
        let last = walk.steps.last().unwrap();
        assert_eq!(last.data["error"]["code"], e.code(), "{t}");
        let failing = walk.steps.iter().filter(|s| s.data.contains_key("error"));
        assert_eq!(failing.count(), 1, "{t}");
        (last.title.clone(), e.code())
    }

    #[test]
    fn each_stage_stops_the_walk_at_its_own_step() {
        let key = Key::Secret(SECRET.to_vec());
        let v = Validation::default().now(100);
        let cases = [
            ("a".repeat(9000), "Size", "too_large"),
            ("a.b".into(), "The three segments", "malformed"),
            (
                format!("{}=.e30.", &token(r#"{"alg":"HS256"}"#, "{}")[..4]),
                "The header, base64url-decoded",
                "malformed",
            ),
            (
                token(r#"{"alg":"HS256",}"#, "{}"),
                "The JOSE header",
                "malformed",
            ),
            (
                token(r#"{"alg":"HS384"}"#, "{}"),
                "The JOSE header",
                "algorithm",
            ),
            (
                token(r#"{"alg":"HS256"}"#, r#"{"exp":1}"#),
                "The claims",
                "expired",
            ),
            (
                token(r#"{"alg":"HS256"}"#, "not json"),
                "The claims",
                "malformed",
            ),
        ];
        for (t, title, code) in cases {
            assert_eq!(stops_at(&t, Some(&key), &v), (title.into(), code), "{t}");
        }
        // The last character of a 32-byte tag holds 4 bits and 2 zero
        // bits: 'A' (000000) and 'E' (000100) are both canonical.
        let good = token(r#"{"alg":"HS256"}"#, "{}");
        let last = if good.ends_with('A') { 'E' } else { 'A' };
        let forged = format!("{}{last}", &good[..good.len() - 1]);
        assert_eq!(
            stops_at(&forged, Some(&key), &v),
            ("Comparing the signatures".into(), "bad_signature")
        );
    }

    #[test]
    fn a_key_bound_to_another_algorithm_stops_at_the_key() {
        let jwk = crate::Jwk::from_secret(SECRET, Some(Algorithm::HS512), None);
        let v = Validation::default().algorithms([Algorithm::HS256, Algorithm::HS512]);
        let t = token(r#"{"alg":"HS256"}"#, "{}");
        assert_eq!(
            stops_at(&t, Some(&Key::Jwk(Box::new(jwk))), &v),
            ("The key".into(), "algorithm")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any token, the tutorial's with bytes changed, cut or added:
        /// the walk never panics, gives the library's verdict, and stops
        /// at one failing step, the last, carrying that verdict's code.
        #[test]
        fn the_walk_agrees_with_decode_on_any_token(
            edits in proptest::collection::vec((0usize..200, 0u8..128), 0..4),
            cut in 0usize..200,
            with_key in proptest::bool::ANY,
        ) {
            let mut t = token(r#"{"alg":"HS256","kid":"a"}"#, r#"{"sub":"x","exp":200}"#).into_bytes();
            for (at, b) in edits {
                if at < t.len() { t[at] = b; } else { t.push(b); }
            }
            t.truncate(t.len().saturating_sub(cut % 8));
            let key = Key::Secret(SECRET.to_vec());
            let v = Validation::default().now(100);
            let walk = explain(&t, with_key.then_some((&key, "test")), &v);
            let decoded = crate::decode::<serde::de::IgnoredAny, _>(&t, &crate::Jwk::from_secret(SECRET, None, None), &v);
            let failing: Vec<_> = walk.steps.iter().filter(|s| s.data.contains_key("error")).collect();
            match &walk.verdict {
                Verdict::Invalid(e) => {
                    proptest::prop_assert_eq!(failing.len(), 1);
                    proptest::prop_assert_eq!(&failing[0].data["error"]["code"], e.code());
                    proptest::prop_assert!(std::ptr::eq(failing[0], walk.steps.last().unwrap()));
                    if with_key {
                        proptest::prop_assert_eq!(decoded.err().map(|d| d.code()), Some(e.code()));
                    }
                }
                Verdict::Valid => {
                    proptest::prop_assert!(with_key && decoded.is_ok() && failing.is_empty());
                }
                Verdict::Unverified => proptest::prop_assert!(!with_key && failing.is_empty()),
            }
        }
    }

    #[test]
    fn without_a_key_the_claims_are_still_checked() {
        let v = Validation::default().now(100);
        let fine = token(r#"{"alg":"HS256"}"#, r#"{"exp":200}"#);
        let walk = explain(fine.as_bytes(), None, &v);
        assert!(matches!(walk.verdict, Verdict::Unverified));
        assert!(!walk.signature_checked);
        assert!(
            walk.steps
                .iter()
                .any(|s| s.data.get("skipped") == Some(&true.into()))
        );
        let late = token(r#"{"alg":"HS256"}"#, r#"{"exp":50}"#);
        assert_eq!(stops_at(&late, None, &v).1, "expired");
        let refused = token(r#"{"alg":"none"}"#, "{}");
        assert_eq!(stops_at(&refused, None, &v).1, "algorithm");
        // A payload segment that is not base64url is malformed, even though
        // the verifier, checking it last, asks for the key first.
        let padded = format!("{}.e30=.", base64url::encode(br#"{"alg":"HS256"}"#));
        assert_eq!(
            stops_at(&padded, None, &v),
            (
                "The payload, base64url-decoded (not parsed yet)".into(),
                "malformed"
            )
        );
    }
}
