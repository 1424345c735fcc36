#!/usr/bin/env bash
# Runs the tests of the project's shell scripts (scripts/tests/test-*.sh): each a program that exits 0 when its
# checks pass. They use stand-in tools on the PATH in a scratch folder, so they take seconds and touch nothing.
set -uo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
passed=0 failed=()
for test in "$dir"/test-*.sh; do
  name=$(basename "$test")
  if out=$(bash "$test" 2>&1); then
    passed=$((passed + 1))
    printf '[script-tests] ok   %s\n' "$name"
  else
    failed+=("$name")
    printf '[script-tests] FAIL %s\n%s\n' "$name" "$out" | sed 's/^/  /'
  fi
done
printf '[script-tests] %d passed, %d failed\n' "$passed" "${#failed[@]}"
[ ${#failed[@]} -eq 0 ]
