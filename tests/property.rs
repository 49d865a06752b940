//! Property test of value printing: the 2,400 values of `tests/data/property/values.yaml`
//! (loaded as Helm loads a chart's values) through rudder's `toYaml`, `toJson` and `{{ . }}`
//! (as `include` returns it), compared with the texts Helm v3.17.3 produced for each
//! (`expected.json`; see the folder's README). Expectations that are `null` are skipped.

use rudder::template::{Templates, Value};
use serde_json::Value as Json;

const VALUES: &str = include_str!("data/property/values.yaml");
const EXPECTED: &str = include_str!("data/property/expected.json");

/// The three renderings, by the key `expected.json` uses for them.
const TEMPLATES: &[(&str, &str)] = &[
    ("toYaml", "{{ toYaml . }}"),
    ("toJson", "{{ toJson . }}"),
    (
        "print",
        r#"{{ define "dot" }}{{ . }}{{ end }}{{ include "dot" . }}"#,
    ),
];

/// Renderings where rudder currently differs from helm, as (case index, rendering); empty
/// now. The test fails when one of these starts to match, so the list cannot go stale.
const KNOWN_DIFFERENCES: &[(usize, &str)] = &[];

#[test]
fn recorded_values_print_as_helm_prints_them() {
    let values = match rudder::yaml::load_values(VALUES) {
        Ok(v) => v,
        Err(e) => panic!("values.yaml: {e:?}"),
    };
    let cases: Vec<Value> = values
        .as_map()
        .and_then(|m| m.get("cases"))
        .and_then(|c| c.as_list().map(<[Value]>::to_vec))
        .unwrap_or_default();
    let expected: Vec<Json> = match serde_json::from_str(EXPECTED) {
        Ok(Json::Array(a)) => a,
        other => panic!("expected.json is not a list: {other:?}"),
    };
    assert_eq!(cases.len(), 2400, "values.yaml holds 2,400 cases");
    assert_eq!(cases.len(), expected.len(), "one expectation per case");

    let mut t = Templates::new(rudder::render::helm_funcs());
    for (name, text) in TEMPLATES {
        if let Err(e) = t.add(name, text) {
            panic!("{name}: {e}");
        }
    }

    let (mut compared, mut skipped, mut known_seen) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        for (name, _) in TEMPLATES {
            let Some(want) = want.get(name).and_then(Json::as_str) else {
                skipped += 1;
                continue;
            };
            compared += 1;
            let got = t.execute(name, case).map_err(|e| e.to_string());
            let known = KNOWN_DIFFERENCES.contains(&(i, *name));
            if known && got.as_deref() == Ok(want) {
                failures.push(format!(
                    "case {i} {name} now matches: drop it from KNOWN_DIFFERENCES"
                ));
            } else if known {
                known_seen += 1;
            } else if got.as_deref() != Ok(want) {
                failures.push(format!("case {i} {name}: want {want:?}, got {got:?}"));
            }
        }
    }
    eprintln!(
        "property: {compared} renderings compared, {skipped} skipped (null expectation), \
         {known_seen} known differences, {} failed",
        failures.len()
    );
    assert_eq!(
        known_seen,
        KNOWN_DIFFERENCES.len(),
        "every known difference was compared"
    );
    assert!(
        failures.is_empty(),
        "{} of {compared} renderings differ from helm:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
