//! Logging: JSON lines in Lambda (CloudWatch), readable text elsewhere.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once. Level from `RUST_LOG` (default `info`). JSON when
/// running in Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) or when `LOG_FORMAT=json`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        || std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if json {
        builder
            .json()
            .with_current_span(false)
            .with_ansi(false)
            .without_time()
            .try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests, local server) keeps the first subscriber.
    drop(result);
}
