//! Go's regular-expression dialect (RE2 as `regexp/syntax` parses it) on top of the `regex`
//! crate: the pattern is rewritten where the dialects differ (ASCII-only `\d \w \s \b`, `\Q…\E`,
//! octal escapes, literal `{`, duplicate group names, set operators in classes), and compile
//! errors are reported with Go's wording (`error parsing regexp: missing closing ]: `[a``).

use regex::Regex;
use regex_syntax::ast::ErrorKind as AstKind;
use std::cell::RefCell;
use std::collections::HashMap;

/// Largest repeat count Go accepts (`a{1001}` is `invalid repeat count`).
const MAX_REPEAT: u32 = 1000;

/// Compiled expressions kept per thread: charts call `regexReplaceAll` and friends with the
/// same few literal patterns inside helpers included hundreds of times, and building a
/// `regex` automaton costs far more than matching. Cleared when full, so memory stays bounded.
const CACHE_ENTRIES: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Result<Regex, String>>> = RefCell::new(HashMap::new());
}

/// Compiles a Go regular expression, or returns Go's `error parsing regexp: ...` message.
/// Results (errors included) are cached per thread; a `Regex` clone shares its automaton.
pub fn compile(expr: &str) -> Result<Regex, String> {
    if let Some(hit) = CACHE.with(|c| c.borrow().get(expr).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(expr);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_ENTRIES {
            c.clear();
        }
        c.insert(expr.to_string(), compiled.clone());
    });
    compiled
}

fn compile_uncached(expr: &str) -> Result<Regex, String> {
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
            let open = expr.get(..start).and_then(|h| h.rfind("(?")).unwrap_or(0);
            let tail = expr.get(open..).unwrap_or("");
            let shown = tail.find('>').map_or(tail, |i| &tail[..=i]);
            ("invalid named capture", shown.into())
        }
        _ => return format!("error parsing regexp: {}", e.kind()),
    };
    format!("error parsing regexp: {code}: `{shown}`")
}

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
        let mut literal_dash = false;
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
                // Go reads `-` right after a class escape inside `[...]` as a literal
                // (`[\w-\.]`); the regex crate would take it for a range.
                if in_class
                    && matches!(e, 'd' | 'D' | 'w' | 'W' | 's' | 'S')
                    && chars.get(i) == Some(&'-')
                    && chars.get(i + 1) != Some(&']')
                {
                    out.push_str("\\-");
                    i += 1;
                    literal_dash = true;
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
        } else if literal_dash {
            // Same length, no range: the syntax check must not reject what Go accepts.
            check.push_str(expr.get(from..to - 1).unwrap_or(""));
            check.push('_');
        } else {
            check.push_str(expr.get(from..to).unwrap_or(""));
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
