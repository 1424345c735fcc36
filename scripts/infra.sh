#!/usr/bin/env bash
# Local infrastructure for powerai: a container engine (dockerd), the Debian docker-registry on
# 127.0.0.1:5000, and two Python base images built from Debian packages with mmdebstrap: python-ml (numpy,
# scikit-learn: svm-moons) and python-torch (numpy, PyTorch on the CPU: image-classifier).
#
#   scripts/infra.sh up [ml] [torch]
#                             install what is missing (apt-get, as root), start what is not running,
#                             build and push the base images the registry lacks (the ones named: ml for
#                             scikit-learn, torch for PyTorch; both when none is named). Idempotent.
#   scripts/infra.sh images [ml] [torch]
#                             only the last part: build and push the base images the registry lacks, with the
#                             engine and registry that already answer (it starts and restarts nothing).
#   scripts/infra.sh down     stop exactly what `up` started (by pid file); images and data are kept.
#   scripts/infra.sh purge    down, then delete the state directory (registry data, engine data).
#   scripts/infra.sh status   what runs, and who started it.
#   scripts/infra.sh podman   also set up podman (daemonless) with the settings that work on these machines;
#                             writes $POWERAI_INFRA_DIR/podman/env to source before using it.
#
# State lives in $POWERAI_INFRA_DIR (default /var/lib/powerai-infra). Facts behind the settings:
# the engine runs without a bridge (no iptables here), so builds and services use the host network.
set -euo pipefail

STATE=${POWERAI_INFRA_DIR:-/var/lib/powerai-infra}
REGISTRY_ADDR=${POWERAI_REGISTRY:-127.0.0.1:5000}
BASE_REPO=${POWERAI_BASE_REPO:-powerai/python-ml}
BASE_TAG=${POWERAI_BASE_TAG:-bookworm}
BASE_PACKAGES=${POWERAI_BASE_PACKAGES:-python3,python3-numpy,python3-sklearn}
TORCH_REPO=${POWERAI_TORCH_REPO:-powerai/python-torch}
TORCH_TAG=${POWERAI_TORCH_TAG:-bookworm}
# Debian's PyTorch (1.13, CPU only) with its hard dependencies, no Recommends (mmdebstrap's default).
TORCH_PACKAGES=${POWERAI_TORCH_PACKAGES:-python3,python3-numpy,python3-torch}
DOCKER_SOCK=/var/run/docker.sock
# debian_mirror: the machine's own apt source decides the mirror; nothing is hard-coded here.
# shellcheck source=scripts/toolchain.sh
. "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"

say() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 3; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_missing() {
  # python3-conda-package-streaming: the conda channel test opens its archives with it.
  # python3-pytest, gunicorn, python3-prometheus-client: the scoring server's own tests (scoring-server/tests):
  # its corpus also runs against gunicorn, and its /metrics is read with prometheus_client's parser.
  # libcap2-bin (capsh): the I/O error test reads a file without root's capabilities to bypass file modes.
  # apache2-utils (htpasswd -B: the registry wants bcrypt) and skopeo (copies the base image blob for blob): the
  # authenticated registry tests.
  # python3-cryptography, python3-securesystemslib: powerai's signed attestations verified with Debian's own tools
  # (core's InteropTest runs interop/test_interop.py).
  # chromium, fonts-dejavu-core: the report's browser test loads it under Jenkins' CSP and renders it (25 packages,
  # ~0.4 GB installed, about 30 s to install on the dev machine with the packages cached by the mirror).
  local packages=(docker.io docker-registry mmdebstrap curl ca-certificates bzip2 python3-conda-package-streaming
    python3-pytest gunicorn python3-prometheus-client libcap2-bin apache2-utils skopeo python3-cryptography
    python3-securesystemslib chromium fonts-dejavu-core)
  local missing=()
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages present: ${packages[*]}"
    return
  fi
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root (apt-get)"
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No init system here: keep package scripts from trying to start services themselves.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

registry_up() { curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

start_registry() {
  if registry_up; then
    if pid_alive "$STATE/registry.pid"; then say "registry: running at http://$REGISTRY_ADDR (started by this script, pid $(cat "$STATE/registry.pid"))"
    else say "registry: reusing the one already answering at http://$REGISTRY_ADDR"; fi
    return
  fi
  mkdir -p "$STATE/registry/data"
  cat > "$STATE/registry/config.yml" <<CONF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $STATE/registry/data}, delete: {enabled: true}}
http: {addr: $REGISTRY_ADDR}
CONF
  nohup docker-registry serve "$STATE/registry/config.yml" >"$STATE/registry/registry.log" 2>&1 &
  echo $! > "$STATE/registry.pid"
  for _ in $(seq 1 50); do registry_up && break; sleep 0.2; done
  registry_up || die "registry did not answer on http://$REGISTRY_ADDR/v2/ (log: $STATE/registry/registry.log)"
  say "registry: started at http://$REGISTRY_ADDR (pid $(cat "$STATE/registry.pid"), log $STATE/registry/registry.log)"
}

