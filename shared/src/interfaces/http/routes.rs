//! The route table: the single list the router, `template.yaml` and `docs/openapi.yaml` agree on.

use lambda_http::http::Method;

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
}

/// Every route.
pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/ecommerce/oauth/url",
        authenticated: true,
        function: "oauth",
    },
    Route {
        method: "GET",
        path: "/ecommerce/oauth/callback",
        authenticated: false,
        function: "oauth",
    },
    Route {
        method: "POST",
        path: "/ecommerce/oauth/callback/woocommerce",
        authenticated: false,
        function: "oauth",
    },
    Route {
        method: "GET",
        path: "/ecommerce/oauth/return/woocommerce",
        authenticated: false,
        function: "oauth",
    },
    Route {
        method: "POST",
        path: "/ecommerce/webhooks/{provider}",
        authenticated: false,
        function: "webhooks",
    },
    Route {
        method: "GET",
        path: "/ecommerce/connection",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "DELETE",
        path: "/ecommerce/connection",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/products",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/collections",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "POST",
        path: "/ecommerce/sync/poll",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "GET",
        path: "/ecommerce/sync/log",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "GET",
        path: "/ecommerce/debug/poll",
        authenticated: true,
        function: "api",
    },
    Route {
        method: "GET",
        path: "/ecommerce/debug/scopes",
        authenticated: true,
        function: "api",
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

/// The route a request matches, with the `{provider}` segment if any.
pub fn find(method: &Method, path: &str) -> Option<(&'static Route, Option<String>)> {
    ROUTES.iter().find_map(|route| {
        if route.method != method.as_str() {
            return None;
        }
        match route.path.strip_suffix("{provider}") {
            Some(prefix) => {
                let rest = path.strip_prefix(prefix)?;
                (!rest.is_empty() && !rest.contains('/')).then(|| (route, Some(rest.to_owned())))
            }
            None => (route.path == path).then_some((route, None)),
        }
    })
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
}
