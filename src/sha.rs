//! SHA-256, SHA-384 and SHA-512 ([FIPS 180-4]) at the level of their
//! compression function: the initial values and the padding are written
//! here; the compression function itself is `sha2`'s.
//!
//! A SHA-2 hash keeps a state of eight words (32-bit for SHA-256, 64-bit
//! for SHA-384 and SHA-512), starting from fixed initial values (§5.3).
//! It pads the message to a whole number of blocks (§5.1, [`finish`]),
//! runs its *compression function* once per block, each time mixing one
//! block into the state (§6.2.2, §6.4.2: `sha2::block_api::compress256`
//! and `compress512`), and the digest is the final state written
//! big-endian (§6.2.2 step 4; SHA-384 keeps the first six words, §6.5).
//!
//! Working at this level is what lets [`crate::hmac`] save the state after
//! the key's block and start every MAC from it: a hasher object would have
//! to be cloned, with its buffer, for each token.
//!
//! # Left out on purpose
//!
//! Messages of 2^61 bytes or more (the length field would overflow): no
//! token comes near. SHA-224 and SHA-512/t: no JWS algorithm uses them.
//!
//! [FIPS 180-4]: https://csrc.nist.gov/pubs/fips/180-4/upd1/final

use sha2::block_api::{compress256, compress512};

/// The largest block size among our hashes (SHA-384/512: 1024 bits).
pub(crate) const MAX_BLOCK: usize = 128;
/// The largest output among our hashes (SHA-512: 64 bytes).
pub(crate) const MAX_OUTPUT: usize = 64;

/// One SHA-2 function at the level of its compression function.
pub(crate) trait Sha2 {
    /// The state, H(i): eight words.
    type State: Copy;
    /// The block size B in bytes (§1: 512 or 1024 bits).
    const BLOCK: usize;
    /// The size of the length field that ends the padding (§5.1.1: 64
    /// bits for SHA-256; §5.1.2: 128 bits for SHA-384 and SHA-512).
    const LENGTH_FIELD: usize;
    /// The output size L in bytes.
    const OUTPUT: usize;
    /// H(0), the initial hash value (§5.3).
    const INITIAL: Self::State;
    /// Mixes each block of `blocks` (a whole number of blocks) into `state`.
    fn compress(state: &mut Self::State, blocks: &[u8]);
    /// The digest: the state's words big-endian, its first L bytes.
    fn output(state: &Self::State) -> [u8; MAX_OUTPUT];
}

/// SHA-256 (§6.2).
#[derive(Clone)]
pub(crate) struct Sha256Fn;
/// SHA-384 (§6.5).
#[derive(Clone)]
pub(crate) struct Sha384Fn;
/// SHA-512 (§6.4).
#[derive(Clone)]
pub(crate) struct Sha512Fn;

