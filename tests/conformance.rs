//! The engine conformance suite: every case in `tests/conformance/cases/` rendered through
//! rudder's full chart pipeline and compared with helm v3.17.3's recorded result in
//! `tests/conformance/expected/` (see `tests/conformance/README.md` for the format).

#[path = "conformance/case_format.rs"]
mod case_format;

use base64::Engine as _;
use case_format::{Case, Mode};
use rudder::chart::load::load_files;
use rudder::render::{render_files, RenderOptions, ValueOptions};
use rudder::template::NoHost;
use std::path::Path;
use std::sync::Arc;

const CHART_YAML: &str = "apiVersion: v2\nname: t\nversion: 0.1.0\n";
const OUT_YAML: &str = "k0: {{ include \"t/templates/_case.tpl\" . | b64enc | quote }}\n";

/// Splits the `### flags:` line into value options and render options.
fn options(case: &Case) -> (ValueOptions, RenderOptions) {
    let mut vals = ValueOptions::default();
    let mut opts = RenderOptions {
        release_name: "x".into(),
        ..RenderOptions::default()
    };
    let mut it = case.flags.iter();
    while let Some(flag) = it.next() {
        let mut next = || it.next().cloned().unwrap_or_default();
        match flag.as_str() {
            "--set" => vals.set.push(next()),
            "--set-string" => vals.set_string.push(next()),
            "--set-json" => vals.set_json.push(next()),
            "-n" | "--namespace" => opts.namespace = next(),
            "--kube-version" => opts.kube_version = Some(next()),
            other => panic!("case {}: unsupported flag {other}", case.name),
        }
    }
    (vals, opts)
}

/// Renders one case: `Ok(text)` or `Err(helm-style message)`.
fn run(case: &Case, as_file: bool) -> Result<String, String> {
    let mut files: Vec<(String, Arc<[u8]>)> = vec![
        ("Chart.yaml".into(), Arc::from(CHART_YAML.as_bytes())),
        ("values.yaml".into(), Arc::from(case.values.as_bytes())),
    ];
    if as_file {
        files.push((
            "templates/case.yaml".into(),
            Arc::from(case.template.as_bytes()),
        ));
    } else {
        files.push((
            "templates/_case.tpl".into(),
            Arc::from(case.template.as_bytes()),
        ));
        files.push(("templates/out.yaml".into(), Arc::from(OUT_YAML.as_bytes())));
    }
    let mut chart = load_files(files)?;
    chart.set_paths(None);
    let (vals_opts, opts) = options(case);
    let user = vals_opts.merge()?;
    let (_, rendered, _) = render_files(chart, &user, &opts, &NoHost)?;
    if as_file {
        return Ok(rendered
            .into_iter()
            .find(|(k, _)| k == "t/templates/case.yaml")
            .map(|(_, v)| v)
            .unwrap_or_default());
    }
    let out = rendered
        .into_iter()
        .find(|(k, _)| k == "t/templates/out.yaml")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let b64 = out.trim().trim_start_matches("k0: ").trim_matches('"');
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[test]
fn engine_conformance() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut groups: Vec<_> = std::fs::read_dir(dir.join("cases"))
        .expect("cases dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    groups.sort();
    let (mut total, mut failed) = (0, Vec::new());
    for path in groups {
        let group = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let cases = case_format::parse(&std::fs::read_to_string(&path).expect("read cases"))
            .expect("parse cases");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected").join(format!("{group}.json")))
                .expect("expected json"),
        )
        .expect("json");
        for case in &cases {
            total += 1;
            let exp = &expected[&case.name];
            let got = if exp.get("error").is_some() {
                run(case, true).and_then(|_| run(case, case.mode == Mode::File))
            } else {
                run(case, case.mode == Mode::File)
            };
            let ok = match (
                exp.get("output").and_then(|v| v.as_str()),
                exp.get("error").and_then(|v| v.as_str()),
                &got,
            ) {
                (Some(want), _, Ok(g)) => want == g,
                (_, Some(want), Err(g)) => want == g,
                _ => false,
            };
            if !ok {
                failed.push(format!(
                    "{group}/{}: expected {exp}, got {got:?}",
                    case.name
                ));
            }
        }
    }
    let passed = total - failed.len();
    for f in &failed {
        eprintln!("FAIL {}", f.chars().take(400).collect::<String>());
    }
    eprintln!(
        "engine conformance: {passed} passed, {} failed",
        failed.len()
    );
    assert!(total >= 300, "expected at least 300 cases, found {total}");
    assert!(
        failed.is_empty(),
        "{} of {total} conformance cases differ from helm",
        failed.len()
    );
}
