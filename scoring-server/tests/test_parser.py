"""The built-in server's HTTP/1.1 parser, function by function (no sockets)."""
import pytest

import powerai_server as server
from powerai_server import BadRequest


def status_of(call, *args):
    with pytest.raises(BadRequest) as refused:
        call(*args)
    return refused.value.status


@pytest.mark.parametrize("text, value", [("0", 0), ("7", 7), ("007", 7), ("1048576", 1048576)])
def test_parseContentLength_asciiDigits(text, value):
    assert server.parse_content_length(text) == value


@pytest.mark.parametrize("text", ["\u00b2", "\u00b9", "\u0663", "+7", "-1", "0x7", "7_0", " 7", "7 ", "", "7, 7", "\uff17"])
def test_parseContentLength_anythingButAsciiDigits_400(text):
    assert status_of(server.parse_content_length, text) == 400


def test_parseContentLength_longerThanAnyLimit_countsAsHuge_noIntConversionError():
    assert server.parse_content_length("9" * 5000) >= 10 ** 18  # int() refuses over 4300 digits
    assert server.parse_content_length("0" * 5000 + "5") == 5


def test_findHeadEnd_completeHead_indexOfTheEmptyLine():
    buf = bytearray(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nnext")
    assert server.find_head_end(buf) == buf.index(b"\r\n\r\n")


def test_findHeadEnd_incomplete_minusOne_evenEndingInCR():
    assert server.find_head_end(bytearray(b"GET / HTTP/1.1\r\nHost: x\r")) == -1
    assert server.find_head_end(bytearray(b"GET / HTTP/1.1\r\nHost: x\r\n\r")) == -1


@pytest.mark.parametrize("data", [b"GET / HTTP/1.1\n", b"GET / HTTP/1.1\r\nHost: x\n\n", b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"])
def test_findHeadEnd_bareLfOrCr_400AtOnce(data):
    assert status_of(server.find_head_end, bytearray(data)) == 400


def test_findHeadEnd_headOver64KiB_431_whetherComplete():
    big = b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000
    assert status_of(server.find_head_end, bytearray(big)) == 431
    assert status_of(server.find_head_end, bytearray(big + b"\r\n\r\n")) == 431
    assert server.find_head_end(bytearray(b"GET / HTTP/1.1\r\nX: " + b"a" * 60000 + b"\r\n\r\n")) > 60000


def parse(data):
    buf = bytearray(data)
    return server.parse_head(buf, buf.index(b"\r\n\r\n"))


def test_parseHead_requestLineAndHeaders():
    method, target, version, headers = parse(b"POST /score?x=1 HTTP/1.1\r\nHost: x\r\nX-A:  1 \t\r\nx-a: 2\r\n\r\n")
    assert (method, target, version) == ("POST", "/score?x=1", "HTTP/1.1")
    assert headers == {"host": "x", "x-a": "1, 2"}


def test_parseHead_absoluteForm_routedByItsPath():
    assert parse(b"GET http://example/health?q HTTP/1.1\r\nHost: example\r\n\r\n")[1] == "/health?q"


@pytest.mark.parametrize("data, status", [
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
    (b"GET /\xe9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: 1\r\n" * 100 + b"\r\n", 431),
])
def test_parseHead_refusals(data, status):
    assert status_of(parse, data) == status


@pytest.mark.parametrize("headers, version, framing", [
    ({}, "HTTP/1.1", ("length", 0)),
    ({"content-length": "12"}, "HTTP/1.1", ("length", 12)),
    ({"transfer-encoding": "Chunked"}, "HTTP/1.1", ("chunked", None)),
])
def test_bodyFraming(headers, version, framing):
    assert server.body_framing(headers, version) == framing


@pytest.mark.parametrize("headers, version, status", [
    ({"transfer-encoding": "chunked", "content-length": "2"}, "HTTP/1.1", 400),
    ({"transfer-encoding": "chunked"}, "HTTP/1.0", 400),
    ({"transfer-encoding": "chunked, chunked"}, "HTTP/1.1", 400),
    ({"transfer-encoding": "chunked, gzip"}, "HTTP/1.1", 400),
    ({"transfer-encoding": "gzip, chunked"}, "HTTP/1.1", 501),
    ({"content-length": "\u00b2"}, "HTTP/1.1", 400),
])
def test_bodyFraming_refusals(headers, version, status):
    assert status_of(server.body_framing, headers, version) == status


def test_parseChunked_wholeBody_andWhereTheNextRequestStarts():
    buf = bytearray(b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\nNEXT")
    body, end = server.parse_chunked(buf, 0, 100)
    assert body == b"abcde" and buf[end:] == b"NEXT"


def test_parseChunked_incomplete_none():
    assert server.parse_chunked(bytearray(b"3\r\nab"), 0, 100) is None
    assert server.parse_chunked(bytearray(b"3\r\nabc\r\n0\r\n"), 0, 100) is None


@pytest.mark.parametrize("data, status", [
    (b"0x3_c\r\n", 400), (b"3_c\r\n", 400), (b"+3\r\n", 400), (b"-3\r\n", 400), (b"3 \r\n", 400),
    (b"\xd9\xa3\r\n", 400), (b"0" * 17 + b"\r\n", 400), (b"3\nabc\r\n", 400), (b"3\r\nabcX\r\n", 400),
    (b"ffffff\r\n", 413), (b"0\r\nbad trailer\r\n\r\n", 400), (b"a" * 5000, 400),
])
def test_parseChunked_refusals(data, status):
    assert status_of(server.parse_chunked, bytearray(data), 0, 1000) == status


@pytest.mark.parametrize("value, kept", [("abc-123_x.y:z", True), ("\u00b2\u00b3", False), ("a b", False), ("x" * 129, False)])
def test_requestIdFrom_asciiOnly(value, kept):
    assert (server.request_id_from(value) == value) is kept


def test_jsonNestingDepth_stringsLeftOut():
    assert server.json_nesting_depth('[[{"a": "[[[["}]]]') == 3
    assert server.json_nesting_depth("[" * 100000 + "]" * 100000) == 100000


def test_restartDelay_noWaitAtFirst_thenDoubling_capped():
    assert server.restart_delay(4, 2) == 0.0
    assert server.restart_delay(5, 2) == pytest.approx(0.1)
    assert server.restart_delay(6, 2) == pytest.approx(0.2)
    assert server.restart_delay(1000, 2) == server.RESTART_DELAY_MAX


def test_parseChunked_resumesWhereItStopped_sameBodyAsInOneGo():
    whole = bytearray(b"1\r\na\r\n" * 1000 + b"0\r\n\r\n")
    buf = bytearray()
    progress = server.ChunkedProgress(0)
    positions = []
    for i in range(0, len(whole), 7):  # arriving 7 bytes at a time
        buf += whole[i:i + 7]
        parsed = server.parse_chunked(buf, 0, 10000, progress)
        positions.append(progress.pos)
        if parsed is not None:
            break
    assert parsed == (b"a" * 1000, len(whole))
    # Each call went on from where the last one stopped (a chunk is never read twice): the position only grows.
    assert positions == sorted(positions) and positions[len(positions) // 2] > 0


@pytest.mark.parametrize("level, method, path, status, request_id, millis, bytes_in, bytes_out, error", [
    ("info", "POST", "/score", 200, "0f4b6a52-8a1f-4a8e-9b0c-2a7c0b8f6f7e", 0.432, 61, 24, None),
    ("error", "GET", "/score?x=\"quoted\"\\", 504, "id:with.all_chars-1", 60000.0, 0, 130, None),
    ("info", "?", "?", 400, "abc", 12.5, 0, 99, "a bare CR in the request head \u00e9\u2028\x01"),
    ("info", "OPTIONS", "*", 431, "x", 1e-05, 7, 0, ""),
])
def test_requestLogLine_sameBytesAsLogLine(monkeypatch, level, method, path, status, request_id, millis, bytes_in,
                                           bytes_out, error):
    monkeypatch.setattr(server, "now_iso", lambda: "2026-12-07T01:02:03.004Z")
    fields = {"method": method, "path": path, "status": status, "requestId": request_id, "worker": server.PID[0],
              "millis": millis, "bytesIn": bytes_in, "bytesOut": bytes_out}
    if error:
        fields["error"] = error
    expected = server.log_line(level, "request", fields)
    assert server.request_log_line(level, method, path, status, request_id, millis, bytes_in, bytes_out, error) == expected


def test_newRequestId_uuid4_uniqueAndDifferentAfterAFork():
    import os
    import uuid
    ids = {server.new_request_id() for _ in range(10000)}
    assert len(ids) == 10000
    assert all(uuid.UUID(i).version == 4 and uuid.UUID(i).variant == uuid.RFC_4122 and str(uuid.UUID(i)) == i for i in ids)
    assert len({i[0] for i in ids}) == 16 and len({i[-1] for i in ids}) == 16  # random where it must be
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child's ids must not repeat the parent's sequence
        os.write(write, server.new_request_id().encode("ascii"))
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode("ascii")
    assert child != server.new_request_id()
    assert server.PID[0] == os.getpid()


def test_newRequestId_notFromTheRandomModulesState_whichAnEntryScriptMaySeed():
    import random
    random.seed(0)
    first = server.new_request_id()
    random.seed(0)
    assert server.new_request_id() != first


def test_nowIso_millisecondsOfTheCurrentSecond():
    import re
    import time
    before = time.time()
    text = server.now_iso()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text)
    assert time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before)) <= text[:19]
