//! Snapshot tests of the four seed charts: for every case of `tests/seed/cases.tsv`, `rudder
//! template` must print exactly what helm v3.17.3 printed (`tests/seed/expected/CASE.yaml`,
//! recorded by `scripts/record-seed.sh`). The output is also kept as an insta snapshot under
//! `snapshots/`, so a change in helm's recordings shows up as a reviewable diff.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One line of `tests/seed/cases.tsv`: `helm template RELEASE CHART FLAGS...`.
struct Case {
    name: String,
    release: String,
    chart: String,
    flags: Vec<String>,
}

impl Case {
    /// The helm command line the case was recorded with, shown in the snapshot's header.
    fn helm_command(&self) -> String {
        let mut command = format!("helm template {} {}", self.release, self.chart);
        for flag in &self.flags {
            command.push(' ');
            command.push_str(flag);
        }
        command
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads the case list; comment lines start with `#`, flags are split on whitespace (the file has
/// no quoting, exactly as `scripts/record-seed.sh` reads it).
fn load_cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut cases = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let (name, release, chart) = match fields.as_slice() {
            [name, release, chart, ..] => (*name, *release, *chart),
            _ => panic!(
                "{}:{}: expected CASE<TAB>RELEASE<TAB>CHART[<TAB>FLAGS]",
                path.display(),
                number + 1
            ),
        };
        let flags = fields
            .get(3)
            .map(|f| f.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        cases.push(Case {
            name: name.to_owned(),
            release: release.to_owned(),
            chart: chart.to_owned(),
            flags,
        });
    }
    cases
}

/// Describes where two renderings first differ, for a failure message that points at the line.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => line += 1,
            (None, None) => return "same lines, different line endings or final newline".into(),
            (e, a) => {
                return format!("line {line}: helm {e:?}, rudder {a:?}");
            }
        }
    }
}

#[test]
fn seed_charts_render_like_helm() {
    let root = repo_root();
    let cases = load_cases(&root.join("tests/seed/cases.tsv"));
    assert!(
        cases.len() >= 12,
        "tests/seed/cases.tsv lists only {} cases",
        cases.len()
    );

    let mut failures = Vec::new();
    for case in &cases {
        let expected_path = root
            .join("tests/seed/expected")
            .join(format!("{}.yaml", case.name));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
            panic!(
                "{}: cannot read {} (run scripts/record-seed.sh): {e}",
                case.name,
                expected_path.display()
            )
        });

        let result = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .current_dir(&root)
            .arg("template")
            .arg(&case.release)
            .arg(&case.chart)
            .args(&case.flags)
            .output()
            .unwrap_or_else(|e| panic!("{}: cannot run rudder: {e}", case.name));
        let output = String::from_utf8_lossy(&result.stdout).into_owned();

        if !result.status.success() {
            failures.push(format!(
                "{}: rudder exited with {}: {}",
                case.name,
                result.status,
                String::from_utf8_lossy(&result.stderr).trim()
            ));
        } else if output != expected {
            failures.push(format!(
                "{}: output differs from helm's ({})",
                case.name,
                first_difference(&expected, &output)
            ));
        } else {
            // Only output equal to helm's is snapshotted: a wrong rendering is reported above
            // once, instead of also leaving a pending .snap.new behind.
            insta::with_settings!({
                snapshot_path => "../snapshots",
                description => case.helm_command(),
            }, {
                insta::assert_snapshot!(case.name.as_str(), output);
            });
        }
    }

    assert!(
        failures.is_empty(),
        "{} of {} seed cases do not render like helm v3.17.3:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
