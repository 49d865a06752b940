//! The schema interpreter: the subset of JSON Schema (and Kubernetes' OpenAPI extensions)
//! that the built-in and CRD schemas use.
//!
//! Built-in schemas come from kubernetes-validate's "plain" flavour; its "strict" flavour only
//! adds `additionalProperties: false` to every object that lists `properties`, so unknown
//! fields are reported for any object with `properties`, as `kubectl apply`'s default strict
//! field validation does, unless `x-kubernetes-preserve-unknown-fields` says otherwise.

use serde_json::{Map, Value};

use super::schema::Defs;

/// Deepest schema/value nesting followed; deeper is reported rather than recursed into.
const MAX_DEPTH: usize = 200;

/// One problem found at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path from the object root, e.g. `spec.containers[0].image`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Walks a value against a schema, collecting problems.
pub struct Checker<'a> {
    /// Resolves `$ref`s (built-in definitions; CRD schemas have none).
    pub defs: Option<Defs<'a>>,
    /// CRD (structural OpenAPI v3) semantics: `null` is pruned by the API server, `nullable`.
    pub crd: bool,
    /// Problems found so far.
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    /// Checks `value` at `path` against `schema`.
    pub fn check(&mut self, value: &Value, schema: &'a Value, path: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            self.report(path, "nesting too deep to check".into());
            return;
        }
        let Some(s) = schema.as_object() else { return };
        if let Some(name) = s.get("$ref").and_then(Value::as_str) {
            match self.defs.and_then(|d| d.resolve(name)) {
                Some(target) => self.check(value, target, path, depth + 1),
                None => self.report(path, format!("schema reference {name} not found")),
            }
        }
        if value.is_null() && (self.crd || null_allowed(s)) {
            return;
        }
        if s.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true) {
            if !(value.is_string() || is_integer(value)) {
                self.report(
                    path,
                    format!("expected integer or string, got {}", describe(value)),
                );
                return;
            }
        } else if let Some(t) = s.get("type") {
            if !type_matches(t, value, s) {
                self.report(
                    path,
                    format!("expected {}, got {}", type_names(t), describe(value)),
                );
                return;
            }
        }
        if let Some(Value::Array(allowed)) = s.get("enum") {
            if !allowed.contains(value) {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                self.report(
                    path,
                    format!("value {} is not one of {}", value, list.join(", ")),
                );
            }
        }
        self.check_bounds(value, s, path);
        match value {
            Value::Object(map) => self.check_object(map, s, path, depth),
            Value::Array(items) => {
                if let Some(item_schema) = s.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{i}]"));
                        self.check(item, item_schema, path, depth + 1);
                        path.truncate(len);
                    }
                }
            }
            _ => {}
        }
        self.check_combinators(value, s, path, depth);
    }

    fn check_object(
        &mut self,
        map: &Map<String, Value>,
        s: &'a Map<String, Value>,
        path: &mut String,
        depth: usize,
    ) {
        let props = s.get("properties").and_then(Value::as_object);
        let additional = s.get("additionalProperties");
        let preserve = s
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            == Some(true);
        for (key, v) in map {
            let len = path.len();
            push_key(path, key);
            match (props.and_then(|p| p.get(key)), additional) {
                (Some(sub), _) => self.check(v, sub, path, depth + 1),
                (None, Some(Value::Bool(false))) => self.unknown(path, key),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(sub @ Value::Object(_))) => self.check(v, sub, path, depth + 1),
                (None, _) if props.is_some() && !preserve => self.unknown(path, key),
                _ => {}
            }
            path.truncate(len);
        }
        if let Some(Value::Array(required)) = s.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) || (self.crd && map.get(name) == Some(&Value::Null)) {
                    self.report(path, format!("missing required field \"{name}\""));
                }
            }
        }
        if s.get("x-kubernetes-embedded-resource")
            .and_then(Value::as_bool)
            == Some(true)
        {
            for name in ["apiVersion", "kind"] {
                if map
                    .get(name)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    self.report(path, format!("embedded resource is missing \"{name}\""));
                }
            }
        }
    }

    fn unknown(&mut self, path: &str, key: &str) {
        self.report(path, format!("unknown field \"{key}\""));
    }

    /// `allOf` must all hold, `anyOf` at least one, `oneOf` exactly one. Branch problems are
    /// summarised: a failed int-or-string `oneOf` says "expected string or integer".
    fn check_combinators(
        &mut self,
        value: &Value,
        s: &'a Map<String, Value>,
        path: &mut String,
        depth: usize,
    ) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for branch in all {
                self.check(value, branch, path, depth + 1);
            }
        }
        for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            let Some(Value::Array(branches)) = s.get(key) else {
                continue;
            };
            let mut matched = 0;
            let mut first_failure: Option<Vec<Problem>> = None;
            for branch in branches {
                let mut sub = Checker {
                    defs: self.defs,
                    crd: self.crd,
                    problems: Vec::new(),
                };
                sub.check(value, branch, path, depth + 1);
                if sub.problems.is_empty() {
                    matched += 1;
                } else if first_failure.is_none() {
                    first_failure = Some(sub.problems);
                }
            }
            if matched == 0 {
                let types: Vec<String> = branches
                    .iter()
                    .filter_map(|b| b.get("type").map(type_names))
                    .collect();
                if types.len() == branches.len() && !types.is_empty() {
                    self.report(
                        path,
                        format!("expected {}, got {}", types.join(" or "), describe(value)),
                    );
                } else if let Some(problems) = first_failure {
                    // Untyped branches (e.g. CRD `oneOf: [{required: [a]}, ...]`): say why.
                    let why: Vec<String> = problems.into_iter().map(|p| p.message).collect();
                    self.report(path, format!("matches none of {key}: {}", why.join("; ")));
                }
            } else if exactly_one && matched > 1 && !value.is_null() {
                self.report(
                    path,
                    format!("matches {matched} branches of oneOf, expected exactly one"),
                );
            }
        }
    }

    /// Numeric, length and size bounds (CRD schemas; built-ins carry none).
    fn check_bounds(&mut self, value: &Value, s: &Map<String, Value>, path: &str) {
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        if let Some(x) = value.as_f64() {
            if let Some(min) = num("minimum") {
                let excl = s.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
                if x < min || (excl && x == min) {
                    self.report(
                        path,
                        format!("value {value} is less than the minimum {min}"),
                    );
                }
            }
            if let Some(max) = num("maximum") {
                let excl = s.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
                if x > max || (excl && x == max) {
                    self.report(
                        path,
                        format!("value {value} is greater than the maximum {max}"),
                    );
                }
            }
        }
        let size = match value {
            Value::String(t) => Some(("length", "minLength", "maxLength", t.chars().count())),
            Value::Array(a) => Some(("items", "minItems", "maxItems", a.len())),
            Value::Object(m) => Some(("properties", "minProperties", "maxProperties", m.len())),
            _ => None,
        };
        if let Some((what, min_key, max_key, n)) = size {
            let n_f = n as f64;
            if let Some(min) = num(min_key).filter(|m| n_f < *m) {
                self.report(
                    path,
                    format!("has {n} {what}, fewer than the minimum {min}"),
                );
            }
            if let Some(max) = num(max_key).filter(|m| n_f > *m) {
                self.report(path, format!("has {n} {what}, more than the maximum {max}"));
            }
        }
    }

    fn report(&mut self, path: &str, message: String) {
        self.problems.push(Problem {
            path: path.to_string(),
            message,
        });
    }
}

