//! Running the `rudder` binary and summarising apply reports, for the apply tests.

use super::cluster::TestCluster;
use rudder::apply::{Action, ApplyReport};
use std::path::Path;
use std::process::Command;

/// The `rudder` binary built for this test run.
pub fn rudder() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
}

/// The repository root (charts, test data).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the rudder binary against `cluster` and returns (success, stdout, stderr).
pub fn run(cluster: &TestCluster, args: &[&str]) -> (bool, String, String) {
    let out = rudder()
        .args(args)
        .arg("--kubeconfig")
        .arg(cluster.kubeconfig_path())
        .current_dir(repo())
        .output()
        .expect("run rudder");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `(object, action)` pairs of a report, for assertions.
pub fn actions(r: &ApplyReport) -> Vec<(String, Action)> {
    r.results
        .iter()
        .map(|x| (x.object.to_string(), x.action.clone()))
        .collect()
}
