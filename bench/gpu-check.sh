#!/usr/bin/env bash
# GPU check for a GPU host with no container runtime and no network: native mode (`backend: native`) against the
# real nvidia-smi. It builds nothing and needs no Maven: carry this checkout with a powerai CLI jar built where
# Maven runs (`mvn -B -DskipTests package` makes cli/target/powerai-cli.jar; or set POWERAI_JAR).
# The host needs the NVIDIA driver (nvidia-smi), Java 17+, and a Python; with torch built for CUDA the
# image-classifier trains on the GPU, without it the check says what is missing and does what it can.
#
#  1. the host, nvidia-smi, and what torch this Python has (none, CPU-only, CUDA without a device, CUDA);
#  2. `powerai gpu info`: what nvidia-smi reports, parsed (GPUs, memory, driver, CUDA, MIG mode), as JSON;
#  3. `powerai gpu preflight` on a copy of examples/image-classifier set to native, `gpus: 1`, gpu_policy require,
#     and `cuda:` torch's CUDA version (so the preflight checks that the driver runs it);
#  4. trains in native mode with one GPU, the sampler on (nvidia-smi every second): a torch matmul load for
#     SMOKE_SECONDS (when torch sees CUDA), the image-classifier (`--device cuda` when torch sees CUDA, so that it
#     cannot fall back to the CPU unnoticed), and svm-moons when this Python has scikit-learn;
#  5. prints one table: device, status, time, accuracy, and the GPU telemetry of each run.
#
# Environment: POWERAI_JAR, POWERAI_PYTHON (default python3), POWERAI_NVIDIA_SMI (default: nvidia-smi on the
# PATH), EPOCHS (image-classifier epochs on the GPU, default 20), SMOKE_SECONDS (default 15), KEEP=1 keeps the
# work folder. Exit 0 when the image-classifier trained on the GPU and every run passed; 1 when a run failed or the
# classifier could not use the GPU; 2 when the jar, Java or Python is missing; 3 when there is no usable GPU.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=${POWERAI_JAR:-$root/cli/target/powerai-cli.jar}
py=${POWERAI_PYTHON:-python3}
smi=${POWERAI_NVIDIA_SMI:-nvidia-smi}
epochs=${EPOCHS:-20}
work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

say() { printf 'gpu-check: %s\n' "$*" >&2; }
if [ ! -f "$jar" ]; then
  say "no powerai CLI jar at $jar; build it where Maven runs (mvn -B -DskipTests package) and carry it, or set POWERAI_JAR"
  exit 2
fi
command -v java >/dev/null || { say "java (17 or newer) is not on the PATH"; exit 2; }
command -v "$py" >/dev/null || { say "$py is not on the PATH (set POWERAI_PYTHON)"; exit 2; }
powerai() { java -XX:+UseSerialGC -jar "$jar" "$@"; }

echo "== host"
uname -srm
"$py" --version
java -version 2>&1 | head -1
echo "nvidia-smi: $(command -v "$smi" || echo "$smi (not found)")"

echo
echo "== torch"
# state|torch version|torch's CUDA|devices torch sees|GPU 0's name, or the import error (empty fields kept: '|' is no blank)
IFS='|' read -r torch_state torch_version torch_cuda torch_devices torch_detail < <("$py" - <<'PY' 2>/dev/null || printf 'none|||0|%s is not a working Python\n' "$py"
try:
    import torch
except Exception as e:  # any failure to import is "no torch" here, with its reason
    print("none|||0|%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    raise SystemExit
cuda = torch.version.cuda or ""
if not cuda:
    print("cpu|%s||0|" % torch.__version__)
elif not torch.cuda.is_available():
    print("no-device|%s|%s|0|" % (torch.__version__, cuda))
else:
    print("cuda|%s|%s|%d|%s" % (torch.__version__, cuda, torch.cuda.device_count(), torch.cuda.get_device_name(0)))
PY
)
case $torch_state in
  cuda) echo "torch $torch_version with CUDA $torch_cuda sees $torch_devices GPU(s), GPU 0 is $torch_detail: the image-classifier trains on the GPU" ;;
  no-device) echo "torch $torch_version is built for CUDA $torch_cuda but sees no GPU (torch.cuda.is_available() is False: a driver too old for CUDA $torch_cuda, or CUDA_VISIBLE_DEVICES hides the GPUs): the image-classifier trains on the CPU" ;;
  cpu) echo "torch $torch_version is built without CUDA (Debian's python3-torch is): the image-classifier trains on the CPU, which checks native mode and the sampler, not the GPU" ;;
  *) echo "no torch in $py (${torch_detail:-import failed}): the image-classifier cannot train here; carry a CUDA build of torch for this Python" ;;
esac

echo
echo "== powerai gpu info"
if ! powerai gpu info | tee "$work/gpu-info.json"; then
  say "no GPU to use (see above); stopping"
  exit 3
fi

