"""Fault drills: break one thing while wrk keeps StockWiz busy, then check
that errors stayed inside the fault's window, that the roles recovered by
themselves and that the stock ledger still balances.

    .venv/bin/python -m bench.drills            # upstream and worker drills
    .venv/bin/python -m bench.drills --shared   # also PostgreSQL and Redis

The drills:

- ``upstream``: the product service is killed (SIGKILL, whole process tree)
  behind the gateway and started again 3 s later. Expected: 502 from the
  gateway only while it is down, no request left hanging.
- ``worker``: one inventory worker is killed with SIGKILL three times while
  adjusts and transfers are in flight. Expected: errors only at the kills,
  no partial stock change (the ledger audit is clean and the two transfer
  rows keep their total).
- ``postgres`` (``--shared``): PostgreSQL is restarted under load with
  ``pg_ctlcluster``. Expected: errors only during the restart, the same
  processes answer afterwards, the audit is clean.
- ``redis`` (``--shared``): Redis is shut down for 4 s and started again.
  Expected: the API keeps answering from the database, and recovers.

The PostgreSQL and Redis drills stop services that other test runs on the
machine share: run them once, and check ``pg_isready -h 127.0.0.1`` and
``redis-cli ping`` afterwards (the script does, and says so).
"""

import argparse
import json
import signal
import subprocess
import threading
import time

from bench import run, stack

DATABASE = "stockwiz_drills"
REDIS_DB = 6
LOAD_SECONDS = 16
FAULT_AFTER_SECONDS = 4
# Seconds after a fault ends during which errors still count as its own:
# pooled connections are checked and reopened on the next request.
GRACE_SECONDS = 2
# A request is hung when it outlasts the gateway's upstream timeouts.
HUNG_AFTER_MS = 12_000
# The column order of the drills table.
LOAD_ORDER = ("get-one", "adjust", "transfer")
REDIS_RESTART = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]


