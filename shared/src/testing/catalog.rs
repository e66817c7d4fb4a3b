//! [`MemoryCatalog`]: the host app's catalogue, filled by the test.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use super::fault::FaultSwitch;
use crate::domain::ports::{CatalogError, CatalogPage, CatalogSource};
use crate::domain::{BusinessId, CatalogCollection, CatalogProduct};
use crate::infrastructure::cursor;

/// Cursor kinds: the sort-key prefixes the DynamoDB source uses, so a product cursor is
/// refused by the collection listing.
const PRODUCTS: &str = "PRODUCT#";
const COLLECTIONS: &str = "COLLECTION#";
/// Largest page.
const MAX_PAGE: u32 = 500;

/// Products and collections per business, listed in id order a page at a time.
///
/// Clones share the same catalogue.
#[derive(Debug, Clone, Default)]
pub struct MemoryCatalog {
    state: Arc<Mutex<CatalogState>>,
}

#[derive(Debug, Default)]
struct CatalogState {
    products: BTreeMap<BusinessId, BTreeMap<String, CatalogProduct>>,
    collections: BTreeMap<BusinessId, BTreeMap<String, CatalogCollection>>,
    faults: FaultSwitch,
}

/// One page of `items` after the cursor's id.
fn page<T: Clone>(
    items: Option<&BTreeMap<String, T>>,
    kind: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<CatalogPage<T>, CatalogError> {
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let after = match cursor {
        Some(c) => Bound::Excluded(
            cursor::decode(kind, c, |p| !p.is_empty()).ok_or(CatalogError::InvalidCursor)?,
        ),
        None => Bound::Unbounded,
    };
    let mut rows: Vec<(&String, &T)> = items
        .map(|m| m.range((after, Bound::Unbounded)).take(limit + 1).collect())
        .unwrap_or_default();
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(id, _)| cursor::encode(kind, id))
    } else {
        None
    };
    Ok(CatalogPage {
        items: rows.into_iter().map(|(_, item)| item.clone()).collect(),
        next_cursor,
    })
}

impl MemoryCatalog {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, CatalogState> {
        super::lock(&self.state)
    }

    /// Runs one read under the lock, after the fault switch had its say.
    fn read<T>(
        &self,
        op: impl FnOnce(&CatalogState) -> Result<T, CatalogError>,
    ) -> Result<T, CatalogError> {
        let mut state = self.lock();
        state.faults.trip().map_err(CatalogError::Unavailable)?;
        op(&state)
    }

    /// Adds or replaces a product (by its id).
    pub fn put_product(&self, business: &BusinessId, product: CatalogProduct) {
        let mut state = self.lock();
        let products = state.products.entry(business.clone()).or_default();
        products.insert(product.id.clone(), product);
    }

    /// Removes a product; true when it was there.
    pub fn remove_product(&self, business: &BusinessId, product_id: &str) -> bool {
        let mut state = self.lock();
        let products = state.products.get_mut(business);
        products.is_some_and(|p| p.remove(product_id).is_some())
    }

    /// Adds or replaces a collection (by its id).
    pub fn put_collection(&self, business: &BusinessId, collection: CatalogCollection) {
        let mut state = self.lock();
        let collections = state.collections.entry(business.clone()).or_default();
        collections.insert(collection.id.clone(), collection);
    }

    /// Removes a collection; true when it was there.
    pub fn remove_collection(&self, business: &BusinessId, collection_id: &str) -> bool {
        let mut state = self.lock();
        let collections = state.collections.get_mut(business);
        collections.is_some_and(|c| c.remove(collection_id).is_some())
    }

    /// While `true`, every read fails with [`CatalogError::Unavailable`].
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().faults.set_unavailable(unavailable);
    }

    /// The next `calls` reads fail with [`CatalogError::Unavailable`].
    pub fn fail_next(&self, calls: u32) {
        self.lock().faults.fail_next(calls);
    }

    /// The next `ok` reads succeed, the `calls` after them fail.
    pub fn fail_after(&self, ok: u32, calls: u32) {
        self.lock().faults.fail_after(ok, calls);
    }
}

impl CatalogSource for MemoryCatalog {
    async fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> Result<Option<CatalogProduct>, CatalogError> {
        self.read(|s| {
            Ok(s.products
                .get(business)
                .and_then(|p| p.get(product_id))
                .cloned())
        })
    }

