//! The `--set` family's grammar (Helm's `pkg/strvals`): `a.b[0].c=v,d={x,y}` with backslash
//! escapes, typed values for `--set`, strings for `--set-string`, file contents for
//! `--set-file`, JSON for `--set-json`, and the escape-free `--set-literal`.

use crate::template::{Map, MapRef, Value};

/// Helm's limit on `a.b.c...` nesting.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Helm's limit on list indexes.
const MAX_INDEX: i64 = 65536;

/// How a value's text becomes a value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--set`: `true`/`false`/`null`/int64 inference.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-file`: the text is a path; the value is the file's content.
    File,
    /// `--set-json`: the value is a JSON document.
    Json,
}

/// Parses one `--set`-style argument into `dest`.
pub fn parse_into(s: &str, dest: &MapRef, mode: Mode) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode,
        literal: false,
    };
    p.parse(dest)
}

/// Parses one `--set-literal` argument into `dest`.
pub fn parse_literal_into(s: &str, dest: &MapRef) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode: Mode::String,
        literal: true,
    };
    p.parse(dest)
}

/// `--set` type inference (`typedVal`).
pub fn typed_val(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int64(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int64(i);
        }
    }
    Value::str(s)
}

enum End {
    Eof,
    Stop(char),
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    mode: Mode,
    literal: bool,
}

impl Parser {
    fn parse(&mut self, data: &MapRef) -> Result<(), String> {
        loop {
            match self.key(data, 0) {
                Ok(true) => continue,
                Ok(false) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads up to a stop rune; backslash escapes the next rune (except in literal mode).
    fn until(&mut self, stop: &[char]) -> (String, End) {
        let mut v = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if stop.contains(&c) {
                return (v, End::Stop(c));
            }
            if c == '\\' && !self.literal {
                match self.chars.get(self.pos) {
                    Some(&n) => {
                        self.pos += 1;
                        v.push(n);
                    }
                    None => return (v, End::Eof),
                }
                continue;
            }
            v.push(c);
        }
        (v, End::Eof)
    }

    fn read_value(&self, text: &str) -> Result<Value, String> {
        match self.mode {
            Mode::Typed => Ok(typed_val(text)),
            Mode::String | Mode::Json => Ok(Value::str(text)),
            Mode::File => std::fs::read(text)
                .map(|b| Value::string(String::from_utf8_lossy(&b).into_owned()))
                .map_err(|e| go_io_error(text, &e)),
        }
    }

    /// Parses one `key...=value`; returns Ok(false) at end of input.
    fn key(&mut self, data: &MapRef, level: usize) -> Result<bool, String> {
        let stop: &[char] = if self.literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            End::Eof => {
                if k.is_empty() {
                    return Ok(false);
                }
                Err(format!("key {} has no value", go_quote(&k)))
            }
            End::Stop('[') => {
                let i = self.key_index()?;
                let list = match data.get(&k) {
                    Some(Value::List(l)) => l.items.clone(),
                    Some(other) => return Err(conversion_error(&other, "[]interface {}")),
                    None => Vec::new(),
                };
                let (list, res) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                res.map(|_| true)
            }
            End::Stop('=') => self
                .key_value(data, &k)
                .map(|more| more || self.pos < self.chars.len()),
            End::Stop(',') => {
                set(data, &k, Value::str(""));
                Err(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                ))
            }
            End::Stop(_) => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&k) {
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(conversion_error(&other, "map[string]interface {}")),
                    None => MapRef::default(),
                };
                let res = self.key(&inner, level);
                if res.is_ok() && inner.is_empty() {
                    return Err(format!("key map {} has no value", go_quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                res
            }
        }
    }

    /// After `key=`: the value (list literal, scalar, JSON, or literal rest of input).
    fn key_value(&mut self, data: &MapRef, k: &str) -> Result<bool, String> {
        if self.literal {
            let rest: String = self.chars[self.pos..].iter().collect();
            self.pos = self.chars.len();
            set(data, k, Value::string(rest));
            return Ok(false);
        }
        if self.mode == Mode::Json {
            let v = self.json_value()?;
            set(data, k, v);
            return Ok(true);
        }
        match self.val_list() {
            ListResult::List(items) => {
                set(data, k, Value::list(items?));
                Ok(true)
            }
            ListResult::Eof => {
                set(data, k, Value::str(""));
                Ok(false)
            }
            ListResult::NotList => {
                let (text, _) = self.until(&[',']);
                let v = self.read_value(&text)?;
                set(data, k, v);
                Ok(true)
            }
        }
    }

    /// `--set-json` value: one JSON document, then optional blanks and a comma.
    fn json_value(&mut self) -> Result<Value, String> {
        if self.empty_val() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let v = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("unexpected end of JSON input".into()),
        };
        let used = rest[..stream.byte_offset()].chars().count();
        self.pos += used;
        self.empty_val();
        Ok(crate::chart::json_to_value(&v))
    }

