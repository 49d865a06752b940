//! Apply-and-prune guards and faults against the real API server of the test support, each
//! test in its own namespace: a forbidden kind mid-apply, CRDs with their custom resources,
//! ownership and opt-out guards, Secret masking, conflicts, an unreachable server, an
//! incomplete render, the blast-radius limit, and `lookup` from the live cluster.
// The support module re-exports helpers this binary does not use.
#[allow(unused_imports)]
mod support;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use rudder::apply::{self, Action, ApplyOptions, ClusterContext};
use rudder::render::manifest::Manifest;
use rudder::render::Rendered;
use serde_json::json;
use support::cluster::TestCluster;
use support::rudder_cli::{actions, repo, rudder, run};

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

/// Helm hooks: pre-install before the members, post-install after; hook-succeeded deletes
/// the hook once it ran; hooks are not inventory members; test hooks are skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_run_around_the_members_and_honour_delete_policies() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("apply-hooks").await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let hook = |doc: serde_json::Value, events: &[&str], policies: &[&str]| {
        let mut m = manifest(doc);
        m.events = events.iter().map(|e| e.to_string()).collect();
        m.delete_policies = policies.iter().map(|p| p.to_string()).collect();
        m
    };
    let mut set = rendered(vec![cm("member", "1")]);
    set.hooks = vec![
        hook(
            cm("pre", "1"),
            &["pre-install", "pre-upgrade"],
            &["hook-succeeded"],
        ),
        hook(cm("post", "1"), &["post-install"], &[]),
        hook(cm("test", "1"), &["test"], &[]),
    ];
    let report = apply::apply(&ctx, "h", &ns, &set, &ApplyOptions::default())
        .await
        .expect("apply with hooks");
    let seen: Vec<_> = report
        .results
        .iter()
        .map(|r| (r.object.name.as_str(), r.action.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("pre", Action::HookRan),
            ("member", Action::Created),
            ("post", Action::HookRan)
        ]
    );
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    assert!(
        cms.get_opt("pre").await.expect("get").is_none(),
        "hook-succeeded deletes it"
    );
    assert!(cms.get_opt("post").await.expect("get").is_some());
    assert!(
        cms.get_opt("test").await.expect("get").is_none(),
        "test hooks never run"
    );
    let inv = apply::inventory::read(&ctx, "h", &ns)
        .await
        .expect("inventory");
    let names: Vec<_> = inv.members.iter().map(|m| m.obj.name.as_str()).collect();
    assert_eq!(names, vec!["member"]);
    // Re-apply: before-hook-creation (the default) replaces the post hook.
    let uid = cms.get("post").await.expect("post").metadata.uid;
    apply::apply(&ctx, "h", &ns, &set, &ApplyOptions::default())
        .await
        .expect("re-apply");
    assert_ne!(cms.get("post").await.expect("post").metadata.uid, uid);
}

/// `--wait`: with no controllers on the test server a Deployment never rolls out, so the wait
/// times out naming it; once the test writes the status a Deployment controller would, the same
/// apply returns healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_follows_workload_health() {
    let cluster = TestCluster::shared();
    let admin = cluster.client().await;
    let ns = cluster.namespace("apply-wait").await;
    let ctx = ClusterContext::connect(&admin).await.expect("connect");
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    let opts = ApplyOptions {
        wait: true,
        timeout: std::time::Duration::from_millis(1500),
        ..ApplyOptions::default()
    };
    let first = apply::apply(&ctx, "waiter", &ns, &rendered(vec![deploy.clone()]), &opts).await;
    let err = format!(
        "{:?}",
        first.expect_err("no controller: the wait must time out")
    );
    assert!(err.contains("Timeout") && err.contains("web"), "{err}");
    // Write the status a Deployment controller would after a successful rollout.
    let api: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(admin.clone(), &ns);
    let live = api.get("web").await.expect("deployment exists");
    let generation = live.metadata.generation.unwrap_or(1);
    let status = json!({"status": {"observedGeneration": generation, "replicas": 1,
        "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}});
    api.patch_status(
        "web",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&status),
    )
    .await
    .expect("write status");
    let second = apply::apply(&ctx, "waiter", &ns, &rendered(vec![deploy]), &opts).await;
    assert!(second.is_ok(), "{second:?}");
}
