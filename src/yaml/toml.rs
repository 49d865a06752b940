//! TOML for `toToml` / `fromToml` (BurntSushi/toml v1.4 semantics as Helm 3.17 uses them).
//!
//! Encoding: per table, plain keys first then sub-tables, each group sorted by key; nil values
//! are skipped; tables and arrays of tables are indented two spaces per nesting level; a blank
//! line precedes top-level tables and every `[[array]]` entry; floats always carry a decimal
//! point and never an exponent (`42.0`, `1e300` in full).

use crate::template::value::{Map, Value};
use std::fmt::Write;

const MAX_DEPTH: usize = 1_000;

struct Enc {
    out: String,
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_part(k: &str) -> String {
    if is_bare(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn is_table(v: &Value) -> bool {
    match v {
        Value::Map(_) => true,
        Value::Object(_) => false,
        Value::List(l) => !l.items.is_empty() && l.items.iter().all(|i| matches!(i, Value::Map(_))),
        _ => false,
    }
}

impl Enc {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(path: &[String]) -> String {
        "  ".repeat(path.len().saturating_sub(1))
    }

    fn element(&mut self, v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("toml: exceeded max depth".into());
        }
        match v {
            Value::Nil => return Err("toml: cannot encode a nil value".into()),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => {
                if f.is_nan() {
                    self.out.push_str("nan");
                } else if f.is_infinite() {
                    self.out.push_str(if *f > 0.0 { "inf" } else { "-inf" });
                } else {
                    let s = float_f(*f);
                    self.out.push_str(&s);
                    if !s.contains('.') {
                        self.out.push_str(".0");
                    }
                }
            }
            Value::String(s) => self.out.push_str(&quote(s)),
            Value::Bytes(b) => self.out.push_str(&quote(&String::from_utf8_lossy(b))),
            Value::List(l) => {
                self.out.push('[');
                for (i, item) in l.items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                // An inline table (a map inside a plain array).
                let entries: Vec<(String, Value)> = m
                    .read()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.out.push('{');
                let mut first = true;
                for (k, item) in entries.iter().filter(|(_, v)| !v.is_nil()) {
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    let _ = write!(self.out, "{} = ", key_part(k));
                    self.element(item, depth + 1)?;
                }
                self.out.push('}');
            }
            Value::Object(o) => self.element(&o.to_data(), depth + 1)?,
        }
        Ok(())
    }

    fn table_body(&mut self, path: &[String], m: &Map, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("toml: exceeded max depth".into());
        }
        // BTreeMap order is Go's sort.Strings order.
        let direct = m.iter().filter(|(_, v)| !is_table(v));
        let sub = m.iter().filter(|(_, v)| is_table(v));
        for (k, v) in direct.chain(sub) {
            if v.is_nil() {
                continue;
            }
            let mut p = path.to_vec();
            p.push(k.clone());
            match v {
                Value::Map(sm) => {
                    let sm = sm.read().clone();
                    if p.len() == 1 {
                        self.newline();
                    }
                    let _ = writeln!(self.out, "{}[{}]", Self::indent(&p), header(&p));
                    self.table_body(&p, &sm, depth + 1)?;
                }
                Value::List(l) if is_table(v) => {
                    for item in &l.items {
                        if let Value::Map(sm) = item {
                            let sm = sm.read().clone();
                            self.newline();
                            let _ = writeln!(self.out, "{}[[{}]]", Self::indent(&p), header(&p));
                            self.table_body(&p, &sm, depth + 1)?;
                        }
                    }
                }
                _ => {
                    let _ = write!(self.out, "{}{} = ", Self::indent(&p), key_part(k));
                    self.element(v, depth + 1)?;
                    self.out.push('\n');
                }
            }
        }
        Ok(())
    }
}

fn header(path: &[String]) -> String {
    path.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent.
fn float_f(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, exp) = crate::template::format::shortest_digits(f);
    let body = crate::template::format::plain_decimal(&digits, exp);
    if f < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// `toToml`: BurntSushi's encoder output, or its error text.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let data = match v {
        Value::Object(o) => o.to_data(),
        other => other.clone(),
    };
    let Value::Map(m) = data else {
        // BurntSushi encodes a non-table top level as a bare value.
        let mut e = Enc { out: String::new() };
        e.element(&data, 0)?;
        return Ok(e.out);
    };
    let m = m.read().clone();
    let mut e = Enc { out: String::new() };
    e.table_body(&[], &m, 0)?;
    Ok(e.out)
}

fn from_toml_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::string(s),
        toml::Value::Integer(i) => Value::Int64(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        // BurntSushi yields time.Time; without a time object here we keep its text.
        toml::Value::Datetime(d) => Value::string(d.to_string()),
        toml::Value::Array(a) => Value::list(a.into_iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => Value::map(
            t.into_iter()
                .map(|(k, v)| (k, from_toml_value(v)))
                .collect(),
        ),
    }
}

/// `fromToml`: decode into a map; integers are int64. Error texts come from the `toml` crate
/// (BurntSushi's differ).
pub fn from_toml(text: &str) -> Result<Value, String> {
    match text.parse::<toml::Table>() {
        Ok(t) => Ok(from_toml_value(toml::Value::Table(t))),
        Err(e) => Err(format!(
            "toml: {}",
            e.to_string().lines().last().unwrap_or("").trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_keep_decimal_point() {
        assert_eq!(float_f(1e300).len(), 301);
        assert_eq!(float_f(1e-7), "0.0000001");
        let mut m = Map::new();
        m.insert("a".into(), Value::Float(1.0));
        m.insert("n".into(), Value::Nil);
        assert_eq!(to_toml(&Value::map(m)).unwrap(), "a = 1.0\n");
    }

    #[test]
    fn parses_ints_as_int64() {
        let v = from_toml("a = 1\n[b]\nc = 1.5\n").unwrap();
        let m = v.as_map().unwrap();
        assert!(matches!(m.get("a"), Some(Value::Int64(1))));
    }
}
