#!/usr/bin/env bash
# Does GPU sampling slow the training it watches? Native mode (`backend: native`), the same CPU-bound Python
# workload timed by itself, alternately with the sampler on (`gpus: 1`: nvidia-smi's own loop, one line a second,
# read by powerai into gpu-samples.csv and the summary) and off (`gpu_policy: none`). The workload reports the
# seconds of its compute loop as a metric, so powerai's own start and finish are not in the comparison.
#
# On a machine without a GPU, nvidia-smi is a stand-in script (POWERAI_NVIDIA_SMI) that prints a recorded H100
# (core/src/test/resources/io/powerai/core/gpu/h100/) and, in its -lms loop, one recorded sample per
# interval: that measures powerai's side of the sampling (a second process, a line read, parsed and written each
# interval), not the driver queries of a real nvidia-smi. On a GPU host set POWERAI_NVIDIA_SMI=$(command -v nvidia-smi)
# to measure the whole.
#
# Environment: PAIRS (default 5) on/off pairs; WORK_SECONDS (default 20) of compute per run, calibrated once.
# Needs Java 17+, python3, and the CLI jar (built with Maven when missing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
PAIRS=${PAIRS:-5}
WORK_SECONDS=${WORK_SECONDS:-20}
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

[ -f cli/target/powerai-cli.jar ] || mvn -q -B -o -pl core,cli -DskipTests package

smi=${POWERAI_NVIDIA_SMI:-}
if [ -z "$smi" ]; then
  fixtures="$root/core/src/test/resources/io/powerai/core/gpu/h100"
  smi="$work/nvidia-smi"
  cat > "$smi" <<SH
#!/bin/sh
# Stand-in for nvidia-smi: the recorded H100 host; -lms MS prints one recorded sample every MS milliseconds.
case "\$*" in
  *-lms*)
    ms=\$(echo "\$*" | sed -n 's/.*-lms \([0-9]*\).*/\1/p')
    while :; do
      while IFS= read -r line; do echo "\$line"; sleep "\$(awk "BEGIN {print \$ms / 1000}")"; done < "$fixtures/gpu-samples.csv"
    done ;;
  *--query-gpu*) cat "$fixtures/query-gpu.csv" ;;
  *-q*-x*) cat "$fixtures/nvidia-smi-q.xml" ;;
  *-L*) cat "$fixtures/nvidia-smi-L.txt" ;;
  *) echo "stand-in nvidia-smi: unexpected arguments \$*" >&2; exit 2 ;;
esac
SH
  chmod +x "$smi"
  what="stand-in nvidia-smi printing a recorded H100 (no GPU here)"
else
  what="$smi"
fi

# The workload: a fixed number of rounds of pure-Python arithmetic (one thread), calibrated to WORK_SECONDS.
cat > "$work/work.py" <<'PY'
import json, os, sys, time
def rounds(n):
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) % 1000003
    return acc
if sys.argv[1] == "calibrate":
    t = time.perf_counter(); rounds(2_000_000); per = (time.perf_counter() - t) / 2_000_000
    print(int(float(sys.argv[2]) / per)); sys.exit(0)
n = int(sys.argv[1])
t = time.perf_counter()
rounds(n)
print(json.dumps({"metric": "compute_seconds", "value": round(time.perf_counter() - t, 4)}), flush=True)
open(os.path.join(os.environ["POWERAI_OUTPUTS"], "done.txt"), "w").write("ok\n")
PY
n=$(python3 "$work/work.py" calibrate "$WORK_SECONDS")

project() { # project NAME GPU_LINES...: a native training project running the workload
  local dir="$work/$1"; shift
  mkdir -p "$dir"
  cp "$work/work.py" "$dir/"
  { echo "name: sampling-$RANDOM"
    echo "train:"
    echo "  backend: native"
    echo "  python: python3"
    echo "  script: work.py"
    echo "  args: [\"$n\"]"
    echo "  timeout: 10m"
    printf '  %s\n' "$@"; } > "$dir/powerai.yaml"
}
project on "gpus: 1" "gpu_policy: require"
project off "gpu_policy: none"

compute_seconds() { # the workload's own time, from the result
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["metrics"]["compute_seconds"])' "$1/.powerai/gpuTrain.json"
}
samples() { tail -n +2 "$1/.powerai/train/gpu-samples.csv" 2>/dev/null | wc -l; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
on=(); off=(); counts=()
for i in $(seq 1 "$PAIRS"); do
  for mode in on off; do   # alternate, so drift in the machine's load hits both alike
    POWERAI_NVIDIA_SMI="$smi" bin/powerai train "$work/$mode" >"$work/$mode.log" 2>&1 \
      || { echo "powerai train ($mode) failed:"; tail -5 "$work/$mode.log"; exit 1; }
    s=$(compute_seconds "$work/$mode")
    if [ "$mode" = on ]; then on+=("$s"); counts+=("$(samples "$work/on")"); else off+=("$s"); fi
  done
  echo "pair $i: sampler on ${on[-1]} s (${counts[-1]} samples), off ${off[-1]} s" >&2
done

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
on_median=$(printf '%s\n' "${on[@]}" | median)
off_median=$(printf '%s\n' "${off[@]}" | median)
cat <<REPORT
| measurement | median of | seconds |
|---|---|---|
| compute loop, sampler on (gpus: 1, one sample a second) | $PAIRS | $on_median |
| compute loop, sampler off (gpu_policy: none) | $PAIRS | $off_median |
| difference, on - off | | $(awk -v a="$on_median" -v b="$off_median" 'BEGIN {printf "%+.3f (%+.2f%%)", a - b, (a - b) / b * 100}') |

nvidia-smi: $what
Runs, on: ${on[*]}
Runs, off: ${off[*]}
Samples recorded per run with the sampler on: ${counts[*]}
Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); CPUs: $(nproc)
REPORT
