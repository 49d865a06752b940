//! `rudder validate`: offline schema validation of rendered manifests (what kubeconform or
//! kubeval do), with Kubernetes 1.25 to 1.37 schemas embedded and custom resources checked
//! against their CustomResourceDefinitions.
//!
//! Entry points: [`parse_stream`] turns rendered YAML into [`Document`]s,
//! [`validate_documents`] checks them and [`run_validate`] does both and formats the report.
//!
//! What is reported, per object, with its JSON path:
//! - unknown fields, for any schema object that lists `properties` (what `kubectl apply`'s
//!   default strict field validation rejects), unless `x-kubernetes-preserve-unknown-fields`;
//! - wrong types, as the Kubernetes client decodes YAML (go-yaml v2: `yes`/`on` are booleans),
//!   with int-or-string and Quantity accepted in both forms;
//! - missing required fields, enum and (CRD) bound violations;
//! - API versions not served by the chosen Kubernetes version, saying when they were removed
//!   (or introduced) and which apiVersion to use instead;
//! - custom resources against their CRD's `openAPIV3Schema` (CRDs from the stream itself, from
//!   [`Options::crd_paths`] and [`Options::crd_objects`]), their `metadata` against ObjectMeta.
//!
//! Kinds without any schema are "unchecked": a warning, or an error with [`Options::strict`].

mod check;
mod crd;
mod input;
mod report;
mod schema;

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::Value;

pub use crd::CrdSet;
pub use input::parse_stream;
pub use report::{Finding, Report, Severity};

use check::{Checker, Problem};
use crd::Lookup;
use schema::Defs;

/// Helm 3.17.3's default `.Capabilities.KubeVersion`, and so the default schema version.
pub const DEFAULT_KUBE_VERSION: &str = "1.32";

/// One object of a rendered stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The parsed object.
    pub object: Value,
    /// The template it came from (the `# Source:` comment), if any.
    pub source: Option<String>,
    /// Position in the stream (0-based, counting empty documents).
    pub index: usize,
}

/// How to validate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Kubernetes version whose schemas apply, e.g. `1.32` or `v1.32.0`.
    pub kube_version: String,
    /// Fail on objects whose kind has no schema ("unchecked") instead of only warning.
    pub strict: bool,
    /// Files or directories holding CustomResourceDefinitions (`--crds`).
    pub crd_paths: Vec<PathBuf>,
    /// CustomResourceDefinition objects already in memory (e.g. a chart's `crds/` files).
    pub crd_objects: Vec<Value>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kube_version: DEFAULT_KUBE_VERSION.to_string(),
            strict: false,
            crd_paths: Vec::new(),
            crd_objects: Vec::new(),
        }
    }
}

/// Parses and validates a rendered stream; returns the report text and whether it passed.
/// A YAML syntax error, an unsupported version or an unreadable CRD file fails with a
/// one-line message.
pub fn run_validate(rendered: &str, opts: &Options) -> (String, bool) {
    match parse_stream(rendered) {
        Ok(docs) => {
            let report = validate_documents(&docs, opts);
            (report.to_text(), report.ok())
        }
        Err(e) => (
            format!("error: cannot parse rendered manifests: {e}\n"),
            false,
        ),
    }
}

/// Validates every document against the schema of its kind for its apiVersion.
pub fn validate_documents(docs: &[Document], opts: &Options) -> Report {
    let mut report = Report::new(&opts.kube_version, opts.strict);
    let defs = match schema::parse_version(&opts.kube_version)
        .ok_or_else(|| format!("invalid Kubernetes version {:?}", opts.kube_version))
        .and_then(|v| schema::store().and_then(|s| s.for_version(v).map(|d| (s, d, v))))
    {
        Ok(found) => found,
        Err(e) => {
            report.setup_errors.push(e);
            return report;
        }
    };
    let mut crds = CrdSet::default();
    let wanted = custom_kinds(docs, defs.1);
    for path in &opts.crd_paths {
        if let Err(e) = crds.add_path(path, Some(&wanted)) {
            report.setup_errors.push(format!("--crds {e}"));
        }
    }
    crds.add_objects(&opts.crd_objects);
    crds.add_objects(docs.iter().map(|d| &d.object));
    for doc in docs {
        validate_one(doc, defs, &crds, opts.strict, &mut report);
    }
    report
}

