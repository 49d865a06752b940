//! The embedded Kubernetes schemas (see `schemas/README.md`) and API version history.
//!
//! The data is one gzip-compressed JSON file holding every distinct definition once and, per
//! Kubernetes minor version, a map from definition name to schema and from
//! `apiVersion/kind` to definition name. It is inflated once, on first use.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use serde_json::value::RawValue;
use serde_json::Value;

/// The compressed schema data produced by `scripts/fetch-k8s-schemas.py`.
static DATA: &[u8] = include_bytes!("schemas/k8s.json.gz");

/// Schemas of one Kubernetes minor version.
pub struct VersionSchemas {
    /// Definition name (e.g. `io.k8s.api.apps.v1.Deployment`) to index in `Store::schemas`.
    defs: HashMap<String, usize>,
    /// `apiVersion/kind` (e.g. `apps/v1/Deployment`) to definition name.
    kinds: HashMap<String, String>,
}

/// All embedded versions.
pub struct Store {
    /// Each distinct schema as JSON text, parsed on first use.
    schemas: Vec<(Box<RawValue>, OnceLock<Value>)>,
    /// Each version's tables as JSON text, parsed on first use.
    versions: BTreeMap<(u32, u32), (Box<RawValue>, OnceLock<VersionSchemas>)>,
}

/// A resolved view for validation: one version's definitions.
#[derive(Clone, Copy)]
pub struct Defs<'a> {
    store: &'a Store,
    version: &'a VersionSchemas,
}

impl<'a> Defs<'a> {
    /// The schema a `$ref` names, if this version defines it.
    pub fn resolve(&self, name: &str) -> Option<&'a Value> {
        let idx = *self.version.defs.get(name)?;
        let (raw, parsed) = self.store.schemas.get(idx)?;
        // The data is generated and checked by tests; an unparsable entry checks nothing.
        Some(parsed.get_or_init(|| serde_json::from_str(raw.get()).unwrap_or_default()))
    }

    /// The schema of a built-in `apiVersion` + `kind`.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<&'a Value> {
        let name = self.version.kinds.get(&format!("{api_version}/{kind}"))?;
        self.resolve(name)
    }

    /// The API versions under which this version serves `kind`, stable ones first.
    pub fn served_versions(&self, kind: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .version
            .kinds
            .keys()
            .filter_map(|k| {
                k.rsplit_once('/')
                    .filter(|(_, kd)| *kd == kind)
                    .map(|(av, _)| av)
            })
            .map(str::to_string)
            .collect();
        // GA first, then the newest (v2 before v1) within the same stability.
        out.sort_by(|a, b| {
            stability_rank(a)
                .cmp(&stability_rank(b))
                .then_with(|| b.cmp(a))
        });
        out
    }

    /// Whether `group` is one of the built-in API groups (`""` is the core group).
    pub fn is_builtin_group(&self, group: &str) -> bool {
        REMOVED.iter().any(|r| group_of(r.0) == group)
            || self
                .version
                .kinds
                .keys()
                .any(|k| group_of(k.rsplit_once('/').map_or("", |p| p.0)) == group)
    }
}

/// Sort key preferring GA over beta over alpha versions.
fn stability_rank(api_version: &str) -> u8 {
    let v = api_version.rsplit('/').next().unwrap_or(api_version);
    if v.contains("alpha") {
        2
    } else if v.contains("beta") {
        1
    } else {
        0
    }
}

