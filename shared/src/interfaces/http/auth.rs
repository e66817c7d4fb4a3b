//! Caller scope: which businesses the JWT allows.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::domain::BusinessId;

/// Where the business ids are in the JWT claims.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Claim holding the caller's business ids: a list (`["a","b"]`, or API Gateway's
    /// flattened `[a b]`) or a comma-separated string.
    pub business_claim: String,
}

/// Why a caller is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Denied {
    /// No claims, or no business claim (401).
    Unauthenticated,
    /// `businessId` missing or malformed (400).
    BadBusinessId,
    /// `businessId` is not the caller's (403).
    Forbidden,
}

/// The business ids a claim value lists.
pub fn parse_claim(value: &str) -> Vec<String> {
    let trimmed = value.trim();
    if let Ok(list) = serde_json::from_str::<Vec<String>>(trimmed) {
        return list;
    }
    let inner = trimmed
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(trimmed);
    inner
        .split([',', ' '])
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks the request's `businessId` against the caller's claim.
pub fn authorize(
    config: &AuthConfig,
    request: &Request,
    business_id: Option<&str>,
) -> Result<BusinessId, Denied> {
    let claims = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|j| &j.claims),
        _ => None,
    };
    let allowed = claims
        .and_then(|c| c.get(&config.business_claim))
        .map(|v| parse_claim(v))
        .filter(|v| !v.is_empty())
        .ok_or(Denied::Unauthenticated)?;
    let business = business_id
        .and_then(|b| BusinessId::parse(b).ok())
        .ok_or(Denied::BadBusinessId)?;
    if allowed.iter().any(|a| a == business.as_str()) {
        Ok(business)
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_parse_in_every_shape_api_gateway_produces() {
        assert_eq!(parse_claim(r#"["a","b"]"#), vec!["a", "b"]);
        assert_eq!(parse_claim("[a b]"), vec!["a", "b"]);
        assert_eq!(parse_claim("a, b"), vec!["a", "b"]);
        assert_eq!(parse_claim("solo"), vec!["solo"]);
        assert!(parse_claim("[]").is_empty());
    }
}
