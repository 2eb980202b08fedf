"""Search benchmark (not a test): run the committed queries against the benchmark set, report p50/p95.

Usage, against PostgreSQL with the benchmark set loaded (`manage.py seed_demo --scale 100`):
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/search.py [--viewer EMAIL] [--rounds 3] [--by-type]
The target is p95 under 100 ms for the whole grouped search page's queries. One untimed page first warms the
process (URL patterns, the database's dictionaries), as a running server is. `--by-type` also reports each
group's own p50/p95 and the slowest pages. It also prints the plan of one full-text query, which must show the
GIN index.
"""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from copsite.search import TYPES, search_all  # noqa: E402
from copsite.selectors import search_scope  # noqa: E402
from core.search_support import clean_query  # noqa: E402
from members.models import User  # noqa: E402


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def by_type(viewer: User, queries: list[str], rounds: int) -> None:
    """Each group's own p50/p95, and the slowest pages by group: each type searched as `search_all` does (the
    communities searched found once per page: "scope")."""
    timings, pages = defaultdict(list), []
    for _ in range(rounds):
        for text in queries:
            query, page = clean_query(text), {}
            started = time.perf_counter()
            scope = search_scope(viewer).scope  # once per page, as the search page does
            page["scope"] = (time.perf_counter() - started) * 1000
            timings["scope"].append(page["scope"])
            for search_type in TYPES:
                started = time.perf_counter()
                results = search_type.search(scope, query, offset=0, limit=5)
                [str(hit.snippet) for hit in results.hits]
                page[search_type.key] = (time.perf_counter() - started) * 1000
                timings[search_type.key].append(page[search_type.key])
            pages.append((sum(page.values()), text, page))
    for key, values in timings.items():
        p50, p95 = percentiles(values)
        print(f"  {key:12} p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")
    print("  slowest pages:")
    for total, text, page in sorted(pages, key=lambda item: item[0])[-5:]:
        print(f"  {total:6.1f} ms {text!r}: " + ", ".join(f"{key} {ms:.1f}" for key, ms in page.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewer", default="member5@bench.copsite.example")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--by-type", action="store_true", help="also report each group's timings")
    args = parser.parse_args()
    viewer = User.objects.get(email=args.viewer)
    lines = Path(__file__).with_name("search_queries.txt").read_text().splitlines()
    queries = [line for line in lines if line.strip() and not line.startswith("#")]
    search_all(search_scope(viewer).scope, clean_query(queries[0]))  # warm-up, untimed
    timings = []
    for _ in range(args.rounds):
        for text in queries:
            started = time.perf_counter()
            groups = search_all(search_scope(viewer).scope, clean_query(text))
            for _type, results in groups:
                [str(hit.snippet) for hit in results.hits]
            timings.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(timings)
    print(
        f"{len(queries)} queries x {args.rounds} rounds on {connection.vendor}: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    if args.by_type:
        by_type(viewer, queries, args.rounds)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT id FROM activities_reply WHERE search_vector @@ websearch_to_tsquery('english', %s)",
                ["workshop"],
            )
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
