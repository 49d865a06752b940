//! Repository credentials stored the way Argo CD stores them: Secrets in the apps namespace
//! labelled `argocd.argoproj.io/secret-type: repository` (one repository, matched by URL) or
//! `repo-creds` (a credential template, matched by the longest URL prefix), with the keys
//! `url`, `username`, `password`, `sshPrivateKey` and `insecure`. SSH host keys come from the
//! `argocd-ssh-known-hosts-cm` ConfigMap (`ssh_known_hosts`).
//!
//! Credential values never reach a command line, a URL or a log line: [`RepoCreds`]' `Debug`
//! redacts them and [`scrub`] removes them (and any `user:password@` in URLs) from messages.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, ListParams};

/// The label Argo CD puts on repository Secrets.
pub const SECRET_TYPE_LABEL: &str = "argocd.argoproj.io/secret-type";
/// Argo CD's ConfigMap of SSH known hosts.
pub const KNOWN_HOSTS_CM: &str = "argocd-ssh-known-hosts-cm";

/// Credentials for one repository (or a template for many).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RepoCreds {
    /// The repository URL (a URL prefix for templates).
    pub url: String,
    /// HTTPS user name.
    pub username: Option<String>,
    /// HTTPS password or token.
    pub password: Option<String>,
    /// PEM private key for SSH.
    pub ssh_private_key: Option<String>,
    /// Skip TLS verification (HTTPS) or host key checking (SSH).
    pub insecure: bool,
    /// The Secret the credentials came from (for messages).
    pub source: String,
}

impl std::fmt::Debug for RepoCreds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "<none>" };
        f.debug_struct("RepoCreds")
            .field("url", &self.url)
            .field("username", &set(&self.username))
            .field("password", &set(&self.password))
            .field("ssh_private_key", &set(&self.ssh_private_key))
            .field("insecure", &self.insecure)
            .field("source", &self.source)
            .finish()
    }
}

impl RepoCreds {
    /// True when the entry carries any credential (a repository Secret may carry only the URL
    /// and take its credentials from a template).
    pub fn has_credentials(&self) -> bool {
        self.password.is_some() || self.username.is_some() || self.ssh_private_key.is_some()
    }

    /// The secret values, for [`scrub`].
    pub fn secrets(&self) -> Vec<&str> {
        [&self.password, &self.ssh_private_key]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn from_secret(s: &Secret) -> Option<RepoCreds> {
        let data = s.data.as_ref();
        let string_data = s.string_data.as_ref();
        let get = |k: &str| -> Option<String> {
            data.and_then(|d| d.get(k))
                .map(|b| String::from_utf8_lossy(&b.0).into_owned())
                .or_else(|| string_data.and_then(|d| d.get(k)).cloned())
                .filter(|v| !v.is_empty())
        };
        // Helm and OCI repositories are not git sources.
        if get("type").is_some_and(|t| t != "git") {
            return None;
        }
        Some(RepoCreds {
            url: get("url")?,
            username: get("username"),
            password: get("password"),
            ssh_private_key: get("sshPrivateKey"),
            insecure: get("insecure").is_some_and(|v| v == "true"),
            source: s.metadata.name.clone().unwrap_or_default(),
        })
    }
}

/// True for `git@host:path` and `ssh://...` URLs (Argo CD's test: a user before an `@` and
/// no `/` or `:` in the user).
pub fn is_ssh_url(url: &str) -> bool {
    let rest = url.strip_prefix("ssh://").unwrap_or(url);
    match rest.split_once('@') {
        Some((user, host)) => {
            !user.contains('/') && !user.contains(':') && !host.is_empty() && !host.contains('@')
        }
        None => false,
    }
}

/// Argo CD's URL normalisation for matching: trimmed, lower case, scp-style SSH URLs as
/// `git@host/path`, `ssh://` and a trailing `.git` removed.
pub fn normalize_url(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    if is_ssh_url(&u) && !u.starts_with("ssh://") {
        u = u.replacen(':', "/", 1);
    }
    let u = u.strip_suffix(".git").unwrap_or(&u);
    u.strip_prefix("ssh://").unwrap_or(u).to_string()
}

/// The credentials for `url`: a repository entry with the same normalised URL, completed from
/// the template with the longest matching URL prefix when it carries no credentials itself.
pub fn select(repos: &[RepoCreds], templates: &[RepoCreds], url: &str) -> Option<RepoCreds> {
    let want = normalize_url(url);
    let repo = repos
        .iter()
        .find(|r| !want.is_empty() && normalize_url(&r.url) == want);
    if let Some(r) = repo.filter(|r| r.has_credentials()) {
        return Some(r.clone());
    }
    let template = templates
        .iter()
        .filter(|t| {
            let p = normalize_url(&t.url);
            !p.is_empty() && want.starts_with(&p)
        })
        .max_by_key(|t| normalize_url(&t.url).len())?;
    let mut c = template.clone();
    if let Some(r) = repo {
        c.url = r.url.clone();
        c.insecure |= r.insecure;
    }
    Some(c)
}

/// Removes secret values and URL passwords from a message (git output, errors).
pub fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut out = message.to_string();
    for s in secrets {
        if !s.is_empty() {
            out = out.replace(s, "***");
            // A multi-line key may surface one line at a time.
            for line in s.lines().map(str::trim).filter(|l| l.len() >= 16) {
                out = out.replace(line, "***");
            }
        }
    }
    scrub_url_passwords(&out)
}

