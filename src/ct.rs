//! Constant-time comparison of MAC tags, a thin use of [`subtle`].
//!
//! Comparing a computed tag with the one a token carries using `==` would
//! stop at the first differing byte; the time it takes then tells an
//! attacker how many leading bytes they guessed right, and lets them forge
//! a tag byte by byte. So tags are compared with every byte examined,
//! whatever their content.
//!
//! # Constant-time
//!
//! Best effort: [`subtle`] keeps the compiler from turning the comparison
//! back into an early exit (it hides values behind an optimization
//! barrier), but no Rust code can promise what the CPU does. Lengths are
//! **not** secret: a tag's length is fixed by the algorithm, so a length
//! mismatch returns at once (as `digest`'s `verify_slice` does).

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
    // byte matched. `black_box` keeps the compiler from turning the loop
    // back into a search for the first difference; `subtle` makes the
    // final test on the accumulator. (Word by word rather than
    // `subtle::ConstantTimeEq` on the slices, which goes byte by byte:
    // the same guarantee, a quarter of the work for a 32-byte tag.)
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
