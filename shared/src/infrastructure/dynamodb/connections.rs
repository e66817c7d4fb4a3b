//! [`ConnectionRepository`] over the table.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{self, ACTIVE, CONN, GSI1, GSI2};
use super::{DynamoStore, Item, applied, from_item, from_ms, ms, num, s, to_item, unavailable};
use crate::domain::ports::{
    ActiveBusinessesPage, ActiveConnectionsPage, ConnectionRepository, LeaseOutcome,
    RepositoryError,
};
use crate::domain::{
    BusinessId, Connection, ConnectionStatus, EncryptedCredentials, ProviderKind,
    WebhookRegistration,
};
use crate::infrastructure::cursor;

const CURSOR_KIND: &str = "active";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    business_id: BusinessId,
    provider: ProviderKind,
    shop: String,
    status: ConnectionStatus,
    /// Base64 of the KMS ciphertext.
    credentials: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_expires_at: Option<i64>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location_id: Option<String>,
    #[serde(default)]
    webhooks: Vec<WebhookRegistration>,
    created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_synced_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_ack_at: Option<i64>,
    #[serde(default)]
    version: u64,
}

fn active_index(
    status: ConnectionStatus,
    business: &BusinessId,
) -> (Option<String>, Option<String>) {
    if status == ConnectionStatus::Active {
        (Some(ACTIVE.to_owned()), Some(business.to_string()))
    } else {
        (None, None)
    }
}

impl ConnectionItem {
    fn from_domain(c: &Connection) -> Self {
        let (gsi2pk, gsi2sk) = active_index(c.status, &c.business_id);
        Self {
            pk: keys::biz(&c.business_id),
            sk: CONN.to_owned(),
            gsi1pk: keys::shop(c.provider, &c.shop),
            gsi1sk: CONN.to_owned(),
            gsi2pk,
            gsi2sk,
            business_id: c.business_id.clone(),
            provider: c.provider,
            shop: c.shop.clone(),
            status: c.status,
            credentials: STANDARD.encode(&c.credentials.ciphertext),
            access_expires_at: c.credentials.access_expires_at.map(ms),
            refresh_expires_at: c.credentials.refresh_expires_at.map(ms),
            scopes: c.scopes.clone(),
            location_id: c.location_id.clone(),
            webhooks: c.webhooks.clone(),
            created_at: ms(c.created_at),
            last_synced_at: c.last_synced_at.map(ms),
            last_ack_at: c.last_ack_at.map(ms),
            version: c.version,
        }
    }

    fn into_domain(self) -> Result<Connection, RepositoryError> {
        let opt = |v: Option<i64>| v.map(from_ms).transpose();
        Ok(Connection {
            credentials: EncryptedCredentials {
                ciphertext: STANDARD
                    .decode(&self.credentials)
                    .map_err(|e| RepositoryError::Corrupt(format!("credentials: {e}")))?,
                access_expires_at: opt(self.access_expires_at)?,
                refresh_expires_at: opt(self.refresh_expires_at)?,
            },
            business_id: self.business_id,
            provider: self.provider,
            shop: self.shop,
            status: self.status,
            scopes: self.scopes,
            location_id: self.location_id,
            webhooks: self.webhooks,
            created_at: from_ms(self.created_at)?,
            last_synced_at: opt(self.last_synced_at)?,
            last_ack_at: opt(self.last_ack_at)?,
            version: self.version,
        })
    }
}

fn decode(item: Item) -> Result<Connection, RepositoryError> {
    from_item::<ConnectionItem>(item)?.into_domain()
}

impl DynamoStore {
    /// Sets one instant attribute of the business's connection, if there is one.
    async fn set_instant(
        &self,
        business: &BusinessId,
        attribute: &'static str,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .update_expression("SET #attribute = :at")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#attribute", attribute)
            .expression_attribute_values(":at", num(ms(at)))
            .send()
            .await;
        applied(result).map(drop)
    }
}

/// Largest page of active connections: one `Query` of `limit + 1` items.
const MAX_ACTIVE_PAGE: u32 = 1000;

impl DynamoStore {
    /// The sparse `ACTIVE` index from after `cursor`, reading `limit + 1` items so the page
    /// knows whether another follows.
    fn active_query(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder, RepositoryError>
    {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI2)
            .key_condition_expression("GSI2PK = :pk")
            .expression_attribute_values(":pk", s(ACTIVE))
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        if let Some(cursor) = cursor {
            let after = cursor::decode(CURSOR_KIND, cursor, |p| BusinessId::parse(p).is_ok())
                .ok_or(RepositoryError::InvalidCursor)?;
            let business = BusinessId::parse(&after).map_err(|_| RepositoryError::InvalidCursor)?;
            let mut start = keys::key(keys::biz(&business), CONN);
            start.insert("GSI2PK".into(), s(ACTIVE));
            start.insert("GSI2SK".into(), s(after));
            query = query.set_exclusive_start_key(Some(start));
        }
        Ok(query)
    }
}

/// Cuts a page read as `limit + 1` items back to `limit` and returns the next page's cursor:
/// after the last item kept when more follow, which is when the extra item came back or when
/// DynamoDB stopped at its 1 MB read limit first (a `LastEvaluatedKey` with `limit` items or
/// fewer; its `GSI2SK` is the last business read).
fn page_end<T>(
    items: &mut Vec<T>,
    limit: u32,
    last_evaluated: Option<&Item>,
    business: impl Fn(&T) -> &str,
) -> Option<String> {
    if items.len() > limit as usize {
        items.truncate(limit as usize);
        return items
            .last()
            .map(|item| cursor::encode(CURSOR_KIND, business(item)));
    }
    match last_evaluated.and_then(|key| key.get("GSI2SK")) {
        Some(AttributeValue::S(after)) => Some(cursor::encode(CURSOR_KIND, after)),
        _ => None,
    }
}

