//! The polling side of `rudder controller`: every interval (with jitter) list the
//! Applications of one namespace, fetch each repository once, finalize apps being deleted,
//! and sync those with an automated policy (the others are compared and their status
//! written). Every poll re-applies selfHeal apps, which server-side apply makes idempotent;
//! between polls, [`super::runtime`] reverts drift from watch events and refreshes on
//! webhooks. Each handled app is timed, counted in [`super::metrics`] and logged. Every full
//! poll first looks for sets orphaned by apps deleted without the resources finalizer
//! ([`super::orphans`]): logged, counted, and warned about in the status of the apps that
//! deploy to the same namespace.

use super::application::Application;
use super::git::GitCache;
use super::logging;
use super::orphans::OrphanedSet;
use super::reconcile::{list_apps, write_status, Reconciler, SyncOutcome};
use crate::apply::ClusterContext;
use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Rounds of re-listing within one poll, so apps created by an app-of-apps sync in the same
/// poll (bounded: app-of-apps chains are short).
const MAX_ROUNDS: usize = 5;

/// Options of the controller loop.
#[derive(Clone, Debug)]
pub struct ControllerOptions {
    /// Namespace holding the Applications.
    pub namespace: String,
    /// Time between polls (Argo CD's default is 180 s).
    pub poll_interval: Duration,
    /// Where git mirrors and checkouts are kept.
    pub cache_dir: PathBuf,
}

impl Default for ControllerOptions {
    fn default() -> Self {
        ControllerOptions {
            namespace: "argocd".into(),
            poll_interval: Duration::from_secs(180),
            cache_dir: std::env::temp_dir().join("rudder-sync-cache"),
        }
    }
}

/// What one poll did, per app name.
#[derive(Debug, Default)]
pub struct PollReport {
    /// Apps synced, with their outcome (or the error writing their status).
    pub synced: Vec<(String, Result<SyncOutcome, String>)>,
    /// Apps whose resources were deleted and finalizer removed (or the error).
    pub finalized: Vec<(String, Result<(), String>)>,
    /// Apps with a manual sync policy, compared only (status written, nothing applied).
    pub refreshed: Vec<(String, Result<SyncOutcome, String>)>,
    /// Unparseable apps.
    pub skipped: Vec<String>,
    /// Sets left behind by apps deleted without the resources finalizer (full polls only).
    pub orphaned: Vec<super::orphans::OrphanedSet>,
}

impl Reconciler {
    /// A reconciler for `ctx` with a git cache under `cache_dir`.
    pub fn new(ctx: ClusterContext, cache_dir: PathBuf) -> Reconciler {
        let metrics = Arc::new(super::metrics::Metrics::default());
        Reconciler {
            ctx,
            git: Arc::new(Mutex::new(GitCache::new(cache_dir))),
            renders: Arc::new(super::render_cache::RenderCache::new(metrics.clone())),
            metrics,
            orphans: Arc::default(),
        }
    }

    /// Looks for orphaned sets of the apps of `namespace` and keeps them for the status
    /// conditions of the next reconciles. A failed look-up keeps the previous result.
    pub async fn scan_orphans(&self, namespace: &str) -> Result<Vec<OrphanedSet>, String> {
        let sets = super::orphans::find(self.ctx.client(), namespace).await?;
        if let Ok(mut g) = self.orphans.lock() {
            g.clone_from(&sets);
        }
        Ok(sets)
    }

    /// `out` with the number of orphaned objects in `app`'s destination namespace.
    pub fn with_orphans(&self, app: &Application, mut out: SyncOutcome) -> SyncOutcome {
        if let Ok(g) = self.orphans.lock() {
            out.orphaned = super::orphans::count_in(&g, app.dest_namespace());
        }
        out
    }

    /// One poll: a fresh fetch of every repository, then every app of `namespace` handled once.
    pub async fn poll(&self, namespace: &str) -> Result<PollReport, String> {
        self.metrics.record_poll();
        // Before the apps are handled, so their statuses carry this poll's orphan warning.
        let orphaned = match self.scan_orphans(namespace).await {
            Ok(sets) => {
                logging::orphans(&sets);
                self.metrics
                    .set_orphans(namespace, super::orphans::per_app(&sets));
                sets
            }
            Err(e) => {
                self.metrics.record_error("orphans");
                logging::event("WARN", "orphan_scan_failed", &[("message", e.into())]);
                Vec::new()
            }
        };
        let mut report = self.poll_matching(namespace, "timer", |_| true).await?;
        report.orphaned = orphaned;
        let live: BTreeSet<String> = report
            .synced
            .iter()
            .chain(&report.refreshed)
            .map(|(n, _)| n.clone())
            .collect();
        self.metrics.retain_apps(namespace, &live);
        Ok(report)
    }

