//! Helm hooks on apply: pre-install/pre-upgrade before the members, post-* after (Argo CD's
//! PreSync/PostSync mapping), honouring `helm.sh/hook-delete-policy`. Hooks are not inventory
//! members and never pruned.

use super::discovery::{ClusterContext, Resolved};
use super::error::ApplyError;
use super::objects::DesiredObject;
use super::{ssa, ApplyOptions};
use serde_json::Value as Json;
use std::time::{Duration, Instant};

/// Outcome of a Job.
#[derive(Debug, PartialEq, Eq)]
pub enum JobState {
    /// Still running.
    Running,
    /// Condition Complete=True.
    Succeeded,
    /// Condition Failed=True.
    Failed(String),
}

/// Reads a Job's state from its status conditions.
pub fn job_state(job: &Json) -> JobState {
    let conditions = job["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in &conditions {
        if c["status"].as_str() != Some("True") {
            continue;
        }
        match c["type"].as_str() {
            Some("Complete") => return JobState::Succeeded,
            Some("Failed") => {
                return JobState::Failed(c["message"].as_str().unwrap_or("failed").to_string())
            }
            _ => {}
        }
    }
    JobState::Running
}

/// Runs one hook: delete a previous instance (before-hook-creation), apply, wait if a Job,
/// then delete per hook-succeeded / hook-failed.
pub async fn run(
    ctx: &ClusterContext,
    r: &Resolved,
    d: &DesiredObject,
    opts: &ApplyOptions,
) -> Result<(), ApplyError> {
    let policies = d.hook_delete_policies.clone().unwrap_or_default();
    let has = |p: &str| policies.iter().any(|x| x == p);
    if opts.dry_run {
        ssa::apply(ctx, r, &d.obj, &d.body, &opts.field_manager, true, true).await?;
        return Ok(());
    }
    if has("before-hook-creation") && ssa::get(ctx, r, &d.obj).await?.is_some() {
        ssa::delete(ctx, r, &d.obj, None, false).await?;
        wait_gone(ctx, r, d, opts.timeout).await?;
    }
    ssa::apply(ctx, r, &d.obj, &d.body, &opts.field_manager, true, false).await?;
    let is_job = d.obj.group == "batch" && d.obj.kind == "Job";
    let outcome = if is_job {
        wait_job(ctx, r, d, opts.timeout).await?
    } else {
        JobState::Succeeded
    };
    match outcome {
        JobState::Failed(msg) => {
            if has("hook-failed") {
                ssa::delete(ctx, r, &d.obj, None, false).await?;
            }
            Err(ApplyError::Object {
                object: Box::new(d.obj.clone()),
                op: "hook",
                kind: super::error::ObjectErrorKind::Other,
                message: msg,
            })
        }
        _ => {
            if has("hook-succeeded") {
                ssa::delete(ctx, r, &d.obj, None, false).await?;
            }
            Ok(())
        }
    }
}

async fn wait_gone(
    ctx: &ClusterContext,
    r: &Resolved,
    d: &DesiredObject,
    timeout: Duration,
) -> Result<(), ApplyError> {
    let deadline = Instant::now() + timeout;
    while ssa::get(ctx, r, &d.obj).await?.is_some() {
        if Instant::now() >= deadline {
            return Err(ApplyError::Timeout(format!("{} was not deleted", d.obj)));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

async fn wait_job(
    ctx: &ClusterContext,
    r: &Resolved,
    d: &DesiredObject,
    timeout: Duration,
) -> Result<JobState, ApplyError> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(job) = ssa::get(ctx, r, &d.obj).await? {
            let state = job_state(&job);
            if state != JobState::Running {
                return Ok(state);
            }
        }
        if Instant::now() >= deadline {
            return Err(ApplyError::Timeout(format!(
                "hook {} did not finish",
                d.obj
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_states_from_conditions() {
        assert_eq!(job_state(&json!({})), JobState::Running);
        assert_eq!(
            job_state(&json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}})),
            JobState::Succeeded
        );
        assert_eq!(
            job_state(
                &json!({"status": {"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}})
            ),
            JobState::Failed("BackoffLimitExceeded".into())
        );
        assert_eq!(
            job_state(
                &json!({"status": {"conditions": [{"type": "Complete", "status": "False"}]}})
            ),
            JobState::Running
        );
    }
}
