"""The benchmark set for the two-size query-count tests, seeded once per test process and replayed after that.

`seed_scaled(scale)` is what `copsite.demo.seed_scaled` writes, row for row. On PostgreSQL, the first time a
process needs a given sequence of scales (a two-size test grows 1 then 10, or 3 then 30), a helper thread runs the
real `copsite.demo.seed_scaled` on its own connection, in a transaction it rolls back, and keeps each step's new
rows as binary COPY data. Every test that grows the same way then gets exactly those rows with two COPY statements
per table instead of building tens of thousands of objects in Python: the same data, in a second instead of ten.

The replayed rows keep the ids the helper thread drew from the sequences (which never go back), so they cannot
collide with rows a test creates before or after. Any other situation (SQLite, benchmark rows that were not
replayed, an unexpected order of scales) seeds for real.
"""

import threading
from dataclasses import dataclass, field

from django.db import connection, transaction

from copsite import demo
from copsite.demo.members import BENCH_DOMAIN
from members.models import User


@dataclass
class Step:
    """What one more call of seed_scaled changed, table by table: rows to remove, then rows to add."""

    bench_people_before: int
    removed: dict[str, list[int]]  # table -> ids of earlier benchmark rows this step changed or deleted
    rows: dict[str, bytes]  # table -> binary COPY data of the rows this step added or changed


@dataclass
class Capture:
    scales: tuple[int, ...]
    steps: list[Step] = field(default_factory=list)


REPLAYED = {(1, 10)}  # the growth (scales) most two-size tests use
_captures: dict[tuple[int, ...], Capture] = {}
_replayed: dict[str, tuple[int, ...]] = {"scales": ()}


def _tables_with_ids(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id' AND table_name NOT LIKE 'pg_%' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def _max_ids(cursor, tables: list[str]) -> dict[str, int]:
    highest = {}
    for table in tables:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - names from the catalog
        highest[table] = int(cursor.fetchone()[0])
    return highest


def _capture_step(cursor, tables: list[str], before: dict[str, int], people: int) -> Step:
    """The rows of benchmark ids (above `before`) that differ from the copy kept after the previous step (in
    temporary tables), then a fresh copy for the next step. Table names come from the catalog, ids are ints."""
    removed, rows = {}, {}
    for table in tables:
        mine = f'SELECT * FROM "{table}" WHERE id > {before[table]}'  # noqa: S608
        kept = f'"bench_kept_{table}"'
        cursor.execute(f"SELECT to_regclass('pg_temp.{kept}')")
        had_copy = cursor.fetchone()[0] is not None
        changed = mine
        if had_copy:
            cursor.execute(
                f"SELECT k.id FROM {kept} k LEFT JOIN ({mine}) t ON t.id = k.id "  # noqa: S608
                "WHERE t.id IS NULL OR ROW(t.*) IS DISTINCT FROM ROW(k.*)"
            )
            removed[table] = [int(row[0]) for row in cursor.fetchall()]
            gone = "ARRAY[" + ",".join(map(str, removed[table])) + "]::bigint[]"
            changed += f" AND id NOT IN (SELECT k.id FROM {kept} k WHERE k.id <> ALL({gone}))"  # noqa: S608
        cursor.execute(f"SELECT EXISTS ({changed})")
        if cursor.fetchone()[0]:
            with cursor.cursor.copy(f"COPY ({changed}) TO STDOUT (FORMAT BINARY)") as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
        if had_copy:
            cursor.execute(f"DROP TABLE {kept}")
        cursor.execute(f"CREATE TEMP TABLE {kept} ON COMMIT DROP AS {mine}")
    return Step(people, {t: ids for t, ids in removed.items() if ids}, rows)


def _capture(scales: tuple[int, ...]) -> Capture:
    """Run seed_scaled for each scale on a fresh connection, keep what each step changed, roll it all back."""
    capture = Capture(scales)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    tables = _tables_with_ids(cursor)
                    before = _max_ids(cursor, tables)
                for scale in scales:
                    people = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").count()
                    demo.seed_scaled(scale)
                    with connection.cursor() as cursor:
                        capture.steps.append(_capture_step(cursor, tables, before, people))
                transaction.set_rollback(True)
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            failure.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="benchmark-capture")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return capture


def _replay(step: Step) -> None:
    """Remove the rows the step changed or deleted, then add its rows, with the ids the helper drew."""
    with connection.cursor() as cursor:
        for table, ids in step.removed.items():
            cursor.execute(f'DELETE FROM "{table}" WHERE id = ANY(%s)', [ids])  # noqa: S608
        for table, data in step.rows.items():
            with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data)


def forget_replayed() -> None:
    """A new test starts without replayed benchmark rows (its transaction rolled the last ones back)."""
    _replayed["scales"] = ()


def seed_scaled(scale: int) -> dict[str, int] | None:
    """Add the benchmark set of `scale` on top of what exists: replayed where it can be, seeded otherwise."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return demo.seed_scaled(scale)
    people = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").count()
    done = _replayed["scales"] if people else ()
    if (people and not done) or len(done) > 1 or (done and scale != done[0] * 10):
        # Benchmark rows that were not replayed, or an unusual growth: seed for real.
        _replayed["scales"] = ()
        return demo.seed_scaled(scale)
    # A first step also captures the usual second one (tenfold), which every two-size test asks for next. Only
    # the growth most tests share is worth capturing: a capture costs about one real seeding more.
    key = (done[0], scale) if done else (scale, scale * 10)
    if key not in REPLAYED:
        _replayed["scales"] = ()
        return demo.seed_scaled(scale)
    capture = _captures.get(key)
    if capture is None:
        capture = _captures[key] = _capture(key)
    step = len(done)
    if capture.steps[step].bench_people_before != people:
        _replayed["scales"] = ()
        return demo.seed_scaled(scale)
    _replay(capture.steps[step])
    _replayed["scales"] = (*done, scale)
    return None
