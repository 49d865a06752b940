//! Schemas for custom resources, taken from CustomResourceDefinitions: those among the
//! rendered documents and those in `--crds` files or directories.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::input::{parse_crd, split_documents};
use crate::par::par_map;

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
                Some("CustomResourceDefinition") => self.add_crd(obj.clone()),
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
    ///
    /// With `wanted` set, only documents that name one of those kinds after a `kind:` key are
    /// parsed: CRD files are large (kube-prometheus-stack's are 4.4 MB) and YAML parsing them
    /// dominates the run time, while a CRD always spells its kind out in `spec.names.kind`.
    pub fn add_path(&mut self, path: &Path, wanted: Option<&HashSet<&str>>) -> Result<(), String> {
        let mut files = Vec::new();
        collect_files(path, 0, &mut files)?;
        let mut texts = Vec::new();
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            texts.push((file, text));
        }
        let mut chunks = Vec::new();
        for (file, text) in &texts {
            for chunk in split_documents(text) {
                if wanted.is_none_or(|kinds| names_any_kind(chunk.text, kinds)) {
                    chunks.push((file, chunk));
                }
            }
        }
        // Largest first, so parallel workers finish together.
        chunks.sort_by_key(|(_, c)| std::cmp::Reverse(c.text.len()));
        let parsed = par_map(&chunks, |(file, chunk)| {
            parse_crd(chunk.text)
                .map_err(|e| format!("{} (line {}): {e}", file.display(), chunk.line))
        });
        for doc in parsed {
            match doc? {
                Some(doc) if doc["kind"] == "CustomResourceDefinition" => self.add_crd(doc),
                Some(doc) => self.add_objects([&doc]),
                None => {}
            }
        }
        Ok(())
    }

    /// Records a CRD's served versions and schemas; takes the CRD by value so the (large)
    /// schemas are moved, not copied.
    fn add_crd(&mut self, mut crd: Value) {
        let mut spec = crd.get_mut("spec").map(Value::take).unwrap_or_default();
        let (Some(group), Some(kind)) = (
            spec["group"].as_str().map(str::to_string),
            spec["names"]["kind"].as_str().map(str::to_string),
        ) else {
            return;
        };
        // apiextensions v1beta1 could give one schema for all versions.
        let shared = spec
            .pointer_mut("/validation/openAPIV3Schema")
            .map(Value::take);
        let mut versions: Vec<(String, Option<Value>)> = Vec::new();
        if let Some(list) = spec.get_mut("versions").and_then(Value::as_array_mut) {
            for v in list {
                if v["served"].as_bool() == Some(false) {
                    continue;
                }
                if let Some(name) = v["name"].as_str().map(str::to_string) {
                    versions.push((
                        name,
                        v.pointer_mut("/schema/openAPIV3Schema").map(Value::take),
                    ));
                }
            }
        } else if let Some(name) = spec["version"].as_str() {
            versions.push((name.to_string(), None));
        }
        for (version, schema) in versions {
            let schema = schema.filter(Value::is_object).or_else(|| shared.clone());
            let api_version = format!("{group}/{version}");
            let served = self.kinds.entry(kind.clone()).or_default();
            if !served.contains(&api_version) {
                served.push(api_version.clone());
            }
            let key = format!("{api_version}/{kind}");
            match schema.filter(Value::is_object) {
                Some(schema) => self.schemas.insert(key, with_object_fields(schema)),
                None => self.schemas.insert(key, Value::Null),
            };
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

/// Whether `text` has one of `kinds` as the value of a `kind` key (`kind: K`, `kind: "K"`,
/// `"kind": "K"`, also inside flow mappings). May say yes for a mere mention; never says no
/// for a document that defines one of the kinds. One pass over the `kind` keys.
fn names_any_kind(text: &str, kinds: &HashSet<&str>) -> bool {
    let quotes = ['"', '\''];
    text.match_indices("kind").any(|(at, _)| {
        let rest = text[at + 4..].trim_start_matches(quotes);
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let rest = rest
            .trim_start_matches([' ', '\t'])
            .trim_start_matches(quotes);
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(rest.len());
        kinds.contains(&rest[..end])
    })
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

#[cfg(test)]
mod tests {
    use super::names_any_kind;
    use std::collections::HashSet;

    #[test]
    fn kind_prefilter_finds_every_spelling() {
        let wanted: HashSet<&str> = ["Widget"].into_iter().collect();
        let names_kind = |text: &str| names_any_kind(text, &wanted);
        assert!(names_kind("spec:\n  names:\n    kind: Widget\n"));
        assert!(names_kind("names: {kind: Widget, plural: widgets}"));
        assert!(names_kind("{\"names\": {\"kind\": \"Widget\"}}"));
        assert!(names_kind("kind: 'Widget'\n"));
        assert!(!names_kind("listKind: WidgetList\n"));
        assert!(!names_kind("description: a Widget is nice\n"));
        assert!(!names_kind("kind: WidgetList\n"));
    }
}
