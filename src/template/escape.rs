//! Go `text/template`'s escaping builtins `html`, `js` and `urlquery`, and the way they turn
//! their arguments into one string.

use super::format::sprint;
use super::strconv::is_print;
use super::value::Value;
use std::fmt::Write;

/// Go's `template.HTMLEscapeString`: `"` `'` `&` `<` `>` become `&#34;` `&#39;` `&amp;` `&lt;`
/// `&gt;`, and NUL becomes U+FFFD.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`: backslash and quotes are backslash-escaped, `<` `>` `&` `=`
/// and ASCII control characters become `\u00XX`, non-printable non-ASCII runes `\uXXXX`
/// (upper-case hex, at least four digits); printable runes stay.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' | '>' | '&' | '=' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if c.is_ascii() || is_print(c as u32) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out
}

/// Go's `url.QueryEscape` (the `urlquery` builtin): ASCII letters, digits and `-_.~` stay, a
/// space becomes `+`, every other byte `%XX` (upper-case hex).
pub fn url_query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// text/template's `evalArgs`, which `html`, `js` and `urlquery` apply to their arguments: a
/// single string is used as is; otherwise `fmt.Sprint` of the arguments, where a nil argument
/// counts as the *string* `<no value>` (so no space is put next to it).
pub fn eval_args_string(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let args: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    sprint(&args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        assert_eq!(
            html_escape("<a b=\"c\">'&'\0"),
            "&lt;a b=&#34;c&#34;&gt;&#39;&amp;&#39;\u{FFFD}"
        );
        assert_eq!(
            js_escape("<'x'>=&\\\"\n"),
            "\\u003C\\'x\\'\\u003E\\u003D\\u0026\\\\\\\"\\u000A"
        );
        assert_eq!(
            js_escape("\u{e9}\u{2028}\u{7f}\u{E0001}"),
            "\u{e9}\\u2028\u{7f}\\uE0001"
        );
        assert_eq!(
            url_query_escape("a b&c=d/\u{e9}?~_.-"),
            "a+b%26c%3Dd%2F%C3%A9%3F~_.-"
        );
    }

    #[test]
    fn eval_args_joins_like_sprint() {
        assert_eq!(eval_args_string(&[Value::str("a b")]), "a b");
        assert_eq!(eval_args_string(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(
            eval_args_string(&[Value::Nil, Value::Int(1)]),
            "<no value>1"
        );
        assert_eq!(eval_args_string(&[Value::Nil]), "<no value>");
    }
}
