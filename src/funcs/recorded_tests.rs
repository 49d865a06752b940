//! Replays the Helm-recorded Sprig cases (`tests/data/sprig_cases.json`, written by
//! `scripts/record-sprig.py`) by calling the functions directly on hand-built values.
//!
//! For every case with typed arguments it checks, against what Helm 3.17.3 did:
//! - the declared Go parameter types: Helm accepted the arguments iff our `Param`s accept them
//!   (the executor enforces them; cases rejected before the call carry `exec_error`);
//! - on success, the printed result (`%v`, `<no value>` for nil) and the Go type (`typeOf`);
//! - on failure inside the function, the message after `error calling NAME: `.

use crate::template::format::fmt_v;
use crate::template::{FuncMap, Map, Param, Runtime, SliceKind, Value};
use serde_json::Value as Json;

/// A `Runtime` for functions that never call back into the engine.
struct NoRuntime;

impl Runtime for NoRuntime {
    fn include(&mut self, name: &str, _data: &Value) -> Result<String, String> {
        Err(format!("no engine in unit tests (include {name})"))
    }
    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, String> {
        Err("no engine in unit tests (tpl)".into())
    }
}

/// Calls `name` from `m` with `args` as the executor would after its checks.
pub fn call(m: &FuncMap, name: &str, args: &[Value]) -> Result<Value, String> {
    let f = m
        .get(name)
        .ok_or_else(|| format!("function {name:?} not defined"))?;
    (f.call)(&mut NoRuntime, args)
}

/// Results whose Go type our value model cannot express (the printed value still must match).
const TYPE_GAPS: &[(&str, &str)] = &[
    // sprig's split/splitn return map[string]string; Value::Map is map[string]interface {}.
    ("split", "map[string]string"),
    ("splitn", "map[string]string"),
    // chunk returns [][]interface {}; SliceKind has no slice-of-slices element type.
    ("chunk", "[][]interface {}"),
    ("mustChunk", "[][]interface {}"),
];

/// Builds the Value a JSON-described argument stands for.
fn build(arg: &Json) -> Value {
    let Some((kind, v)) = arg.as_object().and_then(|o| o.iter().next()) else {
        return Value::Nil;
    };
    match kind.as_str() {
        "int" => Value::Int(v.as_i64().unwrap_or(0)),
        "int64" => Value::Int64(v.as_i64().unwrap_or(0)),
        "float" => Value::Float(v.as_f64().unwrap_or(0.0)),
        "string" => Value::str(v.as_str().unwrap_or("")),
        "bool" => Value::Bool(v.as_bool().unwrap_or(false)),
        "nil" => Value::Nil,
        "list" => Value::list(
            v.as_array()
                .map(|a| a.iter().map(build).collect())
                .unwrap_or_default(),
        ),
        "slist" => Value::typed_list(
            SliceKind::String,
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| Value::str(s.as_str().unwrap_or("")))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        "ilist" => Value::typed_list(
            SliceKind::Int,
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|n| Value::Int(n.as_i64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        "map" => Value::map(
            v.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, x)| (k.clone(), build(x)))
                        .collect::<Map>()
                })
                .unwrap_or_default(),
        ),
        "data" => data(v),
        _ => Value::Nil,
    }
}

/// A value as Helm reads it from values.yaml (every number is float64).
fn data(v: &Json) -> Value {
    match v {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        Json::String(s) => Value::str(s),
        Json::Array(a) => Value::list(a.iter().map(data).collect()),
        Json::Object(o) => Value::map(o.iter().map(|(k, x)| (k.clone(), data(x))).collect()),
    }
}

