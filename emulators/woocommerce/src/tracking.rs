//! The WooCommerce Shipment Tracking extension's REST controller
//! (`WC_Shipment_Tracking_Order_REST_API_Controller`, namespace `wc-shipment-tracking/v3`),
//! served only while the `shipment_tracking` flag says the extension is active: trackings
//! live in the order's `_wc_shipment_tracking_items` meta (so they show in `meta_data`), each
//! added or deleted by `save_tracking_items`, which saves the order (`date_modified`,
//! `order.updated`). Provider names resolve through the extension's provider table.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde_json::{Value, json};
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::answers::{found, rest_error};
use crate::order_flow::deliverable;
use crate::order_model::Order;
use crate::order_notes::php_empty;
use crate::permissions::Action;
use crate::rest::Call;
use crate::state::{Store, sanitize_title};

const META_KEY: &str = "_wc_shipment_tracking_items";
const NAMESPACE: &str = "wc-shipment-tracking/v3";

/// Part of `WC_Shipment_Tracking_Actions::get_providers`: name and link format (`%1$s` the
/// number, `%2$s` the postcode, `%3$s` the shipping country).
const PROVIDERS: &[(&str, &str)] = &[
    (
        "Australia Post",
        "https://auspost.com.au/mypost/track/#/details/%1$s",
    ),
    (
        "Canada Post",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/resultList?searchFor=%1$s",
    ),
    (
        "Colissimo",
        "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s",
    ),
    (
        "DHL Intraship (DE)",
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?lang=de&idc=%1$s&rfn=&extendedSearch=true",
    ),
    (
        "Hermes",
        "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#%1$s",
    ),
    (
        "Deutsche Post DHL",
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?lang=de&idc=%1$s",
    ),
    (
        "DPD.de",
        "https://tracking.dpd.de/parcelstatus?query=%1$s&locale=en_DE",
    ),
    (
        "PostNL",
        "https://postnl.nl/tracktrace/?B=%1$s&P=%2$s&D=%3$s&T=C",
    ),
    (
        "DHL",
        "https://www.dhl.com/content/g0/en/express/tracking.shtml?brand=DHL&AWB=%1$s",
    ),
    (
        "Royal Mail",
        "https://www3.royalmail.com/track-your-item#/tracking-results/%1$s",
    ),
    (
        "DHL US",
        "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s",
    ),
    (
        "Fedex",
        "https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s",
    ),
    ("UPS", "https://www.ups.com/track?loc=en_US&tracknum=%1$s"),
    (
        "USPS",
        "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s",
    ),
];

