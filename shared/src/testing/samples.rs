//! Every message the test suites publish, kept for the schema check: when
//! `MESSAGE_SAMPLES_DIR` is set, each message body is written there once (named by its
//! digest), and `scripts/check-messages.py` validates them against `docs/schemas/`.

use sha2::{Digest, Sha256};

/// Keeps one message body as a sample, if samples are being collected.
pub fn record_sample(body: &str) {
    let Some(dir) = std::env::var_os("MESSAGE_SAMPLES_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let name = hex::encode(&Sha256::digest(body.as_bytes())[..12]);
    // Best effort: a sample that cannot be written is missed, never a failed test.
    let _ = std::fs::write(dir.join(format!("{name}.json")), body);
}

/// Keeps a serializable message as a sample.
pub fn record_value<T: serde::Serialize>(message: &T) {
    if std::env::var_os("MESSAGE_SAMPLES_DIR").is_some() {
        if let Ok(body) = serde_json::to_string(message) {
            record_sample(&body);
        }
    }
}
