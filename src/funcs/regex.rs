//! Sprig/Helm functions: regex group (`regexMatch`, `regexFind`, `regexReplaceAll`, ...).
//!
//! Go's `regexp` is RE2; the `regex` crate implements the same leftmost-first semantics, so
//! the work here is in the differences: Go's `\d \w \s \b` are ASCII-only, `\Q…\E` quoting,
//! Go's `$name` replacement expansion, Go's iteration over empty matches, and Go's exact
//! compile error messages (`error parsing regexp: missing closing ]: `[a``).

use super::cast::{int_arg, str_arg};
use crate::template::{FuncMap, Param, SliceKind, Value};
use regex::Regex;
use regex_syntax::ast::ErrorKind as AstKind;

use Param::{Int, String as Str};

/// Largest repeat count Go accepts (`a{1001}` is `invalid repeat count`).
const MAX_REPEAT: u32 = 1000;

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("regexMatch", &[Str, Str], |_, a| {
        Ok(Value::Bool(
            compile(str_arg(a, 0)).is_ok_and(|re| re.is_match(str_arg(a, 1))),
        ))
    });
    m.add("mustRegexMatch", &[Str, Str], |_, a| {
        let re = compile(str_arg(a, 0))?;
        Ok(Value::Bool(re.is_match(str_arg(a, 1))))
    });
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        m.add(name, &[Str, Str, Int], move |_, a| {
            let re = compile_for(str_arg(a, 0), must)?;
            let s = str_arg(a, 1);
            let found = find_all(&re, s, int_arg(a, 2));
            Ok(string_list(found.into_iter().map(|(x, y)| &s[x..y])))
        });
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        m.add(name, &[Str, Str], move |_, a| {
            let re = compile_for(str_arg(a, 0), must)?;
            Ok(Value::str(
                re.find(str_arg(a, 1)).map_or("", |x| x.as_str()),
            ))
        });
    }
    for (name, must, literal) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", true, false),
        ("regexReplaceAllLiteral", false, true),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        m.add(name, &[Str, Str, Str], move |_, a| {
            let re = compile_for(str_arg(a, 0), must)?;
            Ok(Value::string(replace_all(
                &re,
                str_arg(a, 1),
                str_arg(a, 2),
                literal,
            )))
        });
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        m.add(name, &[Str, Str, Int], move |_, a| {
            let expr = str_arg(a, 0);
            let re = compile_for(expr, must)?;
            let parts = split(&re, expr, str_arg(a, 1), int_arg(a, 2));
            Ok(string_list(parts.into_iter()))
        });
    }
    m.add("regexQuoteMeta", &[Str], |_, a| {
        Ok(Value::string(quote_meta(str_arg(a, 0))))
    });
}

fn string_list<'a>(items: impl Iterator<Item = &'a str>) -> Value {
    Value::typed_list(SliceKind::String, items.map(Value::str).collect())
}

/// Compiles for a function: the `must` variants return Go's error, the others panic in Go
/// (`regexp.MustCompile`), whose message wraps the error with the expression.
fn compile_for(expr: &str, must: bool) -> Result<Regex, String> {
    compile(expr).map_err(|e| {
        if must {
            e
        } else {
            format!("regexp: Compile({}): {e}", go_regexp_quote(expr))
        }
    })
}

/// `regexp`'s `quote`: backquoted when possible, else a Go double-quoted string.
fn go_regexp_quote(s: &str) -> String {
    let can_backquote = !s.contains('`')
        && s.chars()
            .all(|c| c == '\t' || !(c.is_control() || c == '\u{FEFF}'));
    if can_backquote {
        format!("`{s}`")
    } else {
        super::cast::go_quote(s)
    }
}

