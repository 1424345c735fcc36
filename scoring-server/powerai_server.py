"""powerai scoring server: serves an Azure ML entry script (init() / run(raw_data)) over HTTP.

Shipped by powerai inside every scoring image. Standard library only; when the image has gunicorn it serves
through gunicorn instead (POWERAI_SERVER=auto, the default; =builtin or =gunicorn to choose).

Routes
  GET  /              liveness: 200 "Healthy" while the server serves; never needs a key (probes)
  GET  /health        readiness: 200 once this worker's init() has finished, 503 before; never needs a key
  POST /score         the body, decoded as UTF-8, goes to run(raw_data); its return value is sent as JSON
  OPTIONS /score      200, empty (as Azure ML); GET /score 405
  GET  /swagger.json  Swagger 2.0 generated from the sample request and response written into the image

Endpoint keys: when POWERAI_PRIMARY_KEY or POWERAI_SECONDARY_KEY is set (aksDeploy sets both from the Secret
<name>-keys), /score and /swagger.json need the header "Authorization: Bearer <either key>", as Azure ML's key
authentication; without it, or with another key, the answer is 401 with a JSON error and
"WWW-Authenticate: Bearer". Keys are compared in constant time, never logged, and taken out of the environment
before the entry script is loaded.

Azure ML's entry-script interfaces (docs/steps/scoringImage.md, "Azure ML parity"): a @rawhttp run() gets the
request object (RawRequest) for GET, POST and OPTIONS of /score and may return AMLResponse (RawResponse) with
its own status, headers and body; stand-ins for Azure ML's modules are installed where the image lacks them. A
run() with a request_headers parameter gets the headers; one decorated with inference-schema's @input_schema
gets the JSON object's keys as keyword arguments, and /swagger.json is built from its schema.

Request ids, as Azure ML's inference server sets them: x-request-id (the client's, else a new UUID) is the
request's id; x-ms-request-id is the client's x-ms-request-id, else its x-ms-client-request-id, else the request
id; x-ms-client-request-id is echoed (else the client's x-ms-request-id, else absent).

Errors (the body is always JSON: {"error": ..., "requestId": ...}; the request id is also the header
x-request-id and is in the container log line of the request):
  400  the body is not UTF-8 or not well-formed HTTP/1.1 (RFC 9112, read strictly: numbers in ASCII digits,
       lines ending in CRLF, no obs-fold, one Host, not both Transfer-Encoding and Content-Length...), or
       run() raised ValueError (json.JSONDecodeError and UnicodeDecodeError are ValueErrors), KeyError or
       IndexError, or hit the recursion limit on a body nested deeper than 500 levels: the client sent bad
       input. The exception's message is in the answer. The connection closes after a malformed request.
  401  no endpoint key, or a wrong one (only when keys are set)
  413  the body is over POWERAI_MAX_REQUEST_BYTES
  431  the request head is over 64 KiB or has over 100 fields
  501  a transfer coding other than chunked;  505  an HTTP version other than 1.x
  500  run() raised anything else (SystemExit too), or returned something json.dumps cannot encode, or the
       server failed on the request (a bug: logged, and the worker goes on). Only the exception's
       type is in the answer; the stack trace goes to the container log (POWERAI_DEBUG_ERRORS=1 adds it
       to the answer, for debugging only).
  504  run() did not return within POWERAI_SCORING_TIMEOUT_MS; the worker goes on serving.

Environment: AZUREML_ENTRY_SCRIPT (score.py; relative: under AML_APP_ROOT when set), AZUREML_MODEL_DIR (read by
score.py), SCORING_TIMEOUT_MS (Azure ML's name, when POWERAI_SCORING_TIMEOUT_MS is unset), PORT (5001),
HOST (0.0.0.0), WORKER_COUNT (Azure ML's name; default: the CPUs this container may use),
POWERAI_SCORING_TIMEOUT_MS (60000), POWERAI_MAX_REQUEST_BYTES (10 MiB), POWERAI_SERVER (auto),
POWERAI_PRELOAD (1), POWERAI_PRIMARY_KEY / POWERAI_SECONDARY_KEY (unset: no keys needed),
POWERAI_SAMPLE_REQUEST / POWERAI_SAMPLE_RESPONSE (files the swagger is generated from), POWERAI_DEBUG_ERRORS,
POWERAI_METRICS_PORT (unset or 0: no metrics).

Metrics: with POWERAI_METRICS_PORT set, the master (built-in or gunicorn's) answers GET /metrics on that port (same
HOST, no key: keep the port off the public Service) in the Prometheus text format, summed over all workers:
powerai_requests_total{route,status}, powerai_request_duration_seconds{route} (a histogram),
powerai_requests_in_flight, powerai_worker_restarts_total, powerai_model_load_seconds{worker},
powerai_run_exceptions_total{type}. Under gunicorn the same, from gunicorn's master (GunicornMetrics).

Start: with POWERAI_PRELOAD=1 the master process imports the entry script once, and the modules that the
model's pickle files name (sklearn, say), before it forks the workers, which share them; each worker then
calls init() itself, after the fork, as Azure ML does. The imports are most of the start time, and are then
paid once rather than once per worker. POWERAI_PRELOAD=0 imports the entry script in each worker instead
(for entry scripts whose module-level code must not run before a fork: threads, open connections).

The built-in server is a prefork server: the master process opens the listening socket and forks the
workers, which share it. Each worker is one thread running an event loop (keep-alive connections, no thread
per request) and calls run() itself, one request at a time, so that the scoring timeout can interrupt run()
with a signal. No request ends a worker: each connection's handling runs under a catch-all. The master
restarts a worker that dies all the same, after a back-off once deaths come fast, and never gives up (only
an init() failure before a worker was ready stops it); it kills a worker whose run() ignores the timeout.
Answers go out without blocking: one a client does not take waits in the connection's buffer, nothing more is
read from that client meanwhile, and it is dropped (with a reset, freeing the kernel's buffers) once it has
acknowledged none of the answer bytes waiting for it, ours or the kernel's, for OUTPUT_STALL_SECONDS. A
worker writes the log lines of its requests in batches (when it has nothing else to do, at 16 KiB, or after
50 ms): a write per request to the container's log pipe made requests wait on the container engine's log
reader, which was the slowest 1% of the answers under load.
"""
import collections
import fcntl
import gc
import hashlib
import hmac
import importlib
import importlib.util
import json
import mmap
import os
import pickletools
import random
import re
import select
import selectors
import signal
import socket
import stat
import struct
import sys
import termios
import threading
import time
import traceback

SERVER_VERSION = "powerai-scoring/2"
# Every number of the protocol and the configuration: ASCII digits only. str.isdigit() and int() also take
# Unicode digits ('²', '٣'), signs, spaces and '_'; a number that int() then refused ended a worker.
ASCII_DIGITS = re.compile(r"[0-9]+")
BAD_INPUT = (ValueError, KeyError, IndexError)
INIT_FAILED_EXIT = 3  # also gunicorn's "worker failed to boot": its master stops too
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_FIELDS = 100
MAX_CHUNK_LINE_BYTES = 4096
KEEP_ALIVE_SECONDS = 75
# A client that takes none of its answers for this long is dropped: its answers wait in memory meanwhile (at
# most one: the next pipelined request is not read until the last answer has gone out).
OUTPUT_STALL_SECONDS = 10
# Requests of one connection answered in a row before the worker turns to its other connections: a client
# pipelining thousands of requests shares the worker instead of holding it.
REQUESTS_PER_TURN = 32
DEEP_JSON_LEVELS = 500
DEFER_SECONDS = 0.05
REASONS = {100: "Continue", 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
           302: "Found", 304: "Not Modified", 403: "Forbidden", 409: "Conflict", 415: "Unsupported Media Type",
           422: "Unprocessable Content", 429: "Too Many Requests", 502: "Bad Gateway", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Content Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
           504: "Gateway Timeout", 505: "HTTP Version Not Supported"}


def env_int(name, default, minimum):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not ASCII_DIGITS.fullmatch(text) or len(text) > 18:
        raise SystemExit("powerai scoring server: %s must be a whole number (digits 0-9); got %r" % (name, text))
    value = int(text)
    if value < minimum:
        raise SystemExit("powerai scoring server: %s must be at least %d; got %d" % (name, minimum, value))
    return value


