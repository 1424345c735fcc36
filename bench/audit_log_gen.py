"""Writes an audit log of N records (default 200,000) as powerai writes them now (RFC 8785, hashForm "jcs"), with
the shapes of a pipeline's four stages cycling (digests, image references, a few metrics), about 600 bytes a
record: the input of bench/audit-verify.sh. Usage: audit_log_gen.py DIR [N]"""
import hashlib
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
from verify_audit import GENESIS, canonical  # noqa: E402


def digest(*parts):
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def entry(seq):
    kind = seq % 4
    image = "127.0.0.1:5000/svm-moons-env@sha256:" + digest("env", seq // 4)
    if kind == 1:
        return "amlEnvSnapshot", {"base_image": "127.0.0.1:5000/powerai/python-ml@sha256:" + digest("base")}, \
            {"image": image}, \
            {"built": True, "packages": 203}
    if kind == 2:
        return "gpuTrain", {"code": digest("code", seq), "data": digest("data")}, \
            {"outputs/model.pkl": digest("model", seq)}, \
            {"args": ["--C", "1.0"], "backend": "container", "durationMillis": 4812 + seq % 97, "exitCode": 0,
             "metrics": {"test_accuracy": 0.99, "train_accuracy": 0.975}, "script": "train.py"}
    if kind == 3:
        return "scoringImage", {"model": digest("model", seq - 1), "snapshot_image": image}, \
            {"image": "127.0.0.1:5000/svm-moons-score@sha256:" + digest("score", seq)}, \
            {"imageSizeBytes": 861548770, "modelPath": "model.pkl", "smokeTest": "passed"}
    return "aksDeploy", {"image": "127.0.0.1:5000/svm-moons-score@sha256:" + digest("score", seq - 1)}, {}, \
        {"container": "powerai-svm-moons", "endpoint": "http://127.0.0.1:8890/score", "target": "local"}


def main(folder, count):
    folder.mkdir(parents=True, exist_ok=True)
    prev = GENESIS
    with open(folder / "audit.jsonl", "w", encoding="utf-8") as out:
        for seq in range(1, count + 1):
            stage, inputs, outputs, details = entry(seq)
            record = {"schemaVersion": 1, "seq": seq, "time": "2026-12-07T02:%02d:%02d.%09dZ" % (seq // 60 % 60, seq % 60, seq),
                      "stage": stage, "status": "succeeded", "inputs": inputs, "outputs": outputs, "details": details,
                      "prev": prev, "hashForm": "jcs"}
            record["hash"] = hashlib.sha256(canonical(record).encode()).hexdigest()
            out.write(canonical(record) + "\n")
            prev = record["hash"]
    (folder / "audit.jsonl.head").write_text(canonical({"hash": prev, "seq": count}) + "\n")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200_000)