/// Compiles a Go regular expression, or returns Go's `error parsing regexp: ...` message.
pub fn compile(expr: &str) -> Result<Regex, String> {
    let t = translate(expr);
    // Go reports the leftmost problem: compare the syntax check's first error with the first
    // Go-specific one found while translating.
    if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&t.check) {
        let before_translate_error = t
            .error
            .as_ref()
            .is_none_or(|(pos, _)| e.span().start.offset < *pos);
        if before_translate_error && !matches!(e.kind(), AstKind::GroupNameDuplicate { .. }) {
            return Err(go_error(expr, &e));
        }
    }
    if let Some((_, msg)) = t.error {
        return Err(msg);
    }
    Regex::new(&t.pattern).map_err(|e| match e {
        regex::Error::Syntax(msg) => format!("error parsing regexp: {msg}"),
        _ => "error parsing regexp: expression too large".to_string(),
    })
}

/// Maps a parse error of the `regex-syntax` parser to Go's wording.
fn go_error(expr: &str, e: &regex_syntax::ast::Error) -> String {
    let span = e.span();
    let (start, end) = (
        span.start.offset.min(expr.len()),
        span.end.offset.min(expr.len()),
    );
    let mut text = expr.get(start..end).unwrap_or("");
    if text.is_empty() {
        // Some spans are empty; Go shows the operator found there (`*`, `{2}`).
        let rest = expr.get(start..).unwrap_or("");
        let len = match rest.chars().next() {
            Some('{') => rest.find('}').map_or(rest.len(), |i| i + 1),
            Some(c) => c.len_utf8(),
            None => 0,
        };
        text = &rest[..len];
    }
    let (code, shown): (&str, String) = match e.kind() {
        AstKind::ClassUnclosed => ("missing closing ]", expr.get(start..).unwrap_or("").into()),
        AstKind::GroupUnclosed => ("missing closing )", expr.into()),
        AstKind::GroupUnopened => ("unexpected )", expr.into()),
        AstKind::RepetitionMissing => ("missing argument to repetition operator", text.into()),
        AstKind::EscapeUnrecognized | AstKind::UnsupportedBackreference => {
            ("invalid escape sequence", text.into())
        }
        AstKind::EscapeUnexpectedEof => ("trailing backslash at end of expression", String::new()),
        AstKind::ClassRangeInvalid => ("invalid character class range", text.into()),
        AstKind::RepetitionCountInvalid => ("invalid repeat count", text.into()),
        AstKind::UnsupportedLookAround | AstKind::FlagUnrecognized => {
            ("invalid or unsupported Perl syntax", text.into())
        }
        AstKind::GroupNameInvalid | AstKind::GroupNameEmpty | AstKind::GroupNameUnexpectedEof => {
            // Go shows the capture from its `(?` up to and including the `>`.
            let open = expr[..start].rfind("(?").unwrap_or(start);
            let tail = &expr[open..];
            let shown = tail.find('>').map_or(tail, |i| &tail[..=i]);
            ("invalid named capture", shown.into())
        }
        _ => return format!("error parsing regexp: {}", e.kind()),
    };
    format!("error parsing regexp: {code}: `{shown}`")
}

/// Rewrites Go syntax into the `regex` crate's: ASCII-only Perl classes and word boundaries,
/// `\Q…\E` literals, `{` that does not start a repetition as a literal. Also enforces Go's
/// The result of [`translate`].
struct Translated {
    /// The pattern in the regex crate's dialect.
    pattern: String,
    /// The original with Go-only constructs (octal escapes, literal braces, `\Q…\E`) replaced
    /// by `a`s of the same byte length, for the syntax check whose error offsets must point
    /// into the original.
    check: String,
    /// The first Go-specific error, with its byte offset in the original.
    error: Option<(usize, String)>,
}

