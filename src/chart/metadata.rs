//! Chart.yaml (`chart.Metadata`): decoding with sigs.k8s.io/yaml's scalar-to-string coercion,
//! validation with Helm's messages, and the `.Chart` template object.

use super::object::{JsonStruct, StructObject};
use crate::template::{format, Map, Value};
use std::collections::BTreeMap;

/// A maintainer entry.
#[derive(Clone, Debug, Default)]
pub struct Maintainer {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// URL.
    pub url: String,
}

/// A dependency entry (Chart.yaml `dependencies` or requirements.yaml).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    /// Chart name.
    pub name: String,
    /// Version range.
    pub version: String,
    /// Repository URL.
    pub repository: String,
    /// Comma-separated condition paths.
    pub condition: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Enabled (computed).
    pub enabled: bool,
    /// import-values items (strings or `{child, parent}` maps).
    pub import_values: Vec<Value>,
    /// Alias.
    pub alias: String,
}

/// Chart.yaml.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// name.
    pub name: String,
    /// home.
    pub home: String,
    /// sources.
    pub sources: Vec<String>,
    /// version.
    pub version: String,
    /// description.
    pub description: String,
    /// keywords.
    pub keywords: Vec<String>,
    /// maintainers.
    pub maintainers: Vec<Maintainer>,
    /// icon.
    pub icon: String,
    /// apiVersion.
    pub api_version: String,
    /// condition.
    pub condition: String,
    /// tags.
    pub tags: String,
    /// appVersion.
    pub app_version: String,
    /// deprecated.
    pub deprecated: bool,
    /// annotations.
    pub annotations: BTreeMap<String, String>,
    /// kubeVersion.
    pub kube_version: String,
    /// dependencies.
    pub dependencies: Vec<Dependency>,
    /// type.
    pub chart_type: String,
}

