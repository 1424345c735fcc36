#!/usr/bin/env bash
# GPU check for a GPU host with no container runtime (native mode): a driver, nvidia-smi, Java 17+, and a
# Python with the examples' packages (torch for the GPU ones). It builds nothing: it runs a powerai CLI jar
# built elsewhere (POWERAI_JAR, default cli/target/powerai-cli.jar; `mvn -B -DskipTests package` makes it).
#
#  1. `powerai gpu info`: what nvidia-smi reports, parsed (GPUs, memory, driver, CUDA, MIG mode), as JSON;
#  2. `powerai gpu preflight`: gpuTrain's checks for one GPU, native backend, gpu_policy require;
#  3. trains in native mode with `gpus: 1` and sampling on: a torch GPU smoke (when torch sees CUDA), then
#     every example of examples/ that this Python can run (image-classifier, svm-moons);
#  4. prints one table: status, time, and the GPU telemetry summary of each run.
#
# Environment: POWERAI_JAR, POWERAI_PYTHON (default python3), POWERAI_NVIDIA_SMI (default: nvidia-smi on the
# PATH), SMOKE_SECONDS (default 15), KEEP=1 keeps the work folder. Exit 0 when every step passed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=${POWERAI_JAR:-$root/cli/target/powerai-cli.jar}
py=${POWERAI_PYTHON:-python3}
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

if [ ! -f "$jar" ]; then
  echo "gpu-check: no powerai CLI jar at $jar; build it where Maven runs (mvn -B -DskipTests package) and set POWERAI_JAR" >&2
  exit 2
fi
command -v java >/dev/null || { echo "gpu-check: java (17 or newer) is not on the PATH" >&2; exit 2; }
command -v "$py" >/dev/null || { echo "gpu-check: $py is not on the PATH (set POWERAI_PYTHON)" >&2; exit 2; }
powerai() { java -jar "$jar" "$@"; }
failures=0

echo "== host"
uname -srm
"$py" --version
java -version 2>&1 | head -1

echo
echo "== powerai gpu info"
if ! powerai gpu info | tee "$work/gpu-info.json"; then
  echo "gpu-check: no GPU to use (see above); stopping" >&2
  exit 3
fi

# A project in native mode asking for one GPU: with gpu_policy require, a GPU that is not usable stops the run.
native_train() { # native_train DIR: rewrites DIR/powerai.yaml's train section for a native GPU run
  "$py" - "$1/powerai.yaml" "$py" <<'PY'
import sys
path, python = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
out, in_train, dropping = [], False, False
# keys this check sets, and those a native run refuses (shm_size and ulimits are the container's)
drop = ("backend:", "python:", "gpus:", "gpu_policy:", "shm_size:", "ulimits:", "cuda:")
for line in lines:
    if line.startswith("train:"):
        in_train = True
        out.append(line)
        out += ["  backend: native", "  python: " + python, "  gpus: 1", "  gpu_policy: require"]
        continue
    if in_train and line and not line.startswith(" "):
        in_train = False
    if in_train and dropping and line.startswith("    "):
        continue  # a nested line of a dropped key
    dropping = in_train and line.strip().startswith(drop)
    if dropping:
        continue
    out.append(line)
open(path, "w").write("\n".join(out) + "\n")
PY
}

mkdir -p "$work/smoke"
cat > "$work/smoke/powerai.yaml" <<YAML
name: gpu-smoke
train:
  script: gpu_smoke.py
  timeout: 10m
  env:
    SMOKE_SECONDS: "${SMOKE_SECONDS:-15}"