def usable_cpus():
    """CPUs this container may use: its affinity, capped by a CFS quota (cgroup v2 or v1) when one is set."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = None
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            text = f.read().split()
            if text[0] != "max":
                quota = int(text[0]) / int(text[1])
    except (OSError, ValueError, IndexError):
        try:
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as q, open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as p:
                limit, period = int(q.read()), int(p.read())
                if limit > 0 and period > 0:
                    quota = limit / period
        except (OSError, ValueError):
            pass
    if quota:
        cpus = min(cpus, max(1, int(quota + 0.5)))
    return max(1, cpus)


class Config:
    def __init__(self):
        self.entry_script = os.environ.get("AZUREML_ENTRY_SCRIPT", "score.py")
        # Azure ML resolves a relative AZUREML_ENTRY_SCRIPT against AML_APP_ROOT (its default: /var/azureml-app)
        app_root = os.environ.get("AML_APP_ROOT", "").strip()
        if app_root and not os.path.isabs(self.entry_script):
            self.entry_script = os.path.join(app_root, self.entry_script)
        self.model_dir = os.environ.get("AZUREML_MODEL_DIR")
        self.host = os.environ.get("HOST", "0.0.0.0")
        self.port = env_int("PORT", 5001, 1)
        self.workers = env_int("WORKER_COUNT", 0, 0) or usable_cpus()
        # Azure ML's name, SCORING_TIMEOUT_MS, is read too; powerai's own wins where both are set
        self.timeout_ms = env_int("POWERAI_SCORING_TIMEOUT_MS", env_int("SCORING_TIMEOUT_MS", 60000, 0), 0)
        self.max_request_bytes = env_int("POWERAI_MAX_REQUEST_BYTES", 10 * 1024 * 1024, 1)
        self.server = os.environ.get("POWERAI_SERVER", "auto").strip().lower() or "auto"
        if self.server not in ("auto", "builtin", "gunicorn"):
            raise SystemExit("powerai scoring server: POWERAI_SERVER must be auto, builtin or gunicorn; got %r" % self.server)
        self.debug_errors = os.environ.get("POWERAI_DEBUG_ERRORS", "") not in ("", "0", "false")
        self.preload = os.environ.get("POWERAI_PRELOAD", "1").strip().lower() not in ("0", "false", "no")
        # Out of the environment before the entry script is loaded: run() and its subprocesses never see them.
        keys = [os.environ.pop(name, "").strip() for name in ("POWERAI_PRIMARY_KEY", "POWERAI_SECONDARY_KEY")]
        self.key_digests = [hashlib.sha256(k.encode("utf-8")).digest() for k in keys if k]
        self.sample_request = os.environ.get("POWERAI_SAMPLE_REQUEST")
        self.sample_response = os.environ.get("POWERAI_SAMPLE_RESPONSE")
        self.metrics_port = env_int("POWERAI_METRICS_PORT", 0, 0)  # 0: no /metrics


_SECOND = [0, ""]  # the last whole second formatted by now_iso, and its text: strftime once a second, not per line


def now_iso():
    t = time.time()
    second = int(t)
    if _SECOND[0] != second:
        _SECOND[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return _SECOND[1] + ".%03dZ" % int((t - second) * 1000)


def log_line(level, event, fields):
    fields["time"] = now_iso()
    fields["level"] = level
    fields["event"] = event
    return (json.dumps(fields, sort_keys=True, default=str) + "\n").encode("utf-8", "replace")


_JSON_STRING = json.encoder.encode_basestring_ascii


def request_log_line(level, method, path, status, request_id, millis, bytes_in, bytes_out, error=None):
    """
    log_line("request", ...)'s bytes for the line every request writes, put together directly: the same keys in
    the same (sorted) order and the same escaping (ensure_ascii), at a third of json.dumps' cost
    (test_parser.test_requestLogLine_sameBytesAsLogLine).
    """
    return ('{"bytesIn": %d, "bytesOut": %d, %s"event": "request", "level": "%s", "method": %s, "millis": %r, '
            '"path": %s, "requestId": %s, "status": %d, "time": "%s", "worker": %d}\n' % (
                bytes_in, bytes_out, '"error": %s, ' % _JSON_STRING(error) if error else "", level, _JSON_STRING(method),
                millis, _JSON_STRING(path), _JSON_STRING(request_id), status, now_iso(), PID[0])).encode("ascii")


def write_stdout(data):
    try:
        os.write(1, data)
    except OSError:
        pass


class RequestLog:
    """
    Log lines of a built-in worker, written without making requests wait for the container engine's log reader.

    Lines are batched: a batch goes out when the worker has nothing else to do, when the next line would not fit
    into one atomic pipe write (PIPE_BUF: the workers share the pipe and must not interleave), or 50 ms after its
    first line. When stdout is a pipe the worker writes through a non-blocking descriptor of its own; batches the
    pipe cannot take yet wait in memory (MAX_PENDING) until the selector says it can. Only when the reader falls
    behind for longer than that are request lines counted rather than kept, and the counts logged as one line
    ("request lines not logged") as soon as the pipe takes lines again. Other lines (events, errors) are always
    kept. Elsewhere (the master, gunicorn workers, other threads) lines are written at once.
    """
    MAX_AGE = 0.05
    MAX_BYTES = getattr(select, "PIPE_BUF", 4096)
    MAX_PENDING = 4 * 1024 * 1024

    def __init__(self):
        self.batched = False
        self.fd = 1
        self.lines = []
        self.size = 0
        self.since = 0.0
        self.pending = collections.deque()
        self.pending_bytes = 0
        self.not_logged = {}  # status -> request lines counted instead of kept

    def start_batching(self):
        self.batched = True
        try:
            if stat.S_ISFIFO(os.fstat(1).st_mode):
                # A description of the pipe of its own: O_NONBLOCK on fd 1 would reach every process sharing it
                self.fd = os.open("/proc/self/fd/1", os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            self.fd = 1

    def add(self, line, status=None):
        """A line to write; a request's line (with its status) may be counted instead when too much waits."""
        if not self.batched:
            write_stdout(line)
            return
        if status is not None and self.pending_bytes >= self.MAX_PENDING:
            self.not_logged[status] = self.not_logged.get(status, 0) + 1
            return
        if self.size + len(line) > self.MAX_BYTES:
            self.flush()
        if not self.lines:
            self.since = time.monotonic()
        self.lines.append(line)
        self.size += len(line)
        if status is None or self.since + self.MAX_AGE <= time.monotonic():
            self.flush()

    def flush(self):
        if self.lines:
            chunk = b"".join(self.lines)
            self.lines = []
            self.size = 0
            self.pending.append(chunk)
            self.pending_bytes += len(chunk)
        self.drain()

    def drain(self):
        """Writes what waits, as far as the pipe takes it; True when nothing waits any more."""
        while self.pending:
            chunk = self.pending[0]
            try:
                written = os.write(self.fd, chunk)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:  # nobody reads the log any more: nothing to keep it for
                self.pending.clear()
                self.pending_bytes = 0
                break
            self.pending_bytes -= written
            if written < len(chunk):
                self.pending[0] = chunk[written:]
            else:
                self.pending.popleft()
            if not self.pending and self.not_logged:
                counts, self.not_logged = self.not_logged, {}
                line = log_line("warning", "request lines not logged", {
                    "count": sum(counts.values()), "statuses": {str(k): v for k, v in sorted(counts.items())},
                    "worker": os.getpid(), "reason": "the container's log reader fell behind; requests did not wait for it"})
                self.pending.append(line)
                self.pending_bytes += len(line)
        return True

    def finish(self):
        """Before the worker exits: what still waits is written, waiting for the reader if need be."""
        if self.batched:
            if self.fd != 1:
                os.close(self.fd)
            self.fd = 1
            self.flush()


REQUEST_LOG = RequestLog()
# This process's id, for the request log line: os.getpid() is a system call each time. Kept right across forks.
PID = [os.getpid()]
os.register_at_fork(after_in_child=lambda: PID.__setitem__(0, os.getpid()))
METRICS = None  # a built-in worker's WorkerMetrics, when the master serves /metrics


def log(level, event, **fields):
    """One JSON object per line on stdout, written with one system call so that workers never interleave."""
    line = log_line(level, event, fields)
    if REQUEST_LOG.batched and threading.current_thread() is threading.main_thread():
        REQUEST_LOG.add(line)  # after the worker's earlier lines, and never counted away
    else:
        write_stdout(line)


class ScoringTimeout(BaseException):
    """Raised inside run() by the timer; a BaseException so that an entry script's `except Exception` lets it by."""


def to_json_default(value):
    # numpy arrays and scalars (and anything else with tolist()) are what entry scripts most often return
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError("%s is not JSON-serializable" % type(value).__name__)


# run()'s value as JSON: one encoder for all answers (json.dumps with arguments builds a new one per call)
ANSWER_ENCODER = json.JSONEncoder(default=to_json_default, allow_nan=False)


def json_schema(value):
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer", "format": "int64"}
    if isinstance(value, float):
        return {"type": "number", "format": "double"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        items = [json_schema(v) for v in value]
        if items and all(i == items[0] for i in items):
            return {"type": "array", "items": items[0]}
        if items and all(i.get("type") in ("integer", "number") for i in items):
            return {"type": "array", "items": {"type": "number", "format": "double"}}
        return {"type": "array", "items": items[0] if items else {}}
    if isinstance(value, dict):
        return {"type": "object", "required": sorted(value), "properties": {k: json_schema(v) for k, v in value.items()}}
    return {"x-nullable": True}


def swagger_document(config, schemas=None):
    """
    Swagger 2.0 for /score, in the shape Azure ML generates (RunMLService, ServiceInput, ServiceOutput): from
    run()'s inference-schema decorators when it has them (schemas: (input, output)), else from the samples.
    """
    if schemas is None and (not config.sample_request or not os.path.isfile(config.sample_request)):
        return None

    def sample(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            return True, json.loads(text)
        except ValueError:
            return False, text

    if schemas is not None:
        is_json, (input_schema, output_schema) = True, schemas
    else:
        is_json, request = sample(config.sample_request)
        input_schema = json_schema(request) if is_json else {"type": "string"}
        input_schema["example"] = request
        output_schema = {}
    if schemas is None and config.sample_response and os.path.isfile(config.sample_response):
        out_is_json, response = sample(config.sample_response)
        output_schema = json_schema(response) if out_is_json else {"type": "string"}
        output_schema["example"] = response
    title = os.path.basename(os.path.dirname(config.model_dir or "")) or "model"
    return {
        "swagger": "2.0",
        "info": {"title": title, "description": "Scoring API of " + title + " (generated by powerai from the sample request)",
                 "version": os.path.basename(config.model_dir or "") or "1.0"},
        "schemes": ["http"],
        "consumes": ["application/json" if is_json else "text/plain"],
        "produces": ["application/json"],
        "paths": {
            "/": {"get": {"operationId": "ServiceHealthCheck", "description": "Liveness",
                          "responses": {"200": {"description": "Healthy", "schema": {"type": "string"}}}}},
            "/health": {"get": {"operationId": "ServiceReadiness", "description": "Readiness: init() has finished",
                                "responses": {"200": {"description": "Ready"}, "503": {"description": "init() still running"}}}},
            "/score": {"post": {
                "operationId": "RunMLService", "description": "Run the model on the request body",
                "parameters": [{"name": "serviceInputData", "in": "body", "required": True,
                                "schema": {"$ref": "#/definitions/ServiceInput"}}],
                "responses": {"200": {"description": "The model's answer", "schema": {"$ref": "#/definitions/ServiceOutput"}},
                              "default": {"description": "Failed", "schema": {"$ref": "#/definitions/ErrorResponse"}}}}},
        },
        "definitions": {
            "ServiceInput": input_schema,
            "ServiceOutput": output_schema,
            "ErrorResponse": {"type": "object", "properties": {"error": {"type": "string"}, "requestId": {"type": "string"}}},
        },
    }

# ---------------------------------------------------------------------------------------------------------
# Azure ML's entry-script interfaces beyond init()/run(raw_data): @rawhttp with AMLRequest/AMLResponse, a
# request_headers parameter, and inference-schema's @input_schema/@output_schema.

class RawRequest:
    """
    What a @rawhttp run() receives: the request, with the attributes of Azure ML's AMLRequest (a Flask request)
    that entry scripts use. powerai's own object, not a Flask one: Flask is not in the image.
    """

    def __init__(self, method, target, headers, body):
        path, _, query = target.partition("?")
        self.method = method
        self.path = path
        self.full_path = path + "?" + query
        self.query_string = query.encode("latin-1")
        self.headers = Headers(headers)
        self.args = QueryArgs(query)
        self.data = body
        self.content_type = self.headers.get("Content-Type")
        self.content_length = len(body)

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        return self.data.decode("utf-8", "replace") if as_text else self.data

    def get_json(self, force=False, silent=False, cache=True):
        if not force and "json" not in (self.content_type or "").lower():
            return None
        try:
            return json.loads(self.data.decode("utf-8"))
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self):
        return self.get_json()


class Headers(dict):
    """Header fields by lowercase name; get() and [] take any case, as Werkzeug's Headers do."""

    def get(self, name, default=None, type=None):
        value = dict.get(self, name.lower(), default)
        if type is not None and value is not None:
            try:
                return type(value)
            except (TypeError, ValueError):
                return default
        return value

    def __getitem__(self, name):
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name):
        return dict.__contains__(self, name.lower())


class QueryArgs(dict):
    """The query string's parameters: [] and get() give a name's first value, getlist() all of them."""

    def __init__(self, query):
        import urllib.parse
        self.lists = {}
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            self.lists.setdefault(name, []).append(value)
        dict.__init__(self, {name: values[0] for name, values in self.lists.items()})

    def getlist(self, name):
        return list(self.lists.get(name, ()))


