//! `rudder controller` (the sync loop) and `rudder app list|get|sync` (the `argocd app`
//! commands the seed workflow needs), see [`crate::sync`].

use crate::apply::kubeconfig::{self, ClientOptions};
use crate::apply::ClusterContext;
use crate::sync::application::Application;
use crate::sync::controller::{ControllerOptions, PollReport};
use crate::sync::leader::{self, LeaderOptions};
use crate::sync::logging;
use crate::sync::reconcile::{get_app, list_apps, write_status, Reconciler};
use crate::sync::runtime::RuntimeOptions;
use crate::sync::service::{self, ServiceOptions};
use clap::{Args, Subcommand};
use serde_json::Value as Json;
use std::path::PathBuf;
use std::time::Duration;

/// Connection flags shared by the sync commands.
#[derive(Args, Debug, Clone)]
pub struct SyncClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long = "kubeconfig")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long = "context", alias = "kube-context")]
    context: Option<String>,
    /// Namespace holding the Application objects.
    #[arg(
        short = 'n',
        long = "namespace",
        alias = "app-namespace",
        default_value = "argocd"
    )]
    pub(crate) namespace: String,
    /// Directory for git mirrors and checkouts.
    #[arg(long = "cache-dir")]
    cache_dir: Option<PathBuf>,
    /// Count child Applications' health in their parent app's health (Argo CD ignores it by
    /// default; the `resource.customizations.health.argoproj.io_Application` key in the
    /// `argocd-cm` ConfigMap turns it on too).
    #[arg(long = "app-health-children")]
    app_health_children: bool,
}

/// `rudder controller`.
#[derive(Args, Debug, Clone)]
pub struct ControllerArgs {
    #[command(flatten)]
    cluster: SyncClusterArgs,
    /// Time between polls (`180s`, `3m`, `1h`, `500ms`; a bare number is seconds).
    #[arg(long = "poll-interval", default_value = "3m", value_parser = parse_duration)]
    poll_interval: Duration,
    /// Run a single poll and exit.
    #[arg(long = "once")]
    once: bool,
    /// Address of the HTTP server (/metrics, /api/webhook, /healthz, /readyz); `''` or
    /// `none` disables it.
    #[arg(long = "listen", default_value = "0.0.0.0:8080")]
    listen: String,
    /// File holding the webhook shared secret (GitHub/Gitea HMAC signature, GitLab token);
    /// without it webhook deliveries are not authenticated.
    #[arg(long = "webhook-secret-file")]
    webhook_secret_file: Option<PathBuf>,
    /// Log format: `text` or `json`.
    #[arg(long = "log-format", default_value = "text")]
    log_format: crate::sync::logging::LogFormat,
    /// Debounce between a watched change of a managed object and the selfHeal re-sync.
    #[arg(long = "self-heal-delay", default_value = "1s", value_parser = parse_duration)]
    self_heal_delay: Duration,
    /// Do not watch managed objects (selfHeal then reverts drift at the next poll only).
    #[arg(long = "no-watch")]
    no_watch: bool,
    /// Elect a leader among replicas through a Lease; only the leader reconciles.
    #[arg(long = "leader-elect")]
    leader_elect: bool,
    /// Namespace of the leader election Lease (default: the Applications' namespace).
    #[arg(long = "leader-election-namespace")]
    leader_election_namespace: Option<String>,
    /// Name of the leader election Lease.
    #[arg(long = "leader-election-id", default_value = "rudder-controller")]
    leader_election_id: String,
}

/// `rudder app`.
#[derive(Args, Debug, Clone)]
pub struct AppArgs {
    #[command(subcommand)]
    command: AppCommand,
}

