#!/usr/bin/env bash
# How long does one AuditLog.append take at the end of a long audit log? Makes a RECORDS-record log
# (bench/audit_log_gen.py, ~124 MB for 200,000) and times APPENDS appends in one JVM after WARMUP untimed ones
# (bench/AuditAppendBench.java), against core/target/classes, or against CLASSES=dir (e.g. an older build's
# core/target/classes, to compare before and after a change). The log is made afresh for each run, and the
# appended records are checked afterwards by `powerai audit verify`-equivalent AuditLog.verify in the same program.
# Results as one Markdown table row on stdout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
RECORDS=${RECORDS:-200000}
APPENDS=${APPENDS:-20}
WARMUP=${WARMUP:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${CLASSES:-}" ]; then
  mvn -q -B -o -pl core compile >&2
  CLASSES=core/target/classes
fi
mvn -q -B -o -pl core dependency:build-classpath -Dmdep.outputFile="$work/core.cp" >&2
cp="$CLASSES:$(cat "$work/core.cp")"
mkdir -p "$work/classes" "$work/ws/.powerai"
javac -d "$work/classes" -cp "$cp" bench/AuditAppendBench.java
/usr/bin/python3 bench/audit_log_gen.py "$work/ws/.powerai" "$RECORDS"
log="$work/ws/.powerai/audit.jsonl"
bytes=$(stat -c %s "$log")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r median max total < <(java -cp "$work/classes:$cp" AuditAppendBench "$log" "$WARMUP" "$APPENDS")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# the appended records continue the chain: the log still verifies, with every record counted
cat > "$work/Verify.java" <<'JAVA'
public class Verify {
    public static void main(String[] args) {
        var v = new io.powerai.core.audit.AuditLog(java.nio.file.Path.of(args[0]), java.time.Clock.systemUTC()).verify();
        System.out.println(v.ok() + " " + v.records() + (v.ok() ? "" : " " + v.problem()));
    }
}
JAVA
javac -d "$work/classes" -cp "$cp" "$work/Verify.java"
verified=$(java -cp "$work/classes:$cp" Verify "$log")
[ "$verified" = "true $((RECORDS + WARMUP + APPENDS))" ] || { echo "log does not verify after the appends: $verified" >&2; exit 1; }
echo "| $CLASSES | $RECORDS records, $((bytes / 1000000)) MB | $APPENDS | $median | $max | $total | $load_before -> $load_after |"
