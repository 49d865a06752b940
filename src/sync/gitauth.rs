//! Handing repository credentials to the `git` command line without exposing them: HTTPS
//! user name and password go through `GIT_ASKPASS` (a script that echoes two environment
//! variables of the git process), an SSH key through a 0600 file named in `GIT_SSH_COMMAND`.
//! Both live in a private (0700) directory removed when the fetch ends ([`AuthEnv`]'s Drop).
//!
//! SSH host keys are checked as Argo CD does: strictly against `argocd-ssh-known-hosts-cm`
//! when it exists, not at all for `insecure` repositories; with neither, new hosts are
//! accepted on first use (`accept-new`, remembered in the cache) and a warning is returned.

use super::repocreds::{is_ssh_url, RepoCreds};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Environment variable the askpass script reads the user name from.
pub const USERNAME_ENV: &str = "RUDDER_GIT_USERNAME";
/// Environment variable the askpass script reads the password from.
pub const PASSWORD_ENV: &str = "RUDDER_GIT_PASSWORD";

/// The askpass program: git calls it with a prompt ("Username for ..." / "Password for ...").
const ASKPASS: &str = "#!/bin/sh\ncase \"$1\" in\n  Username*|username*) printf '%s\\n' \"$RUDDER_GIT_USERNAME\" ;;\n  *) printf '%s\\n' \"$RUDDER_GIT_PASSWORD\" ;;\nesac\n";

/// What a fetch of one repository needs to authenticate.
#[derive(Clone, Debug, Default)]
pub struct GitAuth {
    /// The matching repository credentials, if any.
    pub creds: Option<RepoCreds>,
    /// `ssh_known_hosts` from `argocd-ssh-known-hosts-cm`, if it exists.
    pub known_hosts: Option<String>,
}

/// The environment of one authenticated git invocation; dropping it deletes the key and
/// askpass files.
#[derive(Debug, Default)]
pub struct AuthEnv {
    /// The private scratch directory (None when nothing had to be written).
    pub dir: Option<PathBuf>,
    /// Variables to set on the git process.
    pub env: Vec<(String, String)>,
    /// Secret values to scrub from git's messages.
    pub secrets: Vec<String>,
    /// Things the operator should know (accepting unknown SSH host keys).
    pub warnings: Vec<String>,
}

