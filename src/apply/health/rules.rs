//! Argo CD's built-in health checks (gitops-engine `pkg/health`), one function per kind. Each
//! takes the live object as JSON and returns the status and Argo CD's message for it.

use super::Health;
use serde_json::Value as Json;

fn int(j: &Json, ptr: &str) -> i64 {
    j.pointer(ptr).and_then(Json::as_i64).unwrap_or(0)
}

fn opt_int(j: &Json, ptr: &str) -> Option<i64> {
    j.pointer(ptr).and_then(Json::as_i64)
}

fn text<'a>(j: &'a Json, ptr: &str) -> &'a str {
    j.pointer(ptr).and_then(Json::as_str).unwrap_or("")
}

fn array<'a>(j: &'a Json, ptr: &str) -> &'a [Json] {
    j.pointer(ptr)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The first entry of `status.conditions` of type `ty`.
fn condition<'a>(j: &'a Json, ty: &str) -> Option<&'a Json> {
    array(j, "/status/conditions")
        .iter()
        .find(|c| c.get("type").and_then(Json::as_str) == Some(ty))
}

/// Deployment: paused → Suspended; a Progressing condition with reason
/// ProgressDeadlineExceeded → Degraded; otherwise a rollout in progress is Progressing.
pub fn deployment(j: &Json) -> Health {
    if j.pointer("/spec/paused").and_then(Json::as_bool) == Some(true) {
        return Health::new("Suspended", "Deployment is paused");
    }
    if int(j, "/metadata/generation") > int(j, "/status/observedGeneration") {
        return Health::new(
            "Progressing",
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        );
    }
    let updated = int(j, "/status/updatedReplicas");
    let total = int(j, "/status/replicas");
    let available = int(j, "/status/availableReplicas");
    let deadline = condition(j, "Progressing")
        .and_then(|c| c.get("reason"))
        .and_then(Json::as_str)
        == Some("ProgressDeadlineExceeded");
    if deadline {
        let name = text(j, "/metadata/name");
        return Health::new(
            "Degraded",
            format!("Deployment {name:?} exceeded its progress deadline"),
        );
    }
    if let Some(want) = opt_int(j, "/spec/replicas").filter(|w| updated < *w) {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for rollout to finish: {updated} out of {want} new replicas have been updated..."
            ),
        );
    }
    if total > updated {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for rollout to finish: {} old replicas are pending termination...",
                total - updated
            ),
        );
    }
    if available < updated {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
            ),
        );
    }
    Health::new("Healthy", "")
}

/// ReplicaSet: a true ReplicaFailure condition → Degraded; fewer available than wanted →
/// Progressing.
pub fn replica_set(j: &Json) -> Health {
    if int(j, "/metadata/generation") > int(j, "/status/observedGeneration") {
        return Health::new(
            "Progressing",
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        );
    }
    if let Some(c) = condition(j, "ReplicaFailure")
        .filter(|c| c.get("status").and_then(Json::as_str) == Some("True"))
    {
        return Health::new("Degraded", text(c, "/message"));
    }
    let available = int(j, "/status/availableReplicas");
    if let Some(want) = opt_int(j, "/spec/replicas").filter(|w| available < *w) {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for rollout to finish: {available} out of {want} new replicas are available..."
            ),
        );
    }
    Health::new("Healthy", "")
}

/// StatefulSet, as `kubectl rollout status`: generation observed, replicas ready, then the
/// partitioned / OnDelete / rolling-update cases.
pub fn stateful_set(j: &Json) -> Health {
    let observed = int(j, "/status/observedGeneration");
    if observed == 0 || int(j, "/metadata/generation") > observed {
        return Health::new(
            "Progressing",
            "Waiting for statefulset spec update to be observed...",
        );
    }
    let want = opt_int(j, "/spec/replicas");
    let ready = int(j, "/status/readyReplicas");
    if let Some(w) = want.filter(|w| ready < *w) {
        return Health::new(
            "Progressing",
            format!("Waiting for {} pods to be ready...", w - ready),
        );
    }
    let strategy = text(j, "/spec/updateStrategy/type");
    let updated = int(j, "/status/updatedReplicas");
    let rolling = j.pointer("/spec/updateStrategy/rollingUpdate");
    if strategy == "RollingUpdate" && rolling.is_some_and(|r| !r.is_null()) {
        let partition = opt_int(j, "/spec/updateStrategy/rollingUpdate/partition");
        if let (Some(w), Some(p)) = (want, partition) {
            if updated < w - p {
                return Health::new(
                    "Progressing",
                    format!(
                        "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                        w - p
                    ),
                );
            }
        }
        return Health::new(
            "Healthy",
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
        );
    }
    if strategy == "OnDelete" {
        return Health::new("Healthy", format!("statefulset has {ready} ready pods"));
    }
    let update_rev = text(j, "/status/updateRevision");
    let current_rev = text(j, "/status/currentRevision");
    if update_rev != current_rev {
        return Health::new(
            "Progressing",
            format!(
                "waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}..."
            ),
        );
    }
    Health::new(
        "Healthy",
        format!(
            "statefulset rolling update complete {} pods at revision {current_rev}...",
            int(j, "/status/currentReplicas")
        ),
    )
}

