//! The `.Files` object (Helm's `engine.files`): the chart's non-template files with `Get`,
//! `GetBytes`, `Glob`, `Lines`, `AsConfig` and `AsSecrets`.

use crate::template::{Member, Object, Param, Value};
use base64::Engine as _;
use std::any::Any;
use std::sync::Arc;

/// A chart's files, sorted by path (Go ranges over them in byte order).
#[derive(Debug, Clone, Default)]
pub struct Files {
    entries: Arc<Vec<(String, Arc<[u8]>)>>,
}

impl Files {
    /// Builds the object from `(path, content)` pairs.
    pub fn new(mut entries: Vec<(String, Arc<[u8]>)>) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        Files {
            entries: Arc::new(entries),
        }
    }

    fn get(&self, path: &str) -> Option<&Arc<[u8]>> {
        self.entries
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, d)| d)
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map(|g| g.compile_matcher());
        let entries = match matcher {
            Ok(m) => self
                .entries
                .iter()
                .filter(|(p, _)| m.is_match(p))
                .cloned()
                .collect(),
            // gobwas/glob failures leave Helm matching everything.
            Err(_) => self.entries.to_vec(),
        };
        Files {
            entries: Arc::new(entries),
        }
    }

    fn lines(&self, path: &str) -> Result<Value, String> {
        let Some(data) = self.get(path) else {
            return Ok(Value::typed_list(
                crate::template::SliceKind::String,
                Vec::new(),
            ));
        };
        if data.is_empty() {
            return Err("runtime error: index out of range [-1]".into());
        }
        let text = crate::text::lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(Value::typed_list(
            crate::template::SliceKind::String,
            text.split('\n').map(Value::str).collect(),
        ))
    }

    /// `{basename: content}` as Helm's `toYaml` prints it; later paths win on equal names
    /// (Go's map iteration makes the winner random; sorted order keeps ours stable).
    fn as_map(&self, secrets: bool) -> String {
        if self.entries.is_empty() {
            return String::new();
        }
        let mut m = crate::template::Map::new();
        for (path, data) in self.entries.iter() {
            let base = path.rsplit('/').next().unwrap_or(path).to_string();
            let v = if secrets {
                base64::engine::general_purpose::STANDARD.encode(data)
            } else {
                crate::text::lossy(data).into_owned()
            };
            m.insert(base, Value::string(v));
        }
        crate::yaml::to_yaml_helm(&Value::map(m))
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    fn member(&self, name: &str) -> Option<Member> {
        const STR: &[Param] = &[Param::String];
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(Member::Method {
                params: STR,
                variadic: None,
            }),
            "AsConfig" | "AsSecrets" => Some(Member::Method {
                params: &[],
                variadic: None,
            }),
            // Any other name is a map key: missing keys give an empty byte slice.
            _ => Some(Member::Field(Value::Bytes(
                self.get(name)
                    .cloned()
                    .unwrap_or_else(|| Arc::from(&[][..])),
            ))),
        }
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let arg = args.first().and_then(Value::as_str).unwrap_or_default();
        match name {
            "Get" => Ok(Value::string(
                self.get(arg)
                    .map(|d| crate::text::lossy(d).into_owned())
                    .unwrap_or_default(),
            )),
            "GetBytes" => Ok(Value::Bytes(
                self.get(arg).cloned().unwrap_or_else(|| Arc::from(&[][..])),
            )),
            "Glob" => Ok(Value::Object(Arc::new(self.glob(arg)))),
            "Lines" => self.lines(arg),
            "AsConfig" => Ok(Value::string(self.as_map(false))),
            "AsSecrets" => Ok(Value::string(self.as_map(true))),
            _ => Err(format!("{name} is not a method")),
        }
    }
    fn format(&self) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}:{}",
                    crate::template::format::fmt_v(&Value::Bytes(v.clone()))
                )
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        let m = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
            .collect();
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        Some(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }
    fn len(&self) -> Option<usize> {
        Some(self.entries.len())
    }
    /// A Go map or slice is true when it is not empty.
    fn truthy(&self) -> bool {
        self.len().unwrap_or(0) > 0
    }
}
