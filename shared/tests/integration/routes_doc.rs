//! The router, `template.yaml` and `docs/openapi.yaml` list the same routes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ecommerce_connector::interfaces::http::ROUTES;

fn file(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name),
    )
    .unwrap()
}

type RouteKey = (String, String, bool);

/// HttpApi events of `template.yaml`: method, path, and whether they sit behind the authorizer.
fn template_routes() -> BTreeSet<(RouteKey, String)> {
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

/// Paths and methods of the OpenAPI document, with `security: []` marking public ones.
fn openapi_routes() -> BTreeSet<RouteKey> {
    let text = file("docs/openapi.yaml");
    let body = text.split("\npaths:\n").nth(1).unwrap();
    let mut out = BTreeSet::new();
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
            for next in &lines[i + 1..] {
                if next.starts_with("    ") && !next.starts_with("     ") || next.starts_with("  /")
                {
                    break;
                }
                if next.trim() == "security: []" {
                    public = true;
                }
            }
            out.insert((
                method.trim_end_matches(':').to_uppercase(),
                path.clone(),
                !public,
            ));
        }
    }
    out
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
    assert_eq!(routes_only, openapi_routes(), "router vs docs/openapi.yaml");
}