/// Whether Go's text/template accepts the argument for a parameter of type `p`, and the value
/// the function then receives (integer literals convert to int64/float64 parameters).
fn accept(p: Param, arg: &Json, v: &Value) -> Option<Value> {
    let literal_int = arg.get("int").is_some();
    match (p, v) {
        (Param::Any, _) => Some(v.clone()),
        (Param::String, Value::String(_)) => Some(v.clone()),
        (Param::Int, Value::Int(_)) => Some(v.clone()),
        (Param::Int64, Value::Int64(_)) => Some(v.clone()),
        (Param::Int64, Value::Int(i)) if literal_int => Some(Value::Int64(*i)),
        (Param::Float64, Value::Float(_)) => Some(v.clone()),
        (Param::Float64, Value::Int(i)) if literal_int => Some(Value::Float(*i as f64)),
        (Param::Bool, Value::Bool(_)) => Some(v.clone()),
        (Param::Map, Value::Map(_)) => Some(v.clone()),
        (Param::Map | Param::List, Value::Nil) => Some(v.clone()),
        (Param::List, Value::List(l)) if l.kind == SliceKind::Interface => Some(v.clone()),
        _ => None,
    }
}

/// The arguments after Go's checks, or `None` when Go would reject the call.
fn checked_args(m: &FuncMap, name: &str, args: &[Json]) -> Option<Vec<Value>> {
    let f = m.get(name)?;
    if args.len() < f.params.len() || (f.variadic.is_none() && args.len() != f.params.len()) {
        return None;
    }
    let mut out = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        let p = f.params.get(i).copied().or(f.variadic)?;
        out.push(accept(p, a, &build(a))?);
    }
    Some(out)
}

/// Checks one case; returns a description of the mismatch, if any.
fn check(m: &FuncMap, case: &Json) -> Option<String> {
    let id = case["id"].as_str().unwrap_or("?");
    let name = case["func"].as_str().unwrap_or("");
    let args = case.get("args")?.as_array()?;
    let exec_error = case
        .get("exec_error")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let checked = checked_args(m, name, args);
    let Some(values) = checked else {
        return (!exec_error).then(|| format!("{id}: our parameters reject what Helm accepted"));
    };
    if exec_error {
        return Some(format!(
            "{id}: Helm rejected the arguments ({}) but our parameters accept them",
            case["error"].as_str().unwrap_or("")
        ));
    }
    let result = call(m, name, &values);
    if let Some(want) = case.get("call_error").and_then(Json::as_str) {
        return match result {
            Err(e) if e == want => None,
            other => Some(format!("{id}: want error {want:?}, got {other:?}")),
        };
    }
    let want = case["output"].as_str().unwrap_or("");
    let got = match &result {
        Ok(Value::Nil) => "<no value>".to_string(),
        Ok(v) => fmt_v(v),
        Err(e) => return Some(format!("{id}: want {want:?}, got error {e:?}")),
    };
    if got != want {
        return Some(format!("{id}: want {want:?}, got {got:?}"));
    }
    let want_type = case.get("type").and_then(Json::as_str).unwrap_or("");
    let got_type = result
        .as_ref()
        .map(|v| v.type_name().to_string())
        .unwrap_or_default();
    if got_type != want_type && !TYPE_GAPS.contains(&(name, want_type)) {
        return Some(format!("{id}: want type {want_type:?}, got {got_type:?}"));
    }
    None
}

