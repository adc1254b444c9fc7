# Shared helpers for the scripts in scripts/. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# find_python: the first Python 3.11+ on PATH.
find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  die "StockWiz needs Python 3.11 or newer on PATH"
}

# ensure_venv DIR REQUIREMENTS: a virtual environment at DIR holding exactly
# the pinned REQUIREMENTS; reinstalled only when the file changed.
ensure_venv() {
  local dir="$1" requirements="$2" stamp
  stamp="$dir/.requirements.sha256"
  if [[ ! -x "$dir/bin/python" ]]; then
    say "creating $dir"
    "$(find_python)" -m venv "$dir"
  fi
  local wanted
  wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    say "installing $requirements into $dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      --upgrade pip >/dev/null
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$requirements"
    echo "$wanted" >"$stamp"
  fi
}

# local_secret_key: a random key kept in .local/ so sessions survive restarts.
local_secret_key() {
  mkdir -p "$ROOT/.local"
  if [[ ! -s "$ROOT/.local/secret_key" ]]; then
    "$(find_python)" -c 'import secrets; print(secrets.token_urlsafe(50))' \
      >"$ROOT/.local/secret_key"
    chmod 600 "$ROOT/.local/secret_key"
  fi
  cat "$ROOT/.local/secret_key"
}
