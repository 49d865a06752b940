//! The sync controller against the real API server: a temporary git repository laid out like
//! the seed (`helm-charts/`, `argocd-apps/`, served over `file://`), the app-of-apps applied,
//! then polls: all five apps Synced, a committed change applied, hand edits reverted, a
//! template error and a bad repository leave the cluster untouched with the error in the
//! status, and a git revert restores the ClusterIssuer email. The seed charts use fixed
//! namespaces, so this is one ordered test in its own binary (its own API server).
// The support module re-exports helpers this binary does not use.
#[allow(unused_imports)]
mod support;
mod sync_helpers;

use std::process::Command;
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams};
use rudder::apply::ClusterContext;
use rudder::sync::controller::{self, ControllerOptions};
use rudder::sync::reconcile::{app_api, get_app, Reconciler};
use serde_json::{json, Value as Json};
use support::cluster::TestCluster;
use sync_helpers::*;

const CHILDREN: [&str; 4] = ["external-services", "ghost", "home-fonta", "infrastructure"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_gitops_workflow() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let work = std::env::temp_dir().join(format!("rudder-sync-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let gitdir = work.join("repo");
    std::fs::create_dir_all(&gitdir).expect("mkdir");
    let url = make_repo(&gitdir);
    let reconciler = Reconciler::new(ctx.clone(), work.join("cache"));

    // argocd and cert-manager exist before Argo CD syncs anything on the seed cluster
    // (installed by Ansible); the infrastructure chart puts a SealedSecret in cert-manager.
    for ns in ["argocd", "cert-manager"] {
        create_namespace(&client, ns).await;
    }
    let aoa = std::fs::read_to_string(gitdir.join("argocd-apps/app-of-apps.yaml")).expect("aoa");
    create_app(&client, &aoa).await;

    // 1. One poll: the app-of-apps creates the four children, which sync in the same poll.
    let t = Instant::now();
    let report = reconciler.poll("argocd").await.expect("poll");
    eprintln!("first poll: {:?}", t.elapsed());
    let mut names: Vec<_> = report.synced.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "app-of-apps",
            "external-services",
            "ghost",
            "home-fonta",
            "infrastructure"
        ]
    );
    let head = git(&gitdir, &["rev-parse", "HEAD"]);
    for (name, out) in &report.synced {
        let out = out.as_ref().expect("status written");
        assert_eq!(out.sync_status, "Synced", "{name}: {}", out.message);
        assert_eq!(out.revision.as_deref(), Some(head.as_str()));
        let st = status(&client, name).await;
        assert_eq!(st["sync"]["status"], "Synced", "{name}");
        assert_eq!(st["sync"]["revision"], head.as_str());
        assert_eq!(st["operationState"]["phase"], "Succeeded");
        assert_eq!(st["history"].as_array().map(Vec::len), Some(1));
        assert!(!st["resources"]
            .as_array()
            .map(Vec::is_empty)
            .unwrap_or(true));
    }
    // No kubelet or controllers: Deployments never get a status, so Argo says Progressing.
    assert_eq!(
        status(&client, "ghost").await["health"]["status"],
        "Progressing"
    );
    assert_eq!(
        status(&client, "app-of-apps").await["health"]["status"],
        "Healthy"
    );
    // Every object listed in the statuses exists.
    for name in CHILDREN {
        let st = status(&client, name).await;
        for r in st["resources"].as_array().cloned().unwrap_or_default() {
            let kind = r["kind"].as_str().unwrap_or("");
            let obj = live(&ctx, &json!({"resources": [r.clone()]}), kind).await;
            assert_eq!(obj["metadata"]["name"], r["name"]);
        }
    }
    let issuer = live(
        &ctx,
        &status(&client, "infrastructure").await,
        "ClusterIssuer",
    )
    .await;
    let email = issuer["spec"]["acme"]["email"].clone();
    assert_eq!(email, "nikob2o@hotmail.fr");

    // 2. A second poll changes nothing and adds no history.
    let report = reconciler.poll("argocd").await.expect("poll");
    assert!(report
        .synced
        .iter()
        .all(|(_, o)| o.as_ref().is_ok_and(|o| !o.changed)));
    assert_eq!(
        status(&client, "home-fonta").await["history"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // 3. The controller loop with a 1 s poll: a commit is applied, hand edits are reverted.
    let opts = ControllerOptions {
        namespace: "argocd".into(),
        poll_interval: Duration::from_secs(1),
        cache_dir: work.join("cache"),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let loop_reconciler = reconciler.clone();
    let handle = tokio::spawn(async move {
        controller::run(
            &loop_reconciler,
            &opts,
            async {
                let _ = stop_rx.await;
            },
            |_| {},
        )
        .await;
    });
    let committed = Instant::now();
    let rev2 = commit_edit(
        &gitdir,
        "helm-charts/homefonta/values.yaml",
        "replicaCount: 1",
        "replicaCount: 2",
        "scale homefonta",
    );
    let st = status(&client, "home-fonta").await;
    let dep_name = live(&ctx, &st, "Deployment").await["metadata"]["name"].clone();
    let latency = loop {
        let dep = live(&ctx, &st, "Deployment").await;
        if dep["spec"]["replicas"] == 2 {
            break committed.elapsed();
        }
        assert!(
            committed.elapsed() < Duration::from_secs(60),
            "replicas never became 2"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!("commit-to-applied latency with a 1 s poll: {latency:?}");
    let st = loop {
        let st = status(&client, "home-fonta").await;
        if st["sync"]["revision"] == rev2.as_str() {
            break st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(st["history"].as_array().map(Vec::len) >= Some(2));

    // Hand edit (as `kubectl edit` would): reverted by the next poll (selfHeal).
    let dep_ns = st["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["kind"] == "Deployment"))
        .and_then(|r| r["namespace"].as_str())
        .unwrap_or("home-fonta")
        .to_string();
    let deps: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(client.clone(), &dep_ns);
    deps.patch(
        dep_name.as_str().unwrap_or(""),
        &PatchParams {
            field_manager: Some("kubectl-edit".into()),
            ..PatchParams::default()
        },
        &Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .expect("hand edit");
    let edited = Instant::now();
    loop {
        let d = deps
            .get(dep_name.as_str().unwrap_or(""))
            .await
            .expect("dep");
        if d.spec.and_then(|s| s.replicas) == Some(2) {
            break;
        }
        assert!(
            edited.elapsed() < Duration::from_secs(60),
            "hand edit never reverted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("hand edit reverted after {:?}", edited.elapsed());
    let _ = stop_tx.send(());
    handle.await.expect("controller loop ends on shutdown");

    // 4. A template error: nothing applied or pruned, the error is in the status.
    let ghost_before = status(&client, "ghost").await;
    let ghost_dep = live(&ctx, &ghost_before, "Deployment").await;
    std::fs::write(
        gitdir.join("helm-charts/ghost/templates/deployment.yaml"),
        "{{ fail \"broken on purpose\" }}\n",
    )
    .expect("write");
    git(&gitdir, &["commit", "--quiet", "-am", "break ghost"]);
    let report = reconciler.poll("argocd").await.expect("poll");
    let out = report
        .synced
        .iter()
        .find(|(n, _)| n == "ghost")
        .and_then(|(_, o)| o.as_ref().ok())
        .expect("ghost outcome");
    assert_eq!(out.phase, "Error");
    assert!(out.message.contains("broken on purpose"), "{}", out.message);
    let st = status(&client, "ghost").await;
    assert_eq!(st["sync"]["status"], "Unknown");
    assert_eq!(st["conditions"][0]["type"], "ComparisonError");
    assert!(st["conditions"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("broken on purpose")));
    // The Deployment is still there, unchanged (not pruned for being absent from the render).
    let still = live(&ctx, &ghost_before, "Deployment").await;
    assert_eq!(still["metadata"]["uid"], ghost_dep["metadata"]["uid"]);
    assert_eq!(
        still["metadata"]["resourceVersion"],
        ghost_dep["metadata"]["resourceVersion"]
    );
    git(&gitdir, &["revert", "--no-edit", "HEAD"]);

    // 5. A bad repository: an app pointing at it errors, the cluster is untouched.
    let bad = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: broken\n  \
         namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: file:///nonexistent/rudder-repo\n    \
         targetRevision: HEAD\n    path: x\n  destination:\n    server: https://kubernetes.default.svc\n    \
         namespace: broken\n  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n";
    create_app(&client, bad).await;
    let report = reconciler.poll("argocd").await.expect("poll");
    let out = report
        .synced
        .iter()
        .find(|(n, _)| n == "broken")
        .and_then(|(_, o)| o.as_ref().ok())
        .expect("broken outcome");
    assert!(
        out.message.starts_with("Failed to fetch source"),
        "{}",
        out.message
    );
    assert!(out.revision.is_none());
    let st = status(&client, "broken").await;
    assert_eq!(st["sync"]["status"], "Unknown");
    assert_eq!(st["operationState"]["phase"], "Error");
    // ghost recovered after the revert.
    assert_eq!(status(&client, "ghost").await["sync"]["status"], "Synced");
    assert!(report
        .synced
        .iter()
        .filter(|(n, _)| n != "broken")
        .all(|(n, o)| o.as_ref().is_ok_and(|o| o.sync_status == "Synced") || n.is_empty()));

    // 6. Change the ClusterIssuer email, then git revert: the original is restored.
    commit_edit(
        &gitdir,
        "helm-charts/infrastructure/values.yaml",
        "email: nikob2o@hotmail.fr",
        "email: ops@example.com",
        "new email",
    );
    reconciler.poll("argocd").await.expect("poll");
    let st = status(&client, "infrastructure").await;
    assert_eq!(
        live(&ctx, &st, "ClusterIssuer").await["spec"]["acme"]["email"],
        "ops@example.com"
    );
    git(&gitdir, &["revert", "--no-edit", "HEAD"]);
    reconciler.poll("argocd").await.expect("poll");
    let st = status(&client, "infrastructure").await;
    assert_eq!(
        live(&ctx, &st, "ClusterIssuer").await["spec"]["acme"]["email"],
        email
    );
    assert_eq!(
        st["sync"]["revision"],
        git(&gitdir, &["rev-parse", "HEAD"]).as_str()
    );

    // 6b. A manual app is compared, not applied: OutOfSync until synced by hand.
    std::fs::create_dir_all(gitdir.join("manual")).expect("mkdir");
    std::fs::write(
        gitdir.join("manual/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: manual-cm\ndata:\n  a: b\n",
    )
    .expect("write");
    git(&gitdir, &["add", "."]);
    git(&gitdir, &["commit", "--quiet", "-m", "manual app"]);
    let manual = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: manual\n  \
         namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
         path: manual\n  destination:\n    server: https://kubernetes.default.svc\n    \
         namespace: argocd\n"
    );
    create_app(&client, &manual).await;
    let report = reconciler.poll("argocd").await.expect("poll");
    let out = report
        .refreshed
        .iter()
        .find(|(n, _)| n == "manual")
        .and_then(|(_, o)| o.as_ref().ok())
        .expect("manual outcome");
    assert_eq!(out.sync_status, "OutOfSync", "{}", out.message);
    let st = status(&client, "manual").await;
    assert_eq!(st["sync"]["status"], "OutOfSync");
    assert_eq!(st["resources"][0]["health"]["status"], "Missing");
    assert!(st.get("operationState").is_none());
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client.clone(), "argocd");
    assert!(cms.get_opt("manual-cm").await.expect("get").is_none());
    let app = get_app(&client, "argocd", "manual").await.expect("app");
    let out = reconciler.sync(&app, false).await;
    rudder::sync::reconcile::write_status(&client, &app, &out)
        .await
        .expect("status");
    assert_eq!(out.sync_status, "Synced", "{}", out.message);
    assert!(cms.get_opt("manual-cm").await.expect("get").is_some());
    let report = reconciler.poll("argocd").await.expect("poll");
    assert!(report
        .refreshed
        .iter()
        .any(|(n, o)| n == "manual" && o.as_ref().is_ok_and(|o| o.sync_status == "Synced")));

    // 6c. Automated without selfHeal: drift at the synced revision is reported, not
    // reverted; a new commit is synced.
    app_api(&client, "argocd")
        .patch(
            "manual",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"syncPolicy": {"automated": {"prune": true}}}})),
        )
        .await
        .expect("make automated");
    cms.patch(
        "manual-cm",
        &PatchParams {
            field_manager: Some("kubectl-edit".into()),
            ..PatchParams::default()
        },
        &Patch::Merge(json!({"data": {"a": "edited"}})),
    )
    .await
    .expect("edit cm");
    let report = reconciler.poll("argocd").await.expect("poll");
    assert!(report
        .refreshed
        .iter()
        .any(|(n, o)| n == "manual" && o.as_ref().is_ok_and(|o| o.sync_status == "OutOfSync")));
    let cm = cms.get("manual-cm").await.expect("cm");
    assert_eq!(
        cm.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("edited")
    );
    commit_edit(&gitdir, "manual/cm.yaml", "a: b", "a: new", "manual change");
    let report = reconciler.poll("argocd").await.expect("poll");
    assert!(report.synced.iter().any(|(n, _)| n == "manual"));
    let cm = cms.get("manual-cm").await.expect("cm");
    assert_eq!(
        cm.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("new")
    );

    // 7. The CLI: `rudder app list|get|sync` read and write the same statuses.
    let kc = cluster.kubeconfig_path().to_path_buf();
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(args)
            .arg("--kubeconfig")
            .arg(&kc)
            .arg("--cache-dir")
            .arg(work.join("cli-cache"))
            .output()
            .expect("run rudder");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, list, err) = cli(&["app", "list"]);
    assert!(ok, "{err}");
    let header: Vec<&str> = list
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(
        &header[..7],
        [
            "NAME",
            "CLUSTER",
            "NAMESPACE",
            "PROJECT",
            "STATUS",
            "HEALTH",
            "SYNCPOLICY"
        ]
    );
    for name in CHILDREN {
        let line = list
            .lines()
            .find(|l| l.starts_with(&format!("argocd/{name} ")))
            .unwrap_or_else(|| panic!("{name} not listed:\n{list}"));
        assert!(line.contains(" Synced "), "{line}");
    }
    assert!(list.contains("argocd/broken") && list.contains("ComparisonError"));
    let (ok, get, err) = cli(&["app", "get", "ghost", "-o", "json"]);
    assert!(ok, "{err}");
    let j: Json = serde_json::from_str(&get).expect("json");
    assert_eq!(j["status"]["sync"]["status"], "Synced");
    let (ok, text, err) = cli(&["app", "sync", "home-fonta"]);
    assert!(ok, "{err}");
    assert!(
        text.contains("Sync Status:        Synced to HEAD"),
        "{text}"
    );
    assert!(text.contains("Deployment"), "{text}");
    let (ok, _, err) = cli(&["app", "sync", "broken"]);
    assert!(!ok && err.contains("Failed to fetch source"), "{err}");

    // 8. The controller binary: polls, then exits cleanly on SIGTERM. Its RSS is reported.
    let child = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(["controller", "--poll-interval", "1s", "--listen", "none"])
        .arg("--kubeconfig")
        .arg(&kc)
        .arg("--cache-dir")
        .arg(work.join("bin-cache"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn controller");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .map(str::to_string)
        .unwrap_or_default();
    eprintln!("controller after 4 s of 1 s polls: {rss}");
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().expect("controller exit");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("sync app=ghost")
            && log.contains("sync_status=Synced")
            && log.contains("stopped"),
        "{log}"
    );

    // 8b. Removing a child from Git: give external-services the resources finalizer, then
    // delete its file: the app-of-apps prunes the Application, the controller deletes its
    // resources and drops the finalizer; the other apps are untouched.
    let es_file = gitdir.join("argocd-apps/applications/external-services.yaml");
    let es_text = std::fs::read_to_string(&es_file).expect("read external-services app");
    let with_finalizer = es_text.replacen(
        "  namespace: argocd\n",
        "  namespace: argocd\n  finalizers:\n  - resources-finalizer.argocd.argoproj.io\n",
        1,
    );
    assert_ne!(with_finalizer, es_text, "finalizer inserted");
    std::fs::write(&es_file, with_finalizer).expect("write");
    git(
        &gitdir,
        &["commit", "--quiet", "-am", "finalize external-services"],
    );
    reconciler.poll("argocd").await.expect("poll");
    let es_before = status(&client, "external-services").await;
    let es_service = live(&ctx, &es_before, "Service").await;
    assert!(!es_service.is_null(), "external-services has live Services");
    git(
        &gitdir,
        &[
            "rm",
            "--quiet",
            "argocd-apps/applications/external-services.yaml",
        ],
    );
    git(
        &gitdir,
        &["commit", "--quiet", "-m", "drop external-services"],
    );
    let mut gone = false;
    for _ in 0..5 {
        reconciler.poll("argocd").await.expect("poll");
        if app_api(&client, "argocd")
            .get_opt("external-services")
            .await
            .expect("get")
            .is_none()
        {
            gone = true;
            break;
        }
    }
    assert!(
        gone,
        "the external-services Application was pruned and finalized"
    );
    let svc_api: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(client.clone(), "home-fonta");
    let leftover = svc_api
        .get_opt(es_service["metadata"]["name"].as_str().unwrap_or_default())
        .await
        .expect("get service");
    assert!(leftover.is_none(), "its resources were deleted with it");
    assert!(app_api(&client, "argocd")
        .get_opt("home-fonta")
        .await
        .expect("get")
        .is_some());
    assert_eq!(
        status(&client, "home-fonta").await["sync"]["status"],
        "Synced"
    );

    // 9. Deleting the app-of-apps (resources finalizer): its children are deleted, then
    // the finalizer is removed and the app disappears.
    app_api(&client, "argocd")
        .delete("app-of-apps", &Default::default())
        .await
        .expect("delete app-of-apps");
    let report = reconciler.poll("argocd").await.expect("poll");
    assert!(
        report
            .finalized
            .iter()
            .any(|(n, r)| n == "app-of-apps" && r.is_ok()),
        "{:?}",
        report.finalized
    );
    let api = app_api(&client, "argocd");
    for name in ["app-of-apps", "ghost", "home-fonta"] {
        assert!(
            api.get_opt(name).await.expect("get").is_none(),
            "{name} still exists"
        );
    }

    // 10. The children carried no resources finalizer: as in Argo CD their objects stay,
    // never pruned, and are reported as orphaned (poll report, `rudder app list` stderr).
    let report = reconciler.poll("argocd").await.expect("poll");
    let orphaned: Vec<&str> = report.orphaned.iter().map(|s| s.app.as_str()).collect();
    eprintln!("orphaned after the cascade: {orphaned:?}");
    for name in ["ghost", "home-fonta"] {
        let set = report
            .orphaned
            .iter()
            .find(|s| s.app == name)
            .unwrap_or_else(|| panic!("{name} not orphaned: {orphaned:?}"));
        assert!(
            set.members.iter().any(|m| m.kind == "Deployment"),
            "{set:?}"
        );
    }
    let ghost_deploy = report
        .orphaned
        .iter()
        .flat_map(|s| &s.members)
        .find(|m| m.kind == "Deployment" && m.namespace == "blog")
        .expect("ghost Deployment listed");
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(client.clone(), "blog");
    assert!(deployments
        .get_opt(&ghost_deploy.name)
        .await
        .expect("get")
        .is_some());
    let (ok, _, err) = cli(&["app", "list"]);
    assert!(ok, "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with(
                "warning: Application argocd/ghost was deleted without the resources finalizer; "
            ) && l.ends_with("orphaned (inventory secret blog/rudder.applyset.ghost)")),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.contains("orphaned")).count(),
        report.orphaned.len()
    );
    let _ = std::fs::remove_dir_all(&work);
}
