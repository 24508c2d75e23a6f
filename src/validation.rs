//! The verifier's options and the claim checks ([RFC 7519 §7.2], [RFC 8725
//! §3]).
//!
//! A [`Validation`] says what this verifier accepts: which algorithms
//! (default: HS256 only — the list is the verifier's, never the token's,
//! RFC 8725 §3.1), how much clock skew, which issuer, audience and subject,
//! which claims must be present, which `typ`, whether weak keys are
//! tolerated, how long a token may be, and what time it is.
//!
//! # Time
//!
//! > The "exp" (expiration time) claim identifies the expiration time on
//! > or after which the JWT MUST NOT be accepted for processing.
//! > — [RFC 7519 §4.1.4]
//!
//! So a token is expired when `now >= exp + leeway`, and not yet valid
//! when `now < nbf - leeway` ([RFC 7519 §4.1.5]: "MUST NOT be accepted
//! for processing" before `nbf`). `iat` is only type-checked: RFC 7519
//! gives it no rule, so an `iat` in the future is accepted.
//!
//! [RFC 7519 §7.2]: https://www.rfc-editor.org/rfc/rfc7519#section-7.2
//! [RFC 7519 §4.1.4]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
//! [RFC 7519 §4.1.5]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5
//! [RFC 8725 §3]: https://www.rfc-editor.org/rfc/rfc8725#section-3

use std::fmt;
use std::sync::Arc;

use crate::claims::{Aud, Scan, Time};
use crate::error::Error;
use crate::hmac::Algorithm;
use crate::json::MaybeText;

/// The default [`Validation::max_token_bytes`]: 8 KiB, far above any
/// realistic HMAC JWT, small enough that a hostile token costs little.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8192;

/// Where the verifier's "now" comes from.
#[derive(Clone, Default)]
pub enum Clock {
    /// The system clock, whole seconds since the Unix epoch, read coarsely
    /// (see [`Clock::now`]).
    #[default]
    System,
    /// A fixed time, for tests, replays and `barejwt verify --now`.
    Fixed(i64),
    /// Any other source.
    Custom(Arc<dyn Fn() -> i64 + Send + Sync>),
}

impl Clock {
    /// The current time in whole seconds since the epoch.
    ///
    /// A NumericDate counts whole seconds ([RFC 7519 §2]), so the system
    /// clock needs no finer reading. On Linux, [`Clock::System`] reads
    /// `CLOCK_REALTIME_COARSE`: the time of the kernel's last tick, a
    /// memory read, where `SystemTime::now()` asks the clock hardware (on
    /// the virtual machine these figures come from, about 15 ns against
    /// 130 ns, a quarter of a whole verify). It lags the exact time by at
    /// most one tick (1 to 10 ms), so a token may be accepted that long
    /// past its `exp` second: far less than any leeway. Elsewhere it is
    /// `SystemTime::now()`.
    ///
    /// [RFC 7519 §2]: https://www.rfc-editor.org/rfc/rfc7519#section-2
    pub fn now(&self) -> i64 {
        match self {
            Clock::System => system_seconds(),
            Clock::Fixed(t) => *t,
            Clock::Custom(f) => f(),
        }
    }
}

/// The coarse system clock, in whole seconds (Linux).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn system_seconds() -> i64 {
    rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse).tv_sec
}

/// The system clock, in whole seconds (before 1970: 0).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn system_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clock::System => f.write_str("System"),
            Clock::Fixed(t) => write!(f, "Fixed({t})"),
            Clock::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// What a verifier accepts.
///
/// Built in one way only: [`Validation::new`] (or `default()`, HS256), then
/// the builder methods. The fields are private to the crate, so a new
/// option can be added without breaking a caller, and each is read back
/// with its `get_` method (the plain names are the builder's; Rust has no
/// overloading).
///
/// # Examples
/// ```
/// use barejwt::{Algorithm, Validation};
/// let v = Validation::new(Algorithm::HS256)
///     .issuer("https://auth.example")
///     .audience("todo-api")
///     .require(["exp", "sub"])
///     .leeway(30);
/// assert_eq!(v.get_algorithms(), [Algorithm::HS256]);
/// assert_eq!(v.get_leeway(), 30);
/// ```
#[derive(Debug, Clone)]
pub struct Validation {
    /// The accepted algorithms. `none` is not an [`Algorithm`], so it can
    /// never be listed.
    pub(crate) algorithms: Vec<Algorithm>,
    /// Seconds of clock skew allowed for `exp` and `nbf`.
    pub(crate) leeway: u64,
    /// The required `iss`, compared exactly.
    pub(crate) iss: Option<String>,
    /// This verifier's own audience: the token's `aud` must contain it.
    pub(crate) aud: Option<String>,
    /// The required `sub`, compared exactly.
    pub(crate) sub: Option<String>,
    /// Claims that must be present.
    pub(crate) required: Vec<String>,
    /// The required `typ` header (RFC 7515 §4.1.9 comparison).
    pub(crate) typ: Option<String>,
    /// Accept keys shorter than the hash output (RFC 7518 §3.2 forbids them).
    pub(crate) allow_weak_keys: bool,
    /// Longer tokens are refused before any parsing: `too_large`.
    pub(crate) max_token_bytes: usize,
    /// The clock.
    pub(crate) clock: Clock,
}