YAML
cat > "$work/smoke/gpu_smoke.py" <<'PY'
"""A torch matmul loop on the GPU for SMOKE_SECONDS, reporting metrics as JSON lines."""
import json, os, time
import torch
assert torch.cuda.is_available(), "torch sees no CUDA device"
dev = torch.device("cuda")
print("device:", torch.cuda.get_device_name(0), "torch", torch.__version__, "cuda", torch.version.cuda, flush=True)
x = torch.randn(8192, 8192, device=dev)
t0, step = time.time(), 0
while time.time() - t0 < float(os.environ.get("SMOKE_SECONDS", "15")):
    y = x @ x
    torch.cuda.synchronize()
    step += 1
    if step % 50 == 0:
        tflops = 2 * 8192 ** 3 * step / (time.time() - t0) / 1e12
        print(json.dumps({"metric": "tflops", "value": round(tflops, 2), "step": step}), flush=True)
print(json.dumps({"metric": "max_memory_mib", "value": round(torch.cuda.max_memory_allocated() / 2 ** 20)}), flush=True)
torch.save({"sample": y[:2, :2].cpu()}, os.path.join(os.environ["POWERAI_OUTPUTS"], "smoke.pt"))
PY
native_train "$work/smoke"

echo
echo "== powerai gpu preflight (native, gpus: 1, gpu_policy: require)"
if ! powerai gpu preflight "$work/smoke"; then
  echo "gpu-check: the preflight refused the GPU (see above); stopping" >&2
  exit 3
fi

runs=()
run_one() { # run_one NAME DIR
  echo
  echo "== powerai train $1 (native, gpus: 1)"
  if powerai train "$2"; then :; else echo "gpu-check: $1 failed (exit $?)" >&2; failures=$((failures + 1)); fi
  runs+=("$1=$2")
}

if "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  run_one gpu-smoke "$work/smoke"
else
  echo "gpu-check: $py has no torch with CUDA: the GPU smoke is skipped" >&2
fi
for example in image-classifier svm-moons; do
  src="$root/examples/$example"
  [ -f "$src/powerai.yaml" ] || continue
  case $example in
    image-classifier) needs="torch" ;;
    svm-moons) needs="numpy, sklearn" ;;
  esac
  if ! "$py" -c "import $needs" 2>/dev/null; then
    echo "gpu-check: $py cannot import $needs: $example is skipped" >&2
    continue
  fi
  cp -r "$src" "$work/$example"
  rm -rf "$work/$example/.powerai"
  native_train "$work/$example"
  run_one "$example" "$work/$example"
done

if [ ${#runs[@]} -eq 0 ]; then
  echo "gpu-check: nothing was trained: $py has neither torch with CUDA nor the examples' packages" >&2
  failures=$((failures + 1))
fi

echo
echo "== summary"
"$py" - ${runs[@]+"${runs[@]}"} <<'PY'
import json, os, sys
print("| run | status | seconds | GPU | util mean % | util max % | memory peak MiB | power mean W | samples | metrics |")
print("|---|---|---|---|---|---|---|---|---|---|")
for arg in sys.argv[1:]:
    name, project = arg.split("=", 1)
    path = os.path.join(project, ".powerai", "gpuTrain.json")
    if not os.path.exists(path):
        print(f"| {name} | no result | | | | | | | | |")
        continue
    r = json.load(open(path))
    gpus = (r.get("gpuTelemetry") or {}).get("gpus") or [{}]
    metrics = ", ".join(f"{k}={v}" for k, v in sorted(r.get("metrics", {}).items()))
    for g in gpus:
        print(f"| {name} | {r['status']} | {r['durationMillis'] / 1000:.1f} | {g.get('index', '-')} "
              f"| {g.get('utilizationMeanPercent', '-')} | {g.get('utilizationMaxPercent', '-')} | {g.get('memoryPeakMiB', '-')} "
              f"| {g.get('powerMeanWatts', '-')} | {g.get('samples', 0)} | {metrics} |")
    problem = (r.get("gpuTelemetry") or {}).get("problem")
    if problem:
        print(f"|   {name}: telemetry problem: {problem} | | | | | | | | | |")
PY
[ "${KEEP:-0}" = 1 ] && echo "work folder kept: $work"
exit $((failures > 0))
