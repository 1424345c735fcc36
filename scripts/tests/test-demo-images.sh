#!/usr/bin/env bash
# scripts/demo.sh asks for the one base image svm-moons needs (ml), never the PyTorch one; and
# scripts/infra.sh builds only the base images it is asked for.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# demo.sh in a checkout whose infra.sh only records its arguments and stops the demo there.
tree="$scratch/checkout"
mkdir -p "$tree/scripts"
cp "$repo/scripts/demo.sh" "$tree/scripts/demo.sh"
printf 'ensure_build_tools() { :; }\n' > "$tree/scripts/toolchain.sh"
printf '#!/usr/bin/env bash\necho "$*" > %q\nexit 7\n' "$scratch/infra.args" > "$tree/scripts/infra.sh"
chmod +x "$tree/scripts/infra.sh"
status=0
bash "$tree/scripts/demo.sh" >/dev/null 2>&1 || status=$?
expect_eq "demo.sh stops where infra.sh fails" 7 "$status"
expect_eq "demo.sh's infrastructure" "up ml" "$(cat "$scratch/infra.args")"

# infra.sh images ml: an engine and a registry that answer but hold no image; mmdebstrap records what it builds.
fake docker 'case "$1" in info) exit 0 ;; *) echo "docker $*" >> "$SCRATCH/docker.calls" ;; esac'
fake curl 'for a in "$@"; do case "$a" in */v2/) exit 0 ;; */manifests/*) exit 22 ;; esac; done; exit 22'
fake mmdebstrap 'for a in "$@"; do case "$a" in --include=*) echo "${a#--include=}" >> "$SCRATCH/mmdebstrap.calls" ;; esac; done
out=("$@"); printf x > "${out[-2]}"'
export POWERAI_INFRA_DIR="$scratch/infra"
PATH="$fakes:$PATH" bash "$repo/scripts/infra.sh" images ml >/dev/null
expect_eq "images ml builds the scikit-learn image only" "python3,python3-numpy,python3-sklearn" "$(cat "$scratch/mmdebstrap.calls")"
rm -f "$scratch/mmdebstrap.calls"
PATH="$fakes:$PATH" bash "$repo/scripts/infra.sh" images torch >/dev/null
expect_eq "images torch builds the PyTorch image only" "python3,python3-numpy,python3-torch" "$(cat "$scratch/mmdebstrap.calls")"
rm -f "$scratch/mmdebstrap.calls"
PATH="$fakes:$PATH" bash "$repo/scripts/infra.sh" images >/dev/null
expect_eq "images with no name builds both" 2 "$(wc -l < "$scratch/mmdebstrap.calls")"
status=0
PATH="$fakes:$PATH" bash "$repo/scripts/infra.sh" images tensorflow >/dev/null 2>"$scratch/err" || status=$?
expect_eq "an unknown image name" 2 "$status"
grep -q "unknown base image 'tensorflow'" "$scratch/err" || fail "no message naming the image: $(cat "$scratch/err")"
