//! Polling: pull orders since the cursor, ingest, acknowledge, advance the cursor.

use serde::Serialize;

use super::ingest::Ingested;
use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{Clock, ConnectionRepository, OrderRepository, StoreSession};
use crate::domain::{BusinessId, Connection, SyncKind, SyncStatus};
use crate::metrics::{self, Metric};

/// Polls that try again to read an order that could not be read, before giving up on it.
const POISON_TRIES: u32 = 3;
/// How long the tries of a poison order are remembered.
const POISON_MEMORY: time::Duration = time::Duration::days(30);

/// Outbox orders retried per poll.
const OUTBOX_BATCH: u32 = 50;

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PollSummary {
    /// Orders the store returned.
    pub pulled: u32,
    /// Newly ingested (or recovered from the outbox).
    pub ingested: u32,
    /// Already ingested, with a new version published (`order.updated`, `.cancelled`,
    /// `.refunded`).
    pub updated: u32,
    /// Already ingested, nothing new.
    pub duplicates: u32,
    /// Acknowledgements the store refused (the orders are ingested all the same).
    pub ack_failed: u32,
    /// Pages read.
    pub pages: u32,
    /// Order fields the store withheld (protected customer data the app may not read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    /// Orders that could not be read, each as `{id}: {why} (try n of 3)`: skipped, retried on
    /// later polls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
}

impl PollSummary {
    /// True when the poll found nothing to publish and nothing to report.
    pub fn is_quiet(&self) -> bool {
        self.ingested == 0
            && self.updated == 0
            && self.ack_failed == 0
            && self.withheld.is_empty()
            && self.rejected.is_empty()
    }
}

