//! Every function of our groups, called with awkward arguments of every kind and arity, must
//! return (a value or an error) without panicking or running away.

use super::recorded_tests::{call, OUR_NAMES};
use crate::template::{Map, SliceKind, Value};

fn samples() -> Vec<Value> {
    let nested = Value::map(Map::from([(
        "a".to_string(),
        Value::map(Map::from([("b".to_string(), Value::Int(1))])),
    )]));
    vec![
        Value::Nil,
        Value::Int(0),
        Value::Int(-1),
        Value::Int(i64::MIN),
        Value::Int64(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(-1e300),
        Value::str(""),
        Value::str("é\u{0}[(*\\$1{"),
        Value::Bool(true),
        Value::Bytes(std::sync::Arc::from(&b"\xff\x00"[..])),
        Value::list(vec![Value::Nil, Value::str("x"), Value::Int(2)]),
        Value::typed_list(SliceKind::Int, vec![Value::Int(1)]),
        nested,
    ]
}

#[test]
fn no_function_panics_on_odd_arguments() {
    let m = super::sprig_and_helm();
    let all = samples();
    // Fewer samples for longer argument lists keep the product small.
    let short: Vec<Value> = all.iter().step_by(3).cloned().collect();
    let mut calls = 0usize;
    for name in OUR_NAMES {
        let _ = call(&m, name, &[]);
        for a in &all {
            let _ = call(&m, name, std::slice::from_ref(a));
            for b in &all {
                let _ = call(&m, name, &[a.clone(), b.clone()]);
                calls += 1;
            }
        }
        for a in &short {
            for b in &short {
                for c in &short {
                    let _ = call(&m, name, &[a.clone(), b.clone(), c.clone()]);
                    let _ = call(&m, name, &[a.clone(), b.clone(), c.clone(), a.clone()]);
                    calls += 2;
                }
            }
        }
    }
    assert!(calls > 10_000);
}
