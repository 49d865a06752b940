//! Orphaned resources against the real API server (issue #8): an Application deleted
//! without the resources finalizer leaves its objects in place, and rudder reports them in
//! the poll report, the `orphaned` log event (`rudder controller --once`), the
//! `rudder_orphaned_objects` gauge, the `OrphanedResourceWarning` condition of another app
//! deploying to the same namespace, and `rudder app list` on stderr. Re-creating the app
//! adopts its inventory and the reports go away. Never pruned automatically.
#[allow(unused_imports)]
mod support;
#[allow(dead_code)]
mod sync_helpers;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;
use rudder::apply::inventory::OWNER;
use rudder::apply::ClusterContext;
use rudder::sync::reconcile::{app_api, get_app, Reconciler};
use serde_json::Value as Json;
use std::path::Path;
use support::cluster::TestCluster;
use sync_helpers::{create_app, git};

fn app_yaml(name: &str, apps_ns: &str, url: &str, dest: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: {apps_ns}\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
         targetRevision: HEAD\n    path: {name}\n  destination:\n    server: \
         https://kubernetes.default.svc\n    namespace: {dest}\n  syncPolicy:\n    automated:\n      \
         prune: true\n"
    )
}

fn configmaps(dir: &Path, names: &[&str]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for n in names {
        let text =
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  k: v\n");
        std::fs::write(dir.join(format!("{n}.yaml")), text).expect("write");
    }
}

