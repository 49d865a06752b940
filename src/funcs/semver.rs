//! Sprig/Helm functions: `semver` and `semverCompare`, on top of [`crate::semver`]
//! (Masterminds/semver v3.3.0 semantics).
//!
//! `semver` returns a `*semver.Version` object. Its `Inc*` methods return a `semver.Version`
//! *value*, on which Go only exposes the value-receiver methods (so `.IncMajor.Original` is an
//! error in Helm); [`VersionObj::pointer`] models that difference.

use crate::semver::{Constraints, Version};
use crate::template::{FuncMap, Member, Object, Param, Runtime, Value};
use std::any::Any;
use std::cmp::Ordering;
use std::sync::Arc;

/// A Masterminds `Version` in a template.
#[derive(Debug, Clone)]
pub struct VersionObj {
    /// The version.
    pub version: Version,
    /// `*semver.Version` (all methods) vs `semver.Version` (value-receiver methods only).
    pub pointer: bool,
}

impl VersionObj {
    /// Wraps a version as a template value.
    pub fn value(version: Version, pointer: bool) -> Value {
        Value::Object(Arc::new(VersionObj { version, pointer }))
    }
}

/// Methods with arguments: (name, arity, needs a pointer receiver).
const METHODS: &[(&str, usize, bool)] = &[
    ("Compare", 1, true),
    ("LessThan", 1, true),
    ("LessThanEqual", 1, true),
    ("GreaterThan", 1, true),
    ("GreaterThanEqual", 1, true),
    ("Equal", 1, true),
];

impl Object for VersionObj {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }
    fn kind_name(&self) -> &str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }
    fn member(&self, name: &str) -> Option<Member> {
        if let Some((_, arity, ptr)) = METHODS.iter().find(|(m, _, _)| *m == name) {
            return (self.pointer || !ptr).then_some(Member::Method {
                params: crate::template::funcs::any_params(*arity),
                variadic: None,
            });
        }
        let v = &self.version;
        let to_u = |n: u64| Value::Int64(i64::try_from(n).unwrap_or(i64::MAX));
        Some(Member::Field(match name {
            "Major" => to_u(v.major),
            "Minor" => to_u(v.minor),
            "Patch" => to_u(v.patch),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "String" => Value::string(v.to_string()),
            "Original" if self.pointer => Value::str(&v.original),
            "IncMajor" => VersionObj::value(v.inc_major(), false),
            "IncMinor" => VersionObj::value(v.inc_minor(), false),
            "IncPatch" => VersionObj::value(v.inc_patch(), false),
            _ => return None,
        }))
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let other = match args.first() {
            Some(Value::Object(o)) => o
                .as_any()
                .downcast_ref::<VersionObj>()
                .filter(|v| v.pointer)
                .map(|v| v.version.clone()),
            _ => None,
        };
        let Some(other) = other else {
            let got = args.first().map_or("<nil>", Value::type_name);
            return Err(format!(
                "wrong type for value; expected *semver.Version; got {got}"
            ));
        };
        let ord = self.version.compare(&other);
        Ok(match name {
            "Compare" => Value::Int(match ord {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            "LessThan" => Value::Bool(ord == Ordering::Less),
            "LessThanEqual" => Value::Bool(ord != Ordering::Greater),
            "GreaterThan" => Value::Bool(ord == Ordering::Greater),
            "GreaterThanEqual" => Value::Bool(ord != Ordering::Less),
            "Equal" => Value::Bool(ord == Ordering::Equal),
            _ => return Err(format!("{name} is not a method")),
        })
    }
    fn format(&self) -> String {
        self.version.to_string()
    }
    fn to_data(&self) -> Value {
        // MarshalJSON writes the canonical string.
        Value::string(self.version.to_string())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// sprig's `semverCompare constraint version`.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraints::parse(constraint)?;
    let v = Version::parse(version)?;
    Ok(c.check(&v))
}

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("semver", &[Param::String], |_: &mut dyn Runtime, a| {
        let s = a.first().and_then(Value::as_str).unwrap_or("");
        Ok(VersionObj::value(Version::parse(s)?, true))
    });
    m.add(
        "semverCompare",
        &[Param::String, Param::String],
        |_: &mut dyn Runtime, a| {
            let c = a.first().and_then(Value::as_str).unwrap_or("");
            let v = a.get(1).and_then(Value::as_str).unwrap_or("");
            Ok(Value::Bool(semver_compare(c, v)?))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_versions_hide_pointer_methods() {
        let v = Version::parse("v1.2.3").unwrap();
        let p = VersionObj {
            version: v.clone(),
            pointer: true,
        };
        assert!(matches!(p.member("Original"), Some(Member::Field(_))));
        let inc = match p.member("IncMajor") {
            Some(Member::Field(Value::Object(o))) => o,
            _ => panic!("IncMajor should be a field"),
        };
        assert_eq!(inc.type_name(), "semver.Version");
        assert_eq!(inc.format(), "2.0.0");
        assert!(inc.member("Original").is_none());
        assert!(inc.member("Compare").is_none());
    }

    #[test]
    fn compare_method() {
        let a = VersionObj {
            version: Version::parse("2.0.0").unwrap(),
            pointer: true,
        };
        let b = VersionObj::value(Version::parse("1.0.0").unwrap(), true);
        assert!(matches!(a.call("Compare", &[b]), Ok(Value::Int(1))));
        assert!(a.call("Compare", &[Value::str("1.0.0")]).is_err());
    }
}
