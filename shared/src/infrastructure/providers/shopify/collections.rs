//! Collections at Shopify: found again by handle when a create's answer was lost, created with
//! at most 250 products (input arrays are capped at 250), the rest added in chunks through
//! `collectionAddProductsV2`, whose asynchronous job is followed until done: a membership
//! change counts only once its job has finished.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::documents as doc;
use super::product_answer::{IdOnly, ResourcePublications};
use super::provider::{PageInfo, ShopifyProvider, field, parse, user_errors};
use crate::domain::CatalogCollection;
use crate::domain::ports::{ProviderError, PushedCollection, StoreSession};
use crate::infrastructure::providers::handles::stable_handle;

/// Items per input array (shopify.dev, "API limits": input arrays hold at most 250).
const INPUT_LIMIT: usize = 250;
/// Polls of an asynchronous job before the push gives up (and is retried later).
const JOB_POLLS: u32 = 12;

/// A collection as a create or update answers it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WrittenCollection {
    id: String,
    #[serde(default)]
    resource_publications: ResourcePublications,
}

/// What a create came to.
enum Created {
    /// Created now, as answered.
    New(WrittenCollection),
    /// Created by an earlier attempt whose answer was lost; found by handle.
    Found(String),
}

/// An asynchronous job.
#[derive(Deserialize)]
struct Job {
    id: String,
    done: bool,
}

impl ShopifyProvider {
    /// Creates or updates a collection and makes its membership `members` (store product ids).
    pub(super) async fn push_collection(
        &self,
        session: &StoreSession,
        collection: &CatalogCollection,
        existing_external_id: Option<&str>,
        members: &[String],
    ) -> Result<PushedCollection, ProviderError> {
        let handle = stable_handle(
            collection.handle.as_deref(),
            &collection.title,
            &collection.id,
            "c",
        );
        let mut input = json!({
            "title": collection.title,
            "descriptionHtml": collection.description_html,
            "handle": handle,
        });
        let known = match existing_external_id {
            Some(id) => Some(id.to_owned()),
            // No mapping: a create whose answer was lost left it at the store; adopt it.
            None => self.collection_by_handle(session, &handle).await?,
        };
        let (written, current) = match known {
            Some(id) => {
                input["id"] = json!(id);
                let data: Value = self
                    .run(session, doc::COLLECTION_UPDATE, json!({"input": input}))
                    .await?;
                let payload = field(&data, "collectionUpdate")?;
                user_errors(payload)?;
                let written: WrittenCollection = parse(field(payload, "collection")?)?;
                let current = self.collection_members(session, &written.id).await?;
                (written, current)
            }
            None => {
                let first: Vec<String> = members.iter().take(INPUT_LIMIT).cloned().collect();
                input["products"] = json!(first);
                match self.create_collection(session, &input, &handle).await? {
                    Created::New(written) => (written, first),
                    // Created by an attempt whose answer was lost: read what it holds.
                    Created::Found(id) => {
                        let current = self.collection_members(session, &id).await?;
                        let written = WrittenCollection {
                            id,
                            resource_publications: ResourcePublications::default(),
                        };
                        (written, current)
                    }
                }
            }
        };
        let id = written.id.as_str();
        let to_add: Vec<&String> = members.iter().filter(|m| !current.contains(m)).collect();
        let to_remove: Vec<&String> = current.iter().filter(|c| !members.contains(c)).collect();
        for chunk in to_add.chunks(INPUT_LIMIT) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_ADD_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            let payload = field(&data, "collectionAddProductsV2")?;
            user_errors(payload)?;
            self.wait_for_job(session, payload.get("job")).await?;
        }
        for chunk in to_remove.chunks(INPUT_LIMIT) {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_REMOVE_PRODUCTS,
                    json!({"id": id, "productIds": chunk}),
                )
                .await?;
            let payload = field(&data, "collectionRemoveProducts")?;
            user_errors(payload)?;
            self.wait_for_job(session, payload.get("job")).await?;
        }
        self.keep_published(session, id, &written.resource_publications)
            .await?;
        Ok(PushedCollection {
            external_id: id.to_owned(),
        })
    }

    /// `collectionCreate`, which is not safe to repeat: when its answer is lost, the
    /// collection is looked up by its handle before another attempt, so a retry adopts what
    /// the lost attempt created instead of creating a second one.
    async fn create_collection(
        &self,
        session: &StoreSession,
        input: &Value,
        handle: &str,
    ) -> Result<Created, ProviderError> {
        let policy = self.graphql.retry_policy();
        let mut failures = 0;
        loop {
            match self
                .run_once(session, doc::COLLECTION_CREATE, json!({"input": input}))
                .await
            {
                Ok(data) => {
                    let payload = field(&data, "collectionCreate")?;
                    user_errors(payload)?;
                    return Ok(Created::New(parse(field(payload, "collection")?)?));
                }
                Err(ProviderError::Unavailable(reason)) => {
                    failures += 1;
                    let Some(pause) = policy.next_pause(failures, None) else {
                        return Err(ProviderError::Unavailable(reason));
                    };
                    tokio::time::sleep(pause).await;
                    if let Some(id) = self.collection_by_handle(session, handle).await? {
                        return Ok(Created::Found(id));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The id of the collection with this handle, if there is one.
    async fn collection_by_handle(
        &self,
        session: &StoreSession,
        handle: &str,
    ) -> Result<Option<String>, ProviderError> {
        let data: Value = self
            .run(
                session,
                doc::COLLECTION_BY_HANDLE,
                json!({"handle": handle}),
            )
            .await?;
        match data.get("collectionByIdentifier").filter(|v| !v.is_null()) {
            Some(found) => Ok(Some(parse::<IdOnly>(found)?.id)),
            None => Ok(None),
        }
    }

    /// Follows an asynchronous job until Shopify reports it done, backing off between polls.
    /// A job still running after the budget fails the push, which is retried later.
    async fn wait_for_job(
        &self,
        session: &StoreSession,
        job: Option<&Value>,
    ) -> Result<(), ProviderError> {
        let Some(job) = job.filter(|j| !j.is_null()) else {
            // No job: the change was applied synchronously.
            return Ok(());
        };
        let mut job: Job = parse(job)?;
        let mut pause = Duration::from_millis(100);
        for _ in 0..JOB_POLLS {
            if job.done {
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
            let data: Value = self.run(session, doc::JOB, json!({"id": job.id})).await?;
            job = parse(field(&data, "job")?)?;
        }
        if job.done {
            return Ok(());
        }
        Err(ProviderError::Unavailable(format!(
            "collection job {} still running",
            job.id
        )))
    }

    async fn collection_members(
        &self,
        session: &StoreSession,
        id: &str,
    ) -> Result<Vec<String>, ProviderError> {
        let mut members = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data: Value = self
                .run(
                    session,
                    doc::COLLECTION_PRODUCTS,
                    json!({"id": id, "after": after}),
                )
                .await?;
            let products = field(field(&data, "collection")?, "products")?;
            for node in products
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = node.get("id").and_then(Value::as_str) {
                    members.push(id.to_owned());
                }
            }
            let info: PageInfo = parse(field(products, "pageInfo")?)?;
            if !info.has_next_page {
                return Ok(members);
            }
            after = info.end_cursor;
        }
    }
}
