#!/usr/bin/env bash
# Installs what the tests need, idempotently: Debian packages (as root, skipping what is
# there) and the Go-built servers, cached under $TOOLS.
set -euo pipefail
TOOLS="${TOOLS:-$HOME/.cache/hoist-tools}"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for p in docker-registry apache2-utils openssh-server etcd-server gnupg openssl chromium; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq
    # policy-rc.d keeps the packages' services from starting on their own while we install.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null </dev/null
  fi
  mkdir -p /run/sshd && chmod 755 /run/sshd
  id git >/dev/null 2>&1 || useradd -m -s /usr/bin/git-shell git
  usermod -p '*' git
fi
