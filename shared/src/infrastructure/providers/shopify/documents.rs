//! Every GraphQL document the Shopify adapter sends, one `.graphql` file each.
//!
//! A unit test validates each against the pinned Admin API schema kept beside the repository.

/// `graphql/access_scopes.graphql`.
pub const ACCESS_SCOPES: &str = include_str!("graphql/access_scopes.graphql");
/// Starts a bulk mutation over a staged file of variables.
pub const BULK_OPERATION_RUN_MUTATION: &str =
    include_str!("graphql/bulk_operation_run_mutation.graphql");
/// One bulk operation's state.
pub const BULK_OPERATION: &str = include_str!("graphql/bulk_operation.graphql");
/// The app's latest bulk operations (a start whose answer was lost is found among them).
pub const BULK_OPERATIONS: &str = include_str!("graphql/bulk_operations.graphql");
/// The mutation each line of a bulk product write runs: `productSet` selecting one
/// connection (variants), as bulk mutations allow.
pub const BULK_PRODUCT_SET: &str = include_str!("graphql/bulk_product_set.graphql");
/// A staged upload target for a bulk mutation's variables.
pub const STAGED_UPLOADS_CREATE: &str = include_str!("graphql/staged_uploads_create.graphql");
/// `graphql/collection_add_products.graphql`.
pub const COLLECTION_ADD_PRODUCTS: &str = include_str!("graphql/collection_add_products.graphql");
/// A collection found by its handle (a create whose answer was lost is adopted).
pub const COLLECTION_BY_HANDLE: &str = include_str!("graphql/collection_by_handle.graphql");
/// `graphql/collection_create.graphql`.
pub const COLLECTION_CREATE: &str = include_str!("graphql/collection_create.graphql");
/// `graphql/collection_products.graphql`.
pub const COLLECTION_PRODUCTS: &str = include_str!("graphql/collection_products.graphql");
/// `graphql/collection_remove_products.graphql`.
pub const COLLECTION_REMOVE_PRODUCTS: &str =
    include_str!("graphql/collection_remove_products.graphql");
/// `graphql/collection_update.graphql`.
pub const COLLECTION_UPDATE: &str = include_str!("graphql/collection_update.graphql");
/// `graphql/inventory_set_quantities.graphql`.
pub const INVENTORY_SET_QUANTITIES: &str = include_str!("graphql/inventory_set_quantities.graphql");
/// An asynchronous job's state (`collectionAddProductsV2`, `collectionRemoveProducts`).
pub const JOB: &str = include_str!("graphql/job.graphql");
/// Line items of one order past the first page.
pub const ORDER_LINE_ITEMS: &str = concat!(
    include_str!("graphql/order_line_items.graphql"),
    include_str!("graphql/line_fields.graphql")
);
/// Orders changed since the cursor, each whole.
pub const ORDERS: &str = concat!(
    include_str!("graphql/orders.graphql"),
    include_str!("graphql/order_fields.graphql"),
    include_str!("graphql/line_fields.graphql")
);
/// One order, whole, by id.
pub const ORDER: &str = concat!(
    include_str!("graphql/order.graphql"),
    include_str!("graphql/order_fields.graphql"),
    include_str!("graphql/line_fields.graphql")
);
/// What is left to fulfil of one order, and the fulfilments made.
pub const FULFILLMENT_ORDERS: &str = include_str!("graphql/fulfillment_orders.graphql");
/// Fulfils lines of fulfilment orders, with tracking.
pub const FULFILLMENT_CREATE: &str = include_str!("graphql/fulfillment_create.graphql");
/// `graphql/primary_location.graphql`.
pub const PRIMARY_LOCATION: &str = include_str!("graphql/primary_location.graphql");
/// A product's variants past the page `productSet` answered with.
pub const PRODUCT_VARIANTS: &str = include_str!("graphql/product_variants.graphql");
/// The shop's publications (sales channels), by catalogue title.
pub const PUBLICATIONS: &str = include_str!("graphql/publications.graphql");
/// Publishes a product or collection to publications.
pub const PUBLISHABLE_PUBLISH: &str = include_str!("graphql/publishable_publish.graphql");
/// A product's media as Shopify processed them.
pub const PRODUCT_MEDIA: &str = include_str!("graphql/product_media.graphql");
/// Deletes a product the business removed (when configured to delete).
pub const PRODUCT_DELETE: &str = include_str!("graphql/product_delete.graphql");
/// Archives a product the business removed.
pub const PRODUCT_STATUS: &str = include_str!("graphql/product_status.graphql");
/// Deletes a collection the business removed.
pub const COLLECTION_DELETE: &str = include_str!("graphql/collection_delete.graphql");
/// `graphql/product_set.graphql`.
pub const PRODUCT_SET: &str = include_str!("graphql/product_set.graphql");
/// `graphql/tags_add.graphql`.
pub const TAGS_ADD: &str = include_str!("graphql/tags_add.graphql");
/// `graphql/webhook_subscription_create.graphql`.
pub const WEBHOOK_SUBSCRIPTION_CREATE: &str =
    include_str!("graphql/webhook_subscription_create.graphql");
