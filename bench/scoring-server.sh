#!/usr/bin/env bash
# The scoring server against its anchors, the Azure ML inference server's stack (Flask under gunicorn) and the
# stack of FastAPI services (uvicorn with Starlette), on the local infrastructure (scripts/infra.sh up first; as
# root, to apt-get install wrk when it is missing):
#  1. builds the svm-moons scoring image (snapshot, train, scoring-image: parity gate passed, pushed), unless
#     IMAGE names an svm-moons scoring image to start from (a smoke run: no image size then);
#  2. builds a bench image FROM it with Debian's python3-flask, gunicorn, python3-uvicorn, python3-starlette,
#     python3-uvloop and python3-httptools, and bench/anchor_flask_app.py and bench/anchor_starlette_app.py;
#  3. starts the SERVERS from that one image, same model, same entry script, WORKERS (2) workers each:
#     powerai-builtin (powerai's built-in server), uvicorn-starlette (anchor_starlette_app under uvicorn),
#     flask-gunicorn (anchor_flask_app under gunicorn, sync workers), and on request powerai-gunicorn;
#  4. for each of the PAYLOADS (small: the example's 4-point sample request, 62 bytes; large: about 100 KB of
#     points, the size of an image classifier's request), loads each server with wrk (POST /score), ROUNDS
#     rounds interleaved, reporting the median round's requests/s and its latency percentiles, the ratios, whether
#     powerai-builtin was slower than an anchor in any round, each server's CPU time per request (user + system of
#     all the container's processes over the round, divided by the requests wrk counted: what a request costs,
#     which the machine's other load disturbs far less than requests/s), and whether every request the servers
#     answered has its line in the container log;
#  5. times container start to the first 200 from POST /score, for the scoring image as built
#     (bench/scoring-start.sh, STARTS runs).
# Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
WORKERS=${WORKERS:-2}
SERVERS=${SERVERS:-powerai-builtin uvicorn-starlette flask-gunicorn}
PAYLOADS=${PAYLOADS:-small large}
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
  [ -z "${IMAGE:-}" ] || docker rmi "${base_tag:-none}" >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
echo

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
if [ -n "${IMAGE:-}" ]; then
  # A smoke run from an existing svm-moons scoring image: tagged here so that its owner removing it does not
  # pull it from under the run. The scoring server in it is the one it was built with; the current one is
  # copied over it in the bench image below.
  base_tag=powerai-bench/svm-moons-base:run-$$
  docker tag "$IMAGE" "$base_tag"
  image=$base_tag size=unknown overhead=unknown
else
  # The command from this checkout, built through the reactor (never 'mvn install': the local repository is
  # shared): a shaded jar packaged again without 'clean' keeps the classes and resources (the scoring server among
  # them) of the jar it replaces, so it is removed first. MVN: e.g. "mvn -Dmaven.repo.local=...".
  rm -f cli/target/powerai-cli.jar cli/target/original-powerai-cli.jar cli/target/powerai-cli*.jsa
  ${MVN:-mvn} -q -B -o package -DskipTests -pl cli -am >&2

  # 1. The example's scoring image (only the stages it needs; no deployment).
  cp -r examples/svm-moons "$work/proj"
  rm -rf "$work/proj/.powerai"
  sed -i -e 's/^name: svm-moons/name: svm-moons-serving-bench/' "$work/proj/powerai.yaml"
  for stage in snapshot train scoring-image; do bin/powerai "$stage" "$work/proj" >"$work/$stage.log" 2>&1 || { cat "$work/$stage.log"; exit 1; }; done
  image=$(sed -n 's/^ *"image" : "\(.*\)",*$/\1/p' "$work/proj/.powerai/scoringImage.json" | head -1)
  size=$(sed -n 's/^ *"imageSizeBytes" : \([0-9]*\).*/\1/p' "$work/proj/.powerai/scoringImage.json")
  overhead=$(sed -n 's/^ *"overheadBytes" : \([0-9]*\).*/\1/p' "$work/proj/.powerai/scoringImage.json")
fi

