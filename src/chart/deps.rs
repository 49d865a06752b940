//! Dependency processing (Helm's `pkg/chartutil/dependencies.go`): aliases, tags and
//! conditions decide which subcharts are enabled; `import-values` copies child tables into the
//! parent's defaults.

use super::values::{coalesce_tables, coalesce_values};
use super::Chart;
use crate::template::{Map, MapRef, Value};

/// Runs the whole dependency step as `helm install`/`template` does (merge semantics for
/// import-values). `user` are the user-supplied values.
pub fn process(chart: &mut Chart, user: &Map, warn: &mut dyn FnMut(String)) -> Result<(), String> {
    process_enabled(chart, user, "", warn)?;
    process_import_values(chart, warn)
}

/// Masterminds `IsCompatibleRange`: a bad constraint or version never matches.
fn compatible(constraint: &str, version: &str) -> bool {
    crate::semver::is_compatible_range(constraint, version)
}

/// Helm's `Values.PathValue`: the value at a dotted path, if every step is a table.
fn path_value(vals: &MapRef, path: &str) -> Option<Value> {
    let mut parts = path.split('.').peekable();
    let mut cur = vals.clone();
    while let Some(p) = parts.next() {
        let v = cur.get(p)?;
        if parts.peek().is_none() {
            return Some(v);
        }
        match v {
            Value::Map(m) => cur = m,
            _ => return None,
        }
    }
    None
}

/// Helm's `Values.Table`.
fn table(vals: &MapRef, path: &str) -> Option<MapRef> {
    match path_value(vals, path)? {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// Helm's `Values.Table`: the table at a dotted path, or the first path element that is
/// missing or not a table (which Helm's `ErrNoTable` names).
fn table_or_missing(vals: &MapRef, path: &str) -> Result<MapRef, String> {
    let mut cur = vals.clone();
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return Err(part.to_string()),
        }
    }
    Ok(cur)
}

fn process_enabled(
    chart: &mut Chart,
    vals: &Map,
    path: &str,
    warn: &mut dyn FnMut(String),
) -> Result<(), String> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let loaded = std::mem::take(&mut chart.dependencies);
    // Subcharts no Chart.yaml entry claims are kept as they are.
    let mut deps: Vec<Chart> = loaded
        .iter()
        .filter(|c| {
            !chart
                .metadata
                .dependencies
                .iter()
                .any(|r| r.name == c.name() && compatible(&r.version, &c.metadata.version))
        })
        .cloned()
        .collect();
    for req in &mut chart.metadata.dependencies {
        if let Some(c) = loaded
            .iter()
            .find(|c| c.name() == req.name && compatible(&req.version, &c.metadata.version))
        {
            let mut c = c.clone();
            if !req.alias.is_empty() {
                c.metadata.name = req.alias.clone();
            }
            deps.push(c);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    chart.dependencies = deps;
    let cvals = coalesce_values(chart, vals, warn)?;
    // Tags first, then conditions (which win).
    if let Some(tags) = table(&cvals, "tags") {
        for r in &mut chart.metadata.dependencies {
            let (mut has_true, mut has_false) = (false, false);
            for t in &r.tags {
                match tags.get(t) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    Some(_) => warn(format!(
                        "Warning: Tag '{t}' for chart {} returned non-bool value",
                        r.name
                    )),
                    None => {}
                }
            }
            r.enabled = has_true || !has_false;
        }
    }
    for r in &mut chart.metadata.dependencies {
        for c in r.condition.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            match path_value(&cvals, &format!("{path}{c}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => warn(format!(
                    "Warning: Condition path '{c}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
    }
    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.iter().any(|d| d == c.name()));
    chart.metadata.dependencies.retain(|r| r.enabled);
    let cmap = cvals.read().clone();
    for sub in &mut chart.dependencies {
        let subpath = format!("{path}{}.", sub.name());
        process_enabled(sub, &cmap, &subpath, warn)?;
    }
    Ok(())
}

/// `pathToMap`: nests `data` under a dotted path (`.` is the root).
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut out = data;
    for p in path.split('.').rev() {
        if p.is_empty() {
            continue;
        }
        let mut m = Map::new();
        m.insert(p.to_string(), Value::map(out));
        out = m;
    }
    out
}

fn process_import_values(chart: &mut Chart, warn: &mut dyn FnMut(String)) -> Result<(), String> {
    for d in &mut chart.dependencies {
        process_import_values(d, warn)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // MergeValues(c, nil): the chart's defaults with every subchart's, nulls kept.
    let cvals = merge_defaults(chart, warn)?;
    let b = MapRef::default();
    for r in &mut chart.metadata.dependencies {
        let mut out = Vec::new();
        for iv in &r.import_values {
            // Helm's warning names the chart only for the map form.
            let (child, parent, from) = match iv {
                Value::Map(m) => {
                    let get = |k: &str| {
                        m.get(k)
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    };
                    (
                        get("child"),
                        get("parent"),
                        format!(" from chart {}", r.name),
                    )
                }
                Value::String(s) => (format!("exports.{s}"), ".".to_string(), String::new()),
                _ => continue,
            };
            let mut entry = Map::new();
            entry.insert("child".into(), Value::str(&child));
            entry.insert("parent".into(), Value::str(&parent));
            out.push(Value::map(entry));
            match table_or_missing(&cvals, &format!("{}.{child}", r.name)) {
                Ok(vv) => {
                    let src = MapRef::new(path_to_map(&parent, vv.read().clone()));
                    coalesce_tables(&b, &src, "", true, warn);
                }
                Err(missing) => warn(format!(
                    "Warning: ImportValues missing table{from}: {missing:?} is not a table"
                )),
            }
        }
        r.import_values = out;
    }
    let merged = cvals.deep_copy();
    coalesce_tables(&merged, &b, "", true, warn);
    chart.values = merged;
    Ok(())
}

/// Helm's `MergeValues(chart, nil)`: like coalescing, but `null`s are kept.
fn merge_defaults(chart: &Chart, warn: &mut dyn FnMut(String)) -> Result<MapRef, String> {
    let dest = MapRef::default();
    merge_into(chart, &dest, warn);
    Ok(dest)
}

fn merge_into(chart: &Chart, dest: &MapRef, warn: &mut dyn FnMut(String)) {
    let defaults = chart.values.deep_copy();
    for (k, v) in defaults.read().iter() {
        match dest.get(k) {
            None => {
                dest.write().insert(k.clone(), v.clone());
            }
            Some(Value::Map(dm)) => {
                if let Value::Map(sm) = v {
                    coalesce_tables(&dm, sm, k, true, warn);
                }
            }
            Some(_) => {}
        }
    }
    for sub in &chart.dependencies {
        let sub_map = match dest.get(sub.name()) {
            Some(Value::Map(m)) => m,
            _ => {
                let m = MapRef::default();
                dest.write()
                    .insert(sub.name().to_string(), Value::Map(m.clone()));
                m
            }
        };
        merge_into(sub, &sub_map, warn);
    }
}
