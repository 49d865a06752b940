//! The apply and delete operations: plan, write-ahead inventory, ordered server-side apply,
//! guarded prune, and the final (narrowed) inventory.

use super::discovery::{ClusterContext, Resolved};
use super::error::{ApplyError, ObjectErrorKind};
use super::inventory::{self, Inventory};
use super::objects::{self, DesiredObject, ObjectRef, PART_OF};
use super::{hooks, prune, ssa, Action, ApplyOptions, ApplyReport, ObjectResult};
use crate::render::Rendered;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PostParams};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A desired object with its resolved kind (`None` until its CRD, applied in the same run, is
/// served).
pub(crate) struct Planned {
    pub(crate) d: DesiredObject,
    pub(crate) resolved: Option<Resolved>,
}

/// Parses, orders and resolves the rendered objects: namespaced objects get the release
/// namespace when they name none; cluster-scoped objects lose a stray namespace. A kind the
/// server does not serve is allowed only if a CRD of the set defines it.
pub(crate) fn plan(
    ctx: &ClusterContext,
    namespace: &str,
    rendered: &Rendered,
    opts: &ApplyOptions,
) -> Result<Vec<Planned>, ApplyError> {
    let mut objs = objects::from_rendered(rendered, opts.include_crds, opts.run_hooks)?;
    objects::sort_for_apply(&mut objs);
    // (group, kind) -> namespaced, for kinds defined by CRDs of this set.
    let mut crd_kinds: HashMap<(String, String), bool> = HashMap::new();
    for d in &objs {
        if d.obj.kind == "CustomResourceDefinition" && d.obj.group == "apiextensions.k8s.io" {
            let spec = &d.body["spec"];
            if let (Some(g), Some(k)) = (spec["group"].as_str(), spec["names"]["kind"].as_str()) {
                let namespaced = spec["scope"].as_str() != Some("Cluster");
                crd_kinds.insert((g.to_string(), k.to_string()), namespaced);
            }
        }
    }
    let mut out = Vec::with_capacity(objs.len());
    for mut d in objs {
        let resolved = ctx.resolve(&d.obj);
        let namespaced = match &resolved {
            Some(r) => r.namespaced,
            None => match crd_kinds.get(&(d.obj.group.clone(), d.obj.kind.clone())) {
                Some(n) => *n,
                None => {
                    return Err(ApplyError::Render(format!(
                    "{} ({}): the server does not serve {} {} and no CRD of this chart defines it",
                    d.obj,
                    d.source,
                    d.obj.api_version(),
                    d.obj.kind
                )))
                }
            },
        };
        set_namespace(&mut d, namespaced, namespace);
        out.push(Planned { d, resolved });
    }
    Ok(out)
}

fn set_namespace(d: &mut DesiredObject, namespaced: bool, release_ns: &str) {
    if namespaced {
        if d.obj.namespace.is_empty() {
            d.obj.namespace = release_ns.to_string();
        }
    } else {
        d.obj.namespace.clear();
    }
    if let Some(meta) = d.body.get_mut("metadata").and_then(Json::as_object_mut) {
        if namespaced {
            meta.insert("namespace".into(), d.obj.namespace.clone().into());
        } else {
            meta.remove("namespace");
        }
    }
}

fn with_label(body: &Json, id: &str) -> Json {
    let mut body = body.clone();
    if let Some(meta) = body.get_mut("metadata").and_then(Json::as_object_mut) {
        let labels = meta
            .entry("labels")
            .or_insert_with(|| Json::Object(Default::default()));
        if !labels.is_object() {
            *labels = Json::Object(Default::default());
        }
        if let Some(l) = labels.as_object_mut() {
            l.insert(PART_OF.into(), id.into());
        }
    }
    body
}

/// Creates the namespace if it does not exist (POST, not apply: an apply of an empty
/// Namespace by our field manager would strip labels a release applied to it).
pub async fn ensure_namespace(ctx: &ClusterContext, name: &str) -> Result<(), ApplyError> {
    let api: Api<Namespace> = Api::all(ctx.client().clone());
    let ns_ref = ObjectRef {
        group: String::new(),
        version: "v1".into(),
        kind: "Namespace".into(),
        namespace: String::new(),
        name: name.into(),
    };
    if api
        .get_opt(name)
        .await
        .map_err(|e| ApplyError::from_kube(&ns_ref, "get", e))?
        .is_some()
    {
        return Ok(());
    }
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": name}}))
        .map_err(|e| ApplyError::Render(e.to_string()))?;
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(ApplyError::from_kube(&ns_ref, "create", e)),
    }
}

