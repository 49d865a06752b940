//! `rudder template [NAME] CHART [flags]`: `helm template`'s flags, output and errors.

use crate::chart::load;
use crate::render::output::{assemble_with, OutputOptions};
use crate::render::{render_chart_staged, RenderError, RenderOptions, ValueOptions};
use crate::template::NoHost;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Helm's value flags, shared by `template`, `apply`/`diff` and `lint` (helm's `values.Options`).
#[derive(Args, Debug, Clone, Default)]
pub struct ValueArgs {
    /// Specify values in a YAML file (can specify multiple).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<PathBuf>,
    /// Set values on the command line (key1=val1,key2=val2).
    #[arg(long = "set")]
    set: Vec<String>,
    /// Set STRING values on the command line.
    #[arg(long = "set-string")]
    set_string: Vec<String>,
    /// Set values from files (key=path).
    #[arg(long = "set-file")]
    set_file: Vec<String>,
    /// Set JSON values on the command line.
    #[arg(long = "set-json")]
    set_json: Vec<String>,
    /// Set a literal STRING value on the command line.
    #[arg(long = "set-literal")]
    set_literal: Vec<String>,
}

impl ValueArgs {
    /// The flags as the loader's [`ValueOptions`].
    pub fn options(&self) -> ValueOptions {
        ValueOptions {
            value_files: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_json: self.set_json.clone(),
            set_literal: self.set_literal.clone(),
        }
    }
}

/// Flags of `helm template` (every flag helm accepts is accepted; cluster-only ones are ignored).
#[derive(Args, Debug, Default)]
pub struct TemplateArgs {
    /// `[NAME] CHART` (more are rejected in [`run`] with helm's wording).
    #[arg(num_args = 1.., required = true)]
    args: Vec<String>,
    #[command(flatten)]
    values: ValueArgs,
    /// Namespace scope for this request.
    #[arg(
        short = 'n',
        long = "namespace",
        env = "HELM_NAMESPACE",
        default_value = "default"
    )]
    namespace: String,
    /// Kubernetes version used for Capabilities.KubeVersion.
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions.
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Include CRDs in the templated output.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// If set, no CRDs will be installed.
    #[arg(long = "skip-crds")]
    skip_crds: bool,
    /// Prevent hooks from running during install.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Skip tests from templated output.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Only show manifests rendered from the given templates.
    #[arg(short = 's', long = "show-only")]
    show_only: Vec<String>,
    /// Writes the executed templates to files in output-dir instead of stdout.
    #[arg(long = "output-dir")]
    output_dir: Option<PathBuf>,
    /// Use release name in the output-dir path.
    #[arg(long = "release-name")]
    release_name: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Generate the name (and omit the NAME parameter).
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// Specify template used to name the release.
    #[arg(long = "name-template")]
    name_template: Option<String>,
    /// Skip validation of the values against values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Path to an executable to be used for post rendering.
    #[arg(long = "post-renderer")]
    post_renderer: Option<String>,
    /// Arguments to the post-renderer.
    #[arg(long = "post-renderer-args")]
    post_renderer_args: Vec<String>,
    /// Enable DNS lookups when rendering templates (answered offline as empty).
    #[arg(long = "enable-dns")]
    enable_dns: bool,
    /// Enable verbose output.
    #[arg(long = "debug")]
    debug: bool,
    /// Accepted for compatibility; rudder never contacts a cluster in `template`.
    #[arg(long = "validate")]
    validate: bool,
    /// Accepted for compatibility (no repositories are contacted).
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// Accepted for compatibility.
    #[arg(long = "devel")]
    devel: bool,
    /// Accepted for compatibility (chart version constraint for remote charts).
    #[arg(long = "version")]
    version: Option<String>,
    /// Accepted for compatibility (no cluster is contacted).
    #[arg(long = "kubeconfig")]
    kubeconfig: Option<String>,
    /// Accepted for compatibility (no cluster is contacted).
    #[arg(long = "kube-context")]
    kube_context: Option<String>,
    /// Accepted for compatibility.
    #[arg(long = "create-namespace")]
    create_namespace: bool,
    /// Accepted for compatibility.
    #[arg(long = "wait")]
    wait: bool,
    /// Accepted for compatibility.
    #[arg(long = "atomic")]
    atomic: bool,
    /// Accepted for compatibility.
    #[arg(long = "timeout")]
    timeout: Option<String>,
    /// Accepted for compatibility.
    #[arg(long = "description")]
    description: Option<String>,
}

