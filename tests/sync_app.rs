//! Issue #8 additions against the real API server: a private repository served over HTTP
//! with basic auth and found through an Argo CD `repo-creds` Secret; the seed's SSH deploy
//! key in a `repository` Secret with `argocd-ssh-known-hosts-cm`; `rudder app diff` and
//! `rudder app history`; and the opt-in that makes child Applications count for their
//! parent's health.
mod git_http;
#[allow(unused_imports)]
mod support;
#[allow(dead_code)]
mod sync_helpers;

use std::path::Path;
use std::process::Command;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, Patch, PatchParams, PostParams};
use rudder::apply::ClusterContext;
use rudder::sync::git::GitCache;
use rudder::sync::gitauth::GitAuth;
use rudder::sync::reconcile::{app_api, get_app, write_status, Reconciler};
use rudder::sync::repocreds::RepoCreds;
use rudder::sync::settings::APP_HEALTH_CM_KEY;
use serde_json::{json, Value as Json};
use support::cluster::TestCluster;
use sync_helpers::{create_app, git};

const PASSWORD: &str = "s3cret-Pass-0192837465";

fn workdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rudder-sync-app-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn cm_yaml(value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: creds-cm\ndata:\n  a: \"{value}\"\n"
    )
}

/// Runs the rudder binary; returns (exit code, stdout, stderr).
fn cli(cluster: &TestCluster, cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .arg("--kubeconfig")
        .arg(cluster.kubeconfig_path())
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .expect("run rudder");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_http_repo_diff_and_history() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("creds").await;
    let work = workdir("creds");
    let src = work.join("src");
    std::fs::create_dir_all(src.join("app")).expect("mkdir");
    std::fs::write(src.join("app/cm.yaml"), cm_yaml("1")).expect("write");
    git(&src, &["init", "--quiet", "-b", "main"]);
    git(&src, &["add", "."]);
    git(&src, &["commit", "--quiet", "-m", "one"]);
    let first = git(&src, &["rev-parse", "HEAD"]);
    let served = work.join("served");
    std::fs::create_dir_all(&served).expect("mkdir");
    git(
        &work,
        &["clone", "--quiet", "--bare", "src", "served/repo.git"],
    );
    let server = git_http::serve(served.clone(), "bot", PASSWORD);
    let url = format!("http://127.0.0.1:{}/repo.git", server.port);

    // Without credentials the server refuses; with the wrong ones too, and the password
    // never appears in the error.
    let mut cache = GitCache::new(work.join("unit-cache"));
    let err = cache
        .checkout(&url, "HEAD")
        .expect_err("anonymous fetch refused");
    assert!(server.rejected.load(std::sync::atomic::Ordering::SeqCst) > 0);
    assert!(!err.contains(PASSWORD), "{err}");
    let wrong = GitAuth {
        creds: Some(RepoCreds {
            url: url.clone(),
            username: Some("bot".into()),
            password: Some("wrong-password-value".into()),
            ..RepoCreds::default()
        }),
        known_hosts: None,
    };
    cache.new_poll();
    let err = cache
        .checkout_with(&url, "HEAD", &wrong)
        .expect_err("wrong password refused");
    assert!(!err.contains("wrong-password-value"), "{err}");
    let right = GitAuth {
        creds: Some(RepoCreds {
            password: Some(PASSWORD.into()),
            ..wrong.creds.clone().expect("creds")
        }),
        known_hosts: None,
    };
    cache.new_poll();
    let (sha, dir) = cache.checkout_with(&url, "HEAD", &right).expect("fetch");
    assert_eq!(sha, first);
    assert!(dir.join("app/cm.yaml").exists());
    // The scratch directory with the askpass script is gone after the fetch.
    let auth_dir = work.join("unit-cache/auth");
    let leftovers = std::fs::read_dir(&auth_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(
        leftovers,
        0,
        "credential files left in {}",
        auth_dir.display()
    );

    // The controller path: a repo-creds template in the apps namespace matches by prefix.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "local-creds",
            "labels": {"argocd.argoproj.io/secret-type": "repo-creds"}},
        "stringData": {"url": format!("http://127.0.0.1:{}/", server.port),
            "username": "bot", "password": PASSWORD}
    }))
    .expect("secret");
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    let app_yaml = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: private\n  \
         namespace: {ns}\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
         targetRevision: main\n    path: app\n  destination:\n    \
         server: https://kubernetes.default.svc\n    namespace: {ns}\n"
    );
    create_app(&client, &app_yaml).await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let reconciler = Reconciler::new(ctx, work.join("cache"));
    let app = get_app(&client, &ns, "private").await.expect("app");
    let out = reconciler.sync(&app, false).await;
    assert_eq!(out.phase, "Succeeded", "{}", out.message);
    assert_eq!(out.revision.as_deref(), Some(first.as_str()));
    write_status(&client, &app, &out).await.expect("status");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let cm = cms
        .get("creds-cm")
        .await
        .expect("applied from the private repo");
    assert_eq!(
        cm.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("1")
    );

    // `rudder app history`.
    let cli_cache = work.join("cli-cache");
    let (code, table, err) = cli(
        cluster,
        &cli_cache,
        &["app", "history", "private", "-n", &ns],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "DATE", "REVISION"]
    );
    assert!(lines[1].starts_with("0 "), "{table}");
    assert!(lines[1].contains(" +0000 UTC  "), "{table}");
    assert!(
        lines[1].ends_with(&format!("main ({})", &first[..7])),
        "{table}"
    );
    let (code, text, err) = cli(
        cluster,
        &cli_cache,
        &["app", "history", "private", "-n", &ns, "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let j: Json = serde_json::from_str(&text).expect("json");
    assert_eq!(j[0]["revision"], first.as_str());
    assert_eq!(j[0]["id"], 0);

    // `rudder app diff`: in sync → exit 0, nothing printed.
    let (code, text, err) = cli(cluster, &cli_cache, &["app", "diff", "private", "-n", &ns]);
    assert_eq!((code, text.as_str()), (0, ""), "{err}");
    // A new commit on the served repository: the diff shows it and exits 1, the cluster is
    // unchanged; the old revision still compares equal.
    std::fs::write(src.join("app/cm.yaml"), cm_yaml("2")).expect("write");
    git(&src, &["commit", "--quiet", "-am", "two"]);
    git(&src, &["push", "--quiet", "../served/repo.git", "main"]);
    let (code, text, err) = cli(cluster, &cli_cache, &["app", "diff", "private", "-n", &ns]);
    assert_eq!(code, 1, "{text}{err}");
    assert!(
        text.contains(&format!("===== /ConfigMap {ns}/creds-cm ======")),
        "{text}"
    );
    assert!(text.contains("- data.a: 1\n+ data.a: 2\n"), "{text}");
    assert!(!err.contains(PASSWORD) && !text.contains(PASSWORD));
    let cm = cms.get("creds-cm").await.expect("cm");
    assert_eq!(
        cm.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("1")
    );
    let (code, text, err) = cli(
        cluster,
        &cli_cache,
        &["app", "diff", "private", "-n", &ns, "--revision", &first],
    );
    assert_eq!((code, text.as_str()), (0, ""), "{err}");
    // Errors exit 2 (as argocd app diff), distinct from differences.
    let (code, _, err) = cli(cluster, &cli_cache, &["app", "diff", "nope", "-n", &ns]);
    assert_eq!(code, 2);
    assert!(err.contains("nope"), "{err}");
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_application_health_is_opt_in() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("apphealth").await;
    let work = workdir("apphealth");
    let repo = work.join("repo");
    std::fs::create_dir_all(repo.join("apps")).expect("mkdir");
    let url = format!("file://{}", repo.display());
    std::fs::write(
        repo.join("apps/child.yaml"),
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child\n  \
             namespace: {ns}\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
             path: nothing\n  destination:\n    server: https://kubernetes.default.svc\n    \
             namespace: {ns}\n"
        ),
    )
    .expect("write");
    git(&repo, &["init", "--quiet", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "child"]);
    create_app(
        &client,
        &format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: parent\n  \
             namespace: {ns}\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
             path: apps\n  destination:\n    server: https://kubernetes.default.svc\n    \
             namespace: {ns}\n"
        ),
    )
    .await;
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let reconciler = Reconciler::new(ctx, work.join("cache"));
    let parent = get_app(&client, &ns, "parent").await.expect("parent");
    let out = reconciler.sync(&parent, false).await;
    assert_eq!(out.phase, "Succeeded", "{}", out.message);
    assert_eq!(out.health, "Healthy");
    // The child reports Degraded (as its own controller would write it).
    app_api(&client, &ns)
        .patch(
            "child",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"health": {"status": "Degraded"}}})),
        )
        .await
        .expect("child status");
    // Argo CD's default: the parent ignores its children's health.
    assert_eq!(reconciler.refresh(&parent).await.health, "Healthy");
    // The argocd-cm customization key opts in: the parent is now Degraded.
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "argocd-cm"},
        "data": {APP_HEALTH_CM_KEY: "hs = {}\nreturn hs\n"}
    }))
    .expect("cm");
    cms.create(&PostParams::default(), &cm)
        .await
        .expect("argocd-cm");
    let out = reconciler.refresh(&parent).await;
    assert_eq!(out.health, "Degraded");
    let child = out
        .resources
        .iter()
        .find(|r| r.object.kind == "Application")
        .expect("child listed");
    assert_eq!(child.health, "Degraded");
    let _ = std::fs::remove_dir_all(&work);
}

