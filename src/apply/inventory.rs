//! The inventory: a kubectl-compatible ApplySet parent Secret (KEP-3659) in the release
//! namespace, plus the exact member list with UIDs in its data.
//!
//! The parent carries the `applyset.kubernetes.io/id` label and the `tooling`,
//! `contains-group-kinds` and `additional-namespaces` annotations as kubectl writes them;
//! members carry `applyset.kubernetes.io/part-of: <id>`. The member list (`data.members`, JSON)
//! is what prune works from: listing is exact and every delete carries the recorded UID.

use super::discovery::ClusterContext;
use super::error::ApplyError;
use super::objects::ObjectRef;
use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeSet;

/// ApplySet id label (on the parent).
pub const ID_LABEL: &str = "applyset.kubernetes.io/id";
/// Tooling annotation (`rudder/<version>`).
pub const TOOLING: &str = "applyset.kubernetes.io/tooling";
/// Sorted, comma-separated `Kind.group` of the members.
pub const GROUP_KINDS: &str = "applyset.kubernetes.io/contains-group-kinds";
/// Sorted, comma-separated member namespaces other than the parent's.
pub const ADDITIONAL_NAMESPACES: &str = "applyset.kubernetes.io/additional-namespaces";
/// Data key of the exact member list.
pub const MEMBERS_KEY: &str = "members";
/// Annotation naming the Application (`<namespace>/<name>`) whose sync controller owns the
/// set; absent on sets applied by `rudder apply` (never reported as orphans).
pub const OWNER: &str = "rudder.dev/application";

/// KEP-3659 id of a parent: `applyset-` + unpadded base64url(sha256(`name.namespace.kind.group`))
/// + `-v1`.
pub fn applyset_id(name: &str, namespace: &str, kind: &str, group: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{name}.{namespace}.{kind}.{group}").as_bytes());
    format!(
        "applyset-{}-v1",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// Name of the parent Secret of a release.
pub fn parent_name(release: &str) -> String {
    format!("rudder.applyset.{release}")
}

/// Our tooling value.
pub fn tooling() -> String {
    format!("rudder/v{}", env!("CARGO_PKG_VERSION"))
}

/// One member: identity plus the UID it had when we applied it (`None` while an apply that
/// would create it has not confirmed it yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The object.
    #[serde(flatten)]
    pub obj: ObjectRef,
    /// UID recorded by the last successful apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// The inventory of one release.
#[derive(Clone, Debug)]
pub struct Inventory {
    /// Parent Secret name.
    pub name: String,
    /// Parent (= release) namespace.
    pub namespace: String,
    /// ApplySet id.
    pub id: String,
    /// Members.
    pub members: Vec<Member>,
    /// Whether the parent exists in the cluster.
    pub exists: bool,
    /// The owning Application (`<namespace>/<name>`), written as the [`OWNER`] annotation.
    pub owner: Option<String>,
}

impl Inventory {
    /// An empty inventory for a release.
    pub fn new(release: &str, namespace: &str) -> Self {
        let name = parent_name(release);
        Inventory {
            id: applyset_id(&name, namespace, "Secret", ""),
            name,
            namespace: namespace.to_string(),
            members: Vec::new(),
            exists: false,
            owner: None,
        }
    }

    /// The member for `o` (any version).
    pub fn find(&self, o: &ObjectRef) -> Option<&Member> {
        self.members.iter().find(|m| m.obj.same_object(o))
    }

    /// Adds or updates a member (a known UID is never replaced by `None`).
    pub fn upsert(&mut self, obj: &ObjectRef, uid: Option<String>) {
        if let Some(m) = self.members.iter_mut().find(|m| m.obj.same_object(obj)) {
            m.obj = obj.clone();
            if uid.is_some() {
                m.uid = uid;
            }
        } else {
            self.members.push(Member {
                obj: obj.clone(),
                uid,
            });
        }
    }

    /// Removes a member.
    pub fn remove(&mut self, o: &ObjectRef) {
        self.members.retain(|m| !m.obj.same_object(o));
    }

    /// `contains-group-kinds` value.
    pub fn group_kinds(&self) -> String {
        let set: BTreeSet<String> = self.members.iter().map(|m| m.obj.group_kind()).collect();
        set.into_iter().collect::<Vec<_>>().join(",")
    }

    /// `additional-namespaces` value.
    pub fn additional_namespaces(&self) -> String {
        let set: BTreeSet<&str> = self
            .members
            .iter()
            .map(|m| m.obj.namespace.as_str())
            .filter(|n| !n.is_empty() && *n != self.namespace)
            .collect();
        set.into_iter().collect::<Vec<_>>().join(",")
    }

    /// The parent Secret as applied.
    pub fn to_secret_json(&self) -> Result<serde_json::Value, ApplyError> {
        let mut members = self.members.clone();
        members.sort_by(|a, b| a.obj.cmp(&b.obj));
        let payload =
            serde_json::to_vec(&members).map_err(|e| ApplyError::Inventory(e.to_string()))?;
        let mut annotations = serde_json::Map::new();
        annotations.insert(TOOLING.into(), tooling().into());
        annotations.insert(GROUP_KINDS.into(), self.group_kinds().into());
        let extra = self.additional_namespaces();
        if !extra.is_empty() {
            annotations.insert(ADDITIONAL_NAMESPACES.into(), extra.into());
        }
        if let Some(owner) = &self.owner {
            annotations.insert(OWNER.into(), owner.as_str().into());
        }
        Ok(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": { ID_LABEL: self.id },
                "annotations": annotations,
            },
            "type": "Opaque",
            "data": {
                MEMBERS_KEY: base64::engine::general_purpose::STANDARD.encode(payload),
            },
        }))
    }
}

