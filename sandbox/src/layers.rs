//! What wraps every sandbox answer: a request id and the sandbox's own `Date`, and
//! the faults asked for (latency, rate limits, errors, cut-off bodies).

use super::*;

/// Gives every answer an `X-Request-Id` (visible to error bodies too) and a `Date`
/// from the sandbox's own clock.
pub(super) async fn request_id(State(sb): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    let id = new_id("req_");
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    let headers = response.headers_mut();
    headers.insert("x-request-id", HeaderValue::from_str(&id).expect("ids are ASCII"));
    let date = if sb.faults().bad_date_header {
        httpdate::fmt_http_date(std::time::SystemTime::UNIX_EPOCH)
    } else {
        httpdate::fmt_http_date(std::time::SystemTime::from(sb.now()))
    };
    headers.insert(axum::http::header::DATE, HeaderValue::from_str(&date).expect("HTTP dates are ASCII"));
    response
}

enum FaultDecision {
    None,
    RateLimited(u64),
    ServerError,
    Malformed,
}

pub(super) async fn inject_faults(State(sb): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    sb.contract_requests.fetch_add(1, Ordering::SeqCst);
    if request.method() == axum::http::Method::POST && request.uri().path() == "/v1/transact" {
        sb.transacts_arrived.fetch_add(1, Ordering::SeqCst);
    }
    let (latency, decision) = {
        let mut inner = sb.lock();
        let f = inner.faults.clone();
        let decision = if f.fail_next_requests > 0 {
            inner.faults.fail_next_requests -= 1;
            FaultDecision::ServerError
        } else if inner.rng.gen_bool(f.rate_limit_rate) {
            FaultDecision::RateLimited(f.retry_after_secs)
        } else if inner.rng.gen_bool(f.error_rate) {
            FaultDecision::ServerError
        } else if inner.rng.gen_bool(f.malformed_rate) {
            FaultDecision::Malformed
        } else {
            FaultDecision::None
        };
        (f.latency_ms, decision)
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    match decision {
        FaultDecision::None => next.run(request).await,
        FaultDecision::RateLimited(secs) => {
            let mut e =
                SandboxError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests. Retry after the Retry-After delay.");
            e.retry_after_secs = Some(secs);
            e.into_response()
        }
        FaultDecision::ServerError => SandboxError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The sandbox is failing on purpose (fault injection).",
        )
        .into_response(),
        FaultDecision::Malformed => {
            // The request is processed for real; only the answer is damaged, as when
            // a connection drops mid-body.
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, axum::body::Body::from(cut))
        }
    }
}
