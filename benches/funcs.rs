//! The hottest chart functions, each called through the engine as a chart calls it: `include`,
//! `toYaml`, `nindent`, `quote` and `default`, with Helm's function map; and the slowest one,
//! `genCA` (a 2048-bit RSA key, signed), whose time is a random prime search.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rudder::template::{Templates, Value};

const VALUES: &str = "\
resources:
  limits: {cpu: 500m, memory: 512Mi}
  requests: {cpu: 100m, memory: 128Mi}
labels:
  app.kubernetes.io/name: app
  app.kubernetes.io/instance: rel
  tier: backend
name: my-app
empty: \"\"
";

/// One template per function, each calling it the way charts do.
const CASES: &[(&str, &str)] = &[
    (
        "include",
        r#"{{ define "lbl" }}app: {{ .name }}{{ end }}{{ include "lbl" . }}"#,
    ),
    ("toYaml", "{{ toYaml .resources }}"),
    ("nindent", "{{ toYaml .labels | nindent 4 }}"),
    ("quote", "{{ quote .name }}"),
    ("default", r#"{{ default "fallback" .empty }}"#),
];

fn bench_funcs(c: &mut Criterion) {
    let dot: Value = match rudder::yaml::load_values(VALUES) {
        Ok(v) => v,
        Err(e) => panic!("bench values: {e:?}"),
    };
    let mut t = Templates::new(rudder::render::helm_funcs());
    for (name, text) in CASES {
        if let Err(e) = t.add(name, text) {
            panic!("{name}: {e}");
        }
        if let Err(e) = t.execute(name, &dot) {
            panic!("{name}: {e}");
        }
    }
    for (name, _) in CASES {
        c.bench_function(name, |b| b.iter(|| t.execute(name, black_box(&dot))));
    }
}

fn bench_keys(c: &mut Criterion) {
    let mut t = Templates::new(rudder::render::helm_funcs());
    if let Err(e) = t.add("genCA", r#"{{ (genCA "ca" 365).Key | len }}"#) {
        panic!("genCA: {e}");
    }
    let dot = Value::Nil;
    let mut group = c.benchmark_group("keys");
    group.sample_size(30);
    group.bench_function("genCA", |b| b.iter(|| t.execute("genCA", black_box(&dot))));
    group.finish();
}

criterion_group!(benches, bench_funcs, bench_keys);
criterion_main!(benches);
