//! `.Capabilities` in `helm template` mode: Helm 3.17.3's built-in defaults, `--kube-version`
//! and `--api-versions`.

use super::object::{JsonStruct, StructObject, VersionSet};
use crate::template::Value;

/// Helm 3.17.3's default Kubernetes version (from its client-go build).
pub const DEFAULT_KUBE_VERSION: &str = "v1.32.0";

/// The helm version `.Capabilities.HelmVersion` reports.
pub const HELM_VERSION: &str = "v3.17.3";
const HELM_GIT_COMMIT: &str = "e4da49785aa6e6ee2b86efd5dd9e43400318262b";
const HELM_GO_VERSION: &str = "go1.23.7";

/// The client-go scheme's group/versions, in Helm 3.17.3's order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Capabilities for a render.
#[derive(Clone, Debug)]
pub struct Capabilities {
    /// `v1.32.0`-style version.
    pub kube_version: String,
    /// Major part (`"1"`).
    pub major: String,
    /// Minor part (`"32"`).
    pub minor: String,
    /// Group/versions (defaults plus `--api-versions`).
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            kube_version: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "32".into(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Capabilities {
    /// Applies `--kube-version` (Masterminds semver, lenient) as Helm 3 does.
    pub fn set_kube_version(&mut self, text: &str) -> Result<(), String> {
        let v = crate::semver::parse_version(text)
            .map_err(|_| format!("invalid kube version '{text}': Invalid Semantic Version"))?;
        self.kube_version = format!("v{}", v);
        self.major = v.major.to_string();
        self.minor = v.minor.to_string();
        Ok(())
    }

    /// Adds `--api-versions` entries (appended verbatim).
    pub fn add_api_versions(&mut self, extra: &[String]) {
        self.api_versions.extend(extra.iter().cloned());
    }

    /// The `.Capabilities` object.
    pub fn to_object(&self) -> Value {
        let kv_data = JsonStruct::value(vec![
            ("Version".into(), Value::str(&self.kube_version)),
            ("Major".into(), Value::str(&self.major)),
            ("Minor".into(), Value::str(&self.minor)),
        ]);
        let kube = StructObject {
            type_name: "chartutil.KubeVersion".into(),
            fields: vec![
                ("Version", Value::str(&self.kube_version)),
                ("Major", Value::str(&self.major)),
                ("Minor", Value::str(&self.minor)),
            ],
            stringer: Some(self.kube_version.clone()),
            data: kv_data,
            display: None,
            // `func (kv *KubeVersion) String()`: a copy (a function argument) has no String.
            pointer_stringer: true,
        }
        .into_value();
        // version.BuildInfo's json tags (all omitempty, none empty here).
        let helm_data = JsonStruct::value(vec![
            ("version".into(), Value::str(HELM_VERSION)),
            ("git_commit".into(), Value::str(HELM_GIT_COMMIT)),
            ("git_tree_state".into(), Value::str("clean")),
            ("go_version".into(), Value::str(HELM_GO_VERSION)),
        ]);
        let helm = StructObject {
            type_name: "version.BuildInfo".into(),
            fields: vec![
                ("Version", Value::str(HELM_VERSION)),
                ("GitCommit", Value::str(HELM_GIT_COMMIT)),
                ("GitTreeState", Value::str("clean")),
                ("GoVersion", Value::str(HELM_GO_VERSION)),
            ],
            stringer: None,
            data: helm_data.clone(),
            display: None,
            pointer_stringer: false,
        }
        .into_value();
        let apis = Value::Object(std::sync::Arc::new(VersionSet(self.api_versions.clone())));
        let data = JsonStruct::value(vec![
            ("KubeVersion".into(), kube.clone()),
            ("APIVersions".into(), apis.clone()),
            ("HelmVersion".into(), helm_data),
        ]);
        StructObject {
            type_name: "*chartutil.Capabilities".into(),
            fields: vec![
                ("KubeVersion", kube),
                ("APIVersions", apis),
                ("HelmVersion", helm),
            ],
            stringer: None,
            data,
            display: None,
            pointer_stringer: false,
        }
        .into_value()
    }
}