class RawResponse:
    """
    Azure ML's AMLResponse(message, status_code, headers=None, json_str=False): what a @rawhttp run() may
    return to answer with its own status, headers and body (bytes, text, or with json_str=True a value sent as JSON).
    """

    def __init__(self, message, status_code=200, headers=None, json_str=False):
        if json_str:
            body, content_type = json.dumps(message, default=to_json_default).encode("utf-8"), "application/json"
        elif isinstance(message, (bytes, bytearray)):
            body, content_type = bytes(message), "application/octet-stream"
        else:
            body, content_type = str(message if message is not None else "").encode("utf-8"), "text/html; charset=utf-8"
        self.status_code = status_code
        self.headers = dict(headers or {})
        if not any(name.lower() == "content-type" for name in self.headers):
            self.headers["Content-Type"] = content_type
        self.data = body

    def get_data(self, as_text=False):
        return self.data.decode("utf-8", "replace") if as_text else self.data


def rawhttp(func):
    """Azure ML's @rawhttp: run() gets the request object (RawRequest) instead of the body as text."""
    func.__powerai_rawhttp__ = True
    sys.modules[__name__]._rawHttpRequested = True
    return func


# Where entry scripts import them from: azureml-contrib-services (SDK v1) and the inference server's own API.
AZUREML_MODULES = {
    "azureml.contrib.services.aml_request": {"AMLRequest": RawRequest, "rawhttp": rawhttp},
    "azureml.contrib.services.aml_response": {"AMLResponse": RawResponse},
    "azureml_inference_server_http.api.aml_request": {"AMLRequest": RawRequest, "rawhttp": rawhttp},
    "azureml_inference_server_http.api.aml_response": {"AMLResponse": RawResponse},
}


def module_importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package missing
        return False


def install_azureml_stand_ins():
    """
    Stand-ins for Azure ML's request/response modules where the image lacks the real ones (they need Flask),
    so that an entry script written for Azure ML imports as it is. Real modules, where present, are used.
    """
    import types
    for name, members in AZUREML_MODULES.items():
        if name in sys.modules or module_importable(name):
            continue
        parts = name.split(".")
        for depth in range(1, len(parts)):
            parent = ".".join(parts[:depth])
            if parent not in sys.modules and not module_importable(parent):
                package = types.ModuleType(parent, "powerai stand-in for Azure ML's package")
                package.__path__ = []
                sys.modules[parent] = package
        module = types.ModuleType(name, "powerai stand-in for Azure ML's " + name)
        module.__dict__.update(members)
        module._rawHttpRequested = False
        sys.modules[name] = module
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)


def is_rawhttp(run):
    if getattr(run, "__powerai_rawhttp__", False):
        return True
    # The real modules' decorator marks the module, not the function (as Azure ML's server reads it)
    return any(getattr(sys.modules.get(name), "_rawHttpRequested", False) for name in AZUREML_MODULES if name.endswith("aml_request"))


def schema_of(run):
    """(input schema, output schema) from inference-schema's decorators on run(); None without them or the package."""
    try:
        from inference_schema import schema_util
    except ImportError:
        return None
    try:
        if not schema_util.is_schema_decorated(run):
            return None
        return schema_util.get_input_schema(run), schema_util.get_output_schema(run)
    except Exception as error:  # a schema that cannot be read must not stop the server: the samples' swagger stays
        log("warning", "inference-schema decorators could not be read", error="%s: %s" % (type(error).__name__, str(error)[:300]))
        return None


def run_parameters(run):
    import inspect
    try:
        return list(inspect.signature(run).parameters)
    except (TypeError, ValueError):
        return []


def raw_response(result, request_id):
    """(status, content type, body, extra header bytes) of a response object run() returned; None for other values."""
    status = getattr(result, "status_code", None)
    if not isinstance(status, int) or isinstance(status, bool) or not (hasattr(result, "get_data") or hasattr(result, "data")):
        return None
    if not 200 <= status <= 599:
        return 500, "application/json", error_body("run() returned a response with status %r (not 200-599)" % status, request_id), b""
    body = result.get_data() if callable(getattr(result, "get_data", None)) else result.data
    if isinstance(body, str):
        body = body.encode("utf-8")
    content_type = "application/octet-stream"
    extra = []
    headers = getattr(result, "headers", None) or {}
    for name, value in (headers.items() if hasattr(headers, "items") else headers):
        name, value = str(name), str(value)
        if not FIELD_NAME.fullmatch(name) or RESPONSE_VALUE_FORBIDDEN.search(value):
            return 500, "application/json", error_body(
                "run() returned a response with a malformed header %r" % name[:100], request_id), b""
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        elif lower not in SERVER_OWNED_HEADERS:  # framing and ids stay the server's
            extra.append(("\r\n%s: %s" % (name, value)).encode("latin-1", "replace"))
    return status, content_type, bytes(body), b"".join(extra)


RESPONSE_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
SERVER_OWNED_HEADERS = frozenset(("content-length", "transfer-encoding", "connection", "date", "server", "x-request-id",
                                  "x-ms-request-id", "x-ms-client-request-id", "keep-alive", "upgrade", "trailer"))


class Scorer:
    """The Azure ML contract for one worker: loads the entry script, runs init() once, answers requests."""

    def __init__(self, config, preloaded=None):
        self.config = config
        self.preloaded = preloaded  # the entry script, imported by the master before the fork (see preload)
        self.module = None
        self.ready = threading.Event()
        self.in_run = False
        self.busy_slot = None  # (mmap, offset) the master watches, in the built-in server
        self.init_seconds = 0.0
        # How run() is called, decided once its module is loaded: "text" run(raw_data), "headers" run(raw_data,
        # request_headers=...), "schema" run(**the JSON object), "raw" run(request) (@rawhttp)
        self.calling = "text"
        swagger = swagger_document(config)
        self.swagger = json.dumps(swagger, sort_keys=True).encode("utf-8") if swagger else None
        if config.timeout_ms and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGALRM, self._on_alarm)

    def _on_alarm(self, signum, frame):
        if self.in_run:
            raise ScoringTimeout()

    def start_init(self, on_done=None):
        """init() in a thread of its own, so that / and /health answer meanwhile; a failure ends the worker."""
        def initialise():
            started = time.monotonic()
            try:
                module = self.preloaded or load_entry_script(self.config.entry_script)
                module.init()
            except BaseException as error:
                sys.stderr.write("init() failed in worker %d:\n%s" % (os.getpid(), traceback.format_exc()))
                sys.stderr.flush()
                log("error", "init failed", entryScript=self.config.entry_script, worker=os.getpid(),
                    error="%s: %s" % (type(error).__name__, str(error)[:500]))
                os._exit(INIT_FAILED_EXIT)
            self.analyse(module)
            self.module = module
            # What init() loaded lives as long as the worker: out of the collector's sight, so that no full
            # collection walks the model's objects in the middle of a request.
            gc.collect()
            gc.freeze()
            self.init_seconds = time.monotonic() - started
            self.ready.set()
            log("info", "ready", worker=os.getpid(), initMillis=round(self.init_seconds * 1000, 1))
            if on_done:
                on_done()
        threading.Thread(target=initialise, name="powerai-init", daemon=True).start()

    def analyse(self, module):
        """How run() wants to be called (as Azure ML's server decides it), and the swagger its schema gives."""
        run = module.run
        parameters = run_parameters(run)
        schemas = schema_of(run)
        if is_rawhttp(run):
            self.calling = "raw"
        elif schemas is not None:
            self.calling = "schema"
            self.schema_parameters = [p for p in parameters if p != "request_headers"]
        elif "request_headers" in parameters:
            self.calling = "headers"
        self.wants_headers = "request_headers" in parameters
        if schemas is not None and self.calling != "raw":
            self.swagger = json.dumps(swagger_document(self.config, schemas), sort_keys=True).encode("utf-8")
        log("info", "entry script", run={"text": "run(raw_data)", "headers": "run(raw_data, request_headers)",
                                         "schema": "run(**inputs) (inference-schema)", "raw": "run(request) (@rawhttp)"}[self.calling],
            worker=os.getpid())

    def handle(self, method, path, body, request_id, headers=None):
        """
        Returns (status, content type, body bytes) for one complete request, or (status, content type, body,
        extra header bytes) where a @rawhttp run() answered with a response object of its own.
        """
        target = path
        path = path.split("?", 1)[0]
        if path == "/score" or path == "/score/":
            if self.calling == "raw" and method in ("GET", "POST", "OPTIONS"):  # Azure ML's methods of /score
                return self.score_raw(method, target, headers or {}, body, request_id)
            if method == "OPTIONS":  # as Azure ML: a preflight's answer, empty (CORS headers are a proxy's business here)
                return 200, "text/plain; charset=utf-8", b""
            if method != "POST":
                return 405, "application/json", error_body("use POST /score", request_id)
            return self.score(body, request_id, headers)
        if method not in ("GET", "HEAD"):
            if path in ("/", "/health", "/swagger.json"):
                return 405, "application/json", error_body("use GET " + path, request_id)
            return 404, "application/json", error_body("no route %s %s" % (method, path), request_id)
        if path == "/":
            return 200, "text/plain; charset=utf-8", b"Healthy"
        if path == "/health":
            if self.ready.is_set():
                return 200, "application/json", b'{"status": "ready"}'
            return 503, "application/json", b'{"status": "init() is running"}'
        if path == "/swagger.json":
            if self.swagger is None:
                return 404, "application/json", error_body(
                    "no swagger: the image was built without a sample request (score.sample_request)", request_id)
            return 200, "application/json", self.swagger
        return 404, "application/json", error_body("no route %s %s" % (method, path), request_id)

    def score(self, body, request_id, headers=None):
        try:
            raw = body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "application/json", error_body("the request body is not UTF-8", request_id)
        self.ready.wait()
        if self.calling == "text":
            return self.call_run(self.module.run, (raw,), None, raw, request_id)
        kwargs = {"request_headers": dict(headers or {})} if self.wants_headers else {}
        if self.calling == "schema":
            # As Azure ML with @input_schema: the body is a JSON object whose keys are run()'s parameters
            try:
                inputs = json.loads(raw)
            except (ValueError, RecursionError) as error:
                return 400, "application/json", error_body("bad input: the body is not JSON (%s)" % str(error)[:200], request_id)
            if not isinstance(inputs, dict):
                return 400, "application/json", error_body("bad input: the body must be a JSON object of run()'s parameters "
                                                           + ", ".join(self.schema_parameters), request_id)
            unknown = sorted(set(inputs) - set(self.schema_parameters))
            if unknown:
                return 400, "application/json", error_body("bad input: run() has no parameter %s (it takes %s)"
                                                           % (", ".join(unknown)[:200], ", ".join(self.schema_parameters)), request_id)
            kwargs.update(inputs)
            return self.call_run(self.module.run, (), kwargs, raw, request_id)
        return self.call_run(self.module.run, (raw,), kwargs, raw, request_id)

    def score_raw(self, method, target, headers, body, request_id):
        """@rawhttp: run(request) with the request object; a response object it returns is sent as it is."""
        self.ready.wait()
        request = RawRequest(method, target, headers, body)
        result = self.call_run(self.module.run, (request,), {"request_headers": dict(headers)} if self.wants_headers else None,
                               "", request_id, response_object=True)
        return result

    def call_run(self, run, args, kwargs, raw, request_id, response_object=False):
        timeout = self.config.timeout_ms / 1000.0
        slot = self.busy_slot
        if slot:
            struct.pack_into("d", slot[0], slot[1], time.monotonic())
        try:
            try:
                if timeout:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                self.in_run = True
                result = run(*args, **kwargs) if kwargs else run(*args)
                self.in_run = False
            finally:
                self.in_run = False
                if timeout:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if slot:
                    struct.pack_into("d", slot[0], slot[1], 0.0)
        except ScoringTimeout:
            log("error", "scoring timeout", requestId=request_id, timeoutMs=self.config.timeout_ms)
            return 504, "application/json", error_body(
                "run() did not finish within scoring_timeout_ms=%d and was interrupted" % self.config.timeout_ms, request_id)
        except BaseException as error:  # whatever run() raises, the worker goes on serving
            if METRICS is not None:
                METRICS.exception(type(error).__name__)
            return self.run_raised(error, raw, request_id)
        if response_object:
            answer = raw_response(result, request_id)
            if answer is not None:
                return answer
        try:
            return 200, "application/json", ANSWER_ENCODER.encode(result).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as error:
            sys.stderr.write("run() returned a value that is not JSON (requestId %s): %s\n" % (request_id, error))
            sys.stderr.flush()
            return 500, "application/json", error_body(
                "run() returned a value that cannot be encoded as JSON (%s)" % str(error)[:200], request_id)

    def run_raised(self, error, raw, request_id):
        """The answer to an exception from run(): 400 for the client's bad input, else 500."""
        if isinstance(error, BAD_INPUT):
            message = "bad input: %s: %s" % (type(error).__name__, str(error)[:1000])
            return 400, "application/json", error_body(message, request_id)
        # json.loads of a body nested thousands of levels deep: the client's input, not the model's fault
        if isinstance(error, RecursionError) and json_nesting_depth(raw) > DEEP_JSON_LEVELS:
            return 400, "application/json", error_body(
                "bad input: the request body nests deeper than %d levels" % DEEP_JSON_LEVELS, request_id)
        return self.run_failed(error, request_id)  # SystemExit too: whatever run() raises, the worker goes on

    def run_failed(self, error, request_id):
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        sys.stderr.write("run() failed (requestId %s):\n%s" % (request_id, trace))
        sys.stderr.flush()
        message = "run() raised %s; the container log has the details under this request id" % type(error).__name__
        return 500, "application/json", error_body(message, request_id, trace if self.config.debug_errors else None)


JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
JSON_BRACKETS = re.compile(r"[\[\]{}]")


def json_nesting_depth(text):
    """The deepest nesting of [ and { in text, strings left out; only called when run() hit the recursion limit."""
    depth = deepest = 0
    for bracket in JSON_BRACKETS.findall(JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


KEYED_PATHS = ("/score", "/score/", "/swagger.json")


def key_refusal(config, path, authorization):
    """None when the request may go on; else the 401's (message, WWW-Authenticate challenge) (RFC 6750)."""
    if not config.key_digests or path.split("?", 1)[0] not in KEYED_PATHS:
        return None
    if not authorization or not authorization.strip():
        return ("this endpoint needs a key: send the header 'Authorization: Bearer <key>' with the endpoint's"
                " primary or secondary key", "Bearer")
    scheme, _, token = authorization.strip().partition(" ")
    # Digests of equal length, compared in constant time, and both keys always: neither the time taken nor
    # an early exit tells how much of a key was right, or which one.
    digest = hashlib.sha256(token.strip().encode("utf-8", "replace")).digest()
    matched = False
    for key in config.key_digests:
        matched |= hmac.compare_digest(digest, key)
    if scheme.lower() != "bearer" or not matched:
        return ("the endpoint key is not valid: send 'Authorization: Bearer <key>' with the endpoint's primary or"
                " secondary key", 'Bearer error="invalid_token"')
    return None


def function_failed(status):
    """Azure ML's x-ms-run-function-failed: the request reached the scoring code's side and failed there."""
    return status >= 400 and status not in (401, 404, 405, 503)


def load_entry_script(path):
    """Imports the entry script as the module 'score' and checks that it defines init() and run()."""
    spec = importlib.util.spec_from_file_location("score", path)
    if spec is None:
        raise RuntimeError("entry script %s cannot be loaded (AZUREML_ENTRY_SCRIPT)" % path)
    install_azureml_stand_ins()
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    for name in ("init", "run"):
        if not callable(getattr(module, name, None)):
            raise RuntimeError("entry script %s defines no %s() function" % (path, name))
    return module


PICKLE_SCAN_MAX_FILES = 64
PICKLE_SCAN_MAX_BYTES = 64 * 1024 * 1024
PICKLE_SCAN_SECONDS = 0.2  # a pickle of millions of small objects has millions of opcodes: the scan is a guess, cut short
STRING_OPCODES = ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING")


def pickled_modules(path, deadline):
    """The modules a pickle file names (GLOBAL, STACK_GLOBAL, INST), read from its opcodes without unpickling it."""
    modules = set()
    strings = []  # the strings pushed so far, and those the memo holds: what STACK_GLOBAL takes its names from
    memo = {}
    with open(path, "rb") as f:
        for count, (opcode, arg, _) in enumerate(pickletools.genops(f)):
            if count % 4096 == 0 and time.monotonic() > deadline:
                break
            name = opcode.name
            if name in STRING_OPCODES:
                strings.append(arg if isinstance(arg, str) else str(arg))
            elif name in ("BINGET", "LONG_BINGET", "GET") and memo.get(arg) is not None:
                strings.append(memo[arg])
            elif name == "MEMOIZE":
                memo[len(memo)] = strings[-1] if strings else None
            elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
                memo[arg] = strings[-1] if strings else None
            elif name in ("GLOBAL", "INST"):
                modules.add(arg.split(" ", 1)[0])
            elif name == "STACK_GLOBAL" and len(strings) >= 2:
                modules.add(strings[-2])
            elif name == "STOP":
                break
    return modules


def model_modules(model_dir):
    """Modules named by the pickle files (protocol 2 or later: first byte 0x80) of the model directory, smallest first."""
    candidates = []
    for root, dirs, files in os.walk(model_dir or "/nonexistent"):
        for file_name in files:
            path = os.path.join(root, file_name)
            try:
                candidates.append((os.path.getsize(path), path))
            except OSError:
                continue
    modules, scanned, budget = set(), 0, PICKLE_SCAN_MAX_BYTES
    deadline = time.monotonic() + PICKLE_SCAN_SECONDS
    for size, path in sorted(candidates):
        if scanned >= PICKLE_SCAN_MAX_FILES or size > budget or time.monotonic() > deadline:
            break
        try:
            with open(path, "rb") as f:
                if f.read(1) != b"\x80":
                    continue
            scanned += 1
            budget -= size
            modules |= pickled_modules(path, deadline)
        except Exception:  # not a pickle after all, or cut short: init() will say what is wrong with it
            continue
    return modules


def preload(config):
    """
    In the master, before the fork: imports the entry script, and the third-party modules the model's pickle
    files name (unpickling in init() would import them in every worker), so that the workers share what was
    imported. init() itself still runs in each worker. Returns the entry script's module; exits as a failed
    init() would when the entry script cannot be imported.
    """
    started = time.monotonic()
    try:
        module = load_entry_script(config.entry_script)
    except BaseException as error:
        sys.stderr.write("importing the entry script failed:\n%s" % traceback.format_exc())
        sys.stderr.flush()
        log("error", "init failed", entryScript=config.entry_script, worker=os.getpid(),
            error="%s: %s" % (type(error).__name__, str(error)[:500]))
        sys.exit(INIT_FAILED_EXIT)
    imported = []
    standard = getattr(sys, "stdlib_module_names", ())
    for name in sorted(model_modules(config.model_dir)):
        if name in sys.modules or name.split(".", 1)[0] in standard or name.startswith("__"):
            continue
        try:
            importlib.import_module(name)
            imported.append(name)
        except BaseException:  # a guess only: init() imports what it needs and reports what fails
            continue
    log("info", "preloaded", entryScript=config.entry_script, modelModules=imported,
        millis=round((time.monotonic() - started) * 1000, 1))
    return module


def error_body(message, request_id, trace=None):
    body = {"error": message, "requestId": request_id}
    if trace:
        body["trace"] = trace
    return json.dumps(body, sort_keys=True).encode("utf-8")


REQUEST_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


# The request ids' generator: a private one, since an entry script may seed the random module's (random.seed(0) in
# init() is common), which would give every worker the same ids. Seeded from the system's source, again in each
# forked process, so that no two workers share a sequence.
REQUEST_ID_RANDOM = random.Random()
os.register_at_fork(after_in_child=REQUEST_ID_RANDOM.seed)


def new_request_id():
    """
    A version 4 UUID from a pseudo-random generator rather than uuid.uuid4(), which costs a getrandom() system call
    per request: a request id needs to be unique, not secret (it is echoed to the client and logged).
    """
    h = "%032x" % (REQUEST_ID_RANDOM.getrandbits(128) & UUID4_CLEAR | UUID4_SET)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


# The version (4) and variant (RFC 9562: 10xx) bits of a random UUID, as uuid.UUID(int=..., version=4) sets them
UUID4_CLEAR = ~((0xf000 << 64) | (0xc000 << 48))
UUID4_SET = (4 << 76) | (0x8000 << 48)


def request_id_from(value):
    """The client's request id when it is a plain ASCII one (it is echoed in a header); else a new one."""
    if value and REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


def request_ids(headers):
    """
    (request id, the id header fields of the answer), as Azure ML's inference server sets them: x-request-id is
    the client's or a new one, and is the request's id (logs, error bodies); x-ms-request-id is the client's
    x-ms-request-id, else its x-ms-client-request-id, else the request id; x-ms-client-request-id is the
    client's, else its x-ms-request-id, else absent. An id that is not plain ASCII (1-128 of letters, digits,
    _ . : -) is not echoed: a new one stands for x-request-id, the others are left out.
    """
    request_id = request_id_from(headers.get("x-request-id"))
    legacy = headers.get("x-ms-request-id")
    client = headers.get("x-ms-client-request-id")
    legacy = legacy if legacy and REQUEST_ID.fullmatch(legacy) else None
    client = client if client and REQUEST_ID.fullmatch(client) else None
    if legacy:
        client = client or legacy
    else:
        legacy = client or request_id
    fields = "\r\nx-request-id: %s\r\nx-ms-request-id: %s" % (request_id, legacy)
    if client:
        fields += "\r\nx-ms-client-request-id: " + client
    return request_id, fields.encode("ascii")


# ---------------------------------------------------------------------------------------------------------
# The built-in server: a prefork master and single-threaded event-loop workers.

class BadRequest(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class Connection:
    __slots__ = ("sock", "buf", "last", "draining_until", "continued", "out", "sent", "acked", "acked_since", "after_out", "mask",
                 "queued", "parked", "chunked")

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.last = time.monotonic()
        self.draining_until = 0.0
        self.continued = False
        self.out = bytearray()  # answer bytes the client has not taken yet (at most one answer's worth)
        self.sent = 0  # answer bytes handed to the kernel so far
        self.acked = 0  # of those, how many the client had acknowledged at the last sweep
        self.acked_since = 0.0  # when the sweep last saw that number grow (0: nothing was waiting)
        self.after_out = None  # "close" or "linger" once out has gone: the last answer of the connection
        self.mask = 0  # the selector events the connection is registered for
        self.queued = False  # complete requests wait in buf for the worker's next turn
        self.parked = False  # a /score request waits for init()
        self.chunked = None  # ChunkedProgress of the request being read, when its body is chunked


# RFC 9112 and 9110, strictly: what gunicorn and others accept beyond these rules is where request smuggling
# between a proxy and a server lives.
TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
REQUEST_LINE = re.compile(r"(%s) ([!-~]+) HTTP/([0-9])\.([0-9])" % TOKEN)
FIELD_NAME = re.compile(TOKEN)
FIELD_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # CTLs but HTAB (RFC 9110 5.5)
# CTLs but HTAB, CR and LF (find_head_end checks that CR and LF come only as CRLF line ends)
HEAD_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# chunk-size [ chunk-ext ] (RFC 9112 7.1): blanks only before a ';' (BWS), none after the size alone
CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})((?:[ \t]*;[ \t!-~]*)?)")