/// DaemonSet: generation observed, then updated and available pods against desired.
pub fn daemon_set(j: &Json) -> Health {
    if int(j, "/metadata/generation") > int(j, "/status/observedGeneration") {
        return Health::new(
            "Progressing",
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        );
    }
    let desired = int(j, "/status/desiredNumberScheduled");
    let updated = int(j, "/status/updatedNumberScheduled");
    let available = int(j, "/status/numberAvailable");
    let name = text(j, "/metadata/name");
    if text(j, "/spec/updateStrategy/type") == "OnDelete" {
        return Health::new(
            "Healthy",
            format!("daemon set {updated} out of {desired} new pods have been updated"),
        );
    }
    if updated < desired {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
            ),
        );
    }
    if available < desired {
        return Health::new(
            "Progressing",
            format!(
                "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
            ),
        );
    }
    Health::new("Healthy", "")
}

/// PersistentVolumeClaim by phase: Bound, Pending, Lost; anything else is Unknown.
pub fn pvc(j: &Json) -> Health {
    let status = match text(j, "/status/phase") {
        "Bound" => "Healthy",
        "Pending" => "Progressing",
        "Lost" => "Degraded",
        _ => "Unknown",
    };
    Health::new(status, "")
}

/// Service: a LoadBalancer is Progressing until it has an ingress address.
pub fn service(j: &Json) -> Health {
    if text(j, "/spec/type") == "LoadBalancer"
        && array(j, "/status/loadBalancer/ingress").is_empty()
    {
        return Health::new("Progressing", "");
    }
    Health::new("Healthy", "")
}

/// Ingress: Progressing until the controller publishes an address.
pub fn ingress(j: &Json) -> Health {
    if array(j, "/status/loadBalancer/ingress").is_empty() {
        Health::new("Progressing", "")
    } else {
        Health::new("Healthy", "")
    }
}

/// Job from its conditions: Failed → Degraded, Complete → Healthy, a true Suspended →
/// Suspended, none of them → Progressing.
pub fn job(j: &Json) -> Health {
    let (mut failed, mut complete, mut suspended) = (false, false, false);
    let (mut message, mut fail_message) = ("", "");
    for c in array(j, "/status/conditions") {
        let msg = text(c, "/message");
        match text(c, "/type") {
            "Failed" => {
                failed = true;
                complete = true;
                fail_message = msg;
            }
            "Complete" => {
                complete = true;
                message = msg;
            }
            "Suspended" => {
                complete = true;
                message = msg;
                suspended |= text(c, "/status") == "True";
            }
            _ => {}
        }
    }
    if !complete {
        Health::new("Progressing", message)
    } else if failed {
        Health::new("Degraded", fail_message)
    } else if suspended {
        // Argo CD reports the (empty) failure message here.
        Health::new("Suspended", fail_message)
    } else {
        Health::new("Healthy", message)
    }
}

fn container_statuses(j: &Json, key: &str) -> Vec<Json> {
    array(j, &format!("/status/{key}")).to_vec()
}

