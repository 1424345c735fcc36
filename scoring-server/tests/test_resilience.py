"""Requests never end a worker, and the master never gives up on its workers (issue 14, finding 1)."""
import json
import os
import signal
import time
import urllib.request

from httpclient import exchange


def test_unicodeDigitContentLength_25Times_400Each_noWorkerDies_serverAnswers(fresh_server):
    server = fresh_server(workers=2)
    workers = server.workers()
    for _ in range(25):
        statuses, ending = exchange(server.port, b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n{}")
        assert (statuses, ending) == ([400], "close")

    assert server.workers() == workers
    assert "worker died" not in server.log_text()
    assert server.health() == 200


def test_unicodeRequestId_echoedHeaderIsAscii_noWorkerDies(fresh_server):
    server = fresh_server(workers=1)
    workers = server.workers()
    for _ in range(5):
        statuses, _ = exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nx-request-id: \xb2\r\n\r\n")
        assert statuses == [200]

    assert server.workers() == workers


def test_workersKilledFasterThanAnyLimit_masterRestartsThemWithBackOff_andLogsTheCount(fresh_server):
    # One worker killed 12 times within seconds: the old master gave up after 10 deaths a minute per worker.
    server = fresh_server(workers=1)
    killed = set()
    deadline = time.monotonic() + 60
    while len(killed) < 12 and time.monotonic() < deadline:
        for pid in server.workers() - killed:
            os.kill(pid, signal.SIGKILL)
            killed.add(pid)
        time.sleep(0.02)
    assert len(killed) == 12

    server.await_ready(workers=0, seconds=30)  # the master is alive and a worker answers /health again
    assert server.process.poll() is None
    deaths = [json.loads(line) for line in server.log_text().splitlines() if '"worker died' in line]
    assert len(deaths) == 12
    assert [d["restarts"] for d in deaths] == list(range(1, 13))
    assert max(d["delaySeconds"] for d in deaths) == 2.0  # backed off, up to its cap, but went on
    assert "stopping" not in server.log_text()


def test_runEndsItsWorkerProcess_connectionCloses_anotherWorkerStarts_serving(fresh_server):
    server = fresh_server(workers=1)
    statuses, ending = exchange(server.port, b'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n{"mode": "exit"}')
    assert (statuses, ending) == ([], "close")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % server.port, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    assert server.health() == 200
    assert server.process.poll() is None
    assert "worker died; starting another" in server.log_text()
