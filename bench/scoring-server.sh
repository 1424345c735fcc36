#!/usr/bin/env bash
# The scoring server against its anchor, the Azure ML inference server's stack (Flask under gunicorn), on the
# local infrastructure (scripts/infra.sh up first; as root, to apt-get install wrk when it is missing):
#  1. builds the svm-moons scoring image (snapshot, train, scoring-image: parity gate passed, pushed);
#  2. builds a bench image FROM it with Debian's python3-flask and gunicorn, and bench/anchor_flask_app.py;
#  3. starts three servers from that one image, same model, same entry script, WORKERS workers each:
#     powerai's built-in server, powerai's server under gunicorn, the Flask app under gunicorn (sync workers);
#  4. loads each with wrk (POST /score with the example's sample request), ROUNDS rounds interleaved,
#     reporting the median round's requests/s and its latency percentiles, and whether every request the
#     servers answered has its line in the container log;
#  5. times container start to the first 200 from POST /score, for the scoring image as built
#     (bench/scoring-start.sh, STARTS runs).
# Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
WORKERS=${WORKERS:-$(nproc)}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-5}
STARTS=${STARTS:-5}
work=$(mktemp -d)
containers=()
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
  docker rmi "${bench_image:-none}" >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
echo

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
# The command from this checkout: a shaded jar packaged again without 'clean' keeps the classes and resources (the
# scoring server among them) of the jar it replaces, so it is removed first. MVN: e.g. "mvn -Dmaven.repo.local=...".
rm -f cli/target/powerai-cli.jar cli/target/original-powerai-cli.jar cli/target/powerai-cli*.jsa
${MVN:-mvn} -q -B -o install -DskipTests -pl core >&2
${MVN:-mvn} -q -B -o package -DskipTests -pl cli >&2

# 1. The example's scoring image (only the stages it needs; no deployment).
cp -r examples/svm-moons "$work/proj"
rm -rf "$work/proj/.powerai"
sed -i -e 's/^name: svm-moons/name: svm-moons-serving-bench/' "$work/proj/powerai.yaml"
for stage in snapshot train scoring-image; do bin/powerai "$stage" "$work/proj" >"$work/$stage.log" 2>&1 || { cat "$work/$stage.log"; exit 1; }; done
image=$(sed -n 's/^ *"image" : "\(.*\)",*$/\1/p' "$work/proj/.powerai/scoringImage.json" | head -1)
size=$(sed -n 's/^ *"imageSizeBytes" : \([0-9]*\).*/\1/p' "$work/proj/.powerai/scoringImage.json")
overhead=$(sed -n 's/^ *"overheadBytes" : \([0-9]*\).*/\1/p' "$work/proj/.powerai/scoringImage.json")

# 2. The bench image: the same image plus the anchor's stack from Debian.
mkdir "$work/bench"
cp bench/anchor_flask_app.py "$work/bench/"
cat >"$work/bench/Dockerfile" <<DOCKERFILE
FROM $image
USER root
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-flask gunicorn \
 && rm -rf /var/lib/apt/lists/*
COPY anchor_flask_app.py /var/azureml-bench/anchor_flask_app.py
USER 65534:65534
DOCKERFILE
bench_image=powerai-bench/svm-moons-scoring:run-$$
docker build -q --network host -t "$bench_image" "$work/bench" >/dev/null

body=$(cat examples/svm-moons/sample-request.json)
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$body]==]
LUA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await_score() { # await_score PORT: polls POST /score until it answers 200
  for _ in $(seq 1 3000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "$body" "http://127.0.0.1:$1/score" 2>/dev/null)" = 200 ] && return 0
    sleep 0.005
  done
  echo "no answer on port $1" >&2; return 1
}
start() { # start NAME PORT ARGS...: a container from the bench image on the host network
  local name=$1 port=$2; shift 2
  docker run -d --name "$name" --network host -e PORT="$port" -e HOST=127.0.0.1 -e WORKER_COUNT="$WORKERS" "$@" >/dev/null
  containers+=("$name")
}

# 3. The three servers, same image, same model, same worker count.
declare -A port
names=(powerai-builtin powerai-gunicorn flask-gunicorn)
for n in "${names[@]}"; do port[$n]=$(free_port); done
start bench-powerai-builtin "${port[powerai-builtin]}" -e POWERAI_SERVER=builtin "$bench_image"
start bench-powerai-gunicorn "${port[powerai-gunicorn]}" -e POWERAI_SERVER=gunicorn "$bench_image"
start bench-flask-gunicorn "${port[flask-gunicorn]}" "$bench_image" \
  gunicorn --workers "$WORKERS" --bind "127.0.0.1:${port[flask-gunicorn]}" --chdir /var/azureml-bench anchor_flask_app:app
for n in "${names[@]}"; do await_score "${port[$n]}"; done

# 4. wrk, interleaved rounds; a short warm-up first.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
declare -A rps p50 p99 errors answered
requests_in() { awk '/requests in/ {print $1}'; }
for n in "${names[@]}"; do
  answered[$n]=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$work/post.lua" "http://127.0.0.1:${port[$n]}/score" | requests_in)
done
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/post.lua" "http://127.0.0.1:${port[$n]}/score")
    rps[$n]+="$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}') "
    p50[$n]+="$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms) "
    p99[$n]+="$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms) "
    errors[$n]+="$(echo "$out" | awk '/Non-2xx|Socket errors/ {e=1} END {print e ? "yes" : "no"}') "
    answered[$n]=$(( answered[$n] + $(echo "$out" | requests_in) ))
  done
done
median_index() { # the index (0-based) of the median of the numbers given
  printf '%s\n' "$@" | awk '{print NR-1, $1}' | sort -k2 -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "| server (same image, model and $WORKERS workers) | requests/s (median of $ROUNDS) | p50 ms | p99 ms | all rounds requests/s | all rounds p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
for n in "${names[@]}"; do
  read -ra R <<<"${rps[$n]}"; read -ra A <<<"${p50[$n]}"; read -ra B <<<"${p99[$n]}"
  i=$(median_index "${R[@]}")
  echo "| $n | ${R[$i]} | ${A[$i]} | ${B[$i]} | ${R[*]} | ${B[*]} | ${errors[$n]} |"
done
read -ra ours <<<"${rps[powerai-builtin]}"; read -ra anchor <<<"${rps[flask-gunicorn]}"
echo
echo "throughput ratio powerai-builtin / flask-gunicorn: $(awk -v a="${ours[$(median_index "${ours[@]}")]}" -v b="${anchor[$(median_index "${anchor[@]}")]}" 'BEGIN {printf "%.2f", a/b}')"

sleep 1 # the last batches of log lines
echo
for n in "${names[@]}"; do
  log=$(docker logs "bench-$n" 2>/dev/null)
  logged=$(grep -c '"path": "/score"' <<<"$log" || true)
  summarized=$(awk -F'"count": ' '/"request lines not logged"/ {split($2, a, ","); s += a[1]} END {print s + 0}' <<<"$log")
  echo "- $n: wrk counted ${answered[$n]} answers (warm-up included); request lines in the container log: $logged; counted instead of logged: $summarized"
done
echo "load average after the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"

# 5. Container start to the first successful POST /score, the scoring image as built.
for n in "${names[@]}"; do docker rm -f "bench-$n" >/dev/null; done
echo
STARTS=$STARTS bench/scoring-start.sh "$image"
echo
echo "image size: $size bytes; over the snapshot image: $overhead bytes"
