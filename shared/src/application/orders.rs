//! Orders as the host app receives them: lines translated to the business's own ids, then
//! ingested exactly once per version ([`super::ingest`]).

use std::collections::HashMap;

use super::ingest::{IngestError, Ingested, OrderIngest};
use super::service::{EcommerceService, Ports};
use crate::domain::ports::{MappingRepository, ResolvedRef, StoreRef, StoredOrder};
use crate::domain::{BusinessId, Order};
use crate::metrics::{self, Metric};

impl<P: Ports> EcommerceService<P> {
    fn order_ingest(&self) -> OrderIngest<'_, P::Store, P::Sink, P::Clock, P::Ids> {
        OrderIngest {
            orders: &self.adapters.store,
            sink: &self.adapters.sink,
            clock: &self.adapters.clock,
            ids: &self.adapters.ids,
        }
    }

    /// Ingests one reading of an order: its lines get the business's product and variant ids
    /// where the connector pushed them (the store's ids stay either way), then it is
    /// published if it is new or a new version.
    pub async fn ingest(
        &self,
        business: &BusinessId,
        mut order: Order,
    ) -> Result<Ingested, IngestError> {
        if let Err(e) = self.translate_lines(business, &mut order).await {
            metrics::count(Metric::OrderFailures, order.provider, 1.0);
            return Err(e);
        }
        let result = self.order_ingest().ingest(business, &order).await;
        let metric = match &result {
            Ok(Ingested::New) => Metric::OrdersIngested,
            Ok(Ingested::Changed(_)) => Metric::OrdersUpdated,
            Ok(Ingested::Recovered) => Metric::OrdersUpdated,
            Ok(Ingested::Duplicate | Ingested::Unchanged) => Metric::OrderDuplicates,
            Err(_) => Metric::OrderFailures,
        };
        metrics::count(metric, order.provider, 1.0);
        result
    }

    /// Publishes what an interrupted delivery left in an order's outbox, once its claim
    /// lapsed. True when something was published (counted as an update, like any later
    /// version's events).
    pub(crate) async fn recover_order(
        &self,
        business: &BusinessId,
        stored: &StoredOrder,
    ) -> Result<bool, IngestError> {
        let result = self.order_ingest().recover(business, stored).await;
        match &result {
            Ok(true) => metrics::count(Metric::OrdersUpdated, stored.order.provider, 1.0),
            Ok(false) => {}
            Err(_) => metrics::count(Metric::OrderFailures, stored.order.provider, 1.0),
        }
        result
    }

    /// Fills in `productId` / `variantId` of each line from the product mappings: by the
    /// store's variant id, else by its product id.
    async fn translate_lines(
        &self,
        business: &BusinessId,
        order: &mut Order,
    ) -> Result<(), IngestError> {
        let mut wanted = Vec::new();
        for line in &order.line_items {
            wanted.extend(line.variant_external_id.clone().map(StoreRef::Variant));
            wanted.extend(line.product_external_id.clone().map(StoreRef::Product));
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let (mut known, missing) = self.warm.refs(business, &wanted);
        if !missing.is_empty() {
            let read = self.adapters.store.resolve(business, &missing).await?;
            self.warm.remember_refs(business, &missing, &read);
            known.extend(read);
        }
        let found: HashMap<StoreRef, ResolvedRef> =
            known.into_iter().map(|r| (r.store.clone(), r)).collect();
        for line in &mut order.line_items {
            let by_variant = line
                .variant_external_id
                .clone()
                .and_then(|id| found.get(&StoreRef::Variant(id)));
            let by_product = line
                .product_external_id
                .clone()
                .and_then(|id| found.get(&StoreRef::Product(id)));
            if let Some(hit) = by_variant.or(by_product) {
                line.product_id = Some(hit.product_id.clone());
                line.variant_id = hit.variant_id.clone();
            }
        }
        Ok(())
    }
}
