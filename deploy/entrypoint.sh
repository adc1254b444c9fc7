#!/bin/sh
# The one way to start a StockWiz process, in a container or not.
#   ROLE=product|inventory|gateway|all  serve that role with gunicorn
#   ROLE=migrate                         apply migrations and exit
set -eu

cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-stockwiz.settings}"
ROLE="${ROLE:-}"

case "$ROLE" in
  product | inventory | gateway | all)
    exec gunicorn --config deploy/gunicorn.conf.py stockwiz.wsgi:application
    ;;
  migrate)
    exec python manage.py migrate_locked --wait "${DB_WAIT_SECONDS:-60}"
    ;;
  *)
    echo "entrypoint: unknown ROLE '${ROLE}'; valid roles are: product, inventory, gateway, all, migrate" >&2
    exit 64
    ;;
esac
