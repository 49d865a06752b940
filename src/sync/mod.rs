//! The sync controller: Argo CD's Application workflow with rudder as the renderer.
//!
//! [`application`] types the Application objects, [`git`] fetches their sources with the git
//! command line, [`source`] renders a Helm chart or reads a manifest directory, [`reconcile`]
//! applies one app (or only compares it, for a manual sync policy) and writes its status the
//! way Argo CD does, [`health`] assesses live workloads, and [`controller`] is the polling
//! loop behind `rudder controller`.
//!
//! The controller's runtime: [`runtime`] is its event loop (polls, webhook refreshes,
//! watch-driven selfHeal from [`watch`] with a debounce and backoff, Application events from
//! [`appwatch`]), [`leader`] elects one
//! active replica through a Lease, [`http`] serves `/metrics` ([`metrics`]), the push
//! webhook ([`webhook`]) and health probes, [`service`] starts them together, [`logging`]
//! writes text or JSON events, and [`render_cache`] skips re-rendering an app whose inputs
//! (git object ids of its chart and value files, its spec) did not change.
//! Private repositories: [`repocreds`] finds Argo CD's credential Secrets for a URL and
//! [`gitauth`] hands them to git (askpass, SSH key file); [`settings`] reads them and the
//! health opt-in from the cluster per reconcile. [`compare`] backs `rudder app diff|history`.
//! [`orphans`] reports the objects of apps deleted without the resources finalizer.
//!
//! ```ignore
//! use rudder::sync::reconcile::Reconciler;
//! let ctx = rudder::apply::ClusterContext::connect(&client).await?;
//! let r = Reconciler::new(ctx, cache_dir);
//! let report = r.poll("argocd").await?;   // one poll: fetch each repo once, sync every app
//! ```
//!
//! Safety rules: nothing is applied or pruned after a failed fetch or render (the error goes
//! to `status.conditions` as a `ComparisonError`); the objects of an app form an ApplySet
//! keyed by the app name, so pruning only ever touches what the app applied; pruning an
//! Application, Namespace or CRD is held back (blast-radius class) and reported.

pub mod application;
pub mod appwatch;
pub mod compare;
pub mod controller;
pub mod git;
pub mod gitauth;
pub use crate::apply::health;
pub mod http;
pub mod leader;
pub mod logging;
pub mod metrics;
pub mod orphans;
pub mod reconcile;
pub mod render_cache;
pub mod repocreds;
pub mod runtime;
pub mod service;
pub mod settings;
pub mod source;
#[cfg(test)]
mod testdir;
pub mod watch;
pub mod webhook;