class Drills:
    def __init__(self):
        self.bench = run.Benchmark(duration=LOAD_SECONDS, repeat=1, sizes=[1000])
        self.bench.env = stack.stack_env(database=DATABASE, redis_db=REDIS_DB)
        self.results = {}

    # --- stack -----------------------------------------------------------

    def start(self):
        bench = self.bench
        bench.log_dir = stack.RESULTS / "logs" / f"drills-{bench.run_id}"
        bench.log_dir.mkdir(parents=True, exist_ok=True)
        stack.create_database(DATABASE)
        stack.flush_redis_db(REDIS_DB)
        stack.migrate(bench.env)
        product = stack.Server.role("product", bench.env, bench.log_dir)
        inventory = stack.Server.role("inventory", bench.env, bench.log_dir)
        gateway = stack.Server.role(
            "gateway",
            {
                **bench.env,
                "PRODUCT_SERVICE_URL": product.url,
                "INVENTORY_SERVICE_URL": inventory.url,
            },
            bench.log_dir,
        )
        for server in (product, inventory, gateway):
            bench.servers[server.name] = server.start()
        bench._seed(1000)
        self.hot_row = bench._stock_row(**run.HOT_ROW)
        product_id = run.TRANSFER["product_id"]
        self.transfer_rows = [
            bench._stock_row(product_id, warehouse)
            for warehouse in run.TRANSFER["warehouses"]
        ]
        self.transfer_total = self._transfer_total()

    def stop(self):
        for server in self.bench.servers.values():
            server.stop()
        stack.flush_redis_db(REDIS_DB)
        stack.drop_database(DATABASE)

    # --- load ------------------------------------------------------------

    def _loads(self):
        """The wrk runs of one drill: reads of a product joined with its
        stock, sales on one row and transfers, all through the gateway."""
        bench = self.bench
        common = {"BENCH_TOKEN": bench.token, "BENCH_PREFIX": "/api"}
        return {
            "get-one": (
                "get_one.lua",
                8,
                {
                    **common,
                    "BENCH_NOCACHE": "1",
                    "BENCH_ID_MIN": str(bench.id_range[0]),
                    "BENCH_ID_MAX": str(bench.id_range[1]),
                },
            ),
            "adjust": (
                "adjust.lua",
                8,
                {**common, "BENCH_STOCK_ID": str(self.hot_row)},
            ),
            "transfer": (
                "transfer.lua",
                4,
                {
                    **common,
                    "BENCH_PRODUCT_ID": str(run.TRANSFER["product_id"]),
                    "BENCH_WAREHOUSE_A": run.TRANSFER["warehouses"][0],
                    "BENCH_WAREHOUSE_B": run.TRANSFER["warehouses"][1],
                },
            ),
        }

    def drill(self, name, fault):
        """Run the loads, call ``fault()`` after a few seconds (it returns
        once the fault is over), then judge what the loads saw."""
        say(f"drill {name}: {LOAD_SECONDS} s of load, fault at {FAULT_AFTER_SECONDS} s")
        gateway = self.bench.servers["gateway"].url
        pids_before = self._pids()
        quantity_before = self.bench._quantity(self.hot_row)
        outcomes = {}

        def load(label, script, connections, env):
            outcomes[label] = stack.wrk(
                script,
                gateway,
                connections=connections,
                duration=LOAD_SECONDS,
                env=env,
                timeout_s=20,
            )

        threads = [
            threading.Thread(target=load, args=(label, *spec))
            for label, spec in self._loads().items()
        ]
        for thread in threads:
            thread.start()
        time.sleep(FAULT_AFTER_SECONDS)
        fault_started = time.time()
        details = fault() or {}
        fault_ended = time.time()
        for thread in threads:
            thread.join()
        time.sleep(2)

        result = {
            "fault_seconds": round(fault_ended - fault_started, 2),
            **details,
            "loads": {
                label: self._judge(outcome, fault_started, fault_ended)
                for label, outcome in outcomes.items()
            },
            "answers_after": self._answers_after(),
            "processes_unchanged": self._pids() == pids_before,
            "audit": self.bench._audit(),
            "transfer_total_kept": self._transfer_total() == self.transfer_total,
        }
        sold = outcomes["adjust"]["ok"]
        removed = quantity_before - self.bench._quantity(self.hot_row)
        result["sales"] = {
            "acknowledged_2xx": sold,
            "units_removed": removed,
            "lost_updates": max(0, sold - removed),
        }
        self.results[name] = result
        say(f"drill {name}: {json.dumps(summary_line(result))}")
        return result

    def _judge(self, outcome, fault_started, fault_ended):
        window_start = int(fault_started) - 1
        window_end = int(fault_ended) + GRACE_SECONDS
        failed = {int(s): n for s, n in outcome["failed_per_second"].items()}
        outside = sum(
            n for s, n in failed.items() if not window_start <= s <= window_end
        )
        return {
            "requests": outcome["requests"],
            "ok": outcome["ok"],
            "failed_answers": sum(failed.values()),
            "failed_outside_window": outside,
            "statuses": outcome["statuses"],
            "socket_errors": {k: v for k, v in outcome["socket_errors"].items() if v},
            "degraded": outcome["degraded"],
            "max_ms": outcome["max_ms"],
            "hung": outcome["socket_errors"]["timeout"] > 0
            or outcome["max_ms"] > HUNG_AFTER_MS,
            "failures_by_second": {
                str(second - int(fault_started)): count
                for second, count in sorted(failed.items())
            },
        }

    def _answers_after(self):
        """Ten reads and ten sales through the gateway once the load ended."""
        gateway = self.bench.servers["gateway"].url
        statuses = []
        for number in range(10):
            product_id = self.bench.id_range[0] + number
            statuses.append(
                stack.api(
                    gateway,
                    "GET",
                    f"/api/products/{product_id}",
                    token=self.bench.token,
                )[0]
            )
            statuses.append(
                stack.api(
                    gateway,
                    "POST",
                    f"/api/inventory/{self.hot_row}/adjust",
                    token=self.bench.token,
                    body={"delta": -1, "reason": "sale"},
                )[0]
            )
        return {"all_2xx": all(200 <= s < 300 for s in statuses), "statuses": statuses}

    def _pids(self):
        return {
            name: (server.master_pid, tuple(server.worker_pids()))
            for name, server in self.bench.servers.items()
        }

    def _transfer_total(self):
        return sum(self.bench._quantity(row) for row in self.transfer_rows)

    # --- faults ----------------------------------------------------------

    def upstream_fault(self):
        product = self.bench.servers["product"]
        product.stop(sig=signal.SIGKILL)
        time.sleep(3)
        restarted = stack.Server.role(
            "product", self.bench.env, self.bench.log_dir, port=product.port
        )
        self.bench.servers["product"] = restarted.start()
        return {"restart_to_first_200_s": round(restarted.cold_start_s, 2)}

    def worker_fault(self):
        inventory = self.bench.servers["inventory"]
        killed = []
        for _ in range(3):
            worker = inventory.worker_pids()[0]
            subprocess.run(["kill", "-KILL", str(worker)], check=True)
            killed.append(worker)
            time.sleep(2)
        return {"killed_workers": killed}

    def postgres_fault(self):
        started = time.monotonic()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
            check=True,
            capture_output=True,
        )
        wait_until(["pg_isready", "-h", "127.0.0.1"], timeout=60)
        return {"restart_seconds": round(time.monotonic() - started, 2)}

    def redis_fault(self):
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)
        time.sleep(4)
        subprocess.run(REDIS_RESTART, check=True, capture_output=True)
        wait_until(["redis-cli", "ping"], timeout=30)
        return {"down_seconds": 4}


