//! Loading a chart from a directory or a `.tgz`, and classifying its files as Helm's
//! `LoadFiles` does (Chart.yaml, values, schema, templates, subcharts, everything else).

use super::archive::{self, MAX_FILE};
use super::ignore::Rules;
use super::Chart;
use crate::template::{MapRef, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::FileList;

/// Loads a chart from a directory or a packaged archive.
pub fn load(path: &Path) -> Result<Chart, String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("path {:?} not found", path.display().to_string()),
        _ => e.to_string(),
    })?;
    let mut chart = if meta.is_dir() {
        load_files(load_dir_files(path)?)?
    } else {
        let name = path.to_string_lossy();
        let data = std::fs::read(path).map_err(|e| e.to_string())?;
        if !archive::is_gzip(&data) {
            if name.ends_with(".yaml") || name.ends_with(".yml") {
                return Err(format!("unable to load chart: file '{name}' seems to be a YAML file, but expected a gzipped archive"));
            }
            return Err(format!("file '{name}' does not appear to be a gzipped archive; got 'application/octet-stream'"));
        }
        load_files(archive::load_archive_files(&data)?)?
    };
    chart.set_paths(None);
    Ok(chart)
}

/// Reads a chart directory: `.helmignore` (top level only) plus the default rule, files in
/// lexical walk order, symlinks followed, BOMs stripped, 5 MiB per file.
pub fn load_dir_files(dir: &Path) -> Result<FileList, String> {
    let mut rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text)?,
        Err(_) => Rules::default(),
    };
    rules.add_defaults();
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    let mut it = walker;
    while let Some(entry) = it.next() {
        let entry = entry.map_err(|e| e.to_string())?;
        let rel = match entry.path().strip_prefix(dir) {
            Ok(r) => r.to_string_lossy().replace('\\', "/"),
            Err(_) => continue,
        };
        if rel.is_empty() {
            continue;
        }
        let is_dir = entry.file_type().is_dir();
        if rules.ignore(&rel, is_dir) {
            if is_dir {
                it.skip_current_dir();
            }
            continue;
        }
        if is_dir {
            continue;
        }
        if !entry.file_type().is_file() {
            return Err(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                entry.path().display()
            ));
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE {
            return Err(format!(
                "file {rel:?} is larger than the maximum file size {MAX_FILE}"
            ));
        }
        let data = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
        out.push((rel, Arc::from(archive::strip_bom(data))));
    }
    Ok(out)
}

fn yaml_doc(data: &[u8]) -> Result<Value, String> {
    crate::yaml::load_any(&crate::text::lossy(data)).map_err(|e| e.to_string())
}

/// Helm's `LoadFiles`: builds a chart (and its subcharts) from chart-relative files.
pub fn load_files(files: FileList) -> Result<Chart, String> {
    let mut chart = Chart::default();
    let mut have_meta = false;
    for (name, data) in &files {
        if name == "Chart.yaml" {
            have_meta = true;
            let doc = yaml_doc(data).map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
            chart
                .metadata
                .merge_from(&doc)
                .map_err(|e| format!("cannot load Chart.yaml: {e}"))?;
            if chart.metadata.api_version.is_empty() {
                chart.metadata.api_version = "v1".into();
            }
        }
    }
    let mut subcharts: BTreeMap<String, FileList> = BTreeMap::new();
    for (name, data) in files {
        match name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                chart.lock = Some(yaml_doc(&data).map_err(|e| format!("cannot load {name}: {e}"))?);
                if name == "requirements.lock" && chart.metadata.api_version == "v1" {
                    chart.files.push((name, data));
                }
            }
            "values.yaml" => {
                let v = crate::yaml::load_values(&crate::text::lossy(&data))
                    .map_err(|e| format!("cannot load values.yaml: {e}"))?;
                chart.values = match v {
                    Value::Map(m) => m,
                    _ => MapRef::default(),
                };
            }
            "values.schema.json" => chart.schema = Some(data),
            "requirements.yaml" => {
                let doc =
                    yaml_doc(&data).map_err(|e| format!("cannot load requirements.yaml: {e}"))?;
                chart
                    .metadata
                    .merge_from(&doc)
                    .map_err(|e| format!("cannot load requirements.yaml: {e}"))?;
                if chart.metadata.api_version == "v1" {
                    chart.files.push((name, data));
                }
            }
            n if n.starts_with("templates/") => chart.templates.push((name, data)),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    chart.files.push((name, data));
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts
                    .entry(cname)
                    .or_default()
                    .push((rest.to_string(), data));
            }
            _ => chart.files.push((name, data)),
        }
    }
    if !have_meta {
        return Err("Chart.yaml file is missing".into());
    }
    chart.metadata.validate(None)?;
    // Helm iterates a Go map here (random order); lexical order keeps output stable.
    for (cname, files) in subcharts {
        if cname.starts_with('_') || cname.starts_with('.') {
            continue;
        }
        let sub = if cname.ends_with(".tgz") {
            let Some((fname, data)) = files.first() else {
                continue;
            };
            if fname != &cname {
                return Err(format!(
                    "error unpacking subchart tar in {}: expected {cname}, got {fname}",
                    chart.name()
                ));
            }
            archive::load_archive_files(data).and_then(load_files)
        } else {
            let inner: FileList = files
                .into_iter()
                .filter_map(|(n, d)| n.split_once('/').map(|(_, r)| (r.to_string(), d)))
                .collect();
            load_files(inner)
        };
        match sub {
            Ok(s) => chart.dependencies.push(s),
            Err(e) => {
                return Err(format!(
                    "error unpacking subchart {cname} in {}: {e}",
                    chart.name()
                ))
            }
        }
    }
    Ok(chart)
}
