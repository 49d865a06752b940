//! [`ClusterHost`]: Helm's `lookup` answered from the live cluster.

use super::discovery::ClusterContext;
use crate::template::{Host, Value};
use kube::api::{Api, DynamicObject, ListParams};

/// Answers `lookup` with a GET (or LIST when the name is empty) against the cluster, like
/// `helm install` does. Not found gives an empty map, as in Helm.
///
/// The template engine is synchronous: render on a blocking thread
/// (`tokio::task::spawn_blocking`) or a thread of a multi-thread runtime; each lookup runs
/// its request on a helper thread and blocks until it answers.
#[derive(Clone)]
pub struct ClusterHost {
    ctx: ClusterContext,
    handle: Option<tokio::runtime::Handle>,
}

impl ClusterHost {
    /// A host bound to `ctx` and to the current tokio runtime (if any).
    pub fn new(ctx: ClusterContext) -> Self {
        ClusterHost {
            ctx,
            handle: tokio::runtime::Handle::try_current().ok(),
        }
    }

    async fn fetch(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<serde_json::Value, String> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let Some(r) = self.ctx.resolve_gvk(group, version, kind) else {
            // Helm fails the same way when discovery does not know the kind.
            return Err(format!(
                "unable to get apiresource from unstructured: {api_version}, Kind={kind}"
            ));
        };
        let client = self.ctx.client().clone();
        let api: Api<DynamicObject> = if r.namespaced && !namespace.is_empty() {
            Api::namespaced_with(client, namespace, &r.resource)
        } else {
            Api::all_with(client, &r.resource)
        };
        if name.is_empty() {
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| e.to_string())?;
            serde_json::to_value(&list).map_err(|e| e.to_string())
        } else {
            match api.get_opt(name).await.map_err(|e| e.to_string())? {
                Some(o) => serde_json::to_value(&o).map_err(|e| e.to_string()),
                None => Ok(serde_json::Value::Object(Default::default())),
            }
        }
    }
}

impl Host for ClusterHost {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let Some(handle) = self.handle.clone() else {
            return Err("lookup: no tokio runtime to reach the cluster".into());
        };
        let json = std::thread::scope(|s| {
            s.spawn(|| handle.block_on(self.fetch(api_version, kind, namespace, name)))
                .join()
                .unwrap_or_else(|_| Err("lookup thread panicked".into()))
        })?;
        Ok(crate::chart::json_to_value(&json))
    }
}
