//! Orphaned resources: what an Application deleted without the resources finalizer leaves.
//!
//! As in Argo CD, deleting an Application without `resources-finalizer.argocd.argoproj.io`
//! keeps its objects. They are never pruned automatically; rudder reports them instead. The
//! controller marks every inventory parent it writes with the [`OWNER`] annotation
//! (`<apps-namespace>/<app-name>`); a parent whose owner is in the controller's namespace but
//! names no live Application (or one being deleted without the finalizer) is an orphaned set.
//! Re-creating an Application with the same name adopts the set again (its next sync
//! rewrites the same parent), and the report disappears. Parents without the annotation
//! (`rudder apply` releases, inventories written before the annotation existed) are never
//! reported.

use super::application::{Application, RESOURCES_FINALIZER};
use super::reconcile::app_api;
use crate::apply::inventory::{Member, ID_LABEL, MEMBERS_KEY, OWNER, TOOLING};
use crate::apply::ObjectRef;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

/// Argo CD's condition type for orphaned resources in an app's destination namespace.
pub const CONDITION: &str = "OrphanedResourceWarning";

/// One inventory left behind by a deleted Application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrphanedSet {
    /// Namespace the Application lived in.
    pub app_namespace: String,
    /// Name of the deleted Application.
    pub app: String,
    /// Namespace of the inventory parent Secret (the app's destination namespace).
    pub namespace: String,
    /// Name of the inventory parent Secret.
    pub inventory: String,
    /// The objects that stay (from the parent's member list).
    pub members: Vec<ObjectRef>,
}

impl OrphanedSet {
    /// The `rudder app list` warning line for this set.
    pub fn warning(&self) -> String {
        let n = self.members.len();
        format!(
            "warning: Application {}/{} was deleted without the resources finalizer; {n} {} \
             orphaned (inventory secret {}/{})",
            self.app_namespace,
            self.app,
            if n == 1 {
                "object stays"
            } else {
                "objects stay"
            },
            self.namespace,
            self.inventory
        )
    }
}

/// The [`OWNER`] annotation value for `app`.
pub fn owner_of(app: &Application) -> String {
    format!("{}/{}", app.namespace(), app.metadata.name)
}

/// Splits an [`OWNER`] value into (namespace, name); None if malformed.
pub fn parse_owner(v: &str) -> Option<(&str, &str)> {
    let (ns, name) = v.trim().split_once('/')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains('/')).then_some((ns, name))
}

/// True when an Application with this metadata still claims its set: it exists and is not
/// being deleted, or is being deleted with the resources finalizer (its objects go with it).
pub fn claims_set(deleting: bool, finalizers: &[String]) -> bool {
    !deleting
        || finalizers
            .iter()
            .any(|f| f == RESOURCES_FINALIZER || f.starts_with(&format!("{RESOURCES_FINALIZER}/")))
}

/// The orphaned sets among inventory parents `secrets`: owned by an app of `apps_namespace`
/// that is not in `claimed`. Sorted by app, then parent namespace.
pub fn detect(
    secrets: &[Secret],
    apps_namespace: &str,
    claimed: &BTreeSet<String>,
) -> Vec<OrphanedSet> {
    let mut out = Vec::new();
    for s in secrets {
        let ann = s.metadata.annotations.clone().unwrap_or_default();
        let Some((ns, app)) = ann.get(OWNER).and_then(|o| parse_owner(o)) else {
            continue;
        };
        let ours = ann.get(TOOLING).is_some_and(|t| t.starts_with("rudder/"));
        if !ours || ns != apps_namespace || claimed.contains(app) {
            continue;
        }
        // An unreadable member list still reports the set (with no objects listed).
        let members: Vec<Member> = s
            .data
            .as_ref()
            .and_then(|d| d.get(MEMBERS_KEY))
            .and_then(|b| serde_json::from_slice(&b.0).ok())
            .unwrap_or_default();
        out.push(OrphanedSet {
            app_namespace: ns.to_string(),
            app: app.to_string(),
            namespace: s.metadata.namespace.clone().unwrap_or_default(),
            inventory: s.metadata.name.clone().unwrap_or_default(),
            members: members.into_iter().map(|m| m.obj).collect(),
        });
    }
    out.sort_by(|a, b| (&a.app, &a.namespace).cmp(&(&b.app, &b.namespace)));
    out
}

