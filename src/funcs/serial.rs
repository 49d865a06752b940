//! Sprig/Helm functions: serial group (YAML, JSON, TOML in and out).
//!
//! Helm's versions turn errors into data: `toYaml`/`toJson` return `""`, `fromYaml`/`fromJson`
//! return `map[Error:<msg>]`, the `*Array` forms a one-element list holding the message,
//! `toToml` the error text. Sprig's `must*` forms fail the template instead; `toRawJson`
//! panics (which text/template reports as an error too).

use crate::template::funcs::Param;
use crate::template::value::{Map, Value};
use crate::template::FuncMap;
use crate::yaml;

fn arg(args: &[Value]) -> Value {
    args.first().cloned().unwrap_or(Value::Nil)
}

fn str_arg(args: &[Value]) -> String {
    args.first()
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Helm trims exactly one trailing newline from the YAML encoders' output.
fn trim_one_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// A map holding only `Error: msg` (or `m` plus it).
fn with_error(m: Map, msg: String) -> Value {
    let mut m = m;
    m.insert("Error".into(), Value::string(msg));
    Value::map(m)
}

/// Helm's `fromJson`: decode into a map; errors become an `Error` entry.
fn from_json_map(s: &str) -> Value {
    match yaml::jsonparse::from_json_partial(s) {
        Err(yaml::jsonparse::JsonError::Syntax(e)) => with_error(Map::new(), e),
        // A mismatched top level is reported (and skipped) before anything inside it.
        Ok(_) if !matches!(yaml::jsonparse::top_kind(s), "object" | "null") => with_error(
            Map::new(),
            format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                yaml::jsonparse::top_kind(s)
            ),
        ),
        Ok((v, type_err)) => {
            let m = match v {
                Value::Map(m) => m.read().clone(),
                Value::Nil => Map::new(),
                other => {
                    return with_error(
                        Map::new(),
                        format!(
                        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        yaml::json_kind(&other)
                    ),
                    )
                }
            };
            match type_err {
                Some(e) => with_error(m, e),
                None => Value::map(m),
            }
        }
    }
}

