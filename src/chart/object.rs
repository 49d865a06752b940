//! Go structs of Helm's render context as template objects: `.Chart`, `.Capabilities` and its
//! parts. A [`StructObject`] has named fields (in Go declaration order), optional Stringer text
//! and the JSON form `toYaml`/`toJson` see.

use crate::template::{Member, Object, Param, Value};
use std::any::Any;
use std::sync::Arc;

/// A Go struct: fields by name, how `fmt` prints it, and its `encoding/json` form.
#[derive(Debug, Clone)]
pub struct StructObject {
    /// Go type name (`typeOf`).
    pub type_name: String,
    /// Fields in declaration order.
    pub fields: Vec<(&'static str, Value)>,
    /// What `String()` returns, for types that are `fmt.Stringer`s.
    pub stringer: Option<String>,
    /// The JSON view (struct tags applied).
    pub data: Value,
    /// How `%v` prints it when that is not the plain field list (embedded structs).
    pub display: Option<String>,
}

impl StructObject {
    /// Wraps the struct as a template value.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }
}

impl Object for StructObject {
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn member(&self, name: &str) -> Option<Member> {
        if self.stringer.is_some() && (name == "String" || name == "GitVersion") {
            return Some(Member::Method {
                params: &[],
                variadic: None,
            });
        }
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Member::Field(v.clone()))
    }
    fn call(&self, name: &str, _args: &[Value]) -> Result<Value, String> {
        match (&self.stringer, name) {
            (Some(s), "String" | "GitVersion") => Ok(Value::str(s)),
            _ => Err(format!("{name} is not a method")),
        }
    }
    fn format(&self) -> String {
        if let Some(s) = self.stringer.as_ref().or(self.display.as_ref()) {
            return s.clone();
        }
        // Go's %v of a struct: `{f1 f2 ...}`.
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(_, v)| crate::template::format::fmt_v(v))
            .collect();
        format!("{{{}}}", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        self.data.clone()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.APIVersions` (`chartutil.VersionSet`): a string slice with `Has`.
#[derive(Debug, Clone)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn kind_name(&self) -> &str {
        "slice"
    }
    fn member(&self, name: &str) -> Option<Member> {
        (name == "Has").then_some(Member::Method {
            params: &[Param::String],
            variadic: None,
        })
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args.first()) {
            ("Has", Some(Value::String(s))) => Ok(Value::Bool(self.0.iter().any(|v| v == &**s))),
            _ => Err(format!("{name} is not a method")),
        }
    }
    fn format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn to_data(&self) -> Value {
        Value::typed_list(
            crate::template::SliceKind::String,
            self.0.iter().map(|s| Value::str(s)).collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    /// A Go map or slice is true when it is not empty.
    fn truthy(&self) -> bool {
        self.len().unwrap_or(0) > 0
    }
}
