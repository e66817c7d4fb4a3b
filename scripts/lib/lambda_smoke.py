"""Invokes every file in events/ with `cargo lambda invoke` against a running
`cargo lambda watch` and checks each answer; run by scripts/lambda-smoke, which starts the
local stack and the watch with the environment scripts/dev writes.

The expectations are those of shared/tests/integration/events.rs, which feeds the same files to
the handlers in process: the OAuth and WooCommerce samples carry states never issued (refused),
the demo business is connected first through the oauth function and the Shopify emulator, and
the workers and the scheduler then answer without failures.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EVENTS = os.path.join(ROOT, "events")
SHOP = "demo.myshopify.com"


class Smoke:
    def __init__(self, port, work):
        self.port = port
        self.work = work
        self.seen = set()
        self.count = 0

    def invoke(self, function, path):
        """`cargo lambda invoke FUNCTION --data-file PATH`: the answer, parsed."""
        started = time.monotonic()
        done = subprocess.run(
            ["cargo", "lambda", "invoke", function, "--data-file", path,
             "--invoke-address", "127.0.0.1", "--invoke-port", str(self.port)],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
        took = time.monotonic() - started
        name = os.path.relpath(path, ROOT)
        if done.returncode != 0:
            fail(f"cargo lambda invoke {function} --data-file {name} exited {done.returncode}:\n{done.stderr.strip()}")
        try:
            answer = json.loads(done.stdout)
        except json.JSONDecodeError:
            fail(f"{name}: {function} answered something that is not JSON: {done.stdout!r}")
        self.count += 1
        print(f"  {function:<15} {name:<45} {took:5.1f} s  {summary(answer)}")
        return answer

    def event(self, function, name):
        """Invokes events/NAME; records that the file was exercised."""
        self.seen.add(name)
        return self.invoke(function, os.path.join(EVENTS, name))

    def http(self, function, name, status, body=None, location_end=None, error_code=None):
        answer = self.event(function, name)
        check_http(name, answer, status, body, location_end, error_code)
        return answer


def summary(answer):
    if isinstance(answer, dict) and "statusCode" in answer:
        location = (answer.get("headers") or {}).get("location")
        return f"HTTP {answer['statusCode']}" + (f" -> {location}" if location else "")
    return json.dumps(answer)[:80]


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def body_of(answer):
    raw = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return raw


def check_http(name, answer, status, body=None, location_end=None, error_code=None):
    if not isinstance(answer, dict) or "statusCode" not in answer:
        fail(f"{name}: not an HTTP answer: {answer!r}")
    got = body_of(answer)
    if answer["statusCode"] != status:
        fail(f"{name}: HTTP {answer['statusCode']}, expected {status}: {got!r}")
    if body is not None and got != body:
        fail(f"{name}: body {got!r}, expected {body!r}")
    if location_end is not None:
        location = (answer.get("headers") or {}).get("location", "")
        if not location.endswith(location_end):
            fail(f"{name}: location {location!r} does not end with {location_end!r}")
    if error_code is not None:
        code = (got or {}).get("error", {}).get("code") if isinstance(got, dict) else None
        if code != error_code:
            fail(f"{name}: error code {code!r}, expected {error_code!r}: {got!r}")
    return got


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def follow_once(url):
    """GET without following redirects: the Location header."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(url, timeout=30)
        fail(f"{url}: HTTP {response.status}, expected a redirect")
    except urllib.error.HTTPError as e:
        if e.code not in (301, 302, 303, 307):
            fail(f"{url}: HTTP {e.code}, expected a redirect")
        return e.headers["location"]


