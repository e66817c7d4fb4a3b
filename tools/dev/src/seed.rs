//! A small demo catalogue for the demo business, written as the host app would, and the batch
//! run the sample page job continues.

use aws_sdk_dynamodb::types::AttributeValue as A;
use ecommerce_connector::domain::ports::{Clock, RepositoryError, SyncRunRepository};
use ecommerce_connector::domain::{BusinessId, SyncKind, SyncRun};
use ecommerce_connector::infrastructure::aws::AwsClients;
use ecommerce_connector::infrastructure::dynamodb::DynamoStore;
use ecommerce_connector::infrastructure::system::SystemClock;

use crate::DEMO_BUSINESS;

/// (size, price, stock) of one variant; an empty size for a product without options.
type VariantSeed = (&'static str, &'static str, i64);

fn s(v: &str) -> A {
    A::S(v.into())
}

/// Three products (one with sizes) and a collection.
pub async fn catalogue(clients: &AwsClients, table: &str) -> Result<(), aws_sdk_dynamodb::Error> {
    let products: [(&str, &str, &[VariantSeed]); 3] = [
        (
            "tee",
            "Organic Tee",
            &[("S", "19.99", 12), ("M", "19.99", 20), ("L", "21.99", 8)],
        ),
        ("mug", "Enamel Mug", &[("", "9.50", 40)]),
        ("tote", "Canvas Tote", &[("", "14.00", 15)]),
    ];
    for (id, title, variants) in products {
        let sized = variants.iter().any(|(size, _, _)| !size.is_empty());
        let list = variants
            .iter()
            .map(|(size, price, qty)| {
                let vid = if size.is_empty() {
                    format!("{id}-default")
                } else {
                    format!("{id}-{}", size.to_lowercase())
                };
                let mut m = vec![
                    ("id".to_owned(), s(&vid)),
                    ("sku".to_owned(), s(&vid.to_uppercase())),
                    ("price".to_owned(), s(price)),
                    ("inventoryQuantity".to_owned(), A::N(qty.to_string())),
                ];
                if sized {
                    m.push(("optionValues".to_owned(), A::L(vec![s(size)])));
                }
                A::M(m.into_iter().collect())
            })
            .collect();
        let mut put = clients
            .dynamodb
            .put_item()
            .table_name(table)
            .item("PK", s(&format!("BIZ#{DEMO_BUSINESS}")))
            .item("SK", s(&format!("PRODUCT#{id}")))
            .item("id", s(id))
            .item("title", s(title))
            .item("descriptionHtml", s(&format!("<p>{title}</p>")))
            .item("vendor", s("Demo Goods"))
            .item("variants", A::L(list));
        if sized {
            put = put.item("options", A::L(vec![s("Size")]));
        }
        put.send().await?;
    }
    clients
        .dynamodb
        .put_item()
        .table_name(table)
        .item("PK", s(&format!("BIZ#{DEMO_BUSINESS}")))
        .item("SK", s("COLLECTION#essentials"))
        .item("id", s("essentials"))
        .item("title", s("Essentials"))
        .item("productIds", A::L(vec![s("tee"), s("mug")]))
        .send()
        .await?;
    Ok(())
}

/// The products run `events/sqs-sync-products-page.json` belongs to (the API records a run
/// before it enqueues its first page), so that event runs as it is.
pub const SAMPLE_RUN: &str = "01JDEMORUN0000000000000000";

/// Records [`SAMPLE_RUN`] for the demo business.
pub async fn sample_run(clients: &AwsClients, table: &str) -> Result<(), RepositoryError> {
    let business = BusinessId::parse(DEMO_BUSINESS).expect("the demo business id is valid");
    let run = SyncRun::start(SAMPLE_RUN.into(), SyncKind::Products, SystemClock.now());
    DynamoStore::new(clients.dynamodb.clone(), table)
        .create(&business, &run)
        .await
}
