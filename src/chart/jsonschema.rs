//! A JSON Schema (draft 4/6/7) validator for `values.schema.json`, reporting errors in the
//! words of gojsonschema, the library Helm 3 uses (`- replicas: Must be greater than or equal
//! to 1`). Only local `$ref`s are followed.

use serde_json::Value as J;

const MAX_DEPTH: usize = 256;

/// Validates `instance` against `schema`; returns gojsonschema-style `field: message` lines.
pub fn validate(schema: &J, instance: &J) -> Vec<String> {
    let mut errs = Vec::new();
    check(schema, schema, instance, "(root)", &mut errs, 0);
    errs
}

fn type_name(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn type_matches(t: &str, v: &J) -> bool {
    match t {
        "number" => v.is_number(),
        "integer" => type_name(v) == "integer",
        other => type_name(v) == other,
    }
}

fn child(path: &str, key: &str) -> String {
    if path == "(root)" {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn resolve<'a>(root: &'a J, r: &str) -> Option<&'a J> {
    let ptr = r.strip_prefix('#')?;
    if ptr.is_empty() {
        return Some(root);
    }
    root.pointer(ptr)
}

fn num_text(v: &J) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Some(f) => crate::template::format::format_float_g(f),
        None => v.to_string(),
    }
}

fn check(root: &J, schema: &J, v: &J, path: &str, errs: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let J::Object(s) = schema else {
        if schema == &J::Bool(false) {
            errs.push(format!("{path}: False always fails validation"));
        }
        return;
    };
    if let Some(J::String(r)) = s.get("$ref") {
        if let Some(target) = resolve(root, r) {
            check(root, target, v, path, errs, depth + 1);
        }
        return;
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            J::String(t) => type_matches(t, v),
            J::Array(ts) => ts.iter().filter_map(J::as_str).any(|t| type_matches(t, v)),
            _ => true,
        };
        if !ok {
            let expected = match t {
                J::String(t) => t.clone(),
                J::Array(ts) => ts
                    .iter()
                    .filter_map(J::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => String::new(),
            };
            errs.push(format!(
                "{path}: Invalid type. Expected: {expected}, given: {}",
                type_name(v)
            ));
            return;
        }
    }
    if let Some(J::Array(options)) = s.get("enum") {
        if !options.iter().any(|o| json_eq(o, v)) {
            let list: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            errs.push(format!(
                "{path}: {path} must be one of the following: {}",
                list.join(", ")
            ));
        }
    }
    if let Some(c) = s.get("const") {
        if !json_eq(c, v) {
            errs.push(format!("{path}: {path} does not match: {c}"));
        }
    }
    for (key, words) in [
        ("allOf", "all the schemas (allOf)"),
        ("anyOf", "at least one schema (anyOf)"),
        ("oneOf", "one and only one schema (oneOf)"),
    ] {
        if let Some(J::Array(subs)) = s.get(key) {
            let passing = subs
                .iter()
                .filter(|sub| {
                    let mut e = Vec::new();
                    check(root, sub, v, path, &mut e, depth + 1);
                    e.is_empty()
                })
                .count();
            let ok = match key {
                "allOf" => passing == subs.len(),
                "anyOf" => passing > 0,
                _ => passing == 1,
            };
            if !ok {
                if key == "allOf" {
                    for sub in subs {
                        check(root, sub, v, path, errs, depth + 1);
                    }
                }
                errs.push(format!("{path}: Must validate {words}"));
            }
        }
    }
    if let Some(not) = s.get("not") {
        let mut e = Vec::new();
        check(root, not, v, path, &mut e, depth + 1);
        if e.is_empty() {
            errs.push(format!("{path}: Must not validate the schema (not)"));
        }
    }
    match v {
        J::Number(_) => check_number(s, v, path, errs),
        J::String(st) => check_string(s, st, path, errs),
        J::Array(items) => {
            if let Some(n) = s.get("minItems").and_then(J::as_u64) {
                if (items.len() as u64) < n {
                    errs.push(format!("{path}: Array must have at least {n} items"));
                }
            }
            if let Some(n) = s.get("maxItems").and_then(J::as_u64) {
                if items.len() as u64 > n {
                    errs.push(format!("{path}: Array must have at most {n} items"));
                }
            }
            if s.get("uniqueItems") == Some(&J::Bool(true)) {
                for i in 0..items.len() {
                    for j in i + 1..items.len() {
                        if json_eq(&items[i], &items[j]) {
                            errs.push(format!("{path}: array items[{i},{j}] must be unique"));
                        }
                    }
                }
            }
            match s.get("items") {
                Some(J::Array(tuple)) => {
                    for (i, (item, sub)) in items.iter().zip(tuple).enumerate() {
                        check(
                            root,
                            sub,
                            item,
                            &child(path, &i.to_string()),
                            errs,
                            depth + 1,
                        );
                    }
                }
                Some(sub) => {
                    for (i, item) in items.iter().enumerate() {
                        check(
                            root,
                            sub,
                            item,
                            &child(path, &i.to_string()),
                            errs,
                            depth + 1,
                        );
                    }
                }
                None => {}
            }
        }
        J::Object(obj) => {
            if let Some(J::Array(req)) = s.get("required") {
                for r in req.iter().filter_map(J::as_str) {
                    if !obj.contains_key(r) {
                        errs.push(format!("{path}: {r} is required"));
                    }
                }
            }
            if let Some(n) = s.get("minProperties").and_then(J::as_u64) {
                if (obj.len() as u64) < n {
                    errs.push(format!("{path}: Must have at least {n} properties"));
                }
            }
            if let Some(n) = s.get("maxProperties").and_then(J::as_u64) {
                if obj.len() as u64 > n {
                    errs.push(format!("{path}: Must have at most {n} properties"));
                }
            }
            let props = s.get("properties").and_then(J::as_object);
            let patterns: Vec<(regex::Regex, &J)> = s
                .get("patternProperties")
                .and_then(J::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(p, sub)| regex::Regex::new(p).ok().map(|r| (r, sub)))
                        .collect()
                })
                .unwrap_or_default();
            for (k, item) in obj {
                let mut matched = false;
                if let Some(sub) = props.and_then(|p| p.get(k)) {
                    matched = true;
                    check(root, sub, item, &child(path, k), errs, depth + 1);
                }
                for (re, sub) in &patterns {
                    if re.is_match(k) {
                        matched = true;
                        check(root, sub, item, &child(path, k), errs, depth + 1);
                    }
                }
                if !matched {
                    match s.get("additionalProperties") {
                        Some(J::Bool(false)) => {
                            errs.push(format!("{path}: Additional property {k} is not allowed"))
                        }
                        Some(sub @ J::Object(_)) => {
                            check(root, sub, item, &child(path, k), errs, depth + 1)
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
}

fn json_eq(a: &J, b: &J) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn check_number(s: &serde_json::Map<String, J>, v: &J, path: &str, errs: &mut Vec<String>) {
    let Some(x) = v.as_f64() else { return };
    let excl_min_bool = s.get("exclusiveMinimum") == Some(&J::Bool(true));
    let excl_max_bool = s.get("exclusiveMaximum") == Some(&J::Bool(true));
    if let Some(m) = s.get("minimum").and_then(J::as_f64) {
        if excl_min_bool && x <= m {
            errs.push(format!(
                "{path}: Must be greater than {}",
                num_text(&s["minimum"])
            ));
        } else if x < m {
            errs.push(format!(
                "{path}: Must be greater than or equal to {}",
                num_text(&s["minimum"])
            ));
        }
    }
    if let Some(m) = s.get("exclusiveMinimum").filter(|v| v.is_number()) {
        if m.as_f64().is_some_and(|m| x <= m) {
            errs.push(format!("{path}: Must be greater than {}", num_text(m)));
        }
    }
    if let Some(m) = s.get("maximum").and_then(J::as_f64) {
        if excl_max_bool && x >= m {
            errs.push(format!(
                "{path}: Must be less than {}",
                num_text(&s["maximum"])
            ));
        } else if x > m {
            errs.push(format!(
                "{path}: Must be less than or equal to {}",
                num_text(&s["maximum"])
            ));
        }
    }
    if let Some(m) = s.get("exclusiveMaximum").filter(|v| v.is_number()) {
        if m.as_f64().is_some_and(|m| x >= m) {
            errs.push(format!("{path}: Must be less than {}", num_text(m)));
        }
    }
    if let Some(m) = s.get("multipleOf").and_then(J::as_f64) {
        if m != 0.0 && (x / m).fract() != 0.0 {
            errs.push(format!(
                "{path}: Must be a multiple of {}",
                num_text(&s["multipleOf"])
            ));
        }
    }
}

fn check_string(s: &serde_json::Map<String, J>, st: &str, path: &str, errs: &mut Vec<String>) {
    let len = st.chars().count() as u64;
    if let Some(n) = s.get("minLength").and_then(J::as_u64) {
        if len < n {
            errs.push(format!(
                "{path}: String length must be greater than or equal to {n}"
            ));
        }
    }
    if let Some(n) = s.get("maxLength").and_then(J::as_u64) {
        if len > n {
            errs.push(format!(
                "{path}: String length must be less than or equal to {n}"
            ));
        }
    }
    if let Some(J::String(p)) = s.get("pattern") {
        if let Ok(re) = regex::Regex::new(p) {
            if !re.is_match(st) {
                errs.push(format!("{path}: Does not match pattern '{p}'"));
            }
        }
    }
}
