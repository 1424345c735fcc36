# Sourced, not run: what the project's own scripts need on a fresh Debian 12 machine before they can build
# anything. scripts/demo.sh, scripts/test.sh, .ci/run and scripts/infra.sh share it, so that the README's
# two commands work on a machine with neither Java nor Maven, and no mirror is named anywhere but in the
# machine's own apt sources.

# The Debian mirror this machine's apt uses (deb822 sources first, then the one-line format).
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    printf 'error: no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list\n' >&2
    return 3
  fi
  printf '%s\n' "$uri"
}

# Java 17 (a JDK: the launcher compiles the command) and Maven, from Debian, when the machine lacks either.
# Needs root (apt-get) only when something is missing.
ensure_build_tools() {
  if command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    printf 'error: installing Java 17 and Maven (apt-get install maven openjdk-17-jdk-headless) needs root\n' >&2
    return 3
  fi
  printf '[toolchain] installing maven openjdk-17-jdk-headless (apt-get)\n'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends maven openjdk-17-jdk-headless >/dev/null
  # The JDK's packages need /proc to register their alternatives; say so plainly if they did not.
  command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || {
    printf 'error: apt-get installed maven and openjdk-17-jdk-headless, yet mvn or javac is not on the PATH\n' >&2
    return 3
  }
}
