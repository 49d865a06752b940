//! One test per rule, with status shapes like those in gitops-engine's health test data.

use super::*;
use serde_json::json;

fn h(kind: &str, j: serde_json::Value) -> Health {
    let group = default_group(kind);
    assess_health(group, kind, &j, &HealthOptions::default()).expect("kind has a rule")
}

fn st(kind: &str, j: serde_json::Value) -> String {
    h(kind, j).status
}

#[test]
fn deployment() {
    let healthy = json!({"metadata": {"name": "d", "generation": 4}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 4, "replicas": 2, "updatedReplicas": 2,
                   "readyReplicas": 2, "availableReplicas": 2}});
    assert_eq!(h("Deployment", healthy), Health::new("Healthy", ""));
    let fresh = json!({"metadata": {"generation": 1}, "spec": {"replicas": 1}});
    assert_eq!(
        h("Deployment", fresh).message,
        "Waiting for rollout to finish: observed deployment generation less than desired generation"
    );
    let rolling = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2,
                   "availableReplicas": 2}});
    assert_eq!(
        h("Deployment", rolling),
        Health::new(
            "Progressing",
            "Waiting for rollout to finish: 1 old replicas are pending termination..."
        )
    );
    let updating = json!({"metadata": {"generation": 2}, "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1}});
    assert_eq!(
        h("Deployment", updating).message,
        "Waiting for rollout to finish: 1 out of 3 new replicas have been updated..."
    );
    let unavailable = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
                   "availableReplicas": 1}});
    assert_eq!(
        h("Deployment", unavailable).message,
        "Waiting for rollout to finish: 1 of 2 updated replicas are available..."
    );
    let paused = json!({"spec": {"paused": true}});
    assert_eq!(
        h("Deployment", paused),
        Health::new("Suspended", "Deployment is paused")
    );
    // The progress deadline wins over the replica counts (Argo's deployment-degraded case).
    let degraded = json!({"metadata": {"name": "guestbook-ui", "generation": 4},
        "spec": {"replicas": 1},
        "status": {"observedGeneration": 4, "replicas": 2, "updatedReplicas": 1,
                   "availableReplicas": 1, "readyReplicas": 1,
                   "conditions": [
                     {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                     {"type": "Progressing", "status": "False",
                      "reason": "ProgressDeadlineExceeded"}]}});
    assert_eq!(
        h("Deployment", degraded),
        Health::new(
            "Degraded",
            "Deployment \"guestbook-ui\" exceeded its progress deadline"
        )
    );
}

#[test]
fn stateful_set() {
    let healthy = json!({"metadata": {"generation": 1}, "spec": {"replicas": 1,
        "updateStrategy": {"type": "RollingUpdate"}},
        "status": {"observedGeneration": 1, "readyReplicas": 1, "replicas": 1,
                   "currentReplicas": 1, "currentRevision": "redis-7b8f",
                   "updateRevision": "redis-7b8f"}});
    assert_eq!(
        h("StatefulSet", healthy),
        Health::new(
            "Healthy",
            "statefulset rolling update complete 1 pods at revision redis-7b8f..."
        )
    );
    assert_eq!(
        h("StatefulSet", json!({"metadata": {"generation": 1}})).message,
        "Waiting for statefulset spec update to be observed..."
    );
    let not_ready = json!({"metadata": {"generation": 1}, "spec": {"replicas": 3},
        "status": {"observedGeneration": 1, "readyReplicas": 1}});
    assert_eq!(
        h("StatefulSet", not_ready).message,
        "Waiting for 2 pods to be ready..."
    );
    let on_delete = json!({"metadata": {"generation": 2}, "spec": {"replicas": 1,
        "updateStrategy": {"type": "OnDelete"}},
        "status": {"observedGeneration": 2, "readyReplicas": 1, "currentRevision": "a",
                   "updateRevision": "b"}});
    assert_eq!(
        h("StatefulSet", on_delete),
        Health::new("Healthy", "statefulset has 1 ready pods")
    );
    let partitioned = json!({"metadata": {"generation": 2}, "spec": {"replicas": 4,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}},
        "status": {"observedGeneration": 2, "readyReplicas": 4, "updatedReplicas": 1}});
    assert_eq!(
        h("StatefulSet", partitioned).message,
        "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."
    );
    let updating = json!({"metadata": {"generation": 2}, "spec": {"replicas": 1},
        "status": {"observedGeneration": 2, "readyReplicas": 1, "updatedReplicas": 0,
                   "currentRevision": "a", "updateRevision": "b"}});
    assert_eq!(st("StatefulSet", updating), "Progressing");
}

