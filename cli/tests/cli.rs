//! The `barejwt` command line, driven as a user drives it: the built
//! binary, its arguments, stdin, files and environment, its stdout, stderr
//! and exit status. Expected HMAC values are computed here, independently
//! of the library (RFC 2104 by hand over `sha2`, cross-checked with the
//! `hmac` crate).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_barejwt");

/// The tutorial's token and key (vectors/seed-tutorial.json).
const TUTORIAL_KEY: &str = "eec7f9b96330e64eaac29ad7c95154cff3addaea90239c262b3f9287e678f6d3";
const TUTORIAL_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3YW5nZXJnZSIsImlkIjoxLCJleHAiOjE3NjgxMzI0NTJ9.eiUqiVl8GHQx_bG61UvAzvAuuODInk5Szz5yPT5zkZs";
/// 20 minutes before the tutorial token's exp.
const TUTORIAL_NOW: &str = "1768131252";

/// A key long enough for every algorithm (64 bytes).
const KEY64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("K", KEY64)
        .env("TUTORIAL_KEY", TUTORIAL_KEY)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        // The binary may stop reading early (an oversized input): a
        // broken pipe here is its answer, not a test failure.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn status(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// A file in a folder of the system temp dir named for this test process
/// (small files, left for the OS to clean, so a failure can be inspected).
fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("barejwt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn sign(args: &[&str], stdin: Option<&[u8]>) -> String {
    let o = run(args, stdin);
    assert_eq!(status(&o), 0, "sign failed: {}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().count(),
        1,
        "stdout is the token and nothing else: {out:?}"
    );
    out.trim_end().to_owned()
}

mod sign_and_verify {
    use super::*;

    #[test]
    fn round_trips_for_every_algorithm() {
        for alg in ["HS256", "HS384", "HS512"] {
            let token = sign(
                &[
                    "sign",
                    "--alg",
                    alg,
                    "--secret-env",
                    "K",
                    r#"{"sub":"ada","n":1}"#,
                    "--exp",
                    "20m",
                ],
                None,
            );
            let o = run(&["verify", "--alg", alg, "--secret-env", "K", &token], None);
            assert_eq!(status(&o), 0, "{alg}: {}", stderr(&o));
            let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
            assert_eq!(v["header"]["alg"], alg);
            assert_eq!(v["header"]["typ"], "JWT");
            assert_eq!(v["claims"]["sub"], "ada");
            assert_eq!(v["claims"]["n"], 1);
            assert!(v["claims"]["exp"].is_i64());
        }
    }

