//! [`MappingRepository`] over the table.

use std::time::Duration;

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};
use serde::{Deserialize, Serialize};

use super::keys;
use super::mapping_writes::{RefItem, write_order};
use super::{DynamoStore, Item, from_item, s, to_item, unavailable};
use crate::domain::ports::{MappingRepository, RepositoryError, ResolvedRef, StoreRef};
use crate::domain::{BusinessId, CollectionMapping, ProductMapping};

/// BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 requests.
const BATCH_GET: usize = 100;
const BATCH_WRITE: usize = 25;
/// The sort-key prefixes of a store's mappings: products, collections, reverse references.
const MAPPING_PREFIXES: [&str; 3] = ["PMAP#", "CMAP#", "XREF#"];
/// Batch writes in flight at once.
const BATCHES_IN_FLIGHT: usize = 8;
/// Unprocessed keys are retried this many times with a growing pause.
const BATCH_RETRIES: u32 = 8;

#[derive(Serialize, Deserialize)]
pub(super) struct MappingItem<T> {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    #[serde(flatten)]
    pub(super) mapping: T,
}

impl DynamoStore {
    async fn put_mapping<T: Serialize>(
        &self,
        pk: String,
        sk: String,
        mapping: &T,
    ) -> Result<(), RepositoryError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&MappingItem { pk, sk, mapping })?))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get_mapping<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        sk: String,
    ) -> Result<Option<T>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(pk, sk)))
            .send()
            .await
            .map_err(unavailable)?;
        out.item
            .map(|item| from_item::<MappingItem<T>>(item).map(|m| m.mapping))
            .transpose()
    }

    /// Every key of the business's items whose sort key starts with `prefix`.
    pub(crate) async fn keys_with_prefix(
        &self,
        pk: &str,
        prefix: &str,
    ) -> Result<Vec<Item>, RepositoryError> {
        self.items_with_prefix(pk, prefix, Some("PK, SK")).await
    }

    /// Every item of `pk` whose sort key starts with `prefix`, all pages; only the
    /// `projection` attributes when one is given, else whole.
    pub(crate) async fn items_with_prefix(
        &self,
        pk: &str,
        prefix: &str,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, RepositoryError> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":prefix", s(prefix))
                .set_projection_expression(projection.map(str::to_owned))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            found.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(found);
            }
        }
    }
}

async fn pause(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(20 << attempt.min(6))).await;
}

impl DynamoStore {
    /// Deletes items by key, 25 per batch, retrying unprocessed ones.
    pub(crate) async fn delete_keys(&self, doomed: Vec<Item>) -> Result<(), RepositoryError> {
        let requests = doomed
            .into_iter()
            .map(|key| {
                DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
                    .map_err(unavailable)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write_batches(requests).await
    }

    /// Writes whole items, 25 per batch, retrying unprocessed ones.
    pub(crate) async fn put_items(&self, items: Vec<Item>) -> Result<(), RepositoryError> {
        let requests = items
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(unavailable)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write_batches(requests).await
    }

    /// Writes in batches of 25, up to [`BATCHES_IN_FLIGHT`] at once (a bulk result's
    /// mappings are tens of thousands of items).
    async fn write_batches(&self, all: Vec<WriteRequest>) -> Result<(), RepositoryError> {
        use futures_util::StreamExt;
        let batches: Vec<Vec<WriteRequest>> = all.chunks(BATCH_WRITE).map(<[_]>::to_vec).collect();
        let mut results = futures_util::stream::iter(batches)
            .map(|batch| self.write_batch(batch))
            .buffer_unordered(BATCHES_IN_FLIGHT);
        while let Some(result) = results.next().await {
            result?;
        }
        Ok(())
    }

    /// One batch of at most 25, its unprocessed items retried with a growing pause.
    async fn write_batch(&self, mut requests: Vec<WriteRequest>) -> Result<(), RepositoryError> {
        let mut attempt = 0;
        while !requests.is_empty() {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, requests)
                .send()
                .await
                .map_err(unavailable)?;
            requests = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if !requests.is_empty() {
                attempt += 1;
                if attempt > BATCH_RETRIES {
                    return Err(RepositoryError::Unavailable(
                        "batch write kept returning unprocessed items".into(),
                    ));
                }
                pause(attempt).await;
            }
        }
        Ok(())
    }
}

impl DynamoStore {
    /// Reads up to 100 items by key, retrying unprocessed keys; missing items are left out.
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, RepositoryError> {
        let mut found = Vec::new();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .map_err(unavailable)?,
        );
        let mut attempt = 0;
        while let Some(request) = pending.take() {
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(unavailable)?;
            found.extend(
                out.responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default(),
            );
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .filter(|k| !k.keys.is_empty());
            if pending.is_some() {
                attempt += 1;
                if attempt > BATCH_RETRIES {
                    return Err(RepositoryError::Unavailable(
                        "batch read kept returning unprocessed keys".into(),
                    ));
                }
                pause(attempt).await;
            }
        }
        Ok(found)
    }
}

