use ecommerce_connector::domain::ProviderKind;
use ecommerce_connector::domain::ports::{CipherError, CredentialCipher};
use ecommerce_connector::infrastructure::kms::KmsCipher;

use crate::support::{biz, stack};

#[tokio::test]
async fn ciphertext_only_decrypts_for_its_own_business_and_provider() {
    let s = stack().await;
    let cipher = KmsCipher::new(s.clients.kms.clone(), &s.resources.key_alias);
    let secret = br#"{"access_token":"shpat_0123456789"}"#;
    let ct = cipher
        .encrypt(&biz("biz-a"), ProviderKind::from_static("shopify"), secret)
        .await
        .unwrap();
    assert!(
        !ct.windows(secret.len()).any(|w| w == secret),
        "ciphertext must not contain the plaintext"
    );
    assert_eq!(
        cipher
            .decrypt(&biz("biz-a"), ProviderKind::from_static("shopify"), &ct)
            .await
            .unwrap(),
        secret
    );

    let other_business = cipher
        .decrypt(&biz("biz-b"), ProviderKind::from_static("shopify"), &ct)
        .await
        .unwrap_err();
    assert!(
        matches!(other_business, CipherError::Mismatch),
        "{other_business:?}"
    );
    let other_provider = cipher
        .decrypt(&biz("biz-a"), ProviderKind::from_static("woocommerce"), &ct)
        .await
        .unwrap_err();
    assert!(
        matches!(other_provider, CipherError::Mismatch),
        "{other_provider:?}"
    );
    assert!(!other_business.to_string().contains("shpat"));
}