/// Reads the inventory of `release` (empty if there is no parent). Refuses a parent whose id
/// label does not match its identity or that another tool manages.
pub async fn read(
    ctx: &ClusterContext,
    release: &str,
    namespace: &str,
) -> Result<Inventory, ApplyError> {
    let mut inv = Inventory::new(release, namespace);
    let api: Api<Secret> = Api::namespaced(ctx.client().clone(), namespace);
    let secret = api
        .get_opt(&inv.name)
        .await
        .map_err(|e| ApplyError::from_kube(&parent_ref(&inv), "get", e))?;
    let Some(secret) = secret else {
        return Ok(inv);
    };
    inv.exists = true;
    let labels = secret.metadata.labels.unwrap_or_default();
    if labels.get(ID_LABEL) != Some(&inv.id) {
        return Err(ApplyError::Inventory(format!(
            "Secret {namespace}/{} has {ID_LABEL}={:?}, expected {}",
            inv.name,
            labels.get(ID_LABEL),
            inv.id
        )));
    }
    let annotations = secret.metadata.annotations.unwrap_or_default();
    inv.owner = annotations.get(OWNER).cloned();
    let tool = annotations.get(TOOLING).cloned().unwrap_or_default();
    if !tool.starts_with("rudder/") {
        return Err(ApplyError::Inventory(format!(
            "Secret {namespace}/{} is managed by {tool:?}, not rudder",
            inv.name
        )));
    }
    if let Some(data) = secret.data.unwrap_or_default().get(MEMBERS_KEY) {
        inv.members = serde_json::from_slice(&data.0).map_err(|e| {
            ApplyError::Inventory(format!("Secret {namespace}/{}: members: {e}", inv.name))
        })?;
    }
    Ok(inv)
}

/// The parent as an object reference (for messages).
pub fn parent_ref(inv: &Inventory) -> ObjectRef {
    ObjectRef {
        group: String::new(),
        version: "v1".into(),
        kind: "Secret".into(),
        namespace: inv.namespace.clone(),
        name: inv.name.clone(),
    }
}

