//! `values.schema.json` validation of the coalesced values, chart by chart, with Helm 3's
//! (gojsonschema) message layout.

use super::Chart;
use crate::template::{MapRef, Value};

/// Converts a template value to JSON (numbers stay numbers; integral floats become integers,
/// as Helm's YAML round trip makes them).
pub fn value_to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                serde_json::Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(b) => serde_json::Value::String(crate::yaml::json::base64_encode(b)),
        Value::List(l) => serde_json::Value::Array(l.items.iter().map(value_to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.read()
                .iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
        Value::Object(o) => value_to_json(&o.to_data()),
    }
}

/// Validates `values` against the chart's schema and each enabled subchart's.
pub fn validate(chart: &Chart, values: &MapRef) -> Result<(), String> {
    let mut report = String::new();
    collect(chart, &Value::Map(values.clone()), &mut report)?;
    if report.is_empty() {
        return Ok(());
    }
    Err(format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    ))
}

/// The error Go's `json.Decoder` (gojsonschema's loader) reports for an unparsable schema;
/// `None` when Go's scanner would accept it.
fn go_decode_error(schema: &[u8]) -> Option<String> {
    let text = crate::text::lossy(schema);
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Some("EOF".into());
    }
    match crate::yaml::jsonparse::from_json(&text) {
        // A decoder reading a stream reports a value cut short as io.ErrUnexpectedEOF.
        Err(e) if e == "unexpected end of JSON input" => Some("unexpected EOF".into()),
        Err(e) => Some(e),
        Ok(_) => None,
    }
}

fn collect(chart: &Chart, values: &Value, report: &mut String) -> Result<(), String> {
    if let Some(schema) = &chart.schema {
        // Helm reports an unparsable schema inside the per-chart report, not as its own error
        // (the JSON parser's wording differs from Go's encoding/json).
        let errors = match serde_json::from_slice::<serde_json::Value>(schema) {
            Ok(schema) => crate::chart::jsonschema::validate(&schema, &value_to_json(values)),
            Err(e) => {
                // No line break after it: Helm writes the loader's error as it is.
                report.push_str(chart.name());
                report.push_str(":\n");
                report.push_str(&go_decode_error(schema).unwrap_or_else(|| e.to_string()));
                Vec::new()
            }
        };
        if !errors.is_empty() {
            report.push_str(chart.name());
            report.push_str(":\n");
            for e in errors {
                report.push_str("- ");
                report.push_str(&e);
                report.push('\n');
            }
        }
    }
    for sub in &chart.dependencies {
        let sv = match values {
            Value::Map(m) => m.get(sub.name()).unwrap_or_else(Value::empty_map),
            _ => Value::empty_map(),
        };
        collect(sub, &sv, report)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::go_decode_error;

    #[test]
    fn unparsable_schemas_get_go_decoder_wording() {
        assert_eq!(
            go_decode_error(b"{not json").as_deref(),
            Some("invalid character 'n' looking for beginning of object key string")
        );
        assert_eq!(
            go_decode_error(b"{\"a\": ").as_deref(),
            Some("unexpected EOF")
        );
        assert_eq!(go_decode_error(b" \n").as_deref(), Some("EOF"));
        assert_eq!(go_decode_error(b"{}"), None);
    }
}
