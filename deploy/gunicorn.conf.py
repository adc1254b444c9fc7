"""gunicorn settings for every web role, read from the environment.

Threads let one small Fargate task overlap database and upstream waits;
``keepalive`` outlasts the load balancer's 60 s idle timeout so it never
reuses a connection gunicorn just closed.
"""

import os

from stockwiz.logging import json_logging_config

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# ECS sends SIGTERM and waits stopTimeout (30 s) before SIGKILL.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
preload_app = True
# The root filesystem may be read-only: heartbeat files go to a tmpfs.
# /dev/shm is the container's own memory-backed mount, not a shared /tmp,
# and gunicorn creates its files there with mkstemp.
_shared_memory_dir = "/dev/shm"  # noqa: S108
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (
    _shared_memory_dir if os.path.isdir(_shared_memory_dir) else None
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# No control socket: it would be written to $HOME, which may be read-only.
control_socket_disable = True
proc_name = f"stockwiz-{os.environ.get('ROLE', 'all')}"

# Requests are logged by the application (one JSON line each, with the
# user and request id); gunicorn's own lines are JSON too.
accesslog = None
logconfig_dict = json_logging_config(
    "INFO",
    loggers={
        "gunicorn.error": {
            "handlers": ["stdout"],
            "level": os.environ.get("LOG_LEVEL", "INFO").upper(),
            "propagate": False,
        },
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
)