/// Helm's `fromJsonArray`: decode into a list; an error becomes the only element.
fn from_json_list(s: &str) -> Value {
    match yaml::jsonparse::from_json_partial(s) {
        Err(yaml::jsonparse::JsonError::Syntax(e)) => Value::list(vec![Value::string(e)]),
        Ok(_) if !matches!(yaml::jsonparse::top_kind(s), "array" | "null") => {
            Value::list(vec![Value::string(format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                yaml::jsonparse::top_kind(s)
            ))])
        }
        Ok((v, type_err)) => {
            if let Some(e) = type_err {
                return Value::list(vec![Value::string(e)]);
            }
            match v {
                l @ Value::List(_) => l,
                Value::Nil => Value::list(Vec::new()),
                other => Value::list(vec![Value::string(format!(
                    "json: cannot unmarshal {} into Go value of type []interface {{}}",
                    yaml::json_kind(&other)
                ))]),
            }
        }
    }
}

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    const ANY: &[Param] = &[Param::Any];
    const STR: &[Param] = &[Param::String];

    m.add("toYaml", ANY, |_, a| {
        Ok(Value::string(
            yaml::to_yaml(&arg(a))
                .map(trim_one_newline)
                .unwrap_or_default(),
        ))
    });
    m.add("toYamlPretty", ANY, |_, a| {
        Ok(Value::string(
            yaml::to_yaml_pretty(&arg(a))
                .map(trim_one_newline)
                .unwrap_or_default(),
        ))
    });
    m.add("fromYaml", STR, |_, a| {
        Ok(match yaml::load_values(&str_arg(a)) {
            Ok(v) => v,
            Err(e) => with_error(Map::new(), e.message),
        })
    });
    m.add("fromYamlArray", STR, |_, a| {
        Ok(match yaml::load_list(&str_arg(a)) {
            Ok(v) => v,
            Err(e) => Value::list(vec![Value::string(e.message)]),
        })
    });
    m.add("toJson", ANY, |_, a| {
        Ok(Value::string(
            yaml::to_json(&arg(a), true, None).unwrap_or_default(),
        ))
    });
    m.add("fromJson", STR, |_, a| Ok(from_json_map(&str_arg(a))));
    m.add("fromJsonArray", STR, |_, a| Ok(from_json_list(&str_arg(a))));
    m.add("toToml", ANY, |_, a| {
        Ok(Value::string(
            yaml::toml::to_toml(&arg(a)).unwrap_or_else(|e| e),
        ))
    });
    m.add("fromToml", STR, |_, a| {
        Ok(match yaml::toml::from_toml(&str_arg(a)) {
            Ok(v) => v,
            Err(e) => with_error(Map::new(), e),
        })
    });
    // Sprig.
    m.add("toPrettyJson", ANY, |_, a| {
        Ok(Value::string(
            yaml::to_json(&arg(a), true, Some("  ")).unwrap_or_default(),
        ))
    });
    m.add("toRawJson", ANY, |_, a| {
        yaml::to_json(&arg(a), false, None).map(Value::string)
    });
    m.add("mustToJson", ANY, |_, a| {
        yaml::to_json(&arg(a), true, None).map(Value::string)
    });
    m.add("mustToPrettyJson", ANY, |_, a| {
        yaml::to_json(&arg(a), true, Some("  ")).map(Value::string)
    });
    m.add("mustToRawJson", ANY, |_, a| {
        yaml::to_json(&arg(a), false, None).map(Value::string)
    });
    m.add("mustFromJson", STR, |_, a| yaml::from_json(&str_arg(a)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::format::fmt_v;
    use crate::template::funcs::Runtime;

    struct Rt;
    impl Runtime for Rt {
        fn include(&mut self, _: &str, _: &Value) -> Result<String, String> {
            Err("unused".into())
        }
        fn tpl(&mut self, _: &str, _: &Value) -> Result<String, String> {
            Err("unused".into())
        }
    }

    fn call(name: &str, arg: Value) -> Result<Value, String> {
        let mut m = FuncMap::new();
        register(&mut m);
        let f = m.get(name).ok_or("missing")?;
        (f.call)(&mut Rt, &[arg])
    }

    #[test]
    fn errors_as_data() {
        let nan = Value::list(vec![Value::Float(f64::NAN)]);
        assert_eq!(call("toYaml", nan.clone()).unwrap().as_str(), Some(""));
        assert_eq!(call("toJson", nan.clone()).unwrap().as_str(), Some(""));
        assert_eq!(
            call("toPrettyJson", nan.clone()).unwrap().as_str(),
            Some("")
        );
        assert_eq!(
            call("mustToJson", nan.clone()).unwrap_err(),
            "json: unsupported value: NaN"
        );
        assert!(call("toRawJson", nan).is_err());
        let m = call("fromYaml", Value::str("a: [")).unwrap();
        assert_eq!(
            fmt_v(&m),
            "map[Error:error converting YAML to JSON: yaml: line 1: did not find expected node content]"
        );
        let l = call("fromJsonArray", Value::str("{}")).unwrap();
        assert_eq!(
            fmt_v(&l),
            "[json: cannot unmarshal object into Go value of type []interface {}]"
        );
        assert!(call("mustFromJson", Value::str("{")).is_err());
    }

    #[test]
    fn to_yaml_trims_one_newline() {
        assert_eq!(
            call("toYaml", Value::str("a\n\n")).unwrap().as_str(),
            Some("|+\n  a\n")
        );
        let mut m = Map::new();
        m.insert("k".into(), Value::Int(1));
        assert_eq!(
            call("toYaml", Value::map(m.clone())).unwrap().as_str(),
            Some("k: 1")
        );
        assert_eq!(
            call("toJson", Value::map(m)).unwrap().as_str(),
            Some("{\"k\":1}")
        );
    }
}
