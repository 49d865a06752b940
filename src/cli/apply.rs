//! `rudder apply`, `rudder diff` and `rudder delete`: render a chart and make the cluster
//! match it (see [`crate::apply`]).

use crate::apply::kubeconfig::{self, ClientOptions};
use crate::apply::{self, Action, ApplyOptions, ApplyReport, ClusterContext, DiffReport};
use crate::chart::load;
use crate::cli::template::ValueArgs;
use crate::render::{render_chart_with, RenderOptions, Rendered};
use crate::template::{Host, NoHost};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Cluster connection flags.
#[derive(Args, Debug, Clone, Default)]
pub struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long = "kubeconfig")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long = "context", alias = "kube-context")]
    context: Option<String>,
    /// Namespace of the release (and of its inventory Secret).
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    namespace: String,
}

/// The `helm template` flags that shape a render.
#[derive(Args, Debug, Clone, Default)]
pub struct RenderArgs {
    #[command(flatten)]
    values: ValueArgs,
    /// Kubernetes version for Capabilities.KubeVersion (default: the server's).
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Extra api versions for Capabilities.APIVersions (added to the server's).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Do not install the chart's crds/.
    #[arg(long = "skip-crds")]
    skip_crds: bool,
    /// Do not run hooks.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Skip validation of the values against values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
}

/// `rudder apply RELEASE CHART`.
#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// Release name.
    release: String,
    /// Chart directory or archive.
    chart: String,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    render: RenderArgs,
    /// Create the release namespace if it does not exist (not tracked, never pruned).
    #[arg(long = "create-namespace")]
    create_namespace: bool,
    /// Delete objects of the previous apply that are no longer rendered.
    #[arg(long = "prune")]
    prune: bool,
    /// Allow prunes over the blast-radius limit (Namespaces, CRDs, PVs, PVCs, Applications,
    /// or more than half of a set of over 20 objects).
    #[arg(long = "confirm-prune")]
    confirm_prune: bool,
    /// Server-side dry run: show what would happen, write nothing.
    #[arg(long = "dry-run")]
    dry_run: bool,
    /// Take ownership of fields another field manager owns.
    #[arg(long = "force-conflicts")]
    force_conflicts: bool,
    /// Take over existing objects that rudder does not manage.
    #[arg(long = "adopt")]
    adopt: bool,
    /// Wait until every applied object is healthy (workloads rolled out, PVCs bound), up to --timeout.
    #[arg(long = "wait")]
    wait: bool,
    /// Limit of every wait, in seconds.
    #[arg(long = "timeout", default_value_t = 300)]
    timeout: u64,
}

/// `rudder diff RELEASE CHART`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Release name.
    release: String,
    /// Chart directory or archive.
    chart: String,
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(flatten)]
    render: RenderArgs,
    /// Render offline as `helm template` does (no lookup, default capabilities).
    #[arg(long = "dry-run")]
    dry_run: bool,
}

/// `rudder delete RELEASE`.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Release name.
    release: String,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Allow deleting Namespaces, CRDs, PVs, PVCs, Applications and large sets.
    #[arg(long = "confirm-prune")]
    confirm_prune: bool,
    /// Show what would be deleted.
    #[arg(long = "dry-run")]
    dry_run: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

fn connect(rt: &tokio::runtime::Runtime, c: &ClusterArgs) -> Result<ClusterContext, String> {
    rt.block_on(async {
        let client = kubeconfig::client(&ClientOptions {
            kubeconfig: c.kubeconfig.clone(),
            context: c.context.clone(),
        })
        .await?;
        ClusterContext::connect(&client).await
    })
    .map_err(|e| e.to_string())
}

/// Renders on the calling (non-runtime) thread; `host` answers lookups through the runtime.
fn render(
    release: &str,
    chart: &str,
    namespace: &str,
    r: &RenderArgs,
    live: Option<&ClusterContext>,
    is_upgrade: bool,
    host: &dyn Host,
) -> Result<Rendered, String> {
    let chart = load::load(std::path::Path::new(chart))?;
    let values = r.values.options().merge()?;
    let mut api_versions = live.map(ClusterContext::api_versions).unwrap_or_default();
    api_versions.extend(r.api_versions.iter().cloned());
    let opts = RenderOptions {
        release_name: release.to_string(),
        namespace: namespace.to_string(),
        is_upgrade,
        kube_version: r
            .kube_version
            .clone()
            .or_else(|| live.map(ClusterContext::kube_version)),
        api_versions,
        live_api_versions: live.is_some(),
        skip_schema_validation: r.skip_schema_validation,
    };
    let rendered = render_chart_with(chart, &values, &opts, host)?;
    for w in &rendered.warnings {
        eprintln!("{w}");
    }
    Ok(rendered)
}

/// `.Release.IsUpgrade` follows the inventory: an upgrade when the release was applied before.
fn release_exists(
    rt: &tokio::runtime::Runtime,
    ctx: &ClusterContext,
    release: &str,
    namespace: &str,
) -> Result<bool, String> {
    rt.block_on(apply::inventory::read(ctx, release, namespace))
        .map(|inv| inv.exists)
        .map_err(|e| e.to_string())
}

fn print_warnings(w: &[String]) {
    for w in w {
        eprintln!("Warning: {w}");
    }
}