fn invalid_order() -> Response {
    rest_error(
        404,
        "woocommerce_rest_order_invalid_id",
        "Invalid order ID.",
        json!({}),
    )
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `wc_normalize_postcode`: upper case, no spaces or hyphens.
fn normalize(postcode: &str) -> String {
    postcode
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// `get_formatted_tracking_item`: the provider's name and link.
fn formatted(o: &Order, item: &Value) -> (String, String) {
    let custom = text(&item["custom_tracking_provider"]);
    if !custom.is_empty() {
        return (custom, text(&item["custom_tracking_link"]));
    }
    let slug = text(&item["tracking_provider"]);
    let Some((name, format)) = PROVIDERS
        .iter()
        .find(|(n, _)| *n == slug || sanitize_title(n) == slug)
    else {
        return (String::new(), String::new());
    };
    let postcode = [&o.shipping["postcode"], &o.billing["postcode"]]
        .iter()
        .map(|p| text(p))
        .find(|p| !p.is_empty())
        .unwrap_or_default();
    let postcode: String =
        url::form_urlencoded::byte_serialize(normalize(&postcode).as_bytes()).collect();
    let link = format
        .replace("%1$s", &text(&item["tracking_number"]))
        .replace("%2$s", &postcode)
        .replace("%3$s", &text(&o.shipping["country"]));
    ((*name).to_owned(), link)
}

/// `date( 'Y-m-d', $date_shipped )`.
fn shipped(item: &Value) -> String {
    let stamp = item["date_shipped"]
        .as_i64()
        .or_else(|| text(&item["date_shipped"]).parse().ok())
        .unwrap_or(0);
    OffsetDateTime::from_unix_timestamp(stamp)
        .ok()
        .and_then(|t| t.format(format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_default()
}

/// `prepare_item_for_response`.
fn view(s: &Store, o: &Order, item: &Value) -> Value {
    let (provider, link) = formatted(o, item);
    let id = text(&item["tracking_id"]);
    let base = format!(
        "{}/wp-json/{NAMESPACE}/orders/{}/shipment-trackings",
        s.base, o.id
    );
    json!({
        "tracking_id": id, "tracking_provider": provider, "tracking_link": link,
        "tracking_number": text(&item["tracking_number"]), "date_shipped": shipped(item),
        "_links": {"self": [{"href": format!("{base}/{id}")}], "collection": [{"href": base}],
            "up": [{"href": format!("{}/wp-json/{NAMESPACE}/orders/{}", s.base, o.id)}]},
    })
}

fn items(o: &Order) -> Vec<Value> {
    o.meta
        .iter()
        .find(|m| m["key"] == META_KEY)
        .and_then(|m| m["value"].as_array().cloned())
        .unwrap_or_default()
}

/// `save_tracking_items`: the meta updated and the order saved.
fn save(s: &mut Store, o: &mut Order, list: Vec<Value>) {
    s.update_meta_list(&mut o.meta, &json!([{"key": META_KEY, "value": list}]));
    s.touch(o);
}

/// `add_tracking_item`'s `date_shipped`: `strtotime` of the posted date (a string of the
/// timestamp), or now (a number) when it does not parse.
fn date_shipped(posted: &str) -> Value {
    let day = posted
        .get(..10)
        .and_then(|d| Date::parse(d, format_description!("[year]-[month]-[day]")).ok());
    match day {
        Some(d) => json!(d.midnight().assume_utc().unix_timestamp().to_string()),
        None => json!(OffsetDateTime::now_utc().unix_timestamp()),
    }
}

fn create(call: &mut Call<'_>, order_id: u64) -> Response {
    let input = call.input;
    if !php_empty(&input["tracking_id"]) {
        let code = "woocommerce_rest_shop_order_shipment_tracking_exists";
        return rest_error(
            400,
            code,
            "Cannot create existing order shipment tracking.",
            json!({}),
        );
    }
    let s = &mut *call.store;
    let Some(mut order) = s.orders.remove(&order_id) else {
        return invalid_order();
    };
    let mut id = [0u8; 16];
    rand::rng().fill_bytes(&mut id);
    let item = json!({
        "tracking_provider": sanitize_title(&text(&input["tracking_provider"])),
        "custom_tracking_provider": text(&input["custom_tracking_provider"]),
        "custom_tracking_link": text(&input["custom_tracking_link"]),
        "tracking_number": text(&input["tracking_number"]),
        "date_shipped": date_shipped(&text(&input["date_shipped"])),
        "tracking_id": hex::encode(id),
    });
    let mut list = items(&order);
    list.push(item.clone());
    save(s, &mut order, list);
    let answer = view(s, &order, &item);
    finish(call, order, order_id);
    let tracking_id = text(&item["tracking_id"]);
    // `sprintf( '%d', $tracking_id )`: PHP reads the hex id's leading digits, if any.
    let digits: String = tracking_id
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let location = format!(
        "{}/wp-json/{NAMESPACE}/orders/{order_id}/shipment-trackings/{}",
        call.app.base,
        digits.parse::<u64>().unwrap_or(0)
    );
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    if let Ok(v) = location.parse() {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// Stores the saved order back and owes `order.updated` for it.
fn finish(call: &mut Call<'_>, order: Order, order_id: u64) {
    let send = deliverable(&order);
    call.store.orders.insert(order_id, order);
    if send {
        let payload = call.store.order_json(order_id).unwrap_or_default();
        call.deliveries.push(("order.updated".into(), payload));
    }
}

/// `wc-shipment-tracking/v3/orders/{id}/shipment-trackings` routes.
pub(crate) fn serve(call: &mut Call<'_>) -> Response {
    let order_id = call.route.ids[0];
    if call.route.action == Action::Create {
        return create(call, order_id);
    }
    let key = call.route.key.clone().unwrap_or_default();
    let Some(order) = call.store.orders.get(&order_id) else {
        return invalid_order();
    };
    let list = items(order);
    let s = &*call.store;
    if call.route.action == Action::List {
        return found(json!(
            list.iter().map(|i| view(s, order, i)).collect::<Vec<_>>()
        ));
    }
    let Some(item) = list
        .iter()
        .find(|i| text(&i["tracking_id"]) == key)
        .cloned()
    else {
        let code = "woocommerce_rest_order_shipment_tracking_invalid_id";
        return rest_error(404, code, "Invalid shipment tracking ID.", json!({}));
    };
    let answer = view(s, order, &item);
    if call.route.action == Action::Delete {
        let Some(mut order) = call.store.orders.remove(&order_id) else {
            return invalid_order();
        };
        let rest = list
            .into_iter()
            .filter(|i| text(&i["tracking_id"]) != key)
            .collect();
        save(call.store, &mut order, rest);
        finish(call, order, order_id);
    }
    found(answer)
}
