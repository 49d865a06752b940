//! Git sources through the `git` command line: one bare mirror per repository URL in a cache
//! directory, revisions resolved to commit SHAs, and read-only exports per commit.
//!
//! Every function here blocks (it runs `git`); async callers use `spawn_blocking`.
//! Private repositories: [`GitCache::checkout_with`] takes the credentials (see
//! [`super::gitauth`]); they reach git only through its environment, and every error message
//! is scrubbed of them.

use super::gitauth::{AuthEnv, GitAuth};
use super::repocreds::scrub;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one `git` invocation may take before it is killed.
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// A cache of fetched repositories. Fetches are remembered per poll generation, so a poll
/// that syncs five apps from one repository fetches it once.
#[derive(Debug)]
pub struct GitCache {
    root: PathBuf,
    generation: u64,
    fetched: HashMap<String, (u64, Result<(), String>)>,
}

impl GitCache {
    /// A cache rooted at `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> GitCache {
        GitCache {
            root: root.into(),
            generation: 1,
            fetched: HashMap::new(),
        }
    }

    /// Starts a new poll: the next [`GitCache::fetch`] of each URL goes to the remote again.
    pub fn new_poll(&mut self) {
        self.generation += 1;
    }

    /// The bare mirror directory of `url` (named by a hash of the URL).
    pub fn repo_dir(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        self.root.join("repos").join(hex)
    }

    /// Fetches `url` (branches, tags and the remote HEAD) unless already fetched this poll.
    pub fn fetch(&mut self, url: &str) -> Result<PathBuf, String> {
        self.fetch_with(url, &GitAuth::default())
    }

    /// [`GitCache::fetch`] with credentials. Warnings (SSH host keys accepted on first use)
    /// go to stderr, once per process.
    pub fn fetch_with(&mut self, url: &str, auth: &GitAuth) -> Result<PathBuf, String> {
        let dir = self.repo_dir(url);
        if let Some((g, r)) = self.fetched.get(url) {
            if *g == self.generation {
                return r.clone().map(|_| dir);
            }
        }
        let r = auth
            .prepare(url, &self.root)
            .map_err(|e| format!("preparing credentials: {e}"))
            .and_then(|env| {
                for w in &env.warnings {
                    warn_once(w);
                }
                let secrets: Vec<&str> = env.secrets.iter().map(String::as_str).collect();
                fetch_into(&dir, url, &env).map_err(|e| scrub(&e, &secrets))
            });
        self.fetched
            .insert(url.to_string(), (self.generation, r.clone()));
        r.map(|_| dir)
    }

    /// Fetches (if needed), resolves `revision` to a commit SHA, and exports that commit.
    /// Returns the SHA and the export directory (shared, read-only by convention).
    pub fn checkout(&mut self, url: &str, revision: &str) -> Result<(String, PathBuf), String> {
        self.checkout_with(url, revision, &GitAuth::default())
    }

    /// [`GitCache::checkout`] with credentials for the fetch.
    pub fn checkout_with(
        &mut self,
        url: &str,
        revision: &str,
        auth: &GitAuth,
    ) -> Result<(String, PathBuf), String> {
        let dir = self.fetch_with(url, auth)?;
        let sha = resolve(&dir, revision)?;
        let out = self.root.join("checkouts").join(&sha);
        if !out.join(".rudder-complete").exists() {
            export(&dir, &sha, &out)?;
        }
        Ok((sha, out))
    }
}

/// Prints `message` to stderr the first time this process sees it (a warning about a
/// repository would otherwise repeat every poll).
fn warn_once(message: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    if let Ok(mut seen) = SEEN.lock() {
        if seen.iter().any(|m| m == message) {
            return;
        }
        seen.push(message.to_string());
    }
    eprintln!("warning: {message}");
}

/// Runs git with a timeout; returns stdout, or an error carrying stderr.
fn git(dir: Option<&Path>, args: &[&str]) -> Result<Vec<u8>, String> {
    git_env(dir, args, &AuthEnv::default())
}

/// [`git`] with the environment of `auth` (credentials) added.
fn git_env(dir: Option<&Path>, args: &[&str], auth: &AuthEnv) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("--git-dir").arg(d);
    }
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .envs(auth.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("running git: {e}"))?;
    // Drain both pipes on threads so a chatty git cannot block on a full pipe.
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let to = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = s.read_to_end(&mut b);
        }
        b
    });
    let te = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = s.read_to_end(&mut b);
        }
        b
    });
    let deadline = Instant::now() + GIT_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("git {}: timed out", args.join(" ")));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("git: {e}")),
        }
    };
    let out = to.join().unwrap_or_default();
    let err = te.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(format!(
            "git {}: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&err).trim()
        ))
    }
}