/// The group part of an apiVersion (`""` for the core `v1`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// API versions removed before the oldest embedded schemas (1.25), from the Kubernetes
/// "Deprecated API Migration Guide": (apiVersion, kind, removed in minor).
const REMOVED: &[(&str, &str, u32)] = &[
    ("extensions/v1beta1", "ThirdPartyResource", 8),
    ("extensions/v1beta1", "Deployment", 16),
    ("extensions/v1beta1", "DaemonSet", 16),
    ("extensions/v1beta1", "ReplicaSet", 16),
    ("extensions/v1beta1", "NetworkPolicy", 16),
    ("extensions/v1beta1", "PodSecurityPolicy", 16),
    ("apps/v1beta1", "Deployment", 16),
    ("apps/v1beta1", "StatefulSet", 16),
    ("apps/v1beta2", "Deployment", 16),
    ("apps/v1beta2", "DaemonSet", 16),
    ("apps/v1beta2", "ReplicaSet", 16),
    ("apps/v1beta2", "StatefulSet", 16),
    ("extensions/v1beta1", "Ingress", 22),
    ("networking.k8s.io/v1beta1", "Ingress", 22),
    ("networking.k8s.io/v1beta1", "IngressClass", 22),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        22,
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        22,
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        22,
    ),
    ("apiregistration.k8s.io/v1beta1", "APIService", 22),
    ("authentication.k8s.io/v1beta1", "TokenReview", 22),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview", 22),
    (
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        22,
    ),
    (
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        22,
    ),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        22,
    ),
    ("coordination.k8s.io/v1beta1", "Lease", 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", 22),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        22,
    ),
    ("rbac.authorization.k8s.io/v1beta1", "Role", 22),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", 22),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", 22),
    ("storage.k8s.io/v1beta1", "CSIDriver", 22),
    ("storage.k8s.io/v1beta1", "CSINode", 22),
    ("storage.k8s.io/v1beta1", "StorageClass", 22),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", 22),
    ("batch/v1beta1", "CronJob", 25),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", 25),
    ("events.k8s.io/v1beta1", "Event", 25),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", 25),
    ("policy/v1beta1", "PodDisruptionBudget", 25),
    ("policy/v1beta1", "PodSecurityPolicy", 25),
    ("node.k8s.io/v1beta1", "RuntimeClass", 25),
];

static STORE: OnceLock<Result<Store, String>> = OnceLock::new();

/// The embedded store, inflated on first use.
pub fn store() -> Result<&'static Store, String> {
    STORE.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Store, String> {
    let err = |e: &dyn std::fmt::Display| format!("embedded schemas: {e}");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(DATA)
        .read_to_end(&mut raw)
        .map_err(|e| err(&e))?;
    // Only the outline is parsed now; a schema or a version's tables are parsed when first
    // used, so a run pays for the few dozen definitions its objects need, not all 1,100+.
    let mut top: HashMap<String, Box<RawValue>> =
        serde_json::from_slice(&raw).map_err(|e| err(&e))?;
    let schemas: Vec<Box<RawValue>> = match top.remove("schemas") {
        Some(list) => serde_json::from_str(list.get()).map_err(|e| err(&e))?,
        None => return Err(err(&"no schema list")),
    };
    let by_version: HashMap<String, Box<RawValue>> = match top.remove("versions") {
        Some(map) => serde_json::from_str(map.get()).map_err(|e| err(&e))?,
        None => return Err(err(&"no versions")),
    };
    let versions = by_version
        .into_iter()
        .filter_map(|(name, raw)| Some((parse_version(&name)?, (raw, OnceLock::new()))))
        .collect();
    let schemas = schemas
        .into_iter()
        .map(|raw| (raw, OnceLock::new()))
        .collect();
    Ok(Store { schemas, versions })
}

/// Parses one version's definition and kind tables.
fn parse_tables(raw: &RawValue) -> VersionSchemas {
    let v: Value = serde_json::from_str(raw.get()).unwrap_or_default();
    let defs = v
        .get("defs")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, i)| Some((k.clone(), usize::try_from(i.as_u64()?).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let kinds = v
        .get("kinds")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, n)| Some((k.clone(), n.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    VersionSchemas { defs, kinds }
}

/// Parses `1.32`, `v1.32`, `1.32.0` or `v1.32.4-gke.1` into (major, minor).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let t = text.strip_prefix('v').unwrap_or(text);
    let mut parts = t.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor_text: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor_text.parse().ok()?))
}

