//! Tokens: rotation, the previous refresh token kept until its replacement is used,
//! revocation of access and refresh tokens, replies without `expires_in`.

use serde_json::{Value, json};

use super::{SCOPES, SHOP, config, kit, kit_with};

const SCOPES_QUERY: &str =
    "query AccessScopes { currentAppInstallation { accessScopes { handle } } }";

#[tokio::test]
async fn without_resilient_refresh_a_spent_refresh_token_is_invalid_grant() {
    let mut c = config();
    c.resilient_refresh = false;
    let kit = kit_with(c, SCOPES).await;
    let first = kit.refresh.clone().unwrap();
    let (status, rotated) = kit.refresh(&first).await;
    assert_eq!(status, 200);
    assert_ne!(rotated["refresh_token"].as_str().unwrap(), first);
    let (status, spent) = kit.refresh(&first).await;
    assert_eq!(
        (status, spent["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn resilient_refresh_keeps_the_previous_token_until_its_replacement_is_used() {
    let mut config = config();
    config.resilient_refresh = true;
    let kit = kit_with(config, SCOPES).await;
    let first = kit.refresh.clone().unwrap();
    let (_, lost) = kit.refresh(&first).await;
    let lost_refresh = lost["refresh_token"].as_str().unwrap().to_owned();
    // The reply was lost: the app retries with the token it still has, and that works.
    let (status, retried) = kit.refresh(&first).await;
    assert_eq!(status, 200, "{retried}");
    let second = retried["refresh_token"].as_str().unwrap().to_owned();
    // Using the new access token does not retire it...
    let new_access = retried["access_token"].as_str().unwrap();
    let response = kit
        .http
        .post(format!(
            "{}/{SHOP}/admin/api/2026-04/graphql.json",
            kit.emulator.base_url()
        ))
        .header("X-Shopify-Access-Token", new_access)
        .json(&json!({"query": SCOPES_QUERY}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(kit.refresh(&first).await.0, 200);
    // ...using a replacement refresh token does.
    let (status, _) = kit.refresh(&second).await;
    assert_eq!(status, 200);
    let (status, retired) = kit.refresh(&first).await;
    assert_eq!(
        (status, retired["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // A sibling replacement that was never used is still a valid token of its own.
    assert_eq!(kit.refresh(&lost_refresh).await.0, 200);
}

#[tokio::test]
async fn revoked_access_tokens_answer_401() {
    let kit = kit().await;
    assert_eq!(kit.gql(SCOPES_QUERY, json!({})).await.0, 200);
    kit.emulator.revoke_tokens(SHOP);
    let (status, body) = kit.gql(SCOPES_QUERY, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    );
}

#[tokio::test]
async fn revoked_refresh_tokens_answer_invalid_grant() {
    let kit = kit().await;
    kit.emulator.revoke_refresh_tokens(SHOP);
    let (status, body) = kit.refresh(kit.refresh.as_deref().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(kit.emulator.stats(SHOP).refused_refreshes, 1);
}

#[tokio::test]
async fn a_reply_can_leave_out_expires_in() {
    let mut config = config();
    config.omit_expires_in = true;
    let emulator = shopify_emulator::Emulator::start(config, 0).await.unwrap();
    let reply = super::install(&emulator, &super::client(), SCOPES).await;
    assert!(reply["access_token"].is_string());
    assert!(reply["refresh_token"].is_string());
    assert_eq!(reply.get("expires_in"), None::<&Value>);
}