#[test]
fn daemon_set() {
    let on_delete = json!({"metadata": {"generation": 2}, "spec": {"updateStrategy":
        {"type": "OnDelete"}}, "status": {"observedGeneration": 2, "desiredNumberScheduled": 3,
        "updatedNumberScheduled": 1, "numberAvailable": 1}});
    assert_eq!(
        h("DaemonSet", on_delete),
        Health::new(
            "Healthy",
            "daemon set 1 out of 3 new pods have been updated"
        )
    );
    let rolling = json!({"metadata": {"name": "ds", "generation": 2},
        "status": {"observedGeneration": 2, "desiredNumberScheduled": 3,
                   "updatedNumberScheduled": 3, "numberAvailable": 2}});
    assert_eq!(
        h("DaemonSet", rolling).message,
        "Waiting for daemon set \"ds\" rollout to finish: 2 of 3 updated pods are available..."
    );
    let done = json!({"metadata": {"generation": 1}, "status": {"observedGeneration": 1,
        "desiredNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 2}});
    assert_eq!(st("DaemonSet", done), "Healthy");
    assert_eq!(
        st("DaemonSet", json!({"metadata": {"generation": 3}})),
        "Progressing"
    );
}

#[test]
fn replica_set() {
    let failing = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "conditions": [{"type": "ReplicaFailure",
        "status": "True", "message": "pods \"x\" is forbidden: exceeded quota"}]}});
    assert_eq!(
        h("ReplicaSet", failing),
        Health::new("Degraded", "pods \"x\" is forbidden: exceeded quota")
    );
    let scaling = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "availableReplicas": 1}});
    assert_eq!(
        h("ReplicaSet", scaling).message,
        "Waiting for rollout to finish: 1 out of 2 new replicas are available..."
    );
}

#[test]
fn pvc() {
    let phase = |p: &str| st("PersistentVolumeClaim", json!({"status": {"phase": p}}));
    assert_eq!(phase("Bound"), "Healthy");
    assert_eq!(phase("Pending"), "Progressing");
    assert_eq!(phase("Lost"), "Degraded");
    assert_eq!(st("PersistentVolumeClaim", json!({})), "Unknown");
}

