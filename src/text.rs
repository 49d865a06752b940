//! Bytes read from chart files, as text, and byte searches over them.

use std::borrow::Cow;

/// `bytes` as UTF-8 text, invalid sequences replaced by U+FFFD (what `String::from_utf8_lossy`
/// gives). Valid input, nearly all of it, is checked with the standard library's word-at-a-time
/// validator first, several times faster on large files than the lossy decoder's scan.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Offset of the first occurrence of `pair` in `hay`.
pub(crate) fn find_pair(hay: &[u8], pair: &[u8; 2]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_byte(&hay[from..], pair[0]) {
        let at = from + i;
        match hay.get(at + 1) {
            Some(&b) if b == pair[1] => return Some(at),
            Some(_) => from = at + 1,
            None => return None,
        }
    }
    None
}

/// Offset of the first `byte` in `hay`. On x86_64 this calls memchr's SSE2 searcher directly:
/// its generic entry points ask the CPU for AVX2 with `cpuid` on first use, and in a virtual
/// machine each `cpuid` traps to the hypervisor (3% of a small chart's whole run).
#[cfg(target_arch = "x86_64")]
fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    match memchr::arch::x86_64::sse2::memchr::One::new(byte) {
        Some(finder) => finder.find(hay),
        None => hay.iter().position(|&b| b == byte),
    }
}

/// Offset of the first `byte` in `hay`.
#[cfg(not(target_arch = "x86_64"))]
fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    memchr::memchr(byte, hay)
}

#[cfg(test)]
mod tests {
    #[test]
    fn valid_text_is_borrowed_and_invalid_bytes_replaced() {
        assert!(matches!(
            super::lossy(b"a: 1\n"),
            std::borrow::Cow::Borrowed("a: 1\n")
        ));
        assert_eq!(super::lossy(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn find_pair_finds_the_first_pair_at_any_offset() {
        use super::find_pair;
        for len in 0..70 {
            for at in 0..len.max(1) {
                let mut hay = vec![b'{'; len];
                // Lone first bytes everywhere else: `{x{x...` with the pair at `at`.
                for (i, b) in hay.iter_mut().enumerate() {
                    if i % 2 == 1 {
                        *b = b'x';
                    }
                }
                let expected = if at + 1 < len {
                    hay[at] = b'{';
                    hay[at + 1] = b'{';
                    (0..len - 1).find(|&i| hay[i] == b'{' && hay[i + 1] == b'{')
                } else {
                    None
                };
                assert_eq!(find_pair(&hay, b"{{"), expected, "len {len} at {at}");
                assert_eq!(expected.is_some(), at + 1 < len);
            }
        }
        assert_eq!(find_pair(b"a*b*/", b"*/"), Some(3));
        assert_eq!(find_pair(b"*", b"*/"), None);
    }
}
