# Sourced by the script tests: a scratch folder removed at exit, stand-in tools, and checks that say what failed.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fakes="$scratch/fake-bin"
mkdir -p "$fakes"

# fake NAME BODY: a stand-in command NAME whose shell body is BODY (it sees $scratch as SCRATCH).
fake() {
  printf '#!/usr/bin/env bash\nSCRATCH=%q\n%s\n' "$scratch" "$2" > "$fakes/$1"
  chmod +x "$fakes/$1"
}

fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

expect_eq() { # expect_eq WHAT EXPECTED ACTUAL
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
