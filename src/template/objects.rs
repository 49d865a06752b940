//! Go values the executor itself creates: the receiver of `chartutil.Values` methods
//! (`.Values.AsMap`, `.Values.Table`) and `complex128` constants.

use super::funcs::Param;
use super::value::{MapKind, MapRef, Member, Object, Value};

/// The methods of Helm's `chartutil.Values` reachable from templates (`.Values.AsMap`,
/// `.Values.Table "a.b"`, `.Values.YAML`, `.Values.PathValue "a.b"`), with their parameters.
pub(crate) fn values_method(name: &str) -> Option<&'static [Param]> {
    match name {
        "AsMap" | "YAML" => Some(&[]),
        "Table" | "PathValue" => Some(&[Param::String]),
        _ => None,
    }
}

/// A `chartutil.Values` receiver for its methods.
#[derive(Debug)]
pub(crate) struct ValuesMethods(pub(crate) MapRef);

impl ValuesMethods {
    fn walk(&self, path: &str) -> Option<Value> {
        let mut cur = Value::Map(self.0.clone());
        for part in path.split('.') {
            cur = match cur {
                Value::Map(m) => m.get(part)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

impl Object for ValuesMethods {
    fn type_name(&self) -> &str {
        "chartutil.Values"
    }
    fn member(&self, _name: &str) -> Option<Member> {
        None
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let path = args.first().and_then(Value::as_str).unwrap_or_default();
        match name {
            "AsMap" => Ok(Value::Map(self.0.with_kind(MapKind::Plain))),
            "YAML" => crate::yaml::to_yaml(&Value::Map(self.0.clone())).map(Value::string),
            "Table" => match self.walk(path) {
                Some(Value::Map(m)) => Ok(Value::Map(m.with_kind(MapKind::Values))),
                _ => Err(format!("no table named {path:?}")),
            },
            "PathValue" => match self.walk(path) {
                Some(v) if !matches!(v, Value::Map(_)) => Ok(v),
                _ => Err(format!("no value for key {path:?}")),
            },
            _ => Err(format!("{name} is not a method")),
        }
    }
    fn format(&self) -> String {
        crate::template::format::fmt_v(&Value::Map(self.0.clone()))
    }
    fn to_data(&self) -> Value {
        Value::Map(self.0.clone())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A `complex128` constant (`1i`): templates can print and compare it, nothing more.
#[derive(Debug)]
pub(crate) struct Complex(pub(crate) f64, pub(crate) f64);

impl Object for Complex {
    fn type_name(&self) -> &str {
        "complex128"
    }
    fn kind_name(&self) -> &str {
        "complex128"
    }
    fn member(&self, _name: &str) -> Option<Member> {
        None
    }
    fn format(&self) -> String {
        let g = crate::template::format::format_float_g;
        let sign = if self.1 >= 0.0 || self.1.is_nan() {
            "+"
        } else {
            ""
        };
        format!("({}{sign}{}i)", g(self.0), g(self.1))
    }
    fn to_data(&self) -> Value {
        Value::Nil
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn truthy(&self) -> bool {
        self.0 != 0.0 || self.1 != 0.0
    }
}
