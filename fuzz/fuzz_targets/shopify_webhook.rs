#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ecommerce_connector_fuzz::shopify_webhook(data));