/// A YAML scalar as sigs.k8s.io/yaml turns it into a Go string field: numbers through float32
/// `%g` (so `1.10` becomes `1.1`), booleans as words.
fn scalar_string(v: &Value, field: &str) -> Result<String, String> {
    match v {
        Value::Nil => Ok(String::new()),
        Value::String(s) => Ok(s.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Ok(i.to_string()),
        Value::Float(f) => Ok(format_float32_g(*f)),
        other => Err(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type string",
            json_kind(other)
        )),
    }
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 32)`.
pub fn format_float32_g(x: f64) -> String {
    let f = x as f32;
    if f == f.trunc() && f.abs() < 1e21 && (f.abs() < 1e6 || f == 0.0) {
        return format!("{}", f as i64);
    }
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let frac = if digits.len() > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{neg}{}{frac}e{sign}{:02}", &digits[..1], exp.abs());
    }
    format!("{neg}{}", format::plain_decimal(&digits, exp))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        _ => "number",
    }
}

fn field<'m>(m: &'m Map, key: &str) -> Option<&'m Value> {
    m.get(key)
}

fn string_field(m: &Map, key: &str, go: &str) -> Result<String, String> {
    field(m, key)
        .map(|v| scalar_string(v, go))
        .unwrap_or(Ok(String::new()))
}

fn string_list(m: &Map, key: &str, go: &str) -> Result<Vec<String>, String> {
    match field(m, key) {
        None | Some(Value::Nil) => Ok(Vec::new()),
        Some(Value::List(l)) => l.items.iter().map(|v| scalar_string(v, go)).collect(),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go struct field {go} of type []string",
            json_kind(other)
        )),
    }
}

impl Metadata {
    /// Decodes Chart.yaml's parsed document. Fields absent here keep their current values,
    /// as `yaml.Unmarshal` into an existing struct does (requirements.yaml is merged this way).
    pub fn merge_from(&mut self, doc: &Value) -> Result<(), String> {
        let Value::Map(m) = doc else {
            if doc.is_nil() {
                return Ok(());
            }
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                json_kind(doc)
            ));
        };
        let m = m.read();
        macro_rules! s {
            ($key:literal, $go:literal, $dst:expr) => {
                if m.contains_key($key) {
                    $dst = string_field(&m, $key, $go)?;
                }
            };
        }
        s!("name", "Metadata.name", self.name);
        s!("home", "Metadata.home", self.home);
        s!("version", "Metadata.version", self.version);
        s!("description", "Metadata.description", self.description);
        s!("icon", "Metadata.icon", self.icon);
        s!("apiVersion", "Metadata.apiVersion", self.api_version);
        s!("condition", "Metadata.condition", self.condition);
        s!("tags", "Metadata.tags", self.tags);
        s!("appVersion", "Metadata.appVersion", self.app_version);
        s!("kubeVersion", "Metadata.kubeVersion", self.kube_version);
        s!("type", "Metadata.type", self.chart_type);
        if m.contains_key("sources") {
            self.sources = string_list(&m, "sources", "Metadata.sources")?;
        }
        if m.contains_key("keywords") {
            self.keywords = string_list(&m, "keywords", "Metadata.keywords")?;
        }
        if let Some(v) = field(&m, "deprecated") {
            self.deprecated = v.truthy();
        }
        if let Some(Value::Map(a)) = field(&m, "annotations") {
            self.annotations = a
                .read()
                .iter()
                .map(|(k, v)| Ok((k.clone(), scalar_string(v, "Metadata.annotations")?)))
                .collect::<Result<_, String>>()?;
        }
        if let Some(v) = field(&m, "maintainers") {
            self.maintainers = match v {
                Value::List(l) => l
                    .items
                    .iter()
                    .map(|item| {
                        let Value::Map(mm) = item else {
                            return Ok(None);
                        };
                        let mm = mm.read();
                        Ok(Some(Maintainer {
                            name: string_field(&mm, "name", "Maintainer.name")?,
                            email: string_field(&mm, "email", "Maintainer.email")?,
                            url: string_field(&mm, "url", "Maintainer.url")?,
                        }))
                    })
                    .collect::<Result<Vec<_>, String>>()?
                    .into_iter()
                    .map(|m| m.ok_or_else(|| "validation: chart.metadata.maintainers must not contain empty or null nodes".to_string()))
                    .collect::<Result<_, _>>()?,
                _ => Vec::new(),
            };
        }
        if let Some(v) = field(&m, "dependencies") {
            self.dependencies = match v {
                Value::List(l) => l
                    .items
                    .iter()
                    .map(|item| match item {
                        Value::Map(dm) => parse_dependency(&dm.read()),
                        _ => Err(
                            "validation: dependencies must not contain empty or null nodes"
                                .to_string(),
                        ),
                    })
                    .collect::<Result<_, _>>()?,
                _ => Vec::new(),
            };
        }
        Ok(())
    }

    /// `Metadata.Validate` (the parts `helm template` runs into).
    pub fn validate(&mut self, dir_name: Option<&str>) -> Result<(), String> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err("validation: chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return Err("validation: chart.metadata.name is required".into());
        }
        if let Some(base) = dir_name {
            let _ = base;
        }
        if self.name != self.name.rsplit('/').next().unwrap_or(&self.name)
            || self.name.contains('\\')
        {
            return Err(format!(
                "validation: chart.metadata.name {:?} is invalid",
                self.name
            ));
        }
        if self.version.is_empty() {
            return Err("validation: chart.metadata.version is required".into());
        }
        if crate::semver::parse_version(&self.version).is_err() {
            return Err(format!(
                "validation: chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err("validation: chart.metadata.type must be application or library".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &self.dependencies {
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "validation: dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "validation: more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// The `.Chart` object: Helm 3's `struct { chart.Metadata; IsRoot bool }`.
    pub fn to_object(&self, is_root: bool) -> Value {
        let strs = |v: &[String]| {
            Value::typed_list(
                crate::template::SliceKind::String,
                v.iter().map(|s| Value::str(s)).collect(),
            )
        };
        let annotations = Value::map(
            self.annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect(),
        );
        let maintainers = Value::list(self.maintainers.iter().map(maintainer_object).collect());
        let deps = Value::list(self.dependencies.iter().map(dependency_object).collect());
        let fields = vec![
            ("Name", Value::str(&self.name)),
            ("Home", Value::str(&self.home)),
            ("Sources", strs(&self.sources)),
            ("Version", Value::str(&self.version)),
            ("Description", Value::str(&self.description)),
            ("Keywords", strs(&self.keywords)),
            ("Maintainers", maintainers),
            ("Icon", Value::str(&self.icon)),
            ("APIVersion", Value::str(&self.api_version)),
            ("Condition", Value::str(&self.condition)),
            ("Tags", Value::str(&self.tags)),
            ("AppVersion", Value::str(&self.app_version)),
            ("Deprecated", Value::Bool(self.deprecated)),
            ("Annotations", annotations.clone()),
            ("KubeVersion", Value::str(&self.kube_version)),
            ("Dependencies", deps),
            ("Type", Value::str(&self.chart_type)),
            ("IsRoot", Value::Bool(is_root)),
        ];
        // encoding/json's view: the embedded Metadata's fields in declaration order under
        // their json tags (all omitempty but `IsRoot`), then IsRoot.
        let mut data: Vec<(String, Value)> = Vec::new();
        let mut put = |k: &str, v: Value, empty: bool| {
            if !empty {
                data.push((k.to_string(), v));
            }
        };
        put("name", Value::str(&self.name), self.name.is_empty());
        put("home", Value::str(&self.home), self.home.is_empty());
        put("sources", strs(&self.sources), self.sources.is_empty());
        put(
            "version",
            Value::str(&self.version),
            self.version.is_empty(),
        );
        let desc = &self.description;
        put("description", Value::str(desc), desc.is_empty());
        put("keywords", strs(&self.keywords), self.keywords.is_empty());
        let ms = Value::list(self.maintainers.iter().map(maintainer_data).collect());
        put("maintainers", ms, self.maintainers.is_empty());
        put("icon", Value::str(&self.icon), self.icon.is_empty());
        let api = &self.api_version;
        put("apiVersion", Value::str(api), api.is_empty());
        put(
            "condition",
            Value::str(&self.condition),
            self.condition.is_empty(),
        );
        put("tags", Value::str(&self.tags), self.tags.is_empty());
        let app = &self.app_version;
        put("appVersion", Value::str(app), app.is_empty());
        put("deprecated", Value::Bool(true), !self.deprecated);
        put("annotations", annotations, self.annotations.is_empty());
        let kube = &self.kube_version;
        put("kubeVersion", Value::str(kube), kube.is_empty());
        let ds = Value::list(self.dependencies.iter().map(dependency_data).collect());
        put("dependencies", ds, self.dependencies.is_empty());
        put(
            "type",
            Value::str(&self.chart_type),
            self.chart_type.is_empty(),
        );
        put("IsRoot", Value::Bool(is_root), false);
        // Go prints the embedded Metadata as its own `{...}` before IsRoot.
        let meta: Vec<String> = fields[..fields.len() - 1]
            .iter()
            .map(|(_, v)| crate::template::format::fmt_v(v))
            .collect();
        let display = Some(format!("{{{{{}}} {is_root}}}", meta.join(" ")));
        StructObject {
            type_name: "struct { chart.Metadata; IsRoot bool }".into(),
            fields,
            stringer: None,
            data: JsonStruct::value(data),
            display,
            pointer_stringer: false,
        }
        .into_value()
    }
}

fn parse_dependency(m: &Map) -> Result<Dependency, String> {
    Ok(Dependency {
        name: string_field(m, "name", "Dependency.name")?,
        version: string_field(m, "version", "Dependency.version")?,
        repository: string_field(m, "repository", "Dependency.repository")?,
        condition: string_field(m, "condition", "Dependency.condition")?,
        tags: string_list(m, "tags", "Dependency.tags")?,
        enabled: m.get("enabled").is_some_and(Value::truthy),
        import_values: match m.get("import-values") {
            Some(Value::List(l)) => l.items.clone(),
            _ => Vec::new(),
        },
        alias: string_field(m, "alias", "Dependency.alias")?,
    })
}

fn maintainer_object(m: &Maintainer) -> Value {
    StructObject {
        type_name: "*chart.Maintainer".into(),
        fields: vec![
            ("Name", Value::str(&m.name)),
            ("Email", Value::str(&m.email)),
            ("URL", Value::str(&m.url)),
        ],
        stringer: None,
        data: maintainer_data(m),
        display: None,
        pointer_stringer: false,
    }
    .into_value()
}

fn maintainer_data(m: &Maintainer) -> Value {
    let fields = [("name", &m.name), ("email", &m.email), ("url", &m.url)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), Value::str(v)))
        .collect();
    JsonStruct::value(fields)
}

fn dependency_object(d: &Dependency) -> Value {
    StructObject {
        type_name: "*chart.Dependency".into(),
        fields: vec![
            ("Name", Value::str(&d.name)),
            ("Version", Value::str(&d.version)),
            ("Repository", Value::str(&d.repository)),
            ("Condition", Value::str(&d.condition)),
            (
                "Tags",
                Value::typed_list(
                    crate::template::SliceKind::String,
                    d.tags.iter().map(|s| Value::str(s)).collect(),
                ),
            ),
            ("Enabled", Value::Bool(d.enabled)),
            ("ImportValues", Value::list(d.import_values.clone())),
            ("Alias", Value::str(&d.alias)),
        ],
        stringer: None,
        data: dependency_data(d),
        display: None,
        pointer_stringer: false,
    }
    .into_value()
}

fn dependency_data(d: &Dependency) -> Value {
    // chart.Dependency's json tags, in declaration order; all but name/repository omitempty.
    let mut f: Vec<(String, Value)> = vec![("name".into(), Value::str(&d.name))];
    if !d.version.is_empty() {
        f.push(("version".into(), Value::str(&d.version)));
    }
    f.push(("repository".into(), Value::str(&d.repository)));
    if !d.condition.is_empty() {
        f.push(("condition".into(), Value::str(&d.condition)));
    }
    if !d.tags.is_empty() {
        let tags = d.tags.iter().map(|s| Value::str(s)).collect();
        f.push(("tags".into(), Value::list(tags)));
    }
    if d.enabled {
        f.push(("enabled".into(), Value::Bool(true)));
    }
    if !d.import_values.is_empty() {
        f.push(("import-values".into(), Value::list(d.import_values.clone())));
    }
    if !d.alias.is_empty() {
        f.push(("alias".into(), Value::str(&d.alias)));
    }
    JsonStruct::value(f)
}

/// Helm's `sanitizeString`: every Unicode space becomes a plain space, non-printables go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}
