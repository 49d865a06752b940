//! Loader conformance: `rudder template` run as a process on the small charts in
//! `tests/loader/cases/<name>/` and compared with what helm v3.17.3 printed for the same arguments
//! (recorded by `scripts/record-loader.py`; the cases are written by `scripts/gen-loader-cases.py`).
//!
//! A case passes when rudder's exit status equals helm's and either (status 0) stdout is
//! byte-identical and stderr equals helm's warnings (`expected.warnings`, Go's `file.go:NN: ` log
//! prefixes removed; absent = none), or (status != 0) the first `Error: ` line of stderr is
//! identical and so is all of stderr where it was recorded (`expected.stderr`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Cases rudder does not match yet, each with the reason. They are still run: a gap that starts
/// passing is reported so that it can be taken off this list.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// How long one `rudder template` run may take before it is killed and counted as a failure.
const TIMEOUT: Duration = Duration::from_secs(30);

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/loader/cases")
}

/// What one run printed.
struct Outcome {
    rc: i32,
    stdout: String,
    stderr: String,
}

/// Runs rudder with `args` in `dir`, killing it after [`TIMEOUT`].
fn run(dir: &Path, args: &[String]) -> Result<Outcome, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .current_dir(dir)
        .env_remove("HELM_NAMESPACE")
        .env("KUBECONFIG", "/dev/null")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut out = child.stdout.take().ok_or("no stdout")?;
    let mut err = child.stderr.take().ok_or("no stderr")?;
    // Readers on their own threads so that a full pipe never blocks the child.
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = tx.send(());
        status
    });
    if rx.recv_timeout(TIMEOUT).is_err() {
        // The waiter owns the child; kill it by pid through the platform tool.
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        let _ = waiter.join();
        return Err(format!("timed out after {TIMEOUT:?}"));
    }
    let status = waiter
        .join()
        .map_err(|_| "waiter panicked".to_string())?
        .map_err(|e| format!("wait: {e}"))?;
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    Ok(Outcome {
        rc: status.code().unwrap_or(-1),
        stdout,
        stderr,
    })
}

/// The first `Error: ` line (helm may print warnings before it).
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("Error: "))
        .or_else(|| stderr.lines().next())
        .unwrap_or("")
}

/// Checks one case; `Err` describes the difference.
fn check(dir: &Path) -> Result<(), String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map_err(|e| format!("{f}: {e}"));
    let args: Vec<String> = read("args")?.lines().map(str::to_string).collect();
    let want_rc: i32 = read("expected.rc")?
        .trim()
        .parse()
        .map_err(|e| format!("expected.rc: {e}"))?;
    let mut got = run(dir, &args)?;
    // The recordings say `$CASEDIR` where helm printed the case directory's absolute path.
    let abs = std::path::absolute(dir).map_err(|e| e.to_string())?;
    let abs = abs.to_string_lossy();
    got.stdout = got.stdout.replace(&*abs, "$CASEDIR");
    got.stderr = got.stderr.replace(&*abs, "$CASEDIR");
    if want_rc == 0 {
        let want = read("expected.out")?;
        if got.rc != 0 {
            return Err(format!(
                "rc {} (want 0): {}",
                got.rc,
                error_line(&got.stderr)
            ));
        }
        if got.stdout != want {
            return Err(first_diff(&want, &got.stdout));
        }
        // Helm's warnings (recorded only when there were any) must be printed the same.
        let want_warn = read("expected.warnings").unwrap_or_default();
        if got.stderr != want_warn {
            return Err(format!(
                "stderr differs\n    got:  {:?}\n    want: {:?}",
                got.stderr, want_warn
            ));
        }
        return Ok(());
    }
    let want_err = read("expected.err")?;
    let want_err = want_err.trim_end_matches('\n');
    let got_err = error_line(&got.stderr);
    if got.rc != want_rc || got_err != want_err {
        return Err(format!(
            "rc {} (want {want_rc})\n    got:  {got_err}\n    want: {want_err}",
            got.rc
        ));
    }
    // The whole of stderr, when recorded: warnings, the error and helm's `--debug` hint.
    if let Ok(want_stderr) = read("expected.stderr") {
        if got.stderr != want_stderr {
            return Err(format!(
                "stderr differs\n    got:  {:?}\n    want: {:?}",
                got.stderr, want_stderr
            ));
        }
    }
    Ok(())
}

/// A short description of where two outputs start to differ.
fn first_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    format!(
        "stdout differs at line {}\n    got:  {:?}\n    want: {:?}",
        i + 1,
        g.get(i).unwrap_or(&"<end>"),
        w.get(i).unwrap_or(&"<end>")
    )
}

#[test]
fn loader_cases_match_helm() {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/loader/cases exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("args").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 120, "only {} cases", names.len());
    let (mut passed, mut failed, mut gaps, mut fixed) = (0, Vec::new(), 0, Vec::new());
    for name in &names {
        let gap = KNOWN_GAPS.iter().any(|(g, _)| g == name);
        match (check(&cases_dir().join(name)), gap) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => fixed.push(name.clone()),
            (Err(_), true) => gaps += 1,
            (Err(e), false) => failed.push(format!("{name}: {e}")),
        }
    }
    for f in &failed {
        eprintln!("FAIL {f}");
    }
    for f in &fixed {
        eprintln!("known gap now passes (remove it from KNOWN_GAPS): {f}");
    }
    eprintln!(
        "{passed} passed, {} failed, {gaps} known gaps",
        failed.len()
    );
    assert!(failed.is_empty(), "{} loader cases failed", failed.len());
    assert!(passed >= 120, "only {passed} cases pass");
}
