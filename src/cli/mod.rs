//! The command line: `rudder template` (a drop-in for `helm template`) and the commands that
//! follow it. `main.rs` only calls [`main`].

pub mod app;
pub mod apply;
pub mod lint;
pub mod show;
pub mod sync;
pub mod template;
pub mod validate;

use clap::{Parser, Subcommand};

/// rudder: Helm-compatible rendering, apply-and-prune, and GitOps sync.
#[derive(Parser, Debug)]
#[command(name = "rudder", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Locally render templates (same flags and output as `helm template`).
    Template(template::TemplateArgs),
    /// Render a chart and validate every object offline against Kubernetes and CRD schemas.
    Validate(validate::ValidateArgs),
    /// Render a chart and server-side apply it (optionally pruning what is no longer rendered).
    Apply(apply::ApplyArgs),
    /// Show what `apply` would change, field by field (Secret values masked).
    Diff(apply::DiffArgs),
    /// Delete everything a release applied (the whole ApplySet).
    Delete(apply::DeleteArgs),
    /// Examine a chart for possible issues.
    Lint(lint::LintArgs),
    /// Show information about a chart.
    #[command(subcommand)]
    Show(show::ShowCommand),
    /// Manage a chart's dependencies (offline: list only).
    #[command(subcommand, alias = "dep")]
    Dependency(show::DependencyCommand),
    /// Run the sync controller: poll Argo CD Applications and sync them (Ctrl-C stops).
    Controller(sync::ControllerArgs),
    /// Inspect and sync Argo CD Applications (`list`, `get`, `sync`, `diff`, `history`).
    App(sync::AppArgs),
    /// Print the version.
    Version,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    // `rudder template` is run once per render: building only its own arguments saves
    // building every other command's (a tenth of a small render).
    if let Some(args) = template_only() {
        crate::oneshot::leave_to_exit();
        return finish(template::run(args));
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Template(args) => {
            crate::oneshot::leave_to_exit();
            template::run(args)
        }
        Command::Validate(args) => {
            crate::oneshot::leave_to_exit();
            validate::run(args)
        }
        Command::Apply(args) => apply::run_apply(args),
        Command::Diff(args) => apply::run_diff(args),
        Command::Delete(args) => apply::run_delete(args),
        Command::Lint(args) => lint::run(args),
        Command::Show(cmd) => show::run_show(cmd),
        Command::Dependency(cmd) => show::run_dependency(cmd),
        Command::Controller(args) => sync::run_controller(args),
        Command::App(args) => sync::run_app(args),
        Command::Version => {
            println!(
                "rudder {} (helm template parity: v3.17.3)",
                env!("CARGO_PKG_VERSION")
            );
            Ok(())
        }
    };
    finish(result)
}

fn finish(result: Result<(), String>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}

/// `rudder template ...` parsed by the `template` arguments alone. Anything else (another
/// command, `--help`, a usage error) is `None` and goes through the whole command line, so
/// help and error texts come from one place.
fn template_only() -> Option<template::TemplateArgs> {
    use clap::{Args, FromArgMatches};
    let mut argv = std::env::args_os();
    let bin = argv.next()?;
    let cmd = argv.next()?;
    if cmd != "template" {
        return None;
    }
    let sub = template::TemplateArgs::augment_args(clap::Command::new("template"));
    let mut matches = sub
        .try_get_matches_from(std::iter::once(bin).chain(argv))
        .ok()?;
    template::TemplateArgs::from_arg_matches_mut(&mut matches).ok()
}