/// A stand-in `ssh`: records the mode and first line of the `-i` key file and the
/// StrictHostKeyChecking option, then runs the remote git command locally (so git's SSH
/// transport works without an SSH server).
const FAKE_SSH: &str = r#"#!/bin/sh
key=""
strict=""
while [ $# -gt 1 ]; do
  case "$1" in
    -i) key="$2"; shift 2 ;;
    -o) case "$2" in StrictHostKeyChecking=*) strict="$2" ;; esac; shift 2 ;;
    -p) shift 2 ;;
    *) shift ;;
  esac
done
echo "$(stat -c %a "$key") $(head -n 1 "$key") $strict" >> "$RUDDER_TEST_SSH_LOG"
exec sh -c "$1"
"#;

/// The seed's setup: `repoURL: git@github.com:...` with a read-only deploy key in an Argo CD
/// `repository` Secret and the host key in `argocd-ssh-known-hosts-cm`, synced by the
/// `rudder app sync` binary (git's SSH transport through a stand-in ssh on PATH).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_deploy_key_from_repository_secret() {
    use std::os::unix::fs::PermissionsExt;
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    let ns = cluster.namespace("sshrepo").await;
    let work = workdir("ssh");
    let src = work.join("src");
    std::fs::create_dir_all(src.join("app")).expect("mkdir");
    std::fs::write(src.join("app/cm.yaml"), cm_yaml("ssh")).expect("write");
    git(&src, &["init", "--quiet", "-b", "main"]);
    git(&src, &["add", "."]);
    git(&src, &["commit", "--quiet", "-m", "one"]);
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::write(bin.join("ssh"), FAKE_SSH).expect("write");
    std::fs::set_permissions(bin.join("ssh"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let url = format!("git@github.example:{}", src.display());
    let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nZmFrZSBkZXBsb3kga2V5IGZvciB0ZXN0cw==\n-----END OPENSSH PRIVATE KEY-----\n";
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "ansible-k3s-repo",
            "labels": {"argocd.argoproj.io/secret-type": "repository"}},
        "stringData": {"type": "git", "url": url, "sshPrivateKey": key}
    }))
    .expect("secret");
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let kh: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "argocd-ssh-known-hosts-cm"},
        "data": {"ssh_known_hosts": "github.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake\n"}
    }))
    .expect("cm");
    cms.create(&PostParams::default(), &kh)
        .await
        .expect("known hosts");
    create_app(
        &client,
        &format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: seed-ssh\n  \
             namespace: {ns}\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    \
             targetRevision: HEAD\n    path: app\n  destination:\n    \
             server: https://kubernetes.default.svc\n    namespace: {ns}\n"
        ),
    )
    .await;
    let log = work.join("ssh.log");
    let cache = work.join("cli-cache");
    let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(["app", "sync", "seed-ssh", "-n", &ns, "--kubeconfig"])
        .arg(cluster.kubeconfig_path())
        .arg("--cache-dir")
        .arg(&cache)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("RUDDER_TEST_SSH_LOG", &log)
        .output()
        .expect("run rudder");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Synced"), "{stdout}");
    // ssh got the deploy key as a 0600 file and strict host key checking.
    let seen = std::fs::read_to_string(&log).expect("ssh ran");
    assert_eq!(
        seen.lines().next().unwrap_or(""),
        "600 -----BEGIN OPENSSH PRIVATE KEY----- StrictHostKeyChecking=yes"
    );
    assert!(!stderr.contains("ZmFrZSBkZXBsb3kga2V5"), "{stderr}");
    // The key file is gone once the fetch is over.
    let left = std::fs::read_dir(cache.join("auth"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0);
    let cm = cms.get("creds-cm").await.expect("applied over ssh");
    assert_eq!(
        cm.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("ssh")
    );
    let _ = std::fs::remove_dir_all(&work);
}
