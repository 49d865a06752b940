//! Helm's `toYaml`: `sigs.k8s.io/yaml.Marshal` = `encoding/json` → go-yaml v2 re-parse →
//! go-yaml v2 `Marshal`. We model the detour directly on [`Value`]s: numbers take the shape
//! the JSON text gives them, strings pick go-yaml v2's scalar style, keys are strings in
//! go-yaml's natural order. The block layout is libyaml's emitter state machine, reduced to
//! what these documents need (block collections, flow only for `{}` / `[]`).

use super::json::json_float;
use super::resolve::{is_base60_float, resolve_plain, Resolved};
use super::scalar::{Style, Writer};
use super::sort::sort_keys;
use crate::template::value::Value;

/// Deepest value nesting we serialise (encoding/json itself stops at 1000 cycles' depth).
const MAX_DEPTH: usize = 1_000;

/// A node ready for emitting.
pub enum YNode {
    /// Scalar text with its requested style.
    Scalar(String, Style),
    /// Sequence.
    Seq(Vec<YNode>),
    /// Mapping, already in output order.
    Map(Vec<(String, YNode)>),
}

/// go-yaml v2 `stringv`: literal if multi-line, plain if it reads back as the same string,
/// else double-quoted.
pub fn string_style(s: &str) -> Style {
    let plain_ok = resolve_plain(s) == Resolved::Str && !is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if plain_ok {
        Style::Plain
    } else {
        Style::Double
    }
}

/// The JSON detour's effect on a string: go-yaml re-reads the JSON text, where only NEL
/// (U+0085) is a raw line break (JSON escapes the rest), so NEL folds like a line break in a
/// double-quoted scalar; characters YAML input forbids (DEL, C1 controls, U+FFFE/U+FFFF)
/// make the re-parse fail.
fn json_detour_string(s: &str) -> Result<String, String> {
    if let Some(c) = s.chars().find(|&c| {
        let u = c as u32;
        (0x7F..=0x9F).contains(&u) && u != 0x85 || u == 0xFFFE || u == 0xFFFF
    }) {
        return Err(format!(
            "yaml: control characters are not allowed (U+{:04X})",
            c as u32
        ));
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of spaces and NELs that contains at least one NEL folds.
        let mut j = i;
        let mut nels = 0;
        while j < chars.len() && (chars[j] == ' ' || chars[j] == '\u{85}') {
            if chars[j] == '\u{85}' {
                nels += 1;
            }
            j += 1;
        }
        if j > i {
            if nels == 0 {
                chars[i..j].iter().for_each(|&c| out.push(c));
            } else if nels == 1 {
                out.push(' ');
            } else {
                (1..nels).for_each(|_| out.push('\n'));
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// go-yaml re-reads a map key of the JSON text as an implicit (simple) key of a flow
/// mapping, which libyaml's scanner only allows on one line and with its `:` at most 1024
/// characters after the key's start. A key whose JSON text holds a raw line break (NEL) or
/// is longer than that makes the re-parse fail, and so the whole `Marshal`.
fn json_detour_key_check(k: &str) -> Result<(), String> {
    const MAX_SIMPLE_KEY: usize = 1024;
    if k.contains('\u{85}') {
        return Err("yaml: did not find expected ',' or '}' (line break in a key)".into());
    }
    let mut quoted = String::with_capacity(k.len() + 2);
    super::json::write_json_string(&mut quoted, k, true);
    if quoted.chars().count() > MAX_SIMPLE_KEY {
        return Err("yaml: did not find expected ',' or '}' (key over 1024 characters)".into());
    }
    Ok(())
}

/// The YAML text of a float after the JSON detour: integers (no `.`/`e` in the JSON text)
/// that fit int64/uint64 stay integers, everything else is a float printed with `%g`.
pub fn detour_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            crate::template::format::format_float_g(f)
        ));
    }
    let text = json_float(f);
    if !text.contains(['.', 'e']) {
        let r = resolve_plain(&text);
        if let Resolved::Int(i) = r {
            return Ok(i.to_string());
        }
        if let Resolved::Uint(u) = r {
            return Ok(u.to_string());
        }
    }
    Ok(crate::template::format::format_float_g(f))
}