def parse_content_length(text):
    """Content-Length = 1*DIGIT, ASCII digits only; a number too long to matter counts as more than any limit."""
    if not ASCII_DIGITS.fullmatch(text):
        raise BadRequest(400, "malformed Content-Length: %r is not 1*DIGIT" % text[:40])
    significant = text.lstrip("0")
    return int(significant or "0") if len(significant) <= 18 else 10 ** 18


def find_head_end(buf):
    """
    Where the head of the request at the start of buf ends (the index of its empty line's CRLF CRLF), or -1 while
    it is incomplete. Lines end with CRLF only: a bare LF or CR is refused (RFC 9112 2.2 lets a server either
    take a bare LF as a line end or refuse; refusing is the choice that no proxy in front can read differently),
    at once, rather than waiting for a CRLF CRLF that never comes. A head over MAX_HEADER_BYTES is refused (431).
    """
    end = buf.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES + 4)
    head = buf[:end] if end >= 0 else buf[:MAX_HEADER_BYTES + 4]
    crlf = head.count(b"\r\n")
    if head.count(b"\n") != crlf:
        raise BadRequest(400, "a line of the request head ends with a bare LF; HTTP/1.1 lines end with CRLF")
    if head.count(b"\r") - (1 if end < 0 and head.endswith(b"\r") else 0) != crlf:
        raise BadRequest(400, "a bare CR in the request head")
    if end < 0:
        if len(buf) > MAX_HEADER_BYTES:
            raise BadRequest(431, "request headers over %d bytes" % MAX_HEADER_BYTES)
        return -1
    if end + 4 > MAX_HEADER_BYTES:
        raise BadRequest(431, "request headers over %d bytes" % MAX_HEADER_BYTES)
    return end


def parse_head(buf, end):
    """
    Request line and header fields of buf[:end]: (method, target, version, {lowercase name: value}). Repeated
    fields are joined with ", " (RFC 9110 5.3), except Host and Content-Length, which must not differ.
    """
    head = bytes(buf[:end])
    if HEAD_FORBIDDEN.search(head):  # one scan for the whole head: this runs for every request
        raise BadRequest(400, "a control character in the request head")
    request_line, _, fields = head.decode("latin-1").partition("\r\n")
    matched = REQUEST_LINE.fullmatch(request_line)
    if not matched:
        raise BadRequest(400, "malformed request line")
    method, target, major, minor = matched.groups()
    if major != "1":
        raise BadRequest(505, "only HTTP/1.x is served")
    if not (target.startswith("/") or (target == "*" and method == "OPTIONS") or target.lower().startswith(("http://", "https://"))):
        raise BadRequest(400, "malformed request target")
    headers = {}
    lines = fields.split("\r\n") if fields else ()
    if len(lines) > MAX_HEADER_FIELDS:
        raise BadRequest(431, "more than %d header fields" % MAX_HEADER_FIELDS)
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not FIELD_NAME.fullmatch(name):  # whitespace before the colon too (RFC 9112 5.1)
            if line[:1] in (" ", "\t"):
                raise BadRequest(400, "obsolete line folding in a header field (RFC 9112 5.2)")
            raise BadRequest(400, "malformed header line")
        name = name.lower()
        value = value.strip(" \t")
        if name in headers:
            if name == "host":
                raise BadRequest(400, "more than one Host header")
            if name == "content-length":
                if headers[name] != value:
                    raise BadRequest(400, "conflicting Content-Length headers")
                continue
            value = headers[name] + ", " + value
        headers[name] = value
    if not target.startswith("/") and target != "*":  # absolute-form: its path is what is routed (RFC 9112 3.2.2)
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    version = "HTTP/1." + minor
    if minor != "0" and "host" not in headers:
        raise BadRequest(400, "an HTTP/1.1 request needs a Host header (RFC 9112 3.2)")
    return method, target, version, headers


def body_framing(headers, version):
    """('chunked', None), ('length', n) (n may be 0): how the request's body is delimited (RFC 9112 6.3)."""
    if "transfer-encoding" in headers:
        if "content-length" in headers:
            raise BadRequest(400, "Transfer-Encoding together with Content-Length")
        if version == "HTTP/1.0":
            raise BadRequest(400, "Transfer-Encoding in an HTTP/1.0 request")
        codings = [c.strip(" \t").lower() for c in headers["transfer-encoding"].split(",")]
        if codings[-1] != "chunked" or codings.count("chunked") != 1:
            raise BadRequest(400, "Transfer-Encoding must end with chunked, once")
        if len(codings) > 1:
            raise BadRequest(501, "only Transfer-Encoding: chunked is served")
        return "chunked", None
    return "length", parse_content_length(headers.get("content-length", "0"))


def line_end(buf, pos, what):
    """The index of the CRLF ending the line at pos, -1 while incomplete; a bare LF, or a line too long, is refused."""
    newline = buf.find(b"\n", pos, pos + MAX_CHUNK_LINE_BYTES)
    if newline < 0:
        if len(buf) - pos >= MAX_CHUNK_LINE_BYTES:
            raise BadRequest(400, "%s line over %d bytes" % (what, MAX_CHUNK_LINE_BYTES))
        return -1
    if newline == pos or buf[newline - 1] != 13:
        raise BadRequest(400, "a %s line ends with a bare LF" % what)
    return newline - 1


class ChunkedProgress:
    """How far the chunked body of the request at the start of a buffer has been read: each read goes on from
    there, where starting over made a body of many tiny chunks cost time quadratic in its size."""
    __slots__ = ("pos", "body", "trailer_bytes", "in_trailer")

    def __init__(self, start):
        self.pos = start
        self.body = bytearray()
        self.trailer_bytes = 0
        self.in_trailer = False


def parse_chunked(buf, start, limit, progress=None):
    """(body, end) when buf[start:] holds the whole chunked body; None when more is needed (RFC 9112 7.1)."""
    progress = progress or ChunkedProgress(start)
    while not progress.in_trailer:
        pos = progress.pos
        end = line_end(buf, pos, "chunk size")
        if end < 0:
            return None
        size_line = CHUNK_LINE.fullmatch(bytes(buf[pos:end]))
        if not size_line:
            raise BadRequest(400, "malformed chunk size: chunk-size is 1*HEXDIG")
        size = int(size_line.group(1), 16)
        if len(progress.body) + size > limit:
            raise BadRequest(413, "request body over the limit of %d bytes (max_request_bytes)" % limit)
        data = end + 2
        if size == 0:
            progress.pos = data
            progress.in_trailer = True
            break
        if len(buf) < data + size + 2:
            return None
        if buf[data + size:data + size + 2] != b"\r\n":
            raise BadRequest(400, "malformed chunk: no CRLF after its data")
        progress.body += buf[data:data + size]
        progress.pos = data + size + 2
    while True:  # trailer fields, up to the empty line; read and dropped
        pos = progress.pos
        end = line_end(buf, pos, "trailer")
        if end < 0:
            return None
        if end == pos:
            return bytes(progress.body), end + 2
        field = bytes(buf[pos:end]).decode("latin-1")
        name, sep, value = field.partition(":")
        if not sep or not FIELD_NAME.fullmatch(name) or FIELD_VALUE_FORBIDDEN.search(value.strip(" \t")):
            raise BadRequest(400, "malformed trailer field")
        progress.trailer_bytes += end + 2 - pos
        if progress.trailer_bytes > MAX_HEADER_BYTES:
            raise BadRequest(431, "trailer fields over %d bytes" % MAX_HEADER_BYTES)
        progress.pos = end + 2


