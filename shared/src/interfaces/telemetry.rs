//! Logging and metrics. In Lambda every log line is JSON carrying the request id (the
//! runtime's span), the function, and the business and provider once known; elsewhere plain
//! text, coloured only on a terminal. Each invocation's metrics are written after it as
//! CloudWatch Embedded Metric Format lines (see [`crate::metrics`]); the log schema is in
//! `docs/operations.md`.

use std::future::Future;
use std::io::IsTerminal;

use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::metrics;

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
            .with_current_span(true)
            .with_span_list(true)
            .with_ansi(false)
            .without_time()
            .try_init()
    } else {
        // Colour codes only where a person reads them: not in a file or a pipe.
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
    // A second init (tests, local server) keeps the first subscriber.
    drop(result);
}

/// Runs one invocation of `function` inside its span (its lines carry the function, and the
/// business and provider once the work reads the business's connection) and its metrics
/// scope, then writes what it counted as EMF lines on stdout.
pub async fn invocation<F: Future>(function: &'static str, work: F) -> F::Output {
    let span = tracing::info_span!(
        "invocation",
        function,
        business = tracing::field::Empty,
        provider = tracing::field::Empty
    );
    let now = time::OffsetDateTime::now_utc();
    let ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let (output, lines) = metrics::measured(function, ms, work.instrument(span)).await;
    for line in lines {
        println!("{line}");
    }
    output
}
