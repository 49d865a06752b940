//! The chart model and loader: Chart.yaml, values, templates, files, subcharts
//! (Helm's `pkg/chart` and `pkg/chart/loader`).

pub mod archive;
pub mod capabilities;
pub mod deps;
pub mod files;
pub mod ignore;
pub mod jsonschema;
pub mod load;
pub mod metadata;
pub mod object;
pub mod schema;
pub mod strvals;
pub mod values;

pub use metadata::{Dependency, Maintainer, Metadata};

use crate::template::{MapRef, Value};

/// Chart files as `(chart-relative path, content)`.
pub type FileList = Vec<(String, Arc<[u8]>)>;
use std::sync::Arc;

/// A loaded chart with its subcharts.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// Chart.yaml (plus requirements.yaml dependencies).
    pub metadata: Metadata,
    /// Default values (values.yaml, first document).
    pub values: MapRef,
    /// values.schema.json.
    pub schema: Option<Arc<[u8]>>,
    /// `templates/**` files, chart-relative names, in load order.
    pub templates: Vec<(String, Arc<[u8]>)>,
    /// Every other file (`.Files`), in load order.
    pub files: Vec<(String, Arc<[u8]>)>,
    /// Loaded subcharts (after dependency processing: enabled ones, aliased names).
    pub dependencies: Vec<Chart>,
    /// Chart.lock / requirements.lock, as loaded.
    pub lock: Option<Value>,
    /// Helm's `ChartFullPath`: `parent/charts/child`; set by [`Chart::set_paths`].
    pub full_path: String,
    /// Whether this is the top chart.
    pub is_root: bool,
}

impl Chart {
    /// The chart's name (an alias after dependency processing).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Sets `full_path` and `is_root` for this chart and its subcharts.
    pub fn set_paths(&mut self, parent: Option<&str>) {
        self.is_root = parent.is_none();
        self.full_path = match parent {
            None => self.metadata.name.clone(),
            Some(p) => format!("{p}/charts/{}", self.metadata.name),
        };
        let path = self.full_path.clone();
        for d in &mut self.dependencies {
            d.set_paths(Some(&path));
        }
    }

    /// CRD files of this chart then of its subcharts (`crds/*.yaml|yml|json`).
    pub fn crd_objects(&self) -> Vec<(String, Arc<[u8]>)> {
        let mut out = Vec::new();
        for (name, data) in &self.files {
            if !name.starts_with("crds/") {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
                out.push((format!("{}/{}", self.full_path, name), data.clone()));
            }
        }
        for d in &self.dependencies {
            out.extend(d.crd_objects());
        }
        out
    }
}

/// Converts parsed JSON into a template value (numbers become float64, as Go's decoder does).
pub fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
    }
}
