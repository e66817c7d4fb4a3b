//! The one HTTP client of a cold start: one connection pool and one rustls configuration, used
//! by the store providers and, through [`crate::infrastructure::aws_http`], by every AWS SDK
//! client.
//!
//! The trust roots are Mozilla's, compiled in (`webpki-roots`, already parsed into trust
//! anchors), so a cold start reads no certificate file: with the operating system's store the
//! SDK alone opened about 290 files under `/etc/ssl/certs` before the first invocation. AWS
//! endpoints and public stores chain to those roots; a store behind a private CA is not
//! supported (it would not be by Shopify or a browser either).

use std::sync::Arc;
use std::time::Duration;

/// Time to open a connection (TCP and TLS) to AWS or a store.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// TLS 1.2 and 1.3 with the bundled roots, over ring: the one crypto provider built in
/// (reqwest is built without one of its own, and the SDK sends through this client).
pub fn tls_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider);
    // The provider is rustls' own default: its safe protocol versions always exist.
    let builder = match builder.with_safe_default_protocol_versions() {
        Ok(builder) => builder,
        Err(_) => rustls::ClientConfig::builder(),
    };
    builder.with_root_certificates(roots).with_no_client_auth()
}

/// Makes ring the process's default crypto provider (once; later calls change nothing), so a
/// client built without [`tls_config`] finds one: reqwest is built without a provider of its
/// own, and would panic.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A builder for a client with settings of its own (tests, tools: no redirects, say), with
/// the crypto provider installed; the connector's own requests go through [`build`].
pub fn builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

/// Builds the client. Falls back to reqwest's defaults only if the TLS configuration were
/// refused, which would be a build error, not something the environment can cause.
pub fn build() -> reqwest::Client {
    builder()
        .use_preconfigured_tls(tls_config())
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_roots_include_amazons_and_the_common_public_cas() {
        assert!(!tls_config().alpn_protocols.iter().any(|p| p == b"h2"));
        let names: Vec<String> = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|anchor| String::from_utf8_lossy(anchor.subject.as_ref()).into_owned())
            .collect();
        for expected in [
            "Amazon Root CA 1",
            "ISRG Root X1",
            "DigiCert Global Root G2",
        ] {
            assert!(
                names.iter().any(|n| n.contains(expected)),
                "{expected} is not among the bundled roots"
            );
        }
    }

    #[test]
    fn tls_runs_on_ring_with_tls13_and_tls12_suites() {
        let config = tls_config();
        let suites: Vec<String> = config
            .crypto_provider()
            .cipher_suites
            .iter()
            .map(|s| format!("{:?}", s.suite()))
            .collect();
        assert!(suites.iter().any(|s| s.starts_with("TLS13_")), "{suites:?}");
        assert!(
            suites.iter().any(|s| s.starts_with("TLS_ECDHE_")),
            "{suites:?}"
        );
    }

    #[test]
    fn a_client_with_settings_of_its_own_finds_a_crypto_provider() {
        // reqwest has no provider of its own: without ours installed this build panics.
        let client = builder()
            .redirect(reqwest::redirect::Policy::none())
            .build();
        assert!(client.is_ok());
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
