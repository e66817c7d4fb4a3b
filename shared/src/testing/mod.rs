//! In-memory adapters for every port, and a scriptable [`FakeProvider`] standing in for the
//! store platforms, so the application layer can be unit-tested in milliseconds with no AWS
//! endpoint and no network.
//!
//! They sit beside, never instead of, the integration tests against moto and the provider
//! emulators: those prove the real adapters; these only let a test drive a use case through
//! its ports and look at what it did. [`MemoryStore`] follows the DynamoDB adapter's rules
//! (conditional ingest, publish claims, the outbox, the refresh lease and the versioned
//! credentials swap, single-use OAuth states, newest-first log pages behind an opaque cursor,
//! instants kept to the millisecond), so a use case that passes here meets the same answers
//! from the table.
//!
//! Every adapter is a cheap handle: clones share one state, so a test keeps a clone to inspect
//! after handing the adapter to a service. Each has a fault switch (`fail_next`,
//! `set_unavailable`) that makes its calls fail the way the AWS service's outage would.

mod catalog;
mod cipher;
mod clock;
mod fault;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
pub(crate) mod logs;
mod provider;
mod queue;
mod samples;
mod sink;
mod store;

use std::sync::{Mutex, MutexGuard, PoisonError};

pub use catalog::MemoryCatalog;
pub use cipher::MemoryCipher;
pub use clock::{ManualClock, SequentialIds};
pub use provider::{DELIVERY_ID_HEADER, FakeOp, FakeProvider, TRIGGERED_AT_HEADER};
pub use queue::{MemoryQueue, SentJob};
pub use samples::{record_sample, record_value};
pub use sink::MemorySink;
pub use store::MemoryStore;

/// Locks an adapter's state. A test that panicked while holding the lock leaves the data
/// as it was at the panic; later calls keep using it rather than failing on the poison.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
