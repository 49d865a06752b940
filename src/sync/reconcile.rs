//! One reconcile of one Application: fetch, render, apply (and prune), then write `.status`
//! the way Argo CD does, so `kubectl get applications` and dashboards read it unchanged.
//!
//! Pruning is only ever allowed after a successful fetch *and* render: any earlier failure
//! returns before `apply` is called, so the cluster is untouched and the error lands in the
//! app's status (`ComparisonError`).

use super::application::{Application, GROUP, RESOURCES_FINALIZER, VERSION};
use super::git::GitCache;
use super::settings::{health_options, repo_auth};
use super::source::{render_source, Capabilities};
use crate::apply::health::HealthOptions;
use crate::apply::{self, Action, ApplyOptions, ApplyReport, ClusterContext, ObjectRef};
use crate::render::Rendered;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::{json, Value as Json};
use std::sync::{Arc, Mutex};

/// History entries kept in `status.history` (Argo CD's default revisionHistoryLimit).
const HISTORY_LIMIT: usize = 10;

/// Shared state of reconciles: the cluster and the git cache.
#[derive(Clone)]
pub struct Reconciler {
    /// The destination cluster (discovery cached).
    pub ctx: ClusterContext,
    /// Fetched repositories; locked only on blocking threads.
    pub git: Arc<Mutex<GitCache>>,
    /// Controller metrics.
    pub metrics: Arc<super::metrics::Metrics>,
    /// Renders per app, reused while their inputs are unchanged.
    pub renders: Arc<super::render_cache::RenderCache>,
    /// Orphaned sets found by the last full poll (for `OrphanedResourceWarning`).
    pub orphans: Arc<Mutex<Vec<super::orphans::OrphanedSet>>>,
}

/// The result of one sync attempt.
#[derive(Clone, Debug, Default)]
pub struct SyncOutcome {
    /// The commit the source resolved to (None when the fetch failed).
    pub revision: Option<String>,
    /// `Synced`, `OutOfSync` or `Unknown` (comparison failed).
    pub sync_status: String,
    /// Aggregated health of the applied objects.
    pub health: String,
    /// `Succeeded`, `Failed` or `Error` (fetch/render failure: nothing was applied).
    pub phase: String,
    /// Human-readable outcome.
    pub message: String,
    /// Per object: ref, sync status and health.
    pub resources: Vec<ResourceStatus>,
    /// True when the apply created, changed or deleted something.
    pub changed: bool,
    /// A comparison only (manual sync policy): no operation ran, so `operationState` and
    /// `history` are left as they are.
    pub refresh_only: bool,
    /// Orphaned objects in the app's destination namespace (`OrphanedResourceWarning`).
    pub orphaned: usize,
}

/// One entry of `status.resources`.
#[derive(Clone, Debug)]
pub struct ResourceStatus {
    /// The object.
    pub object: ObjectRef,
    /// `Synced` or `OutOfSync`.
    pub status: String,
    /// Health (`Missing` for an object not created yet).
    pub health: String,
}

impl SyncOutcome {
    pub(crate) fn error(revision: Option<String>, message: String) -> SyncOutcome {
        SyncOutcome {
            revision,
            sync_status: "Unknown".into(),
            health: "Unknown".into(),
            phase: "Error".into(),
            message,
            ..SyncOutcome::default()
        }
    }
}

/// The API resource of Argo CD Applications.
pub fn application_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(GROUP, VERSION, "Application"),
        "applications",
    )
}

/// The Applications of `namespace`.
pub fn app_api(client: &kube::Client, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), namespace, &application_resource())
}

/// Lists and parses the Applications of `namespace` (unparseable ones are reported as Err).
pub async fn list_apps(
    client: &kube::Client,
    namespace: &str,
) -> Result<Vec<Result<Application, String>>, String> {
    let list = app_api(client, namespace)
        .list(&Default::default())
        .await
        .map_err(|e| format!("listing applications in {namespace}: {e}"))?;
    Ok(list
        .items
        .into_iter()
        .map(|o| {
            serde_json::to_value(o)
                .map_err(|e| e.to_string())
                .and_then(Application::from_json)
        })
        .collect())
}

