//! go-yaml v2 compatible YAML, as Helm sees it through `sigs.k8s.io/yaml`: loading values
//! (YAML 1.1 scalars, every number a float64) and emitting `toYaml` output byte for byte.
//! Also Go `encoding/json` (toJson/fromJson) and BurntSushi TOML (toToml/fromToml).
//!
//! Entry points: [`load_values`], [`load_any`], [`to_yaml`], [`to_yaml_pretty`],
//! [`json::to_json`], [`json::from_json`], [`toml::to_toml`], [`toml::from_toml`].

pub mod block;
mod compat;
pub mod decode;
pub mod emit;
mod flowkeys;
pub mod head;
pub mod json;
pub mod jsonparse;
mod libyaml;
mod lines;
pub mod load;
mod ordered;
pub mod pretty;
pub mod resolve;
pub mod scalar;
pub mod sort;
pub mod toml;

use crate::template::value::Value;
use std::fmt;

pub use emit::to_yaml;
pub use json::{from_json, to_json};
pub use pretty::to_yaml_pretty;

/// A YAML loading error, with the exact text Helm prints after its own prefix
/// (`error converting YAML to JSON: yaml: line 2: ...` or
/// `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The message.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

fn err(message: String) -> LoadError {
    LoadError { message }
}

/// Loads the first YAML document of `text` as `sigs.k8s.io/yaml.Unmarshal` into
/// `interface{}` would: any value (`Value::Nil` for an empty document). Numbers are floats.
pub fn load_any(text: &str) -> Result<Value, LoadError> {
    if let Some(go) = block::fast_document(text) {
        return decode::go_to_value(go).map_err(err);
    }
    load_any_general(text)
}

/// [`load_any`] through the general loader only.
pub fn load_any_general(text: &str) -> Result<Value, LoadError> {
    let root = load::parse_first_document(text).map_err(|e| {
        err(if e.starts_with("error converting") {
            e
        } else {
            format!("error converting YAML to JSON: yaml: {e}")
        })
    })?;
    decode::decode_document(root).map_err(err)
}

/// Loads the first document as go-yaml v2 Go values, before sigs.k8s.io/yaml's JSON detour
/// (ints stay ints, keys keep their Go types). For typed targets such as Chart.yaml, where
/// a string field receives numbers as text ([`decode::go_scalar_as_string`]).
pub fn load_go(text: &str) -> Result<Option<decode::GoVal>, LoadError> {
    let root = load::parse_first_document(text)
        .map_err(|e| err(format!("error converting YAML to JSON: yaml: {e}")))?;
    decode::decode_go(root).map_err(err)
}

/// The JSON kind word `encoding/json` uses in "cannot unmarshal X into ...".
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Nil => "null",
        _ => "number",
    }
}

/// Loads a values file (`values.yaml`, `-f`, `fromYaml`): `sigs.k8s.io/yaml.Unmarshal` into
/// `map[string]interface{}`. An empty document (or `null`) is an empty map; any other
/// non-mapping top level is an error.
pub fn load_values(text: &str) -> Result<Value, LoadError> {
    match load_any(text)? {
        Value::Nil => Ok(Value::empty_map()),
        v @ Value::Map(_) => Ok(v),
        other => Err(err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        ))),
    }
}

/// Loads a YAML list as `fromYamlArray` does: unmarshal into `[]interface{}`. An empty
/// document gives an empty list.
pub fn load_list(text: &str) -> Result<Value, LoadError> {
    match load_any(text)? {
        Value::Nil => Ok(Value::list(Vec::new())),
        v @ Value::List(_) => Ok(v),
        other => Err(err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))),
    }
}

/// Helm's `toYaml`: go-yaml's output without its final newline, or `""` when marshalling fails.
pub fn to_yaml_helm(v: &Value) -> String {
    match to_yaml(v) {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}