/// Makes the cluster match `rendered` for `release` in `namespace`; see the module docs of
/// [`crate::apply`] for the steps. On error nothing is pruned and the inventory keeps the
/// widened set, so a re-run converges.
pub async fn apply(
    ctx: &ClusterContext,
    release: &str,
    namespace: &str,
    rendered: &Rendered,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let mut planned = plan(ctx, namespace, rendered, opts)?;
    if opts.create_namespace && !opts.dry_run {
        ensure_namespace(ctx, namespace).await?;
    }
    let mut inv = inventory::read(ctx, release, namespace).await?;
    inv.owner = opts.owner.clone();
    let mut report = ApplyReport {
        applyset_id: inv.id.clone(),
        dry_run: opts.dry_run,
        ..ApplyReport::default()
    };
    // Write ahead: the union of the old members and everything about to be applied.
    for p in planned.iter().filter(|p| !p.d.is_hook()) {
        inv.upsert(&p.d.obj, None);
    }
    if !opts.dry_run {
        inventory::write(ctx, &inv, &opts.field_manager).await?;
    }

    let mut crds_applied = Vec::new();
    let mut refreshed = true;
    for p in planned.iter_mut() {
        if !p.d.is_foundation() && !refreshed {
            wait_crds(ctx, &crds_applied, opts.timeout).await?;
            ctx.refresh().await?;
            refreshed = true;
        }
        if p.resolved.is_none() {
            p.resolved = ctx.resolve(&p.d.obj);
        }
        let Some(resolved) = p.resolved.clone() else {
            if opts.dry_run {
                // Its CRD is only created by the real apply.
                report.results.push(ObjectResult {
                    object: p.d.obj.clone(),
                    action: Action::Created,
                });
                continue;
            }
            return Err(ApplyError::Discovery(format!(
                "{} is still not served after its CRD was applied",
                p.d.obj
            )));
        };
        if p.d.is_hook() {
            hooks::run(ctx, &resolved, &p.d, opts).await?;
            report.results.push(ObjectResult {
                object: p.d.obj.clone(),
                action: Action::HookRan,
            });
            continue;
        }
        let (action, uid) = apply_one(ctx, &resolved, &p.d, &inv.id, opts).await?;
        if !opts.dry_run {
            inv.upsert(&p.d.obj, uid);
        }
        if p.d.obj.kind == "CustomResourceDefinition" && !opts.dry_run {
            crds_applied.push(p.d.obj.name.clone());
            refreshed = false;
        }
        report.results.push(ObjectResult {
            object: p.d.obj.clone(),
            action,
        });
    }
    if !refreshed {
        wait_crds(ctx, &crds_applied, opts.timeout).await?;
        ctx.refresh().await?;
    }

    if opts.prune {
        let desired: Vec<&ObjectRef> = planned
            .iter()
            .filter(|p| !p.d.is_hook())
            .map(|p| &p.d.obj)
            .collect();
        let candidates: Vec<inventory::Member> = inv
            .members
            .iter()
            .filter(|m| !desired.iter().any(|d| d.same_object(&m.obj)))
            .cloned()
            .collect();
        if !opts.render_complete {
            report.prune_refused = Some("the render was incomplete".into());
        } else {
            prune_members(ctx, &mut inv, candidates, opts, &mut report).await?;
        }
    }
    if !opts.dry_run {
        inventory::write(ctx, &inv, &opts.field_manager).await?;
    }
    if opts.wait && !opts.dry_run {
        wait_healthy(ctx, &report, opts.timeout).await?;
    }
    report.warnings = ctx.warnings();
    Ok(report)
}

