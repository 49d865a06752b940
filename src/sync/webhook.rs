//! Git push webhooks (`POST /api/webhook`): which repositories a GitHub, GitLab, Gitea or
//! Bitbucket payload names, URL normalisation to match them against `spec.source.repoURL`,
//! and the shared-secret checks (GitHub/Gitea HMAC-SHA256 signatures, GitLab's token).

use hmac::{Hmac, Mac};
use serde_json::Value as Json;
use sha2::Sha256;

/// A repository URL reduced to what identifies the repository: no credentials, no scheme
/// (https and ssh forms of one repository match), lower-case host, no trailing `/` or `.git`.
/// `file://` URLs keep their scheme and path.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), url),
    };
    let trim = |p: &str| -> String {
        let p = p.trim_end_matches('/');
        let p = p.strip_suffix(".git").unwrap_or(p);
        p.trim_end_matches('/').to_string()
    };
    if scheme == "file" {
        return format!("file://{}", trim(rest));
    }
    let (authority, path) = if scheme.is_empty() {
        // scp-like `git@host:owner/repo.git`.
        match rest.split_once(':') {
            Some((a, p)) if !a.contains('/') => (a, p),
            _ => ("", rest),
        }
    } else {
        rest.split_at(rest.find('/').unwrap_or(rest.len()))
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.to_ascii_lowercase();
    // Default ports say nothing about the repository.
    let host = host
        .strip_suffix(":443")
        .or_else(|| host.strip_suffix(":22"))
        .or_else(|| host.strip_suffix(":80"))
        .unwrap_or(&host)
        .to_string();
    let path = trim(path.trim_start_matches('/'));
    if host.is_empty() {
        path
    } else {
        format!("{host}/{path}")
    }
}

/// Whether two repository URLs name the same repository.
pub fn same_repo(a: &str, b: &str) -> bool {
    normalize_url(a) == normalize_url(b)
}

/// What a webhook asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookTarget {
    /// Refresh the apps whose repoURL is one of these (normalised) URLs.
    Repos(Vec<String>),
    /// Unknown or empty payload: refresh every app.
    All,
}

fn push_str(out: &mut Vec<String>, v: Option<&Json>) {
    if let Some(s) = v.and_then(Json::as_str).filter(|s| !s.is_empty()) {
        let n = normalize_url(s);
        if !out.contains(&n) {
            out.push(n);
        }
    }
}

/// Parses a push payload. An empty body means "refresh everything"; a body that is not
/// JSON is an error (400).
pub fn parse_payload(body: &[u8]) -> Result<WebhookTarget, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(WebhookTarget::All);
    }
    let j: Json = serde_json::from_slice(body).map_err(|e| format!("invalid JSON payload: {e}"))?;
    let mut urls = Vec::new();
    // GitHub, Gitea, Gogs: repository.{html_url, clone_url, ssh_url, git_url, url}.
    // GitLab: repository.{git_http_url, git_ssh_url, homepage}, project.{web_url, ...}.
    for obj in [j.get("repository"), j.get("project")]
        .into_iter()
        .flatten()
    {
        for k in [
            "html_url",
            "clone_url",
            "ssh_url",
            "git_url",
            "url",
            "git_http_url",
            "git_ssh_url",
            "homepage",
            "web_url",
            "http_url",
            "ssh_url_to_repo",
            "http_url_to_repo",
        ] {
            push_str(&mut urls, obj.get(k));
        }
        // Bitbucket Cloud: repository.links.html.href; Bitbucket Server: links.clone[].href.
        push_str(&mut urls, obj.pointer("/links/html/href"));
        if let Some(clones) = obj.pointer("/links/clone").and_then(Json::as_array) {
            for c in clones {
                push_str(&mut urls, c.get("href"));
            }
        }
        if let (Some(full), true) = (
            obj.get("full_name").and_then(Json::as_str),
            j.get("push").is_some(),
        ) {
            push_str(
                &mut urls,
                Some(&Json::from(format!("https://bitbucket.org/{full}"))),
            );
        }
    }
    if urls.is_empty() {
        Ok(WebhookTarget::All)
    } else {
        Ok(WebhookTarget::Repos(urls))
    }
}

/// Why a delivery is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// No signature or token header although a secret is configured.
    Missing,
    /// A signature or token that does not match.
    Mismatch,
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn hmac_ok(secret: &[u8], body: &[u8], hex_sig: &str) -> bool {
    let Some(sig) = hex_decode(hex_sig.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&sig).is_ok()
}