#[derive(Subcommand, Debug, Clone)]
enum AppCommand {
    /// List applications (as `argocd app list`).
    List {
        #[command(flatten)]
        cluster: SyncClusterArgs,
        /// Output format: `wide` (table) or `json`.
        #[arg(short = 'o', long = "output", default_value = "wide")]
        output: String,
    },
    /// Show one application (as `argocd app get`).
    Get {
        /// Application name.
        name: String,
        #[command(flatten)]
        cluster: SyncClusterArgs,
        /// Output format: `wide` (summary and resources) or `json`.
        #[arg(short = 'o', long = "output", default_value = "wide")]
        output: String,
    },
    /// Sync one application now (fetch, render, apply), as `argocd app sync`.
    Sync {
        /// Application name.
        name: String,
        #[command(flatten)]
        cluster: SyncClusterArgs,
        /// Delete objects no longer in Git.
        #[arg(long = "prune")]
        prune: bool,
        /// Output format: `wide` or `json`.
        #[arg(short = 'o', long = "output", default_value = "wide")]
        output: String,
    },
    /// Show what a sync would change (as `argocd app diff`: exit 1 when it would, 2 on errors).
    Diff {
        /// Application name.
        name: String,
        #[command(flatten)]
        cluster: SyncClusterArgs,
        /// Compare this revision instead of the app's target revision.
        #[arg(long = "revision")]
        revision: Option<String>,
    },
    /// Show the deployment history (as `argocd app history`).
    History {
        /// Application name.
        name: String,
        #[command(flatten)]
        cluster: SyncClusterArgs,
        /// Output format: `wide` (table), `id` (IDs only) or `json`.
        #[arg(short = 'o', long = "output", default_value = "wide")]
        output: String,
    },
}

/// Parses `500ms`, `30s`, `3m`, `1h` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, mult_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else {
        (s, 1000)
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("invalid duration {s:?}"))?;
    let ms = n
        .checked_mul(mult_ms)
        .ok_or_else(|| format!("duration {s:?} too large"))?;
    if ms == 0 {
        return Err("the poll interval must be positive".into());
    }
    Ok(Duration::from_millis(ms))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

