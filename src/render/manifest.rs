//! Helm's `pkg/releaseutil`: splitting rendered files into documents, separating hooks, sorting
//! by kind in install order.

use crate::template::Value;
use crate::yaml::head::Head;

/// Kinds in Helm 3's install order.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One rendered document.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Source template path.
    pub name: String,
    /// Document text (trimmed).
    pub content: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub object_name: String,
    /// Hook events (empty for ordinary manifests).
    pub events: Vec<String>,
    /// `helm.sh/hook-weight`.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` values.
    pub delete_policies: Vec<String>,
}

/// Helm's `SplitManifests`: documents of a stream, in order.
pub fn split_manifests(text: &str) -> Vec<String> {
    split_on_separators(text.trim())
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .collect()
}

/// Go's `regexp.Split(text, -1)` with Helm's separator `(?:^|\s*\n)---\s*`, by hand: the
/// expression took longer to compile than a small chart takes to render. (The unit test
/// compares the two on every short string of the characters that matter.)
fn split_on_separators(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let is_ws = |c: u8| matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ');
    let ws_end = |mut i: usize| {
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        i
    };
    // The leftmost match at or after `from`: `---` at the very start, else the whitespace run
    // that ends in the first newline followed by `---` (no earlier start can match).
    let find = |from: usize| -> Option<(usize, usize)> {
        if from == 0 && b.starts_with(b"---") {
            return Some((0, ws_end(3)));
        }
        let mut n = from;
        while let Some(off) = b.get(n..)?.iter().position(|&c| c == b'\n') {
            let nl = n + off;
            if b.get(nl + 1..).is_some_and(|r| r.starts_with(b"---")) {
                let mut start = nl;
                while start > from && is_ws(b[start - 1]) {
                    start -= 1;
                }
                return Some((start, ws_end(nl + 4)));
            }
            n = nl + 1;
        }
        None
    };
    let mut pieces = Vec::new();
    let mut last = 0;
    while let Some((start, end)) = find(last) {
        pieces.push(text.get(last..start).unwrap_or(""));
        last = end;
    }
    pieces.push(text.get(last..).unwrap_or(""));
    pieces
}

/// How Go's encoding/json names the anonymous metadata struct of Helm's `SimpleHead`.
const META_TYPE: &str =
    "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

fn str_field(m: &crate::template::MapRef, key: &str, path: &str) -> Result<String, String> {
    m.get(key)
        .map_or(Ok(String::new()), |v| json_string(&v, path))
}

/// A value decoded into a Go `string` field through JSON: null is "", and sigs.k8s.io/yaml
/// turns a scalar into its text.
fn json_string(v: &Value, path: &str) -> Result<String, String> {
    match v {
        Value::Nil => Ok(String::new()),
        Value::String(s) => Ok(s.to_string()),
        Value::Int(_) | Value::Int64(_) | Value::Float(_) | Value::Bool(_) => {
            Ok(crate::template::format::fmt_v(v))
        }
        v => Err(format!(
            "json: cannot unmarshal {} into Go struct field {path} of type string",
            json_kind(v)
        )),
    }
}

/// A field decoded into a Go map: absent or null is `None`.
fn map_field(
    m: &crate::template::MapRef,
    key: &str,
    path: &str,
    go_type: &str,
) -> Result<Option<crate::template::MapRef>, String> {
    match m.get(key) {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::Map(inner)) => Ok(Some(inner)),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go struct field {path} of type {go_type}",
            json_kind(&other)
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        _ => "number",
    }
}

/// Rendered text above which documents are read on several threads (a thread costs about
/// as much as parsing 20 KB of YAML).
const PARALLEL_HEAD_BYTES: usize = 64 * 1024;

/// Reads one document as Helm unmarshals it into `SimpleHead` (the whole document must be
/// valid YAML and convertible to JSON). Errors lack the "YAML parse error on FILE: " prefix.
/// Plain block YAML is read by the fast reader; everything else by the general loader.
pub fn read_head(doc: &str) -> Result<Head, String> {
    match crate::yaml::head::fast_head(doc) {
        Some(head) => Ok(head),
        None => read_head_general(doc),
    }
}

