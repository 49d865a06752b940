//! A JSON decoder reproducing Go's `encoding/json` into `interface{}`: numbers are float64,
//! syntax errors use Go's scanner messages (`invalid character 'x' looking for beginning of
//! value`, `unexpected end of JSON input`), and out-of-range numbers are a type error that
//! leaves `nil` and lets decoding continue (as Go does).

use crate::template::value::{Map, Value};

/// Go's scanner nesting limit.
const MAX_DEPTH: usize = 1_000;

/// A decoding failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Invalid JSON: nothing was decoded.
    Syntax(String),
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
    type_err: Option<String>,
}

/// Go's `quoteChar` for a byte of the input (bytes ≥ 0x80 show as Latin-1 runes).
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let ch = char::from(c);
            let inner = match ch {
                '\u{7}' => "\\a".to_string(),
                '\u{8}' => "\\b".to_string(),
                '\u{c}' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\u{b}' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
                c if (0x80..0xa0).contains(&(c as u32)) || c as u32 == 0xad => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

fn syntax(msg: String) -> JsonError {
    JsonError::Syntax(msg)
}

const EOF: &str = "unexpected end of JSON input";

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next_or_eof(&mut self) -> Result<u8, JsonError> {
        let c = self.peek().ok_or_else(|| syntax(EOF.into()))?;
        self.i += 1;
        Ok(c)
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        self.ws();
        let c = self.peek().ok_or_else(|| syntax(EOF.into()))?;
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Ok(Value::string(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            c => Err(syntax(format!(
                "invalid character {} looking for beginning of value",
                quote_char(c)
            ))),
        }
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax("exceeded max depth".into()));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        self.i += 1;
        // Collected, then sorted once (inserting unsorted keys one by one shifts entries).
        let mut m = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::map(Map::new()));
        }
        loop {
            self.ws();
            match self.peek() {
                None => return Err(syntax(EOF.into())),
                Some(b'"') => {}
                Some(c) => {
                    return Err(syntax(format!(
                        "invalid character {} looking for beginning of object key string",
                        quote_char(c)
                    )))
                }
            }
            let key = self.string()?;
            self.ws();
            match self.next_or_eof()? {
                b':' => {}
                c => {
                    return Err(syntax(format!(
                        "invalid character {} after object key",
                        quote_char(c)
                    )))
                }
            }
            let v = self.value()?;
            m.push((key, v));
            self.ws();
            match self.next_or_eof()? {
                b',' => continue,
                b'}' => break,
                c => {
                    return Err(syntax(format!(
                        "invalid character {} after object key:value pair",
                        quote_char(c)
                    )))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::map(m.into_iter().collect()))
    }

    fn array(&mut self) -> Result<Value, JsonError> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::list(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.next_or_eof()? {
                b',' => continue,
                b']' => break,
                c => {
                    return Err(syntax(format!(
                        "invalid character {} after array element",
                        quote_char(c)
                    )))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::list(items))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            // EOF reads as the space Go's scanner is fed at the end.
            let c = self.peek().unwrap_or(b' ');
            self.i += 1;
            let d = char::from(c).to_digit(16).ok_or_else(|| {
                syntax(format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    quote_char(c)
                ))
            })?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.next_or_eof()?;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().unwrap_or(b' ');
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut u = self.hex4()?;
                            if (0xD800..0xDC00).contains(&u)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            let ch = char::from_u32(u).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        e => {
                            return Err(syntax(format!(
                                "invalid character {} in string escape code",
                                quote_char(e)
                            )))
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(syntax(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    )))
                }
                c => out.push(c),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        // At EOF Go's scanner is fed a space: unfinished numbers report ' '.
        match self.peek().or(Some(b' ')) {
            None => return Err(syntax(EOF.into())),
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(c) => {
                return Err(syntax(format!(
                    "invalid character {} in numeric literal",
                    quote_char(c)
                )))
            }
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.peek().or(Some(b' ')) {
                None => return Err(syntax(EOF.into())),
                Some(c) if !c.is_ascii_digit() => {
                    return Err(syntax(format!(
                        "invalid character {} after decimal point in numeric literal",
                        quote_char(c)
                    )))
                }
                _ => {
                    self.digits();
                }
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            match self.peek().or(Some(b' ')) {
                None => return Err(syntax(EOF.into())),
                Some(c) if !c.is_ascii_digit() => {
                    return Err(syntax(format!(
                        "invalid character {} in exponent of numeric literal",
                        quote_char(c)
                    )))
                }
                _ => {
                    self.digits();
                }
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                if self.type_err.is_none() {
                    self.type_err = Some(format!(
                        "json: cannot unmarshal number {text} into Go value of type float64"
                    ));
                }
                Ok(Value::Nil)
            }
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        self.i += 1;
        for expect in word.bytes().skip(1) {
            // At EOF Go's scanner is fed a space, so an unfinished literal reports ' '.
            let c = self.peek().unwrap_or(b' ');
            self.i += 1;
            if c != expect {
                return Err(syntax(format!(
                    "invalid character {} in literal {word} (expecting {})",
                    quote_char(c),
                    quote_char(expect)
                )));
            }
        }
        Ok(v)
    }
}

/// The JSON kind of the (syntactically valid) top-level value, as encoding/json names it in
/// "cannot unmarshal X into ...": decided by its first character.
pub fn top_kind(text: &str) -> &'static str {
    match text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .bytes()
        .next()
    {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// Decodes `text` as `json.Unmarshal` into `interface{}` would. `Ok((value, Some(err)))` when
/// the text is valid but a number did not fit a float64 (Go stores nil there and reports
/// the first such error after decoding everything else).
pub fn from_json_partial(text: &str) -> Result<(Value, Option<String>), JsonError> {
    let mut p = P {
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        type_err: None,
    };
    let v = p.value()?;
    p.ws();
    if let Some(c) = p.peek() {
        return Err(syntax(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        )));
    }
    Ok((v, p.type_err))
}

/// `json.Unmarshal` into `interface{}`: any JSON value (numbers float64), or Go's error text.
pub fn from_json(text: &str) -> Result<Value, String> {
    match from_json_partial(text) {
        Ok((v, None)) => Ok(v),
        Ok((_, Some(e))) | Err(JsonError::Syntax(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_match_go() {
        assert_eq!(from_json("").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            from_json("x").unwrap_err(),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            from_json("{\"a\": 1} x").unwrap_err(),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(
            from_json("{\"a\": tru}").unwrap_err(),
            "invalid character '}' in literal true (expecting 'e')"
        );
        assert_eq!(
            from_json("[tr").unwrap_err(),
            "invalid character ' ' in literal true (expecting 'u')"
        );
        assert_eq!(
            from_json("-").unwrap_err(),
            "invalid character ' ' in numeric literal"
        );
        assert_eq!(from_json("[1").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            from_json("{\"a\": \"x\ty\"}").unwrap_err(),
            "invalid character '\\t' in string literal"
        );
    }

    #[test]
    fn values() {
        let v = from_json("{\"a\": [1, \"\\u00e9\\ud83d\\ude00\", null]}").unwrap();
        let m = v.as_map().unwrap();
        let a = m.get("a").unwrap();
        let items = a.as_list().unwrap();
        assert!(matches!(items[0], Value::Float(f) if f == 1.0));
        assert_eq!(items[1].as_str(), Some("é😀"));
        assert!(items[2].is_nil());
    }
}
