//! Helm's `toYamlPretty`: go-yaml v3 with indent 2 on the raw values (no JSON detour).
//! Floats print with `%g`, sequences are indented under their key, nothing is folded.

use super::emit::{emit_document, string_style, Layout, YNode};
use super::scalar::Style;
use super::sort::sort_keys_with;
use crate::template::value::Value;

const MAX_DEPTH: usize = 1_000;

/// go-yaml v3's layout as Helm configures it.
pub const V3: Layout = Layout {
    width: None,
    indentless_sequences: false,
    v3: true,
};

fn node(v: &Value, depth: usize) -> Result<YNode, String> {
    if depth > MAX_DEPTH {
        return Err("yaml: exceeded max depth".into());
    }
    Ok(match v {
        Value::Nil => YNode::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => YNode::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => YNode::Scalar(i.to_string(), Style::Plain),
        Value::Float(f) => YNode::Scalar(
            if f.is_nan() {
                ".nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    ".inf".into()
                } else {
                    "-.inf".into()
                }
            } else {
                crate::template::format::format_float_g(*f)
            },
            Style::Plain,
        ),
        Value::String(s) => YNode::Scalar(s.to_string(), string_style(s)),
        Value::Bytes(b) => {
            let s = String::from_utf8_lossy(b).into_owned();
            let st = string_style(&s);
            YNode::Scalar(s, st)
        }
        Value::List(l) => YNode::Seq(
            l.items
                .iter()
                .map(|i| node(i, depth + 1))
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
                out.push((k, node(&v, depth + 1)?));
            }
            sort_keys_with(&mut out, |(k, _)| k.as_str(), true);
            YNode::Map(out)
        }
        Value::Object(o) => node(&o.to_data(), depth + 1)?,
    })
}

/// go-yaml v3 `Encoder` (indent 2) output of `v`, with its final newline.
pub fn to_yaml_pretty(v: &Value) -> Result<String, String> {
    Ok(emit_document(&node(v, 0)?, V3))
}
