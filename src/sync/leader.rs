//! Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does:
//! the holder renews every few seconds; a candidate takes the lease over once it has seen
//! the same record for a whole lease duration (measured on its own clock, so clock skew
//! between nodes does not matter). Every write carries the resourceVersion it read
//! (optimistic concurrency), so two candidates can never both win. A leader that cannot
//! renew within the renew deadline steps down; a leader shutting down releases the lease
//! so a standby takes over at its next retry instead of waiting for expiry.

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Settings of the election.
#[derive(Clone, Debug)]
pub struct LeaderOptions {
    /// Namespace of the Lease.
    pub namespace: String,
    /// Lease name.
    pub name: String,
    /// This replica's identity (`holderIdentity`).
    pub identity: String,
    /// How long a lease is valid without renewal.
    pub lease_duration: Duration,
    /// How often the leader renews.
    pub renew_period: Duration,
    /// How long the leader keeps leading while renewals fail.
    pub renew_deadline: Duration,
    /// How often a standby retries.
    pub retry_period: Duration,
}

impl LeaderOptions {
    /// Defaults (15 s lease, renew every 5 s, 10 s renew deadline, retry every 2 s).
    pub fn new(namespace: &str, name: &str, identity: &str) -> LeaderOptions {
        LeaderOptions {
            namespace: namespace.into(),
            name: name.into(),
            identity: identity.into(),
            lease_duration: Duration::from_secs(15),
            renew_period: Duration::from_secs(5),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }
}

/// This replica's identity: `$POD_NAME`, else the host name, plus a random suffix so two
/// processes on one host differ.
pub fn default_identity() -> String {
    let base = std::env::var("POD_NAME")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "rudder".into());
    format!("{base}_{:08x}", rand::random::<u32>())
}

fn now() -> MicroTime {
    MicroTime(k8s_openapi::chrono::Utc::now())
}

/// What one election round observed.
#[derive(Debug, PartialEq, Eq)]
enum Round {
    /// We hold the lease (acquired or renewed).
    Leading,
    /// Someone else holds a valid lease.
    Standby,
    /// The API call failed (network, conflict).
    Failed(String),
}

/// State kept between rounds: the last record seen and when it was first seen.
struct Observed {
    record: Option<(Option<String>, Option<MicroTime>)>,
    since: Instant,
}

async fn round(api: &Api<Lease>, o: &LeaderOptions, seen: &mut Observed) -> Round {
    let dur = i32::try_from(o.lease_duration.as_secs()).unwrap_or(15);
    let lease = match api.get_opt(&o.name).await {
        Ok(l) => l,
        Err(e) => return Round::Failed(e.to_string()),
    };
    let Some(mut lease) = lease else {
        let l = Lease {
            metadata: ObjectMeta {
                name: Some(o.name.clone()),
                namespace: Some(o.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(o.identity.clone()),
                lease_duration_seconds: Some(dur),
                acquire_time: Some(now()),
                renew_time: Some(now()),
                lease_transitions: Some(0),
                ..LeaseSpec::default()
            }),
        };
        return match api.create(&PostParams::default(), &l).await {
            Ok(_) => Round::Leading,
            Err(e) => Round::Failed(e.to_string()),
        };
    };
    let spec = lease.spec.clone().unwrap_or_default();
    let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
    let record = (holder.clone(), spec.renew_time.clone());
    if seen.record.as_ref() != Some(&record) {
        seen.record = Some(record);
        seen.since = Instant::now();
    }
    let theirs = Duration::from_secs(
        u64::try_from(spec.lease_duration_seconds.unwrap_or(dur)).unwrap_or(15),
    );
    let mine = holder.as_deref() == Some(o.identity.as_str());
    if !mine && holder.is_some() && seen.since.elapsed() < theirs {
        return Round::Standby;
    }
    let mut new = spec;
    if !mine {
        new.acquire_time = Some(now());
        new.lease_transitions = Some(new.lease_transitions.unwrap_or(0) + 1);
    }
    new.holder_identity = Some(o.identity.clone());
    new.renew_time = Some(now());
    new.lease_duration_seconds = Some(dur);
    lease.spec = Some(new);
    // `replace` sends the resourceVersion read above: a concurrent writer makes this 409.
    match api.replace(&o.name, &PostParams::default(), &lease).await {
        Ok(_) => Round::Leading,
        Err(e) => Round::Failed(e.to_string()),
    }
}

/// Runs the election until `shutdown`, publishing leadership on `tx`; releases the lease
/// on shutdown if held.
pub async fn run<F: Future<Output = ()>>(
    client: kube::Client,
    o: LeaderOptions,
    tx: watch::Sender<bool>,
    shutdown: F,
) {
    let api: Api<Lease> = Api::namespaced(client, &o.namespace);
    let mut seen = Observed {
        record: None,
        since: Instant::now(),
    };
    let mut last_renew: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        // A hung API call must not keep a leader leading past its renew deadline.
        let r = tokio::time::timeout(o.renew_period, round(&api, &o, &mut seen))
            .await
            .unwrap_or_else(|_| Round::Failed("lease request timed out".into()));
        let leading = match &r {
            Round::Leading => {
                last_renew = Some(Instant::now());
                true
            }
            Round::Standby => false,
            // Keep leading through transient failures until the renew deadline.
            Round::Failed(_) => last_renew.is_some_and(|t| t.elapsed() < o.renew_deadline),
        };
        if !leading {
            last_renew = None;
        }
        if *tx.borrow() != leading {
            let mut fields = vec![
                ("identity", o.identity.as_str().into()),
                ("lease", format!("{}/{}", o.namespace, o.name).into()),
            ];
            if let Round::Failed(m) = &r {
                fields.push(("message", m.as_str().into()));
            }
            let ev = if leading {
                "leader_acquired"
            } else {
                "leader_lost"
            };
            super::logging::event("INFO", ev, &fields);
        }
        // Notify only on a change, so the loop is not woken every renewal.
        tx.send_if_modified(|v| std::mem::replace(v, leading) != leading);
        let wait = if leading {
            o.renew_period
        } else {
            o.retry_period
        };
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    if *tx.borrow() {
        tx.send_replace(false);
        release(&api, &o).await;
    }
}

/// Gives the lease up (empty holder), so a standby need not wait for expiry.
async fn release(api: &Api<Lease>, o: &LeaderOptions) {
    let Ok(Some(mut lease)) = api.get_opt(&o.name).await else {
        return;
    };
    let Some(spec) = lease.spec.as_mut() else {
        return;
    };
    if spec.holder_identity.as_deref() != Some(o.identity.as_str()) {
        return;
    }
    spec.holder_identity = None;
    spec.renew_time = Some(now());
    let r = api.replace(&o.name, &PostParams::default(), &lease).await;
    super::logging::event(
        "INFO",
        "leader_released",
        &[
            ("identity", o.identity.as_str().into()),
            ("result", if r.is_ok() { "ok" } else { "error" }.into()),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_unique_per_process() {
        let a = default_identity();
        let b = default_identity();
        assert_ne!(a, b);
        assert!(a.contains('_'));
        let o = LeaderOptions::new("ns", "rudder-controller", &a);
        assert!(o.renew_period < o.renew_deadline && o.renew_deadline < o.lease_duration);
    }
}
