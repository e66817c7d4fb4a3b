//! One function per route: parse, call the service, map the result.

use lambda_http::{Body, Request, Response};
use serde_json::json;

use super::HttpConfig;
use super::auth::{Denied, authorize};
use super::responses::{error, json, redirect, service_error};
use super::routes::{Endpoint, Route};
use crate::application::connect::CallbackError;
use crate::application::webhook::WebhookError;
use crate::application::{EcommerceService, Ports, ServiceError, record_scope};
use crate::domain::ports::{ProviderError, WebhookDelivery};
use crate::domain::{BusinessId, ProviderKind, SyncKind, UnknownProvider};

fn query(request: &Request) -> Vec<(String, String)> {
    request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `businessId` from the query, else from a JSON body.
fn business_param(request: &Request, pairs: &[(String, String)]) -> Option<String> {
    if let Some(b) = param(pairs, "businessId") {
        return Some(b.to_owned());
    }
    let body: serde_json::Value = serde_json::from_slice(request.body().as_ref()).ok()?;
    body.get("businessId")?.as_str().map(str::to_owned)
}

fn denied(d: Denied) -> Response<Body> {
    match d {
        Denied::Unauthenticated => error(401, "unauthenticated", "no business claim in the token"),
        Denied::BadBusinessId => error(
            400,
            "invalid_business_id",
            "businessId is missing or malformed",
        ),
        Denied::Forbidden => error(
            403,
            "forbidden",
            "businessId is not one of the caller's businesses",
        ),
    }
}

/// A provider this deployment serves, from a query parameter or path segment, or the error
/// response to send (`status` for an unknown one: 400 for a parameter, 404 for a path).
fn provider_named<P: Ports>(
    service: &EcommerceService<P>,
    value: Option<&str>,
    status: u16,
) -> Result<ProviderKind, Box<Response<Body>>> {
    let name =
        value.ok_or_else(|| Box::new(error(400, "invalid_request", "provider is required")))?;
    let unknown = || {
        Box::new(error(
            status,
            "unknown_provider",
            &UnknownProvider(name.chars().take(64).collect()).to_string(),
        ))
    };
    let kind = name.parse::<ProviderKind>().map_err(|_| unknown())?;
    service.providers().get(kind).map_err(|_| unknown())?;
    Ok(kind)
}

macro_rules! or_respond {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return *response,
        }
    };
}

pub(super) async fn dispatch<P: Ports>(
    service: &EcommerceService<P>,
    config: &HttpConfig,
    route: &Route,
    segment: Option<String>,
    request: &Request,
) -> Response<Body> {
    let pairs = query(request);
    if !route.authenticated {
        // The path's provider, or the legacy callback path's default.
        let named = segment
            .as_deref()
            .or(config.legacy_callback_provider.as_ref().map(|k| k.as_str()));
        let kind = or_respond!(provider_named(service, named, 404));
        record_scope(None, Some(kind));
        return match route.endpoint {
            Endpoint::Callback => callback(service, config, kind, &pairs).await,
            Endpoint::KeyDelivery => key_delivery(service, kind, request).await,
            Endpoint::KeyReturn => key_return(service, config, kind, &pairs).await,
            Endpoint::Webhook => webhook(service, kind, request).await,
            other => {
                tracing::error!(endpoint = ?other, "authenticated endpoint on a public route");
                error(500, "internal", "route misconfigured")
            }
        };
    }
    let business = match authorize(
        &config.auth,
        request,
        business_param(request, &pairs).as_deref(),
    ) {
        Ok(b) => b,
        Err(d) => return denied(d),
    };
    // From here every line of the request names the business (and, once read, its provider).
    record_scope(Some(&business), None);
    match route.endpoint {
        Endpoint::AuthorizationUrl => {
            let kind = or_respond!(provider_named(service, param(&pairs, "provider"), 400));
            record_scope(None, Some(kind));
            let Some(shop) = param(&pairs, "shop") else {
                return error(400, "invalid_request", "shop is required");
            };
            match service.authorization_url(&business, kind, shop).await {
                Ok(url) => json(200, &json!({"url": url})),
                // The store the merchant named could not be reached: their input to check, not
                // a failure of ours (the store is only probed here, before anything is stored).
                Err(ServiceError::Provider(ProviderError::Unavailable(reason))) => error(
                    400,
                    "store_unreachable",
                    &format!("store unavailable: {reason}"),
                ),
                Err(e) => service_error(&e),
            }
        }
        Endpoint::GetConnection => match service.connection(&business).await {
            Ok(Some(view)) => json(200, &json!({"connected": true, "connection": view})),
            Ok(None) => json(200, &json!({"connected": false, "connection": null})),
            Err(e) => service_error(&e),
        },
        Endpoint::Disconnect => match service.disconnect(&business).await {
            Ok(existed) => json(200, &json!({"disconnected": true, "existed": existed})),
            Err(e) => service_error(&e),
        },
        Endpoint::SyncProducts => batch(service, &business, SyncKind::Products).await,
        Endpoint::SyncCollections => batch(service, &business, SyncKind::Collections).await,
        Endpoint::SyncPoll => match service.enqueue_poll(&business).await {
            Ok(()) => json(202, &json!({"queued": true})),
            Err(e) => service_error(&e),
        },
        Endpoint::SyncLog => {
            let limit = match param(&pairs, "limit").map(str::parse::<u32>) {
                None => 20,
                Some(Ok(n)) => n,
                Some(Err(_)) => {
                    return error(
                        400,
                        "invalid_request",
                        "limit must be a number from 1 to 100",
                    );
                }
            };
            match service
                .logs(&business, limit, param(&pairs, "cursor"))
                .await
            {
                Ok(page) => json(
                    200,
                    &json!({"entries": page.entries, "nextCursor": page.next_cursor}),
                ),
                Err(e) => service_error(&e),
            }
        }
        Endpoint::DebugPoll => match service.debug_poll(&business).await {
            Ok(summary) => json(200, &summary),
            Err(e) => service_error(&e),
        },
        Endpoint::DebugScopes => match service.scopes(&business).await {
            Ok(report) => json(200, &report),
            Err(e) => service_error(&e),
        },
        Endpoint::Callback | Endpoint::KeyDelivery | Endpoint::KeyReturn | Endpoint::Webhook => {
            tracing::error!(endpoint = ?route.endpoint, "public endpoint on an authenticated route");
            error(500, "internal", "route misconfigured")
        }
    }
}

