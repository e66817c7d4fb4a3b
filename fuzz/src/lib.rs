//! Fuzz harness of the e-commerce connector's parsers of untrusted input: webhook deliveries
//! (Shopify, WooCommerce), the Shopify OAuth callback and token answer, the WooCommerce key
//! delivery and store URL, the signed OAuth state, page cursors and order payloads.
//!
//! Each `fuzz_targets/<target>.rs` calls the function of the same name. The functions live in
//! `harness.rs`, which `shared/tests/fuzz_corpus.rs` includes too, so CI replays every corpus
//! file through exactly the same calls without building with sanitizers.

include!("harness.rs");
