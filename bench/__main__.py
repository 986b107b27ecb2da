"""The benchmark suite: `python -m bench [--size S|M|L] [--runs N] [--json] [--workers N]`.

Builds the dataset of a size with the demo generator on a fresh embedded database (timing the
load), starts the app as its own process on loopback, and measures every named query over
HTTP with a lean client (`bench/client.py`): median and p95 at concurrency 1, requests per
second at concurrency 16, database round trips per request, and the same data fetched straight
from the driver with one Cypher query (the ratio is the cost of our layer). Peak memory (RSS)
of the app and the database processes comes from the kernel. All figures of a run come from
that one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.client import Connection, post_request
from bench.queries import QUERIES, BenchQuery
from graph.driver import Database
from graph.embedded import EmbeddedServer, free_port
from graph.migrations import migrate
from graph.seed import build, load, seed_demo

RESULTS = Path(__file__).with_name("results")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def with_children(pid: int) -> list[int]:
    """The process and its child processes (the workers of `kam serve --workers N`)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(c) for c in children)
    return pids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load_dataset(db: Database, size: str, password: str) -> dict[str, Any]:
    await migrate(db)
    dataset = build(size)
    nodes, rels = dataset.count()
    done = {"n": 0}
    total = nodes + rels
    last = [0.0]

    def progress(_name: str, n: int) -> None:
        done["n"] += n
        if time.monotonic() - last[0] > 2:
            last[0] = time.monotonic()
            log(f"  load: {done['n']:,}/{total:,} rows ({100 * done['n'] // total}%)")

    started = time.perf_counter()
    await load(db, dataset, progress)
    seconds = time.perf_counter() - started
    await seed_demo(db, password, size="S")  # the demo logins (the data is already there)
    return {
        "nodes": nodes,
        "relationships": rels,
        "seconds": round(seconds, 1),
        "rows_per_s": round(total / seconds),
        "relationships_per_s": round(rels / seconds),
    }


def start_app(connection: Any, workers: int, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "KAM_DB_URI": connection.uri,
        "KAM_DB_USER": connection.user,
        "KAM_DB_PASSWORD": connection.password,
        "KAM_DB_NAME": connection.database,
        "KAM_PORT": str(port),
        "KAM_DATA_DIR": str(data_dir),
        "KAM_EXPOSE_METRICS": "true",
        # One client on loopback sends everything: the rate limits would measure themselves.
        "KAM_RATE_LIMIT_PER_MINUTE": "100000000",
        "KAM_RATE_LIMIT_PER_MINUTE_ADDRESS": "100000000",
        "KAM_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "kam", "serve", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the app did not become ready")


def token(url: str, username: str, password: str) -> str:
    body = httpx.post(
        f"{url}/graphql",
        json={
            "query": (
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
            ),
            "variables": {"u": username, "p": password},
        },
    ).json()
    return str(body["data"]["login"]["token"])


def graphql_request(url: str, query: BenchQuery, headers: dict[str, str]) -> bytes:
    return post_request(
        url, "/graphql", {"query": query.graphql, "variables": query.variables}, headers
    )


async def measure_graphql(
    url: str, headers: dict[str, str], query: BenchQuery, runs: int
) -> dict[str, Any]:
    request = graphql_request(url, query, headers)
    connection = await Connection.open(url)
    try:
        for _ in range(max(3, runs // 10)):
            body = (await connection.send(request)).json()
            if not isinstance(body, dict) or body.get("errors"):
                raise SystemExit(f"{query.name}: {body}"[:500])
        timings = []
        responses = []
        for _ in range(runs):
            started = time.perf_counter()
            response = await connection.send(request)
            timings.append((time.perf_counter() - started) * 1000)
            responses.append(response)
    finally:
        await connection.close()
    trips = [r.json()["extensions"]["dbRoundTrips"] for r in responses]  # type: ignore[index]
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "round_trips": max(trips),
        "bytes": len(responses[-1].body),
    }


async def throughput(
    url: str, headers: dict[str, str], query: BenchQuery, concurrency: int, seconds: float
) -> float:
    request = graphql_request(url, query, headers)
    connections = [await Connection.open(url) for _ in range(concurrency)]
    done = 0
    failed = 0
    deadline = time.perf_counter() + seconds

    async def caller(connection: Connection) -> None:
        nonlocal done, failed
        while time.perf_counter() < deadline:
            if (await connection.send(request)).status != 200:
                failed += 1
            done += 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(caller(c) for c in connections))
        elapsed = time.perf_counter() - started
    finally:
        for connection in connections:
            await connection.close()
    if failed:
        raise SystemExit(f"{query.name}: {failed} of {done} requests failed at c{concurrency}")
    return round(done / elapsed, 1)