/// `graphql/webhook_subscription_delete.graphql`.
pub const WEBHOOK_SUBSCRIPTION_DELETE: &str =
    include_str!("graphql/webhook_subscription_delete.graphql");
/// `graphql/webhook_subscription_update.graphql`.
pub const WEBHOOK_SUBSCRIPTION_UPDATE: &str =
    include_str!("graphql/webhook_subscription_update.graphql");
/// `graphql/webhook_subscriptions.graphql`.
pub const WEBHOOK_SUBSCRIPTIONS: &str = include_str!("graphql/webhook_subscriptions.graphql");

/// Every document, by file name, for validation.
pub const ALL: &[(&str, &str)] = &[
    ("access_scopes.graphql", ACCESS_SCOPES),
    (
        "bulk_operation_run_mutation.graphql",
        BULK_OPERATION_RUN_MUTATION,
    ),
    ("bulk_operation.graphql", BULK_OPERATION),
    ("bulk_operations.graphql", BULK_OPERATIONS),
    ("bulk_product_set.graphql", BULK_PRODUCT_SET),
    ("collection_add_products.graphql", COLLECTION_ADD_PRODUCTS),
    ("collection_by_handle.graphql", COLLECTION_BY_HANDLE),
    ("collection_create.graphql", COLLECTION_CREATE),
    ("collection_delete.graphql", COLLECTION_DELETE),
    ("collection_products.graphql", COLLECTION_PRODUCTS),
    (
        "collection_remove_products.graphql",
        COLLECTION_REMOVE_PRODUCTS,
    ),
    ("collection_update.graphql", COLLECTION_UPDATE),
    ("inventory_set_quantities.graphql", INVENTORY_SET_QUANTITIES),
    ("fulfillment_create.graphql", FULFILLMENT_CREATE),
    ("fulfillment_orders.graphql", FULFILLMENT_ORDERS),
    ("job.graphql", JOB),
    ("order.graphql", ORDER),
    ("order_line_items.graphql", ORDER_LINE_ITEMS),
    ("orders.graphql", ORDERS),
    ("primary_location.graphql", PRIMARY_LOCATION),
    ("product_delete.graphql", PRODUCT_DELETE),
    ("product_media.graphql", PRODUCT_MEDIA),
    ("product_set.graphql", PRODUCT_SET),
    ("product_status.graphql", PRODUCT_STATUS),
    ("product_variants.graphql", PRODUCT_VARIANTS),
    ("publications.graphql", PUBLICATIONS),
    ("publishable_publish.graphql", PUBLISHABLE_PUBLISH),
    ("staged_uploads_create.graphql", STAGED_UPLOADS_CREATE),
    ("tags_add.graphql", TAGS_ADD),
    (
        "webhook_subscription_create.graphql",
        WEBHOOK_SUBSCRIPTION_CREATE,
    ),
    (
        "webhook_subscription_delete.graphql",
        WEBHOOK_SUBSCRIPTION_DELETE,
    ),
    (
        "webhook_subscription_update.graphql",
        WEBHOOK_SUBSCRIPTION_UPDATE,
    ),
    ("webhook_subscriptions.graphql", WEBHOOK_SUBSCRIPTIONS),
];

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use apollo_compiler::{ExecutableDocument, Schema};

    /// The real Admin API schema sits beside the repository root (`../shared/shopify/`).
    fn schema_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/shopify")
            .join(format!(
                "admin-schema-{}.graphql",
                super::super::DEFAULT_API_VERSION
            ))
    }

    #[test]
    fn every_document_validates_against_the_pinned_admin_schema() {
        let path = schema_path();
        let sdl = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the Shopify schema must be at {}: {e}", path.display()));
        let schema = Schema::parse_and_validate(sdl, "admin-schema.graphql")
            .unwrap_or_else(|e| panic!("schema does not parse: {e}"));
        assert!(super::ALL.len() >= 16);
        let mut failures = Vec::new();
        for (name, source) in super::ALL {
            if let Err(e) = ExecutableDocument::parse_and_validate(&schema, *source, *name) {
                failures.push(format!("{name}: {}", e.errors));
            }
        }
        assert!(
            failures.is_empty(),
            "invalid documents:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn the_validator_rejects_a_field_the_schema_lacks() {
        let sdl = std::fs::read_to_string(schema_path()).expect("schema");
        let schema =
            Schema::parse_and_validate(sdl, "admin-schema.graphql").expect("schema parses");
        // `callbackUrl` left the webhook subscription input: a document using it must fail.
        let stale = "mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: {callbackUrl: \"https://x\"}) { userErrors { field } } }";
        assert!(ExecutableDocument::parse_and_validate(&schema, stale, "stale.graphql").is_err());
    }
}
