//! Controller metrics in the Prometheus text exposition format 0.0.4 (`GET /metrics`).
//!
//! Hand-written: a few counters, gauges and one histogram family need ~150 lines, fewer
//! than the `prometheus-client` crate's API surface, and no new dependency.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds (seconds) of the reconcile duration histogram.
pub const DURATION_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

#[derive(Clone, Debug, Default)]
struct Histogram {
    buckets: [u64; DURATION_BUCKETS.len()],
    count: u64,
    sum: f64,
}

type AppKey = (String, String);

#[derive(Debug, Default)]
struct Inner {
    sync_total: BTreeMap<(String, String, String), u64>,
    durations: BTreeMap<AppKey, Histogram>,
    info: BTreeMap<AppKey, (String, String)>,
    renders: BTreeMap<(String, String, String), u64>,
    self_heal: BTreeMap<AppKey, u64>,
    git_fetch: BTreeMap<(String, String), u64>,
    webhooks: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    polls: u64,
    leader: Option<bool>,
    orphaned: BTreeMap<AppKey, usize>,
}

/// The controller's metric registry (cheap to share behind an `Arc`).
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

fn bump<K: Ord>(m: &mut BTreeMap<K, u64>, k: K) {
    *m.entry(k).or_insert(0) += 1;
}

