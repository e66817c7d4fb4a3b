//! A page of products pushed together, for a store that writes many products in one request
//! (`CatalogPush::batch_size` above 1): the page's mappings are read at once, unchanged
//! products are skipped by their hashes before anything is sent, the changed ones are written
//! `batch_size` a request with every such request handed to the provider at once (its client
//! decides how many are in flight), and each product's notes, mapping and stock are recorded
//! as soon as its request is answered, exactly as a push of that product alone records them.
//! A product that fails fails only itself.

use futures_util::future::join_all;

use super::service::{EcommerceService, Ports, ServiceError};
use super::sync::{Pushed, bounded};
use crate::domain::ports::{CatalogPush, MappingRepository, PushedProduct, StoreSession};
use crate::domain::{BusinessId, CatalogProduct, ProductMapping};

/// Mappings recorded at once per request answered.
const RECORDING: usize = 16;

/// One page item's result.
type ItemResult = (String, Result<Pushed, ServiceError>);

impl<P: Ports> EcommerceService<P> {
    /// Pushes `products` (a page) through the provider's batch writes.
    pub(super) async fn push_products(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        products: &[CatalogProduct],
        change_key: &str,
    ) -> Result<Vec<ItemResult>, ServiceError> {
        let ids: Vec<String> = products.iter().map(|p| p.id.clone()).collect();
        let mappings = self.adapters.store.products(business, &ids).await?;
        let mut results = Vec::with_capacity(products.len());
        let (mut writes, mut stock_only) = (Vec::new(), Vec::new());
        for product in products {
            let previous = mappings
                .iter()
                .find(|m| m.product_id == product.id)
                .cloned();
            let previous = self.push_base(previous);
            match Self::push_plan(product, previous.as_ref()) {
                Ok(None) => results.push((product.id.clone(), Ok(Pushed::Unchanged))),
                Ok(Some(true)) => writes.push((product, previous)),
                Ok(Some(false)) => stock_only.push((product, previous)),
                Err(e) => results.push((product.id.clone(), Err(e))),
            }
        }
        let stock = bounded(
            &stock_only,
            self.settings.push_concurrency,
            |(product, previous)| async move {
                let recorded = self
                    .record_push(
                        session,
                        business,
                        catalog,
                        product,
                        previous.as_ref(),
                        None,
                        change_key,
                    )
                    .await;
                (product.id.clone(), recorded)
            },
        );
        let written = join_all(
            writes
                .chunks(catalog.batch_size().max(1))
                .map(|chunk| self.write_chunk(session, business, catalog, chunk, change_key)),
        );
        let (stock, written) = tokio::join!(stock, written);
        results.extend(stock);
        results.extend(written.into_iter().flatten());
        Ok(results)
    }

    /// Writes one request's worth of changed products, then records each.
    async fn write_chunk(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        chunk: &[(&CatalogProduct, Option<ProductMapping>)],
        change_key: &str,
    ) -> Vec<ItemResult> {
        let items: Vec<(&CatalogProduct, Option<&ProductMapping>)> =
            chunk.iter().map(|(p, m)| (*p, m.as_ref())).collect();
        let answers: Vec<(usize, Result<PushedProduct, _>)> = catalog
            .upsert_products(session, &items)
            .await
            .into_iter()
            .enumerate()
            .collect();
        bounded(&answers, RECORDING, |(i, answer)| async move {
            let (product, previous) = &chunk[*i];
            let recorded = match answer {
                Ok(pushed) => {
                    self.record_push(
                        session,
                        business,
                        catalog,
                        product,
                        previous.as_ref(),
                        Some(pushed.clone()),
                        change_key,
                    )
                    .await
                }
                Err(e) => Err(ServiceError::Provider(e.clone())),
            };
            (product.id.clone(), recorded)
        })
        .await
    }
}
