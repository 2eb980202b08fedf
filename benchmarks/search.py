"""Search benchmark (not a test): run the committed queries against the benchmark set, report p50/p95.

Usage, against PostgreSQL with the benchmark set loaded (`manage.py seed_demo --scale 100`):
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/search.py [--viewer EMAIL] [--rounds 3]
The target is p95 under 100 ms for the whole grouped search page's queries. It also prints the plan of one
full-text query, which must show the GIN index.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from copsite.search import search_all  # noqa: E402
from members.models import User  # noqa: E402
from members.search_support import clean_query  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewer", default="member5@bench.copsite.example")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    viewer = User.objects.get(email=args.viewer)
    lines = Path(__file__).with_name("search_queries.txt").read_text().splitlines()
    queries = [line for line in lines if line.strip() and not line.startswith("#")]
    timings = []
    for _ in range(args.rounds):
        for text in queries:
            started = time.perf_counter()
            groups = search_all(viewer=viewer, query=clean_query(text))
            for _type, results in groups:
                [str(hit.snippet) for hit in results.hits]
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{len(queries)} queries x {args.rounds} rounds on {connection.vendor}: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT id FROM activities_reply WHERE search_vector @@ websearch_to_tsquery('english', %s)",
                ["workshop"],
            )
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
