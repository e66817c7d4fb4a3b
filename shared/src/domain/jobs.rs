//! Units of background work, carried by the job queues.

use serde::{Deserialize, Serialize};

use super::{BusinessId, FulfillLine, FulfillmentRequest, Tracking};

/// A job for the sync or poll worker. Serialized as JSON with a `type` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Job {
    /// Push one product (content and stock) because it changed in the host app.
    SyncProduct {
        /// Owner.
        business_id: BusinessId,
        /// The host app's product id.
        product_id: String,
    },
    /// Push the stock of one variant.
    SyncInventory {
        /// Owner.
        business_id: BusinessId,
        /// The host app's product id.
        product_id: String,
        /// The host app's variant id.
        variant_id: String,
    },
    /// Push one collection and its membership.
    SyncCollection {
        /// Owner.
        business_id: BusinessId,
        /// The host app's collection id.
        collection_id: String,
    },
    /// One page of a batch product sync; enqueues the next page when more remain.
    SyncProductsPage {
        /// Owner.
        business_id: BusinessId,
        /// The batch run.
        run_id: String,
        /// Catalogue cursor of this page; `None` for the first.
        cursor: Option<String>,
    },
    /// One page of a batch collection sync.
    SyncCollectionsPage {
        /// Owner.
        business_id: BusinessId,
        /// The batch run.
        run_id: String,
        /// Catalogue cursor of this page; `None` for the first.
        cursor: Option<String>,
    },
    /// One step of a batch product sync carried out in bulk (see `application::bulk`): plans
    /// and starts the store's bulk operation, follows it for a while, reads its results, then
    /// publishes and finishes. Enqueued again (`attempt` + 1) while the operation runs, and
    /// by the store's "bulk operation finished" webhook. Runs in its own message group
    /// (`{business}-bulk`), so following an operation never holds up the business's other jobs.
    SyncProductsBulk {
        /// Owner.
        business_id: BusinessId,
        /// The batch run.
        run_id: String,
        /// 0 for the first step; each re-enqueued step counts one more.
        #[serde(default)]
        attempt: u32,
    },
    /// Check keys a store delivered for an authorization and, if they work, connect (the
    /// key POST itself is answered at once, within the store's time limit).
    FinishKeyDelivery {
        /// Owner.
        business_id: BusinessId,
        /// The signed state the keys were delivered with.
        state: String,
    },
    /// Push again catalogue items that failed transiently in a batch run, once `not_before`
    /// (epoch seconds) has passed. Runs in its own message group (`{business}-retry`), so
    /// waiting for it never holds up the business's other jobs.
    RetryItems {
        /// Owner.
        business_id: BusinessId,
        /// The batch run the items belong to.
        run_id: String,
        /// Collections rather than products.
        collections: bool,
        /// The host app's ids of the items.
        ids: Vec<String>,
        /// 1 for the first retry.
        attempt: u32,
        /// Not run before this instant (epoch seconds).
        not_before: i64,
    },
    /// Take a product the business removed off sale at the store (archive or delete, as
    /// configured); nothing when it is back in the catalogue.
    DeleteProduct {
        /// Owner.
        business_id: BusinessId,
        /// The host app's product id.
        product_id: String,
    },
    /// Delete a collection the business removed; nothing when it is back in the catalogue.
    DeleteCollection {
        /// Owner.
        business_id: BusinessId,
        /// The host app's collection id.
        collection_id: String,
    },
    /// Mark an order (or some of its lines) as shipped at the store, with tracking.
    FulfillOrder {
        /// Owner.
        business_id: BusinessId,
        /// The store's order id (`order.externalId` of the order message).
        order_id: String,
        /// Lines and units; empty (or absent) for everything not fulfilled yet.
        #[serde(default)]
        lines: Vec<FulfillLine>,
        /// Carrier, number and URL, if any.
        #[serde(default)]
        tracking: Option<Tracking>,
        /// Whether the store e-mails the buyer (default no).
        #[serde(default)]
        notify_customer: bool,
    },
    /// Pull new orders for one connection.
    Poll {
        /// Owner.
        business_id: BusinessId,
        /// Index of the time slot the poll was asked for in, `floor(epoch seconds / slot
        /// length)`: the schedule's interval for scheduled polls (two firings of one tick share
        /// it, so FIFO deduplication drops the repeat), one second for a manual poll (never
        /// collapsed into a scheduled one). Only deduplication reads it.
        window: i64,
    },
}

