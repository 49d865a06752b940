//! `rudder app diff` and `rudder app history` (see [`crate::sync::compare`]); the other
//! `rudder app` commands are in [`super::sync`].

use super::sync::{reconciler, SyncClusterArgs};
use crate::sync::compare::{diff_text, differs, history as history_entries, history_json};
use crate::sync::reconcile::get_app;
use std::io::Write;

/// `rudder app diff NAME`: prints what a sync would change. Exit status as `argocd app diff`:
/// 0 in sync, 1 when there are differences, 2 on errors (fetch, render, cluster).
pub async fn diff(
    cluster: &SyncClusterArgs,
    name: &str,
    revision: Option<&str>,
) -> Result<(), String> {
    let report = match compare(cluster, name, revision).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::exit(2);
        }
    };
    for w in &report.warnings {
        eprintln!("Warning: {w}");
    }
    print!("{}", diff_text(&report));
    if differs(&report) {
        let _ = std::io::stdout().flush();
        // Differences are not an error: exit 1 without an error message, as argocd does.
        std::process::exit(1);
    }
    Ok(())
}

async fn compare(
    cluster: &SyncClusterArgs,
    name: &str,
    revision: Option<&str>,
) -> Result<crate::apply::DiffReport, String> {
    let r = reconciler(cluster).await?;
    let app = get_app(r.ctx.client(), &cluster.namespace, name).await?;
    Ok(r.compare(&app, revision).await?.1)
}

/// Prints one warning per orphaned set (apps deleted without the resources finalizer) on
/// stderr, so `-o json` output stays pure JSON.
pub async fn warn_orphans(r: &crate::sync::reconcile::Reconciler, namespace: &str) {
    match r.scan_orphans(namespace).await {
        Ok(sets) => {
            for s in sets {
                eprintln!("{}", s.warning());
            }
        }
        Err(e) => eprintln!("warning: cannot look for orphaned resources: {e}"),
    }
}

/// `rudder app history NAME`: the `ID  DATE  REVISION` table, the IDs, or the raw JSON.
pub async fn history(cluster: &SyncClusterArgs, name: &str, output: &str) -> Result<(), String> {
    let r = reconciler(cluster).await?;
    let app = get_app(r.ctx.client(), &cluster.namespace, name).await?;
    match output {
        "json" => {
            let text =
                serde_json::to_string_pretty(&history_json(&app)).map_err(|e| e.to_string())?;
            println!("{text}");
        }
        "id" => {
            for h in history_entries(&app) {
                println!("{}", h.id);
            }
        }
        "wide" | "" => print!("{}", history_table(&app)),
        other => return Err(format!("unknown output format {other:?} (wide, id, json)")),
    }
    Ok(())
}

/// The history table, padded as Go's tabwriter (padding 2) pads it.
pub fn history_table(app: &crate::sync::application::Application) -> String {
    let mut rows = vec![["ID".to_string(), "DATE".to_string(), "REVISION".to_string()]];
    for h in history_entries(app) {
        rows.push([h.id.to_string(), h.date, h.revision]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    rows.iter()
        .map(|r| format!("{:<w0$}  {:<w1$}  {}\n", r[0], r[1], r[2]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::application::Application;
    use serde_json::json;

    #[test]
    fn table_layout() {
        let app = Application {
            status: Some(json!({"history": [
                {"id": 0, "revision": "0123456789abcdef0123456789abcdef01234567",
                 "deployedAt": "2025-12-17T10:03:04Z", "source": {"targetRevision": "HEAD"}},
                {"id": 10, "revision": "fedcba9876543210fedcba9876543210fedcba98",
                 "deployedAt": "2025-12-18T00:00:00Z", "source": {"targetRevision": "HEAD"}}]})),
            ..Application::default()
        };
        assert_eq!(
            history_table(&app),
            "ID  DATE                           REVISION\n\
             0   2025-12-17 10:03:04 +0000 UTC  HEAD (0123456)\n\
             10  2025-12-18 00:00:00 +0000 UTC  HEAD (fedcba9)\n"
        );
    }
}
