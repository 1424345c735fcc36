"""scripts/verify_audit.py: the standalone verifier of powerai's audit log (run by scripts/test.sh, and by the Java
test AuditVerifiersAgreeTest, which also runs it beside `powerai audit verify` on logs the Java side wrote)."""
import hashlib
import json
import pathlib
import re
import struct
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import verify_audit  # noqa: E402

LEGACY = ROOT / "core/src/test/resources/io/powerai/core/audit/AuditLogTest/legacy"


def record(seq, prev, stage="gpuTrain", details=None, jcs=True):
    r = {"schemaVersion": 1, "seq": seq, "time": "2026-12-07T02:00:00Z", "stage": stage, "status": "succeeded",
         "inputs": {"code": "c" * 64}, "outputs": {}, "details": details or {}, "prev": prev}
    if jcs:
        r["hashForm"] = "jcs"
    r["hash"] = hashlib.sha256(verify_audit.canonical(r, not jcs).encode()).hexdigest()
    return r


def write(folder, records, jackson=False):
    lines = [verify_audit.canonical(r, "hashForm" not in r) for r in records]
    (folder / "audit.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    if records:
        (folder / "audit.jsonl.head").write_text(json.dumps({"hash": records[-1]["hash"], "seq": records[-1]["seq"]}) + "\n")
    return lines


def chain(n, details=None):
    out, prev = [], verify_audit.GENESIS
    for seq in range(1, n + 1):
        out.append(record(seq, prev, details=details))
        prev = out[-1]["hash"]
    return out


def lines_of(folder):
    return (folder / "audit.jsonl").read_text(encoding="utf-8").splitlines()


def set_lines(folder, lines):
    (folder / "audit.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@pytest.mark.parametrize("bits, expected", [
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555554", "333333333.33333325"), ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
])
def test_es_number_rfc8785_appendix_b(bits, expected):
    assert verify_audit.es_number(struct.unpack(">d", bytes.fromhex(bits))[0]) == expected


@pytest.mark.parametrize("value, expected", [(1e-06, "1.0E-6"), (1e21, "1.0E21"), (37.0, "37.0"), (0.99, "0.99"),
                                             (-0.125, "-0.125"), (0.001, "0.001"), (1e7, "1.0E7"), (9999999.0, "9999999.0"),
                                             (-0.0, "-0.0"), (123.456, "123.456"), (0.0001, "1.0E-4")])
def test_java_double_as_double_to_string_writes_it(value, expected):
    assert verify_audit.java_double(value) == expected


def test_canonical_rfc8785_section_3_2_2_example():
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}')
    assert verify_audit.canonical(json.loads(text)) == ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,'
                                                        '1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')


def test_canonical_sorts_keys_by_utf16_code_units():
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001F600", "\u0080", "\u00f6"]
    text = verify_audit.canonical({k: 0 for k in keys})
    assert [k for k in json.loads(text)] == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33"]


def test_intact_log_verifies(tmp_path):
    write(tmp_path, chain(3, {"metrics": {"accuracy": 0.99, "tiny": 1e-06, "n": 37.0}}))
    assert verify_audit.verify(tmp_path) == (True, 3, None)


def test_log_written_by_powerai_before_hash_forms_verifies(tmp_path):
    assert verify_audit.verify(LEGACY) == (True, 4, None)


def test_mixed_log_old_form_then_new(tmp_path):
    old = [json.loads(line) for line in (LEGACY / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    new = record(5, old[-1]["hash"], details={"tiny": 1e-06})
    (tmp_path / "audit.jsonl").write_bytes((LEGACY / "audit.jsonl").read_bytes() + (verify_audit.canonical(new) + "\n").encode())
    (tmp_path / "audit.jsonl.head").write_text(json.dumps({"seq": 5, "hash": new["hash"]}))
    assert verify_audit.verify(tmp_path) == (True, 5, None)
    lines = lines_of(tmp_path)
    lines[1] = lines[1].replace('"tiny":1.0E-6', '"tiny":1.0E-7')
    set_lines(tmp_path, lines)
    assert verify_audit.verify(tmp_path)[2].startswith("record 2 (gpuTrain): content changed")


@pytest.mark.parametrize("case, expected", [
    ("changed field", "record 2 (gpuTrain): content changed"),
    ("removed record", "record 2 (gpuTrain): sequence number 3 where 2 was expected"),
    ("reordered", "record 2 (gpuTrain): sequence number 3 where 2 was expected"),
    ("truncated line", "record 3: not valid JSON any more"),
    ("appended garbage", "record 3: not valid JSON any more"),
    ("changed prev", "record 2 (gpuTrain): content changed"),
    ("changed head", "record 3: does not match the head file"),
    ("head removed", "head file "),
    ("last record removed", "record 3: removed (the head names record 3 but the log ends at record 2)"),
    ("blank line", "record 2: not valid JSON any more"),
    ("duplicate key", "record 1: not valid JSON any more"),
    ("unknown hash form", "record 1 (gpuTrain): hash form 'cbor' is not one this powerai knows"),
])
def test_tampering_is_reported(tmp_path, case, expected):
    write(tmp_path, chain(3))
    lines = lines_of(tmp_path)
    if case == "changed field":
        lines[1] = lines[1].replace('"status":"succeeded"', '"status":"failed"')
    elif case == "removed record":
        del lines[1]
    elif case == "reordered":
        lines[1], lines[2] = lines[2], lines[1]
    elif case == "truncated line":
        lines[2] = lines[2][:-10]
    elif case == "appended garbage":
        lines[2] += "garbage"
    elif case == "changed prev":
        lines[1] = re.sub('"prev":"[0-9a-f]{64}"', '"prev":"' + "f" * 64 + '"', lines[1])
    elif case == "changed head":
        (tmp_path / "audit.jsonl.head").write_text('{"hash":"' + "e" * 64 + '","seq":3}\n')
    elif case == "head removed":
        (tmp_path / "audit.jsonl.head").unlink()
    elif case == "last record removed":
        del lines[2]
    elif case == "blank line":
        lines.insert(1, "")
    elif case == "duplicate key":
        lines[0] = lines[0].replace('{"details":{}', '{"details":{},"details":{}')
    elif case == "unknown hash form":
        lines[0] = lines[0].replace('"hashForm":"jcs"', '"hashForm":"cbor"')
    set_lines(tmp_path, lines)
    ok, _, problem = verify_audit.verify(tmp_path)
    assert not ok
    assert problem.startswith(expected), problem


def test_same_content_written_otherwise_verifies(tmp_path):
    write(tmp_path, chain(2, {"tiny": 1e-06}))
    lines = lines_of(tmp_path)
    set_lines(tmp_path, [line.replace(",", ", ").replace("0.000001", "1e-6") for line in lines])
    assert verify_audit.verify(tmp_path) == (True, 2, None)


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "scripts/verify_audit.py"), *args], capture_output=True, text=True)


def test_command_exit_codes(tmp_path):
    assert run().returncode == 2
    assert run(str(tmp_path)).returncode == 2
    workspace = tmp_path / "ws"
    (workspace / ".powerai").mkdir(parents=True)
    write(workspace / ".powerai", chain(2))
    ok = run(str(workspace))
    assert ok.returncode == 0 and "OK, 2 record(s)" in ok.stdout
    (workspace / ".powerai/audit.jsonl.head").unlink()
    broken = run(str(workspace / ".powerai"))
    assert broken.returncode == 1 and "FAILED at head file" in broken.stdout
