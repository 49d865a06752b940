//! Structured event logs of `rudder controller` (`--log-format text|json`) on stderr.
//!
//! Hand-written rather than `tracing-subscriber`: the controller logs a handful of event
//! kinds with flat fields, which needs a dozen lines, not half a dozen more crates. Secrets
//! never reach a log line: objects are never logged, and URLs lose their credentials
//! ([`redact_url`]).

use serde_json::{Map, Value as Json};
use std::sync::atomic::{AtomicBool, Ordering};

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// `TIME LEVEL event key=value ...`.
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(format!("unknown log format {s:?} (text or json)")),
        }
    }
}

static JSON: AtomicBool = AtomicBool::new(false);

/// Selects the process-wide format.
pub fn set_format(f: LogFormat) {
    JSON.store(f == LogFormat::Json, Ordering::Relaxed);
}

/// A field value: text or a number (numbers stay numbers in JSON).
#[derive(Clone, Debug)]
pub enum Field {
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
}

impl From<&str> for Field {
    fn from(s: &str) -> Self {
        Field::Str(s.to_string())
    }
}
impl From<String> for Field {
    fn from(s: String) -> Self {
        Field::Str(s)
    }
}
impl From<&String> for Field {
    fn from(s: &String) -> Self {
        Field::Str(s.clone())
    }
}
impl From<u128> for Field {
    fn from(n: u128) -> Self {
        Field::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
impl From<usize> for Field {
    fn from(n: usize) -> Self {
        Field::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Formats one event (without the trailing newline).
pub fn format_line(
    json: bool,
    ts: &str,
    level: &str,
    event: &str,
    fields: &[(&str, Field)],
) -> String {
    if json {
        let mut m = Map::new();
        m.insert("ts".into(), ts.into());
        m.insert("level".into(), level.into());
        m.insert("event".into(), event.into());
        for (k, v) in fields {
            let v = match v {
                Field::Str(s) => Json::from(s.as_str()),
                Field::Int(n) => Json::from(*n),
            };
            m.insert((*k).to_string(), v);
        }
        Json::Object(m).to_string()
    } else {
        let mut line = format!("{ts} {level:<5} {event}");
        for (k, v) in fields {
            match v {
                Field::Int(n) => line.push_str(&format!(" {k}={n}")),
                Field::Str(s) if s.is_empty() => {}
                Field::Str(s) if s.chars().all(|c| c.is_ascii_graphic() && c != '"') => {
                    line.push_str(&format!(" {k}={s}"))
                }
                Field::Str(s) => line.push_str(&format!(" {k}={}", Json::from(s.as_str()))),
            }
        }
        line
    }
}

/// Logs one event with its fields to stderr.
pub fn event(level: &str, event: &str, fields: &[(&str, Field)]) {
    let ts = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    eprintln!(
        "{}",
        format_line(JSON.load(Ordering::Relaxed), &ts, level, event, fields)
    );
}

/// Logs the prune decisions of one apply: `prune` per deleted object, `prune_skipped` per
/// candidate a guard or the blast-radius limit kept (with the reason).
pub fn prunes(app: &str, revision: &str, report: &crate::apply::ApplyReport) {
    use crate::apply::Action;
    for r in &report.results {
        let (level, ev, why) = match &r.action {
            Action::Pruned => ("INFO", "prune", ""),
            Action::PruneSkipped(w) | Action::PruneBlocked(w) => {
                ("WARN", "prune_skipped", w.as_str())
            }
            _ => continue,
        };
        event(
            level,
            ev,
            &[
                ("app", app.into()),
                ("revision", revision.into()),
                ("object", r.object.to_string().into()),
                ("message", why.into()),
            ],
        );
    }
    if let Some(why) = &report.prune_refused {
        event(
            "WARN",
            "prune_refused",
            &[
                ("app", app.into()),
                ("revision", revision.into()),
                ("message", why.into()),
            ],
        );
    }
}

/// Logs one `orphaned` event per set left behind by an app deleted without the resources
/// finalizer (once per full poll, until the app is re-created or the objects removed).
pub fn orphans(sets: &[super::orphans::OrphanedSet]) {
    for s in sets {
        event(
            "WARN",
            "orphaned",
            &[
                ("app", s.app.as_str().into()),
                ("namespace", s.namespace.as_str().into()),
                ("objects", s.members.len().into()),
                (
                    "inventory",
                    format!("{}/{}", s.namespace, s.inventory).into(),
                ),
            ],
        );
    }
}

/// `url` without a password or token (`https://user:secret@host/x` → `https://user:***@host/x`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(host_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                // A bare token as the user name is a secret too.
                format!("{scheme}://***@{host}{path}")
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_lines() {
        let f = [
            ("app", Field::from("ghost")),
            ("duration_ms", Field::from(12usize)),
            ("message", Field::from("a b \"c\"")),
            ("revision", Field::from("")),
        ];
        assert_eq!(
            format_line(false, "T", "INFO", "sync", &f),
            r#"T INFO  sync app=ghost duration_ms=12 message="a b \"c\"""#
        );
        let j: Json =
            serde_json::from_str(&format_line(true, "T", "INFO", "sync", &f)).unwrap_or_default();
        assert_eq!(j["event"], "sync");
        assert_eq!(j["app"], "ghost");
        assert_eq!(j["duration_ms"], 12);
        assert_eq!(j["message"], "a b \"c\"");
        assert_eq!(j["level"], "INFO");
    }

    #[test]
    fn urls_lose_credentials() {
        assert_eq!(
            redact_url("https://bob:s3cret@git.example.com/a/b.git"),
            "https://bob:***@git.example.com/a/b.git"
        );
        assert_eq!(
            redact_url("https://ghp_token@github.com/a/b"),
            "https://***@github.com/a/b"
        );
        assert_eq!(
            redact_url("git@github.com:a/b.git"),
            "git@github.com:a/b.git"
        );
        assert_eq!(redact_url("file:///tmp/r"), "file:///tmp/r");
        assert!("https://x.com/p@q".contains('@'));
        assert_eq!(redact_url("https://x.com/p@q"), "https://x.com/p@q");
    }
}