    /// Fetches the repositories again (a new poll generation) and handles the apps of
    /// `namespace` that `select` picks (apps created meanwhile by an app-of-apps included).
    /// `trigger` (`timer`, `webhook`, `app_event`) goes into the `poll` log event.
    pub async fn poll_matching(
        &self,
        namespace: &str,
        trigger: &str,
        select: impl Fn(&Application) -> bool,
    ) -> Result<PollReport, String> {
        if let Ok(mut g) = self.git.lock() {
            g.new_poll();
        }
        let t = Instant::now();
        let mut report = PollReport::default();
        let mut seen = BTreeSet::new();
        for _ in 0..MAX_ROUNDS {
            let apps = list_apps(self.ctx.client(), namespace)
                .await
                .inspect_err(|e| {
                    self.metrics.record_error("poll");
                    logging::event("ERROR", "poll_failed", &[("message", e.into())]);
                })?;
            let mut todo = Vec::new();
            for app in apps {
                match app {
                    Ok(a) if select(&a) && seen.insert(a.metadata.name.clone()) => todo.push(a),
                    Ok(_) => {}
                    Err(e) => {
                        if !report.skipped.contains(&e) {
                            report.skipped.push(e);
                        }
                    }
                }
            }
            if todo.is_empty() {
                break;
            }
            self.prefetch(&todo).await;
            for app in &todo {
                self.handle(app, &mut report).await;
            }
        }
        logging::event(
            "INFO",
            "poll",
            &[
                ("trigger", trigger.into()),
                ("namespace", namespace.into()),
                ("apps", seen.len().into()),
                ("duration_ms", t.elapsed().as_millis().into()),
            ],
        );
        Ok(report)
    }

    /// Re-syncs one app after a watched change (selfHeal): no refetch, so the cached
    /// render of the last fetched revision is applied again.
    pub async fn self_heal(&self, namespace: &str, name: &str) -> Result<PollReport, String> {
        let mut report = PollReport::default();
        let app = super::reconcile::get_app(self.ctx.client(), namespace, name).await?;
        if app.automated_policy().is_some_and(|a| a.self_heal) && !app.is_deleting() {
            self.metrics.record_self_heal(name, namespace);
            self.handle(&app, &mut report).await;
        }
        Ok(report)
    }