impl Job {
    /// The fulfilment a `FulfillOrder` job asks for, with a reference that is the same for
    /// every delivery of the same request; `None` for other jobs.
    pub fn fulfillment_request(&self) -> Option<FulfillmentRequest> {
        let Job::FulfillOrder {
            business_id,
            order_id,
            lines,
            tracking,
            notify_customer,
        } = self
        else {
            return None;
        };
        use sha2::{Digest, Sha256};
        let mut sorted = lines.clone();
        sorted.sort_by(|a, b| a.line_id.cmp(&b.line_id));
        let canonical = serde_json::json!([business_id, order_id, sorted, tracking]).to_string();
        let digest = hex::encode(Sha256::digest(canonical.as_bytes()));
        Some(FulfillmentRequest {
            order_id: order_id.clone(),
            lines: sorted,
            tracking: tracking.clone(),
            notify_customer: *notify_customer,
            reference: format!("fulfil-{}", &digest[..16]),
        })
    }

    /// The business the job works for: also its FIFO message group.
    pub fn business_id(&self) -> &BusinessId {
        match self {
            Job::SyncProduct { business_id, .. }
            | Job::SyncInventory { business_id, .. }
            | Job::SyncCollection { business_id, .. }
            | Job::SyncProductsPage { business_id, .. }
            | Job::SyncCollectionsPage { business_id, .. }
            | Job::SyncProductsBulk { business_id, .. }
            | Job::FinishKeyDelivery { business_id, .. }
            | Job::RetryItems { business_id, .. }
            | Job::FulfillOrder { business_id, .. }
            | Job::DeleteProduct { business_id, .. }
            | Job::DeleteCollection { business_id, .. }
            | Job::Poll { business_id, .. } => business_id,
        }
    }

    /// The FIFO message group: the business (one store's work runs in order), except retries,
    /// which wait in a group of their own.
    pub fn message_group(&self) -> String {
        match self {
            Job::RetryItems { business_id, .. } => format!("{business_id}-retry"),
            Job::SyncProductsBulk { business_id, .. } => format!("{business_id}-bulk"),
            other => other.business_id().as_str().to_owned(),
        }
    }

    /// True for jobs of the poll queue; the rest go to the sync queue.
    pub fn is_poll(&self) -> bool {
        matches!(self, Job::Poll { .. })
    }

    /// The FIFO deduplication id: equal for two sends of the same logical job.
    ///
    /// Single-item jobs include `nonce` (the caller's change id or a fresh id) so two real
    /// changes of one product are not collapsed; page and poll jobs are deterministic.
    pub fn dedup_id(&self, nonce: &str) -> String {
        let raw = match self {
            Job::SyncProduct {
                business_id,
                product_id,
            } => {
                format!("product-{business_id}-{product_id}-{nonce}")
            }
            Job::SyncInventory {
                business_id,
                variant_id,
                ..
            } => {
                format!("inventory-{business_id}-{variant_id}-{nonce}")
            }
            Job::SyncCollection {
                business_id,
                collection_id,
            } => {
                format!("collection-{business_id}-{collection_id}-{nonce}")
            }
            Job::SyncProductsPage {
                business_id,
                run_id,
                cursor,
            } => {
                format!(
                    "ppage-{business_id}-{run_id}-{}",
                    cursor.as_deref().unwrap_or("first")
                )
            }
            Job::SyncCollectionsPage {
                business_id,
                run_id,
                cursor,
            } => {
                format!(
                    "cpage-{business_id}-{run_id}-{}",
                    cursor.as_deref().unwrap_or("first")
                )
            }
            // A step per attempt; a webhook's step carries the operation in its nonce.
            Job::SyncProductsBulk {
                business_id,
                run_id,
                attempt,
            } => format!("bulk-{business_id}-{run_id}-{attempt}-{nonce}"),
            Job::RetryItems {
                business_id,
                run_id,
                collections,
                attempt,
                ..
            } => format!("retry-{business_id}-{run_id}-{collections}-{attempt}-{nonce}"),
            // One per delivered key set: the sender passes the delivery's own id.
            Job::FinishKeyDelivery { business_id, .. } => {
                format!("keys-{business_id}-{nonce}")
            }
            Job::FulfillOrder {
                business_id,
                order_id,
                ..
            } => format!("fulfil-{business_id}-{order_id}-{nonce}"),
            Job::DeleteProduct {
                business_id,
                product_id,
            } => format!("remove-product-{business_id}-{product_id}-{nonce}"),
            Job::DeleteCollection {
                business_id,
                collection_id,
            } => format!("remove-collection-{business_id}-{collection_id}-{nonce}"),
            Job::Poll {
                business_id,
                window,
            } => format!("ecommerce-poll-{business_id}-{window}"),
        };
        fifo_safe_dedup_id(&raw)
    }
}