native_train() { # native_train DIR [CUDA [ARG...]]: DIR/powerai.yaml's train section for a native run on one GPU
  "$py" - "$1/powerai.yaml" "$py" "${@:2}" <<'PY'
import json, sys
path, python, cuda, extra = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else ""), sys.argv[4:]
out, in_train, dropping = [], False, False
# keys this check sets, and those a native run refuses (shm_size and ulimits are the container's)
drop = ("backend:", "python:", "gpus:", "gpu_policy:", "shm_size:", "ulimits:", "cuda:")
for line in open(path).read().splitlines():
    if line.startswith("train:"):
        in_train = True
        out.append(line)
        out += ["  backend: native", "  python: " + python, "  gpus: 1", "  gpu_policy: require"]
        if cuda:
            out.append('  cuda: "%s"' % cuda)
        continue
    if in_train and line and not line.startswith(" "):
        in_train = False
    if in_train and dropping and line.startswith("    "):
        continue  # a nested line of a dropped key
    dropping = in_train and line.strip().startswith(drop)
    if dropping:
        continue
    if in_train and extra and line.strip().startswith("args:"):
        args = json.loads(line.split(":", 1)[1])  # the examples write args as a flow list of strings
        for i in range(0, len(extra), 2):  # --name value pairs replace the example's own
            if extra[i] in args:
                del args[args.index(extra[i]):args.index(extra[i]) + 2]
            args += extra[i:i + 2]
        line = "  args: " + json.dumps(args)
    out.append(line)
open(path, "w").write("\n".join(out) + "\n")
PY
}

classifier="$work/image-classifier"
cp -r "$root/examples/image-classifier" "$classifier"
rm -rf "$classifier/.powerai"
case $torch_state in
  cuda) native_train "$classifier" "$torch_cuda" --device cuda --epochs "$epochs" ;;
  *) native_train "$classifier" "" --device cpu ;;
esac

echo
echo "== powerai gpu preflight (native, gpus: 1, gpu_policy: require${torch_cuda:+, cuda: $torch_cuda})"
if ! powerai gpu preflight "$classifier"; then
  say "the preflight refused the GPU (see above); stopping"
  exit 3
fi

failures=0
runs=()
run_one() { # run_one NAME DIR
  echo
  echo "== powerai train $1 (native, gpus: 1)"
  if powerai train "$2"; then :; else say "$1 failed (exit $?)"; failures=$((failures + 1)); fi
  runs+=("$1=$2")
}

if [ "$torch_state" = cuda ]; then
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
dev = torch.device("cuda")
print("device: cuda %s, torch %s, CUDA %s" % (torch.cuda.get_device_name(0), torch.__version__, torch.version.cuda), flush=True)
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
  native_train "$work/smoke" "$torch_cuda"
  run_one gpu-smoke "$work/smoke"
fi
if [ "$torch_state" != none ]; then
  run_one image-classifier "$classifier"
fi
if "$py" -c "import numpy, sklearn" 2>/dev/null; then
  cp -r "$root/examples/svm-moons" "$work/svm-moons"
  rm -rf "$work/svm-moons/.powerai"
  native_train "$work/svm-moons"
  run_one svm-moons "$work/svm-moons"
else
  echo
  echo "$py cannot import numpy and sklearn: svm-moons is skipped"
fi

echo
echo "== summary"
"$py" - "$work/verdict" "$torch_state" ${runs[@]+"${runs[@]}"} <<'PY'
import json, os, sys
verdict_file, torch_state, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
print("| run | device | status | seconds | test accuracy | GPU | util mean % | util max % | memory peak MiB | power mean W | samples |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
classifier = None  # what became of the image-classifier: None (not run), or whether it trained on the GPU
for arg in runs:
    name, project = arg.split("=", 1)
    path = os.path.join(project, ".powerai", "gpuTrain.json")
    log = os.path.join(project, ".powerai", "train", "train.log")
    device = "?"
    if os.path.exists(log):  # the scripts print "device: cuda NAME, ..." or "device: cpu, ..." first
        device = next((l.split(":", 1)[1].split(",")[0].split()[0] for l in open(log) if l.startswith("device:")), "?")
    if not os.path.exists(path):
        print(f"| {name} | {device} | no result | | | | | | | | |")
        continue
    r = json.load(open(path))
    telemetry = r.get("gpuTelemetry") or {}
    accuracy = r.get("metrics", {}).get("test_accuracy", "")
    for g in telemetry.get("gpus") or [{}]:
        print(f"| {name} | {device} | {r['status']} | {r['durationMillis'] / 1000:.1f} | {accuracy} | {g.get('index', '-')} "
              f"| {g.get('utilizationMeanPercent', '-')} | {g.get('utilizationMaxPercent', '-')} | {g.get('memoryPeakMiB', '-')} "
              f"| {g.get('powerMeanWatts', '-')} | {g.get('samples', 0)} |")
    if telemetry.get("problem"):
        print(f"{name}: telemetry problem: {telemetry['problem']}")
    if name == "image-classifier":
        classifier = r["status"] == "succeeded" and device == "cuda" and telemetry.get("samples", 0) > 0
why = {"none": "this Python has no torch", "cpu": "this torch is built without CUDA", "no-device": "torch sees no GPU"}
if classifier:
    verdict = "ok"
elif torch_state in why:
    verdict = "the image-classifier did not train on the GPU: " + why[torch_state]
else:
    verdict = "the image-classifier did not train on the GPU: " + ("it did not run" if classifier is None else "see its run above")
open(verdict_file, "w").write(verdict + "\n")
PY
verdict=$(cat "$work/verdict")
[ "${KEEP:-0}" = 1 ] && echo "work folder kept: $work"
if [ "$failures" -gt 0 ]; then
  say "$failures run(s) failed"
  exit 1
fi
case $verdict in
  ok) echo "gpu-check: passed"; exit 0 ;;
  *) say "$verdict"; exit 1 ;;
esac
