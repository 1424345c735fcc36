"""
The request corpus: one file per case under corpus/, written from RFC 9112 (and RFC 9110 where it defines the
fields). A case file is:

    # what the case checks, and the rule it comes from
    # expect: <status of each answer, in order> <close | open | timeout>
    # gunicorn: <first status, or close | timeout>   (only where gunicorn answers otherwise: a known difference)
    <the request bytes>

The request is the lines that do not start with '#', joined without their newlines (so the CRLFs are the
ones written), then with Python's escapes decoded (\\r, \\n, \\t, \\xNN). Two macros keep big cases small:
{{N x TEXT}} is TEXT repeated N times, and {{length}} is the length of what follows the head's empty line.
"""
import codecs
import os
import re

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
REPEAT = re.compile(r"\{\{(\d+) x ([^}]*)\}\}")


class Case:
    def __init__(self, path):
        self.name = os.path.basename(path)[:-len(".http")]
        self.description = []
        self.expect = None
        self.gunicorn = None
        body_lines = []
        with open(path, encoding="ascii") as f:
            for line in f.read().split("\n"):
                if line.startswith("# expect:"):
                    self.expect = line.split(":", 1)[1].split()
                elif line.startswith("# gunicorn:"):
                    self.gunicorn = line.split(":", 1)[1].strip()
                elif line.startswith("#"):
                    self.description.append(line[1:].strip())
                else:
                    body_lines.append(line)
        if not self.expect or self.expect[-1] not in ("close", "open", "timeout"):
            raise ValueError("%s: '# expect:' must list statuses and end with close, open or timeout" % path)
        self.statuses = [int(s) for s in self.expect[:-1]]
        self.ending = self.expect[-1]
        text = REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), "".join(body_lines))
        data = codecs.escape_decode(text.encode("ascii"))[0]
        if b"{{length}}" in data:
            body = data.split(b"\r\n\r\n", 1)[1]
            data = data.replace(b"{{length}}", str(len(body)).encode("ascii"))
        self.request = data

    def first_result(self, statuses, ending):
        """What the gunicorn comparison looks at: the first answer's status, or how the connection ended."""
        return str(statuses[0]) if statuses else ending


def cases():
    return [Case(os.path.join(CORPUS, name)) for name in sorted(os.listdir(CORPUS)) if name.endswith(".http")]
