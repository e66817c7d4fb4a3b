//! The signed OAuth `state`: business, provider, shop, nonce and expiry under an HMAC.
//!
//! The signature stops forged states; the stored nonce (consumed once) stops replays.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::{BusinessId, ProviderKind, Secret};

/// What a state carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateClaims {
    /// Business.
    #[serde(rename = "b")]
    pub business_id: BusinessId,
    /// Provider.
    #[serde(rename = "p")]
    pub provider: ProviderKind,
    /// Store.
    #[serde(rename = "s")]
    pub shop: String,
    /// Nonce stored server-side.
    #[serde(rename = "n")]
    pub nonce: String,
    /// Expiry, epoch seconds.
    #[serde(rename = "e")]
    pub expires_at: i64,
}

fn mac(secret: &Secret, payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    mac
}

/// `base64url(json).base64url(hmac)`.
pub fn sign(secret: &Secret, claims: &StateClaims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// The claims of a state we signed; `None` for anything else (checked in constant time).
pub fn verify(secret: &Secret, state: &str) -> Option<StateClaims> {
    let (payload, signature) = state.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    mac(secret, payload).verify_slice(&signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> StateClaims {
        StateClaims {
            business_id: BusinessId::parse("biz").unwrap(),
            provider: ProviderKind::from_static("shopify"),
            shop: "a.myshopify.com".into(),
            nonce: "n".into(),
            expires_at: 1,
        }
    }

    #[test]
    fn signed_states_verify_and_forgeries_do_not() {
        let secret = Secret::new("k");
        let state = sign(&secret, &claims());
        assert_eq!(verify(&secret, &state), Some(claims()));
        assert_eq!(verify(&Secret::new("other"), &state), None);
        let (payload, sig) = state.split_once('.').unwrap();
        let mut forged = claims();
        forged.business_id = BusinessId::parse("victim").unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(verify(&secret, &format!("{forged_payload}.{sig}")), None);
        assert_eq!(verify(&secret, payload), None);
        assert_eq!(verify(&secret, "garbage"), None);
    }
}