fn fetch_into(dir: &Path, url: &str, auth: &AuthEnv) -> Result<(), String> {
    if !dir.join("HEAD").exists() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        git(None, &["init", "--bare", "--quiet", &dir.to_string_lossy()])?;
    }
    git_env(
        Some(dir),
        &[
            "fetch",
            "--quiet",
            "--prune",
            "--force",
            "--no-tags",
            url,
            "+HEAD:refs/remotes/origin/HEAD",
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        ],
        auth,
    )
    .map(|_| ())
}

/// Resolves `HEAD`, a branch, a tag or a (full or abbreviated) commit to a commit SHA.
pub fn resolve(dir: &Path, revision: &str) -> Result<String, String> {
    let rev = if revision.is_empty() {
        "HEAD"
    } else {
        revision
    };
    if rev.starts_with('-') {
        return Err(format!("invalid revision {rev:?}"));
    }
    let candidates = if rev == "HEAD" {
        vec!["refs/remotes/origin/HEAD".to_string()]
    } else {
        vec![
            format!("refs/remotes/origin/{rev}"),
            format!("refs/tags/{rev}"),
            rev.to_string(),
        ]
    };
    for c in candidates {
        let spec = format!("{c}^{{commit}}");
        if let Ok(out) = git(Some(dir), &["rev-parse", "--verify", "--quiet", &spec]) {
            let sha = String::from_utf8_lossy(&out).trim().to_string();
            if !sha.is_empty() {
                return Ok(sha);
            }
        }
    }
    Err(format!("unable to resolve '{rev}' to a commit SHA"))
}

/// Writes the tree of `sha` into `out` (via `git archive`, unpacked with our own path checks).
fn export(dir: &Path, sha: &str, out: &Path) -> Result<(), String> {
    let tarball = git(Some(dir), &["archive", "--format=tar", sha])?;
    let tmp = out.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut ar = tar::Archive::new(std::io::Cursor::new(tarball));
    ar.unpack(&tmp)
        .map_err(|e| format!("unpacking {sha}: {e}"))?;
    std::fs::write(tmp.join(".rudder-complete"), sha).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(out);
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) -> String {
        let o = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.email=t@e", "-c", "user.name=t"])
            .args(args)
            .output();
        o.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }

    fn tempdir(tag: &str) -> crate::sync::testdir::TestDir {
        crate::sync::testdir::TestDir::new(&format!("git-{tag}"), true)
    }

    #[test]
    fn fetch_resolve_export() {
        let src = tempdir("src");
        run(&src, &["init", "--quiet", "-b", "main"]);
        std::fs::write(src.join("a.txt"), "one").unwrap_or_default();
        run(&src, &["add", "."]);
        run(&src, &["commit", "--quiet", "-m", "one"]);
        let c1 = run(&src, &["rev-parse", "HEAD"]);
        run(&src, &["tag", "v1"]);
        std::fs::write(src.join("a.txt"), "two").unwrap_or_default();
        run(&src, &["commit", "--quiet", "-am", "two"]);
        let c2 = run(&src, &["rev-parse", "HEAD"]);
        assert_eq!(c1.len(), 40);
        assert_ne!(c1, c2);

        let url = format!("file://{}", src.display());
        let cache_dir = tempdir("cache");
        let mut cache = GitCache::new(cache_dir.to_path_buf());
        let (sha, dir) = cache.checkout(&url, "HEAD").unwrap_or_default();
        assert_eq!(sha, c2);
        assert_eq!(
            std::fs::read_to_string(dir.join("a.txt")).unwrap_or_default(),
            "two"
        );
        assert_eq!(cache.checkout(&url, "main").map(|r| r.0), Ok(c2.clone()));
        assert_eq!(cache.checkout(&url, "v1").map(|r| r.0), Ok(c1.clone()));
        let (_, d1) = cache.checkout(&url, &c1[..10]).unwrap_or_default();
        assert_eq!(
            std::fs::read_to_string(d1.join("a.txt")).unwrap_or_default(),
            "one"
        );
        assert!(cache.checkout(&url, "nope").is_err());

        // A new commit is not seen until the next poll (one fetch per repo per poll).
        std::fs::write(src.join("a.txt"), "three").unwrap_or_default();
        run(&src, &["commit", "--quiet", "-am", "three"]);
        let c3 = run(&src, &["rev-parse", "HEAD"]);
        assert_eq!(cache.checkout(&url, "HEAD").map(|r| r.0), Ok(c2));
        cache.new_poll();
        assert_eq!(cache.checkout(&url, "HEAD").map(|r| r.0), Ok(c3));
    }

    #[test]
    fn bad_repo_is_an_error() {
        let cache_dir = tempdir("bad");
        let mut cache = GitCache::new(cache_dir.to_path_buf());
        let r = cache.checkout("file:///nonexistent/rudder-repo", "HEAD");
        assert!(r.is_err());
        cache.new_poll();
        assert!(cache.fetch("file:///nonexistent/rudder-repo").is_err());
    }
}
