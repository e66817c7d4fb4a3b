//! The server-side half of an OAuth `state`.

use time::OffsetDateTime;

use super::{BusinessId, ProviderKind};

/// A pending authorization (DynamoDB item `STATE#{nonce}`), consumed exactly once by the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// Random, URL-safe, unguessable.
    pub nonce: String,
    /// Who asked to connect.
    pub business_id: BusinessId,
    /// Which platform.
    pub provider: ProviderKind,
    /// Which store.
    pub shop: String,
    /// After this instant the state is refused.
    pub expires_at: OffsetDateTime,
}
