//! A batch job's products pushed together, for a store that writes many products in one
//! request (`CatalogPush::batch_size` above 1). The job reads the catalogue a part at a time
//! (with the part's mappings, one read) while the parts read before are being written, so the
//! store is never left waiting on our reads; it stops reading at `batched_page_size` products
//! or once it has run `batched_job_budget`, and the next job goes on from there. In each part,
//! unchanged products are skipped by their hashes before anything is sent, the changed ones
//! are written `batch_size` a request with every request handed to the provider at once (its
//! client decides how many are in flight), and each product's notes, mapping and stock are
//! recorded as soon as its request is answered, exactly as a push of that product alone
//! records them. A product that fails fails only itself.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use super::service::{EcommerceService, Ports, ServiceError};
use super::sync::{Pushed, bounded};
use crate::domain::ports::{
    CatalogPage, CatalogPush, CatalogSource, Clock, MappingRepository, PushedProduct, ResolvedRef,
    StoreSession,
};
use crate::domain::{BusinessId, CatalogProduct, ProductMapping};

/// Catalogue products read at once.
const PART: u32 = 250;
/// Products whose stock goes separately recorded at once per request answered.
const RECORDING: usize = 16;

/// One item's result.
type ItemResult = (String, Result<Pushed, ServiceError>);

/// Products with the mapping their push starts from.
type Based = Vec<(CatalogProduct, Option<ProductMapping>)>;

/// Work a part gives: products to write, or products whose stock alone changed.
enum Work {
    Write(Based),
    Stock(Based),
}

impl<P: Ports> EcommerceService<P> {
    /// Pushes the products of one batch job from `cursor`; every item's result and the cursor
    /// the next job starts from.
    pub(super) async fn push_batched(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        change_key: &str,
        cursor: Option<&str>,
    ) -> Result<(Vec<ItemResult>, Option<String>), ServiceError> {
        let started = self.adapters.clock.now();
        let budget = self.settings.batched_job_budget;
        let most = self.settings.batched_page_size.max(1) as usize;
        let size = catalog.batch_size().max(1);
        let mut read = 0usize;
        let mut results = Vec::new();
        let mut running = FuturesUnordered::new();
        let mut next = None;
        // The first part is one request's worth, for the store to start at once.
        let first = size.min(most);
        let mut reading = Box::pin(self.read_part(business, cursor.map(str::to_owned), first));
        let mut more = true;
        // Changed products not yet in a full request: parts carry them over.
        let mut writes: Based = Vec::new();
        loop {
            tokio::select! {
                part = &mut reading, if more => {
                    let (page, mappings) = part?;
                    read += page.items.len();
                    next = page.next_cursor;
                    let (done, changed, stock) = self.plan_part(page.items, mappings);
                    results.extend(done);
                    writes.extend(changed);
                    let elapsed = self.adapters.clock.now() - started;
                    more = next.is_some() && read < most && elapsed < budget;
                    // Full requests now; the rest once nothing more is read.
                    while writes.len() >= size || (!more && !writes.is_empty()) {
                        let rest = writes.split_off(writes.len().min(size));
                        let chunk = std::mem::replace(&mut writes, rest);
                        running.push(self.run_work(session, business, catalog, Work::Write(chunk), change_key));
                    }
                    if !stock.is_empty() {
                        running.push(self.run_work(session, business, catalog, Work::Stock(stock), change_key));
                    }
                    if more {
                        reading = Box::pin(self.read_part(business, next.clone(), most - read));
                    }
                }
                Some(done) = running.next() => results.extend(done),
                else => break,
            }
        }
        Ok((results, next))
    }

    /// A part of the catalogue (at most `left` products) and their mappings.
    async fn read_part(
        &self,
        business: &BusinessId,
        cursor: Option<String>,
        left: usize,
    ) -> Result<(CatalogPage<CatalogProduct>, Vec<ProductMapping>), ServiceError> {
        let limit = u32::try_from(left).unwrap_or(PART).clamp(1, PART);
        let page = self
            .adapters
            .catalog
            .products(business, cursor.as_deref(), limit)
            .await?;
        let ids: Vec<String> = page.items.iter().map(|p| p.id.clone()).collect();
        let mappings = self.adapters.store.products(business, &ids).await?;
        Ok((page, mappings))
    }