# 2. The bench image: the same image plus the anchors' stacks from Debian (and, for a smoke run from an existing
# image, this checkout's scoring server).
mkdir "$work/bench"
cp bench/anchor_flask_app.py bench/anchor_starlette_app.py scoring-server/powerai_server.py "$work/bench/"
cat >"$work/bench/Dockerfile" <<DOCKERFILE
FROM $image
USER root
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-flask gunicorn \
      python3-uvicorn python3-starlette python3-uvloop python3-httptools \
 && rm -rf /var/lib/apt/lists/*
COPY anchor_flask_app.py anchor_starlette_app.py /var/azureml-bench/
${IMAGE:+COPY powerai_server.py /var/azureml-server/powerai_server.py}
USER 65534:65534
DOCKERFILE
bench_image=powerai-bench/svm-moons-scoring:run-$$
docker build -q --network host -t "$bench_image" "$work/bench" >/dev/null

body=$(cat examples/svm-moons/sample-request.json)
# The large payload: points in the example's range, fixed seed, about 100 KB of JSON.
python3 -c 'import json, random; r = random.Random(19); print(json.dumps({"data": [[round(r.uniform(-1.5, 2.5), 12), round(r.uniform(-1, 1.5), 12)] for _ in range(2900)]}))' >"$work/large.json"
cp examples/svm-moons/sample-request.json "$work/small.json"
for payload in small large; do
  cat >"$work/post-$payload.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$(cat "$work/$payload.json")]==]
LUA
done

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

# 3. The servers, same image, same model, same worker count.
declare -A port
read -ra names <<<"$SERVERS"
for n in "${names[@]}"; do
  port[$n]=$(free_port)
  case $n in
    powerai-builtin) start bench-$n "${port[$n]}" -e POWERAI_SERVER=builtin "$bench_image" ;;
    powerai-gunicorn) start bench-$n "${port[$n]}" -e POWERAI_SERVER=gunicorn "$bench_image" ;;
    flask-gunicorn) start bench-$n "${port[$n]}" "$bench_image" \
      gunicorn --workers "$WORKERS" --bind "127.0.0.1:${port[$n]}" --chdir /var/azureml-bench anchor_flask_app:app ;;
    uvicorn-starlette) start bench-$n "${port[$n]}" "$bench_image" \
      python3 -m uvicorn --workers "$WORKERS" --host 127.0.0.1 --port "${port[$n]}" --app-dir /var/azureml-bench \
        --no-access-log --log-level warning anchor_starlette_app:app ;;
    *) echo "unknown server $n (SERVERS: powerai-builtin powerai-gunicorn flask-gunicorn uvicorn-starlette)" >&2; exit 2 ;;
  esac
done
for n in "${names[@]}"; do await_score "${port[$n]}"; done

# 4. wrk, interleaved rounds, for each payload; a short warm-up first.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
declare -A answered
requests_in() { awk '/requests in/ {print $1}'; }
cpu_ticks() { # cpu_ticks NAME: user + system clock ticks of all the processes of container bench-NAME so far
  local total=0 pid
  for pid in $(docker top "bench-$1" -o pid | tail -n +2); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)
median_index() { # the index (0-based) of the median of the numbers given
  printf '%s\n' "$@" | awk '{print NR-1, $1}' | sort -k2 -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
for n in "${names[@]}"; do answered[$n]=0; done
for payload in $PAYLOADS; do
  declare -A rps=() p50=() p99=() errors=() cpu=()
  lua="$work/post-$payload.lua"
  for n in "${names[@]}"; do
    answered[$n]=$(( answered[$n] + $(wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$lua" "http://127.0.0.1:${port[$n]}/score" | requests_in) ))
  done
  echo "### payload $payload ($(wc -c <"$work/$payload.json") bytes); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  for r in $(seq 1 "$ROUNDS"); do
    for n in "${names[@]}"; do
      before=$(cpu_ticks "$n")
      out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" "http://127.0.0.1:${port[$n]}/score")
      cpu[$n]+="$(awk -v t=$(( $(cpu_ticks "$n") - before )) -v hz="$ticks_per_second" -v r="$(echo "$out" | requests_in)" 'BEGIN {printf "%.0f", r ? t / hz * 1e6 / r : 0}') "
      rps[$n]+="$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}') "
      p50[$n]+="$(echo "$out" | awk '$1 == "50%" {print $2}' | to_ms) "
      p99[$n]+="$(echo "$out" | awk '$1 == "99%" {print $2}' | to_ms) "
      errors[$n]+="$(echo "$out" | awk '/Non-2xx|Socket errors/ {e=1} END {print e ? "yes" : "no"}') "
      answered[$n]=$(( answered[$n] + $(echo "$out" | requests_in) ))
    done
  done
  echo "| server (same image, model and $WORKERS workers) | requests/s (median of $ROUNDS) | p50 ms | p99 ms | all rounds requests/s | all rounds p99 ms | all rounds CPU us per request | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  declare -A median_rps=() median_p99=()
  for n in "${names[@]}"; do
    read -ra R <<<"${rps[$n]}"; read -ra A <<<"${p50[$n]}"; read -ra B <<<"${p99[$n]}"; read -ra C <<<"${cpu[$n]}"
    i=$(median_index "${R[@]}")
    median_rps[$n]=${R[$i]} median_p99[$n]=${B[$i]}
    echo "| $n | ${R[$i]} | ${A[$i]} | ${B[$i]} | ${R[*]} | ${B[*]} | ${C[*]} | ${errors[$n]} |"
  done
  echo
  if [ -n "${rps[powerai-builtin]:-}" ]; then
    read -ra ours <<<"${rps[powerai-builtin]}"
    for n in "${names[@]}"; do
      [ "$n" = powerai-builtin ] && continue
      read -ra theirs <<<"${rps[$n]}"
      slower=0
      for i in "${!ours[@]}"; do [ "${ours[$i]}" -lt "${theirs[$i]}" ] && slower=$((slower + 1)); done
      echo "- powerai-builtin / $n: requests/s $(awk -v a="${median_rps[powerai-builtin]}" -v b="${median_rps[$n]}" 'BEGIN {printf "%.2f", a/b}'), p99 $(awk -v a="${median_p99[powerai-builtin]}" -v b="${median_p99[$n]}" 'BEGIN {printf "%.2f", a/b}') (below 1: lower); rounds in which powerai-builtin was slower: $slower of $ROUNDS"
    done
  fi
  echo "- load average after the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
done

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
