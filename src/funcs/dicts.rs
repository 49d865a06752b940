//! Sprig/Helm functions: dicts (`dict`, `get`, `set`, `unset`, `hasKey`, `pluck`, `keys`,
//! `pick`, `omit`, `values`, `merge`, `mergeOverwrite`, `deepCopy`, `dig` and `must*` forms).
//!
//! Go maps are references: `set`, `unset`, `merge` and `mergeOverwrite` mutate the map they are
//! given (through [`MapRef::write`]) and later readers of the same map see the change.

use super::cast::{arg, str_arg, strval};
use crate::template::{FuncMap, Map, MapRef, Param, SliceKind, Value};

use Param::{Any, Map as PMap, String as Str};

/// Deepest map nesting `merge` follows (Go would overflow its stack on a cycle).
const MAX_MERGE_DEPTH: usize = 1000;

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add_variadic("dict", &[], Any, |_, a| {
        let mut d = Map::new();
        for pair in a.chunks(2) {
            let key = strval(&pair[0]);
            d.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
        }
        Ok(Value::map(d))
    });
    m.add("get", &[PMap, Str], |_, a| {
        Ok(map_of(a, 0)
            .and_then(|d| d.get(str_arg(a, 1)))
            .unwrap_or_else(|| Value::str("")))
    });
    m.add("set", &[PMap, Str, Any], |_, a| {
        let d = map_of(a, 0).ok_or("assignment to entry in nil map")?;
        d.write().insert(str_arg(a, 1).to_string(), arg(a, 2));
        Ok(Value::Map(d))
    });
    m.add("unset", &[PMap, Str], |_, a| {
        let Some(d) = map_of(a, 0) else {
            return Ok(arg(a, 0));
        };
        d.write().remove(str_arg(a, 1));
        Ok(Value::Map(d))
    });
    m.add("hasKey", &[PMap, Str], |_, a| {
        Ok(Value::Bool(
            map_of(a, 0).is_some_and(|d| d.read().contains_key(str_arg(a, 1))),
        ))
    });
    m.add_variadic("pluck", &[Str], PMap, |_, a| {
        let key = str_arg(a, 0);
        let found = a
            .iter()
            .skip(1)
            .filter_map(Value::as_map)
            .filter_map(|d| d.get(key))
            .collect();
        Ok(Value::list(found))
    });
    m.add_variadic("keys", &[], PMap, |_, a| {
        // Go returns keys in random map order; sorted per map is one of those orders.
        let mut out = Vec::new();
        for d in a.iter().filter_map(Value::as_map) {
            out.extend(d.read().keys().map(|k| Value::str(k)));
        }
        Ok(Value::typed_list(SliceKind::String, out))
    });
    m.add_variadic("pick", &[PMap], Str, |_, a| {
        let src = map_of(a, 0).map(|d| d.read().clone()).unwrap_or_default();
        let picked: Map = a
            .iter()
            .skip(1)
            .filter_map(Value::as_str)
            .filter_map(|k| src.get(k).map(|v| (k.to_string(), v.clone())))
            .collect();
        Ok(Value::map(picked))
    });
    m.add_variadic("omit", &[PMap], Str, |_, a| {
        let omit: Vec<&str> = a.iter().skip(1).filter_map(Value::as_str).collect();
        let src = map_of(a, 0).map(|d| d.read().clone()).unwrap_or_default();
        Ok(Value::map(
            src.into_iter()
                .filter(|(k, _)| !omit.contains(&k.as_str()))
                .collect(),
        ))
    });
    m.add("values", &[PMap], |_, a| {
        let vals = map_of(a, 0)
            .map(|d| d.read().values().cloned().collect())
            .unwrap_or_default();
        Ok(Value::list(vals))
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        m.add_variadic(name, &[PMap], PMap, move |_, a| {
            // A nil dst map is replaced by a fresh one, as mergo does through its pointer.
            let dst = map_of(a, 0).unwrap_or_default();
            for src in a.iter().skip(1).filter_map(Value::as_map) {
                merge_into(&dst, src, overwrite, 0)?;
            }
            Ok(Value::Map(dst))
        });
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        m.add(name, &[Any], |_, a| match arg(a, 0) {
            // copystructure reflects on the nil interface and panics.
            Value::Nil => Err("reflect: call of reflect.Value.Type on zero Value".into()),
            v => Ok(v.deep_copy()),
        });
    }
    m.add_variadic("dig", &[], Any, |_, a| dig(a));
}

fn map_of(a: &[Value], i: usize) -> Option<MapRef> {
    a.get(i).and_then(Value::as_map).cloned()
}

/// mergo's map merge as sprig calls it (`Merge` / `MergeWithOverwrite` on
/// `map[string]interface{}`), mutating `dst` in place:
/// - nil in src: skipped, or (overwrite) stored as nil;
/// - map into a non-empty map: merged recursively, in place;
/// - otherwise the src value is stored when overwriting, or when dst lacks the key or holds an
///   empty value (`0`, `""`, `false`, empty list or map, nil).
fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) -> Result<(), String> {
    if depth > MAX_MERGE_DEPTH {
        return Err("merge: maps nested too deeply (cyclic?)".into());
    }
    if dst.ptr_eq(src) {
        // Merging a map into itself changes nothing (and must not deadlock on the lock).
        return Ok(());
    }
    let entries: Vec<(String, Value)> = src
        .read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, sv) in entries {
        let dv = dst.get(&key);
        if sv.is_nil() {
            if overwrite {
                dst.write().insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&sv, &dv) {
            merge_into(dm, sm, overwrite, depth + 1)?;
            if !dm.is_empty() {
                continue;
            }
        }
        let dst_nonempty = dv.as_ref().is_some_and(|v| !v.is_empty());
        if dst_nonempty && matches!(sv, Value::List(_)) && !overwrite {
            continue;
        }
        if overwrite || !dst_nonempty {
            dst.write().insert(key, sv);
        }
    }
    Ok(())
}

/// Go's text for a failed `x.(T)` type assertion on an `interface {}`.
fn assertion_error(v: &Value, want: &str) -> String {
    let got = if v.is_nil() { "nil" } else { v.type_name() };
    format!("interface conversion: interface {{}} is {got}, not {want}")
}

/// sprig's `dig k1 k2 ... default dict`.
fn dig(a: &[Value]) -> Result<Value, String> {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let last = &a[a.len() - 1];
    let mut dict = match last {
        Value::Map(d) => d.clone(),
        other => return Err(assertion_error(other, "map[string]interface {}")),
    };
    let default = a[a.len() - 2].clone();
    let mut keys = Vec::with_capacity(a.len() - 2);
    for k in &a[..a.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.clone()),
            other => return Err(assertion_error(other, "string")),
        }
    }
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = dict.get(k) else {
            return Ok(default);
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        dict = match step {
            Value::Map(d) => d,
            other => return Err(assertion_error(&other, "map[string]interface {}")),
        };
    }
    Ok(default)
}