    #[test]
    fn the_verifier_not_the_token_picks_the_algorithm() {
        let token = sign(&["sign", "--alg", "HS512", "--secret-env", "K", "{}"], None);
        let o = run(&["verify", "--secret-env", "K", &token], None);
        assert_eq!(status(&o), 1);
        assert!(
            stderr(&o).starts_with("invalid token: algorithm:"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("--alg"), "a hint names the flag");
        assert!(
            stdout(&o).is_empty(),
            "nothing on stdout for an invalid token"
        );
    }

    #[test]
    fn sign_reproduces_the_tutorial_token() {
        let token = sign(
            &[
                "sign",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                "--exp",
                "20m",
                r#"{"sub":"wangerge","id":1}"#,
            ],
            None,
        );
        assert_eq!(token, TUTORIAL_TOKEN);
    }

    #[test]
    fn claims_and_tokens_come_from_stdin_and_files() {
        let from_stdin = sign(
            &["sign", "--secret-env", "K", "--now", "100"],
            Some(b"{\"sub\":\"x\"}\n"),
        );
        let from_dash = sign(
            &["sign", "--secret-env", "K", "-"],
            Some(b"{\"sub\":\"x\"}"),
        );
        let claims = temp_file("claims.json", b"{\n  \"sub\": \"x\"\n}\n");
        let from_file = sign(
            &[
                "sign",
                "--secret-env",
                "K",
                &format!("@{}", claims.display()),
            ],
            None,
        );
        assert_eq!(from_stdin, from_dash);
        assert_eq!(
            from_stdin, from_file,
            "same claims, same token, whatever the spelling"
        );

        let key = temp_file("key.txt", format!("{KEY64}\n").as_bytes());
        let key = key.to_str().unwrap();
        let token_line = format!("{from_stdin}\n");
        let o = run(
            &["verify", "--secret-file", key, "-"],
            Some(token_line.as_bytes()),
        );
        assert_eq!(status(&o), 0, "{}", stderr(&o));
        let o = run(
            &["verify", "--secret-file", key],
            Some(token_line.as_bytes()),
        );
        assert_eq!(status(&o), 0, "no argument reads stdin too: {}", stderr(&o));
    }

    #[test]
    fn a_jwk_set_signs_by_kid_and_verifies_by_the_tokens_kid() {
        let o = run(&["keygen", "--format", "jwk", "--kid", "a"], None);
        let a: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let o = run(&["keygen", "--format", "jwk", "--kid", "b"], None);
        let b: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let set = serde_json::json!({ "keys": [a, b] }).to_string();
        let set = temp_file("set.json", set.as_bytes());
        let set = set.to_str().unwrap();
        let token = sign(&["sign", "--jwk", set, "--kid", "b", "{}"], None);
        let o = run(&["verify", "--jwk", set, &token], None);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
        assert_eq!(
            serde_json::from_str::<Value>(&stdout(&o)).unwrap()["header"]["kid"],
            "b"
        );
        let o = run(&["sign", "--jwk", set, "{}"], None);
        assert_eq!(status(&o), 2, "a set of two needs --kid");
        assert!(stderr(&o).contains("--kid"));
    }

    #[test]
    fn an_expired_token_exits_1_with_its_code() {
        let token = sign(&["sign", "--secret-env", "K", "--exp", "-1m", "{}"], None);
        let o = run(&["verify", "--secret-env", "K", &token], None);
        assert_eq!(status(&o), 1);
        assert!(
            stderr(&o).starts_with("invalid token: expired:"),
            "{}",
            stderr(&o)
        );
        let o = run(
            &["verify", "--secret-env", "K", "--leeway", "2m", &token],
            None,
        );
        assert_eq!(status(&o), 0, "within the leeway: {}", stderr(&o));
    }

    #[test]
    fn a_tampered_token_exits_1_with_bad_signature() {
        let token = sign(&["sign", "--secret-env", "K", r#"{"admin":false}"#], None);
        let (head, rest) = token.split_once('.').unwrap();
        let sig = rest.split_once('.').unwrap().1;
        let forged = format!("{head}.{}.{sig}", base64url(br#"{"admin":true}"#));
        let o = run(&["verify", "--secret-env", "K", &forged], None);
        assert_eq!(status(&o), 1);
        assert!(
            stderr(&o).starts_with("invalid token: bad_signature:"),
            "{}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }

    #[test]
    fn alg_none_exits_1_with_algorithm() {
        let none = format!(
            "{}.{}.",
            base64url(br#"{"alg":"none"}"#),
            base64url(br#"{"sub":"x"}"#)
        );
        let o = run(&["verify", "--secret-env", "K", &none], None);
        assert_eq!(status(&o), 1);
        assert!(
            stderr(&o).starts_with("invalid token: algorithm:"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("none"));
    }

    #[test]
    fn validation_flags_reach_the_library() {
        let token = sign(
            &[
                "sign",
                "--secret-env",
                "K",
                r#"{"iss":"me","aud":["api"],"sub":"ada"}"#,
            ],
            None,
        );
        let ok = [
            "verify",
            "--secret-env",
            "K",
            "--iss",
            "me",
            "--aud",
            "api",
            "--sub",
            "ada",
        ];
        assert_eq!(
            status(&run(&[&ok[..], &[token.as_str()]].concat(), None)),
            0
        );
        for (flag, value, code) in [
            ("--iss", "you", "invalid_issuer"),
            ("--aud", "web", "invalid_audience"),
            ("--sub", "bob", "invalid_subject"),
            ("--require", "exp", "missing_claim"),
            ("--typ", "at+jwt", "invalid_type"),
        ] {
            let mut args = vec![
                "verify",
                "--secret-env",
                "K",
                "--aud",
                "api",
                flag,
                value,
                &token,
            ];
            if flag == "--aud" {
                args.drain(3..5);
            }
            let o = run(&args, None);
            assert_eq!(status(&o), 1, "{flag}");
            assert!(
                stderr(&o).contains(&format!(": {code}:")),
                "{flag}: {}",
                stderr(&o)
            );
        }
    }

    #[test]
    fn weak_keys_are_refused_unless_allowed() {
        let o = run(&["sign", "--secret", "short", "{}"], None);
        assert_eq!(status(&o), 2);
        assert!(stderr(&o).contains("shell history"), "--secret warns");
        assert!(stderr(&o).contains("RFC 7518 §3.2"));
        assert!(!stderr(&o).contains("short\""), "the key is never echoed");
        let token = sign(
            &["sign", "--secret", "short", "--allow-weak-key", "{}"],
            None,
        );
        let o = run(&["verify", "--secret", "short", &token], None);
        assert_eq!(status(&o), 1);
        assert!(stderr(&o).contains("weak_key"));
        let o = run(
            &["verify", "--secret", "short", "--allow-weak-key", &token],
            None,
        );
        assert_eq!(status(&o), 0);
    }

    /// `{}` signed and verified with `key` as base64url: exit 0.
    fn base64url_key_round_trips(key: &str) {
        let encoded = ["--secret", key, "--key-encoding", "base64url"];
        let token = sign(&[&["sign"], &encoded[..], &["{}"]].concat(), None);
        let o = run(&[&["verify"], &encoded[..], &[&token]].concat(), None);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
    }

    #[test]
    fn a_secret_starting_with_a_hyphen_is_a_value_not_a_flag() {
        // A base64url key from `keygen` starts with '-' one time in 64.
        let key = format!("-{}", "k".repeat(42));
        base64url_key_round_trips(&key);
    }

    #[test]
    fn key_encodings_turn_text_into_bytes() {
        // The tutorial's key as 32 hex-decoded bytes is another key.
        let o = run(
            &[
                "verify",
                "--secret-env",
                "TUTORIAL_KEY",
                "--key-encoding",
                "hex",
                "--now",
                TUTORIAL_NOW,
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert_eq!(status(&o), 1);
        assert!(stderr(&o).contains("bad_signature"));
        let o = run(&["keygen", "--format", "base64url"], None);
        let key = stdout(&o).trim().to_owned();
        base64url_key_round_trips(&key);
    }
}

mod hostile {
    use super::*;

    /// A small deterministic generator (64-bit LCG), so failures replay.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    #[test]
    fn mutated_tokens_never_crash_any_subcommand() {
        const ODD: [&str; 10] = [".", "=", "+", "/", " ", "\u{e9}", "A", "_", "-", "\u{0}"];
        let mut rng = Lcg(7);
        for round in 0..150 {
            let mut t: Vec<char> = TUTORIAL_TOKEN.chars().collect();
            for _ in 0..=rng.next(3) {
                let i = rng.next(t.len());
                match rng.next(3) {
                    0 => {
                        t.remove(i);
                    }
                    1 => t.insert(i, ODD[rng.next(ODD.len())].chars().next().unwrap()),
                    _ => t[i] = ODD[rng.next(ODD.len())].chars().next().unwrap(),
                }
            }
            let t: String = t.into_iter().collect();
            let t = t.replace('\0', "");
            let sub: &[&str] = match round % 4 {
                0 => &["explain", "--secret-env", "TUTORIAL_KEY"],
                1 => &["explain", "--json"],
                2 => &["verify", "--secret-env", "TUTORIAL_KEY"],
                _ => &["decode"],
            };
            let o = run(&[sub, &[t.as_str()]].concat(), None);
            let code = status(&o);
            assert!(
                code == 0 || code == 1,
                "{sub:?} {t:?}: exit {code}: {}",
                stderr(&o)
            );
            assert!(
                !stderr(&o).contains("panicked"),
                "{sub:?} {t:?}: {}",
                stderr(&o)
            );
            if code == 1 && sub[0] == "explain" && !sub.contains(&"--json") {
                assert!(
                    stdout(&o).contains("Verdict: INVALID"),
                    "{t:?}: {}",
                    stdout(&o)
                );
            }
        }
    }

    #[test]
    fn numbers_beyond_f64_survive_sign_verify_and_explain() {
        let token = sign(
            &["sign", "--secret-env", "K", r#"{"sub":"x","exp":1e400}"#],
            None,
        );
        let o = run(&["verify", "--secret-env", "K", &token], None);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
        assert!(stdout(&o).contains("\"exp\": 1e400"), "{}", stdout(&o));
        let o = run(&["explain", "--secret-env", "K", &token], None);
        assert_eq!(status(&o), 0);
        assert!(
            stdout(&o).contains("exp far in the future"),
            "{}",
            stdout(&o)
        );
    }

    #[test]
    fn an_oversized_token_stops_at_step_1() {
        let big = format!("{}.{}.{}", "a".repeat(5000), "b".repeat(5000), "c");
        let o = run(&["explain", &big], None);
        assert_eq!(status(&o), 1);
        let out = stdout(&o);
        assert!(out.contains("FAILED: too_large"), "{out}");
        assert!(!out.contains("2. The three segments"));
    }
}

mod decode {
    use super::*;

    #[test]
    fn decode_warns_on_stderr_and_keeps_stdout_clean_json() {
        let o = run(&["decode", TUTORIAL_TOKEN], None);
        assert_eq!(status(&o), 0);
        assert!(
            stderr(&o).contains("signature NOT verified"),
            "{}",
            stderr(&o)
        );
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["claims"]["sub"], "wangerge");
        assert_eq!(v["header"]["alg"], "HS256");
        assert!(
            stdout(&o).find("\"sub\"").unwrap() < stdout(&o).find("\"exp\"").unwrap(),
            "claims in their order"
        );
    }

    #[test]
    fn decode_of_a_malformed_token_exits_1() {
        let o = run(&["decode", "not-a-token"], None);
        assert_eq!(status(&o), 1);
        assert!(stderr(&o).contains("malformed"));
        assert!(stdout(&o).is_empty());
    }
}

mod explain {
    use super::*;

    /// RFC 2104 by hand: (inner, outer) of HMAC-SHA-256.
    fn hmac_sha256_by_hand(key: &[u8], msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
        assert!(key.len() <= 64, "this helper pads short keys only");
        let mut k0 = key.to_vec();
        k0.resize(64, 0);
        let ipad: Vec<u8> = k0.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k0.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sha256::new()
            .chain_update(&ipad)
            .chain_update(msg)
            .finalize()
            .to_vec();
        let outer = Sha256::new()
            .chain_update(&opad)
            .chain_update(&inner)
            .finalize()
            .to_vec();
        let mut check = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap();
        check.update(msg);
        assert_eq!(
            check.finalize().into_bytes().to_vec(),
            outer,
            "the hand computation is HMAC"
        );
        (inner, outer)
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn tutorial_hashes() -> (String, String) {
        let signing_input = TUTORIAL_TOKEN.rsplit_once('.').unwrap().0;
        let (inner, outer) = hmac_sha256_by_hand(TUTORIAL_KEY.as_bytes(), signing_input.as_bytes());
        (hex(&inner), hex(&outer))
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn the_tutorial_token_shows_the_right_hashes_and_verdict() {
        let (inner, outer) = tutorial_hashes();
        let o = run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert_eq!(status(&o), 0, "{}", stderr(&o));
        let out = stdout(&o);
        assert!(!out.contains('\x1b'), "no colour into a pipe");
        assert!(
            out.contains(&format!("    {inner}\n")),
            "inner hash {inner} in:\n{out}"
        );
        assert!(
            out.contains(&format!("computed  {outer}\n")),
            "outer hash {outer} in:\n{out}"
        );
        assert!(out.contains(&format!("given     {outer}\n")));
        assert!(out.contains("equal: the signature is valid"));
        assert!(
            out.contains("exp 2026-01-11 11:54:12 UTC — expires in 20 minutes"),
            "{out}"
        );
        assert!(
            out.trim_end()
                .ends_with("Verdict: VALID: every check passed"),
            "{out}"
        );
        assert!(
            stderr(&o).contains("shows the key"),
            "a key warning on stderr"
        );
    }

    #[test]
    fn an_expired_verdict_carries_its_code_and_the_age() {
        let o = run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                "1795783122",
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert_eq!(status(&o), 1);
        let out = stdout(&o);
        assert!(
            out.contains("exp 2026-01-11 11:54:12 UTC — expired 320 days ago"),
            "{out}"
        );
        assert!(out.contains("Verdict: INVALID (expired)"), "{out}");
    }

    #[test]
    fn colour_changes_nothing_but_the_colour() {
        let args = [
            "explain",
            "--secret-env",
            "TUTORIAL_KEY",
            "--now",
            TUTORIAL_NOW,
            TUTORIAL_TOKEN,
        ];
        let plain = stdout(&run(&args, None));
        let coloured = stdout(&run(&[&args[..], &["--color", "always"]].concat(), None));
        assert!(coloured.contains("\x1b[1;32mVALID\x1b[0m"), "{coloured}");
        assert_eq!(strip_ansi(&coloured), plain);
        let (inner, outer) = tutorial_hashes();
        assert!(coloured.contains(&inner) && coloured.contains(&outer));
        let never = stdout(&run(&[&args[..], &["--color", "never"]].concat(), None));
        assert_eq!(never, plain);
    }

    #[test]
    fn json_gives_the_same_steps() {
        let (inner, outer) = tutorial_hashes();
        let o = run(
            &[
                "explain",
                "--json",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert_eq!(status(&o), 0);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let steps = v["steps"].as_array().unwrap();
        let hmac = steps.iter().find(|s| s["title"] == "HMAC-SHA-256").unwrap();
        assert_eq!(hmac["data"]["inner_hash"], inner);
        assert_eq!(hmac["data"]["outer_hash"], outer);
        assert!(hmac["rfc"].as_str().unwrap().contains("RFC 2104"));
        assert_eq!(v["verdict"]["valid"], true);
        assert_eq!(v["verdict"]["code"], Value::Null);
        let plain = stdout(&run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                TUTORIAL_TOKEN,
            ],
            None,
        ));
        for step in steps {
            for line in step["text"].as_array().unwrap() {
                assert!(
                    plain.contains(line.as_str().unwrap()),
                    "{line} is in the text output"
                );
            }
        }
    }

    #[test]
    fn without_a_key_everything_but_the_signature() {
        let o = run(&["explain", "--now", TUTORIAL_NOW, TUTORIAL_TOKEN], None);
        assert_eq!(status(&o), 1, "not verified is not valid");
        let out = stdout(&o);
        assert!(out.contains("no key was given"), "{out}");
        assert!(out.contains("The claims (UNVERIFIED: no key)"));
        assert!(out.contains("\"sub\": \"wangerge\""));
        assert!(!out.contains("HMAC-SHA-256"), "no HMAC without a key");
        assert!(out.contains("Verdict: NOT VERIFIED"), "{out}");
        // An expired token is invalid even without a key.
        let o = run(&["explain", "--now", "1795783122", TUTORIAL_TOKEN], None);
        assert!(stdout(&o).contains("Verdict: INVALID (expired)"));
    }

    /// The line holding the caret, and the byte above it.
    fn pointed_at(out: &str) -> (char, String) {
        let lines: Vec<&str> = out.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with("^ byte"))
            .unwrap();
        let col = lines[i].chars().position(|c| c == '^').unwrap();
        (lines[i - 1].chars().nth(col).unwrap(), lines[i].to_owned())
    }

    #[test]
    fn a_malformed_token_is_explained_up_to_the_offending_character() {
        let (head, rest) = TUTORIAL_TOKEN.split_once('.').unwrap();
        let bad = format!("{head}.{}", rest.replacen("Ijo", "I+o", 1));
        let o = run(&["explain", "--secret-env", "TUTORIAL_KEY", &bad], None);
        assert_eq!(status(&o), 1);
        let out = stdout(&o);
        let (c, line) = pointed_at(&out);
        assert_eq!(c, '+', "{out}");
        let offset = bad.find('+').unwrap();
        assert!(line.contains(&format!("byte {offset}")), "{line}");
        assert!(out.contains("FAILED: malformed"));
        assert!(
            !out.contains("HMAC-SHA-256"),
            "the walk stops where the token breaks"
        );
        assert!(out.contains("Verdict: INVALID (malformed)"));
    }

    #[test]
    fn the_tutorials_misprinted_token_points_at_its_last_character() {
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJpQV30";
        let o = run(&["explain", t], None);
        let out = stdout(&o);
        let (c, line) = pointed_at(&out);
        assert_eq!(c, '0');
        assert!(line.contains(&format!("byte {}", t.len() - 1)), "{line}");
        assert!(out.contains("unused and must be zero"), "{out}");
    }

    #[test]
    fn too_many_segments_point_at_the_extra_dot() {
        let bad = format!("{TUTORIAL_TOKEN}.x");
        let out = stdout(&run(&["explain", &bad], None));
        let (c, line) = pointed_at(&out);
        assert_eq!(c, '.');
        assert!(
            line.contains(&format!("byte {}", TUTORIAL_TOKEN.len())),
            "{line}"
        );
    }

    #[test]
    fn a_bad_signature_stops_before_the_claims() {
        let forged = format!("{}A", &TUTORIAL_TOKEN[..TUTORIAL_TOKEN.len() - 1]);
        let o = run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                &forged,
            ],
            None,
        );
        assert_eq!(status(&o), 1);
        let out = stdout(&o);
        assert!(
            out.contains("different: the signature is NOT valid"),
            "{out}"
        );
        assert!(!out.contains("The claims"), "{out}");
        assert!(out.contains("Verdict: INVALID (bad_signature)"));
    }

    #[test]
    fn alg_none_is_explained_and_refused() {
        let none = format!(
            "{}.{}.",
            base64url(br#"{"alg":"none"}"#),
            base64url(br#"{"sub":"x"}"#)
        );
        let out = stdout(&run(&["explain", &none], None));
        assert!(out.contains("\"none\" is never accepted"), "{out}");
        assert!(out.contains("Verdict: INVALID (algorithm)"));
    }

    #[test]
    fn a_long_key_is_hashed_first() {
        let long = "k".repeat(100);
        let token = sign(&["sign", "--secret", &long, "{}"], None);
        let out = stdout(&run(&["explain", "--secret", &long, &token], None));
        assert!(out.contains("K is longer than B, so K0 = H(K)"), "{out}");
        let k0 = hex(&Sha256::digest(long.as_bytes()));
        assert!(out.contains(&format!("    {k0}\n")), "{out}");
        assert!(out.contains("Verdict: VALID"));
    }
}

mod readme {
    use super::*;

    /// The fenced blocks of README.md's "What is inside a JWT", by tag.
    fn blocks(tag: &str) -> Vec<String> {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        let start = readme.find("## What is inside a JWT").unwrap();
        let section = &readme[start..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
        let fence = format!("```{tag}\n");
        let mut out = Vec::new();
        let mut rest = section;
        while let Some(i) = rest.find(&fence) {
            let body = &rest[i + fence.len()..];
            let end = body.find("```\n").unwrap();
            out.push(body[..end].to_owned());
            rest = &body[end..];
        }
        out
    }

    #[test]
    fn the_tour_is_the_real_output_of_explain() {
        let text = blocks("text");
        assert!(text.len() >= 9, "{} text blocks", text.len());
        let (tour, broken) = text.split_at(text.len() - 1);
        let shown: String = tour
            .iter()
            .map(|b| b.trim_end())
            .collect::<Vec<_>>()
            .join("\n\n")
            + "\n";
        let o = run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                TUTORIAL_NOW,
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert_eq!(
            shown,
            stdout(&o),
            "README.md's tour differs from the real output"
        );

        let misprinted = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJpQV30";
        let out = stdout(&run(&["explain", misprinted], None));
        assert!(
            out.contains(&broken[0]),
            "README.md's broken-token block differs:\n{out}"
        );
    }

    #[test]
    fn the_expired_run_is_the_real_output_of_explain() {
        let console = blocks("console");
        let late = console[0].split_once("[...]\n").unwrap().1;
        let o = run(
            &[
                "explain",
                "--secret-env",
                "TUTORIAL_KEY",
                "--now",
                "1795783122",
                TUTORIAL_TOKEN,
            ],
            None,
        );
        assert!(
            stdout(&o).ends_with(late),
            "README.md's expired run differs:\n{}",
            stdout(&o)
        );
    }
}

mod usage {
    use super::*;

    #[test]
    fn bad_flags_exit_2_with_a_clear_message() {
        for (args, says) in [
            (&["verify", "--bogus"][..], "unexpected argument '--bogus'"),
            (
                &["verify", "--alg", "none", "--secret-env", "K", "x"][..],
                "RFC 8725",
            ),
            (&["sign", "{}"][..], "no key"),
            (
                &["sign", "--secret-env", "K", "--exp", "soon", "{}"][..],
                "--exp",
            ),
            (
                &["sign", "--secret-env", "K", "[1]"][..],
                "not a JSON object",
            ),
            (
                &["sign", "--secret-env", "K", r#"{"a":1,"a":2}"#][..],
                "duplicate name",
            ),
            (
                &[
                    "sign",
                    "--secret-env",
                    "K",
                    "--header",
                    r#"{"alg":"HS512"}"#,
                    "{}",
                ][..],
                "--alg",
            ),
            (
                &["sign", "--secret-file", "/nonexistent/key", "{}"][..],
                "/nonexistent/key",
            ),
            (
                &["verify", "--secret-env", "UNSET_VARIABLE_FOR_TEST", "x"][..],
                "UNSET_VARIABLE_FOR_TEST is not set",
            ),
            (
                &["verify", "--secret-env", "K", "--secret", "x", "t"][..],
                "cannot be used with",
            ),
            (&["keygen", "--format", "pem"][..], "invalid value 'pem'"),
            (
                &[
                    "sign",
                    "--secret",
                    "abc+",
                    "--key-encoding",
                    "base64url",
                    "{}",
                ][..],
                "at byte 3",
            ),
        ] {
            let o = run(args, None);
            assert_eq!(status(&o), 2, "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
            assert!(stdout(&o).is_empty(), "{args:?}");
        }
    }

    #[test]
    fn a_bad_secret_is_never_quoted_in_errors() {
        for enc in ["hex", "base64url"] {
            let o = run(
                &[
                    "sign",
                    "--secret",
                    "s3cr3t+/=!",
                    "--key-encoding",
                    enc,
                    "{}",
                ],
                None,
            );
            assert_eq!(status(&o), 2);
            for piece in ["s3cr3t", "'+'", "'!'", "'/'"] {
                assert!(
                    !stderr(&o).contains(piece),
                    "{enc}: {piece} in {}",
                    stderr(&o)
                );
            }
        }
    }

    #[test]
    fn keygen_gives_a_key_of_the_hash_output_size() {
        for (alg, len) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
            let a = stdout(&run(&["keygen", "--alg", alg], None));
            let b = stdout(&run(&["keygen", "--alg", alg], None));
            assert_eq!(a.trim().len(), 2 * len, "{alg} hex");
            assert_ne!(a, b, "fresh each time");
            let jwk: Value = serde_json::from_str(&stdout(&run(
                &["keygen", "--alg", alg, "--format", "jwk"],
                None,
            )))
            .unwrap();
            assert_eq!(jwk["kty"], "oct");
            assert_eq!(jwk["alg"], alg);
            assert_eq!(jwk["k"].as_str().unwrap().len(), (4 * len).div_ceil(3));
        }
    }

    #[test]
    fn help_has_examples_and_the_exit_codes() {
        for sub in ["sign", "verify", "decode", "explain", "keygen"] {
            let o = run(&[sub, "--help"], None);
            assert_eq!(status(&o), 0);
            assert!(stdout(&o).contains("Examples:"), "{sub}");
            assert!(stdout(&o).contains(&format!("barejwt {sub}")), "{sub}");
        }
        let o = run(&["--help"], None);
        assert!(stdout(&o).contains("Exit status"), "{}", stdout(&o));
        let o = run(&["--version"], None);
        assert_eq!(
            stdout(&o).trim(),
            format!("barejwt {}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn the_debugger_is_loopback_only_unless_asked_and_help_says_so() {
        let o = run(&["debugger", "--help"], None);
        assert_eq!(status(&o), 0);
        let help = stdout(&o);
        assert!(
            help.contains("loopback") && help.contains("--remote"),
            "{help}"
        );
        assert!(help.contains("Examples:") && help.contains("barejwt debugger"));
        let o = run(&["serve", "--help"], None);
        let help = stdout(&o);
        assert!(
            help.contains("--debugger") && help.contains("loopback"),
            "{help}"
        );
        // Listening beyond loopback without --remote would refuse everyone.
        let o = run(&["debugger", "--addr", "0.0.0.0:0"], None);
        assert_eq!(status(&o), 2);
        assert!(stderr(&o).contains("--remote"), "{}", stderr(&o));
    }

    #[test]
    fn oversized_stdin_is_refused_not_swallowed() {
        let big = vec![b'a'; (1 << 20) + 10];
        let o = run(&["decode", "-"], Some(&big));
        assert_eq!(status(&o), 2);
        assert!(stderr(&o).contains("larger than"));
    }
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
