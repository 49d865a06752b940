//! Replays `tests/data/time_cases.json` (recorded from helm v3.17.3 by
//! `scripts/record-time.py`) against the date, semver, crypto and random functions, calling them
//! directly with hand-built values (no template engine needed).

use crate::funcs::gotime::with_local_zone;
use crate::template::format::fmt_v;
use crate::template::{FuncMap, Member, Runtime, Value};
use serde_json::Value as Json;

/// A runtime for functions that never call back into the engine.
pub struct DummyRuntime;

impl Runtime for DummyRuntime {
    fn include(&mut self, name: &str, _data: &Value) -> Result<String, String> {
        Err(format!("no template {name}"))
    }
    fn tpl(&mut self, _text: &str, _data: &Value) -> Result<String, String> {
        Err("no engine".into())
    }
}

/// The functions under test.
pub fn funcs() -> FuncMap {
    let mut m = FuncMap::new();
    super::dates::register(&mut m);
    super::semver::register(&mut m);
    super::crypto::register(&mut m);
    super::random::register(&mut m);
    m
}

fn eval(m: &FuncMap, e: &Json) -> Result<Value, String> {
    Ok(match e {
        Json::String(s) => Value::str(s),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Int(n.as_i64().ok_or("bad int")?),
        Json::Object(o) => {
            if let Some(n) = o.get("int64") {
                Value::Int64(n.as_i64().ok_or("bad int64")?)
            } else if let Some(x) = o.get("float") {
                Value::Float(x.as_f64().ok_or("bad float")?)
            } else if let Some(Json::Array(items)) = o.get("list") {
                Value::list(items.iter().map(|i| eval(m, i)).collect::<Result<_, _>>()?)
            } else {
                let name = o.get("f").and_then(Json::as_str).ok_or("no f")?;
                let f = m
                    .get(name)
                    .ok_or_else(|| format!("function {name:?} not defined"))?;
                let args: Vec<Value> = match o.get("a") {
                    Some(Json::Array(a)) => {
                        a.iter().map(|x| eval(m, x)).collect::<Result<_, _>>()?
                    }
                    _ => Vec::new(),
                };
                assert_eq!(f.params.len(), args.len(), "arity of {name}");
                let mut v = (f.call)(&mut DummyRuntime, &args)?;
                if let Some(Json::Array(steps)) = o.get("then") {
                    for step in steps {
                        v = apply_step(m, v, step)?;
                    }
                }
                v
            }
        }
        _ => return Err(format!("bad expression {e}")),
    })
}

fn apply_step(m: &FuncMap, v: Value, step: &Json) -> Result<Value, String> {
    let Value::Object(obj) = v else {
        return Err("not an object".into());
    };
    let (name, args) = match (step.get("field"), step.get("method")) {
        (Some(Json::String(f)), _) => (f.as_str(), Vec::new()),
        (_, Some(Json::String(f))) => {
            let args = match step.get("a") {
                Some(Json::Array(a)) => a.iter().map(|x| eval(m, x)).collect::<Result<_, _>>()?,
                _ => Vec::new(),
            };
            (f.as_str(), args)
        }
        _ => return Err("bad step".into()),
    };
    match obj.member(name) {
        Some(Member::Field(v)) => Ok(v),
        Some(Member::Method { .. }) => obj.call(name, &args),
        None => Err(format!(
            "can't evaluate field {name} in type {}",
            obj.type_name()
        )),
    }
}

#[test]
fn recorded_helm_cases() {
    let text = include_str!("../../tests/data/time_cases.json");
    let cases: Vec<Json> = serde_json::from_str(text).expect("valid JSON");
    let m = funcs();
    let mut failures = Vec::new();
    for c in &cases {
        let tz = c["tz"].as_str().unwrap_or("UTC");
        let zone = jiff::tz::TimeZone::get(tz).expect("known zone");
        let got = with_local_zone(zone, || eval(&m, &c["expr"]).map(|v| fmt_v(&v)));
        let ok = match (&got, c.get("expected"), c.get("error")) {
            (Ok(v), Some(Json::String(want)), _) => v == want,
            // Errors outside a function call (argument checks) are recorded as the whole
            // template error line; our message is its tail.
            (Err(e), _, Some(Json::String(want))) => e == want || want.ends_with(&format!(": {e}")),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{} [{tz}]: got {got:?}, want {:?}",
                c["template"],
                c.get("expected").or(c.get("error"))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() > 300);
}

#[test]
fn registers_every_function_of_these_groups() {
    let names = funcs().names().join(" ");
    let want = "ago bcrypt buildCustomCert date dateInZone dateModify date_in_zone date_modify \
                decryptAES derivePassword duration durationRound encryptAES genCA genCAWithKey \
                genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert \
                genSignedCertWithKey htmlDate htmlDateInZone htpasswd mustDateModify mustToDate \
                must_date_modify now randAlpha randAlphaNum randAscii randBytes randInt \
                randNumeric semver semverCompare shuffle toDate unixEpoch uuidv4";
    assert_eq!(names, want);
}
