//! The `helm template` pipeline: user values, dependency processing, coalescing, rendering,
//! manifest sorting and Helm's output framing.

pub mod engine;
pub mod manifest;
pub mod output;

use crate::chart::capabilities::Capabilities;
use crate::chart::strvals::{self, Mode};
use crate::chart::values::merge_maps;
use crate::chart::{deps, values, Chart};
use crate::template::{FuncMap, Host, Map, MapRef, NoHost, Value};
use engine::ReleaseOptions;
use manifest::Manifest;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Where user values come from (`-f`, `--set` and friends).
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    /// `-f/--values` files, in order.
    pub value_files: Vec<PathBuf>,
    /// `--set`.
    pub set: Vec<String>,
    /// `--set-string`.
    pub set_string: Vec<String>,
    /// `--set-file`.
    pub set_file: Vec<String>,
    /// `--set-json`.
    pub set_json: Vec<String>,
    /// `--set-literal`.
    pub set_literal: Vec<String>,
}

impl ValueOptions {
    /// Helm's `MergeValues`: files first, then each flag family in a fixed order.
    pub fn merge(&self) -> Result<Map, String> {
        let mut base = Map::new();
        for f in &self.value_files {
            let text = if f.as_os_str() == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .map_err(|e| e.to_string())?;
                s
            } else {
                std::fs::read_to_string(f)
                    .map_err(|e| strvals::go_io_error(&f.display().to_string(), &e))?
            };
            let v = crate::yaml::load_values(&text)
                .map_err(|e| format!("failed to parse {}: {e}", f.display()))?;
            if let Value::Map(m) = v {
                base = merge_maps(&base, &m.read());
            }
        }
        let dest = MapRef::new(base);
        for v in &self.set_json {
            strvals::parse_into(v, &dest, Mode::Json)
                .map_err(|_| format!("failed parsing --set-json data {v}"))?;
        }
        for v in &self.set {
            strvals::parse_into(v, &dest, Mode::Typed)
                .map_err(|e| format!("failed parsing --set data: {e}"))?;
        }
        for v in &self.set_string {
            strvals::parse_into(v, &dest, Mode::String)
                .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
        }
        for v in &self.set_file {
            strvals::parse_into(v, &dest, Mode::File)
                .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
        }
        for v in &self.set_literal {
            strvals::parse_literal_into(v, &dest)
                .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
        }
        let m = dest.read().clone();
        Ok(m)
    }
}

/// Everything that shapes one render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Release name.
    pub release_name: String,
    /// Release namespace.
    pub namespace: String,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// The API versions come from a live cluster's discovery: they replace Helm's built-in
    /// defaults, as `helm install` does, instead of being added to them.
    pub live_api_versions: bool,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            live_api_versions: false,
            skip_schema_validation: false,
        }
    }
}

/// The result of rendering a chart: sorted manifests and hooks, and Helm's warnings.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Ordinary manifests in install order.
    pub manifests: Vec<Manifest>,
    /// Hooks in kind order.
    pub hooks: Vec<Manifest>,
    /// The chart's CRD files (`crds/`), with their source paths.
    pub crds: Vec<(String, Arc<[u8]>)>,
    /// Messages Helm prints on stderr.
    pub warnings: Vec<String>,
}

/// The function map of a Helm 3.17 render, built once per process.
pub fn helm_funcs() -> Arc<FuncMap> {
    static FUNCS: OnceLock<Arc<FuncMap>> = OnceLock::new();
    FUNCS
        .get_or_init(|| Arc::new(crate::funcs::helm_funcs()))
        .clone()
}

/// Validates a release name as `helm template` does.
pub fn validate_release_name(name: &str) -> Result<(), String> {
    // Helm's expression, `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`:
    // dot-separated labels of lowercase alphanumerics and inner dashes.
    let label_ok = |l: &str| {
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let b = l.as_bytes();
        matches!((b.first(), b.last()), (Some(&f), Some(&e)) if alnum(f) && alnum(e))
            && b.iter().all(|&c| alnum(c) || c == b'-')
    };
    if name.is_empty() || name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(format!(
            "release name {name:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
        ));
    }
    Ok(())
}

/// Renders a loaded chart offline (`helm template`).
pub fn render_chart(chart: Chart, user: &Map, opts: &RenderOptions) -> Result<Rendered, String> {
    render_chart_with(chart, user, opts, &NoHost)
}

/// The processed chart, its rendered files `(name, text)` and Helm's warnings.
pub type RenderedFiles = (Chart, Vec<(String, String)>, Vec<String>);

