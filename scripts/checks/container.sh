#!/usr/bin/env bash
# Static checks of the container files, with no Docker engine needed:
# hadolint and checkov on the Dockerfile, and compose's own validation of
# docker-compose.yml.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"

ensure_venv .venv-tools requirements/tools.txt

say "hadolint: Dockerfile"
.venv-tools/bin/hadolint --failure-threshold warning Dockerfile

say "checkov: Dockerfile"
.venv-tools/bin/checkov -f Dockerfile --framework dockerfile \
  --skip-download --quiet --compact

# compose refuses a file whose env_file is missing, and .env is never
# committed: validate against the committed placeholders when it is absent.
say "compose config: docker-compose.yml"
temporary_env=""
remove_temporary_env() { [[ -z "$temporary_env" ]] || rm -f "$temporary_env"; }
trap remove_temporary_env EXIT
if [[ ! -e .env ]]; then
  cp .env.example .env
  temporary_env=.env
fi
.venv-tools/bin/docker-compose --project-directory "$ROOT" \
  -f docker-compose.yml config --quiet