/// Writes the inventory (server-side apply, forced: the parent is ours alone).
pub async fn write(
    ctx: &ClusterContext,
    inv: &Inventory,
    field_manager: &str,
) -> Result<(), ApplyError> {
    let api: Api<Secret> = Api::namespaced(ctx.client().clone(), &inv.namespace);
    let body = inv.to_secret_json()?;
    api.patch(
        &inv.name,
        &PatchParams::apply(field_manager).force(),
        &Patch::Apply(&body),
    )
    .await
    .map_err(|e| ApplyError::from_kube(&parent_ref(inv), "apply", e))?;
    Ok(())
}

/// Deletes the parent (after the whole set was deleted).
pub async fn remove(ctx: &ClusterContext, inv: &Inventory) -> Result<(), ApplyError> {
    let api: Api<Secret> = Api::namespaced(ctx.client().clone(), &inv.namespace);
    match api.delete(&inv.name, &Default::default()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(ApplyError::from_kube(&parent_ref(inv), "delete", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(g: &str, k: &str, ns: &str, n: &str) -> ObjectRef {
        ObjectRef {
            group: g.into(),
            version: "v1".into(),
            kind: k.into(),
            namespace: ns.into(),
            name: n.into(),
        }
    }

    #[test]
    fn id_follows_kep_3659() {
        // sha256("rudder.applyset.web.prod.Secret.") in unpadded base64url, computed
        // independently with: printf %s 'rudder.applyset.web.prod.Secret.' | openssl dgst
        // -sha256 -binary | basenc --base64url | tr -d =
        let id = applyset_id("rudder.applyset.web", "prod", "Secret", "");
        assert_eq!(
            id,
            "applyset-mS1pc8BuK7BcLmpIt3EL7SHs_ezWsSIOH3xtco7KrM4-v1"
        );
        assert_eq!(Inventory::new("web", "prod").id, id);
        assert_ne!(Inventory::new("web", "other").id, id);
    }

    #[test]
    fn parent_annotations_and_member_roundtrip() {
        let mut inv = Inventory::new("web", "prod");
        inv.upsert(&obj("apps", "Deployment", "prod", "d"), Some("u1".into()));
        inv.upsert(&obj("", "Service", "prod", "s"), None);
        inv.upsert(&obj("", "Namespace", "", "prod"), None);
        inv.upsert(
            &obj("cert-manager.io", "Certificate", "cert-manager", "c"),
            None,
        );
        inv.upsert(&obj("apps", "Deployment", "prod", "d"), None);
        assert_eq!(
            inv.find(&obj("apps", "Deployment", "prod", "d"))
                .and_then(|m| m.uid.clone()),
            Some("u1".into())
        );
        assert_eq!(
            inv.group_kinds(),
            "Certificate.cert-manager.io,Deployment.apps,Namespace,Service"
        );
        assert_eq!(inv.additional_namespaces(), "cert-manager");
        // A CLI release names no owner; a controller-applied set names its Application.
        let secret = inv.to_secret_json().expect("json");
        assert!(secret["metadata"]["annotations"].get(OWNER).is_none());
        inv.owner = Some("argocd/web".into());
        let secret = inv.to_secret_json().expect("json");
        assert_eq!(secret["metadata"]["annotations"][OWNER], "argocd/web");
        assert_eq!(
            secret["metadata"]["labels"][ID_LABEL],
            serde_json::json!(inv.id)
        );
        let data = secret["data"][MEMBERS_KEY].as_str().expect("members");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("b64");
        let back: Vec<Member> = serde_json::from_slice(&bytes).expect("members json");
        assert_eq!(back.len(), 4);
        assert!(back.contains(&Member {
            obj: obj("apps", "Deployment", "prod", "d"),
            uid: Some("u1".into())
        }));
        inv.remove(&obj("", "Service", "prod", "s"));
        assert_eq!(inv.members.len(), 3);
    }
}
