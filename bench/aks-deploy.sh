#!/usr/bin/env bash
# Benchmark of aksDeploy against fabric8's mock Kubernetes API server (CRUD mode; no real API server can run on
# our machines). The mock runs in a JVM of its own, warmed up and playing the Deployment controller; each
# measurement is a fresh JVM timed from the start of its main (after JVM start):
#   apply:  parse the settings, render the manifests, build the client, create-or-update 5 objects (target < 1 s);
#   update: the same into a namespace that holds them already (the update path);
#   deploy: the whole rollout (reads, applies, waits on the simulated controller, smoke test answered in-process,
#           audit record and result file);
#   warm:   apply repeated in one JVM, for the steady state.
# The measured JVM runs the command's own jar (cli/target/powerai-cli.jar) with the flags bin/powerai starts deploy with,
# without and with an AppCDS archive (made by one untimed run, as the launcher makes one); RUNS times each
# (default 5), medians printed as Markdown. Compare numbers only from an otherwise idle machine (uptime).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RUNS=${RUNS:-5}
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

mvn -q -B -o -pl core,cli -DskipTests package
mvn -q -B -o -pl core test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
server_cp="core/target/test-classes:core/target/classes:$(cat "$work/cp.txt")"
# The measured side: the command's jar, plus the benchmark's main class in a jar of its own (AppCDS archives
# classes from jars only, and refuses a class path with a non-empty directory).
(cd core/target/test-classes && jar cf "$work/bench.jar" io/powerai/core/stage/deploy/AksDeployBench*.class)
# A copy, checked to be the shaded jar: a concurrent build may be rewriting target/ (the thin jar comes first).
for _ in $(seq 1 60); do
  cp cli/target/powerai-cli.jar "$work/powerai-cli.jar" 2>/dev/null \
    && unzip -l "$work/powerai-cli.jar" 2>/dev/null | grep -q 'io/fabric8/kubernetes/client/ConfigBuilder.class' && break
  sleep 1
done
cp="$work/powerai-cli.jar:$work/bench.jar"

java -cp "$server_cp" io.powerai.core.stage.deploy.MockApiServerMain "$work/url" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do [ -f "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")

flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # measure MODE NAMESPACE_PREFIX EXTRA_FLAGS...: median of RUNS, each in a fresh JVM
  local mode=$1 prefix=$2; shift 2
  local t=()
  for i in $(seq 1 "$RUNS"); do
    local ns="$prefix"
    [ "$prefix" = new ] && ns="bench-$mode-$RANDOM-$i"
    local out
    out=$(java "${flags[@]}" "$@" -cp "$cp" io.powerai.core.stage.deploy.AksDeployBench "$url" "$mode" "$ns" 2>"$work/err") \
      || { echo "benchmark run failed: $(tail -3 "$work/err")" >&2; exit 1; }
    t+=("$(awk '{print $2}' <<<"$out")")
  done
  printf '%s\n' "${t[@]}" | median
}

java "${flags[@]}" -cp "$cp" io.powerai.core.stage.deploy.AksDeployBench "$url" apply existing >/dev/null   # the namespace for 'update'
java "${flags[@]}" -XX:ArchiveClassesAtExit="$work/app.jsa" -cp "$cp" io.powerai.core.stage.deploy.AksDeployBench "$url" deploy cds-training >/dev/null 2>&1
cds=(-XX:SharedArchiveFile="$work/app.jsa")

apply=$(measure apply new); update=$(measure apply existing); deploy=$(measure deploy new); warm=$(measure warm new)
apply_cds=$(measure apply new "${cds[@]}"); update_cds=$(measure apply existing "${cds[@]}"); deploy_cds=$(measure deploy new "${cds[@]}")
echo "load average before the last run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat <<REPORT
| measurement (fresh JVM, timed from main) | median of | ms | with AppCDS, ms | target |
|---|---|---|---|---|
| render + create 5 objects (apply) | $RUNS | $apply | $apply_cds | < 1000 |
| render + update 5 objects | $RUNS | $update | $update_cds | < 1000 |
| whole deploy (simulated controller, in-process smoke test) | $RUNS | $deploy | $deploy_cds | |
| render + create 5 objects in a warm JVM (median of the last 10 of 20) | $RUNS | $warm | | |
REPORT
