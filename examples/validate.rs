//! Standalone `rudder validate` for testing until the CLI wires it in:
//! `cargo run --release --example validate -- [--kube-version V] [--crds PATH]... [--strict] [FILE|-]`
//! validates rendered manifests from FILE (or stdin) and exits 1 when they do not validate.

use std::io::Read;

use rudder::validate::{run_validate, Options};

fn main() {
    let mut opts = Options::default();
    let mut input = None;
    let mut args = std::env::args().skip(1);
    let mut repeat = 1usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--kube-version" => opts.kube_version = args.next().unwrap_or_default(),
            "--crds" => opts.crd_paths.extend(args.next().map(Into::into)),
            "--strict" => opts.strict = true,
            // Runs the whole validation N times (for timing without process start-up).
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            _ => input = Some(arg),
        }
    }
    let mut text = String::new();
    let read = match input.as_deref() {
        None | Some("-") => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        Some(path) => std::fs::read_to_string(path).map(|t| text = t),
    };
    if let Err(e) = read {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    let start = std::time::Instant::now();
    let mut result = (String::new(), true);
    for _ in 0..repeat.max(1) {
        result = run_validate(&text, &opts);
    }
    // A closed stdout (e.g. piped into `head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), result.0.as_bytes());
    if repeat > 1 {
        eprintln!(
            "{:.2} ms per run",
            start.elapsed().as_secs_f64() * 1000.0 / repeat as f64
        );
    }
    std::process::exit(if result.1 { 0 } else { 1 });
}
