"""
Azure ML parity: each row of the table in docs/steps/scoringImage.md ("Azure ML parity"), as the built-in
server answers it (and, where the row is about the WSGI application too, gunicorn). The Azure ML behaviour each
row is compared with is that of Azure ML's inference server (azureml-inference-server-http), as its documentation
describes it; that server itself cannot run here (it needs Flask and PyPI).

inference-schema is neither in Debian nor reachable here: the schema rows use a STAND-IN package written below
(inference_schema with schema_decorators, parameter_types and schema_util), which implements only the documented
interface the server relies on (is_schema_decorated, get_input_schema, get_output_schema, and decorated run()
called with keyword arguments). The real package was not run.
"""
import http.client
import json
import os
import textwrap

import pytest

from conftest import RunningServer, gunicorn_missing

PLAIN_SCRIPT = """
import json, os, time

def init():
    global MODEL_DIR_SEEN
    MODEL_DIR_SEEN = os.environ.get("AZUREML_MODEL_DIR")

def run(raw_data):
    request = json.loads(raw_data)
    mode = request.get("mode")
    if mode == "fail":
        raise RuntimeError("internal detail")
    if mode == "value":
        raise ValueError("x must be a number")
    if mode == "key":
        return {}["missing"]
    if mode == "exit":
        raise SystemExit(3)
    if mode == "slow":
        time.sleep(5)
    if mode == "not-json":
        return object()
    if mode == "env":
        return {"modelDir": MODEL_DIR_SEEN, "appRoot": os.environ.get("AML_APP_ROOT")}
    return {"echo": request}
"""

RAW_SCRIPT = """
import json
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse

def init():
    pass

@rawhttp
def run(request):
    if request.method == "GET":
        return AMLResponse(json.dumps({"method": "GET", "name": request.args.get("name"), "all": request.args.getlist("name"),
                                       "header": request.headers.get("X-Custom"), "path": request.path}),
                           201, {"Content-Type": "application/json", "X-Answer": "yes"})
    if request.method == "OPTIONS":
        return AMLResponse("", 200, {"Access-Control-Allow-Origin": "*"})
    body = request.get_data()
    if body.startswith(b"\\x89PNG"):
        return AMLResponse(body[::-1], 200, {"Content-Type": "image/png"})
    if body == b"fail":
        raise RuntimeError("raw failure")
    if body == b"teapot":
        return AMLResponse({"short": "stout"}, 418, json_str=True)
    if body == b"bad-header":
        return AMLResponse("x", 200, {"X-Evil": "a\\r\\nSet-Cookie: stolen=1"})
    return {"length": len(body), "json": request.get_json(silent=True), "type": request.headers.get("content-type")}
"""

HEADERS_SCRIPT = """
def init():
    pass

def run(data, request_headers):
    return {"data": data, "custom": request_headers.get("x-custom")}
"""

SCHEMA_SCRIPT = """
from inference_schema.schema_decorators import input_schema, output_schema
from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType

def init():
    pass

@input_schema("data", StandardPythonParameterType([[1.0, 2.0]]))
@input_schema("scale", StandardPythonParameterType(2))
@output_schema(StandardPythonParameterType({"predictions": [0]}))
def run(data, scale=1):
    return {"predictions": [sum(row) * scale for row in data]}
"""

