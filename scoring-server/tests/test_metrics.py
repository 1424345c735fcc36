"""
GET /metrics on the metrics port: the Prometheus text format, read with Debian's python3-prometheus-client
parser, summed over the prefork workers, after a known mix of requests served by two workers.
"""
import json
import os
import signal
import socket
import time
import urllib.request

import pytest

from conftest import free_port
from httpclient import AnswerReader, exchange

parser = pytest.importorskip("prometheus_client.parser", reason="needs python3-prometheus-client (Debian)")


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = answer.read().decode("utf-8")
    samples = {}
    for family in parser.text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def scrape_after_a_worker_died(server, metrics_port):
    """Kills a worker, waits for the master to start another, and scrapes: the restart is counted once."""
    os.kill(max(server.workers()), signal.SIGKILL)
    deadline = time.monotonic() + 20
    while value(scrape(metrics_port), "powerai_worker_restarts_total") < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = scrape(metrics_port)
    assert value(after, "powerai_worker_restarts_total") == 1
    return after


class KeepAlive:
    """One keep-alive connection: the built-in server keeps it with the worker that accepted it."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = AnswerReader(self.sock)

    def send(self, request):
        self.sock.sendall(request)
        return self.reader.next_answer()


def test_metrics_afterAKnownMixAcrossTwoWorkers_summedAndParsed_restartsCounted(fresh_server):
    metrics_port = free_port()
    server = fresh_server(workers=2, env={"POWERAI_METRICS_PORT": str(metrics_port)})
    # Two connections held open at once: the second goes to the worker with fewer connections.
    first, second = KeepAlive(server.port), KeepAlive(server.port)
    score = b'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n{"a": 1}'
    bad = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{nope"
    for connection in (first, second):
        for _ in range(3):
            assert connection.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == 200
        for _ in range(4):
            assert connection.send(score) == 200
        assert connection.send(bad) == 400
        assert connection.send(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n") == 404
    time.sleep(0.2)  # the log lines, batched, are out
    served_by = {json.loads(line)["worker"] for line in server.log_text().splitlines() if '"event": "request"' in line}
    assert len(served_by) == 2

    samples = scrape(metrics_port)

    assert value(samples, "powerai_requests_total", route="/", status="200") == 6
    assert value(samples, "powerai_requests_total", route="/score", status="200") == 8
    assert value(samples, "powerai_requests_total", route="/score", status="400") == 2
    assert value(samples, "powerai_requests_total", route="other", status="404") == 2
    assert value(samples, "powerai_request_duration_seconds_count", route="/score") == 10
    assert value(samples, "powerai_request_duration_seconds_bucket", route="/score", le="+Inf") == 10
    assert 0 < value(samples, "powerai_request_duration_seconds_sum", route="/score") < 10
    buckets = [v for (name, labels), v in samples.items()
               if name == "powerai_request_duration_seconds_bucket" and ("route", "/score") in labels]
    assert buckets == sorted(buckets)  # cumulative
    assert value(samples, "powerai_run_exceptions_total", type="JSONDecodeError") == 2
    assert value(samples, "powerai_requests_in_flight") == 0
    assert value(samples, "powerai_worker_restarts_total") == 0
    loads = [v for (name, _), v in samples.items() if name == "powerai_model_load_seconds"]
    assert len(loads) == 2 and all(v > 0 for v in loads)

    # A worker dies: its counts stay in the totals (counters never go backwards), the restart is counted.
    after = scrape_after_a_worker_died(server, metrics_port)
    assert value(after, "powerai_requests_total", route="/score", status="200") == 8
    assert value(after, "powerai_run_exceptions_total", type="JSONDecodeError") == 2


def test_metricsUnderGunicorn_knownMixSummedOverTwoWorkers_restartsCounted(fresh_server):
    metrics_port = free_port()
    server = fresh_server(kind="gunicorn", workers=2, env={"POWERAI_METRICS_PORT": str(metrics_port)})
    mix = [(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200)] * 3 + [
        (b'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n{"a": 1}', 200)] * 4 + [
        (b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{nope", 400),
        (b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404)]
    # gunicorn's sync workers close after each answer and take connections as they come: the mix is sent again
    # until both workers have served some of it.
    rounds = 0
    served_by = set()
    while len(served_by) < 2 and rounds < 30:
        rounds += 1
        for request, status in mix:
            assert exchange(server.port, request, wait_for_close=0)[0] == [status]
        time.sleep(0.1)
        served_by = {json.loads(line)["worker"] for line in server.log_text().splitlines() if '"event": "request"' in line}
    assert len(served_by) == 2

    samples = scrape(metrics_port)

    assert value(samples, "powerai_requests_total", route="/", status="200") == 3 * rounds
    assert value(samples, "powerai_requests_total", route="/score", status="200") == 4 * rounds
    assert value(samples, "powerai_requests_total", route="/score", status="400") == rounds
    assert value(samples, "powerai_requests_total", route="other", status="404") == rounds
    assert value(samples, "powerai_request_duration_seconds_count", route="/score") == 5 * rounds
    assert value(samples, "powerai_run_exceptions_total", type="JSONDecodeError") == rounds
    assert value(samples, "powerai_requests_in_flight") == 0
    assert value(samples, "powerai_worker_restarts_total") == 0
    loads = [v for (name, _), v in samples.items() if name == "powerai_model_load_seconds"]
    assert len(loads) == 2 and all(v > 0 for v in loads)

    after = scrape_after_a_worker_died(server, metrics_port)
    assert value(after, "powerai_requests_total", route="/score", status="200") == 4 * rounds
    assert value(after, "powerai_run_exceptions_total", type="JSONDecodeError") == rounds
    with pytest.raises(urllib.error.HTTPError) as public:  # not on the scoring port
        urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.port, timeout=5)
    assert public.value.code == 404


def test_metricsPort_answersOnlyGetMetrics_scoringPortHasNoMetrics(fresh_server):
    metrics_port = free_port()
    server = fresh_server(workers=1, env={"POWERAI_METRICS_PORT": str(metrics_port)})
    with pytest.raises(urllib.error.HTTPError) as other:
        urllib.request.urlopen("http://127.0.0.1:%d/score" % metrics_port, timeout=5)
    assert other.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as public:
        urllib.request.urlopen("http://127.0.0.1:%d/metrics" % server.port, timeout=5)
    assert public.value.code == 404


def test_noMetricsPort_metricsOffByDefault(fresh_server):
    server = fresh_server(workers=1)
    assert '"metricsPort": null' in server.log_text()


def test_slowScraper_cutOffAfterASecond_masterGoesOn(fresh_server):
    metrics_port = free_port()
    server = fresh_server(workers=1, env={"POWERAI_METRICS_PORT": str(metrics_port)})
    slow = socket.create_connection(("127.0.0.1", metrics_port))
    started = time.monotonic()
    for _ in range(60):  # a byte every 0.1 s for 6 s, never the end of the head
        try:
            slow.sendall(b"G")
        except OSError:
            break
        time.sleep(0.1)
    slow.settimeout(5)
    try:
        answer = slow.recv(100)
    except ConnectionResetError:  # our bytes after its close made it reset: closed all the same
        answer = b""
    assert answer == b""  # closed by the master, without an answer
    assert time.monotonic() - started < 4
    slow.close()
    assert value(scrape(metrics_port), "powerai_worker_restarts_total") == 0


def test_metricsPortTaken_servesWithoutMetrics(fresh_server):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        server = fresh_server(workers=1, env={"POWERAI_METRICS_PORT": str(taken.getsockname()[1])})
        assert server.health() == 200
        assert "no /metrics: the metrics port cannot be opened" in server.log_text()
    finally:
        taken.close()
