//! [`OAuthStateRepository`] over the table: a nonce is consumed by one conditional delete.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{self, STATE};
use super::{DynamoStore, conditional_failed, from_item, num, s, to_item, unavailable};
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

    async fn put_grant(
        &self,
        nonce: &str,
        grant_id: &str,
        ciphertext: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let mut item = keys::key(keys::state(nonce), format!("GRANT#{grant_id}"));
        item.insert(
            "ciphertext".into(),
            AttributeValue::B(Blob::new(ciphertext)),
        );
        item.insert("expiresAt".into(), num(expires_at.unix_timestamp()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn grants(
        &self,
        nonce: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<(String, Vec<u8>)>, RepositoryError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :grant)")
            .expression_attribute_values(":pk", s(keys::state(nonce)))
            .expression_attribute_values(":grant", s("GRANT#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let mut grants = Vec::new();
        for item in out.items.unwrap_or_default() {
            let live = item
                .get("expiresAt")
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|at| at > now.unix_timestamp());
            let id = item
                .get("SK")
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.strip_prefix("GRANT#"))
                .map(str::to_owned);
            let ciphertext = item.get("ciphertext").and_then(|v| v.as_b().ok());
            if let (true, Some(id), Some(ciphertext)) = (live, id, ciphertext) {
                grants.push((id, ciphertext.as_ref().to_vec()));
            }
        }
        Ok(grants)
    }

    async fn drop_grants(&self, nonce: &str) -> Result<(), RepositoryError> {
        for (id, _) in self.grants(nonce, OffsetDateTime::UNIX_EPOCH).await? {
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(keys::key(keys::state(nonce), format!("GRANT#{id}"))))
                .send()
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }
}
