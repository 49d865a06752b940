//! Requests on single objects: GET, server-side apply (with the server's warnings captured),
//! and DELETE with a UID precondition.

use super::discovery::{ClusterContext, Resolved};
use super::error::{transport, ApplyError, ObjectErrorKind};
use super::objects::ObjectRef;
use kube::api::{
    Api, DeleteParams, DynamicObject, Patch, PatchParams, Preconditions, PropagationPolicy,
};
use kube::client::Body;
use serde_json::Value as Json;

/// The collection URL of a resource (`/apis/apps/v1/namespaces/ns/deployments`).
pub fn collection_path(r: &Resolved, namespace: &str) -> String {
    let ar = &r.resource;
    let mut p = if ar.group.is_empty() {
        format!("/api/{}", ar.version)
    } else {
        format!("/apis/{}/{}", ar.group, ar.version)
    };
    if r.namespaced {
        p.push_str("/namespaces/");
        p.push_str(namespace);
    }
    p.push('/');
    p.push_str(&ar.plural);
    p
}

fn api(ctx: &ClusterContext, r: &Resolved, o: &ObjectRef) -> Api<DynamicObject> {
    if r.namespaced {
        Api::namespaced_with(ctx.client().clone(), &o.namespace, &r.resource)
    } else {
        Api::all_with(ctx.client().clone(), &r.resource)
    }
}

/// GETs the live object (`None` if absent).
pub async fn get(
    ctx: &ClusterContext,
    r: &Resolved,
    o: &ObjectRef,
) -> Result<Option<Json>, ApplyError> {
    let got = api(ctx, r, o)
        .get_opt(&o.name)
        .await
        .map_err(|e| ApplyError::from_kube(o, "get", e))?;
    got.map(|d| serde_json::to_value(&d))
        .transpose()
        .map_err(|e| ApplyError::Render(format!("{o}: {e}")))
}

/// Server-side applies `body`, returning the object the server answered with. Warnings the
/// server sends (deprecated APIs) are recorded in `ctx`.
pub async fn apply(
    ctx: &ClusterContext,
    r: &Resolved,
    o: &ObjectRef,
    body: &Json,
    field_manager: &str,
    force: bool,
    dry_run: bool,
) -> Result<Json, ApplyError> {
    let mut pp = PatchParams::apply(field_manager);
    pp.force = force;
    pp.dry_run = dry_run;
    let req = kube::core::Request::new(collection_path(r, &o.namespace))
        .patch(&o.name, &pp, &Patch::Apply(body))
        .map_err(|e| ApplyError::Render(format!("{o}: {e}")))?;
    let res = ctx
        .client()
        .send(req.map(Body::from))
        .await
        .map_err(transport)?;
    for w in res.headers().get_all("warning") {
        if let Ok(text) = w.to_str() {
            ctx.add_warning(&warning_text(text));
        }
    }
    let status = res.status().as_u16();
    let bytes = res.into_body().collect_bytes().await.map_err(transport)?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes)
            .map_err(|e| ApplyError::Render(format!("{o}: bad apply response: {e}")));
    }
    let message = serde_json::from_slice::<Json>(&bytes)
        .ok()
        .and_then(|j| j.get("message").and_then(Json::as_str).map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
    Err(ApplyError::Object {
        object: Box::new(o.clone()),
        op: "apply",
        kind: ObjectErrorKind::from_code(status),
        message,
    })
}

/// A `Warning` header value (`299 - "text"`) reduced to its text.
pub fn warning_text(header: &str) -> String {
    let rest = header
        .trim()
        .strip_prefix("299")
        .map(str::trim_start)
        .and_then(|s| s.strip_prefix('-'))
        .map(str::trim);
    match rest {
        Some(r) if r.len() >= 2 && r.starts_with('"') && r.ends_with('"') => {
            r[1..r.len() - 1].replace("\\\"", "\"")
        }
        _ => header.trim().to_string(),
    }
}

/// How a delete ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    /// Deleted (or deletion started).
    Yes,
    /// Already gone.
    Gone,
    /// The UID precondition failed: the name now belongs to another object.
    UidChanged,
}

/// Deletes with background propagation and, when `uid` is given, a UID precondition.
pub async fn delete(
    ctx: &ClusterContext,
    r: &Resolved,
    o: &ObjectRef,
    uid: Option<&str>,
    dry_run: bool,
) -> Result<Deleted, ApplyError> {
    let dp = DeleteParams {
        dry_run,
        propagation_policy: Some(PropagationPolicy::Background),
        preconditions: uid.map(|u| Preconditions {
            uid: Some(u.to_string()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    match api(ctx, r, o).delete(&o.name, &dp).await {
        Ok(_) => Ok(Deleted::Yes),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Deleted::Gone),
        Err(kube::Error::Api(s)) if s.code == 409 && uid.is_some() => Ok(Deleted::UidChanged),
        Err(e) => Err(ApplyError::from_kube(o, "delete", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::discovery::ApiResource;

    #[test]
    fn warning_headers_reduce_to_text() {
        assert_eq!(
            warning_text(
                r#"299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice""#
            ),
            "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
        );
        assert_eq!(warning_text("odd"), "odd");
    }

    #[test]
    fn paths_for_core_and_grouped_resources() {
        let r = |g: &str, v: &str, plural: &str, namespaced| Resolved {
            resource: ApiResource {
                group: g.into(),
                version: v.into(),
                api_version: String::new(),
                kind: String::new(),
                plural: plural.into(),
            },
            namespaced,
        };
        assert_eq!(
            collection_path(&r("", "v1", "services", true), "ns"),
            "/api/v1/namespaces/ns/services"
        );
        assert_eq!(
            collection_path(&r("apps", "v1", "deployments", true), "a"),
            "/apis/apps/v1/namespaces/a/deployments"
        );
        assert_eq!(
            collection_path(&r("", "v1", "namespaces", false), "x"),
            "/api/v1/namespaces"
        );
    }
}