/// Kinds of the documents (and of `List` items) that no built-in schema covers: the only
/// CRDs worth reading from `--crds` files.
fn custom_kinds<'d>(docs: &'d [Document], defs: Defs<'_>) -> HashSet<&'d str> {
    let mut kinds = HashSet::new();
    let mut add = |obj: &'d Value| {
        let field = |k: &str| obj.get(k).and_then(Value::as_str);
        if let (Some(av), Some(kind)) = (field("apiVersion"), field("kind")) {
            if defs.kind(av, kind).is_none() {
                kinds.insert(kind);
            }
        }
    };
    for doc in docs {
        add(&doc.object);
        if let Some(Value::Array(items)) = doc.object.get("items") {
            items.iter().for_each(&mut add);
        }
    }
    kinds
}

/// Validates one document, adding its findings to the report.
fn validate_one(
    doc: &Document,
    (store, defs, version): (&schema::Store, Defs<'_>, (u32, u32)),
    crds: &CrdSet,
    strict: bool,
    report: &mut Report,
) {
    let obj = &doc.object;
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let mut emit = |severity, path: &str, message: String| {
        report.push(doc, severity, path, message);
    };
    if !obj.is_object() {
        emit(
            Severity::Error,
            "",
            format!("document is {}, not an object", check::describe(obj)),
        );
        return report.count(false);
    }
    if kind.is_empty() || api_version.is_empty() {
        let missing = if kind.is_empty() {
            "kind"
        } else {
            "apiVersion"
        };
        emit(
            Severity::Error,
            "",
            format!("missing required field \"{missing}\""),
        );
        return report.count(false);
    }
    if api_version == "v1" && kind == "List" {
        // A List is checked item by item, each as if it were its own document.
        let items = obj
            .get("items")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for item in items {
            let sub = Document {
                object: item.clone(),
                source: doc.source.clone(),
                index: doc.index,
            };
            validate_one(&sub, (store, defs, version), crds, strict, report);
        }
        return;
    }
    let mut problems = Vec::new();
    if let Some(schema) = defs.kind(api_version, kind) {
        let mut c = Checker {
            defs: Some(defs),
            crd: false,
            problems: Vec::new(),
        };
        c.check(obj, schema, &mut String::new(), 0);
        problems = c.problems;
    } else {
        match crds.lookup(api_version, kind) {
            Lookup::Schema(schema) => {
                let mut c = Checker {
                    defs: None,
                    crd: true,
                    problems: Vec::new(),
                };
                c.check(obj, schema, &mut String::new(), 0);
                // Custom resources still have real ObjectMeta.
                c.defs = Some(defs);
                c.crd = false;
                if let (Some(meta), Some(meta_schema)) = (
                    obj.get("metadata"),
                    defs.resolve("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
                ) {
                    c.check(meta, meta_schema, &mut "metadata".to_string(), 0);
                }
                problems = c.problems;
            }
            Lookup::NoSchema => {
                let msg = format!("the CustomResourceDefinition for {kind} ({api_version}) has no schema; unchecked");
                return unchecked(report, doc, strict, msg);
            }
            Lookup::OtherVersions(served) => {
                problems.push(Problem {
                    path: "apiVersion".into(),
                    message: format!(
                        "apiVersion {api_version} of kind {kind} is not served by its CustomResourceDefinition; use {}",
                        served.join(" or ")
                    ),
                });
            }
            Lookup::Unknown => {
                let served = defs.served_versions(kind);
                let history = store.api_history(api_version, kind, version);
                let builtin_group = defs.is_builtin_group(schema::group_of(api_version));
                if served.is_empty() && history.is_none() || !builtin_group && history.is_none() {
                    let msg =
                        format!("no schema for kind {kind} (apiVersion {api_version}); unchecked");
                    return unchecked(report, doc, strict, msg);
                }
                let mut message = format!(
                    "apiVersion {api_version} of kind {kind} is not served by Kubernetes {}.{}",
                    version.0, version.1
                );
                if let Some(h) = history {
                    message.push_str(&format!(" ({h})"));
                }
                if !served.is_empty() {
                    message.push_str(&format!("; use {}", served.join(" or ")));
                }
                problems.push(Problem {
                    path: "apiVersion".into(),
                    message,
                });
            }
        }
    }
    let clean = problems.is_empty();
    for p in problems {
        report.push(doc, Severity::Error, &p.path, p.message);
    }
    report.count(clean);
}

fn unchecked(report: &mut Report, doc: &Document, strict: bool, message: String) {
    let severity = if strict {
        Severity::Error
    } else {
        Severity::Unchecked
    };
    report.push(doc, severity, "", message);
    report.count_unchecked();
}

#[cfg(test)]
mod tests;
