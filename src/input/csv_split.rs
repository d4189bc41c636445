//! Splitting one CSV line in a single pass: a 64-byte block at a time, every delimiter, quote
//! and line break found with SSE2 compares, then only those bytes looked at.
//!
//! Calling `memchr` once per field costs its setup each time (78 instructions per call, 19 calls
//! per HR row); one mask per 64 bytes costs about 40 instructions, and each byte of interest a
//! few more. Lines this cannot settle exactly as csv-core would go to csv-core (see
//! [`split`]), so the split only has to be right where it answers.

/// The four bytes a line is cut at.
pub(crate) struct Needles {
    delimiter: u8,
    quote: u8,
}

/// What [`split`] found at the start of the unread bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Split {
    /// One record: its bytes are `data[..stop]`, the next record's search starts at `next`.
    Line { stop: usize, next: usize },
    /// csv-core must read this record (a newline or `\r` inside quotes, a doubled quote, text
    /// after a closing quote, a stray `\r`).
    Quoted,
    /// The line goes on past the bytes at hand: read more and split again.
    More,
}

impl Needles {
    pub(crate) fn new(delimiter: u8, quote: u8) -> Needles {
        Needles { delimiter, quote }
    }

    /// Bit `i` set when `block[i]` is the delimiter, the quote, `\r` or `\n` (at most 64 bytes).
    fn mask(&self, block: &[u8]) -> u64 {
        if block.len() == 64 {
            return self.mask64(block.try_into().unwrap_or(&[0; 64]));
        }
        let mut padded = [0u8; 64];
        padded[..block.len()].copy_from_slice(block);
        // Padding bytes may equal a needle (a NUL delimiter): keep only real bytes' bits.
        self.mask64(&padded) & ((1u64 << block.len()) - 1)
    }

    #[cfg(target_arch = "x86_64")]
    fn mask64(&self, block: &[u8; 64]) -> u64 {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut mask = 0u64;
        // SAFETY: SSE2 is part of the x86_64 baseline, and each unaligned load reads 16 bytes at
        // offsets 0, 16, 32 and 48 of a 64-byte array. (Most of these intrinsics became safe to
        // call in newer Rust; the block stays for the load and for older compilers.)
        #[allow(unused_unsafe)]
        unsafe {
            let d = _mm_set1_epi8(self.delimiter as i8);
            let q = _mm_set1_epi8(self.quote as i8);
            let cr = _mm_set1_epi8(b'\r' as i8);
            let lf = _mm_set1_epi8(b'\n' as i8);
            for k in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
                let hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, q)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
                );
                mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
            }
        }
        mask
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn mask64(&self, block: &[u8; 64]) -> u64 {
        self.mask64_scalar(block)
    }

    /// The same mask a byte at a time: other targets' path, and the SIMD path's test oracle.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn mask64_scalar(&self, block: &[u8; 64]) -> u64 {
        block.iter().enumerate().fold(0, |m, (i, &b)| {
            let hit = b == self.delimiter || b == self.quote || b == b'\r' || b == b'\n';
            m | (u64::from(hit) << i)
        })
    }
}

