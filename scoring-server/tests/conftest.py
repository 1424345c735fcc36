"""
Starts powerai's scoring server (the built-in prefork server, or the same application under Debian's gunicorn)
on a free 127.0.0.1 port for the tests, and stops it afterwards. POWERAI_SERVER_SCRIPT runs the tests against
another copy of the server (an older one, to see a test fail before its fix).
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.environ.get("POWERAI_SERVER_SCRIPT") or os.path.join(os.path.dirname(HERE), "powerai_server.py")
sys.path.insert(0, os.path.dirname(SERVER))

ENTRY_SCRIPT = """
import json, os

def init():
    pass

def run(raw_data):
    request = json.loads(raw_data)
    if isinstance(request, dict) and request.get("mode") == "exit":
        os._exit(9)  # a crash no Python handler sees (as a segfault in a C extension would be)
    return {"echo": request}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, kind, tmp, workers=2, env=None):
        self.kind = kind
        self.port = free_port()
        self.log_path = os.path.join(tmp, "server-%s-%d.log" % (kind, self.port))
        script = os.path.join(tmp, "score.py")
        with open(script, "w") as f:
            f.write(ENTRY_SCRIPT)
        environment = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", WORKER_COUNT=str(workers),
                           AZUREML_ENTRY_SCRIPT=script, POWERAI_SERVER=kind, POWERAI_SCORING_TIMEOUT_MS="5000",
                           POWERAI_MAX_REQUEST_BYTES="1048576", PYTHONDONTWRITEBYTECODE="1")
        environment.update(env or {})
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([sys.executable, SERVER], env=environment, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.await_ready(workers)

    def await_ready(self, workers, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("the server exited (%s): %s" % (self.process.returncode, self.log_text()[-2000:]))
            if self.log_text().count('"event": "ready"') >= workers:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/health" % self.port, timeout=2) as answer:
                        if answer.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.05)
        raise AssertionError("the server was not ready in %d s: %s" % (seconds, self.log_text()[-2000:]))

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def workers(self):
        """The pids of the master's children (the workers), from /proc."""
        pids = set()
        task_dir = "/proc/%d/task" % self.process.pid
        for task in os.listdir(task_dir):
            try:
                with open(os.path.join(task_dir, task, "children")) as f:
                    pids.update(int(p) for p in f.read().split())
            except OSError:
                continue
        return pids

    def health(self, timeout=5):
        with urllib.request.urlopen("http://127.0.0.1:%d/health" % self.port, timeout=timeout) as answer:
            return answer.status

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def gunicorn_missing():
    try:
        import gunicorn  # noqa: F401
        return False
    except ImportError:
        return True


@pytest.fixture(scope="module")
def builtin_server(tmp_path_factory):
    server = RunningServer("builtin", str(tmp_path_factory.mktemp("builtin")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    if gunicorn_missing():
        pytest.skip("gunicorn is not installed (Debian: apt-get install gunicorn; scripts/infra.sh installs it)")
    server = RunningServer("gunicorn", str(tmp_path_factory.mktemp("gunicorn")), workers=4)
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own, for tests that kill or exhaust workers."""
    servers = []

    def start(kind="builtin", **kwargs):
        if kind == "gunicorn" and gunicorn_missing():
            pytest.skip("gunicorn is not installed (Debian: apt-get install gunicorn; scripts/infra.sh installs it)")
        server = RunningServer(kind, str(tmp_path), **kwargs)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()
