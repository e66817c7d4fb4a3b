"""moto_server with one request at a time.

Real DynamoDB applies conditional writes to an item atomically; moto's threaded server does
not (two concurrent conditional puts can both pass their check). The tests assert what AWS
guarantees, so requests are serialized here: connections stay threaded, handling does not.

Usage: moto_serialized.py HOST PORT
"""

import sys
import threading

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            # Drain the response inside the lock so the whole request is one step.
            return list(app(environ, start_response))

    run_simple(host, port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
