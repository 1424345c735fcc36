"""The anchor of bench/scoring-server.sh: the Azure ML inference server's stack (Flask under gunicorn) serving the
same entry-script contract as powerai's scoring server, with the same per-request work: a request id, run() with
the body as text, the answer as JSON, errors as 400/500 with the request id, one JSON log line per request.

    gunicorn --workers N --bind 127.0.0.1:PORT --chdir /var/azureml-bench anchor_flask_app:app
"""
import importlib.util
import json
import os
import sys
import time
import traceback
import uuid

from flask import Flask, Response, request

spec = importlib.util.spec_from_file_location("score", os.environ["AZUREML_ENTRY_SCRIPT"])
entry = importlib.util.module_from_spec(spec)
sys.path.insert(0, os.path.dirname(os.environ["AZUREML_ENTRY_SCRIPT"]))
spec.loader.exec_module(entry)
entry.init()  # once per worker: gunicorn imports the app after the fork (no --preload)

app = Flask(__name__)


def log(**fields):
    fields["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    os.write(1, (json.dumps(fields, sort_keys=True) + "\n").encode("utf-8"))


@app.route("/", methods=["GET"])
def liveness():
    return Response("Healthy", mimetype="text/plain")


@app.route("/health", methods=["GET"])
def readiness():
    return Response('{"status": "ready"}', mimetype="application/json")


@app.route("/score", methods=["POST"])
def score():
    started, request_id = time.monotonic(), str(uuid.uuid4())
    status = 200
    try:
        body = json.dumps(entry.run(request.get_data().decode("utf-8")))
    except (ValueError, KeyError, IndexError) as error:
        status, body = 400, json.dumps({"error": "bad input: %s" % error, "requestId": request_id})
    except Exception as error:
        traceback.print_exc()
        status, body = 500, json.dumps({"error": "run() raised %s" % type(error).__name__, "requestId": request_id})
    log(event="request", method="POST", path="/score", status=status, requestId=request_id, worker=os.getpid(),
        millis=round((time.monotonic() - started) * 1000, 3))
    return Response(body, status=status, mimetype="application/json", headers={"x-ms-request-id": request_id})