impl ConnectionRepository for DynamoStore {
    async fn save(&self, connection: &Connection) -> Result<(), RepositoryError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&ConnectionItem::from_domain(connection))?))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn save_if_unchanged(&self, connection: &Connection) -> Result<bool, RepositoryError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&ConnectionItem::from_domain(connection))?))
            .condition_expression("attribute_exists(PK) AND version = :v AND #status = :s")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":v", num(connection.version))
            .expression_attribute_values(":s", s(connection.status.as_str()))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    async fn get(&self, business: &BusinessId) -> Result<Option<Connection>, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item.map(decode).transpose()
    }

    async fn find_by_shop(
        &self,
        provider: ProviderKind,
        shop: &str,
    ) -> Result<Option<Connection>, RepositoryError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::shop(provider, shop)))
            .send()
            .await
            .map_err(unavailable)?;
        // A store belongs to one business; if a stale index entry lists two, prefer the newest.
        let mut found = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        Ok(found.into_iter().next())
    }

    async fn delete(&self, business: &BusinessId) -> Result<(), RepositoryError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn list_active(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ActiveConnectionsPage, RepositoryError> {
        let limit = limit.clamp(1, MAX_ACTIVE_PAGE);
        let out = self
            .active_query(cursor, limit)?
            .send()
            .await
            .map_err(unavailable)?;
        let mut connections = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = page_end(
            &mut connections,
            limit,
            out.last_evaluated_key.as_ref(),
            |c| c.business_id.as_str(),
        );
        Ok(ActiveConnectionsPage {
            connections,
            next_cursor,
        })
    }

    async fn active_businesses(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ActiveBusinessesPage, RepositoryError> {
        let limit = limit.clamp(1, MAX_ACTIVE_PAGE);
        let out = self
            .active_query(cursor, limit)?
            .projection_expression("GSI2SK")
            .send()
            .await
            .map_err(unavailable)?;
        let mut business_ids = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| match item.get("GSI2SK") {
                Some(AttributeValue::S(id)) => BusinessId::parse(id)
                    .map_err(|_| RepositoryError::Corrupt(format!("active index entry {id:?}"))),
                _ => Err(RepositoryError::Corrupt(
                    "active index entry without GSI2SK".into(),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = page_end(
            &mut business_ids,
            limit,
            out.last_evaluated_key.as_ref(),
            BusinessId::as_str,
        );
        Ok(ActiveBusinessesPage {
            business_ids,
            next_cursor,
        })
    }

    async fn set_status(
        &self,
        business: &BusinessId,
        status: ConnectionStatus,
    ) -> Result<(), RepositoryError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()));
        let update = if status == ConnectionStatus::Active {
            update
                .update_expression("SET #status = :status, GSI2PK = :active, GSI2SK = :biz")
                .expression_attribute_values(":active", s(ACTIVE))
                .expression_attribute_values(":biz", s(business.as_str()))
        } else {
            update.update_expression("SET #status = :status REMOVE GSI2PK, GSI2SK")
        };
        applied(update.send().await).map(drop)
    }

    async fn advance_last_synced(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .update_expression("SET lastSyncedAt = :at")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(lastSyncedAt) OR lastSyncedAt < :at)",
            )
            .expression_attribute_values(":at", num(ms(at)))
            .send()
            .await;
        // Not applied: already at or past `at`, or no connection. Nothing to move.
        applied(result).map(drop)
    }

    async fn mark_polled(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.set_instant(business, "lastPolledAt", at).await
    }

    async fn set_last_ack(
        &self,
        business: &BusinessId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        self.set_instant(business, "lastAckAt", at).await
    }

    async fn acquire_refresh_lease(
        &self,
        business: &BusinessId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<LeaseOutcome, RepositoryError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .update_expression("SET leaseHolder = :holder, leaseUntil = :until")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseHolder = :holder)",
            )
            .expression_attribute_values(":holder", s(holder))
            .expression_attribute_values(":until", num(ms(until)))
            .expression_attribute_values(":now", num(ms(now)))
            .send()
            .await;
        Ok(match applied(result)? {
            Some(_) => LeaseOutcome::Acquired,
            None => LeaseOutcome::HeldByOther,
        })
    }

    async fn replace_credentials(
        &self,
        business: &BusinessId,
        holder: &str,
        expected_version: u64,
        credentials: &EncryptedCredentials,
    ) -> Result<(), RepositoryError> {
        let opt_ms = |v: Option<OffsetDateTime>| match v {
            Some(at) => num(ms(at)),
            None => AttributeValue::Null(true),
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::biz(business), CONN)))
            .update_expression(
                "SET credentials = :c, accessExpiresAt = :a, refreshExpiresAt = :r, version = :next REMOVE leaseHolder, leaseUntil",
            )
            .condition_expression("leaseHolder = :holder AND version = :expected")
            .expression_attribute_values(":c", s(STANDARD.encode(&credentials.ciphertext)))
            .expression_attribute_values(":a", opt_ms(credentials.access_expires_at))
            .expression_attribute_values(":r", opt_ms(credentials.refresh_expires_at))
            .expression_attribute_values(":holder", s(holder))
            .expression_attribute_values(":expected", num(expected_version))
            .expression_attribute_values(":next", num(expected_version + 1))
            .send()
            .await;
        applied(result)?.map(drop).ok_or(RepositoryError::Conflict)
    }
}
