"""Crawl workers benchmark: documents per second with 1, 2 and 4 `monitor worker`s on the real PostgreSQL.

The pages sit on loopback hosts that answer each request after 200 ms (I/O bound, as real sites
are); one job per host batch, one request at a time per host. For each worker count, on a fresh
database: the wall time from planning to the last document recorded, documents/s, and the CPU
seconds of the workers and their crawler children per document. Then an estimate, from the
figures, of the workers and the database size that 1M documents a day need.

Run: python bench/workers.py [--hosts 12] [--per-host 10] [--latency 0.2] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import resource
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from monitor.app.context import open_app
from monitor.app.queue import plan_now
from monitor.config import load_config
from tests.support.dbs import postgres_database
from tests.support.sites import LoopbackSite
from tests.support.workers import start_worker, worker_config

DAY = 86_400
#: Database growth per 1,000 unchanged documents per cycle (bench/storage_growth.py, SQLite, bodies as deltas).
MB_PER_1000_UNCHANGED = 0.83


def page(host: int, number: int) -> str:
    clauses = "".join(f"<p>Clause {n} of policy {number} on site {host}: we keep data {n} days.</p>" for n in range(20))
    return f"<html><body><main><h1>Privacy policy</h1>{clauses}</main></body></html>"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(workers: int, hosts: int, per_host: int, latency: float) -> tuple[float, float, float]:
    """(wall seconds, documents/s, CPU seconds per document) for one run with `workers` workers."""
    with ExitStack() as stack, TemporaryDirectory() as folder, postgres_database() as url:
        sites = [stack.enter_context(LoopbackSite()) for _ in range(hosts)]
        documents = {}
        for h, site in enumerate(sites):
            for n in range(per_host):
                site.set(f"/p{n}", page(h, n), delay=latency)
                documents[f"s{h}-p{n}"] = site.url(f"/p{n}")
        config_file = worker_config(Path(folder), url, documents)
        app = open_app(load_config(config_file))
        total = hosts * per_host
        cpu_before = children_cpu()
        processes = [start_worker(config_file) for _ in range(workers)]
        with app.engine.connect() as connection:
            count = "SELECT count(*) FROM procrastinate_workers"
            while not app.engine.dialect.has_table(connection, "procrastinate_workers") or (
                connection.execute(text(count)).scalar_one() < workers
            ):
                time.sleep(0.2)
                connection.rollback()
        started = time.perf_counter()
        plan_now(app)
        with app.engine.connect() as connection:
            while connection.execute(text("SELECT count(DISTINCT document_id) FROM snapshot")).scalar_one() < total:
                time.sleep(0.1)
                connection.rollback()
        wall = time.perf_counter() - started
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(60)
        app.engine.dispose()
        return wall, total / wall, (children_cpu() - cpu_before) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--per-host", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    total = args.hosts * args.per_host
    print(f"{total} documents on {args.hosts} loopback hosts, {args.latency * 1000:.0f} ms per request")
    print(f"{'workers':>7} {'wall s':>7} {'docs/s':>7} {'CPU ms/doc':>10}")
    results = {}
    for workers in (int(n) for n in args.workers.split(",")):
        wall, rate, cpu = measure(workers, args.hosts, args.per_host, args.latency)
        results[workers] = (rate, cpu)
        print(f"{workers:>7} {wall:>7.1f} {rate:>7.2f} {cpu * 1000:>10.0f}")
    fewest, most = min(results), max(results)
    cpu = max(c for _, c in results.values())
    need = 1_000_000 / DAY
    print(f"\n1M documents a day = {need:.1f} documents/s")
    for count in sorted({fewest, most}):
        per_worker = results[count][0] / count
        print(f"  workers at {per_worker:.2f} documents/s each (as measured with {count}): {need / per_worker:.0f}")
    print(f"  CPU: {need * cpu:.1f} cores busy at {cpu * 1000:.0f} ms per document")
    daily = MB_PER_1000_UNCHANGED * 1000
    print(f"  database: ~{daily:.0f} MB a day of unchanged fetches, ~{daily * 90 / 1024:.0f} GB over the 90-day")
    print("  retention window (storage.keep_fetches_days), then flat but for the snapshot rows `monitor gc` keeps")


if __name__ == "__main__":
    main()
