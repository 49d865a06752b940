//! Helm's `pkg/engine`: every template of every chart parsed into one set, each non-partial file
//! executed against its chart's context, `<no value>` scrubbed, errors rewritten as Helm does.

use crate::chart::capabilities::Capabilities;
use crate::chart::files::Files;
use crate::chart::Chart;
use crate::funcs::helm::{ERR_END, ERR_START};
use crate::template::{FuncMap, Host, Map, MapKind, MapRef, Session, Templates, Value};
use std::sync::Arc;

/// The release fields of `.Release`.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    /// Release name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// Revision (1 for `template`).
    pub revision: i64,
}

struct Renderable {
    text: Arc<[u8]>,
    vals: MapRef,
    base_path: String,
}

/// Builds the per-chart contexts and collects templates, as `recAllTpls` does.
fn collect(
    chart: &Chart,
    parent_vals: &MapRef,
    release: &Value,
    caps: &Value,
    out: &mut Vec<(String, Renderable)>,
) -> MapRef {
    let values = if chart.is_root {
        parent_vals.get("Values").unwrap_or_else(Value::empty_map)
    } else {
        match parent_vals.get("Values") {
            Some(Value::Map(pv)) => match pv.get(chart.name()) {
                Some(v @ Value::Map(_)) => v,
                _ => Value::empty_map(),
            },
            _ => Value::empty_map(),
        }
    };
    let files = Files::new(chart.files.clone());
    let subcharts = MapRef::default();
    let mut next = Map::new();
    next.insert("Chart".into(), chart.metadata.to_object(chart.is_root));
    next.insert("Files".into(), Value::Object(Arc::new(files)));
    next.insert("Release".into(), release.clone());
    next.insert("Capabilities".into(), caps.clone());
    let values = match values {
        Value::Map(m) => Value::Map(m.with_kind(MapKind::Values)),
        other => other,
    };
    next.insert("Values".into(), values);
    next.insert("Subcharts".into(), Value::Map(subcharts.clone()));
    let next = MapRef::new(next);
    for child in &chart.dependencies {
        let ctx = collect(child, &next, release, caps, out);
        subcharts
            .write()
            .insert(child.name().to_string(), Value::Map(ctx));
    }
    let library = chart.metadata.chart_type == "library";
    for (name, data) in &chart.templates {
        let base = name.rsplit('/').next().unwrap_or(name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push((
            format!("{}/{}", chart.full_path, name),
            Renderable {
                text: data.clone(),
                vals: next.clone(),
                base_path: format!("{}/templates", chart.full_path),
            },
        ));
    }
    next
}

/// Helm's `sortTemplates`: deepest paths first, then reverse lexical order.
fn sort_keys(keys: &mut [String]) {
    keys.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Renders every template; returns `(file name, rendered text)` for non-partial files.
pub fn render(
    chart: &Chart,
    values: &MapRef,
    release: &ReleaseOptions,
    caps: &Capabilities,
    funcs: Arc<FuncMap>,
    host: &dyn Host,
) -> Result<Vec<(String, String)>, String> {
    let mut rel = Map::new();
    rel.insert("Name".into(), Value::str(&release.name));
    rel.insert("Namespace".into(), Value::str(&release.namespace));
    rel.insert("IsUpgrade".into(), Value::Bool(release.is_upgrade));
    rel.insert("IsInstall".into(), Value::Bool(!release.is_upgrade));
    rel.insert("Revision".into(), Value::Int(release.revision));
    rel.insert("Service".into(), Value::str("Helm"));
    let release_v = Value::map(rel);
    let caps_v = caps.to_object();
    let mut top = Map::new();
    top.insert("Values".into(), Value::Map(values.clone()));
    let top = MapRef::new(top);
    let mut tpls = Vec::new();
    collect(chart, &top, &release_v, &caps_v, &mut tpls);
    let mut keys: Vec<String> = tpls.iter().map(|(k, _)| k.clone()).collect();
    sort_keys(&mut keys);
    let by_name: std::collections::HashMap<&str, &Renderable> =
        tpls.iter().map(|(k, r)| (k.as_str(), r)).collect();
    let mut set = Templates::new(funcs);
    let texts: Vec<(&str, std::borrow::Cow<'_, str>)> = keys
        .iter()
        .filter_map(|k| {
            let r = by_name.get(k.as_str())?;
            Some((k.as_str(), crate::text::lossy(&r.text)))
        })
        .collect();
    let files: Vec<(&str, &str)> = texts.iter().map(|(k, t)| (*k, &**t)).collect();
    // Files parse independently (in parallel for big charts); they join the set in key order,
    // so definition precedence and the first reported error are those of a sequential parse.
    for ((key, _), parsed) in files.iter().zip(set.parse_files(&files)) {
        let trees = parsed.map_err(|e| cleanup_parse_error(key, &e.message))?;
        set.add_parsed(trees);
    }
    let session = Session::new(host);
    let mut rendered = Vec::new();
    for key in &keys {
        let base = key.rsplit('/').next().unwrap_or(key);
        if base.starts_with('_') {
            continue;
        }
        let Some(r) = by_name.get(key.as_str()) else {
            continue;
        };
        let mut tmpl = Map::new();
        tmpl.insert("Name".into(), Value::str(key));
        tmpl.insert("BasePath".into(), Value::str(&r.base_path));
        // Helm builds `.Template` as a `chartutil.Values` (typeOf and its methods show it).
        let tmpl = Value::Map(MapRef::new(tmpl).with_kind(MapKind::Values));
        r.vals.write().insert("Template".into(), tmpl);
        let data = Value::Map(r.vals.with_kind(MapKind::Values));
        let out = crate::template::exec::grow(|| set.execute_in(&session, key, &data))
            .map_err(|e| cleanup_exec_error(key, &e.message))?;
        rendered.push((key.clone(), out.replace("<no value>", "")));
    }
    drop(files);
    drop(texts);
    drop(by_name);
    crate::oneshot::release((session, set, tpls));
    Ok(rendered)
}

/// Helm's `cleanupParseError`: `parse error at (FILE:LINE): MSG`.
pub fn cleanup_parse_error(file: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({file}): {msg}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// Helm's `cleanupExecError`: `required`/`fail` messages become
/// `execution error at (FILE:LINE:COL): MSG`; other errors stay as Go wrote them.
pub fn cleanup_exec_error(file: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({file}): {msg}");
    }
    if let (Some(start), Some(end)) = (tokens[2].find(ERR_START), tokens[2].rfind(ERR_END)) {
        let from = start + ERR_START.len();
        if from <= end {
            return format!(
                "execution error at ({}): {}",
                tokens[1],
                &tokens[2][from..end]
            );
        }
    }
    msg.to_string()
}
