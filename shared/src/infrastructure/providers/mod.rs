//! Store providers: one folder per platform.

pub mod shopify;
