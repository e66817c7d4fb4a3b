//! Root fields served whatever the operation is called: lookups, publications, jobs, the
//! shop, product and collection writes and removals, staged uploads and bulk mutations, and
//! the connector's own fields when its documents are renamed (answered from the field's
//! arguments, which its documents name like their variables). Each answers a whole record under its response key; a refused field
//! answers `null` with an error beside the rest of the data.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, SelectionSet};
use serde_json::{Map, Value, json};

use super::{
    Resolved, bulk, collections, fulfillment, jobs, lookup, orders, products, publications,
    removal, s, scopes, shop as shop_ops, staging, webhooks,
};
use crate::App;
use crate::graphql::select::{args, fields, locations};
use crate::state::Shop;

/// Answers every root field of `set`; `Err` (a field the emulator does not serve, a filter it
/// does not support) becomes a top-level error without data.
pub(super) fn resolve(
    app: &App,
    shop: &mut Shop,
    shop_name: &str,
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &Value,
) -> Result<Resolved, String> {
    let mut data = Map::new();
    let mut errors = Vec::new();
    let mut deliveries = Vec::new();
    let mut null_data = false;
    for field in fields(set, doc, vars) {
        let key = field.response_key().as_str();
        let a = args(field, vars);
        let name = field.name.as_str();
        if let Some(error) = scopes::denial(app, shop, field) {
            refuse(&mut data, &mut errors, &mut null_data, doc, field, error);
            continue;
        }
        let answer: Result<Value, Value> = match name {
            "productSet" => products::product_set(app, shop, &a).map(|mut p| p[name].take()),
            "productUpdate" => {
                if !a["media"].is_null() {
                    return Err("the emulator does not serve productUpdate(media:)".into());
                }
                removal::product_update(shop, &a)
            }
            "productDelete" => {
                if a["synchronous"] == json!(false) {
                    return Err("the emulator deletes products synchronously only".into());
                }
                Ok(removal::product_delete(shop, &a))
            }
            "collectionDelete" => Ok(removal::collection_delete(shop, &a)),
            "collectionCreate" => Ok(collections::collection_create(shop, &a)[name].take()),
            "collectionUpdate" => Ok(collections::collection_update(shop, &a)[name].take()),
            "collectionAddProductsV2" => {
                Ok(collections::collection_membership(app, shop, &a, true)[name].take())
            }
            "collectionRemoveProducts" => {
                Ok(collections::collection_membership(app, shop, &a, false)[name].take())
            }
            "webhookSubscriptions" => Ok(webhooks::webhook_subscriptions(shop, &a)[name].take()),
            "webhookSubscriptionCreate" => Ok(webhooks::webhook_create(app, shop, &a)[name].take()),
            "webhookSubscriptionUpdate" => Ok(webhooks::webhook_update(shop, &a)[name].take()),
            "webhookSubscriptionDelete" => Ok(webhooks::webhook_delete(shop, &a)[name].take()),
            "orders" => Ok(orders::orders(app, shop, &a)?[name].take()),
            "order" => Ok(orders::order(app, shop, &a)[name].take()),
            "fulfillmentCreate" => {
                let (payload, queued) = fulfillment::fulfillment_create(app, shop, &a);
                deliveries.extend(queued);
                Ok(payload)
            }
            "tagsAdd" => Ok(orders::tags_add(shop, &a)[name].take()),
            "stagedUploadsCreate" => Ok(staging::staged_uploads_create(app, shop, &a)?),
            "bulkOperationRunMutation" => Ok(bulk::run_mutation(app, shop, shop_name, &a)),
            "bulkOperationCancel" => Ok(bulk::cancel(shop, &a)),
            "bulkOperation" => bulk::bulk_operation(shop, &a),
            "bulkOperations" => bulk::bulk_operations(shop, &a),
            "currentBulkOperation" => Ok(bulk::current(shop, &a)),
            "node" => Ok(bulk::node(shop, &a)?),
            "__typename" => Ok(json!(set.ty.as_str())),
            "product" => Ok(lookup::product(shop, &a)),
            "productByIdentifier" => Ok(lookup::product_by_identifier(shop, &a)),
            "productByHandle" => Ok(lookup::product_by_handle_field(shop, &a)),
            "products" => Ok(lookup::products(shop, &a)?),
            "collection" => Ok(lookup::collection(shop, &a)),
            "collectionByIdentifier" | "collectionByHandle" => {
                Ok(lookup::collection_by_identifier(shop, &a))
            }
            "collections" => Ok(lookup::collections(shop, &a)?),
            "publications" => Ok(publications::publications()),
            "publishablePublish" => Ok(publications::publishable(shop, &a, true)),
            "publishableUnpublish" => Ok(publications::publishable(shop, &a, false)),
            "location" => Ok(shop_ops::primary_location()["location"].clone()),
            "currentAppInstallation" => {
                Ok(shop_ops::access_scopes(shop)["currentAppInstallation"].clone())
            }
            "shop" => Ok(json!({
                "id": "gid://shopify/Shop/1",
                "name": shop_name,
                "myshopifyDomain": shop_name,
                "currencyCode": app.config.currency,
            })),
            "job" => {
                let id = s(&a, "id").unwrap_or_default();
                match jobs::poll(shop, app.config.job_polls_until_done, &id) {
                    Some(mut job) => {
                        let done = job["done"] == json!(true);
                        let query = fields(&field.selection_set, doc, vars)
                            .into_iter()
                            .find(|f| f.name == "query");
                        if let (true, Some(q)) = (done, query) {
                            let nested =
                                resolve(app, shop, shop_name, doc, &q.selection_set, vars)?;
                            errors.extend(nested.errors);
                            deliveries.extend(nested.deliveries);
                            job["query"] = nested.data;
                        }
                        Ok(job)
                    }
                    None => Ok(Value::Null),
                }
            }
            other => return Err(format!("the emulator does not serve the field {other:?}")),
        };
        match answer {
            Ok(value) => {
                data.insert(key.into(), value);
            }
            Err(error) => refuse(&mut data, &mut errors, &mut null_data, doc, field, error),
        }
    }
    Ok(Resolved {
        data: if null_data {
            Value::Null
        } else {
            Value::Object(data)
        },
        errors,
        deliveries,
    })
}

/// Answers root `field` with `null` and `error` (pointed at it); a non-null field nulls the
/// whole data, as GraphQL execution does.
pub(super) fn refuse(
    data: &mut Map<String, Value>,
    errors: &mut Vec<Value>,
    null_data: &mut bool,
    doc: &ExecutableDocument,
    field: &Field,
    mut error: Value,
) {
    let key = field.response_key().as_str();
    error["path"] = json!([key]);
    error["locations"] = locations(field, doc);
    errors.push(error);
    data.insert(key.into(), Value::Null);
    *null_data |= field.definition.ty.is_non_null();
}