#[test]
fn service() {
    assert_eq!(
        st("Service", json!({"spec": {"type": "ClusterIP"}})),
        "Healthy"
    );
    let lb = json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}});
    assert_eq!(st("Service", lb), "Progressing");
    let assigned = json!({"spec": {"type": "LoadBalancer"},
        "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}});
    assert_eq!(st("Service", assigned), "Healthy");
}

#[test]
fn ingress() {
    assert_eq!(
        st("Ingress", json!({"status": {"loadBalancer": {}}})),
        "Progressing"
    );
    let ok = json!({"status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}});
    assert_eq!(st("Ingress", ok.clone()), "Healthy");
    // The old extensions group has the same rule.
    let r = assess_health("extensions", "Ingress", &ok, &HealthOptions::default());
    assert_eq!(r.map(|x| x.status).as_deref(), Some("Healthy"));
}

#[test]
fn job() {
    assert_eq!(st("Job", json!({"status": {"active": 1}})), "Progressing");
    let failed = json!({"status": {"conditions": [{"type": "Failed", "status": "True",
        "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}});
    assert_eq!(
        h("Job", failed),
        Health::new("Degraded", "Job has reached the specified backoff limit")
    );
    let done = json!({"status": {"succeeded": 1, "conditions": [{"type": "Complete",
        "status": "True"}]}});
    assert_eq!(st("Job", done), "Healthy");
    let suspended = json!({"status": {"conditions": [{"type": "Suspended", "status": "True",
        "reason": "JobSuspended", "message": "Job suspended"}]}});
    assert_eq!(st("Job", suspended), "Suspended");
}

#[test]
fn pod() {
    assert_eq!(
        h(
            "Pod",
            json!({"status": {"phase": "Pending", "message": "unschedulable"}})
        ),
        Health::new("Progressing", "unschedulable")
    );
    let crashloop = json!({"spec": {"restartPolicy": "Always"}, "status": {"phase": "Running",
        "containerStatuses": [{"name": "main", "ready": false,
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
            "state": {"waiting": {"reason": "CrashLoopBackOff",
                "message": "Back-off 40s restarting failed container=main"}}}]}});
    assert_eq!(
        h("Pod", crashloop),
        Health::new("Degraded", "Back-off 40s restarting failed container=main")
    );
    let pull = json!({"spec": {}, "status": {"phase": "Pending", "containerStatuses": [
        {"name": "main", "state": {"waiting": {"reason": "ImagePullBackOff",
            "message": "Back-off pulling image"}}}]}});
    assert_eq!(st("Pod", pull), "Degraded");
    // Running, not ready, a container terminated before: Degraded (Argo's pod-error case).
    let error = json!({"spec": {"restartPolicy": "Always"}, "status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [{"name": "main",
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
            "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}});
    assert_eq!(st("Pod", error), "Degraded");
    let ready = json!({"spec": {"restartPolicy": "Always"}, "status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(st("Pod", ready), "Healthy");
    let not_ready = json!({"spec": {}, "status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [{"name": "main", "state": {"running": {}}}]}});
    assert_eq!(st("Pod", not_ready), "Progressing");
    for policy in ["Never", "OnFailure"] {
        let hook = json!({"spec": {"restartPolicy": policy}, "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(st("Pod", hook), "Progressing", "{policy}");
    }
    let failed = json!({"spec": {"restartPolicy": "Never"}, "status": {"phase": "Failed",
        "containerStatuses": [{"name": "main",
            "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]}});
    assert_eq!(
        h("Pod", failed),
        Health::new("Degraded", "container \"main\" failed with exit code 2")
    );
    let oom = json!({"spec": {"restartPolicy": "Never"}, "status": {"phase": "Failed",
        "initContainerStatuses": [{"name": "init",
            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}});
    assert_eq!(h("Pod", oom).message, "OOMKilled");
    assert_eq!(
        st("Pod", json!({"status": {"phase": "Succeeded"}})),
        "Healthy"
    );
    let deleting = json!({"metadata": {"deletionTimestamp": "2018-12-03T10:16:04Z"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(
        h("Pod", deleting),
        Health::new("Progressing", "Pending deletion")
    );
}

#[test]
fn hpa() {
    let v2 = |conds: serde_json::Value| json!({"apiVersion": "autoscaling/v2", "status": {"conditions": conds}});
    let degraded = v2(json!([
        {"type": "AbleToScale", "status": "False", "reason": "FailedGetScale",
         "message": "unable to get the target's current scale"},
        {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"}]));
    assert_eq!(
        h("HorizontalPodAutoscaler", degraded),
        Health::new("Degraded", "unable to get the target's current scale")
    );
    let healthy = v2(json!([{"type": "AbleToScale", "status": "True",
        "reason": "ReadyForNewScale", "message": "recommended size matches current size"}]));
    assert_eq!(st("HorizontalPodAutoscaler", healthy), "Healthy");
    let progressing = v2(json!([{"type": "ScalingActive", "status": "False",
        "reason": "ScalingDisabled"}]));
    assert_eq!(
        h("HorizontalPodAutoscaler", progressing),
        Health::new("Progressing", "Waiting to Autoscale")
    );
    // autoscaling/v1 keeps its conditions in an annotation.
    let v1 = |ann: Option<&str>| {
        let mut j = json!({"apiVersion": "autoscaling/v1", "metadata": {"annotations": {}},
            "status": {"currentReplicas": 1}});
        if let Some(a) = ann {
            j["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/conditions"] = json!(a);
        }
        j
    };
    assert_eq!(st("HorizontalPodAutoscaler", v1(None)), "Progressing");
    let failed = r#"[{"type":"AbleToScale","status":"True","reason":"SucceededGetScale"},{"type":"ScalingActive","status":"False","reason":"FailedGetResourceMetric","message":"missing request for cpu"}]"#;
    // The first matching condition decides: AbleToScale is true, so Healthy (as in Argo).
    assert_eq!(st("HorizontalPodAutoscaler", v1(Some(failed))), "Healthy");
    let metric_first = r#"[{"type":"ScalingActive","status":"False","reason":"FailedGetResourceMetric","message":"missing request for cpu"}]"#;
    assert_eq!(
        h("HorizontalPodAutoscaler", v1(Some(metric_first))),
        Health::new("Degraded", "missing request for cpu")
    );
    assert_eq!(st("HorizontalPodAutoscaler", v1(Some("[]"))), "Progressing");
}

#[test]
fn api_service() {
    let cond = |s: &str| {
        json!({"status": {"conditions": [{"type": "Available", "status": s,
            "reason": "Passed", "message": "all checks passed"}]}})
    };
    assert_eq!(
        h("APIService", cond("True")),
        Health::new("Healthy", "Passed: all checks passed")
    );
    assert_eq!(st("APIService", cond("False")), "Progressing");
    assert_eq!(
        h("APIService", json!({})),
        Health::new("Progressing", "Waiting to be processed")
    );
}

#[test]
fn child_applications_count_only_when_opted_in() {
    let child = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "status": {"health": {"status": "Degraded", "message": "child broke"}}});
    // Argo CD's default: no health for Application children (so Healthy in aggregates).
    assert!(assess_health(
        "argoproj.io",
        "Application",
        &child,
        &HealthOptions::default()
    )
    .is_none());
    assert_eq!(assess("Application", &child), "Healthy");
    let on = HealthOptions { app_children: true };
    assert_eq!(
        assess_health("argoproj.io", "Application", &child, &on),
        Some(Health::new("Degraded", "child broke"))
    );
    let fresh = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application"});
    assert_eq!(
        assess_health("argoproj.io", "Application", &fresh, &on).map(|h| h.status),
        Some("Progressing".to_string())
    );
    assert!(has_rule("argoproj.io", "Application", &on));
    assert!(!has_rule(
        "argoproj.io",
        "Application",
        &HealthOptions::default()
    ));
}

#[test]
fn kinds_without_rules_and_ranks() {
    assert_eq!(assess("ConfigMap", &json!({})), "Healthy");
    assert!(assess_health("", "ConfigMap", &json!({}), &HealthOptions::default()).is_none());
    // A CRD-backed kind without a rule (Argo's knative-service case) has no health.
    assert!(assess_health(
        "serving.knative.dev",
        "Service",
        &json!({}),
        &HealthOptions::default()
    )
    .is_none());
    assert_eq!(
        assess_health(
            "argoproj.io",
            "Workflow",
            &json!({"status": {"phase": "Failed"}}),
            &HealthOptions::default()
        )
        .map(|h| h.status),
        Some("Degraded".to_string())
    );
    assert!(rank("Degraded") > rank("Progressing"));
    assert!(rank("Progressing") > rank("Suspended"));
    assert!(rank("Suspended") > rank("Healthy"));
    assert!(rank("Unknown") > rank("Degraded"));
}
