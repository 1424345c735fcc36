#!/usr/bin/env bash
# Runs every test of the project on real infrastructure: installs the build tools when the machine lacks them
# (Java 17, Maven: scripts/toolchain.sh), starts the local engine, registry and base images (installing them on a
# fresh Debian machine, as root), runs the scripts' own tests, checks the install part in a clean Debian root,
# runs the Maven build with the end-to-end tests required (they fail instead of skipping), and stops afterwards
# whatever this script started. POWERAI_SKIP_FRESH_ROOT=1 leaves out the clean-root check (it needs the mirror).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh
ensure_build_tools

already_up=0
if docker info >/dev/null 2>&1 && curl -fsS -o /dev/null http://127.0.0.1:5000/v2/ 2>/dev/null; then
  already_up=1
fi
scripts/infra.sh up
if [ "$already_up" = 0 ]; then
  trap 'scripts/infra.sh down' EXIT
fi

# The engine adapter drives docker and podman alike: the podman end-to-end test runs too.
scripts/infra.sh podman
set -a
. "${POWERAI_INFRA_DIR:-/var/lib/powerai-infra}/podman/env"
set +a

# The scoring server is a Python program with tests of its own (Debian's python3 and python3-pytest, as
# infra.sh installs them). Exit 5 is pytest's "no tests collected": a broken test tree, not a pass.
/usr/bin/python3 -m pytest -q -p no:cacheprovider scoring-server/tests || {
  code=$?
  [ "$code" = 5 ] && echo "scoring-server/tests: pytest collected no tests" >&2
  exit "$code"
}

# The standalone audit-log verifier (scripts/verify_audit.py, standard library only) has tests of its own too.
/usr/bin/python3 -m pytest -q -p no:cacheprovider scripts/tests/test_verify_audit.py || {
  code=$?
  [ "$code" = 5 ] && echo "scripts/tests/test_verify_audit.py: pytest collected no tests" >&2
  exit "$code"
}

# The launcher, demo and install scripts: fast tests with stand-in tools, then the install part in a clean root.
scripts/tests/run.sh
if [ "${POWERAI_SKIP_FRESH_ROOT:-0}" != 1 ]; then
  scripts/fresh-root-check.sh
fi

mvn -B -ntp verify -Dpowerai.e2e=required "$@"
