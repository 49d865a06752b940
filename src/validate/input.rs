//! Reading rendered manifests: a multi-document YAML stream into JSON values.
//!
//! Rendered output is split on `---` lines the way Helm writes it, each chunk remembering the
//! template named by its `# Source:` comment. Scalars are resolved the way the Kubernetes
//! client (sigs.k8s.io/yaml, on go-yaml v2) resolves them, because that decides what the API
//! server receives: `yes`/`on`/`y` are booleans, `0x1F` and `0777` are integers, quoted text is
//! always a string. The lead's go-yaml compatible loader can replace this module later.

use std::collections::HashMap;

use libyaml_safer::{EventData, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::Document;
use crate::par::par_map;

/// Deepest nesting accepted; deeper input is rejected instead of exhausting the stack.
const MAX_DEPTH: usize = 256;
/// Bytes handed to the YAML parser at a time.
const READ_BUFFER: usize = 64 * 1024;
/// Most nodes an alias may copy in one document (defends against "billion laughs").
const MAX_ALIAS_NODES: usize = 1_000_000;

/// Splits a rendered stream into documents and parses each into a JSON value.
///
/// Empty documents (only comments or whitespace) are skipped but still count for `index`, so
/// the index is the document's position in the stream. A syntax error names the template.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, String> {
    let chunks = split_documents(text);
    let parsed = par_map(&chunks, |chunk| parse_one(chunk.text));
    let mut docs = Vec::new();
    for (index, (chunk, value)) in chunks.iter().zip(parsed).enumerate() {
        let source = source_of(chunk.text);
        let value = value.map_err(|e| {
            let place = source.as_deref().unwrap_or("<input>");
            format!("{place} (document {index}, line {}): {e}", chunk.line)
        })?;
        if let Some(object) = value {
            docs.push(Document {
                object,
                source,
                index,
            });
        }
    }
    Ok(docs)
}

/// One `---`-separated piece of the stream and the 1-based line it starts on.
pub(crate) struct Chunk<'a> {
    /// The document's text, without the `---` line.
    pub text: &'a str,
    /// The 1-based line it starts on.
    pub line: usize,
}

/// Splits on lines that are a document marker (`---`, optionally followed by a space/comment).
pub(crate) fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") {
            chunks.push(Chunk {
                text: &text[start..offset],
                line: start_line,
            });
            // The marker line itself may carry content (`--- # comment`); keep it out.
            start = offset + line.len();
            start_line = n + 2;
        }
        offset += line.len();
    }
    chunks.push(Chunk {
        text: &text[start..],
        line: start_line,
    });
    chunks
}

/// The template path from a `# Source: path` comment line, as Helm writes it.
fn source_of(chunk: &str) -> Option<String> {
    chunk
        .lines()
        .find_map(|l| l.strip_prefix("# Source: ").map(|s| s.trim().to_string()))
}

/// Parses one document; `None` when it holds no node at all.
pub(crate) fn parse_one(text: &str) -> Result<Option<Value>, String> {
    parse_doc(text, false)
}

/// Parses a CRD document without its `description` strings, which are most of a CRD's bytes
/// and never read by validation. (A property *named* `description` maps to a schema object,
/// not a string, and is kept.)
pub(crate) fn parse_crd(text: &str) -> Result<Option<Value>, String> {
    parse_doc(text, true)
}

fn parse_doc(text: &str, drop_descriptions: bool) -> Result<Option<Value>, String> {
    // A small buffer: given the whole slice at once, the parser decodes all of it into a
    // queue of 4-byte chars up front (megabytes of fresh pages for a large CRD).
    let mut parser = Parser::new();
    parser.set_input(std::io::BufReader::with_capacity(
        READ_BUFFER,
        text.as_bytes(),
    ));
    let mut builder = Builder {
        drop_descriptions,
        ..Builder::default()
    };
    loop {
        let event = parser.parse().map_err(|e| e.to_string())?;
        let line = usize::try_from(event.start_mark.line)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        match event.data {
            EventData::StreamEnd => break,
            // Only the first document of a chunk counts (a chunk is one `---` piece).
            EventData::DocumentEnd { .. } => break,
            data => builder.on_event(data, line)?,
        }
    }
    Ok(builder.root)
}

/// An open collection while events stream in.
enum Frame {
    Seq(Vec<Value>, Option<String>),
    /// Entries, the key waiting for its value, and the anchor.
    Map(Map<String, Value>, Option<String>, Option<String>),
}

/// Builds a JSON value from parser events.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    anchors: HashMap<String, Value>,
    alias_budget: usize,
    /// Skip string values of `description` keys (CRD files).
    drop_descriptions: bool,
}