async def measure_raw(db: Database, query: BenchQuery, runs: int) -> float:
    for _ in range(max(3, runs // 10)):
        await query.raw(db)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await query.raw(db)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="KAM Graph benchmark suite (see bench/__main__.py)."
    )
    parser.add_argument("--size", choices=["S", "M", "L"], default="S")
    parser.add_argument("--runs", type=int, default=200, help="requests per query at concurrency 1")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of each throughput run"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="app worker processes")
    parser.add_argument("--only", default="", help="comma-separated query names")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database (else it is deleted)"
    )
    args = parser.parse_args()
    password = "bench-password-1"  # noqa: S105 - the throw-away bench database's demo users
    tmp = Path(tempfile.mkdtemp(prefix=f"kam-bench-{args.size}-"))
    log(f"size {args.size}: data in {tmp}")
    server = EmbeddedServer(tmp / "db", "kam", "2g" if args.size == "L" else "1g")
    connection = server.start()
    app: subprocess.Popen[bytes] | None = None
    try:

        async def prepare() -> dict[str, Any]:
            db = await Database.connect(
                connection.uri, connection.user, connection.password, connection.database
            )
            try:
                return await load_dataset(db, args.size, password)
            finally:
                await db.close()

        log("building the dataset ...")
        loaded = asyncio.run(prepare())
        log(
            f"loaded {loaded['nodes']:,} nodes, "
            f"{loaded['relationships']:,} relationships in {loaded['seconds']} s"
        )
        app, url = start_app(connection, args.workers, tmp / "app")
        tokens = {role: token(url, role, password) for role in ("executive", "account_manager")}
        selected = [
            q
            for q in QUERIES
            if args.size in q.sizes and (not args.only or q.name in args.only.split(","))
        ]
        results: dict[str, Any] = {}
        # Per query: the c16 run first (it warms the app and the database's JIT for this
        # query), then c1, then the raw Cypher right after, on the same warm database.
        with asyncio.Runner() as runner:
            db = runner.run(
                Database.connect(
                    connection.uri, connection.user, connection.password, connection.database
                )
            )
            try:
                for query in selected:
                    log(f"measuring {query.name} ...")
                    headers = {"Authorization": f"Bearer {tokens[query.role]}"}
                    rps = runner.run(
                        throughput(url, headers, query, args.concurrency, args.seconds)
                    )
                    results[query.name] = runner.run(
                        measure_graphql(url, headers, query, args.runs)
                    )
                    results[query.name]["rps_c16"] = rps
                    raw = runner.run(measure_raw(db, query, args.runs))
                    results[query.name]["raw_cypher_median_ms"] = raw
                    results[query.name]["ratio_graphql_to_raw"] = (
                        round(results[query.name]["median_ms"] / raw, 2) if raw else None
                    )
            finally:
                runner.run(db.close())
        report = {
            "size": args.size,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cores": os.cpu_count(),
                "memory_gib": round(
                    os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
                ),
                "python": platform.python_version(),
            },
            "workers": args.workers,
            "runs": args.runs,
            "load": loaded,
            "queries": results,
            "peak_rss_mib": {
                "app": round(sum(peak_rss_mib(pid) for pid in with_children(app.pid)), 1),
                "database": peak_rss_mib(connection.pid),
            },
        }
    finally:
        if app is not None:
            app.terminate()
            app.wait(20)
        server.stop()
        if args.keep:
            log(f"the database stays in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{args.size}-w{args.workers}.json"
    out.write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report))
    else:
        print(table(report))
        log(f"written to {out}")
    return 0


def table(report: dict[str, Any]) -> str:
    lines = [
        f"size {report['size']}, {report['machine']['cores']} cores, "
        f"{report['machine']['memory_gib']} GiB, "
        f"{report['workers']} worker(s), {report['runs']} runs per query",
        "",
        "| query | median ms | p95 ms | req/s at c16 | round trips | raw Cypher ms "
        "| GraphQL ÷ raw |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in report["queries"].items():
        lines.append(
            f"| {name} | {r['median_ms']} | {r['p95_ms']} | {r['rps_c16']} | {r['round_trips']} | "
            f"{r['raw_cypher_median_ms']} | {r['ratio_graphql_to_raw']} |"
        )
    load_ = report["load"]
    lines += [
        "",
        f"load: {load_['nodes']:,} nodes and {load_['relationships']:,} relationships in "
        f"{load_['seconds']} s "
        f"({load_['relationships_per_s']:,} relationships/s); peak RSS app "
        f"{report['peak_rss_mib']['app']} MiB, "
        f"database {report['peak_rss_mib']['database']} MiB",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
