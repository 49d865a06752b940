//! Validates helm's output for every chart of the shared corpus (`../shared/corpus`) and
//! classifies the results. Skips, saying so, when the corpus is absent.
//!
//! Every finding in the corpus was reviewed by hand and is a true one (the object would be
//! rejected by a Kubernetes 1.32 API server): mostly API versions removed since the chart was
//! written, plus the few charts listed in `OTHER_FINDINGS`. A chart newly reported there is
//! either a regression (a false report) or needs the same review.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rudder::validate::{parse_stream, validate_documents, Options, Severity};

/// Charts whose findings are not (only) about API versions, each reviewed as a true finding.
const OTHER_FINDINGS: &[(&str, &str)] = &[
    (
        "incubator-cassandra-operator",
        "RoleBinding subject with a `labels` field",
    ),
    (
        "stable-couchbase-operator",
        "`selector` under metadata; cpu/memory directly under resources",
    ),
    ("stable-horovod", "`selector` inside the pod spec"),
    (
        "stable-nfs-client-provisioner",
        "nfs.server rendered empty (null)",
    ),
    (
        "stable-prometheus-couchdb-exporter",
        "initialDelaySeconds inside httpGet",
    ),
];

fn shared() -> Option<PathBuf> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    [beside, PathBuf::from("/work/shared")]
        .into_iter()
        .find(|p| p.join("corpus/expected").is_dir())
}

/// A chart's (and its subcharts') `crds/` directories: those next to a Chart.yaml.
fn crd_dirs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries.into_iter().filter(|p| p.is_dir()) {
        if p.file_name().is_some_and(|n| n == "crds") && dir.join("Chart.yaml").is_file() {
            out.push(p);
        } else {
            crd_dirs(&p, depth + 1, out);
        }
    }
}

fn parse_crd_dir(dir: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let docs = parse_stream(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        out.extend(docs.into_iter().map(|d| d.object));
    }
    out
}

#[test]
fn corpus_validates_with_only_reviewed_findings() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/corpus not found; nothing validated");
        return;
    };
    let expected = shared.join("corpus/expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&expected)
        .expect("corpus/expected is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && !p.to_string_lossy().ends_with(".run2.yaml")
        })
        .collect();
    files.sort();
    let mut clean = 0;
    let mut api_only = Vec::new();
    let mut other = Vec::new();
    let mut parse_errors = Vec::new();
    let mut unchecked_kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut objects = 0;
    // The shared CRDs are parsed once, not once per chart.
    let shared_crds = parse_crd_dir(&shared.join("crds"));
    for file in &files {
        let id = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("corpus file is readable");
        let docs = match parse_stream(&text) {
            Ok(d) => d,
            Err(e) => {
                parse_errors.push(format!("{id}: {e}"));
                continue;
            }
        };
        let mut opts = Options {
            crd_objects: shared_crds.clone(),
            ..Options::default()
        };
        crd_dirs(
            &shared.join("corpus/charts").join(&id),
            0,
            &mut opts.crd_paths,
        );
        let report = validate_documents(&docs, &opts);
        assert!(
            report.setup_errors.is_empty(),
            "{id}: {:?}",
            report.setup_errors
        );
        objects += report.objects;
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Unchecked)
        {
            *unchecked_kinds.entry(f.kind.clone()).or_default() += 1;
        }
        let errors: Vec<_> = report.errors().collect();
        if errors.is_empty() {
            clean += 1;
        } else if errors.iter().all(|f| f.path == "apiVersion") {
            api_only.push(id);
        } else {
            let lines: Vec<String> = errors
                .iter()
                .map(|f| format!("  {}: {}", f.path, f.message))
                .collect();
            other.push((id, lines.join("\n")));
        }
    }
    eprintln!(
        "corpus: {} charts, {objects} objects: {clean} clean, {} with only removed/unserved API versions, {} with other findings, {} unparsable",
        files.len(),
        api_only.len(),
        other.len(),
        parse_errors.len()
    );
    eprintln!("unchecked kinds (no CRD available): {unchecked_kinds:?}");
    for (id, lines) in &other {
        eprintln!("{id}:\n{lines}");
    }
    assert!(parse_errors.is_empty(), "{parse_errors:#?}");
    let other_ids: Vec<&str> = other.iter().map(|(id, _)| id.as_str()).collect();
    let reviewed: Vec<&str> = OTHER_FINDINGS.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        other_ids, reviewed,
        "findings outside the reviewed list: false reports?"
    );
    assert!(clean >= 400, "only {clean} charts validate clean");
}