/// `scheme://user:password@host` → `scheme://user:***@host`, anywhere in `text`.
fn scrub_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '\'' || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Reads the repository Secrets and templates of `namespace` and picks those for `url`.
pub async fn lookup(
    client: &kube::Client,
    namespace: &str,
    url: &str,
) -> Result<Option<RepoCreds>, String> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let lp =
        ListParams::default().labels(&format!("{SECRET_TYPE_LABEL} in (repository,repo-creds)"));
    let list = api
        .list(&lp)
        .await
        .map_err(|e| format!("listing repository secrets in {namespace}: {e}"))?;
    let (mut repos, mut templates) = (Vec::new(), Vec::new());
    for s in &list.items {
        let kind = s
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(SECRET_TYPE_LABEL))
            .map(String::as_str);
        let Some(c) = RepoCreds::from_secret(s) else {
            continue;
        };
        match kind {
            Some("repository") => repos.push(c),
            Some("repo-creds") => templates.push(c),
            _ => {}
        }
    }
    // Deterministic choice among equal candidates: by Secret name.
    repos.sort_by(|a, b| a.source.cmp(&b.source));
    templates.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(select(&repos, &templates, url))
}

/// The `ssh_known_hosts` of Argo CD's known-hosts ConfigMap, if it exists.
pub async fn known_hosts(client: &kube::Client, namespace: &str) -> Result<Option<String>, String> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let cm = api
        .get_opt(KNOWN_HOSTS_CM)
        .await
        .map_err(|e| format!("reading {KNOWN_HOSTS_CM}: {e}"))?;
    Ok(cm
        .and_then(|c| c.data)
        .and_then(|d| d.get("ssh_known_hosts").cloned())
        .filter(|s| !s.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(url: &str, user: Option<&str>, pass: Option<&str>) -> RepoCreds {
        RepoCreds {
            url: url.into(),
            username: user.map(str::to_string),
            password: pass.map(str::to_string),
            source: url.into(),
            ..RepoCreds::default()
        }
    }

    #[test]
    fn normalisation_matches_argo() {
        assert!(is_ssh_url("git@github.com:Nikob2o/ansible-k3s.git"));
        assert!(is_ssh_url("ssh://git@github.com/a/b"));
        assert!(!is_ssh_url("https://github.com/a/b"));
        assert!(!is_ssh_url("https://user:pw@github.com/a/b"));
        assert_eq!(
            normalize_url("git@GitHub.com:Nikob2o/ansible-k3s.git"),
            "git@github.com/nikob2o/ansible-k3s"
        );
        assert_eq!(
            normalize_url("ssh://git@github.com/nikob2o/ansible-k3s"),
            normalize_url("git@github.com:Nikob2o/ansible-k3s.git")
        );
        assert_eq!(
            normalize_url(" https://GitHub.com/a/b.git "),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn repository_exact_then_longest_template_prefix() {
        let repos = vec![
            creds(
                "https://github.com/org/app.git",
                Some("u"),
                Some("app-token"),
            ),
            // URL only: credentials come from a template.
            creds("https://github.com/org/bare", None, None),
        ];
        let templates = vec![
            creds("https://github.com/", Some("t"), Some("broad")),
            creds("https://github.com/org", Some("t"), Some("narrow")),
            creds("https://gitlab.com/org", Some("t"), Some("other")),
        ];
        let pick = |url: &str| select(&repos, &templates, url).and_then(|c| c.password);
        assert_eq!(pick("https://github.com/Org/App"), Some("app-token".into()));
        assert_eq!(
            pick("https://github.com/org/bare.git"),
            Some("narrow".into())
        );
        assert_eq!(pick("https://github.com/org/other"), Some("narrow".into()));
        assert_eq!(pick("https://github.com/else/x"), Some("broad".into()));
        assert_eq!(pick("https://bitbucket.org/x"), None);
        // The SSH form of a URL matches an scp-style entry.
        let ssh = vec![RepoCreds {
            url: "git@github.com:Nikob2o/ansible-k3s.git".into(),
            ssh_private_key: Some("KEY".into()),
            ..RepoCreds::default()
        }];
        assert!(select(&ssh, &[], "ssh://git@github.com/nikob2o/ansible-k3s").is_some());
        assert!(select(&ssh, &[], "git@github.com:Nikob2o/other.git").is_none());
    }

    #[test]
    fn secrets_are_parsed_and_never_printed() {
        let s: Secret = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "private-repo",
                "labels": {SECRET_TYPE_LABEL: "repository"}},
            "data": {"url": "aHR0cHM6Ly9leGFtcGxlLmNvbS9yZXBv",
                     "password": "czNjcjN0LXRva2Vu", "insecure": "dHJ1ZQ=="},
            "stringData": {"username": "bot"}
        }))
        .expect("secret");
        let c = RepoCreds::from_secret(&s).expect("creds");
        assert_eq!(c.url, "https://example.com/repo");
        assert_eq!(c.password.as_deref(), Some("s3cr3t-token"));
        assert_eq!(c.username.as_deref(), Some("bot"));
        assert!(c.insecure);
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("s3cr3t") && dbg.contains("<redacted>"),
            "{dbg}"
        );
        let helm: Secret = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "h"}, "stringData": {"url": "https://charts", "type": "helm"}
        }))
        .expect("secret");
        assert!(RepoCreds::from_secret(&helm).is_none());
    }

    #[test]
    fn scrubbing() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n";
        let msg = "fatal: unable to access 'https://bot:hunter22@example.com/repo/': s3cr3t-token \
             rejected; key line b3BlbnNzaC1rZXktdjEAAAAABG5vbmU; see ssh://git:pw@h:22/x";
        let out = scrub(msg, &["s3cr3t-token", key]);
        assert!(
            !out.contains("hunter22") && !out.contains("s3cr3t"),
            "{out}"
        );
        assert!(!out.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"), "{out}");
        assert!(out.contains("https://bot:***@example.com/repo/"), "{out}");
        assert!(out.contains("ssh://git:***@h:22/x"), "{out}");
        // Messages without secrets are unchanged.
        let plain = "git fetch: repository 'https://example.com/x' not found";
        assert_eq!(scrub(plain, &[]), plain);
    }
}