/// Fetches one Application by name.
pub async fn get_app(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Application, String> {
    let o = app_api(client, namespace)
        .get(name)
        .await
        .map_err(|e| format!("application {name}: {e}"))?;
    serde_json::to_value(o)
        .map_err(|e| e.to_string())
        .and_then(Application::from_json)
}

impl Reconciler {
    /// Fetches and renders `app`'s source: the commit SHA and the rendered set, or the
    /// error outcome (nothing may be applied or pruned then).
    pub(crate) async fn fetch_render(
        &self,
        app: &Application,
    ) -> Result<(String, Arc<Rendered>), SyncOutcome> {
        let git = self.git.clone();
        let renders = self.renders.clone();
        let url = app.spec.source.repo_url.clone();
        let rev = app.target_revision().to_string();
        let caps = Capabilities {
            api_versions: self.ctx.api_versions(),
            kube_version: Some(self.ctx.kube_version()),
        };
        let app2 = app.clone();
        let auth = repo_auth(self.ctx.client(), app.namespace(), &url).await;
        // git and the template engine block: both run on a blocking thread.
        let res = tokio::task::spawn_blocking(move || {
            let checkout = match git.lock() {
                Ok(mut g) => g
                    .checkout_with(&url, &rev, &auth)
                    .map(|(s, d)| (s, d, g.repo_dir(&url))),
                Err(_) => Err("git cache lock poisoned".to_string()),
            };
            let (sha, dir, git_dir) = checkout.map_err(|e| (None, e))?;
            let digest = super::render_cache::input_digest(&git_dir, &sha, &app2, &caps);
            if let Some(r) = renders.get(&app2, digest.as_deref()) {
                return Ok((sha, r));
            }
            let rendered = render_source(&app2, &dir, &caps).map_err(|e| (Some(sha.clone()), e))?;
            let rendered = Arc::new(rendered);
            renders.put(&app2, digest, rendered.clone());
            Ok::<_, (Option<String>, String)>((sha, rendered))
        })
        .await;
        match res {
            Ok(Ok(v)) => Ok(v),
            Ok(Err((sha, e))) => {
                let what = if sha.is_none() {
                    "Failed to fetch source"
                } else {
                    "Failed to render source"
                };
                Err(SyncOutcome::error(sha, format!("{what}: {e}")))
            }
            Err(e) => Err(SyncOutcome::error(None, format!("render task failed: {e}"))),
        }
    }

    pub(crate) fn apply_options(app: &Application, prune: bool) -> ApplyOptions {
        let skip_crds = app.spec.source.helm.as_ref().is_some_and(|h| h.skip_crds);
        ApplyOptions {
            prune,
            force_conflicts: true,
            adopt: true,
            create_namespace: app.sync_option("CreateNamespace"),
            render_complete: true,
            include_crds: !skip_crds,
            // App-of-apps: children removed from Git are pruned, as Argo CD does; their own
            // resources follow only if they carry the resources finalizer.
            confirm_kinds: vec!["Application".into()],
            owner: Some(super::orphans::owner_of(app)),
            ..ApplyOptions::default()
        }
    }

    /// Compares `app`'s source with the cluster without changing anything (manual sync
    /// policy): `Synced` when a server-side dry run changes nothing and nothing needs pruning.
    pub async fn refresh(&self, app: &Application) -> SyncOutcome {
        let (sha, rendered) = match self.fetch_render(app).await {
            Ok(v) => v,
            Err(mut out) => {
                out.refresh_only = true;
                return out;
            }
        };
        let opts = Self::apply_options(app, true);
        let diff = apply::diff(
            &self.ctx,
            app.inventory_name(),
            app.dest_namespace(),
            &rendered,
            &opts,
        )
        .await;
        let diff = match diff {
            Ok(d) => d,
            Err(e) => {
                let mut out = SyncOutcome::error(Some(sha), format!("Failed to compare: {e}"));
                out.refresh_only = true;
                return out;
            }
        };
        let hopts = health_options(self.ctx.client(), app.namespace()).await;
        let mut resources = Vec::new();
        let mut worst = "Healthy".to_string();
        for o in &diff.objects {
            let health = match o.action {
                Action::Created => "Missing".to_string(),
                _ => {
                    super::health::object_health_with(&self.ctx, &o.object, &hopts)
                        .await
                        .status
                }
            };
            if !matches!(o.action, Action::Pruned)
                && super::health::rank(&health) > super::health::rank(&worst)
            {
                worst = health.clone();
            }
            let status = if o.action == Action::Unchanged {
                "Synced"
            } else {
                "OutOfSync"
            };
            resources.push(ResourceStatus {
                object: o.object.clone(),
                status: status.into(),
                health,
            });
        }
        SyncOutcome {
            revision: Some(sha),
            sync_status: if diff.is_empty() {
                "Synced"
            } else {
                "OutOfSync"
            }
            .into(),
            health: worst,
            phase: "Succeeded".into(),
            message: String::new(),
            resources,
            refresh_only: true,
            ..SyncOutcome::default()
        }
    }

    /// Fetches, renders and applies `app`. `prune` deletes objects no longer rendered.
    pub async fn sync(&self, app: &Application, prune: bool) -> SyncOutcome {
        let (sha, rendered) = match self.fetch_render(app).await {
            Ok(v) => v,
            Err(out) => return out,
        };
        let opts = Self::apply_options(app, prune);
        let report = apply::apply(
            &self.ctx,
            app.inventory_name(),
            app.dest_namespace(),
            &rendered,
            &opts,
        )
        .await;
        match report {
            Ok(report) => {
                super::logging::prunes(&app.metadata.name, &sha, &report);
                let hopts = health_options(self.ctx.client(), app.namespace()).await;
                self.outcome(sha, &report, &hopts).await
            }
            Err(e) => SyncOutcome {
                revision: Some(sha),
                sync_status: "OutOfSync".into(),
                health: "Unknown".into(),
                phase: "Failed".into(),
                message: format!("one or more objects failed to apply: {e}"),
                ..SyncOutcome::default()
            },
        }
    }

    async fn outcome(
        &self,
        sha: String,
        report: &ApplyReport,
        hopts: &HealthOptions,
    ) -> SyncOutcome {
        let mut resources = Vec::new();
        let mut worst = "Healthy".to_string();
        for r in &report.results {
            if matches!(r.action, Action::Pruned | Action::HookRan) {
                continue;
            }
            let h = super::health::object_health_with(&self.ctx, &r.object, hopts)
                .await
                .status;
            if super::health::rank(&h) > super::health::rank(&worst) {
                worst = h.clone();
            }
            resources.push(ResourceStatus {
                object: r.object.clone(),
                status: "Synced".into(),
                health: h,
            });
        }
        let mut message = "successfully synced (all tasks run)".to_string();
        if let Some(why) = &report.prune_refused {
            message = format!("synced; prune refused: {why}");
        } else if report.prune_blocked() {
            message = "synced; some prunes need confirmation (blast-radius limit)".into();
        }
        SyncOutcome {
            revision: Some(sha),
            sync_status: "Synced".into(),
            health: worst,
            phase: "Succeeded".into(),
            message,
            resources,
            changed: !report.is_noop(),
            ..SyncOutcome::default()
        }
    }

    /// Syncs `app` (pruning per its automated policy) and writes its status.
    pub async fn reconcile(&self, app: &Application) -> Result<SyncOutcome, String> {
        let prune = app.automated_policy().is_some_and(|a| a.prune);
        let out = self.with_orphans(app, self.sync(app, prune).await);
        write_status(self.ctx.client(), app, &out).await?;
        Ok(out)
    }

    /// Handles a deleted app: with the resources finalizer, deletes what it applied, then
    /// removes the finalizer so the API server can drop the Application.
    pub async fn finalize(&self, app: &Application) -> Result<(), String> {
        if !app.has_resources_finalizer() {
            return Ok(());
        }
        let opts = ApplyOptions {
            force_conflicts: true,
            // Deleting the app is the user's explicit confirmation.
            confirm_prune: true,
            owner: Some(super::orphans::owner_of(app)),
            ..ApplyOptions::default()
        };
        match apply::delete(&self.ctx, app.inventory_name(), app.dest_namespace(), &opts).await {
            Ok(_) => {}
            // Never applied: nothing to delete.
            Err(apply::ApplyError::Inventory(m)) if m.contains("has no inventory") => {}
            Err(e) => return Err(format!("deleting resources of {}: {e}", app.metadata.name)),
        }
        let rest: Vec<&String> = app
            .metadata
            .finalizers
            .iter()
            .filter(|f| {
                f.as_str() != RESOURCES_FINALIZER
                    && !f.starts_with(&format!("{RESOURCES_FINALIZER}/"))
            })
            .collect();
        let patch = json!({"metadata": {"finalizers": rest}});
        merge_patch_app(self.ctx.client(), app, &patch)
            .await
            .map_err(|e| format!("removing finalizer of {}: {e}", app.metadata.name))
    }
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Builds the Argo CD-shaped `.status` for `out`, appending to the app's history.
pub fn status_json(app: &Application, out: &SyncOutcome) -> Json {
    let old = app.status.clone().unwrap_or(Json::Null);
    let ts = now();
    let source = serde_json::to_value(&app.spec.source).unwrap_or(Json::Null);
    let destination = serde_json::to_value(&app.spec.destination).unwrap_or(Json::Null);
    let revision = out.revision.clone().unwrap_or_default();
    let mut history: Vec<Json> = old
        .get("history")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let last_rev = history
        .last()
        .and_then(|h| h.get("revision"))
        .and_then(Json::as_str)
        .map(str::to_string);
    if !out.refresh_only
        && out.phase == "Succeeded"
        && (out.changed || last_rev.as_deref() != Some(&revision))
    {
        let id = history
            .iter()
            .filter_map(|h| h.get("id").and_then(Json::as_i64))
            .max()
            .unwrap_or(-1)
            + 1;
        history.push(json!({"id": id, "revision": revision, "deployedAt": ts,
            "deployStartedAt": ts, "source": source}));
        let excess = history.len().saturating_sub(HISTORY_LIMIT);
        history.drain(..excess);
    }
    let resources: Vec<Json> = out
        .resources
        .iter()
        .map(|rs| {
            let o = &rs.object;
            let mut r = json!({"group": o.group, "version": o.version, "kind": o.kind,
                "name": o.name, "status": rs.status, "health": {"status": rs.health}});
            if !o.namespace.is_empty() {
                r["namespace"] = json!(o.namespace);
            }
            r
        })
        .collect();
    let mut conditions: Vec<Json> = match out.phase.as_str() {
        "Error" => vec![json!({"type": "ComparisonError", "message": out.message,
            "lastTransitionTime": ts})],
        "Failed" => vec![json!({"type": "SyncError", "message": out.message,
            "lastTransitionTime": ts})],
        _ => Vec::new(),
    };
    conditions.extend(super::orphans::condition(out.orphaned, &ts));
    let conditions = if conditions.is_empty() {
        Json::Null
    } else {
        json!(conditions)
    };
    let mut status = json!({
        "sync": {"status": out.sync_status, "comparedTo": {"source": source,
            "destination": destination}},
        "health": {"status": out.health},
        "operationState": {
            "phase": out.phase,
            "message": out.message,
            "startedAt": ts,
            "finishedAt": ts,
            "operation": {"sync": {"revision": revision}, "initiatedBy": {"automated": true}},
            "syncResult": {"revision": revision, "source": source},
        },
        "history": history,
        "reconciledAt": ts,
        "sourceType": if app.spec.source.helm.is_some() { "Helm" } else { "Directory" },
        "conditions": conditions,
    });
    if out.revision.is_some() {
        status["sync"]["revision"] = json!(revision);
    }
    if out.refresh_only {
        // No operation ran: the last operation and the history stay as they were.
        if let Some(m) = status.as_object_mut() {
            m.remove("operationState");
            m.remove("history");
        }
    }
    // A failed fetch or render leaves the last known resources in place (nothing changed).
    if out.phase == "Succeeded" {
        status["resources"] = json!(resources);
    }
    status
}

/// Field manager of status and finalizer writes (distinct from the apply manager, so the
/// app-of-apps' server-side apply of a child Application never fights over `.status`).
pub const STATUS_MANAGER: &str = "rudder-controller";

/// Writes `out` into the app's `.status`. Argo CD's Application CRD has no status
/// subresource, so (like Argo CD) this patches the object itself.
pub async fn write_status(
    client: &kube::Client,
    app: &Application,
    out: &SyncOutcome,
) -> Result<(), String> {
    let patch = json!({"status": status_json(app, out)});
    merge_patch_app(client, app, &patch)
        .await
        .map_err(|e| format!("writing status of {}: {e}", app.metadata.name))
}

/// A JSON merge patch of an Application under the controller's status field manager.
async fn merge_patch_app(
    client: &kube::Client,
    app: &Application,
    patch: &Json,
) -> Result<(), kube::Error> {
    let params = PatchParams {
        field_manager: Some(STATUS_MANAGER.into()),
        ..PatchParams::default()
    };
    app_api(client, app.namespace())
        .patch(&app.metadata.name, &params, &Patch::Merge(patch))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(phase: &str, rev: &str, changed: bool) -> SyncOutcome {
        SyncOutcome {
            revision: Some(rev.into()),
            sync_status: "Synced".into(),
            health: "Healthy".into(),
            phase: phase.into(),
            message: "m".into(),
            resources: Vec::new(),
            changed,
            refresh_only: false,
            orphaned: 0,
        }
    }

    #[test]
    fn history_grows_only_on_new_syncs() {
        let mut app = Application::default();
        let s = status_json(&app, &outcome("Succeeded", "a", true));
        assert_eq!(s["history"].as_array().map(Vec::len), Some(1));
        assert_eq!(s["history"][0]["id"], 0);
        assert_eq!(s["sync"]["revision"], "a");
        assert_eq!(s["operationState"]["syncResult"]["revision"], "a");
        assert!(s["conditions"].is_null());
        app.status = Some(s);
        // Same revision, nothing changed: no new entry.
        let s = status_json(&app, &outcome("Succeeded", "a", false));
        assert_eq!(s["history"].as_array().map(Vec::len), Some(1));
        app.status = Some(s);
        let s = status_json(&app, &outcome("Succeeded", "b", false));
        assert_eq!(s["history"][1]["id"], 1);
        app.status = Some(s);
        // Failures keep history and report a condition.
        let s = status_json(&app, &SyncOutcome::error(None, "boom".into()));
        assert_eq!(s["history"].as_array().map(Vec::len), Some(2));
        assert_eq!(s["sync"]["status"], "Unknown");
        assert_eq!(s["conditions"][0]["type"], "ComparisonError");
        assert!(s["resources"].is_null());
        app.status = Some(s);
        // A refresh (manual policy) reports sync status but no operation or history.
        let mut r = outcome("Succeeded", "c", false);
        r.refresh_only = true;
        r.sync_status = "OutOfSync".into();
        let s = status_json(&app, &r);
        assert_eq!(s["sync"]["status"], "OutOfSync");
        assert!(s.get("operationState").is_none() && s.get("history").is_none());
    }

    #[test]
    fn history_is_capped() {
        let mut app = Application::default();
        for i in 0..15 {
            let s = status_json(&app, &outcome("Succeeded", &format!("r{i}"), true));
            app.status = Some(s);
        }
        let h = app
            .status
            .as_ref()
            .and_then(|s| s["history"].as_array().cloned())
            .unwrap_or_default();
        assert_eq!(h.len(), HISTORY_LIMIT);
        assert_eq!(h[HISTORY_LIMIT - 1]["id"], 14);
    }
}
