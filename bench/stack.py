"""The pieces the benchmark and the drills are built from: a database and a
cache of their own, StockWiz roles started through ``deploy/entrypoint.sh``,
the load generators (wrk, pgbench) and what /proc says about the servers."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.processes import (
    base_env,
    create_database,
    drop_database,
    free_port,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
LUA_DIR = BENCH / "wrk"
PGBENCH_DIR = BENCH / "pgbench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN = ("-h", "127.0.0.1", "-U", "postgres")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

__all__ = ["create_database", "drop_database"]


def stack_env(*, database, redis_db, **overrides):
    """The environment of every role: production gunicorn settings (two
    workers, the threads of deploy/gunicorn.conf.py), PostgreSQL and Redis
    of the benchmark's own, and rate limits raised so the gateway measures
    its work, not its refusals."""
    env = base_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        SECRET_KEY="benchmark-only-key",  # noqa: S106 (a throwaway database)
        WEB_CONCURRENCY="2",
        # The limits stay on (their cost is part of every gateway request)
        # but are far above what one machine can send.
        RATE_LIMIT_USER="1000000/s",
        RATE_LIMIT_ADDRESS="1000000/s",
        **overrides,
    )
    env.pop("GUNICORN_THREADS", None)
    env["PATH"] = f"{PYTHON.parent}{os.pathsep}{env['PATH']}"
    return env


def manage(env, *args, timeout=600):
    """Run ``manage.py`` with the stack's settings; its stdout."""
    result = subprocess.run(
        [str(PYTHON), str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-2000:]}")
    return result


def flush_redis_db(redis_db):
    subprocess.run(
        ["redis-cli", "-n", str(redis_db), "flushdb"],
        check=True,
        capture_output=True,
    )


class Server:
    """One gunicorn master and its workers, started in a session of its own
    so the whole tree can be signalled; its output goes to a log file."""

    def __init__(self, name, argv, env, log_dir, port=None):
        self.name = name
        self.port = port or free_port()
        self.argv = argv
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None
        self.cold_start_s = None

    @classmethod
    def role(cls, role, env, log_dir, port=None):
        """A StockWiz role, started the one way production starts it."""
        return cls(role, [str(ENTRYPOINT)], {**env, "ROLE": role}, log_dir, port)

    @classmethod
    def floor(cls, env, log_dir):
        """The bare WSGI app under the production gunicorn settings."""
        argv = [
            str(PYTHON.parent / "gunicorn"),
            "--config",
            str(GUNICORN_CONF),
            "bench.floor_app:application",
        ]
        return cls("floor", argv, {**env, "ROLE": "floor"}, log_dir)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        """Start and wait for the first 200 on /health; the time that took
        is the cold start."""
        log = self.log_path.open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            if http_status(f"{self.url}/health", timeout=1) == 200:
                self.cold_start_s = time.perf_counter() - started
                return self
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /health in {timeout} s")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    @property
    def master_pid(self):
        return self.process.pid

    def worker_pids(self):
        return children_of(self.master_pid)

    def cpu_seconds(self):
        """utime + stime of the master and every live worker."""
        pids = [self.master_pid, *self.worker_pids()]
        return sum(process_cpu_seconds(pid) for pid in pids)

    def worker_memory_mb(self):
        """``[(pid, rss MB, pss MB), ...]`` for each worker."""
        return [
            (pid, *process_memory_mb(pid))
            for pid in self.worker_pids()
            if Path(f"/proc/{pid}").exists()
        ]


def children_of(pid):
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def _stat_fields(pid):
    """Fields of /proc/<pid>/stat after the command name (state first)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_cpu_seconds(pid):
    try:
        fields = _stat_fields(pid)
    except FileNotFoundError:
        return 0.0
    # utime and stime are fields 14 and 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_memory_mb(pid):
    """Resident and proportional set size; PSS shares the pages the workers
    inherited from the preloading master among them."""
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    pss = rss
    rollup = Path(f"/proc/{pid}/smaps_rollup")
    if rollup.exists():
        match = re.search(r"^Pss:\s+(\d+) kB", rollup.read_text(), re.MULTILINE)
        if match:
            pss = int(match.group(1))
    return round(rss / 1024, 1), round(pss / 1024, 1)


def http_status(url, *, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def api(base_url, method, path, *, token, body=None, timeout=60):
    """``(status, parsed JSON or None)`` of one API call."""
    request = urllib.request.Request(  # noqa: S310 (always http://127.0.0.1)
        f"{base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        try:
            return exc.code, json.loads(payload)
        except ValueError:
            return exc.code, None


def wrk(script, url, *, connections, duration, env=None, timeout_s=30):
    """One wrk run; the summary printed by bench/wrk/lib.lua, plus req/s and
    latencies in milliseconds."""
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA_DIR / script),
        url,
    ]
    result = subprocess.run(
        command,
        env={**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), **(env or {})},
        capture_output=True,
        text=True,
        timeout=duration + timeout_s + 60,
    )
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")),
        None,
    )
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout}{result.stderr}")
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = summary["duration_us"] / 1e6
    socket_errors = sum(summary["socket_errors"].values())
    non_2xx = sum(summary["statuses"].values())
    if summary["requests"] == 0:
        # Nothing came back within the run: every connection's request is
        # an error, not an empty success.
        summary["statuses"]["unanswered"] = connections
        non_2xx = connections
    return {
        **summary,
        "rps": summary["requests"] / seconds if seconds else 0.0,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "max_ms": summary["max_us"] / 1000,
        "errors": socket_errors + non_2xx + summary["degraded"],
        "non_2xx": non_2xx,
    }


def pgbench(database, *, clients, duration, script=None, select_only=False):
    """One pgbench run: transactions per second and mean latency."""
    command = [
        "pgbench",
        *PG_ADMIN,
        "-n",
        f"-c{clients}",
        f"-j{min(2, clients)}",
        f"-T{duration}",
    ]
    if select_only:
        command.append("-S")
    if script:
        command += ["-f", str(PGBENCH_DIR / script)]
    command.append(database)
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60
    )
    tps = re.search(r"tps = ([\d.]+) \(without initial", result.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    if result.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed:\n{result.stdout}{result.stderr}")
    return {
        "rps": float(tps.group(1)),
        "p50_ms": float(latency.group(1)) if latency else None,
        "p99_ms": None,
        "errors": int(failed.group(1)) if failed else 0,
    }


def pgbench_prepare(database):
    """pgbench's own tables (scale 1) and the hot row, in the bench database."""
    subprocess.run(
        ["pgbench", *PG_ADMIN, "-i", "-q", "-s", "1", database],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", *PG_ADMIN, "-q", "-f", PGBENCH_DIR / "hot_row_setup.sql", database],
        check=True,
        capture_output=True,
    )


def psql_value(database, sql):
    result = subprocess.run(
        ["psql", *PG_ADMIN, "-tAc", sql, database],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()