/// Appends `.key` (or `["key"]` for keys that are not simple identifiers) to a path.
pub fn push_key(path: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if simple {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::String(key.to_string()).to_string());
        path.push(']');
    }
}

/// Whether a schema admits null: a `type` list containing "null", `nullable: true`, or no
/// type constraint at all.
fn null_allowed(s: &Map<String, Value>) -> bool {
    if s.get("nullable").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

fn type_matches(t: &Value, value: &Value, s: &Map<String, Value>) -> bool {
    match t {
        Value::String(name) => one_type_matches(name, value, s),
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .any(|n| one_type_matches(n, value, s)),
        _ => true,
    }
}

fn one_type_matches(name: &str, value: &Value, s: &Map<String, Value>) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => is_integer(value),
        "number" => value.is_number(),
        "null" => value.is_null() || s.get("nullable").and_then(Value::as_bool) == Some(true),
        _ => true,
    }
}

/// "string", or "integer or null" for a list of types.
fn type_names(t: &Value) -> String {
    match t {
        Value::String(s) => s.clone(),
        Value::Array(list) => {
            let names: Vec<&str> = list
                .iter()
                .filter_map(Value::as_str)
                .filter(|n| *n != "null")
                .collect();
            names.join(" or ")
        }
        _ => "any".into(),
    }
}

/// A short description of a value for messages: `string "80"`, `integer 3`, `object`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::String(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("string {}", Value::String(shown))
        }
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(value: Value, schema: Value) -> Vec<(String, String)> {
        let mut c = Checker {
            defs: None,
            crd: true,
            problems: Vec::new(),
        };
        c.check(&value, &schema, &mut String::new(), 0);
        c.problems
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect()
    }

    #[test]
    fn additional_properties_true_allows_unlisted_keys() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": true});
        assert!(problems(json!({"a": "x", "b": 1}), schema).is_empty());
    }

    #[test]
    fn additional_properties_schema_checks_map_values() {
        let schema = json!({"type": "object", "additionalProperties": {"type": "string"}});
        let got = problems(json!({"ok": "x", "a.b/c": 2}), schema);
        assert_eq!(
            got,
            vec![(
                "[\"a.b/c\"]".to_string(),
                "expected string, got integer 2".to_string()
            )]
        );
    }

    #[test]
    fn one_of_untyped_branches_need_exactly_one() {
        let schema = json!({"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]});
        assert!(problems(json!({"a": 1}), schema.clone()).is_empty());
        let none = problems(json!({}), schema.clone());
        assert_eq!(
            none,
            vec![(
                String::new(),
                "matches none of oneOf: missing required field \"a\"".to_string()
            )]
        );
        let both = problems(json!({"a": 1, "b": 2}), schema);
        assert_eq!(
            both,
            vec![(
                String::new(),
                "matches 2 branches of oneOf, expected exactly one".to_string()
            )]
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut value = json!(1);
        for _ in 0..300 {
            value = json!([value]);
        }
        let mut schema = json!({"type": "integer"});
        for _ in 0..300 {
            schema = json!({"type": "array", "items": schema});
        }
        let got = problems(value, schema);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "nesting too deep to check");
    }
}