pub(crate) async fn reconciler(c: &SyncClusterArgs) -> Result<Reconciler, String> {
    if c.app_health_children {
        crate::sync::settings::APP_HEALTH_CHILDREN
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let client = kubeconfig::client(&ClientOptions {
        kubeconfig: c.kubeconfig.clone(),
        context: c.context.clone(),
    })
    .await
    .map_err(|e| e.to_string())?;
    let ctx = ClusterContext::connect(&client)
        .await
        .map_err(|e| e.to_string())?;
    let cache = c
        .cache_dir
        .clone()
        .unwrap_or_else(|| ControllerOptions::default().cache_dir);
    Ok(Reconciler::new(ctx, cache))
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

fn log_poll(r: &Result<PollReport, String>) {
    // Per-app events are logged as they happen (crate::sync::logging); the summary stays.
    if let Ok(p) = r {
        for s in &p.skipped {
            logging::event("WARN", "skipped", &[("message", s.into())]);
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// Runs `rudder controller` until SIGINT/SIGTERM.
pub fn run_controller(a: ControllerArgs) -> Result<(), String> {
    logging::set_format(a.log_format);
    let rt = runtime()?;
    rt.block_on(async {
        let secret = match &a.webhook_secret_file {
            Some(p) => {
                let s = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
                // A trailing newline from `echo` is not part of the secret.
                let s = String::from_utf8_lossy(&s).trim_end().as_bytes().to_vec();
                if s.is_empty() {
                    return Err(format!("{}: empty webhook secret", p.display()));
                }
                Some(s)
            }
            None => None,
        };
        let r = reconciler(&a.cluster).await?;
        if a.once {
            let p = r.poll(&a.cluster.namespace).await;
            log_poll(&p);
            return p.map(|_| ());
        }
        let opts = ControllerOptions {
            namespace: a.cluster.namespace.clone(),
            poll_interval: a.poll_interval,
            cache_dir: a
                .cluster
                .cache_dir
                .clone()
                .unwrap_or_else(|| ControllerOptions::default().cache_dir),
        };
        let leader = a.leader_elect.then(|| {
            LeaderOptions::new(
                a.leader_election_namespace
                    .as_deref()
                    .unwrap_or(&opts.namespace),
                &a.leader_election_id,
                &leader::default_identity(),
            )
        });
        let s = ServiceOptions {
            listen: Some(a.listen.clone()).filter(|l| !l.is_empty() && l != "none"),
            webhook_secret: secret,
            leader,
            runtime: RuntimeOptions {
                watch: !a.no_watch,
                self_heal_delay: a.self_heal_delay,
            },
        };
        service::run(&r, &opts, s, shutdown_signal()).await
    })
}

fn st<'a>(app: &'a Application, ptr: &str) -> &'a str {
    app.status
        .as_ref()
        .and_then(|s| s.pointer(ptr))
        .and_then(Json::as_str)
        .unwrap_or("Unknown")
}

fn cluster_label(server: &str) -> &str {
    if server.is_empty() {
        "in-cluster"
    } else {
        server
    }
}

/// Prints rows with columns padded as Go's tabwriter (padding 2) does.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                let pad = widths[i] - c.chars().count() + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The `argocd app list` table.
pub fn list_table(apps: &[Application]) -> String {
    let mut rows = vec![[
        "NAME",
        "CLUSTER",
        "NAMESPACE",
        "PROJECT",
        "STATUS",
        "HEALTH",
        "SYNCPOLICY",
        "CONDITIONS",
        "REPO",
        "PATH",
        "TARGET",
    ]
    .map(String::from)
    .to_vec()];
    for a in apps {
        let conditions = a
            .status
            .as_ref()
            .and_then(|s| s.get("conditions"))
            .and_then(Json::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(|x| x.get("type").and_then(Json::as_str))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "<none>".into());
        rows.push(vec![
            format!("{}/{}", a.namespace(), a.metadata.name),
            cluster_label(&a.spec.destination.server).to_string(),
            a.spec.destination.namespace.clone().unwrap_or_default(),
            a.spec.project.clone(),
            st(a, "/sync/status").to_string(),
            st(a, "/health/status").to_string(),
            a.sync_policy_label(),
            conditions,
            a.spec.source.repo_url.clone(),
            a.spec.source.path.clone(),
            a.spec.source.target_revision.clone(),
        ]);
    }
    table(&rows)
}

/// The `argocd app get` summary and resource table.
pub fn get_text(a: &Application) -> String {
    let rev = st(a, "/sync/revision");
    let mut out = String::new();
    let field = |out: &mut String, k: &str, v: &str| {
        out.push_str(&format!("{:<20}{v}\n", format!("{k}:")));
    };
    field(
        &mut out,
        "Name",
        &format!("{}/{}", a.namespace(), a.metadata.name),
    );
    field(&mut out, "Project", &a.spec.project);
    field(
        &mut out,
        "Server",
        cluster_label(&a.spec.destination.server),
    );
    field(
        &mut out,
        "Namespace",
        a.spec.destination.namespace.as_deref().unwrap_or(""),
    );
    field(&mut out, "Repo", &a.spec.source.repo_url);
    field(&mut out, "Target", &a.spec.source.target_revision);
    field(&mut out, "Path", &a.spec.source.path);
    field(&mut out, "Sync Policy", &a.sync_policy_label());
    field(
        &mut out,
        "Sync Status",
        &format!(
            "{} to {} ({})",
            st(a, "/sync/status"),
            a.target_revision(),
            short(rev)
        ),
    );
    field(&mut out, "Health Status", st(a, "/health/status"));
    if let Some(msg) = a
        .status
        .as_ref()
        .and_then(|s| s.pointer("/operationState/message"))
        .and_then(Json::as_str)
    {
        field(&mut out, "Message", msg);
    }
    out.push('\n');
    let mut rows = vec![["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH"]
        .map(String::from)
        .to_vec()];
    let resources = a
        .status
        .as_ref()
        .and_then(|s| s.get("resources"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for r in resources {
        let s = |k: &str| r.get(k).and_then(Json::as_str).unwrap_or("").to_string();
        rows.push(vec![
            s("group"),
            s("kind"),
            s("namespace"),
            s("name"),
            s("status"),
            r.pointer("/health/status")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
        ]);
    }
    out.push_str(&table(&rows));
    out
}

fn json_of(a: &Application) -> Result<String, String> {
    serde_json::to_string_pretty(a).map_err(|e| e.to_string())
}

/// Runs `rudder app ...`.
pub fn run_app(a: AppArgs) -> Result<(), String> {
    let rt = runtime()?;
    rt.block_on(async {
        match a.command {
            AppCommand::List { cluster, output } => {
                let r = reconciler(&cluster).await?;
                let apps: Vec<Application> = list_apps(r.ctx.client(), &cluster.namespace)
                    .await?
                    .into_iter()
                    .collect::<Result<_, _>>()?;
                if output == "json" {
                    let v: Vec<_> = apps.iter().map(json_of).collect::<Result<_, _>>()?;
                    println!("[{}]", v.join(",\n"));
                } else {
                    print!("{}", list_table(&apps));
                }
                super::app::warn_orphans(&r, &cluster.namespace).await;
                Ok(())
            }
            AppCommand::Get {
                name,
                cluster,
                output,
            } => {
                let r = reconciler(&cluster).await?;
                let app = get_app(r.ctx.client(), &cluster.namespace, &name).await?;
                if output == "json" {
                    println!("{}", json_of(&app)?);
                } else {
                    print!("{}", get_text(&app));
                }
                Ok(())
            }
            AppCommand::Sync {
                name,
                cluster,
                prune,
                output,
            } => {
                let r = reconciler(&cluster).await?;
                let app = get_app(r.ctx.client(), &cluster.namespace, &name).await?;
                // Keeps the app's OrphanedResourceWarning (a failed look-up reports none).
                let _ = r.scan_orphans(&cluster.namespace).await;
                let out = r.with_orphans(&app, r.sync(&app, prune).await);
                write_status(r.ctx.client(), &app, &out).await?;
                let app = get_app(r.ctx.client(), &cluster.namespace, &name).await?;
                if output == "json" {
                    println!("{}", json_of(&app)?);
                } else {
                    print!("{}", get_text(&app));
                }
                if out.phase == "Succeeded" {
                    Ok(())
                } else {
                    Err(out.message)
                }
            }
            AppCommand::Diff {
                name,
                cluster,
                revision,
            } => super::app::diff(&cluster, &name, revision.as_deref()).await,
            AppCommand::History {
                name,
                cluster,
                output,
            } => super::app::history(&cluster, &name, &output).await,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3m"), Ok(Duration::from_secs(180)));
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("99999999999999999h").is_err());
    }

    #[test]
    fn list_columns() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("gitops/argocd-apps/applications/ghost.yaml"),
        )
        .unwrap_or_default();
        let mut apps = Application::from_yaml_docs(&text).unwrap_or_default();
        if let Some(a) = apps.first_mut() {
            a.status = Some(serde_json::json!({"sync": {"status": "Synced"},
                "health": {"status": "Healthy"}}));
        }
        let t = list_table(&apps);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        let head: Vec<&str> = lines[0].split_whitespace().collect();
        assert_eq!(
            &head[..7],
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
        let row: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            &row[..8],
            [
                "argocd/ghost",
                "https://kubernetes.default.svc",
                "blog",
                "default",
                "Synced",
                "Healthy",
                "Auto-Prune",
                "<none>"
            ]
        );
        // Columns line up: STATUS starts at the same offset in both lines.
        assert_eq!(lines[0].find("STATUS"), lines[1].find("Synced"));
    }
}
