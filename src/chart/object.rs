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
    /// `String()` has a pointer receiver: only the addressable field (an action printing it)
    /// has it; a copy passed to a function (`printf "%v"`, `quote`) prints the fields.
    pub pointer_stringer: bool,
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
        self.field_layout()
    }
    fn format_value(&self) -> String {
        if self.pointer_stringer {
            return self.field_layout();
        }
        self.format()
    }
    fn to_data(&self) -> Value {
        match &self.data {
            Value::Object(o) => o.to_data(),
            d => d.clone(),
        }
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        match &self.data {
            Value::Object(o) => o.json_fields(),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl StructObject {
    /// Go's `%v` of a struct without methods: `{f1 f2 ...}`.
    fn field_layout(&self) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(_, v)| crate::template::format::fmt_v(v))
            .collect();
        format!("{{{}}}", parts.join(" "))
    }
}

/// A Go struct as `encoding/json` sees it: its fields in declaration order under their JSON
/// names (omitempty already applied). `toJson` keeps that order; everything that goes through
/// a map (`toYaml`, `toToml`) sees [`Object::to_data`]'s sorted map.
#[derive(Debug, Clone)]
pub struct JsonStruct(pub Vec<(String, Value)>);

impl JsonStruct {
    /// Wraps the fields as a template value.
    pub fn value(fields: Vec<(String, Value)>) -> Value {
        Value::Object(Arc::new(JsonStruct(fields)))
    }
}

impl Object for JsonStruct {
    fn type_name(&self) -> &str {
        "map[string]interface {}"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    fn member(&self, _name: &str) -> Option<Member> {
        None
    }
    fn format(&self) -> String {
        crate::template::format::fmt_v(&self.to_data())
    }
    fn to_data(&self) -> Value {
        Value::map(self.0.iter().cloned().collect())
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(self.0.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kube() -> StructObject {
        StructObject {
            type_name: "chartutil.KubeVersion".into(),
            fields: vec![
                ("Version", Value::str("v1.32.0")),
                ("Major", Value::str("1")),
            ],
            stringer: Some("v1.32.0".into()),
            data: JsonStruct::value(vec![
                ("Version".into(), Value::str("v1.32.0")),
                ("Major".into(), Value::str("1")),
            ]),
            display: None,
            pointer_stringer: true,
        }
    }

    #[test]
    fn pointer_stringer_applies_only_to_the_addressable_value() {
        let k = kube();
        assert_eq!(k.format(), "v1.32.0");
        assert_eq!(k.format_value(), "{v1.32.0 1}");
        let v = k.into_value();
        assert_eq!(crate::template::format::fmt_v(&v), "{v1.32.0 1}");
        let mut action = String::new();
        crate::template::format::write_v(&mut action, &v, 0);
        assert_eq!(action, "v1.32.0");
    }

    #[test]
    fn json_keeps_field_order_and_maps_sort() {
        let v = kube().into_value();
        assert_eq!(
            crate::yaml::to_json(&v, true, None).unwrap(),
            r#"{"Version":"v1.32.0","Major":"1"}"#
        );
        assert_eq!(
            crate::yaml::to_yaml(&v).unwrap(),
            "Major: \"1\"\nVersion: v1.32.0\n"
        );
    }
}
