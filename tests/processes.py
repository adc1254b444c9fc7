"""Real StockWiz processes for end-to-end tests: a database of their own,
roles started through deploy/entrypoint.sh, health polled with a bound."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def create_database(name):
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_database(name):
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(**overrides):
    """The environment of a StockWiz process: the test venv first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_", "DJANGO_"))
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        {
            "SECRET_KEY": "end-to-end-test-key",
            "DEBUG": "0",
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def run_manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def migrate(env):
    result = subprocess.run(
        [str(ENTRYPOINT)],
        env={**env, "ROLE": "migrate"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{result.stderr[-2000:]}{result.stdout}")


class RoleProcess:
    """One role served by gunicorn through the entrypoint; its output is
    kept in a file so tests can read its log lines."""

    def __init__(self, role, port, env, log_dir):
        self.role = role
        self.port = port
        self.env = {**env, "ROLE": role, "PORT": str(port)}
        self.log_path = Path(log_dir) / f"{role}-{port}.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(ENTRYPOINT)],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_health(self.url, timeout=timeout, process=self.process)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()

    def log_lines(self):
        return self.log_path.read_text(errors="replace").splitlines()


def wait_for_health(url, *, timeout, process=None):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become healthy: {last_error}")
