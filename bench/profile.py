"""Where a scenario's time goes: py-spy samples one worker of a role while
wrk drives the scenario, then prints the functions that hold most samples.

    .venv/bin/python -m bench.profile [get-one|list50|adjust|gateway]
        [--seconds 10] [--connections N] [--size 1000]

Uses the benchmark's stack (its own database and catalog) and installs
py-spy into the venv when it is missing. Threads waiting on a socket are
left out, so the shares are of the time the worker was busy.
"""

import argparse
import collections
import shutil
import subprocess
import sys
import threading

from bench import run, stack

SCENARIOS = {
    # name: (role to sample, wrk script, path prefix, connections)
    "get-one": ("product", "get_one.lua", "", 16),
    "list50": ("product", "get_path.lua", "", 16),
    "adjust": ("inventory", "adjust.lua", "", 32),
    "gateway": ("gateway", "get_one.lua", "/api", 16),
}


def py_spy():
    found = shutil.which("py-spy", path=str(stack.PYTHON.parent))
    if found is None:
        subprocess.run(
            [str(stack.PYTHON), "-m", "pip", "install", "--quiet", "py-spy"],
            check=True,
        )
        found = str(stack.PYTHON.parent / "py-spy")
    return found


def top_frames(raw_path, limit=25):
    """``(inclusive, self)`` counters of ``function (file)`` from py-spy's
    collapsed stacks, and the number of samples."""
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    for line in raw_path.read_text().splitlines():
        stack_text, _, count = line.rpartition(" ")
        frames = [frame.split(":")[0] for frame in stack_text.split(";")]
        count = int(count)
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    return inclusive.most_common(limit), own.most_common(limit), total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=SCENARIOS, default="get-one", nargs="?")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args(argv)
    role, script, prefix, connections = SCENARIOS[args.scenario]
    connections = args.connections or connections
    profiler = py_spy()

    bench = run.Benchmark(duration=args.seconds, repeat=1, sizes=[args.size])
    bench.log_dir.mkdir(parents=True, exist_ok=True)
    raw_path = bench.log_dir / f"profile-{args.scenario}.txt"
    try:
        bench._prepare()
        bench._seed(args.size)
        server = bench.servers[role]
        env = {
            "BENCH_TOKEN": bench.token,
            "BENCH_PREFIX": prefix,
            "BENCH_ID_MIN": str(bench.id_range[0]),
            "BENCH_ID_MAX": str(bench.id_range[1]),
            "BENCH_PATH": "/products",
            "BENCH_QUERY": "limit=50",
            "BENCH_NOCACHE": "1" if args.scenario == "list50" else "",
        }
        if args.scenario == "adjust":
            env["BENCH_STOCK_ID"] = str(bench._stock_row(**_hot_row()))
        load = threading.Thread(
            target=stack.wrk,
            args=(script, server.url),
            kwargs={
                "connections": connections,
                "duration": args.seconds + 2,
                "env": env,
            },
        )
        load.start()
        subprocess.run(
            [
                profiler,
                "record",
                "--pid",
                str(server.worker_pids()[0]),
                "--duration",
                str(args.seconds),
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(raw_path),
            ],
            check=True,
            capture_output=True,
        )
        load.join()
    finally:
        bench._teardown()

    inclusive, own, total = top_frames(raw_path)
    print(
        f"{args.scenario}, {connections} connections, catalog {args.size:,}: "
        f"{total} samples of one busy {role} worker ({raw_path})"
    )
    print("\ninclusive (share of samples with the function on the stack):")
    for frame, count in inclusive:
        print(f"  {count / total:6.1%}  {frame}")
    print("\nself (share of samples with the function on top):")
    for frame, count in own:
        print(f"  {count / total:6.1%}  {frame}")


def _hot_row():
    return {
        "product_id": run.HOT_ROW["product_id"],
        "warehouse": run.HOT_ROW["warehouse"],
    }


if __name__ == "__main__":
    sys.exit(main())
