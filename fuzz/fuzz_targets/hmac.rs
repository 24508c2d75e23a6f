//! `hmac`: barejwt's HMAC ([RFC 2104], [RFC 7518 §3.2]) differential
//! against RustCrypto's `hmac` crate, for HS256, HS384 and HS512.
//!
//! The input chooses the algorithm, a key and a message. The key length
//! is steered towards the cases RFC 2104 §2 treats differently: empty,
//! shorter than the hash output, exactly one block (B bytes, zero-padded
//! not at all), one byte more than a block (hashed first), and any length.
//! Every path must give `hmac`'s tag:
//! - one-shot, `Mac::compute`;
//! - incremental, `Mac::compute_parts` over the message cut at fuzzed
//!   points (the signer MACs `header.payload` in pieces);
//! - `hmac::steps`, the teaching path, whose intermediate values are
//!   also checked against RFC 2104 §2 written out here;
//! - `HmacKey::sign_parts` and `HmacKey::verify`, the JWS layer;
//! - `Mac::verify_truncated` accepts the tag and its 10-byte and longer
//!   prefixes, and refuses a flipped byte and prefixes under 10 bytes.
//!
//! [RFC 2104]: https://www.rfc-editor.org/rfc/rfc2104
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2
#![no_main]

use ::hmac::{KeyInit, Mac as ReferenceMac};
use barejwt::hmac::{self, IPAD, Mac, OPAD};
use barejwt::{Algorithm, HmacKey};
use libfuzzer_sys::fuzz_target;
use sha2::{Sha256, Sha384, Sha512};

fn reference(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: KeyInit + ReferenceMac>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    match alg {
        Algorithm::HS256 => run::<::hmac::Hmac<Sha256>>(key, msg),
        Algorithm::HS384 => run::<::hmac::Hmac<Sha384>>(key, msg),
        Algorithm::HS512 => run::<::hmac::Hmac<Sha512>>(key, msg),
    }
}

fn digest(alg: Algorithm, data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    match alg {
        Algorithm::HS256 => Sha256::digest(data).to_vec(),
        Algorithm::HS384 => Sha384::digest(data).to_vec(),
        Algorithm::HS512 => Sha512::digest(data).to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let [selector, key_len_byte, rest @ ..] = data else {
        return;
    };
    let alg = Algorithm::ALL[usize::from(selector % 3)];
    let (b, l) = (alg.block_len(), alg.output_len());
    // Key length classes (selector / 3 % 6): the key is the first bytes of
    // `rest`, zero-extended when `rest` is too short.
    let key_len = match (selector / 3) % 6 {
        0 => 0,
        1 => 1 + usize::from(*key_len_byte) % (l - 1), // short: 1..L-1
        2 => b,                                        // exactly one block
        3 => b + 1,                                    // hashed first
        4 => b + 1 + usize::from(*key_len_byte),       // well past a block
        _ => usize::from(*key_len_byte),               // anything up to 255
    };
    let mut key = rest[..key_len.min(rest.len())].to_vec();
    key.resize(key_len, 0);
    let rest = &rest[key_len.min(rest.len())..];
    // The message is the rest; its first byte (if any) also says where to
    // cut it for the incremental path, so cuts are fuzzed too.
    let msg = rest;
    let cut_seed = msg.first().copied().unwrap_or(0);

    let want = reference(alg, &key, msg);
    assert_eq!(want.len(), l);

    // One-shot.
    let mac = Mac::new(alg, &key);
    assert_eq!(mac.algorithm(), alg);
    assert_eq!(mac.compute(msg).as_bytes(), &want[..], "one-shot");

    // Incremental: 0 to 7 cuts, at positions drawn from cut_seed; empty
    // pieces are kept (a signer may hand over an empty payload).
    let mut cuts: Vec<usize> = (0..usize::from(cut_seed % 8))
        .map(|i| {
            if msg.is_empty() {
                0
            } else {
                (usize::from(cut_seed).wrapping_mul(31 + i) + i * 7) % (msg.len() + 1)
            }
        })
        .collect();
    cuts.sort_unstable();
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for c in cuts {
        parts.push(&msg[start..c]);
        start = c;
    }
    parts.push(&msg[start..]);
    assert_eq!(
        mac.compute_parts(&parts).as_bytes(),
        &want[..],
        "incremental"
    );

    // The teaching path, and RFC 2104 §2 steps (1)-(7) written out.
    let s = hmac::steps(alg, &key, msg);
    assert_eq!(s.outer_hash, want, "steps().outer_hash");
    let mut block = if key.len() > b {
        digest(alg, &key)
    } else {
        key.clone()
    };
    block.resize(b, 0);
    assert_eq!(s.key_hashed, key.len() > b);
    assert_eq!(s.key_block, block);
    let ipad: Vec<u8> = block.iter().map(|k| k ^ IPAD).collect();
    let opad: Vec<u8> = block.iter().map(|k| k ^ OPAD).collect();
    assert_eq!(s.k_ipad, ipad);
    assert_eq!(s.k_opad, opad);
    assert_eq!(s.inner_hash, digest(alg, &[&ipad[..], msg].concat()));

    // The JWS layer: the key as HmacKey (weak keys allowed, so every
    // length reaches the MAC).
    let hk = HmacKey::new_allow_weak(alg, &key);
    assert_eq!(hk.is_weak(), key.len() < l);
    assert_eq!(HmacKey::new(alg, &key).is_ok(), key.len() >= l);
    assert_eq!(hk.sign_parts(&parts).as_bytes(), &want[..]);
    assert!(hk.verify(msg, &want));
    let mut flipped = want.clone();
    flipped[usize::from(cut_seed) % l] ^= 1 << (key_len_byte % 8);
    assert!(!hk.verify(msg, &flipped), "a flipped tag verified");
    assert!(!hk.verify(msg, &want[..l - 1]), "a shortened tag verified");

    // Truncated tags, RFC 2104 §5: at least 10 bytes.
    for t in [0, 1, 9, 10, 11, l / 2, l - 1, l] {
        assert_eq!(mac.verify_truncated(msg, &want[..t]), t >= 10, "prefix {t}");
    }
    assert!(!mac.verify_truncated(msg, &flipped));
    let mut longer = want.clone();
    longer.push(0);
    assert!(!mac.verify_truncated(msg, &longer));
});
