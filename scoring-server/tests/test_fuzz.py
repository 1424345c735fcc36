"""
A bounded fuzz run: random mutations of valid requests (fixed seed, fixed count, bounded time). Every
connection gets an answer or a close, no worker dies, and the server answers afterwards.
"""
import random
import time

from httpclient import exchange

SEED = 20261206
COUNT = 500
SECONDS = 90

VALID = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /health HTTP/1.0\r\n\r\n",
    b'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n{"a": 1}',
    b"POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n4\r\n: 1}\r\n0\r\n\r\n",
    b"GET /swagger.json HTTP/1.1\r\nHost: x\r\nx-request-id: abc\r\nConnection: close\r\n\r\n",
    b"POST /score HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n[]",
]
# Bytes that matter to the parser: delimiters, digits of every kind, controls, high octets.
INTERESTING = [b"\r\n", b"\n", b"\r", b" ", b"\t", b":", b";", b",", b"0", b"9", b"\xb2", b"\xb9", b"\x00", b"\x7f",
               b"\xff", b"-", b"+", b"_", b"x", b"F", b"\r\n\r\n", b"Content-Length: 5\r\n",
               b"Transfer-Encoding: chunked\r\n", b"Host: y\r\n", b"9" * 30, b"[" * 3000]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        position = rng.randint(0, len(data))
        if choice < 0.3 and data:
            del data[position:position + rng.randint(1, 8)]
        elif choice < 0.6:
            data[position:position] = rng.choice(INTERESTING)
        elif choice < 0.8 and data:
            data[min(position, len(data) - 1)] = rng.randint(0, 255)
        else:
            start = rng.randint(0, len(data))
            data[position:position] = data[start:start + rng.randint(1, 40)]  # a piece repeated elsewhere
    return bytes(data)


def test_mutatedRequests_eachAnsweredOrClosed_noWorkerDies(fresh_server):
    server = fresh_server(workers=2)
    workers = server.workers()
    rng = random.Random(SEED)
    started = time.monotonic()
    hung = []
    done = 0
    for i in range(COUNT):
        if time.monotonic() - started > SECONDS:
            break
        request = mutate(rng, rng.choice(VALID))
        statuses, ending = exchange(server.port, request, timeout=1.0, wait_for_close=0)
        if ending == "timeout" and not statuses:
            # Waiting is right only while the request is incomplete: the head or the body not all there yet.
            hung.append(request)
        done += 1

    assert done >= COUNT // 2, "the time bound cut the run short: %d of %d" % (done, COUNT)
    assert server.workers() == workers, "a worker died: " + server.log_text()[-3000:]
    assert "worker died" not in server.log_text()
    assert '"request handling failed' not in server.log_text(), "an exception escaped the parser"
    assert server.health() == 200
    for request in hung:
        assert incomplete(request), request


def incomplete(request):
    """True when the request could still be waiting for more bytes: no end of head, or a body still owed."""
    end = request.find(b"\r\n\r\n")
    if end < 0:
        return b"\n" not in request.replace(b"\r\n", b"")
    head = request[:end].lower()
    return b"content-length" in head or b"transfer-encoding" in head
