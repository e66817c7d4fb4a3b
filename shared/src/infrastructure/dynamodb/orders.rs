//! [`OrderRepository`] over the table. One item per order holds its latest reading, its
//! version (`versionAt`, `lifecycleRank`, `fingerprint`, `eventSequence`) and its outbox: the
//! events not yet published (`pendingEvents`, JSON texts), indexed by the sparse `GSI2` while
//! there are any. Every write is conditional on the version or claim it was decided on.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{self, GSI2};
use super::{
    DynamoStore, Item, applied, conditional_failed, from_item, from_ms, ms, num, s, to_item,
    unavailable,
};
use crate::domain::ports::{OrderRepository, PublishClaim, RepositoryError, StoredOrder};
use crate::domain::{BusinessId, Order, OrderEvent, OrderEventKind, OrderVersion, ProviderKind};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// Present while events wait: the sparse outbox index.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    order: Order,
    ingested_at: i64,
    /// Absent on items written before order versions (one event, `publishedAt` when sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event_sequence: Option<u64>,
    #[serde(default)]
    version_at: i64,
    #[serde(default)]
    lifecycle_rank: u32,
    #[serde(default)]
    fingerprint: String,
    #[serde(default)]
    published_sequence: u64,
    #[serde(default)]
    pending_events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acknowledged_at: Option<i64>,
}

fn event_text(event: &OrderEvent) -> Result<String, RepositoryError> {
    serde_json::to_string(event).map_err(|e| RepositoryError::Corrupt(e.to_string()))
}

fn event_texts(events: &[OrderEvent]) -> Result<AttributeValue, RepositoryError> {
    Ok(AttributeValue::L(
        events
            .iter()
            .map(|e| event_text(e).map(AttributeValue::S))
            .collect::<Result<_, _>>()?,
    ))
}

impl OrderItem {
    fn new(business: &BusinessId, stored: &StoredOrder) -> Result<Self, RepositoryError> {
        let key = stored.order.dedup_key();
        let waiting = !stored.pending.is_empty();
        Ok(Self {
            pk: keys::biz(business),
            sk: keys::order(&key),
            gsi2pk: waiting.then(|| keys::outbox(business)),
            gsi2sk: waiting.then_some(key),
            order: stored.order.clone(),
            ingested_at: ms(stored.ingested_at),
            event_sequence: Some(stored.version.sequence),
            version_at: ms(stored.version.updated_at),
            lifecycle_rank: stored.version.rank,
            fingerprint: stored.version.fingerprint.clone(),
            published_sequence: stored.published_sequence,
            pending_events: stored
                .pending
                .iter()
                .map(event_text)
                .collect::<Result<_, _>>()?,
            claim_token: stored.claim.as_ref().map(|c| c.token.clone()),
            claim_until: stored.claim.as_ref().map(|c| ms(c.until)),
            published_at: None,
            acknowledged_at: stored.acknowledged_at.map(ms),
        })
    }

    /// The stored order, and whether the item predates versions (then converted in memory:
    /// version 1, its one event pending unless it was published).
    fn into_stored(self, business: &BusinessId) -> Result<(StoredOrder, bool), RepositoryError> {
        let legacy = self.event_sequence.is_none();
        let claim = match (self.claim_token, self.claim_until) {
            (Some(token), Some(until)) => Some(PublishClaim {
                token,
                until: from_ms(until)?,
            }),
            _ => None,
        };
        let (version, published_sequence, pending) = if legacy {
            let published = self.published_at.is_some();
            let pending = (!published)
                .then(|| {
                    OrderEvent::new(
                        OrderEventKind::Created,
                        business.clone(),
                        1,
                        self.order.clone(),
                    )
                })
                .into_iter()
                .collect();
            (
                OrderVersion::first(&self.order),
                u64::from(published),
                pending,
            )
        } else {
            let pending = self
                .pending_events
                .iter()
                .map(|text| {
                    serde_json::from_str(text).map_err(|e| RepositoryError::Corrupt(e.to_string()))
                })
                .collect::<Result<_, _>>()?;
            let version = OrderVersion {
                updated_at: from_ms(self.version_at)?,
                rank: self.lifecycle_rank,
                fingerprint: self.fingerprint,
                sequence: self.event_sequence.unwrap_or(1),
            };
            (version, self.published_sequence, pending)
        };
        let stored = StoredOrder {
            order: self.order,
            version,
            published_sequence,
            pending,
            claim,
            ingested_at: from_ms(self.ingested_at)?,
            acknowledged_at: self.acknowledged_at.map(from_ms).transpose()?,
        };
        Ok((stored, legacy))
    }
}

impl DynamoStore {
    /// Decodes an order item, converting one that predates versions in the table first (once:
    /// conditional on it still lacking a version).
    async fn stored_order(
        &self,
        business: &BusinessId,
        item: Item,
    ) -> Result<StoredOrder, RepositoryError> {
        let (stored, legacy) = from_item::<OrderItem>(item)?.into_stored(business)?;
        if legacy {
            let item = to_item(&OrderItem::new(business, &stored)?)?;
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(
                    "attribute_exists(PK) AND attribute_not_exists(eventSequence)",
                )
                .send()
                .await;
            if applied(put)?.is_none() {
                // Converted meanwhile by another reader: read that.
                return match self.order_item(business, &stored.order.dedup_key()).await? {
                    Some(item) => Ok(from_item::<OrderItem>(item)?.into_stored(business)?.0),
                    None => Err(RepositoryError::Conflict),
                };
            }
        }
        Ok(stored)
    }

    async fn order_item(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> Result<Option<Item>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(order_key))))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item)
    }
}

