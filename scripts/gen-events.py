#!/usr/bin/env python3
"""Writes events/*.json: one Lambda event per route and trigger, for `cargo lambda invoke`
and for the tests that feed each file to its handler.

The demo business is `biz-demo`, its store `demo.myshopify.com`, and the webhook is signed
with the development app secret `dev-secret` (what scripts/dev and the tests configure).
Run again after changing a route: python3 scripts/gen-events.py
"""

import base64
import hashlib
import hmac
import json
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "events")
BUSINESS = "biz-demo"
SHOP = "demo.myshopify.com"
SECRET = b"dev-secret"


def write(name, event):
    with open(os.path.join(ROOT, name), "w") as f:
        json.dump(event, f, indent=2)
        f.write("\n")


def http(method, path, query="", body=None, claims=True, headers=None, route_key=None):
    route_key = route_key or f"{method} {path}"
    context = {
        "accountId": "123456789012",
        "apiId": "demoapi",
        "domainName": "api.example.com",
        "domainPrefix": "api",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "pwa"},
        "requestId": "req-" + path.strip("/").replace("/", "-"),
        "routeKey": route_key,
        "stage": "$default",
        "time": "26/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795687200000,
    }
    if claims:
        context["authorizer"] = {"jwt": {"claims": {"sub": "user-1", "business_ids": f"[{BUSINESS}]"}, "scopes": None}}
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if claims:
        event["headers"]["authorization"] = "Bearer <jwt checked by API Gateway>"
    if query:
        params = {}
        for pair in query.split("&"):
            k, _, v = pair.partition("=")
            params[k] = v
        event["queryStringParameters"] = params
    if body is not None:
        event["body"] = body
    return event


def sqs(records):
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"handle-{i}",
                "body": json.dumps(job),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795687200000",
                    "MessageGroupId": job["businessId"],
                    "MessageDeduplicationId": dedup,
                    "SequenceNumber": str(18800000000000000000 + i),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(json.dumps(job).encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue}",
                "awsRegion": "us-east-1",
            }
            for i, (job, dedup, queue) in enumerate(records)
        ]
    }


