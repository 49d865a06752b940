//! Turns an Application's checked-out source into a [`Rendered`] set: a Helm chart rendered
//! by rudder (as Argo CD's `helm template`), or the YAML/JSON manifests of a directory.

use super::application::{Application, HelmSource};
use crate::render::manifest::{split_manifests, Manifest};
use crate::render::{render_chart, RenderOptions, Rendered, ValueOptions};
use std::path::{Component, Path, PathBuf};

/// Directory depth limit for `directory.recurse` (guards against pathological trees).
const MAX_DEPTH: usize = 32;

/// What the cluster offers the render (`.Capabilities`).
#[derive(Clone, Debug, Default)]
pub struct Capabilities {
    /// Served API versions.
    pub api_versions: Vec<String>,
    /// Server version (`v1.34.1`).
    pub kube_version: Option<String>,
}

/// Joins a repository-relative path, refusing absolute paths and `..` escapes (Argo CD
/// refuses paths outside the repository too).
fn join_inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    let mut depth = 0i32;
    for c in p.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("path {rel:?} is outside the repository"));
                }
            }
            _ => return Err(format!("path {rel:?} must be relative")),
        }
    }
    Ok(root.join(p))
}

/// Renders the app's source from `checkout` (the exported commit). Blocking: call it on a
/// blocking thread.
pub fn render_source(
    app: &Application,
    checkout: &Path,
    caps: &Capabilities,
) -> Result<Rendered, String> {
    let dir = join_inside(checkout, &app.spec.source.path)?;
    if !dir.is_dir() {
        return Err(format!("{}: app path does not exist", app.spec.source.path));
    }
    let helm = app.spec.source.helm.clone();
    if helm.is_some() || dir.join("Chart.yaml").is_file() {
        render_helm(app, &dir, &helm.unwrap_or_default(), caps)
    } else {
        let recurse = app
            .spec
            .source
            .directory
            .as_ref()
            .is_some_and(|d| d.recurse);
        read_directory(&dir, recurse)
    }
}

fn render_helm(
    app: &Application,
    chart_dir: &Path,
    helm: &HelmSource,
    caps: &Capabilities,
) -> Result<Rendered, String> {
    let chart = crate::chart::load::load(chart_dir)?;
    let mut files = Vec::new();
    for f in &helm.value_files {
        files.push(join_inside(chart_dir, f)?);
    }
    // Inline values come after the value files, as in Argo CD; valuesObject wins over values.
    // They go through temporary files so they merge exactly like `-f` files.
    let mut temps = Vec::new();
    let inline = match (&helm.values_object, &helm.values) {
        (Some(obj), _) => Some(serde_json::to_string(obj).map_err(|e| e.to_string())?),
        (None, Some(text)) if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    };
    if let Some(text) = inline {
        let tmp = std::env::temp_dir().join(format!(
            "rudder-values-{}-{}-{}.yaml",
            std::process::id(),
            app.metadata.name,
            rand::random::<u32>()
        ));
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        files.push(tmp.clone());
        temps.push(tmp);
    }
    let mut vo = ValueOptions {
        value_files: files,
        ..ValueOptions::default()
    };
    for p in &helm.parameters {
        let kv = format!("{}={}", p.name, p.value);
        if p.force_string {
            vo.set_string.push(kv);
        } else {
            vo.set.push(kv);
        }
    }
    let values = vo.merge();
    for t in temps {
        let _ = std::fs::remove_file(t);
    }
    let values = values?;
    let opts = RenderOptions {
        release_name: app.release_name().to_string(),
        namespace: app.dest_namespace().to_string(),
        is_upgrade: false,
        kube_version: caps.kube_version.clone(),
        api_versions: caps.api_versions.clone(),
        live_api_versions: !caps.api_versions.is_empty(),
        skip_schema_validation: false,
    };
    let mut rendered = render_chart(chart, &values, &opts)?;
    if helm.skip_crds {
        rendered.crds.clear();
    }
    Ok(rendered)
}