impl TemplateArgs {
    /// `--kube-version`, if given.
    pub fn kube_version(&self) -> Option<&str> {
        self.kube_version.as_deref()
    }
}

/// Runs `rudder template`.
pub fn run(a: TemplateArgs) -> Result<(), String> {
    let text = render_text(&a)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Renders as `helm template` would and returns stdout's text; also hands back the chart's
/// `crds/` objects (for `rudder validate`) through `crds`.
pub fn render_text_with_crds(
    a: &TemplateArgs,
    crds: &mut Vec<(String, std::sync::Arc<[u8]>)>,
) -> Result<String, String> {
    // Helm checks the post-renderer while parsing flags, before anything else.
    let post_renderer = match &a.post_renderer {
        Some(cmd) => Some(find_binary(cmd).map_err(|e| {
            format!("invalid argument {cmd:?} for \"--post-renderer\" flag: unable to find binary at {cmd}: {e}")
        })?),
        None => None,
    };
    let (name, chart_path) = match a.args.as_slice() {
        [chart] => ("release-name".to_string(), chart.clone()),
        [name, chart] => (name.clone(), chart.clone()),
        [_, _, rest @ ..] => {
            return Err(format!(
                "expected at most two arguments, unexpected arguments: {}",
                rest.join(", ")
            ))
        }
        [] => return Err("requires at least 1 argument".into()),
    };
    let name = match &a.name_template {
        Some(t) => render_name_template(t)?,
        None => name,
    };
    locate_chart(&chart_path)?;
    let values = a.values.options().merge()?;
    // Helm merges the values (reading -f and --set-file files) before it loads the chart.
    // Helm resolves the chart to an absolute path, which its archive errors quote.
    let chart_abs = std::path::absolute(&chart_path).unwrap_or_else(|_| chart_path.clone().into());
    let chart = load::load(&chart_abs)?;
    if chart.metadata.deprecated {
        eprintln!("WARNING: This chart is deprecated");
    }
    let opts = RenderOptions {
        release_name: name.clone(),
        namespace: a.namespace.clone(),
        is_upgrade: a.is_upgrade,
        kube_version: a.kube_version.clone(),
        api_versions: a.api_versions.clone(),
        live_api_versions: false,
        skip_schema_validation: a.skip_schema_validation,
    };
    // Helm follows errors of its renderResources with a hint (unless --debug is given).
    let hint = |m: String| {
        if a.debug {
            m
        } else {
            format!("{m}\n\nUse --debug flag to render out invalid YAML")
        }
    };
    let rendered = render_chart_staged(chart, &values, &opts, &NoHost).map_err(|e| match e {
        RenderError::Setup(m) => m,
        RenderError::Resources(m) => hint(m),
    })?;
    crds.extend(rendered.crds.iter().cloned());
    for w in &rendered.warnings {
        eprintln!("{w}");
    }
    let out_opts = OutputOptions {
        include_crds: a.include_crds,
        no_hooks: a.no_hooks,
        skip_tests: a.skip_tests,
        show_only: a.show_only.clone(),
        output_dir: a.output_dir.clone(),
        use_release_name: a.release_name,
        release_name: name,
    };
    let assembled = match &post_renderer {
        Some(cmd) => assemble_with(&rendered, &out_opts, &mut |m| {
            post_render(cmd, &a.post_renderer_args, m)
        }),
        None => assemble_with(&rendered, &out_opts, &mut |m| Ok(m.to_string())),
    };
    assembled.map_err(|e| {
        // What Helm printed before failing (`wrote …` lines) still reaches stdout.
        let _ = std::io::stdout().write_all(e.stdout.as_bytes());
        if e.in_render {
            hint(e.message)
        } else {
            e.message
        }
    })
}

/// Renders as `helm template` would and returns stdout's text.
pub fn render_text(a: &TemplateArgs) -> Result<String, String> {
    render_text_with_crds(a, &mut Vec::new())
}

/// Helm's `LocateChart` for a path that does not exist locally: a name that is neither absolute
/// nor starts with `.` is taken as a repository reference, which fails without repositories.
fn locate_chart(chart_path: &str) -> Result<(), String> {
    let path = std::path::Path::new(chart_path);
    if path.exists() {
        return Ok(());
    }
    if path.is_absolute() || chart_path.starts_with('.') {
        // Quotes the path as given (the loader only ever sees the absolute one).
        return Err(format!("path {chart_path:?} not found"));
    }
    match chart_path.split_once('/') {
        None => Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {chart_path}"
        )),
        Some((repo, _)) if !chart_path.contains("://") => Err(format!("repo {repo} not found")),
        Some(_) => Ok(()),
    }
}

