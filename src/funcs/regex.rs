//! Sprig/Helm functions: regex group (`regexMatch`, `regexFind`, `regexReplaceAll`, ...).
//!
//! Go's `regexp` is RE2; the `regex` crate implements the same leftmost-first semantics, so
//! the work here is in the differences: Go's `\d \w \s \b` are ASCII-only, `\Q…\E` quoting,
//! Go's `$name` replacement expansion, Go's iteration over empty matches, and Go's exact
//! compile error messages (`error parsing regexp: missing closing ]: `[a``).

use super::cast::{int_arg, str_arg};
use super::goregex::compile;
use crate::template::{FuncMap, Param, SliceKind, Value};
use regex::Regex;

use Param::{Int, String as Str};

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