/// Escapes a label value as the exposition format requires (`\`, `"`, newline).
pub fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// A float as Prometheus writes it (`+Inf`, integers without a fraction).
fn num(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        self.inner.lock().ok().map(|mut g| f(&mut g))
    }

    /// One reconcile of `name` took `seconds`; `sync_status` and `health` become its info
    /// gauge. `phase` is the operation phase of a sync (counted in `rudder_app_sync_total`),
    /// None for a comparison only (manual apps: no operation ran).
    pub fn record_sync(
        &self,
        name: &str,
        namespace: &str,
        phase: Option<&str>,
        seconds: f64,
        sync_status: &str,
        health: &str,
    ) {
        self.with(|m| {
            if let Some(phase) = phase {
                bump(
                    &mut m.sync_total,
                    (name.into(), namespace.into(), phase.into()),
                );
            }
            let h = m
                .durations
                .entry((name.into(), namespace.into()))
                .or_default();
            h.count += 1;
            h.sum += seconds;
            for (i, b) in DURATION_BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    if let Some(c) = h.buckets.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            m.info.insert(
                (name.into(), namespace.into()),
                (sync_status.into(), health.into()),
            );
        });
    }

    /// Keeps the info gauges of `namespace` only for `names` (apps deleted without the
    /// resources finalizer vanish from the metrics at the next full poll).
    pub fn retain_apps(&self, namespace: &str, names: &std::collections::BTreeSet<String>) {
        self.with(|m| {
            m.info
                .retain(|(n, ns), _| ns != namespace || names.contains(n))
        });
    }

    /// The orphaned objects per deleted app of `namespace` (replaces the previous poll's).
    pub fn set_orphans(&self, namespace: &str, per_app: BTreeMap<String, usize>) {
        self.with(|m| {
            m.orphaned.retain(|(_, ns), _| ns != namespace);
            for (app, n) in per_app {
                m.orphaned.insert((app, namespace.to_string()), n);
            }
        });
    }

    /// An app disappeared: its info gauge goes.
    pub fn forget_app(&self, name: &str, namespace: &str) {
        self.with(|m| m.info.remove(&(name.to_string(), namespace.to_string())));
    }

    /// A render of `name`: `result` is `rendered` or `cached`.
    pub fn record_render(&self, name: &str, namespace: &str, result: &str) {
        self.with(|m| {
            bump(
                &mut m.renders,
                (name.into(), namespace.into(), result.into()),
            )
        });
    }

    /// A selfHeal re-sync triggered by a watch event.
    pub fn record_self_heal(&self, name: &str, namespace: &str) {
        self.with(|m| bump(&mut m.self_heal, (name.into(), namespace.into())));
    }

    /// A git fetch of `repo` (`success` or `error`).
    pub fn record_fetch(&self, repo: &str, result: &str) {
        self.with(|m| bump(&mut m.git_fetch, (repo.into(), result.into())));
    }

    /// A webhook delivery (`accepted`, `bad_request`, `unauthorized`).
    pub fn record_webhook(&self, result: &str) {
        self.with(|m| bump(&mut m.webhooks, result.into()));
    }

    /// An error of kind `kind` (`poll`, `sync`, `fetch`, `watch`, `leader`, `status`).
    pub fn record_error(&self, kind: &str) {
        self.with(|m| bump(&mut m.errors, kind.into()));
    }

    /// One poll started.
    pub fn record_poll(&self) {
        self.with(|m| m.polls += 1);
    }

    /// Leader election state (only exported when election is on).
    pub fn set_leader(&self, leader: bool) {
        self.with(|m| m.leader = Some(leader));
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        self.with(|m| render_inner(m)).unwrap_or_default()
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn render_inner(m: &Inner) -> String {
    let mut o = String::new();
    header(
        &mut o,
        "rudder_poll_total",
        "counter",
        "Polls of all applications.",
    );
    let _ = writeln!(o, "rudder_poll_total {}", m.polls);
    header(
        &mut o,
        "rudder_app_sync_total",
        "counter",
        "Syncs and refreshes per application and operation phase.",
    );
    for ((n, ns, p), v) in &m.sync_total {
        let l = labels(&[("name", n), ("namespace", ns), ("phase", p)]);
        let _ = writeln!(o, "rudder_app_sync_total{l} {v}");
    }
    header(
        &mut o,
        "rudder_app_reconcile_duration_seconds",
        "histogram",
        "Duration of one application reconcile (fetch, render, apply, status).",
    );
    for ((n, ns), h) in &m.durations {
        for (i, b) in DURATION_BUCKETS.iter().enumerate() {
            let c = h.buckets.get(i).copied().unwrap_or(0);
            let l = labels(&[("name", n), ("namespace", ns), ("le", &num(*b))]);
            let _ = writeln!(o, "rudder_app_reconcile_duration_seconds_bucket{l} {c}");
        }
        let l = labels(&[("name", n), ("namespace", ns), ("le", "+Inf")]);
        let _ = writeln!(
            o,
            "rudder_app_reconcile_duration_seconds_bucket{l} {}",
            h.count
        );
        let l = labels(&[("name", n), ("namespace", ns)]);
        let _ = writeln!(
            o,
            "rudder_app_reconcile_duration_seconds_sum{l} {}",
            num(h.sum)
        );
        let _ = writeln!(
            o,
            "rudder_app_reconcile_duration_seconds_count{l} {}",
            h.count
        );
    }
    header(
        &mut o,
        "rudder_app_info",
        "gauge",
        "Sync and health status of each application (value 1).",
    );
    for ((n, ns), (s, h)) in &m.info {
        let l = labels(&[
            ("name", n),
            ("namespace", ns),
            ("sync_status", s),
            ("health_status", h),
        ]);
        let _ = writeln!(o, "rudder_app_info{l} 1");
    }
    header(&mut o, "rudder_app_render_total", "counter", "Source renders per application: rendered, or skipped because the inputs were unchanged (cached).");
    for ((n, ns, r), v) in &m.renders {
        let l = labels(&[("name", n), ("namespace", ns), ("result", r)]);
        let _ = writeln!(o, "rudder_app_render_total{l} {v}");
    }
    header(
        &mut o,
        "rudder_app_self_heal_total",
        "counter",
        "Re-syncs triggered by a watched change of a managed object.",
    );
    for ((n, ns), v) in &m.self_heal {
        let l = labels(&[("name", n), ("namespace", ns)]);
        let _ = writeln!(o, "rudder_app_self_heal_total{l} {v}");
    }
    header(
        &mut o,
        "rudder_git_fetch_total",
        "counter",
        "Git fetches per repository and result.",
    );
    for ((r, res), v) in &m.git_fetch {
        let l = labels(&[("repo", r), ("result", res)]);
        let _ = writeln!(o, "rudder_git_fetch_total{l} {v}");
    }
    header(
        &mut o,
        "rudder_webhook_total",
        "counter",
        "Webhook deliveries per result.",
    );
    for (r, v) in &m.webhooks {
        let _ = writeln!(o, "rudder_webhook_total{} {v}", labels(&[("result", r)]));
    }
    header(&mut o, "rudder_errors_total", "counter", "Errors per kind.");
    for (k, v) in &m.errors {
        let _ = writeln!(o, "rudder_errors_total{} {v}", labels(&[("kind", k)]));
    }
    header(
        &mut o,
        "rudder_orphaned_objects",
        "gauge",
        "Objects left by an application deleted without the resources finalizer.",
    );
    for ((a, ns), v) in &m.orphaned {
        let l = labels(&[("application", a), ("namespace", ns)]);
        let _ = writeln!(o, "rudder_orphaned_objects{l} {v}");
    }
    if let Some(l) = m.leader {
        header(
            &mut o,
            "rudder_leader",
            "gauge",
            "1 while this replica holds the leader lease.",
        );
        let _ = writeln!(o, "rudder_leader {}", u8::from(l));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_text() {
        let m = Metrics::default();
        m.record_poll();
        m.record_sync(
            "ghost",
            "argocd",
            Some("Succeeded"),
            0.3,
            "Synced",
            "Healthy",
        );
        // A refresh (manual app) is timed but is no sync operation.
        m.record_sync("manual", "argocd", None, 0.1, "OutOfSync", "Missing");
        m.record_sync(
            "ghost",
            "argocd",
            Some("Succeeded"),
            7.0,
            "OutOfSync",
            "Progressing",
        );
        m.record_fetch("file:///r", "success");
        m.record_error("watch");
        m.record_render("ghost", "argocd", "cached");
        let t = m.render();
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines.contains(&"rudder_poll_total 1"));
        assert!(lines.contains(
            &r#"rudder_app_sync_total{name="ghost",namespace="argocd",phase="Succeeded"} 2"#
        ));
        // Buckets are cumulative: 0.3 s falls in le=0.5 and above, 7 s only from le=10.
        assert!(lines.contains(&r#"rudder_app_reconcile_duration_seconds_bucket{name="ghost",namespace="argocd",le="0.25"} 0"#));
        assert!(lines.contains(&r#"rudder_app_reconcile_duration_seconds_bucket{name="ghost",namespace="argocd",le="0.5"} 1"#));
        assert!(lines.contains(&r#"rudder_app_reconcile_duration_seconds_bucket{name="ghost",namespace="argocd",le="10"} 2"#));
        assert!(lines.contains(&r#"rudder_app_reconcile_duration_seconds_bucket{name="ghost",namespace="argocd",le="+Inf"} 2"#));
        assert!(lines.contains(
            &r#"rudder_app_reconcile_duration_seconds_sum{name="ghost",namespace="argocd"} 7.3"#
        ));
        assert!(lines.contains(
            &r#"rudder_app_reconcile_duration_seconds_count{name="ghost",namespace="argocd"} 2"#
        ));
        // The info gauge keeps the latest status only.
        assert!(lines.contains(&r#"rudder_app_info{name="ghost",namespace="argocd",sync_status="OutOfSync",health_status="Progressing"} 1"#));
        assert_eq!(t.matches("rudder_app_info{name=\"ghost\"").count(), 1);
        assert!(lines.contains(&r#"rudder_git_fetch_total{repo="file:///r",result="success"} 1"#));
        assert!(lines.contains(&r#"rudder_errors_total{kind="watch"} 1"#));
        assert!(lines.contains(
            &r#"rudder_app_render_total{name="ghost",namespace="argocd",result="cached"} 1"#
        ));
        assert!(lines.contains(&"# TYPE rudder_app_reconcile_duration_seconds histogram"));
        assert!(!t.contains(r#"rudder_app_sync_total{name="manual""#));
        assert!(t.contains(
            r#"rudder_app_reconcile_duration_seconds_count{name="manual",namespace="argocd"} 1"#
        ));
        assert!(!t.contains("rudder_leader"));
        let keep: std::collections::BTreeSet<String> = ["ghost".to_string()].into();
        m.retain_apps("argocd", &keep);
        assert!(!m.render().contains(r#"rudder_app_info{name="manual""#));
        assert!(m.render().contains(r#"rudder_app_info{name="ghost""#));
        m.set_leader(true);
        assert!(m.render().lines().any(|l| l == "rudder_leader 1"));
        m.set_orphans("argocd", BTreeMap::from([("gone".to_string(), 3)]));
        let want = r#"rudder_orphaned_objects{application="gone",namespace="argocd"} 3"#;
        assert!(m.render().lines().any(|l| l == want));
        m.set_orphans("argocd", BTreeMap::new());
        assert!(!m.render().contains("rudder_orphaned_objects{"));
        // Every sample line is `name{labels} value` or `name value`.
        for l in m.render().lines().filter(|l| !l.starts_with('#')) {
            let (_, v) = l.rsplit_once(' ').unwrap_or(("", "x"));
            assert!(v.parse::<f64>().is_ok(), "{l}");
        }
    }

    #[test]
    fn label_escaping() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(labels(&[("k", "v\"")]), "{k=\"v\\\"\"}");
        assert_eq!(labels(&[]), "");
        assert_eq!(num(f64::INFINITY), "+Inf");
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.25), "0.25");
    }
}