/// Runs the rudder binary; returns (success, stdout, stderr).
fn cli(cluster: &TestCluster, cache: &Path, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .arg("--kubeconfig")
        .arg(cluster.kubeconfig_path())
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .expect("run rudder");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn conditions(st: &Json) -> Vec<(String, String)> {
    st["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap_or("").to_string(),
                c["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_without_finalizer_reports_orphans() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let apps_ns = cluster.namespace("orph-apps").await;
    let dest = cluster.namespace("orph-dest").await;
    let work = std::env::temp_dir().join(format!("rudder-orphans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let gitdir = work.join("repo");
    configmaps(
        &gitdir.join("leaver"),
        &["leaver-a", "leaver-b", "leaver-c"],
    );
    configmaps(&gitdir.join("keeper"), &["keeper-a"]);
    git(&gitdir, &["init", "--quiet", "-b", "main"]);
    git(&gitdir, &["add", "."]);
    git(&gitdir, &["commit", "--quiet", "-m", "apps"]);
    let url = format!("file://{}", gitdir.display());
    let cache = work.join("cache");
    let r = Reconciler::new(ctx.clone(), cache.clone());
    let leaver = app_yaml("leaver", &apps_ns, &url, &dest);
    create_app(&client, &leaver).await;
    create_app(&client, &app_yaml("keeper", &apps_ns, &url, &dest)).await;

    // 1. Both apps sync; the controller marks their inventories with their owner.
    let report = r.poll(&apps_ns).await.expect("poll");
    assert_eq!(report.synced.len(), 2, "{:?}", report.synced);
    for (n, o) in &report.synced {
        let o = o.as_ref().expect("status written");
        assert_eq!(o.sync_status, "Synced", "{n}: {}", o.message);
    }
    assert!(report.orphaned.is_empty());
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &dest);
    let parent = secrets
        .get("rudder.applyset.leaver")
        .await
        .expect("inventory");
    let owner = parent.metadata.annotations.unwrap_or_default();
    assert_eq!(owner.get(OWNER), Some(&format!("{apps_ns}/leaver")));
    let keeper = get_app(&client, &apps_ns, "keeper").await.expect("keeper");
    assert!(conditions(&keeper.status.unwrap_or_default()).is_empty());

    // 2. Delete `leaver` without the finalizer: it is gone at once, its objects stay.
    app_api(&client, &apps_ns)
        .delete("leaver", &Default::default())
        .await
        .expect("delete");
    assert!(app_api(&client, &apps_ns)
        .get_opt("leaver")
        .await
        .expect("get")
        .is_none());
    let report = r.poll(&apps_ns).await.expect("poll");
    assert_eq!(report.orphaned.len(), 1, "{:?}", report.orphaned);
    let set = &report.orphaned[0];
    assert_eq!(
        (set.app.as_str(), set.namespace.as_str()),
        ("leaver", dest.as_str())
    );
    let mut names: Vec<&str> = set.members.iter().map(|m| m.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["leaver-a", "leaver-b", "leaver-c"]);
    assert!(set
        .members
        .iter()
        .all(|m| m.kind == "ConfigMap" && m.namespace == dest));
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &dest);
    for n in names {
        assert!(cms.get_opt(n).await.expect("get").is_some(), "{n} stays");
    }
    // The app sharing the destination namespace carries Argo CD's warning condition.
    let keeper = get_app(&client, &apps_ns, "keeper").await.expect("keeper");
    assert_eq!(
        conditions(&keeper.status.unwrap_or_default()),
        [(
            "OrphanedResourceWarning".to_string(),
            "Application has 3 orphaned resources".to_string()
        )]
    );
    let want =
        format!("rudder_orphaned_objects{{application=\"leaver\",namespace=\"{apps_ns}\"}} 3");
    assert!(r.metrics.render().lines().any(|l| l == want), "{want}");

    // 3. The CLI: `controller --once` logs the event, `app list` warns on stderr.
    let (ok, _, log) = cli(cluster, &cache, &["controller", "--once", "-n", &apps_ns]);
    assert!(ok, "{log}");
    let line = log
        .lines()
        .find(|l| l.contains(" orphaned "))
        .unwrap_or_else(|| panic!("no orphaned event in {log}"));
    assert!(
        line.contains("app=leaver")
            && line.contains(&format!("namespace={dest}"))
            && line.contains("objects=3"),
        "{line}"
    );
    let warning = format!(
        "warning: Application {apps_ns}/leaver was deleted without the resources finalizer; \
         3 objects stay orphaned (inventory secret {dest}/rudder.applyset.leaver)"
    );
    let (ok, out, err) = cli(cluster, &cache, &["app", "list", "-n", &apps_ns]);
    assert!(ok, "{err}");
    assert_eq!(err.lines().collect::<Vec<_>>(), [warning.as_str()], "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("{apps_ns}/keeper"))
                && l.contains("OrphanedResourceWarning")),
        "{out}"
    );
    let (ok, out, err) = cli(
        cluster,
        &cache,
        &["app", "list", "-n", &apps_ns, "-o", "json"],
    );
    assert!(ok, "{err}");
    let apps: Json = serde_json::from_str(&out).expect("stdout is pure JSON");
    assert_eq!(apps.as_array().map(Vec::len), Some(1));
    assert!(err.contains(&warning), "{err}");

    // 4. Re-created under the same name: the inventory is adopted, the reports go away.
    create_app(&client, &leaver).await;
    let report = r.poll(&apps_ns).await.expect("poll");
    assert!(report.orphaned.is_empty(), "{:?}", report.orphaned);
    // Its objects are already as in Git: the re-created app compares Synced at once.
    let handled: Vec<_> = report.synced.iter().chain(&report.refreshed).collect();
    assert!(
        handled
            .iter()
            .any(|(n, o)| n == "leaver" && o.as_ref().is_ok_and(|o| o.sync_status == "Synced")),
        "{handled:?}"
    );
    let report = r.poll(&apps_ns).await.expect("poll");
    assert!(report.orphaned.is_empty());
    let keeper = get_app(&client, &apps_ns, "keeper").await.expect("keeper");
    assert!(conditions(&keeper.status.unwrap_or_default()).is_empty());
    assert!(!r.metrics.render().contains("rudder_orphaned_objects{"));
    let (ok, _, err) = cli(cluster, &cache, &["app", "list", "-n", &apps_ns]);
    assert!(ok && !err.contains("orphaned"), "{err}");
    let _ = std::fs::remove_dir_all(&work);
}
