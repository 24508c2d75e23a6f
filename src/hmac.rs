//! HMAC ([RFC 2104]) over SHA-256, SHA-384 and SHA-512: the MACs behind
//! JWS's `HS256`, `HS384` and `HS512` ([RFC 7518 §3.2]), written at the
//! level of SHA-2's compression function.
//!
//! > HMAC(K, text) = H(K XOR opad, H(K XOR ipad, text))
//! > — [RFC 2104 §2]
//!
//! where `H` is the hash, `B` its block size (64 bytes for SHA-256, 128
//! for SHA-384 and SHA-512), `ipad` the byte 0x36 and `opad` the byte 0x5C
//! repeated `B` times, and `K` the key:
//!
//! > (1) append zeros to the end of K to create a B byte string [...]
//! > Applications that use keys longer than B bytes will first hash the
//! > key using H and then use the resultant L byte string as the actual
//! > key to HMAC.
//!
//! SHA-2 itself is used at the level of its compression function
//! (`src/sha.rs` says what that means): the padding is ours, the
//! compression function `sha2`'s.
//!
//! # Computing the key's part once
//!
//! `K XOR ipad` and `K XOR opad` are each exactly one block, and they are
//! the first block each hash sees. So [`Mac`] compresses each of them once,
//! when the key is made, and keeps the two states (32 bytes each for
//! SHA-256). RFC 2104 §4 suggests exactly this ("precompute [...]
//! intermediate results"). Every MAC after that starts from those states
//! and compresses only the message and the inner digest. For a JWT's
//! signing input of `n` bytes under HS256 that is
//! `ceil((n + 9) / 64)` compressions for the inner hash (the message, the
//! `0x80` byte and the 8-byte length) and exactly one for the outer hash
//! (32 bytes of inner digest + 9 fit in one block): the tutorial's 93-byte
//! signing input costs three compressions and nothing else.
//!
//! # Security
//!
//! The stored states are as secret as the key (with them one can compute
//! MACs), and like the key they are not wiped from memory on drop. The
//! compression function's running time does not depend on the data it
//! mixes (in `sha2`'s implementations: plain arithmetic, no table indexed
//! by secret data, or the CPU's SHA instructions). `Debug` prints no key
//! material.
//!
//! [RFC 2104]: https://www.rfc-editor.org/rfc/rfc2104
//! [RFC 2104 §2]: https://www.rfc-editor.org/rfc/rfc2104#section-2
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2

use std::fmt;

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::sha::{MAX_BLOCK, Sha2, Sha256Fn, Sha384Fn, Sha512Fn, finish};

/// `ipad`, RFC 2104 §2: "the byte 0x36 repeated B times".
pub const IPAD: u8 = 0x36;
/// `opad`, RFC 2104 §2: "the byte 0x5C repeated B times".
pub const OPAD: u8 = 0x5C;
/// The largest output among our hashes (SHA-512: 64 bytes).
pub const MAX_OUTPUT: usize = crate::sha::MAX_OUTPUT;
/// The three JWS algorithms barejwt implements ([RFC 7518 §3.1]).
///
/// There is deliberately no `None` variant: an unsecured JWS (`alg:
/// "none"`, [RFC 7518 §3.6]) cannot be represented, so it cannot be accepted.
///
/// [RFC 7518 §3.1]: https://www.rfc-editor.org/rfc/rfc7518#section-3.1
/// [RFC 7518 §3.6]: https://www.rfc-editor.org/rfc/rfc7518#section-3.6
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// HMAC using SHA-256.
    HS256,
    /// HMAC using SHA-384.
    HS384,
    /// HMAC using SHA-512.
    HS512,
}

