"""A request is counted in /metrics before its answer is sent (in process, no sockets).

A client that has its answer may scrape /metrics at once: when the worker counted only after sending, a scrape could
come before the count (LocalMetricsDeployTest saw one 400 of two). Both ways an answer leaves a worker are checked:
a scored request and a refused one.
"""
import types

import powerai_server as server


class Recorder:
    def __init__(self):
        self.order = []

    def request(self, path, status, seconds):
        self.order.append(("counted", status))

    def in_flight(self, _):
        pass


def stub_worker(recorder):
    worker = types.SimpleNamespace(
        config=types.SimpleNamespace(key_digests=None, max_request_bytes=1 << 20),
        scorer=types.SimpleNamespace(ready=types.SimpleNamespace(is_set=lambda: True),
                                     handle=lambda *a: (200, "application/json", b"[1]")),
        queue=[], parked=[],
        keep_alive=server.Worker.keep_alive,
        respond=lambda conn, status, *a: recorder.order.append(("sent", status)),
        finish=lambda conn, how: None,
        may_continue=lambda *a: None)
    worker.refuse = lambda *a, **k: server.Worker.refuse(worker, *a, **k)
    return worker


def stub_connection(data):
    return types.SimpleNamespace(buf=bytearray(data), sock=types.SimpleNamespace(fileno=lambda: 3),
                                 draining_until=None, out=b"", after_out=b"", queued=False, continued=False,
                                 chunked=None, parked=False)


def test_scoredRequest_countedBeforeItsAnswerIsSent(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(server, "METRICS", recorder)
    worker = stub_worker(recorder)
    server.Worker.answer_requests(worker, stub_connection(
        b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"))
    assert recorder.order == [("counted", 200), ("sent", 200)]


def test_refusedRequest_countedBeforeItsAnswerIsSent(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(server, "METRICS", recorder)
    worker = stub_worker(recorder)
    server.Worker.answer_requests(worker, stub_connection(b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"))
    assert recorder.order == [("counted", 400), ("sent", 400)]
