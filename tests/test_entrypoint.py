"""deploy/entrypoint.sh run as a real process, the way a container runs it.

Every test starts the entrypoint with a ROLE against a PostgreSQL database of
its own, created for this module and dropped after it, and checks what an
operator relies on: migrations can be applied again and by two tasks at once,
each web role answers ``/health`` with its service name and logs JSON, SIGTERM
reaches gunicorn and stops it cleanly, and a bad configuration stops start-up
with a message that says what is wrong.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"

# Bounds, not expected durations: a healthy run takes a fraction of each.
START_TIMEOUT_SECONDS = 20
STOP_TIMEOUT_SECONDS = 10
MIGRATE_TIMEOUT_SECONDS = 60

pytestmark = pytest.mark.processes


def _database_url(name):
    """The test run's DATABASE_URL pointing at the database ``name``."""
    base = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stockwiz")
    )
    return urllib.parse.urlunsplit(base._replace(path=f"/{name}"))


def _create_database(name):
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _database_url(name)


def _drop_database(name):
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@pytest.fixture(scope="module")
def database_factory():
    """Creates fresh databases on demand and drops them all at the end.

    Names carry the xdist worker id, so parallel workers never share one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    created = []

    def create(purpose):
        name = f"stockwiz_entrypoint_{purpose}_{worker}"
        created.append(name)
        return _create_database(name)

    yield create

    for name in created:
        _drop_database(name)


@pytest.fixture(scope="module")
def web_database_url(database_factory):
    return database_factory("web")


def _environment(database_url, **overrides):
    """The environment a container would get, with the venv's tools on PATH."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_CORE_", "DB_"))
    }
    environment.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "entrypoint-test-key",
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "DB_WAIT_SECONDS": "10",
        }
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_entrypoint(environment, timeout):
    return subprocess.run(
        [str(ENTRYPOINT)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _applied_migrations(database_url):
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT app, name FROM django_migrations")
        return set(rows.fetchall())


def _get_health(port):
    """``(status, body)`` of GET /health, or None while nothing listens."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError):
        return None


class WebProcess:
    """One entrypoint process serving a web role, its output kept in files."""

    def __init__(self, environment, log_dir):
        self.port = int(environment["PORT"])
        self.stdout_path = log_dir / "stdout.log"
        self.stderr_path = log_dir / "stderr.log"
        with (
            self.stdout_path.open("wb") as stdout,
            self.stderr_path.open("wb") as stderr,
        ):
            # A session of its own, so cleanup can reach gunicorn's workers.
            self.process = subprocess.Popen(
                [str(ENTRYPOINT)],
                cwd=ROOT,
                env=environment,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )

    def output(self):
        return (
            f"--- stdout\n{self.stdout_path.read_text(errors='replace')}"
            f"--- stderr\n{self.stderr_path.read_text(errors='replace')}"
        )

    def wait_for_health(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"exited with {self.process.returncode} before serving:\n"
                    f"{self.output()}"
                )
            answer = _get_health(self.port)
            if answer is not None:
                return answer
            time.sleep(0.1)
        pytest.fail(f"no answer in {START_TIMEOUT_SECONDS} s:\n{self.output()}")

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def start_web_role(web_database_url, tmp_path):
    """Starts the entrypoint for a web role on a free port; kills what is left."""
    started = []

    def start(role):
        environment = _environment(
            web_database_url,
            ROLE=role,
            PORT=str(_free_port()),
            # Nothing listens there: the gateway's view of its services fails
            # fast instead of waiting on a timeout.
            PRODUCT_SERVICE_URL=f"http://127.0.0.1:{_free_port()}",
            INVENTORY_SERVICE_URL=f"http://127.0.0.1:{_free_port()}",
        )
        web = WebProcess(environment, tmp_path)
        started.append(web)
        return web

    yield start

    for web in started:
        web.kill()


def test_migrate_applies_migrations_and_can_run_again(database_factory):
    """ROLE=migrate exits 0 on a fresh database, and again with nothing to do."""
    database_url = database_factory("migrate")
    environment = _environment(database_url, ROLE="migrate")

    first = _run_entrypoint(environment, MIGRATE_TIMEOUT_SECONDS)
    assert first.returncode == 0, first.stdout + first.stderr
    applied = _applied_migrations(database_url)
    assert ("inventory", "0001_initial") in applied
    assert ("products", "0001_initial") in applied

    second = _run_entrypoint(environment, MIGRATE_TIMEOUT_SECONDS)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No migrations to apply" in second.stdout
    assert _applied_migrations(database_url) == applied


def test_two_migrators_started_together_both_succeed(database_factory):
    """The advisory lock makes concurrent migrators wait, not collide."""
    database_url = database_factory("concurrent")
    environment = _environment(database_url, ROLE="migrate")

    migrators = [
        subprocess.Popen(
            [str(ENTRYPOINT)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [
        migrator.communicate(timeout=MIGRATE_TIMEOUT_SECONDS)[0]
        for migrator in migrators
    ]

    for migrator, output in zip(migrators, outputs, strict=True):
        assert migrator.returncode == 0, output
    assert ("inventory", "0001_initial") in _applied_migrations(database_url)


@pytest.mark.parametrize(
    ("role", "service"),
    [
        ("product", "product-service"),
        ("inventory", "inventory-service"),
        ("gateway", "api-gateway"),
        ("all", "api-gateway"),
    ],
)
def test_web_role_serves_health_and_stops_on_sigterm(start_web_role, role, service):
    """Each web role answers /health as its service, logs JSON lines on stdout,
    and gunicorn itself (the entrypoint execs it) exits 0 on SIGTERM."""
    web = start_web_role(role)

    status, body = web.wait_for_health()
    assert status == 200, body
    assert body["service"] == service

    # The entrypoint's shell was replaced by gunicorn: ECS signals this pid.
    command_line = Path(f"/proc/{web.process.pid}/cmdline").read_bytes()
    assert b"gunicorn" in command_line

    web.process.send_signal(signal.SIGTERM)
    try:
        returncode = web.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_TIMEOUT_SECONDS} s after SIGTERM")
    assert returncode == 0, web.output()

    log_lines = web.stdout_path.read_text().splitlines()
    records = [json.loads(line) for line in log_lines if line.strip()]
    assert any(
        record.get("path") == "/health" and record.get("status") == 200
        for record in records
    ), web.output()


def test_unknown_role_stops_with_the_valid_roles(web_database_url):
    """An unknown ROLE exits 64 and names every role the image can run."""
    result = _run_entrypoint(
        _environment(web_database_url, ROLE="warehouse"), timeout=10
    )

    assert result.returncode == 64
    assert "unknown ROLE 'warehouse'" in result.stderr
    for role in ("product", "inventory", "gateway", "all", "migrate"):
        assert role in result.stderr


def test_missing_role_stops_with_the_valid_roles(web_database_url):
    """With no ROLE at all the image does not guess one."""
    result = _run_entrypoint(_environment(web_database_url, ROLE=None), timeout=10)

    assert result.returncode == 64
    assert "valid roles are" in result.stderr


@pytest.mark.parametrize("role", ["product", "migrate"])
def test_missing_secret_key_stops_start_up(web_database_url, role):
    """With DEBUG off and no SECRET_KEY, start-up fails and says why."""
    result = _run_entrypoint(
        _environment(web_database_url, ROLE=role, SECRET_KEY=None, PORT="0"),
        timeout=30,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in (result.stdout + result.stderr)