impl Algorithm {
    /// All three, in order.
    pub const ALL: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
        }
    }

    /// Parses an `alg` value. Case-sensitive, as RFC 7515 §4.1.1 says
    /// ("a case-sensitive ASCII string"): `hs256` is not `HS256`.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "HS256" => Some(Algorithm::HS256),
            "HS384" => Some(Algorithm::HS384),
            "HS512" => Some(Algorithm::HS512),
            _ => None,
        }
    }

    /// The hash's output size L in bytes: the tag length, and the least key
    /// length RFC 7518 §3.2 allows ("A key of the same size as the hash
    /// output [...] or larger MUST be used").
    pub const fn output_len(self) -> usize {
        match self {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
        }
    }

    /// The hash's block size B in bytes.
    pub const fn block_len(self) -> usize {
        match self {
            Algorithm::HS256 => 64,
            Algorithm::HS384 | Algorithm::HS512 => 128,
        }
    }

    /// The hash's name, for explanations.
    pub const fn hash_name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "SHA-256",
            Algorithm::HS384 => "SHA-384",
            Algorithm::HS512 => "SHA-512",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A MAC tag: up to 64 bytes, kept on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    bytes: [u8; MAX_OUTPUT],
    len: u8,
}

impl Tag {
    fn new(digest: &[u8]) -> Tag {
        let mut bytes = [0; MAX_OUTPUT];
        bytes[..digest.len()].copy_from_slice(digest);
        Tag {
            bytes,
            len: digest.len() as u8,
        }
    }

