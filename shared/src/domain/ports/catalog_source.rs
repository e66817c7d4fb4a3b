use std::future::Future;

use crate::domain::{BusinessId, CatalogCollection, CatalogProduct};

/// Why the catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The store of the catalogue failed.
    #[error("catalogue unavailable: {0}")]
    Unavailable(String),
    /// An item does not match the documented schema.
    #[error("catalogue item {id} is malformed: {reason}")]
    Malformed {
        /// The item's id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// A page cursor that this source did not issue.
    #[error("invalid catalogue cursor")]
    InvalidCursor,
}

/// One page of catalogue items.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// The business's own catalogue, owned by the host app (read-only to us).
pub trait CatalogSource: Send + Sync {
    /// One product with its variants, or `None` if the host app has none by that id.
    fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> impl Future<Output = Result<Option<CatalogProduct>, CatalogError>> + Send;

    /// A page of products, in id order.
    fn products(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<CatalogPage<CatalogProduct>, CatalogError>> + Send;

    /// Which of `ids` (products, or collections when `collections`) the catalogue no longer
    /// has.
    fn absent(
        &self,
        business: &BusinessId,
        collections: bool,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<String>, CatalogError>> + Send;

    /// One collection, or `None`.
    fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> impl Future<Output = Result<Option<CatalogCollection>, CatalogError>> + Send;

    /// A page of collections, in id order.
    fn collections(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<CatalogPage<CatalogCollection>, CatalogError>> + Send;
}
