//! The polling loop of `rudder controller`: every interval (with jitter) list the
//! Applications of one namespace, finalize those being deleted, and sync those with an
//! automated policy (the others are compared and their status written). Every poll re-applies, which server-side apply makes idempotent, so
//! live drift is reverted within one interval (selfHeal).

use super::application::Application;
use super::git::GitCache;
use super::reconcile::{list_apps, write_status, Reconciler, SyncOutcome};
use crate::apply::ClusterContext;
use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
        }
    }

    /// One poll: a fresh fetch of every repository, then every app of `namespace` handled once.
    pub async fn poll(&self, namespace: &str) -> Result<PollReport, String> {
        if let Ok(mut g) = self.git.lock() {
            g.new_poll();
        }
        let mut report = PollReport::default();
        let mut seen = BTreeSet::new();
        for _ in 0..MAX_ROUNDS {
            let apps = list_apps(self.ctx.client(), namespace).await?;
            let mut progressed = false;
            for app in apps {
                let app = match app {
                    Ok(a) => a,
                    Err(e) => {
                        report.skipped.push(e);
                        continue;
                    }
                };
                if !seen.insert(app.metadata.name.clone()) {
                    continue;
                }
                progressed = true;
                self.handle(&app, &mut report).await;
            }
            if !progressed {
                break;
            }
        }
        Ok(report)
    }

    async fn handle(&self, app: &Application, report: &mut PollReport) {
        let name = app.metadata.name.clone();
        if app.is_deleting() {
            report.finalized.push((name, self.finalize(app).await));
        } else if app.automated_policy().is_some_and(|a| !a.self_heal) {
            // Without selfHeal, Argo CD syncs a revision once: drift at an already synced
            // revision is only reported (OutOfSync), a new revision is synced.
            let out = self.refresh(app).await;
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
            let out = self.refresh(app).await;
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
