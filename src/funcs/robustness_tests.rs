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

/// Values nested as deep as a template loops are copied, compared and dropped without running
/// out of stack, even on a small one. Expected output recorded with helm v3.17.3's helm-eval.
#[test]
fn deeply_nested_values_do_not_overflow_the_stack() {
    const TEMPLATE: &str = "{{ $x := list }}{{ range until 20000 }}{{ $x = list $x }}{{ end }}\
        a: ok {{ deepCopy $x | len }}{{ $y := dict }}{{ range until 20000 }}\
        {{ $y = dict \"a\" $y }}{{ end }} {{ deepCopy $y | len }} {{ deepEqual $x (deepCopy $x) }}";
    let out = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut t =
                crate::template::Templates::new(std::sync::Arc::new(super::sprig_and_helm()));
            t.add("t", TEMPLATE).map_err(|e| e.to_string())?;
            t.execute("t", &Value::Nil).map_err(|e| e.to_string())
        })
        .map(|h| h.join());
    match out {
        Ok(Ok(Ok(text))) => assert_eq!(text, "a: ok 1 1 true"),
        other => panic!("deep values: {other:?}"),
    }
}