/// Reads `*.yaml`, `*.yml` and `*.json` files of `dir` (sorted; subdirectories if `recurse`)
/// as plain manifests.
pub fn read_directory(dir: &Path, recurse: bool) -> Result<Rendered, String> {
    let mut files = Vec::new();
    collect(dir, recurse, 0, &mut files)?;
    files.sort();
    let mut rendered = Rendered::default();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let name = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .into_owned();
        for doc in split_manifests(&text) {
            let Some(j) =
                crate::apply::objects::yaml_to_json(&doc).map_err(|e| format!("{name}: {e}"))?
            else {
                continue;
            };
            let kind = j
                .get("kind")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let object_name = j
                .pointer("/metadata/name")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            rendered.manifests.push(Manifest {
                name: name.clone(),
                content: doc.trim().to_string(),
                kind,
                object_name,
                events: Vec::new(),
                weight: 0,
                delete_policies: Vec::new(),
            });
        }
    }
    Ok(rendered)
}

fn collect(dir: &Path, recurse: bool, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("{}: directory tree too deep", dir.display()));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        let hidden = e.file_name().to_string_lossy().starts_with('.');
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if recurse && !hidden {
                collect(&p, recurse, depth + 1, out)?;
            }
        } else if ft.is_file()
            && matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml" | "json")
            )
        {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn refuses_escaping_paths() {
        assert!(join_inside(Path::new("/r"), "../x").is_err());
        assert!(join_inside(Path::new("/r"), "a/../../x").is_err());
        assert!(join_inside(Path::new("/r"), "/etc").is_err());
        assert_eq!(
            join_inside(Path::new("/r"), "a/./b"),
            Ok(PathBuf::from("/r/a/./b"))
        );
    }

    #[test]
    fn reads_app_of_apps_directory() {
        let r = read_directory(&root().join("gitops/argocd-apps/applications"), false)
            .unwrap_or_default();
        let names: Vec<_> = r.manifests.iter().map(|m| m.object_name.as_str()).collect();
        assert_eq!(
            names,
            ["external-services", "ghost", "home-fonta", "infrastructure"]
        );
        assert!(r.manifests.iter().all(|m| m.kind == "Application"));
        // Non-recursive: the parent directory does not include applications/ contents.
        let top = read_directory(&root().join("gitops/argocd-apps"), false).unwrap_or_default();
        assert_eq!(top.manifests.len(), 1);
        let rec = read_directory(&root().join("gitops/argocd-apps"), true).unwrap_or_default();
        assert_eq!(rec.manifests.len(), 5);
    }

    #[test]
    fn renders_seed_chart_like_argo() {
        let apps = Application::from_yaml_docs(
            &std::fs::read_to_string(root().join("gitops/argocd-apps/applications/ghost.yaml"))
                .unwrap_or_default(),
        )
        .unwrap_or_default();
        let mut app = apps.into_iter().next().unwrap_or_default();
        // The seed repo keeps charts under helm-charts/; here they live in charts/.
        app.spec.source.path = "charts/ghost".into();
        let r = render_source(&app, &root(), &Capabilities::default());
        let r = r.unwrap_or_default();
        assert!(!r.manifests.is_empty());
        assert!(r.manifests.iter().any(|m| m.kind == "Deployment"));
        // Release namespace is the destination namespace.
        assert!(r
            .manifests
            .iter()
            .all(|m| !m.content.contains("namespace: default")));
    }

    #[test]
    fn parameters_override_value_files() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: h}\nspec:\n  source:\n    path: charts/homefonta\n    helm:\n      valueFiles: [values.yaml]\n      valuesObject: {replicaCount: 3}\n      parameters: [{name: replicaCount, value: \"4\"}]\n  destination: {namespace: home-fonta}\n";
        let app = Application::from_yaml_docs(text)
            .unwrap_or_default()
            .into_iter()
            .next()
            .unwrap_or_default();
        let r = render_source(&app, &root(), &Capabilities::default()).unwrap_or_default();
        let dep = r.manifests.iter().find(|m| m.kind == "Deployment");
        assert!(
            dep.is_some_and(|d| d.content.contains("replicas: 4")),
            "{dep:?}"
        );
        let mut bad = app.clone();
        if let Some(h) = bad.spec.source.helm.as_mut() {
            h.value_files = vec!["missing.yaml".into()];
        }
        assert!(render_source(&bad, &root(), &Capabilities::default()).is_err());
    }
}
