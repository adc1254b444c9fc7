"""The StockWiz benchmark: one command, everything from an empty database
to a table of figures, and everything torn down again.

    ./bench/run [--duration 8] [--repeat 3] [--sizes 1000,10000,100000]

Starts the product, inventory and gateway roles through
deploy/entrypoint.sh with the production gunicorn settings, against a
PostgreSQL database (``stockwiz_bench``) and a Redis index (5) of their own;
seeds each catalog size with ``manage.py seed_demo``; drives every scenario
with wrk from this separate process; measures the framework floor (a bare
WSGI app under the same gunicorn settings) and the database floor (pgbench)
in the same run; prints the table and writes it to bench/results/.
"""

import argparse
import datetime
import secrets
import shutil
import statistics
import sys
import time

from bench import report, stack

DATABASE = "stockwiz_bench"
REDIS_DB = 5
# seed_demo always adds its 8 demo products (ids 1-8) to the generated ones.
DEMO_PRODUCTS = 8
# Quantities far above what any run sells, so a sale is never refused.
HUGE_QUANTITY = 1_000_000_000
HOT_ROW = {"product_id": 1, "warehouse": "bench-hot"}
TRANSFER = {"product_id": 2, "warehouses": ("bench-a", "bench-b")}
# Concurrent connections: the two gunicorn workers have 4 threads each, so
# 16 keeps every thread busy with a request queued behind it; scenarios with
# multi-megabyte answers use fewer so a request is not queued for seconds.
CONNECTIONS = 16
HOT_CONNECTIONS = 32
HEAVY_CONNECTIONS = 4


