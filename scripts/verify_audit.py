#!/usr/bin/python3
"""Verify a powerai audit log without powerai: python3 verify_audit.py DIR

DIR is a workspace (holding .powerai/audit.jsonl) or a .powerai folder. Exit 0: the chain is intact; 1: it is not
(the first broken record is named); 2: usage, or no log there. Python's standard library only.

Each line of audit.jsonl is one record. Its "hash" is the SHA-256 (lowercase hex) of the record without "hash", in
the canonical form its "hashForm" names; its "prev" is the previous record's hash (64 zeros for the first); its
"seq" is its line number; audit.jsonl.head names the last record's seq and hash.

- "hashForm": "jcs" (every record powerai writes now): RFC 8785, the JSON Canonicalization Scheme. Implemented
  here in full: keys sorted by UTF-16 code units, the RFC's string escapes, numbers as ECMAScript writes an IEEE
  double (from Python's shortest repr, the same digits).
- no hashForm (records written before it existed): Jackson's key-sorted compact form. Implemented here for what
  such records hold: strings (Jackson escapes control characters as \\u00XX in upper case and characters beyond
  the BMP as two \\uXXXX escapes), integers, booleans, null, objects, arrays, and numbers with a fraction or an
  exponent written as Java's Double.toString writes them, reproduced from Python's shortest repr. Java 17's
  Double.toString writes a longer form for a few rare doubles (4.9E-324 for the smallest; JDK-4511638): a record
  holding one of those is reported as changed here while `powerai audit verify` accepts it.
"""
import hashlib
import json
import sys
from pathlib import Path

GENESIS = "0" * 64


class NotCanonical(ValueError):
    pass


def _reject_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice")
    return dict(pairs)


def _reject_constant(name):
    raise ValueError("not JSON: " + name)


def parse(line):
    """A line as the Java side reads it: one JSON object, UTF-8, no key twice, no NaN or Infinity."""
    return json.loads(line.decode("utf-8"), object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)


def _digits(x):
    """Shortest round-trip decimal digits of abs(x) and the exponent n with abs(x) = 0.d1d2... * 10**n."""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    n = len(whole) + int(exponent or 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    return digits.rstrip("0"), n


def es_number(x):
    """ECMAScript's Number::toString, as RFC 8785 section 3.2.2.3 asks."""
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise NotCanonical("JSON has no %r" % x)
    if x == 0:
        return "0"
    s, n = _digits(x)
    k = len(s)
    sign = "-" if x < 0 else ""
    if k <= n <= 21:
        out = s + "0" * (n - k)
    elif 0 < n <= 21:
        out = s[:n] + "." + s[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * -n + s
    else:
        e = n - 1
        out = (s if k == 1 else s[0] + "." + s[1:]) + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def java_double(x):
    """Java's Double.toString (the shortest digits, as Java 19 and later write them)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise NotCanonical("JSON has no %r" % x)
    sign = "-" if str(x).startswith("-") else ""
    if x == 0:
        return sign + "0.0"
    s, n = _digits(x)
    if 1e-3 <= abs(x) < 1e7:
        if n <= 0:
            return sign + "0." + "0" * -n + s
        whole = (s + "0" * max(0, n - len(s)))[:n]
        return sign + whole + "." + (s[n:] or "0")
    return sign + s[0] + "." + (s[1:] or "0") + "E" + str(n - 1)


def _string(value, jackson):
    out = ['"']
    for ch in value:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif c < 0x20:
            out.append(("\\u%04X" if jackson else "\\u%04x") % c)
        elif 0xD800 <= c <= 0xDFFF:
            raise NotCanonical("a string holds a lone surrogate")
        elif c > 0xFFFF and jackson:
            c -= 0x10000
            out.append("\\u%04X\\u%04X" % (0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF)))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(value, jackson=False):
    """RFC 8785 text of a parsed value; with jackson=True, the old form (see the module's docstring)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value) if jackson else es_number(value)
    if isinstance(value, float):
        return java_double(value) if jackson else es_number(value)
    if isinstance(value, str):
        return _string(value, jackson)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v, jackson) for v in value) + "]"
    keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
    return "{" + ",".join(_string(k, jackson) + ":" + canonical(value[k], jackson) for k in keys) + "}"


def record_hash(record):
    """The SHA-256 of a record (without its "hash") in the form it names; None where it has no canonical form."""
    jackson = record.get("hashForm") is None
    try:
        return hashlib.sha256(canonical(record, jackson).encode("utf-8")).hexdigest()
    except (NotCanonical, OverflowError, UnicodeEncodeError):
        return None


def _shown(value):
    return "null" if value is None else "true" if value is True else "false" if value is False else str(value)


def verify(folder):
    """(ok, records, problem): the first broken record, as `powerai audit verify` names it."""
    log = folder / "audit.jsonl"
    head_file = folder / "audit.jsonl.head"
    data = log.read_bytes() if log.exists() else b""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    n = len(lines)
    prev = GENESIS
    for number, line in enumerate(lines, 1):
        try:
            record = parse(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return False, n, "record %d: not valid JSON any more (the line was changed)" % number
        stage = _shown(record.get("stage"))
        seq = record.get("seq")
        if type(seq) is not int or seq != number:
            return False, n, ("record %d (%s): sequence number %s where %d was expected: a record was removed, inserted or"
                              " records were reordered" % (number, stage, _shown(seq), number))
        form = record.get("hashForm")
        if form not in (None, "jcs"):
            return False, n, "record %d (%s): hash form '%s' is not one this powerai knows (absent or \"jcs\")" % (
                number, stage, _shown(form))
        stored = record.pop("hash", None)
        computed = record_hash(record)
        if computed is None or computed != stored:
            return False, n, "record %d (%s): content changed (its SHA-256 no longer matches the hash it carries)" % (number, stage)
        if record.get("prev") != prev:
            return False, n, ("record %d (%s): does not follow record %d (chain broken: a record was removed, inserted or"
                              " reordered)" % (number, stage, number - 1))
        prev = computed
    if head_file.exists():
        try:
            head = parse(head_file.read_bytes().strip())
            if not isinstance(head, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
            return False, n, "head file %s is not valid JSON (changed)" % head_file
        head_seq = head.get("seq") if type(head.get("seq")) is int else -1
        if head_seq > n:
            return False, n, "record %d: removed (the head names record %d but the log ends at record %d)" % (n + 1, head_seq, n)
        if head_seq < n or head.get("hash") != prev:
            return False, n, "record %d: does not match the head file (the last record was changed or added by hand)" % n
    elif n > 0:
        return False, n, "head file %s is missing (removed)" % head_file
    return True, n, None


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: verify_audit.py DIR  (a workspace holding .powerai/audit.jsonl, or a .powerai folder)", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if (folder / ".powerai" / "audit.jsonl").exists():
        folder = folder / ".powerai"
    if not (folder / "audit.jsonl").is_file():
        print("verify_audit: no audit log at %s" % (folder / "audit.jsonl"), file=sys.stderr)
        return 2
    ok, records, problem = verify(folder)
    if ok:
        print("verify_audit: OK, %d record(s), chain intact (%s)" % (records, folder / "audit.jsonl"))
        return 0
    print("verify_audit: FAILED at %s (%s)" % (problem, folder / "audit.jsonl"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
