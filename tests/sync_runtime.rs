//! `rudder controller`'s runtime features against the real API server, with the binary as a
//! child process and a long poll interval so that only the feature under test can act:
//! metrics and the render cache, the push webhook (signed, unsigned, malformed), watch-based
//! selfHeal (hand edit and deletion reverted; latency printed), and Lease leader election
//! (one replica reconciles; takeover after a graceful stop and after a crash, timed).
//!
//! Each test uses its own Application namespace, destination namespace and controller, so
//! they can run in parallel on this binary's API server.
#[allow(unused_imports)]
mod support;
#[allow(dead_code)]
mod sync_helpers;

use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use rudder::sync::reconcile::get_app;
use serde_json::{json, Value as Json};
use support::cluster::TestCluster;
use sync_helpers::runtime::*;
use sync_helpers::{create_app, git};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

struct Env {
    rt: tokio::runtime::Runtime,
    client: kube::Client,
    cluster: &'static TestCluster,
    work: std::path::PathBuf,
    app_ns: String,
    dest: String,
}

impl Drop for Env {
    /// The scratch directory goes with the test (the controllers it started are dropped first).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

fn env(tag: &str) -> Env {
    let cluster = TestCluster::shared();
    let rt = runtime();
    let client = rt.block_on(cluster.client());
    let app_ns = rt.block_on(cluster.namespace(&format!("{tag}-apps")));
    let dest = rt.block_on(cluster.namespace(&format!("{tag}-dest")));
    let work = std::env::temp_dir().join(format!("rudder-rt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("repo")).expect("mkdir");
    Env {
        rt,
        client,
        cluster,
        work,
        app_ns,
        dest,
    }
}

impl Env {
    fn status(&self, name: &str) -> Json {
        self.rt
            .block_on(get_app(&self.client, &self.app_ns, name))
            .ok()
            .and_then(|a| a.status)
            .unwrap_or(Json::Null)
    }

    fn synced_at(&self, name: &str, rev: &str) -> bool {
        let st = self.status(name);
        st["sync"]["status"] == "Synced" && st["sync"]["revision"] == rev
    }

    fn cm(&self, name: &str) -> Option<ConfigMap> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &self.dest);
        self.rt.block_on(api.get_opt(name)).ok().flatten()
    }
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("hmac");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[test]
fn metrics_webhook_and_render_cache() {
    let e = env("hook");
    let repo = e.work.join("repo");
    let url = make_small_repo(&repo);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    e.rt.block_on(create_app(
        &e.client,
        &app_yaml("demo", &e.app_ns, &url, "chart", &e.dest),
    ));
    let secret = b"s3cret-for-tests";
    std::fs::write(e.work.join("secret"), b"s3cret-for-tests\n").expect("secret");
    let c = Controller::start(
        e.cluster.kubeconfig_path(),
        &e.work,
        "hook",
        true,
        &[
            "-n",
            &e.app_ns,
            "--poll-interval",
            "1h",
            "--log-format",
            "json",
            "--webhook-secret-file",
            &e.work.join("secret").to_string_lossy(),
        ],
    );
    let port = c.port.expect("port");
    wait_for(Duration::from_secs(60), "first sync", || {
        e.synced_at("demo", &head)
    });

    // Metrics after the first poll.
    let m = c.metrics();
    assert_eq!(sample(&m, "rudder_poll_total", &[]), 1.0);
    let app = [("name", "demo"), ("namespace", e.app_ns.as_str())];
    let ok = [app[0], app[1], ("phase", "Succeeded")];
    assert_eq!(sample(&m, "rudder_app_sync_total", &ok), 1.0, "{m:?}");
    let info = [app[0], app[1], ("sync_status", "Synced")];
    assert_eq!(sample(&m, "rudder_app_info", &info), 1.0);
    assert_eq!(
        sample(&m, "rudder_app_reconcile_duration_seconds_count", &app),
        1.0
    );
    assert_eq!(
        sample(&m, "rudder_git_fetch_total", &[("result", "success")]),
        1.0
    );
    let rendered = [app[0], app[1], ("result", "rendered")];
    let cached = [app[0], app[1], ("result", "cached")];
    assert_eq!(sample(&m, "rudder_app_render_total", &rendered), 1.0);
    assert_eq!(sample(&m, "rudder_app_render_total", &cached), 0.0);
    // The JSON log has one object per line with the sync fields.
    let log = c.log();
    let sync_line: Json = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .find(|j| j["event"] == "sync" && j["app"] == "demo")
        .unwrap_or_else(|| panic!("no sync event in {log}"));
    assert_eq!(sync_line["revision"], head.as_str());
    assert_eq!(sync_line["phase"], "Succeeded");
    assert!(sync_line["duration_ms"].is_u64());
    assert!(!log.contains("s3cret"), "secret in the log");

    // Refused deliveries: unsigned (401), wrongly signed (401), malformed (400).
    let payload = json!({"ref": "refs/heads/main",
        "repository": {"clone_url": format!("{url}.git"), "html_url": "https://example.com/x"}})
    .to_string();
    let body = payload.as_bytes();
    assert_eq!(http(port, "POST", "/api/webhook", &[], body).0, 401);
    let bad = sign(b"wrong", body);
    let h = [("X-Hub-Signature-256", bad.as_str())];
    assert_eq!(http(port, "POST", "/api/webhook", &h, body).0, 401);
    let junk = b"not json";
    let sig = sign(secret, junk);
    let h = [("X-Hub-Signature-256", sig.as_str())];
    assert_eq!(http(port, "POST", "/api/webhook", &h, junk).0, 400);
    assert_eq!(http(port, "GET", "/api/webhook", &[], b"").0, 405);
    assert_eq!(http(port, "GET", "/readyz", &[], b"").0, 200);

    // A commit outside the chart, then a signed GitHub push: synced at once (the poll is 1 h),
    // and the render is reused (the chart's tree is unchanged).
    std::fs::write(repo.join("other/readme.txt"), "two\n").expect("write");
    git(&repo, &["commit", "--quiet", "-am", "other"]);
    let c2 = git(&repo, &["rev-parse", "HEAD"]);
    let sig = sign(secret, body);
    let h = [("X-Hub-Signature-256", sig.as_str())];
    let t = Instant::now();
    assert_eq!(http(port, "POST", "/api/webhook", &h, body).0, 200);
    let lat = wait_for(Duration::from_secs(30), "webhook sync", || {
        e.synced_at("demo", &c2)
    });
    eprintln!("webhook → synced at the new revision: {:?}", t.elapsed());
    assert!(lat < Duration::from_secs(30));
    let m = c.metrics();
    assert_eq!(sample(&m, "rudder_app_render_total", &rendered), 1.0);
    assert_eq!(sample(&m, "rudder_app_render_total", &cached), 1.0);
    assert_eq!(sample(&m, "rudder_poll_total", &[]), 1.0);
    assert_eq!(
        sample(&m, "rudder_webhook_total", &[("result", "accepted")]),
        1.0
    );
    assert_eq!(
        sample(&m, "rudder_webhook_total", &[("result", "unauthorized")]),
        2.0
    );

    // A push to another repository refreshes nothing.
    std::fs::write(repo.join("chart/values.yaml"), "greeting: world\n").expect("write");
    git(&repo, &["commit", "--quiet", "-am", "world"]);
    let c3 = git(&repo, &["rev-parse", "HEAD"]);
    let other = json!({"repository": {"html_url": "https://github.com/someone/else"}}).to_string();
    let sig = sign(secret, other.as_bytes());
    let h = [("X-Hub-Signature-256", sig.as_str())];
    assert_eq!(
        http(port, "POST", "/api/webhook", &h, other.as_bytes()).0,
        200
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(e.synced_at("demo", &c2));
    // An empty payload refreshes everything: the chart changed, so it renders again.
    let sig = sign(secret, b"");
    let h = [("X-Hub-Signature-256", sig.as_str())];
    assert_eq!(http(port, "POST", "/api/webhook", &h, b"").0, 200);
    wait_for(Duration::from_secs(30), "refresh-all sync", || {
        e.synced_at("demo", &c3)
    });
    let cm = e.cm("demo-cm").expect("demo-cm");
    assert_eq!(
        cm.data.and_then(|d| d.get("greeting").cloned()).as_deref(),
        Some("world")
    );
    let m = c.metrics();
    assert_eq!(sample(&m, "rudder_app_render_total", &rendered), 2.0);
    assert_eq!(
        sample(&m, "rudder_git_fetch_total", &[("result", "success")]),
        3.0
    );
}

#[test]
fn watch_reverts_hand_edits() {
    let e = env("watch");
    let repo = e.work.join("repo");
    let url = make_small_repo(&repo);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    e.rt.block_on(create_app(
        &e.client,
        &app_yaml("plain", &e.app_ns, &url, "manifests", &e.dest),
    ));
    let c = Controller::start(
        e.cluster.kubeconfig_path(),
        &e.work,
        "watch",
        true,
        &[
            "-n",
            &e.app_ns,
            "--poll-interval",
            "1h",
            "--log-format",
            "json",
            "--self-heal-delay",
            "500ms",
        ],
    );
    wait_for(Duration::from_secs(60), "first sync", || {
        e.synced_at("plain", &head)
    });
    // Both kinds of the inventory are watched, nothing else.
    wait_for(Duration::from_secs(20), "watches", || {
        c.log().matches("\"event\":\"watch\"").count() >= 2
    });
    let log = c.log();
    assert!(log.contains("\"kind\":\"ConfigMap\"") && log.contains("\"kind\":\"ServiceAccount\""));
    assert_eq!(log.matches("\"event\":\"watch\"").count(), 2, "{log}");
    std::thread::sleep(Duration::from_millis(500));

    // A hand edit (as kubectl edit) is reverted by the watch, not by a poll.
    let cms: Api<ConfigMap> = Api::namespaced(e.client.clone(), &e.dest);
    let pp = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..PatchParams::default()
    };
    e.rt.block_on(cms.patch(
        "plain-cm",
        &pp,
        &Patch::Merge(json!({"data": {"a": "edited"}})),
    ))
    .expect("hand edit");
    let revert = wait_for(Duration::from_secs(20), "revert of the hand edit", || {
        e.cm("plain-cm")
            .and_then(|c| c.data)
            .and_then(|d| d.get("a").cloned())
            .as_deref()
            == Some("1")
    });
    eprintln!("hand edit reverted by the watch after {revert:?} (self-heal delay 500 ms)");
    assert!(revert < Duration::from_secs(10));

    // A deleted object is re-created.
    let sas: Api<ServiceAccount> = Api::namespaced(e.client.clone(), &e.dest);
    let uid = e.rt.block_on(sas.get("plain-sa")).expect("sa").metadata.uid;
    e.rt.block_on(sas.delete("plain-sa", &DeleteParams::default()))
        .expect("delete");
    let recreate = wait_for(Duration::from_secs(20), "re-creation", || {
        e.rt.block_on(sas.get_opt("plain-sa"))
            .ok()
            .flatten()
            .is_some_and(|s| s.metadata.uid != uid)
    });
    eprintln!("deleted ServiceAccount re-created after {recreate:?}");
    let log = c.log();
    // One poll only: the syncs after it came from the watch.
    assert_eq!(log.matches("\"trigger\":\"timer\"").count(), 1, "{log}");
    assert!(log.matches("\"event\":\"drift\"").count() >= 2, "{log}");
    // rudder's own re-apply does not trigger another sync: the count settles.
    std::thread::sleep(Duration::from_secs(2));
    let syncs = c.log().matches("\"event\":\"sync\"").count();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(c.log().matches("\"event\":\"sync\"").count(), syncs);
    // The heals re-applied the cached render: one render for three syncs.
    let m = c.metrics();
    let app = [("name", "plain"), ("namespace", e.app_ns.as_str())];
    assert_eq!(sample(&m, "rudder_app_self_heal_total", &app), 2.0, "{m:?}");
    let rendered = [app[0], app[1], ("result", "rendered")];
    let cached = [app[0], app[1], ("result", "cached")];
    assert_eq!(sample(&m, "rudder_app_render_total", &rendered), 1.0);
    assert_eq!(sample(&m, "rudder_app_render_total", &cached), 2.0);

    // A file removed from Git, announced by an (unsigned: no secret configured) webhook:
    // the object is pruned and the prune is logged.
    git(&repo, &["rm", "--quiet", "manifests/sa.yaml"]);
    git(&repo, &["commit", "--quiet", "-m", "drop sa"]);
    let c2 = git(&repo, &["rev-parse", "HEAD"]);
    let port = c.port.expect("port");
    assert_eq!(http(port, "POST", "/api/webhook", &[], b"").0, 200);
    wait_for(Duration::from_secs(30), "prune", || {
        e.synced_at("plain", &c2)
            && e.rt
                .block_on(sas.get_opt("plain-sa"))
                .ok()
                .flatten()
                .is_none()
    });
    let log = c.log();
    let prune: Json = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .find(|j| j["event"] == "prune")
        .unwrap_or_else(|| panic!("no prune event in {log}"));
    assert_eq!(prune["app"], "plain");
    assert_eq!(prune["revision"], c2.as_str());
    assert!(
        prune["object"]
            .as_str()
            .is_some_and(|o| o.contains("plain-sa")),
        "{prune}"
    );

    // A new Application is synced at once (Application watch), not at the next poll.
    let t = Instant::now();
    e.rt.block_on(create_app(
        &e.client,
        &app_yaml("late", &e.app_ns, &url, "chart", &e.dest),
    ));
    wait_for(Duration::from_secs(20), "new app synced", || {
        e.synced_at("late", &c2)
    });
    eprintln!("new Application synced after {:?}", t.elapsed());
    assert_eq!(c.log().matches("\"trigger\":\"timer\"").count(), 1);
}

#[test]
fn leader_election_takeover() {
    let e = env("lead");
    let repo = e.work.join("repo");
    let url = make_small_repo(&repo);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    e.rt.block_on(create_app(
        &e.client,
        &app_yaml("led", &e.app_ns, &url, "manifests", &e.dest),
    ));
    let args = [
        "-n",
        e.app_ns.as_str(),
        "--poll-interval",
        "1h",
        "--leader-elect",
    ];
    let leader = |c: &Controller| sample(&c.metrics(), "rudder_leader", &[]) == 1.0;
    let polls = |c: &Controller| sample(&c.metrics(), "rudder_poll_total", &[]);
    let mut a = Controller::start(e.cluster.kubeconfig_path(), &e.work, "a", true, &args);
    wait_for(Duration::from_secs(30), "a leads", || leader(&a));
    let b = Controller::start(e.cluster.kubeconfig_path(), &e.work, "b", true, &args);
    wait_for(Duration::from_secs(60), "a syncs", || {
        e.synced_at("led", &head)
    });
    std::thread::sleep(Duration::from_secs(3));
    assert!(leader(&a) && !leader(&b));
    assert_eq!(polls(&a), 1.0);
    assert_eq!(polls(&b), 0.0, "the standby reconciled");
    // A webhook delivered to the standby reaches the leader through the refresh annotation.
    let c2 = sync_helpers::commit_edit(&repo, "manifests/cm.yaml", "a: \"1\"", "a: \"2\"", "a=2");
    let (code, body) = http(b.port.expect("port"), "POST", "/api/webhook", &[], b"");
    assert_eq!(
        (code, body.as_str()),
        (200, "refresh requested for 1 applications (standby)\n")
    );
    let via = wait_for(Duration::from_secs(20), "leader syncs", || {
        e.synced_at("led", &c2)
    });
    eprintln!("webhook to the standby → leader synced after {via:?}");
    let apps = rudder::sync::reconcile::app_api(&e.client, &e.app_ns);
    wait_for(Duration::from_secs(10), "annotation removed", || {
        e.rt.block_on(apps.get("led")).is_ok_and(|o| {
            !o.metadata
                .annotations
                .unwrap_or_default()
                .contains_key("argocd.argoproj.io/refresh")
        })
    });
    assert_eq!(polls(&a), 1.0);
    assert_eq!(polls(&b), 0.0);
    assert_eq!(
        http(b.port.expect("port"), "GET", "/readyz", &[], b"").1,
        "ok (standby)\n"
    );
    let leases: Api<Lease> = Api::namespaced(e.client.clone(), &e.app_ns);
    let lease =
        e.rt.block_on(leases.get("rudder-controller"))
            .expect("lease");
    let spec = lease.spec.expect("spec");
    assert_eq!(spec.lease_duration_seconds, Some(15));
    let holder_a = spec.holder_identity.expect("holder");

    // Graceful stop: a releases the lease, b takes over at its next retry.
    let t = Instant::now();
    assert!(a.signal_and_wait(libc::SIGTERM), "{}", a.log());
    wait_for(Duration::from_secs(30), "b leads", || leader(&b));
    let graceful = t.elapsed();
    wait_for(Duration::from_secs(30), "b polls", || polls(&b) >= 1.0);
    eprintln!("takeover after SIGTERM of the leader (lease released): {graceful:?}");
    assert!(graceful < Duration::from_secs(10));
    let spec =
        e.rt.block_on(leases.get("rudder-controller"))
            .expect("lease")
            .spec
            .expect("spec");
    assert_ne!(spec.holder_identity.as_deref(), Some(holder_a.as_str()));
    assert!(spec.lease_transitions >= Some(1));

    // Crash: b is killed without releasing; a new replica waits for the lease to expire.
    let c = Controller::start(e.cluster.kubeconfig_path(), &e.work, "c", true, &args);
    std::thread::sleep(Duration::from_secs(3));
    assert!(!leader(&c) && leader(&b));
    let mut b = b;
    let t = Instant::now();
    b.signal_and_wait(libc::SIGKILL);
    wait_for(Duration::from_secs(40), "c leads", || leader(&c));
    let crash = t.elapsed();
    eprintln!("takeover after SIGKILL of the leader (lease expiry, 15 s): {crash:?}");
    assert!(
        crash >= Duration::from_secs(8),
        "took over a live lease: {crash:?}"
    );
    wait_for(Duration::from_secs(30), "c polls", || polls(&c) >= 1.0);

    // Another holder appears in the Lease (as if c's renewals had been lost): c's next
    // renewal sees it and c stops reconciling.
    let pp = PatchParams::default();
    let now = k8s_openapi::chrono::Utc::now()
        .to_rfc3339_opts(k8s_openapi::chrono::SecondsFormat::Micros, true);
    e.rt.block_on(leases.patch(
        "rudder-controller",
        &pp,
        &Patch::Merge(json!({"spec": {"holderIdentity": "intruder", "renewTime": now}})),
    ))
    .expect("steal lease");
    let lost = wait_for(Duration::from_secs(15), "c steps down", || !leader(&c));
    eprintln!("leader stepped down {lost:?} after losing the lease");
    let p = polls(&c);
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(polls(&c), p, "reconciled without the lease");
    assert!(c.log().contains("leader_lost"));
}
