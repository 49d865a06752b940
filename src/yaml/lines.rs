//! Line-level pieces shared by the fast readers of plain block YAML ([`super::head`] for
//! rendered manifests, [`super::block`] for values files): line splitting, the plain-text
//! check, simple keys and one-line scalars. Each returns `None` outside the subset, which the
//! general loader then reads.

use super::resolve::{resolve_plain, Resolved};

/// libyaml's simple keys are at most 1024 characters.
const MAX_KEY: usize = 1000;

/// `text.split('\n')` by a plain byte loop: document lines are short, and the memchr set-up of
/// the standard searcher cost more per line than the search (4% of a small chart's run).
pub(super) fn short_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.bytes().position(|b| b == b'\n') {
            // `\n` is ASCII, so both sides are character boundaries.
            Some(i) => {
                rest = s.get(i + 1..);
                s.get(..i)
            }
            None => {
                rest = None;
                Some(s)
            }
        }
    })
}

/// No character libyaml treats specially or rejects: tabs, carriage returns, other control
/// characters, BOMs, NEL and the Unicode line separators.
pub(super) fn plain_text(doc: &str) -> bool {
    // Rendered manifests and values files are nearly all printable ASCII: check that 32
    // bytes at a time without early exits, which the compiler turns into vector compares
    // (by character this was a third of the manifest-head reading); from the first chunk
    // holding anything else (a character boundary, as all before it is ASCII) check by
    // character.
    const CHUNK: usize = 32;
    let bytes = doc.as_bytes();
    let mut start = 0;
    for chunk in bytes.chunks(CHUNK) {
        let odd = chunk.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20 && b != b'\n') | (b >= 0x7f))
        });
        if odd {
            return doc.get(start..).is_some_and(plain_chars);
        }
        start += chunk.len();
    }
    true
}

/// [`plain_text`] by character.
fn plain_chars(doc: &str) -> bool {
    doc.chars().all(|c| {
        let n = c as u32;
        (n >= 0x20 && n != 0x7f && !(0x80..=0x9f).contains(&n) || c == '\n')
            && !matches!(n, 0x2028 | 0x2029 | 0xfeff | 0xfffe | 0xffff)
    })
}

/// Splits `key: value` (or `key:`) with a simple key; the value has its spaces trimmed.
pub(super) fn split_key(text: &str) -> Option<(&str, &str)> {
    let (key, after) = if let Some(q) = text.strip_prefix('"') {
        let end = q.find('"')?;
        let key = &q[..end];
        if key.contains('\\') {
            return None;
        }
        (key, q[end + 1..].strip_prefix(':')?)
    } else {
        let end = text.bytes().position(|b| b == b':')?;
        let key = &text[..end];
        let b = key.as_bytes();
        let first_ok = b
            .first()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if !first_ok
            || !b
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
            || resolve_plain(key) != Resolved::Str
        {
            return None;
        }
        (key, &text[end + 1..])
    };
    if key.len() > MAX_KEY || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, after.trim_matches(' ')))
}

/// A one-line value of the subset read without the general loader.
pub(super) enum OneLine<'a> {
    /// A double- or single-quoted string without escapes: its text.
    Quoted(&'a str),
    /// A double-quoted string with the common escapes (`\"`, `\\`, `\n`, `\t`, `\r`),
    /// decoded.
    Escaped(String),
    /// A plain scalar, to resolve.
    Plain(&'a str),
    /// `{}`.
    EmptyMap,
    /// A one-line flow sequence of quoted or plain items.
    List(Vec<OneLine<'a>>),
    /// A block scalar header (`|`, `|-`, `|+`, `>`, `>-`, `>+`).
    Block(&'a str),
}

/// Reads a one-line value (spaces trimmed, no comment); `None` outside the subset.
pub(super) fn one_line(v: &str) -> Option<OneLine<'_>> {
    if v == "{}" {
        return Some(OneLine::EmptyMap);
    }
    if let Some(inner) = v.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return flow_items(inner).map(OneLine::List);
    }
    if matches!(v, "|" | "|-" | "|+" | ">" | ">-" | ">+") {
        return Some(OneLine::Block(v));
    }
    if let Some(q) = v.strip_prefix('"') {
        let (body, rest) = double_quoted(q)?;
        if !rest.is_empty() {
            return None;
        }
        if !body.contains('\\') {
            return Some(OneLine::Quoted(body));
        }
        return unescape(body).map(OneLine::Escaped);
    }
    if let Some(q) = v.strip_prefix('\'') {
        let end = q.find('\'')?;
        return (end + 1 == q.len()).then_some(OneLine::Quoted(&q[..end]));
    }
    let b = v.as_bytes();
    let first = *b.first()?;
    if b",[]{}#&*!|>'\"%@`".contains(&first)
        || (matches!(first, b'-' | b'?' | b':') && b.get(1).is_none_or(|c| *c == b' '))
        || v.contains(": ")
        || v.ends_with(':')
        || v.contains(" #")
        || matches!(resolve_plain(v), Resolved::Float(f) if !f.is_finite())
    {
        return None;
    }
    Some(OneLine::Plain(v))
}

/// A double-quoted scalar's body (after the opening quote, up to the closing one) and what
/// follows the closing quote; escaped characters are skipped over.
pub(super) fn double_quoted(q: &str) -> Option<(&str, &str)> {
    let b = q.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            // An ASCII quote is always a character boundary.
            b'"' => return Some((q.get(..i)?, q.get(i + 1..)?)),
            _ => i += 1,
        }
    }
    None
}

