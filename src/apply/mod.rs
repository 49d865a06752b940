//! Apply-and-prune: make a cluster match a rendered chart, and delete only what we own.
//!
//! The public API, used by the `rudder apply|diff|delete` commands and by the sync controller:
//!
//! ```ignore
//! use rudder::apply::{self, ApplyOptions, ClusterContext};
//! let client = apply::kubeconfig::client(&apply::kubeconfig::ClientOptions::default()).await?;
//! let ctx = ClusterContext::connect(&client).await?;          // discovery + server version
//! let host = ctx.host();                                      // `lookup` from the live cluster
//! let render_opts = RenderOptions { api_versions: ctx.api_versions(),
//!                                   kube_version: Some(ctx.kube_version()), .. };
//! let rendered = /* render_chart_with(chart, &values, &render_opts, &host) on a blocking thread */;
//! let report = apply::apply(&ctx, "release", "namespace", &rendered, &ApplyOptions::default()).await?;
//! ```
//!
//! What one [`apply`] does (each step in its own module):
//! 1. [`objects`]: the rendered manifests (plus `crds/` and the Helm hooks that run on apply)
//!    become desired objects with a phase, a wave and Helm's kind order; Namespaces and CRDs
//!    come first.
//! 2. [`inventory`]: the ApplySet parent Secret (KEP-3659, kubectl compatible) is read, then
//!    rewritten with the union of the old and new members *before* anything is applied.
//! 3. [`ssa`]: every object is server-side applied with field manager `rudder` (conflicts are
//!    forced only with [`ApplyOptions::force_conflicts`]); an existing object that is not ours
//!    is refused unless [`ApplyOptions::adopt`]. CRDs are waited for (Established) and
//!    discovery refreshed before their custom resources.
//! 4. [`prune`]: only after every apply succeeded, objects of the old inventory that are no
//!    longer rendered are deleted if every guard holds (label, UID precondition, no controller
//!    owner, no opt-out, blast radius); the parent is then narrowed to the exact new set.
//!
//! [`diff`](mod@diff) runs the same plan as server-side dry runs and reports field-level changes with
//! Secret values masked; [`delete`] prunes the whole set.

pub mod diff;
pub mod discovery;
pub mod error;
pub mod health;
pub mod hooks;
pub mod host;
pub mod inventory;
pub mod kubeconfig;
pub mod objects;
pub mod prune;
pub mod run;
pub mod ssa;

pub use diff::{diff, DiffReport, FieldChange, ObjectDiff};
pub use discovery::ClusterContext;
pub use error::ApplyError;
pub use host::ClusterHost;
pub use objects::ObjectRef;
pub use run::{apply, delete};

use std::time::Duration;

/// The field manager rudder applies with (and that the prune guards look for).
pub const FIELD_MANAGER: &str = "rudder";

/// Options of one apply (the CLI flags of `rudder apply`).
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Field manager for server-side apply (default [`FIELD_MANAGER`]).
    pub field_manager: String,
    /// Delete objects of the previous inventory that are no longer rendered.
    pub prune: bool,
    /// Server-side dry run: nothing is written, not even the inventory.
    pub dry_run: bool,
    /// Take field ownership from other managers on conflict (the controller sets it).
    pub force_conflicts: bool,
    /// Take over existing objects that carry no (or another set's) ApplySet label.
    pub adopt: bool,
    /// Create the release namespace if missing (it is not tracked, so never pruned).
    pub create_namespace: bool,
    /// Allow a prune over the blast-radius limit (more than half of a set of over 20 objects,
    /// or any Namespace, CRD, PersistentVolume, PersistentVolumeClaim or Application).
    pub confirm_prune: bool,
    /// Kinds whose prune is confirmed in advance despite the blast-radius rule (the sync
    /// controller confirms `Application`: an app-of-apps prunes the children removed from Git,
    /// as Argo CD does; other dangerous kinds still need `confirm_prune`).
    pub confirm_kinds: Vec<String>,
    /// `--wait`: after applying, wait until every applied object is Healthy by Argo CD's
    /// rules (Deployments, StatefulSets and DaemonSets rolled out, PVCs bound), up to `timeout`.
    pub wait: bool,
    /// Limit for every wait (CRD Established, hook Jobs, `wait`).
    pub timeout: Duration,
    /// The caller vouches the render is complete (all value files found, no fetch errors).
    /// When false, prune is refused (never prune on an incomplete render).
    pub render_complete: bool,
    /// Include the chart's `crds/` files (Helm installs them unless `--skip-crds`).
    pub include_crds: bool,
    /// Run Helm hooks (pre-*/post-install and -upgrade); test hooks are always skipped.
    pub run_hooks: bool,
    /// The Application (`<namespace>/<name>`) that owns the set, recorded on the inventory
    /// parent so sets left behind by a deleted app can be reported as orphaned. `None` for
    /// `rudder apply` (CLI releases are never orphans).
    pub owner: Option<String>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            field_manager: FIELD_MANAGER.to_string(),
            prune: false,
            dry_run: false,
            force_conflicts: false,
            adopt: false,
            create_namespace: false,
            confirm_prune: false,
            confirm_kinds: Vec::new(),
            wait: false,
            timeout: Duration::from_secs(300),
            render_complete: true,
            include_crds: true,
            run_hooks: true,
            owner: None,
        }
    }
}

/// What happened to one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Did not exist; created (or would be, in a dry run).
    Created,
    /// Existed and changed.
    Configured,
    /// Existed and the apply changed nothing.
    Unchanged,
    /// Deleted by prune.
    Pruned,
    /// A prune candidate that a guard kept; the reason says which.
    PruneSkipped(String),
    /// A prune candidate held back by the blast-radius limit (needs `confirm_prune`).
    PruneBlocked(String),
    /// A hook that ran (applied, and waited for if a Job).
    HookRan,
}

/// One line of an [`ApplyReport`].
#[derive(Clone, Debug)]
pub struct ObjectResult {
    /// The object.
    pub object: ObjectRef,
    /// What happened.
    pub action: Action,
}

/// The outcome of a successful [`apply`] or [`delete`].
#[derive(Clone, Debug, Default)]
pub struct ApplyReport {
    /// The ApplySet id (`applyset-…-v1`).
    pub applyset_id: String,
    /// Per object, in the order the operations ran.
    pub results: Vec<ObjectResult>,
    /// API warnings (deprecations), each once.
    pub warnings: Vec<String>,
    /// True when nothing was written (dry run).
    pub dry_run: bool,
    /// Why prune was requested but not run (incomplete render or discovery).
    pub prune_refused: Option<String>,
}

impl ApplyReport {
    /// Number of results with the given action kind.
    pub fn count(&self, pred: impl Fn(&Action) -> bool) -> usize {
        self.results.iter().filter(|r| pred(&r.action)).count()
    }

    /// True when objects were held back by the blast-radius limit.
    pub fn prune_blocked(&self) -> bool {
        self.count(|a| matches!(a, Action::PruneBlocked(_))) > 0
    }

    /// True when the apply created, changed or deleted nothing.
    pub fn is_noop(&self) -> bool {
        self.count(|a| matches!(a, Action::Unchanged | Action::PruneSkipped(_)))
            == self.results.len()
    }
}
