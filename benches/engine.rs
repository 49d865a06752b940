//! Template engine benchmarks: a 240-line Deployment-style template using Go's builtins only
//! (`benches/fixtures/deployment.tpl`), parsed once and executed repeatedly with small values and
//! with 2,000 extra keys in `.Values` (lookups must not depend on the size of the values), plus
//! the parse time on its own.

use criterion::measurement::Measurement;
use criterion::{black_box, Criterion};
use rudder::template::{FuncMap, Templates, Value};
use std::sync::Arc;

const TEMPLATE: &str = include_str!("fixtures/deployment.tpl");
const VALUES: &str = include_str!("fixtures/values.yaml");

/// The fixture's values, with `extra` more keys appended to `.Values` (the file ends inside the
/// `Values:` mapping, indented by two spaces).
fn values(extra: usize) -> Value {
    let mut text = String::from(VALUES);
    for i in 0..extra {
        text.push_str(&format!("  extraKey{i:04}: value-{i}\n"));
    }
    match rudder::yaml::load_values(&text) {
        Ok(v) => v,
        Err(e) => panic!("bench values: {e:?}"),
    }
}

fn templates() -> Templates {
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    if let Err(e) = t.add("deployment.yaml", TEMPLATE) {
        panic!("parse: {e}");
    }
    t
}

#[path = "cpu_time.rs"]
mod cpu_time;

fn bench_engine<M: Measurement + 'static>(c: &mut Criterion<M>) {
    c.bench_function("parse deployment.tpl", |b| {
        b.iter(|| {
            let mut t = Templates::new(Arc::new(FuncMap::new()));
            t.add("deployment.yaml", black_box(TEMPLATE)).is_ok()
        })
    });

    let t = templates();
    let small = values(0);
    let large = values(2000);
    let out_small = t.execute("deployment.yaml", &small);
    let out_large = t.execute("deployment.yaml", &large);
    // Both must render the same manifest: the extra keys are never read.
    match (&out_small, &out_large) {
        (Ok(a), Ok(b)) if a == b && a.contains("kind: Deployment") => {}
        _ => panic!("fixture does not render: {out_small:?} / {out_large:?}"),
    }

    c.bench_function("execute deployment.tpl, small values", |b| {
        b.iter(|| t.execute("deployment.yaml", black_box(&small)))
    });
    c.bench_function("execute deployment.tpl, 2000-key values", |b| {
        b.iter(|| t.execute("deployment.yaml", black_box(&large)))
    });
}

fn main() {
    if cpu_time::use_cpu_clock() {
        let mut c = Criterion::default()
            .with_measurement(cpu_time::ThreadCpuTime)
            .configure_from_args();
        bench_engine(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::default().configure_from_args();
        bench_engine(&mut c);
        c.final_summary();
    }
}
