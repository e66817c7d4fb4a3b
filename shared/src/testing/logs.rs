//! Log lines a test reads back: [`capture`] runs code under the log layer the functions
//! install, writing to a buffer instead of stdout.

use std::sync::{Arc, Mutex};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

use crate::interfaces::telemetry;

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        super::lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for Captured {
    type Writer = Captured;
    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

/// Runs `work` on a current-thread runtime under [`telemetry::layer`] (JSON or plain text,
/// coloured when `ansi`, events filtered by `level` as `RUST_LOG` would); returns its output
/// and the lines written.
pub fn capture<F: std::future::Future>(
    json: bool,
    ansi: bool,
    level: &str,
    work: F,
) -> (F::Output, String) {
    let out = Captured::default();
    let layer = telemetry::layer(json, ansi, EnvFilter::new(level), out.clone());
    let subscriber = tracing_subscriber::registry().with(layer);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("test runtime: {e}"));
    let output = tracing::subscriber::with_default(subscriber, || runtime.block_on(work));
    let text = String::from_utf8_lossy(&super::lock(&out.0)).into_owned();
    (output, text)
}