async fn batch<P: Ports>(
    service: &EcommerceService<P>,
    business: &BusinessId,
    kind: SyncKind,
) -> Response<Body> {
    match service.start_batch(business, kind).await {
        Ok(run_id) => json(202, &json!({"runId": run_id})),
        Err(e) => service_error(&e),
    }
}

async fn callback<P: Ports>(
    service: &EcommerceService<P>,
    config: &HttpConfig,
    provider: ProviderKind,
    pairs: &[(String, String)],
) -> Response<Body> {
    let sep = if config.pwa_settings_url.contains('?') {
        '&'
    } else {
        '?'
    };
    match service.complete_callback(provider, pairs).await {
        Ok(_) => redirect(&format!(
            "{}{sep}ecommerce=connected&provider={provider}",
            config.pwa_settings_url
        )),
        Err(e) => {
            let reason = callback_reason(&e);
            tracing::warn!(error = %e, reason, "oauth callback refused");
            redirect(&format!(
                "{}{sep}ecommerce=error&provider={provider}&reason={reason}",
                config.pwa_settings_url
            ))
        }
    }
}

fn callback_reason(e: &CallbackError) -> &'static str {
    match e {
        CallbackError::Verification(_) => "verification_failed",
        CallbackError::ForgedState => "invalid_state",
        CallbackError::Expired => "expired",
        CallbackError::Replayed => "state_used",
        CallbackError::Exchange(_) => "exchange_failed",
        CallbackError::Declined => "declined",
        CallbackError::Unsupported(_) => "not_configured",
        CallbackError::Service(_) => "internal",
    }
}

/// WooCommerce POSTs the keys here; it shows the merchant an error unless we answer 200.
async fn key_delivery<P: Ports>(
    service: &EcommerceService<P>,
    provider: ProviderKind,
    request: &Request,
) -> Response<Body> {
    match service
        .complete_key_delivery(provider, request.body().as_ref())
        .await
    {
        Ok(_) => json(200, &json!({"ok": true})),
        Err(e) => {
            let reason = callback_reason(&e);
            tracing::warn!(error = %e, reason, "key delivery refused");
            let status = match e {
                CallbackError::Verification(_) => 400,
                CallbackError::ForgedState | CallbackError::Expired | CallbackError::Replayed => {
                    401
                }
                CallbackError::Exchange(_) | CallbackError::Declined => 502,
                CallbackError::Unsupported(_) => 404,
                CallbackError::Service(_) => 500,
            };
            error(status, reason, "key delivery refused")
        }
    }
}

/// The merchant's browser returns here from WooCommerce (`success=1|0`, our `state`).
async fn key_return<P: Ports>(
    service: &EcommerceService<P>,
    config: &HttpConfig,
    provider: ProviderKind,
    pairs: &[(String, String)],
) -> Response<Body> {
    let sep = if config.pwa_settings_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let success = param(pairs, "success") == Some("1");
    let state = param(pairs, "state").unwrap_or_default();
    match service.key_delivery_outcome(provider, success, state).await {
        Ok(_) => redirect(&format!(
            "{}{sep}ecommerce=connected&provider={provider}",
            config.pwa_settings_url
        )),
        Err(e) => redirect(&format!(
            "{}{sep}ecommerce=error&provider={provider}&reason={}",
            config.pwa_settings_url,
            callback_reason(&e)
        )),
    }
}

async fn webhook<P: Ports>(
    service: &EcommerceService<P>,
    kind: ProviderKind,
    request: &Request,
) -> Response<Body> {
    let delivery = WebhookDelivery {
        headers: request
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        // The exact bytes as signed (lambda_http has already base64-decoded them if needed).
        body: request.body().as_ref().to_vec(),
    };
    match service.handle_webhook(kind, &delivery).await {
        Ok(outcome) => json(200, &json!({"ok": outcome.ok})),
        Err(WebhookError::BadSignature) => error(
            401,
            "invalid_signature",
            "webhook signature verification failed",
        ),
        Err(WebhookError::Unsupported(e)) => error(404, "provider_not_configured", &e.to_string()),
        Err(WebhookError::Unavailable(reason)) => {
            tracing::error!(reason, "webhook not verified: our infrastructure failed");
            let mut response = error(
                503,
                "temporarily_unavailable",
                "the delivery could not be verified now; send it again later",
            );
            response.headers_mut().insert(
                "retry-after",
                lambda_http::http::HeaderValue::from_static("60"),
            );
            response
        }
    }
}