/// Number of orphaned objects in `namespace` (what an app deploying there is warned about).
pub fn count_in(sets: &[OrphanedSet], namespace: &str) -> usize {
    sets.iter()
        .flat_map(|s| &s.members)
        .filter(|m| m.namespace == namespace)
        .count()
}

/// Orphaned objects per deleted app (the `rudder_orphaned_objects` gauge).
pub fn per_app(sets: &[OrphanedSet]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for s in sets {
        *m.entry(s.app.clone()).or_insert(0) += s.members.len();
    }
    m
}

/// The `OrphanedResourceWarning` condition for `count` orphaned objects (None for zero).
pub fn condition(count: usize, ts: &str) -> Option<Json> {
    (count > 0).then(|| {
        json!({"type": CONDITION,
            "message": format!("Application has {count} orphaned resources"),
            "lastTransitionTime": ts})
    })
}

/// Lists the orphaned sets of the apps of `apps_namespace`: the Applications there, then
/// every inventory parent Secret in the cluster.
pub async fn find(client: &kube::Client, apps_namespace: &str) -> Result<Vec<OrphanedSet>, String> {
    // Raw objects: an app whose spec does not parse still claims its set.
    let apps = app_api(client, apps_namespace)
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("listing applications in {apps_namespace}: {e}"))?;
    let claimed: BTreeSet<String> = apps
        .items
        .iter()
        .filter(|a| {
            claims_set(
                a.metadata.deletion_timestamp.is_some(),
                a.metadata.finalizers.as_deref().unwrap_or_default(),
            )
        })
        .filter_map(|a| a.metadata.name.clone())
        .collect();
    let secrets: Api<Secret> = Api::all(client.clone());
    let parents = secrets
        .list(&ListParams::default().labels(ID_LABEL))
        .await
        .map_err(|e| format!("listing inventory secrets: {e}"))?;
    Ok(detect(&parents.items, apps_namespace, &claimed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;

    fn obj(kind: &str, ns: &str, name: &str) -> ObjectRef {
        ObjectRef {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: ns.into(),
            name: name.into(),
        }
    }

    fn parent(ns: &str, app: &str, owner: Option<&str>, members: &[ObjectRef]) -> Secret {
        let mut ann = BTreeMap::from([(TOOLING.to_string(), "rudder/v0.1.0".to_string())]);
        if let Some(o) = owner {
            ann.insert(OWNER.into(), o.into());
        }
        let ms: Vec<Member> = members
            .iter()
            .map(|o| Member {
                obj: o.clone(),
                uid: None,
            })
            .collect();
        let mut s = Secret::default();
        s.metadata.name = Some(format!("rudder.applyset.{app}"));
        s.metadata.namespace = Some(ns.into());
        s.metadata.annotations = Some(ann);
        s.data = Some(BTreeMap::from([(
            MEMBERS_KEY.to_string(),
            ByteString(serde_json::to_vec(&ms).expect("json")),
        )]));
        s
    }

    #[test]
    fn owner_values() {
        assert_eq!(parse_owner("argocd/web"), Some(("argocd", "web")));
        assert_eq!(parse_owner(" argocd/web "), Some(("argocd", "web")));
        assert_eq!(parse_owner("web"), None);
        assert_eq!(parse_owner("/web"), None);
        assert_eq!(parse_owner("argocd/"), None);
        assert_eq!(parse_owner("a/b/c"), None);
        let mut app = Application::default();
        app.metadata.name = "web".into();
        app.metadata.namespace = Some("apps".into());
        assert_eq!(owner_of(&app), "apps/web");
        assert_eq!(parse_owner(&owner_of(&app)), Some(("apps", "web")));
    }

    #[test]
    fn claims() {
        assert!(claims_set(false, &[]));
        assert!(!claims_set(true, &[]));
        assert!(!claims_set(true, &["other/finalizer".into()]));
        assert!(claims_set(true, &[RESOURCES_FINALIZER.into()]));
        assert!(claims_set(
            true,
            &[format!("{RESOURCES_FINALIZER}/background")]
        ));
    }

    #[test]
    fn detects_only_unclaimed_controller_sets() {
        let gone = [obj("Service", "ext", "a"), obj("ConfigMap", "ext", "b")];
        let secrets = vec![
            parent("ext", "gone", Some("argocd/gone"), &gone),
            parent(
                "web",
                "live",
                Some("argocd/live"),
                &[obj("Service", "web", "s")],
            ),
            // A CLI release (no owner) and an app of another controller namespace.
            parent("cli", "cli", None, &[obj("Service", "cli", "x")]),
            parent(
                "o",
                "other",
                Some("team/other"),
                &[obj("Service", "o", "y")],
            ),
            parent("bad", "bad", Some("garbage"), &[]),
        ];
        let claimed = BTreeSet::from(["live".to_string()]);
        let sets = detect(&secrets, "argocd", &claimed);
        assert_eq!(sets.len(), 1);
        let s = &sets[0];
        assert_eq!(
            (s.app.as_str(), s.app_namespace.as_str()),
            ("gone", "argocd")
        );
        assert_eq!(s.namespace, "ext");
        assert_eq!(s.inventory, "rudder.applyset.gone");
        assert_eq!(s.members, gone.to_vec());
        assert_eq!(
            s.warning(),
            "warning: Application argocd/gone was deleted without the resources finalizer; \
             2 objects stay orphaned (inventory secret ext/rudder.applyset.gone)"
        );
        // Re-created: adopted again, nothing reported.
        let claimed = BTreeSet::from(["live".to_string(), "gone".to_string()]);
        assert!(detect(&secrets, "argocd", &claimed).is_empty());
        // Another controller namespace sees its own orphan only.
        let other = detect(&secrets, "team", &BTreeSet::new());
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].app, "other");
        // Not ours: another tool's parent is ignored even with the annotation.
        let mut foreign = parent("ext", "f", Some("argocd/f"), &[]);
        if let Some(a) = foreign.metadata.annotations.as_mut() {
            a.insert(TOOLING.into(), "kubectl/v1.30".into());
        }
        assert!(detect(&[foreign], "argocd", &BTreeSet::new()).is_empty());
    }

    #[test]
    fn counts_and_condition() {
        let sets = vec![
            OrphanedSet {
                app_namespace: "argocd".into(),
                app: "a".into(),
                namespace: "ext".into(),
                inventory: "rudder.applyset.a".into(),
                members: vec![
                    obj("Service", "ext", "s"),
                    obj("Namespace", "", "ext"),
                    obj("Service", "other", "t"),
                ],
            },
            OrphanedSet {
                app_namespace: "argocd".into(),
                app: "b".into(),
                namespace: "ext".into(),
                inventory: "rudder.applyset.b".into(),
                members: vec![obj("Service", "ext", "u")],
            },
        ];
        assert_eq!(count_in(&sets, "ext"), 2);
        assert_eq!(count_in(&sets, "other"), 1);
        assert_eq!(count_in(&sets, "none"), 0);
        assert_eq!(
            per_app(&sets),
            BTreeMap::from([("a".to_string(), 3), ("b".to_string(), 1)])
        );
        assert_eq!(condition(0, "T"), None);
        let c = condition(2, "T").expect("condition");
        assert_eq!(c["type"], "OrphanedResourceWarning");
        assert_eq!(c["message"], "Application has 2 orphaned resources");
        let one = OrphanedSet {
            members: vec![obj("Service", "ext", "u")],
            ..sets[1].clone()
        };
        assert!(one.warning().contains("; 1 object stays orphaned"));
    }

    #[test]
    fn status_condition() {
        use crate::sync::reconcile::{status_json, SyncOutcome};
        let app = Application::default();
        let ok = SyncOutcome {
            phase: "Succeeded".into(),
            orphaned: 3,
            ..SyncOutcome::default()
        };
        let s = status_json(&app, &ok);
        assert_eq!(s["conditions"][0]["type"], "OrphanedResourceWarning");
        assert_eq!(
            s["conditions"][0]["message"],
            "Application has 3 orphaned resources"
        );
        assert_eq!(s["conditions"].as_array().map(Vec::len), Some(1));
        let mut e = SyncOutcome::error(None, "boom".into());
        e.orphaned = 1;
        let s = status_json(&app, &e);
        assert_eq!(s["conditions"][0]["type"], "ComparisonError");
        assert_eq!(s["conditions"][1]["type"], "OrphanedResourceWarning");
        e.orphaned = 0;
        assert_eq!(
            status_json(&app, &e)["conditions"].as_array().map(Vec::len),
            Some(1)
        );
    }
}