impl OrderRepository for DynamoStore {
    async fn insert_first(
        &self,
        business: &BusinessId,
        stored: &StoredOrder,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let item = to_item(&OrderItem::new(business, stored)?)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let old = match put {
            Ok(_) => return Ok(None),
            Err(e) if conditional_failed(&e) => match e.into_service_error() {
                PutItemError::ConditionalCheckFailedException(f) => f.item,
                _ => None,
            },
            Err(e) => return Err(unavailable(e)),
        };
        // The failed condition brings the stored item back; read it where it does not.
        let old = match old {
            Some(item) => Some(item),
            None => self.order_item(business, &stored.order.dedup_key()).await?,
        };
        match old {
            Some(item) => Ok(Some(self.stored_order(business, item).await?)),
            None => Err(RepositoryError::Conflict),
        }
    }

    async fn advance(
        &self,
        business: &BusinessId,
        expected: &OrderVersion,
        order: &Order,
        next: &OrderVersion,
        event: Option<&OrderEvent>,
    ) -> Result<bool, RepositoryError> {
        let key = order.dedup_key();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(&key))))
            .condition_expression(
                "eventSequence = :seq AND versionAt = :at AND lifecycleRank = :rank",
            )
            .expression_attribute_values(":seq", num(expected.sequence))
            .expression_attribute_values(":at", num(ms(expected.updated_at)))
            .expression_attribute_values(":rank", num(expected.rank))
            .expression_attribute_values(":order", AttributeValue::M(to_item(order)?))
            .expression_attribute_values(":nseq", num(next.sequence))
            .expression_attribute_values(":nat", num(ms(next.updated_at)))
            .expression_attribute_values(":nrank", num(next.rank))
            .expression_attribute_values(":fp", s(&next.fingerprint));
        let mut expression = "SET #order = :order, eventSequence = :nseq, versionAt = :nat, \
             lifecycleRank = :nrank, fingerprint = :fp"
            .to_owned();
        if let Some(event) = event {
            expression.push_str(
                ", pendingEvents = list_append(if_not_exists(pendingEvents, :none), :event), \
                 GSI2PK = :outbox, GSI2SK = :key",
            );
            update = update
                .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
                .expression_attribute_values(":event", event_texts(std::slice::from_ref(event))?)
                .expression_attribute_values(":outbox", s(keys::outbox(business)))
                .expression_attribute_values(":key", s(&key));
        }
        let result = update
            .update_expression(expression)
            .expression_attribute_names("#order", "order")
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    async fn claim(
        &self,
        business: &BusinessId,
        order_key: &str,
        claim: &PublishClaim,
        now: OffsetDateTime,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(order_key))))
            .update_expression("SET claimToken = :token, claimUntil = :until")
            .condition_expression(
                "attribute_exists(GSI2PK) AND (attribute_not_exists(claimUntil) OR claimUntil < :now)",
            )
            .expression_attribute_values(":token", s(&claim.token))
            .expression_attribute_values(":until", num(ms(claim.until)))
            .expression_attribute_values(":now", num(ms(now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match applied(result)?.and_then(|out| out.attributes) {
            Some(item) => Ok(Some(from_item::<OrderItem>(item)?.into_stored(business)?.0)),
            None => Ok(None),
        }
    }

    async fn published(
        &self,
        business: &BusinessId,
        order_key: &str,
        token: &str,
        sequence: u64,
        count: usize,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        let key = keys::key(keys::biz(business), keys::order(order_key));
        let sent: Vec<String> = (0..count).map(|i| format!("pendingEvents[{i}]")).collect();
        let removed = sent.join(", ");
        // Nothing added since: leave the outbox and release the claim in one write.
        let done = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .update_expression(
                "SET publishedSequence = :seq, pendingEvents = :none \
                 REMOVE claimToken, claimUntil, GSI2PK, GSI2SK",
            )
            .condition_expression("claimToken = :token AND eventSequence = :seq")
            .expression_attribute_values(":seq", num(sequence))
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .send()
            .await;
        if applied(done)?.is_some() {
            return Ok(None);
        }
        // Events were added meanwhile (or the claim was lost): drop only the ones sent.
        let partial = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(format!("SET publishedSequence = :seq REMOVE {removed}"))
            .condition_expression("claimToken = :token")
            .expression_attribute_values(":seq", num(sequence))
            .expression_attribute_values(":token", s(token))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match applied(partial)?.and_then(|out| out.attributes) {
            Some(item) => {
                let stored = from_item::<OrderItem>(item)?.into_stored(business)?.0;
                Ok((!stored.pending.is_empty()).then_some(stored))
            }
            None => Ok(None),
        }
    }

    async fn mark_acknowledged(
        &self,
        business: &BusinessId,
        order_key: &str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), keys::order(order_key))))
            .update_expression("SET acknowledgedAt = :at")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":at", num(ms(at)))
            .send()
            .await;
        applied(result)?
            .map(drop)
            .ok_or_else(|| RepositoryError::Corrupt(format!("order {order_key} is not stored")))
    }

    async fn get_order(
        &self,
        business: &BusinessId,
        order_key: &str,
    ) -> Result<Option<StoredOrder>, RepositoryError> {
        match self.order_item(business, order_key).await? {
            Some(item) => Ok(Some(self.stored_order(business, item).await?)),
            None => Ok(None),
        }
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
            .return_values(ReturnValue::UpdatedNew)
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
        let mut stored = Vec::new();
        for item in out.items.unwrap_or_default() {
            stored.push(self.stored_order(business, item).await?);
        }
        Ok(stored)
    }
}
