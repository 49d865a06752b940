//! Apply-and-prune against the real API server of the test support: the four seed charts
//! (fixed namespaces, so they run in one ordered test), prune guards, a forbidden-kind fault,
//! CRDs with their custom resources, and `rudder diff`.

// The support module re-exports helpers this binary does not use.
#[allow(unused_imports)]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rudder::apply::{self, Action, ApplyError, ApplyOptions, ClusterContext};
use rudder::render::manifest::Manifest;
use rudder::render::{render_chart_with, RenderOptions, Rendered, ValueOptions};
use serde_json::json;
use support::cluster::TestCluster;

fn rudder() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the rudder binary and returns (success, stdout, stderr).
fn run(cluster: &TestCluster, args: &[&str]) -> (bool, String, String) {
    let out = rudder()
        .args(args)
        .arg("--kubeconfig")
        .arg(cluster.kubeconfig_path())
        .current_dir(repo())
        .output()
        .expect("run rudder");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn create_namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).expect("ns");
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("create namespace {name}: {e}"),
    }
}

fn render_seed(chart: &str, release: &str, ns: &str, values: ValueOptions) -> Rendered {
    let chart = rudder::chart::load::load(&repo().join("charts").join(chart)).expect("load chart");
    let user = values.merge().expect("values");
    let opts = RenderOptions {
        release_name: release.into(),
        namespace: ns.into(),
        ..RenderOptions::default()
    };
    render_chart_with(chart, &user, &opts, &rudder::template::NoHost).expect("render")
}

fn actions(r: &apply::ApplyReport) -> Vec<(String, Action)> {
    r.results
        .iter()
        .map(|x| (x.object.to_string(), x.action.clone()))
        .collect()
}

