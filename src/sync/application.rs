//! Argo CD `Application` objects (argoproj.io/v1alpha1), typed for the subset the seed uses.
//!
//! Unknown fields are ignored (Argo CD has many more); the live object keeps them, we only
//! ever write `.status` and `metadata.finalizers`.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// API group of Argo CD's Application.
pub const GROUP: &str = "argoproj.io";
/// API version of Argo CD's Application.
pub const VERSION: &str = "v1alpha1";
/// The finalizer that asks for the app's resources to be deleted with the app.
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// An Argo CD Application (only the fields the controller reads).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// `metadata` (name, namespace, finalizers, deletionTimestamp).
    #[serde(default)]
    pub metadata: Metadata,
    /// `spec`.
    #[serde(default)]
    pub spec: Spec,
    /// `status` as written by a controller (kept raw: we write it, we seldom read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Json>,
}

/// The part of `metadata` the controller needs.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `metadata.name`.
    #[serde(default)]
    pub name: String,
    /// `metadata.namespace`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// `metadata.finalizers`.
    #[serde(default)]
    pub finalizers: Vec<String>,
    /// `metadata.deletionTimestamp`: set once the app is being deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<String>,
    /// `metadata.resourceVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

/// `spec`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// `spec.project` (only `default` exists for us; recorded, not enforced).
    #[serde(default)]
    pub project: String,
    /// `spec.source`.
    #[serde(default)]
    pub source: Source,
    /// `spec.destination`.
    #[serde(default)]
    pub destination: Destination,
    /// `spec.syncPolicy` (absent = manual sync only).
    #[serde(default)]
    pub sync_policy: Option<SyncPolicy>,
}

/// `spec.source`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Git repository URL.
    #[serde(default, rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag, commit or `HEAD` (empty means `HEAD`).
    #[serde(default)]
    pub target_revision: String,
    /// Directory inside the repository.
    #[serde(default)]
    pub path: String,
    /// Helm options (present for a Helm source).
    #[serde(default)]
    pub helm: Option<HelmSource>,
    /// Plain-directory options.
    #[serde(default)]
    pub directory: Option<DirectorySource>,
}

/// `spec.source.helm`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    /// Value files relative to the chart directory.
    #[serde(default)]
    pub value_files: Vec<String>,
    /// Inline values as a YAML string.
    #[serde(default)]
    pub values: Option<String>,
    /// Inline values as an object (wins over `values` in Argo CD).
    #[serde(default)]
    pub values_object: Option<Json>,
    /// `--set`-style parameters.
    #[serde(default)]
    pub parameters: Vec<HelmParameter>,
    /// Release name (default: the app name).
    #[serde(default)]
    pub release_name: Option<String>,
    /// Skip the chart's `crds/`.
    #[serde(default)]
    pub skip_crds: bool,
}

/// One `spec.source.helm.parameters` entry.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    /// Dotted key, as for `--set`.
    #[serde(default)]
    pub name: String,
    /// Value.
    #[serde(default)]
    pub value: String,
    /// Use `--set-string` semantics.
    #[serde(default)]
    pub force_string: bool,
}

/// `spec.source.directory`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySource {
    /// Descend into subdirectories.
    #[serde(default)]
    pub recurse: bool,
}

/// `spec.destination`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// Cluster API URL (only the in-cluster one is supported).
    #[serde(default)]
    pub server: String,
    /// Default namespace of namespaced objects.
    #[serde(default)]
    pub namespace: Option<String>,
}

/// `spec.syncPolicy`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Automated sync (absent = manual).
    #[serde(default)]
    pub automated: Option<Automated>,
    /// `Key=value` options.
    #[serde(default)]
    pub sync_options: Vec<String>,
}

/// `spec.syncPolicy.automated`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    /// Delete objects no longer in Git.
    #[serde(default)]
    pub prune: bool,
    /// Revert live drift.
    #[serde(default)]
    pub self_heal: bool,
}

impl Application {
    /// Parses an Application from JSON (as the API server returns it).
    pub fn from_json(v: Json) -> Result<Application, String> {
        let kind = v
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or("Application");
        if kind != "Application" {
            return Err(format!("expected kind Application, got {kind}"));
        }
        serde_json::from_value(v).map_err(|e| format!("invalid Application: {e}"))
    }