class Benchmark:
    def __init__(self, *, duration, repeat, sizes):
        self.duration = duration
        self.repeat = repeat
        self.sizes = sizes
        self.run_id = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        self.log_dir = stack.RESULTS / "logs" / self.run_id
        self.env = stack.stack_env(database=DATABASE, redis_db=REDIS_DB)
        self.servers = {}
        self.rows = []
        self.checks = {}
        self.token = None

    # --- the run ---------------------------------------------------------

    def run(self):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        try:
            self._prepare()
            self._floors()
            for size in self.sizes:
                self._seed(size)
                self._catalog_scenarios(size)
                if size == self.sizes[0]:
                    self._small_catalog_scenarios(size)
            self._create(self.sizes[-1])
            self._memory("end")
            self.checks["final_audit"] = self._audit()
        finally:
            self._teardown()
        self.checks["wall_seconds"] = round(time.monotonic() - started, 1)
        return report.write(self)

    def _prepare(self):
        say(f"database {DATABASE}, redis db {REDIS_DB}, logs in {self.log_dir}")
        stack.create_database(DATABASE)
        stack.flush_redis_db(REDIS_DB)
        stack.migrate(self.env)
        stack.pgbench_prepare(DATABASE)
        floor = stack.Server.floor(self.env, self.log_dir)
        product = stack.Server.role("product", self.env, self.log_dir)
        inventory = stack.Server.role("inventory", self.env, self.log_dir)
        gateway_env = {
            **self.env,
            "PRODUCT_SERVICE_URL": product.url,
            "INVENTORY_SERVICE_URL": inventory.url,
        }
        gateway = stack.Server.role("gateway", gateway_env, self.log_dir)
        for server in (floor, product, inventory, gateway):
            server.start()
            self.servers[server.name] = server
            say(
                f"{server.name} on {server.url}: first 200 after "
                f"{server.cold_start_s:.2f} s"
            )
        self.checks["cold_start_s"] = {
            name: round(server.cold_start_s, 3) for name, server in self.servers.items()
        }

    def _teardown(self):
        for server in self.servers.values():
            server.stop()
        stack.flush_redis_db(REDIS_DB)
        stack.drop_database(DATABASE)
        say("stopped every process, dropped the database, flushed the cache")

    # --- floors ----------------------------------------------------------

    def _floors(self):
        self.measure(
            "framework floor (bare WSGI)",
            None,
            lambda: stack.wrk(
                "get_path.lua",
                self.servers["floor"].url,
                connections=CONNECTIONS,
                duration=self.duration,
                env={"BENCH_PATH": "/"},
            ),
            connections=CONNECTIONS,
            key="floor",
        )
        self.measure(
            "pgbench select-only",
            None,
            lambda: stack.pgbench(
                DATABASE,
                clients=CONNECTIONS,
                duration=self.duration,
                select_only=True,
            ),
            connections=CONNECTIONS,
            key="pg_select",
        )
        self.measure(
            "pgbench hot-row UPDATE q = q - 1",
            None,
            lambda: stack.pgbench(
                DATABASE,
                clients=HOT_CONNECTIONS,
                duration=self.duration,
                script="hot_row.sql",
            ),
            connections=HOT_CONNECTIONS,
            key="pg_hot_row",
        )

    # --- catalogs --------------------------------------------------------

    def _seed(self, size):
        started = time.monotonic()
        stack.manage(
            self.env,
            "seed_demo",
            "--products",
            str(size - DEMO_PRODUCTS),
            "--password",
            secrets.token_urlsafe(12),
        )
        self.checks.setdefault("seed_seconds", {})[size] = round(
            time.monotonic() - started, 1
        )
        if self.token is None:
            # A stock manager and catalog editor, not a superuser: every
            # request pays for the group permission check, as clients do.
            output = stack.manage(self.env, "drf_create_token", "manager").stdout
            self.token = output.split()[2]
        status, page = stack.api(
            self.servers["product"].url,
            "GET",
            "/products?limit=1",
            token=self.token,
        )
        if status != 200 or page["count"] < size:
            raise RuntimeError(f"catalog not seeded: {status} {page}")
        self.id_range = (page["results"][0]["id"], page["results"][0]["id"] + size - 1)
        say(
            f"catalog of {page['count']} products seeded in "
            f"{self.checks['seed_seconds'][size]} s"
        )

    def _catalog_scenarios(self, size):
        product = self.servers["product"].url
        gateway = self.servers["gateway"].url
        ids = {
            "BENCH_ID_MIN": str(self.id_range[0]),
            "BENCH_ID_MAX": str(self.id_range[1]),
        }
        self.http("product get-one", size, "get_one.lua", product, ids, cache="miss")
        self.http(
            "product list limit=50",
            size,
            "get_path.lua",
            product,
            {"BENCH_PATH": "/products", "BENCH_QUERY": "limit=50"},
            cache="miss",
        )
        heavy = HEAVY_CONNECTIONS if size < 100_000 else 1
        if size <= 10_000:
            self.http(
                "product list (all)",
                size,
                "get_path.lua",
                product,
                {"BENCH_PATH": "/products"},
                cache="miss",
                connections=heavy,
            )
        self.http(
            "gateway /api/products-full",
            size,
            "get_path.lua",
            gateway,
            {"BENCH_PATH": "/api/products-full"},
            cache="miss",
            connections=heavy,
            # At 100,000 one answer takes longer than a short run.
            duration=self.duration if size < 100_000 else 4 * self.duration,
        )
        self._memory(size)

    def _small_catalog_scenarios(self, size):
        product = self.servers["product"].url
        gateway = self.servers["gateway"].url
        ids = {
            "BENCH_ID_MIN": str(self.id_range[0]),
            "BENCH_ID_MAX": str(self.id_range[1]),
        }
        # The same reads with the response caches warm: what repeated reads
        # cost between two writes.
        self.http("product get-one", size, "get_one.lua", product, ids, cache="warm")
        self.http(
            "product list (all)",
            size,
            "get_path.lua",
            product,
            {"BENCH_PATH": "/products"},
            cache="warm",
            connections=HEAVY_CONNECTIONS,
        )
        self.http(
            "gateway /api/products-full",
            size,
            "get_path.lua",
            gateway,
            {"BENCH_PATH": "/api/products-full"},
            cache="warm",
            connections=HEAVY_CONNECTIONS,
        )
        self._hot_row(size)
        self._transfer(size)
        self.checks["audit_after_hot_rows"] = self._audit()
        self._gateway_cpu(size, ids)

    def _hot_row(self, size):
        inventory = self.servers["inventory"].url
        row = self._stock_row(HOT_ROW["product_id"], HOT_ROW["warehouse"])
        before = self._quantity(row)
        result = self.http(
            "inventory adjust, one hot row",
            size,
            "adjust.lua",
            inventory,
            {"BENCH_STOCK_ID": str(row)},
            connections=HOT_CONNECTIONS,
            floor="pg_hot_row",
        )
        # Requests in flight when wrk stopped may still commit: let them.
        time.sleep(2)
        after = self._quantity(row)
        acknowledged = sum(run["ok"] for run in result["runs"])
        applied = before - after
        self.checks["hot_row"] = {
            "stock_id": row,
            "quantity_before": before,
            "quantity_after": after,
            "sales_acknowledged_2xx": acknowledged,
            "units_removed": applied,
            "expected_quantity": before - acknowledged,
            # A lost update shows as fewer units removed than sales answered
            # 2xx. Requests still in flight when wrk stopped (at most one per
            # connection) may add units removed without a 2xx being counted.
            "lost_updates": max(0, acknowledged - applied),
            "in_flight_at_stop": max(0, applied - acknowledged),
            "max_in_flight": HOT_CONNECTIONS * self.repeat,
        }

    def _transfer(self, size):
        inventory = self.servers["inventory"].url
        product_id = TRANSFER["product_id"]
        rows = [self._stock_row(product_id, name) for name in TRANSFER["warehouses"]]
        before = sum(self._quantity(row) for row in rows)
        self.http(
            "inventory transfer, both directions",
            size,
            "transfer.lua",
            inventory,
            {
                "BENCH_PRODUCT_ID": str(product_id),
                "BENCH_WAREHOUSE_A": TRANSFER["warehouses"][0],
                "BENCH_WAREHOUSE_B": TRANSFER["warehouses"][1],
            },
        )
        time.sleep(2)
        after = sum(self._quantity(row) for row in rows)
        self.checks["transfer"] = {
            "units_in_both_rows_before": before,
            "units_in_both_rows_after": after,
            "conserved": before == after,
        }

    def _gateway_cpu(self, size, ids):
        """The same get-one direct and through the gateway, one connection:
        p50 and the CPU seconds each process tree spent per 1,000 requests."""
        cpu = {}
        for via, url, prefix in (
            ("direct", self.servers["product"].url, ""),
            ("gateway", self.servers["gateway"].url, "/api"),
        ):
            env = {**ids, **self._env_token(), "BENCH_PREFIX": prefix}
            # Fill the caches first, so both measure the same warm path.
            stack.wrk("get_one.lua", url, connections=4, duration=2, env=env)
            per_run = []

            def one_run(url=url, env=env, per_run=per_run):
                before = self._cpu()
                result = stack.wrk(
                    "get_one.lua", url, connections=1, duration=self.duration, env=env
                )
                after = self._cpu()
                per_run.append(
                    {
                        name: (after[name] - before[name]) * 1000 / result["requests"]
                        for name in after
                    }
                )
                return result

            self.measure(
                f"product get-one via {via}, 1 connection",
                size,
                one_run,
                connections=1,
                cache="warm",
                floor="floor",
            )
            cpu[via] = {
                name: round(statistics.median(run[name] for run in per_run), 3)
                for name in per_run[0]
            }
        self.checks["cpu_seconds_per_1000_requests"] = cpu

    def _create(self, size):
        self.http(
            "product create",
            size,
            "create.lua",
            self.servers["product"].url,
            {"BENCH_RUN": self.run_id},
        )

    def _memory(self, label):
        """Resident memory of every worker, after the scenarios of ``label``:
        Python rarely gives freed memory back, so this is each worker's
        high-water mark so far."""
        self.checks.setdefault("worker_memory_mb", {})[label] = {
            name: [
                {"pid": pid, "rss": rss, "pss": pss}
                for pid, rss, pss in server.worker_memory_mb()
            ]
            for name, server in self.servers.items()
        }

    def _audit(self):
        result = stack.manage(self.env, "stock_audit", "--json")
        try:
            audit = report.json_line(result.stdout)
        except ValueError:
            return {"error": (result.stdout + result.stderr)[-500:]}
        return {
            "rows_audited": audit["audited"],
            "mismatches": len(audit["mismatches"]),
            "first_mismatches": audit["mismatches"][:5],
        }

    # --- helpers ---------------------------------------------------------

    def _env_token(self):
        return {"BENCH_TOKEN": self.token}

    def _cpu(self):
        return {name: server.cpu_seconds() for name, server in self.servers.items()}

    def _stock_row(self, product_id, warehouse):
        """Id of the product's row in ``warehouse``, opened through the API
        with a huge quantity the first time."""
        inventory = self.servers["inventory"].url
        status, rows = stack.api(
            inventory,
            "GET",
            f"/inventory?product_id={product_id}&warehouse={warehouse}",
            token=self.token,
        )
        if status == 200 and rows:
            return rows[0]["id"]
        status, row = stack.api(
            inventory,
            "POST",
            "/inventory",
            token=self.token,
            body={
                "product_id": product_id,
                "warehouse": warehouse,
                "quantity": HUGE_QUANTITY,
            },
        )
        if status != 201:
            raise RuntimeError(f"could not open a stock row: {status} {row}")
        return row["id"]

    def _quantity(self, stock_id):
        status, row = stack.api(
            self.servers["inventory"].url,
            "GET",
            f"/inventory/{stock_id}",
            token=self.token,
        )
        if status != 200:
            raise RuntimeError(f"could not read stock row {stock_id}: {status}")
        return row["quantity"]

    def http(
        self,
        name,
        size,
        script,
        url,
        env,
        *,
        cache="-",
        connections=CONNECTIONS,
        floor="floor",
        duration=None,
    ):
        env = {
            **env,
            **self._env_token(),
            "BENCH_NOCACHE": "1" if cache == "miss" else "",
        }
        if cache == "warm":
            stack.wrk(script, url, connections=connections, duration=2, env=env)
        row = self.measure(
            name,
            size,
            lambda: stack.wrk(
                script,
                url,
                connections=connections,
                duration=duration or self.duration,
                env=env,
                timeout_s=60,
            ),
            connections=connections,
            cache=cache,
            floor=floor,
        )
        # Answers cached under one-off URLs would only fill shared memory.
        stack.flush_redis_db(REDIS_DB)
        return row

    def measure(
        self, name, size, run_once, *, connections, cache="-", floor=None, key=None
    ):
        runs = [run_once() for _ in range(self.repeat)]
        row = {
            "key": key,
            "scenario": name,
            "catalog": size,
            "cache": cache,
            "connections": connections,
            "rps": statistics.median(run["rps"] for run in runs),
            "p50_ms": _median_or_none(run["p50_ms"] for run in runs),
            "p99_ms": _median_or_none(run["p99_ms"] for run in runs),
            "errors": sum(run["errors"] for run in runs),
            "error_detail": _error_detail(runs),
            "floor": floor,
            "runs": runs,
        }
        self.rows.append(row)
        say(report.row_line(row, self.rows))
        return row


