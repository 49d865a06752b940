//! The event loop of `rudder controller`: periodic polls, webhook refreshes, watch-driven
//! selfHeal with a debounce, all gated by leader election when it is on.
//!
//! One loop handles everything in turn, so two reconciles of one app never overlap. A
//! poll or sync in progress always finishes (no apply is interrupted); shutdown and
//! leadership changes are observed between operations.

use super::application::Application;
use super::appwatch::{self, AppEvent};
use super::controller::{jittered, ControllerOptions};
use super::logging;
use super::reconcile::{list_apps, Reconciler};
use super::watch::{Drift, WatchKey, Watches};
use super::webhook::{normalize_url, WebhookTarget};
use crate::apply::inventory::Inventory;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::sync::watch;
use tokio::time::Instant;

/// Options of the event loop beyond polling.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Watch managed objects and re-sync selfHeal apps on foreign changes.
    pub watch: bool,
    /// Wait after the first change event before re-syncing (more events in that window
    /// are folded into one sync).
    pub self_heal_delay: Duration,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            watch: true,
            self_heal_delay: Duration::from_secs(1),
        }
    }
}

/// Consecutive selfHeal syncs of one app closer together than this back off.
const HEAL_WINDOW: Duration = Duration::from_secs(60);
/// Wait after an Application event before handling it, to fold bursts into one round.
const APP_EVENT_DELAY: Duration = Duration::from_millis(300);
/// Longest selfHeal backoff (as Argo CD's, so a writer rudder fights is retried slowly).
const HEAL_MAX: Duration = Duration::from_secs(300);

/// The wait before the next selfHeal of an app already healed `recent` times within
/// a minute of each other: `base` doubling per heal, capped at 5 minutes. So an
/// object that someone else keeps changing is not fought over in a tight loop.
pub fn heal_delay(base: Duration, recent: u32) -> Duration {
    base.saturating_mul(1u32 << recent.min(16))
        .min(HEAL_MAX.max(base))
}

/// The inputs of the loop besides the reconciler.
pub struct Inputs {
    /// Webhook refresh requests.
    pub webhooks: UnboundedReceiver<WebhookTarget>,
    /// Leadership (None: election off, always leading).
    pub leader: Option<watch::Receiver<bool>>,
}

/// ApplySet ids of selfHeal apps → app name, and the kinds their resources have.
fn watch_targets(apps: &[Application]) -> (HashMap<String, String>, BTreeSet<WatchKey>) {
    let mut index = HashMap::new();
    let mut kinds = BTreeSet::new();
    for a in apps {
        if a.is_deleting() || !a.automated_policy().is_some_and(|p| p.self_heal) {
            continue;
        }
        let id = Inventory::new(a.inventory_name(), a.dest_namespace()).id;
        index.insert(id, a.metadata.name.clone());
        let resources = a
            .status
            .as_ref()
            .and_then(|s| s.get("resources"))
            .and_then(Json::as_array);
        for r in resources.into_iter().flatten() {
            let s = |k: &str| r.get(k).and_then(Json::as_str).unwrap_or("").to_string();
            if s("kind").is_empty() || s("version").is_empty() {
                continue;
            }
            kinds.insert(WatchKey {
                group: s("group"),
                version: s("version"),
                kind: s("kind"),
            });
        }
    }
    (index, kinds)
}

/// Whether a webhook for `target` concerns `app`.
pub fn webhook_matches(target: &WebhookTarget, app: &Application) -> bool {
    match target {
        WebhookTarget::All => true,
        WebhookTarget::Repos(urls) => urls.contains(&normalize_url(&app.spec.source.repo_url)),
    }
}

