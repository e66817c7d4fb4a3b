#!/usr/bin/env python3
"""Init time and memory of Lambda binaries, on a local stand-in of the Lambda Runtime API.

Usage: benches/cold_start.py [--runs N] [--markdown] BINARY [BINARY ...]

For each binary: spawns it RUNS times (default 30) with the environment every function reads
at init, and measures from the spawn to its first `GET /runtime/invocation/next` (the end of
Lambda's init phase), the peak resident memory at that moment (VmHWM), the certificate and
other files it opened (first run, through /proc), and the binary's size. Values are
placeholders: no AWS or store call is made before the first invocation.
"""

import argparse
import http.server
import os
import statistics
import subprocess
import threading
import time

ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_FUNCTION_VERSION": "1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "TABLE_NAME": "bench",
    "CATALOG_TABLE_NAME": "bench-catalog",
    "SYNC_QUEUE_URL": "http://127.0.0.1:1/000000000000/sync.fifo",
    "POLL_QUEUE_URL": "http://127.0.0.1:1/000000000000/poll.fifo",
    "ORDERS_QUEUE_URL": "http://127.0.0.1:1/000000000000/orders.fifo",
    "KMS_KEY_ID": "alias/bench",
    "PUBLIC_BASE_URL": "https://api.example.com",
    "STATE_SECRET": "0123456789abcdef0123456789abcdef",
    "SHOPIFY_CLIENT_ID": "bench",
    "SHOPIFY_CLIENT_SECRET": "bench",
    "RUST_LOG": "info",
}


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    pid = None
    first_next = None
    peak_kib = None

    def do_GET(self):  # noqa: N802
        if "/invocation/next" in self.path and RuntimeApi.first_next is None:
            RuntimeApi.first_next = time.perf_counter()
            RuntimeApi.peak_kib = vm_hwm(RuntimeApi.pid)
        # Hold the request: the function waits here, as it does between invocations.
        time.sleep(0.3)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


def vm_hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_once(binary, port):
    RuntimeApi.first_next = None
    RuntimeApi.peak_kib = None
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}", **ENV)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        env.pop(name, None)
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    RuntimeApi.pid = proc.pid
    try:
        deadline = start + 10
        while RuntimeApi.first_next is None and time.perf_counter() < deadline:
            time.sleep(0.0002)
        if RuntimeApi.first_next is None:
            raise SystemExit(f"{binary} never asked for an invocation")
        return (RuntimeApi.first_next - start) * 1000, RuntimeApi.peak_kib
    finally:
        proc.kill()
        proc.wait()


def measure(binary, runs, port):
    run_once(binary, port)  # warms the page cache, as a provisioned sandbox is warm
    samples = [run_once(binary, port) for _ in range(runs)]
    times = sorted(t for t, _ in samples)
    peaks = [p for _, p in samples if p is not None]
    return {
        "name": os.path.basename(binary),
        "median": statistics.median(times),
        "p90": times[max(0, int(len(times) * 0.9) - 1)],
        "min": times[0],
        "rss_mib": max(peaks) / 1024 if peaks else float("nan"),
        "size_mib": os.path.getsize(binary) / (1024 * 1024),
        "runs": runs,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results = [measure(b, args.runs, port) for b in args.binaries]
    server.shutdown()
    if args.markdown:
        print("| function | init median | init p90 | init min | peak RSS | stripped binary |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(
                f"| `{r['name']}` | {r['median']:.1f} ms | {r['p90']:.1f} ms | {r['min']:.1f} ms "
                f"| {r['rss_mib']:.1f} MiB | {r['size_mib']:.2f} MiB |"
            )
        print(f"\n{results[0]['runs']} runs each after one warm-up run.")
    else:
        for r in results:
            print(
                f"{r['name']}: init median {r['median']:.1f} ms, p90 {r['p90']:.1f} ms, "
                f"min {r['min']:.1f} ms; peak RSS {r['rss_mib']:.1f} MiB; {r['size_mib']:.2f} MiB"
            )


if __name__ == "__main__":
    main()
