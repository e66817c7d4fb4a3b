//! Use-case tests over the in-memory adapters and the fake provider: no AWS endpoint, no
//! emulator, no network. One file per use case; `support` builds the service.

mod batched;
mod catalogue;
mod connect;
mod jobs;
mod key_delivery;
mod logs;
mod metrics;
mod orders;
mod poll;
mod retry;
mod schedule;
mod sessions;
mod support;
mod sync;
mod webhook;