impl Default for Validation {
    fn default() -> Validation {
        Validation::new(Algorithm::HS256)
    }
}

impl Validation {
    /// Accepts `alg` only, with every other option at its default.
    pub fn new(alg: Algorithm) -> Validation {
        Validation {
            algorithms: vec![alg],
            leeway: 0,
            iss: None,
            aud: None,
            sub: None,
            required: Vec::new(),
            typ: None,
            allow_weak_keys: false,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            clock: Clock::System,
        }
    }

    /// Accepts exactly these algorithms.
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algs.into_iter().collect();
        self
    }

    /// Allows this much clock skew, in seconds.
    pub fn leeway(mut self, secs: u64) -> Self {
        self.leeway = secs;
        self
    }

    /// Requires this `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// Names this verifier's audience.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.aud = Some(aud.into());
        self
    }

    /// Requires this `sub`.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Requires these claims to be present.
    pub fn require<S: Into<String>>(mut self, claims: impl IntoIterator<Item = S>) -> Self {
        self.required.extend(claims.into_iter().map(Into::into));
        self
    }

    /// Requires this `typ` header.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Tolerates keys shorter than RFC 7518 §3.2 allows.
    pub fn allow_weak_keys(mut self, allow: bool) -> Self {
        self.allow_weak_keys = allow;
        self
    }

    /// Sets the token size limit.
    pub fn max_token_bytes(mut self, max: usize) -> Self {
        self.max_token_bytes = max;
        self
    }

    /// Uses a fixed clock.
    pub fn now(mut self, secs: i64) -> Self {
        self.clock = Clock::Fixed(secs);
        self
    }

    /// Uses this clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The accepted algorithms ([`Validation::algorithms`]).
    pub fn get_algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The allowed clock skew in seconds ([`Validation::leeway`]).
    pub fn get_leeway(&self) -> u64 {
        self.leeway
    }

    /// The required `iss`, if any ([`Validation::issuer`]).
    pub fn get_issuer(&self) -> Option<&str> {
        self.iss.as_deref()
    }

    /// This verifier's audience, if any ([`Validation::audience`]).
    pub fn get_audience(&self) -> Option<&str> {
        self.aud.as_deref()
    }

    /// The required `sub`, if any ([`Validation::subject`]).
    pub fn get_subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// The claims that must be present ([`Validation::require`]).
    pub fn get_required(&self) -> &[String] {
        &self.required
    }

    /// The required `typ` header, if any ([`Validation::typ`]).
    pub fn get_typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// Whether weak keys are tolerated ([`Validation::allow_weak_keys`]).
    pub fn get_allow_weak_keys(&self) -> bool {
        self.allow_weak_keys
    }

    /// The token size limit ([`Validation::max_token_bytes`]).
    pub fn get_max_token_bytes(&self) -> usize {
        self.max_token_bytes
    }

    /// The clock ([`Validation::now`], [`Validation::clock`]).
    pub fn get_clock(&self) -> &Clock {
        &self.clock
    }

    /// Stage 6 alone, on a payload whose MAC has **not** been checked: the
    /// claims-set rules and claim checks [`crate::decode`] runs after the
    /// MAC has matched, for tools that show their working
    /// (`barejwt explain` without a key).
    ///
    /// # Security
    ///
    /// `Ok` here says nothing about who wrote the payload. Never use it to
    /// accept a token: that is [`crate::decode`]'s job.
    pub fn check_unverified_payload(&self, payload: &[u8]) -> Result<(), Error> {
        let scan = crate::claims::Scan::read(payload)?;
        self.check_claims(&scan)
    }

    /// Stage 6, after the scan: types, presence, time, iss, aud, sub.
    pub(crate) fn check_claims(&self, scan: &Scan<'_>) -> Result<(), Error> {
        // Types first: a NumericDate must be a JSON number (RFC 7519 §2).
        let exp = number("exp", scan.exp)?;
        let nbf = number("nbf", scan.nbf)?;
        number("iat", scan.iat)?;

        // Names are compared as the scan noted them, unescaped.
        if let Some(claim) = self.required.iter().find(|r| !scan.names.contains(r)) {
            return Err(Error::MissingClaim {
                claim: claim.clone(),
            });
        }
        let missing = |claim: &str| Error::MissingClaim {
            claim: claim.into(),
        };
        if self.iss.is_some() && scan.iss.is_none() {
            return Err(missing("iss"));
        }
        if self.sub.is_some() && scan.sub.is_none() {
            return Err(missing("sub"));
        }
        if self.aud.is_some() && scan.aud.is_none() {
            return Err(missing("aud"));
        }

        if exp.is_some() || nbf.is_some() {
            let now = self.clock.now();
            if let Some(exp) = exp
                && expired(exp, now, self.leeway)
            {
                return Err(Error::Expired {
                    exp,
                    now,
                    leeway: self.leeway,
                });
            }
            if let Some(nbf) = nbf
                && not_yet_valid(nbf, now, self.leeway)
            {
                return Err(Error::NotYetValid {
                    nbf,
                    now,
                    leeway: self.leeway,
                });
            }
        }

        if let (Some(want), Some(found)) = (&self.iss, &scan.iss) {
            exact(want, found).map_err(|reason| Error::InvalidIssuer { reason })?;
        }
        check_audience(self.aud.as_deref(), scan.aud.as_ref())?;
        if let (Some(want), Some(found)) = (&self.sub, &scan.sub) {
            exact(want, found).map_err(|reason| Error::InvalidSubject { reason })?;
        }
        Ok(())
    }
}