impl Sha2 for Sha256Fn {
    type State = [u32; 8];
    const BLOCK: usize = 64;
    const LENGTH_FIELD: usize = 8;
    const OUTPUT: usize = 32;
    /// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of
    /// the square roots of the first eight primes.
    const INITIAL: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    fn compress(state: &mut [u32; 8], blocks: &[u8]) {
        let (blocks, rest) = blocks.as_chunks::<64>();
        debug_assert!(rest.is_empty(), "whole blocks only");
        compress256(state, blocks);
    }
    fn output(state: &[u32; 8]) -> [u8; MAX_OUTPUT] {
        let mut out = [0; MAX_OUTPUT];
        for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// SHA-512's compression, shared by SHA-384 (§6.5: "the same as SHA-512"
/// with other initial values, and a digest of the first 384 bits).
fn output512(state: &[u64; 8]) -> [u8; MAX_OUTPUT] {
    let mut out = [0; MAX_OUTPUT];
    for (bytes, word) in out.chunks_exact_mut(8).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn compress_blocks512(state: &mut [u64; 8], blocks: &[u8]) {
    let (blocks, rest) = blocks.as_chunks::<128>();
    debug_assert!(rest.is_empty(), "whole blocks only");
    compress512(state, blocks);
}

impl Sha2 for Sha384Fn {
    type State = [u64; 8];
    const BLOCK: usize = 128;
    const LENGTH_FIELD: usize = 16;
    const OUTPUT: usize = 48;
    /// FIPS 180-4 §5.3.4: from the ninth to sixteenth primes.
    const INITIAL: [u64; 8] = [
        0xcbbb9d5dc1059ed8,
        0x629a292a367cd507,
        0x9159015a3070dd17,
        0x152fecd8f70e5939,
        0x67332667ffc00b31,
        0x8eb44a8768581511,
        0xdb0c2e0d64f98fa7,
        0x47b5481dbefa4fa4,
    ];
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        compress_blocks512(state, blocks);
    }
    fn output(state: &[u64; 8]) -> [u8; MAX_OUTPUT] {
        output512(state)
    }
}

impl Sha2 for Sha512Fn {
    type State = [u64; 8];
    const BLOCK: usize = 128;
    const LENGTH_FIELD: usize = 16;
    const OUTPUT: usize = 64;
    /// FIPS 180-4 §5.3.5: the first 64 bits of the fractional parts of
    /// the square roots of the first eight primes.
    const INITIAL: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        compress_blocks512(state, blocks);
    }
    fn output(state: &[u64; 8]) -> [u8; MAX_OUTPUT] {
        output512(state)
    }
}

/// Finishes a hash: from `state`, which has already absorbed `done` bytes
/// (a whole number of blocks: 0, or the key block of HMAC), absorbs the
/// concatenation of `parts`, pads, and returns the digest.
///
/// The padding, FIPS 180-4 §5.1.1 (SHA-256; §5.1.2 for SHA-512 is the same
/// with a 128-bit length):
///
/// > Suppose that the length of the message, M, is ℓ bits. Append the bit
/// > "1" to the end of the message, followed by k zero bits, where k is
/// > the smallest, non-negative solution to the equation
/// > ℓ + 1 + k ≡ 448 mod 512. Then append the 64-bit block that is equal
/// > to the number ℓ expressed using a binary representation.
///
/// In bytes: `0x80` (the bit 1 and seven of the zeros), zeros, then ℓ
/// big-endian in the last 8 (or 16) bytes of a block. When the last
/// partial block has no room for `0x80` and the length, the padding runs
/// into one more block.
pub(crate) fn finish<H: Sha2>(
    mut state: H::State,
    done: usize,
    parts: &[&[u8]],
) -> [u8; MAX_OUTPUT] {
    let b = H::BLOCK;
    // The bytes of a block not yet complete.
    let mut block = [0u8; MAX_BLOCK];
    let mut filled = 0;
    let mut total = done;
    for part in parts {
        let mut part = *part;
        total += part.len();
        if filled > 0 {
            // Complete the pending block first.
            let take = part.len().min(b - filled);
            block[filled..filled + take].copy_from_slice(&part[..take]);
            filled += take;
            part = &part[take..];
            if filled < b {
                continue;
            }
            H::compress(&mut state, &block[..b]);
            // The pending block is empty again; `filled` is set below.
        }
        // Whole blocks straight from the input, without copying them.
        let whole = part.len() - part.len() % b;
        H::compress(&mut state, &part[..whole]);
        let rest = &part[whole..];
        block[..rest.len()].copy_from_slice(rest);
        filled = rest.len();
    }

    // §5.1.1: the bit "1" and the zeros...
    block[filled] = 0x80;
    block[filled + 1..b].fill(0);
    if filled + 1 + H::LENGTH_FIELD > b {
        // ...no room left for the length: this block is all padding but
        // the message's last bytes, and the length goes in the next one.
        H::compress(&mut state, &block[..b]);
        block[..b].fill(0);
    }
    // ...then ℓ, the message length in bits, big-endian, ending the block.
    let bits = (total as u128) * 8;
    block[b - H::LENGTH_FIELD..b].copy_from_slice(&bits.to_be_bytes()[16 - H::LENGTH_FIELD..]);
    H::compress(&mut state, &block[..b]);
    H::output(&state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256, Sha384, Sha512};

    #[test]
    fn the_hash_at_the_compression_function_is_sha2() {
        // Every length across two and a half blocks of SHA-512, so that
        // each case of the padding (room for the length or not) is met.
        let msg: Vec<u8> = (0..330u32).map(|i| (i * 13 + 5) as u8).collect();
        for n in 0..=msg.len() {
            let m = &msg[..n];
            let ours = finish::<Sha256Fn>(Sha256Fn::INITIAL, 0, &[m]);
            assert_eq!(ours[..32], Sha256::digest(m)[..], "SHA-256 of {n} bytes");
            let ours = finish::<Sha384Fn>(Sha384Fn::INITIAL, 0, &[m]);
            assert_eq!(ours[..48], Sha384::digest(m)[..], "SHA-384 of {n} bytes");
            let ours = finish::<Sha512Fn>(Sha512Fn::INITIAL, 0, &[m]);
            assert_eq!(ours[..64], Sha512::digest(m)[..], "SHA-512 of {n} bytes");
            // The same bytes in pieces give the same digest.
            let (a, rest) = m.split_at(n / 3);
            let (b, c) = rest.split_at(rest.len() / 2);
            let parts = finish::<Sha512Fn>(Sha512Fn::INITIAL, 0, &[a, b, &[], c]);
            assert_eq!(
                parts[..64],
                Sha512::digest(m)[..],
                "SHA-512 of {n} bytes in parts"
            );
            let parts = finish::<Sha256Fn>(Sha256Fn::INITIAL, 0, &[a, b, &[], c]);
            assert_eq!(
                parts[..32],
                Sha256::digest(m)[..],
                "SHA-256 of {n} bytes in parts"
            );
        }
    }

    #[test]
    fn a_state_saved_after_whole_blocks_continues_the_same_hash() {
        // What HMAC relies on: compress a first block, keep the state,
        // finish from it later, counting the block in the length.
        let first = [0x5cu8; 64];
        let mut state = Sha256Fn::INITIAL;
        Sha256Fn::compress(&mut state, &first);
        let ours = finish::<Sha256Fn>(state, 64, &[b"text"]);
        let whole = Sha256::new()
            .chain_update(first)
            .chain_update(b"text")
            .finalize();
        assert_eq!(ours[..32], whole[..]);
    }
}