class Worker:
    def __init__(self, config, listener, slots, index, preloaded=None, metrics_memory=None):
        global METRICS
        if metrics_memory is not None:
            METRICS = WorkerMetrics(metrics_memory, index)
        self.config = config
        self.listener = listener
        self.scorer = Scorer(config, preloaded)
        self.scorer.busy_slot = (slots, busy_offset(config, index)) if slots is not None else None
        # Keep-alive connections stay with the worker that accepted them, and the first worker that wakes up
        # would accept them all: each worker publishes its number of connections, and leaves a new one to a
        # worker with fewer (for at most DEFER_SECONDS, in case that one is busy in run()).
        self.slots = slots
        self.index = index
        self.count_offset = count_offset(config, index)
        self.other_counts = [count_offset(config, i) for i in range(config.workers) if i != index]
        self.deferring_since = 0.0
        self.listener_paused_until = 0.0
        self.selector = selectors.DefaultSelector()
        self.connections = {}
        self.parked = []  # connections whose /score arrived before init() finished
        self.queue = []  # connections with complete requests left for the next turn (REQUESTS_PER_TURN)
        self.running = True
        self._date = (0, b"")

    def stop(self, signum=None, frame=None):
        self.running = False

    def date_header(self):
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(second)).encode("ascii"))
        return self._date[1]

    def initialised(self, wake_write):
        if METRICS is not None:
            METRICS.init_seconds(self.scorer.init_seconds)
        if self.slots is not None:
            struct.pack_into("q", self.slots, ready_offset(self.config, self.index), 1)
        os.write(wake_write, b".")

    def serve(self):
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        self.selector.register(self.listener, selectors.EVENT_READ, "listener")
        self.selector.register(wake_read, selectors.EVENT_READ, "wake")
        self.scorer.start_init(lambda: self.initialised(wake_write))
        REQUEST_LOG.start_batching()
        awaiting_log_reader = False
        next_sweep = time.monotonic() + 1
        while self.running:
            timeout = 0.0 if self.queue else 1.0
            if self.listener_paused_until:
                timeout = min(timeout, max(0.0, self.listener_paused_until - time.monotonic()))
                if timeout == 0.0 and time.monotonic() >= self.listener_paused_until:
                    self.listener_paused_until = 0.0
                    self.selector.register(self.listener, selectors.EVENT_READ, "listener")
            try:
                # Work waiting? If not, the batched log lines go out before the worker waits for some.
                events = self.selector.select(0) if REQUEST_LOG.lines else None
                if not events:
                    REQUEST_LOG.flush()
                    events = self.selector.select(timeout)
            except InterruptedError:
                continue
            for key, mask in events:
                try:
                    self.dispatch(key.data, mask, wake_read)
                except Exception as error:  # a bug of ours must cost one connection at most, never the worker
                    self.failed(key.data, error)
            queue, self.queue = self.queue, []
            for conn in queue:
                conn.queued = False
                if conn.sock.fileno() >= 0:
                    self.process(conn)
            if bool(REQUEST_LOG.pending) != awaiting_log_reader:  # lines wait for room in the log pipe
                awaiting_log_reader = not awaiting_log_reader
                if awaiting_log_reader:
                    self.selector.register(REQUEST_LOG.fd, selectors.EVENT_WRITE, "log")
                else:
                    self.selector.unregister(REQUEST_LOG.fd)
            now = time.monotonic()
            if now >= next_sweep:
                next_sweep = now + 1
                self.sweep(now)
        for conn in list(self.connections.values()):
            self.close(conn)

    def dispatch(self, data, mask, wake_read):
        if data == "listener":
            self.accept()
        elif data == "wake":
            try:
                os.read(wake_read, 64)
            except BlockingIOError:
                pass
            parked, self.parked = self.parked, []
            for conn in parked:
                conn.parked = False
                if conn.sock.fileno() >= 0:
                    self.process(conn)
        elif data == "log":
            REQUEST_LOG.drain()
        else:
            if mask & selectors.EVENT_WRITE:
                self.writable(data)
            if mask & selectors.EVENT_READ and data.sock.fileno() >= 0:
                self.readable(data)

    def failed(self, data, error):
        log("error", "request handling failed; the connection is closed, the worker goes on", worker=os.getpid(),
            error="%s: %s" % (type(error).__name__, str(error)[:500]),
            trace="".join(traceback.format_exception(type(error), error, error.__traceback__))[-4000:])
        if isinstance(data, Connection):
            self.close(data)

    def sweep(self, now):
        for conn in list(self.connections.values()):
            if self.stalled(conn, now):
                log("warning", "dropping a client that takes none of its answers", worker=os.getpid(),
                    waitingBytes=len(conn.out), unacknowledgedBytes=conn.sent - conn.acked, seconds=OUTPUT_STALL_SECONDS)
                self.close(conn, abort=True)
            elif conn.draining_until:
                if now > conn.draining_until:
                    self.close(conn)
            elif now - conn.last > KEEP_ALIVE_SECONDS and not conn.parked and not conn.out:
                self.close(conn)

    @staticmethod
    def stalled(conn, now):
        """
        Whether answers have waited for the client OUTPUT_STALL_SECONDS without it acknowledging a byte of them. The
        bytes waiting are ours (conn.out) and the kernel's: its send buffer grows to megabytes (on loopback it
        starts at over 1 MB), so all the answers to a client that pipelines requests and reads none may fit there,
        leaving conn.out empty; if the client then cannot send more (its requests fill our receive window, or it
        waits for its answers), nothing happens on the connection and only a stall judged by the kernel's count
        of unacknowledged bytes ends it (test_slow_readers.test_answersAllInTheKernelsSendBuffer_clientDropped).
        """
        unacknowledged = unacknowledged_bytes(conn.sock)
        if not conn.out and not unacknowledged:
            conn.acked_since = 0.0
            return False
        acked = conn.sent - unacknowledged
        if acked != conn.acked or not conn.acked_since:
            conn.acked, conn.acked_since = acked, now
            return False
        return now - conn.acked_since > OUTPUT_STALL_SECONDS

    def publish_count(self):
        if self.slots is not None:
            struct.pack_into("q", self.slots, self.count_offset, len(self.connections))

    def should_defer(self):
        if self.slots is None or not self.other_counts:
            return False
        mine = len(self.connections)
        fewest = min(struct.unpack_from("q", self.slots, offset)[0] for offset in self.other_counts)
        if mine <= fewest:
            self.deferring_since = 0.0
            return False
        now = time.monotonic()
        if not self.deferring_since:
            self.deferring_since = now
        if now - self.deferring_since > DEFER_SECONDS:
            self.deferring_since = 0.0
            return False
        return True

    def accept(self):
        for _ in range(64):
            if self.should_defer():  # listen again in a moment: a worker with fewer connections may take it
                self.selector.unregister(self.listener)
                self.listener_paused_until = time.monotonic() + 0.002
                return
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # EMFILE and the like: keep serving the connections we have
                log("error", "accept failed", worker=os.getpid(), error=str(error))
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(sock)
            self.connections[sock.fileno()] = conn
            self.watch(conn)
            self.publish_count()

    def watch(self, conn):
        """
        Registers for what the connection waits on. Its answers first: while some wait for the client to take
        them, nothing more is read from it, so a client that sends and never reads holds one answer in our
        memory and the rest in its own socket buffers (and is dropped after OUTPUT_STALL_SECONDS).
        """
        if conn.sock.fileno() < 0:
            return
        if conn.out:
            mask = selectors.EVENT_WRITE
        elif conn.parked or conn.queued:
            mask = 0
        else:
            mask = selectors.EVENT_READ
        if mask == conn.mask:
            return
        if conn.mask == 0:
            self.selector.register(conn.sock, mask, conn)
        elif mask == 0:
            self.selector.unregister(conn.sock)
        else:
            self.selector.modify(conn.sock, mask, conn)
        conn.mask = mask

    def close(self, conn, abort=False):
        """Closes the connection; abort: with a reset, so that the kernel drops the answers it still holds for it."""
        fd = conn.sock.fileno()
        if fd >= 0:
            if abort:
                try:
                    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            if conn.mask:
                try:
                    self.selector.unregister(conn.sock)
                except (KeyError, ValueError):
                    pass
                conn.mask = 0
            self.connections.pop(fd, None)
            conn.sock.close()
            self.publish_count()

    def readable(self, conn):
        try:
            data = conn.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close(conn)
            return
        if not data:
            self.close(conn)
            return
        conn.last = time.monotonic()
        if conn.draining_until:  # discarding the rest of a refused body, so the client reads our answer
            return
        conn.buf += data
        self.process(conn)

    def writable(self, conn):
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close(conn)
            return
        del conn.out[:sent]
        conn.sent += sent
        if conn.out:
            return
        if conn.after_out == "close":
            self.close(conn)
        elif conn.after_out == "linger":
            self.linger(conn)
        else:
            self.process(conn)  # the requests that arrived meanwhile

    def process(self, conn):
        """Answers the complete requests in the buffer, in order, as long as the client takes the answers."""
        try:
            self.answer_requests(conn)
        except Exception as error:  # no request, however malformed, may end the worker
            log("error", "request handling failed", worker=os.getpid(),
                error="%s: %s" % (type(error).__name__, str(error)[:500]),
                trace="".join(traceback.format_exception(type(error), error, error.__traceback__))[-4000:])
            if conn.sock.fileno() >= 0 and not conn.after_out:
                try:
                    self.refuse(conn, 500, "the server failed to handle the request", time.monotonic(), "?", "?")
                except Exception:
                    self.close(conn)
            else:
                self.close(conn)
        if conn.sock.fileno() >= 0:
            self.watch(conn)

    def answer_requests(self, conn):
        turns = REQUESTS_PER_TURN
        while conn.buf and conn.sock.fileno() >= 0 and not conn.draining_until and not conn.out and not conn.after_out:
            if turns == 0:  # the worker's other connections first
                conn.queued = True
                self.queue.append(conn)
                return
            turns -= 1
            started = time.monotonic()
            while conn.buf.startswith(b"\r\n"):  # empty lines before a request line are ignored (RFC 9112 2.2)
                del conn.buf[:2]
            try:
                end = find_head_end(conn.buf)
                if end < 0:
                    return
                method, target, version, headers = parse_head(conn.buf, end)
            except BadRequest as error:
                self.refuse(conn, error.status, str(error), started, "?", "?")
                return
            start = end + 4
            request_id, id_fields = request_ids(headers)
            refusal = key_refusal(self.config, target, headers.get("authorization"))
            if refusal:  # before the body is read or waited for: a client without the key gets no work done
                self.refuse(conn, 401, refusal[0], started, method, target, request_id, refusal[1], id_fields)
                return
            try:
                framing, length = body_framing(headers, version)
                if framing == "chunked":
                    self.may_continue(conn, headers, version)
                    if conn.chunked is None:
                        conn.chunked = ChunkedProgress(start)
                    parsed = parse_chunked(conn.buf, start, self.config.max_request_bytes, conn.chunked)
                    if parsed is None:
                        return
                    conn.chunked = None
                    body, next_start = parsed
                else:
                    if length > self.config.max_request_bytes:
                        raise BadRequest(413, "request body of %d bytes is over the limit of %d bytes (max_request_bytes)"
                                         % (length, self.config.max_request_bytes))
                    if len(conn.buf) < start + length:
                        self.may_continue(conn, headers, version)
                        return
                    body, next_start = bytes(conn.buf[start:start + length]), start + length
            except BadRequest as error:
                self.refuse(conn, error.status, str(error), started, method, target, request_id, None, id_fields)
                return
            if target.split("?", 1)[0] in ("/score", "/score/") and not self.scorer.ready.is_set():
                conn.parked = True  # answered once init() has finished (see serve)
                self.parked.append(conn)
                return
            del conn.buf[:next_start]
            conn.continued = False
            if METRICS is not None:
                METRICS.in_flight(1)
            try:
                answer = self.scorer.handle(method, target, body, request_id, headers)
            finally:
                if METRICS is not None:
                    METRICS.in_flight(0)
            status, content_type, payload = answer[:3]
            keep_alive = self.keep_alive(headers, version)
            # Counted before it is sent: a client that has its answer may scrape /metrics at once and must see it.
            log_request(method, target, status, request_id, started, len(body), len(payload))
            self.respond(conn, status, content_type, payload, id_fields, keep_alive, method == "HEAD", None,
                         answer[3] if len(answer) > 3 else b"")
            if not keep_alive:
                self.finish(conn, "close")
                return

    @staticmethod
    def keep_alive(headers, version):
        tokens = [t.strip(" \t") for t in headers.get("connection", "").lower().split(",")]
        if version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    def may_continue(self, conn, headers, version):
        if headers.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1" and not conn.continued:
            conn.continued = True
            self.send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")

    def refuse(self, conn, status, message, started, method, target, request_id=None, challenge=None, id_fields=None):
        """An answer to a request we will not read on: then a lingering close (the client may still be sending)."""
        if request_id is None:
            request_id, id_fields = request_ids({})
        payload = error_body(message, request_id)
        log_request(method, target, status, request_id, started, 0, len(payload), message)  # before: see above
        self.respond(conn, status, "application/json", payload, id_fields, False, False, challenge)
        conn.buf = bytearray()
        conn.chunked = None
        self.finish(conn, "linger")

    def finish(self, conn, how):
        """The connection's last answer is sent: then closed, or half-closed and drained ("linger")."""
        if conn.sock.fileno() < 0:
            return
        if conn.out:
            conn.after_out = how
        elif how == "close":
            self.close(conn)
        else:
            self.linger(conn)

    def linger(self, conn):
        conn.after_out = "linger"
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close(conn)
            return
        conn.draining_until = time.monotonic() + 5
        self.watch(conn)

    def respond(self, conn, status, content_type, payload, id_fields, keep_alive, head_only, challenge=None, extra=b""):
        head = b"".join((
            b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown").encode("ascii")),
            b"Server: " + SERVER_VERSION.encode("ascii") + b"\r\nDate: " + self.date_header(),
            b"\r\nContent-Type: " + content_type.encode("latin-1", "replace"),
            b"\r\nContent-Length: %d" % len(payload), id_fields, extra,
            b"\r\nx-ms-run-function-failed: True" if function_failed(status) else b"",
            b"\r\nWWW-Authenticate: " + challenge.encode("ascii") if challenge else b"",
            b"\r\nConnection: close\r\n\r\n" if not keep_alive else b"\r\n\r\n",
        ))
        self.send(conn, head if head_only else head + payload)

    def send(self, conn, data):
        """Sends what the socket takes now; the rest waits in conn.out for the client (never a blocking send)."""
        if conn.sock.fileno() < 0:
            return
        if conn.out:
            conn.out += data
            return
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.close(conn)
            return
        conn.sent += sent
        if sent < len(data):
            conn.out += memoryview(data)[sent:]
            self.watch(conn)


