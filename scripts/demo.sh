#!/usr/bin/env bash
# The main job on one machine: installs the build tools when the machine lacks them (Java 17, Maven), sets up the
# local infrastructure (engine, registry, and the one base image svm-moons needs: scikit-learn, not PyTorch),
# then runs examples/svm-moons through all four stages and asks the deployed model for a prediction.
# The scoring service keeps running; stop it with: bin/powerai deploy delete examples/svm-moons
# (and the infrastructure with: scripts/infra.sh down)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh
ensure_build_tools
scripts/infra.sh up ml
bin/powerai --version
# The URL as the CLI prints it from the deploy stage's typed result (aksDeploy.json is the CLI's to read).
run_log=$(mktemp)
trap 'rm -f "$run_log"' EXIT
bin/powerai run examples/svm-moons | tee "$run_log"
url=$(sed -n 's/^scoring URL: *//p' "$run_log")
[ -n "$url" ] || { echo "demo: powerai run printed no scoring URL" >&2; exit 1; }
echo
echo "POST $url with examples/svm-moons/sample-request.json:"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @examples/svm-moons/sample-request.json "$url"
echo
bin/powerai audit verify examples/svm-moons
echo "The service keeps running at $url."
echo "Stop it with: bin/powerai deploy delete examples/svm-moons; stop the infrastructure with: scripts/infra.sh down"