/// SQS allows 128 characters of `[A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~]`; longer or
/// other ids are shortened to a readable prefix plus a hash, so they stay unique and stable.
fn fifo_safe_dedup_id(raw: &str) -> String {
    use sha2::{Digest, Sha256};
    let safe = raw.bytes().all(|b| b.is_ascii_graphic());
    if safe && raw.len() <= 128 {
        return raw.to_owned();
    }
    let digest = hex::encode(Sha256::digest(raw.as_bytes()));
    let prefix: String = raw
        .chars()
        .filter(char::is_ascii_graphic)
        .take(63)
        .collect();
    format!("{prefix}-{digest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn biz() -> BusinessId {
        BusinessId::parse("biz-1").unwrap()
    }

    #[test]
    fn poll_dedup_id_is_stable_per_window() {
        let job = Job::Poll {
            business_id: biz(),
            window: 42,
        };
        assert_eq!(job.dedup_id("x"), "ecommerce-poll-biz-1-42");
        assert_eq!(job.dedup_id("y"), job.dedup_id("x"));
    }

    #[test]
    fn long_dedup_ids_are_hashed_to_the_sqs_limit() {
        let job = Job::SyncProduct {
            business_id: biz(),
            product_id: "p".repeat(300),
        };
        let id = job.dedup_id("n");
        assert!(id.len() <= 128);
        assert_ne!(
            id,
            Job::SyncProduct {
                business_id: biz(),
                product_id: "p".repeat(299)
            }
            .dedup_id("n")
        );
    }

    #[test]
    fn a_fulfilment_request_has_one_reference_whatever_the_line_order() {
        let job = |lines: Vec<(&str, i64)>| Job::FulfillOrder {
            business_id: biz(),
            order_id: "1001".into(),
            lines: lines
                .into_iter()
                .map(|(id, quantity)| FulfillLine {
                    line_id: id.into(),
                    quantity,
                })
                .collect(),
            tracking: None,
            notify_customer: false,
        };
        let a = job(vec![("1", 1), ("2", 2)]).fulfillment_request().unwrap();
        let b = job(vec![("2", 2), ("1", 1)]).fulfillment_request().unwrap();
        let c = job(vec![("1", 1)]).fulfillment_request().unwrap();
        assert_eq!(a.reference, b.reference);
        assert_ne!(a.reference, c.reference);
        let parsed: Job = serde_json::from_value(serde_json::json!(
            {"type": "fulfill_order", "businessId": "biz-1", "orderId": "1001"}
        ))
        .unwrap();
        assert_eq!(parsed, job(vec![]));
    }

    #[test]
    fn jobs_round_trip_as_tagged_json() {
        let job = Job::SyncInventory {
            business_id: biz(),
            product_id: "p1".into(),
            variant_id: "v1".into(),
        };
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "sync_inventory", "businessId": "biz-1", "productId": "p1", "variantId": "v1"})
        );
        assert_eq!(serde_json::from_value::<Job>(json).unwrap(), job);
    }
}
