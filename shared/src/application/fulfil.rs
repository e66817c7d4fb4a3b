//! Fulfilments back to the store, once per request however often the job is delivered.

use super::service::{EcommerceService, Ports, ServiceError};
use crate::domain::ports::{Clock, DeliveryRepository, ProviderError};
use crate::domain::{BusinessId, Fulfilled, FulfillmentRequest, SyncKind, SyncStatus};

/// How long a carried-out fulfilment request is remembered (SQS redelivers within days at
/// most; the store's own state covers anything later).
const FULFILMENT_MEMORY: time::Duration = time::Duration::days(30);

impl<P: Ports> EcommerceService<P> {
    /// Carries out a `fulfill_order` job. A request carried out before is skipped; one whose
    /// first answer was lost is recognised by the store's state (the provider's check). The
    /// outcome is written to the sync log. A request the store refuses (cancelled order, more
    /// units than remain, unknown line) is logged and not retried.
    pub async fn fulfill_order(
        &self,
        business: &BusinessId,
        request: &FulfillmentRequest,
    ) -> Result<(), ServiceError> {
        let connection = self.active_connection(business).await?;
        let fulfillment = self.providers().fulfillment(connection.provider)?;
        let memory_key = format!("{}#{}", connection.provider, request.reference);
        let now = self.adapters.clock.now();
        if self
            .adapters
            .store
            .delivery_seen(business, &memory_key, now)
            .await?
        {
            self.log(
                business,
                SyncKind::Fulfillment,
                SyncStatus::Success,
                (0, 0, 1),
                format!("order {}: fulfilment already sent", request.order_id),
            )
            .await;
            return Ok(());
        }
        let outcome = self
            .with_session(&connection, |session| async move {
                Ok(fulfillment.fulfill(&session, request).await?)
            })
            .await;
        let message = match &outcome {
            Ok(Fulfilled::Created { fulfillment_id }) => format!(
                "order {} fulfilled ({fulfillment_id}){}",
                request.order_id,
                tracking_text(request)
            ),
            Ok(Fulfilled::AlreadyDone) => format!(
                "order {}: the store already shows this fulfilment",
                request.order_id
            ),
            Err(ServiceError::Provider(
                ProviderError::InvalidInput(reason) | ProviderError::Rejected(reason),
            )) => {
                self.log(
                    business,
                    SyncKind::Fulfillment,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!("order {} not fulfilled: {reason}", request.order_id),
                )
                .await;
                return Ok(());
            }
            Err(e) => {
                self.log(
                    business,
                    SyncKind::Fulfillment,
                    SyncStatus::Error,
                    (0, 1, 0),
                    format!(
                        "order {} not fulfilled yet, will retry: {e}",
                        request.order_id
                    ),
                )
                .await;
                return outcome.map(drop);
            }
        };
        if let Err(e) = self
            .adapters
            .store
            .remember_delivery(business, &memory_key, now + FULFILMENT_MEMORY)
            .await
        {
            tracing::warn!(business = %business, error = %e, "fulfilment not remembered");
        }
        self.log(
            business,
            SyncKind::Fulfillment,
            SyncStatus::Success,
            (1, 0, 0),
            message,
        )
        .await;
        Ok(())
    }
}

fn tracking_text(request: &FulfillmentRequest) -> String {
    match request.tracking.as_ref().and_then(|t| t.number.as_deref()) {
        Some(number) => format!(", tracking {number}"),
        None => String::new(),
    }
}
