//! The route table: the single list the router, `template.yaml` and `docs/openapi.yaml` agree
//! on. Dispatch goes through it: each route names its [`Endpoint`], and a function serves only
//! the routes the table gives it.

use lambda_http::http::Method;

/// The operation behind a route; the router has one handler per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Signed approval URL for a business and store.
    AuthorizationUrl,
    /// The browser's signed return from the approval page, for the provider in the path or,
    /// on the legacy path without one, the configured default (Shopify).
    Callback,
    /// Keys POSTed by the store after approval.
    KeyDelivery,
    /// The browser's return after a key delivery.
    KeyReturn,
    /// A store's webhook delivery.
    Webhook,
    /// The business's connection.
    GetConnection,
    /// Disconnect.
    Disconnect,
    /// Start a batch sync of products.
    SyncProducts,
    /// Start a batch sync of collections.
    SyncCollections,
    /// Queue a poll now.
    SyncPoll,
    /// A page of the sync log.
    SyncLog,
    /// Run a poll and answer its summary.
    DebugPoll,
    /// Granted against required scopes.
    DebugScopes,
}

/// Which function serves a route, and whether it sits behind the JWT authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path template, as in API Gateway (`{provider}`).
    pub path: &'static str,
    /// True behind the JWT authorizer.
    pub authenticated: bool,
    /// The Lambda function that serves it.
    pub function: &'static str,
    /// What it does.
    pub endpoint: Endpoint,
}

/// Every route.
pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/ecommerce/oauth/url",
        authenticated: true,
        function: "oauth",
        endpoint: Endpoint::AuthorizationUrl,
    },
    Route {
        method: "GET",
        path: "/ecommerce/oauth/callback",
        authenticated: false,
        function: "oauth",
        endpoint: Endpoint::Callback,
    },
    Route {
        method: "GET",
        path: "/ecommerce/oauth/callback/{provider}",
        authenticated: false,
        function: "oauth",
        endpoint: Endpoint::Callback,
    },
    Route {
        method: "POST",
        path: "/ecommerce/oauth/callback/{provider}",
        authenticated: false,
        function: "oauth",
        endpoint: Endpoint::KeyDelivery,
    },
    Route {
        method: "GET",
        path: "/ecommerce/oauth/return/{provider}",
        authenticated: false,
        function: "oauth",
        endpoint: Endpoint::KeyReturn,
    },
    Route {
        method: "POST",
        path: "/ecommerce/webhooks/{provider}",
        authenticated: false,
        function: "webhooks",
        endpoint: Endpoint::Webhook,
    },
    Route {
        method: "GET",
        path: "/ecommerce/connection",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::GetConnection,
    },
    Route {
        method: "DELETE",
        path: "/ecommerce/connection",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::Disconnect,
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/products",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::SyncProducts,
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/collections",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::SyncCollections,
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/poll",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::SyncPoll,
    },
    Route {
        method: "GET",
        path: "/ecommerce/sync/log",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::SyncLog,
    },
    Route {
        method: "GET",
        path: "/ecommerce/debug/poll",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::DebugPoll,
    },
    Route {
        method: "GET",
        path: "/ecommerce/debug/scopes",
        authenticated: true,
        function: "api",
        endpoint: Endpoint::DebugScopes,
    },
];

/// The path from `/ecommerce/` on (drops a stage or base-path prefix) without a trailing slash.
pub fn normalize(path: &str) -> String {
    let from = path.find("/ecommerce/").unwrap_or(0);
    let trimmed = path[from..].trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.to_owned()
    }
}

/// The `{provider}` segment if `path` fits `template` (`None` when it does not; `Some(None)`
/// for a template without one).
fn fit(template: &str, path: &str) -> Option<Option<String>> {
    match template.strip_suffix("{provider}") {
        Some(prefix) => {
            let rest = path.strip_prefix(prefix)?;
            (!rest.is_empty() && !rest.contains('/')).then(|| Some(rest.to_owned()))
        }
        None => (template == path).then_some(None),
    }
}

/// The route a request matches, with the `{provider}` segment if any.
pub fn find(method: &Method, path: &str) -> Option<(&'static Route, Option<String>)> {
    ROUTES.iter().find_map(|route| {
        if route.method != method.as_str() {
            return None;
        }
        fit(route.path, path).map(|segment| (route, segment))
    })
}

