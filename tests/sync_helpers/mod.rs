//! Helpers of tests/sync_seed.rs: a seed-shaped git repository and cluster look-ups.

use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject, PostParams};
use kube::Client;
use rudder::apply::ClusterContext;
use rudder::sync::application::Application;
use rudder::sync::reconcile::{app_api, get_app};
use serde_json::{json, Value as Json};

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The seed's GitOps repository, with repoURL pointing at itself.
pub fn make_repo(dir: &Path) -> String {
    let url = format!("file://{}", dir.display());
    for chart in ["external-services", "ghost", "homefonta", "infrastructure"] {
        copy_dir(
            &repo().join("charts").join(chart),
            &dir.join("helm-charts").join(chart),
        );
    }
    copy_dir(&repo().join("gitops/argocd-apps"), &dir.join("argocd-apps"));
    for f in walk(&dir.join("argocd-apps")) {
        let text = std::fs::read_to_string(&f).expect("read");
        let text = text.replace("git@github.com:Nikob2o/ansible-k3s.git", &url);
        std::fs::write(&f, text).expect("write");
    }
    git(dir, &["init", "--quiet", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "seed"]);
    url
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

pub fn commit_edit(dir: &Path, file: &str, from: &str, to: &str, msg: &str) -> String {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).expect("write");
    git(dir, &["commit", "--quiet", "-am", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

pub async fn create_namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).expect("ns");
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("create namespace {name}: {e}"),
    }
}

pub async fn create_app(client: &Client, yaml: &str) {
    let app = Application::from_yaml_docs(yaml).expect("parse");
    let j = rudder::apply::objects::yaml_to_json(yaml)
        .expect("yaml")
        .expect("doc");
    let obj: DynamicObject = serde_json::from_value(j).expect("object");
    app_api(client, app[0].namespace())
        .create(&PostParams::default(), &obj)
        .await
        .expect("create app");
}

pub async fn status(client: &Client, name: &str) -> Json {
    get_app(client, "argocd", name)
        .await
        .expect("app")
        .status
        .unwrap_or(Json::Null)
}

/// Reads a live object named in an app's status resources.
pub async fn live(ctx: &ClusterContext, st: &Json, kind: &str) -> Json {
    let r = st["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} in {st}"))
        .clone();
    let res = ctx
        .resolve_gvk(
            r["group"].as_str().unwrap_or(""),
            r["version"].as_str().unwrap_or(""),
            kind,
        )
        .expect("resolve");
    let api: Api<DynamicObject> = match r["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(ctx.client().clone(), ns, &res.resource),
        None => Api::all_with(ctx.client().clone(), &res.resource),
    };
    let o = api
        .get(r["name"].as_str().unwrap_or(""))
        .await
        .expect("live object");
    serde_json::to_value(o).expect("json")
}

// Only tests/sync_runtime.rs uses these.
#[allow(dead_code)]
pub mod runtime;
