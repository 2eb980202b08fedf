"""Where a page's time goes: each page of `make bench`, rendered in this process against the benchmark database.

    python benchmarks/profile_pages.py                 # ms per request (test client) for every page
    python benchmarks/profile_pages.py discussion -p   # one page (name contains the word), with a cProfile

The ratio to `/ping/` (the floor, timed just before each page) stays meaningful on a busy machine: `make bench`'s
share of the floor is about 1.4 times its inverse (10 % of the floor is about 14 x /ping/ here, 20 % about 7 x).

Run `make bench` (or `benchmarks/bench.py --setup-only`) once first: it creates the benchmark database. Times are
in-process (no gunicorn, no wrk) with the production settings `make bench` uses; they rank the work, they do not
replace the table.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # after the path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="", help="only the pages whose name contains this")
    parser.add_argument("-n", type=int, default=20, help="requests per URL (default 20)")
    parser.add_argument("-p", "--profile", action="store_true", help="print the 40 costliest functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key (default cumulative)")
    parser.add_argument("-q", "--queries", action="store_true", help="print each query's time and its start")
    parser.add_argument("--only", default="", help="only the functions whose file path matches this regex")
    parser.add_argument("--callers", default="", help="who calls the functions matching this regex")
    args = parser.parse_args()
    bench.setup_django()
    from django.test import Client

    bench.add_long_threads(bench.the_member())
    if not (bench.OUT / "static" / "staticfiles.json").exists():
        bench.manage("collectstatic", "--noinput", "-v", "0")

    rows = [
        page
        for page in bench.pages()
        if not args.name or args.name == page.name or args.name in page.name.split()
    ]
    bench.sign_in(rows)
    floor = Client()
    name, _, key = rows[0].targets[0].cookie.partition("=")
    floor.cookies[name] = key

    def ping_ms() -> float:
        started = time.perf_counter()
        for _ in range(100):
            floor.get("/ping/")
        return (time.perf_counter() - started) * 10

    for page in rows:
        clients = []
        for target in page.targets:
            client = Client()
            name, _, key = target.cookie.partition("=")
            client.cookies[name] = key
            assert client.get(target.path).status_code == 200, target.path
            clients.append((client, target.path))
        ping = ping_ms()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            for client, path in clients:
                client.get(path)
        if profiler:
            profiler.disable()
        per = (time.perf_counter() - started) * 1000 / (args.n * len(clients))
        print(f"{page.name}: {per:.1f} ms per request, {per / ping:.1f} x /ping/ ({ping:.2f} ms)", flush=True)
        if args.queries:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            for client, path in clients[:2]:
                with CaptureQueriesContext(connection) as captured:
                    client.get(path)
                print(f"  {path}")
                for query in captured.captured_queries:
                    print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")
        if profiler:
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(*([args.only] if args.only else []), 40)
            if args.callers:
                stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