def unacknowledged_bytes(sock):
    """Bytes sent on sock that its peer has not acknowledged yet, still in the kernel's send buffer (SIOCOUTQ)."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError):
        return 0


def log_request(method, path, status, request_id, started, bytes_in, bytes_out, error=None):
    seconds = time.monotonic() - started
    if METRICS is not None:
        METRICS.request(path, status, seconds)
    REQUEST_LOG.add(request_log_line("info" if status < 500 else "error", method, path, status, request_id,
                                     round(seconds * 1000, 3), bytes_in, bytes_out, error), status)


def listen(config):
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def log_listening(config, server):
    log("info", "listening", server=server, host=config.host, port=config.port, metricsPort=config.metrics_port or None,
        workers=config.workers,
        scoringTimeoutMs=config.timeout_ms, maxRequestBytes=config.max_request_bytes, preload=config.preload,
        endpointKeys=len(config.key_digests), entryScript=config.entry_script, modelDir=config.model_dir,
        pid=os.getpid())


def preload_before_fork(config):
    """The entry script imported once for all workers (None when POWERAI_PRELOAD=0); the heap frozen for the fork."""
    module = preload(config) if config.preload else None
    # Objects that exist before the fork are never collected afterwards: the collector does not touch (and
    # so copy) the pages the workers share (the pattern the gc module documents for gc.freeze).
    gc.freeze()
    return module


# ---------------------------------------------------------------------------------------------------------
# /metrics (built-in server): each worker counts into a block of shared memory of its own (one writer, no
# locks); the master serves the sum of all blocks on POWERAI_METRICS_PORT in the Prometheus text format, so a
# scrape sees the whole container. A dead worker's counts are folded into the master's own totals before its
# block is reused: counters never go backwards.

METRIC_ROUTES = ("/", "/health", "/score", "/swagger.json", "other")
METRIC_STATUSES = (200, 400, 401, 404, 405, 411, 413, 431, 500, 501, 503, 504, 505)  # and "other"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
EXCEPTION_SLOTS = 16
EXCEPTION_NAME_BYTES = 64


class MetricsLayout:
    """Offsets (in 8-byte doubles) of one worker's block: counts, histograms, in-flight, init time, exceptions."""
    statuses = len(METRIC_STATUSES) + 1
    requests = 0
    histograms = requests + len(METRIC_ROUTES) * statuses
    per_histogram = len(LATENCY_BUCKETS) + 2  # the buckets, then count and sum
    in_flight = histograms + len(METRIC_ROUTES) * per_histogram
    init_seconds = in_flight + 1
    exceptions = init_seconds + 1
    doubles = exceptions + EXCEPTION_SLOTS
    names = doubles * 8  # then EXCEPTION_SLOTS names of EXCEPTION_NAME_BYTES
    size = names + EXCEPTION_SLOTS * EXCEPTION_NAME_BYTES


class WorkerMetrics:
    """What one worker writes into its block."""

    def __init__(self, memory, index):
        self.memory = memory
        self.base = index * MetricsLayout.size
        self.exception_slots = {}

    def add(self, offset, value):
        at = self.base + offset * 8
        struct.pack_into("d", self.memory, at, struct.unpack_from("d", self.memory, at)[0] + value)

    def set(self, offset, value):
        struct.pack_into("d", self.memory, self.base + offset * 8, value)

    def request(self, path, status, seconds):
        path = path.split("?", 1)[0]
        route = METRIC_ROUTES.index(path) if path in METRIC_ROUTES else (2 if path == "/score/" else len(METRIC_ROUTES) - 1)
        column = METRIC_STATUSES.index(status) if status in METRIC_STATUSES else len(METRIC_STATUSES)
        self.add(MetricsLayout.requests + route * MetricsLayout.statuses + column, 1)
        histogram = MetricsLayout.histograms + route * MetricsLayout.per_histogram
        for i, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                self.add(histogram + i, 1)
                break
        self.add(histogram + len(LATENCY_BUCKETS), 1)
        self.add(histogram + len(LATENCY_BUCKETS) + 1, seconds)

    def in_flight(self, value):
        self.set(MetricsLayout.in_flight, value)

    def init_seconds(self, seconds):
        self.set(MetricsLayout.init_seconds, seconds)

    def exception(self, name):
        slot = self.exception_slots.get(name)
        if slot is None:
            if len(self.exception_slots) >= EXCEPTION_SLOTS - 1:
                name, slot = "other", EXCEPTION_SLOTS - 1
            else:
                slot = len(self.exception_slots)
                self.exception_slots[name] = slot
            encoded = name.encode("ascii", "replace")[:EXCEPTION_NAME_BYTES].ljust(EXCEPTION_NAME_BYTES, b"\0")
            at = self.base + MetricsLayout.names + slot * EXCEPTION_NAME_BYTES
            self.memory[at:at + EXCEPTION_NAME_BYTES] = encoded
        self.add(MetricsLayout.exceptions + slot, 1)


def read_block(memory, index):
    """One worker's block: (doubles, {exception name: count})."""
    base = index * MetricsLayout.size
    values = list(struct.unpack_from("%dd" % MetricsLayout.doubles, memory, base))
    exceptions = {}
    for slot in range(EXCEPTION_SLOTS):
        at = base + MetricsLayout.names + slot * EXCEPTION_NAME_BYTES
        name = bytes(memory[at:at + EXCEPTION_NAME_BYTES]).rstrip(b"\0").decode("ascii", "replace")
        if name:
            exceptions[name] = exceptions.get(name, 0) + values[MetricsLayout.exceptions + slot]
    return values, exceptions


class ContainerMetrics:
    """The master's side: the workers' blocks, the counts of workers gone, restarts; the exposition."""

    def __init__(self, workers):
        self.workers = workers
        self.memory = mmap.mmap(-1, MetricsLayout.size * workers)
        self.retired = [0.0] * MetricsLayout.doubles
        self.retired_exceptions = {}
        self.restarts = 0

    def retire(self, index):
        """Before a dead worker's block is reused: its counts go to the master's totals, its gauges go."""
        values, exceptions = read_block(self.memory, index)
        for offset in range(MetricsLayout.in_flight):
            self.retired[offset] += values[offset]
        for name, count in exceptions.items():
            self.retired_exceptions[name] = self.retired_exceptions.get(name, 0) + count
        base = index * MetricsLayout.size
        self.memory[base:base + MetricsLayout.size] = bytes(MetricsLayout.size)

    def exposition(self):
        totals = list(self.retired)
        exceptions = dict(self.retired_exceptions)
        init_seconds = []
        for index in range(self.workers):
            values, worker_exceptions = read_block(self.memory, index)
            for offset in range(MetricsLayout.in_flight + 1):
                totals[offset] += values[offset]
            init_seconds.append(values[MetricsLayout.init_seconds])
            for name, count in worker_exceptions.items():
                exceptions[name] = exceptions.get(name, 0) + count
        out = ["# HELP powerai_requests_total Requests answered, by route and status.",
               "# TYPE powerai_requests_total counter"]
        for r, route in enumerate(METRIC_ROUTES):
            for c, status in enumerate(METRIC_STATUSES + ("other",)):
                count = totals[MetricsLayout.requests + r * MetricsLayout.statuses + c]
                if count:
                    out.append('powerai_requests_total{route="%s",status="%s"} %d' % (route, status, count))
        out += ["# HELP powerai_request_duration_seconds Time from a request's first byte read to its answer.",
                "# TYPE powerai_request_duration_seconds histogram"]
        for r, route in enumerate(METRIC_ROUTES):
            histogram = MetricsLayout.histograms + r * MetricsLayout.per_histogram
            count = totals[histogram + len(LATENCY_BUCKETS)]
            if not count:
                continue
            cumulative = 0
            for i, bound in enumerate(LATENCY_BUCKETS):
                cumulative += totals[histogram + i]
                out.append('powerai_request_duration_seconds_bucket{route="%s",le="%s"} %d' % (route, repr(bound), cumulative))
            out.append('powerai_request_duration_seconds_bucket{route="%s",le="+Inf"} %d' % (route, count))
            out.append('powerai_request_duration_seconds_sum{route="%s"} %r' % (route, totals[histogram + len(LATENCY_BUCKETS) + 1]))
            out.append('powerai_request_duration_seconds_count{route="%s"} %d' % (route, count))
        out += ["# HELP powerai_requests_in_flight Requests being answered now.",
                "# TYPE powerai_requests_in_flight gauge",
                "powerai_requests_in_flight %d" % totals[MetricsLayout.in_flight],
                "# HELP powerai_worker_restarts_total Workers started again after they died.",
                "# TYPE powerai_worker_restarts_total counter",
                "powerai_worker_restarts_total %d" % self.restarts,
                "# HELP powerai_model_load_seconds How long each worker's init() took (0 until it has finished).",
                "# TYPE powerai_model_load_seconds gauge"]
        out += ['powerai_model_load_seconds{worker="%d"} %r' % (i, s) for i, s in enumerate(init_seconds)]
        out += ["# HELP powerai_run_exceptions_total Exceptions raised by run(), by type.",
                "# TYPE powerai_run_exceptions_total counter"]
        out += ['powerai_run_exceptions_total{type="%s"} %d' % (name, count) for name, count in sorted(exceptions.items())]
        return ("\n".join(out) + "\n").encode("ascii", "replace")


def metrics_listener(config):
    """The metrics port's socket; None without one, or when it cannot be had (scoring matters more than metrics)."""
    if not config.metrics_port:
        return None
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((config.host, config.metrics_port))
        sock.listen(16)
    except OSError as error:
        sock.close()
        log("error", "no /metrics: the metrics port cannot be opened; serving without it", metricsPort=config.metrics_port,
            error=str(error))
        return None
    sock.setblocking(False)
    return sock


