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
bin/powerai run examples/svm-moons
url=$(sed -n 's/.*"scoringUrl" : "\(.*\)".*/\1/p' examples/svm-moons/.powerai/aksDeploy.json)
echo
echo "POST $url with examples/svm-moons/sample-request.json:"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @examples/svm-moons/sample-request.json "$url"
echo
bin/powerai audit verify examples/svm-moons
echo "The service keeps running at $url."
echo "Stop it with: bin/powerai deploy delete examples/svm-moons; stop the infrastructure with: scripts/infra.sh down"
