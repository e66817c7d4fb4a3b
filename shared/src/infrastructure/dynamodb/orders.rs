//! [`OrderRepository`] over the table: conditional put as the dedup guard, plus an outbox.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{self, GSI2};
use super::{DynamoStore, applied, from_item, from_ms, ms, num, s, to_item, unavailable};
use crate::domain::ports::{IngestOutcome, OrderRepository, RepositoryError, StoredOrder};
use crate::domain::{BusinessId, Order, ProviderKind};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// Present while unpublished: the sparse outbox index.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    order: Order,
    ingested_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acknowledged_at: Option<i64>,
}

impl OrderItem {
    fn into_stored(self) -> Result<StoredOrder, RepositoryError> {
        Ok(StoredOrder {
            order: self.order,
            ingested_at: from_ms(self.ingested_at)?,
            published_at: self.published_at.map(from_ms).transpose()?,
            acknowledged_at: self.acknowledged_at.map(from_ms).transpose()?,
        })
    }
}

impl DynamoStore {
    async fn update_order(
        &self,
        business: &BusinessId,
        order_key: &str,
        expression: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(order_key))))
            .update_expression(expression)
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":at", num(ms(at)))
            .send()
            .await;
        applied(result)?
            .map(drop)
            .ok_or_else(|| RepositoryError::Corrupt(format!("order {order_key} is not stored")))
    }
}

impl OrderRepository for DynamoStore {
    async fn insert_or_claim(
        &self,
        business: &BusinessId,
        order: &Order,
        now: OffsetDateTime,
        claim_until: OffsetDateTime,
    ) -> Result<IngestOutcome, RepositoryError> {
        let order_key = order.dedup_key();
        let item = OrderItem {
            pk: keys::biz(business),
            sk: keys::order(&order_key),
            gsi2pk: Some(keys::outbox(business)),
            gsi2sk: Some(order_key.clone()),
            order: order.clone(),
            ingested_at: ms(now),
            claim_until: Some(ms(claim_until)),
            published_at: None,
            acknowledged_at: None,
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        if applied(put)?.is_some() {
            return Ok(IngestOutcome::Inserted);
        }
        // Seen before: take over its publication only if it is still in the outbox and the
        // previous claim lapsed (its holder crashed between store and publish).
        let reclaim = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(&order_key))))
            .update_expression("SET claimUntil = :until")
            .condition_expression(
                "attribute_not_exists(publishedAt) AND (attribute_not_exists(claimUntil) OR claimUntil < :now)",
            )
            .expression_attribute_values(":until", num(ms(claim_until)))
            .expression_attribute_values(":now", num(ms(now)))
            .send()
            .await;
        Ok(match applied(reclaim)? {
            Some(_) => IngestOutcome::Reclaimed,
            None => IngestOutcome::Duplicate,
        })
    }

    async fn mark_published(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.update_order(
            business,
            order_key,
            "SET publishedAt = :at REMOVE claimUntil, GSI2PK, GSI2SK",
            at,
        )
        .await
    }

    async fn mark_acknowledged(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.update_order(business, order_key, "SET acknowledgedAt = :at", at)
            .await
    }

    async fn get_order(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(order_key))))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item
            .map(|item| from_item::<OrderItem>(item)?.into_stored())
            .transpose()
    }

    async fn redact(
        &self,
        business: &BusinessId,
        order_keys: &[String],
    ) -> Result<(), RepositoryError> {
        let doomed = order_keys
            .iter()
            .map(|k| keys::key(keys::biz(business), keys::order(k)))
            .collect();
        self.delete_keys(doomed).await
    }

    async fn delete_all_orders(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
    ) -> Result<(), RepositoryError> {
        let doomed = self
            .keys_with_prefix(&keys::biz(business), &keys::order(&format!("{provider}#")))
            .await?;
        self.delete_keys(doomed).await
    }

    async fn count_rejection(
        &self,
        business: &BusinessId,
        order_key: &str,
        expires_at: OffsetDateTime,
    ) -> Result<u32, RepositoryError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(
                keys::biz(business),
                format!("REJECT#{order_key}"),
            )))
            .update_expression("ADD attempts :one SET expiresAt = :exp")
            .expression_attribute_values(":one", num(1))
            .expression_attribute_values(":exp", num(expires_at.unix_timestamp()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        out.attributes
            .as_ref()
            .and_then(|a| a.get("attempts"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| RepositoryError::Corrupt("rejection count missing".into()))
    }

    async fn unpublished(
        &self,
        business: &BusinessId,
        limit: u32,
    ) -> Result<Vec<StoredOrder>, RepositoryError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI2)
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(":pk", s(keys::outbox(business)))
            .limit(limit.clamp(1, 1000) as i32)
            .send()
            .await
            .map_err(unavailable)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<OrderItem>(item)?.into_stored())
            .collect()
    }
}
