//! Values the adapters' tests share.

use time::OffsetDateTime;

use crate::domain::{
    BusinessId, Connection, ConnectionStatus, Decimal, EncryptedCredentials, Money, Order,
    ProviderKind,
};

pub(super) fn kind() -> ProviderKind {
    "shopify".parse().unwrap()
}

pub(super) fn other_kind() -> ProviderKind {
    "woocommerce".parse().unwrap()
}

pub(super) fn business(id: &str) -> BusinessId {
    BusinessId::parse(id).unwrap()
}

/// Seconds after 2024-01-01T00:00:00Z.
pub(super) fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_704_067_200 + seconds).unwrap()
}

pub(super) fn connection(business_id: &str, shop: &str) -> Connection {
    Connection {
        business_id: business(business_id),
        provider: kind(),
        shop: shop.to_owned(),
        status: ConnectionStatus::Active,
        credentials: EncryptedCredentials {
            ciphertext: vec![1, 2, 3],
            access_expires_at: Some(at(3600)),
            refresh_expires_at: None,
        },
        scopes: vec!["read_orders".into()],
        location_id: None,
        webhooks: vec![],
        created_at: at(0),
        last_synced_at: None,
        last_ack_at: None,
        version: 0,
    }
}

pub(super) fn order(external_id: &str) -> Order {
    Order::new(
        kind(),
        external_id,
        format!("#{external_id}"),
        Money::new(Decimal::parse("10.00").unwrap(), "EUR"),
        at(0),
        at(0),
    )
}
