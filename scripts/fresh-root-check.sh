#!/usr/bin/env bash
# Checks the README's promise of a fresh machine: in a clean Debian 12 root (mmdebstrap --variant=minbase,
# from the machine's own mirror) where neither java nor mvn exists, the install part that scripts/demo.sh,
# scripts/test.sh and .ci/run share (scripts/toolchain.sh) makes `java -version` and `mvn -v` work.
# Run as root, with the Debian mirror reachable. The minbase tarball and the downloaded .debs are kept in
# $POWERAI_INFRA_DIR/fresh-root, so a second run reads nothing but the package indices from the network.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/toolchain.sh
. "$root/scripts/toolchain.sh"
state=${POWERAI_INFRA_DIR:-/var/lib/powerai-infra}/fresh-root
say() { printf '[fresh-root] %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { say "error: needs root (mmdebstrap, chroot, mounts)"; exit 3; }
command -v mmdebstrap >/dev/null 2>&1 || { say "error: needs mmdebstrap (scripts/infra.sh up installs it)"; exit 3; }
started=$SECONDS
mkdir -p "$state/apt-archives/partial"
tarball="$state/minbase.tar"
if [ ! -s "$tarball" ]; then
  mirror=$(debian_mirror)
  say "building a minbase Debian 12 root from $mirror (once; kept as $tarball)"
  rm -f "$tarball.partial"
  mmdebstrap --quiet --variant=minbase --format=tar bookworm "$tarball.partial" "$mirror"
  mv "$tarball.partial" "$tarball"
fi

chroot_dir=$(mktemp -d "$state/root.XXXXXX")
cleanup() { rm -rf --one-file-system "$chroot_dir"; }
trap cleanup EXIT
tar -xf "$tarball" -C "$chroot_dir"
for tool in java javac mvn; do
  if chroot "$chroot_dir" /bin/sh -c "command -v $tool" >/dev/null 2>&1; then
    say "error: the clean root already has $tool: the check would prove nothing"; exit 1
  fi
done
say "clean root at $chroot_dir: no java, no javac, no mvn"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
mkdir -p "$chroot_dir/opt/powerai/scripts"
cp "$root/scripts/toolchain.sh" "$chroot_dir/opt/powerai/scripts/"

# Mounts in a mount namespace of their own: they end with this process, whatever happens, and the host sees none.
# /proc: the JDK's package scripts and java itself read it. The .deb cache is shared between runs.
unshare --mount --fork /bin/bash -euo pipefail -c '
  dir=$1 cache=$2
  mount --make-rprivate /
  mount -t proc proc "$dir/proc"
  mount --rbind /dev "$dir/dev"
  mount --bind "$cache" "$dir/var/cache/apt/archives"
  chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/bash -euo pipefail -c ". /opt/powerai/scripts/toolchain.sh; ensure_build_tools; java -version; mvn -v"
' fresh-root "$chroot_dir" "$state/apt-archives"
say "java and mvn work in the clean root ($((SECONDS - started)) s)"
