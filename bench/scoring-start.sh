#!/usr/bin/env bash
# Container start to the first successful POST /score, for a scoring image (default: the svm-moons one that
# bench/scoring-server.sh builds; or IMAGE=... with SAMPLE=... the request to send):
#   bench/scoring-start.sh [IMAGE]
# STARTS runs (default 5) of each mode, interleaved: the image as built (the entry script imported once, before
# the workers fork) and POWERAI_PRELOAD=0 (each worker imports it). One python3 process on the host starts the
# container (docker run -d) and polls it every 5 ms over loopback (a poller that spawns curl processes would
# compete for the CPUs the container starts on), recording when docker run returned, when GET / first answered
# (the workers serve) and when POST /score first answered 200. Then what the start is made of: the engine alone
# (docker run --rm IMAGE true), and in the image the interpreter, numpy and sklearn.svm imports.
# BUSY=N keeps N CPU-bound processes (python3 busy loops) running meanwhile: a loaded machine, reproducibly.
# Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE=${1:-${IMAGE:-}}
SAMPLE=${SAMPLE:-$root/examples/svm-moons/sample-request.json}
STARTS=${STARTS:-5}
[ -n "$IMAGE" ] || { echo "usage: bench/scoring-start.sh IMAGE (a scoring image, e.g. from bench/scoring-server.sh)" >&2; exit 2; }
docker image inspect "$IMAGE" >/dev/null
busy=()
stop_busy() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_busy EXIT
for _ in $(seq 1 "${BUSY:-0}"); do python3 -c 'while True: pass' & busy+=($!); done
[ "${BUSY:-0}" = 0 ] || { sleep 2; echo "with ${BUSY} CPU-bound busy loops running"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
echo
echo "| mode | run | docker run -d returned ms | GET / first answered ms | first 200 from POST /score ms |"
echo "|---|---|---|---|---|"
python3 - "$IMAGE" "$SAMPLE" "$STARTS" <<'PYTHON'
import http.client, socket, statistics, subprocess, sys, time, uuid

image, sample, starts = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def status(port, method, path, body=None):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        code = c.getresponse().status
        c.close()
        return code
    except OSError:
        return None


def one(extra_env):
    port, name = free_port(), "bench-start-" + uuid.uuid4().hex[:8]
    env = ["-e", "PORT=%d" % port, "-e", "HOST=127.0.0.1"] + [a for k, v in extra_env.items() for a in ("-e", "%s=%s" % (k, v))]
    started = time.monotonic()
    subprocess.run(["docker", "run", "-d", "--name", name, "--network", "host"] + env + [image],
                   check=True, stdout=subprocess.DEVNULL)
    returned = time.monotonic()
    live = None
    try:
        deadline = started + 120
        while time.monotonic() < deadline:
            if live is None and status(port, "GET", "/") == 200:
                live = time.monotonic()
            if live is not None and status(port, "POST", "/score", sample) == 200:
                scored = time.monotonic()
                break
            time.sleep(0.005)
        else:
            raise SystemExit("no 200 from POST /score on %s within 120 s" % name)
    finally:
        subprocess.run(["docker", "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ms = lambda t: round((t - started) * 1000)
    return ms(returned), ms(live), ms(scored)


modes = [("as built (preload)", {}), ("POWERAI_PRELOAD=0", {"POWERAI_PRELOAD": "0"})]
results = {m: [] for m, _ in modes}
for i in range(starts):
    for mode, env in modes:
        r = one(env)
        results[mode].append(r)
        print("| %s | %d | %d | %d | %d |" % ((mode, i + 1) + r), flush=True)
print()
for mode, _ in modes:
    firsts = [r[2] for r in results[mode]]
    print("- %s: first 200 from POST /score, median of %d: **%d ms** (all: %s)"
          % (mode, starts, statistics.median(firsts), ", ".join(str(f) for f in firsts)))
PYTHON

echo
engine=()
for _ in 1 2 3; do
  s=$(date +%s%N); docker run --rm --network host "$IMAGE" true; e=$(date +%s%N)
  engine+=($(( (e - s) / 1000000 )))
done
echo "- the engine alone, docker run --rm IMAGE true (create, start, exit, remove), 3 runs: ${engine[*]} ms"
docker run --rm --network host "$IMAGE" python3 -c '
import time
t0 = time.monotonic()
import numpy
t1 = time.monotonic()
import sklearn.svm
t2 = time.monotonic()
print("- in the image: import numpy %.0f ms, then import sklearn.svm %.0f ms" % ((t1 - t0) * 1000, (t2 - t1) * 1000))
' 2>/dev/null || echo "- in the image: numpy or sklearn missing (not the svm example)"
s=$(date +%s%N); docker run --rm --network host "$IMAGE" python3 -c pass; e=$(date +%s%N)
echo "- docker run --rm IMAGE python3 -c pass: $(( (e - s) / 1000000 )) ms"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
