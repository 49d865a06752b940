//! A watch of the Applications themselves, so the controller reacts within a second to a
//! new app, a changed spec, a deletion, or Argo CD's refresh annotation
//! (`argocd.argoproj.io/refresh`), instead of at the next poll. Status writes (rudder's own,
//! every reconcile) change neither the spec nor the annotation, so they are ignored.
//!
//! The annotation is also how a standby replica passes a webhook on: it cannot reconcile,
//! so it annotates the matching apps and the leader refreshes them and removes it, as
//! Argo CD's API server does for the application controller.

use super::logging;
use super::reconcile::{app_api, STATUS_MANAGER};
use super::webhook::{normalize_url, WebhookTarget};
use futures_util::StreamExt;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Argo CD's annotation asking for a refresh (`normal` or `hard`).
pub const REFRESH_ANNOTATION: &str = "argocd.argoproj.io/refresh";

/// What happened to an app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// Created, spec changed, or deletion started.
    Changed(String),
    /// The refresh annotation was set.
    Refresh(String),
}

/// What decides whether an event matters: the spec, the deletion mark, the annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    spec: String,
    deleting: bool,
}

fn seen(o: &DynamicObject) -> Seen {
    Seen {
        spec: o.data.get("spec").map(Json::to_string).unwrap_or_default(),
        deleting: o.metadata.deletion_timestamp.is_some(),
    }
}

fn wants_refresh(o: &DynamicObject) -> bool {
    o.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(REFRESH_ANNOTATION))
}

/// The event for `o` given what was seen of it before (None: nothing to do).
fn classify(before: Option<&Seen>, o: &DynamicObject) -> Option<AppEvent> {
    let name = o.metadata.name.clone()?;
    if wants_refresh(o) {
        return Some(AppEvent::Refresh(name));
    }
    let now = seen(o);
    (before != Some(&now)).then_some(AppEvent::Changed(name))
}

/// Watches the Applications of `namespace` until the receiver is dropped. The first list
/// only records the apps (the first poll handles them); later lists after a broken watch
/// report what changed meanwhile.
pub async fn watch_apps(client: kube::Client, namespace: String, tx: UnboundedSender<AppEvent>) {
    let api = app_api(&client, &namespace);
    let mut known: HashMap<String, Seen> = HashMap::new();
    let mut first = true;
    loop {
        let list = match api.list(&ListParams::default()).await {
            Ok(l) => l,
            Err(e) => {
                logging::event(
                    "WARN",
                    "watch_error",
                    &[
                        ("kind", "Application".into()),
                        ("message", e.to_string().into()),
                    ],
                );
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let mut rv = list.metadata.resource_version.clone().unwrap_or_default();
        let mut fresh = HashMap::new();
        for o in &list.items {
            let Some(name) = o.metadata.name.clone() else {
                continue;
            };
            let ev = classify(known.get(&name), o);
            if let Some(ev) = ev.filter(|e| !first || matches!(e, AppEvent::Refresh(_))) {
                if tx.send(ev).is_err() {
                    return;
                }
            }
            fresh.insert(name, seen(o));
        }
        known = fresh;
        first = false;
        'watch: loop {
            let wp = WatchParams::default().timeout(290);
            let Ok(stream) = api.watch(&wp, &rv).await else {
                break 'watch;
            };
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                let o = match ev {
                    Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => o,
                    Ok(WatchEvent::Deleted(o)) => {
                        if let Some(n) = &o.metadata.name {
                            known.remove(n);
                        }
                        continue;
                    }
                    Ok(WatchEvent::Bookmark(b)) => {
                        rv = b.metadata.resource_version;
                        continue;
                    }
                    Ok(WatchEvent::Error(_)) | Err(_) => break 'watch,
                };
                if let Some(v) = &o.metadata.resource_version {
                    rv = v.clone();
                }
                let Some(name) = o.metadata.name.clone() else {
                    continue;
                };
                if let Some(ev) = classify(known.get(&name), &o) {
                    if tx.send(ev).is_err() {
                        return;
                    }
                }
                known.insert(name, seen(&o));
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Sets the refresh annotation on the apps of `namespace` that `target` concerns (what a
/// standby replica does with a webhook). Returns how many were annotated.
pub async fn request_refresh(
    client: &kube::Client,
    namespace: &str,
    target: &WebhookTarget,
) -> Result<usize, String> {
    let api = app_api(client, namespace);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("listing applications: {e}"))?;
    let mut n = 0;
    for o in list.items {
        let url = o
            .data
            .pointer("/spec/source/repoURL")
            .and_then(Json::as_str)
            .unwrap_or("");
        let hit = match target {
            WebhookTarget::All => true,
            WebhookTarget::Repos(urls) => urls.contains(&normalize_url(url)),
        };
        let Some(name) = o.metadata.name.as_deref().filter(|_| hit) else {
            continue;
        };
        set_refresh(&api, name, Some("normal")).await?;
        n += 1;
    }
    Ok(n)
}

/// Sets (Some) or removes (None) the refresh annotation of one app.
pub async fn set_refresh(
    api: &Api<DynamicObject>,
    name: &str,
    value: Option<&str>,
) -> Result<(), String> {
    let patch = json!({"metadata": {"annotations": {REFRESH_ANNOTATION: value}}});
    let pp = PatchParams {
        field_manager: Some(STATUS_MANAGER.into()),
        ..PatchParams::default()
    };
    match api.patch(name, &pp, &Patch::Merge(&patch)).await {
        Ok(_) => Ok(()),
        // Deleted meanwhile: nothing to refresh.
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
        Err(e) => Err(format!("annotating application {name}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(spec: Json, annotations: Option<Json>, deleting: bool) -> DynamicObject {
        let mut meta = json!({"name": "a"});
        if let Some(a) = annotations {
            meta["annotations"] = a;
        }
        if deleting {
            meta["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        serde_json::from_value(json!({"apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application", "metadata": meta, "spec": spec,
            "status": {"sync": {"status": "Synced"}}}))
        .expect("object")
    }

    #[test]
    fn only_spec_deletion_and_refresh_count() {
        let a = app(json!({"source": {"path": "x"}}), None, false);
        // New app.
        assert_eq!(classify(None, &a), Some(AppEvent::Changed("a".into())));
        let s = seen(&a);
        // A status write: same spec.
        let mut b = a.clone();
        b.data["status"] = json!({"sync": {"status": "OutOfSync"}});
        assert_eq!(classify(Some(&s), &b), None);
        // Spec change.
        let c = app(json!({"source": {"path": "y"}}), None, false);
        assert_eq!(classify(Some(&s), &c), Some(AppEvent::Changed("a".into())));
        // Deletion started.
        let d = app(json!({"source": {"path": "x"}}), None, true);
        assert_eq!(classify(Some(&s), &d), Some(AppEvent::Changed("a".into())));
        // Refresh annotation, whatever else.
        let r = app(
            json!({"source": {"path": "x"}}),
            Some(json!({REFRESH_ANNOTATION: "normal"})),
            false,
        );
        assert_eq!(classify(Some(&s), &r), Some(AppEvent::Refresh("a".into())));
    }
}