/// [`read_head`] through the general YAML loader (every annotation is returned).
pub fn read_head_general(doc: &str) -> Result<Head, String> {
    let head = crate::yaml::load_any(doc).map_err(|e| e.to_string())?;
    let head = match head {
        Value::Map(m) => m,
        Value::Nil => crate::template::MapRef::default(),
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
                json_kind(&other)
            ))
        }
    };
    let perr = |e: String| format!("error unmarshaling JSON: while decoding JSON: {e}");
    let kind = str_field(&head, "kind", "SimpleHead.kind").map_err(perr)?;
    str_field(&head, "apiVersion", "SimpleHead.apiVersion").map_err(perr)?;
    let (mut name, mut annotations) = (String::new(), Vec::new());
    if let Some(meta) =
        map_field(&head, "metadata", "SimpleHead.metadata", META_TYPE).map_err(perr)?
    {
        name = str_field(&meta, "name", ".metadata.name").map_err(perr)?;
        let map_type = "map[string]string";
        if let Some(a) =
            map_field(&meta, "annotations", ".metadata.annotations", map_type).map_err(perr)?
        {
            for (k, v) in a.read().iter() {
                let v = json_string(v, ".metadata.annotations").map_err(perr)?;
                annotations.push((k.clone(), v));
            }
        }
    }
    Ok(Head {
        kind,
        name,
        annotations,
    })
}

/// Helm's `SortManifests`: classifies every document of every file (files in byte order),
/// returning `(hooks, manifests)`, each stably sorted by kind. `info` receives Helm's notices.
pub fn sort_manifests(
    files: &[(String, String)],
    info: &mut dyn FnMut(String),
) -> Result<(Vec<Manifest>, Vec<Manifest>), String> {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut docs: Vec<(&String, String)> = Vec::new();
    for (path, content) in sorted {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        docs.extend(split_manifests(content).into_iter().map(|d| (path, d)));
    }
    // Documents parse independently; the first error in document order is the one reported,
    // as when reading them one by one.
    let total: usize = docs.iter().map(|(_, d)| d.len()).sum();
    let heads = if total >= PARALLEL_HEAD_BYTES {
        crate::par::par_map(&docs, |(_, d)| read_head(d))
    } else {
        docs.iter().map(|(_, d)| read_head(d)).collect()
    };
    let (mut hooks, mut generic) = (Vec::new(), Vec::new());
    for ((path, doc), head) in docs.into_iter().zip(heads) {
        let Head {
            kind,
            name,
            annotations,
        } = head.map_err(|e| format!("YAML parse error on {path}: {e}"))?;
        let ann = |k: &str| {
            annotations
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        let mut m = Manifest {
            name: path.clone(),
            content: doc,
            kind,
            object_name: name,
            events: Vec::new(),
            weight: 0,
            delete_policies: Vec::new(),
        };
        let Some(hook_types) = ann("helm.sh/hook") else {
            generic.push(m);
            continue;
        };
        let mut unknown = false;
        for t in hook_types.split(',') {
            let t = t.trim().to_ascii_lowercase();
            if HOOK_EVENTS.contains(&t.as_str()) {
                m.events.push(t);
            } else {
                unknown = true;
                break;
            }
        }
        if unknown {
            info(format!("info: skipping unknown hook: {hook_types:?}"));
            continue;
        }
        m.weight = ann("helm.sh/hook-weight")
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(0);
        if let Some(p) = ann("helm.sh/hook-delete-policy") {
            m.delete_policies = p
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        hooks.push(m);
    }
    sort_by_kind(&mut hooks);
    sort_by_kind(&mut generic);
    Ok((hooks, generic))
}

/// Stable sort in install order; unknown kinds last, alphabetically.
pub fn sort_by_kind(list: &mut [Manifest]) {
    let rank = |k: &str| INSTALL_ORDER.iter().position(|x| *x == k);
    list.sort_by(|a, b| match (rank(&a.kind), rank(&b.kind)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.kind.cmp(&b.kind),
    });
}

#[cfg(test)]
mod tests {
    use super::split_on_separators;

    /// The hand-written split agrees with Go's (and the `regex` crate's) split on Helm's
    /// separator expression for every string of up to 8 of the characters that matter.
    #[test]
    fn separator_split_matches_the_expression() {
        let re = regex::Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("re");
        let alphabet = ['-', '\n', ' ', 'a'];
        let mut stack = vec![String::new()];
        let mut checked = 0;
        while let Some(s) = stack.pop() {
            let want: Vec<&str> = re.split(&s).collect();
            assert_eq!(split_on_separators(&s), want, "{s:?}");
            checked += 1;
            if s.len() < 8 {
                for c in alphabet {
                    stack.push(format!("{s}{c}"));
                }
            }
        }
        assert!(checked > 80_000, "{checked}");
    }
}
