//! A real Kubernetes API server (etcd + kube-apiserver, no nodes) for integration tests.
//!
//! ```ignore
//! mod support;
//! use support::cluster::TestCluster;
//!
//! #[tokio::test]
//! async fn creates_things() {
//!     let cluster = TestCluster::shared(); // started once per test binary
//!     let client = cluster.client().await; // a kube::Client bound to this test's runtime
//!     let ns = cluster.namespace("creates-things").await; // a fresh namespace for this test
//!     // ... or run the rudder binary with `--kubeconfig cluster.kubeconfig_path()`
//! }
//! ```
//!
//! The binaries are built once per machine by `tests/cluster/build.sh` (cached under
//! `~/.cache/rudder/cluster/<version>`). Every server gets fresh certificates, an admin client
//! certificate in `system:masters`, the project's CRDs installed, and its own temporary
//! directory. Without kube-controller-manager nothing garbage-collects and deleted namespaces
//! stay Terminating, so tests isolate themselves by namespace instead of cleaning up.
//!
//! Timing on the 2-core machine: start-up takes 3-6 s (about 1 s of it installing the CRDs);
//! the first request for each custom resource kind takes about 2 s more, because the server
//! builds that kind's handler (schema validation, apply type converter) on first use.

mod crds;
mod pki;
mod process;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

use process::{free_ports, wait_for_port, ManagedProcess};

pub use crds::split_documents;

/// How long kube-apiserver may take to report ready (the first start on a busy 2-core machine
/// is the slow case).
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Port races (another process taking a port we picked) are retried this often.
const START_ATTEMPTS: usize = 3;

/// A running etcd + kube-apiserver pair with the project's CRDs installed.
///
/// [`TestCluster::shared`] gives the one instance of a test binary; [`TestCluster::start`] an
/// owned one that is torn down on drop. Either way the processes die with the test process.
pub struct TestCluster {
    dir: PathBuf,
    kubeconfig: PathBuf,
    server_url: String,
    crds: Vec<String>,
    next_namespace: AtomicUsize,
    // Field order is drop order: the API server goes before its etcd.
    apiserver: ManagedProcess,
    etcd: ManagedProcess,
}

static SHARED: OnceLock<Result<TestCluster, String>> = OnceLock::new();

/// Statics are never dropped, so the shared server is stopped (and its directory removed)
/// from an atexit hook, which runs when the test harness exits whether tests passed or not.
extern "C" fn stop_shared_at_exit() {
    if let Some(Ok(cluster)) = SHARED.get() {
        cluster.stop();
    }
}

