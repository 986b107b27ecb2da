"""Embedded default: time from start to first answered query, and the memory it holds.

Run: `python -m bench.startup [--runs N] [--json]`. Each run starts a fresh server on a
fresh data directory (cold) and then again on the same directory (warm, data reused).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graph.driver import Database
from graph.embedded import EmbeddedServer


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def first_query(uri: str, user: str, password: str, database: str) -> None:
    db = await Database.connect(uri, user, password, database)
    try:
        await db.read("RETURN 1 AS ok")
    finally:
        await db.close()


def one_start(data_dir: Path) -> tuple[float, float]:
    server = EmbeddedServer(data_dir, "kam", "1g")
    started = time.perf_counter()
    conn = server.start()
    asyncio.run(first_query(conn.uri, conn.user, conn.password, conn.database))
    seconds = time.perf_counter() - started
    memory = rss_mib(conn.pid)
    server.stop()
    return seconds, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    cold, warm, rss = [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            c, m = one_start(Path(tmp))
            w, m2 = one_start(Path(tmp))
        cold.append(c)
        warm.append(w)
        rss.extend([m, m2])
        if not args.json:
            print(
                f"run {run + 1}/{args.runs}: cold {c:.2f} s, warm {w:.2f} s, RSS {m:.0f} MiB",
                file=sys.stderr,
            )
    result = {
        "cores": os.cpu_count(),
        "runs": args.runs,
        "cold_start_to_first_query_s_median": round(statistics.median(cold), 2),
        "warm_start_to_first_query_s_median": round(statistics.median(warm), 2),
        "database_rss_mib_median": round(statistics.median(rss)),
    }
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
