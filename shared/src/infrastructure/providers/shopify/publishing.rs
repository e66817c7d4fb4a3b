//! Making pushed products and collections visible: Shopify leaves what an app creates
//! unpublished, so each is published to the configured publications (sales channels; the
//! Online Store by default) with `publishablePublish` (scope `write_publications`).

use serde::Deserialize;
use serde_json::{Value, json};

use super::documents as doc;
use super::product_answer::ResourcePublications;
use super::provider::{ShopifyProvider, field, parse, user_errors};
use crate::domain::ports::{ProviderError, StoreSession};

#[derive(Deserialize)]
struct CatalogTitle {
    title: String,
}

#[derive(Deserialize)]
struct PublicationNode {
    id: String,
    #[serde(default)]
    catalog: Option<CatalogTitle>,
}

#[derive(Deserialize)]
struct PublicationList {
    nodes: Vec<PublicationNode>,
}

impl ShopifyProvider {
    /// The ids of the configured publications at this shop, read once per shop and kept for
    /// the life of the container (a shop's channels rarely change).
    pub(super) async fn publication_ids(
        &self,
        session: &StoreSession,
    ) -> Result<Vec<String>, ProviderError> {
        if let Some(ids) = self.known_publications(&session.shop) {
            return Ok(ids);
        }
        let data: Value = self.run(session, doc::PUBLICATIONS, json!({})).await?;
        let list: PublicationList = parse(field(&data, "publications")?)?;
        let wanted = &self.config().publications;
        let ids: Vec<String> = list
            .nodes
            .into_iter()
            .filter(|p| {
                p.catalog
                    .as_ref()
                    .is_some_and(|c| wanted.iter().any(|w| w.eq_ignore_ascii_case(&c.title)))
            })
            .map(|p| p.id)
            .collect();
        if ids.len() < wanted.len() {
            tracing::warn!(shop = %session.shop, wanted = ?wanted, found = ids.len(), "some configured publications do not exist at the store");
        }
        self.remember_publications(&session.shop, ids.clone());
        Ok(ids)
    }

    /// Publishes `id` to every configured publication it is not published on yet (per
    /// `current`, as the write that created or updated it answered).
    pub(super) async fn keep_published(
        &self,
        session: &StoreSession,
        id: &str,
        current: &ResourcePublications,
    ) -> Result<(), ProviderError> {
        let wanted = self.publication_ids(session).await?;
        let missing: Vec<Value> = wanted
            .iter()
            .filter(|p| {
                !current
                    .nodes
                    .iter()
                    .any(|c| c.is_published && c.publication.id == **p)
            })
            .map(|p| json!({ "publicationId": p }))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let data: Value = self
            .run(
                session,
                doc::PUBLISHABLE_PUBLISH,
                json!({ "id": id, "input": missing }),
            )
            .await?;
        user_errors(field(&data, "publishablePublish")?)
    }
}
