//! `rudder controller` as a service: the HTTP server, leader election and the event loop
//! ([`super::runtime`]) started together and stopped together.

use super::controller::ControllerOptions;
use super::http::{self, HttpState};
use super::leader::{self, LeaderOptions};
use super::logging;
use super::reconcile::Reconciler;
use super::runtime::{self, Inputs, RuntimeOptions};
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// What runs besides the reconcile loop.
#[derive(Clone, Debug, Default)]
pub struct ServiceOptions {
    /// HTTP listen address (None: no server).
    pub listen: Option<String>,
    /// Webhook shared secret.
    pub webhook_secret: Option<Vec<u8>>,
    /// Leader election (None: this replica always reconciles).
    pub leader: Option<LeaderOptions>,
    /// Watch and debounce settings.
    pub runtime: RuntimeOptions,
}

/// Runs until `shutdown` completes; then stops the server and releases the lease (if held).
/// Fails only at start-up (the listen address cannot be bound).
pub async fn run<F: Future<Output = ()>>(
    r: &Reconciler,
    opts: &ControllerOptions,
    s: ServiceOptions,
    shutdown: F,
) -> Result<(), String> {
    let listener = match &s.listen {
        Some(addr) => Some(http::bind(addr).await?),
        None => None,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let mut tasks = Vec::new();
    let leader_elect = s.leader.is_some();
    let leader = if let Some(lo) = s.leader {
        let (tx, rx) = tokio::sync::watch::channel(false);
        r.metrics.set_leader(false);
        let metrics = r.metrics.clone();
        let mut mrx = rx.clone();
        tasks.push(tokio::spawn(async move {
            while mrx.changed().await.is_ok() {
                metrics.set_leader(*mrx.borrow());
            }
        }));
        tasks.push(tokio::spawn(leader::run(
            r.ctx.client().clone(),
            lo,
            tx,
            stopped(),
        )));
        Some(rx)
    } else {
        None
    };
    let (hook_tx, hook_rx) = tokio::sync::mpsc::unbounded_channel();
    let state = Arc::new(HttpState {
        metrics: r.metrics.clone(),
        webhooks: hook_tx,
        secret: s.webhook_secret,
        ready: AtomicBool::new(true),
        leader: leader.clone(),
        refresher: Some((r.ctx.client().clone(), opts.namespace.clone())),
    });
    if let Some(l) = listener {
        let addr = l.local_addr().map(|a| a.to_string()).unwrap_or_default();
        logging::event("INFO", "listening", &[("address", addr.into())]);
        tasks.push(tokio::spawn(http::serve(l, state, stopped())));
    }
    logging::event(
        "INFO",
        "started",
        &[
            ("namespace", opts.namespace.as_str().into()),
            ("poll_interval_ms", opts.poll_interval.as_millis().into()),
            (
                "leader_elect",
                if leader_elect { "true" } else { "false" }.into(),
            ),
        ],
    );
    let inputs = Inputs {
        webhooks: hook_rx,
        leader,
    };
    runtime::run(r, opts, &s.runtime, inputs, shutdown).await;
    stop_tx.send_replace(true);
    for t in tasks {
        // The leader task releases the lease; the others end at once.
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    logging::event("INFO", "stopped", &[]);
    Ok(())
}
