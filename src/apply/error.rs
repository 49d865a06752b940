//! Errors of apply, diff and delete. Each names the object it concerns, so a failed run says
//! what to fix; none of them lets a prune happen in the run that raised it.

use super::objects::ObjectRef;
use std::fmt;

/// Why an apply, diff or delete stopped.
#[derive(Debug)]
pub enum ApplyError {
    /// No usable kubeconfig / client.
    Config(String),
    /// The API server could not be reached (connection refused, TLS, timeout).
    Unreachable(String),
    /// API discovery failed or was partial.
    Discovery(String),
    /// The rendered manifests cannot be applied as such (bad YAML, no kind, duplicates,
    /// unknown kind without its CRD in the set, ownership labels set by hand).
    Render(String),
    /// The server refused an operation on an object.
    Object {
        /// The object.
        object: Box<ObjectRef>,
        /// What was attempted (`apply`, `delete`, `get`, …).
        op: &'static str,
        /// Kind of refusal.
        kind: ObjectErrorKind,
        /// The server's message.
        message: String,
    },
    /// The object exists and belongs to nobody (or to another ApplySet); `--adopt` takes it.
    NotOwned {
        /// The object.
        object: Box<ObjectRef>,
        /// Who owns it, if known (another ApplySet id).
        owner: Option<String>,
    },
    /// The inventory (ApplySet parent Secret) is unreadable or belongs to another tool.
    Inventory(String),
    /// A wait ran out of time.
    Timeout(String),
}

/// Classification of an API refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectErrorKind {
    /// 403.
    Forbidden,
    /// 422 / 400: the object is invalid (schema, immutable field).
    Invalid,
    /// 409 on apply: fields owned by another field manager.
    Conflict,
    /// 404 for the kind or namespace.
    NotFound,
    /// Anything else (5xx, 429, …).
    Other,
}

impl ObjectErrorKind {
    /// From an HTTP status code.
    pub fn from_code(code: u16) -> Self {
        match code {
            403 => ObjectErrorKind::Forbidden,
            400 | 422 => ObjectErrorKind::Invalid,
            409 => ObjectErrorKind::Conflict,
            404 => ObjectErrorKind::NotFound,
            _ => ObjectErrorKind::Other,
        }
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Config(m) => write!(f, "kubeconfig: {m}"),
            ApplyError::Unreachable(m) => write!(f, "API server unreachable: {m}"),
            ApplyError::Discovery(m) => write!(f, "API discovery failed: {m}"),
            ApplyError::Render(m) => write!(f, "rendered manifests: {m}"),
            ApplyError::Object {
                object,
                op,
                kind,
                message,
            } => {
                let what = match kind {
                    ObjectErrorKind::Forbidden => "forbidden",
                    ObjectErrorKind::Invalid => "invalid",
                    ObjectErrorKind::Conflict => {
                        "conflict with another field manager (re-run with --force-conflicts to take ownership)"
                    }
                    ObjectErrorKind::NotFound => "not found",
                    ObjectErrorKind::Other => "failed",
                };
                write!(f, "{op} {object}: {what}: {message}")
            }
            ApplyError::NotOwned { object, owner } => match owner {
                Some(o) => write!(
                    f,
                    "{object} exists and belongs to another ApplySet ({o}); use --adopt to take it over"
                ),
                None => write!(
                    f,
                    "{object} exists and is not managed by rudder; use --adopt to take it over"
                ),
            },
            ApplyError::Inventory(m) => write!(f, "inventory: {m}"),
            ApplyError::Timeout(m) => write!(f, "timed out: {m}"),
        }
    }
}

impl std::error::Error for ApplyError {}

impl ApplyError {
    /// Maps a kube error on `object` during `op`.
    pub fn from_kube(object: &ObjectRef, op: &'static str, e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => ApplyError::Object {
                object: Box::new(object.clone()),
                op,
                kind: ObjectErrorKind::from_code(s.code),
                message: s.message,
            },
            other => transport(other),
        }
    }
}

/// A kube error that is not an API status: the server could not be reached.
pub fn transport(e: kube::Error) -> ApplyError {
    match e {
        kube::Error::Api(s) => ApplyError::Discovery(format!("{} ({})", s.message, s.code)),
        other => ApplyError::Unreachable(other.to_string()),
    }
}
