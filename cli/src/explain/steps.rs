//! The steps of the walk that show a value: each segment's base64url,
//! the header, the key, HMAC and the claims. `super::Walk::run` calls them
//! in the verifier's order.

use barejwt::base64url;
use barejwt::hmac::{self, IPAD, OPAD};
use barejwt::{Algorithm, Error, Kid, Part};
use serde_json::Value;

use super::show::{claim_lines, explain_b64_error, json_offset, push_hex, six_bit_groups};
use super::{KeyFlow, Stage, Walk};
use crate::input::{Object, short};
use crate::keyopts::{Loaded, hex};
use crate::time::date;

impl Walk<'_> {
    /// Steps 3-5: one segment's base64url, with its first characters'
    /// 6-bit groups. `None` when the walk stops here.
    pub(super) fn b64(
        &mut self,
        title: &str,
        seg: &[u8],
        at: usize,
        stage: Stage,
        failed: &Option<(Stage, Error)>,
    ) -> Option<Vec<u8>> {
        let p = self.paint;
        let token = self.token;
        let s = self.step(
            title,
            "RFC 4648 §5, RFC 7515 §2: URL-safe alphabet, no '=' padding, no white space",
        );
        match base64url::decode(seg) {
            Ok(bytes) => {
                s.lines.extend(six_bit_groups(seg));
                s.lines.push(format!(
                    "{} characters → {} bytes{}",
                    seg.len(),
                    bytes.len(),
                    match std::str::from_utf8(&bytes) {
                        Ok(text) if !text.is_empty() => format!(": {}", p.dim(&short(text, 300))),
                        _ if bytes.is_empty() => String::new(),
                        _ => format!(" (hex): {}", short(&hex(&bytes), 300)),
                    }
                ));
                s.data.insert("characters".into(), seg.len().into());
                s.data.insert("bytes".into(), bytes.len().into());
                s.data.insert("hex".into(), hex(&bytes).into());
                if let Some((st, e)) = failed
                    && *st == stage
                {
                    // Cannot happen: the library decodes with this very
                    // function. Shown rather than hidden, should it ever.
                    self.fail(e, None);
                    return None;
                }
                Some(bytes)
            }
            Err(d) => {
                let (offset, why) = explain_b64_error(seg, d);
                s.lines.push(why);
                let e = match failed {
                    Some((_, e)) => e.clone(),
                    None => Error::Malformed {
                        part: Part::Token,
                        reason: d.to_string(),
                    },
                };
                self.fail(&e, Some((token, at + offset, "token")));
                None
            }
        }
    }

    /// Step 6: the header as JSON, and the rules the verifier applies.
    pub(super) fn header(
        &mut self,
        json_bytes: &[u8],
        failed: &Option<(Stage, Error)>,
    ) -> Option<Algorithm> {
        let p = self.paint;
        let v = self.v.clone();
        let s = self.step(
            "The JOSE header",
            "RFC 7515 §4: a JSON object with unique names; §4.1.1 alg; RFC 8725 §3.1",
        );
        let parsed = Object::parse(json_bytes);
        match &parsed {
            Ok(h) => {
                s.lines.extend(h.to_pretty().lines().map(str::to_owned));
                s.data
                    .insert("header".into(), serde_json::to_value(h).unwrap_or_default());
                let accepted: Vec<&str> = v.get_algorithms().iter().map(|a| a.name()).collect();
                match h.get("alg") {
                    Some(Value::String(a)) => match Algorithm::from_name(a) {
                        Some(alg) => s.lines.push(format!(
                            "alg {}: HMAC with {} (RFC 7518 §3.2); this verifier accepts {}: {}",
                            alg,
                            alg.hash_name(),
                            accepted.join(", "),
                            if v.get_algorithms().contains(&alg) {
                                p.good("accepted")
                            } else {
                                p.bad("refused")
                            }
                        )),
                        None => s.lines.push(format!(
                            "alg {}: not an algorithm barejwt implements{}",
                            short(a, 40),
                            if a == "none" {
                                " (\"none\" is never accepted, RFC 8725 §3.2)"
                            } else {
                                ""
                            }
                        )),
                    },
                    _ => s.lines.push(
                        "alg: missing or not a string (RFC 7515 §4.1.1: it MUST be present)".into(),
                    ),
                }
                if let Some(typ) = h.get("typ") {
                    s.lines.push(format!(
                        "typ {}: the media type of the whole token (RFC 7515 §4.1.9, RFC 7519 §5.1){}",
                        short(&typ.to_string(), 40),
                        match v.get_typ() {
                            Some(want) => format!("; this verifier requires {want:?}"),
                            None => "; not checked".into(),
                        }
                    ));
                }
                if let Some(kid) = h.get("kid") {
                    s.lines.push(format!(
                        "kid {}: names the key (RFC 7515 §4.1.4); a JWK Set picks its key by it",
                        short(&kid.to_string(), 40)
                    ));
                }
                if let Some(crit) = h.get("crit") {
                    s.lines.push(format!(
                        "crit {}: extensions the verifier must understand (RFC 7515 §4.1.11); barejwt implements none",
                        short(&crit.to_string(), 60)
                    ));
                }
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        if let Some((Stage::Header, e)) = failed {
            let at = parsed.err().map(|pe| json_offset(json_bytes, &pe));
            self.fail(e, at.map(|at| (json_bytes, at, "decoded header")));
            return None;
        }
        let alg = parsed
            .ok()?
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Algorithm::from_name)?;
        Some(alg)
    }

    /// Step 7: which key, how long, strong enough.
    pub(super) fn key_step(
        &mut self,
        alg: Algorithm,
        header_json: &[u8],
        failed: &Option<(Stage, Error)>,
    ) -> KeyFlow {
        let p = self.paint;
        let header = Object::parse(header_json).unwrap_or_default();
        let kid = match header.get("kid") {
            None => Kid::Absent,
            Some(Value::String(k)) => Kid::Text(k),
            Some(_) => Kid::NotText,
        };
        let secret = self.key.as_ref().map(|(loaded, source)| {
            (
                loaded.secret_for(kid).map(<[u8]>::to_vec),
                source.clone(),
                matches!(loaded, Loaded::Set(_)),
            )
        });
        let allow_weak = self.v.get_allow_weak_keys();
        let s = self.step(
            "The key",
            "RFC 7518 §3.2: at least as long as the hash output; RFC 7517 for JWKs",
        );
        let flow = match secret {
            None => {
                s.lines.push(p.warn("no key given"));
                s.data.insert("given".into(), false.into());
                KeyFlow::NoKey
            }
            Some((secret, source, is_set)) => {
                s.data.insert("given".into(), true.into());
                s.lines.push(format!("from {source}"));
                if is_set {
                    s.lines.push(format!(
                        "a JWK Set: the token's kid chooses the key ({})",
                        match kid {
                            Kid::Text(k) => format!("kid {}", short(k, 40)),
                            Kid::Absent => "no kid: the set's only key, if it has one".into(),
                            Kid::NotText => "a kid that is not a string matches no key".into(),
                        }
                    ));
                }
                match secret {
                    Some(secret) => {
                        let min = alg.output_len();
                        s.lines.push(format!(
                            "{} bytes; {alg} needs at least {min} (the {} output): {}",
                            secret.len(),
                            alg.hash_name(),
                            if secret.len() >= min {
                                p.good("not weak")
                            } else if allow_weak {
                                p.warn("weak, allowed by --allow-weak-key")
                            } else {
                                p.bad("weak")
                            }
                        ));
                        s.data.insert("bytes".into(), secret.len().into());
                        KeyFlow::Secret(secret)
                    }
                    None => KeyFlow::Stop,
                }
            }
        };
        if let Some((Stage::Key, e)) = failed {
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
        s.lines.push(format!(
            "H = {h}: blocks of B = {b} bytes, output of L = {l} bytes; text = the signing input"
        ));
        push_hex(&mut s.lines, &format!("K ({} bytes)", key.len()), key);
        s.lines.push(if st.key_hashed {
            format!("K is longer than B, so K0 = H(K), then zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        } else if key.len() == b {
            format!("K is exactly B = {b} bytes, so K0 = K (RFC 2104 §2 step 1)")
        } else {
            format!("K is shorter than B, so K0 = K zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        });
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

    /// Step 11: the claims, with human-readable times.
    pub(super) fn claims(&mut self, payload: &[u8], failed: &Option<(Stage, Error)>) {
        let p = self.paint;
        let v = self.v.clone();
        let unverified = self.key.is_none();
        let now = v.get_clock().now();
        let s = self.step(
            if unverified {
                "The claims (UNVERIFIED: no key)"
            } else {
                "The claims"
            },
            "RFC 7519 §4.1, §7.2 step 10: read only once the MAC has matched",
        );
        if unverified {
            s.lines
                .push(p.warn("signature NOT verified: anyone could have written these claims"));
        }
        let parsed = Object::parse(payload);
        match &parsed {
            Ok(c) => {
                s.lines.extend(c.to_pretty().lines().map(str::to_owned));
                s.data
                    .insert("claims".into(), serde_json::to_value(c).unwrap_or_default());
                s.lines.push(format!(
                    "now {} ({now}, {}){}",
                    date(now as f64),
                    if matches!(v.get_clock(), barejwt::Clock::Fixed(_)) {
                        "--now"
                    } else {
                        "the system clock"
                    },
                    if v.get_leeway() > 0 {
                        format!("; leeway {}s", v.get_leeway())
                    } else {
                        String::new()
                    }
                ));
                s.data.insert("now".into(), now.into());
                let checks = claim_lines(c, &v, now, p);
                s.lines.extend(checks);
            }
            Err(e) if !matches!(failed, Some((Stage::Claims, _))) => {
                // The library read it; this display could not.
                s.lines
                    .push(format!("(explain cannot display this claims set: {e})"));
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        match failed {
            Some((Stage::Claims, e)) => {
                let at = parsed.err().map(|pe| json_offset(payload, &pe));
                self.fail(e, at.map(|at| (payload, at, "decoded payload")));
            }
            _ => {
                let s = self.steps.last_mut().expect("a step");
                s.lines.push(p.good("every claim check passed"));
            }
        }
    }
}