    /// Parses every Application of a (multi-document) YAML text; other kinds are skipped.
    pub fn from_yaml_docs(text: &str) -> Result<Vec<Application>, String> {
        let mut out = Vec::new();
        for doc in crate::render::manifest::split_manifests(text) {
            let Some(j) = crate::apply::objects::yaml_to_json(&doc)? else {
                continue;
            };
            if j.get("kind").and_then(Json::as_str) == Some("Application") {
                out.push(Application::from_json(j)?);
            }
        }
        Ok(out)
    }

    /// The namespace the Application object lives in (default `argocd`).
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("argocd")
    }

    /// The destination namespace (Argo CD leaves it empty for cluster-wide apps; we use
    /// `default` then, which is what namespaced objects without a namespace get).
    pub fn dest_namespace(&self) -> &str {
        match self.spec.destination.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => "default",
        }
    }

    /// The Helm release name: `helm.releaseName` or the app name.
    pub fn release_name(&self) -> &str {
        match self
            .spec
            .source
            .helm
            .as_ref()
            .and_then(|h| h.release_name.as_deref())
        {
            Some(r) if !r.is_empty() => r,
            _ => &self.metadata.name,
        }
    }

    /// The inventory (ApplySet) key of the app's objects: the app name, as Argo CD tracks by
    /// app name whatever the Helm release name, so two apps never share (and prune) a set.
    pub fn inventory_name(&self) -> &str {
        &self.metadata.name
    }

    /// The last revision an operation synced successfully (from `status.operationState`).
    pub fn last_synced_revision(&self) -> Option<&str> {
        let op = self.status.as_ref()?.get("operationState")?;
        if op.get("phase").and_then(Json::as_str) != Some("Succeeded") {
            return None;
        }
        op.pointer("/syncResult/revision").and_then(Json::as_str)
    }

    /// The target revision (`HEAD` when empty).
    pub fn target_revision(&self) -> &str {
        if self.spec.source.target_revision.is_empty() {
            "HEAD"
        } else {
            &self.spec.source.target_revision
        }
    }

    /// True when the sync policy is automated.
    pub fn automated(&self) -> bool {
        self.automated_policy().is_some()
    }

    /// The automated policy, if any.
    pub fn automated_policy(&self) -> Option<&Automated> {
        self.spec
            .sync_policy
            .as_ref()
            .and_then(|p| p.automated.as_ref())
    }

    /// True when `syncOptions` holds `key=true` (case-insensitive value, as Argo CD).
    pub fn sync_option(&self, key: &str) -> bool {
        self.spec.sync_policy.as_ref().is_some_and(|p| {
            p.sync_options.iter().any(|o| {
                o.split_once('=')
                    .is_some_and(|(k, v)| k.trim() == key && v.trim().eq_ignore_ascii_case("true"))
            })
        })
    }

    /// True when deleting the app must delete its resources first.
    pub fn has_resources_finalizer(&self) -> bool {
        self.metadata
            .finalizers
            .iter()
            .any(|f| f == RESOURCES_FINALIZER || f.starts_with(&format!("{RESOURCES_FINALIZER}/")))
    }

    /// True once the app is marked for deletion.
    pub fn is_deleting(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
    }

    /// The `SYNCPOLICY` column of `argocd app list`.
    pub fn sync_policy_label(&self) -> String {
        match self.automated_policy() {
            None => "Manual".into(),
            Some(a) if a.prune => "Auto-Prune".into(),
            Some(_) => "Auto".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(path: &str) -> Vec<Application> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        Application::from_yaml_docs(&text).unwrap_or_default()
    }

    #[test]
    fn parses_app_of_apps() {
        let apps = seed("gitops/argocd-apps/app-of-apps.yaml");
        assert_eq!(apps.len(), 1);
        let a = &apps[0];
        assert_eq!(a.metadata.name, "app-of-apps");
        assert_eq!(a.namespace(), "argocd");
        assert!(a.has_resources_finalizer());
        assert_eq!(a.spec.project, "default");
        assert_eq!(
            a.spec.source.repo_url,
            "git@github.com:Nikob2o/ansible-k3s.git"
        );
        assert_eq!(a.target_revision(), "HEAD");
        assert_eq!(a.spec.source.path, "argocd-apps/applications");
        assert_eq!(
            a.spec.source.directory,
            Some(DirectorySource { recurse: false })
        );
        assert!(a.spec.source.helm.is_none());
        assert_eq!(a.spec.destination.server, "https://kubernetes.default.svc");
        assert_eq!(a.dest_namespace(), "argocd");
        let auto = a.automated_policy().cloned().unwrap_or_default();
        assert!(auto.prune && auto.self_heal);
        assert!(a.sync_option("CreateNamespace"));
        assert!(!a.sync_option("ServerSideApply"));
        assert_eq!(a.sync_policy_label(), "Auto-Prune");
    }

    #[test]
    fn parses_child_applications() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("gitops/argocd-apps/applications");
        let mut names = Vec::new();
        for f in ["external-services", "ghost", "home-fonta", "infrastructure"] {
            let apps = seed(&format!("gitops/argocd-apps/applications/{f}.yaml"));
            assert_eq!(apps.len(), 1, "{f} in {}", dir.display());
            let a = &apps[0];
            let helm = a.spec.source.helm.clone().unwrap_or_default();
            assert_eq!(helm.value_files, vec!["values.yaml".to_string()]);
            assert_eq!(a.release_name(), a.metadata.name);
            assert!(a.automated());
            names.push((
                a.metadata.name.clone(),
                a.spec.source.path.clone(),
                a.dest_namespace().to_string(),
            ));
        }
        assert_eq!(
            names[0],
            (
                "external-services".into(),
                "helm-charts/external-services".into(),
                "home-fonta".into()
            )
        );
        assert_eq!(
            names[1],
            ("ghost".into(), "helm-charts/ghost".into(), "blog".into())
        );
        assert_eq!(
            names[2],
            (
                "home-fonta".into(),
                "helm-charts/homefonta".into(),
                "home-fonta".into()
            )
        );
        // infrastructure has no destination namespace and asks for server-side apply.
        assert_eq!(names[3].2, "default");
        let infra = seed("gitops/argocd-apps/applications/infrastructure.yaml");
        assert!(infra
            .first()
            .is_some_and(|a| a.sync_option("ServerSideApply")));
        assert!(infra.first().is_some_and(|a| !a.has_resources_finalizer()));
    }

    #[test]
    fn parses_helm_extras() {
        let text = r#"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: x}
spec:
  source:
    repoURL: file:///tmp/r
    path: c
    helm:
      releaseName: rel
      skipCrds: true
      values: "a: 1"
      valuesObject: {b: 2}
      parameters:
      - {name: c.d, value: "3"}
      - {name: e, value: "4", forceString: true}
"#;
        let apps = Application::from_yaml_docs(text).unwrap_or_default();
        let a = &apps[0];
        let h = a.spec.source.helm.clone().unwrap_or_default();
        assert_eq!(a.release_name(), "rel");
        assert!(h.skip_crds);
        assert_eq!(h.values.as_deref(), Some("a: 1"));
        assert_eq!(h.values_object, Some(serde_json::json!({"b": 2})));
        assert_eq!(h.parameters.len(), 2);
        assert!(h.parameters[1].force_string);
        assert!(!a.automated());
        assert_eq!(a.sync_policy_label(), "Manual");
        assert_eq!(a.namespace(), "argocd");
    }

    #[test]
    fn last_synced_revision_needs_success() {
        let mut a = Application::default();
        assert_eq!(a.last_synced_revision(), None);
        a.status = Some(serde_json::json!({"operationState": {"phase": "Failed",
            "syncResult": {"revision": "abc"}}}));
        assert_eq!(a.last_synced_revision(), None);
        a.status = Some(serde_json::json!({"operationState": {"phase": "Succeeded",
            "syncResult": {"revision": "abc"}}}));
        assert_eq!(a.last_synced_revision(), Some("abc"));
        a.metadata.name = "n".into();
        assert_eq!(a.inventory_name(), "n");
    }

    #[test]
    fn rejects_other_kinds() {
        assert!(Application::from_json(serde_json::json!({"kind": "Deployment"})).is_err());
    }
}
