//! The one error every provider capability answers with.

/// Why a provider call failed. Messages never carry credentials.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// Input refused before any request (bad shop domain, malformed URL).
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The webhook or callback signature did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// The callback timestamp is too far from now.
    #[error("request timestamp is stale")]
    StaleTimestamp,
    /// The store refused our credentials (revoked, spent refresh token).
    #[error("store refused the credentials: {0}")]
    Unauthorized(String),
    /// The credentials work but the store refuses this operation to the app: a scope it was
    /// not granted, protected customer data it is not approved for, a frozen shop. Refreshing
    /// or retrying cannot help.
    #[error("store denied access: {0}")]
    Forbidden(String),
    /// The store rejected the input, per field (GraphQL `userErrors`, REST item errors).
    #[error("store rejected the input: {0}")]
    Rejected(String),
    /// Throttled past the retry budget.
    #[error("rate limited by the store")]
    RateLimited,
    /// Network, timeout or 5xx past the retry budget.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store answered something we cannot read.
    #[error("unexpected response from the store: {0}")]
    Protocol(String),
    /// The payload is malformed.
    #[error("malformed payload: {0}")]
    Malformed(String),
}
