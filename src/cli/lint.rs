//! `rudder lint CHART...`: helm lint's main checks and message format
//! (`==> Linting PATH`, `[INFO]`/`[WARNING]`/`[ERROR] file: message`, the closing count).

use crate::chart::load;
use crate::cli::template::ValueArgs;
use crate::render::{render_files, RenderOptions};
use crate::template::{NoHost, Value};
use clap::Args;
use std::path::{Path, PathBuf};

/// Flags of `rudder lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Chart directories or archives.
    #[arg(required = true)]
    charts: Vec<PathBuf>,
    /// Fail on lint warnings.
    #[arg(long = "strict")]
    strict: bool,
    #[command(flatten)]
    values: ValueArgs,
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Severity {
    Info,
    Warning,
    Error,
}

struct Message(Severity, String, String);

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "string",
    }
}

fn lint_chart(path: &Path, a: &LintArgs) -> Vec<Message> {
    let mut out = Vec::new();
    let mut push =
        |s: Severity, file: &str, msg: String| out.push(Message(s, file.to_string(), msg));
    // Chart.yaml, read raw: helm checks the YAML types of version and appVersion.
    match std::fs::read_to_string(path.join("Chart.yaml")) {
        Err(_) if path.is_dir() => {
            push(Severity::Error, "Chart.yaml", "file does not exist".into())
        }
        Err(_) => {}
        Ok(text) => match crate::yaml::load_any(&text) {
            Err(e) => push(
                Severity::Error,
                "Chart.yaml",
                format!("unable to parse YAML\n\t{e}"),
            ),
            Ok(Value::Map(m)) => {
                let get = |k: &str| m.get(k);
                match get("name") {
                    None | Some(Value::Nil) => {
                        push(Severity::Error, "Chart.yaml", "name is required".into())
                    }
                    Some(Value::String(n)) if n.contains('/') => push(
                        Severity::Error,
                        "Chart.yaml",
                        format!("chart name {n:?} cannot contain '/'"),
                    ),
                    _ => {}
                }
                match get("apiVersion") {
                    None => push(Severity::Error, "Chart.yaml", "apiVersion is required. The value must be either \"v1\" or \"v2\"".into()),
                    Some(Value::String(v)) if &*v != "v1" && &*v != "v2" => push(
                        Severity::Error,
                        "Chart.yaml",
                        format!("apiVersion '{v}' is not valid. The value must be either \"v1\" or \"v2\""),
                    ),
                    _ => {}
                }
                match get("version") {
                    None | Some(Value::Nil) => {
                        push(Severity::Error, "Chart.yaml", "version is required".into())
                    }
                    Some(Value::String(v)) => {
                        if crate::semver::parse_version(&v).is_err() {
                            push(
                                Severity::Error,
                                "Chart.yaml",
                                format!("version '{v}' is not a valid SemVer"),
                            );
                        }
                    }
                    Some(other) => push(
                        Severity::Error,
                        "Chart.yaml",
                        format!(
                            "version should be of type string but it's of type {}",
                            type_name(&other)
                        ),
                    ),
                }
                if let Some(v) = get("appVersion") {
                    if !matches!(v, Value::String(_) | Value::Nil) {
                        push(
                            Severity::Error,
                            "Chart.yaml",
                            format!(
                                "appVersion should be of type string but it's of type {}",
                                type_name(&v)
                            ),
                        );
                    }
                }
                if !matches!(get("icon"), Some(Value::String(_))) {
                    push(Severity::Info, "Chart.yaml", "icon is recommended".into());
                }
            }
            Ok(_) => push(Severity::Error, "Chart.yaml", "unable to parse YAML".into()),
        },
    }
    match std::fs::read_to_string(path.join("values.yaml")) {
        Ok(text) => {
            if let Err(e) = crate::yaml::load_values(&text) {
                push(
                    Severity::Error,
                    "values.yaml",
                    format!("unable to parse YAML: {e}"),
                );
            }
        }
        Err(_) if path.is_dir() => {
            push(Severity::Info, "values.yaml", "file does not exist".into())
        }
        Err(_) => {}
    }
    if path.is_dir() && !path.join("templates").is_dir() {
        push(
            Severity::Warning,
            "templates/",
            "directory not found".into(),
        );
    }
    let values = a.values.options();
    let rendered = values
        .merge()
        .and_then(|user| load::load(path).map(|c| (c, user)))
        .and_then(|(chart, user)| render_files(chart, &user, &RenderOptions::default(), &NoHost));
    match rendered {
        Err(e) => push(Severity::Error, "templates/", e),
        Ok((chart, files, _)) => {
            let prefix = format!("{}/", chart.name());
            for (name, text) in files {
                if name.ends_with("NOTES.txt") || text.trim().is_empty() {
                    continue;
                }
                let rel = name.strip_prefix(&prefix).unwrap_or(&name).to_string();
                for doc in crate::render::manifest::split_manifests(&text) {
                    match crate::yaml::load_any(&doc) {
                        Err(e) => {
                            push(Severity::Error, &rel, format!("unable to parse YAML: {e}"));
                            break;
                        }
                        Ok(Value::Map(m)) => {
                            let name = match m.get("metadata") {
                                Some(Value::Map(meta)) => meta.get("name"),
                                _ => None,
                            };
                            if let Some(Value::String(n)) = name {
                                if !is_dns_subdomain(&n) {
                                    push(Severity::Warning, &rel, format!(
                                        "object name does not conform to Kubernetes naming requirements: {n:?}: metadata.name: Invalid value: {n:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                                    ));
                                }
                            }
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
    }
    out
}

/// Runs `rudder lint`.
pub fn run(a: LintArgs) -> Result<(), String> {
    let mut failed = 0;
    for path in &a.charts {
        println!("==> Linting {}", path.display());
        let msgs = lint_chart(path, &a);
        let limit = if a.strict {
            Severity::Warning
        } else {
            Severity::Error
        };
        if msgs.iter().any(|m| m.0 >= limit) {
            failed += 1;
        }
        for m in &msgs {
            let tag = match m.0 {
                Severity::Info => "INFO",
                Severity::Warning => "WARNING",
                Severity::Error => "ERROR",
            };
            println!("[{tag}] {}: {}", m.1, m.2);
        }
        println!();
    }
    let summary = format!(
        "{} chart(s) linted, {failed} chart(s) failed",
        a.charts.len()
    );
    if failed > 0 {
        return Err(summary);
    }
    println!("{summary}");
    Ok(())
}

/// Kubernetes' RFC 1123 subdomain rule for object names.
fn is_dns_subdomain(s: &str) -> bool {
    let ok_label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !s.is_empty() && s.len() <= 253 && s.split('.').all(ok_label)
}
