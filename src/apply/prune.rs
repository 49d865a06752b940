//! Prune guards: which inventory members may be deleted.

use super::inventory::Member;
use super::objects::{ObjectRef, PART_OF};
use serde_json::Value as Json;

/// Argo CD's per-object sync options annotation (`Prune=false` opts out).
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// Helm's keep policy (`helm.sh/resource-policy: keep`).
pub const RESOURCE_POLICY: &str = "helm.sh/resource-policy";
/// More than this many objects…
pub const BLAST_COUNT: usize = 20;

/// Checks one prune candidate against its live object. `Ok(())` means it may be deleted
/// (with a UID precondition); `Err(reason)` says which guard keeps it.
pub fn guard(
    member: &Member,
    live: &Json,
    applyset_id: &str,
    field_manager: &str,
) -> Result<(), String> {
    guard_detail(member, live, applyset_id, field_manager).map_err(|(r, _)| r)
}

/// Whether a kept candidate stays in the inventory: opted-out objects are still ours (and
/// tracked); objects that lost our label, changed UID or have a controller are not.
pub fn still_ours(live: &Json, applyset_id: &str, member: &Member, field_manager: &str) -> bool {
    matches!(
        guard_detail(member, live, applyset_id, field_manager),
        Err((_, true)) | Ok(())
    )
}

fn guard_detail(
    member: &Member,
    live: &Json,
    applyset_id: &str,
    field_manager: &str,
) -> Result<(), (String, bool)> {
    let nr = |m: String| (m, false);
    guard_identity(member, live, applyset_id, field_manager).map_err(nr)?;
    guard_opt_out(live).map_err(|m| (m, true))
}

fn guard_identity(
    member: &Member,
    live: &Json,
    applyset_id: &str,
    field_manager: &str,
) -> Result<(), String> {
    let meta = &live["metadata"];
    let label = meta["labels"][PART_OF].as_str();
    if label != Some(applyset_id) {
        return Err("no longer carries our applyset.kubernetes.io/part-of label".into());
    }
    let uid = meta["uid"].as_str().unwrap_or("");
    match &member.uid {
        Some(recorded) if recorded != uid => {
            return Err(format!(
                "UID changed ({recorded} recorded, {uid} live): recreated by someone else"
            ));
        }
        Some(_) => {}
        None => {
            // Written ahead of an apply that never confirmed it: require our own Apply entry.
            let ours = meta["managedFields"].as_array().is_some_and(|mf| {
                mf.iter().any(|e| {
                    e["manager"].as_str() == Some(field_manager)
                        && e["operation"].as_str() == Some("Apply")
                })
            });
            if !ours {
                return Err("no recorded UID and not applied by us".into());
            }
        }
    }
    if let Some(refs) = meta["ownerReferences"].as_array() {
        if refs.iter().any(|r| r["controller"].as_bool() == Some(true)) {
            return Err("has a controller ownerReference".into());
        }
    }
    Ok(())
}

fn guard_opt_out(live: &Json) -> Result<(), String> {
    let meta = &live["metadata"];
    let ann = |k: &str| meta["annotations"][k].as_str().unwrap_or("");
    if ann(SYNC_OPTIONS)
        .split(',')
        .any(|o| o.trim() == "Prune=false")
    {
        return Err(format!("annotated {SYNC_OPTIONS}: Prune=false"));
    }
    if ann(RESOURCE_POLICY) == "keep" {
        return Err(format!("annotated {RESOURCE_POLICY}: keep"));
    }
    Ok(())
}

/// Kinds whose prune always needs confirmation.
pub fn is_dangerous(o: &ObjectRef) -> bool {
    matches!(
        (o.group.as_str(), o.kind.as_str()),
        ("", "Namespace")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("", "PersistentVolume")
            | ("", "PersistentVolumeClaim")
            | ("argoproj.io", "Application")
    )
}

/// True when pruning `candidates` out of a set of `set_size` members exceeds the blast radius
/// (more than half of the set, when that is more than [`BLAST_COUNT`] objects).
pub fn too_many(candidates: usize, set_size: usize) -> bool {
    candidates > BLAST_COUNT && candidates * 2 > set_size
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "applyset-x-v1";

    fn member(uid: Option<&str>) -> Member {
        Member {
            obj: ObjectRef {
                group: String::new(),
                version: "v1".into(),
                kind: "Service".into(),
                namespace: "ns".into(),
                name: "s".into(),
            },
            uid: uid.map(str::to_string),
        }
    }

    fn live(extra: Json) -> Json {
        let mut meta = json!({"uid": "u1", "labels": {PART_OF: ID}});
        if let (Some(m), Some(e)) = (meta.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                m.insert(k.clone(), v.clone());
            }
        }
        json!({ "metadata": meta })
    }

    #[test]
    fn each_guard_holds() {
        assert_eq!(
            guard(&member(Some("u1")), &live(json!({})), ID, "rudder"),
            Ok(())
        );
        // label gone / another set
        assert!(guard(
            &member(Some("u1")),
            &live(json!({"labels": {}})),
            ID,
            "rudder"
        )
        .is_err());
        assert!(guard(
            &member(Some("u1")),
            &live(json!({"labels": {PART_OF: "applyset-y-v1"}})),
            ID,
            "rudder"
        )
        .is_err());
        // UID changed
        let e = guard(&member(Some("u0")), &live(json!({})), ID, "rudder").unwrap_err();
        assert!(e.contains("UID changed"), "{e}");
        // no UID recorded: needs our Apply entry
        assert!(guard(&member(None), &live(json!({})), ID, "rudder").is_err());
        let mf = json!({"managedFields": [{"manager": "rudder", "operation": "Apply"}]});
        assert_eq!(guard(&member(None), &live(mf), ID, "rudder"), Ok(()));
        // controller owner
        let owned = json!({"ownerReferences": [{"controller": true, "kind": "X", "name": "x"}]});
        assert!(guard(&member(Some("u1")), &live(owned), ID, "rudder").is_err());
        let not_controller = json!({"ownerReferences": [{"kind": "X", "name": "x"}]});
        assert_eq!(
            guard(&member(Some("u1")), &live(not_controller), ID, "rudder"),
            Ok(())
        );
        // opt-outs
        let argo = json!({"annotations": {SYNC_OPTIONS: "ServerSideApply=true, Prune=false"}});
        assert!(guard(&member(Some("u1")), &live(argo), ID, "rudder").is_err());
        let keep = json!({"annotations": {RESOURCE_POLICY: "keep"}});
        assert!(guard(&member(Some("u1")), &live(keep), ID, "rudder").is_err());
    }

    #[test]
    fn blast_radius() {
        assert!(!too_many(20, 30)); // not more than 20
        assert!(too_many(21, 40)); // 21 > 20 and more than half
        assert!(!too_many(21, 42)); // exactly half
        assert!(!too_many(3, 4)); // small sets may shrink
        let mut o = member(None).obj;
        assert!(!is_dangerous(&o));
        o.kind = "PersistentVolumeClaim".into();
        assert!(is_dangerous(&o));
        o.kind = "Namespace".into();
        assert!(is_dangerous(&o));
    }
}
