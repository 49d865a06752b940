//! `rudder validate RELEASE CHART [template flags] [--crds PATH...] [--strict]`: render, then
//! check every object against the Kubernetes OpenAPI schemas of `--kube-version` and the CRDs.

use super::template::{render_text_with_crds, TemplateArgs};
use clap::Args;
use std::path::PathBuf;

/// Flags of `rudder validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    template: TemplateArgs,
    /// CRD files or directories whose schemas check custom resources (repeatable).
    #[arg(long = "crds")]
    crds: Vec<PathBuf>,
    /// Fail on kinds that have no schema instead of reporting them as unchecked.
    #[arg(long = "strict")]
    strict: bool,
}

/// Runs `rudder validate`.
pub fn run(a: ValidateArgs) -> Result<(), String> {
    let mut crd_files = Vec::new();
    let rendered = render_text_with_crds(&a.template, &mut crd_files)?;
    let mut crd_objects = Vec::new();
    for (name, data) in &crd_files {
        let docs = crate::validate::parse_stream(&String::from_utf8_lossy(data))
            .map_err(|e| format!("{name}: {e}"))?;
        crd_objects.extend(docs.into_iter().map(|d| d.object));
    }
    let mut opts = crate::validate::Options {
        strict: a.strict,
        crd_paths: a.crds.clone(),
        crd_objects,
        ..Default::default()
    };
    if let Some(kv) = a.template.kube_version() {
        opts.kube_version = kv.to_string();
    }
    let (report, ok) = crate::validate::run_validate(&rendered, &opts);
    print!("{report}");
    if ok {
        Ok(())
    } else {
        Err("validation failed".into())
    }
}