impl MappingRepository for DynamoStore {
    async fn put_product(
        &self,
        business: &BusinessId,
        mapping: &ProductMapping,
    ) -> Result<(), RepositoryError> {
        self.put_products(business, std::slice::from_ref(mapping))
            .await
    }

    async fn put_products(
        &self,
        business: &BusinessId,
        mappings: &[ProductMapping],
    ) -> Result<(), RepositoryError> {
        // The reverse references (store id → business ids, for order lines) first, then the
        // mappings, 25 items a `BatchWriteItem`.
        let (references, mappings) = write_order(business, mappings)?;
        self.put_items(references).await?;
        self.put_items(mappings).await
    }

    async fn mapped_ids(
        &self,
        business: &BusinessId,
        collections: bool,
    ) -> Result<Vec<String>, RepositoryError> {
        let (prefix, id_attr) = if collections {
            ("CMAP#", "collection_id")
        } else {
            ("PMAP#", "product_id")
        };
        let items = self
            .items_with_prefix(
                &keys::biz(business),
                prefix,
                Some(&format!("{id_attr}, removed_at")),
            )
            .await?;
        Ok(items
            .iter()
            .filter(|item| !item.contains_key("removed_at"))
            .filter_map(|item| item.get(id_attr).and_then(|v| v.as_s().ok()).cloned())
            .collect())
    }

    async fn delete_collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<(), RepositoryError> {
        self.delete_keys(vec![keys::key(
            keys::biz(business),
            keys::cmap(collection_id),
        )])
        .await
    }

    async fn resolve(
        &self,
        business: &BusinessId,
        store_ids: &[StoreRef],
    ) -> Result<Vec<ResolvedRef>, RepositoryError> {
        let mut wanted: Vec<&StoreRef> = store_ids.iter().collect();
        wanted.sort();
        wanted.dedup();
        let pk = keys::biz(business);
        let mut found = Vec::new();
        for chunk in wanted.chunks(BATCH_GET) {
            let keys = chunk
                .iter()
                .map(|r| keys::key(pk.clone(), keys::xref(r)))
                .collect();
            for item in self.batch_get(keys).await? {
                let stored: RefItem = from_item(item)?;
                let Some(store) = chunk.iter().find(|r| keys::xref(r) == stored.sk) else {
                    continue;
                };
                found.push(ResolvedRef {
                    store: (*store).clone(),
                    product_id: stored.product_id,
                    variant_id: stored.variant_id,
                });
            }
        }
        Ok(found)
    }

    async fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> Result<Option<ProductMapping>, RepositoryError> {
        self.get_mapping(keys::biz(business), keys::pmap(product_id))
            .await
    }

    async fn products(
        &self,
        business: &BusinessId,
        product_ids: &[String],
    ) -> Result<Vec<ProductMapping>, RepositoryError> {
        let mut ids: Vec<&String> = product_ids.iter().collect();
        ids.sort();
        ids.dedup();
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_GET) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| keys::key(keys::biz(business), keys::pmap(id)))
                .collect();
            for item in self.batch_get(keys).await? {
                found.push(from_item::<MappingItem<ProductMapping>>(item)?.mapping);
            }
        }
        found.sort_by(|a, b| a.product_id.cmp(&b.product_id));
        Ok(found)
    }

    async fn put_collection(
        &self,
        business: &BusinessId,
        mapping: &CollectionMapping,
    ) -> Result<(), RepositoryError> {
        self.put_mapping(
            keys::biz(business),
            keys::cmap(&mapping.collection_id),
            mapping,
        )
        .await
    }

    async fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Option<CollectionMapping>, RepositoryError> {
        self.get_mapping(keys::biz(business), keys::cmap(collection_id))
            .await
    }

    async fn delete_all(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        let pk = keys::biz(business);
        let mut doomed = Vec::new();
        for prefix in MAPPING_PREFIXES {
            doomed.extend(self.keys_with_prefix(&pk, prefix).await?);
        }
        self.delete_keys(doomed).await
    }

    async fn delete_archived(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        let doomed = self
            .keys_with_prefix(&keys::biz(business), "ARCHIVE#")
            .await?;
        self.delete_keys(doomed).await
    }

    async fn archive_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> Result<(), RepositoryError> {
        let pk = keys::biz(business);
        for prefix in MAPPING_PREFIXES {
            self.move_items(&pk, prefix, |sk| format!("ARCHIVE#{store}#{sk}"))
                .await?;
        }
        Ok(())
    }

    async fn restore_mappings(
        &self,
        business: &BusinessId,
        store: &str,
    ) -> Result<(), RepositoryError> {
        let pk = keys::biz(business);
        let prefix = format!("ARCHIVE#{store}#");
        self.move_items(&pk, &prefix, |sk| {
            sk.strip_prefix(&prefix).unwrap_or(sk).to_owned()
        })
        .await
    }
}
