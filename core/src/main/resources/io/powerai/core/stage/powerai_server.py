"""powerai scoring server: serves an Azure ML entry script (init() / run(raw_data)) over HTTP.

Shipped by powerai inside every scoring image. Standard library only; when the image has gunicorn it serves
through gunicorn instead (POWERAI_SERVER=auto, the default; =builtin or =gunicorn to choose).

Routes
  GET  /              liveness: 200 "Healthy" while the server serves; never needs a key (probes)
  GET  /health        readiness: 200 once this worker's init() has finished, 503 before; never needs a key
  POST /score         the body, decoded as UTF-8, goes to run(raw_data); its return value is sent as JSON
  GET  /swagger.json  Swagger 2.0 generated from the sample request and response written into the image

Endpoint keys: when POWERAI_PRIMARY_KEY or POWERAI_SECONDARY_KEY is set (aksDeploy sets both from the Secret
<name>-keys), /score and /swagger.json need the header "Authorization: Bearer <either key>", as Azure ML's key
authentication; without it, or with another key, the answer is 401 with a JSON error and
"WWW-Authenticate: Bearer". Keys are compared in constant time, never logged, and taken out of the environment
before the entry script is loaded.

Errors (the body is always JSON: {"error": ..., "requestId": ...}; the request id is also the header
x-ms-request-id and is in the container log line of the request):
  400  the body is not UTF-8 or not well-formed HTTP, or run() raised ValueError (json.JSONDecodeError and
       UnicodeDecodeError are ValueErrors), KeyError or IndexError: the client sent bad input. The
       exception's message is in the answer.
  401  no endpoint key, or a wrong one (only when keys are set)
  413  the body is over POWERAI_MAX_REQUEST_BYTES
  500  run() raised anything else, or returned something json.dumps cannot encode. Only the exception's
       type is in the answer; the stack trace goes to the container log (POWERAI_DEBUG_ERRORS=1 adds it
       to the answer, for debugging only).
  504  run() did not return within POWERAI_SCORING_TIMEOUT_MS; the worker goes on serving.

Environment: AZUREML_ENTRY_SCRIPT (score.py), AZUREML_MODEL_DIR (read by score.py), PORT (5001),
HOST (0.0.0.0), WORKER_COUNT (Azure ML's name; default: the CPUs this container may use),
POWERAI_SCORING_TIMEOUT_MS (60000), POWERAI_MAX_REQUEST_BYTES (10 MiB), POWERAI_SERVER (auto),
POWERAI_PRELOAD (1), POWERAI_PRIMARY_KEY / POWERAI_SECONDARY_KEY (unset: no keys needed),
POWERAI_SAMPLE_REQUEST / POWERAI_SAMPLE_RESPONSE (files the swagger is generated from), POWERAI_DEBUG_ERRORS.

Start: with POWERAI_PRELOAD=1 the master process imports the entry script once, and the modules that the
model's pickle files name (sklearn, say), before it forks the workers, which share them; each worker then
calls init() itself, after the fork, as Azure ML does. The imports are most of the start time, and are then
paid once rather than once per worker. POWERAI_PRELOAD=0 imports the entry script in each worker instead
(for entry scripts whose module-level code must not run before a fork: threads, open connections).

The built-in server is a prefork server: the master process opens the listening socket and forks the
workers, which share it. Each worker is one thread running an event loop (keep-alive connections, no thread
per request) and calls run() itself, one request at a time, so that the scoring timeout can interrupt run()
with a signal. The master restarts a worker that dies, and kills one whose run() ignores the timeout. A
worker writes the log lines of its requests in batches (when it has nothing else to do, at 16 KiB, or after
50 ms): a write per request to the container's log pipe made requests wait on the container engine's log
reader, which was the slowest 1% of the answers under load.
"""
import collections
import gc
import hashlib
import hmac
import importlib
import importlib.util
import json
import mmap
import os
import pickletools
import select
import selectors
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
import uuid

SERVER_VERSION = "powerai-scoring/2"
BAD_INPUT = (ValueError, KeyError, IndexError)
INIT_FAILED_EXIT = 3  # also gunicorn's "worker failed to boot": its master stops too
MAX_HEADER_BYTES = 64 * 1024
KEEP_ALIVE_SECONDS = 75
DEFER_SECONDS = 0.05
REASONS = {100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Content Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
           504: "Gateway Timeout", 505: "HTTP Version Not Supported"}


