#!/usr/bin/env bash
# Checks the AWS infrastructure in deploy/terraform without an AWS account:
# formatting, a configuration validated against the local provider mirror,
# the offline plan tests once per environment, and checkov.
#
# Terraform writes nothing into the tree: providers and modules go to a
# temporary data directory, and the committed .terraform.lock.hcl is only
# read (-lockfile=readonly), so a stale lock file fails the check.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$ROOT"

TF_DIR=deploy/terraform
PROVIDER_MIRROR=/opt/tf-plugins

command -v terraform >/dev/null 2>&1 || die "terraform is not on PATH"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Only the mirror: a provider missing from it must fail, not be downloaded.
cat >"$scratch/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$PROVIDER_MIRROR"
  }
}
RC
export TF_CLI_CONFIG_FILE="$scratch/terraform.rc"
export TF_DATA_DIR="$scratch/data"

say "terraform fmt"
terraform -chdir="$TF_DIR" fmt -check -recursive -diff

if [[ -d "$PROVIDER_MIRROR" ]]; then
  say "terraform init and validate"
  terraform -chdir="$TF_DIR" init -backend=false -lockfile=readonly -no-color >/dev/null
  terraform -chdir="$TF_DIR" validate -no-color

  for tfvars in "$TF_DIR"/envs/*.tfvars; do
    say "terraform test with $(basename "$tfvars")"
    terraform -chdir="$TF_DIR" test -no-color -var-file="envs/$(basename "$tfvars")"
  done
else
  say "SKIPPED terraform init, validate and test: no provider mirror at $PROVIDER_MIRROR"
fi

say "checkov"
ensure_venv .venv-tools requirements/tools.txt
.venv-tools/bin/checkov -d "$TF_DIR" --skip-download --quiet --compact --framework terraform
