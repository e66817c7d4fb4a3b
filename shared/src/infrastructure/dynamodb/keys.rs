//! Key construction for every item kind.

use super::{Item, s};
use crate::domain::{BusinessId, ProviderKind};

pub(crate) const CONN: &str = "CONN";
pub(crate) const ACTIVE: &str = "ACTIVE";
pub(crate) const STATE: &str = "STATE";
pub(crate) const GSI1: &str = "GSI1";
pub(crate) const GSI2: &str = "GSI2";

pub(crate) fn biz(business: &BusinessId) -> String {
    format!("BIZ#{business}")
}

pub(crate) fn shop(provider: ProviderKind, shop: &str) -> String {
    format!("SHOP#{provider}#{}", shop.to_ascii_lowercase())
}

pub(crate) fn outbox(business: &BusinessId) -> String {
    format!("OUTBOX#{business}")
}

pub(crate) fn pmap(product_id: &str) -> String {
    format!("PMAP#{product_id}")
}

/// A reverse reference of a store id (`XREF#P#…` for products, `XREF#V#…` for variants).
pub(crate) fn xref(store: &crate::domain::ports::StoreRef) -> String {
    match store {
        crate::domain::ports::StoreRef::Product(id) => format!("XREF#P#{id}"),
        crate::domain::ports::StoreRef::Variant(id) => format!("XREF#V#{id}"),
    }
}

pub(crate) fn cmap(collection_id: &str) -> String {
    format!("CMAP#{collection_id}")
}

pub(crate) fn order(order_key: &str) -> String {
    format!("ORDER#{order_key}")
}

pub(crate) fn log(ulid: &str) -> String {
    format!("LOG#{ulid}")
}

pub(crate) fn run(run_id: &str) -> String {
    format!("RUN#{run_id}")
}

pub(crate) fn bulk(run_id: &str) -> String {
    format!("BULK#{run_id}")
}

/// One item of a bulk run's write lines (`n` from 0, zero-padded so they sort in order).
pub(crate) fn bulk_lines(run_id: &str, n: usize) -> String {
    format!("BULK#{run_id}#LINES#{n:05}")
}

pub(crate) fn bulk_operation(operation_id: &str) -> String {
    format!("BULKOP#{operation_id}")
}

pub(crate) fn delivery(delivery_key: &str) -> String {
    format!("DELIVERY#{delivery_key}")
}

pub(crate) fn state(nonce: &str) -> String {
    format!("STATE#{nonce}")
}

/// The primary key of an item.
pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    Item::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}
