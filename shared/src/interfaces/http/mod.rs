//! The HTTP API (API Gateway HTTP API, payload 2.0): routing, auth scope, DTOs and the
//! mapping of errors to responses. The route table drives dispatch; each HTTP function serves
//! only its own subset (the same subset `template.yaml` maps to it).

mod auth;
mod handlers;
mod responses;
pub mod routes;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

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
    let response = match resolve(&request, &method, &path, config) {
        routes::Resolution::Route(route, provider) => {
            // Boxed: the route futures nest deeply; a box keeps the handler's future type
            // shallow.
            Box::pin(handlers::dispatch(
                service, config, route, provider, &request,
            ))
            .await
        }
        routes::Resolution::MethodNotAllowed(allowed) => responses::method_not_allowed(&allowed),
        routes::Resolution::NotFound => responses::error(404, "not_found", "no such route"),
    };
    // The access line, whatever the answer.
    tracing::info!(method = %method, path = %path, status = response.status().as_u16(), "http");
    response
}

/// API Gateway's route key of the catch-all route: the request matched no route of the API.
const CATCH_ALL: &str = "$default";

/// The request's route: through the catch-all, only 405 or 404, decided against every route;
/// otherwise among the routes this function serves.
fn resolve(
    request: &Request,
    method: &lambda_http::http::Method,
    path: &str,
    config: &HttpConfig,
) -> routes::Resolution {
    let route_key = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.as_deref(),
        _ => None,
    };
    if route_key == Some(CATCH_ALL) {
        routes::unmatched(method, path)
    } else {
        routes::resolve(method, path, config.function)
    }
}

/// The answer to a request abandoned at its deadline: 503, retry later.
pub fn deadline_exceeded() -> Response<Body> {
    responses::error(
        503,
        "timeout",
        "the request could not finish in time; try again",
    )
}

#[cfg(test)]
mod tests {
    use lambda_http::http::Method;
    use serde_json::json;

    use super::*;

    fn request(method: &str, path: &str, route_key: &str) -> Request {
        let event = json!({
            "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "requestContext": {
                "accountId": "123456789012", "apiId": "test", "domainName": "api.example.test",
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
                "requestId": "r-1", "routeKey": route_key, "stage": "$default", "time": "", "timeEpoch": 0
            }
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    fn api() -> HttpConfig {
        HttpConfig {
            pwa_settings_url: "https://pwa.example.test/settings".into(),
            auth: AuthConfig {
                business_claim: "business_ids".into(),
            },
            function: Some("api"),
            legacy_callback_provider: None,
        }
    }

    fn resolved(method: &str, path: &str, route_key: &str) -> routes::Resolution {
        let r = request(method, path, route_key);
        let method: Method = method.parse().unwrap();
        resolve(&r, &method, &routes::normalize(path), &api())
    }

    #[test]
    fn the_api_function_reached_through_the_catch_all_answers_for_every_route() {
        // Another function's path, with a method it does not serve: 405 with its methods.
        assert_eq!(
            resolved("PUT", "/ecommerce/oauth/callback/shopify", "$default"),
            routes::Resolution::MethodNotAllowed(vec!["GET", "POST"])
        );
        assert_eq!(
            resolved("PATCH", "/ecommerce/connection", "$default"),
            routes::Resolution::MethodNotAllowed(vec!["GET", "DELETE"])
        );
        assert_eq!(
            resolved("GET", "/ecommerce/unknown", "$default"),
            routes::Resolution::NotFound
        );
        // A route's own method and path through the catch-all: not served (no authorizer ran).
        assert_eq!(
            resolved("GET", "/ecommerce/connection/", "$default"),
            routes::Resolution::NotFound
        );
        // Through its own route it is served as before.
        assert!(matches!(
            resolved("GET", "/ecommerce/connection", "GET /ecommerce/connection"),
            routes::Resolution::Route(route, None) if route.path == "/ecommerce/connection"
        ));
    }
}