# A STAND-IN for inference-schema (not the real package: neither in Debian nor reachable here). Only the
# documented interface: the decorators record a schema per function; schema_util reads it back.
STAND_IN_PACKAGE = {
    "inference_schema/__init__.py": '"""STAND-IN for the inference-schema package, for powerai\'s tests only."""\n',
    "inference_schema/parameter_types/__init__.py": "",
    "inference_schema/parameter_types/standard_py_parameter_type.py": """
        def _schema(value):
            if isinstance(value, bool):
                return {"type": "boolean"}
            if isinstance(value, int):
                return {"type": "integer", "format": "int64"}
            if isinstance(value, float):
                return {"type": "number", "format": "double"}
            if isinstance(value, list):
                return {"type": "array", "items": _schema(value[0]) if value else {}}
            if isinstance(value, dict):
                return {"type": "object", "properties": {k: _schema(v) for k, v in value.items()}}
            return {"type": "string"}

        class StandardPythonParameterType:
            def __init__(self, sample_input):
                self.sample_input = sample_input

            def input_to_swagger(self):
                schema = _schema(self.sample_input)
                schema["example"] = self.sample_input
                return schema
        """,
    "inference_schema/schema_util.py": """
        __functions_schema__ = {}

        def _name(func):
            while hasattr(func, "__wrapped__"):
                func = func.__wrapped__
            return func.__module__ + "." + func.__name__

        def is_schema_decorated(func):
            return _name(func) in __functions_schema__

        def get_input_schema(func):
            return __functions_schema__.get(_name(func), {}).get("input_schema", {"type": "object"})

        def get_output_schema(func):
            return __functions_schema__.get(_name(func), {}).get("output_schema", {"type": "object"})
        """,
    "inference_schema/schema_decorators.py": """
        import functools
        from inference_schema import schema_util

        def input_schema(param_name, param_type, convert_to_provided_type=True):
            def decorator(func):
                entry = schema_util.__functions_schema__.setdefault(schema_util._name(func), {})
                schema = entry.setdefault("input_schema", {"type": "object", "properties": {}, "example": {}})
                schema["properties"][param_name] = param_type.input_to_swagger()
                schema["example"][param_name] = param_type.sample_input

                @functools.wraps(func)
                def wrapper(*args, **kwargs):
                    return func(*args, **kwargs)
                return wrapper
            return decorator

        def output_schema(output_type):
            def decorator(func):
                entry = schema_util.__functions_schema__.setdefault(schema_util._name(func), {})
                entry["output_schema"] = output_type.input_to_swagger()

                @functools.wraps(func)
                def wrapper(*args, **kwargs):
                    return func(*args, **kwargs)
                return wrapper
            return decorator
        """,
}


