"""The benchmark's table, its targets and where they are written:
bench/results/latest.json, latest.md and latency_vs_catalog.png (plus a
copy of each named after the run).

``python -m bench.report [results JSON]`` prints the Markdown of a run
again, from its JSON.
"""

import importlib.util
import json
import subprocess
import sys
import types

from bench import stack

# Latency-against-catalog-size lines of the chart: (scenario, cache).
CHART_LINES = (
    ("product get-one", "miss"),
    ("product list limit=50", "miss"),
    ("product list (all)", "miss"),
    ("gateway /api/products-full", "miss"),
)
MAX_WORKER_RSS_MB = 80
MAX_COLD_START_S = 1.5


def json_line(text):
    """The last line of ``text`` that is a JSON object."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line")


def floor_of(row, rows):
    if row["floor"] is None:
        return None
    return next((other for other in rows if other["key"] == row["floor"]), None)


def ratio(row, rows):
    floor = floor_of(row, rows)
    if floor is None or not floor["rps"]:
        return None
    return row["rps"] / floor["rps"]


def _fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def _errors(row):
    if not row["errors"]:
        return "0"
    detail = ", ".join(
        f"{kind}: {count}" for kind, count in row["error_detail"].items()
    )
    return f"**{row['errors']}** ({detail})"


def _ratio_text(row, rows):
    value = ratio(row, rows)
    if value is None:
        return "-"
    return f"{value:.1%} of {floor_of(row, rows)['key']}"


def row_line(row, rows):
    return (
        f"{row['scenario']} [{row['catalog'] or '-'} {row['cache']}]: "
        f"{row['rps']:,.0f} req/s, p50 {_fmt(row['p50_ms'], 2)} ms, "
        f"p99 {_fmt(row['p99_ms'], 2)} ms, errors {row['errors']}, "
        f"{_ratio_text(row, rows)}"
    )


def find(rows, scenario, catalog=None, cache="miss"):
    for row in rows:
        if (
            row["scenario"] == scenario
            and catalog in (None, row["catalog"])
            and row["cache"] == cache
        ):
            return row
    return None


def targets(bench):
    """``[(target, measured, met or None when not measured), ...]``."""
    rows, checks = bench.rows, bench.checks
    small, middle, large = (
        bench.sizes[0],
        10_000 if 10_000 in bench.sizes else None,
        bench.sizes[-1],
    )
    results = []

    def share(label, scenario, catalog, minimum, cache="miss"):
        row = find(rows, scenario, catalog, cache)
        value = ratio(row, rows) if row else None
        results.append(
            (
                f"{label} >= {minimum:.0%} of its floor",
                "-" if value is None else f"{value:.1%}",
                None if value is None else value >= minimum,
            )
        )

    share(f"product get-one at {small:,}, cache missed", "product get-one", small, 0.45)
    share(
        f"product list of all {small:,}, cache missed",
        "product list (all)",
        small,
        0.08,
    )
    share("product create", "product create", None, 0.22, cache="-")
    share(
        "hot-row adjust (pgbench single-row UPDATE)",
        "inventory adjust, one hot row",
        None,
        0.50,
        cache="-",
    )
    lost = checks.get("hot_row", {}).get("lost_updates")
    audit = checks.get("audit_after_hot_rows", {}).get("mismatches")
    results.append(
        (
            "hot-row adjust: zero lost updates, ledger audit clean",
            f"lost {lost}, audit mismatches {audit}",
            None if lost is None else lost == 0 and audit == 0,
        )
    )

    def latency_ratio(label, numerator, denominator, maximum):
        value = None
        if numerator and denominator and denominator["p50_ms"]:
            value = numerator["p50_ms"] / denominator["p50_ms"]
        results.append(
            (
                f"{label} <= {maximum}x",
                "-" if value is None else f"{value:.2f}x",
                None if value is None else value <= maximum,
            )
        )

    latency_ratio(
        f"limit=50 p50 at {large:,} vs at {small:,}",
        find(rows, "product list limit=50", large),
        find(rows, "product list limit=50", small),
        1.2,
    )
    latency_ratio(
        "/api/products-full p50 vs product list (all) at 10,000",
        find(rows, "gateway /api/products-full", middle),
        find(rows, "product list (all)", middle),
        3,
    )
    cpu = checks.get("cpu_seconds_per_1000_requests", {})
    value = None
    if "gateway" in cpu and cpu["direct"].get("product"):
        value = cpu["gateway"]["gateway"] / cpu["direct"]["product"]
    results.append(
        (
            "gateway CPU per request <= 60% of the product service's",
            "-" if value is None else f"{value:.0%}",
            None if value is None else value <= 0.60,
        )
    )
    for label, memory in checks.get("worker_memory_mb", {}).items():
        rss = [
            (worker["rss"], name)
            for name, workers in memory.items()
            if name != "floor"
            for worker in workers
        ]
        if not rss:
            continue
        largest, role = max(rss)
        when = "the end of the run" if label == "end" else f"the {int(label):,} catalog"
        results.append(
            (
                f"resident memory per worker <= {MAX_WORKER_RSS_MB} MB, after {when}",
                f"largest {largest:.0f} MB ({role})",
                largest <= MAX_WORKER_RSS_MB,
            )
        )
    cold = {
        name: seconds
        for name, seconds in checks.get("cold_start_s", {}).items()
        if name != "floor"
    }
    if cold:
        slowest = max(cold, key=cold.get)
        results.append(
            (
                f"cold start to first 200 on /health <= {MAX_COLD_START_S} s",
                f"slowest {cold[slowest]:.2f} s ({slowest})",
                cold[slowest] <= MAX_COLD_START_S,
            )
        )
    return results


def markdown(bench):
    rows = bench.rows
    lines = [
        f"Run {bench.run_id}: {bench.repeat} runs of {bench.duration} s per "
        "scenario, medians; ratios against floors measured in the same run.",
        "",
        "| scenario | catalog | cache | conns | req/s | p50 ms | p99 ms | errors "
        "| vs floor |",
        "|---|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        catalog = f"{row['catalog']:,}" if row["catalog"] else "-"
        rps = _fmt(row["rps"], 0 if row["rps"] >= 10 else 1)
        lines.append(
            f"| {row['scenario']} | {catalog} | {row['cache']} "
            f"| {row['connections']} | {rps} "
            f"| {_fmt(row['p50_ms'], 2)} "
            f"| {_fmt(row['p99_ms'], 2)} | {_errors(row)} | {_ratio_text(row, rows)} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(bench):
        verdict = "not measured" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {verdict} |")
    lines += ["", "```json", json.dumps(_checks_summary(bench.checks), indent=1), "```"]
    return "\n".join(lines) + "\n"


def _checks_summary(checks):
    summary = dict(checks)
    for key in ("audit_after_hot_rows", "final_audit"):
        if key in summary:
            summary[key] = {
                name: value
                for name, value in summary[key].items()
                if name != "first_mismatches" or value
            }
    return summary


def chart(bench, path):
    """p50 against catalog size, log-log; None when matplotlib cannot be had."""
    if importlib.util.find_spec("matplotlib") is None:
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "matplotlib"],
            capture_output=True,
            check=False,
        )
        if installed.returncode != 0:
            return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for scenario, cache in CHART_LINES:
        points = sorted(
            (row["catalog"], row["p50_ms"])
            for row in bench.rows
            if row["scenario"] == scenario
            and row["cache"] == cache
            # A run in which nothing was answered has no latency to draw.
            and row["p50_ms"]
        )
        if points:
            sizes, latencies = zip(*points, strict=True)
            connections = next(
                row["connections"]
                for row in bench.rows
                if row["scenario"] == scenario and row["cache"] == cache
            )
            axes.plot(
                sizes,
                latencies,
                marker="o",
                label=f"{scenario} ({connections} conns)",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("products in the catalog")
    axes.set_ylabel("p50 latency (ms), response cache missed")
    axes.set_title(f"StockWiz latency against catalog size ({bench.run_id})")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def write(bench):
    stack.RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "run_id": bench.run_id,
        "duration_s": bench.duration,
        "repeat": bench.repeat,
        "sizes": bench.sizes,
        "rows": [
            {**row, "ratio_to_floor": ratio(row, bench.rows)} for row in bench.rows
        ],
        "checks": bench.checks,
        "targets": [
            {"target": target, "measured": measured, "met": met}
            for target, measured, met in targets(bench)
        ],
    }
    paths = {
        "json": stack.RESULTS / "latest.json",
        "markdown": stack.RESULTS / "latest.md",
        "chart": stack.RESULTS / "latency_vs_catalog.png",
    }
    text = json.dumps(document, indent=1, default=str)
    paths["json"].write_text(text)
    (stack.RESULTS / f"{bench.run_id}.json").write_text(text)
    table = markdown(bench)
    paths["markdown"].write_text(table)
    (stack.RESULTS / f"{bench.run_id}.md").write_text(table)
    if chart(bench, paths["chart"]) is None:
        paths["chart"] = "(no chart: matplotlib could not be installed)"
    return paths


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    path = argv[0] if argv else stack.RESULTS / "latest.json"
    with open(path) as source:
        document = json.load(source)
    bench = types.SimpleNamespace(
        run_id=document["run_id"],
        repeat=document["repeat"],
        duration=document["duration_s"],
        sizes=document["sizes"],
        rows=document["rows"],
        checks=document["checks"],
    )
    print(markdown(bench), end="")


if __name__ == "__main__":
    main()
