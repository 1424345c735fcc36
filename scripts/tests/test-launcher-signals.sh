#!/usr/bin/env bash
# bin/powerai's first run after a build runs java as a child (to write the class-data archive): a SIGTERM or
# SIGINT sent to the launcher reaches the command, whose exit status the launcher returns; stdin reaches it too.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tree="$scratch/checkout"
mkdir -p "$tree/bin" "$tree/cli/target"
cp "$repo/bin/powerai" "$tree/bin/powerai"
touch "$tree/cli/target/powerai-cli.jar"
fake mvn 'exit 0'
# The stand-in command: records what it read on stdin, then waits for a signal and exits as the CLI does.
fake java 'read -r line || line=""; echo "$line" > "$SCRATCH/stdin"
trap "echo TERM > \"$SCRATCH/signal\"; exit 143" TERM
trap "echo INT > \"$SCRATCH/signal\"; exit 130" INT
echo ready > "$SCRATCH/ready"
for _ in $(seq 1 100); do sleep 0.1; done
echo none > "$SCRATCH/signal"; exit 0'

for signal in TERM INT; do
  rm -f "$scratch/ready" "$scratch/signal" "$scratch/stdin"
  # Started as a terminal starts it: a background job of this script would begin with SIGINT ignored.
  echo "from-stdin" | (trap - INT; PATH="$fakes:$PATH" exec "$tree/bin/powerai" snapshot . >/dev/null 2>&1) &
  launcher=$!
  for _ in $(seq 1 50); do [ -f "$scratch/ready" ] && break; sleep 0.1; done
  [ -f "$scratch/ready" ] || fail "the command did not start"
  kill -"$signal" "$launcher"
  status=0
  wait "$launcher" || status=$?
  expect_eq "SIG$signal reaches the command" "$signal" "$(cat "$scratch/signal")"
  expected=143; [ "$signal" = INT ] && expected=130
  expect_eq "the launcher's exit status after SIG$signal" "$expected" "$status"
  expect_eq "stdin reaches the command" "from-stdin" "$(cat "$scratch/stdin")"
done