/// [RFC 7519 §4.1.4]: a token is expired "on or after" `exp`, so when
/// `now >= exp + leeway`. The comparison is in f64, as `exp` may have a
/// fraction (a NumericDate "can represent any JSON number").
///
/// [RFC 7519 §4.1.4]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
pub fn expired(exp: f64, now: i64, leeway: u64) -> bool {
    now as f64 >= exp + leeway as f64
}

/// [RFC 7519 §4.1.5]: a token "MUST NOT be accepted for processing"
/// before `nbf`, so it is not yet valid when `now < nbf - leeway`.
///
/// [RFC 7519 §4.1.5]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5
pub fn not_yet_valid(nbf: f64, now: i64, leeway: u64) -> bool {
    (now as f64) < nbf - leeway as f64
}

fn number(claim: &'static str, t: Option<Time>) -> Result<Option<f64>, Error> {
    match t {
        None => Ok(None),
        Some(Time::Number(v)) => Ok(Some(v)),
        Some(Time::Other(found)) => Err(Error::InvalidClaim {
            claim,
            reason: format!(
                "expected a NumericDate (a JSON number, RFC 7519 §2), found a JSON {found}"
            ),
        }),
    }
}

/// `iss` and `sub`: a string, equal byte for byte (RFC 7519 §4.1.1:
/// "a case-sensitive string"; no normalisation).
fn exact(want: &str, found: &MaybeText<'_>) -> Result<(), String> {
    match found.as_text() {
        Some(s) if s == want => Ok(()),
        _ => Err(format!("expected {want:?}, found {}", found.describe())),
    }
}

