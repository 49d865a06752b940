//! Schemas for custom resources, taken from CustomResourceDefinitions: those among the
//! rendered documents and those in `--crds` files or directories.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::input::parse_all;

/// Most files read from one `--crds` directory tree (guards against pointing it at `/`).
const MAX_FILES: usize = 10_000;
/// Deepest directory recursion followed under a `--crds` directory.
const MAX_DIR_DEPTH: usize = 16;

/// Custom resource schemas keyed by `group/version/Kind`.
#[derive(Default)]
pub struct CrdSet {
    schemas: HashMap<String, Value>,
    /// Kind to the apiVersions its CRDs serve (for "not served" messages).
    kinds: HashMap<String, Vec<String>>,
}

/// What a CRD set knows about one apiVersion/kind.
pub enum Lookup<'a> {
    /// Served with this schema.
    Schema(&'a Value),
    /// Served, but the CRD gives no schema.
    NoSchema,
    /// The kind is defined by a CRD but not under this apiVersion; these are served.
    OtherVersions(&'a [String]),
    /// No CRD defines the kind.
    Unknown,
}

impl CrdSet {
    /// Adds every CustomResourceDefinition in `objects` (other objects are ignored);
    /// `kind: List` wrappers are looked into.
    pub fn add_objects<'v>(&mut self, objects: impl IntoIterator<Item = &'v Value>) {
        for obj in objects {
            match obj.get("kind").and_then(Value::as_str) {
                Some("CustomResourceDefinition") => self.add_crd(obj),
                Some("List") => {
                    if let Some(Value::Array(items)) = obj.get("items") {
                        self.add_objects(items);
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads CRDs from a YAML/JSON file or, recursively, every `.yaml`/`.yml`/`.json` file in
    /// a directory.
    pub fn add_path(&mut self, path: &Path) -> Result<(), String> {
        let mut files = Vec::new();
        collect_files(path, 0, &mut files)?;
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let docs = parse_all(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            self.add_objects(&docs);
        }
        Ok(())
    }

    fn add_crd(&mut self, crd: &Value) {
        let spec = &crd["spec"];
        let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str())
        else {
            return;
        };
        // apiextensions v1beta1 could give one schema for all versions.
        let shared = &spec["validation"]["openAPIV3Schema"];
        let mut versions: Vec<(String, &Value)> = Vec::new();
        if let Some(list) = spec["versions"].as_array() {
            for v in list {
                if v["served"].as_bool() == Some(false) {
                    continue;
                }
                if let Some(name) = v["name"].as_str() {
                    versions.push((name.to_string(), &v["schema"]["openAPIV3Schema"]));
                }
            }
        } else if let Some(name) = spec["version"].as_str() {
            versions.push((name.to_string(), &Value::Null));
        }
        for (version, schema) in versions {
            let schema = if schema.is_object() { schema } else { shared };
            let api_version = format!("{group}/{version}");
            let served = self.kinds.entry(kind.to_string()).or_default();
            if !served.contains(&api_version) {
                served.push(api_version.clone());
            }
            let key = format!("{api_version}/{kind}");
            if schema.is_object() {
                self.schemas.insert(key, with_object_fields(schema.clone()));
            } else {
                self.schemas.insert(key, Value::Null);
            }
        }
    }

    /// What is known about `apiVersion`/`kind`.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup<'_> {
        match self.schemas.get(&format!("{api_version}/{kind}")) {
            Some(Value::Null) => Lookup::NoSchema,
            Some(schema) => Lookup::Schema(schema),
            None => match self.kinds.get(kind) {
                Some(served) => Lookup::OtherVersions(served),
                None => Lookup::Unknown,
            },
        }
    }

    /// Number of apiVersion/kind pairs known.
    pub fn len(&self) -> usize {
        self.schemas.len()
    }

    /// Whether no CRD was loaded.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }
}

/// The API server accepts `apiVersion`, `kind` and `metadata` on every custom resource even
/// when the CRD schema does not list them; declare them so they are not "unknown fields".
/// (`metadata` is checked separately against ObjectMeta.)
fn with_object_fields(mut schema: Value) -> Value {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, s) in [
            ("apiVersion", json!({"type": "string"})),
            ("kind", json!({"type": "string"})),
            ("metadata", json!({"type": "object"})),
        ] {
            props.insert(name.to_string(), s);
        }
    }
    schema
}

fn collect_files(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth > MAX_DIR_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if out.len() >= MAX_FILES {
            return Err(format!("{}: more than {MAX_FILES} files", path.display()));
        }
        if entry.is_dir() {
            collect_files(&entry, depth + 1, out)?;
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(entry);
        }
    }
    Ok(())
}
