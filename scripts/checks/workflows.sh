#!/usr/bin/env bash
# Lint the GitHub Actions workflows in .github/workflows: actionlint (which
# runs shellcheck on every `run:` script), zizmor's offline security audits
# with no finding of medium severity or above, and yamllint with
# .github/yamllint.yml. tests/test_workflow_docs.py runs with pytest.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"

ensure_venv .venv-tools requirements/tools.txt

# Without shellcheck actionlint silently skips the `run:` scripts.
if ! command -v shellcheck >/dev/null; then
  say "installing shellcheck"
  command -v apt-get >/dev/null ||
    die "actionlint needs shellcheck and apt-get is not available; install shellcheck"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "installing shellcheck needs root or sudo"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq shellcheck >/dev/null
fi

workflows=(.github/workflows/*.yml)
[[ -e "${workflows[0]}" ]] || die "no workflows in .github/workflows"

say "actionlint"
.venv-tools/bin/actionlint -shellcheck="$(command -v shellcheck)" "${workflows[@]}"

say "zizmor"
.venv-tools/bin/zizmor --offline --min-severity medium "${workflows[@]}"

say "yamllint"
.venv-tools/bin/yamllint --strict -c .github/yamllint.yml .github