impl Drop for AuthEnv {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Quotes `s` for the POSIX shell git runs `GIT_SSH_COMMAND` with.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn write_private(path: &Path, content: &str, mode: u32) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(content.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn is_http_url(url: &str) -> bool {
    let l = url.trim().to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}

impl GitAuth {
    /// Prepares the environment for fetching `url`; files go to a fresh directory under
    /// `scratch` (the cache root), and accepted SSH host keys to `scratch/ssh_known_hosts`.
    pub fn prepare(&self, url: &str, scratch: &Path) -> Result<AuthEnv, String> {
        let mut out = AuthEnv::default();
        let ssh = is_ssh_url(url);
        let creds = self.creds.as_ref();
        let needs_dir = ssh || creds.is_some_and(|c| c.password.is_some() || c.username.is_some());
        if !needs_dir {
            return Ok(out);
        }
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = scratch.join("auth").join(format!(
            "{}-{}-{:08x}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        ));
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        out.dir = Some(dir.clone());
        // No credential helper configured on the host may store or supply credentials.
        out.env.push(("GIT_CONFIG_COUNT".into(), "1".into()));
        out.env
            .push(("GIT_CONFIG_KEY_0".into(), "credential.helper".into()));
        out.env.push(("GIT_CONFIG_VALUE_0".into(), String::new()));
        if ssh {
            let mut cmd = vec!["ssh".to_string()];
            if let Some(key) = creds.and_then(|c| c.ssh_private_key.as_ref()) {
                let path = dir.join("id_key");
                // ssh rejects keys without a final newline.
                let mut k = key.clone();
                if !k.ends_with('\n') {
                    k.push('\n');
                }
                write_private(&path, &k, 0o600)?;
                out.secrets.push(key.clone());
                cmd.push("-i".into());
                cmd.push(shell_quote(&path.to_string_lossy()));
                cmd.push("-o IdentitiesOnly=yes".into());
            }
            cmd.push("-o BatchMode=yes".into());
            if creds.is_some_and(|c| c.insecure) {
                cmd.push("-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null".into());
            } else if let Some(kh) = &self.known_hosts {
                let path = dir.join("known_hosts");
                write_private(&path, kh, 0o600)?;
                cmd.push("-o StrictHostKeyChecking=yes".into());
                cmd.push(format!(
                    "-o UserKnownHostsFile={}",
                    shell_quote(&path.to_string_lossy())
                ));
            } else {
                let path = scratch.join("ssh_known_hosts");
                cmd.push("-o StrictHostKeyChecking=accept-new".into());
                cmd.push(format!(
                    "-o UserKnownHostsFile={}",
                    shell_quote(&path.to_string_lossy())
                ));
                out.warnings.push(format!(
                    "no ssh_known_hosts in the argocd-ssh-known-hosts-cm ConfigMap: accepting \
                     new SSH host keys on first use for {url} (remembered in {})",
                    path.display()
                ));
            }
            out.env.push(("GIT_SSH_COMMAND".into(), cmd.join(" ")));
        } else if let Some(c) = creds.filter(|_| is_http_url(url)) {
            if c.username.is_some() || c.password.is_some() {
                let path = dir.join("askpass.sh");
                write_private(&path, ASKPASS, 0o700)?;
                out.env
                    .push(("GIT_ASKPASS".into(), path.to_string_lossy().into_owned()));
                out.env
                    .push((USERNAME_ENV.into(), c.username.clone().unwrap_or_default()));
                out.env
                    .push((PASSWORD_ENV.into(), c.password.clone().unwrap_or_default()));
                out.secrets.extend(c.password.clone());
            }
        }
        if creds.is_some_and(|c| c.insecure) && is_http_url(url) {
            out.env.push(("GIT_SSL_NO_VERIFY".into(), "true".into()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(tag: &str) -> crate::sync::testdir::TestDir {
        crate::sync::testdir::TestDir::new(&format!("auth-{tag}"), false)
    }

    fn env<'a>(a: &'a AuthEnv, k: &str) -> Option<&'a str> {
        a.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn anonymous_https_needs_nothing() {
        let a = GitAuth::default()
            .prepare("https://example.com/r", &scratch("anon"))
            .expect("prepare");
        assert!(a.dir.is_none() && a.env.is_empty());
    }

    #[test]
    fn https_credentials_go_through_askpass() {
        let root = scratch("https");
        let auth = GitAuth {
            creds: Some(RepoCreds {
                url: "https://example.com/r".into(),
                username: Some("bot".into()),
                password: Some("tok-123456".into()),
                ..RepoCreds::default()
            }),
            known_hosts: None,
        };
        let a = auth
            .prepare("https://example.com/r", &root)
            .expect("prepare");
        let script = env(&a, "GIT_ASKPASS").expect("askpass").to_string();
        assert_eq!(env(&a, PASSWORD_ENV), Some("tok-123456"));
        assert_eq!(env(&a, "GIT_CONFIG_KEY_0"), Some("credential.helper"));
        // The script holds no secret; it answers git's prompts from the environment.
        let text = std::fs::read_to_string(&script).expect("script");
        assert!(!text.contains("tok-123456"));
        let run = |prompt: &str| {
            let o = std::process::Command::new(&script)
                .arg(prompt)
                .env(USERNAME_ENV, "bot")
                .env(PASSWORD_ENV, "tok-123456")
                .output()
                .expect("run askpass");
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        assert_eq!(run("Username for 'https://example.com': "), "bot\n");
        assert_eq!(
            run("Password for 'https://bot@example.com': "),
            "tok-123456\n"
        );
        assert!(env(&a, "GIT_SSH_COMMAND").is_none());
        assert_eq!(a.secrets, vec!["tok-123456".to_string()]);
        let dir = a.dir.clone().expect("dir");
        drop(a);
        assert!(!dir.exists(), "scratch directory removed");
    }

    #[test]
    fn ssh_key_is_private_and_removed() {
        let root = scratch("ssh");
        let creds = RepoCreds {
            url: "git@github.com:o/r.git".into(),
            ssh_private_key: Some("-----BEGIN KEY-----\nabc\n-----END KEY-----".into()),
            ..RepoCreds::default()
        };
        let auth = GitAuth {
            creds: Some(creds.clone()),
            known_hosts: Some("github.com ssh-ed25519 AAAA\n".into()),
        };
        let a = auth
            .prepare("git@github.com:o/r.git", &root)
            .expect("prepare");
        let dir = a.dir.clone().expect("dir");
        let key = dir.join("id_key");
        let mode = std::fs::metadata(&key).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);
        let cmd = env(&a, "GIT_SSH_COMMAND").expect("ssh command");
        assert!(cmd.contains(&format!("-i '{}'", key.display())), "{cmd}");
        assert!(cmd.contains("StrictHostKeyChecking=yes"), "{cmd}");
        assert!(!cmd.contains("abc"), "the key is not on the command line");
        assert!(a.warnings.is_empty());
        drop(a);
        assert!(!key.exists() && !dir.exists());

        // No known hosts: accept-new, with a warning; insecure: no checking.
        let a = GitAuth {
            creds: Some(creds.clone()),
            known_hosts: None,
        }
        .prepare("git@github.com:o/r.git", &root)
        .expect("prepare");
        assert!(env(&a, "GIT_SSH_COMMAND").is_some_and(|c| c.contains("accept-new")));
        assert_eq!(a.warnings.len(), 1);
        let insecure = RepoCreds {
            insecure: true,
            ..creds
        };
        let a = GitAuth {
            creds: Some(insecure),
            known_hosts: None,
        }
        .prepare("git@github.com:o/r.git", &root)
        .expect("prepare");
        assert!(env(&a, "GIT_SSH_COMMAND").is_some_and(|c| c.contains("StrictHostKeyChecking=no")));
        assert!(a.warnings.is_empty());
    }

    /// Real git over the SSH transport, with a stand-in `ssh` first on PATH that checks the key
    /// file it is given (mode 0600, our key) and runs the remote command locally.
    #[test]
    fn git_uses_the_ssh_command_and_key() {
        let root = scratch("ssh-e2e");
        let repo = root.join("repo");
        std::fs::create_dir_all(&repo).expect("mkdir");
        let run = |dir: &Path, args: &[&str]| {
            std::process::Command::new("git")
                .current_dir(dir)
                .args(["-c", "user.email=t@e", "-c", "user.name=t"])
                .args(args)
                .output()
                .expect("git")
        };
        run(&repo, &["init", "--quiet", "-b", "main"]);
        std::fs::write(repo.join("f"), "x").expect("write");
        run(&repo, &["add", "."]);
        run(&repo, &["commit", "--quiet", "-m", "c"]);
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let fake = r#"#!/bin/sh
key=""
while [ $# -gt 1 ]; do
  case "$1" in
    -i) key="$2"; shift 2 ;;
    -o|-p) shift 2 ;;
    *) shift ;;
  esac
done
echo "$(stat -c %a "$key") $(head -n 1 "$key")" >> "$RUDDER_TEST_SSH_LOG"
exec sh -c "$1"
"#;
        write_private(&bin.join("ssh"), fake, 0o755).expect("fake ssh");
        let url = format!("git@fakehost:{}", repo.display());
        let auth = GitAuth {
            creds: Some(RepoCreds {
                url: url.clone(),
                ssh_private_key: Some(
                    "-----BEGIN TEST KEY-----\nabc\n-----END TEST KEY-----".into(),
                ),
                ..RepoCreds::default()
            }),
            known_hosts: Some("fakehost ssh-ed25519 AAAA\n".into()),
        };
        let a = auth.prepare(&url, &root).expect("prepare");
        let log = root.join("ssh.log");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = std::process::Command::new("git")
            .args(["ls-remote", &url, "refs/heads/main"])
            .envs(a.env.iter().map(|(k, v)| (k, v)))
            .env("PATH", path)
            .env("RUDDER_TEST_SSH_LOG", &log)
            .output()
            .expect("git ls-remote");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("refs/heads/main"));
        let seen = std::fs::read_to_string(&log).expect("the fake ssh ran");
        assert_eq!(seen.trim(), "600 -----BEGIN TEST KEY-----");
        let dir = a.dir.clone().expect("dir");
        drop(a);
        assert!(!dir.exists(), "key removed after the fetch");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a b/c'd"), "'/a b/c'\\''d'");
    }
}
