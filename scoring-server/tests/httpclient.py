"""A raw HTTP/1.1 client for the tests: sends bytes as they are and reads what comes back, answer by answer."""
import socket
import time


def exchange(port, data, answers_expected=1, timeout=3.0, wait_for_close=0.5):
    """
    Sends data on a new connection and reads answers: returns (statuses, ending), ending being "close" when the
    server closed the connection, "open" when it kept it open after the answers expected, "timeout" when it
    neither answered that many nor closed within timeout.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may refuse and close before it has read everything
        reader = AnswerReader(sock)
        statuses = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if len(statuses) >= answers_expected:
                remaining = min(remaining, wait_for_close)
            if remaining <= 0:
                return statuses, "open" if len(statuses) >= answers_expected else "timeout"
            sock.settimeout(remaining)
            try:
                status = reader.next_answer()
            except socket.timeout:
                return statuses, "open" if len(statuses) >= answers_expected else "timeout"
            except ConnectionResetError:
                return statuses, "close"
            if status is None:
                return statuses, "close"
            if status != 100:
                statuses.append(status)
    finally:
        sock.close()


class AnswerReader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def next_answer(self):
        """The status of the next answer (its body read past), or None when the connection ends first."""
        while b"\r\n\r\n" not in self.buf:
            if not self.fill():
                return None
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(self.buf) < length:
            if not self.fill():
                return None
        self.buf = self.buf[length:]
        return status
