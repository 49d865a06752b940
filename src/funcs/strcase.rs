//! String transformations sprig takes from `Masterminds/goutils` v1.1.1 and
//! `huandu/xstrings` v1.5.0, and Go's deprecated `strings.Title`. Their quirks are part of the
//! observable output (goutils works byte by byte in several places), so they are reproduced
//! rule for rule rather than with Rust's Unicode-aware equivalents.

use super::unicode::{
    go_is_letter, go_is_lower, go_is_number, go_is_punct, go_is_space, go_is_title, go_is_upper,
    go_lower, go_title, go_upper,
};

/// goutils `AbbreviateFull(s, offset, max_width)` (errors return "", as sprig discards them).
/// Lengths and cuts are in bytes.
pub fn abbreviate_full(b: &[u8], offset: i64, max_width: i64) -> Vec<u8> {
    let len = b.len() as i64;
    if b.is_empty() || max_width < 4 {
        return Vec::new();
    }
    if len <= max_width {
        return b.to_vec();
    }
    let mut offset = offset.min(len);
    // Go's int arithmetic wraps; so does ours (an extreme offset must not panic).
    let w3 = max_width.wrapping_sub(3);
    if len.wrapping_sub(offset) < w3 {
        offset = len.wrapping_sub(w3);
    }
    let marker = b"...";
    let cut = |from: i64, to: i64| -> &[u8] {
        let from = from.clamp(0, len) as usize;
        let to = to.clamp(from as i64, len) as usize;
        &b[from..to]
    };
    if offset <= 4 {
        let mut out = cut(0, w3).to_vec();
        out.extend_from_slice(marker);
        return out;
    }
    if max_width < 7 {
        return Vec::new();
    }
    let mut out = marker.to_vec();
    if offset.wrapping_add(w3) < len {
        out.extend(abbreviate_full(cut(offset, len), 0, w3));
    } else {
        out.extend_from_slice(cut(len.wrapping_sub(w3), len));
    }
    out
}

/// goutils `DeleteWhiteSpace`: walks the bytes as if each were a Latin-1 rune, drops the
/// whitespace ones and, when anything was dropped, re-encodes every kept byte as its own code
/// point (so non-ASCII text turns into mojibake, exactly as in Helm).
pub fn delete_white_space(s: &str) -> String {
    let kept: Vec<u8> = s.bytes().filter(|&b| !go_is_space(char::from(b))).collect();
    if kept.len() == s.len() {
        return s.to_string();
    }
    kept.into_iter().map(char::from).collect()
}

/// goutils `WrapCustom(s, width, newline, wrap_long_words)`; byte-indexed like the original.
pub fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> Vec<u8> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Vec::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = usize::try_from(width.max(1)).unwrap_or(usize::MAX);
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width.max(1) + 1);
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(pos) = space {
            out.extend_from_slice(&b[offset..offset + pos]);
            out.extend_from_slice(newline.as_bytes());
            offset += pos + 1;
        } else if wrap_long {
            let end = width + offset;
            out.extend_from_slice(&b[offset..end]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    out.extend_from_slice(&b[offset..end + i]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset.min(len)..]);
    out
}

/// goutils `Uncapitalize`: lower-cases the first character of each whitespace-separated word.
pub fn uncapitalize(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if go_is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                go_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper → lower; lower → title case at a word start, else upper.
pub fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if go_is_upper(c) || go_is_title(c) {
                whitespace = false;
                go_lower(c)
            } else if go_is_lower(c) {
                if whitespace {
                    whitespace = false;
                    go_title(c)
                } else {
                    go_upper(c)
                }
            } else {
                whitespace = go_is_space(c);
                c
            }
        })
        .collect()
}

