use std::future::Future;

use crate::domain::{BusinessId, ProviderKind};

/// Why encryption or decryption failed. Never carries plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    /// The ciphertext is corrupt or was bound to another business or provider.
    #[error("credentials cannot be decrypted for this business and provider")]
    Mismatch,
    /// The key service failed or refused.
    #[error("key service error: {0}")]
    Unavailable(String),
}

/// Encrypts credentials at rest, bound to the business and provider they belong to.
pub trait CredentialCipher: Send + Sync {
    /// Encrypts `plaintext` under an encryption context of business id and provider.
    fn encrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        plaintext: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, CipherError>> + Send;

    /// Decrypts; fails with [`CipherError::Mismatch`] under any other business or provider.
    fn decrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        ciphertext: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, CipherError>> + Send;
}
