//! Sprig/Helm functions: lists (`list`, `append`, `first`, `uniq`, `has`, `slice`, `chunk`,
//! `sortAlpha`, ... and every `must*` variant).
//!
//! sprig accepts any slice through reflection and panics (non-`must` forms) or returns an error
//! (`must` forms) on anything else; both surface as `error calling NAME: MSG` with the same
//! message, which is what we return. A nil argument makes Go's `reflect.TypeOf(nil).Kind()`
//! dereference nil, hence the runtime-error text for that case.

use super::cast::{arg, int_arg, kind_for_error, strval, to_int64, NIL_KIND_PANIC};
use crate::template::{FuncMap, Param, SliceKind, Value};
use std::sync::Arc;

use Param::{Any, Int};

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    for name in ["list", "tuple"] {
        m.add_variadic(name, &[], Any, |_, a| Ok(Value::list(a.to_vec())));
    }
    for name in ["append", "push", "mustAppend", "mustPush"] {
        m.add(name, &[Any, Any], |_, a| {
            let mut items = elements(&arg(a, 0), "Cannot push on type")?;
            items.push(arg(a, 1));
            Ok(Value::list(items))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        m.add(name, &[Any, Any], |_, a| {
            let mut items = elements(&arg(a, 0), "Cannot prepend on type")?;
            items.insert(0, arg(a, 1));
            Ok(Value::list(items))
        });
    }
    for name in ["first", "mustFirst"] {
        m.add(name, &[Any], |_, a| {
            let items = elements(&arg(a, 0), "Cannot find first on type")?;
            Ok(items.into_iter().next().unwrap_or_default())
        });
    }
    for name in ["last", "mustLast"] {
        m.add(name, &[Any], |_, a| {
            let items = elements(&arg(a, 0), "Cannot find last on type")?;
            Ok(items.into_iter().last().unwrap_or_default())
        });
    }
    for name in ["rest", "mustRest"] {
        m.add(name, &[Any], |_, a| {
            let items = elements(&arg(a, 0), "Cannot find rest on type")?;
            Ok(Value::list(items.into_iter().skip(1).collect()))
        });
    }
    for name in ["initial", "mustInitial"] {
        m.add(name, &[Any], |_, a| {
            let mut items = elements(&arg(a, 0), "Cannot find initial on type")?;
            items.pop();
            Ok(Value::list(items))
        });
    }
    for name in ["reverse", "mustReverse"] {
        m.add(name, &[Any], |_, a| {
            let mut items = elements(&arg(a, 0), "Cannot find reverse on type")?;
            items.reverse();
            Ok(Value::list(items))
        });
    }
    for name in ["compact", "mustCompact"] {
        m.add(name, &[Any], |_, a| {
            let items = elements(&arg(a, 0), "Cannot compact on type")?;
            Ok(Value::list(
                items.into_iter().filter(|v| !v.is_empty()).collect(),
            ))
        });
    }
    for name in ["uniq", "mustUniq"] {
        m.add(name, &[Any], |_, a| {
            let items = elements(&arg(a, 0), "Cannot find uniq on type")?;
            let mut out: Vec<Value> = Vec::new();
            for v in items {
                if !out.iter().any(|o| v.deep_equal(o)) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        m.add_variadic(name, &[Any], Any, |_, a| {
            let items = elements(&arg(a, 0), "Cannot find without on type")?;
            let omit = a.get(1..).unwrap_or(&[]);
            Ok(Value::list(
                items
                    .into_iter()
                    .filter(|v| !omit.iter().any(|o| v.deep_equal(o)))
                    .collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        m.add(name, &[Any, Any], |_, a| {
            let hay = arg(a, 1);
            if hay.is_nil() {
                return Ok(Value::Bool(false));
            }
            let needle = arg(a, 0);
            let items = elements(&hay, "Cannot find has on type")?;
            Ok(Value::Bool(items.iter().any(|v| needle.deep_equal(v))))
        });
    }
    for name in ["slice", "mustSlice"] {
        m.add_variadic(name, &[Any], Any, |_, a| {
            slice(&arg(a, 0), a.get(1..).unwrap_or(&[]))
        });
    }
    m.add_variadic("concat", &[], Any, |_, a| {
        let mut out = Vec::new();
        for l in a {
            match kind_for_error(l) {
                None => return Err(NIL_KIND_PANIC.into()),
                Some(kind) => match items_of(l) {
                    Some(items) => out.extend(items),
                    None => return Err(format!("Cannot concat type {kind} as list")),
                },
            }
        }
        Ok(Value::list(out))
    });
    for name in ["chunk", "mustChunk"] {
        m.add(name, &[Int, Any], |_, a| {
            let items = elements(&arg(a, 1), "Cannot chunk type")?;
            chunk(int_arg(a, 0), items)
        });
    }
    m.add("sortAlpha", &[Any], |_, a| {
        let v = arg(a, 0);
        let mut out = match &v {
            Value::List(_) | Value::Bytes(_) => super::strings::to_strings(&v),
            other => vec![strval(other)],
        };
        out.sort();
        Ok(Value::typed_list(
            SliceKind::String,
            out.into_iter().map(Value::string).collect(),
        ))
    });
}

/// The elements of a Go slice value (`[]byte` elements are numbers), or `None`.
fn items_of(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items.clone()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        // Slice-typed Go objects (`.Capabilities.APIVersions`) reflect as their elements.
        Value::Object(o) if o.kind_name() == "slice" => match o.to_data() {
            Value::List(l) => Some(l.items.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The elements of `v`, or sprig's `"<what> <kind>"` error.
fn elements(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match kind_for_error(v) {
        None => Err(NIL_KIND_PANIC.into()),
        Some(kind) => items_of(v).ok_or_else(|| format!("{what} {kind}")),
    }
}

/// sprig's `mustSlice`: `l[start:end]` keeping the slice's element type; empty input gives nil.
fn slice(v: &Value, idx: &[Value]) -> Result<Value, String> {
    let kind = match kind_for_error(v) {
        None => return Err(NIL_KIND_PANIC.into()),
        Some(k) => k.to_string(),
    };
    let (items, elem) = match v {
        Value::List(l) => (l.items.clone(), Some(l.kind)),
        Value::Bytes(_) => (items_of(v).unwrap_or_default(), None),
        _ => return Err(format!("list should be type of slice or array but {kind}")),
    };
    let len = items.len() as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = idx.first().map_or(0, to_int64);
    let end = if idx.len() < 2 {
        len
    } else {
        idx.get(1).map_or(len, to_int64)
    };
    if start < 0 || end < start || end > len {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    let part = items
        .get(start as usize..end as usize)
        .unwrap_or(&[])
        .to_vec();
    match (v, elem) {
        (Value::Bytes(b), _) => Ok(Value::Bytes(Arc::from(
            b.get(start as usize..end as usize).unwrap_or(&[]),
        ))),
        (_, Some(kind)) => Ok(Value::typed_list(kind, part)),
        _ => Ok(Value::list(part)),
    }
}

/// sprig's `mustChunk`: groups of `size`; a size below 1 makes Go's `make` fail.
fn chunk(size: i64, items: Vec<Value>) -> Result<Value, String> {
    if size <= 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    let chunks: Vec<Value> = items
        .chunks(size as usize)
        .map(|c| Value::list(c.to_vec()))
        .collect();
    Ok(Value::list(chunks))
}
