//! [`CatalogSource`] over the host app's catalogue table (schema in `docs/catalog.md`).

use aws_sdk_dynamodb::types::KeysAndAttributes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Item, from_item, s, unavailable};
use crate::domain::ports::{CatalogError, CatalogPage, CatalogSource, RepositoryError};
use crate::domain::{BusinessId, CatalogCollection, CatalogProduct};
use crate::infrastructure::cursor;

/// Reads products (`SK = PRODUCT#{id}`) and collections (`SK = COLLECTION#{id}`) under
/// `PK = BIZ#{businessId}` from the host app's table.
#[derive(Debug, Clone)]
pub struct DynamoCatalogSource {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoCatalogSource {
    /// A source over the host app's `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn one<T: DeserializeOwned>(
        &self,
        business: &BusinessId,
        sk: String,
    ) -> Result<Option<T>, CatalogError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(format!("BIZ#{business}")))
            .key("SK", s(sk.clone()))
            .send()
            .await
            .map_err(|e| CatalogError::Unavailable(unavailable(e).to_string()))?;
        out.item.map(|item| decode::<T>(&sk, item)).transpose()
    }

    async fn page<T: DeserializeOwned>(
        &self,
        business: &BusinessId,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<CatalogPage<T>, CatalogError> {
        let limit = limit.clamp(1, 500);
        let pk = format!("BIZ#{business}");
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":prefix", s(prefix))
            .limit(limit as i32 + 1);
        if let Some(cursor) = cursor {
            let after = cursor::decode(prefix, cursor, |p| !p.is_empty())
                .ok_or(CatalogError::InvalidCursor)?;
            query = query
                .exclusive_start_key("PK", s(pk))
                .exclusive_start_key("SK", s(format!("{prefix}{after}")));
        }
        let out = query
            .send()
            .await
            .map_err(|e| CatalogError::Unavailable(unavailable(e).to_string()))?;
        let mut rows: Vec<(String, Item)> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                let id = match item.get("SK") {
                    Some(aws_sdk_dynamodb::types::AttributeValue::S(sk)) => {
                        sk.strip_prefix(prefix).unwrap_or(sk).to_owned()
                    }
                    _ => String::new(),
                };
                (id, item)
            })
            .collect();
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|(id, _)| cursor::encode(prefix, id))
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|(id, item)| decode::<T>(&id, item))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CatalogPage { items, next_cursor })
    }
}

fn decode<T: DeserializeOwned>(id: &str, item: Item) -> Result<T, CatalogError> {
    #[derive(Deserialize)]
    struct Wrapped<T> {
        #[serde(flatten)]
        inner: T,
    }
    from_item::<Wrapped<T>>(item)
        .map(|w| w.inner)
        .map_err(|e| match e {
            RepositoryError::Corrupt(reason) => CatalogError::Malformed {
                id: id.to_owned(),
                reason,
            },
            other => CatalogError::Unavailable(other.to_string()),
        })
}

impl CatalogSource for DynamoCatalogSource {
    async fn product(
        &self,
        business: &BusinessId,
        product_id: &str,
    ) -> Result<Option<CatalogProduct>, CatalogError> {
        self.one(business, format!("PRODUCT#{product_id}")).await
    }

    async fn products(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<CatalogPage<CatalogProduct>, CatalogError> {
        self.page(business, "PRODUCT#", cursor, limit).await
    }

    async fn absent(
        &self,
        business: &BusinessId,
        collections: bool,
        ids: &[String],
    ) -> Result<Vec<String>, CatalogError> {
        let prefix = if collections {
            "COLLECTION#"
        } else {
            "PRODUCT#"
        };
        let pk = format!("BIZ#{business}");
        let mut present = std::collections::HashSet::new();
        for chunk in ids.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| {
                    Item::from([
                        ("PK".to_owned(), s(&pk)),
                        ("SK".to_owned(), s(format!("{prefix}{id}"))),
                    ])
                })
                .collect();
            let mut request = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .projection_expression("SK")
                    .build()
                    .map_err(|e| CatalogError::Unavailable(e.to_string()))?,
            );
            let mut attempts = 0;
            while let Some(keys) = request.take() {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, keys)
                    .send()
                    .await
                    .map_err(|e| CatalogError::Unavailable(unavailable(e).to_string()))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    if let Some(sk) = item.get("SK").and_then(|v| v.as_s().ok()) {
                        present.insert(sk.trim_start_matches(prefix).to_owned());
                    }
                }
                request = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .filter(|k| !k.keys.is_empty());
                attempts += 1;
                if request.is_some() && attempts > 8 {
                    return Err(CatalogError::Unavailable(
                        "catalogue batch read kept returning unprocessed keys".into(),
                    ));
                }
            }
        }
        Ok(ids
            .iter()
            .filter(|id| !present.contains(*id))
            .cloned()
            .collect())
    }

    async fn collection(
        &self,
        business: &BusinessId,
        collection_id: &str,
    ) -> Result<Option<CatalogCollection>, CatalogError> {
        self.one(business, format!("COLLECTION#{collection_id}"))
            .await
    }

    async fn collections(
        &self,
        business: &BusinessId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<CatalogPage<CatalogCollection>, CatalogError> {
        self.page(business, "COLLECTION#", cursor, limit).await
    }
}
