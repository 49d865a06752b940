//! The four seed charts, rendered by helm 3.17.3 (tests/data/validate/seed-*.yaml, see the
//! README there), validate clean against Kubernetes 1.32 with the shared CRDs
//! (cert-manager, sealed-secrets, Argo CD), every object checked against a schema.

use std::path::PathBuf;

use rudder::validate::{run_validate, Options};

fn shared_crds() -> Option<PathBuf> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/crds");
    [beside, PathBuf::from("/work/shared/crds")]
        .into_iter()
        .find(|p| p.is_dir())
}

#[test]
fn seed_charts_validate_clean() {
    let Some(crds) = shared_crds() else {
        eprintln!("skipped: ../shared/crds not found");
        return;
    };
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/validate");
    let expected = [
        ("seed-homefonta.yaml", 3),
        ("seed-ghost.yaml", 5),
        ("seed-infrastructure.yaml", 4),
        ("seed-external-services.yaml", 24),
    ];
    for (file, objects) in expected {
        let text = std::fs::read_to_string(data.join(file)).expect("fixture is readable");
        let opts = Options {
            crd_paths: vec![crds.clone()],
            strict: true,
            ..Options::default()
        };
        let (report, ok) = run_validate(&text, &opts);
        assert!(ok, "{file}:\n{report}");
        assert_eq!(
            report,
            format!("{objects} objects validated against Kubernetes 1.32 (strict): {objects} valid, 0 invalid, 0 unchecked\n")
        );
    }
}