/// `--name-template`: a template rendered with no data.
fn render_name_template(t: &str) -> Result<String, String> {
    let mut set = crate::template::Templates::new(crate::render::helm_funcs());
    set.add("name-template", t).map_err(|e| e.message)?;
    set.execute("name-template", &crate::template::Value::Nil)
        .map_err(|e| e.message.into())
}

/// `--post-renderer`: pipes the manifests through a command and returns its stdout.
/// Go's `exec.LookPath` (a name with a slash is used as is, others are searched in PATH), made
/// absolute as Helm does.
fn find_binary(cmd: &str) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    let found = if cmd.contains('/') {
        let p = std::path::PathBuf::from(cmd);
        if let Err(e) = std::fs::metadata(&p) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => e.to_string(),
            };
            return Err(format!("exec: {cmd:?}: stat {cmd}: {why}"));
        }
        if !executable(&p) {
            return Err(format!("exec: {cmd:?}: permission denied"));
        }
        p
    } else {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join(cmd))
            .find(|p| executable(p))
            .ok_or_else(|| format!("exec: {cmd:?}: executable file not found in $PATH"))?
    };
    let abs = std::path::absolute(&found).unwrap_or(found);
    Ok(abs.to_string_lossy().into_owned())
}

fn post_render(cmd: &str, args: &[String], input: &str) -> Result<String, String> {
    let mut child = std::process::Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("error while running command {cmd}. error output:\n{e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let data = input.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(data.as_bytes());
        });
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "error while running post render on files: error while running command {cmd}. error output:\n{}: exit status {}",
            String::from_utf8_lossy(&out.stderr),
            out.status.code().unwrap_or(-1)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod locate_tests {
    use super::locate_chart;

    #[test]
    fn missing_paths_get_helms_locate_errors() {
        assert_eq!(
            locate_chart("no-such-chart-xyz").unwrap_err(),
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: no-such-chart-xyz"
        );
        assert_eq!(
            locate_chart("myrepo/thing").unwrap_err(),
            "repo myrepo not found"
        );
        assert_eq!(
            locate_chart("./no-such-dir").unwrap_err(),
            "path \"./no-such-dir\" not found"
        );
        assert_eq!(
            locate_chart("/no/such/abs").unwrap_err(),
            "path \"/no/such/abs\" not found"
        );
    }

    #[test]
    fn existing_paths_and_urls_pass_through() {
        assert!(locate_chart(env!("CARGO_MANIFEST_DIR")).is_ok());
        assert!(locate_chart("https://example.invalid/c.tgz").is_ok());
    }
}

#[cfg(test)]
mod post_renderer_tests {
    use super::find_binary;

    #[test]
    fn binaries_are_found_like_go_lookpath() {
        assert!(find_binary("sh").is_ok_and(|p| p.ends_with("/sh")));
        assert_eq!(
            find_binary("./no-such-renderer").unwrap_err(),
            "exec: \"./no-such-renderer\": stat ./no-such-renderer: no such file or directory"
        );
        assert_eq!(
            find_binary("no-such-renderer-xyz").unwrap_err(),
            "exec: \"no-such-renderer-xyz\": executable file not found in $PATH"
        );
        // A directory is not an executable file.
        assert_eq!(
            find_binary("/").unwrap_err(),
            "exec: \"/\": permission denied"
        );
    }
}