def wait_until(command, *, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(command, capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{' '.join(command)} still failing after {timeout} s")


def summary_line(result):
    loads = result["loads"]
    return {
        "failed": {label: load["failed_answers"] for label, load in loads.items()},
        "outside_window": {
            label: load["failed_outside_window"] for label, load in loads.items()
        },
        "socket_errors": {
            label: load["socket_errors"] for label, load in loads.items()
        },
        "hung": any(load["hung"] for load in loads.values()),
        "answers_after_ok": result["answers_after"]["all_2xx"],
        "processes_unchanged": result["processes_unchanged"],
        "audit_mismatches": result["audit"].get("mismatches"),
        "transfer_total_kept": result["transfer_total_kept"],
        "lost_updates": result["sales"]["lost_updates"],
    }


def markdown(results):
    lines = [
        "| drill | failed answers (get-one / adjust / transfer) | outside the "
        "fault window | socket errors | hung | 2xx after | same processes (only "
        "PostgreSQL and Redis keep them) "
        "| audit mismatches | transfer total kept | lost updates |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        line = summary_line(result)
        failed = " / ".join(str(line["failed"][label]) for label in LOAD_ORDER)
        outside = " / ".join(str(line["outside_window"][label]) for label in LOAD_ORDER)
        sockets = "; ".join(
            f"{label}: {errors}"
            for label, errors in line["socket_errors"].items()
            if errors
        )
        lines.append(
            f"| {name} ({result['fault_seconds']} s) | {failed} | {outside} "
            f"| {sockets or '0'} | {line['hung']} | {line['answers_after_ok']} "
            f"| {line['processes_unchanged']} | {line['audit_mismatches']} "
            f"| {line['transfer_total_kept']} | {line['lost_updates']} |"
        )
    return "\n".join(lines) + "\n"


def say(message):
    print(f"drills: {message}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        action="store_true",
        help="also restart PostgreSQL and stop Redis (shared services: once)",
    )
    parser.add_argument("--only", help="comma-separated drill names")
    args = parser.parse_args(argv)
    names = ["upstream", "worker"] + (["postgres", "redis"] if args.shared else [])
    if args.only:
        names = [name for name in names if name in args.only.split(",")]

    drills = Drills()
    try:
        drills.start()
        for name in names:
            drills.drill(name, getattr(drills, f"{name}_fault"))
    finally:
        if args.shared:
            # Whatever happened, leave the shared services running.
            if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode:
                subprocess.run(REDIS_RESTART, capture_output=True)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"],
                capture_output=True,
            )
        drills.stop()

    stack.RESULTS.mkdir(parents=True, exist_ok=True)
    document = {"run_id": drills.bench.run_id, "drills": drills.results}
    (stack.RESULTS / "drills.json").write_text(json.dumps(document, indent=1))
    table = markdown(drills.results)
    (stack.RESULTS / "drills.md").write_text(table)
    print(table)
    for command in (["pg_isready", "-h", "127.0.0.1"], ["redis-cli", "ping"]):
        answer = subprocess.run(command, capture_output=True, text=True)
        say(f"{' '.join(command)}: {answer.stdout.strip() or answer.stderr.strip()}")


if __name__ == "__main__":
    main()