/// RFC 7519 §4.1.3: "If the principal processing the claim does not
/// identify itself with a value in the "aud" claim when this claim is
/// present, then the JWT MUST be rejected."
fn check_audience(want: Option<&str>, found: Option<&Aud<'_>>) -> Result<(), Error> {
    let invalid = |reason: String| Err(Error::InvalidAudience { reason });
    match (want, found) {
        (_, None) => Ok(()),
        (_, Some(Aud::Invalid(why))) => invalid(why.clone()),
        (None, Some(_)) => invalid(
            "the token names an audience but this verifier has none, so it cannot be among them (RFC 7519 §4.1.3)"
                .into(),
        ),
        (Some(want), Some(Aud::Strings(list))) => {
            if list.iter().any(|a| a == want) {
                Ok(())
            } else {
                invalid(format!("{want:?} is not among the token's {} audience(s)", list.len()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: &Validation, payload: &str) -> Result<(), &'static str> {
        let scan = Scan::read(payload.as_bytes()).map_err(|e| e.code())?;
        v.check_claims(&scan).map_err(|e| e.code())
    }

    #[test]
    fn the_coarse_system_clock_is_the_system_time_to_the_tick() {
        use std::time::{SystemTime, UNIX_EPOCH};
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let coarse = Clock::System.now();
        let after = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        // At most one tick behind: the second before `before`, at worst.
        assert!(
            (before - 1..=after).contains(&coarse),
            "{before} {coarse} {after}"
        );
    }

    #[test]
    fn expired_at_exp_and_after_but_not_before() {
        let v = Validation::default().now(100);
        assert_eq!(check(&v, r#"{"exp":101}"#), Ok(()));
        assert_eq!(check(&v, r#"{"exp":100}"#), Err("expired"));
        assert_eq!(check(&v, r#"{"exp":99.5}"#), Err("expired"));
        assert_eq!(check(&v, r#"{"exp":100.5}"#), Ok(()));
        assert_eq!(check(&v.clone().leeway(1), r#"{"exp":100}"#), Ok(()));
        assert_eq!(check(&v, r#"{"exp":1e400}"#), Ok(()));
        assert_eq!(check(&v, r#"{"exp":-1e400}"#), Err("expired"));
    }

    #[test]
    fn not_yet_valid_before_nbf() {
        let v = Validation::default().now(100);
        assert_eq!(check(&v, r#"{"nbf":100}"#), Ok(()));
        assert_eq!(check(&v, r#"{"nbf":101}"#), Err("not_yet_valid"));
        assert_eq!(check(&v.leeway(1), r#"{"nbf":101}"#), Ok(()));
    }

    #[test]
    fn time_claims_must_be_numbers_and_iat_is_only_type_checked() {
        let v = Validation::default().now(100);
        assert_eq!(check(&v, r#"{"exp":"101"}"#), Err("invalid_claim"));
        assert_eq!(check(&v, r#"{"nbf":true}"#), Err("invalid_claim"));
        assert_eq!(check(&v, r#"{"iat":null}"#), Err("invalid_claim"));
        assert_eq!(check(&v, r#"{"iat":1000000}"#), Ok(()));
    }

    #[test]
    fn issuer_subject_and_required_claims() {
        let v = Validation::default()
            .issuer("joe")
            .subject("me")
            .require(["jti"]);
        assert_eq!(check(&v, r#"{"iss":"joe","sub":"me","jti":"1"}"#), Ok(()));
        assert_eq!(
            check(&v, r#"{"iss":"joe","sub":"me"}"#),
            Err("missing_claim")
        );
        assert_eq!(check(&v, r#"{"sub":"me","jti":"1"}"#), Err("missing_claim"));
        // A required name is found however it is spelled (`\u006a` is `j`),
        // and only as a member name, whole.
        assert_eq!(
            check(&v, r#"{"iss":"joe","sub":"me","\u006ati":1}"#),
            Ok(())
        );
        assert_eq!(
            check(&v, r#"{"iss":"joe","sub":"me","x":"jti","jt":1,"jtix":1}"#),
            Err("missing_claim")
        );
        // The first missing one in the verifier's order is named.
        let two = Validation::default().require(["a", "b", "c"]);
        match Scan::read(br#"{"b":1}"#).map(|scan| two.check_claims(&scan)) {
            Ok(Err(Error::MissingClaim { claim })) => assert_eq!(claim, "a"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            check(&v, r#"{"iss":"Joe","sub":"me","jti":"1"}"#),
            Err("invalid_issuer")
        );
        assert_eq!(
            check(&v, r#"{"iss":1,"sub":"me","jti":"1"}"#),
            Err("invalid_issuer")
        );
        assert_eq!(
            check(&v, r#"{"iss":"joe","sub":"you","jti":"1"}"#),
            Err("invalid_subject")
        );
    }

    #[test]
    fn audience_rules() {
        let v = Validation::default().audience("api");
        assert_eq!(check(&v, r#"{"aud":"api"}"#), Ok(()));
        assert_eq!(check(&v, r#"{"aud":["x","api"]}"#), Ok(()));
        assert_eq!(check(&v, r#"{"aud":["x"]}"#), Err("invalid_audience"));
        assert_eq!(check(&v, r#"{"aud":["api",1]}"#), Err("invalid_audience"));
        assert_eq!(check(&v, r#"{}"#), Err("missing_claim"));
        assert_eq!(
            check(&Validation::default(), r#"{"aud":"api"}"#),
            Err("invalid_audience")
        );
    }

    #[test]
    fn an_unverified_payload_gets_the_same_claim_checks_as_decode() {
        let v = Validation::default().now(100).require(["sub"]);
        assert_eq!(
            v.check_unverified_payload(br#"{"sub":"a","exp":101}"#),
            Ok(())
        );
        assert_eq!(
            v.check_unverified_payload(br#"{"sub":"a","exp":100}"#)
                .unwrap_err()
                .code(),
            "expired"
        );
        assert_eq!(
            v.check_unverified_payload(br#"{"exp":101}"#)
                .unwrap_err()
                .code(),
            "missing_claim"
        );
        assert_eq!(
            v.check_unverified_payload(br#"{"sub":"a","sub":"b"}"#)
                .unwrap_err()
                .code(),
            "malformed"
        );
    }
}