/// The acceptance scenario on the seed charts, in order (they share fixed namespaces).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_charts_apply_reapply_change_and_prune() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    for ns in ["cert-manager", "argocd"] {
        create_namespace(&client, ns).await;
    }

    // 1. Cold-process applies of the four charts through the CLI, timed.
    let charts: [(&str, &str, &[&str]); 4] = [
        (
            "infrastructure",
            "charts/infrastructure",
            &["-n", "default"],
        ),
        ("home-fonta", "charts/homefonta", &["-n", "home-fonta"]),
        (
            "external-services",
            "charts/external-services",
            &["-n", "home-fonta"],
        ),
        (
            "ghost",
            "charts/ghost",
            &["-n", "blog", "--create-namespace"],
        ),
    ];
    let begin = Instant::now();
    for (release, chart, extra) in charts {
        let mut args = vec!["apply", release, chart];
        args.extend_from_slice(extra);
        let (ok, out, err) = run(cluster, &args);
        assert!(ok, "apply {release}: {out}\n{err}");
        eprintln!("apply {release} stderr: {err}");
        if release == "external-services" {
            // The server's deprecation warning for v1 Endpoints, shown once for 5 objects.
            let warnings: Vec<_> = err.lines().filter(|l| l.starts_with("Warning: ")).collect();
            assert_eq!(warnings.len(), 1, "{err}");
            assert!(warnings[0].contains("Endpoints"), "{err}");
        }
        assert!(out.lines().any(|l| l.ends_with(" created")), "{out}");
        assert!(!out.lines().any(|l| l.ends_with(" unchanged")), "{out}");
    }
    let first = begin.elapsed();

    // 2. Re-apply: every object unchanged.
    let begin = Instant::now();
    for (release, chart, extra) in charts {
        let mut args = vec!["apply", release, chart];
        args.extend_from_slice(extra);
        let (ok, out, err) = run(cluster, &args);
        assert!(ok, "re-apply {release}: {out}\n{err}");
        assert!(out.contains("\n0 created, 0 configured, "), "{out}");
        assert!(
            out.lines()
                .filter(|l| !l.contains(", "))
                .all(|l| l.ends_with(" unchanged")),
            "{out}"
        );
    }
    let second = begin.elapsed();
    eprintln!(
        "TIMING four seed charts, cold processes: first apply {first:.2?}, re-apply {second:.2?}"
    );
    assert!(
        first.as_secs_f64() < 2.0 * 4.0,
        "first apply took {first:?}"
    );

    // 3. replicaCount 1 -> 2: only the Deployment changes.
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let vals = ValueOptions {
        set: vec!["replicaCount=2".into()],
        ..ValueOptions::default()
    };
    let rendered = render_seed("homefonta", "home-fonta", "home-fonta", vals);
    let report = apply::apply(
        &ctx,
        "home-fonta",
        "home-fonta",
        &rendered,
        &ApplyOptions::default(),
    )
    .await
    .expect("apply replicas 2");
    let changed: Vec<_> = actions(&report)
        .into_iter()
        .filter(|(_, a)| *a != Action::Unchanged)
        .collect();
    assert_eq!(
        changed,
        vec![(
            "Deployment.apps home-fonta/home-fonta-web".to_string(),
            Action::Configured
        )]
    );

    // 4. rudder diff shows the next replica change.
    let (ok, out, err) = run(
        cluster,
        &[
            "diff",
            "home-fonta",
            "charts/homefonta",
            "-n",
            "home-fonta",
            "--set",
            "replicaCount=3",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("~ Deployment.apps home-fonta/home-fonta-web"),
        "{out}"
    );
    assert!(out.contains("spec.replicas: 2 -> 3"), "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with(['~', '+', '-']))
            .count(),
        1,
        "{out}"
    );

    // 5. Prune passbolt. Before: someone deletes and recreates the Ingress (same name and
    // labels, new UID): it must survive; Endpoints and Service go, nothing else.
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "home-fonta");
    let mut ing = ingresses.get("passbolt-ingress").await.expect("ingress");
    ingresses
        .delete("passbolt-ingress", &DeleteParams::default())
        .await
        .expect("delete ingress");
    ing.metadata.uid = None;
    ing.metadata.resource_version = None;
    ing.metadata.managed_fields = None;
    ing.metadata.creation_timestamp = None;
    ingresses
        .create(&PostParams::default(), &ing)
        .await
        .expect("recreate ingress");
    let vals = ValueOptions {
        value_files: vec![repo().join("tests/seed/values/external-services-no-passbolt.yaml")],
        ..ValueOptions::default()
    };
    let rendered = render_seed("external-services", "external-services", "home-fonta", vals);
    let opts = ApplyOptions {
        prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::apply(&ctx, "external-services", "home-fonta", &rendered, &opts)
        .await
        .expect("prune passbolt");
    let mut touched: Vec<_> = actions(&report)
        .into_iter()
        .filter(|(_, a)| *a != Action::Unchanged)
        .collect();
    touched.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(touched.len(), 3, "{touched:?}");
    assert_eq!(
        touched[0],
        (
            "Endpoints home-fonta/passbolt-external".into(),
            Action::Pruned
        )
    );
    assert!(
        matches!(&touched[1], (o, Action::PruneSkipped(why)) if o == "Ingress.networking.k8s.io home-fonta/passbolt-ingress" && why.contains("UID")),
        "{touched:?}"
    );
    assert_eq!(
        touched[2],
        (
            "Service home-fonta/passbolt-external".into(),
            Action::Pruned
        )
    );
    assert!(ingresses
        .get_opt("passbolt-ingress")
        .await
        .expect("get")
        .is_some());
    let services: Api<Service> = Api::namespaced(client.clone(), "home-fonta");
    assert!(services
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_none());
    assert!(services
        .get_opt("plex-external")
        .await
        .expect("get")
        .is_some());
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), "home-fonta");
    assert!(endpoints
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_none());

    // 6. A hand-made Service of the same name, without our labels, is never touched.
    let svc: Service = serde_json::from_value(json!({"metadata": {"name": "passbolt-external"},
        "spec": {"ports": [{"port": 443}]}}))
    .expect("svc");
    services
        .create(&PostParams::default(), &svc)
        .await
        .expect("hand-made service");
    let report = apply::apply(&ctx, "external-services", "home-fonta", &rendered, &opts)
        .await
        .expect("prune again");
    assert!(report.is_noop(), "{:?}", actions(&report));
    assert!(services
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_some());

    // Apply the original values again: the hand-made Service is not taken over.
    let rendered = render_seed(
        "external-services",
        "external-services",
        "home-fonta",
        ValueOptions::default(),
    );
    match apply::apply(
        &ctx,
        "external-services",
        "home-fonta",
        &rendered,
        &ApplyOptions::default(),
    )
    .await
    {
        Err(ApplyError::NotOwned { object, .. }) => {
            assert_eq!(object.to_string(), "Service home-fonta/passbolt-external")
        }
        other => panic!("expected NotOwned, got {other:?}"),
    }
}

fn manifest(doc: serde_json::Value) -> Manifest {
    Manifest {
        name: "adhoc/templates/x.yaml".into(),
        content: serde_json::to_string(&doc).expect("json"),
        kind: doc["kind"].as_str().unwrap_or_default().into(),
        object_name: doc["metadata"]["name"].as_str().unwrap_or_default().into(),
        events: vec![],
        weight: 0,
        delete_policies: vec![],
    }
}

