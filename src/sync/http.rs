//! The controller's HTTP endpoints (hyper, HTTP/1.1): `GET /metrics`, `POST /api/webhook`,
//! `GET /healthz` and `GET /readyz`.

use super::metrics::Metrics;
use super::webhook::{self, AuthError, WebhookTarget};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedSender;

/// Largest webhook body accepted (GitHub caps payloads at 25 MB; pushes are far smaller).
const MAX_BODY: usize = 4 << 20;

/// What the handlers share.
pub struct HttpState {
    /// Metrics to expose.
    pub metrics: Arc<Metrics>,
    /// Where webhook refreshes go.
    pub webhooks: UnboundedSender<WebhookTarget>,
    /// Shared webhook secret (None: unsigned deliveries are accepted).
    pub secret: Option<Vec<u8>>,
    /// Set once the controller is connected and its loop runs.
    pub ready: AtomicBool,
    /// Whether this replica leads (None when election is off).
    pub leader: Option<tokio::sync::watch::Receiver<bool>>,
    /// Client and Applications namespace: a standby hands webhooks to the leader by
    /// annotating the matching apps.
    pub refresher: Option<(kube::Client, String)>,
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.into())));
    *r.status_mut() = status;
    r
}

async fn handle(state: Arc<HttpState>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/metrics") => {
            let mut r = text(StatusCode::OK, state.metrics.render());
            if let Ok(v) = "text/plain; version=0.0.4; charset=utf-8".parse() {
                r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
            }
            r
        }
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n"),
        (&Method::GET, "/readyz") => {
            if state.ready.load(Ordering::Relaxed) {
                let role = match &state.leader {
                    None => "ok\n",
                    Some(rx) if *rx.borrow() => "ok (leader)\n",
                    Some(_) => "ok (standby)\n",
                };
                text(StatusCode::OK, role)
            } else {
                text(StatusCode::SERVICE_UNAVAILABLE, "starting\n")
            }
        }
        (&Method::POST, "/api/webhook") => webhook_request(state, req).await,
        (_, "/metrics" | "/healthz" | "/readyz" | "/api/webhook") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

async fn webhook_request(state: Arc<HttpState>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            state.metrics.record_webhook("bad_request");
            return text(StatusCode::BAD_REQUEST, format!("reading body: {e}\n"));
        }
    };
    if let Some(secret) = &state.secret {
        let header = |k: &str| parts.headers.get(k).and_then(|v| v.to_str().ok());
        if let Err(e) = webhook::verify(secret, &body, header) {
            state.metrics.record_webhook("unauthorized");
            let why = match e {
                AuthError::Missing => "missing signature",
                AuthError::Mismatch => "signature mismatch",
            };
            super::logging::event("WARN", "webhook_refused", &[("message", why.into())]);
            return text(StatusCode::UNAUTHORIZED, format!("{why}\n"));
        }
    }
    match webhook::parse_payload(&body) {
        Ok(target) => {
            state.metrics.record_webhook("accepted");
            let repos = match &target {
                WebhookTarget::All => "*".to_string(),
                WebhookTarget::Repos(r) => r.join(","),
            };
            super::logging::event("INFO", "webhook", &[("repos", repos.into())]);
            let standby = state.leader.as_ref().is_some_and(|rx| !*rx.borrow());
            if let (true, Some((client, ns))) = (standby, &state.refresher) {
                return match super::appwatch::request_refresh(client, ns, &target).await {
                    Ok(n) => text(
                        StatusCode::OK,
                        format!("refresh requested for {n} applications (standby)\n"),
                    ),
                    Err(e) => text(StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")),
                };
            }
            if state.webhooks.send(target).is_err() {
                return text(StatusCode::SERVICE_UNAVAILABLE, "controller stopping\n");
            }
            text(StatusCode::OK, "refresh queued\n")
        }
        Err(e) => {
            state.metrics.record_webhook("bad_request");
            text(StatusCode::BAD_REQUEST, format!("{e}\n"))
        }
    }
}

/// Binds `addr` (errors here fail the controller's start-up).
pub async fn bind(addr: &str) -> Result<TcpListener, String> {
    let a: SocketAddr = addr
        .parse()
        .map_err(|e| format!("--listen {addr:?}: {e}"))?;
    TcpListener::bind(a)
        .await
        .map_err(|e| format!("listening on {addr}: {e}"))
}

/// Serves connections from `listener` until `shutdown` completes.
pub async fn serve<F: Future<Output = ()>>(
    listener: TcpListener,
    state: Arc<HttpState>,
    shutdown: F,
) {
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => return,
            r = listener.accept() => match r {
                Ok(s) => s,
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(state, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            // Slow or idle clients must not pin a task forever.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(60), conn).await;
        });
    }
}
