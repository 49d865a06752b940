//! `rudder diff`: what an apply would change, field by field, from server-side dry runs.
//! Secret values are masked in the report only; masked values never reach an apply.

use super::discovery::ClusterContext;
use super::error::ApplyError;
use super::inventory;
use super::objects::{ObjectRef, PART_OF};
use super::run::plan;
use super::{prune, ssa, Action, ApplyOptions};
use crate::render::Rendered;
use serde_json::Value as Json;

/// One changed field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// Dotted path (`spec.replicas`, `spec.ports[0].port`).
    pub path: String,
    /// Live value (`None`: absent).
    pub before: Option<Json>,
    /// Value after the apply (`None`: removed).
    pub after: Option<Json>,
}

/// What would happen to one object.
#[derive(Clone, Debug)]
pub struct ObjectDiff {
    /// The object.
    pub object: ObjectRef,
    /// Created, Configured, Unchanged or Pruned.
    pub action: Action,
    /// Field changes (for Created, every field of the new object).
    pub changes: Vec<FieldChange>,
}

/// The result of [`diff`].
#[derive(Clone, Debug, Default)]
pub struct DiffReport {
    /// Per object, in apply order, then prunes.
    pub objects: Vec<ObjectDiff>,
    /// API warnings.
    pub warnings: Vec<String>,
}

impl DiffReport {
    /// True when the cluster already matches.
    pub fn is_empty(&self) -> bool {
        self.objects.iter().all(|o| o.action == Action::Unchanged)
    }
}

/// Server-set metadata that is never drift.
const IGNORED_META: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "uid",
    "selfLink",
];

fn normalise(v: &Json) -> Json {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
        if let Some(meta) = m.get_mut("metadata").and_then(Json::as_object_mut) {
            for k in IGNORED_META {
                meta.remove(*k);
            }
        }
    }
    v
}

/// Field changes from `before` to `after` (metadata the server sets and status ignored).
/// With `mask`, values under `data` and `stringData` are replaced by `*** (before)` /
/// `*** (after)` (for Secrets).
pub fn changes(before: &Json, after: &Json, mask: bool) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(
        "",
        Some(&normalise(before)),
        Some(&normalise(after)),
        &mut out,
    );
    if mask {
        for c in &mut out {
            if c.path.starts_with("data.")
                || c.path.starts_with("stringData.")
                || c.path == "data"
                || c.path == "stringData"
            {
                c.before = c
                    .before
                    .as_ref()
                    .map(|_| Json::String("*** (before)".into()));
                c.after = c.after.as_ref().map(|_| Json::String("*** (after)".into()));
            }
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, a: Option<&Json>, b: Option<&Json>, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Some(Json::Object(x)), Some(Json::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&join(path, k), x.get(k), y.get(k), out);
            }
        }
        (Some(Json::Array(x)), Some(Json::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), Some(p), Some(q), out);
            }
        }
        (None, None) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            path: path.to_string(),
            before: a.cloned(),
            after: b.cloned(),
        }),
    }
}

fn is_secret(o: &ObjectRef) -> bool {
    o.group.is_empty() && o.kind == "Secret"
}

/// Computes what [`super::apply`] would do, without writing: an SSA dry run per object
/// (forced, so conflicts do not hide changes), compared with the live object, and the
/// inventory members a prune would delete (when `opts.prune`).
pub async fn diff(
    ctx: &ClusterContext,
    release: &str,
    namespace: &str,
    rendered: &Rendered,
    opts: &ApplyOptions,
) -> Result<DiffReport, ApplyError> {
    let planned = plan(ctx, namespace, rendered, opts)?;
    let inv = inventory::read(ctx, release, namespace).await?;
    let mut report = DiffReport::default();
    for p in planned.iter().filter(|p| !p.d.is_hook()) {
        let mask = is_secret(&p.d.obj);
        let mut body = p.d.body.clone();
        if let Some(meta) = body.get_mut("metadata").and_then(Json::as_object_mut) {
            let labels = meta
                .entry("labels")
                .or_insert_with(|| Json::Object(Default::default()));
            if let Some(l) = labels.as_object_mut() {
                l.insert(PART_OF.into(), inv.id.clone().into());
            }
        }
        let Some(r) = &p.resolved else {
            report.objects.push(ObjectDiff {
                object: p.d.obj.clone(),
                action: Action::Created,
                changes: changes(&Json::Null, &body, mask),
            });
            continue;
        };
        let live = ssa::get(ctx, r, &p.d.obj).await?;
        let after = ssa::apply(ctx, r, &p.d.obj, &body, &opts.field_manager, true, true).await?;
        let (action, ch) = match &live {
            None => (Action::Created, changes(&Json::Null, &body, mask)),
            Some(l) => {
                let ch = changes(l, &after, mask);
                (
                    if ch.is_empty() {
                        Action::Unchanged
                    } else {
                        Action::Configured
                    },
                    ch,
                )
            }
        };
        report.objects.push(ObjectDiff {
            object: p.d.obj.clone(),
            action,
            changes: ch,
        });
    }
    if opts.prune {
        for m in &inv.members {
            if planned.iter().any(|p| p.d.obj.same_object(&m.obj)) {
                continue;
            }
            let Some(r) = ctx
                .resolve(&m.obj)
                .or_else(|| ctx.resolve_gk(&m.obj.group, &m.obj.kind))
            else {
                continue;
            };
            let Some(live) = ssa::get(ctx, &r, &m.obj).await? else {
                continue;
            };
            let action = match prune::guard(m, &live, &inv.id, &opts.field_manager) {
                Ok(()) => Action::Pruned,
                Err(reason) => Action::PruneSkipped(reason),
            };
            report.objects.push(ObjectDiff {
                object: m.obj.clone(),
                action,
                changes: Vec::new(),
            });
        }
    }
    report.warnings = ctx.warnings();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_level_changes_ignore_server_metadata() {
        let live = json!({"metadata": {"name": "d", "uid": "1", "resourceVersion": "5", "managedFields": []},
                          "spec": {"replicas": 1, "template": {"x": [1, 2]}}, "status": {"ready": 1}});
        let after = json!({"metadata": {"name": "d", "uid": "1", "resourceVersion": "6"},
                           "spec": {"replicas": 2, "template": {"x": [1, 3]}, "paused": false}});
        let ch = changes(&live, &after, false);
        let paths: Vec<_> = ch.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["spec.paused", "spec.replicas", "spec.template.x[1]"]
        );
        assert_eq!(ch[1].before, Some(json!(1)));
        assert_eq!(ch[1].after, Some(json!(2)));
        assert!(changes(&live, &live, false).is_empty());
    }

    #[test]
    fn secret_values_are_masked() {
        let live = json!({"kind": "Secret", "data": {"password": "b2xk"}, "type": "Opaque"});
        let after = json!({"kind": "Secret", "data": {"password": "bmV3", "user": "dQ=="}, "type": "Opaque"});
        let ch = changes(&live, &after, true);
        assert_eq!(ch.len(), 2);
        for c in &ch {
            let text = format!("{:?}{:?}", c.before, c.after);
            assert!(
                !text.contains("bmV3") && !text.contains("b2xk") && !text.contains("dQ=="),
                "{text}"
            );
        }
        assert_eq!(ch[0].before, Some(json!("*** (before)")));
        assert_eq!(ch[0].after, Some(json!("*** (after)")));
        assert_eq!(ch[1].before, None);
    }
}
