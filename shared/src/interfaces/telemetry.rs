//! Logging and metrics. In Lambda every log line is JSON carrying the request id (the
//! runtime's span), the function, and the business and provider once known; elsewhere plain
//! text, coloured only when stdout (where the lines go) is a terminal. Each invocation's
//! metrics are written after it as CloudWatch Embedded Metric Format lines (see
//! [`crate::metrics`]); the log schema is in `docs/operations.md`.

use std::future::Future;
use std::io::IsTerminal;

use tracing::{Instrument, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::metrics;

/// The spans whose fields the lines inside them carry: the runtime's (the request id), an
/// invocation's (function, business, provider) and a worker job's. Enabled whatever the level
/// filter says, so that under `RUST_LOG=warn` a warning still names them (spans are not
/// lines: enabling them prints nothing of their own).
pub const CONTEXT_SPANS: [&str; 3] = ["Lambda runtime invoke", "invocation", "job"];

/// Installs the global subscriber once. Level from `RUST_LOG` (default `info`). JSON when
/// running in Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) or when `LOG_FORMAT=json`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        || std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json");
    // Colour codes only where a person reads them: not in a file or a pipe.
    let ansi = std::io::stdout().is_terminal();
    let layer = layer(json, ansi, filter, std::io::stdout);
    // A second init (tests, local server) keeps the first subscriber.
    drop(tracing_subscriber::registry().with(layer).try_init());
}

/// The log layer: JSON (never coloured) or plain text (coloured when `ansi`), writing to
/// `writer`, its events filtered by `filter` and the [`CONTEXT_SPANS`] always enabled.
pub fn layer<S, W>(
    json: bool,
    ansi: bool,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Layer<S> + Send + Sync + 'static>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let context = filter_fn(|meta| meta.is_span() && CONTEXT_SPANS.contains(&meta.name()))
        .with_max_level_hint(LevelFilter::INFO);
    let filter = filter.or(context);
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    if json {
        fmt.json()
            .with_current_span(true)
            .with_span_list(true)
            .with_ansi(false)
            .without_time()
            .with_filter(filter)
            .boxed()
    } else {
        fmt.with_ansi(ansi).with_filter(filter).boxed()
    }
}

/// Runs one invocation of `function` inside its span (its lines carry the function, and the
/// business and provider once the work knows them) and its metrics scope, then writes what it
/// counted as EMF lines on stdout.
pub async fn invocation<F: Future>(function: &'static str, work: F) -> F::Output {
    invocation_with(function, work, |line| println!("{line}")).await
}

/// [`invocation`], handing each EMF line to `emit`.
pub async fn invocation_with<F: Future>(
    function: &'static str,
    work: F,
    mut emit: impl FnMut(&str),
) -> F::Output {
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
        emit(&line);
    }
    output
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::testing::logs::capture;

    /// A worker-like invocation: a job whose provider is learnt on the way, an `info` line and
    /// a warning.
    fn run_job(json: bool, ansi: bool, level: &str) -> String {
        let job = async {
            let span = tracing::info_span!(
                "job",
                message_id = "m-1",
                business = "biz-1",
                provider = tracing::field::Empty
            );
            async {
                let shopify = crate::domain::ProviderKind::from_static("shopify");
                crate::application::record_scope(None, Some(shopify));
                tracing::info!("pushed");
                tracing::warn!(error = "store unavailable", "job failed");
            }
            .instrument(span)
            .await;
        };
        capture(
            json,
            ansi,
            level,
            invocation_with("sync-worker", job, |_| {}),
        )
        .1
    }

    #[test]
    fn a_warning_names_its_function_business_and_provider_under_a_warn_filter() {
        let text = run_job(true, false, "warn");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1, "only the warning: {text}");
        let line = &lines[0];
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["spans"][0]["name"], "invocation");
        assert_eq!(line["spans"][0]["function"], "sync-worker");
        assert_eq!(line["span"]["name"], "job");
        assert_eq!(line["span"]["business"], "biz-1");
        assert_eq!(line["span"]["provider"], "shopify");
    }

    #[test]
    fn plain_text_has_no_colour_codes_unless_asked_and_keeps_the_context() {
        let plain = run_job(false, false, "info");
        assert!(!plain.contains('\u{1b}'), "{plain}");
        assert!(plain.contains("function=\"sync-worker\""), "{plain}");
        assert!(plain.contains("business=\"biz-1\""), "{plain}");
        let coloured = run_job(false, true, "info");
        assert!(coloured.contains('\u{1b}'), "{coloured}");
    }
}
