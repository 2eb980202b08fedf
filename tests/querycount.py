"""The two-size query-count helper: a page must run the same number of SQL queries whatever the data size.

`assert_constant_queries(client, url)` seeds a small benchmark set (the same code as `seed_demo --scale`),
renders the page and counts its queries; then grows the data to at least ten times as many rows in every
table the page reads, renders again, and asserts both the count and that the growth really happened.
"""

import re
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.benchdata import seed_scaled

TABLE_PATTERN = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', re.IGNORECASE)
# Tables a request reads by key whatever the data size (the session, the viewer's own rows).
PER_REQUEST_TABLES = {"django_session", "django_content_type", "django_site", "account_emailaddress"}


def tables_read(queries: list[dict]) -> set[str]:
    return {table for query in queries for table in TABLE_PATTERN.findall(query["sql"])}


def row_counts(tables: set[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names come from our own SQL
            counts[table] = cursor.fetchone()[0]
    return counts


def forget_fragments() -> None:
    """Empty the cached fragments and versions (core.fragments, core.versions), keeping sessions and the rest."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        for pattern in ("frag:*", "version:*"):
            keys = list(client.scan_iter(f"{settings.CACHE_KEY_PREFIX}:*:{pattern}", count=1000))
            if keys:
                client.delete(*keys)
    else:
        for key in list(cache._cache):
            if ":frag:" in key or ":version:" in key:
                cache.delete(key.split(":", 2)[2])


def count_queries(
    client, url: str, *, expected_status: int = 200, cold: bool = False
) -> tuple[int, list[dict]]:
    """The queries of one steady-state request (a first, unmeasured request fills per-user caches); `cold`
    measures it with no cached fragment, as after a change of the data."""
    client.get(url)
    if cold:
        forget_fragments()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == expected_status, f"{url} answered {response.status_code}"
    return len(captured.captured_queries), captured.captured_queries


def assert_constant_queries(
    client,
    url: str,
    *,
    grow: Callable[[int], object] = seed_scaled,
    small: int = 1,
    factor: int = 10,
    expected: int | None = None,
    expected_status: int = 200,
    exempt_tables: set[str] = frozenset(),
    cold: bool = False,
) -> int:
    """Render `url` at two data sizes and assert the same query count (and `expected`, when given); `cold`
    counts with no cached fragment (`count_queries`)."""
    grow(small)
    small_count, small_queries = count_queries(client, url, expected_status=expected_status, cold=cold)
    tables = tables_read(small_queries) - PER_REQUEST_TABLES - set(exempt_tables)
    before = row_counts(tables)

    grow(small * factor)
    large_count, large_queries = count_queries(client, url, expected_status=expected_status, cold=cold)
    after = row_counts(tables)

    not_grown = {t: (before[t], after[t]) for t in tables if after[t] < factor * max(before[t], 1)}
    assert not not_grown, f"these tables did not grow {factor}x, so the check proves nothing: {not_grown}"
    assert small_count == large_count, (
        f"{url}: {small_count} queries with small data, {large_count} with {factor}x more.\n"
        + "\n".join(q["sql"][:200] for q in large_queries)
    )
    if expected is not None:
        assert small_count == expected, (
            f"{url}: expected {expected} queries, got {small_count}:\n"
            + "\n".join(q["sql"][:200] for q in small_queries)
        )
    return small_count


def assert_constant_function_queries(
    run: Callable[[], object],
    *,
    grow: Callable[[int], object] = seed_scaled,
    small: int = 1,
    factor: int = 10,
    expected: int | None = None,
    exempt_tables: set[str] = frozenset(),
) -> int:
    """The same check for a function (a digest builder's batch, a task): run it at two data sizes and assert the
    same query count, with every table it reads grown tenfold. `run` should do the same amount of work (e.g. one
    batch of 20 recipients) at both sizes; what it reads around them is what grows."""

    def measure() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as captured:
            run()
        return len(captured.captured_queries), captured.captured_queries

    grow(small)
    small_count, small_queries = measure()
    tables = tables_read(small_queries) - PER_REQUEST_TABLES - set(exempt_tables)
    before = row_counts(tables)
    grow(small * factor)
    large_count, large_queries = measure()
    after = row_counts(tables)
    not_grown = {t: (before[t], after[t]) for t in tables if after[t] < factor * max(before[t], 1)}
    assert not not_grown, f"these tables did not grow {factor}x, so the check proves nothing: {not_grown}"
    assert small_count == large_count, (
        f"{small_count} queries with small data, {large_count} with {factor}x more.\n"
        + "\n".join(q["sql"][:200] for q in large_queries)
    )
    if expected is not None:
        assert small_count == expected, f"expected {expected} queries, got {small_count}:\n" + "\n".join(
            q["sql"][:200] for q in small_queries
        )
    return small_count