/// goutils `Initials`: first byte of every whitespace-separated word, each byte written as a
/// code point (byte-based, like the original).
pub fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for b in s.bytes() {
        let c = char::from(b);
        if go_is_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// Go's deprecated `strings.Title`: upper-cases every letter that follows a separator, where a
/// separator is any ASCII character other than letters, digits and `_`, or Unicode whitespace.
pub fn title(s: &str) -> String {
    let is_sep = |c: char| -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if go_is_letter(c) || go_is_number(c) {
            return false;
        }
        go_is_space(c)
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_sep(prev) { go_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || go_is_space(c)
}

/// xstrings `ToPascalCase` (sprig's `camelcase`): words split at `-`, `_` and spaces, the first
/// letter of each word upper-cased, runs of upper case after a word start lowered
/// (`GOLANG_IS_GREAT` → `GolangIsGreat`); leading connectors are kept.
pub fn to_pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut found = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = go_is_upper(c);
            r0 = go_upper(c);
            found = true;
            break;
        }
        out.push(c);
    }
    let rest: Vec<char> = chars.collect();
    if rest.is_empty() {
        if found {
            out.push(r0);
        }
        return out;
    }
    for c in rest {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = go_is_upper(r0);
            r0 = go_upper(r0);
        } else {
            if first_upper {
                if go_is_upper(r0) {
                    r0 = go_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_alphabet(c: char) -> bool {
    go_is_letter(c)
}

fn is_number(c: char) -> bool {
    go_is_number(c)
}

/// xstrings `nextWord`: the next word of `s`, with its kind and byte length.
fn next_word(s: &str) -> (Word, usize) {
    let mut it = s.char_indices().peekable();
    let Some((_, first)) = it.next() else {
        return (Word::Invalid, 0);
    };
    let end_of = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        it.peek().map(|&(i, _)| i).unwrap_or(s.len())
    };
    let take_while = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
                      f: &dyn Fn(char) -> bool| {
        while let Some(&(_, c)) = it.peek() {
            if !f(c) {
                break;
            }
            it.next();
        }
    };
    let kind = if is_connector(first) {
        take_while(&mut it, &is_connector);
        Word::Connector
    } else if go_is_punct(first) {
        take_while(&mut it, &go_is_punct);
        Word::Punct
    } else if go_is_upper(first) {
        match it.peek().map(|&(_, c)| c) {
            Some(c) if go_is_upper(c) => {
                // An upper-case run; in "HTTPStatus" the `S` starts the next word.
                let mut last_start = end_of(&mut it);
                it.next();
                while let Some(&(i, c)) = it.peek() {
                    if !go_is_upper(c) {
                        break;
                    }
                    last_start = i;
                    it.next();
                }
                if let Some(&(_, c)) = it.peek() {
                    if is_alphabet(c) {
                        return (Word::Upper, last_start);
                    }
                }
            }
            Some(c) if is_alphabet(c) => {
                take_while(&mut it, &|c| is_alphabet(c) && !go_is_upper(c));
            }
            _ => {}
        }
        Word::Upper
    } else if is_alphabet(first) {
        take_while(&mut it, &|c| is_alphabet(c) && !go_is_upper(c));
        Word::Alphabet
    } else if is_number(first) {
        take_while(&mut it, &is_number);
        Word::Number
    } else {
        take_while(&mut it, &|c| {
            !(is_connector(c) || is_alphabet(c) || is_number(c) || go_is_punct(c))
        });
        Word::Other
    };
    (kind, end_of(&mut it))
}

/// The next word of `s` and the rest.
fn split_word(s: &str) -> (Word, &str, &str) {
    let (kind, n) = next_word(s);
    let n = n.min(s.len());
    (kind, &s[..n], &s[n..])
}

fn lower_word(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if go_is_upper(c) {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (sprig's `snakecase` with `_`, `kebabcase` with `-`).
pub fn camel_to_lower(s: &str, connector: char) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    if s.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut remaining) = split_word(s);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            lower_word(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = split_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, remaining) = split_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(connector);
                }
            }
            Word::Connector => lower_word(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = split_word(remaining);
                if wt != Word::Alphabet {
                    lower_word(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                lower_word(&mut out, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, remaining) = split_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(connector);
                }
            }
        }
    }
    lower_word(&mut out, wt, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xstrings_examples() {
        assert_eq!(camel_to_lower("FirstName", '_'), "first_name");
        assert_eq!(camel_to_lower("HTTPServer", '_'), "http_server");
        assert_eq!(camel_to_lower("NoHTTPS", '_'), "no_https");
        assert_eq!(camel_to_lower("GO_PATH", '_'), "go_path");
        assert_eq!(camel_to_lower("GO PATH", '_'), "go_path");
        assert_eq!(camel_to_lower("http2xx", '_'), "http_2xx");
        assert_eq!(camel_to_lower("HTTP20xOK", '_'), "http_20x_ok");
        assert_eq!(camel_to_lower("Duration2m3s", '_'), "duration_2m3s");
        assert_eq!(camel_to_lower("Bld4Floor3rd", '_'), "bld4_floor_3rd");
        assert_eq!(to_pascal_case("some_words"), "SomeWords");
        assert_eq!(to_pascal_case("_complex__case_"), "_Complex_Case_");
        assert_eq!(to_pascal_case("GOLANG_IS_GREAT"), "GolangIsGreat");
    }

    #[test]
    fn goutils_examples() {
        assert_eq!(abbreviate_full(b"hello world", 0, 8), b"hello...".to_vec());
        assert_eq!(delete_white_space("c\u{a0}d"), "c\u{c2}d");
        assert_eq!(title("hello.world o'neil"), "Hello.World O'Neil");
        assert_eq!(initials("hello world"), "hw");
    }
}
