//! Helpers of tests/sync_runtime.rs: the controller binary as a child process, a minimal
//! HTTP/1.1 client, Prometheus text parsing, and a small git repository.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::git;

/// A `rudder controller` child process; killed when dropped. Its stderr goes to a file so
/// the log can be read while it runs.
pub struct Controller {
    pub child: Child,
    pub log: PathBuf,
    pub port: Option<u16>,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

impl Controller {
    /// Starts `rudder controller` with `args` (kubeconfig added); `listen` picks a port.
    pub fn start(kubeconfig: &Path, work: &Path, tag: &str, listen: bool, args: &[&str]) -> Self {
        let log = work.join(format!("{tag}.log"));
        let port = listen.then(free_port);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
        cmd.arg("controller")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--cache-dir")
            .arg(work.join(format!("{tag}-cache")))
            .arg("--listen")
            .arg(port.map_or("none".to_string(), |p| format!("127.0.0.1:{p}")))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        let child = cmd.spawn().expect("spawn controller");
        let c = Controller { child, log, port };
        if let Some(p) = port {
            wait_for(Duration::from_secs(60), "controller /healthz", || {
                http(p, "GET", "/healthz", &[], b"").0 == 200
            });
        }
        c
    }

    /// The log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Scrapes `/metrics`.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let (code, body) = http(self.port.expect("port"), "GET", "/metrics", &[], b"");
        assert_eq!(code, 200, "{body}");
        parse_metrics(&body)
    }

    /// Sends a signal and waits for the exit (true: exited successfully).
    pub fn signal_and_wait(&mut self, sig: i32) -> bool {
        // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` every 100 ms until true; panics after `limit`. Returns the time it took.
pub fn wait_for(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.elapsed()
}

/// One HTTP/1.1 request to 127.0.0.1:`port`; (status, body). Status 0 when unreachable.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    if s.write_all(req.as_bytes()).is_err() || s.write_all(body).is_err() {
        return (0, String::new());
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// Parses exposition text into `name{labels}` → value (comments skipped). Checks that
/// every sample line has the `series value` shape and every family a TYPE line.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut typed = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            typed.push(rest.split_whitespace().next().unwrap_or("").to_string());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample line");
        let v: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let family = series.split('{').next().unwrap_or("");
        assert!(
            typed.iter().any(|t| family.starts_with(t.as_str())),
            "no TYPE for {family}"
        );
        out.insert(series.to_string(), v);
    }
    out
}

/// The sum of the samples of `family` whose labels include every `labels` pair.
pub fn sample(m: &BTreeMap<String, f64>, family: &str, labels: &[(&str, &str)]) -> f64 {
    m.iter()
        .filter(|(k, _)| {
            let (name, rest) = k.split_once('{').unwrap_or((k.as_str(), ""));
            name == family
                && labels
                    .iter()
                    .all(|(l, v)| rest.contains(&format!("{l}=\"{v}\"")))
        })
        .map(|(_, v)| *v)
        .sum()
}

/// A repository with a Helm chart (`chart/`), plain manifests (`manifests/`) and an
/// unrelated file (`other/`).
pub fn make_small_repo(dir: &Path) -> String {
    let w = |p: &str, t: &str| {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
        std::fs::write(f, t).expect("write");
    };
    w(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    );
    w("chart/values.yaml", "greeting: hello\n");
    w(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    );
    w(
        "manifests/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain-cm\ndata:\n  a: \"1\"\n",
    );
    w(
        "manifests/sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: plain-sa\n",
    );
    w("other/readme.txt", "one\n");
    git(dir, &["init", "--quiet", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "init"]);
    format!("file://{}", dir.display())
}

/// An automated selfHeal Application of `path`.
pub fn app_yaml(name: &str, app_ns: &str, url: &str, path: &str, dest: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: {app_ns}\n\
         spec:\n  project: default\n  source:\n    repoURL: {url}\n    targetRevision: HEAD\n    path: {path}\n\
         \x20 destination:\n    server: https://kubernetes.default.svc\n    namespace: {dest}\n\
         \x20 syncPolicy:\n    automated: {{prune: true, selfHeal: true}}\n    syncOptions: [CreateNamespace=true]\n"
    )
}
