//! Rendered manifests as desired objects: identity, phase (hooks), wave and apply order.

use super::error::ApplyError;
use crate::render::manifest::{split_manifests, INSTALL_ORDER};
use crate::render::Rendered;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::fmt;

/// Argo CD's wave annotation (an integer, default 0).
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// The ApplySet membership label.
pub const PART_OF: &str = "applyset.kubernetes.io/part-of";

/// Identity of a Kubernetes object. The version is carried for requests but is not part of
/// the identity ([`ObjectRef::same_object`]), so an apiVersion migration is not a delete.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version within the group.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` for cluster-scoped objects).
    #[serde(default)]
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// `(group, kind, namespace, name)`: the identity without the version.
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.group, &self.kind, &self.namespace, &self.name)
    }

    /// Same object, whatever the version.
    pub fn same_object(&self, other: &ObjectRef) -> bool {
        self.key() == other.key()
    }

    /// `Kind.group` as ApplySet's contains-group-kinds writes it (`Kind` for the core group).
    pub fn group_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    /// `apiVersion` (`v1`, `apps/v1`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.group_kind(), self.name)
        } else {
            write!(f, "{} {}/{}", self.group_kind(), self.namespace, self.name)
        }
    }
}

/// When an object is applied relative to the others (Argo CD's phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Helm pre-install / pre-upgrade hooks.
    PreSync,
    /// Ordinary manifests.
    Sync,
    /// Helm post-install / post-upgrade hooks.
    PostSync,
}

/// One object to apply.
#[derive(Clone, Debug)]
pub struct DesiredObject {
    /// Identity (namespace filled in once the scope is known).
    pub obj: ObjectRef,
    /// The manifest as JSON (status and server-set metadata removed).
    pub body: Json,
    /// Phase.
    pub phase: Phase,
    /// Wave (`argocd.argoproj.io/sync-wave`, or `helm.sh/hook-weight` for hooks).
    pub wave: i64,
    /// `helm.sh/hook-delete-policy` values when this is a hook (`None` for members).
    pub hook_delete_policies: Option<Vec<String>>,
    /// Source template (for messages).
    pub source: String,
}

impl DesiredObject {
    /// True for Namespaces and CRDs, which go before everything else.
    pub fn is_foundation(&self) -> bool {
        is_foundation_kind(&self.obj)
    }

    /// A hook (not an inventory member).
    pub fn is_hook(&self) -> bool {
        self.hook_delete_policies.is_some()
    }
}

/// Namespace or CustomResourceDefinition.
pub fn is_foundation_kind(o: &ObjectRef) -> bool {
    (o.group.is_empty() && o.kind == "Namespace")
        || (o.group == "apiextensions.k8s.io" && o.kind == "CustomResourceDefinition")
}

