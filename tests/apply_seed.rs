//! Apply-and-prune of the four seed charts against the real API server of the test support:
//! cold-process applies (timed), no-op re-apply, a one-field change, `rudder diff`, and prune of
//! passbolt with the UID and hand-made-object guards. The charts use fixed namespaces, so this
//! is one ordered test.
// The support module re-exports helpers this binary does not use.
#[allow(unused_imports)]
mod support;

use std::time::Instant;

use k8s_openapi::api::core::v1::{Endpoints, Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, PostParams};
use kube::Client;
use rudder::apply::{self, Action, ApplyError, ApplyOptions, ClusterContext};
use rudder::render::{render_chart_with, RenderOptions, Rendered, ValueOptions};
use serde_json::json;
use support::cluster::TestCluster;
use support::rudder_cli::{actions, repo, run};

async fn create_namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).expect("ns");
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("create namespace {name}: {e}"),
    }
}

fn render_seed(chart: &str, release: &str, ns: &str, values: ValueOptions) -> Rendered {
    let chart = rudder::chart::load::load(&repo().join("charts").join(chart)).expect("load chart");
    let user = values.merge().expect("values");
    let opts = RenderOptions {
        release_name: release.into(),
        namespace: ns.into(),
        ..RenderOptions::default()
    };
    render_chart_with(chart, &user, &opts, &rudder::template::NoHost).expect("render")
}

