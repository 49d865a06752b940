//! `rudder show` and `rudder dependency list` print what helm v3.17.3 prints (recorded by
//! `scripts/record-show.sh` into `tests/data/show/`).

use std::path::Path;
use std::process::Command;

#[test]
fn show_and_dependency_list_match_helm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/data/show");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).expect("cases");
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.is_empty()) {
        let (name, args) = line.split_once('|').expect("name|args");
        let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(args.split_whitespace())
            .current_dir(root)
            .output()
            .expect("run rudder");
        let want = std::fs::read_to_string(dir.join(format!("{name}.out"))).expect("expected");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want,
            "case {name}: rudder {args}"
        );
        count += 1;
    }
    assert_eq!(count, 6);
}
