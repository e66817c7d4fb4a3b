//! Shared fixtures: clients from the environment and a fresh, uniquely named stack per test.

use ecommerce_connector::domain::{
    BusinessId, Connection, ConnectionStatus, EncryptedCredentials, Money, Order, ProviderKind,
};
use ecommerce_connector::domain::{Decimal, LineItem};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::dynamodb::DynamoStore;
use ecommerce_connector::infrastructure::provision::{Resources, provision};
use time::OffsetDateTime;
use time::macros::datetime;

/// A provisioned stack of its own for one test.
pub struct Stack {
    pub clients: AwsClients,
    pub resources: Resources,
    pub store: DynamoStore,
}

/// Clients for the endpoint `scripts/test` exported. Fails loudly when it is missing: these
/// tests must never silently pass without the service.
pub async fn clients() -> AwsClients {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run the tests through scripts/test, which starts moto_server"
    );
    AwsClients::from_env().await
}

/// Creates a table, queues and key under a fresh prefix.
pub async fn stack() -> Stack {
    let clients = clients().await;
    let prefix = format!("t{}", ulid::Ulid::new().to_string().to_lowercase());
    let resources = provision(&clients, &prefix).await.expect("provision");
    let store = DynamoStore::new(clients.dynamodb.clone(), &resources.table);
    Stack {
        clients,
        resources,
        store,
    }
}

pub fn biz(id: &str) -> BusinessId {
    BusinessId::parse(id).expect("valid business id")
}

pub const T0: OffsetDateTime = datetime!(2026-11-01 10:00:00 UTC);

pub fn connection(business: &str, shop: &str, status: ConnectionStatus) -> Connection {
    Connection {
        business_id: biz(business),
        provider: ProviderKind::from_static("shopify"),
        shop: shop.to_owned(),
        status,
        credentials: EncryptedCredentials {
            ciphertext: vec![1, 2, 3, 4],
            access_expires_at: Some(T0 + time::Duration::hours(1)),
            refresh_expires_at: None,
        },
        scopes: vec!["read_orders".into(), "write_products".into()],
        location_id: Some("gid://shopify/Location/1".into()),
        webhooks: vec![],
        created_at: T0,
        last_synced_at: None,
        last_ack_at: None,
        version: 0,
    }
}

pub fn money(amount: &str) -> Money {
    Money {
        amount: Decimal::parse(amount).expect("decimal"),
        currency: "EUR".into(),
    }
}

pub fn order(external_id: &str) -> Order {
    let mut order = Order::new(
        ProviderKind::from_static("shopify"),
        external_id,
        "#1001",
        money("59.97"),
        T0,
        T0,
    );
    order.email = Some("buyer@example.com".into());
    order.financial_status = Some("paid".into());
    order.line_items = vec![LineItem {
        external_id: "13130265591906".into(),
        product_id: None,
        variant_id: None,
        product_external_id: None,
        variant_external_id: Some("44870394282178".into()),
        sku: Some("TEE-M".into()),
        title: "Tee".into(),
        variant_title: None,
        quantity: 3,
        current_quantity: 3,
        unit_price: money("19.99"),
        total_discount: money("0"),
        tax_lines: Vec::new(),
    }];
    order
}

/// Receives and deletes every message currently on a queue. Deleting matters: a FIFO queue
/// holds back a group's later messages while earlier ones are in flight.
pub async fn drain(clients: &AwsClients, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut all = Vec::new();
    loop {
        let out = clients
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(300)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("receive");
        let batch = out.messages.unwrap_or_default();
        if batch.is_empty() {
            return all;
        }
        // What the connector published to the host app, for the schema check (job queues
        // also carry messages the tests wrote themselves, some malformed on purpose).
        let published = url.contains("-orders") && !url.contains("dlq");
        for m in &batch {
            if published {
                ecommerce_connector::testing::record_sample(m.body().unwrap_or_default());
            }
            clients
                .sqs
                .delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
        all.extend(batch);
    }
}