/// Builds the node tree for `toYaml` (JSON detour semantics).
pub fn detour_node(v: &Value, depth: usize) -> Result<YNode, String> {
    if depth > MAX_DEPTH {
        return Err("json: exceeded max depth".into());
    }
    Ok(match v {
        Value::Nil => YNode::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => YNode::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => YNode::Scalar(i.to_string(), Style::Plain),
        Value::Float(f) => YNode::Scalar(detour_float(*f)?, Style::Plain),
        Value::String(s) => {
            let s = json_detour_string(s)?;
            let st = string_style(&s);
            YNode::Scalar(s, st)
        }
        Value::Bytes(b) => {
            let s = super::json::base64_encode(b);
            let st = string_style(&s);
            YNode::Scalar(s, st)
        }
        Value::List(l) => YNode::Seq(
            l.items
                .iter()
                .map(|i| detour_node(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let entries: Vec<(String, Value)> = m
                .read()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                json_detour_key_check(&k)?;
                out.push((json_detour_string(&k)?, detour_node(&v, depth + 1)?));
            }
            sort_keys(&mut out, |(k, _)| k.as_str());
            YNode::Map(out)
        }
        Value::Object(o) => detour_node(&o.to_data(), depth + 1)?,
    })
}

/// Layout options distinguishing go-yaml v2 (`toYaml`) from v3 (`toYamlPretty`).
#[derive(Clone, Copy)]
pub struct Layout {
    /// Fold long scalars at this column (v2: 80; v3 as Helm uses it: never).
    pub width: Option<usize>,
    /// Sequences directly under a mapping key are not indented (v2).
    pub indentless_sequences: bool,
    /// go-yaml v3's scalar analysis (tabs allow literal blocks).
    pub v3: bool,
}

struct Ctx {
    mapping: bool,
}

fn emit_node(w: &mut Writer, n: &YNode, ctx: Ctx, layout: Layout) {
    match n {
        YNode::Scalar(s, st) => w.scalar(s, *st, false),
        YNode::Seq(items) if items.is_empty() => {
            w.write_indicator("[", true, true, false);
            w.write_indicator("]", false, false, false);
        }
        YNode::Map(items) if items.is_empty() => {
            w.write_indicator("{", true, true, false);
            w.write_indicator("}", false, false, false);
        }
        YNode::Seq(items) => {
            let indentless = layout.indentless_sequences && ctx.mapping && !w.indention;
            w.increase_indent(false, indentless);
            for item in items {
                w.write_indent();
                w.write_indicator("-", true, false, true);
                emit_node(w, item, Ctx { mapping: false }, layout);
            }
            w.pop_indent();
        }
        YNode::Map(items) => {
            w.increase_indent(false, false);
            for (k, v) in items {
                w.write_indent();
                let simple = k.len() <= 128 && !k.chars().any(super::scalar::is_break);
                let kstyle = string_style(k);
                if simple {
                    w.scalar(k, kstyle, true);
                    w.write_indicator(":", false, false, false);
                } else {
                    w.write_indicator("?", true, false, true);
                    w.scalar(k, kstyle, false);
                    w.write_indent();
                    w.write_indicator(":", true, false, true);
                }
                emit_node(w, v, Ctx { mapping: true }, layout);
            }
            w.pop_indent();
        }
    }
}

/// Emits one YAML document (no `---`), ending with a newline, as go-yaml's encoder does.
pub fn emit_document(n: &YNode, layout: Layout) -> String {
    let mut w = Writer::new(layout.width);
    w.v3_tabs = layout.v3;
    emit_node(&mut w, n, Ctx { mapping: false }, layout);
    // Document end: libyaml writes an indent at level 0, i.e. a final line break.
    w.indent = -1;
    w.write_indent();
    w.out
}

/// go-yaml v2's layout.
pub const V2: Layout = Layout {
    width: Some(80),
    indentless_sequences: true,
    v3: false,
};

/// `sigs.k8s.io/yaml.Marshal(v)`: go-yaml v2's output after the JSON detour, including the
/// final newline (Helm's `toYaml` then removes one trailing newline). Errors where Go's
/// marshalling fails (NaN/Inf, characters YAML cannot read back).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let node = detour_node(v, 0)?;
    Ok(emit_document(&node, V2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::Map;

    #[test]
    fn numbers_after_detour() {
        assert_eq!(detour_float(3.0).unwrap(), "3");
        assert_eq!(detour_float(1e6).unwrap(), "1000000");
        assert_eq!(
            detour_float(12345678901234567890.0).unwrap(),
            "12345678901234567000"
        );
        assert_eq!(detour_float(1e20).unwrap(), "1e+20");
        assert_eq!(detour_float(1234567.5).unwrap(), "1.2345675e+06");
        assert_eq!(detour_float(-0.0).unwrap(), "0");
        assert!(detour_float(f64::NAN).is_err());
    }

    #[test]
    fn json_detour_key_rules() {
        let one = |k: &str| {
            let mut m = Map::new();
            m.insert(k.to_string(), Value::Float(1.0));
            to_yaml(&Value::map(m))
        };
        // NEL is a raw line break in the JSON text: the key no longer fits on one line.
        assert!(one("a\u{85}b").is_err());
        // As a value it only folds.
        let mut m = Map::new();
        m.insert("v".into(), Value::str("a\u{85}b"));
        assert_eq!(to_yaml(&Value::map(m)).unwrap(), "v: a b\n");
        // The `:` may follow the key's opening quote by at most 1024 characters of JSON text.
        assert!(one(&"a".repeat(1022)).is_ok());
        assert!(one(&"a".repeat(1023)).is_err());
        assert!(one(&"<".repeat(170)).is_ok()); // `\u003c` each: 1022 with the quotes
        assert!(one(&"<".repeat(171)).is_err());
        assert!(one(&"é".repeat(1022)).is_ok()); // characters, not bytes
    }

    #[test]
    fn leading_bom_escapes_every_character() {
        let mut m = Map::new();
        m.insert("k".into(), Value::str("\u{feff}[a] é"));
        m.insert("m".into(), Value::str("a\u{feff}b"));
        assert_eq!(
            to_yaml(&Value::map(m)).unwrap(),
            "k: \"\\uFEFF\\x5B\\x61\\x5D\\x20\\xE9\"\nm: \"a\\uFEFFb\"\n"
        );
    }

    #[test]
    fn layout() {
        let mut inner = Map::new();
        inner.insert("name".into(), Value::str("a"));
        inner.insert("v".into(), Value::Float(1.0));
        let mut m = Map::new();
        m.insert(
            "list".into(),
            Value::list(vec![Value::map(inner), Value::list(vec![])]),
        );
        m.insert("e".into(), Value::empty_map());
        let out = to_yaml(&Value::map(m)).unwrap();
        assert_eq!(out, "e: {}\nlist:\n- name: a\n  v: 1\n- []\n");
    }
}