fn print_report(r: &ApplyReport) {
    let suffix = if r.dry_run { " (dry run)" } else { "" };
    for res in &r.results {
        let word = match &res.action {
            Action::Created => "created".to_string(),
            Action::Configured => "configured".to_string(),
            Action::Unchanged => "unchanged".to_string(),
            Action::Pruned => "pruned".to_string(),
            Action::HookRan => "hook ran".to_string(),
            Action::PruneSkipped(why) => format!("prune skipped ({why})"),
            Action::PruneBlocked(why) => format!("prune blocked ({why})"),
        };
        println!("{} {word}{suffix}", res.object);
    }
    let n = |f: fn(&Action) -> bool| r.count(f);
    println!(
        "{} created, {} configured, {} unchanged, {} pruned{suffix}",
        n(|a| *a == Action::Created),
        n(|a| *a == Action::Configured),
        n(|a| *a == Action::Unchanged),
        n(|a| *a == Action::Pruned),
    );
}

fn outcome(r: &ApplyReport) -> Result<(), String> {
    print_warnings(&r.warnings);
    print_report(r);
    if let Some(why) = &r.prune_refused {
        return Err(format!("prune refused: {why}; nothing was pruned"));
    }
    if r.prune_blocked() {
        return Err("some prunes need --confirm-prune (see above)".into());
    }
    Ok(())
}

/// Runs `rudder apply`.
pub fn run_apply(a: ApplyArgs) -> Result<(), String> {
    let rt = runtime()?;
    let ctx = connect(&rt, &a.cluster)?;
    let host = {
        let _guard = rt.enter();
        ctx.host()
    };
    let is_upgrade = release_exists(&rt, &ctx, &a.release, &a.cluster.namespace)?;
    let rendered = render(
        &a.release,
        &a.chart,
        &a.cluster.namespace,
        &a.render,
        Some(&ctx),
        is_upgrade,
        &host,
    )?;
    let opts = ApplyOptions {
        prune: a.prune,
        dry_run: a.dry_run,
        force_conflicts: a.force_conflicts,
        adopt: a.adopt,
        create_namespace: a.create_namespace,
        confirm_prune: a.confirm_prune,
        wait: a.wait,
        timeout: Duration::from_secs(a.timeout),
        include_crds: !a.render.skip_crds,
        run_hooks: !a.render.no_hooks,
        ..ApplyOptions::default()
    };
    let report = rt
        .block_on(apply::apply(
            &ctx,
            &a.release,
            &a.cluster.namespace,
            &rendered,
            &opts,
        ))
        .map_err(|e| {
            print_warnings(&ctx.warnings());
            e.to_string()
        })?;
    outcome(&report)
}

fn fmt_json(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "<none>".into(),
        Some(v) => v.to_string(),
    }
}

fn print_diff(d: &DiffReport) {
    for o in &d.objects {
        let mark = match &o.action {
            Action::Created => "+",
            Action::Configured => "~",
            Action::Pruned => "-",
            Action::PruneSkipped(_) => "!",
            _ => continue,
        };
        match &o.action {
            Action::PruneSkipped(why) => println!("{mark} {} (kept: {why})", o.object),
            _ => println!("{mark} {}", o.object),
        }
        if o.action == Action::Configured {
            for c in &o.changes {
                println!(
                    "    {}: {} -> {}",
                    c.path,
                    fmt_json(&c.before),
                    fmt_json(&c.after)
                );
            }
        }
    }
}

/// Runs `rudder diff`; exits 0 when there is no difference (like `kubectl diff`'s 0/1 only
/// through the error path: differences are printed and return Ok).
pub fn run_diff(a: DiffArgs) -> Result<(), String> {
    let rt = runtime()?;
    let ctx = connect(&rt, &a.cluster)?;
    let rendered = if a.dry_run {
        render(
            &a.release,
            &a.chart,
            &a.cluster.namespace,
            &a.render,
            None,
            false,
            &NoHost,
        )?
    } else {
        let host = {
            let _guard = rt.enter();
            ctx.host()
        };
        let is_upgrade = release_exists(&rt, &ctx, &a.release, &a.cluster.namespace)?;
        render(
            &a.release,
            &a.chart,
            &a.cluster.namespace,
            &a.render,
            Some(&ctx),
            is_upgrade,
            &host,
        )?
    };
    let opts = ApplyOptions {
        prune: true,
        include_crds: !a.render.skip_crds,
        run_hooks: !a.render.no_hooks,
        ..ApplyOptions::default()
    };
    let report = rt
        .block_on(apply::diff(
            &ctx,
            &a.release,
            &a.cluster.namespace,
            &rendered,
            &opts,
        ))
        .map_err(|e| e.to_string())?;
    print_warnings(&report.warnings);
    print_diff(&report);
    Ok(())
}

/// Runs `rudder delete`.
pub fn run_delete(a: DeleteArgs) -> Result<(), String> {
    let rt = runtime()?;
    let ctx = connect(&rt, &a.cluster)?;
    let opts = ApplyOptions {
        prune: true,
        dry_run: a.dry_run,
        confirm_prune: a.confirm_prune,
        ..ApplyOptions::default()
    };
    let report = rt
        .block_on(apply::delete(&ctx, &a.release, &a.cluster.namespace, &opts))
        .map_err(|e| e.to_string())?;
    outcome(&report)
}