def main():
    os.makedirs(ROOT, exist_ok=True)
    q = f"businessId={BUSINESS}"
    write("api-oauth-url.json", http("GET", "/ecommerce/oauth/url", f"{q}&provider=shopify&shop={SHOP}"))
    write("api-connection-get.json", http("GET", "/ecommerce/connection", q))
    write("api-connection-delete.json", http("DELETE", "/ecommerce/connection", q))
    write("api-sync-products.json", http("POST", "/ecommerce/sync/products", q))
    write("api-sync-collections.json", http("POST", "/ecommerce/sync/collections", q))
    write("api-sync-poll.json", http("POST", "/ecommerce/sync/poll", q))
    write("api-sync-log.json", http("GET", "/ecommerce/sync/log", f"{q}&limit=20"))
    write("api-debug-poll.json", http("GET", "/ecommerce/debug/poll", q))
    write("api-debug-scopes.json", http("GET", "/ecommerce/debug/scopes", q))
    # A method no route has, on another function's path: API Gateway's catch-all ($default, no
    # authorizer) hands it to the api function, which answers 405 with the path's methods.
    write("api-unmatched-method.json", http("PUT", "/ecommerce/oauth/callback/shopify", claims=False, route_key="$default"))
    # A callback as Shopify sends it. Its timestamp is long past, so it must be refused
    # (a live one comes from the store's redirect within 90 seconds).
    write(
        "oauth-callback-shopify.json",
        http(
            "GET",
            "/ecommerce/oauth/callback",
            "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
            "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173",
            claims=False,
        ),
    )
    # WooCommerce's key delivery as it POSTs it; this state was never issued, so it is refused.
    write(
        "oauth-key-delivery-woocommerce.json",
        http(
            "POST",
            "/ecommerce/oauth/callback/woocommerce",
            body=json.dumps({"key_id": 1, "user_id": "not-a-state-we-signed", "consumer_key": "ck_example", "consumer_secret": "cs_example", "key_permissions": "read_write"}),
            claims=False,
        ),
    )
    write("oauth-return-woocommerce.json", http("GET", "/ecommerce/oauth/return/woocommerce", "state=not-a-state-we-signed&success=1&user_id=x", claims=False))
    write(
        "webhook-woocommerce-ping.json",
        http("POST", "/ecommerce/webhooks/woocommerce", body="webhook_id=12", claims=False, headers={"content-type": "application/x-www-form-urlencoded"}),
    )
    def bag(amount):
        return {"shop_money": {"amount": amount, "currency_code": "EUR"}, "presentment_money": {"amount": amount, "currency_code": "EUR"}}

    order = {
        "id": 9007199254741100,
        "admin_graphql_api_id": "gid://shopify/Order/9007199254741100",
        "name": "#1001",
        "email": "buyer@example.com",
        "currency": "EUR",
        "presentment_currency": "EUR",
        "note": None,
        "note_attributes": [],
        "total_price": "44.98",
        "current_subtotal_price_set": bag("39.98"),
        "total_shipping_price_set": bag("5.00"),
        "current_total_tax_set": bag("7.50"),
        "current_total_discounts_set": bag("0.00"),
        "current_total_price_set": bag("44.98"),
        "financial_status": "paid",
        "fulfillment_status": None,
        "cancelled_at": None,
        "cancel_reason": None,
        "discount_codes": [],
        "tax_lines": [{"title": "VAT", "rate": 0.2, "price": "7.50", "price_set": bag("7.50")}],
        "shipping_lines": [{"title": "Standard", "code": "STD", "price": "5.00", "discounted_price_set": bag("5.00"), "tax_lines": []}],
        "shipping_address": {"first_name": "Ada", "last_name": "Buyer", "address1": "1 Rue de la Paix", "city": "Paris", "zip": "75002", "country": "France", "country_code": "FR"},
        "billing_address": {"first_name": "Ada", "last_name": "Buyer", "address1": "1 Rue de la Paix", "city": "Paris", "zip": "75002", "country": "France", "country_code": "FR"},
        "refunds": [],
        "created_at": "2026-11-26T10:00:00+00:00",
        "updated_at": "2026-11-26T10:00:00+00:00",
        "customer": {"id": 115310627314723954, "email": "buyer@example.com", "first_name": "Ada", "last_name": "Buyer"},
        "line_items": [
            {"id": 866550311766439020, "product_id": 632910392, "variant_id": 642667041472713922, "sku": "TEE-M", "title": "Tee",
             "variant_title": "M", "quantity": 2, "current_quantity": 2, "price": "19.99", "price_set": bag("19.99"),
             "total_discount_set": bag("0.00"), "tax_lines": [{"title": "VAT", "rate": 0.2, "price_set": bag("6.66")}]}
        ],
    }
    body = json.dumps(order, separators=(",", ":"))
    signature = base64.b64encode(hmac.new(SECRET, body.encode(), hashlib.sha256).digest()).decode()
    write(
        "webhook-shopify-orders-create.json",
        http(
            "POST",
            "/ecommerce/webhooks/shopify",
            body=body,
            claims=False,
            headers={
                "x-shopify-topic": "orders/create",
                "x-shopify-hmac-sha256": signature,
                "x-shopify-shop-domain": SHOP,
                "x-shopify-api-version": "2026-04",
                "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            },
        ),
    )
    write("sqs-sync-product.json", sqs([({"type": "sync_product", "businessId": BUSINESS, "productId": "tee"}, "product-biz-demo-tee-1", "sync-jobs.fifo")]))
    write(
        "sqs-sync-inventory.json",
        sqs([({"type": "sync_inventory", "businessId": BUSINESS, "productId": "tee", "variantId": "tee-m"}, "inventory-biz-demo-tee-m-1", "sync-jobs.fifo")]),
    )
    write("sqs-sync-collection.json", sqs([({"type": "sync_collection", "businessId": BUSINESS, "collectionId": "summer"}, "collection-biz-demo-summer-1", "sync-jobs.fifo")]))
    write(
        "sqs-sync-products-page.json",
        sqs([({"type": "sync_products_page", "businessId": BUSINESS, "runId": "01JDEMORUN0000000000000000", "cursor": None}, "ppage-biz-demo-01JDEMORUN-first", "sync-jobs.fifo")]),
    )
    write(
        "sqs-fulfill-order.json",
        sqs([({"type": "fulfill_order", "businessId": BUSINESS, "orderId": "9007199254741100",
               "lines": [{"lineId": "866550311766439020", "quantity": 2}],
               "tracking": {"company": "La Poste", "number": "6A12345678901", "url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"},
               "notifyCustomer": True}, "fulfil-biz-demo-9007199254741100-1", "sync-jobs.fifo")]),
    )
    write("sqs-poll.json", sqs([({"type": "poll", "businessId": BUSINESS, "window": 1995208}, "ecommerce-poll-biz-demo-1995208", "poll-jobs.fifo")]))
    # ScheduleV2 hands the function exactly its Input.
    write("schedule-v2.json", {"source": "poll-schedule"})
    # A classic EventBridge rule sends the envelope; the handler accepts both.
    write(
        "schedule-classic.json",
        {
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-26T10:15:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/poll-every-15-minutes"],
            "detail": {},
        },
    )


if __name__ == "__main__":
    main()