def emulator_products():
    base = os.environ["SHOPIFY_BASE_URL"].rstrip("/")
    with urllib.request.urlopen(f"{base}/_emulator/shops/{SHOP}", timeout=30) as r:
        return json.load(r)["products"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    s = Smoke(args.port, args.work)

    # Before connecting: the OAuth URL; the stale, unsigned or unissued samples are refused.
    url = s.http("oauth", "api-oauth-url.json", 200)
    authorize = body_of(url)["url"]
    if f"/{SHOP}/admin/oauth/authorize?" not in authorize:
        fail(f"api-oauth-url.json: unexpected authorization URL {authorize}")
    s.http("oauth", "oauth-callback-shopify.json", 302,
           location_end="ecommerce=error&provider=shopify&reason=verification_failed")
    s.http("oauth", "oauth-key-delivery-woocommerce.json", 401, error_code="invalid_state")
    s.http("oauth", "oauth-return-woocommerce.json", 302,
           location_end="ecommerce=error&provider=woocommerce&reason=invalid_state")
    s.http("webhooks", "webhook-woocommerce-ping.json", 200, body={"ok": True})
    unmatched = s.http("api", "api-unmatched-method.json", 405, error_code="method_not_allowed")
    allow = (unmatched.get("headers") or {}).get("allow")
    if allow != "GET, POST":
        fail(f"api-unmatched-method.json: Allow {allow!r}, expected 'GET, POST'")

    # Connect the demo business as a merchant would: the emulator approves the authorization
    # URL at once and redirects to the callback, which goes to the oauth function.
    back = follow_once(authorize)
    if "/ecommerce/oauth/callback?" not in back:
        fail(f"the emulator redirected to {back}, not to the OAuth callback")
    query = back.split("?", 1)[1]
    with open(os.path.join(EVENTS, "oauth-callback-shopify.json")) as f:
        callback = json.load(f)
    callback["rawQueryString"] = query
    callback["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    live = os.path.join(args.work, "oauth-callback-live.json")
    with open(live, "w") as f:
        json.dump(callback, f)
    check_http("the live callback", s.invoke("oauth", live), 302,
               location_end="ecommerce=connected&provider=shopify")

    connection = s.http("api", "api-connection-get.json", 200)
    got = body_of(connection)
    if SHOP not in json.dumps(got):
        fail(f"api-connection-get.json: the connection does not name {SHOP}: {got!r}")
    for name in ["api-sync-log.json", "api-debug-scopes.json"]:
        s.http("api", name, 200)
    s.http("webhooks", "webhook-shopify-orders-create.json", 200, body={"ok": True})

    # The workers, before the API enqueues anything the local stack's own workers would pick up.
    for function, name in [
        ("sync-worker", "sqs-sync-product.json"),
        ("sync-worker", "sqs-sync-products-page.json"),
        ("sync-worker", "sqs-sync-inventory.json"),
        ("sync-worker", "sqs-sync-collection.json"),
        ("sync-worker", "sqs-fulfill-order.json"),
        ("poll-worker", "sqs-poll.json"),
    ]:
        answer = s.event(function, name)
        if answer != {"batchItemFailures": []}:
            fail(f"{name}: {function} reported failures: {answer!r}")
    titles = sorted(p.get("title") for p in emulator_products())
    if titles != ["Canvas Tote", "Enamel Mug", "Organic Tee"]:
        fail(f"the demo shop holds {titles}, expected the three demo products")

    # One active connection: one poll job per schedule event.
    for name in ["schedule-v2.json", "schedule-classic.json"]:
        answer = s.event("poll-scheduler", name)
        if not isinstance(answer, dict) or answer.get("scheduled") != 1:
            fail(f"{name}: poll-scheduler answered {answer!r}, expected {{'scheduled': 1}}")

    s.http("api", "api-debug-poll.json", 200)
    for name in ["api-sync-products.json", "api-sync-collections.json", "api-sync-poll.json"]:
        s.http("api", name, 202)
    s.http("api", "api-connection-delete.json", 200)

    files = {n for n in os.listdir(EVENTS) if n.endswith(".json")}
    if s.seen != files:
        fail(f"events not invoked: {sorted(files - s.seen)}")
    print(f"lambda smoke: all {len(files)} event files and the live callback answered as expected "
          f"({s.count} invocations)")


if __name__ == "__main__":
    main()
