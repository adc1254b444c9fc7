#!/usr/bin/env bash
# Start the local PostgreSQL and Redis the tests use when they do not answer.
set -euo pipefail
source "$(dirname "$0")/common.sh"

pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_answers() {
  "$(find_python)" - <<'PY' 2>/dev/null
import socket
with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
    s.sendall(b"PING\r\n")
    assert s.recv(16).startswith(b"+PONG")
PY
}

if ! pg_answers; then
  say "starting PostgreSQL"
  command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not answering on 127.0.0.1:5432 and pg_ctlcluster is missing"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  pg_answers || die "PostgreSQL did not start"
fi

if ! redis_answers; then
  say "starting Redis"
  command -v redis-server >/dev/null || die "Redis is not answering on 127.0.0.1:6379 and redis-server is missing"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis_answers && break; sleep 1; done
  redis_answers || die "Redis did not start"
fi
