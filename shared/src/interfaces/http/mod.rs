//! The HTTP API (API Gateway HTTP API, payload 2.0): routing, auth scope, DTOs and the
//! mapping of errors to responses. The route table drives dispatch; each HTTP function serves
//! only its own subset (the same subset `template.yaml` maps to it).

mod auth;
mod handlers;
mod responses;
pub mod routes;

use lambda_http::{Body, Request, Response};

pub use auth::AuthConfig;
pub use routes::{ROUTES, Route};

use crate::application::{EcommerceService, Ports};
use crate::domain::ProviderKind;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Where the callback sends the merchant's browser afterwards (the PWA settings page).
    pub pwa_settings_url: String,
    /// How the caller's businesses are read from the JWT.
    pub auth: AuthConfig,
    /// The Lambda function this is (`api`, `oauth`, `webhooks`): it serves only the routes the
    /// table gives it and answers 404 to the others. `None` serves every route (one local
    /// server for the whole API).
    pub function: Option<&'static str>,
    /// The provider the legacy callback path `/ecommerce/oauth/callback` (no provider segment)
    /// belongs to: the redirect URL installed Shopify apps have registered.
    pub legacy_callback_provider: Option<ProviderKind>,
}

/// Serves one request. Never panics on input; every failure is a JSON error or a redirect:
/// 404 for a path no route has, 405 (with `Allow`) for a known path with another method.
pub async fn handle<P: Ports>(
    service: &EcommerceService<P>,
    config: &HttpConfig,
    request: Request,
) -> Response<Body> {
    let method = request.method().clone();
    let path = routes::normalize(request.uri().path());
    let (route, provider) = match routes::resolve(&method, &path, config.function) {
        routes::Resolution::Route(route, provider) => (route, provider),
        routes::Resolution::MethodNotAllowed(allowed) => {
            return responses::method_not_allowed(&allowed);
        }
        routes::Resolution::NotFound => {
            return responses::error(404, "not_found", "no such route");
        }
    };
    // Boxed: the route futures nest deeply; a box keeps the handler's future type shallow.
    let response = Box::pin(handlers::dispatch(
        service, config, route, provider, &request,
    ))
    .await;
    tracing::info!(method = %method, path = %path, status = response.status().as_u16(), "http");
    response
}

/// The answer to a request abandoned at its deadline: 503, retry later.
pub fn deadline_exceeded() -> Response<Body> {
    responses::error(
        503,
        "timeout",
        "the request could not finish in time; try again",
    )
}