fn rendered(docs: Vec<serde_json::Value>) -> Rendered {
    Rendered {
        manifests: docs.into_iter().map(manifest).collect(),
        ..Rendered::default()
    }
}

fn cm(name: &str, v: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": v}})
}

/// A forbidden kind mid-apply: a clear error naming the object, nothing pruned, the inventory
/// keeps the widened set; the next run (with rights) finishes and prunes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_kind_mid_apply_then_converges() {
    let cluster = TestCluster::shared();
    let admin = cluster.client().await;
    let ns = cluster.namespace("apply-fault").await;
    // RBAC for user "limited": ConfigMaps, Services, Secrets in ns; no Ingresses.
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "limited", "namespace": ns},
        "rules": [{"apiGroups": [""], "resources": ["configmaps", "services", "secrets"], "verbs": ["*"]}]});
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "limited", "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "limited"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "limited"}]});
    let ctx = ClusterContext::connect(&admin).await.expect("connect");
    let setup = apply::apply(
        &ctx,
        "rbac",
        &ns,
        &rendered(vec![role, binding]),
        &ApplyOptions::default(),
    )
    .await;
    assert!(setup.is_ok(), "{setup:?}");

    let v1 = rendered(vec![cm("keep", "1"), cm("old", "1")]);
    apply::apply(&ctx, "app", &ns, &v1, &ApplyOptions::default())
        .await
        .expect("v1");

    let mut config = Config::from_custom_kubeconfig(
        Kubeconfig::read_from(cluster.kubeconfig_path()).expect("kubeconfig"),
        &KubeConfigOptions::default(),
    )
    .await
    .expect("config");
    config.auth_info.impersonate = Some("limited".into());
    let limited = Client::try_from(config).expect("client");
    let lctx = ClusterContext::connect(&limited)
        .await
        .expect("limited discovery");
    let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
        "spec": {"rules": [{"host": "x.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
        "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}});
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}});
    let v2 = rendered(vec![cm("keep", "2"), svc, ingress]);
    let prune = ApplyOptions {
        prune: true,
        ..ApplyOptions::default()
    };
    let err = apply::apply(&lctx, "app", &ns, &v2, &prune)
        .await
        .expect_err("forbidden");
    let msg = err.to_string();
    assert!(
        msg.contains("Ingress.networking.k8s.io")
            && msg.contains("/web")
            && msg.contains("forbidden"),
        "{msg}"
    );
    let cms: Api<ConfigMap> = Api::namespaced(admin.clone(), &ns);
    assert!(
        cms.get_opt("old").await.expect("get").is_some(),
        "nothing pruned in a failed run"
    );
    let inv = apply::inventory::read(&ctx, "app", &ns)
        .await
        .expect("inventory");
    let mut names: Vec<_> = inv.members.iter().map(|m| m.obj.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["keep", "old", "web", "web"], "widened set kept");

    let report = apply::apply(&ctx, "app", &ns, &v2, &prune)
        .await
        .expect("converge");
    assert!(report
        .results
        .iter()
        .any(|r| r.object.name == "old" && r.action == Action::Pruned));
    assert!(cms.get_opt("old").await.expect("get").is_none());
    let inv = apply::inventory::read(&ctx, "app", &ns)
        .await
        .expect("inventory");
    let mut names: Vec<_> = inv
        .members
        .iter()
        .map(|m| (m.obj.kind.as_str(), m.obj.name.as_str(), m.uid.is_some()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("ConfigMap", "keep", true),
            ("Ingress", "web", true),
            ("Service", "web", true)
        ]
    );
}

