use ecommerce_connector::domain::Secret;
use ecommerce_connector::domain::ports::ProviderError;
use ecommerce_connector::domain::ports::prelude::*;
use ecommerce_connector::infrastructure::providers::shopify::oauth::verify_callback;

use super::{SECRET, emulator_config, install, kit, kit_with};

#[tokio::test]
async fn authorize_callback_and_code_exchange_yield_an_expiring_token_pair() {
    let kit = kit().await;
    let grant = install(&kit).await;
    assert!(
        grant
            .credentials
            .access_token
            .expose()
            .starts_with("shpat_")
    );
    assert!(grant.credentials.refresh_token.is_some());
    assert_eq!(
        grant.access_expires_in,
        Some(std::time::Duration::from_secs(3600))
    );
    assert_eq!(
        grant.scopes,
        vec![
            "read_orders",
            "write_orders",
            "write_products",
            "write_inventory",
            "read_locations",
            "write_publications"
        ]
    );
    assert_eq!(kit.emulator.stats(&kit.shop).code_exchanges, 1);
}

#[tokio::test]
async fn a_tampered_redirect_is_refused_and_a_used_code_is_spent() {
    let kit = kit().await;
    let url = kit.provider.authorization_url(&kit.shop, "s").unwrap();
    let http = ecommerce_connector::infrastructure::http_client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = http.get(&url).send().await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let query = location.split_once('?').unwrap().1;
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let good = verify_callback(&pairs, &Secret::new(SECRET), now).unwrap();
    for (k, v) in pairs.iter_mut() {
        if k == "state" {
            *v = "forged".into();
        }
    }
    assert!(matches!(
        verify_callback(&pairs, &Secret::new(SECRET), now),
        Err(ProviderError::BadSignature)
    ));

    let grant = ecommerce_connector::domain::ports::AuthorizationGrant {
        shop: good.shop,
        code: good.code,
        secret: None,
        scopes: Vec::new(),
    };
    kit.provider.exchange(&grant).await.unwrap();
    let again = kit.provider.exchange(&grant).await.unwrap_err();
    assert!(
        matches!(again, ProviderError::Unauthorized(ref c) if c == "invalid_grant"),
        "{again:?}"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_spent_one_is_invalid_grant() {
    let kit = kit().await;
    let grant = install(&kit).await;
    let first = grant.credentials.refresh_token.unwrap();
    let rotated = kit.provider.refresh(&kit.shop, &first).await.unwrap();
    let second = rotated.credentials.refresh_token.clone().unwrap();
    assert_ne!(first, second);
    assert_ne!(
        rotated.credentials.access_token,
        grant.credentials.access_token
    );
    // Until its replacement is first used, the previous token still works: a refresh whose
    // answer was lost can be repeated (shopify.dev, "more resilient refreshes").
    assert!(kit.provider.refresh(&kit.shop, &first).await.is_ok());
    assert!(kit.provider.refresh(&kit.shop, &second).await.is_ok());
    let spent = kit.provider.refresh(&kit.shop, &first).await.unwrap_err();
    assert!(matches!(spent, ProviderError::Unauthorized(ref c) if c == "invalid_grant"));
}

#[tokio::test]
async fn fewer_scopes_than_requested_are_reported() {
    let mut config = emulator_config();
    config.granted_scopes = Some(vec!["read_orders".into(), "write_products".into()]);
    let kit = kit_with(config).await;
    let grant = install(&kit).await;
    let missing = ecommerce_connector::infrastructure::providers::shopify::missing_scopes(
        &kit.provider.config().scopes,
        &grant.scopes,
    );
    assert_eq!(
        missing,
        vec![
            "write_orders",
            "write_inventory",
            "read_locations",
            "write_publications"
        ]
    );
}

#[tokio::test]
async fn foreign_shops_are_refused_before_any_request() {
    let kit = kit().await;
    for shop in ["evil.example.com", "x.myshopify.com.evil.io", "127.0.0.1"] {
        assert!(matches!(
            kit.provider.authorization_url(shop, "s"),
            Err(ProviderError::InvalidInput(_))
        ));
        assert!(matches!(
            kit.provider.refresh(shop, &Secret::new("r")).await,
            Err(ProviderError::InvalidInput(_))
        ));
    }
}
