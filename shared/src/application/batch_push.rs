//! A batch job's products pushed together, for a store that writes many products in one
//! request (`CatalogPush::batch_size` above 1). The job reads the catalogue a part at a time
//! (with the part's mappings, one read) while the parts read before are being written, so the
//! store is never left waiting on our reads; it stops reading at `batched_page_size` products,
//! or once what it has handed to the store would not be written within `batched_job_budget`
//! at the pace the store has answered so far (see [`Pace`]), and the next job goes on from
//! there: a fast store gets few, long jobs, a slow one short jobs. In each part,
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
/// Requests' worth of products a job reads first.
const FIRST_REQUESTS: usize = 2;
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
        let mut pace = Pace::new(self.settings.batched_job_budget, catalog.batch_size());
        let most = self.settings.batched_page_size.max(1) as usize;
        let size = catalog.batch_size().max(1);
        let mut read = 0usize;
        let mut results = Vec::new();
        let mut running = FuturesUnordered::new();
        let mut next = None;
        // The first part is two requests' worth, for two of the store's workers to start at
        // once (a store is first sent two requests at a time).
        let first = (FIRST_REQUESTS * size).min(most);
        let mut reading = Some(Box::pin(self.read_part(
            business,
            cursor.map(str::to_owned),
            first,
        )));
        // Whether the catalogue may still be read (not at its end, the page, or the budget).
        let mut open = true;
        // Changed products not yet in a full request: parts carry them over.
        let mut writes: Based = Vec::new();
        loop {
            tokio::select! {
                part = async {
                    match reading.as_mut() {
                        Some(part) => part.await,
                        None => std::future::pending().await,
                    }
                }, if reading.is_some() => {
                    reading = None;
                    match part {
                        Ok((page, mappings)) => {
                            read += page.items.len();
                            next = page.next_cursor;
                            open = next.is_some() && read < most;
                            let (done, changed, stock) = self.plan_part(page.items, mappings);
                            results.extend(done);
                            writes.extend(changed);
                            if !stock.is_empty() {
                                pace.handed(stock.len());
                                running.push(self.run_work(session, business, catalog, Work::Stock(stock), change_key));
                            }
                        }
                        // Nothing read yet: the job fails, and is retried whole.
                        Err(e) if read == 0 => return Err(e),
                        // What was read is still written and recorded (writes already sent
                        // are never abandoned); the next job reads from the part that failed.
                        Err(e) => {
                            tracing::warn!(error = %e, "catalogue read failed; the next job reads on from here");
                            open = false;
                        }
                    }
                }
                Some(done) = running.next() => {
                    pace.answered(done.len());
                    results.extend(done);
                }
                else => break,
            }
            let elapsed = (self.adapters.clock.now() - started).unsigned_abs();
            let left = most.saturating_sub(read);
            if open && reading.is_none() && pace.part(elapsed, left, size).is_none() {
                // Waiting for answers to learn the store's pace, or out of time for more.
                open = pace.waiting(elapsed);
            }
            // Full requests now; the rest once nothing more will be read.
            while writes.len() >= size || (!open && !writes.is_empty()) {
                let rest = writes.split_off(writes.len().min(size));
                let chunk = std::mem::replace(&mut writes, rest);
                pace.handed(chunk.len());
                running.push(self.run_work(
                    session,
                    business,
                    catalog,
                    Work::Write(chunk),
                    change_key,
                ));
            }
            if open && reading.is_none() {
                if let Some(part) = pace.part(elapsed, left, size) {
                    reading = Some(Box::pin(self.read_part(business, next.clone(), part)));
                }
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

/// How long a batch job may take, reading and writing, by default (the function has 60 s).
pub(crate) const JOB_BUDGET: Duration = Duration::from_secs(40);

/// A job's pace: how many products it handed to the store and how many were answered, from
/// which it reads more of the catalogue only while what is already handed over can be
/// written within the job's budget at the pace the store has kept so far. Until the first
/// answer it hands over at most [`Pace::UNKNOWN_REQUESTS`] requests' worth.
struct Pace {
    budget: Duration,
    batch: usize,
    handed: usize,
    answered: usize,
}

impl Pace {
    /// Requests' worth handed over before the store's pace is known.
    const UNKNOWN_REQUESTS: usize = 4;

    fn new(budget: Duration, batch: usize) -> Self {
        Self {
            budget,
            batch: batch.max(1),
            handed: 0,
            answered: 0,
        }
    }

    fn handed(&mut self, products: usize) {
        self.handed += products;
    }

    fn answered(&mut self, products: usize) {
        self.answered += products;
    }

    /// Whether to read another part of `part` products now, `elapsed` into the job.
    fn may_read(&self, elapsed: Duration, part: usize) -> bool {
        if elapsed >= self.budget {
            return false;
        }
        let pending = self.handed.saturating_sub(self.answered);
        if self.answered == 0 {
            return pending < Self::UNKNOWN_REQUESTS * self.batch;
        }
        // What is pending, and the part about to be read, take their share of the time the
        // answered ones took.
        let per_product = elapsed.as_secs_f64() / self.answered as f64;
        let projected = (pending + part) as f64 * per_product;
        elapsed.as_secs_f64() + projected < self.budget.as_secs_f64()
    }

    /// How many products to read next, `elapsed` into the job with `left` to read at most: a
    /// whole part if its writing fits the budget, else one request's worth (`batch`), else
    /// none for now.
    fn part(&self, elapsed: Duration, left: usize, batch: usize) -> Option<usize> {
        [PART as usize, batch]
            .into_iter()
            .map(|p| p.min(left))
            .find(|p| *p > 0 && self.may_read(elapsed, *p))
    }

    /// Whether the job should still read later, once more answers are in: not when its time is
    /// up, nor when nothing is pending (no answer will change the projection).
    fn waiting(&self, elapsed: Duration) -> bool {
        elapsed < self.budget && self.handed > self.answered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn before_any_answer_at_most_four_requests_worth_is_handed_over() {
        let mut pace = Pace::new(secs(40), 100);
        pace.handed(300);
        assert!(pace.may_read(secs(1), 250));
        pace.handed(100);
        assert!(!pace.may_read(secs(1), 250));
        assert!(pace.waiting(secs(1)), "an answer will tell the pace");
    }

    #[test]
    fn a_fast_store_keeps_the_job_reading_a_slow_one_stops_it() {
        // 1,000 products answered in 5 s: 5 ms each; 1,000 pending take 5 s more.
        let mut fast = Pace::new(secs(40), 100);
        fast.handed(2000);
        fast.answered(1000);
        assert!(fast.may_read(secs(5), 250));
        // 100 products answered in 10 s: 100 ms each; 400 pending (and 100 more) take 50 s.
        let mut slow = Pace::new(secs(40), 100);
        slow.handed(500);
        slow.answered(100);
        assert!(!slow.may_read(secs(10), 250));
        assert!(slow.waiting(secs(10)), "the pace may yet improve");
    }

    #[test]
    fn the_part_about_to_be_read_counts_whole() {
        // 200 products answered in 20 s: 0.1 s each; 250 more would end at 45 s, 100 at 30 s.
        let mut pace = Pace::new(secs(40), 100);
        pace.handed(200);
        pace.answered(200);
        assert!(!pace.may_read(secs(20), 250));
        assert!(pace.may_read(secs(20), 100));
        assert_eq!(
            pace.part(secs(20), 5000, 100),
            Some(100),
            "one request's worth"
        );
        assert_eq!(pace.part(secs(35), 5000, 100), None);
        assert_eq!(
            pace.part(secs(21), 40, 100),
            Some(40),
            "what is left, when less"
        );
        let mut unknown = Pace::new(secs(40), 100);
        unknown.handed(400);
        assert_eq!(
            unknown.part(secs(1), 5000, 100),
            None,
            "an answer is awaited first"
        );
    }

    #[test]
    fn past_the_budget_or_with_nothing_pending_the_job_reads_no_more_later() {
        let mut pace = Pace::new(secs(40), 100);
        pace.handed(100);
        assert!(!pace.may_read(secs(40), 250));
        assert!(!pace.waiting(secs(40)));
        pace.answered(100);
        // Answered in 39 s: another request's worth would end past the budget.
        assert!(!pace.may_read(secs(39), 100));
        assert!(!pace.waiting(secs(39)), "no answer is coming to change it");
    }
}