/// Rewrites Go syntax into the `regex` crate's: ASCII-only Perl classes and word boundaries,
/// `\Q…\E` literals, octal escapes, `{` that does not start a repetition as a literal, and
/// duplicate group names. Also finds Go's own errors: repeat counts over 1000, nested
/// repetition (`a**`), unknown flags, a lone `\1`.
fn translate(expr: &str) -> Translated {
    let chars: Vec<char> = expr.chars().collect();
    let byte_at: Vec<usize> = expr
        .char_indices()
        .map(|(b, _)| b)
        .chain([expr.len()])
        .collect();
    let mut out = String::with_capacity(expr.len() + 16);
    let mut check = String::with_capacity(expr.len());
    let mut error: Option<(usize, String)> = None;
    let mut fail = |pos: usize, msg: String| {
        if error.is_none() {
            error = Some((pos, format!("error parsing regexp: {msg}")));
        }
    };
    let mut i = 0;
    let mut in_class = false;
    // Where the previous token, if a repetition operator, started (Go rejects `a**`).
    let mut prev_repeat: Option<usize> = None;
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        i += 1;
        let mut is_repeat = false;
        let mut placeholder = false;
        match c {
            '\\' if i < chars.len() => {
                let e = chars[i];
                i += 1;
                match e {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str("[\\t\\n\\f\\r ]"),
                    'S' => out.push_str("[^\\t\\n\\f\\r ]"),
                    'b' if !in_class => out.push_str("(?-u:\\b)"),
                    'B' if !in_class => out.push_str("(?-u:\\B)"),
                    'Q' if !in_class => {
                        let mut lit = String::new();
                        while i < chars.len() {
                            if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                                i += 2;
                                break;
                            }
                            lit.push(chars[i]);
                            i += 1;
                        }
                        out.push_str(&regex::escape(&lit));
                        placeholder = true;
                    }
                    '0'..='7' => {
                        // Octal: `\0`, or `\1`..`\7` followed by more octal digits; a lone
                        // `\1` would be a backreference, which RE2 rejects.
                        let followed = chars.get(i).is_some_and(|d| ('0'..='7').contains(d));
                        if e != '0' && !followed {
                            fail(byte_at[start], format!("invalid escape sequence: `\\{e}`"));
                        }
                        let mut v = e.to_digit(8).unwrap_or(0);
                        let mut n = 0;
                        while n < 2 && chars.get(i).is_some_and(|d| ('0'..='7').contains(d)) {
                            v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                            i += 1;
                            n += 1;
                        }
                        out.push_str(&format!("\\x{{{v:x}}}"));
                        placeholder = true;
                    }
                    'p' | 'P' | 'x' if chars.get(i) == Some(&'{') => {
                        // `\p{Greek}`, `\x{263a}`: the braces belong to the escape.
                        let close = chars[i..]
                            .iter()
                            .position(|&x| x == '}')
                            .map_or(chars.len(), |p| i + p + 1);
                        out.extend(&chars[start..close]);
                        i = close;
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '(' if !in_class
                && chars.get(i) == Some(&'?')
                && bad_flag_at(&chars[i + 1..]).is_some() =>
            {
                let n = bad_flag_at(&chars[i + 1..]).unwrap_or(0);
                let t: String = chars[start..(i + 2 + n).min(chars.len())].iter().collect();
                fail(
                    byte_at[start],
                    format!("invalid or unsupported Perl syntax: `{t}`"),
                );
                out.push('(');
            }
            '(' if !in_class && named_group_at(&chars[i..]).is_some() => {
                // A named group. Go allows a name twice; the regex crate does not, so later
                // uses get a `.N` suffix (never part of a Go name) that `expand` ignores.
                let (name, len) = named_group_at(&chars[i..]).unwrap_or_default();
                let count = names.entry(name.clone()).or_insert(0usize);
                *count += 1;
                out.push_str("(?P<");
                out.push_str(&name);
                if *count > 1 {
                    out.push_str(&format!(".{count}"));
                }
                out.push('>');
                i += len;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `]` (after an optional `^`) is literal in both dialects.
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' if in_class && chars.get(i) == Some(&':') => {
                // A POSIX class `[:alpha:]` inside brackets: copied whole.
                let close = (i..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']' && j > i);
                match close {
                    Some(j) => {
                        out.extend(&chars[start..j + 2]);
                        i = j + 2;
                    }
                    None => out.push_str("\\["),
                }
            }
            '&' | '~' if in_class => {
                // Set operators in the regex crate, plain characters in Go.
                out.push('\\');
                out.push(c);
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '{' if !in_class => match repeat_spec(&chars[i..]) {
                Some((len, min, max)) => {
                    if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                        let t: String = chars[start..i + len].iter().collect();
                        fail(byte_at[start], format!("invalid repeat count: `{t}`"));
                    }
                    out.extend(&chars[start..i + len]);
                    i += len;
                    is_repeat = true;
                }
                None => {
                    out.push_str("\\{");
                    placeholder = true;
                }
            },
            '*' | '+' | '?' if !in_class => {
                if c == '?' && prev_repeat.is_some() {
                    // Non-greedy marker on the previous repetition.
                    out.push('?');
                    check.push('?');
                    prev_repeat = None;
                    continue;
                }
                out.push(c);
                is_repeat = true;
            }
            _ => out.push(c),
        }
        let (from, to) = (byte_at[start], byte_at[i.min(chars.len())]);
        if placeholder {
            check.extend(std::iter::repeat_n('a', to - from));
        } else {
            check.push_str(&expr[from..to]);
        }
        if is_repeat {
            if let Some(p) = prev_repeat {
                let t: String = chars[p..i].iter().collect();
                // Positioned at the second operator: an earlier error (`**`: missing argument) wins.
                fail(
                    byte_at[start],
                    format!("invalid nested repetition operator: `{t}`"),
                );
            }
            prev_repeat = Some(start);
        } else {
            prev_repeat = None;
        }
    }
    Translated {
        pattern: out,
        check,
        error,
    }
}

/// After `(?`: the index of a flag character Go does not know (Go has only `i m s U`; the
/// regex crate also accepts `x`, `u`, `R`), if the group is a flag group.
fn bad_flag_at(rest: &[char]) -> Option<usize> {
    if matches!(rest.first(), Some('P' | '<' | ':' | '=' | '!')) {
        return None;
    }
    for (i, &c) in rest.iter().enumerate() {
        match c {
            'i' | 'm' | 's' | 'U' | '-' => {}
            ':' | ')' => return None,
            _ => return Some(i),
        }
    }
    None
}

/// After a `(`: `?P<name>` or `?<name>` with a Go-valid name gives (name, consumed length).
fn named_group_at(rest: &[char]) -> Option<(String, usize)> {
    let skip = if rest.starts_with(&['?', 'P', '<']) {
        3
    } else if rest.starts_with(&['?', '<']) {
        2
    } else {
        return None;
    };
    let end = rest[skip..].iter().position(|&c| c == '>')? + skip;
    let name: String = rest[skip..end].iter().collect();
    let valid = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    valid.then_some((name, end + 1))
}

/// Parses `n}`, `n,}` or `n,m}` after a `{`: (consumed length, min, max).
fn repeat_spec(rest: &[char]) -> Option<(usize, u32, Option<u32>)> {
    let close = rest.iter().position(|&c| c == '}')?;
    let body: String = rest[..close].iter().collect();
    let (min, max) = match body.split_once(',') {
        None => {
            let n = parse_count(&body)?;
            (n, Some(n))
        }
        Some((a, "")) => (parse_count(a)?, None),
        Some((a, b)) => (parse_count(a)?, Some(parse_count(b)?)),
    };
    Some((close + 1, min, max))
}

fn parse_count(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Huge counts are still repetitions (and then too large), as in Go.
    Some(s.parse().unwrap_or(u32::MAX))
}

/// Go's `allMatches` iteration: `(start, end)` byte ranges of up to `n` matches (`n < 0`: all),
/// skipping an empty match right after the previous match.
fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut prev_end: Option<usize> = None;
    while out.len() < limit && pos <= s.len() {
        let Some(m) = re.find_at(s, pos) else { break };
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push((m.start(), m.end()));
        }
    }
    out
}

