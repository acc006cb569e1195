"""A moto server that handles one request at a time.

moto's default server is threaded and checks conditional writes (S3 If-Match /
If-None-Match, DynamoDB ConditionExpression) without a lock, so two racing
writers can both win. Serving requests strictly one after another makes every
condition check and its write atomic, which is what real S3 and DynamoDB
guarantee. Lease-race tests run against this instance.
"""

import os
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import run_simple

host = sys.argv[1]
port = int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, processes=1, request_handler=MotoRequestHandler)
