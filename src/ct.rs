//! Constant-time comparison of MAC tags.
//!
//! Comparing a computed tag with the one a token carries using `==` would
//! stop at the first differing byte; the time it takes then tells an
//! attacker how many leading bytes they guessed right, and lets them forge
//! a tag byte by byte. So tags are compared with every byte examined,
//! whatever their content.
//!
//! # Constant-time
//!
//! Best effort, and here is exactly what holds:
//!
//! - **In the source**, the loop over the bytes has no branch and no exit
//!   that depends on their values: it ORs the XOR of each pair of 8-byte
//!   words into one accumulator, and only the final accumulator is tested.
//! - **Against the optimizer**, each step's accumulator passes through
//!   [`std::hint::black_box`], so that the compiler cannot see that the
//!   result is already decided and leave the loop early. The standard
//!   library promises no more than an attempt: black_box "does not offer
//!   any guarantees for cryptographic or security purposes". The final
//!   test of the accumulator against zero is [`subtle`]'s `ct_eq`, whose
//!   `Choice` passes through subtle's own barrier (a volatile read), also
//!   best effort.
//! - **Not promised**: what a given compiler version emits (no test here
//!   reads the machine code), and what the CPU does with it.
//!
//! Lengths are **not** secret: a tag's length is fixed by the algorithm,
//! so a length mismatch returns at once (as `digest`'s `verify_slice`
//! does).

use std::hint::black_box;

use subtle::ConstantTimeEq;

/// `true` when `a` and `b` are equal. Time depends on the lengths, never
/// on the contents.
///
/// # Examples
/// ```
/// assert!(barejwt::ct::eq(b"tag", b"tag"));
/// assert!(!barejwt::ct::eq(b"tag", b"tab"));
/// assert!(!barejwt::ct::eq(b"tag", b"tags"));
/// ```
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    // Lengths are public: check them first.
    if a.len() != b.len() {
        return false;
    }
    // Then every byte, with no early exit: the XOR of each pair of 8-byte
    // words is OR-ed into one accumulator, which is zero only if every
    // byte matched. `black_box` on each step is the attempt (not a
    // guarantee, see the module docs) to keep the compiler from turning
    // the loop back into a search for the first difference; `subtle`
    // makes the final test on the accumulator. (Word by word rather than
    // `subtle::ConstantTimeEq` on the slices, which goes byte by byte
    // behind the same kind of barrier: an eighth of the steps for a
    // 32-byte tag.)
    let (a_words, a_tail) = a.as_chunks::<8>();
    let (b_words, b_tail) = b.as_chunks::<8>();
    let mut diff = 0u64;
    for (x, y) in a_words.iter().zip(b_words) {
        diff = black_box(diff | (u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y)));
    }
    for (x, y) in a_tail.iter().zip(b_tail) {
        diff = black_box(diff | u64::from(x ^ y));
    }
    diff.ct_eq(&0).into()
}

#[cfg(test)]
mod tests {
    use super::eq;

    #[test]
    fn equal_slices_are_equal() {
        assert!(eq(b"", b""));
        assert!(eq(&[7; 64], &[7; 64]));
    }

    #[test]
    fn a_difference_in_any_byte_is_found() {
        let a = [0u8; 32];
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 1;
            assert!(!eq(&a, &b), "byte {i}");
        }
    }

    #[test]
    fn every_length_and_every_differing_bit_is_found() {
        for n in 0..70 {
            let a: Vec<u8> = (0..n).map(|i| (i * 31 + 7) as u8).collect();
            assert!(eq(&a, &a.clone()), "{n}");
            for i in 0..n {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[i] ^= 1 << bit;
                    assert!(!eq(&a, &b), "{n} {i} {bit}");
                }
            }
        }
    }

    #[test]
    fn different_lengths_are_not_equal() {
        assert!(!eq(b"abc", b"ab"));
        assert!(!eq(b"", b"a"));
    }
}
