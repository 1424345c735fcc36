#!/usr/bin/env bash
# The main job on one machine: sets up the local infrastructure (engine, registry, base image), then runs
# examples/svm-moons through all four stages and asks the deployed model for a prediction.
# The scoring service keeps running; stop everything with: scripts/infra.sh down
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/infra.sh up
bin/powerai run examples/svm-moons
url=$(sed -n 's/.*"scoringUrl" : "\(.*\)".*/\1/p' examples/svm-moons/.powerai/aksDeploy.json)
echo
echo "POST $url with examples/svm-moons/sample-request.json:"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @examples/svm-moons/sample-request.json "$url"
echo
bin/powerai audit verify examples/svm-moons
echo "The service keeps running at $url; stop it and the infrastructure with: scripts/infra.sh down"