async fn leader_changed(rx: &mut Option<watch::Receiver<bool>>) {
    match rx {
        Some(rx) => {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

/// Runs `op` to completion, or drops it (cancelling the API calls in flight) as soon as
/// leadership is lost, so a replica that can no longer renew its lease stops changing the
/// cluster before another one takes over. None when cancelled.
async fn unless_lost<T>(
    leader: &Option<watch::Receiver<bool>>,
    op: impl Future<Output = T>,
) -> Option<T> {
    let Some(rx) = leader else {
        return Some(op.await);
    };
    let mut rx = rx.clone();
    tokio::select! {
        // Checked first: with leadership already lost, the operation does not start.
        biased;
        _ = rx.wait_for(|leading| !*leading) => {
            logging::event("WARN", "operation_cancelled", &[("message", "leadership lost".into())]);
            None
        }
        v = op => Some(v),
    }
}

/// Runs until `shutdown` completes.
pub async fn run<F: Future<Output = ()>>(
    r: &Reconciler,
    opts: &ControllerOptions,
    rt: &RuntimeOptions,
    mut inputs: Inputs,
    shutdown: F,
) {
    tokio::pin!(shutdown);
    let ns = opts.namespace.as_str();
    let (drift_tx, mut drift_rx) = mpsc::unbounded_channel::<Drift>();
    let mut watches = Watches::default();
    let mut index: HashMap<String, String> = HashMap::new();
    let mut heal: BTreeMap<String, Instant> = BTreeMap::new();
    // Per app: selfHeal syncs in a row (each within HEAL_WINDOW of the last) and the last.
    let mut healed: HashMap<String, (u32, Instant)> = HashMap::new();
    let mut next_poll = Instant::now();
    // Application events, handled together a moment after the first (an app-of-apps sync
    // creates or changes several children at once). The bool: refresh annotation set.
    let (app_tx, mut app_rx) = mpsc::unbounded_channel::<AppEvent>();
    let mut app_watch: Option<tokio::task::JoinHandle<()>> = None;
    let mut app_events: BTreeMap<String, bool> = BTreeMap::new();
    let mut apps_at: Option<Instant> = None;
    loop {
        let leading = inputs.leader.as_ref().is_none_or(|rx| *rx.borrow());
        if !leading {
            // Standby: no watches, nothing queued; the first poll runs on taking over.
            watches.stop();
            heal.clear();
            if let Some(t) = app_watch.take() {
                t.abort();
            }
            app_events.clear();
            apps_at = None;
            while app_rx.try_recv().is_ok() {}
            while inputs.webhooks.try_recv().is_ok() {}
            while drift_rx.try_recv().is_ok() {}
            tokio::select! {
                _ = &mut shutdown => break,
                _ = leader_changed(&mut inputs.leader) => {}
            }
            next_poll = Instant::now();
            continue;
        }
        if rt.watch && app_watch.is_none() {
            let client = r.ctx.client().clone();
            app_watch = Some(tokio::spawn(appwatch::watch_apps(
                client,
                ns.to_string(),
                app_tx.clone(),
            )));
        }
        let heal_at = heal.values().min().copied();
        let mut refreshed = false;
        let lead = inputs.leader.clone();
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            _ = leader_changed(&mut inputs.leader) => continue,
            Some(d) = drift_rx.recv() => {
                if let Some(app) = index.get(&d.applyset_id) {
                    let recent = healed
                        .get(app)
                        .filter(|(_, last)| last.elapsed() < HEAL_WINDOW)
                        .map_or(0, |(n, _)| *n);
                    let delay = heal_delay(rt.self_heal_delay, recent);
                    logging::event("INFO", "drift", &[
                        ("app", app.into()),
                        ("object", d.object.as_str().into()),
                        ("change", d.event.into()),
                        ("delay_ms", delay.as_millis().into()),
                    ]);
                    heal.entry(app.clone()).or_insert_with(|| Instant::now() + delay);
                }
            }
            Some(ev) = app_rx.recv() => {
                let (name, refresh) = match ev {
                    AppEvent::Changed(n) => (n, false),
                    AppEvent::Refresh(n) => (n, true),
                };
                *app_events.entry(name).or_insert(false) |= refresh;
                apps_at.get_or_insert_with(|| Instant::now() + APP_EVENT_DELAY);
            }
            _ = tokio::time::sleep_until(apps_at.unwrap_or(next_poll)), if apps_at.is_some() => {
                apps_at = None;
                let events = std::mem::take(&mut app_events);
                let names: Vec<&String> = events.keys().collect();
                logging::event("INFO", "app_events", &[("apps", names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",").into())]);
                let select = |a: &Application| events.contains_key(&a.metadata.name);
                let _ = unless_lost(&lead, r.poll_matching(ns, "app_event", select)).await;
                let api = super::reconcile::app_api(r.ctx.client(), ns);
                for (name, _) in events.iter().filter(|(_, refresh)| **refresh) {
                    if let Err(e) = appwatch::set_refresh(&api, name, None).await {
                        logging::event("WARN", "refresh", &[("app", name.into()), ("message", e.into())]);
                    }
                }
                refreshed = true;
            }
            Some(t) = inputs.webhooks.recv() => {
                // Fold every delivery queued meanwhile into one refresh.
                let mut targets = vec![t];
                while let Ok(t) = inputs.webhooks.try_recv() {
                    targets.push(t);
                }
                let select = |a: &Application| targets.iter().any(|t| webhook_matches(t, a));
                let _ = unless_lost(&lead, r.poll_matching(ns, "webhook", select)).await;
                refreshed = true;
            }
            _ = tokio::time::sleep_until(heal_at.unwrap_or(next_poll)), if heal_at.is_some() => {
                let now = Instant::now();
                let due: Vec<String> = heal
                    .iter()
                    .filter(|(_, t)| **t <= now)
                    .map(|(a, _)| a.clone())
                    .collect();
                for app in due {
                    heal.remove(&app);
                    let e = healed.entry(app.clone()).or_insert((0, now));
                    e.0 = if e.1.elapsed() < HEAL_WINDOW { e.0 + 1 } else { 1 };
                    e.1 = Instant::now();
                    if let Some(Err(e)) = unless_lost(&lead, r.self_heal(ns, &app)).await {
                        logging::event("WARN", "self_heal", &[("app", app.as_str().into()),
                            ("message", e.into())]);
                    }
                }
            }
            _ = tokio::time::sleep_until(next_poll) => {
                let _ = unless_lost(&lead, r.poll(ns)).await;
                next_poll = Instant::now() + jittered(opts.poll_interval);
                refreshed = true;
            }
        }
        if refreshed && rt.watch {
            // Apps and their resources may have changed: re-point the watches.
            if let Ok(apps) = list_apps(r.ctx.client(), ns).await {
                let apps: Vec<Application> = apps.into_iter().flatten().collect();
                let (idx, kinds) = watch_targets(&apps);
                index = idx;
                watches.update(&r.ctx, &kinds, &drift_tx);
            }
        }
    }
    watches.stop();
    if let Some(t) = app_watch.take() {
        t.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(yaml_extra: &str, status: Json) -> Application {
        let text = format!("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: a1, namespace: argocd}}\nspec:\n  source: {{repoURL: 'https://github.com/O/R.git', path: p}}\n  destination: {{namespace: dest}}\n{yaml_extra}");
        let mut a = Application::from_yaml_docs(&text)
            .expect("parse")
            .into_iter()
            .next()
            .expect("app");
        a.status = Some(status);
        a
    }

    #[test]
    fn targets_of_self_heal_apps_only() {
        let st = serde_json::json!({"resources": [
            {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "dest", "name": "d"},
            {"group": "", "version": "v1", "kind": "Service", "namespace": "dest", "name": "s"},
            {"group": "", "version": "v1", "kind": "Service", "namespace": "dest", "name": "s2"}]});
        let heal = app(
            "  syncPolicy: {automated: {prune: true, selfHeal: true}}\n",
            st.clone(),
        );
        let (idx, kinds) = watch_targets(std::slice::from_ref(&heal));
        let id = Inventory::new(heal.inventory_name(), "dest").id;
        assert_eq!(idx.get(&id).map(String::as_str), Some("a1"));
        let kinds: Vec<String> = kinds.iter().map(|k| k.kind.clone()).collect();
        // Sorted by group: the core group ("") first; two Services make one watch.
        assert_eq!(kinds, ["Service", "Deployment"]);
        let manual = app("", st.clone());
        let no_heal = app("  syncPolicy: {automated: {prune: true}}\n", st);
        let (idx, kinds) = watch_targets(&[manual, no_heal]);
        assert!(idx.is_empty() && kinds.is_empty());
    }

    #[tokio::test]
    async fn operations_stop_when_leadership_is_lost() {
        assert_eq!(unless_lost(&None, async { 7 }).await, Some(7));
        let (tx, rx) = watch::channel(true);
        let rx = Some(rx);
        assert_eq!(unless_lost(&rx, async { 8 }).await, Some(8));
        let t = std::time::Instant::now();
        let lose = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tx.send_replace(false);
        };
        let op = unless_lost(&rx, tokio::time::sleep(Duration::from_secs(30)));
        let (r, _) = tokio::join!(op, lose);
        assert_eq!(r, None);
        assert!(t.elapsed() < Duration::from_secs(5));
        // Already lost: nothing starts.
        assert_eq!(unless_lost(&rx, async { 9 }).await, None);
    }

    #[test]
    fn self_heal_backs_off() {
        let s = Duration::from_secs(1);
        assert_eq!(heal_delay(s, 0), s);
        assert_eq!(heal_delay(s, 1), Duration::from_secs(2));
        assert_eq!(heal_delay(s, 3), Duration::from_secs(8));
        assert_eq!(heal_delay(s, 40), HEAL_MAX);
        // A base above the cap is kept (the user asked for it).
        assert_eq!(
            heal_delay(Duration::from_secs(600), 2),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn webhook_targets() {
        let a = app("", Json::Null);
        assert!(webhook_matches(&WebhookTarget::All, &a));
        assert!(webhook_matches(
            &WebhookTarget::Repos(vec![normalize_url("git@github.com:O/R")]),
            &a
        ));
        assert!(!webhook_matches(
            &WebhookTarget::Repos(vec![normalize_url("https://github.com/O/other")]),
            &a
        ));
    }
}