/// Go's `Regexp.ReplaceAllString` / `ReplaceAllLiteralString`.
fn replace_all(re: &Regex, src: &str, repl: &str, literal: bool) -> String {
    let mut out = String::with_capacity(src.len());
    let mut last_end = 0usize;
    let mut pos = 0usize;
    while pos <= src.len() {
        let Some(caps) = re.captures_at(src, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        out.push_str(&src[last_end..m.start()]);
        // No replacement for an empty match right after the previous match.
        if m.end() > last_end || m.start() == 0 {
            if literal {
                out.push_str(repl);
            } else {
                expand(&mut out, repl, re, &caps);
            }
        }
        last_end = m.end();
        let width = src[pos..].chars().next().map_or(1, char::len_utf8);
        pos = if pos + width > m.end() {
            pos + width
        } else {
            m.end().max(pos + 1)
        };
    }
    out.push_str(src.get(last_end..).unwrap_or(""));
    out
}

/// Go's `Regexp.expand`: `$1`, `$name`, `${name}`, `$$`; a name is the longest run of letters,
/// digits and `_`, so `$1W` names group "1W"; a malformed `$` is kept literally.
fn expand(out: &mut String, template: &str, re: &Regex, caps: &regex::Captures<'_>) {
    let mut t = template;
    while let Some(i) = t.find('$') {
        out.push_str(&t[..i]);
        t = &t[i + 1..];
        if let Some(rest) = t.strip_prefix('$') {
            out.push('$');
            t = rest;
            continue;
        }
        let Some((name, rest)) = extract_name(t) else {
            out.push('$');
            continue;
        };
        t = rest;
        let num = if name.bytes().all(|b| b.is_ascii_digit())
            && !(name.starts_with('0') && name.len() > 1)
            && name.len() <= 8
        {
            name.parse::<usize>().ok()
        } else {
            None
        };
        let group = match num {
            Some(n) => caps.get(n),
            // The first participating group of that name (see `translate` for the suffix).
            None => re
                .capture_names()
                .enumerate()
                .filter(|(_, g)| g.is_some_and(|g| g.split('.').next() == Some(name)))
                .find_map(|(idx, _)| caps.get(idx)),
        };
        if let Some(g) = group {
            out.push_str(g.as_str());
        }
    }
    out.push_str(t);
}

/// Go's `extract`: the group name after a `$` and the remaining template.
fn extract_name(t: &str) -> Option<(&str, &str)> {
    let (brace, body) = match t.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    Some((name, rest))
}

/// Go's `Regexp.Split`.
fn split<'a>(re: &Regex, expr: &str, s: &'a str, n: i64) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    if !expr.is_empty() && s.is_empty() {
        return vec![""];
    }
    let matches = find_all(re, s, n);
    let mut out = Vec::with_capacity(matches.len() + 1);
    let (mut beg, mut end) = (0usize, 0usize);
    for (x, y) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = x;
        if y != 0 {
            out.push(&s[beg..end]);
        }
        beg = y;
    }
    if end != s.len() {
        out.push(&s[beg..]);
    }
    out
}

/// Go's `regexp.QuoteMeta`: backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes_and_errors() {
        let re = compile(r"\w+").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(re.find("éab").map(|m| m.as_str()), Some("ab"));
        assert_eq!(
            compile("[a").err().as_deref(),
            Some("error parsing regexp: missing closing ]: `[a`")
        );
        assert!(compile("a{2").is_ok());
    }

    #[test]
    fn go_replacement_expansion() {
        let re = compile("(a)(?P<x>b)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            replace_all(&re, "ab", "[$1W|${1}W|$x|$$]", false),
            "[|aW|b|$]"
        );
        let re = compile("a*").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(replace_all(&re, "baaab", "-", false), "-b-b-");
        assert_eq!(find_all(&re, "baaab", -1), vec![(0, 0), (1, 4), (5, 5)]);
    }
}
