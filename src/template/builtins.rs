//! Go's predefined template functions (`text/template/funcs.go`): `and`, `or`, `not`, `len`,
//! `index`, `slice`, `print`, `printf`, `println`, `html`, `js`, `urlquery`, `eq`, `ne`, `lt`,
//! `le`, `gt`, `ge`, `call`. `and` and `or` are evaluated lazily by the executor; their entries
//! here only declare their signature.

use super::format;
use super::funcs::{FuncMap, Function, Param};
use super::value::Value;
use std::sync::OnceLock;

const ANY1: &[Param] = &[Param::Any];
const ANY2: &[Param] = &[Param::Any, Param::Any];
const STR1: &[Param] = &[Param::String];

/// The builtin called `name`, if any.
pub fn get(name: &str) -> Option<&'static Function> {
    static BUILTINS: OnceLock<FuncMap> = OnceLock::new();
    BUILTINS.get_or_init(build).get(name)
}

fn build() -> FuncMap {
    let mut m = FuncMap::with_capacity(32);
    // and/or: short-circuit evaluation happens in the executor.
    m.add_variadic("and", ANY1, Param::Any, |_, args| {
        Ok(args.last().cloned().unwrap_or_default())
    });
    m.add_variadic("or", ANY1, Param::Any, |_, args| {
        Ok(args.last().cloned().unwrap_or_default())
    });
    m.add("not", ANY1, |_, a| Ok(Value::Bool(!a[0].truthy())));
    m.add("len", ANY1, |_, a| length(&a[0]));
    m.add_variadic("index", ANY1, Param::Any, |_, a| index(&a[0], &a[1..]));
    m.add_variadic("slice", ANY1, Param::Any, |_, a| slice(&a[0], &a[1..]));
    m.add_variadic("print", &[], Param::Any, |_, a| {
        Ok(Value::string(format::sprint(a)))
    });
    m.add_variadic("println", &[], Param::Any, |_, a| {
        Ok(Value::string(format::sprintln(a)))
    });
    m.add_variadic("printf", STR1, Param::Any, |_, a| {
        let f = a[0].as_str().unwrap_or_default();
        Ok(Value::string(format::sprintf(f, &a[1..])))
    });
    m.add_variadic("html", &[], Param::Any, |_, a| {
        Ok(Value::string(format::html_escape(
            &format::eval_args_string(a),
        )))
    });
    m.add_variadic("js", &[], Param::Any, |_, a| {
        Ok(Value::string(format::js_escape(&format::eval_args_string(
            a,
        ))))
    });
    m.add_variadic("urlquery", &[], Param::Any, |_, a| {
        Ok(Value::string(format::url_query_escape(
            &format::eval_args_string(a),
        )))
    });
    m.add_variadic("eq", ANY1, Param::Any, |_, a| {
        eq(&a[0], &a[1..]).map(Value::Bool)
    });
    m.add("ne", ANY2, |_, a| {
        eq(&a[0], &a[1..2]).map(|b| Value::Bool(!b))
    });
    m.add("lt", ANY2, |_, a| lt(&a[0], &a[1]).map(Value::Bool));
    m.add("le", ANY2, |_, a| le(&a[0], &a[1]).map(Value::Bool));
    m.add("gt", ANY2, |_, a| le(&a[0], &a[1]).map(|b| Value::Bool(!b)));
    m.add("ge", ANY2, |_, a| lt(&a[0], &a[1]).map(|b| Value::Bool(!b)));
    // The executor passes the callee's node text first.
    m.add_variadic("call", ANY1, Param::Any, |_, a| match a.get(1) {
        None | Some(Value::Nil) => Err("call of nil".into()),
        Some(v) => Err(format!(
            "non-function {} of type {}",
            a[0].as_str().unwrap_or_default(),
            v.type_name()
        )),
    });
    m
}

fn length(v: &Value) -> Result<Value, String> {
    let n = match v {
        Value::Nil => return Err("len of nil pointer".into()),
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.items.len(),
        Value::Map(m) => m.len(),
        Value::Object(o) => match o.len() {
            Some(n) => n,
            None => return Err(format!("len of type {}", o.type_name())),
        },
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(n as i64))
}

/// An index argument as Go's `indexArg` reads it.
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for idx in indexes {
        item = match &item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let i = index_arg(idx, l.items.len())?;
                match l.items.get(i) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let i = index_arg(idx, s.len())?;
                match s.as_bytes().get(i) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Bytes(b) => {
                let i = index_arg(idx, b.len())?;
                match b.get(i) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Map(m) => match idx {
                Value::String(k) => m.get(k).unwrap_or(Value::Nil),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ))
                }
            },
            Value::Object(o) if o.kind_name() == "slice" => match o.to_data() {
                Value::List(l) => {
                    let i = index_arg(idx, l.items.len())?;
                    match l.items.get(i) {
                        Some(v) => v.clone(),
                        None => return Err("reflect: slice index out of range".into()),
                    }
                }
                _ => return Err(format!("can't index item of type {}", o.type_name())),
            },
            Value::Object(o) => match (o.entries(), idx) {
                (Some(entries), Value::String(k)) => entries
                    .into_iter()
                    .find(|(name, _)| name == &**k)
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| Value::Bytes(Vec::new().into())),
                _ => return Err(format!("can't index item of type {}", o.type_name())),
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// Go's builtin `slice` (shadowed by sprig's in Helm, kept for completeness).
fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let cap = match item {
        Value::String(s) => s.len(),
        Value::List(l) => l.items.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, cap, cap];
    for (i, v) in indexes.iter().enumerate() {
        idx[i] = index_arg(v, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            match s.get(idx[0]..idx[1]) {
                Some(sub) => Ok(Value::str(sub)),
                None => Ok(Value::string(
                    String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned(),
                )),
            }
        }
        Value::List(l) => Ok(Value::typed_list(l.kind, l.items[idx[0]..idx[1]].to_vec())),
        _ => Err("can't slice".into()),
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn comparable(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Map(_) | Value::Bytes(_))
}

fn eq(a: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err("incompatible types for comparison".into());
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ => {
                    let same_kind = a.kind_name() == b.kind_name() || a.is_nil() || b.is_nil();
                    if !same_kind {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            format::sprintf("%s", std::slice::from_ref(a)),
                            a.type_name(),
                            b.type_name(),
                            format::fmt_v(b)
                        ));
                    }
                    if a.is_nil() || b.is_nil() {
                        a.is_nil() == b.is_nil()
                    } else if !comparable(b) || !comparable(a) {
                        let culprit = if comparable(b) { a } else { b };
                        return Err(format!(
                            "non-comparable type {}: {}",
                            format::sprintf("%s", std::slice::from_ref(culprit)),
                            culprit.type_name()
                        ));
                    } else {
                        a.deep_equal(b)
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err("incompatible types for comparison".into());
    }
    Ok(match (a, b) {
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}