/// Checks a delivery against `secret`. `header` looks a request header up by lower-case
/// name. GitHub sends `X-Hub-Signature-256: sha256=<hex hmac>`, Gitea `X-Gitea-Signature:
/// <hex hmac>`, GitLab the secret itself in `X-Gitlab-Token`.
pub fn verify<'a>(
    secret: &[u8],
    body: &[u8],
    header: impl Fn(&str) -> Option<&'a str>,
) -> Result<(), AuthError> {
    if let Some(sig) = header("x-hub-signature-256") {
        let hex = sig.trim().strip_prefix("sha256=").unwrap_or("");
        return if hmac_ok(secret, body, hex) {
            Ok(())
        } else {
            Err(AuthError::Mismatch)
        };
    }
    if let Some(sig) = header("x-gitea-signature") {
        return if hmac_ok(secret, body, sig) {
            Ok(())
        } else {
            Err(AuthError::Mismatch)
        };
    }
    if let Some(token) = header("x-gitlab-token") {
        // Compare through HMACs of both sides so the comparison time leaks nothing.
        let Ok(mut a) = Hmac::<Sha256>::new_from_slice(b"rudder-webhook") else {
            return Err(AuthError::Mismatch);
        };
        a.update(secret);
        let expected = a.finalize().into_bytes();
        let Ok(mut b) = Hmac::<Sha256>::new_from_slice(b"rudder-webhook") else {
            return Err(AuthError::Mismatch);
        };
        b.update(token.as_bytes());
        return if b.verify_slice(&expected).is_ok() {
            Ok(())
        } else {
            Err(AuthError::Mismatch)
        };
    }
    Err(AuthError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_of_one_repo_match() {
        let n = normalize_url("https://github.com/Org/Repo.git");
        assert_eq!(n, "github.com/Org/Repo");
        for u in [
            "https://GitHub.com/Org/Repo",
            "https://github.com/Org/Repo/",
            "https://user:tok@github.com/Org/Repo.git",
            "git@github.com:Org/Repo.git",
            "ssh://git@github.com:22/Org/Repo.git",
            "HTTPS://github.com:443/Org/Repo.git/",
        ] {
            assert_eq!(normalize_url(u), n, "{u}");
        }
        // Paths stay case-sensitive; other repos differ.
        assert_ne!(normalize_url("https://github.com/org/repo"), n);
        assert!(!same_repo(
            "https://github.com/Org/Repo2",
            "https://github.com/Org/Repo"
        ));
        assert_eq!(normalize_url("file:///tmp/x/repo/"), "file:///tmp/x/repo");
        assert!(same_repo("file:///tmp/r.git", "file:///tmp/r"));
        assert_eq!(
            normalize_url("https://git.example.com:8443/a/b"),
            "git.example.com:8443/a/b"
        );
    }

    #[test]
    fn payloads() {
        let gh = br#"{"ref":"refs/heads/main","repository":{"html_url":"https://github.com/o/r",
            "clone_url":"https://github.com/o/r.git","ssh_url":"git@github.com:o/r.git"}}"#;
        assert_eq!(
            parse_payload(gh),
            Ok(WebhookTarget::Repos(vec!["github.com/o/r".into()]))
        );
        let gl = br#"{"object_kind":"push","project":{"web_url":"https://gitlab.com/g/p"},
            "repository":{"git_http_url":"https://gitlab.com/g/p.git","git_ssh_url":"git@gitlab.com:g/p.git",
            "homepage":"https://gitlab.com/g/p"}}"#;
        assert_eq!(
            parse_payload(gl),
            Ok(WebhookTarget::Repos(vec!["gitlab.com/g/p".into()]))
        );
        let bb = br#"{"push":{"changes":[]},"repository":{"full_name":"team/repo",
            "links":{"html":{"href":"https://bitbucket.org/team/repo"}}}}"#;
        assert_eq!(
            parse_payload(bb),
            Ok(WebhookTarget::Repos(vec!["bitbucket.org/team/repo".into()]))
        );
        let gitea = br#"{"repository":{"clone_url":"http://gitea.local/a/b.git","ssh_url":"ssh://git@gitea.local:2222/a/b.git"}}"#;
        assert_eq!(
            parse_payload(gitea),
            Ok(WebhookTarget::Repos(vec![
                "gitea.local/a/b".into(),
                "gitea.local:2222/a/b".into()
            ]))
        );
        assert_eq!(parse_payload(b""), Ok(WebhookTarget::All));
        assert_eq!(parse_payload(b"{}"), Ok(WebhookTarget::All));
        assert_eq!(parse_payload(br#"{"zen":"ping"}"#), Ok(WebhookTarget::All));
        assert!(parse_payload(b"not json").is_err());
    }

    #[test]
    fn signatures() {
        // HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), GitHub's documented example.
        let secret = b"It's a Secret to Everybody";
        let body = b"Hello, World!";
        let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        let h = |name: &'static str, val: &'static str| {
            move |k: &str| if k == name { Some(val) } else { None }
        };
        assert_eq!(verify(secret, body, h("x-hub-signature-256", good)), Ok(()));
        assert_eq!(
            verify(secret, b"Hello, World?", h("x-hub-signature-256", good)),
            Err(AuthError::Mismatch)
        );
        assert_eq!(
            verify(b"other", body, h("x-hub-signature-256", good)),
            Err(AuthError::Mismatch)
        );
        assert_eq!(
            verify(secret, body, h("x-hub-signature-256", "sha256=zz")),
            Err(AuthError::Mismatch)
        );
        assert_eq!(verify(secret, body, |_| None), Err(AuthError::Missing));
        assert_eq!(
            verify(
                secret,
                body,
                h(
                    "x-gitea-signature",
                    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
                )
            ),
            Ok(())
        );
        assert_eq!(verify(b"tok", body, h("x-gitlab-token", "tok")), Ok(()));
        assert_eq!(
            verify(b"tok", body, h("x-gitlab-token", "tok2")),
            Err(AuthError::Mismatch)
        );
    }
}