/// Decodes the common escapes of a one-line double-quoted scalar as libyaml does; `None`
/// for any other escape (left to the general loader, which knows them all and their errors).
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

/// The items of a one-line flow sequence: double- or single-quoted strings without escapes,
/// or plain scalars without flow indicators, `:` (go-yaml v2 rejects `x:x` in flow context)
/// or `#`, separated by commas.
fn flow_items(inner: &str) -> Option<Vec<OneLine<'_>>> {
    let mut items = Vec::new();
    let mut rest = inner.trim_matches(' ');
    while !rest.is_empty() {
        let after = if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"')?;
            if q[..end].contains('\\') {
                return None;
            }
            items.push(OneLine::Quoted(&q[..end]));
            &q[end + 1..]
        } else if let Some(q) = rest.strip_prefix('\'') {
            let end = q.find('\'')?;
            items.push(OneLine::Quoted(&q[..end]));
            &q[end + 1..]
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let item = rest[..end].trim_end_matches(' ');
            let b = item.as_bytes();
            let bad = item.is_empty()
                || item.contains(|c| ",[]{}:#\"'&*!|>%@`?".contains(c))
                || (b.first() == Some(&b'-') && b.get(1).is_none_or(|c| *c == b' '))
                || matches!(resolve_plain(item), Resolved::Float(f) if !f.is_finite());
            if bad {
                return None;
            }
            items.push(OneLine::Plain(item));
            &rest[end..]
        };
        let after = after.trim_start_matches(' ');
        rest = match after.strip_prefix(',') {
            // A trailing comma is left to the loader.
            Some(r) if !r.trim_matches(' ').is_empty() => r.trim_start_matches(' '),
            Some(_) => return None,
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::{plain_chars, plain_text, short_lines};

    #[test]
    fn short_lines_split_like_the_standard_library() {
        for s in ["", "\n", "a", "a\n", "a\nb", "\n\nx\n\n", "é\n日本\n"] {
            let ours: Vec<&str> = short_lines(s).collect();
            let std: Vec<&str> = s.split('\n').collect();
            assert_eq!(ours, std, "{s:?}");
        }
    }

    /// The chunked check agrees with the character check wherever the odd character falls
    /// (before, across and after chunk boundaries).
    #[test]
    fn plain_text_matches_the_character_check() {
        let odd = [
            "\t", "\r", "\u{7f}", "é", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}", "日",
        ];
        for len in [0usize, 1, 31, 32, 33, 64, 100] {
            let base: String = "ab: c\n".chars().cycle().take(len).collect();
            assert_eq!(plain_text(&base), plain_chars(&base));
            for at in (0..=len).filter(|&i| base.is_char_boundary(i)) {
                for o in odd {
                    let s = format!("{}{o}{}", &base[..at], &base[at..]);
                    assert_eq!(plain_text(&s), plain_chars(&s), "{s:?}");
                }
            }
        }
        assert!(plain_text("kind: Pod\nname: é\n"));
        assert!(!plain_text("kind: Pod\n\tname: x\n"));
    }
}
