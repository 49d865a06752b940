//! Smoke test of the test control plane through the kube crate: core objects, a CRD-backed
//! cert-manager Certificate, server-side apply and deletion against a real kube-apiserver.

mod support;

use std::net::TcpStream;
use std::path::Path;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::Api;
use serde_json::json;
use support::cluster::{dns_label_prefix, split_documents, TestCluster};

const MANAGER: &str = "rudder-smoke";

fn certificate_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate"),
        "certificates",
    )
}

fn certificate(ns: &str, name: &str, dns_name: &str) -> DynamicObject {
    let value = json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": { "name": name, "namespace": ns },
        "spec": {
            "secretName": format!("{name}-tls"),
            "dnsNames": [dns_name],
            "issuerRef": { "name": "ca", "kind": "ClusterIssuer" },
        },
    });
    match serde_json::from_value(value) {
        Ok(obj) => obj,
        Err(e) => panic!("certificate literal: {e}"),
    }
}

#[tokio::test]
async fn crds_are_installed_and_established() {
    let cluster = TestCluster::shared();
    for crd in [
        "certificates.cert-manager.io",
        "clusterissuers.cert-manager.io",
        "sealedsecrets.bitnami.com",
        "applications.argoproj.io",
    ] {
        assert!(
            cluster.crd_names().iter().any(|n| n == crd),
            "{crd} missing from {:?}",
            cluster.crd_names()
        );
    }
    assert!(cluster.kubeconfig_path().is_file());
    assert!(cluster.server_url().starts_with("https://127.0.0.1:"));
}

#[tokio::test]
async fn namespace_configmap_certificate_lifecycle() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("smoke").await;

    // Namespace: created by the helper, readable.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let got = namespaces.get(&ns).await.expect("get namespace");
    assert_eq!(got.metadata.name.as_deref(), Some(ns.as_str()));

    // ConfigMap: create, read back, server-side apply a change, delete.
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let cm: ConfigMap = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": "settings" },
        "data": { "mode": "a" },
    }))
    .expect("configmap literal");
    configmaps
        .create(&PostParams::default(), &cm)
        .await
        .expect("create configmap");
    let got = configmaps.get("settings").await.expect("get configmap");
    assert_eq!(
        got.data
            .as_ref()
            .and_then(|d| d.get("mode"))
            .map(String::as_str),
        Some("a")
    );

    let change = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": "settings" },
        "data": { "mode": "b", "extra": "1" },
    });
    let applied = configmaps
        .patch(
            "settings",
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&change),
        )
        .await
        .expect("server-side apply configmap");
    let data = applied.data.expect("applied configmap has data");
    assert_eq!(data.get("mode").map(String::as_str), Some("b"));
    assert_eq!(data.get("extra").map(String::as_str), Some("1"));
    let managers: Vec<_> = applied
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| Some((m.manager?, m.operation?)))
        .collect();
    assert!(
        managers.contains(&(MANAGER.to_string(), "Apply".to_string())),
        "managers: {managers:?}"
    );

    // Certificate (CRD-backed): create, read back, server-side apply a change.
    let certs: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &ns, &certificate_resource());
    certs
        .create(
            &PostParams::default(),
            &certificate(&ns, "web", "web.example.com"),
        )
        .await
        .expect("create certificate");
    let got = certs.get("web").await.expect("get certificate");
    assert_eq!(got.data["spec"]["dnsNames"], json!(["web.example.com"]));
    assert_eq!(got.data["spec"]["secretName"], json!("web-tls"));

    let applied = certs
        .patch(
            "web",
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(certificate(&ns, "web", "www.example.com")),
        )
        .await
        .expect("server-side apply certificate");
    assert_eq!(applied.data["spec"]["dnsNames"], json!(["www.example.com"]));
    let got = certs.get("web").await.expect("get applied certificate");
    assert_eq!(got.data["spec"]["dnsNames"], json!(["www.example.com"]));

    // Delete both; nothing holds finalizers on them, so they are gone at once.
    configmaps
        .delete("settings", &DeleteParams::default())
        .await
        .expect("delete configmap");
    certs
        .delete("web", &DeleteParams::default())
        .await
        .expect("delete certificate");
    assert!(configmaps.get_opt("settings").await.expect("get").is_none());
    assert!(certs.get_opt("web").await.expect("get").is_none());

    // The namespace only goes Terminating: no namespace controller runs to finish the job.
    namespaces
        .delete(&ns, &DeleteParams::default())
        .await
        .expect("delete namespace");
    let got = namespaces.get(&ns).await.expect("get deleted namespace");
    assert!(got.metadata.deletion_timestamp.is_some());
}

#[tokio::test]
async fn crd_schema_is_enforced() {
    let cluster = TestCluster::shared();
    let ns = cluster.namespace("schema").await;
    let certs: Api<DynamicObject> =
        Api::namespaced_with(cluster.client().await, &ns, &certificate_resource());
    let mut bad = certificate(&ns, "bad", "bad.example.com");
    if let Some(spec) = bad.data.get_mut("spec").and_then(|s| s.as_object_mut()) {
        spec.remove("secretName");
    }
    match certs.create(&PostParams::default(), &bad).await {
        Err(kube::Error::Api(e)) => assert_eq!(e.code, 422, "{e:?}"),
        other => panic!("a Certificate without secretName was accepted: {other:?}"),
    }
}

#[tokio::test]
async fn namespaces_are_distinct() {
    let cluster = TestCluster::shared();
    let a = cluster.namespace("Same_Prefix").await;
    let b = cluster.namespace("Same_Prefix").await;
    assert_ne!(a, b);
    assert!(a.starts_with("same-prefix-"), "{a}");
}

#[test]
fn owned_cluster_stops_everything_on_drop() {
    let cluster = TestCluster::start().expect("start an owned cluster");
    let dir = cluster.dir().to_path_buf();
    let pids = cluster.process_ids();
    let port: u16 = cluster
        .server_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port in server URL");
    assert_eq!(pids.len(), 2);
    assert!(dir.join("kubeconfig").is_file());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());

    drop(cluster);

    for pid in pids {
        // Reaped children leave no /proc entry (a zombie would still have one).
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "pid {pid} lives"
        );
    }
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(!dir.exists());
}

#[test]
fn yaml_stream_splits_into_non_empty_documents() {
    let docs = split_documents("---\n# only a comment\n---\na: 1\n---\n\n--- \nb: 2\n");
    assert_eq!(docs, vec!["a: 1\n".to_string(), "b: 2\n".to_string()]);
}

#[test]
fn namespace_prefixes_become_dns_labels() {
    assert_eq!(dns_label_prefix("My_Test"), "my-test");
    assert_eq!(dns_label_prefix("9lives"), "t-9lives");
    assert_eq!(dns_label_prefix("--x--"), "x");
    assert_eq!(dns_label_prefix(&"a".repeat(100)).len(), 40);
}