def _median_or_none(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def _error_detail(runs):
    """``{"503": n, "socket read": n, "degraded": n}`` summed over the runs."""
    detail = {}
    for run in runs:
        for status, count in run.get("statuses", {}).items():
            detail[status] = detail.get(status, 0) + count
        for kind, count in run.get("socket_errors", {}).items():
            if count:
                detail[f"socket {kind}"] = detail.get(f"socket {kind}", 0) + count
        if run.get("degraded"):
            detail["degraded"] = detail.get("degraded", 0) + run["degraded"]
    return detail


def say(message):
    print(f"bench: {message}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario")
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="catalog sizes, smallest first",
    )
    args = parser.parse_args(argv)
    for tool in ("wrk", "pgbench", "psql", "redis-cli"):
        if shutil.which(tool) is None:
            sys.exit(
                f"bench: {tool} is missing (apt-get install -y wrk "
                "postgresql-client redis-tools)"
            )
    sizes = sorted(int(size) for size in args.sizes.split(","))
    benchmark = Benchmark(duration=args.duration, repeat=args.repeat, sizes=sizes)
    paths = benchmark.run()
    print(paths["markdown"].read_text())
    say(f"results in {paths['json']}, {paths['markdown']}, {paths['chart']}")


if __name__ == "__main__":
    main()