    /// What a part needs: the results known at once (unchanged, or refused before anything
    /// is sent), the products to write, and those whose stock alone changed.
    fn plan_part(
        &self,
        products: Vec<CatalogProduct>,
        mappings: Vec<ProductMapping>,
    ) -> (Vec<ItemResult>, Based, Based) {
        let mut done = Vec::new();
        let (mut writes, mut stock) = (Vec::new(), Vec::new());
        for product in products {
            let previous = mappings
                .iter()
                .find(|m| m.product_id == product.id)
                .cloned();
            let previous = self.push_base(previous);
            match Self::push_plan(&product, previous.as_ref()) {
                Ok(None) => done.push((product.id.clone(), Ok(Pushed::Unchanged))),
                Ok(Some(true)) => writes.push((product, previous)),
                Ok(Some(false)) => stock.push((product, previous)),
                Err(e) => done.push((product.id.clone(), Err(e))),
            }
        }
        (done, writes, stock)
    }

    /// Carries out one piece of work: a request's worth of writes then their records, or
    /// stock-only changes, several at once.
    async fn run_work(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        work: Work,
        change_key: &str,
    ) -> Vec<ItemResult> {
        let (based, answers): (Based, Vec<Option<PushedProduct>>) = match work {
            Work::Stock(based) => {
                let none = based.iter().map(|_| None).collect();
                (based, none)
            }
            Work::Write(based) => {
                let items: Vec<(&CatalogProduct, Option<&ProductMapping>)> =
                    based.iter().map(|(p, m)| (p, m.as_ref())).collect();
                let answers = catalog.upsert_products(session, &items).await;
                let mut failed = Vec::new();
                let mut kept = Vec::new();
                let mut pushed = Vec::new();
                for ((product, previous), answer) in based.into_iter().zip(answers) {
                    match answer {
                        Ok(p) => {
                            kept.push((product, previous));
                            pushed.push(Some(p));
                        }
                        Err(e) => failed.push((product.id, Err(ServiceError::Provider(e)))),
                    }
                }
                let mut recorded = self
                    .record_all(session, business, catalog, &kept, pushed, change_key)
                    .await;
                recorded.extend(failed);
                return recorded;
            }
        };
        self.record_all(session, business, catalog, &based, answers, change_key)
            .await
    }

    /// Records each product's push (its write's answer, or `None` for its stock alone): the
    /// mappings of those with nothing left to do saved together, the others (stock that did
    /// not travel with the write) one by one as a single push records them.
    async fn record_all(
        &self,
        session: &StoreSession,
        business: &BusinessId,
        catalog: &dyn CatalogPush,
        based: &[(CatalogProduct, Option<ProductMapping>)],
        pushed: Vec<Option<PushedProduct>>,
        change_key: &str,
    ) -> Vec<ItemResult> {
        let mut results = Vec::with_capacity(based.len());
        let mut complete = Vec::new();
        let mut rest = Vec::new();
        for ((product, previous), pushed) in based.iter().zip(pushed) {
            match self.pushed_mapping(product, previous.as_ref(), pushed.clone()) {
                Ok((mut mapping, levels, notes)) if levels.is_empty() => {
                    self.log_notes(business, &product.id, &notes).await;
                    mapping.stock_hash = product.stock_hash();
                    complete.push(mapping);
                }
                Ok(_) => rest.push((product, previous, pushed)),
                Err(e) => results.push((product.id.clone(), Err(e))),
            }
        }
        let saved = self.adapters.store.put_products(business, &complete).await;
        for mapping in complete {
            results.push(match &saved {
                Ok(()) => {
                    self.warm
                        .prime_refs(business, ResolvedRef::all_of(&mapping));
                    (mapping.product_id, Ok(Pushed::Sent))
                }
                Err(e) => (mapping.product_id, Err(ServiceError::from(e.clone()))),
            });
        }
        let limit = RECORDING.max(self.settings.push_concurrency);
        results.extend(
            bounded(&rest, limit, |(product, previous, pushed)| async move {
                let recorded = self
                    .record_push(
                        session,
                        business,
                        catalog,
                        product,
                        previous.as_ref(),
                        pushed.clone(),
                        change_key,
                    )
                    .await;
                (product.id.clone(), recorded)
            })
            .await,
        );
        results
    }
}

/// How long a batch job goes on reading more of the catalogue, by default.
pub(crate) const JOB_BUDGET: Duration = Duration::from_secs(20);
