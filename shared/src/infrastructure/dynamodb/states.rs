//! [`OAuthStateRepository`] over the table: a nonce is consumed by one conditional delete.

use aws_sdk_dynamodb::types::ReturnValue;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{self, STATE};
use super::{DynamoStore, conditional_failed, from_item, to_item, unavailable};
use crate::domain::ports::{OAuthStateRepository, RepositoryError, StateConsumed};
use crate::domain::{BusinessId, OAuthState, ProviderKind};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    nonce: String,
    business_id: BusinessId,
    provider: ProviderKind,
    shop: String,
    /// Epoch seconds; also the TTL attribute.
    expires_at: i64,
}

impl OAuthStateRepository for DynamoStore {
    async fn put(&self, state: &OAuthState) -> Result<(), RepositoryError> {
        let item = StateItem {
            pk: keys::state(&state.nonce),
            sk: STATE.to_owned(),
            nonce: state.nonce.clone(),
            business_id: state.business_id.clone(),
            provider: state.provider,
            shop: state.shop.clone(),
            expires_at: state.expires_at.unix_timestamp(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| {
                if conditional_failed(&e) {
                    RepositoryError::Conflict
                } else {
                    unavailable(e)
                }
            })?;
        Ok(())
    }

    async fn consume(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> Result<StateConsumed, RepositoryError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::key(keys::state(nonce), STATE)))
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        let old = match result {
            Ok(out) => out.attributes,
            Err(e) if conditional_failed(&e) => return Ok(StateConsumed::Unknown),
            Err(e) => return Err(unavailable(e)),
        };
        let Some(old) = old else {
            return Ok(StateConsumed::Unknown);
        };
        let item: StateItem = from_item(old)?;
        // TTL deletion is lazy (up to days late), so expiry is checked here, not trusted to TTL.
        if item.expires_at <= now.unix_timestamp() {
            return Ok(StateConsumed::Expired);
        }
        let expires_at = OffsetDateTime::from_unix_timestamp(item.expires_at)
            .map_err(|e| RepositoryError::Corrupt(e.to_string()))?;
        Ok(StateConsumed::Valid(OAuthState {
            nonce: item.nonce,
            business_id: item.business_id,
            provider: item.provider,
            shop: item.shop,
            expires_at,
        }))
    }
}
