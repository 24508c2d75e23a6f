//! The steps of the walk that show a value: each segment's base64url,
//! the header, the key and HMAC. `Walk::run` calls them in the verifier's
//! order; the claims step is in `claims.rs`.

use serde_json::Value;

use super::object::Object;
use super::show::{explain_b64_error, hex, json_offset, push_hex, short, six_bit_groups};
use super::walk::{Failed, KeyFlow, Walk};
use super::{Key, Line, Tone};
use crate::base64url;
use crate::error::{Error, Part, Stage};
use crate::hmac::{self, Algorithm, IPAD, OPAD};
use crate::key::Kid;

impl Walk<'_> {
    /// Steps 3-5: one segment's base64url, with its first characters'
    /// 6-bit groups. `None` when the walk stops here.
    pub(super) fn b64(
        &mut self,
        title: &str,
        seg: &[u8],
        at: usize,
        failed: &Failed,
    ) -> Option<Vec<u8>> {
        let token = self.token;
        let s = self.step(
            title,
            "RFC 4648 §5, RFC 7515 §2: URL-safe alphabet, no '=' padding, no white space",
        );
        match base64url::decode(seg) {
            Ok(bytes) => {
                s.lines
                    .extend(six_bit_groups(seg).into_iter().map(Line::from));
                let head = format!("{} characters → {} bytes", seg.len(), bytes.len());
                s.lines.push(match std::str::from_utf8(&bytes) {
                    Ok(text) if !text.is_empty() => {
                        Line::from(head + ": ").and(Tone::Dim, short(text, 300))
                    }
                    _ if bytes.is_empty() => head.into(),
                    _ => format!("{head} (hex): {}", short(&hex(&bytes), 300)).into(),
                });
                s.data.insert("characters".into(), seg.len().into());
                s.data.insert("bytes".into(), bytes.len().into());
                s.data.insert("hex".into(), hex(&bytes).into());
                Some(bytes)
            }
            Err(d) => {
                let (offset, why) = explain_b64_error(seg, d);
                s.lines.push(why.into());
                // The library decodes with this very function, so its
                // error is this one; should it ever not be, both show.
                let e = match failed {
                    Some(e) => e.clone(),
                    None => Error::malformed(Part::Token, d.to_string()),
                };
                self.fail(&e, Some((token, at + offset, "token")));
                None
            }
        }
    }

    /// Step 6: the header as JSON, and the rules the verifier applies.
    /// Returns the algorithm and the header's `kid` (`Null` for one held
    /// only as text), or `None` when the walk stops here.
    pub(super) fn header(
        &mut self,
        json_bytes: &[u8],
        failed: &Failed,
    ) -> Option<(Algorithm, Option<Value>)> {
        let v = self.v.clone();
        let s = self.step(
            "The JOSE header",
            "RFC 7515 §4: a JSON object with unique names; §4.1.1 alg; RFC 8725 §3.1",
        );
        let parsed = Object::parse(json_bytes);
        match &parsed {
            Ok(h) => {
                s.lines
                    .extend(h.to_pretty().lines().map(|l| Line::from(l.to_owned())));
                s.data
                    .insert("header".into(), serde_json::to_value(h).unwrap_or_default());
                let accepted: Vec<&str> = v.algorithms.iter().map(|a| a.name()).collect();
                match h.get("alg") {
                    Some(Value::String(a)) => match Algorithm::from_name(a) {
                        Some(alg) => s.lines.push(
                            Line::from(format!(
                                "alg {}: HMAC with {} (RFC 7518 §3.2); this verifier accepts {}: ",
                                alg,
                                alg.hash_name(),
                                accepted.join(", "),
                            ))
                            .and(
                                if v.algorithms.contains(&alg) {
                                    Tone::Good
                                } else {
                                    Tone::Bad
                                },
                                if v.algorithms.contains(&alg) {
                                    "accepted"
                                } else {
                                    "refused"
                                },
                            ),
                        ),
                        None => s.lines.push(
                            format!(
                                "alg {}: not an algorithm barejwt implements{}",
                                short(a, 40),
                                if a == "none" {
                                    " (\"none\" is never accepted, RFC 8725 §3.2)"
                                } else {
                                    ""
                                }
                            )
                            .into(),
                        ),
                    },
                    _ => s.lines.push(
                        "alg: missing or not a string (RFC 7515 §4.1.1: it MUST be present)".into(),
                    ),
                }
                if let Some(typ) = h.get("typ") {
                    s.lines.push(
                        format!(
                            "typ {}: the media type of the whole token (RFC 7515 §4.1.9, RFC 7519 §5.1){}",
                            short(&typ.to_string(), 40),
                            match &v.typ {
                                Some(want) => format!("; this verifier requires {want:?}"),
                                None => "; not checked".into(),
                            }
                        )
                        .into(),
                    );
                }
                if let Some(kid) = h.get("kid") {
                    s.lines.push(
                        format!(
                            "kid {}: names the key (RFC 7515 §4.1.4); a JWK Set picks its key by it",
                            short(&kid.to_string(), 40)
                        )
                        .into(),
                    );
                }
                if let Some(crit) = h.get("crit") {
                    s.lines.push(
                        format!(
                            "crit {}: extensions the verifier must understand (RFC 7515 §4.1.11); barejwt implements none",
                            short(&crit.to_string(), 60)
                        )
                        .into(),
                    );
                }
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        // Every segment decoded, so a structure error is the header's.
        if let Some(e) = failed
            && matches!(e.stage(), Stage::Structure | Stage::Header)
        {
            let at = parsed.as_ref().err().map(|pe| json_offset(json_bytes, pe));
            self.fail(e, at.map(|at| (json_bytes, at, "decoded header")));
            return None;
        }
        let h = parsed.ok()?;
        let alg = h
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Algorithm::from_name)?;
        let kid = h
            .member("kid")
            .map(|m| m.value().cloned().unwrap_or(Value::Null));
        Some((alg, kid))
    }

    /// Step 7: which key, how long, strong enough.
    pub(super) fn key_step(
        &mut self,
        alg: Algorithm,
        kid: Option<&Value>,
        failed: &Failed,
    ) -> KeyFlow {
        // The verifier's own reading of `kid`.
        let kid = Kid::of(kid);
        let secret = self.key.map(|(key, source)| {
            (
                key.secret_for(kid).map(<[u8]>::to_vec),
                source.to_owned(),
                matches!(key, Key::Set(_)),
            )
        });
        let allow_weak = self.v.allow_weak_keys;
        let s = self.step(
            "The key",
            "RFC 7518 §3.2: at least as long as the hash output; RFC 7517 for JWKs",
        );
        let flow = match secret {
            None => {
                s.lines.push(Line::toned(Tone::Warn, "no key given"));
                s.data.insert("given".into(), false.into());
                KeyFlow::NoKey
            }
            Some((secret, source, is_set)) => {
                s.data.insert("given".into(), true.into());
                s.lines.push(format!("from {source}").into());
                if is_set {
                    s.lines.push(
                        format!(
                            "a JWK Set: the token's kid chooses the key ({})",
                            match kid {
                                Kid::Text(k) => format!("kid {}", short(k, 40)),
                                Kid::Absent => "no kid: the set's only key, if it has one".into(),
                                Kid::NotText => "a kid that is not a string matches no key".into(),
                            }
                        )
                        .into(),
                    );
                }
                match secret {
                    Some(secret) => {
                        let min = alg.output_len();
                        let (tone, word) = if secret.len() >= min {
                            (Tone::Good, "not weak")
                        } else if allow_weak {
                            (Tone::Warn, "weak, allowed by --allow-weak-key")
                        } else {
                            (Tone::Bad, "weak")
                        };
                        s.lines.push(
                            Line::from(format!(
                                "{} bytes; {alg} needs at least {min} (the {} output): ",
                                secret.len(),
                                alg.hash_name(),
                            ))
                            .and(tone, word),
                        );
                        s.data.insert("bytes".into(), secret.len().into());
                        KeyFlow::Secret(secret)
                    }
                    None => KeyFlow::Stop,
                }
            }
        };
        if let Some(e) = failed
            && e.stage() == Stage::Key
        {
            self.fail(e, None);
            return KeyFlow::Stop;
        }
        flow
    }

    /// Step 9: HMAC the long way (RFC 2104 §2), every value in hex.
    /// Returns the tag.
    pub(super) fn hmac(&mut self, alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
        let st = hmac::steps(alg, key, msg);
        let (b, l, h) = (alg.block_len(), alg.output_len(), alg.hash_name());
        let s = self.step(
            format!("HMAC-{h}"),
            "RFC 2104 §2: H((K0 ⊕ opad) || H((K0 ⊕ ipad) || text)); RFC 7518 §3.2",
        );
        s.lines.push(
            format!(
                "H = {h}: blocks of B = {b} bytes, output of L = {l} bytes; text = the signing input"
            )
            .into(),
        );
        push_hex(&mut s.lines, &format!("K ({} bytes)", key.len()), key);
        s.lines.push(if st.key_hashed {
            format!("K is longer than B, so K0 = H(K), then zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        } else if key.len() == b {
            format!("K is exactly B = {b} bytes, so K0 = K (RFC 2104 §2 step 1)")
        } else {
            format!("K is shorter than B, so K0 = K zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        }.into());
        push_hex(&mut s.lines, "K0", &st.key_block);
        push_hex(
            &mut s.lines,
            &format!("K0 ⊕ ipad (ipad = 0x{IPAD:02x} × {b})"),
            &st.k_ipad,
        );
        push_hex(
            &mut s.lines,
            &format!("K0 ⊕ opad (opad = 0x{OPAD:02x} × {b})"),
            &st.k_opad,
        );
        push_hex(
            &mut s.lines,
            "inner = H((K0 ⊕ ipad) || text)",
            &st.inner_hash,
        );
        push_hex(
            &mut s.lines,
            "outer = H((K0 ⊕ opad) || inner), the MAC",
            &st.outer_hash,
        );
        for (name, bytes) in [
            ("key", key),
            ("key_block", &st.key_block),
            ("k_ipad", &st.k_ipad),
            ("k_opad", &st.k_opad),
            ("inner_hash", &st.inner_hash),
            ("outer_hash", &st.outer_hash),
        ] {
            s.data.insert(name.into(), hex(bytes).into());
        }
        s.data.insert("key_hashed".into(), st.key_hashed.into());
        st.outer_hash
    }
}
