//! Argo CD's health assessment for the kinds the seed applies. Other kinds are Healthy once
//! applied, as in Argo CD.

use super::{ClusterContext, ObjectRef};
use kube::api::{Api, DynamicObject};
use serde_json::Value as Json;

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

/// Reads the live object and assesses its health (`Missing` if it does not exist).
pub async fn object_health(ctx: &ClusterContext, o: &ObjectRef) -> String {
    if !matches!(
        o.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "PersistentVolumeClaim"
    ) {
        return "Healthy".into();
    }
    let Some(res) = ctx.resolve(o) else {
        return "Unknown".into();
    };
    let api: Api<DynamicObject> = if res.namespaced {
        Api::namespaced_with(ctx.client().clone(), &o.namespace, &res.resource)
    } else {
        Api::all_with(ctx.client().clone(), &res.resource)
    };
    match api.get_opt(&o.name).await {
        Ok(Some(live)) => serde_json::to_value(live)
            .map(|j| assess(&o.kind, &j))
            .unwrap_or_else(|_| "Unknown".into()),
        Ok(None) => "Missing".into(),
        Err(_) => "Unknown".into(),
    }
}

fn int(j: &Json, ptr: &str) -> i64 {
    j.pointer(ptr).and_then(Json::as_i64).unwrap_or(0)
}

/// Health of a live object, following Argo CD's rules for workloads (a workload whose
/// controller has not observed the latest generation is Progressing).
pub fn assess(kind: &str, j: &Json) -> String {
    let s = match kind {
        "PersistentVolumeClaim" => match j.pointer("/status/phase").and_then(Json::as_str) {
            Some("Bound") => "Healthy",
            Some("Lost") => "Degraded",
            _ => "Progressing",
        },
        "Deployment" => {
            if j.pointer("/spec/paused").and_then(Json::as_bool) == Some(true) {
                "Suspended"
            } else if int(j, "/metadata/generation") > int(j, "/status/observedGeneration") {
                "Progressing"
            } else {
                let want = j
                    .pointer("/spec/replicas")
                    .and_then(Json::as_i64)
                    .unwrap_or(1);
                let updated = int(j, "/status/updatedReplicas");
                let total = int(j, "/status/replicas");
                let avail = int(j, "/status/availableReplicas");
                if updated < want || total > updated || avail < updated {
                    "Progressing"
                } else {
                    "Healthy"
                }
            }
        }
        "StatefulSet" => {
            if int(j, "/metadata/generation") > int(j, "/status/observedGeneration") {
                "Progressing"
            } else {
                let want = j
                    .pointer("/spec/replicas")
                    .and_then(Json::as_i64)
                    .unwrap_or(1);
                if int(j, "/status/readyReplicas") < want {
                    "Progressing"
                } else {
                    "Healthy"
                }
            }
        }
        "DaemonSet" => {
            let stale = int(j, "/metadata/generation") > int(j, "/status/observedGeneration");
            if stale || int(j, "/status/numberAvailable") < int(j, "/status/desiredNumberScheduled")
            {
                "Progressing"
            } else {
                "Healthy"
            }
        }
        _ => "Healthy",
    };
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_rules() {
        let fresh = json!({"metadata": {"generation": 1}, "spec": {"replicas": 1}});
        assert_eq!(assess("Deployment", &fresh), "Progressing");
        let done = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
                       "availableReplicas": 2}});
        assert_eq!(assess("Deployment", &done), "Healthy");
        let rolling = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2,
                       "availableReplicas": 2}});
        assert_eq!(assess("Deployment", &rolling), "Progressing");
        let paused = json!({"spec": {"paused": true}});
        assert_eq!(assess("Deployment", &paused), "Suspended");
    }

    #[test]
    fn other_rules() {
        assert_eq!(assess("PersistentVolumeClaim", &json!({})), "Progressing");
        assert_eq!(
            assess(
                "PersistentVolumeClaim",
                &json!({"status": {"phase": "Bound"}})
            ),
            "Healthy"
        );
        assert_eq!(
            assess("StatefulSet", &json!({"metadata": {"generation": 1}})),
            "Progressing"
        );
        assert_eq!(assess("ConfigMap", &json!({})), "Healthy");
        assert!(rank("Degraded") > rank("Progressing"));
        assert!(rank("Progressing") > rank("Healthy"));
    }
}
