//! The router, `template.yaml` and `docs/openapi.yaml` list the same routes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ecommerce_connector::interfaces::http::routes::Endpoint;
use ecommerce_connector::interfaces::http::{ROUTES, Route};

fn file(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name),
    )
    .unwrap()
}

type RouteKey = (String, String, bool);

/// HttpApi events of `template.yaml`: method, path, and whether they sit behind the authorizer,
/// with the resource they belong to. The catch-all (`$default`: no method, no path) is an
/// event of empty method and path.
fn template_events() -> BTreeSet<(RouteKey, String)> {
    let text = file("template.yaml");
    let mut out = BTreeSet::new();
    let mut function = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':') {
            function = line.trim().trim_end_matches(':').to_owned();
        }
        if line.trim() != "Type: HttpApi" {
            continue;
        }
        // The event's properties run until the next line at the event's own indent.
        let indent = line.len() - line.trim_start().len();
        let mut block = String::new();
        for next in &lines[i + 1..] {
            let next_indent = next.len() - next.trim_start().len();
            if !next.trim().is_empty() && next_indent < indent {
                break;
            }
            if next_indent == indent - 2 && !next.trim().is_empty() {
                break;
            }
            block.push_str(next);
            block.push('\n');
        }
        // Block style (`Path: /x`) or flow style (`Properties: { ApiId: …, Path: /x, Method: GET }`).
        let grab = |key: &str| {
            block
                .split([',', '\n'])
                .map(|part| {
                    part.trim()
                        .trim_start_matches("Properties:")
                        .trim()
                        .trim_start_matches('{')
                        .trim()
                })
                .find_map(|part| part.strip_prefix(key))
                .map(|v| {
                    let v = v.trim();
                    // A flow map's closing brace, not a path template's.
                    if v.contains('{') {
                        v.to_owned()
                    } else {
                        v.trim_end_matches('}').trim().to_owned()
                    }
                })
                .unwrap_or_default()
        };
        let public = block.contains("Authorizer: NONE");
        out.insert(((grab("Method:"), grab("Path:"), !public), function.clone()));
    }
    out
}

/// Paths and methods of the OpenAPI document, with `security: []` marking public ones, and the
/// statuses each operation declares.
fn openapi_operations() -> BTreeMap<RouteKey, BTreeSet<u16>> {
    let text = file("docs/openapi.yaml");
    let body = text.split("\npaths:\n").nth(1).unwrap();
    let mut out = BTreeMap::new();
    let mut path = String::new();
    let lines: Vec<&str> = body.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("  /") {
            path = line.trim().trim_end_matches(':').to_owned();
        } else if let Some(method) = ["get:", "post:", "delete:", "put:", "patch:"]
            .iter()
            .find(|m| line.trim() == **m)
        {
            if !line.starts_with("    ") || line.starts_with("     ") {
                continue;
            }
            let mut public = false;
            let mut statuses = BTreeSet::new();
            let mut in_responses = false;
            for next in &lines[i + 1..] {
                if next.starts_with("    ") && !next.starts_with("     ") || next.starts_with("  /")
                {
                    break;
                }
                if next.trim() == "security: []" {
                    public = true;
                }
                // `responses:` at the operation's key indent; its status keys one level in.
                if next.starts_with("      ") && !next.starts_with("       ") {
                    in_responses = next.trim() == "responses:";
                } else if in_responses
                    && next.starts_with("        \"")
                    && let Some(code) = next.trim().get(1..4).and_then(|c| c.parse().ok())
                {
                    statuses.insert(code);
                }
            }
            out.insert(
                (
                    method.trim_end_matches(':').to_uppercase(),
                    path.clone(),
                    !public,
                ),
                statuses,
            );
        }
    }
    out
}

/// The template's routes: every HttpApi event but the catch-all.
fn template_routes() -> BTreeSet<(RouteKey, String)> {
    template_events()
        .into_iter()
        .filter(|((method, path, _), _)| !(method.is_empty() && path.is_empty()))
        .collect()
}

