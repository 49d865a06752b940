//! What `rudder app diff` and `rudder app history` show: the difference a sync would make
//! (the app's source rendered at its target revision, compared with the live objects by
//! server-side dry runs, see [`crate::apply::diff()`]) and the deployments recorded in
//! `.status.history`.

use super::application::Application;
use super::reconcile::Reconciler;
use crate::apply::{self, Action, DiffReport};
use serde_json::Value as Json;

impl Reconciler {
    /// Renders `app` at `revision` (default: its target revision) and compares it with the
    /// cluster without changing anything. Objects a sync with pruning would delete are
    /// included (as `argocd app diff` shows them). Returns the commit SHA and the report.
    pub async fn compare(
        &self,
        app: &Application,
        revision: Option<&str>,
    ) -> Result<(String, DiffReport), String> {
        let mut app = app.clone();
        if let Some(r) = revision {
            app.spec.source.target_revision = r.to_string();
        }
        let (sha, rendered) = self.fetch_render(&app).await.map_err(|out| out.message)?;
        let opts = Self::apply_options(&app, true);
        let report = apply::diff(
            &self.ctx,
            app.inventory_name(),
            app.dest_namespace(),
            &rendered,
            &opts,
        )
        .await
        .map_err(|e| format!("Failed to compare: {e}"))?;
        Ok((sha, report))
    }
}

fn fmt_value(v: &Option<Json>) -> String {
    match v {
        None => "<absent>".into(),
        Some(Json::String(s)) => s.clone(),
        Some(j) => j.to_string(),
    }
}

/// The `argocd app diff` text: one `===== group/Kind namespace/name ======` block per object
/// that would change, then its field changes (`-` live, `+` after the sync). Secret values are
/// masked by the diff itself. Empty when nothing would change.
pub fn diff_text(report: &DiffReport) -> String {
    let mut out = String::new();
    for o in &report.objects {
        let what = match &o.action {
            Action::Unchanged => continue,
            Action::Created => "would be created",
            Action::Configured => "would be updated",
            Action::Pruned => "would be pruned",
            Action::PruneSkipped(_) => "not in Git (kept)",
            _ => "would change",
        };
        let r = &o.object;
        out.push_str(&format!(
            "===== {}/{} {}/{} ======\n",
            r.group, r.kind, r.namespace, r.name
        ));
        out.push_str(&format!("# {what}"));
        if let Action::PruneSkipped(why) = &o.action {
            out.push_str(&format!(": {why}"));
        }
        out.push('\n');
        for c in &o.changes {
            if c.before.is_some() {
                out.push_str(&format!("- {}: {}\n", c.path, fmt_value(&c.before)));
            }
            if c.after.is_some() {
                out.push_str(&format!("+ {}: {}\n", c.path, fmt_value(&c.after)));
            }
        }
        out.push('\n');
    }
    out
}

/// True when a sync would change something (the exit status 1 of `argocd app diff`).
pub fn differs(report: &DiffReport) -> bool {
    report
        .objects
        .iter()
        .any(|o| !matches!(o.action, Action::Unchanged))
}

/// One `.status.history` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// `id`.
    pub id: i64,
    /// `deployedAt`, as Go prints a time (`2006-01-02 15:04:05 +0000 UTC`).
    pub date: String,
    /// The source's target revision, then the short commit: `HEAD (1a2b3c4)`.
    pub revision: String,
}

/// Go's `time.Time.String()` of an RFC 3339 UTC timestamp (what `argocd app history`
/// prints); other text is returned unchanged.
fn go_time(ts: &str) -> String {
    match ts.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        Err(_) => ts.to_string(),
    }
}

/// The history of `app`, oldest first, in `argocd app history`'s columns.
pub fn history(app: &Application) -> Vec<HistoryEntry> {
    let entries = app
        .status
        .as_ref()
        .and_then(|s| s.get("history"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    entries
        .iter()
        .map(|h| {
            let s = |p: &str| h.pointer(p).and_then(Json::as_str).unwrap_or("");
            let sha = s("/revision");
            let mut revision = s("/source/targetRevision").to_string();
            if let Some(short) = sha.get(..7) {
                revision = format!("{revision} ({short})");
            }
            HistoryEntry {
                id: h.get("id").and_then(Json::as_i64).unwrap_or(0),
                date: go_time(s("/deployedAt")),
                revision,
            }
        })
        .collect()
}

/// The raw `.status.history` array (for `-o json`).
pub fn history_json(app: &Application) -> Json {
    app.status
        .as_ref()
        .and_then(|s| s.get("history"))
        .cloned()
        .unwrap_or_else(|| Json::Array(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{FieldChange, ObjectDiff, ObjectRef};
    use serde_json::json;

    #[test]
    fn history_columns() {
        let app = Application {
            status: Some(json!({"history": [
                {"id": 0, "revision": "0123456789abcdef0123456789abcdef01234567",
                 "deployedAt": "2025-12-17T10:03:04Z",
                 "source": {"repoURL": "u", "targetRevision": "HEAD"}},
                {"id": 1, "revision": "abc", "deployedAt": "bad",
                 "source": {"targetRevision": "main"}}]})),
            ..Application::default()
        };
        let h = history(&app);
        assert_eq!(
            h[0],
            HistoryEntry {
                id: 0,
                date: "2025-12-17 10:03:04 +0000 UTC".into(),
                revision: "HEAD (0123456)".into()
            }
        );
        // A revision shorter than 7 characters is not shown (as argocd does).
        assert_eq!(h[1].revision, "main");
        assert_eq!(h[1].date, "bad");
        assert_eq!(history_json(&app).as_array().map(Vec::len), Some(2));
        assert!(history(&Application::default()).is_empty());
    }

    fn obj(kind: &str, name: &str) -> ObjectRef {
        ObjectRef {
            group: "apps".into(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: "ns".into(),
            name: name.into(),
        }
    }

    #[test]
    fn diff_text_and_exit_status() {
        let mut report = DiffReport::default();
        report.objects.push(ObjectDiff {
            object: obj("Deployment", "same"),
            action: Action::Unchanged,
            changes: Vec::new(),
        });
        assert!(!differs(&report));
        assert_eq!(diff_text(&report), "");
        report.objects.push(ObjectDiff {
            object: obj("Deployment", "web"),
            action: Action::Configured,
            changes: vec![FieldChange {
                path: "spec.replicas".into(),
                before: Some(json!(1)),
                after: Some(json!(2)),
            }],
        });
        assert!(differs(&report));
        let t = diff_text(&report);
        assert!(
            t.starts_with("===== apps/Deployment ns/web ======\n# would be updated\n- spec.replicas: 1\n+ spec.replicas: 2\n"),
            "{t}"
        );
        assert!(!t.contains("same"));
    }
}
