//! Go `encoding/json` as Helm and sprig use it: `toJson` (sorted keys, HTML escaping, Go's
//! float format), pretty and raw variants, and decoding with Go's error messages (numbers
//! become float64).

use super::jsonparse;
use crate::template::value::Value;
use std::fmt::Write;

pub use jsonparse::{from_json, JsonError};

/// Deepest nesting we encode (protects the stack; Go would recurse until it overflowed).
const MAX_DEPTH: usize = 1_000;

/// Go's encoding of a float64: `strconv` 'f' format with shortest digits, or 'e' format
/// (`1e+21`, `1e-7`) when |x| < 1e-6 or ≥ 1e21. The caller rejects NaN/Inf.
pub fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (digits, exp) = crate::template::format::shortest_digits(f);
        let mut out = String::new();
        if f < 0.0 {
            out.push('-');
        }
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        // Go writes at least two exponent digits, then encoding/json trims `e-07` to `e-7`.
        let _ = write!(out, "e{}{}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return out;
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, exp) = crate::template::format::shortest_digits(f);
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    out.push_str(&crate::template::format::plain_decimal(&digits, exp));
    out
}

/// Standard padded base64 (how encoding/json writes a `[]byte`).
pub fn base64_encode(b: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHA[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes a JSON string literal with Go's escaping rules.
pub fn write_json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Enc<'a> {
    out: String,
    escape_html: bool,
    indent: Option<&'a str>,
}

impl Enc<'_> {
    fn newline(&mut self, level: usize) {
        if let Some(ind) = self.indent {
            self.out.push('\n');
            for _ in 0..level {
                self.out.push_str(ind);
            }
        }
    }

    fn value(&mut self, v: &Value, level: usize) -> Result<(), String> {
        if level > MAX_DEPTH {
            return Err("json: exceeded max depth".into());
        }
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => {
                if !f.is_finite() {
                    return Err(format!(
                        "json: unsupported value: {}",
                        crate::template::format::format_float_g(*f)
                    ));
                }
                self.out.push_str(&json_float(*f));
            }
            Value::String(s) => write_json_string(&mut self.out, s, self.escape_html),
            Value::Bytes(b) => {
                let s = base64_encode(b);
                write_json_string(&mut self.out, &s, false);
            }
            Value::List(l) => {
                if l.items.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, item) in l.items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(level + 1);
                    self.value(item, level + 1)?;
                }
                self.newline(level);
                self.out.push(']');
            }
            Value::Map(m) => {
                // BTreeMap order is byte order, which is what encoding/json sorts by.
                let entries: Vec<(String, Value)> = m
                    .read()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.object(&entries, level)?;
            }
            // A Go struct keeps its field order.
            Value::Object(o) => match o.json_fields() {
                Some(fields) => self.object(&fields, level)?,
                None => self.value(&o.to_data(), level)?,
            },
        }
        Ok(())
    }

    /// A JSON object with the entries in the given order.
    fn object(&mut self, entries: &[(String, Value)], level: usize) -> Result<(), String> {
        if entries.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        self.out.push('{');
        for (i, (k, item)) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(level + 1);
            write_json_string(&mut self.out, k, self.escape_html);
            self.out.push(':');
            if self.indent.is_some() {
                self.out.push(' ');
            }
            self.value(item, level + 1)?;
        }
        self.newline(level);
        self.out.push('}');
        Ok(())
    }
}

/// `json.Marshal` (`escape_html`) / `json.MarshalIndent(v, "", indent)`; errors are Go's
/// (`json: unsupported value: NaN`).
pub fn to_json(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut e = Enc {
        out: String::new(),
        escape_html,
        indent,
    };
    e.value(v, 0)?;
    Ok(e.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        assert_eq!(json_float(1e21), "1e+21");
        assert_eq!(json_float(1e20), "100000000000000000000");
        assert_eq!(json_float(1e-7), "1e-7");
        assert_eq!(json_float(0.000001), "0.000001");
        assert_eq!(json_float(-0.0), "-0");
        assert_eq!(json_float(1.5e300), "1.5e+300");
        assert_eq!(json_float(-1.5e-10), "-1.5e-10");
    }

    #[test]
    fn strings_and_base64() {
        let mut s = String::new();
        write_json_string(&mut s, "<a>&\u{2028}\u{1}", true);
        assert_eq!(s, "\"\\u003ca\\u003e\\u0026\\u2028\\u0001\"");
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_encode(b"hi"), "aGk=");
    }
}