    /// Fetches each distinct repository of `apps` once (checkouts then reuse the fetch of
    /// this generation), recording the result per repository.
    async fn prefetch(&self, apps: &[Application]) {
        // URL → namespace of the first app using it (where its credentials are looked up).
        let mut urls: std::collections::BTreeMap<String, String> = Default::default();
        for a in apps {
            urls.entry(a.spec.source.repo_url.clone())
                .or_insert_with(|| a.namespace().to_string());
        }
        for (url, ns) in urls {
            // The same credentials the checkout would use: the fetch is remembered for this
            // poll generation, so an anonymous one here would shadow them.
            let auth = super::settings::repo_auth(self.ctx.client(), &ns, &url).await;
            let git = self.git.clone();
            let u = url.clone();
            let t = Instant::now();
            let r = tokio::task::spawn_blocking(move || match git.lock() {
                Ok(mut g) => g.fetch_with(&u, &auth).map(|_| ()),
                Err(_) => Err("git cache lock poisoned".to_string()),
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            let repo = logging::redact_url(&url);
            let result = if r.is_ok() { "success" } else { "error" };
            self.metrics.record_fetch(&repo, result);
            let mut fields = vec![
                ("repo", repo.as_str().into()),
                ("result", result.into()),
                ("duration_ms", t.elapsed().as_millis().into()),
            ];
            if let Err(e) = &r {
                self.metrics.record_error("fetch");
                fields.push(("message", e.into()));
            }
            logging::event(if r.is_ok() { "INFO" } else { "WARN" }, "fetch", &fields);
        }
    }

    async fn handle(&self, app: &Application, report: &mut PollReport) {
        let t = Instant::now();
        let before = (
            report.synced.len(),
            report.refreshed.len(),
            report.finalized.len(),
        );
        self.dispatch(app, report).await;
        let secs = t.elapsed().as_secs_f64();
        let (name, ns) = (app.metadata.name.as_str(), app.namespace());
        let (event, out) = if report.synced.len() > before.0 {
            ("sync", report.synced.last().map(|x| &x.1))
        } else if report.refreshed.len() > before.1 {
            ("refresh", report.refreshed.last().map(|x| &x.1))
        } else {
            if report.finalized.len() > before.2 {
                let r = report.finalized.last().map(|x| &x.1);
                let ok = r.is_some_and(|r| r.is_ok());
                let mut f = vec![
                    ("app", name.into()),
                    ("duration_ms", t.elapsed().as_millis().into()),
                ];
                if let Some(Err(e)) = r {
                    f.push(("message", e.into()));
                    self.metrics.record_error("finalize");
                } else {
                    self.metrics.forget_app(name, ns);
                    self.renders.forget(app);
                }
                logging::event(if ok { "INFO" } else { "ERROR" }, "prune_app", &f);
            }
            return;
        };
        let mut f = vec![
            ("app", name.into()),
            ("duration_ms", t.elapsed().as_millis().into()),
        ];
        match out {
            Some(Ok(o)) => {
                let phase = (event == "sync").then_some(o.phase.as_str());
                self.metrics
                    .record_sync(name, ns, phase, secs, &o.sync_status, &o.health);
                if o.phase != "Succeeded" {
                    self.metrics.record_error("sync");
                }
                f.push(("revision", o.revision.clone().unwrap_or_default().into()));
                f.push(("phase", o.phase.as_str().into()));
                f.push(("sync_status", o.sync_status.as_str().into()));
                f.push(("health", o.health.as_str().into()));
                f.push(("changed", if o.changed { "true" } else { "false" }.into()));
                f.push(("message", o.message.as_str().into()));
                let level = if o.phase == "Succeeded" {
                    "INFO"
                } else {
                    "WARN"
                };
                logging::event(level, event, &f);
            }
            Some(Err(e)) => {
                let phase = (event == "sync").then_some("Error");
                self.metrics
                    .record_sync(name, ns, phase, secs, "Unknown", "Unknown");
                self.metrics.record_error("status");
                f.push(("message", e.into()));
                logging::event("ERROR", event, &f);
            }
            None => {}
        }
    }

    async fn dispatch(&self, app: &Application, report: &mut PollReport) {
        let name = app.metadata.name.clone();
        if app.is_deleting() {
            report.finalized.push((name, self.finalize(app).await));
        } else if app.automated_policy().is_some_and(|a| !a.self_heal) {
            // Without selfHeal, Argo CD syncs a revision once: drift at an already synced
            // revision is only reported (OutOfSync), a new revision is synced.
            let out = self.with_orphans(app, self.refresh(app).await);
            let resync = out.phase == "Succeeded"
                && out.sync_status == "OutOfSync"
                && out.revision.as_deref() != app.last_synced_revision();
            if resync {
                report.synced.push((name, self.reconcile(app).await));
            } else {
                let r = write_status(self.ctx.client(), app, &out)
                    .await
                    .map(|_| out);
                report.refreshed.push((name, r));
            }
        } else if app.automated() {
            // selfHeal: every poll re-applies (idempotent under server-side apply).
            report.synced.push((name, self.reconcile(app).await));
        } else {
            let out = self.with_orphans(app, self.refresh(app).await);
            let r = write_status(self.ctx.client(), app, &out)
                .await
                .map(|_| out);
            report.refreshed.push((name, r));
        }
    }
}

/// The poll interval with up to 10 % random jitter, so many controllers do not poll together.
pub fn jittered(interval: Duration) -> Duration {
    let max = interval.as_millis() / 10;
    let extra = if max == 0 {
        0
    } else {
        rand::random::<u64>() % (max as u64 + 1)
    };
    interval + Duration::from_millis(extra)
}

/// Runs polls until `shutdown` completes; a poll in progress is finished first (so no apply
/// is interrupted half-way). `on_poll` sees every poll's report (logging).
pub async fn run<F: Future<Output = ()>>(
    reconciler: &Reconciler,
    opts: &ControllerOptions,
    shutdown: F,
    mut on_poll: impl FnMut(&Result<PollReport, String>),
) {
    tokio::pin!(shutdown);
    loop {
        let r = reconciler.poll(&opts.namespace).await;
        on_poll(&r);
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(jittered(opts.poll_interval)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_bounded() {
        for _ in 0..100 {
            let d = jittered(Duration::from_secs(10));
            assert!(d >= Duration::from_secs(10) && d <= Duration::from_secs(11));
        }
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
