"""The second anchor of bench/scoring-server.sh: uvicorn with Starlette (the stack of FastAPI services, BentoML and
KServe's Python runtime) serving the same entry-script contract as powerai's scoring server and as
anchor_flask_app.py, with the same per-request work: a request id, run() with the body as text, the answer as
JSON, errors as 400/500 with the request id, one JSON log line per request.

    python3 -m uvicorn --workers N --host 127.0.0.1 --port PORT --app-dir /var/azureml-bench \
        --no-access-log anchor_starlette_app:app

run() is called in the event loop itself (an async endpoint), not in Starlette's thread pool: for a model that
answers in well under a millisecond the thread hand-off would cost more than run(), so this is the faster of the
two ways and the fairer anchor. uvicorn takes uvloop and httptools where they are installed (the bench image has
Debian's), as its "standard" install does.
"""
import importlib.util
import json
import os
import sys
import time
import traceback
import uuid

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

spec = importlib.util.spec_from_file_location("score", os.environ["AZUREML_ENTRY_SCRIPT"])
entry = importlib.util.module_from_spec(spec)
sys.path.insert(0, os.path.dirname(os.environ["AZUREML_ENTRY_SCRIPT"]))
spec.loader.exec_module(entry)
entry.init()  # once per worker: uvicorn's workers each import the app after they start


def log(**fields):
    fields["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    os.write(1, (json.dumps(fields, sort_keys=True) + "\n").encode("utf-8"))


async def liveness(request):
    return Response("Healthy", media_type="text/plain")


async def readiness(request):
    return Response('{"status": "ready"}', media_type="application/json")


async def score(request):
    started, request_id = time.monotonic(), str(uuid.uuid4())
    status = 200
    try:
        body = json.dumps(entry.run((await request.body()).decode("utf-8")))
    except (ValueError, KeyError, IndexError) as error:
        status, body = 400, json.dumps({"error": "bad input: %s" % error, "requestId": request_id})
    except Exception as error:
        traceback.print_exc()
        status, body = 500, json.dumps({"error": "run() raised %s" % type(error).__name__, "requestId": request_id})
    log(event="request", method="POST", path="/score", status=status, requestId=request_id, worker=os.getpid(),
        millis=round((time.monotonic() - started) * 1000, 3))
    return Response(body, status_code=status, media_type="application/json", headers={"x-ms-request-id": request_id})


app = Starlette(routes=[Route("/", liveness, methods=["GET"]), Route("/health", readiness, methods=["GET"]),
                        Route("/score", score, methods=["POST"])])
