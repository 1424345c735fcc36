#!/usr/bin/env bash
# Benchmarks of the environment snapshot (amlEnvSnapshot), on the local infrastructure (scripts/infra.sh up first):
#  1. `bin/powerai snapshot` of an unchanged environment: the registry has the image and the workspace has its
#     manifest, so nothing is built and no container runs. JVM start included (bin/powerai's class-data archive
#     is written by the first run after a build and used by the timed ones). Median of RUNS (default 7).
#     Target: under 1500 ms.
#  2. Parsing and locking an environment of 500 packages (core/src/test/.../LockBenchmark.java): requirement
#     files with includes, constraints, hashes and markers; the capture output of an image with 500 pip and 500
#     apt packages; manifest, requirements.lock and apt.lock rendered. Timed in process: the first iteration in a
#     fresh JVM (cold; also with bin/powerai's class-data archive, as a command starts) and the median of 50
#     after warm-up (warm), in LOCK_JVMS (default 5) fresh JVMs; the medians of those are reported.
#     Target: under 200 ms.
# Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUNS=${RUNS:-7}
LOCK_JVMS=${LOCK_JVMS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A shaded jar packaged again without 'clean' keeps the classes of the jar it replaces: remove it first.
rm -f cli/target/powerai-cli.jar cli/target/original-powerai-cli.jar cli/target/powerai-cli*.jsa
mvn -q -B -o install -DskipTests -pl core >&2
mvn -q -B -o -pl cli package -DskipTests >&2
mvn -q -B -o -pl core test-compile >&2

cp -r examples/svm-moons "$work/proj"
rm -rf "$work/proj/.powerai"
sed -i -e 's/^name: svm-moons/name: snapshot-bench/' \
  -e "s/    OMP_NUM_THREADS: \"1\"/    OMP_NUM_THREADS: \"1\"\n    BENCH_RUN: \"$(date +%s%N)\"/" "$work/proj/powerai.yaml"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
s=$(now); bin/powerai snapshot "$work/proj" >/dev/null; e=$(now); first=$(ms "$s" "$e")
bin/powerai snapshot "$work/proj" >/dev/null   # writes the class-data archive if the build made a new jar
# Wall time, and CPU time (user + sys) of the command: on a shared machine the second varies less.
t=(); cpu=()
TIMEFORMAT='%U %S'
for _ in $(seq 1 "$RUNS"); do
  s=$(now)
  times=$( { time bin/powerai snapshot "$work/proj" >/dev/null 2>&1; } 2>&1 )
  e=$(now)
  t+=("$(ms "$s" "$e")")
  cpu+=("$(awk '{printf "%d", ($1 + $2) * 1000}' <<<"$times")")
done
unchanged=$(printf '%s\n' "${t[@]}" | median)
unchanged_cpu=$(printf '%s\n' "${cpu[@]}" | median)
all_unchanged=$(printf '%s ' "${t[@]}")

# The lock benchmark in fresh JVMs, as bin/powerai starts them; then again with the command's class-data archive
# (written by the snapshot runs above), which is what a cold `powerai snapshot` has.
lock_run() { # lock_run MODE [JVM OPTIONS...]: prints cold_ms and warm_median_ms of one fresh JVM
  local mode=$1; shift
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$@" -cp cli/target/powerai-cli.jar:core/target/test-classes \
    io.powerai.core.snapshot.LockBenchmark 500 50 "$mode"
}
cds=(-Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -XX:SharedArchiveFile=cli/target/powerai-cli.snapshot.jsa)
cold=(); cold_cds=(); cold_cmd=(); warm=(); line=""
for _ in $(seq 1 "$LOCK_JVMS"); do
  line=$(lock_run fresh)
  cold+=("$(sed -n 's/.*cold_ms=\([0-9.]*\).*/\1/p' <<<"$line")")
  warm+=("$(sed -n 's/.*warm_median_ms=\([0-9.]*\).*/\1/p' <<<"$line")")
  cds_line=$(lock_run fresh "${cds[@]}")
  cold_cds+=("$(sed -n 's/.*cold_ms=\([0-9.]*\).*/\1/p' <<<"$cds_line")")
  # As in `powerai snapshot`: the archive, and powerai.yaml read before the locking starts.
  cmd_line=$(lock_run in-command "${cds[@]}")
  cold_cmd+=("$(sed -n 's/.*cold_ms=\([0-9.]*\).*/\1/p' <<<"$cmd_line")")
done
cold_median=$(printf '%s\n' "${cold[@]}" | median)
cold_cds_median=$(printf '%s\n' "${cold_cds[@]}" | median)
cold_cmd_median=$(printf '%s\n' "${cold_cmd[@]}" | median)
warm_median=$(printf '%s\n' "${warm[@]}" | median)

cat <<REPORT
| measurement | median of | ms | target |
|---|---|---|---|
| \`powerai snapshot\`, first run (built, pushed, looked inside) | 1 | $first | |
| \`powerai snapshot\`, unchanged environment, JVM start included | $RUNS | $unchanged | < 1500 |
| the same, CPU time (user + sys) | $RUNS | $unchanged_cpu | |
| parse and lock 500 packages, cold (first iteration in a fresh JVM) | $LOCK_JVMS JVMs | $cold_median | |
| the same, cold, with the command's class-data archive | $LOCK_JVMS JVMs | $cold_cds_median | |
| the same, cold, in a command (archive, powerai.yaml already read) | $LOCK_JVMS JVMs | $cold_cmd_median | |
| parse and lock 500 packages, warm (median of 50 after warm-up) | $LOCK_JVMS JVMs | $warm_median | < 200 |

Unchanged runs (ms): $all_unchanged
Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc)
Last lock run: $line
Last lock run with the archive: $cds_line
REPORT