impl TestCluster {
    /// The server shared by all tests of this test binary, started on first use.
    ///
    /// Panics with the reason (build or start-up error, with the end of the server's log) if
    /// it cannot be started; every later caller gets the same panic.
    pub fn shared() -> &'static TestCluster {
        match Self::try_shared() {
            Ok(cluster) => cluster,
            Err(e) => panic!("test cluster: {e}"),
        }
    }

    /// Like [`shared`](Self::shared) but returns the start-up error.
    pub fn try_shared() -> Result<&'static TestCluster, String> {
        SHARED
            .get_or_init(|| {
                let started = Self::start();
                if started.is_ok() {
                    // SAFETY: registers a plain extern "C" function without arguments.
                    unsafe {
                        libc::atexit(stop_shared_at_exit);
                    }
                }
                started
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Builds the binaries if needed and starts a new server owned by the caller; it stops
    /// when dropped. Blocks for the start-up (seconds once the binaries are cached).
    pub fn start() -> Result<TestCluster, String> {
        let begin = Instant::now();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let bin_dir = build_binaries(repo)?;
        remove_stale_dirs();
        let dir = new_run_dir()?;
        let result = (|| {
            let pki = pki::write_pki(&dir)?;
            let mut last_error = String::new();
            for _ in 0..START_ATTEMPTS {
                match Self::start_processes(&bin_dir, &dir, &pki, repo) {
                    Ok(cluster) => return Ok(cluster),
                    Err(e) => last_error = e,
                }
            }
            Err(last_error)
        })();
        match result {
            Ok(cluster) => {
                eprintln!(
                    "test cluster: {} ready in {:.1?} ({} CRDs; dir {})",
                    cluster.server_url,
                    begin.elapsed(),
                    cluster.crds.len(),
                    cluster.dir.display()
                );
                Ok(cluster)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    fn start_processes(
        bin_dir: &Path,
        dir: &Path,
        pki: &pki::Pki,
        repo: &Path,
    ) -> Result<TestCluster, String> {
        let [etcd_client, etcd_peer, apiserver_port] = free_ports(3)?[..] else {
            return Err("free_ports returned the wrong count".into());
        };
        let etcd_data = dir.join("etcd");
        let _ = std::fs::remove_dir_all(&etcd_data);
        let etcd = ManagedProcess::spawn(
            "etcd",
            &bin_dir.join("etcd"),
            &[
                format!("--data-dir={}", etcd_data.display()),
                format!("--listen-client-url=http://127.0.0.1:{etcd_client}"),
                format!("--listen-peer-url=http://127.0.0.1:{etcd_peer}"),
                "--exit-on-stdin-close".into(),
            ],
            &dir.join("etcd.log"),
        )?;
        wait_for_port(etcd_client, &etcd, Duration::from_secs(30))?;

        let p = |path: &Path| path.display().to_string();
        let apiserver = ManagedProcess::spawn(
            "kube-apiserver",
            &bin_dir.join("kube-apiserver"),
            &[
                format!("--etcd-servers=http://127.0.0.1:{etcd_client}"),
                "--bind-address=127.0.0.1".into(),
                // Without it the server looks for a default-route interface, which may not exist.
                "--advertise-address=127.0.0.1".into(),
                // The endpoint reconciler refuses a loopback advertise address; nothing reaches
                // the `kubernetes` Service here anyway.
                "--endpoint-reconciler-type=none".into(),
                format!("--secure-port={apiserver_port}"),
                format!("--tls-cert-file={}", p(&pki.serving_cert)),
                format!("--tls-private-key-file={}", p(&pki.serving_key)),
                format!("--cert-dir={}", p(dir)),
                format!("--client-ca-file={}", p(&pki.ca_cert)),
                "--service-account-issuer=https://kubernetes.default.svc".into(),
                format!("--service-account-key-file={}", p(&pki.service_account_pub)),
                format!(
                    "--service-account-signing-key-file={}",
                    p(&pki.service_account_key)
                ),
                // Only allocated from, never routed: there are no nodes or proxies.
                "--service-cluster-ip-range=10.0.0.0/24".into(),
                "--authorization-mode=RBAC".into(),
                // No controller-manager creates the default ServiceAccount that it would wait for.
                "--disable-admission-plugins=ServiceAccount".into(),
                "--allow-privileged=true".into(),
                "--profiling=false".into(),
            ],
            &dir.join("kube-apiserver.log"),
        )?;

        let server_url = format!("https://127.0.0.1:{apiserver_port}");
        let kubeconfig = dir.join("kubeconfig");
        write_kubeconfig(&kubeconfig, &server_url, pki)?;

        let crd_dir = crds::crd_dir(repo);
        // The caller may be inside a tokio runtime, where blocking on another one panics: run
        // the async part on a thread of its own with its own runtime.
        let crds = std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("tokio runtime: {e}"))?;
                rt.block_on(async {
                    let begin = Instant::now();
                    let client = client_from(&kubeconfig).await?;
                    wait_ready(&client, &apiserver, &etcd).await?;
                    let ready = begin.elapsed();
                    let crds = crds::install_crds(&client, &crd_dir).await?;
                    eprintln!(
                        "test cluster: /readyz ok after {ready:.1?}, CRDs from {} established \
                         after {:.1?} more",
                        crd_dir.display(),
                        begin.elapsed() - ready
                    );
                    Ok::<_, String>(crds)
                })
            })
            .join()
            .unwrap_or_else(|_| Err("cluster start-up thread panicked".into()))
        })?;

        Ok(TestCluster {
            dir: dir.to_path_buf(),
            kubeconfig,
            server_url,
            crds,
            next_namespace: AtomicUsize::new(0),
            apiserver,
            etcd,
        })
    }

    /// Path of a kubeconfig for the admin user (current context `rudder-test`, namespace
    /// `default`), for tools and for the `rudder` binary under test.
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The API server's URL, `https://127.0.0.1:<port>`.
    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    /// The server's private directory (certificates, kubeconfig, etcd data, `*.log` of both
    /// processes); removed when the server stops.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Process ids of kube-apiserver and etcd while they run, for tests of the harness itself.
    pub fn process_ids(&self) -> Vec<u32> {
        [&self.apiserver, &self.etcd]
            .iter()
            .filter_map(|p| p.pid())
            .collect()
    }

    /// Names of the CRDs installed at start-up (all Established).
    pub fn crd_names(&self) -> &[String] {
        &self.crds
    }

    /// A new admin client, built from [`kubeconfig_path`](Self::kubeconfig_path).
    ///
    /// Make one per test: a kube client belongs to the tokio runtime it was made on, and each
    /// `#[tokio::test]` has its own runtime.
    pub async fn client(&self) -> Client {
        match client_from(&self.kubeconfig).await {
            Ok(client) => client,
            Err(e) => panic!("test cluster client: {e}"),
        }
    }

    /// Creates a namespace named `<prefix>-<n>` that no other test of this server uses, and
    /// returns its name. `prefix` is reduced to lowercase letters, digits and dashes.
    pub async fn namespace(&self, prefix: &str) -> String {
        let api: Api<Namespace> = Api::all(self.client().await);
        let prefix = dns_label_prefix(prefix);
        loop {
            let n = self.next_namespace.fetch_add(1, Ordering::Relaxed);
            let name = format!("{prefix}-{n}");
            let ns = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            };
            match api.create(&PostParams::default(), &ns).await {
                Ok(_) => return name,
                Err(kube::Error::Api(e)) if e.code == 409 => continue,
                Err(e) => panic!("create namespace {name}: {e}"),
            }
        }
    }

    /// Stops both processes and removes the server's directory. Idempotent.
    pub fn stop(&self) {
        self.apiserver.stop();
        self.etcd.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn client_from(kubeconfig: &Path) -> Result<Client, String> {
    let config = Kubeconfig::read_from(kubeconfig)
        .map_err(|e| format!("read {}: {e}", kubeconfig.display()))?;
    let config = Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .map_err(|e| format!("load {}: {e}", kubeconfig.display()))?;
    Client::try_from(config).map_err(|e| format!("build client: {e}"))
}

/// Polls `/readyz` until it answers `ok`, failing early if either process exits.
async fn wait_ready(
    client: &Client,
    apiserver: &ManagedProcess,
    etcd: &ManagedProcess,
) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let request = http::Request::get("/readyz")
            .body(Vec::new())
            .map_err(|e| format!("build /readyz request: {e}"))?;
        match client.request_text(request).await {
            Ok(body) if body.trim() == "ok" => return Ok(()),
            _ => {}
        }
        etcd.check_running()?;
        apiserver.check_running()?;
        if Instant::now() >= deadline {
            return Err(format!(
                "kube-apiserver not ready within {READY_TIMEOUT:?}; end of its log:\n{}",
                apiserver.log_tail()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn write_kubeconfig(path: &Path, server: &str, pki: &pki::Pki) -> Result<(), String> {
    // Debug formatting quotes the paths; a YAML double-quoted scalar reads them back.
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: rudder-test
  cluster:
    server: {server}
    certificate-authority: {ca:?}
users:
- name: rudder-test-admin
  user:
    client-certificate: {cert:?}
    client-key: {key:?}
contexts:
- name: rudder-test
  context:
    cluster: rudder-test
    user: rudder-test-admin
    namespace: default
current-context: rudder-test
",
        ca = pki.ca_cert.display().to_string(),
        cert = pki.admin_cert.display().to_string(),
        key = pki.admin_key.display().to_string(),
    );
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// Runs `tests/cluster/build.sh` (a no-op when the binaries are cached) and returns the
/// directory holding `kube-apiserver` and `etcd`.
fn build_binaries(repo: &Path) -> Result<PathBuf, String> {
    let script = repo.join("tests").join("cluster").join("build.sh");
    // stderr is inherited so a first, minutes-long build shows its progress.
    let output = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed ({})", script.display(), output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let dir = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    if dir.join("kube-apiserver").is_file() && dir.join("etcd").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "{} printed {:?}, which holds no kube-apiserver and etcd",
            script.display(),
            dir
        ))
    }
}

const RUN_DIR_PREFIX: &str = "rudder-cluster-";

fn new_run_dir() -> Result<PathBuf, String> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("{RUN_DIR_PREFIX}{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Removes directories left by test processes that were killed before their atexit hook ran
/// (their children died with them through PR_SET_PDEATHSIG).
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(RUN_DIR_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Reduces `prefix` to a DNS label prefix (lowercase alphanumerics and '-', at most 40 chars,
/// starting with a letter) so `<prefix>-<n>` is a valid namespace name.
pub fn dns_label_prefix(prefix: &str) -> String {
    let mut out: String = prefix
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    out = out.trim_matches('-').to_string();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "t-");
    }
    out
}
