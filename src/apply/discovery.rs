//! [`ClusterContext`]: a client plus a discovery cache (every served group/version/kind with
//! its resource name and scope), the server version, and the API warnings collected so far.

use super::error::{transport, ApplyError};
use super::host::ClusterHost;
use super::objects::ObjectRef;
use kube::core::discovery::Scope;
use kube::discovery::{ApiResource, Discovery};
use kube::Client;
use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Discovery runs tried when a group disappears mid-discovery.
const DISCOVERY_ATTEMPTS: usize = 5;

/// A resolved kind: the resource to address and whether it is namespaced.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Group, version, kind and plural.
    pub resource: ApiResource,
    /// Namespaced (true) or cluster-scoped.
    pub namespaced: bool,
}

/// Discovery results keyed by (group, version, kind).
#[derive(Default)]
struct Cache {
    by_gvk: HashMap<(String, String, String), Resolved>,
    /// Group versions as Helm's `.Capabilities.APIVersions` lists them: `g/v` and `g/v/Kind`.
    api_versions: Vec<String>,
}

/// A cluster connection shared by apply, diff, delete and `lookup`. Cheap to clone.
#[derive(Clone)]
pub struct ClusterContext {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    cache: RwLock<Cache>,
    kube_version: String,
    warnings: Mutex<(BTreeSet<String>, Vec<String>)>,
}

impl ClusterContext {
    /// Reads the server version and runs API discovery. Fails if any group cannot be
    /// discovered (a partial discovery must never feed a prune).
    pub async fn connect(client: &Client) -> Result<ClusterContext, ApplyError> {
        let version = client.apiserver_version().await.map_err(transport)?;
        let ctx = ClusterContext {
            inner: Arc::new(Inner {
                client: client.clone(),
                cache: RwLock::new(Cache::default()),
                kube_version: version.git_version,
                warnings: Mutex::new((BTreeSet::new(), Vec::new())),
            }),
        };
        ctx.refresh().await?;
        Ok(ctx)
    }

    /// Re-runs discovery (after CRDs were applied).
    pub async fn refresh(&self) -> Result<(), ApplyError> {
        // A group listed by /apis can vanish before its resources are read (a CRD being
        // deleted): that 404 is retried; any other failure ends discovery (never partial).
        let mut attempt = 0;
        let discovery = loop {
            attempt += 1;
            match Discovery::new(self.inner.client.clone()).run().await {
                Ok(d) => break d,
                Err(kube::Error::Api(s)) if s.code == 404 && attempt < DISCOVERY_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(kube::Error::Api(s)) => return Err(ApplyError::Discovery(s.message)),
                Err(other) => return Err(transport(other)),
            }
        };
        let mut cache = Cache::default();
        for group in discovery.groups() {
            for version in group.versions() {
                let gv = if group.name().is_empty() {
                    version.to_string()
                } else {
                    format!("{}/{version}", group.name())
                };
                cache.api_versions.push(gv.clone());
                for (ar, caps) in group.versioned_resources(version) {
                    cache.api_versions.push(format!("{gv}/{}", ar.kind));
                    cache.by_gvk.insert(
                        (ar.group.clone(), ar.version.clone(), ar.kind.clone()),
                        Resolved {
                            namespaced: caps.scope == Scope::Namespaced,
                            resource: ar,
                        },
                    );
                }
            }
        }
        *self.inner.cache.write() = cache;
        Ok(())
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The server's version (`v1.34.1`), for `.Capabilities.KubeVersion`.
    pub fn kube_version(&self) -> String {
        self.inner.kube_version.clone()
    }

    /// Served group versions and `group/version/Kind` entries, for
    /// `.Capabilities.APIVersions` (pass as `RenderOptions::api_versions`).
    pub fn api_versions(&self) -> Vec<String> {
        self.inner.cache.read().api_versions.clone()
    }

    /// Resolves an object's kind (`None` when the version or kind is not served).
    pub fn resolve(&self, o: &ObjectRef) -> Option<Resolved> {
        self.resolve_gvk(&o.group, &o.version, &o.kind)
    }

    /// Resolves a group/version/kind.
    pub fn resolve_gvk(&self, group: &str, version: &str, kind: &str) -> Option<Resolved> {
        self.inner
            .cache
            .read()
            .by_gvk
            .get(&(group.to_string(), version.to_string(), kind.to_string()))
            .cloned()
    }

    /// Resolves a group and kind in any served version (for inventory members recorded under
    /// a version the server no longer serves).
    pub fn resolve_gk(&self, group: &str, kind: &str) -> Option<Resolved> {
        let cache = self.inner.cache.read();
        let mut found: Vec<&Resolved> = cache
            .by_gvk
            .iter()
            .filter(|((g, _, k), _)| g == group && k == kind)
            .map(|(_, r)| r)
            .collect();
        found.sort_by(|a, b| a.resource.version.cmp(&b.resource.version));
        found.first().map(|r| (*r).clone())
    }

    /// A [`ClusterHost`] answering `lookup` from this cluster.
    pub fn host(&self) -> ClusterHost {
        ClusterHost::new(self.clone())
    }

    /// Records an API warning; returns true the first time this text is seen.
    pub fn add_warning(&self, w: &str) -> bool {
        let mut g = self.inner.warnings.lock();
        if g.0.insert(w.to_string()) {
            g.1.push(w.to_string());
            true
        } else {
            false
        }
    }

    /// Every distinct API warning seen, in arrival order.
    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings.lock().1.clone()
    }
}
