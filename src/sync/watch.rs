//! Watch-based selfHeal: metadata-only watches of the kinds that appear in some selfHeal
//! app's resources, filtered by the ApplySet `part-of` label the apply stage writes. A change
//! that is not rudder's own (the newest managedFields entry is not rudder's) is sent to the
//! controller loop, which maps the ApplySet id to its app and re-syncs it after a short
//! debounce.
//!
//! Only group-kinds that some app manages are watched (not every resource, as Argo CD's
//! cluster cache does), and only metadata crosses the wire.

use crate::apply::objects::PART_OF;
use crate::apply::ClusterContext;
use futures_util::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, WatchEvent, WatchParams};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// A change of a managed object by someone other than rudder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// The ApplySet id (`part-of` label) of the object.
    pub applyset_id: String,
    /// `Kind namespace/name`, for the log.
    pub object: String,
    /// `modified`, `deleted` or `added`.
    pub event: &'static str,
}

/// Managers whose writes are rudder's own (apply and status/finalizer writes).
const OWN_MANAGERS: [&str; 2] = [
    crate::apply::FIELD_MANAGER,
    super::reconcile::STATUS_MANAGER,
];

/// Whether the newest write recorded in `managed_fields` came from someone other than
/// rudder. Status-subresource writes (controllers reporting) are not drift. When several
/// entries share the newest timestamp (one-second resolution), any foreign one counts.
pub fn changed_by_other(managed_fields: &[ManagedFieldsEntry]) -> bool {
    let newest = managed_fields.iter().filter_map(|m| m.time.as_ref()).max();
    let Some(newest) = newest else {
        // No timestamps to go by: assume drift (a re-sync is idempotent).
        return true;
    };
    managed_fields
        .iter()
        .filter(|m| m.time.as_ref() == Some(newest))
        .any(|m| {
            let own = m
                .manager
                .as_deref()
                .is_some_and(|n| OWN_MANAGERS.contains(&n));
            let status = m.subresource.as_deref() == Some("status");
            !own && !status
        })
}

/// One watched kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchKey {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

/// The running watches.
#[derive(Debug, Default)]
pub struct Watches {
    tasks: HashMap<WatchKey, JoinHandle<()>>,
}

impl Watches {
    /// Starts watches for kinds in `wanted` not watched yet and stops those no longer wanted.
    /// Kinds discovery does not know are skipped.
    pub fn update(
        &mut self,
        ctx: &ClusterContext,
        wanted: &BTreeSet<WatchKey>,
        tx: &UnboundedSender<Drift>,
    ) {
        self.tasks.retain(|k, t| {
            let keep = wanted.contains(k) && !t.is_finished();
            if !keep {
                t.abort();
            }
            keep
        });
        for k in wanted {
            if self.tasks.contains_key(k) {
                continue;
            }
            let Some(res) = ctx.resolve_gvk(&k.group, &k.version, &k.kind) else {
                continue;
            };
            let api: Api<DynamicObject> = Api::all_with(ctx.client().clone(), &res.resource);
            super::logging::event("INFO", "watch", &[("kind", describe(&res.resource).into())]);
            let tx = tx.clone();
            self.tasks
                .insert(k.clone(), tokio::spawn(watch_kind(api, res.resource, tx)));
        }
    }

    /// Kinds currently watched.
    pub fn watched(&self) -> Vec<WatchKey> {
        let mut v: Vec<_> = self.tasks.keys().cloned().collect();
        v.sort();
        v
    }

    /// Stops every watch.
    pub fn stop(&mut self) {
        for (_, t) in self.tasks.drain() {
            t.abort();
        }
    }
}

impl Drop for Watches {
    fn drop(&mut self) {
        self.stop();
    }
}

fn describe(r: &ApiResource) -> String {
    if r.group.is_empty() {
        r.kind.clone()
    } else {
        format!("{}.{}", r.kind, r.group)
    }
}

/// Lists (for a resourceVersion), then watches from there; re-lists after a 410 or a
/// broken stream. Never returns (aborted by [`Watches`]).
async fn watch_kind(api: Api<DynamicObject>, res: ApiResource, tx: UnboundedSender<Drift>) {
    let what = describe(&res);
    loop {
        let lp = ListParams::default().labels(PART_OF).limit(1);
        let mut rv = match api.list_metadata(&lp).await {
            Ok(l) => l.metadata.resource_version.unwrap_or_default(),
            Err(e) => {
                super::logging::event(
                    "WARN",
                    "watch_error",
                    &[
                        ("kind", what.as_str().into()),
                        ("message", e.to_string().into()),
                    ],
                );
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        'watch: loop {
            let wp = WatchParams::default().labels(PART_OF).timeout(290);
            let stream = match api.watch_metadata(&wp, &rv).await {
                Ok(s) => s,
                Err(_) => break 'watch,
            };
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                let (obj, event) = match ev {
                    Ok(WatchEvent::Added(o)) => (o, "added"),
                    Ok(WatchEvent::Modified(o)) => (o, "modified"),
                    Ok(WatchEvent::Deleted(o)) => (o, "deleted"),
                    Ok(WatchEvent::Bookmark(b)) => {
                        rv = b.metadata.resource_version;
                        continue;
                    }
                    // 410 Gone and other errors: list again.
                    Ok(WatchEvent::Error(_)) | Err(_) => break 'watch,
                };
                let m = &obj.metadata;
                if let Some(v) = &m.resource_version {
                    rv = v.clone();
                }
                let mf = m.managed_fields.as_deref().unwrap_or(&[]);
                // A deletion always counts: the object must come back.
                if event != "deleted" && !changed_by_other(mf) {
                    continue;
                }
                let Some(id) = m.labels.as_ref().and_then(|l| l.get(PART_OF)) else {
                    continue;
                };
                let object = format!(
                    "{} {}{}",
                    what,
                    m.namespace
                        .as_deref()
                        .map(|n| format!("{n}/"))
                        .unwrap_or_default(),
                    m.name.as_deref().unwrap_or("")
                );
                let drift = Drift {
                    applyset_id: id.clone(),
                    object,
                    event,
                };
                if tx.send(drift).is_err() {
                    return;
                }
            }
            // The server closed the watch (timeout): resume from the last version.
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn entry(manager: &str, secs: i64, sub: Option<&str>) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            manager: Some(manager.into()),
            subresource: sub.map(String::from),
            time: k8s_openapi::chrono::DateTime::from_timestamp(secs, 0).map(Time),
            ..ManagedFieldsEntry::default()
        }
    }

    #[test]
    fn own_writes_are_not_drift() {
        assert!(!changed_by_other(&[entry("rudder", 10, None)]));
        assert!(changed_by_other(&[
            entry("rudder", 10, None),
            entry("kubectl-edit", 11, None)
        ]));
        assert!(!changed_by_other(&[
            entry("kubectl-edit", 10, None),
            entry("rudder", 11, None)
        ]));
        // A controller writing status is not drift.
        assert!(!changed_by_other(&[
            entry("rudder", 10, None),
            entry("kube-controller-manager", 12, Some("status"))
        ]));
        // Same second: a foreign write counts.
        assert!(changed_by_other(&[
            entry("rudder", 10, None),
            entry("kubectl-patch", 10, None)
        ]));
        assert!(!changed_by_other(&[entry("rudder-controller", 10, None)]));
        assert!(changed_by_other(&[]));
    }
}
