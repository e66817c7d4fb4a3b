#!/usr/bin/env python3
"""Measures a Lambda binary's init time: from process spawn to its first
`GET /runtime/invocation/next` on a local stand-in of the Lambda Runtime API.

Usage: benches/cold_start.py BINARY [RUNS]
Prints min / median / p90 in milliseconds. Needs the env the function reads at
init (TABLE_NAME, queue URLs); values are placeholders, no AWS call is made
before the first invocation.
"""

import http.server
import os
import statistics
import subprocess
import sys
import threading
import time


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    first_next = None

    def do_GET(self):  # noqa: N802
        if "/invocation/next" in self.path and RuntimeApi.first_next is None:
            RuntimeApi.first_next = time.perf_counter()
        # Hold the request: the function waits here, as it would between invocations.
        time.sleep(0.2)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


def run_once(binary: str, port: int) -> float:
    RuntimeApi.first_next = None
    env = dict(
        os.environ,
        AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}",
        AWS_LAMBDA_FUNCTION_NAME="bench",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
        AWS_LAMBDA_FUNCTION_VERSION="1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
        TABLE_NAME="bench",
        SYNC_QUEUE_URL="http://127.0.0.1:1/sync.fifo",
        POLL_QUEUE_URL="http://127.0.0.1:1/poll.fifo",
        RUST_LOG="off",
    )
    start = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 10
        while RuntimeApi.first_next is None and time.perf_counter() < deadline:
            time.sleep(0.0005)
        if RuntimeApi.first_next is None:
            raise SystemExit("the binary never asked for an invocation")
        return (RuntimeApi.first_next - start) * 1000
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    samples = sorted(run_once(binary, server.server_address[1]) for _ in range(runs))
    p90 = samples[int(len(samples) * 0.9) - 1]
    print(
        f"{os.path.basename(binary)}: init min {samples[0]:.1f} ms, "
        f"median {statistics.median(samples):.1f} ms, p90 {p90:.1f} ms over {runs} runs"
    )
    server.shutdown()


if __name__ == "__main__":
    main()
