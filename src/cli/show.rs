//! `rudder show chart|values|readme|crds|all CHART` and `rudder dependency list CHART`, printed as
//! helm prints them.

use crate::chart::{load, Chart};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// `rudder show ...`.
#[derive(Subcommand, Debug)]
pub enum ShowCommand {
    /// Show the chart's definition (Chart.yaml).
    Chart(ChartArg),
    /// Show the chart's values.yaml.
    Values(ChartArg),
    /// Show the chart's README.
    Readme(ChartArg),
    /// Show the chart's CRDs.
    Crds(ChartArg),
    /// Show all information of the chart.
    All(ChartArg),
}

/// The `CHART` argument.
#[derive(Args, Debug)]
pub struct ChartArg {
    /// Chart directory or packaged `.tgz`.
    chart: PathBuf,
}

/// `rudder dependency ...`.
#[derive(Subcommand, Debug)]
pub enum DependencyCommand {
    /// List the dependencies of a chart and whether they are present in charts/.
    List(ChartArg),
}

fn raw_file(chart: &Chart, raw: &[(String, std::sync::Arc<[u8]>)], name: &str) -> Option<String> {
    let _ = chart;
    raw.iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
}

fn chart_yaml(chart: &Chart) -> String {
    let data = chart.metadata.to_object(true);
    let data = match data {
        crate::template::Value::Object(o) => o.to_data(),
        other => other,
    };
    if let crate::template::Value::Map(m) = &data {
        m.write().remove("IsRoot");
    }
    crate::yaml::to_yaml(&data).unwrap_or_default()
}

/// The chart's top-level files as loaded (for values.yaml and README, which Helm prints raw).
fn top_files(path: &Path) -> Result<crate::chart::FileList, String> {
    if path.is_dir() {
        load::load_dir_files(path)
    } else {
        let data = std::fs::read(path).map_err(|e| e.to_string())?;
        crate::chart::archive::load_archive_files(&data)
    }
}

/// Runs `rudder show`.
pub fn run_show(cmd: ShowCommand) -> Result<(), String> {
    let (kind, path) = match &cmd {
        ShowCommand::Chart(a) => ("chart", &a.chart),
        ShowCommand::Values(a) => ("values", &a.chart),
        ShowCommand::Readme(a) => ("readme", &a.chart),
        ShowCommand::Crds(a) => ("crds", &a.chart),
        ShowCommand::All(a) => ("all", &a.chart),
    };
    let chart = load::load(path)?;
    let raw = top_files(path)?;
    let mut out = String::new();
    let values = raw_file(&chart, &raw, "values.yaml");
    let readme = [
        "README.md",
        "README.txt",
        "README",
        "readme.md",
        "readme.txt",
        "readme",
    ]
    .iter()
    .find_map(|n| raw_file(&chart, &raw, n));
    let crds = || {
        let mut s = String::new();
        for (_, data) in chart.crd_objects() {
            s.push_str("---\n");
            s.push_str(&String::from_utf8_lossy(&data));
            s.push('\n');
        }
        s
    };
    match kind {
        "chart" => {
            out.push_str(&chart_yaml(&chart));
            out.push('\n');
        }
        "values" => {
            if let Some(v) = values {
                out.push_str(&v);
                out.push('\n');
            }
        }
        "readme" => {
            if let Some(r) = readme {
                out.push_str(&r);
                out.push('\n');
            }
        }
        "crds" => out.push_str(&crds()),
        _ => {
            out.push_str(&chart_yaml(&chart));
            out.push('\n');
            if let Some(v) = values {
                out.push_str("---\n");
                out.push_str(&v);
                out.push('\n');
            }
            if let Some(r) = readme {
                out.push_str("---\n");
                out.push_str(&r);
                out.push('\n');
            }
            out.push_str(&crds());
        }
    }
    print!("{out}");
    Ok(())
}

/// Runs `rudder dependency list`.
pub fn run_dependency(cmd: DependencyCommand) -> Result<(), String> {
    let DependencyCommand::List(a) = cmd;
    let chart = load::load(&a.chart)?;
    if chart.metadata.dependencies.is_empty() {
        println!(
            "WARNING: no dependencies at {}",
            a.chart.join("charts").display()
        );
        return Ok(());
    }
    let mut rows = vec![[
        "NAME".to_string(),
        "VERSION".into(),
        "REPOSITORY".into(),
        "STATUS".into(),
    ]];
    for d in &chart.metadata.dependencies {
        let status = dependency_status(&a.chart, &chart, d);
        rows.push([
            d.name.clone(),
            d.version.clone(),
            d.repository.clone(),
            status,
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    println!("{out}");
    Ok(())
}

/// Helm's status column: `unpacked` (a directory), `ok` (a matching archive), `missing`,
/// `wrong version`, `misnamed`.
fn dependency_status(dir: &Path, chart: &Chart, d: &crate::chart::Dependency) -> String {
    let Some(sub) = chart.dependencies.iter().find(|c| c.name() == d.name) else {
        return "missing".into();
    };
    if !d.version.is_empty()
        && !crate::semver::is_compatible_range(&d.version, &sub.metadata.version)
    {
        return "wrong version".into();
    }
    let archive_exists = std::fs::read_dir(dir.join("charts"))
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&d.name) && n.ends_with(".tgz")
            })
        })
        .unwrap_or(false);
    if archive_exists {
        "ok".into()
    } else {
        "unpacked".into()
    }
}
