//! Render cache: an app's source is rendered again only when its inputs changed.
//!
//! The input digest hashes the git object ids of everything the render reads (the tree of
//! the app path, so the chart and its `charts/` dependencies or the manifest directory, and
//! the blob of each value file, which may live outside the chart), the app's source spec,
//! destination namespace and release name, and the cluster capabilities. A commit that
//! touches other paths of a monorepo keeps the digest, so the cached render is reused (as
//! Argo CD's manifest-generate-paths, derived instead of declared). selfHeal re-applies the
//! cached render: caching skips templating, never the apply.

use super::application::Application;
use super::metrics::Metrics;
use super::source::Capabilities;
use crate::render::Rendered;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Component, Path};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// (app namespace, app name) → (input digest, render).
type Entries = HashMap<(String, String), (String, Arc<Rendered>)>;

/// Renders cached per app (one entry per app: the latest inputs).
#[derive(Debug)]
pub struct RenderCache {
    entries: Mutex<Entries>,
    metrics: Arc<Metrics>,
}

/// Joins `rel` onto the repository-relative `base` lexically (`a/b` + `../c` = `a/c`);
/// None when it leaves the repository.
pub fn repo_path(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for p in [base, rel] {
        for c in Path::new(p).components() {
            match c {
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                _ => return None,
            }
        }
    }
    Some(parts.join("/"))
}

/// The object id of `rev:path` in the bare repository `git_dir` (`-` when it does not exist).
fn object_id(git_dir: &Path, rev: &str, path: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{rev}:{path}"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    match out.status.code() {
        Some(0) => Some(String::from_utf8_lossy(&out.stdout).trim().to_string()),
        // --verify --quiet exits 1 for a path missing at that commit.
        Some(1) => Some("-".into()),
        _ => None,
    }
}

