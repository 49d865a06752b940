//! charts/rudder against the real API server: `rudder apply` creates every object (the
//! Application CRD, RBAC, Deployment, Service), an Argo CD Application is accepted by the
//! chart's CRD, and the RBAC grants the controller's ServiceAccount what sync needs and no
//! more (checked with SubjectAccessReviews). The rendering itself is compared with helm's in
//! tests/seed_snapshots.rs (cases `rudder-*`).
#[allow(unused_imports)]
mod support;

use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use kube::api::{Api, DynamicObject, PostParams};
use kube::Client;
use rudder::sync::reconcile::app_api;
use serde_json::json;
use support::cluster::TestCluster;
use support::rudder_cli::run;

/// Whether `user` may `verb` `resource` (in `group`, in `namespace` if not empty).
async fn can(
    client: &Client,
    user: &str,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: &str,
) -> bool {
    let mut attrs = json!({"verb": verb, "group": group, "resource": resource});
    if !namespace.is_empty() {
        attrs["namespace"] = json!(namespace);
    }
    let review: SubjectAccessReview = serde_json::from_value(json!({
        "spec": {"user": user, "groups": ["system:serviceaccounts", "system:authenticated"],
                 "resourceAttributes": attrs}
    }))
    .expect("review");
    let api: Api<SubjectAccessReview> = Api::all(client.clone());
    let r = api
        .create(&PostParams::default(), &review)
        .await
        .expect("subject access review");
    r.status.map(|s| s.allowed).unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_applies_and_rbac_is_least_privilege() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("rudder-system").await;
    let (ok, out, err) = run(
        cluster,
        &[
            "apply",
            "rudder",
            "charts/rudder",
            "-n",
            &ns,
            // The test server already has Argo CD's CRD: the chart's takes it over.
            "--adopt",
            "--force-conflicts",
        ],
    );
    assert!(ok, "{out}{err}");
    for kind in [
        "CustomResourceDefinition",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "Service",
        "Deployment",
    ] {
        assert!(out.contains(kind), "{kind} not applied:\n{out}");
    }
    let deps: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(client.clone(), &ns);
    let dep = deps.get("rudder").await.expect("deployment");
    let spec = dep.spec.expect("spec");
    assert_eq!(spec.replicas, Some(2));
    let pod = spec.template.spec.expect("pod spec");
    let args = pod.containers[0].args.clone().unwrap_or_default();
    assert!(args.contains(&"--leader-elect".to_string()), "{args:?}");
    assert!(args.contains(&format!("--namespace={ns}")), "{args:?}");
    let sc = pod.containers[0]
        .security_context
        .clone()
        .expect("securityContext");
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_eq!(sc.allow_privilege_escalation, Some(false));

    // The chart's CRD accepts an Application written for Argo CD (the seed's ghost app).
    let ghost = std::fs::read_to_string(
        support::rudder_cli::repo().join("gitops/argocd-apps/applications/ghost.yaml"),
    )
    .expect("ghost app")
    .replace("namespace: argocd", &format!("namespace: {ns}"));
    let obj: DynamicObject = serde_json::from_value(
        rudder::apply::objects::yaml_to_json(&ghost)
            .expect("yaml")
            .expect("doc"),
    )
    .expect("object");
    app_api(&client, &ns)
        .create(&PostParams::default(), &obj)
        .await
        .expect("Application accepted by the chart's CRD");

    let sa = format!("system:serviceaccount:{ns}:rudder");
    let other = cluster.namespace("rudder-dest").await;
    // The apps namespace: Applications read-write, repository Secrets and ConfigMaps read.
    assert!(can(&client, &sa, "patch", "argoproj.io", "applications", &ns).await);
    assert!(can(&client, &sa, "list", "", "secrets", &ns).await);
    assert!(can(&client, &sa, "get", "", "configmaps", &ns).await);
    assert!(can(&client, &sa, "update", "coordination.k8s.io", "leases", &ns).await);
    // Applications and Leases elsewhere: no.
    assert!(!can(&client, &sa, "patch", "argoproj.io", "applications", &other).await);
    assert!(
        !can(
            &client,
            &sa,
            "update",
            "coordination.k8s.io",
            "leases",
            &other
        )
        .await
    );
    // What the seed's apps render, anywhere.
    assert!(can(&client, &sa, "patch", "apps", "deployments", &other).await);
    assert!(
        can(
            &client,
            &sa,
            "delete",
            "networking.k8s.io",
            "ingresses",
            &other
        )
        .await
    );
    assert!(
        can(
            &client,
            &sa,
            "create",
            "cert-manager.io",
            "clusterissuers",
            ""
        )
        .await
    );
    assert!(can(&client, &sa, "create", "", "namespaces", "").await);
    // Not granted by default: nodes, RBAC (no escalation), pods exec.
    assert!(!can(&client, &sa, "get", "", "nodes", "").await);
    assert!(
        !can(
            &client,
            &sa,
            "create",
            "rbac.authorization.k8s.io",
            "clusterroles",
            ""
        )
        .await
    );
    assert!(!can(&client, &sa, "create", "", "pods", &other).await);

    // clusterAdmin=true (Argo CD's application-controller rights) is one value away.
    let (ok, out, err) = run(
        cluster,
        &[
            "apply",
            "rudder",
            "charts/rudder",
            "-n",
            &ns,
            "--adopt",
            "--force-conflicts",
            "--set",
            "rbac.clusterAdmin=true",
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(can(&client, &sa, "get", "", "nodes", "").await);
    assert!(
        can(
            &client,
            &sa,
            "create",
            "rbac.authorization.k8s.io",
            "clusterroles",
            ""
        )
        .await
    );
}