/// Pod: containers waiting on an error or back-off make a restart-always pod Degraded;
/// otherwise by phase (a running pod is Healthy once Ready; restart-never/on-failure pods are
/// hooks, Progressing while they run).
pub fn pod(j: &Json) -> Health {
    let policy = match text(j, "/spec/restartPolicy") {
        "" => "Always",
        p => p,
    };
    let message = text(j, "/status/message");
    let containers = container_statuses(j, "containerStatuses");
    if policy == "Always" {
        let waiting: Vec<&str> = containers
            .iter()
            .filter_map(|c| c.pointer("/state/waiting"))
            .filter(|w| {
                let r = text(w, "/reason");
                r.starts_with("Err") || r.ends_with("Error") || r.ends_with("BackOff")
            })
            .map(|w| text(w, "/message"))
            .collect();
        if !waiting.is_empty() {
            return Health::new("Degraded", waiting.join(", "));
        }
    }
    match text(j, "/status/phase") {
        "Pending" => Health::new("Progressing", message),
        "Succeeded" => Health::new("Healthy", message),
        "Failed" => {
            if !message.is_empty() {
                return Health::new("Degraded", message);
            }
            let mut all = container_statuses(j, "initContainerStatuses");
            all.extend(containers);
            let why = all.iter().find_map(|c| {
                let t = c.pointer("/state/terminated")?;
                let m = text(t, "/message");
                let code = int(t, "/exitCode");
                if !m.is_empty() {
                    Some(m.to_string())
                } else if text(t, "/reason") == "OOMKilled" {
                    Some("OOMKilled".to_string())
                } else if code != 0 {
                    Some(format!(
                        "container {:?} failed with exit code {code}",
                        text(c, "/name")
                    ))
                } else {
                    None
                }
            });
            Health::new("Degraded", why.unwrap_or_default())
        }
        "Running" if policy == "Always" => {
            let ready = condition(j, "Ready")
                .is_some_and(|c| c.get("status").and_then(Json::as_str) == Some("True"));
            if ready {
                Health::new("Healthy", message)
            } else if containers.iter().any(|c| {
                c.pointer("/lastState/terminated")
                    .is_some_and(|t| !t.is_null())
            }) {
                Health::new("Degraded", message)
            } else {
                Health::new("Progressing", message)
            }
        }
        "Running" if matches!(policy, "OnFailure" | "Never") => Health::new("Progressing", message),
        _ => Health::new("Unknown", message),
    }
}

/// HorizontalPodAutoscaler conditions (from `status.conditions`, or for autoscaling/v1 the
/// `autoscaling.alpha.kubernetes.io/conditions` annotation): the first condition that is a
/// known failure → Degraded, the first true AbleToScale/ScalingLimited → Healthy, else
/// Progressing ("Waiting to Autoscale").
pub fn hpa(j: &Json) -> Health {
    let waiting = || Health::new("Progressing", "Waiting to Autoscale");
    let conditions: Vec<Json> = if text(j, "/apiVersion") == "autoscaling/v1" {
        let Some(annotation) = j
            .pointer("/metadata/annotations/autoscaling.alpha.kubernetes.io~1conditions")
            .and_then(Json::as_str)
        else {
            return waiting();
        };
        match serde_json::from_str::<Json>(annotation) {
            Ok(Json::Array(a)) => a,
            _ => {
                return Health::new(
                    "Unknown",
                    "failed to convert conditions annotation to typed",
                )
            }
        }
    } else {
        array(j, "/status/conditions").to_vec()
    };
    const DEGRADED: [(&str, &str); 4] = [
        ("AbleToScale", "FailedGetScale"),
        ("AbleToScale", "FailedUpdateScale"),
        ("ScalingActive", "FailedGetResourceMetric"),
        ("ScalingActive", "InvalidSelector"),
    ];
    for c in &conditions {
        let (ty, reason) = (text(c, "/type"), text(c, "/reason"));
        if DEGRADED.contains(&(ty, reason)) {
            return Health::new("Degraded", text(c, "/message"));
        }
        if matches!(ty, "AbleToScale" | "ScalingLimited") && text(c, "/status") == "True" {
            return Health::new("Healthy", text(c, "/message"));
        }
    }
    waiting()
}

/// APIService: its Available condition decides (true → Healthy, else Progressing), with the
/// message `reason: message`.
pub fn api_service(j: &Json) -> Health {
    match condition(j, "Available") {
        Some(c) => {
            let msg = format!("{}: {}", text(c, "/reason"), text(c, "/message"));
            if text(c, "/status") == "True" {
                Health::new("Healthy", msg)
            } else {
                Health::new("Progressing", msg)
            }
        }
        None => Health::new("Progressing", "Waiting to be processed"),
    }
}

/// Argo Workflows' Workflow by phase.
pub fn workflow(j: &Json) -> Health {
    let message = text(j, "/status/message");
    let status = match text(j, "/status/phase") {
        "" | "Pending" | "Running" => "Progressing",
        "Succeeded" => "Healthy",
        "Failed" | "Error" => "Degraded",
        _ => "Unknown",
    };
    Health::new(status, message)
}

/// A child Argo CD Application (only when opted in): the health it reports in its own
/// status, Progressing while it has none (the rule Argo CD documents for
/// `resource.customizations.health.argoproj.io_Application`).
pub fn application(j: &Json) -> Health {
    match j.pointer("/status/health/status").and_then(Json::as_str) {
        Some(s) => Health::new(s, text(j, "/status/health/message")),
        None => Health::new("Progressing", ""),
    }
}