/// `--wait`: polls every applied object until Argo CD's health rules call it Healthy (or
/// Suspended), or fails naming the objects still not ready when `timeout` runs out.
async fn wait_healthy(
    ctx: &ClusterContext,
    report: &ApplyReport,
    timeout: std::time::Duration,
) -> Result<(), ApplyError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut pending = Vec::new();
        for r in &report.results {
            if !matches!(
                r.action,
                Action::Created | Action::Configured | Action::Unchanged
            ) {
                continue;
            }
            let h = super::health::object_health(ctx, &r.object).await;
            if h != "Healthy" && h != "Suspended" {
                pending.push(format!("{} ({h})", r.object));
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ApplyError::Timeout(format!(
                "timed out waiting for {} to become healthy",
                pending.join(", ")
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

async fn apply_one(
    ctx: &ClusterContext,
    r: &Resolved,
    d: &DesiredObject,
    id: &str,
    opts: &ApplyOptions,
) -> Result<(Action, Option<String>), ApplyError> {
    let live = ssa::get(ctx, r, &d.obj).await?;
    if let Some(live) = &live {
        let owner = live["metadata"]["labels"][PART_OF].as_str();
        if owner != Some(id) && !opts.adopt {
            return Err(ApplyError::NotOwned {
                object: Box::new(d.obj.clone()),
                owner: owner.map(str::to_string),
            });
        }
    }
    let body = with_label(&d.body, id);
    let applied = ssa::apply(
        ctx,
        r,
        &d.obj,
        &body,
        &opts.field_manager,
        opts.force_conflicts,
        opts.dry_run,
    )
    .await?;
    // Compare content, not resourceVersion: some kinds (PersistentVolumeClaim) get a new
    // resourceVersion from an apply that changes nothing.
    let action = match &live {
        None => Action::Created,
        Some(l) if super::diff::changes(l, &applied, false).is_empty() => Action::Unchanged,
        Some(_) => Action::Configured,
    };
    let uid = applied["metadata"]["uid"].as_str().map(str::to_string);
    Ok((action, uid))
}

/// Waits until the named CRDs report `Established`.
async fn wait_crds(
    ctx: &ClusterContext,
    names: &[String],
    timeout: Duration,
) -> Result<(), ApplyError> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let api: Api<CustomResourceDefinition> = Api::all(ctx.client().clone());
    let deadline = Instant::now() + timeout;
    for name in names {
        loop {
            let crd = api.get(name).await.map_err(super::error::transport)?;
            let established = crd
                .status
                .and_then(|s| s.conditions)
                .unwrap_or_default()
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            if established {
                break;
            }
            if Instant::now() >= deadline {
                return Err(ApplyError::Timeout(format!("CRD {name} not Established")));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// Deletes the candidates that pass every guard, in reverse apply order, each with a UID
/// precondition. Returns false when something was held back (blocked or refused).
async fn prune_members(
    ctx: &ClusterContext,
    inv: &mut Inventory,
    candidates: Vec<inventory::Member>,
    opts: &ApplyOptions,
    report: &mut ApplyReport,
) -> Result<bool, ApplyError> {
    // Discovery must know every candidate's kind, else prune nothing.
    let mut resolved = Vec::new();
    for m in candidates {
        let r = ctx
            .resolve(&m.obj)
            .or_else(|| ctx.resolve_gk(&m.obj.group, &m.obj.kind));
        match r {
            Some(r) => resolved.push((m, r)),
            None => {
                report.prune_refused = Some(format!(
                    "discovery does not know {} (CRD removed or API group unavailable)",
                    m.obj
                ));
                return Ok(false);
            }
        }
    }
    let too_many = prune::too_many(resolved.len(), inv.members.len());
    let mut order: Vec<ObjectRef> = resolved.iter().map(|(m, _)| m.obj.clone()).collect();
    objects::sort_for_delete(&mut order);
    let mut complete = true;
    for o in order {
        let Some((m, r)) = resolved.iter().find(|(m, _)| m.obj == o) else {
            continue;
        };
        let dangerous = prune::is_dangerous(&m.obj) && !opts.confirm_kinds.contains(&m.obj.kind);
        if !opts.confirm_prune && (too_many || dangerous) {
            let why = if too_many {
                format!(
                    "more than half of the set and over {} objects",
                    prune::BLAST_COUNT
                )
            } else {
                format!(
                    "{} objects are pruned only with --confirm-prune",
                    m.obj.kind
                )
            };
            report.results.push(ObjectResult {
                object: m.obj.clone(),
                action: Action::PruneBlocked(why),
            });
            complete = false;
            continue;
        }
        let Some(live) = ssa::get(ctx, r, &m.obj).await? else {
            inv.remove(&m.obj);
            continue;
        };
        if let Err(reason) = prune::guard(m, &live, &inv.id, &opts.field_manager) {
            if !prune::still_ours(&live, &inv.id, m, &opts.field_manager) {
                inv.remove(&m.obj);
            }
            report.results.push(ObjectResult {
                object: m.obj.clone(),
                action: Action::PruneSkipped(reason),
            });
            continue;
        }
        let uid = m
            .uid
            .clone()
            .or_else(|| live["metadata"]["uid"].as_str().map(str::to_string));
        match ssa::delete(ctx, r, &m.obj, uid.as_deref(), opts.dry_run).await? {
            ssa::Deleted::Yes | ssa::Deleted::Gone => {
                report.results.push(ObjectResult {
                    object: m.obj.clone(),
                    action: Action::Pruned,
                });
            }
            ssa::Deleted::UidChanged => report.results.push(ObjectResult {
                object: m.obj.clone(),
                action: Action::PruneSkipped("UID changed before the delete".into()),
            }),
        }
        if !opts.dry_run {
            inv.remove(&m.obj);
        }
    }
    Ok(complete)
}

/// Deletes every member of `release` (guards and blast-radius limit apply), then its parent
/// Secret once nothing tracked remains.
pub async fn delete(
    ctx: &ClusterContext,
    release: &str,
    namespace: &str,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let mut inv = inventory::read(ctx, release, namespace).await?;
    inv.owner = opts.owner.clone();
    let mut report = ApplyReport {
        applyset_id: inv.id.clone(),
        dry_run: opts.dry_run,
        ..ApplyReport::default()
    };
    if !inv.exists {
        return Err(ApplyError::Inventory(format!(
            "release {release} has no inventory in namespace {namespace}"
        )));
    }
    let candidates = inv.members.clone();
    prune_members(ctx, &mut inv, candidates, opts, &mut report).await?;
    if !opts.dry_run {
        if inv.members.is_empty() {
            inventory::remove(ctx, &inv).await?;
        } else {
            inventory::write(ctx, &inv, &opts.field_manager).await?;
        }
    }
    report.warnings = ctx.warnings();
    Ok(report)
}

/// True for errors after which re-running may succeed without a change (transport errors).
pub fn is_transient(e: &ApplyError) -> bool {
    matches!(
        e,
        ApplyError::Unreachable(_)
            | ApplyError::Object {
                kind: ObjectErrorKind::Other,
                ..
            }
    )
}