def env_int(name, default, minimum):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SystemExit("powerai scoring server: %s must be a whole number; got %r" % (name, text))
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
        self.model_dir = os.environ.get("AZUREML_MODEL_DIR")
        self.host = os.environ.get("HOST", "0.0.0.0")
        self.port = env_int("PORT", 5001, 1)
        self.workers = env_int("WORKER_COUNT", 0, 0) or usable_cpus()
        self.timeout_ms = env_int("POWERAI_SCORING_TIMEOUT_MS", 60000, 0)
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


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


def log_line(level, event, fields):
    fields["time"] = now_iso()
    fields["level"] = level
    fields["event"] = event
    return (json.dumps(fields, sort_keys=True, default=str) + "\n").encode("utf-8", "replace")


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


def swagger_document(config):
    """Swagger 2.0 for /score, in the shape Azure ML generates (RunMLService, ServiceInput, ServiceOutput)."""
    if not config.sample_request or not os.path.isfile(config.sample_request):
        return None

    def sample(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            return True, json.loads(text)
        except ValueError:
            return False, text

    is_json, request = sample(config.sample_request)
    input_schema = json_schema(request) if is_json else {"type": "string"}
    input_schema["example"] = request
    output_schema = {}
    if config.sample_response and os.path.isfile(config.sample_response):
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


class Scorer:
    """The Azure ML contract for one worker: loads the entry script, runs init() once, answers requests."""

    def __init__(self, config, preloaded=None):
        self.config = config
        self.preloaded = preloaded  # the entry script, imported by the master before the fork (see preload)
        self.module = None
        self.ready = threading.Event()
        self.in_run = False
        self.busy_slot = None  # (mmap, offset) the master watches, in the built-in server
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
            self.module = module
            # What init() loaded lives as long as the worker: out of the collector's sight, so that no full
            # collection walks the model's objects in the middle of a request.
            gc.collect()
            gc.freeze()
            self.ready.set()
            log("info", "ready", worker=os.getpid(), initMillis=round((time.monotonic() - started) * 1000, 1))
            if on_done:
                on_done()
        threading.Thread(target=initialise, name="powerai-init", daemon=True).start()

    def handle(self, method, path, body, request_id):
        """Returns (status, content type, body bytes) for one complete request."""
        path = path.split("?", 1)[0]
        if path == "/score" or path == "/score/":
            if method != "POST":
                return 405, "application/json", error_body("use POST /score", request_id)
            return self.score(body, request_id)
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

    def score(self, body, request_id):
        try:
            raw = body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "application/json", error_body("the request body is not UTF-8", request_id)
        self.ready.wait()
        timeout = self.config.timeout_ms / 1000.0
        slot = self.busy_slot
        if slot:
            struct.pack_into("d", slot[0], slot[1], time.monotonic())
        try:
            try:
                if timeout:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                self.in_run = True
                result = self.module.run(raw)
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
        except BAD_INPUT as error:
            message = "bad input: %s: %s" % (type(error).__name__, str(error)[:1000])
            return 400, "application/json", error_body(message, request_id)
        except Exception as error:
            trace = traceback.format_exc()
            sys.stderr.write("run() failed (requestId %s):\n%s" % (request_id, trace))
            sys.stderr.flush()
            message = "run() raised %s; the container log has the details under this request id" % type(error).__name__
            return 500, "application/json", error_body(message, request_id, trace if self.config.debug_errors else None)
        try:
            return 200, "application/json", json.dumps(result, default=to_json_default, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as error:
            sys.stderr.write("run() returned a value that is not JSON (requestId %s): %s\n" % (request_id, error))
            sys.stderr.flush()
            return 500, "application/json", error_body(
                "run() returned a value that cannot be encoded as JSON (%s)" % str(error)[:200], request_id)


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


def request_id_from(value):
    if value and len(value) <= 128 and all(c.isalnum() or c in "-_.:" for c in value):
        return value
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------------------
# The built-in server: a prefork master and single-threaded event-loop workers.

class BadRequest(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class Connection:
    __slots__ = ("sock", "buf", "last", "draining_until", "continued")

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.last = time.monotonic()
        self.draining_until = 0.0
        self.continued = False


def parse_head(buf, end):
    """Request line and headers of buf[:end]: (method, target, version, {lowercase name: value})."""
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        if len(parts) == 3 and parts[2].startswith("HTTP/"):
            raise BadRequest(505, "only HTTP/1.x is served")
        raise BadRequest(400, "malformed request line")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        name = name.lower()
        value = value.strip()
        if name in headers and name == "content-length" and headers[name] != value:
            raise BadRequest(400, "conflicting Content-Length headers")
        headers[name] = value
    return parts[0], parts[1], parts[2], headers


def parse_chunked(buf, start, limit):
    """(body, end) when buf[start:] holds the whole chunked body; None when more is needed."""
    body = bytearray()
    pos = start
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            if len(buf) - pos > 1024:
                raise BadRequest(400, "malformed chunk size")
            return None
        size_text = bytes(buf[pos:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest(400, "malformed chunk size")
        if size < 0:
            raise BadRequest(400, "malformed chunk size")
        if len(body) + size > limit:
            raise BadRequest(413, "request body over %d bytes" % limit)
        pos = line_end + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n", pos)
            while trailer_end >= 0 and trailer_end != pos:  # skip trailer fields
                pos = trailer_end + 2
                trailer_end = buf.find(b"\r\n", pos)
            if trailer_end < 0:
                return None
            return bytes(body), trailer_end + 2
        if len(buf) < pos + size + 2:
            return None
        body += buf[pos:pos + size]
        if buf[pos + size:pos + size + 2] != b"\r\n":
            raise BadRequest(400, "malformed chunk")
        pos += size + 2


class Worker:
    def __init__(self, config, listener, slots, index, preloaded=None):
        self.config = config
        self.listener = listener
        self.scorer = Scorer(config, preloaded)
        self.scorer.busy_slot = (slots, index * 8) if slots is not None else None
        # Keep-alive connections stay with the worker that accepted them, and the first worker that wakes up
        # would accept them all: each worker publishes its number of connections, and leaves a new one to a
        # worker with fewer (for at most DEFER_SECONDS, in case that one is busy in run()).
        self.slots = slots
        self.count_offset = 8 * config.workers + 8 * index
        self.other_counts = [8 * config.workers + 8 * i for i in range(config.workers) if i != index]
        self.deferring_since = 0.0
        self.listener_paused_until = 0.0
        self.selector = selectors.DefaultSelector()
        self.connections = {}
        self.parked = []  # connections whose /score arrived before init() finished
        self.running = True
        self._date = (0, b"")

    def stop(self, signum=None, frame=None):
        self.running = False

    def date_header(self):
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(second)).encode("ascii"))
        return self._date[1]

    def serve(self):
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        self.selector.register(self.listener, selectors.EVENT_READ, "listener")
        self.selector.register(wake_read, selectors.EVENT_READ, "wake")
        self.scorer.start_init(lambda: os.write(wake_write, b"."))
        REQUEST_LOG.start_batching()
        awaiting_log_reader = False
        next_sweep = time.monotonic() + 1
        while self.running:
            timeout = 1.0
            if self.listener_paused_until:
                timeout = max(0.0, self.listener_paused_until - time.monotonic())
                if timeout == 0.0:
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
            for key, _ in events:
                if key.data == "listener":
                    self.accept()
                elif key.data == "wake":
                    try:
                        os.read(wake_read, 64)
                    except BlockingIOError:
                        pass
                    parked, self.parked = self.parked, []
                    for conn in parked:
                        if conn.sock.fileno() >= 0:
                            self.selector.register(conn.sock, selectors.EVENT_READ, conn)
                            self.process(conn)
                elif key.data == "log":
                    REQUEST_LOG.drain()
                else:
                    self.readable(key.data)
            if bool(REQUEST_LOG.pending) != awaiting_log_reader:  # lines wait for room in the log pipe
                awaiting_log_reader = not awaiting_log_reader
                if awaiting_log_reader:
                    self.selector.register(REQUEST_LOG.fd, selectors.EVENT_WRITE, "log")
                else:
                    self.selector.unregister(REQUEST_LOG.fd)
            now = time.monotonic()
            if now >= next_sweep:
                next_sweep = now + 1
                for conn in list(self.connections.values()):
                    if conn.draining_until:
                        if now > conn.draining_until:
                            self.close(conn)
                    elif now - conn.last > KEEP_ALIVE_SECONDS and conn not in self.parked:
                        self.close(conn)
        for conn in list(self.connections.values()):
            self.close(conn)

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
            self.selector.register(sock, selectors.EVENT_READ, conn)
            self.publish_count()

    def close(self, conn):
        fd = conn.sock.fileno()
        if fd >= 0:
            try:
                self.selector.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
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

    def process(self, conn):
        """Answers every complete request in the buffer, one after the other (pipelining keeps its order)."""
        while conn.buf and conn.sock.fileno() >= 0 and not conn.draining_until:
            started = time.monotonic()
            end = conn.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(conn.buf) > MAX_HEADER_BYTES:
                    self.refuse(conn, 431, "request headers over %d bytes" % MAX_HEADER_BYTES, started, "?", "?")
                return
            try:
                method, target, version, headers = parse_head(conn.buf, end)
            except BadRequest as error:
                self.refuse(conn, error.status, str(error), started, "?", "?")
                return
            start = end + 4
            request_id = request_id_from(headers.get("x-ms-client-request-id") or headers.get("x-request-id"))
            refusal = key_refusal(self.config, target, headers.get("authorization"))
            if refusal:  # before the body is read or waited for: a client without the key gets no work done
                self.refuse(conn, 401, refusal[0], started, method, target, request_id, refusal[1])
                return
            try:
                if "transfer-encoding" in headers:
                    if headers["transfer-encoding"].lower() != "chunked" or "content-length" in headers:
                        raise BadRequest(501 if "content-length" not in headers else 400,
                                         "only Transfer-Encoding: chunked is served, without Content-Length")
                    if not self.may_continue(conn, headers, version):
                        return
                    parsed = parse_chunked(conn.buf, start, self.config.max_request_bytes)
                    if parsed is None:
                        return
                    body, next_start = parsed
                else:
                    length_text = headers.get("content-length", "0")
                    if not length_text.isdigit():
                        raise BadRequest(400, "malformed Content-Length")
                    length = int(length_text)
                    if length > self.config.max_request_bytes:
                        raise BadRequest(413, "request body of %d bytes is over the limit of %d bytes (max_request_bytes)"
                                         % (length, self.config.max_request_bytes))
                    if len(conn.buf) < start + length:
                        self.may_continue(conn, headers, version)
                        return
                    body, next_start = bytes(conn.buf[start:start + length]), start + length
            except BadRequest as error:
                self.refuse(conn, error.status, str(error), started, method, target, request_id)
                return
            if method == "POST" and target.split("?", 1)[0] in ("/score", "/score/") and not self.scorer.ready.is_set():
                self.selector.unregister(conn.sock)  # answered once init() has finished (see serve)
                self.parked.append(conn)
                return
            del conn.buf[:next_start]
            conn.continued = False
            status, content_type, payload = self.scorer.handle(method, target, body, request_id)
            keep_alive = self.keep_alive(headers, version)
            self.respond(conn, status, content_type, payload, request_id, keep_alive, method == "HEAD")
            log_request(method, target, status, request_id, started, len(body), len(payload))
            if not keep_alive:
                self.close(conn)
                return

    @staticmethod
    def keep_alive(headers, version):
        token = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            return token == "keep-alive"
        return token != "close"

    def may_continue(self, conn, headers, version):
        if headers.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1" and not conn.continued:
            conn.continued = True
            self.send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def refuse(self, conn, status, message, started, method, target, request_id=None, challenge=None):
        """An answer to a request we will not read on: then a lingering close (the client may still be sending)."""
        request_id = request_id or str(uuid.uuid4())
        payload = error_body(message, request_id)
        self.respond(conn, status, "application/json", payload, request_id, False, False, challenge)
        log_request(method, target, status, request_id, started, 0, len(payload), message)
        conn.buf = bytearray()
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close(conn)
            return
        conn.draining_until = time.monotonic() + 5

    def respond(self, conn, status, content_type, payload, request_id, keep_alive, head_only, challenge=None):
        head = b"".join((
            b"HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Unknown").encode("ascii")),
            b"Server: " + SERVER_VERSION.encode("ascii") + b"\r\nDate: " + self.date_header(),
            b"\r\nContent-Type: " + content_type.encode("ascii"),
            b"\r\nContent-Length: %d\r\nx-ms-request-id: " % len(payload), request_id.encode("ascii"),
            b"\r\nx-ms-run-function-failed: True" if function_failed(status) else b"",
            b"\r\nWWW-Authenticate: " + challenge.encode("ascii") if challenge else b"",
            b"\r\nConnection: close\r\n\r\n" if not keep_alive else b"\r\n\r\n",
        ))
        self.send(conn, head if head_only else head + payload)

    def send(self, conn, data):
        try:
            sent = conn.sock.send(data)
            if sent < len(data):  # a slow reader of a big answer: finish it blocking, as a sync worker would
                conn.sock.settimeout(30)
                try:
                    conn.sock.sendall(data[sent:])
                finally:
                    conn.sock.setblocking(False)
        except OSError:
            self.close(conn)


def log_request(method, path, status, request_id, started, bytes_in, bytes_out, error=None):
    fields = {"method": method, "path": path, "status": status, "requestId": request_id, "worker": os.getpid(),
              "millis": round((time.monotonic() - started) * 1000, 3), "bytesIn": bytes_in, "bytesOut": bytes_out}
    if error:
        fields["error"] = error
    REQUEST_LOG.add(log_line("info" if status < 500 else "error", "request", fields), status)


def listen(config):
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def log_listening(config, server):
    log("info", "listening", server=server, host=config.host, port=config.port, workers=config.workers,
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


def serve_builtin(config):
    listener = listen(config)
    log_listening(config, "builtin")
    preloaded = preload_before_fork(config)
    # per worker: when its current run() started (0: idle), then per worker: its number of connections
    slots = mmap.mmap(-1, 16 * config.workers)
    grace = max(5.0, config.timeout_ms / 1000.0)
    workers = {}  # pid -> (index, started)
    stopping = []
    recent_deaths = []

    def spawn(index):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                Worker(config, listener, slots, index, preloaded).serve()
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                REQUEST_LOG.finish()
                os._exit(code)
        struct.pack_into("d", slots, index * 8, 0.0)
        struct.pack_into("q", slots, 8 * config.workers + 8 * index, 0)
        workers[pid] = (index, time.monotonic())

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(config.workers):
        spawn(index)
    exit_code = 0
    while not stopping:
        time.sleep(0.2)
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
            if code == INIT_FAILED_EXIT:
                log("error", "stopping: init() failed", worker=pid)
                exit_code = INIT_FAILED_EXIT
                stopping.append(0)
                break
            now = time.monotonic()
            recent_deaths[:] = [t for t in recent_deaths if now - t < 60] + [now]
            if len(recent_deaths) > 10 * config.workers:
                log("error", "stopping: workers keep dying", worker=pid, exitCode=code)
                exit_code = 1
                stopping.append(0)
                break
            log("warning", "worker died; starting another", worker=pid, exitCode=code)
            spawn(index)
        now = time.monotonic()
        for pid, (index, _) in list(workers.items()):
            since = struct.unpack_from("d", slots, index * 8)[0]
            if since and now - since > config.timeout_ms / 1000.0 + grace and config.timeout_ms:
                log("error", "killing a worker whose run() ignores the scoring timeout", worker=pid,
                    runningMillis=round((now - since) * 1000))
                struct.pack_into("d", slots, index * 8, 0.0)
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
    scorer.start_init()

    def application(environ, start_response):
        started = time.monotonic()
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/") or "/"
        request_id = request_id_from(environ.get("HTTP_X_MS_CLIENT_REQUEST_ID") or environ.get("HTTP_X_REQUEST_ID"))
        length_text = environ.get("CONTENT_LENGTH") or ""
        body = b""
        refusal = key_refusal(config, path, environ.get("HTTP_AUTHORIZATION"))
        if refusal:
            status, content_type, payload = 401, "application/json", error_body(refusal[0], request_id)
        elif length_text.isdigit() and int(length_text) > config.max_request_bytes:
            status, content_type, payload = 413, "application/json", error_body(
                "request body of %s bytes is over the limit of %d bytes (max_request_bytes)"
                % (length_text, config.max_request_bytes), request_id)
        else:
            if method == "POST":
                body = environ["wsgi.input"].read(config.max_request_bytes + 1)
            if len(body) > config.max_request_bytes:
                status, content_type, payload = 413, "application/json", error_body(
                    "request body over the limit of %d bytes (max_request_bytes)" % config.max_request_bytes, request_id)
            else:
                status, content_type, payload = scorer.handle(method, path, body, request_id)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(payload))), ("x-ms-request-id", request_id)]
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

        def load(self):
            return wsgi_application(config, preloaded)

    log_listening(config, "gunicorn")
    # gunicorn's master (this process) forks the workers: what it imported here they share
    preloaded = preload_before_fork(config)
    ScoringApplication().run()


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
