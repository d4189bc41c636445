//! Appending short byte strings without a `memcpy` call: documents and joined values are built
//! from pieces of 2 to 30 bytes (skeleton text, values, separators), 76 of them per user.
//!
//! `extend_from_slice` of a length unknown at compile time calls libc's `memcpy`, whose call
//! and size dispatch cost more than the copy itself at these sizes. Up to 32 bytes, [`put`]
//! copies with two overlapping loads and stores of a fixed width instead, the way `memcpy`
//! itself handles small sizes, but inlined.

/// Append `s` to `out` (a String's bytes through [`put_str`]).
#[inline(always)]
pub(crate) fn put(out: &mut Vec<u8>, s: &[u8]) {
    let n = s.len();
    if n > 32 {
        out.extend_from_slice(s);
        return;
    }
    out.reserve(n);
    let len = out.len();
    // SAFETY: `reserve` made room for `n` more bytes after `len`. Every branch writes exactly
    // `dst[0..n]` (two overlapping fixed-width copies cover it when `n` lies between the two
    // widths) and reads only `src[0..n]`; unaligned reads and writes are used throughout.
    // `set_len` then covers only bytes that were written.
    unsafe {
        let src = s.as_ptr();
        let dst = out.as_mut_ptr().add(len);
        if n >= 16 {
            copy2::<16>(src, dst, n);
        } else if n >= 8 {
            copy2::<8>(src, dst, n);
        } else if n >= 4 {
            copy2::<4>(src, dst, n);
        } else if n > 0 {
            *dst = *src;
            *dst.add(n / 2) = *src.add(n / 2);
            *dst.add(n - 1) = *src.add(n - 1);
        }
        out.set_len(len + n);
    }
}

/// Append `s` to the String `out`.
#[inline(always)]
pub(crate) fn put_str(out: &mut String, s: &str) {
    // SAFETY: only the bytes of a `&str` are appended, so `out` stays UTF-8.
    put(unsafe { out.as_mut_vec() }, s.as_bytes());
}

/// Copy `n` bytes (`W <= n <= 2 * W`) as the first and the last `W` bytes.
///
/// # Safety
/// `src` must be readable and `dst` writable for `n` bytes, and they must not overlap.
#[inline(always)]
unsafe fn copy2<const W: usize>(src: *const u8, dst: *mut u8, n: usize) {
    let head = src.cast::<[u8; W]>().read_unaligned();
    let tail = src.add(n - W).cast::<[u8; W]>().read_unaligned();
    dst.cast::<[u8; W]>().write_unaligned(head);
    dst.add(n - W).cast::<[u8; W]>().write_unaligned(tail);
}

#[cfg(test)]
mod tests {
    use super::{put, put_str};

    #[test]
    fn strings_stay_strings() {
        let mut s = String::from("Zoë");
        put_str(&mut s, ".Ødegård@");
        put_str(&mut s, "");
        put_str(&mut s, "contoso.example.com-a-long-domain-over-32-bytes");
        assert_eq!(s, "Zoë.Ødegård@contoso.example.com-a-long-domain-over-32-bytes");
    }

    #[test]
    fn appends_every_length_exactly_after_any_prefix() {
        let text: Vec<u8> = (0..80u8).map(|i| i.wrapping_mul(37).wrapping_add(1)).collect();
        for n in 0..=70 {
            for prefix in [0, 1, 7, 31] {
                for capacity in [0, prefix, prefix + n, 256] {
                    let mut out = Vec::with_capacity(capacity);
                    out.extend(std::iter::repeat_n(0xEE, prefix));
                    put(&mut out, &text[3..3 + n]);
                    let mut expected = vec![0xEE; prefix];
                    expected.extend_from_slice(&text[3..3 + n]);
                    assert_eq!(out, expected, "n {n}, prefix {prefix}, capacity {capacity}");
                }
            }
        }
    }
}