impl<P: Ports> EcommerceService<P> {
    /// Re-enables or recreates the connection's webhooks where the store dropped them, and
    /// registers those that never were (best effort: polling covers what webhooks miss).
    /// What was repaired is stored with its secrets and logged.
    async fn repair_webhooks(&self, connection: &Connection, session: &StoreSession) {
        let Ok(subscriptions) = self.providers().subscriptions(connection.provider) else {
            return;
        };
        let address = self.webhook_address(connection.provider);
        let repaired = match subscriptions
            .repair_webhooks(session, &connection.webhooks, &address)
            .await
        {
            Ok(Some(repaired)) => repaired,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(business = %connection.business_id, error = %e, "webhook check failed");
                return;
            }
        };
        let mut recreated: Vec<&str> = repaired
            .registrations
            .iter()
            .filter(|new| {
                !connection
                    .webhooks
                    .iter()
                    .any(|old| old.external_id == new.external_id)
            })
            .map(|w| w.topic.as_str())
            .collect();
        recreated.sort_unstable();
        let mut credentials = session.credentials.clone();
        credentials.webhook_secrets = repaired.secrets.clone();
        let mut updated = connection.clone();
        updated.webhooks = repaired.registrations.clone();
        // Only over the connection this poll read: a disconnect, reconnect, uninstall or
        // refresh meanwhile wins, and the next poll repairs again.
        match self.save_with_credentials(&mut updated, &credentials).await {
            Ok(false) => {
                tracing::info!(business = %connection.business_id, "connection changed meanwhile; webhook repair not stored");
            }
            Ok(true) => {
                let mut message = format!(
                    "webhooks repaired at the store: recreated {}",
                    if recreated.is_empty() {
                        "none".to_owned()
                    } else {
                        recreated.join(", ")
                    }
                );
                if !repaired.notes.is_empty() {
                    message.push_str(&format!(" ({})", repaired.notes.join("; ")));
                }
                if !repaired.refused.is_empty() {
                    message.push_str(&format!("; refused: {}", repaired.refused.join("; ")));
                }
                self.log(
                    &connection.business_id,
                    SyncKind::Webhook,
                    SyncStatus::Warning,
                    (recreated.len() as u32, 0, 0),
                    message,
                )
                .await;
            }
            Err(e) => {
                tracing::warn!(business = %connection.business_id, error = %e, "repaired webhooks not stored")
            }
        }
    }

    /// Publishes orders stored by an earlier delivery whose publish failed (the outbox), once
    /// their claim has lapsed: the store will not send them again, and a later poll's cursor may
    /// already be past them. Returns how many were published.
    async fn drain_outbox(&self, business: &BusinessId) -> Result<u32, ServiceError> {
        let mut published = 0;
        for stored in self
            .adapters
            .store
            .unpublished(business, OUTBOX_BATCH)
            .await?
        {
            if self.recover_order(business, &stored).await? {
                published += 1;
            }
        }
        Ok(published)
    }

    /// Pulls orders updated since `lastSyncedAt ?? createdAt` minus the overlap, ingests each
    /// exactly once, acknowledges the new ones and advances the cursor to the newest update
    /// seen. An error leaves the cursor where it was, so a retry re-reads (dedup makes it safe).
    pub async fn poll(&self, business: &BusinessId) -> Result<PollSummary, ServiceError> {
        let result = self.poll_inner(business).await;
        match &result {
            // Nothing new: no log entry (96 a day per store that say nothing), only the time.
            Ok(s) if s.is_quiet() => {
                if let Err(e) = self
                    .adapters
                    .store
                    .mark_polled(business, self.adapters.clock.now())
                    .await
                {
                    tracing::warn!(business = %business, error = %e, "poll time not recorded");
                }
            }
            Ok(s) => {
                let message = format!(
                    "pulled {} orders: {} new, {} updated, {} already ingested{}",
                    s.pulled,
                    s.ingested,
                    s.updated,
                    s.duplicates,
                    if s.ack_failed > 0 {
                        format!(", {} not acknowledged", s.ack_failed)
                    } else {
                        String::new()
                    }
                );
                let mut message = message;
                if !s.rejected.is_empty() {
                    message.push_str(&format!("; could not read {}", s.rejected.join("; ")));
                }
                if !s.withheld.is_empty() {
                    message.push_str(&format!(
                        "; the store withheld {} (protected customer data not approved): orders ingested without them",
                        s.withheld.join(", ")
                    ));
                }
                let status = if s.ack_failed > 0 || !s.withheld.is_empty() || !s.rejected.is_empty()
                {
                    SyncStatus::Warning
                } else {
                    SyncStatus::Success
                };
                self.log(
                    business,
                    SyncKind::Poll,
                    status,
                    (s.ingested + s.updated, 0, s.duplicates),
                    message,
                )
                .await;
            }
            Err(ServiceError::NotConnected) => {}
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Poll,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("poll failed: {e}"),
                )
                .await
            }
        }
        result
    }

    async fn poll_inner(&self, business: &BusinessId) -> Result<PollSummary, ServiceError> {
        let connection = self.active_connection(business).await?;
        let connection = &connection;
        self.with_session(connection, |session| async move {
            self.poll_with(connection, &session).await
        })
        .await
    }

    /// One poll over an open session: repair webhooks, then pull, ingest and acknowledge.
    async fn poll_with(
        &self,
        connection: &Connection,
        session: &StoreSession,
    ) -> Result<PollSummary, ServiceError> {
        let business = &connection.business_id;
        let feed = self.providers().orders(connection.provider)?;
        self.repair_webhooks(connection, session).await;
        let recovered = if self.warm.drain_due(business, self.adapters.clock.now()) {
            self.drain_outbox(business).await?
        } else {
            0
        };
        let since = connection.poll_since() - self.settings.poll_overlap;
        let mut summary = PollSummary {
            ingested: recovered,
            ..PollSummary::default()
        };
        let mut newest = None;
        let mut hold: Option<time::OffsetDateTime> = None;
        let mut fresh = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = feed.pull_orders(session, since, cursor.as_deref()).await?;
            summary.pages += 1;
            for order in &page.orders {
                summary.pulled += 1;
                match self.ingest(business, order.clone()).await? {
                    Ingested::New => {
                        summary.ingested += 1;
                        fresh.push(order.clone());
                    }
                    Ingested::Changed(_) => summary.updated += 1,
                    Ingested::Recovered => summary.ingested += 1,
                    Ingested::Duplicate | Ingested::Unchanged => {
                        summary.duplicates += 1;
                    }
                }
                // Ingested by a webhook but never acknowledged at the store: do it now.
                if !fresh.iter().any(|f| f.dedup_key() == order.dedup_key()) {
                    let stored = self
                        .adapters
                        .store
                        .get_order(business, &order.dedup_key())
                        .await?;
                    if stored.is_some_and(|s| s.was_published() && s.acknowledged_at.is_none()) {
                        fresh.push(order.clone());
                    }
                }
            }
            newest = newest.max(page.newest_update);
            for bad in &page.rejected {
                metrics::count(Metric::OrderFailures, connection.provider, 1.0);
                let key = format!(
                    "{}#{}#{}",
                    connection.provider, connection.shop, bad.external_id
                );
                let until = self.adapters.clock.now() + POISON_MEMORY;
                let tries = self
                    .adapters
                    .store
                    .count_rejection(business, &key, until)
                    .await?;
                if tries < POISON_TRIES {
                    // Keep the cursor before it, so the next polls read it again.
                    if let Some(at) = bad.updated_at {
                        hold = Some(hold.map_or(at, |h: time::OffsetDateTime| h.min(at)));
                    }
                    summary.rejected.push(format!(
                        "{}: {} (try {tries} of {POISON_TRIES})",
                        bad.external_id, bad.reason
                    ));
                } else {
                    summary.rejected.push(format!(
                        "{}: {} (given up after {tries} tries)",
                        bad.external_id, bad.reason
                    ));
                }
            }
            for field in page.withheld {
                if !summary.withheld.contains(&field) {
                    summary.withheld.push(field);
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut acked = 0;
        for order in &fresh {
            match feed.acknowledge_order(session, &order.external_id).await {
                Ok(()) => {
                    self.adapters
                        .store
                        .mark_acknowledged(business, &order.dedup_key(), self.adapters.clock.now())
                        .await?;
                    acked += 1;
                }
                Err(e) => {
                    summary.ack_failed += 1;
                    tracing::warn!(business = %business, order = %order.external_id, error = %e, "acknowledgement failed");
                }
            }
        }
        // Past every order read, but not past one still being retried.
        let target = match (newest, hold) {
            (Some(n), Some(h)) => Some(n.min(h - time::Duration::SECOND)),
            (n, _) => n,
        };
        if let Some(target) = target {
            self.adapters
                .store
                .advance_last_synced(business, target)
                .await?;
        }
        if acked > 0 {
            self.adapters
                .store
                .set_last_ack(business, self.adapters.clock.now())
                .await?;
        }
        Ok(summary)
    }
}