/// The input digest of `app` at commit `sha` of the mirror `git_dir`, or None when it
/// cannot be computed (the caller then always renders). Blocking (runs git).
pub fn input_digest(
    git_dir: &Path,
    sha: &str,
    app: &Application,
    caps: &Capabilities,
) -> Option<String> {
    let src = &app.spec.source;
    let mut h = Sha256::new();
    let base = repo_path("", &src.path)?;
    let id = object_id(git_dir, sha, &base)?;
    h.update(format!("path {base} {id}\n"));
    if let Some(helm) = &src.helm {
        for f in &helm.value_files {
            let p = repo_path(&base, f)?;
            let id = object_id(git_dir, sha, &p)?;
            h.update(format!("values {p} {id}\n"));
        }
    }
    h.update(serde_json::to_vec(src).ok()?);
    h.update(format!(
        "\n{}\n{}\n{}\n{}\n",
        app.dest_namespace(),
        app.release_name(),
        caps.kube_version.as_deref().unwrap_or(""),
        caps.api_versions.join(",")
    ));
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

impl RenderCache {
    /// An empty cache reporting to `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> RenderCache {
        RenderCache {
            entries: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    fn key(app: &Application) -> (String, String) {
        (app.namespace().to_string(), app.metadata.name.clone())
    }

    /// The cached render of `app` if its inputs still hash to `digest` (counted as
    /// `cached`).
    pub fn get(&self, app: &Application, digest: Option<&str>) -> Option<Arc<Rendered>> {
        let digest = digest?;
        let hit = self.entries.lock().ok().and_then(|m| {
            m.get(&Self::key(app))
                .filter(|(d, _)| d == digest)
                .map(|(_, r)| r.clone())
        });
        if hit.is_some() {
            self.metrics
                .record_render(&app.metadata.name, app.namespace(), "cached");
        }
        hit
    }

    /// Records a fresh render of `app` (counted as `rendered`); cached when `digest` is known.
    pub fn put(&self, app: &Application, digest: Option<String>, rendered: Arc<Rendered>) {
        self.metrics
            .record_render(&app.metadata.name, app.namespace(), "rendered");
        if let (Some(d), Ok(mut m)) = (digest, self.entries.lock()) {
            m.insert(Self::key(app), (d, rendered));
        }
    }

    /// Drops the entry of an app (deleted apps).
    pub fn forget(&self, app: &Application) {
        if let Ok(mut m) = self.entries.lock() {
            m.remove(&Self::key(app));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let o = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.email=t@e", "-c", "user.name=t"])
            .args(args)
            .output();
        o.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn paths() {
        assert_eq!(repo_path("", "charts/a"), Some("charts/a".into()));
        assert_eq!(repo_path("", "./charts/a/"), Some("charts/a".into()));
        assert_eq!(repo_path("charts/a", "../../v.yaml"), Some("v.yaml".into()));
        assert_eq!(
            repo_path("charts/a", "values.yaml"),
            Some("charts/a/values.yaml".into())
        );
        assert_eq!(repo_path("", "."), Some(String::new()));
        assert_eq!(repo_path("a", "../../x"), None);
        assert_eq!(repo_path("", "/etc"), None);
    }

    #[test]
    fn digest_follows_only_the_inputs() {
        let d = std::env::temp_dir().join(format!("rudder-rcache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::create_dir_all(d.join("chart/templates"));
        let _ = std::fs::create_dir_all(d.join("other"));
        let _ = std::fs::write(d.join("chart/Chart.yaml"), "name: c\n");
        let _ = std::fs::write(d.join("shared.yaml"), "a: 1\n");
        let _ = std::fs::write(d.join("other/x.txt"), "1");
        git(&d, &["init", "--quiet", "-b", "main"]);
        git(&d, &["add", "."]);
        git(&d, &["commit", "--quiet", "-m", "1"]);
        let c1 = git(&d, &["rev-parse", "HEAD"]);
        let gd = d.join(".git");
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source:\n    path: chart\n    helm:\n      valueFiles: [../shared.yaml]\n  destination: {namespace: ns1}\n";
        let app = Application::from_yaml_docs(text)
            .expect("app")
            .into_iter()
            .next()
            .expect("one app");
        assert_eq!(app.spec.source.path, "chart");
        let caps = Capabilities::default();
        let d1 = input_digest(&gd, &c1, &app, &caps);
        assert!(d1.is_some());
        assert_eq!(input_digest(&gd, &c1, &app, &caps), d1);
        // A commit elsewhere in the repository keeps the digest.
        let _ = std::fs::write(d.join("other/x.txt"), "2");
        git(&d, &["commit", "--quiet", "-am", "2"]);
        let c2 = git(&d, &["rev-parse", "HEAD"]);
        assert_ne!(c1, c2);
        assert_eq!(input_digest(&gd, &c2, &app, &caps), d1);
        // A value file outside the chart changes it.
        let _ = std::fs::write(d.join("shared.yaml"), "a: 2\n");
        git(&d, &["commit", "--quiet", "-am", "3"]);
        let c3 = git(&d, &["rev-parse", "HEAD"]);
        let d3 = input_digest(&gd, &c3, &app, &caps);
        assert_ne!(d3, d1);
        // So do the spec and the capabilities.
        let mut app2 = app.clone();
        app2.spec.source.target_revision = "v2".into();
        assert_ne!(input_digest(&gd, &c3, &app2, &caps), d3);
        let caps2 = Capabilities {
            kube_version: Some("v1.30.0".into()),
            ..Capabilities::default()
        };
        assert_ne!(input_digest(&gd, &c3, &app, &caps2), d3);

        // The cache returns the render only for the digest it was stored with.
        let m = Arc::new(Metrics::default());
        let cache = RenderCache::new(m.clone());
        assert!(cache.get(&app, d1.as_deref()).is_none());
        cache.put(&app, d1.clone(), Arc::new(Rendered::default()));
        assert!(cache.get(&app, d1.as_deref()).is_some());
        assert!(cache.get(&app, d3.as_deref()).is_none());
        assert!(cache.get(&app, None).is_none());
        let t = m.render();
        assert!(t.contains(r#"result="cached"} 1"#), "{t}");
        assert!(t.contains(r#"result="rendered"} 1"#), "{t}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