/// Position of a kind in Helm's install order (unknown kinds last).
pub fn kind_rank(kind: &str) -> usize {
    INSTALL_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

/// Parses a YAML document into JSON (`None` for an empty document).
pub fn yaml_to_json(text: &str) -> Result<Option<Json>, String> {
    let v = crate::yaml::load_any(text).map_err(|e| e.to_string())?;
    if matches!(v, crate::template::Value::Nil) {
        return Ok(None);
    }
    let s = crate::yaml::to_json(&v, false, None)?;
    serde_json::from_str(&s)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Builds the desired objects of a render: `crds/` files (if `include_crds`), ordinary
/// manifests, and (if `run_hooks`) the pre/post install/upgrade hooks. Test hooks and
/// delete/rollback hooks are skipped. Namespaces of namespaced objects are not resolved yet.
pub fn from_rendered(
    rendered: &Rendered,
    include_crds: bool,
    run_hooks: bool,
) -> Result<Vec<DesiredObject>, ApplyError> {
    let mut out = Vec::new();
    if include_crds {
        for (path, bytes) in &rendered.crds {
            let text = String::from_utf8_lossy(bytes);
            for doc in split_manifests(&text) {
                if let Some(d) = parse_doc(&doc, path, Phase::Sync, None, 0)? {
                    out.push(d);
                }
            }
        }
    }
    for m in &rendered.manifests {
        if let Some(d) = parse_doc(&m.content, &m.name, Phase::Sync, None, 0)? {
            out.push(d);
        }
    }
    if run_hooks {
        for h in &rendered.hooks {
            let ev = |e: &str| h.events.iter().any(|x| x == e);
            let phase = if ev("pre-install") || ev("pre-upgrade") {
                Phase::PreSync
            } else if ev("post-install") || ev("post-upgrade") {
                Phase::PostSync
            } else {
                continue; // test, delete and rollback hooks do not run on apply
            };
            let policies = if h.delete_policies.is_empty() {
                // Helm's (and Argo CD's) default.
                vec!["before-hook-creation".to_string()]
            } else {
                h.delete_policies.clone()
            };
            if let Some(d) = parse_doc(&h.content, &h.name, phase, Some(policies), h.weight)? {
                out.push(d);
            }
        }
    }
    let mut seen = BTreeSet::new();
    for d in &out {
        let k = d.obj.key();
        if !seen.insert((
            k.0.to_string(),
            k.1.to_string(),
            k.2.to_string(),
            k.3.to_string(),
        )) {
            return Err(ApplyError::Render(format!(
                "{} is rendered twice ({})",
                d.obj, d.source
            )));
        }
    }
    Ok(out)
}

fn parse_doc(
    text: &str,
    source: &str,
    phase: Phase,
    hook: Option<Vec<String>>,
    weight: i64,
) -> Result<Option<DesiredObject>, ApplyError> {
    let bad = |m: String| ApplyError::Render(format!("{source}: {m}"));
    let Some(mut body) = yaml_to_json(text).map_err(bad)? else {
        return Ok(None);
    };
    let Some(map) = body.as_object_mut() else {
        return Err(bad("a manifest must be a mapping".into()));
    };
    let api_version = map.get("apiVersion").and_then(Json::as_str).unwrap_or("");
    let kind = map.get("kind").and_then(Json::as_str).unwrap_or("");
    if api_version.is_empty() || kind.is_empty() {
        return Err(bad("a manifest needs apiVersion and kind".into()));
    }
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    };
    let kind = kind.to_string();
    map.remove("status");
    let meta = map
        .entry("metadata")
        .or_insert_with(|| Json::Object(Default::default()));
    let Some(meta) = meta.as_object_mut() else {
        return Err(bad("metadata must be a mapping".into()));
    };
    for k in [
        "managedFields",
        "resourceVersion",
        "uid",
        "creationTimestamp",
        "generation",
        "selfLink",
    ] {
        meta.remove(k);
    }
    let name = meta.get("name").and_then(Json::as_str).unwrap_or("");
    if name.is_empty() {
        return Err(bad(format!(
            "{kind} without metadata.name (generateName is not supported)"
        )));
    }
    let name = name.to_string();
    let namespace = meta
        .get("namespace")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    if meta.get("labels").and_then(|l| l.get(PART_OF)).is_some() {
        return Err(bad(format!(
            "{kind} {name} already carries the {PART_OF} label; rudder sets it"
        )));
    }
    let annotation = |k: &str| {
        meta.get("annotations")
            .and_then(|a| a.get(k))
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    let wave = match annotation(SYNC_WAVE) {
        Some(w) => w
            .trim()
            .parse::<i64>()
            .map_err(|_| bad(format!("{SYNC_WAVE} {w:?} is not an integer")))?,
        None if hook.is_some() => weight,
        None => 0,
    };
    Ok(Some(DesiredObject {
        obj: ObjectRef {
            group,
            version,
            kind,
            namespace,
            name,
        },
        body,
        phase,
        wave,
        hook_delete_policies: hook,
        source: source.to_string(),
    }))
}

/// Sorts into apply order: Namespaces and CRDs first (by kind order), then by phase, wave,
/// Helm's kind order, kind, and rendered order.
pub fn sort_for_apply(objs: &mut [DesiredObject]) {
    objs.sort_by(|a, b| {
        let ka = (
            !a.is_foundation(),
            a.phase,
            a.wave,
            kind_rank(&a.obj.kind),
            &a.obj.kind,
        );
        let kb = (
            !b.is_foundation(),
            b.phase,
            b.wave,
            kind_rank(&b.obj.kind),
            &b.obj.kind,
        );
        ka.cmp(&kb)
    });
}

/// Sorts objects to delete: the reverse of apply order, so custom resources and namespaced
/// objects go before their CRD and Namespace.
pub fn sort_for_delete(objs: &mut [ObjectRef]) {
    objs.sort_by(|a, b| {
        let ka = (
            is_foundation_kind(a),
            a.kind == "Namespace",
            std::cmp::Reverse(kind_rank(&a.kind)),
        );
        let kb = (
            is_foundation_kind(b),
            b.kind == "Namespace",
            std::cmp::Reverse(kind_rank(&b.kind)),
        );
        ka.cmp(&kb).then_with(|| a.cmp(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::manifest::Manifest;

    fn manifest(content: &str) -> Manifest {
        Manifest {
            name: "t/templates/x.yaml".into(),
            content: content.into(),
            kind: String::new(),
            object_name: String::new(),
            events: vec![],
            weight: 0,
            delete_policies: vec![],
        }
    }

    #[test]
    fn parses_identity_and_strips_server_fields() {
        let r = Rendered {
            manifests: vec![manifest(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  uid: x\n  resourceVersion: \"3\"\nspec: {}\nstatus: {replicas: 1}\n",
            )],
            ..Rendered::default()
        };
        let objs = from_rendered(&r, true, true).expect("parse");
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].obj.group, "apps");
        assert_eq!(objs[0].obj.version, "v1");
        assert_eq!(objs[0].obj.to_string(), "Deployment.apps web");
        assert!(objs[0].body.get("status").is_none());
        assert!(objs[0].body["metadata"].get("uid").is_none());
        assert!(objs[0].body["metadata"].get("resourceVersion").is_none());
    }

    #[test]
    fn rejects_duplicates_missing_names_and_preset_labels() {
        let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
        let r = Rendered {
            manifests: vec![manifest(doc), manifest(doc)],
            ..Rendered::default()
        };
        assert!(
            matches!(from_rendered(&r, true, true), Err(ApplyError::Render(m)) if m.contains("twice"))
        );
        let r = Rendered {
            manifests: vec![manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")],
            ..Rendered::default()
        };
        assert!(from_rendered(&r, true, true).is_err());
        let r = Rendered {
            manifests: vec![manifest(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    applyset.kubernetes.io/part-of: x\n",
            )],
            ..Rendered::default()
        };
        assert!(from_rendered(&r, true, true).is_err());
    }

    #[test]
    fn hooks_map_to_phases_and_tests_are_skipped() {
        let mut pre = manifest("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n");
        pre.events = vec!["pre-upgrade".into(), "pre-install".into()];
        pre.weight = -5;
        let mut test = manifest("apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n");
        test.events = vec!["test".into()];
        let mut post = manifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: done\n");
        post.events = vec!["post-install".into()];
        post.delete_policies = vec!["hook-succeeded".into()];
        let r = Rendered {
            manifests: vec![manifest(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
            )],
            hooks: vec![pre, test, post],
            ..Rendered::default()
        };
        let mut objs = from_rendered(&r, true, true).expect("parse");
        sort_for_apply(&mut objs);
        let names: Vec<_> = objs
            .iter()
            .map(|o| (o.obj.name.as_str(), o.phase, o.wave))
            .collect();
        assert_eq!(
            names,
            vec![
                ("migrate", Phase::PreSync, -5),
                ("s", Phase::Sync, 0),
                ("done", Phase::PostSync, 0)
            ]
        );
        assert_eq!(
            objs[0].hook_delete_policies.as_deref(),
            Some(&["before-hook-creation".to_string()][..])
        );
        assert!(from_rendered(&r, true, false).expect("parse").len() == 1);
    }

    #[test]
    fn apply_order_puts_namespaces_and_crds_first_then_waves_then_kinds() {
        let docs = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\n",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n",
        ];
        let r = Rendered {
            manifests: docs.iter().map(|d| manifest(d)).collect(),
            ..Rendered::default()
        };
        let mut objs = from_rendered(&r, true, true).expect("parse");
        sort_for_apply(&mut objs);
        let kinds: Vec<_> = objs.iter().map(|o| o.obj.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "Namespace",
                "CustomResourceDefinition",
                "Widget",
                "Service",
                "Deployment"
            ]
        );
        let mut refs: Vec<ObjectRef> = objs.iter().map(|o| o.obj.clone()).collect();
        sort_for_delete(&mut refs);
        let kinds: Vec<_> = refs.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "Widget",
                "Deployment",
                "Service",
                "CustomResourceDefinition",
                "Namespace"
            ]
        );
    }

    #[test]
    fn bad_wave_is_an_error() {
        let r = Rendered {
            manifests: vec![manifest(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: soon\n",
            )],
            ..Rendered::default()
        };
        assert!(from_rendered(&r, true, true).is_err());
    }
}
