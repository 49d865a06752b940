//! Argo CD's health assessment (gitops-engine's built-in checks, see [`rules`]): Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, Pod, Job, PersistentVolumeClaim, Service, Ingress,
//! HorizontalPodAutoscaler, APIService and Argo Workflows. Kinds without a rule have no health
//! and do not affect their app's health (shown as Healthy, the best rank, which aggregates the
//! same way). An object being deleted is Progressing ("Pending deletion").
//!
//! Child Applications (app-of-apps): Argo CD ignores their health by default (since 1.8), so
//! a parent stays Healthy while a child is Degraded. [`HealthOptions::app_children`] opts in
//! (the controller's `--app-health-children`, or, as in Argo CD, the presence of the
//! `resource.customizations.health.argoproj.io_Application` key in the `argocd-cm`
//! ConfigMap); a child then counts with the health in its own status.

pub mod rules;
#[cfg(test)]
mod tests;

use super::{ClusterContext, ObjectRef};
use kube::api::{Api, DynamicObject};
use serde_json::Value as Json;

/// A health status (`Healthy`, `Suspended`, `Progressing`, `Missing`, `Degraded`, `Unknown`)
/// and Argo CD's message for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// The status code.
    pub status: String,
    /// Why (may be empty).
    pub message: String,
}

impl Health {
    /// A status with a message.
    pub fn new(status: &str, message: impl Into<String>) -> Health {
        Health {
            status: status.to_string(),
            message: message.into(),
        }
    }
}

/// Choices that change how health is assessed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthOptions {
    /// Count child Argo CD Applications with their own reported health (off in Argo CD by
    /// default: a child Application then has no health).
    pub app_children: bool,
}

/// Severity order of Argo CD health statuses (higher is worse).
pub fn rank(status: &str) -> u8 {
    match status {
        "Healthy" => 0,
        "Suspended" => 1,
        "Progressing" => 2,
        "Missing" => 3,
        "Degraded" => 4,
        _ => 5,
    }
}

/// The group a kind normally lives in, for objects given without `apiVersion`.
fn default_group(kind: &str) -> &'static str {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps",
        "Job" => "batch",
        "Ingress" => "networking.k8s.io",
        "HorizontalPodAutoscaler" => "autoscaling",
        "APIService" => "apiregistration.k8s.io",
        "Application" | "Workflow" => "argoproj.io",
        _ => "",
    }
}

/// True when `group`/`kind` has a built-in rule (so the live object is worth reading).
pub fn has_rule(group: &str, kind: &str, opts: &HealthOptions) -> bool {
    rule(group, kind, opts).is_some()
}

type Rule = fn(&Json) -> Health;

fn rule(group: &str, kind: &str, opts: &HealthOptions) -> Option<Rule> {
    let r: Rule = match (group, kind) {
        ("apps", "Deployment") => rules::deployment,
        ("apps", "StatefulSet") => rules::stateful_set,
        ("apps", "DaemonSet") => rules::daemon_set,
        ("apps", "ReplicaSet") => rules::replica_set,
        ("extensions" | "networking.k8s.io", "Ingress") => rules::ingress,
        ("apiregistration.k8s.io", "APIService") => rules::api_service,
        ("argoproj.io", "Workflow") => rules::workflow,
        ("argoproj.io", "Application") if opts.app_children => rules::application,
        ("", "Service") => rules::service,
        ("", "PersistentVolumeClaim") => rules::pvc,
        ("", "Pod") => rules::pod,
        ("batch", "Job") => rules::job,
        ("autoscaling", "HorizontalPodAutoscaler") => rules::hpa,
        _ => return None,
    };
    Some(r)
}

/// Argo CD's health of a live object of `group`/`kind`; `None` when the kind has no rule.
pub fn assess_health(group: &str, kind: &str, j: &Json, opts: &HealthOptions) -> Option<Health> {
    let r = rule(group, kind, opts)?;
    let deleting = j
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    // Argo CD's hook finalizer keeps a finished hook around; it is not a pending deletion.
    let hook_finalizer = j
        .pointer("/metadata/finalizers")
        .and_then(Json::as_array)
        .is_some_and(|f| {
            f.iter()
                .any(|x| x.as_str() == Some("argocd.argoproj.io/hook-finalizer"))
        });
    if deleting && !hook_finalizer {
        return Some(Health::new("Progressing", "Pending deletion"));
    }
    Some(r(j))
}

/// The health status of a live object of `kind` (its group from `apiVersion`, else the
/// kind's usual group); `Healthy` for kinds without a rule.
pub fn assess(kind: &str, j: &Json) -> String {
    let group = match j.get("apiVersion").and_then(Json::as_str) {
        Some(av) => av.rsplit_once('/').map(|(g, _)| g).unwrap_or(""),
        None => default_group(kind),
    };
    assess_health(group, kind, j, &HealthOptions::default())
        .map(|h| h.status)
        .unwrap_or_else(|| "Healthy".into())
}

/// Reads the live object and assesses its health (`Missing` if it does not exist).
pub async fn object_health(ctx: &ClusterContext, o: &ObjectRef) -> String {
    object_health_with(ctx, o, &HealthOptions::default())
        .await
        .status
}

/// [`object_health`] with options, returning the message too. Kinds without a rule are
/// `Healthy` without a read.
pub async fn object_health_with(
    ctx: &ClusterContext,
    o: &ObjectRef,
    opts: &HealthOptions,
) -> Health {
    if !has_rule(&o.group, &o.kind, opts) {
        return Health::new("Healthy", "");
    }
    let Some(res) = ctx.resolve(o) else {
        return Health::new("Unknown", "unknown resource type");
    };
    let api: Api<DynamicObject> = if res.namespaced {
        Api::namespaced_with(ctx.client().clone(), &o.namespace, &res.resource)
    } else {
        Api::all_with(ctx.client().clone(), &res.resource)
    };
    match api.get_opt(&o.name).await {
        Ok(Some(live)) => match serde_json::to_value(live) {
            Ok(j) => assess_health(&o.group, &o.kind, &j, opts)
                .unwrap_or_else(|| Health::new("Healthy", "")),
            Err(e) => Health::new("Unknown", e.to_string()),
        },
        Ok(None) => Health::new("Missing", ""),
        Err(e) => Health::new("Unknown", e.to_string()),
    }
}
