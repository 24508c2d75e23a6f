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
    // Then every byte, with no early exit.
    a.ct_eq(b).into()
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
    fn different_lengths_are_not_equal() {
        assert!(!eq(b"abc", b"ab"));
        assert!(!eq(b"", b"a"));
    }
}