impl Builder {
    fn on_event(&mut self, ev: EventData, line: usize) -> Result<(), String> {
        match ev {
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let v = resolve_scalar(value, style, tag.as_deref());
                self.remember(anchor, &v);
                self.push_value(v, line)
            }
            EventData::SequenceStart { anchor, .. } => {
                self.open(Frame::Seq(Vec::new(), anchor), line)
            }
            EventData::MappingStart { anchor, .. } => {
                self.open(Frame::Map(Map::new(), None, anchor), line)
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, a)) => (Value::Array(items), a),
                    Some(Frame::Map(map, _, a)) => (Value::Object(map), a),
                    None => return Ok(()),
                };
                self.remember(anchor, &v);
                self.push_value(v, line)
            }
            EventData::Alias { anchor } => {
                let v = self
                    .anchors
                    .get(&anchor)
                    .cloned()
                    .ok_or_else(|| format!("unknown anchor {anchor:?} at line {line}"))?;
                self.alias_budget += count_nodes(&v);
                if self.alias_budget > MAX_ALIAS_NODES {
                    return Err("aliases expand to too many nodes".into());
                }
                self.push_value(v, line)
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, line: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} at line {line}"));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn remember(&mut self, anchor: Option<String>, v: &Value) {
        if let Some(a) = anchor {
            self.anchors.insert(a, v.clone());
        }
    }

    /// Adds a finished node to the enclosing collection (or makes it the root).
    fn push_value(&mut self, v: Value, line: usize) -> Result<(), String> {
        match self.stack.last_mut() {
            None => self.root = Some(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(map, pending, _)) => match pending.take() {
                None => {
                    let k = key_string(&v)
                        .ok_or_else(|| format!("unsupported mapping key at line {line}"))?;
                    *pending = Some(k);
                }
                // `<<` merges the entries of a map (or list of maps) that are not set explicitly.
                Some(k) if k == "<<" && (v.is_object() || v.is_array()) => {
                    let sources = match v {
                        Value::Array(list) => list,
                        other => vec![other],
                    };
                    for src in sources {
                        if let Value::Object(entries) = src {
                            for (key, val) in entries {
                                map.entry(key).or_insert(val);
                            }
                        }
                    }
                }
                Some(k) if self.drop_descriptions && k == "description" && v.is_string() => {}
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
        Ok(())
    }
}

/// JSON object keys must be strings: scalar keys are written as their text.
fn key_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        _ => None,
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves a scalar to a JSON value the way go-yaml v2 (YAML 1.1 core types) does.
fn resolve_scalar(text: String, style: ScalarStyle, tag: Option<&str>) -> Value {
    if let Some(tag) = tag {
        return match tag.strip_prefix("tag:yaml.org,2002:") {
            Some("null") => Value::Null,
            Some("bool" | "int" | "float") => match resolve_plain(&text) {
                Value::String(_) => Value::String(text),
                v => v,
            },
            // `!!str`, `!!binary`, `!!timestamp`, and tags go-yaml cannot resolve (a chart's
            // `!!string False`, custom `!Tags`): go-yaml keeps the text as a string.
            _ => Value::String(text),
        };
    }
    if style != ScalarStyle::Plain {
        return Value::String(text);
    }
    match resolve_plain(&text) {
        Value::String(_) => Value::String(text),
        v => v,
    }
}

/// Plain scalar resolution; returns `Value::String` (empty) when the text is just a string.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    let first = s.as_bytes().first().copied().unwrap_or(b'a');
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(String::new());
    }
    if let Some(i) = parse_int(s) {
        return Value::Number(i);
    }
    if is_float(s) {
        if let Some(n) = s.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(String::new())
}

/// Go's strconv.ParseInt(s, 0, 64) (then ParseUint) syntax: sign, 0x/0o/0b or leading-0 octal,
/// underscores between digits.
fn parse_int(s: &str) -> Option<Number> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    if radix == 10 && digits.contains('_') {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        let v = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or_else(|| (magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Number::from(v))
    } else {
        Some(Number::from(magnitude))
    }
}

/// go-yaml v2's float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(s: &str) -> bool {
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_documents_and_reads_sources() {
        let text = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\n# only a comment\n---\nkind: C\nlist: [1, 2]\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].source.as_deref(), Some("c/templates/a.yaml"));
        assert_eq!(docs[0].index, 1);
        assert_eq!(docs[0].object, json!({"kind": "A"}));
        assert_eq!(docs[1].source, None);
        assert_eq!(docs[1].index, 3);
        assert_eq!(docs[1].object, json!({"kind": "C", "list": [1, 2]}));
    }

    #[test]
    fn resolves_scalars_like_go_yaml_v2() {
        let v = parse_one("a: yes\nb: 'yes'\nc: 0x1F\nd: 0777\ne: 1.5\nf: ~\ng: \"8080\"\nh: 80\ni: -3\nj: 1e3\nk: 1.2.3\nl: !!str 12\nm: !!string False\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            v,
            json!({"a": true, "b": "yes", "c": 31, "d": 511, "e": 1.5, "f": null, "g": "8080",
                   "h": 80, "i": -3, "j": 1000.0, "k": "1.2.3", "l": "12", "m": "False"})
        );
    }

    #[test]
    fn merges_and_aliases() {
        let v = parse_one("base: &b {p: 1, q: 2}\nother:\n  <<: *b\n  q: 3\ncopy: *b\n")
            .unwrap()
            .unwrap();
        assert_eq!(v["other"], json!({"p": 1, "q": 3}));
        assert_eq!(v["copy"], json!({"p": 1, "q": 2}));
    }

    #[test]
    fn loose_flow_indentation_parses_as_in_go_yaml() {
        // Real charts close flow sequences at the key's indentation; libyaml accepts it.
        let v = parse_one("spec:\n  args: [\n    \"a\", \"b\",\n  ]\n")
            .unwrap()
            .unwrap();
        assert_eq!(v, json!({"spec": {"args": ["a", "b"]}}));
    }

    #[test]
    fn crd_parsing_drops_description_strings_only() {
        let text =
            "description: long text\nproperties:\n  description: {type: string, description: x}\n";
        let v = parse_crd(text).unwrap().unwrap();
        assert_eq!(
            v,
            json!({"properties": {"description": {"type": "string"}}})
        );
    }

    #[test]
    fn syntax_errors_name_the_template() {
        let err = parse_stream("---\n# Source: c/templates/bad.yaml\na: [1, 2\n").unwrap_err();
        assert!(
            err.starts_with("c/templates/bad.yaml (document 1, line 2)"),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "[".repeat(400) + &"]".repeat(400);
        assert!(parse_one(&text).unwrap_err().contains("nesting deeper"));
    }
}
