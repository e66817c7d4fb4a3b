use time::OffsetDateTime;

/// The current time, injected so tests can fix it.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// Fresh identifiers, injected so tests can predict them.
pub trait IdGenerator: Send + Sync {
    /// A new ULID, as 26 characters of Crockford base32 (sortable by creation time).
    fn ulid(&self) -> String;
    /// A new unguessable URL-safe token of at least 128 bits (OAuth nonces, webhook secrets).
    fn token(&self) -> String;
}