    /// Consumes blanks up to a comma or the end (true), or stops before anything else.
    fn empty_val(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.pos) {
            if c == ',' {
                self.pos += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.pos += 1;
        }
        true
    }

    fn key_index(&mut self) -> Result<i64, String> {
        let (v, end) = self.until(&[']']);
        if let End::Eof = end {
            return Err("error parsing index: EOF".into());
        }
        v.parse::<i64>().map_err(|_| {
            format!(
                "error parsing index: strconv.Atoi: parsing {}: invalid syntax",
                go_quote(&v)
            )
        })
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Result<(), String>) {
        if i < 0 {
            return (list, Err(format!("negative {i} index not allowed")));
        }
        if i > MAX_INDEX {
            return (
                list,
                Err(format!(
                    "index of {i} is greater than maximum supported index of {MAX_INDEX}"
                )),
            );
        }
        let idx = i as usize;
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Err(format!(
                    "unexpected data at end of array index: {}",
                    go_quote(&k)
                )),
            );
        }
        match last {
            End::Eof => (list, Err("EOF".into())),
            End::Stop('=') => {
                let v = if self.literal {
                    let rest: String = self.chars[self.pos..].iter().collect();
                    self.pos = self.chars.len();
                    Ok(Value::string(rest))
                } else if self.mode == Mode::Json {
                    self.json_value()
                } else {
                    match self.val_list() {
                        ListResult::List(items) => items.map(Value::list),
                        ListResult::Eof => Ok(Value::str("")),
                        ListResult::NotList => {
                            let (text, _) = self.until(&[',']);
                            self.read_value(&text)
                        }
                    }
                };
                match v {
                    Ok(v) => {
                        set_index(&mut list, idx, v);
                        (list, Ok(()))
                    }
                    Err(e) => (list, Err(e)),
                }
            }
            End::Stop('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let inner = match list.get(idx) {
                    Some(Value::List(l)) => l.items.clone(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(other) => {
                        let err = conversion_error(other, "[]interface {}");
                        return (list, Err(err));
                    }
                };
                let (inner, res) = self.list_item(inner, next, level);
                if res.is_err() {
                    return (list, res);
                }
                set_index(&mut list, idx, Value::list(inner));
                (list, Ok(()))
            }
            End::Stop(_) => {
                let inner = match list.get(idx) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => MapRef::default(),
                };
                let res = self.key(&inner, level);
                if let Err(e) = res {
                    return (list, Err(e));
                }
                set_index(&mut list, idx, Value::Map(inner));
                (list, Ok(()))
            }
        }
    }

    fn val_list(&mut self) -> ListResult {
        match self.chars.get(self.pos) {
            None => return ListResult::Eof,
            Some('{') => self.pos += 1,
            Some(_) => return ListResult::NotList,
        }
        let mut items = Vec::new();
        loop {
            let (text, last) = self.until(&[',', '}']);
            match last {
                End::Eof => return ListResult::List(Err("list must terminate with '}'".into())),
                End::Stop('}') => {
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    return ListResult::List(self.read_value(&text).map(|v| {
                        items.push(v);
                        items
                    }));
                }
                End::Stop(_) => match self.read_value(&text) {
                    Ok(v) => items.push(v),
                    Err(e) => return ListResult::List(Err(e)),
                },
            }
        }
    }
}

enum ListResult {
    List(Result<Vec<Value>, String>),
    Eof,
    NotList,
}

fn set(data: &MapRef, key: &str, v: Value) {
    if key.is_empty() {
        return;
    }
    data.write().insert(key.to_string(), v);
}

fn set_index(list: &mut Vec<Value>, i: usize, v: Value) {
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
}

/// The text of Go's failed type assertion, as Helm reports it.
fn conversion_error(v: &Value, want: &str) -> String {
    format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        v.type_name()
    )
}

fn go_quote(s: &str) -> String {
    crate::template::format::quote_go(s)
}

/// Go's `os.ReadFile` error for `path`: opening fails for a missing or unreadable file, reading
/// fails for a directory (Go opens directories fine).
pub fn go_io_error(path: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
        std::io::ErrorKind::PermissionDenied => format!("open {path}: permission denied"),
        std::io::ErrorKind::IsADirectory => format!("read {path}: is a directory"),
        _ => format!("open {path}: {e}"),
    }
}

/// Builds a fresh map value from parsed flags (for tests and callers).
pub fn parse_to_map(args: &[&str], mode: Mode) -> Result<Map, String> {
    let dest = MapRef::default();
    for a in args {
        parse_into(a, &dest, mode)?;
    }
    let m = dest.read().clone();
    Ok(m)
}

#[cfg(test)]
mod go_io_error_tests {
    use super::go_io_error;

    #[test]
    fn read_errors_use_gos_wording() {
        let dir = std::fs::read("/").unwrap_err();
        assert_eq!(go_io_error("/", &dir), "read /: is a directory");
        let missing = std::fs::read("/no/such/file").unwrap_err();
        assert_eq!(
            go_io_error("/no/such/file", &missing),
            "open /no/such/file: no such file or directory"
        );
    }
}
