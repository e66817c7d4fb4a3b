//! Products and collections the business removed: taken off sale at the store (archived by
//! default, or deleted), found by `delete_*` jobs from the host app or by a batch sync that no
//! longer meets them in the catalogue.

use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{CatalogSource, Clock, JobQueue, MappingRepository};
use crate::domain::{BusinessId, Job, ProviderKind, Removal, SyncKind};
use crate::metrics::{self, Metric};

/// A removal at the store counts as a push (sent or failed).
fn count_removal(provider: ProviderKind, result: &Result<(), ServiceError>) {
    let metric = if result.is_ok() {
        Metric::PushesSent
    } else {
        Metric::PushesFailed
    };
    metrics::count(metric, provider, 1.0);
}

impl<P: Ports> EcommerceService<P> {
    /// A removal with nothing to do at the store: logged, and counted as a skipped push.
    async fn removal_skipped(
        &self,
        provider: ProviderKind,
        business: &BusinessId,
        kind: SyncKind,
        note: String,
    ) {
        metrics::count(Metric::PushesSkipped, provider, 1.0);
        self.log_skipped(business, kind, note).await;
    }

    /// Takes a removed product off sale at the store. Its mapping stays, marked removed, so an
    /// order that arrives for it later still names the business's ids. Nothing happens for a
    /// product never pushed, already removed, or back in the catalogue.
    pub async fn remove_product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let subject = format!("product {product_id}");
        let mapping = match self.adapters.store.product(business, product_id).await? {
            Some(m) if m.removed_at.is_none() => m,
            Some(_) => {
                let note = format!("{subject} already removed at the store");
                self.removal_skipped(connection.provider, business, SyncKind::Products, note)
                    .await;
                return Ok(());
            }
            None => {
                let note = format!("{subject} was never pushed: nothing to remove");
                self.removal_skipped(connection.provider, business, SyncKind::Products, note)
                    .await;
                return Ok(());
            }
        };
        if self
            .adapters
            .catalog
            .product(business, product_id)
            .await?
            .is_some()
        {
            let note = format!("{subject} is in the catalogue again: not removed");
            self.removal_skipped(connection.provider, business, SyncKind::Products, note)
                .await;
            return Ok(());
        }
        let catalog = self.providers().catalog(connection.provider)?;
        let removal = self.settings.removal;
        let mapping = &mapping;
        let result = self
            .with_session(&connection, |session| async move {
                Ok(catalog.remove_product(&session, mapping, removal).await?)
            })
            .await;
        count_removal(connection.provider, &result);
        if result.is_ok() {
            let mut removed = mapping.clone();
            removed.removed_at = Some(self.adapters.clock.now());
            self.adapters.store.put_product(business, &removed).await?;
        }
        let done = match removal {
            Removal::Archive => "archived at the store",
            Removal::Delete => "deleted at the store",
        };
        self.log_outcome(business, SyncKind::Products, &subject, &result, |_| {
            (
                (1, 0, 0),
                format!("{subject} removed from the catalogue: {done}"),
            )
        })
        .await;
        result
    }

    /// Deletes a removed collection at the store and forgets its mapping. Nothing happens for
    /// a collection never pushed or back in the catalogue.
    pub async fn remove_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let subject = format!("collection {collection_id}");
        let Some(mapping) = self
            .adapters
            .store
            .collection(business, collection_id)
            .await?
        else {
            let note = format!("{subject} is not at the store: nothing to remove");
            self.removal_skipped(connection.provider, business, SyncKind::Collections, note)
                .await;
            return Ok(());
        };
        if self
            .adapters
            .catalog
            .collection(business, collection_id)
            .await?
            .is_some()
        {
            let note = format!("{subject} is in the catalogue again: not removed");
            self.removal_skipped(connection.provider, business, SyncKind::Collections, note)
                .await;
            return Ok(());
        }
        let catalog = self.providers().catalog(connection.provider)?;
        let external = mapping.external_id.as_str();
        let result = self
            .with_session(&connection, |session| async move {
                Ok(catalog.remove_collection(&session, external).await?)
            })
            .await;
        count_removal(connection.provider, &result);
        if result.is_ok() {
            self.adapters
                .store
                .delete_collection(business, collection_id)
                .await?;
        }
        self.log_outcome(business, SyncKind::Collections, &subject, &result, |_| {
            (
                (1, 0, 0),
                format!("{subject} removed from the catalogue: deleted at the store"),
            )
        })
        .await;
        result
    }

    /// At the end of a batch run: a `delete_*` job for each mapped item the catalogue no
    /// longer has. Returns how many were queued.
    pub(crate) async fn sweep_removed(
        &self,
        business: &BusinessId,
        collections: bool,
        run_id: &str,
    ) -> Result<usize, ServiceError> {
        let mapped = self
            .adapters
            .store
            .mapped_ids(business, collections)
            .await?;
        let gone = self
            .adapters
            .catalog
            .absent(business, collections, &mapped)
            .await?;
        let jobs: Vec<Job> = gone
            .into_iter()
            .map(|id| match collections {
                true => Job::DeleteCollection {
                    business_id: business.clone(),
                    collection_id: id,
                },
                false => Job::DeleteProduct {
                    business_id: business.clone(),
                    product_id: id,
                },
            })
            .collect();
        if jobs.is_empty() {
            return Ok(0);
        }
        Ok(self.adapters.queue.send_all(&jobs, run_id).await?)
    }
}
