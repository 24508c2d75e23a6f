//! The floor: a minimal verifier and signer built from the best crates for
//! each piece (`hmac` keyed once, `base64`, `serde_json`, the system
//! clock), complete but checking only the signature and `exp`: no header,
//! no `alg`, no duplicate names, no size limit. A verifier doing every
//! check barejwt does can aim at it, not beat it by skipping work.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The claims types' `exp`, for the floor's one claim check.
pub trait Exp {
    fn exp(&self) -> u64;
}

/// Why the floor refused a token.
#[derive(Debug, PartialEq)]
pub enum FloorError {
    Malformed,
    BadSignature,
    Expired,
}

/// The floor for one HMAC: its key state, made once, and its header.
pub struct Floor<M> {
    mac: M,
    /// BASE64URL of `{"alg":"HS256","typ":"JWT"}` (or HS512), made once.
    header_b64: String,
}

pub type Floor256 = Floor<hmac::Hmac<sha2::Sha256>>;
pub type Floor512 = Floor<hmac::Hmac<sha2::Sha512>>;

pub fn hs256(secret: &[u8]) -> Floor256 {
    use hmac::KeyInit;
    Floor::new(hmac::Hmac::new_from_slice(secret).unwrap(), "HS256")
}

pub fn hs512(secret: &[u8]) -> Floor512 {
    use hmac::KeyInit;
    Floor::new(hmac::Hmac::new_from_slice(secret).unwrap(), "HS512")
}

impl<M: hmac::Mac + Clone> Floor<M> {
    fn new(mac: M, alg: &str) -> Self {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        Floor {
            mac,
            header_b64: URL_SAFE_NO_PAD.encode(header),
        }
    }

    pub fn verify<T: DeserializeOwned + Exp>(&self, token: &str) -> Result<T, FloorError> {
        let (signing_input, sig) = token.rsplit_once('.').ok_or(FloorError::Malformed)?;
        let (_, payload) = signing_input.split_once('.').ok_or(FloorError::Malformed)?;
        let mut tag = [0u8; 64];
        let n = URL_SAFE_NO_PAD
            .decode_slice(sig, &mut tag)
            .map_err(|_| FloorError::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&tag[..n])
            .map_err(|_| FloorError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| FloorError::Malformed)?;
        let claims: T = serde_json::from_slice(&payload).map_err(|_| FloorError::Malformed)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if claims.exp() <= now {
            return Err(FloorError::Expired);
        }
        Ok(claims)
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let payload = serde_json::to_vec(claims).unwrap();
        let mut out = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 92);
        out.push_str(&self.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
        let mut mac = self.mac.clone();
        mac.update(out.as_bytes());
        let tag = mac.finalize().into_bytes();
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut out);
        out
    }
}
