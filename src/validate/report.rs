//! Findings and the validation report.

use std::fmt::Write as _;

use serde_json::Value;

use super::Document;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The object would be rejected (or is not what the schema allows).
    Error,
    /// No schema for the object's kind: not checked (an error under `--strict`).
    Unchecked,
}

/// One finding about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or unchecked.
    pub severity: Severity,
    /// The template the object came from (`# Source:`), if known.
    pub source: Option<String>,
    /// The document's position in the stream.
    pub index: usize,
    /// The object's kind (empty when missing).
    pub kind: String,
    /// The object's `metadata.name` (empty when missing).
    pub name: String,
    /// JSON path inside the object, e.g. `spec.template.spec.containers[0].image`; empty for
    /// the object as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The outcome of validating a stream.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The Kubernetes version asked for.
    pub kube_version: String,
    /// Whether unchecked objects fail.
    pub strict: bool,
    /// Every finding, in document order.
    pub findings: Vec<Finding>,
    /// Problems that are not about one object: bad version, unreadable CRD file.
    pub setup_errors: Vec<String>,
    /// Objects looked at.
    pub objects: usize,
    /// Objects checked against a schema without findings.
    pub valid: usize,
    /// Objects with no schema.
    pub unchecked: usize,
}

impl Report {
    /// An empty report.
    pub fn new(kube_version: &str, strict: bool) -> Self {
        Report {
            kube_version: kube_version.to_string(),
            strict,
            ..Report::default()
        }
    }

    /// Whether validation passed: no errors (unchecked objects count under `strict`).
    pub fn ok(&self) -> bool {
        self.setup_errors.is_empty() && self.findings.iter().all(|f| f.severity != Severity::Error)
    }

    /// Findings that are errors.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub(crate) fn push(&mut self, doc: &Document, severity: Severity, path: &str, message: String) {
        let field = |k: &str| {
            doc.object
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let name = doc
            .object
            .get("metadata")
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        self.findings.push(Finding {
            severity,
            source: doc.source.clone(),
            index: doc.index,
            kind: field("kind"),
            name,
            path: path.to_string(),
            message,
        });
    }

    /// Counts one object, checked, clean or not.
    pub(crate) fn count(&mut self, clean: bool) {
        self.objects += 1;
        if clean {
            self.valid += 1;
        }
    }

    /// Counts one unchecked object.
    pub(crate) fn count_unchecked(&mut self) {
        self.objects += 1;
        self.unchecked += 1;
    }

    /// The human-readable report: one line per finding, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.setup_errors {
            let _ = writeln!(out, "error: {e}");
        }
        for f in &self.findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Unchecked => "warning",
            };
            let _ = write!(
                out,
                "{} (document {}) {}/{}: {level}: ",
                f.source.as_deref().unwrap_or("<stdin>"),
                f.index,
                f.kind,
                f.name
            );
            if !f.path.is_empty() {
                let _ = write!(out, "{}: ", f.path);
            }
            let _ = writeln!(out, "{}", f.message);
        }
        let invalid = self.objects.saturating_sub(self.valid + self.unchecked);
        let _ = writeln!(
            out,
            "{} objects validated against Kubernetes {}{}: {} valid, {} invalid, {} unchecked",
            self.objects,
            self.kube_version,
            if self.strict { " (strict)" } else { "" },
            self.valid,
            invalid,
            self.unchecked
        );
        out
    }
}