    /// The tag's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A tag is public (it travels in the token), so it may be shown.
        write!(f, "Tag(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// RFC 2104 §2 step (1): the key as exactly one block — hashed first when
/// longer than B, then padded with zeros to B bytes.
fn key_block<H: Sha2>(key: &[u8]) -> [u8; MAX_BLOCK] {
    let mut block = [0u8; MAX_BLOCK];
    if key.len() > H::BLOCK {
        let digest = finish::<H>(H::INITIAL, 0, &[key]);
        block[..H::OUTPUT].copy_from_slice(&digest[..H::OUTPUT]);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    block
}

/// The two states after their first block: `K XOR ipad` (inner) and
/// `K XOR opad` (outer) compressed from H(0).
#[derive(Clone)]
struct Pads<H: Sha2> {
    inner: H::State,
    outer: H::State,
}

impl<H: Sha2> Pads<H> {
    fn new(key: &[u8]) -> Self {
        let k0 = key_block::<H>(key);
        let b = H::BLOCK;
        // RFC 2104 §2 steps (2) and (5): K0 XOR ipad, K0 XOR opad.
        let mut ipad = [0u8; MAX_BLOCK];
        let mut opad = [0u8; MAX_BLOCK];
        for i in 0..b {
            ipad[i] = k0[i] ^ IPAD;
            opad[i] = k0[i] ^ OPAD;
        }
        let (mut inner, mut outer) = (H::INITIAL, H::INITIAL);
        H::compress(&mut inner, &ipad[..b]);
        H::compress(&mut outer, &opad[..b]);
        Pads { inner, outer }
    }

    /// `H(K XOR opad, H(K XOR ipad, text))`, from the saved states: steps
    /// (3)-(4), the inner hash over the text, then (6)-(7), the outer hash
    /// over the inner digest. Each has already absorbed one block.
    fn mac(&self, parts: &[&[u8]]) -> Tag {
        let inner = finish::<H>(self.inner, H::BLOCK, parts);
        let outer = finish::<H>(self.outer, H::BLOCK, &[&inner[..H::OUTPUT]]);
        Tag::new(&outer[..H::OUTPUT])
    }
}

#[derive(Clone)]
enum State {
    S256(Pads<Sha256Fn>),
    S384(Pads<Sha384Fn>),
    S512(Pads<Sha512Fn>),
}

/// An HMAC key prepared for one algorithm: the inner and outer states are
/// computed once, here.
///
/// This is the primitive; [`crate::HmacKey`] adds the JWS rules (key length,
/// `kid`) on top of it.
///
/// # Examples
/// ```
/// use barejwt::hmac::{Algorithm, Mac};
/// // RFC 4231 test case 2: key "Jefe".
/// let mac = Mac::new(Algorithm::HS256, b"Jefe");
/// let tag = mac.compute(b"what do ya want for nothing?");
/// assert_eq!(tag.as_bytes()[..4], [0x5b, 0xdc, 0xc1, 0x46]);
/// ```
#[derive(Clone)]
pub struct Mac {
    alg: Algorithm,
    state: State,
}

impl Mac {
    /// Prepares `key` for `alg`. HMAC accepts keys of any length (RFC 2104
    /// §3); the JWS minimum is enforced by [`crate::HmacKey`], not here.
    pub fn new(alg: Algorithm, key: &[u8]) -> Mac {
        let state = match alg {
            Algorithm::HS256 => State::S256(Pads::new(key)),
            Algorithm::HS384 => State::S384(Pads::new(key)),
            Algorithm::HS512 => State::S512(Pads::new(key)),
        };
        Mac { alg, state }
    }

    /// The algorithm this key was prepared for.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The MAC of `msg`.
    pub fn compute(&self, msg: &[u8]) -> Tag {
        self.compute_parts(&[msg])
    }

    /// The MAC of the concatenation of `parts`, without concatenating them.
    pub fn compute_parts(&self, parts: &[&[u8]]) -> Tag {
        match &self.state {
            State::S256(p) => p.mac(parts),
            State::S384(p) => p.mac(parts),
            State::S512(p) => p.mac(parts),
        }
    }

    /// Constant-time check of `tag` against the MAC of `msg`. A `tag`
    /// shorter than the output is compared with that many leading bytes
    /// (RFC 2104 §5 truncation), but never fewer than 10 bytes.
    pub fn verify_truncated(&self, msg: &[u8], tag: &[u8]) -> bool {
        let full = self.compute(msg);
        // RFC 2104 §5: "t not less than [...] 80 bits"; we stop at 10 bytes.
        if tag.len() < 10 || tag.len() > full.as_bytes().len() {
            return false;
        }
        crate::ct::eq(&full.as_bytes()[..tag.len()], tag)
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mac")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}
/// Every intermediate value of one HMAC computation, for teaching
/// (`barejwt explain`). Holds key material: never log it.
#[derive(Clone)]
pub struct Steps {
    /// The algorithm.
    pub alg: Algorithm,
    /// Whether the key was longer than B and so was hashed first.
    pub key_hashed: bool,
    /// `K` as one block: hashed if long, zero-padded to B bytes.
    pub key_block: Vec<u8>,
    /// `K XOR ipad`.
    pub k_ipad: Vec<u8>,
    /// `K XOR opad`.
    pub k_opad: Vec<u8>,
    /// `H(K XOR ipad, text)`.
    pub inner_hash: Vec<u8>,
    /// `H(K XOR opad, inner_hash)`: the tag.
    pub outer_hash: Vec<u8>,
}

impl fmt::Debug for Steps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Steps")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Computes HMAC the long way, keeping every step (RFC 2104 §2, steps
/// 1–7). The result's `outer_hash` equals [`Mac::compute`]'s tag.
pub fn steps(alg: Algorithm, key: &[u8], msg: &[u8]) -> Steps {
    fn run<H: Sha2, D: Digest>(alg: Algorithm, key: &[u8], msg: &[u8]) -> Steps {
        let b = H::BLOCK;
        let key_block = key_block::<H>(key)[..b].to_vec();
        let k_ipad: Vec<u8> = key_block.iter().map(|k| k ^ IPAD).collect();
        let k_opad: Vec<u8> = key_block.iter().map(|k| k ^ OPAD).collect();
        // The long way: two whole hashes with `sha2`'s own hasher, no state
        // saved from the key; the tests hold it equal to `Mac`'s short way.
        let inner_hash = D::new()
            .chain_update(&k_ipad)
            .chain_update(msg)
            .finalize()
            .to_vec();
        let outer_hash = D::new()
            .chain_update(&k_opad)
            .chain_update(&inner_hash)
            .finalize()
            .to_vec();
        Steps {
            alg,
            key_hashed: key.len() > b,
            key_block,
            k_ipad,
            k_opad,
            inner_hash,
            outer_hash,
        }
    }
    match alg {
        Algorithm::HS256 => run::<Sha256Fn, Sha256>(alg, key, msg),
        Algorithm::HS384 => run::<Sha384Fn, Sha384>(alg, key, msg),
        Algorithm::HS512 => run::<Sha512Fn, Sha512>(alg, key, msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac as _};

    fn reference(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
        match alg {
            Algorithm::HS256 => {
                let mut m = hmac::Hmac::<Sha256>::new_from_slice(key).expect("any key length");
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::HS384 => {
                let mut m = hmac::Hmac::<Sha384>::new_from_slice(key).expect("any key length");
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::HS512 => {
                let mut m = hmac::Hmac::<Sha512>::new_from_slice(key).expect("any key length");
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test hex"))
            .collect()
    }

    #[test]
    fn rfc4231_test_case_2() {
        let tag = Mac::new(Algorithm::HS256, b"Jefe").compute(b"what do ya want for nothing?");
        assert_eq!(
            tag.as_bytes(),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }

    #[test]
    fn rfc4231_test_case_6_hashes_a_key_longer_than_the_block() {
        let key = [0xaa; 131];
        let msg = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let tag = Mac::new(Algorithm::HS512, &key).compute(msg);
        assert_eq!(
            tag.as_bytes(),
            hex(
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
            )
        );
    }

    #[test]
    fn agrees_with_the_hmac_crate_on_keys_around_the_block_size() {
        let msg: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        for alg in Algorithm::ALL {
            let b = alg.block_len();
            for key_len in [0, 1, 31, 32, b - 1, b, b + 1, 2 * b + 7] {
                let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
                for msg_len in [0, 1, 55, 56, 64, 111, 112, 128, 300] {
                    let m = &msg[..msg_len];
                    let ours = Mac::new(alg, &key).compute(m);
                    assert_eq!(
                        ours.as_bytes(),
                        reference(alg, &key, m),
                        "{alg} key {key_len} msg {msg_len}"
                    );
                    let split = msg_len / 3;
                    let parts = Mac::new(alg, &key).compute_parts(&[&m[..split], &m[split..]]);
                    assert_eq!(parts, ours);
                    assert_eq!(steps(alg, &key, m).outer_hash, ours.as_bytes());
                }
            }
        }
    }

    #[test]
    fn a_mac_in_parts_is_the_mac_of_the_whole() {
        let msg: Vec<u8> = (0..200u32).map(|i| i as u8).collect();
        for alg in Algorithm::ALL {
            let mac = Mac::new(alg, b"a key");
            let whole = mac.compute(&msg);
            for cut in [0, 1, 63, 64, 65, 127, 128, 129, 200] {
                let (a, b) = msg.split_at(cut);
                assert_eq!(mac.compute_parts(&[a, b]), whole, "{alg} cut at {cut}");
            }
            assert_eq!(mac.compute_parts(&[]), mac.compute(b""));
        }
    }

    #[test]
    fn steps_show_the_padded_key_and_the_pads() {
        let s = steps(Algorithm::HS256, b"key", b"msg");
        assert_eq!(s.key_block.len(), 64);
        assert_eq!(&s.key_block[..3], b"key");
        assert!(s.key_block[3..].iter().all(|&b| b == 0));
        assert_eq!(s.k_ipad[0], b'k' ^ 0x36);
        assert_eq!(s.k_opad[63], 0x5c);
        assert!(!s.key_hashed);
        assert!(steps(Algorithm::HS256, &[1; 65], b"").key_hashed);
    }

    #[test]
    fn truncated_tags_need_at_least_ten_bytes() {
        let mac = Mac::new(Algorithm::HS256, b"k");
        let tag = mac.compute(b"m");
        assert!(mac.verify_truncated(b"m", &tag.as_bytes()[..10]));
        assert!(!mac.verify_truncated(b"m", &tag.as_bytes()[..9]));
        assert!(mac.verify_truncated(b"m", tag.as_bytes()));
        let mut bad = tag.as_bytes().to_vec();
        bad[31] ^= 1;
        assert!(!mac.verify_truncated(b"m", &bad));
    }

    #[test]
    fn debug_prints_no_key_material() {
        let mac = Mac::new(Algorithm::HS256, b"super-secret-key-bytes");
        let s = format!("{mac:?}");
        assert!(!s.contains("secret"));
        assert!(!s.contains("State"));
    }
}