#[test]
fn recorded_sprig_cases() {
    let text = include_str!("../../tests/data/sprig_cases.json");
    let cases: Vec<Json> = serde_json::from_str(text).unwrap_or_else(|e| panic!("bad json: {e}"));
    let m = super::sprig_and_helm();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        if case.get("args").is_none() {
            continue;
        }
        checked += 1;
        if let Some(f) = check(&m, case) {
            failures.push(f);
        }
    }
    assert!(checked > 100, "only {checked} cases checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn set_and_merge_mutate_the_given_map() {
    let m = super::sprig_and_helm();
    let d = Value::map(Map::from([("a".to_string(), Value::Int(1))]));
    let r = call(&m, "set", &[d.clone(), Value::str("b"), Value::Int(2)]);
    assert!(matches!(r, Ok(Value::Map(_))));
    assert_eq!(fmt_v(&d), "map[a:1 b:2]");
    let _ = call(&m, "unset", &[d.clone(), Value::str("a")]);
    assert_eq!(fmt_v(&d), "map[b:2]");
    let inner = Value::map(Map::from([("x".to_string(), Value::Int(1))]));
    let dst = Value::map(Map::from([("a".to_string(), inner.clone())]));
    let src = Value::map(Map::from([(
        "a".to_string(),
        Value::map(Map::from([("y".to_string(), Value::Int(2))])),
    )]));
    let _ = call(&m, "merge", &[dst.clone(), src]);
    // The nested map is merged in place: a holder of the inner map sees the new key.
    assert_eq!(fmt_v(&inner), "map[x:1 y:2]");
    let _ = call(
        &m,
        "mergeOverwrite",
        &[
            dst.clone(),
            Value::map(Map::from([("a".to_string(), Value::Int(0))])),
        ],
    );
    assert_eq!(fmt_v(&dst), "map[a:0]");
}

/// Every Sprig name of the groups implemented here (Helm 3.17 list, reference §5.1).
pub(crate) const OUR_NAMES: &[&str] = &[
    "abbrev",
    "abbrevboth",
    "add",
    "add1",
    "add1f",
    "addf",
    "adler32sum",
    "all",
    "any",
    "append",
    "atoi",
    "b32dec",
    "b32enc",
    "b64dec",
    "b64enc",
    "base",
    "biggest",
    "camelcase",
    "cat",
    "ceil",
    "chunk",
    "clean",
    "coalesce",
    "compact",
    "concat",
    "contains",
    "deepCopy",
    "deepEqual",
    "default",
    "dict",
    "dig",
    "dir",
    "div",
    "divf",
    "empty",
    "ext",
    "first",
    "float64",
    "floor",
    "get",
    "has",
    "hasKey",
    "hasPrefix",
    "hasSuffix",
    "hello",
    "indent",
    "initial",
    "initials",
    "int",
    "int64",
    "isAbs",
    "join",
    "kebabcase",
    "keys",
    "kindIs",
    "kindOf",
    "last",
    "list",
    "lower",
    "max",
    "maxf",
    "merge",
    "mergeOverwrite",
    "min",
    "minf",
    "mod",
    "mul",
    "mulf",
    "mustAppend",
    "mustChunk",
    "mustCompact",
    "mustDeepCopy",
    "mustFirst",
    "mustHas",
    "mustInitial",
    "mustLast",
    "mustMerge",
    "mustMergeOverwrite",
    "mustPrepend",
    "mustPush",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustRest",
    "mustReverse",
    "mustSlice",
    "mustUniq",
    "mustWithout",
    "nindent",
    "nospace",
    "omit",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "pick",
    "pluck",
    "plural",
    "prepend",
    "push",
    "quote",
    "regexFind",
    "regexFindAll",
    "regexMatch",
    "regexQuoteMeta",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "repeat",
    "replace",
    "rest",
    "reverse",
    "round",
    "seq",
    "set",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "slice",
    "snakecase",
    "sortAlpha",
    "split",
    "splitList",
    "splitn",
    "squote",
    "sub",
    "subf",
    "substr",
    "swapcase",
    "ternary",
    "title",
    "toDecimal",
    "toString",
    "toStrings",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trimall",
    "trunc",
    "tuple",
    "typeIs",
    "typeIsLike",
    "typeOf",
    "uniq",
    "unset",
    "until",
    "untilStep",
    "untitle",
    "upper",
    "urlJoin",
    "urlParse",
    "values",
    "without",
    "wrap",
    "wrapWith",
];

#[test]
fn every_name_of_our_groups_is_registered() {
    let m = super::sprig_and_helm();
    let missing: Vec<&str> = OUR_NAMES
        .iter()
        .copied()
        .filter(|n| !m.contains(n))
        .collect();
    assert!(missing.is_empty(), "not registered: {missing:?}");
    assert_eq!(OUR_NAMES.len(), 160);
}