/// Where a render failed. Helm's `install` creates the release after the chart checks,
/// dependency processing, values and schema validation ([`RenderError::Setup`]); errors of its
/// `renderResources` (kubeVersion check, templates, manifest sorting) come back with the
/// partial release, and `helm template` follows those with its `--debug` hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// Before the release exists.
    Setup(String),
    /// While rendering the release's resources.
    Resources(String),
}

impl RenderError {
    /// The message, whichever the stage.
    pub fn into_message(self) -> String {
        match self {
            RenderError::Setup(m) | RenderError::Resources(m) => m,
        }
    }
}

/// Everything up to the template engine: dependency processing, coalescing, schema and
/// kubeVersion checks, rendering. Returns the processed chart, every rendered file (partials
/// excluded, NOTES included) and Helm's warnings.
pub fn render_files(
    chart: Chart,
    user: &Map,
    opts: &RenderOptions,
    host: &dyn Host,
) -> Result<RenderedFiles, String> {
    render_files_staged(chart, user, opts, host).map_err(RenderError::into_message)
}

/// [`render_files`], telling which stage failed.
pub fn render_files_staged(
    mut chart: Chart,
    user: &Map,
    opts: &RenderOptions,
    host: &dyn Host,
) -> Result<RenderedFiles, RenderError> {
    use RenderError::{Resources, Setup};
    let mut warnings = Vec::new();
    if chart.metadata.chart_type == "library" {
        return Err(Setup("library charts are not installable".into()));
    }
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Setup(format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )));
    }
    validate_release_name(&opts.release_name).map_err(Setup)?;
    let mut warn = |m: String| warnings.push(m);
    deps::process(&mut chart, user, &mut warn).map_err(Setup)?;
    chart.set_paths(None);
    let mut caps = Capabilities::default();
    if let Some(kv) = &opts.kube_version {
        caps.set_kube_version(kv).map_err(Setup)?;
    }
    if opts.live_api_versions {
        caps.api_versions = opts.api_versions.clone();
    } else {
        caps.add_api_versions(&opts.api_versions);
    }
    let vals = values::coalesce_values(&chart, user, &mut warn).map_err(Setup)?;
    if !opts.skip_schema_validation {
        crate::chart::schema::validate(&chart, &vals).map_err(Setup)?;
    }
    if !chart.metadata.kube_version.is_empty()
        && !crate::semver::is_compatible_range(&chart.metadata.kube_version, &caps.kube_version)
    {
        return Err(Resources(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
            chart.metadata.kube_version, caps.kube_version
        )));
    }
    let release = ReleaseOptions {
        name: opts.release_name.clone(),
        namespace: opts.namespace.clone(),
        is_upgrade: opts.is_upgrade,
        revision: 1,
    };
    let files =
        engine::render(&chart, &vals, &release, &caps, helm_funcs(), host).map_err(Resources)?;
    Ok((chart, files, warnings))
}

/// Renders a loaded chart, answering `lookup` through `host`.
pub fn render_chart_with(
    chart: Chart,
    user: &Map,
    opts: &RenderOptions,
    host: &dyn Host,
) -> Result<Rendered, String> {
    render_chart_staged(chart, user, opts, host).map_err(RenderError::into_message)
}

/// [`render_chart_with`], telling which stage failed.
pub fn render_chart_staged(
    chart: Chart,
    user: &Map,
    opts: &RenderOptions,
    host: &dyn Host,
) -> Result<Rendered, RenderError> {
    let (chart, files, mut warnings) = render_files_staged(chart, user, opts, host)?;
    let files: Vec<(String, String)> = files
        .into_iter()
        .filter(|(k, _)| !k.ends_with("NOTES.txt"))
        .collect();
    let mut info = |m: String| warnings.push(m);
    let (hooks, manifests) =
        manifest::sort_manifests(&files, &mut info).map_err(RenderError::Resources)?;
    let crds = chart.crd_objects();
    crate::oneshot::release((chart, files));
    Ok(Rendered {
        manifests,
        hooks,
        crds,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::validate_release_name;

    /// The hand-written check agrees with Helm's expression on every short name built from
    /// the characters that matter.
    #[test]
    fn release_name_check_matches_the_expression() {
        let re =
            regex::Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
                .expect("re");
        let alphabet = ['a', '0', '-', '.', 'A', '_'];
        let mut stack = vec![String::new()];
        while let Some(s) = stack.pop() {
            let want = !s.is_empty() && re.is_match(&s);
            assert_eq!(validate_release_name(&s).is_ok(), want, "{s:?}");
            if s.len() < 6 {
                for c in alphabet {
                    stack.push(format!("{s}{c}"));
                }
            }
        }
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }
}
