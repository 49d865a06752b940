//! Integrity of the conformance suite data (no template engine needed): every case file parses
//! with the documented format and `expected/<group>.json` records exactly its cases, in order.
//! The engine-driven runner lives elsewhere and reuses `conformance/case_format.rs`.

#[path = "conformance/case_format.rs"]
mod case_format;

use std::fs;
use std::path::Path;

/// Top-level case names of an expected file, in order. The recorder writes them with
/// `json.dumps(indent=1)`, so each is alone on a line as ` "name": {` (names need no escaping).
fn expected_names(json: &str) -> Vec<String> {
    json.lines()
        .filter_map(|l| {
            l.strip_prefix(" \"")?
                .strip_suffix("\": {")
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn every_case_file_parses_and_matches_its_expected_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let entries = fs::read_dir(dir.join("cases")).map_err(|e| e.to_string());
    let mut groups: Vec<_> = match entries {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => panic!("cannot list cases: {e}"),
    };
    groups.retain(|p| p.extension().is_some_and(|x| x == "txt"));
    groups.sort();
    assert!(
        groups.len() >= 15,
        "expected at least 15 groups, found {}",
        groups.len()
    );
    let mut total = 0;
    for path in groups {
        let group = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = fs::read_to_string(&path).unwrap_or_default();
        let cases = case_format::parse(&text).unwrap_or_else(|e| panic!("{group}.txt: {e}"));
        let json = fs::read_to_string(dir.join("expected").join(format!("{group}.json")))
            .unwrap_or_else(|e| panic!("expected/{group}.json: {e}"));
        let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
        assert_eq!(
            names,
            expected_names(&json),
            "{group}: re-run scripts/record-conformance.py"
        );
        total += cases.len();
    }
    assert!(total >= 350, "only {total} cases");
}