engine_up() { docker info >/dev/null 2>&1; }

start_engine() {
  if engine_up; then
    if pid_alive "$STATE/dockerd.pid"; then say "engine: dockerd running (started by this script, pid $(cat "$STATE/dockerd.pid"))"
    else say "engine: reusing the Docker engine already answering ($(docker info -f '{{.ServerVersion}}' 2>/dev/null))"; fi
    return
  fi
  [ -S "$DOCKER_SOCK" ] && rm -f "$DOCKER_SOCK"   # stale socket of a dead daemon
  mkdir -p "$STATE/docker/data" "$STATE/docker/exec"
  nohup dockerd --data-root "$STATE/docker/data" --exec-root "$STATE/docker/exec" \
    --pidfile "$STATE/dockerd.pid" -H "unix://$DOCKER_SOCK" --storage-driver overlay2 \
    --iptables=false --ip6tables=false --bridge=none >"$STATE/docker/dockerd.log" 2>&1 &
  for _ in $(seq 1 100); do engine_up && break; sleep 0.2; done
  engine_up || die "dockerd did not start (log: $STATE/docker/dockerd.log)"
  say "engine: dockerd $(docker info -f '{{.ServerVersion}}') started on unix://$DOCKER_SOCK (pid $(cat "$STATE/dockerd.pid"), log $STATE/docker/dockerd.log)"
}

in_registry() { # in_registry REPO TAG
  curl -fsS -o /dev/null -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null
}

build_image() { # build_image LABEL REPO TAG PACKAGES: a minbase Debian root with PACKAGES, imported and pushed
  local label=$1 repo=$2 tag=$3 packages=$4
  local ref="$REGISTRY_ADDR/$repo:$tag"
  if in_registry "$repo" "$tag"; then say "$label: $ref present in the registry"; return; fi
  local mirror; mirror=$(debian_mirror)
  # One folder per image: two builds (or two workers) never share a tarball.
  local dir="$STATE/images/${repo//\//_}"
  mkdir -p "$dir"
  say "$label: building $ref from Debian packages ($packages) with mmdebstrap from $mirror"
  local started=$SECONDS tar="$dir/rootfs.tar"
  rm -rf "$tar.partial"
  mmdebstrap --quiet --format=tar --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$tar.partial" "$mirror"
  mv "$tar.partial" "$tar"
  docker import --change 'ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1' --change 'CMD ["python3"]' "$tar" "$ref" >/dev/null
  docker push -q "$ref" >/dev/null
  rm -f "$tar"
  say "$label: pushed $ref ($((SECONDS - started)) s)"
}

# build_images [ml] [torch]: the named base images (default both). The PyTorch one takes minutes to build and
# serves only examples/image-classifier, so what needs only scikit-learn (the demo) names ml alone.
build_images() {
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(ml torch)
  local name
  for name in "${names[@]}"; do
    case "$name" in
      ml | torch) ;;
      *) echo "[infra] error: unknown base image '$name': valid names are ml (scikit-learn) and torch (PyTorch)" >&2; exit 2 ;;
    esac
  done
  for name in "${names[@]}"; do
    case "$name" in
      ml) build_image "base image" "$BASE_REPO" "$BASE_TAG" "$BASE_PACKAGES" ;;
      torch) build_image "torch image" "$TORCH_REPO" "$TORCH_TAG" "$TORCH_PACKAGES" ;;
    esac
  done
}

