#!/usr/bin/env bash
# powerai's registry client against jib-core 0.28.1's (the library issue 13 asks about), each in a fresh JVM as a
# command starts: one manifest-digest lookup, RUNS times each (default 7, alternating), against
#   1. the local registry (127.0.0.1:5000, plain HTTP, anonymous): what a no-op snapshot does twice;
#   2. the token registry of the tests (TLS with its own CA, Bearer tokens from a token service), with credentials;
#   3. the same with a pull-only credential asking for push: who notices before pushing.
# Also: the size of each client's dependencies, and a no-op `powerai snapshot` (JVM start included) for scale.
# Needs scripts/infra.sh up, docker-registry, htpasswd, openssl; network to Maven Central once for jib-core.
# Results go to stdout as Markdown.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUNS=${RUNS:-7}
work=$(mktemp -d)
registries_pid=
cleanup() {
  [ -n "$registries_pid" ] && { exec 3>&-; wait "$registries_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B -o -pl core,cli package -DskipTests >&2
mvn -q -B -o -pl core,cli test-compile >&2
mvn -q -B -o -pl core dependency:build-classpath -Dmdep.outputFile="$work/core.cp" >&2
cat > "$work/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>bench</groupId><artifactId>jib-classpath</artifactId><version>1</version>
<dependencies><dependency><groupId>com.google.cloud.tools</groupId><artifactId>jib-core</artifactId><version>0.28.1</version></dependency></dependencies>
</project>
POM
mvn -q -B -f "$work/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/jib.cp" >&2
powerai_cp="core/target/classes:$(cat "$work/core.cp")"
jib_cp="$(cat "$work/jib.cp")"
mkdir -p "$work/classes"
javac -q -d "$work/classes" -cp "$powerai_cp:$jib_cp" bench/RegistryClientBench.java 2>/dev/null || \
  javac -d "$work/classes" -cp "$powerai_cp:$jib_cp" bench/RegistryClientBench.java

# The test registries, served until this script closes their stdin.
exec 3> >(java -cp "cli/target/test-classes:cli/target/classes:$powerai_cp" io.powerai.cli.TestRegistriesMain > "$work/registries.txt")
registries_pid=$!
for _ in $(seq 1 100); do [ "$(wc -l < "$work/registries.txt")" -ge 2 ] && break; sleep 0.1; done
token=$(awk '$1=="token" {print $2}' "$work/registries.txt")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s%N; }
# One lookup in a fresh JVM; prints wall ms of the whole java command, the in-process lookup ms, and the answer.
one() {
  local mode=$1; shift
  local cp="$work/classes:$powerai_cp"
  [ "$mode" = jib ] && cp="$work/classes:$jib_cp:core/target/classes:$(cat "$work/core.cp")"
  local s e out
  s=$(now); out=$(java -Xshare:auto -cp "$cp" RegistryClientBench "$mode" "$@"); e=$(now)
  echo "$(( (e - s) / 1000000 )) $(sed 's/.*lookup_ms=\([0-9]*\).*/\1/' <<<"$out") $(sed 's/.*answer=//' <<<"$out")"
}
row() { # label, env, args...
  local label=$1 user=$2 pw=$3; shift 3
  declare -A wall lookup answer
  for mode in powerai jib; do : > "$work/$mode.w"; : > "$work/$mode.l"; done
  for _ in $(seq 1 "$RUNS"); do
    for mode in powerai jib; do
      read -r w l a < <(BENCH_USER=$user BENCH_PASSWORD=$pw one "$mode" "$@")
      echo "$w" >> "$work/$mode.w"; echo "$l" >> "$work/$mode.l"; answer[$mode]=$a
    done
  done
  for mode in powerai jib; do
    echo "| $label | $mode | $RUNS | $(median < "$work/$mode.w") | $(median < "$work/$mode.l") | ${answer[$mode]} |"
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "| lookup | client | runs | median wall ms (fresh JVM) | median in-JVM lookup ms | answer |"
echo "|---|---|---|---|---|---|"
row "local registry, anonymous, existing tag" "" "" 127.0.0.1:5000 powerai/python-ml bookworm
row "token registry (TLS, own CA), missing tag" pusher pusher-pw "$token" team/app 1
row "token registry, pull-only user asks to push" reader reader-pw "$token" team/app 1 push-check
echo
echo "Dependencies: powerai's client uses the JDK and core's Jackson only (0 extra bytes); jib-core 0.28.1 brings" \
  "$(tr ':' '\n' < "$work/jib.cp" | wc -l) jars, $(tr ':' '\n' < "$work/jib.cp" | xargs du -cb | tail -1 | cut -f1) bytes" \
  "(guava $(tr ':' '\n' < "$work/jib.cp" | grep -o 'guava-[0-9.]*-jre' | head -1 | sed 's/guava-//'), jackson $(tr ':' '\n' < "$work/jib.cp" | grep -o 'jackson-databind-[0-9.]*' | sed 's/jackson-databind-//'), google-http-client, Apache httpclient)."

# A no-op snapshot for scale: the registry has the image, the workspace its manifest (two lookups as above).
cp -r examples/svm-moons "$work/proj"; rm -rf "$work/proj/.powerai"
java -jar cli/target/powerai-cli.jar snapshot "$work/proj" >/dev/null
: > "$work/snap"
for _ in $(seq 1 "$RUNS"); do s=$(now); java -jar cli/target/powerai-cli.jar snapshot "$work/proj" >/dev/null; e=$(now); echo $(( (e - s) / 1000000 )) >> "$work/snap"; done
echo
echo "No-op \`powerai snapshot\` (java -jar, JVM start included, no class-data archive): median $(median < "$work/snap") ms of $RUNS."
echo "Machine: $(nproc) cores, load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)."
