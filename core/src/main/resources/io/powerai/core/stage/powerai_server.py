"""powerai scoring server: serves an Azure ML entry script (init() / run(raw_data)) over HTTP.

Shipped by powerai inside every scoring image; standard library only, so it runs on any Python 3 image.
  GET  /        liveness: 200 "Healthy" once init() has finished
  POST /score   the request body, decoded as UTF-8, goes to run(raw_data); its return value is sent as JSON
Environment: AZUREML_ENTRY_SCRIPT (path of score.py), AZUREML_MODEL_DIR (read by score.py), PORT (5001),
HOST (0.0.0.0), POWERAI_MAX_REQUEST_BYTES (10 MiB).
"""
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUEST_BYTES = int(os.environ.get("POWERAI_MAX_REQUEST_BYTES", str(10 * 1024 * 1024)))


def log(**fields):
    fields["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stdout.write(json.dumps(fields, sort_keys=True) + "\n")
    sys.stdout.flush()


def load_entry_script(path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    for name in ("init", "run"):
        if not callable(getattr(module, name, None)):
            raise RuntimeError("entry script %s defines no %s() function" % (path, name))
    return module


class ScoringHandler(BaseHTTPRequestHandler):
    server_version = "powerai-scoring"
    sys_version = ""
    entry = None
    run_lock = threading.Lock()  # entry scripts are written for one call at a time, as under AML's server

    def log_message(self, fmt, *args):  # one structured line per request instead (see _send)
        pass

    def _send(self, status, body, content_type, request_id, started):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", request_id)
        self.end_headers()
        self.wfile.write(data)
        log(method=self.command, path=self.path, status=status, requestId=request_id,
            millis=round((time.monotonic() - started) * 1000, 3))

    def do_GET(self):
        started, request_id = time.monotonic(), str(uuid.uuid4())
        if self.path == "/":
            self._send(200, "Healthy", "text/plain; charset=utf-8", request_id, started)
        else:
            self._send(404, json.dumps({"error": "no route " + self.path}), "application/json", request_id, started)

    def do_POST(self):
        started, request_id = time.monotonic(), str(uuid.uuid4())
        if self.path not in ("/score", "/score/"):
            self._send(404, json.dumps({"error": "no route " + self.path}), "application/json", request_id, started)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(413, json.dumps({"error": "request body over %d bytes" % MAX_REQUEST_BYTES, "requestId": request_id}),
                       "application/json", request_id, started)
            return
        try:
            raw = self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, json.dumps({"error": "request body is not UTF-8", "requestId": request_id}),
                       "application/json", request_id, started)
            return
        try:
            with self.run_lock:
                result = self.entry.run(raw)
            body = json.dumps(result)
        except Exception as error:  # the entry script's failure is the client's 500, with the request id to find the log
            traceback.print_exc(file=sys.stderr)
            self._send(500, json.dumps({"error": "run() failed: %s" % type(error).__name__, "requestId": request_id}),
                       "application/json", request_id, started)
            return
        self._send(200, body, "application/json", request_id, started)


def main():
    entry_path = os.environ.get("AZUREML_ENTRY_SCRIPT", "score.py")
    try:
        entry = load_entry_script(entry_path)
        entry.init()
    except Exception:
        traceback.print_exc(file=sys.stderr)
        log(event="init failed", entryScript=entry_path)
        sys.exit(3)
    ScoringHandler.entry = entry
    host, port = os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "5001"))
    server = ThreadingHTTPServer((host, port), ScoringHandler)
    server.daemon_threads = True
    log(event="listening", host=host, port=port, entryScript=entry_path, modelDir=os.environ.get("AZUREML_MODEL_DIR"))
    server.serve_forever()


if __name__ == "__main__":
    main()
