#!/usr/bin/env bash
# Tools the end-to-end tests need beyond Python packages: Chromium for the
# browser test (Debian package) and newman for the API collection (npm).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

if [[ ! -x /usr/bin/chromium ]]; then
  say "installing Chromium"
  command -v apt-get >/dev/null || die "install Chromium at /usr/bin/chromium"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [[ ! -x tests/e2e/node_modules/.bin/newman ]]; then
  say "installing newman"
  command -v npm >/dev/null || die "newman needs Node.js and npm"
  (cd tests/e2e && npm ci --silent --no-audit --no-fund)
fi