/// What the router does with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Serve this route (with the `{provider}` segment if any).
    Route(&'static Route, Option<String>),
    /// The path is served, but not with this method: 405 with these methods in `Allow`.
    MethodNotAllowed(Vec<&'static str>),
    /// No route has this path: 404.
    NotFound,
}

/// Resolves a request among the routes `function` serves (every route for `None`).
pub fn resolve(method: &Method, path: &str, function: Option<&str>) -> Resolution {
    let served = |route: &&Route| function.is_none_or(|f| f == route.function);
    if let Some((route, segment)) = find(method, path).filter(|(route, _)| served(route)) {
        return Resolution::Route(route, segment);
    }
    let mut allowed: Vec<&'static str> = Vec::new();
    for route in ROUTES.iter().filter(served) {
        if fit(route.path, path).is_some() && !allowed.contains(&route.method) {
            allowed.push(route.method);
        }
    }
    if allowed.is_empty() {
        Resolution::NotFound
    } else {
        Resolution::MethodNotAllowed(allowed)
    }
}

/// Resolves a request that reached the catch-all route (API Gateway's `$default`: no route of
/// the API matched its method and path), against every route whichever function it reached:
/// 405 with the methods of a known path, else 404. Never a route to serve: API Gateway did not
/// route it, so it met none of the routes' authorizers (a path a route matches only once
/// normalized, a trailing slash say, is not found).
pub fn unmatched(method: &Method, path: &str) -> Resolution {
    match resolve(method, path, None) {
        Resolution::Route(..) => Resolution::NotFound,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_with_stage_prefixes_and_provider_segments() {
        assert_eq!(
            normalize("/prod/ecommerce/connection/"),
            "/ecommerce/connection"
        );
        let (route, provider) = find(&Method::POST, "/ecommerce/webhooks/shopify").unwrap();
        assert_eq!(
            (route.function, provider.as_deref()),
            ("webhooks", Some("shopify"))
        );
        assert!(find(&Method::POST, "/ecommerce/webhooks/").is_none());
        assert!(find(&Method::POST, "/ecommerce/webhooks/a/b").is_none());
        assert!(find(&Method::PUT, "/ecommerce/connection").is_none());
        assert_eq!(
            find(&Method::DELETE, "/ecommerce/connection")
                .unwrap()
                .0
                .function,
            "api"
        );
    }

    #[test]
    fn a_served_path_with_another_method_lists_the_methods_it_has() {
        assert_eq!(
            resolve(&Method::PUT, "/ecommerce/connection", None),
            Resolution::MethodNotAllowed(vec!["GET", "DELETE"])
        );
        assert_eq!(
            resolve(&Method::DELETE, "/ecommerce/oauth/callback/shopify", None),
            Resolution::MethodNotAllowed(vec!["GET", "POST"])
        );
        assert_eq!(
            resolve(&Method::POST, "/ecommerce/oauth/callback", None),
            Resolution::MethodNotAllowed(vec!["GET"])
        );
        assert_eq!(
            resolve(&Method::GET, "/ecommerce/webhooks/anything", None),
            Resolution::MethodNotAllowed(vec!["POST"])
        );
        assert_eq!(
            resolve(&Method::HEAD, "/ecommerce/sync/log", None),
            Resolution::MethodNotAllowed(vec!["GET"])
        );
    }

    #[test]
    fn the_catch_all_answers_405_against_every_route_and_never_serves_one() {
        assert_eq!(
            unmatched(&Method::PUT, "/ecommerce/oauth/callback/shopify"),
            Resolution::MethodNotAllowed(vec!["GET", "POST"])
        );
        assert_eq!(
            unmatched(&Method::GET, "/ecommerce/webhooks/shopify"),
            Resolution::MethodNotAllowed(vec!["POST"])
        );
        assert_eq!(
            unmatched(&Method::GET, "/ecommerce/nothing"),
            Resolution::NotFound
        );
        // Normalized to a route's path and method: not the route API Gateway would have
        // authorized, so not served.
        assert_eq!(
            unmatched(&Method::GET, "/ecommerce/connection"),
            Resolution::NotFound
        );
    }

    #[test]
    fn unknown_paths_and_other_functions_routes_are_not_found() {
        for path in [
            "/",
            "/ecommerce",
            "/ecommerce/nothing",
            "/ecommerce/webhooks",
            "/ecommerce/webhooks/a/b",
            "/ecommerce/connection/extra",
        ] {
            assert_eq!(
                resolve(&Method::GET, path, None),
                Resolution::NotFound,
                "{path}"
            );
        }
        // The oauth function serves none of the api function's paths, whatever the method.
        assert_eq!(
            resolve(&Method::GET, "/ecommerce/connection", Some("oauth")),
            Resolution::NotFound
        );
        assert_eq!(
            resolve(&Method::PUT, "/ecommerce/connection", Some("oauth")),
            Resolution::NotFound
        );
        assert!(matches!(
            resolve(&Method::GET, "/ecommerce/connection", Some("api")),
            Resolution::Route(route, None) if route.endpoint == Endpoint::GetConnection
        ));
        assert!(matches!(
            resolve(&Method::POST, "/ecommerce/webhooks/woocommerce", Some("webhooks")),
            Resolution::Route(_, Some(p)) if p == "woocommerce"
        ));
    }
}