    async fn products(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<CatalogPage<CatalogProduct>, CatalogError> {
        self.read(|s| page(s.products.get(business), PRODUCTS, cursor, limit))
    }

    async fn absent(
        &self,
        business: &BusinessId,
        collections: bool,
        ids: &[String],
    ) -> Result<Vec<String>, CatalogError> {
        self.read(|s| {
            Ok(ids
                .iter()
                .filter(|id| {
                    if collections {
                        !s.collections
                            .get(business)
                            .is_some_and(|c| c.contains_key(*id))
                    } else {
                        !s.products
                            .get(business)
                            .is_some_and(|p| p.contains_key(*id))
                    }
                })
                .cloned()
                .collect())
        })
    }

    async fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Option<CatalogCollection>, CatalogError> {
        self.read(|s| {
            Ok(s.collections
                .get(business)
                .and_then(|c| c.get(collection_id))
                .cloned())
        })
    }

    async fn collections(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<CatalogPage<CatalogCollection>, CatalogError> {
        self.read(|s| page(s.collections.get(business), COLLECTIONS, cursor, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CatalogVariant, Decimal};
    use crate::testing::fixtures::business;

    fn product(id: &str) -> CatalogProduct {
        CatalogProduct {
            id: id.to_owned(),
            title: format!("Product {id}"),
            description_html: String::new(),
            handle: None,
            vendor: None,
            product_type: None,
            published: true,
            options: vec![],
            variants: vec![CatalogVariant {
                id: format!("{id}-v"),
                sku: None,
                barcode: None,
                price: Decimal::parse("1.00").unwrap(),
                option_values: vec![],
                inventory_quantity: Some(1),
                ..CatalogVariant::default()
            }],
            ..CatalogProduct::default()
        }
    }

    #[tokio::test]
    async fn products_page_in_id_order_until_the_last_page() {
        let catalog = MemoryCatalog::new();
        let b = business("b1");
        for id in ["p5", "p1", "p4", "p2", "p3"] {
            catalog.put_product(&b, product(id));
        }
        catalog.put_product(&business("b2"), product("p0"));
        assert!(catalog.remove_product(&b, "p4"));
        assert!(!catalog.remove_product(&b, "p4"));

        let mut ids = Vec::new();
        let mut cursor = None;
        loop {
            let page = catalog.products(&b, cursor.as_deref(), 2).await.unwrap();
            ids.extend(page.items.into_iter().map(|p| p.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(ids, ["p1", "p2", "p3", "p5"]);
        assert_eq!(
            catalog.product(&b, "p3").await.unwrap(),
            Some(product("p3"))
        );
        assert_eq!(catalog.product(&b, "p4").await.unwrap(), None);
    }

    #[tokio::test]
    async fn foreign_or_garbled_cursors_are_refused_and_outages_surface() {
        let catalog = MemoryCatalog::new();
        let b = business("b1");
        catalog.put_product(&b, product("p1"));
        catalog.put_product(&b, product("p2"));
        let collection = CatalogCollection {
            id: "c1".into(),
            title: "C".into(),
            description_html: String::new(),
            handle: None,
            product_ids: vec!["p1".into()],
        };
        catalog.put_collection(&b, collection.clone());
        let product_cursor = catalog.products(&b, None, 1).await.unwrap().next_cursor;
        let product_cursor = product_cursor.unwrap();

        let err = catalog.collections(&b, Some(&product_cursor), 1).await;
        assert!(matches!(err, Err(CatalogError::InvalidCursor)), "{err:?}");
        let err = catalog.products(&b, Some("garbage!"), 1).await;
        assert!(matches!(err, Err(CatalogError::InvalidCursor)), "{err:?}");
        let all = catalog.collections(&b, None, 10).await.unwrap();
        assert_eq!((all.items, all.next_cursor), (vec![collection], None));

        catalog.fail_next(1);
        let err = catalog.collection(&b, "c1").await;
        assert!(matches!(err, Err(CatalogError::Unavailable(_))), "{err:?}");
        assert!(catalog.remove_collection(&b, "c1"));
        assert_eq!(catalog.collection(&b, "c1").await.unwrap(), None);
    }
}
