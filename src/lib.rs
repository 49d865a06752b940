//! rudder: a Rust re-implementation of `helm template`, apply-and-prune and an Argo CD-style
//! sync controller.
//!
//! The crate is a library with a thin binary (`src/main.rs`). Each module has one job:
//! `template` is Go's `text/template`, `funcs` the Sprig and Helm function library, `yaml`
//! go-yaml compatible load and emit, `chart` the chart loader, `render` the `helm template`
//! pipeline, and `cli` the command line.

pub mod apply;
pub mod chart;
pub mod cli;
pub mod funcs;
#[cfg(target_arch = "x86_64")]
pub mod memops;
pub mod oneshot;
pub mod par;
pub mod render;
pub mod semver;
pub mod sync;
pub mod template;
pub mod text;
pub mod validate;
pub mod yaml;
