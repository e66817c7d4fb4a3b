//! [`MemoryCipher`]: a keyless stand-in for KMS that keeps the encryption-context binding.

use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use super::fault::FaultSwitch;
use crate::domain::ports::{CipherError, CredentialCipher};
use crate::domain::{BusinessId, ProviderKind};

/// Leads every ciphertext, so foreign bytes are refused rather than "decrypted".
const MAGIC: &[u8] = b"MEMCIPHER1";
/// Bytes of the context digest stored after [`MAGIC`].
const TAG_LEN: usize = 16;

/// Encrypts by XOR with a keystream derived from the `{businessId, provider}` context, behind
/// a tag of that context. Not secret (anyone can reverse it), but the plaintext never shows in
/// the ciphertext, and decrypting under another business or provider fails with
/// [`CipherError::Mismatch`], as KMS answers.
///
/// Clones share the switch and the counters.
#[derive(Debug, Clone, Default)]
pub struct MemoryCipher {
    state: Arc<Mutex<CipherState>>,
}

#[derive(Debug, Default)]
struct CipherState {
    faults: FaultSwitch,
    encrypt_calls: usize,
    decrypt_calls: usize,
}

/// The encryption context as one digest.
fn context(business: &BusinessId, provider: &ProviderKind) -> [u8; 32] {
    Sha256::digest(format!("businessId={business}\nprovider={provider}")).into()
}

/// XORs `data` with a SHA-256 counter-mode keystream seeded by the context digest.
fn apply_keystream(context: &[u8; 32], data: &[u8]) -> Vec<u8> {
    data.chunks(32)
        .zip(0u64..)
        .flat_map(|(chunk, block)| {
            let pad = Sha256::new()
                .chain_update(context)
                .chain_update(block.to_le_bytes())
                .finalize();
            chunk
                .iter()
                .zip(pad)
                .map(|(byte, key)| byte ^ key)
                .collect::<Vec<_>>()
        })
        .collect()
}

impl MemoryCipher {
    /// A working cipher with zeroed counters.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, CipherState> {
        super::lock(&self.state)
    }

    /// While `true`, every call fails with [`CipherError::Unavailable`].
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().faults.set_unavailable(unavailable);
    }

    /// The next `calls` calls (encrypt or decrypt) fail with [`CipherError::Unavailable`].
    pub fn fail_next(&self, calls: u32) {
        self.lock().faults.fail_next(calls);
    }

    /// Decrypt calls so far, failed ones included (each would have been a KMS request).
    pub fn decrypt_calls(&self) -> usize {
        self.lock().decrypt_calls
    }

    /// Encrypt calls so far, failed ones included.
    pub fn encrypt_calls(&self) -> usize {
        self.lock().encrypt_calls
    }

    fn seal(
        &self,
        business: &BusinessId,
        provider: &ProviderKind,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        {
            let mut state = self.lock();
            state.encrypt_calls += 1;
            state.faults.trip().map_err(CipherError::Unavailable)?;
        }
        let context = context(business, provider);
        let mut out = Vec::with_capacity(MAGIC.len() + TAG_LEN + plaintext.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&context[..TAG_LEN]);
        out.extend(apply_keystream(&context, plaintext));
        Ok(out)
    }

    fn open(
        &self,
        business: &BusinessId,
        provider: &ProviderKind,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        {
            let mut state = self.lock();
            state.decrypt_calls += 1;
            state.faults.trip().map_err(CipherError::Unavailable)?;
        }
        let context = context(business, provider);
        let body = ciphertext
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.strip_prefix(&context[..TAG_LEN]))
            .ok_or(CipherError::Mismatch)?;
        Ok(apply_keystream(&context, body))
    }
}

impl CredentialCipher for MemoryCipher {
    async fn encrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        self.seal(business, &provider, plaintext)
    }

    async fn decrypt(
        &self,
        business: &BusinessId,
        provider: ProviderKind,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        self.open(business, &provider, ciphertext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{business, kind, other_kind};

    const PLAIN: &[u8] = br#"{"access_token":"shpat_live_0123456789abcdef0123456789abcdef"}"#;

    #[tokio::test]
    async fn round_trips_without_showing_the_plaintext() {
        let cipher = MemoryCipher::new();
        let b = business("b1");
        let sealed = cipher.encrypt(&b, kind(), PLAIN).await.unwrap();
        let shown = sealed.windows(6).any(|w| w == b"shpat_");
        assert!(!shown, "plaintext visible in {sealed:?}");
        assert_eq!(cipher.decrypt(&b, kind(), &sealed).await.unwrap(), PLAIN);
        assert_eq!(cipher.encrypt(&b, kind(), b"").await.unwrap().len(), 26);
        assert_eq!((cipher.encrypt_calls(), cipher.decrypt_calls()), (2, 1));
    }

    #[tokio::test]
    async fn another_business_provider_or_altered_bytes_is_a_mismatch() {
        let cipher = MemoryCipher::new();
        let b = business("b1");
        let sealed = cipher.encrypt(&b, kind(), PLAIN).await.unwrap();
        let mut altered_tag = sealed.clone();
        altered_tag[MAGIC.len()] ^= 1;
        let attempts = [
            cipher.decrypt(&business("b2"), kind(), &sealed).await,
            cipher.decrypt(&b, other_kind(), &sealed).await,
            cipher.decrypt(&b, kind(), &altered_tag).await,
            cipher.decrypt(&b, kind(), PLAIN).await,
            cipher.decrypt(&b, kind(), b"").await,
        ];
        for result in attempts {
            assert!(matches!(result, Err(CipherError::Mismatch)), "{result:?}");
        }
        assert_eq!(cipher.decrypt_calls(), 5);
    }

    #[tokio::test]
    async fn switched_off_it_answers_unavailable_and_still_counts() {
        let cipher = MemoryCipher::new();
        let b = business("b1");
        let sealed = cipher.encrypt(&b, kind(), PLAIN).await.unwrap();
        let handle = cipher.clone();
        handle.set_unavailable(true);
        let err = cipher.decrypt(&b, kind(), &sealed).await.unwrap_err();
        assert!(matches!(err, CipherError::Unavailable(_)), "{err:?}");
        assert!(cipher.encrypt(&b, kind(), PLAIN).await.is_err());
        handle.set_unavailable(false);
        cipher.fail_next(1);
        assert!(cipher.decrypt(&b, kind(), &sealed).await.is_err());
        assert_eq!(cipher.decrypt(&b, kind(), &sealed).await.unwrap(), PLAIN);
        assert_eq!(handle.decrypt_calls(), 3);
    }
}
