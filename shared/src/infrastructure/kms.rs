//! [`CredentialCipher`] over AWS KMS, with an encryption context of business and provider.

use aws_sdk_kms::primitives::Blob;

use crate::domain::ports::{CipherError, CredentialCipher};
use crate::domain::{BusinessId, ProviderKind};
use crate::infrastructure::aws::describe;

/// Encrypts with one KMS key. The encryption context `{businessId, provider}` is bound into
/// the ciphertext: decrypting under another business or provider fails.
#[derive(Debug, Clone)]
pub struct KmsCipher {
    client: aws_sdk_kms::Client,
    key_id: String,
}

impl KmsCipher {
    /// A cipher over `key_id` (key id, ARN or `alias/...`).
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

impl CredentialCipher for KmsCipher {
    async fn encrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        let out = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(plaintext))
            .encryption_context("businessId", business.as_str())
            .encryption_context("provider", provider.as_str())
            .send()
            .await
            .map_err(|e| CipherError::Unavailable(describe(&e)))?;
        out.ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| CipherError::Unavailable("KMS returned no ciphertext".into()))
    }

    async fn decrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        let out = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(ciphertext))
            .encryption_context("businessId", business.as_str())
            .encryption_context("provider", provider.as_str())
            .send()
            .await
            .map_err(|e| {
                let e = e.into_service_error();
                if e.is_invalid_ciphertext_exception() || e.is_incorrect_key_exception() {
                    CipherError::Mismatch
                } else {
                    CipherError::Unavailable(describe(&e))
                }
            })?;
        out.plaintext
            .map(Blob::into_inner)
            .ok_or_else(|| CipherError::Unavailable("KMS returned no plaintext".into()))
    }
}
