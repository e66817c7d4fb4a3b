//! The fake store's orders, listed a page at a time and marked as received.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{FakeOp, FakeProvider};
use crate::domain::ports::{
    OrderFeed, OrderFulfillment, OrdersPage, ProviderError, RejectedOrder, StoreSession,
};
use crate::domain::{Fulfilled, FulfillmentRequest, Order};

/// Orders per page when the test sets none.
const DEFAULT_PAGE_SIZE: usize = 50;

/// The store's orders and what the application did with them.
#[derive(Debug, Default)]
pub(super) struct OrderState {
    orders: Vec<Order>,
    /// Orders per page; 0 means [`DEFAULT_PAGE_SIZE`].
    page_size: usize,
    acknowledged: Vec<String>,
    pulls: Vec<(OffsetDateTime, Option<String>)>,
    /// Orders listed but unreadable (reported on the first page whose window holds them).
    poison: Vec<RejectedOrder>,
    /// Fulfilments made, with the reference of the request that made each.
    fulfillments: Vec<(String, FulfillmentRequest)>,
}

/// Cursors are the offset of the page's first order, behind a prefix.
const CURSOR_PREFIX: &str = "offset:";

impl FakeProvider {
    /// Places or updates (same external id) an order at the store.
    pub fn put_order(&self, order: Order) {
        let mut state = self.lock();
        let orders = &mut state.orders.orders;
        orders.retain(|o| o.external_id != order.external_id);
        orders.push(order);
    }

    /// Orders per page of [`OrderFeed::pull_orders`] (at least 1).
    pub fn set_order_page_size(&self, size: usize) {
        self.lock().orders.page_size = size.max(1);
    }

    /// Lists an order the connector cannot read (a poison order), changed at `updated_at`.
    pub fn put_unreadable_order(&self, external_id: &str, updated_at: OffsetDateTime) {
        self.lock().orders.poison.push(RejectedOrder {
            external_id: external_id.to_owned(),
            updated_at: Some(updated_at),
            reason: "total: invalid type: null, expected a decimal".into(),
        });
    }

    /// External ids of the orders acknowledged, in call order (repeats included).
    pub fn acknowledged(&self) -> Vec<String> {
        self.lock().orders.acknowledged.clone()
    }

    /// The fulfilment requests the store carried out, in order.
    pub fn fulfillments(&self) -> Vec<FulfillmentRequest> {
        self.lock()
            .orders
            .fulfillments
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Every page requested: the `since` instant and the cursor given.
    pub fn pulls(&self) -> Vec<(OffsetDateTime, Option<String>)> {
        self.lock().orders.pulls.clone()
    }
}

#[async_trait]
impl OrderFeed for FakeProvider {
    async fn pull_orders(
        &self,
        session: &StoreSession,
        since: OffsetDateTime,
        cursor: Option<&str>,
    ) -> Result<OrdersPage, ProviderError> {
        self.begin(FakeOp::PullOrders, Some(session))?;
        let mut state = self.lock();
        let feed = &mut state.orders;
        feed.pulls.push((since, cursor.map(str::to_owned)));
        let offset = match cursor {
            None => 0,
            Some(c) => c
                .strip_prefix(CURSOR_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| ProviderError::Protocol(format!("unknown cursor {c}")))?,
        };
        let size = if feed.page_size == 0 {
            DEFAULT_PAGE_SIZE
        } else {
            feed.page_size
        };
        let mut matching: Vec<&Order> = feed
            .orders
            .iter()
            .filter(|o| o.updated_at >= since)
            .collect();
        matching
            .sort_by(|a, b| (a.updated_at, &a.external_id).cmp(&(b.updated_at, &b.external_id)));
        let orders: Vec<Order> = matching
            .iter()
            .skip(offset)
            .take(size)
            .map(|o| (*o).clone())
            .collect();
        let end = offset + orders.len();
        let next_cursor = (end < matching.len()).then(|| format!("{CURSOR_PREFIX}{end}"));
        let rejected = if offset == 0 {
            feed.poison
                .iter()
                .filter(|p| p.updated_at.is_none_or(|at| at >= since))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        Ok(OrdersPage {
            newest_update: orders.iter().map(|o| o.updated_at).max(),
            withheld: Vec::new(),
            rejected,
            orders,
            next_cursor,
        })
    }

    async fn fetch_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<Option<Order>, ProviderError> {
        self.begin(FakeOp::FetchOrder, Some(session))?;
        Ok(self
            .lock()
            .orders
            .orders
            .iter()
            .find(|o| o.external_id == external_id)
            .cloned())
    }

    async fn acknowledge_order(
        &self,
        session: &StoreSession,
        external_id: &str,
    ) -> Result<(), ProviderError> {
        self.begin(FakeOp::AcknowledgeOrder, Some(session))?;
        let mut state = self.lock();
        if !state
            .orders
            .orders
            .iter()
            .any(|o| o.external_id == external_id)
        {
            return Err(ProviderError::Rejected(format!(
                "order {external_id} does not exist"
            )));
        }
        state.orders.acknowledged.push(external_id.to_owned());
        Ok(())
    }
}

#[async_trait]
impl OrderFulfillment for FakeProvider {
    /// Fulfils a stored order: refused when it is unknown or cancelled, already done when
    /// the same request was carried out before (the store's own record of it).
    async fn fulfill(
        &self,
        session: &StoreSession,
        request: &FulfillmentRequest,
    ) -> Result<Fulfilled, ProviderError> {
        self.begin(FakeOp::Fulfill, Some(session))?;
        let mut state = self.lock();
        let Some(order) = state
            .orders
            .orders
            .iter()
            .find(|o| o.external_id == request.order_id)
        else {
            return Err(ProviderError::InvalidInput(format!(
                "order {} does not exist",
                request.order_id
            )));
        };
        if order.cancelled_at.is_some() {
            return Err(ProviderError::InvalidInput(format!(
                "order {} is cancelled",
                request.order_id
            )));
        }
        if state
            .orders
            .fulfillments
            .iter()
            .any(|(reference, _)| *reference == request.reference)
        {
            return Ok(Fulfilled::AlreadyDone);
        }
        let id = state.id("ff");
        state
            .orders
            .fulfillments
            .push((request.reference.clone(), request.clone()));
        Ok(Fulfilled::Created { fulfillment_id: id })
    }
}
