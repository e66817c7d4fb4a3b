//! [`DeliveryRepository`] over the table: one small item per handled webhook delivery
//! (`BIZ#{businessId}` / `DELIVERY#{key}`), forgotten by TTL.

use time::OffsetDateTime;

use super::keys;
use super::{DynamoStore, num, s, unavailable};
use crate::domain::BusinessId;
use crate::domain::ports::{DeliveryRepository, RepositoryError};

impl DeliveryRepository for DynamoStore {
    async fn delivery_seen(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        now: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(
                keys::biz(business),
                keys::delivery(delivery_key),
            )))
            .projection_expression("expiresAt")
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        // TTL deletion lags by up to days: an expired item counts as forgotten.
        let until = out
            .item
            .as_ref()
            .and_then(|i| i.get("expiresAt"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok());
        Ok(until.is_some_and(|until| until > now.unix_timestamp()))
    }

    async fn remember_delivery(
        &self,
        business: &BusinessId,
        delivery_key: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let mut item = keys::key(keys::biz(business), keys::delivery(delivery_key));
        item.insert("expiresAt".into(), num(expires_at.unix_timestamp()));
        item.insert("kind".into(), s("delivery"));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