def start(tmp, name, script, env=None, kind="builtin", workers=1):
    folder = os.path.join(tmp, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "entry.py"), "w") as f:
        f.write(script)
    environment = {"AZUREML_ENTRY_SCRIPT": os.path.join(folder, "entry.py")}
    environment.update(env or {})
    return RunningServer(kind, folder, workers=workers, env=environment)


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("parity-plain"))
    os.makedirs(os.path.join(tmp, "app"))
    os.makedirs(os.path.join(tmp, "model"))
    with open(os.path.join(tmp, "app", "score_parity.py"), "w") as f:
        f.write(PLAIN_SCRIPT)
    # Azure ML's names only: a relative AZUREML_ENTRY_SCRIPT under AML_APP_ROOT, and SCORING_TIMEOUT_MS
    server = RunningServer("builtin", tmp, workers=1, env={
        "AML_APP_ROOT": os.path.join(tmp, "app"), "AZUREML_ENTRY_SCRIPT": "score_parity.py",
        "AZUREML_MODEL_DIR": os.path.join(tmp, "model"), "POWERAI_SCORING_TIMEOUT_MS": "", "SCORING_TIMEOUT_MS": "1000"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    server = start(str(tmp_path_factory.mktemp("parity-raw")), "raw", RAW_SCRIPT)
    yield server
    server.stop()


def score(port, payload, headers=None):
    return request(port, "POST", "/score", json.dumps(payload).encode(), dict({"Content-Type": "application/json"}, **(headers or {})))


# ------------------------------------------------------------------------------------------------ routes

def test_routes_liveness_readiness_score(plain):
    status, _, body = request(plain.port, "GET", "/")
    assert (status, body) == (200, b"Healthy")  # Azure ML: GET / answers "Healthy" (its liveness and readiness probe)
    status, _, body = request(plain.port, "GET", "/health")
    assert status == 200  # powerai's addition: readiness once init() has run
    status, headers, body = score(plain.port, {"x": 1})
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"echo": {"x": 1}}


def test_routes_scoreGetIs405_optionsIs200Empty(plain):
    status, _, _ = request(plain.port, "GET", "/score")
    assert status == 405  # Azure ML: 405 for GET /score when run() is not @rawhttp
    status, _, body = request(plain.port, "OPTIONS", "/score")
    assert (status, body) == (200, b"")  # Azure ML: 200 and an empty body


def test_routes_swaggerWithoutSampleOrSchema_404(plain):
    status, _, body = request(plain.port, "GET", "/swagger.json")
    assert status == 404 and "error" in json.loads(body)


# ------------------------------------------------------------------------------------------- run() failures

@pytest.mark.parametrize("mode, expected", [
    ("fail", 500),      # Azure ML: 500
    ("exit", 500),      # Azure ML: 500 (SystemExit is caught like any exception)
    ("not-json", 500),  # Azure ML: 500 (its JSON encoding fails after run())
    ("value", 400),     # Azure ML: 500; powerai: the client's bad input (see the table)
    ("key", 400),       # Azure ML: 500; powerai: 400, as for ValueError
    ("slow", 504),      # Azure ML: 500 "Scoring timeout"; powerai: 504 (see the table); SCORING_TIMEOUT_MS=1000 here
])
def test_runFailures_statusAndRunFunctionFailedHeader(plain, mode, expected):
    status, headers, body = score(plain.port, {"mode": mode})
    assert status == expected
    assert headers.get("x-ms-run-function-failed") == "True"  # as Azure ML, on each failure of run()
    assert json.loads(body)["requestId"] == headers["x-request-id"]


def test_azuremlVariables_entryScriptUnderAppRoot_modelDirSeenByInit_scoringTimeoutMs(plain):
    status, _, body = score(plain.port, {"mode": "env"})
    assert status == 200
    answer = json.loads(body)
    assert answer["modelDir"].endswith("model") and answer["appRoot"].endswith("app")
    # SCORING_TIMEOUT_MS=1000 (Azure ML's name) is in force: run() sleeping 5 s was interrupted (504 above)


# ------------------------------------------------------------------------------------------- request ids

@pytest.mark.parametrize("sent, expected", [
    # (x-request-id, x-ms-request-id, x-ms-client-request-id) sent -> answered; "new" is a generated id, the
    # same in each place it appears (Azure ML's inference server's table)
    ((None, None, None), ("new", "new", None)),
    (("A", None, None), ("A", "A", None)),
    ((None, "B", None), ("new", "B", "B")),
    ((None, None, "C"), ("new", "C", "C")),
    (("A", "B", None), ("A", "B", "B")),
    ((None, "B", "C"), ("new", "B", "C")),
    (("A", None, "C"), ("A", "C", "C")),
    (("A", "B", "C"), ("A", "B", "C")),
])
def test_requestIds_asAzureMl(plain, sent, expected):
    names = ("x-request-id", "x-ms-request-id", "x-ms-client-request-id")
    headers = {name: value for name, value in zip(names, sent) if value}
    status, answer, body = score(plain.port, {"x": 1}, headers)
    assert status == 200
    generated = answer["x-request-id"]
    for name, value in zip(names, expected):
        if value is None:
            assert name not in answer
        else:
            assert answer[name] == (generated if value == "new" else value), name
    if expected[0] == "new":
        assert len(generated) == 36  # a UUID


def test_requestIds_notPlainAscii_notEchoed(plain):
    status, answer, _ = score(plain.port, {"x": 1}, {"x-request-id": "a" * 129, "x-ms-client-request-id": "two words"})
    assert status == 200
    assert len(answer["x-request-id"]) == 36 and answer["x-ms-request-id"] == answer["x-request-id"]
    assert "x-ms-client-request-id" not in answer


def test_requestIds_errorBodyAndLogCarryTheRequestId(plain):
    status, answer, body = score(plain.port, {"mode": "fail"}, {"x-request-id": "trace-42", "x-ms-client-request-id": "mine"})
    assert status == 500
    assert json.loads(body)["requestId"] == "trace-42"
    assert (answer["x-ms-request-id"], answer["x-ms-client-request-id"]) == ("mine", "mine")
    assert '"requestId": "trace-42"' in plain.log_text()


# ------------------------------------------------------------------------------------------------ @rawhttp

def test_rawhttp_get_requestObject_andResponseObjectWithStatusAndHeaders(raw):
    status, headers, body = request(raw.port, "GET", "/score?name=a&name=b", headers={"X-Custom": "v1"})
    assert status == 201
    assert headers["x-answer"] == "yes" and headers["content-type"] == "application/json"
    assert json.loads(body) == {"method": "GET", "name": "a", "all": ["a", "b"], "header": "v1", "path": "/score"}


def test_rawhttp_binaryBody_inAndOut(raw):
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # not UTF-8: only a @rawhttp run() may take it
    status, headers, body = request(raw.port, "POST", "/score", image, {"Content-Type": "image/png"})
    assert status == 200 and headers["content-type"] == "image/png"
    assert body == image[::-1]


def test_rawhttp_plainValueIsJson_statusFromResponse_optionsToRun(raw):
    status, _, body = request(raw.port, "POST", "/score", b'{"a": 1}', {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body) == {"length": 8, "json": {"a": 1}, "type": "application/json"}
    status, _, body = request(raw.port, "POST", "/score", b"teapot")
    assert status == 418 and json.loads(body) == {"short": "stout"}
    status, headers, _ = request(raw.port, "OPTIONS", "/score")
    assert status == 200 and headers["access-control-allow-origin"] == "*"


def test_rawhttp_failures_500_andNoHeaderInjection(raw):
    status, headers, _ = request(raw.port, "POST", "/score", b"fail")
    assert status == 500 and headers["x-ms-run-function-failed"] == "True"
    status, headers, body = request(raw.port, "POST", "/score", b"bad-header")
    assert status == 500 and "set-cookie" not in headers
    assert "malformed header" in json.loads(body)["error"]
    assert request(raw.port, "PUT", "/score", b"x")[0] == 405  # Azure ML routes GET, POST and OPTIONS only


@pytest.mark.skipif(gunicorn_missing(), reason="gunicorn is not installed (Debian: apt-get install gunicorn)")
def test_rawhttp_andRequestIds_underGunicornToo(tmp_path):
    server = start(str(tmp_path), "raw-gunicorn", RAW_SCRIPT, kind="gunicorn")
    try:
        status, headers, body = request(server.port, "GET", "/score?name=z", headers={"X-Custom": "g", "x-ms-client-request-id": "C"})
        assert status == 201 and headers["x-answer"] == "yes"
        assert json.loads(body)["name"] == "z" and json.loads(body)["header"] == "g"
        assert (headers["x-ms-request-id"], headers["x-ms-client-request-id"]) == ("C", "C")
        assert len(headers["x-request-id"]) == 36
    finally:
        server.stop()


# ------------------------------------------------------------------------------- request_headers, schema

def test_requestHeadersParameter_getsTheHeaders(tmp_path):
    server = start(str(tmp_path), "headers", HEADERS_SCRIPT)
    try:
        status, _, body = request(server.port, "POST", "/score", b'"text"', {"X-Custom": "h"})
        assert status == 200 and json.loads(body) == {"data": '"text"', "custom": "h"}
    finally:
        server.stop()


def test_inferenceSchema_standIn_runGetsKeywordArguments_andSwaggerUsesTheSchema(tmp_path):
    packages = tmp_path / "site"
    for path, text in STAND_IN_PACKAGE.items():
        target = packages / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    server = start(str(tmp_path), "schema", SCHEMA_SCRIPT, env={"PYTHONPATH": str(packages)})
    try:
        status, _, body = request(server.port, "POST", "/score", b'{"data": [[1, 2], [3, 4]], "scale": 10}')
        assert status == 200 and json.loads(body) == {"predictions": [30, 70]}
        status, _, body = request(server.port, "POST", "/score", b'{"data": [[1, 2]], "nope": 1}')
        assert status == 400 and "no parameter nope" in json.loads(body)["error"]
        status, _, body = request(server.port, "POST", "/score", b'[1, 2]')
        assert status == 400
        status, _, body = request(server.port, "GET", "/swagger.json")
        assert status == 200
        swagger = json.loads(body)
        assert swagger["paths"]["/score"]["post"]["operationId"] == "RunMLService"
        service_input = swagger["definitions"]["ServiceInput"]
        assert service_input["properties"]["data"]["type"] == "array"
        assert service_input["example"] == {"data": [[1.0, 2.0]], "scale": 2}
        assert swagger["definitions"]["ServiceOutput"]["properties"]["predictions"]["type"] == "array"
    finally:
        server.stop()
