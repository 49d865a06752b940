//! Bytes read from chart files, as text.

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
}