/// Split the record at the start of `data` into field bounds (relative to `data`), when it is
/// one line that csv-core would read as exactly these fields: unquoted fields (a quote inside
/// one is text), and quoted fields with no quote, `\r` or `\n` inside that close right before
/// a delimiter or the line's end. `data` starts at a record (not at a line break); `eof` says no
/// bytes follow it. The line ends at `\n`, `\r\n`, or the end of the input.
pub(crate) fn split(
    data: &[u8],
    eof: bool,
    n: &Needles,
    bounds: &mut Vec<(usize, usize)>,
) -> Split {
    let field = |start: usize, end: usize, closed_at: Option<usize>| match closed_at {
        Some(quote) => (start + 1, quote),
        None => (start, end),
    };
    let mut start = 0;
    // Inside a quoted field; and where a quoted field's closing quote is.
    let mut open = false;
    let mut closed_at = None;
    let mut base = 0;
    while base < data.len() {
        let block = &data[base..data.len().min(base + 64)];
        let mut mask = n.mask(block);
        while mask != 0 {
            let i = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let b = data[i];
            if b == b'\n' || b == b'\r' {
                if open {
                    return Split::Quoted;
                }
                let next = if b == b'\n' {
                    i + 1
                } else {
                    match data.get(i + 1) {
                        Some(b'\n') => i + 2,
                        None if !eof => return Split::More,
                        _ => return Split::Quoted,
                    }
                };
                bounds.push(field(start, i, closed_at));
                return Split::Line { stop: i, next };
            }
            if open {
                if b == n.quote {
                    match data.get(i + 1) {
                        None if !eof => return Split::More,
                        Some(&c) if c != n.delimiter && c != b'\n' && c != b'\r' => {
                            return Split::Quoted
                        }
                        _ => {}
                    }
                    open = false;
                    closed_at = Some(i);
                }
                continue;
            }
            if b == n.quote {
                // Only a quote that opens a field quotes it; elsewhere it is text.
                open = i == start;
                continue;
            }
            bounds.push(field(start, i, closed_at.take()));
            start = i + 1;
        }
        base += 64;
    }
    if !eof {
        return Split::More;
    }
    if open {
        return Split::Quoted;
    }
    bounds.push(field(start, data.len(), closed_at));
    Split::Line { stop: data.len(), next: data.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(data: &[u8], eof: bool) -> (Split, Vec<&[u8]>) {
        let mut bounds = Vec::new();
        let s = split(data, eof, &Needles::new(b',', b'"'), &mut bounds);
        (s, bounds.iter().map(|&(a, b)| &data[a..b]).collect())
    }

    #[test]
    fn plain_and_simply_quoted_lines() {
        let (s, f) = fields(b"1,\"Smith, Jr.\",a\"b,\"\"\nnext", false);
        assert_eq!(s, Split::Line { stop: 21, next: 22 });
        assert_eq!(f, [&b"1"[..], b"Smith, Jr.", b"a\"b", b""]);
        let (s, f) = fields(b"x,\"y\"\r\n", false);
        assert_eq!((s, f), (Split::Line { stop: 5, next: 7 }, vec![&b"x"[..], b"y"]));
        let (s, f) = fields(b"x,", true);
        assert_eq!((s, f), (Split::Line { stop: 2, next: 2 }, vec![&b"x"[..], b""]));
    }

    #[test]
    fn what_only_csv_core_may_read() {
        for line in [&b"\"a\nb\"\n"[..], b"\"a\"\"b\"\n", b"\"a\"b\n", b"a\rb\n", b"\"a\rb\"\n"] {
            assert_eq!(fields(line, true).0, Split::Quoted, "{:?}", String::from_utf8_lossy(line));
        }
        // Unterminated quote at the end of the input, and a lone CR there.
        assert_eq!(fields(b"\"abc", true).0, Split::Quoted);
        assert_eq!(fields(b"abc\r", true).0, Split::Quoted);
    }

    #[test]
    fn asks_for_more_when_the_answer_lies_past_the_bytes() {
        for data in [&b"abc"[..], b"a,b\r", b"\"a\"", b"\"a,b"] {
            assert_eq!(fields(data, false).0, Split::More, "{:?}", String::from_utf8_lossy(data));
        }
    }

    #[test]
    fn a_nul_delimiter_does_not_match_the_padding() {
        let mut bounds = Vec::new();
        let s = split(b"a\0b", true, &Needles::new(0, b'"'), &mut bounds);
        assert_eq!((s, bounds), (Split::Line { stop: 3, next: 3 }, vec![(0, 1), (2, 3)]));
    }

    proptest! {
        #[test]
        fn simd_mask_is_the_bytewise_mask(
            block in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), any::<u8>()], 64),
            delimiter in any::<u8>(),
        ) {
            let n = Needles::new(delimiter, b'"');
            let block: [u8; 64] = block.try_into().unwrap();
            prop_assert_eq!(n.mask64(&block), n.mask64_scalar(&block));
        }
    }
}
