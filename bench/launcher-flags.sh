#!/usr/bin/env bash
# Which JVM flags should bin/powerai start the command with? Two candidates, both with the serial collector and
# the command's class-data archive: the client compiler alone (-XX:TieredStopAtLevel=1, quickest to start) and the
# default tiered compilation (the server compiler too). Measured:
#   1. `powerai snapshot` of an unchanged environment (JVM start included; the registry has the snapshot), RUNS each,
#      alternating;
#   2. SHA-256 of a MIB-MiB file through Digests.sha256 (core/src/test/.../DigestBenchmark.java) in fresh JVMs,
#      HASH_JVMS each: every stage hashes its data, code and outputs this way.
# Needs the local registry (scripts/infra.sh up) and Maven; results as Markdown on stdout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUNS=${RUNS:-7}
HASH_JVMS=${HASH_JVMS:-3}
MIB=${MIB:-512}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -f cli/target/powerai-cli.jar cli/target/original-powerai-cli.jar cli/target/powerai-cli*.jsa
mvn -q -B -o -pl core,cli -DskipTests package
mvn -q -B -o -pl core test-compile
jar=cli/target/powerai-cli.jar
(cd core/target/test-classes && jar cf "$work/bench.jar" io/powerai/core/json/DigestBenchmark*.class)
cp -r examples/svm-moons "$work/proj"
rm -rf "$work/proj/.powerai"
sed -i "s/^name: .*/name: launcher-flags-bench/" "$work/proj/powerai.yaml"
bin/powerai snapshot "$work/proj" >/dev/null 2>&1   # builds the snapshot once, and the archive
bin/powerai snapshot "$work/proj" >/dev/null 2>&1

common=(-XX:+UseSerialGC -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -XX:SharedArchiveFile=cli/target/powerai-cli.snapshot.jsa)
client=(-XX:TieredStopAtLevel=1 "${common[@]}")
tiered=("${common[@]}")
now() { date +%s%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

client_ms=(); tiered_ms=()
for _ in $(seq 1 "$RUNS"); do
  s=$(now); java "${client[@]}" -jar "$jar" snapshot "$work/proj" >/dev/null 2>&1; e=$(now); client_ms+=($(( (e - s) / 1000000 )))
  s=$(now); java "${tiered[@]}" -jar "$jar" snapshot "$work/proj" >/dev/null 2>&1; e=$(now); tiered_ms+=($(( (e - s) / 1000000 )))
done
client_rate=(); tiered_rate=()
for _ in $(seq 1 "$HASH_JVMS"); do
  client_rate+=("$(java "${client[@]}" -cp "$jar:$work/bench.jar" io.powerai.core.json.DigestBenchmark "$MIB" | sed -n 's/.*mib_per_s=\([0-9]*\).*/\1/p')")
  tiered_rate+=("$(java "${tiered[@]}" -cp "$jar:$work/bench.jar" io.powerai.core.json.DigestBenchmark "$MIB" | sed -n 's/.*mib_per_s=\([0-9]*\).*/\1/p')")
done

cat <<REPORT
| measurement | median of | client compiler only (-XX:TieredStopAtLevel=1) | tiered (default) |
|---|---|---|---|
| \`powerai snapshot\`, unchanged environment, ms (JVM start included) | $RUNS | $(printf '%s\n' "${client_ms[@]}" | median) | $(printf '%s\n' "${tiered_ms[@]}" | median) |
| SHA-256 of a $MIB MiB file (page cache), MiB/s | $HASH_JVMS JVMs | $(printf '%s\n' "${client_rate[@]}" | median) | $(printf '%s\n' "${tiered_rate[@]}" | median) |

Snapshot runs (ms), client: ${client_ms[*]}; tiered: ${tiered_ms[*]}
Hash rates (MiB/s), client: ${client_rate[*]}; tiered: ${tiered_rate[*]}
Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc); $(java -version 2>&1 | head -1)
REPORT