#[test]
fn one_public_catch_all_reaches_the_api_function() {
    let events = template_events();
    // Half a route (a method without a path, or the reverse) is a mistake, not a catch-all.
    for ((method, path, _), resource) in &events {
        assert_eq!(
            method.is_empty(),
            path.is_empty(),
            "{resource}: an HttpApi event names a method or a path without the other"
        );
    }
    let catch_all: Vec<&(RouteKey, String)> = events
        .iter()
        .filter(|((method, path, _), _)| method.is_empty() && path.is_empty())
        .collect();
    // Public: an unsupported method or an unknown path answers 405 or 404 from the function,
    // not API Gateway's 401 or 404; the function never serves a route through it.
    assert_eq!(
        catch_all,
        vec![&(
            (String::new(), String::new(), false),
            "ApiFunction".to_owned()
        )],
        "the catch-all ($default) HttpApi event"
    );
}

#[test]
fn router_template_and_openapi_agree() {
    let router: BTreeSet<(RouteKey, String)> = ROUTES
        .iter()
        .map(|r| {
            (
                (r.method.to_owned(), r.path.to_owned(), r.authenticated),
                r.function.to_owned(),
            )
        })
        .collect();
    let function_names = |name: &str| match name {
        "OAuthFunction" => "oauth",
        "WebhooksFunction" => "webhooks",
        "ApiFunction" => "api",
        other => panic!("HttpApi event under unexpected resource {other}"),
    };
    let template: BTreeSet<(RouteKey, String)> = template_routes()
        .into_iter()
        .map(|(k, f)| (k, function_names(&f).to_owned()))
        .collect();
    assert_eq!(
        router, template,
        "router vs template.yaml (method, path, authenticated, function)"
    );
    let routes_only: BTreeSet<RouteKey> = router.into_iter().map(|(k, _)| k).collect();
    let documented: BTreeSet<RouteKey> = openapi_operations().into_keys().collect();
    assert_eq!(routes_only, documented, "router vs docs/openapi.yaml");
}

/// The statuses the router and handlers answer on a route whatever the store or the request
/// holds; the document may declare more (a store's failure, say), never fewer.
fn statuses_the_code_answers(route: &Route) -> BTreeSet<u16> {
    // Any route: the deadline passed; API Gateway's own answers to a body past its payload
    // limit and to throttling.
    let mut statuses = BTreeSet::from([413, 429, 503]);
    if route.authenticated {
        // No claim, a malformed `businessId`, another business's; storage failed.
        statuses.extend([400, 401, 403, 500]);
    }
    if route.path.contains("{provider}") {
        // A provider this deployment does not configure.
        statuses.insert(404);
    }
    let (success, needs_connection) = match route.endpoint {
        Endpoint::AuthorizationUrl => (200, false),
        Endpoint::Callback | Endpoint::KeyReturn => (302, false),
        Endpoint::KeyDelivery => (200, false),
        Endpoint::Webhook => (200, false),
        Endpoint::GetConnection | Endpoint::Disconnect | Endpoint::SyncLog => (200, false),
        Endpoint::SyncProducts | Endpoint::SyncCollections | Endpoint::SyncPoll => (202, true),
        Endpoint::DebugPoll | Endpoint::DebugScopes => (200, true),
    };
    statuses.insert(success);
    if needs_connection {
        statuses.insert(409);
    }
    if route.endpoint == Endpoint::KeyDelivery {
        // Not a key delivery; a state we did not sign; storage failed. (The browser routes
        // redirect with the reason instead.)
        statuses.extend([400, 401, 500]);
    }
    if route.endpoint == Endpoint::Webhook {
        statuses.insert(401);
    }
    statuses
}

#[test]
fn openapi_declares_every_status_the_code_answers() {
    let documented = openapi_operations();
    for route in ROUTES {
        let key = (
            route.method.to_owned(),
            route.path.to_owned(),
            route.authenticated,
        );
        let declared = documented.get(&key).cloned().unwrap_or_default();
        let missing: Vec<u16> = statuses_the_code_answers(route)
            .difference(&declared)
            .copied()
            .collect();
        assert!(
            missing.is_empty(),
            "{} {}: docs/openapi.yaml does not declare {missing:?}",
            route.method,
            route.path
        );
    }
    // Methods a path does not serve answer 405 with `Allow` (not an operation of any path).
    let text = file("docs/openapi.yaml");
    assert!(text.contains("405") && text.contains("`Allow`"));
    // API Gateway's own 401 body is declared beside ours wherever its authorizer runs.
    let unauthenticated = text
        .split("\n    Unauthenticated:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n    Forbidden:\n").next())
        .unwrap_or_default();
    assert!(
        unauthenticated.contains("oneOf") && unauthenticated.contains("GatewayMessage"),
        "the authenticated routes' 401 declares API Gateway's {{\"message\"}} body"
    );
}