/// A CRD and its custom resource in one set; guards for controller-owned and opted-out
/// members; Secret masking in diff; delete in reverse order with the blast-radius limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_and_custom_resource_guards_and_delete() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("apply-crd").await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let group = format!("{ns}.example.test");
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
          "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
          "versions": [{"name": "v1", "served": true, "storage": true,
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    let widget = json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 1}});
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "stringData": {"password": "hunter2"}});
    let set = rendered(vec![
        widget.clone(),
        secret,
        crd.clone(),
        cm("owned", "1"),
        cm("optout", "1"),
    ]);
    let report = apply::apply(&ctx, "crd", &ns, &set, &ApplyOptions::default())
        .await
        .expect("apply crd set");
    let order: Vec<_> = report
        .results
        .iter()
        .map(|r| r.object.kind.as_str())
        .collect();
    assert_eq!(order.first(), Some(&"CustomResourceDefinition"));
    assert_eq!(report.count(|a| *a == Action::Created), 5);

    // diff masks the Secret's value.
    let secret2 = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "stringData": {"password": "correct-horse"}});
    let set2 = rendered(vec![
        widget.clone(),
        secret2,
        crd.clone(),
        cm("owned", "1"),
        cm("optout", "1"),
    ]);
    let d = apply::diff(&ctx, "crd", &ns, &set2, &ApplyOptions::default())
        .await
        .expect("diff");
    let text = format!("{:?}", d.objects);
    assert!(
        !text.contains("correct-horse") && !text.contains("hunter2"),
        "{text}"
    );
    assert!(
        !text.contains("Y29ycmVjdC1ob3JzZQ") && !text.contains("aHVudGVyMg"),
        "{text}"
    );
    let s = d
        .objects
        .iter()
        .find(|o| o.object.kind == "Secret")
        .expect("secret diff");
    assert_eq!(s.action, Action::Configured);
    assert!(
        s.changes
            .iter()
            .any(|c| c.path == "data.password" && c.after == Some(json!("*** (after)"))),
        "{:?}",
        s.changes
    );

    // Guards: a controller ownerReference and Argo's Prune=false keep objects.
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let owner = cms.get("owned").await.expect("owned");
    let patch = json!({"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x",
        "uid": owner.metadata.uid, "controller": true}]}});
    cms.patch(
        "owned",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .expect("owner");
    let patch =
        json!({"metadata": {"annotations": {"argocd.argoproj.io/sync-options": "Prune=false"}}});
    cms.patch(
        "optout",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .expect("optout");
    let set3 = rendered(vec![widget.clone(), crd.clone()]);
    let prune = ApplyOptions {
        prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::apply(&ctx, "crd", &ns, &set3, &prune)
        .await
        .expect("prune");
    for name in ["owned", "optout"] {
        assert!(
            report
                .results
                .iter()
                .any(|r| r.object.name == name && matches!(r.action, Action::PruneSkipped(_))),
            "{:?}",
            actions(&report)
        );
        assert!(cms.get_opt(name).await.expect("get").is_some());
    }
    assert!(report
        .results
        .iter()
        .any(|r| r.object.name == "creds" && r.action == Action::Pruned));

    // delete: the CRD needs --confirm-prune (the Widget goes, the CRD is held back); with
    // it, the CRD goes too; the opted-out ConfigMap stays.
    let report = apply::delete(&ctx, "crd", &ns, &ApplyOptions::default())
        .await
        .expect("delete");
    assert!(report.prune_blocked());
    let pruned: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.action == Action::Pruned)
        .map(|r| r.object.kind.as_str())
        .collect();
    assert_eq!(pruned, vec!["Widget"], "{:?}", actions(&report));
    let confirm = ApplyOptions {
        confirm_prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::delete(&ctx, "crd", &ns, &confirm)
        .await
        .expect("delete confirmed");
    let pruned: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.action == Action::Pruned)
        .map(|r| r.object.kind.as_str())
        .collect();
    assert_eq!(
        pruned,
        vec!["CustomResourceDefinition"],
        "{:?}",
        actions(&report)
    );
    assert!(cms.get_opt("optout").await.expect("get").is_some());
}

/// Conflicts with another field manager, an unreachable server, an incomplete render and the
/// blast-radius limit: each a clear refusal with nothing pruned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_unreachable_incomplete_render_and_blast_radius() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("apply-refusals").await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");

    // Conflict: another manager owns data.v; the CLI default refuses, force takes it.
    apply::apply(
        &ctx,
        "c",
        &ns,
        &rendered(vec![cm("shared", "1")]),
        &ApplyOptions::default(),
    )
    .await
    .expect("first apply");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"v": "other"}});
    cms.patch(
        "shared",
        &kube::api::PatchParams::apply("someone-else").force(),
        &kube::api::Patch::Apply(&other),
    )
    .await
    .expect("other manager");
    let err = apply::apply(
        &ctx,
        "c",
        &ns,
        &rendered(vec![cm("shared", "2")]),
        &ApplyOptions::default(),
    )
    .await
    .expect_err("conflict");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("ConfigMap {ns}/shared")) && msg.contains("conflict"),
        "{msg}"
    );
    let forced = ApplyOptions {
        force_conflicts: true,
        ..ApplyOptions::default()
    };
    apply::apply(&ctx, "c", &ns, &rendered(vec![cm("shared", "2")]), &forced)
        .await
        .expect("forced");
    assert_eq!(
        cms.get("shared")
            .await
            .expect("get")
            .data
            .and_then(|d| d.get("v").cloned()),
        Some("2".into())
    );

    // Incomplete render: prune refused, nothing deleted.
    let big: Vec<_> = (0..22).map(|i| cm(&format!("cm{i}"), "1")).collect();
    apply::apply(&ctx, "big", &ns, &rendered(big), &ApplyOptions::default())
        .await
        .expect("22 objects");
    let incomplete = ApplyOptions {
        prune: true,
        render_complete: false,
        ..ApplyOptions::default()
    };
    let report = apply::apply(
        &ctx,
        "big",
        &ns,
        &rendered(vec![cm("cm0", "1")]),
        &incomplete,
    )
    .await
    .expect("apply");
    assert!(report.prune_refused.is_some());
    assert_eq!(report.count(|a| *a == Action::Pruned), 0);

    // Blast radius: pruning 21 of 22 needs confirmation; with it, all 21 go.
    let prune = ApplyOptions {
        prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::apply(&ctx, "big", &ns, &rendered(vec![cm("cm0", "1")]), &prune)
        .await
        .expect("apply");
    assert_eq!(report.count(|a| matches!(a, Action::PruneBlocked(_))), 21);
    assert_eq!(
        cms.list(&Default::default())
            .await
            .expect("list")
            .items
            .len(),
        23
    );
    let confirmed = ApplyOptions {
        prune: true,
        confirm_prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::apply(
        &ctx,
        "big",
        &ns,
        &rendered(vec![cm("cm0", "1")]),
        &confirmed,
    )
    .await
    .expect("apply");
    assert_eq!(report.count(|a| *a == Action::Pruned), 21);

    // Unreachable server: the CLI exits non-zero and says so.
    let dir = std::env::temp_dir().join(format!("rudder-unreachable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    let text = std::fs::read_to_string(cluster.kubeconfig_path()).expect("kubeconfig");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    std::fs::write(
        &kubeconfig,
        text.replace(cluster.server_url(), &format!("https://127.0.0.1:{port}")),
    )
    .expect("write");
    let out = rudder()
        .args([
            "apply",
            "home-fonta",
            "charts/homefonta",
            "-n",
            "home-fonta",
            "--kubeconfig",
        ])
        .arg(&kubeconfig)
        .current_dir(repo())
        .output()
        .expect("run");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("API server unreachable"), "{err}");
}

/// `lookup` and `.Capabilities` come from the live cluster when applying; `diff --dry-run`
/// renders offline as `helm template` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_and_capabilities_from_the_live_cluster() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("apply-lookup").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let source: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "source"}, "data": {"token": "abc"}}))
            .expect("cm");
    cms.create(&PostParams::default(), &source)
        .await
        .expect("create source");

    let dir = std::env::temp_dir().join(format!("rudder-lookup-chart-{}-{ns}", std::process::id()));
    std::fs::create_dir_all(dir.join("templates")).expect("chart dir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: probe\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: copy\ndata:\n  token: {{ dig \"data\" \"token\" \"none\" (lookup \"v1\" \"ConfigMap\" .Release.Namespace \"source\") | quote }}\n  sealed: {{ .Capabilities.APIVersions.Has \"bitnami.com/v1alpha1/SealedSecret\" | quote }}\n  upgrade: {{ .Release.IsUpgrade | quote }}\n",
    )
    .expect("template");
    let chart = dir.to_str().expect("utf8").to_string();
    let (ok, out, err) = run(cluster, &["apply", "probe", &chart, "-n", &ns]);
    assert!(ok, "{out}\n{err}");
    let copy = cms
        .get("copy")
        .await
        .expect("copy")
        .data
        .unwrap_or_default();
    assert_eq!(copy.get("token").map(String::as_str), Some("abc"));
    assert_eq!(copy.get("sealed").map(String::as_str), Some("true"));
    assert_eq!(copy.get("upgrade").map(String::as_str), Some("false"));

    // Second apply is an upgrade; the offline diff sees no lookup and no SealedSecret kind.
    let (ok, out, err) = run(cluster, &["apply", "probe", &chart, "-n", &ns]);
    assert!(ok, "{out}\n{err}");
    let copy = cms
        .get("copy")
        .await
        .expect("copy")
        .data
        .unwrap_or_default();
    assert_eq!(copy.get("upgrade").map(String::as_str), Some("true"));
    let (ok, out, err) = run(cluster, &["diff", "probe", &chart, "-n", &ns, "--dry-run"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "{err}");
    assert!(out.contains("data.token: \"abc\" -> \"none\""), "{out}");
    assert!(out.contains("data.sealed: \"true\" -> \"false\""), "{out}");
}