setup_podman() {
  if ! command -v podman >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "installing podman needs root (apt-get)"
    say "installing podman runc (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends podman runc >/dev/null
  fi
  local dir="$STATE/podman"
  mkdir -p "$dir"
  # runc: crun refuses this host's hybrid cgroups. Explicit ulimits: root lacks CAP_SYS_RESOURCE here, and
  # podman's defaults fail with "setrlimit: operation not permitted". overlay: vfs is 10-50x slower.
  cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$dir/run"
graphroot = "$dir/storage"
CONF
  cat > "$dir/registries.conf" <<CONF
unqualified-search-registries = []
[[registry]]
location = "$REGISTRY_ADDR"
insecure = true
CONF
  cat > "$dir/env" <<CONF
CONTAINERS_CONF=$dir/containers.conf
CONTAINERS_STORAGE_CONF=$dir/storage.conf
CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
CONF
  say "podman $(podman --version | awk '{print $3}') configured; use it with: set -a; . $dir/env; set +a; export POWERAI_ENGINE=podman"
}

stop_pid() {
  local name=$1 file=$2
  if pid_alive "$file"; then
    local pid; pid=$(cat "$file")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "$name: stopped (pid $pid)"
  else
    say "$name: not started by this script, left alone"
  fi
  rm -f "$file"
}

cmd=${1:-up}
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    mkdir -p "$STATE"
    install_missing
    start_registry
    start_engine
    build_images "$@"
    say "ready: registry http://$REGISTRY_ADDR, base images ${*:-ml torch}"
    say "stop what was started with: scripts/infra.sh down"
    ;;
  down)
    if pid_alive "$STATE/dockerd.pid"; then
      # Containers the demo left running would hold the engine; stop them first.
      ids=$(docker ps -q --filter label=io.powerai.managed=true 2>/dev/null || true)
      [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
    fi
    if [ -f "$STATE/podman/env" ] && command -v podman >/dev/null 2>&1; then
      ids=$(set -a; . "$STATE/podman/env"; podman ps -q --filter label=io.powerai.managed=true 2>/dev/null || true)
      [ -n "$ids" ] && (set -a; . "$STATE/podman/env"; podman rm -f -t 0 $ids >/dev/null 2>&1) || true
    fi
    stop_pid dockerd "$STATE/dockerd.pid"
    umount "$STATE/docker/exec/netns/default" 2>/dev/null || true
    stop_pid registry "$STATE/registry.pid"
    ;;
  images)
    engine_up || die "no container engine answers (scripts/infra.sh up starts one)"
    registry_up || die "no registry answers at http://$REGISTRY_ADDR (scripts/infra.sh up starts one)"
    mkdir -p "$STATE"
    build_images "$@"
    ;;
  podman)
    mkdir -p "$STATE"
    setup_podman
    ;;
  purge)
    "$0" down
    rm -rf "$STATE"
    say "removed $STATE"
    ;;
  status)
    pid_alive "$STATE/registry.pid" && say "registry: started by this script (pid $(cat "$STATE/registry.pid"))"
    registry_up && say "registry: answering at http://$REGISTRY_ADDR" || say "registry: not answering"
    pid_alive "$STATE/dockerd.pid" && say "engine: dockerd started by this script (pid $(cat "$STATE/dockerd.pid"))"
    engine_up && say "engine: answering" || say "engine: not answering"
    in_registry "$BASE_REPO" "$BASE_TAG" && say "base image: $REGISTRY_ADDR/$BASE_REPO:$BASE_TAG present" || say "base image: $REGISTRY_ADDR/$BASE_REPO:$BASE_TAG absent"
    in_registry "$TORCH_REPO" "$TORCH_TAG" && say "torch image: $REGISTRY_ADDR/$TORCH_REPO:$TORCH_TAG present" || say "torch image: $REGISTRY_ADDR/$TORCH_REPO:$TORCH_TAG absent"
    ;;
  *) echo "usage: $0 up [ml] [torch] | images [ml] [torch] | down | purge | status | podman" >&2; exit 2 ;;
esac
