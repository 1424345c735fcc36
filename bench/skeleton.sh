#!/usr/bin/env bash
# Benchmarks of the walking skeleton, on the local infrastructure (scripts/infra.sh up first):
#  1. wall time of the whole svm-moons example (first run in a fresh workspace, new snapshot);
#  2. the same with unchanged inputs (snapshot found in the registry; images cached);
#  3. `powerai snapshot` with unchanged inputs, JVM start included (target: under 2 s);
#  4. `powerai train` against a bare `docker run` of the same command and mounts (target: under 1 s more).
# Each timed command runs RUNS times (default 5); the median is reported. Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'docker rm -f powerai-svm-moons-bench >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

[ -f cli/target/powerai-cli.jar ] || (mvn -q -B -DskipTests package)
cp -r examples/svm-moons "$work/proj"
rm -rf "$work/proj/.powerai"
# A unique environment variable makes a snapshot that the registry has not seen: the first run builds.
sed -i -e 's/^name: svm-moons/name: svm-moons-bench/' -e 's/port: 8890/port: 8891/' \
  -e "s/    OMP_NUM_THREADS: \"1\"/    OMP_NUM_THREADS: \"1\"\n    BENCH_RUN: \"$(date +%s%N)\"/" "$work/proj/powerai.yaml"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() { # time_runs CMD... : prints the median of RUNS runs in ms
  local t=()
  for _ in $(seq 1 "$RUNS"); do
    local s; s=$(now); "$@" >/dev/null 2>&1; local e; e=$(now); t+=("$(ms "$s" "$e")")
  done
  printf '%s\n' "${t[@]}" | median
}

s=$(now); bin/powerai run "$work/proj" >/dev/null; e=$(now); first=$(ms "$s" "$e")
s=$(now); bin/powerai run "$work/proj" >/dev/null; e=$(now); second=$(ms "$s" "$e")
snapshot=$(time_runs bin/powerai snapshot "$work/proj")
train=$(time_runs bin/powerai train "$work/proj")

image=$(sed -n 's/.*"image" : "\(.*\)".*/\1/p' "$work/proj/.powerai/amlEnvSnapshot.json")
mkdir -p "$work/out"
bare=$(time_runs docker run --rm --network none \
  -v "$work/proj:/workspace/project:ro" -v "$work/proj/data:/workspace/data:ro" -v "$work/out:/workspace/outputs:rw" \
  -e POWERAI_OUTPUTS=/workspace/outputs -e POWERAI_DATA=/workspace/data -w /workspace/project \
  "$image" python3 train.py --C 1.0 --gamma 2.0)

cat <<REPORT
| measurement | median of | ms |
|---|---|---|
| whole example, first run (snapshot built) | 1 | $first |
| whole example, second run (inputs unchanged) | 1 | $second |
| \`powerai snapshot\`, inputs unchanged, JVM start included | $RUNS | $snapshot |
| \`powerai train\` | $RUNS | $train |
| bare \`docker run\` of the same training command | $RUNS | $bare |
| overhead of \`powerai train\` over the bare run | | $(( train - bare )) |
REPORT