/// The acceptance scenario on the seed charts, in order (they share fixed namespaces).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_charts_apply_reapply_change_and_prune() {
    let cluster = TestCluster::shared();
    let client = cluster.client().await;
    for ns in ["cert-manager", "argocd"] {
        create_namespace(&client, ns).await;
    }

    // 1. Cold-process applies of the four charts through the CLI, timed.
    let charts: [(&str, &str, &[&str]); 4] = [
        (
            "infrastructure",
            "charts/infrastructure",
            &["-n", "default"],
        ),
        ("home-fonta", "charts/homefonta", &["-n", "home-fonta"]),
        (
            "external-services",
            "charts/external-services",
            &["-n", "home-fonta"],
        ),
        (
            "ghost",
            "charts/ghost",
            &["-n", "blog", "--create-namespace"],
        ),
    ];
    let begin = Instant::now();
    for (release, chart, extra) in charts {
        let mut args = vec!["apply", release, chart];
        args.extend_from_slice(extra);
        let (ok, out, err) = run(cluster, &args);
        assert!(ok, "apply {release}: {out}\n{err}");
        eprintln!("apply {release} stderr: {err}");
        if release == "external-services" {
            // The server's deprecation warning for v1 Endpoints, shown once for 5 objects.
            let warnings: Vec<_> = err.lines().filter(|l| l.starts_with("Warning: ")).collect();
            assert_eq!(warnings.len(), 1, "{err}");
            assert!(warnings[0].contains("Endpoints"), "{err}");
        }
        assert!(out.lines().any(|l| l.ends_with(" created")), "{out}");
        assert!(!out.lines().any(|l| l.ends_with(" unchanged")), "{out}");
    }
    let first = begin.elapsed();

    // 2. Re-apply: every object unchanged.
    let begin = Instant::now();
    for (release, chart, extra) in charts {
        let mut args = vec!["apply", release, chart];
        args.extend_from_slice(extra);
        let (ok, out, err) = run(cluster, &args);
        assert!(ok, "re-apply {release}: {out}\n{err}");
        assert!(out.contains("\n0 created, 0 configured, "), "{out}");
        assert!(
            out.lines()
                .filter(|l| !l.contains(", "))
                .all(|l| l.ends_with(" unchanged")),
            "{out}"
        );
    }
    let second = begin.elapsed();
    eprintln!(
        "TIMING four seed charts, cold processes: first apply {first:.2?}, re-apply {second:.2?}"
    );
    assert!(
        first.as_secs_f64() < 2.0 * 4.0,
        "first apply took {first:?}"
    );

    // 3. replicaCount 1 -> 2: only the Deployment changes.
    let ctx = ClusterContext::connect(&client).await.expect("connect");
    let vals = ValueOptions {
        set: vec!["replicaCount=2".into()],
        ..ValueOptions::default()
    };
    let rendered = render_seed("homefonta", "home-fonta", "home-fonta", vals);
    let report = apply::apply(
        &ctx,
        "home-fonta",
        "home-fonta",
        &rendered,
        &ApplyOptions::default(),
    )
    .await
    .expect("apply replicas 2");
    let changed: Vec<_> = actions(&report)
        .into_iter()
        .filter(|(_, a)| *a != Action::Unchanged)
        .collect();
    assert_eq!(
        changed,
        vec![(
            "Deployment.apps home-fonta/home-fonta-web".to_string(),
            Action::Configured
        )]
    );

    // 4. rudder diff shows the next replica change.
    let (ok, out, err) = run(
        cluster,
        &[
            "diff",
            "home-fonta",
            "charts/homefonta",
            "-n",
            "home-fonta",
            "--set",
            "replicaCount=3",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("~ Deployment.apps home-fonta/home-fonta-web"),
        "{out}"
    );
    assert!(out.contains("spec.replicas: 2 -> 3"), "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with(['~', '+', '-']))
            .count(),
        1,
        "{out}"
    );

    // 5. Prune passbolt. Before: someone deletes and recreates the Ingress (same name and
    // labels, new UID): it must survive; Endpoints and Service go, nothing else.
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "home-fonta");
    let mut ing = ingresses.get("passbolt-ingress").await.expect("ingress");
    ingresses
        .delete("passbolt-ingress", &DeleteParams::default())
        .await
        .expect("delete ingress");
    ing.metadata.uid = None;
    ing.metadata.resource_version = None;
    ing.metadata.managed_fields = None;
    ing.metadata.creation_timestamp = None;
    ingresses
        .create(&PostParams::default(), &ing)
        .await
        .expect("recreate ingress");
    let vals = ValueOptions {
        value_files: vec![repo().join("tests/seed/values/external-services-no-passbolt.yaml")],
        ..ValueOptions::default()
    };
    let rendered = render_seed("external-services", "external-services", "home-fonta", vals);
    let opts = ApplyOptions {
        prune: true,
        ..ApplyOptions::default()
    };
    let report = apply::apply(&ctx, "external-services", "home-fonta", &rendered, &opts)
        .await
        .expect("prune passbolt");
    let mut touched: Vec<_> = actions(&report)
        .into_iter()
        .filter(|(_, a)| *a != Action::Unchanged)
        .collect();
    touched.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(touched.len(), 3, "{touched:?}");
    assert_eq!(
        touched[0],
        (
            "Endpoints home-fonta/passbolt-external".into(),
            Action::Pruned
        )
    );
    assert!(
        matches!(&touched[1], (o, Action::PruneSkipped(why)) if o == "Ingress.networking.k8s.io home-fonta/passbolt-ingress" && why.contains("UID")),
        "{touched:?}"
    );
    assert_eq!(
        touched[2],
        (
            "Service home-fonta/passbolt-external".into(),
            Action::Pruned
        )
    );
    assert!(ingresses
        .get_opt("passbolt-ingress")
        .await
        .expect("get")
        .is_some());
    let services: Api<Service> = Api::namespaced(client.clone(), "home-fonta");
    assert!(services
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_none());
    assert!(services
        .get_opt("plex-external")
        .await
        .expect("get")
        .is_some());
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), "home-fonta");
    assert!(endpoints
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_none());

    // 6. A hand-made Service of the same name, without our labels, is never touched.
    let svc: Service = serde_json::from_value(json!({"metadata": {"name": "passbolt-external"},
        "spec": {"ports": [{"port": 443}]}}))
    .expect("svc");
    services
        .create(&PostParams::default(), &svc)
        .await
        .expect("hand-made service");
    let report = apply::apply(&ctx, "external-services", "home-fonta", &rendered, &opts)
        .await
        .expect("prune again");
    assert!(report.is_noop(), "{:?}", actions(&report));
    assert!(services
        .get_opt("passbolt-external")
        .await
        .expect("get")
        .is_some());

    // Apply the original values again: the hand-made Service is not taken over.
    let rendered = render_seed(
        "external-services",
        "external-services",
        "home-fonta",
        ValueOptions::default(),
    );
    match apply::apply(
        &ctx,
        "external-services",
        "home-fonta",
        &rendered,
        &ApplyOptions::default(),
    )
    .await
    {
        Err(ApplyError::NotOwned { object, .. }) => {
            assert_eq!(object.to_string(), "Service home-fonta/passbolt-external")
        }
        other => panic!("expected NotOwned, got {other:?}"),
    }
}
