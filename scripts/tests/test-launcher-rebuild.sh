#!/usr/bin/env bash
# bin/powerai rebuilds the command when a source or pom is newer than the jar (after `git pull`), not only
# when the jar is missing; and does not rebuild when nothing changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tree="$scratch/checkout"
mkdir -p "$tree/bin" "$tree/core/src/main/java/io" "$tree/cli/src/main/java/io" "$tree/cli/target"
cp "$repo/bin/powerai" "$tree/bin/powerai"
for f in pom.xml core/pom.xml cli/pom.xml core/src/main/java/io/A.java cli/src/main/java/io/B.java; do
  echo x > "$tree/$f"
  touch -d '2026-01-01 00:00:00' "$tree/$f"
done
fake mvn 'echo "$*" >> "$SCRATCH/mvn.calls"; printf "\033[0m\033[1mbuilt\033[0m\n"; touch "$PWD/cli/target/powerai-cli.jar"'
fake java 'exit 0'
calls() { if [ -f "$scratch/mvn.calls" ]; then wc -l < "$scratch/mvn.calls"; else echo 0; fi; }
run() { PATH="$fakes:$PATH" "$tree/bin/powerai" --version >/dev/null 2>"$scratch/stderr"; }

run
expect_eq "first run builds (no jar)" 1 "$(calls)"
grep -q built "$scratch/stderr" || fail "the build's output is not shown: $(cat "$scratch/stderr")"
if grep -q $'\033' "$scratch/stderr"; then fail "terminal colour codes in the launcher's output: $(cat -v "$scratch/stderr")"; fi
run
expect_eq "nothing changed: no rebuild" 1 "$(calls)"

touch -d '2026-01-01 00:00:00' "$tree/cli/target/powerai-cli.jar"
touch -d '2026-02-01 00:00:00' "$tree/core/src/main/java/io/A.java"
run
expect_eq "a core source newer than the jar: rebuild" 2 "$(calls)"
grep -q 'core/src/main/java/io/A.java is newer than the jar' "$scratch/stderr" || fail "the reason is not named: $(cat "$scratch/stderr")"
run
expect_eq "rebuilt once: no second rebuild" 2 "$(calls)"

touch -d '2026-01-01 00:00:00' "$tree/cli/target/powerai-cli.jar"
touch -d '2026-03-01 00:00:00' "$tree/pom.xml"
run
expect_eq "the parent pom newer than the jar: rebuild" 3 "$(calls)"

touch -d '2026-01-01 00:00:00' "$tree/cli/target/powerai-cli.jar"
mkdir -p "$tree/cli/src/main/resources"
echo y > "$tree/cli/src/main/resources/new.properties"
run
expect_eq "a new cli resource: rebuild" 4 "$(calls)"

# A failed build stops the launcher with the build's status, the command never starts.
touch -d '2026-01-01 00:00:00' "$tree/cli/target/powerai-cli.jar"
touch -d '2026-04-01 00:00:00' "$tree/cli/pom.xml"
fake mvn 'exit 1'
fake java 'echo started > "$SCRATCH/java.ran"'
status=0
run || status=$?
expect_eq "a failed build's exit status" 1 "$status"
[ ! -f "$scratch/java.ran" ] || fail "the command ran after a failed build"
