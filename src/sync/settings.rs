//! Settings an app's reconcile reads from the cluster, the way Argo CD keeps them: repository
//! credentials (Secrets, known-hosts ConfigMap; see [`super::repocreds`]) and whether child
//! Applications count for health (`argocd-cm`, or `--app-health-children`).

use super::gitauth::GitAuth;
use super::repocreds;
use crate::apply::health::HealthOptions;
use kube::api::Api;
use std::sync::atomic::{AtomicBool, Ordering};

/// `rudder controller --app-health-children`: count child Applications' health in their
/// parent's for every app (process-wide, set once at start-up).
pub static APP_HEALTH_CHILDREN: AtomicBool = AtomicBool::new(false);

/// The key of `argocd-cm` whose presence makes Argo CD assess child Applications' health.
pub const APP_HEALTH_CM_KEY: &str = "resource.customizations.health.argoproj.io_Application";

/// How health is assessed for the apps of `namespace`: child Applications count when
/// [`APP_HEALTH_CHILDREN`] is set or, as in Argo CD, when the namespace's `argocd-cm`
/// ConfigMap has [`APP_HEALTH_CM_KEY`] (read on every call, so editing it takes effect on
/// the next reconcile).
pub async fn health_options(client: &kube::Client, namespace: &str) -> HealthOptions {
    if APP_HEALTH_CHILDREN.load(Ordering::Relaxed) {
        return HealthOptions { app_children: true };
    }
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(client.clone(), namespace);
    let app_children = matches!(cms.get_opt("argocd-cm").await, Ok(Some(cm))
        if cm.data.as_ref().is_some_and(|d| d.contains_key(APP_HEALTH_CM_KEY)));
    HealthOptions { app_children }
}

/// The credentials for fetching `url`, read from the Argo CD repository Secrets and the
/// known-hosts ConfigMap of `namespace`. Unreadable ones (e.g. no RBAC on Secrets) are
/// reported on stderr and the fetch goes ahead anonymously, as it did before credentials
/// existed: a public repository keeps working.
pub async fn repo_auth(client: &kube::Client, namespace: &str, url: &str) -> GitAuth {
    let creds = repocreds::lookup(client, namespace, url)
        .await
        .unwrap_or_else(|e| {
            eprintln!("warning: {e}; fetching {url} without credentials");
            None
        });
    let known_hosts = if repocreds::is_ssh_url(url) {
        repocreds::known_hosts(client, namespace)
            .await
            .unwrap_or_else(|e| {
                eprintln!("warning: {e}");
                None
            })
    } else {
        None
    };
    GitAuth { creds, known_hosts }
}