def answer_scrape(listener, metrics):
    """One scrape, in the master: the request read within 1 s in all (the master supervises meanwhile), answered, closed."""
    try:
        sock, _ = listener.accept()
    except OSError:
        return
    try:
        deadline = time.monotonic() + 1.0
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 8192:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            sock.settimeout(remaining)
            data = sock.recv(8192)
            if not data:
                break
            request += data
        parts = request.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) == 3 and parts[0] == b"GET" and parts[1].split(b"?")[0] == b"/metrics":
            status, body = b"200 OK", metrics.exposition()
            content_type = b"text/plain; version=0.0.4; charset=utf-8"
        else:
            status, body, content_type = b"404 Not Found", b"only GET /metrics here\n", b"text/plain"
        sock.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\nContent-Length: "
                     + str(len(body)).encode("ascii") + b"\r\nConnection: close\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        sock.close()


# The slots the master and its workers share (an anonymous mmap made before the fork), per worker: when its
# current run() started (0: idle), its number of connections, and whether its init() has finished.
def busy_offset(config, index):
    return 8 * index


def count_offset(config, index):
    return 8 * config.workers + 8 * index


def ready_offset(config, index):
    return 16 * config.workers + 8 * index


RESTART_DELAY_FIRST = 0.1
RESTART_DELAY_MAX = 2.0


def restart_delay(recent_deaths, workers):
    """No wait for the first two deaths per worker in a minute; then a back-off that doubles, up to RESTART_DELAY_MAX."""
    over = recent_deaths - 2 * workers
    return 0.0 if over <= 0 else min(RESTART_DELAY_MAX, RESTART_DELAY_FIRST * 2 ** min(over - 1, 16))


def serve_builtin(config):
    listener = listen(config)
    log_listening(config, "builtin")
    preloaded = preload_before_fork(config)
    slots = mmap.mmap(-1, 24 * config.workers)
    metrics = ContainerMetrics(config.workers)
    scrapes = metrics_listener(config)
    grace = max(5.0, config.timeout_ms / 1000.0)
    workers = {}  # pid -> (index, started)
    stopping = []
    recent_deaths = []
    restarts = 0
    due = []  # (time, index): workers to start again once their back-off has passed

    def spawn(index):
        struct.pack_into("d", slots, busy_offset(config, index), 0.0)
        struct.pack_into("q", slots, count_offset(config, index), 0)
        struct.pack_into("q", slots, ready_offset(config, index), 0)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                if scrapes is not None:
                    scrapes.close()  # the master's alone
                Worker(config, listener, slots, index, preloaded, metrics.memory).serve()
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                REQUEST_LOG.finish()
                os._exit(code)
        workers[pid] = (index, time.monotonic())

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(config.workers):
        spawn(index)
    exit_code = 0
    while not stopping:
        pause = 0.05 if due else 0.2
        if scrapes is None:
            time.sleep(pause)
        elif select.select([scrapes], [], [], pause)[0]:
            answer_scrape(scrapes, metrics)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0:
                break
            index, _ = workers.pop(pid, (None, None))
            if index is None or stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            initialised = struct.unpack_from("q", slots, ready_offset(config, index))[0]
            if code == INIT_FAILED_EXIT and not initialised:
                # The model cannot load: no request made this happen, and no restart will mend it.
                log("error", "stopping: init() failed", worker=pid)
                exit_code = INIT_FAILED_EXIT
                stopping.append(0)
                break
            # Whatever killed a worker that had served (a crash in a C extension, the OOM killer, a bug), the
            # master never gives up on it: it starts another, after a back-off when deaths come fast.
            now = time.monotonic()
            recent_deaths[:] = [t for t in recent_deaths if now - t < 60] + [now]
            restarts += 1
            metrics.retire(index)
            metrics.restarts = restarts
            delay = restart_delay(len(recent_deaths), config.workers)
            log("warning", "worker died; starting another", worker=pid, exitCode=code, restarts=restarts,
                deathsLastMinute=len(recent_deaths), delaySeconds=delay)
            due.append((now + delay, index))
        now = time.monotonic()
        for entry in [d for d in due if d[0] <= now]:
            due.remove(entry)
            if not stopping:
                spawn(entry[1])
        for pid, (index, _) in list(workers.items()):
            since = struct.unpack_from("d", slots, busy_offset(config, index))[0]
            if since and now - since > config.timeout_ms / 1000.0 + grace and config.timeout_ms:
                log("error", "killing a worker whose run() ignores the scoring timeout", worker=pid,
                    runningMillis=round((now - since) * 1000))
                struct.pack_into("d", slots, busy_offset(config, index), 0.0)
                os.kill(pid, signal.SIGKILL)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            workers.pop(pid, None)
        else:
            time.sleep(0.05)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    log("info", "stopped", exitCode=exit_code)
    sys.exit(exit_code)


# ---------------------------------------------------------------------------------------------------------
# gunicorn, when the image has it: the same Scorer as a WSGI application, one per worker process.

def wsgi_application(config, preloaded=None):
    scorer = Scorer(config, preloaded)
    scorer.start_init(lambda: METRICS is not None and METRICS.init_seconds(scorer.init_seconds))

    def application(environ, start_response):
        started = time.monotonic()
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/") or "/"
        request_headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            request_headers["content-type"] = environ["CONTENT_TYPE"]
        request_id, id_fields = request_ids(request_headers)
        extra = b""
        length_text = environ.get("CONTENT_LENGTH") or ""
        body = b""
        refusal = key_refusal(config, path, environ.get("HTTP_AUTHORIZATION"))
        if refusal:
            status, content_type, payload = 401, "application/json", error_body(refusal[0], request_id)
        elif length_text and not ASCII_DIGITS.fullmatch(length_text):
            # gunicorn's int() takes Unicode digits, signs and '_': the same rule as the built-in server here
            status, content_type, payload = 400, "application/json", error_body("malformed Content-Length", request_id)
        elif length_text and parse_content_length(length_text) > config.max_request_bytes:
            status, content_type, payload = 413, "application/json", error_body(
                "request body of %s bytes is over the limit of %d bytes (max_request_bytes)"
                % (length_text, config.max_request_bytes), request_id)
        else:
            malformed = None
            if method in ("POST", "PUT", "PATCH") or length_text:
                try:
                    body = environ["wsgi.input"].read(config.max_request_bytes + 1)
                except Exception as error:  # gunicorn's chunked reader raises on bad framing: the client's fault
                    malformed = "malformed request body: %s" % type(error).__name__
            if malformed:
                status, content_type, payload = 400, "application/json", error_body(malformed, request_id)
            elif len(body) > config.max_request_bytes:
                status, content_type, payload = 413, "application/json", error_body(
                    "request body over the limit of %d bytes (max_request_bytes)" % config.max_request_bytes, request_id)
            else:
                query = environ.get("QUERY_STRING", "")
                if METRICS is not None:
                    METRICS.in_flight(1)
                try:
                    answer = scorer.handle(method, path + ("?" + query if query else ""), body, request_id, request_headers)
                finally:
                    if METRICS is not None:
                        METRICS.in_flight(0)
                status, content_type, payload = answer[:3]
                extra = answer[3] if len(answer) > 3 else b""
        headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
        headers += [tuple(line.split(": ", 1)) for line in (id_fields + extra).decode("latin-1").split("\r\n") if line]
        if function_failed(status):
            headers.append(("x-ms-run-function-failed", "True"))
        if refusal:
            headers.append(("WWW-Authenticate", refusal[1]))
        start_response("%d %s" % (status, REASONS.get(status, "Unknown")), headers)
        log_request(method, path, status, request_id, started, len(body), len(payload))
        return [b"" if method == "HEAD" else payload]

    return application


def serve_gunicorn(config):
    from gunicorn.app.base import BaseApplication

    metrics = GunicornMetrics(config) if config.metrics_port else None

    class ScoringApplication(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", "[%s]:%d" % (config.host, config.port) if ":" in config.host else "%s:%d" % (config.host, config.port))
            self.cfg.set("workers", config.workers)
            self.cfg.set("worker_class", "sync")
            # gunicorn's own watchdog: a worker silent longer than this is killed and replaced
            self.cfg.set("timeout", int(config.timeout_ms / 1000) + 10 if config.timeout_ms else 0)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("keepalive", 5)
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")
            self.cfg.set("preload_app", False)  # init() once per worker, after the fork
            if metrics is not None:
                self.cfg.set("when_ready", metrics.when_ready)
                self.cfg.set("pre_fork", metrics.pre_fork)
                self.cfg.set("post_fork", metrics.post_fork)
                self.cfg.set("child_exit", metrics.child_exit)

        def load(self):
            return wsgi_application(config, preloaded)

    log_listening(config, "gunicorn")
    # gunicorn's master (this process) forks the workers: what it imported here they share
    preloaded = preload_before_fork(config)
    ScoringApplication().run()


class GunicornMetrics:
    """
    /metrics under gunicorn, from the same shared blocks as the built-in server: gunicorn's master gives each
    worker it forks a free block (pre_fork), the worker counts into it (post_fork sets METRICS), the master
    folds a dead worker's block into its totals (child_exit) and answers scrapes from a thread of its own
    (gunicorn's master loop is not ours to extend). The thread only accepts, reads the shared memory and writes
    to its socket: it holds no lock that a worker forked meanwhile could inherit locked.
    """

    def __init__(self, config):
        self.config = config
        self.container = ContainerMetrics(config.workers)
        self.scrapes = metrics_listener(config)
        self.used = set()  # blocks a worker has had: the next worker on one is a restart

    def when_ready(self, arbiter):
        if self.scrapes is None:
            return

        def answer_scrapes():
            while True:
                if select.select([self.scrapes], [], [], 1.0)[0]:
                    answer_scrape(self.scrapes, self.container)
        threading.Thread(target=answer_scrapes, name="powerai-metrics", daemon=True).start()

    def pre_fork(self, arbiter, worker):
        taken = {getattr(w, "powerai_block", None) for w in arbiter.WORKERS.values()}
        free = [index for index in range(self.config.workers) if index not in taken]
        # More workers than blocks only while gunicorn replaces them all (a reload): that one goes uncounted.
        worker.powerai_block = free[0] if free else None
        if worker.powerai_block is not None:
            if worker.powerai_block in self.used:
                self.container.restarts += 1
            self.used.add(worker.powerai_block)

    def post_fork(self, arbiter, worker):
        global METRICS
        if self.scrapes is not None:
            self.scrapes.close()  # the master's alone
        if worker.powerai_block is not None:
            METRICS = WorkerMetrics(self.container.memory, worker.powerai_block)

    def child_exit(self, arbiter, worker):
        if worker.powerai_block is not None:
            self.container.retire(worker.powerai_block)


def gunicorn_available():
    return importlib.util.find_spec("gunicorn") is not None


def main():
    config = Config()
    if not os.path.isfile(config.entry_script):
        log("error", "init failed", entryScript=config.entry_script, error="no entry script at %s" % config.entry_script)
        sys.exit(INIT_FAILED_EXIT)
    use_gunicorn = config.server == "gunicorn" or (config.server == "auto" and gunicorn_available())
    if use_gunicorn:
        serve_gunicorn(config)
    else:
        serve_builtin(config)


if __name__ == "__main__":
    main()
