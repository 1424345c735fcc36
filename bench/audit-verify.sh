#!/usr/bin/env bash
# How fast does `powerai audit verify` check a long audit log, JVM start included? Makes a RECORDS-record log
# (bench/audit_log_gen.py: records as powerai writes them now, RFC 8785, ~620 bytes each, ~124 MB for 200,000) and
# times ROUNDS rounds, alternating:
#   1. `bin/powerai audit verify DIR`, the launcher as shipped (SHA-256 alone on the server compiler, the rest on the
#      client compiler: bin/jit-sha256-c2.json);
#   2. the same jar with the client compiler alone (-XX:TieredStopAtLevel=1, what the launcher gave `audit` before);
#   3. the same jar with tiered compilation (the JVM's default);
#   4. the ten-line standard-library Python loop of the issue (json.loads, json.dumps sorted and compact, hashlib);
#   5. scripts/verify_audit.py, the standalone verifier (full RFC 8785 and the old form).
# Each is timed by /usr/bin/time: wall seconds, and CPU seconds (user + sys, all threads), because on a shared
# machine the wall time says more about the neighbours than about the command. Results as Markdown on stdout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RECORDS=${RECORDS:-200000}
ROUNDS=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3

mkdir -p "$work/ws/.powerai"
"$python" bench/audit_log_gen.py "$work/ws/.powerai" "$RECORDS"
log="$work/ws/.powerai/audit.jsonl"
bytes=$(stat -c %s "$log")
cat > "$work/loop.py" <<'PY'
import hashlib, json, sys
prev = "0" * 64
for n, line in enumerate(open(sys.argv[1], "rb"), 1):
    record = json.loads(line)
    stored = record.pop("hash")
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record["seq"] == n and record["prev"] == prev, n
    assert hashlib.sha256(text.encode()).hexdigest() == stored, n
    prev = stored
print("OK", n)
PY

bin/powerai audit verify "$work/ws" >/dev/null   # builds the jar if needed, and the command's class-data archive
jar=cli/target/powerai-cli.jar
common=(-XX:+UseSerialGC -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -XX:SharedArchiveFile=cli/target/powerai-cli.audit.jsa)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# one measurement: "wall cpu" in seconds, after checking that the verifier said OK
measure() {
  /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >"$work/out" 2>"$work/err" || true
  grep -q OK "$work/out" || { echo "not OK: $* $(cat "$work/out" "$work/err")" >&2; exit 1; }
  tail -1 "$work/time" | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
}
names=(launcher client tiered loop verifier)
declare -A wall cpu
for _ in $(seq 1 "$ROUNDS"); do
  for name in "${names[@]}"; do
    case $name in
      launcher) r=$(measure bin/powerai audit verify "$work/ws") ;;
      client) r=$(measure java -XX:TieredStopAtLevel=1 "${common[@]}" -jar "$jar" audit verify "$work/ws") ;;
      tiered) r=$(measure java "${common[@]}" -jar "$jar" audit verify "$work/ws") ;;
      loop) r=$(measure "$python" "$work/loop.py" "$log") ;;
      verifier) r=$(measure "$python" scripts/verify_audit.py "$work/ws") ;;
    esac
    wall[$name]="${wall[$name]:-} ${r% *}"
    cpu[$name]="${cpu[$name]:-} ${r#* }"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
label() {
  case $1 in
    launcher) echo '`bin/powerai audit verify` (SHA-256 on C2, rest on C1)' ;;
    client) echo 'same jar, client compiler alone' ;;
    tiered) echo 'same jar, tiered compilation' ;;
    loop) echo 'ten-line Python loop (json + hashlib)' ;;
    verifier) echo '`scripts/verify_audit.py`' ;;
  esac
}
echo "| command | wall s (median of $ROUNDS) | records/s by wall | CPU s, user+sys (median) | records/s by CPU |"
echo "|---|---|---|---|---|"
for name in "${names[@]}"; do
  w=$(median <<<"${wall[$name]}"); c=$(median <<<"${cpu[$name]}")
  printf '| %s | %s | %s | %s | %s |\n' "$(label "$name")" "$w" "$(awk -v n="$RECORDS" -v t="$w" 'BEGIN {printf "%d", n / t}')" \
    "$c" "$(awk -v n="$RECORDS" -v t="$c" 'BEGIN {printf "%d", n / t}')"
done
echo
echo "Log: $RECORDS records, $bytes bytes. Rounds (wall s):"
for name in "${names[@]}"; do echo "- $name:${wall[$name]} (CPU s:${cpu[$name]})"; done
echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after; CPUs: $(nproc); $(java -version 2>&1 | head -1); $("$python" --version)"
