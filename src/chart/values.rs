//! Values coalescing (Helm's `pkg/chartutil/coalesce.go`): user values over chart defaults,
//! parents over subcharts, globals pushed down, `null` deleting defaults; and the `-f` file
//! merge of `pkg/cli/values`.

use super::Chart;
use crate::template::{Map, MapRef, Value};

/// Helm's `mergeMaps` for `-f` files: maps merge recursively, anything else replaces.
pub fn merge_maps(a: &Map, b: &Map) -> Map {
    let mut out = a.clone();
    for (k, v) in b {
        if let (Value::Map(bv), Some(Value::Map(av))) = (v, out.get(k)) {
            let merged = merge_maps(&av.read(), &bv.read());
            out.insert(k.clone(), Value::map(merged));
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    out
}

/// `CoalesceValues`: returns the values the chart's templates see, with every enabled
/// subchart's table filled in. `warn` receives Helm's warnings.
pub fn coalesce_values(
    chart: &Chart,
    user: &Map,
    warn: &mut dyn FnMut(String),
) -> Result<MapRef, String> {
    let dest = MapRef::new(user.clone()).deep_copy();
    coalesce(chart, &dest, "", false, warn)?;
    Ok(dest)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    chart: &Chart,
    dest: &MapRef,
    prefix: &str,
    merge: bool,
    warn: &mut dyn FnMut(String),
) -> Result<(), String> {
    coalesce_chart_values(chart, dest, prefix, merge, warn);
    coalesce_deps(chart, dest, prefix, merge, warn)
}

fn coalesce_deps(
    chart: &Chart,
    dest: &MapRef,
    prefix: &str,
    merge: bool,
    warn: &mut dyn FnMut(String),
) -> Result<(), String> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let existing = dest.get(name);
        let sub_map = match existing {
            None => {
                let m = MapRef::default();
                dest.write().insert(name.to_string(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            // Go's `%t` of a non-bool prints `%!t(<nil>)` for nil, `%!t(TYPE=VALUE)` otherwise.
            Some(Value::Nil) => return Err(format!("type mismatch on {name}: %!t(<nil>)")),
            Some(other) => {
                return Err(format!(
                    "type mismatch on {name}: %!t({}={})",
                    other.type_name(),
                    crate::template::format::fmt_v(&other)
                ))
            }
        };
        let sub_prefix = concat_prefix(prefix, &chart.metadata.name);
        coalesce_globals(&sub_map, dest, &sub_prefix, warn);
        coalesce(sub, &sub_map, &sub_prefix, merge, warn)?;
    }
    Ok(())
}

/// Copies the parent's `global` table into the child's, parent first.
fn coalesce_globals(dest: &MapRef, src: &MapRef, prefix: &str, warn: &mut dyn FnMut(String)) {
    let dg = match dest.get("global") {
        None => MapRef::default(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn("warning: skipping globals because destination global is not a table.".into());
            return;
        }
    };
    let sg = match src.get("global") {
        None => MapRef::default(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warn("warning: skipping globals because source global is not a table.".into());
            return;
        }
    };
    let entries: Vec<(String, Value)> = sg
        .read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        if let Value::Map(vm) = &val {
            let vv = MapRef::new(vm.read().clone());
            match dg.get(&key) {
                None => {
                    dg.write().insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    coalesce_tables(&vv, &destv, &concat_prefix(prefix, &key), true, warn);
                    dg.write().insert(key, Value::Map(vv));
                }
                Some(_) => warn(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                )),
            }
        } else if matches!(dg.get(&key), Some(Value::Map(_))) {
            warn(format!("key {key} is table. Skipping"));
        } else {
            dg.write().insert(key, val);
        }
    }
    dest.write().insert("global".into(), Value::Map(dg));
}

/// `coalesceValues`: the chart's defaults under `v`.
fn coalesce_chart_values(
    chart: &Chart,
    v: &MapRef,
    prefix: &str,
    merge: bool,
    warn: &mut dyn FnMut(String),
) {
    let sub_prefix = concat_prefix(prefix, &chart.metadata.name);
    let defaults = chart.values.deep_copy();
    let defaults = defaults.read();
    for (key, val) in defaults.iter() {
        match v.get(key) {
            Some(Value::Nil) if !merge => {
                v.write().remove(key);
            }
            Some(Value::Map(dest)) => match val {
                Value::Map(src) => {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    coalesce_tables(&dest, src, &concat_prefix(&sub_prefix, key), merge, warn);
                }
                Value::Nil => {}
                _ => warn(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None => {
                v.write().insert(key.clone(), val.clone());
            }
        }
    }
}

/// `coalesceTablesFullKey`: `src` under the authoritative `dst`.
pub fn coalesce_tables(
    dst: &MapRef,
    src: &MapRef,
    prefix: &str,
    merge: bool,
    warn: &mut dyn FnMut(String),
) {
    if dst.ptr_eq(src) {
        return;
    }
    let nulls: Vec<String> = dst
        .read()
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    {
        let mut s = src.write();
        for k in nulls {
            s.insert(k, Value::Nil);
        }
    }
    let entries: Vec<(String, Value)> = src
        .read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        let full = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(Value::Nil) if !merge => {
                dst.write().remove(&key);
            }
            None => {
                dst.write().insert(key, val);
            }
            Some(dv) => match (&val, &dv) {
                (Value::Map(sv), Value::Map(dm)) => coalesce_tables(dm, sv, &full, merge, warn),
                (Value::Map(_), _) => warn(format!(
                    "warning: cannot overwrite table with non table for {full} ({})",
                    crate::template::format::fmt_v(&val)
                )),
                (v, Value::Map(_)) if !v.is_nil() => warn(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    crate::template::format::fmt_v(v)
                )),
                _ => {}
            },
        }
    }
}