impl Store {
    /// The definitions for a Kubernetes version: the newest embedded version not newer than it
    /// (as kubernetes-validate does), or an error listing what is supported.
    pub fn for_version(&self, version: (u32, u32)) -> Result<Defs<'_>, String> {
        let found = self.versions.range(..=version).next_back();
        let newest = self.versions.keys().next_back();
        match (found, newest) {
            (Some((_, (raw, tables))), Some(newest)) if version <= *newest => Ok(Defs {
                store: self,
                version: tables.get_or_init(|| parse_tables(raw)),
            }),
            _ => Err(format!(
                "no schemas for Kubernetes {}.{}; supported: {}",
                version.0,
                version.1,
                self.supported().join(", ")
            )),
        }
    }

    /// Supported versions as `1.NN` strings, oldest first.
    pub fn supported(&self) -> Vec<String> {
        self.versions
            .keys()
            .map(|(a, b)| format!("{a}.{b}"))
            .collect()
    }

    /// Explains why `api_version`/`kind` is not served by `version`: removed (and when),
    /// not yet introduced, or never an API version of that kind. `None` when it is served.
    pub fn api_history(
        &self,
        api_version: &str,
        kind: &str,
        version: (u32, u32),
    ) -> Option<String> {
        let key = format!("{api_version}/{kind}");
        let present: BTreeSet<(u32, u32)> = self
            .versions
            .iter()
            .filter(|(_, (raw, tables))| {
                tables
                    .get_or_init(|| parse_tables(raw))
                    .kinds
                    .contains_key(&key)
            })
            .map(|(k, _)| *k)
            .collect();
        if present.contains(&version) {
            return None;
        }
        if let Some(last) = present.range(..version).next_back() {
            let removed = self
                .versions
                .keys()
                .find(|k| *k > last && !present.contains(k));
            return Some(match removed {
                Some(r) => format!("removed in {}.{}", r.0, r.1),
                None => "removed".to_string(),
            });
        }
        if let Some(first) = present.range(version..).next() {
            return Some(format!("introduced in {}.{}", first.0, first.1));
        }
        REMOVED
            .iter()
            .find(|r| r.0 == api_version && r.1 == kind)
            .map(|r| format!("removed in 1.{}", r.2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_all_versions() {
        let s = store().unwrap();
        assert_eq!(s.supported().first().map(String::as_str), Some("1.25"));
        assert!(s.supported().contains(&"1.32".to_string()));
        let d = s.for_version((1, 32)).unwrap();
        assert!(d.kind("apps/v1", "Deployment").is_some());
        assert!(d.resolve("io.k8s.api.core.v1.PodSpec").is_some());
        assert_eq!(
            d.served_versions("Ingress"),
            vec!["networking.k8s.io/v1".to_string()]
        );
    }

    #[test]
    fn versions_parse_and_fall_back() {
        assert_eq!(parse_version("v1.32.4-gke.1"), Some((1, 32)));
        assert_eq!(parse_version("1.30"), Some((1, 30)));
        assert_eq!(parse_version("banana"), None);
        let s = store().unwrap();
        assert!(s
            .for_version((1, 20))
            .err()
            .unwrap_or_default()
            .contains("supported: 1.25"));
        assert!(s.for_version((1, 99)).is_err());
    }

    #[test]
    fn history_of_removed_versions() {
        let s = store().unwrap();
        let h = |av: &str, k: &str| s.api_history(av, k, (1, 32));
        assert_eq!(
            h("extensions/v1beta1", "Ingress").as_deref(),
            Some("removed in 1.22")
        );
        assert_eq!(
            h("autoscaling/v2beta2", "HorizontalPodAutoscaler").as_deref(),
            Some("removed in 1.26")
        );
        assert_eq!(h("apps/v1", "Deployment"), None);
        assert_eq!(h("apps/v1", "Ingress"), None);
    }
}
