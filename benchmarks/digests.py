"""Digest benchmark (not a test): build every digest and report due at benchmark scale, without SMTP.

Usage, against PostgreSQL with the benchmark set loaded (`manage.py seed_demo --scale 100`: 10,000 members,
300 communities):
    DATABASE_URL=postgres://.../copsite_bench .venv/bin/python benchmarks/digests.py [--kinds member_digest ...]
        [--batch 100] [--as-configured] [--render]
For each kind it plans with `force` (as the send command does), then calls the kind's builder over batches of
`--batch` deliveries, each loaded as `deliveries_send` loads it, and prints per kind: recipients, mails built,
deliveries with nothing new, queries per batch, and the time to plan and to build. The target is under 60 seconds
for all kinds together, on one worker, excluding SMTP. `--render` also times rendering each mail's subject, text
and HTML (what sending adds before SMTP), reported apart from building.

Every kind is planned weekly (the sponsor report is monthly by default: this process plans it weekly unless
`--as-configured`); members' own preferences still apply. The database is left as it was: everything runs in
one transaction that is rolled back at the end, including the Delivery rows planning inserts and, on a database
whose deliveries table is not there yet, the migrations applied to create it.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.unsubscribe import unsubscribe_url  # noqa: E402
from insights.deliveries import DIGEST_KINDS, Mail, batches, deliveries_plan  # noqa: E402
from insights.models import Delivery  # noqa: E402
from members.notifications import MAIL_KINDS, Frequency  # noqa: E402

TARGET_SECONDS = 60


@dataclass
class KindResult:
    key: str
    recipients: int = 0
    mails: int = 0
    nothing_new: int = 0
    batches: int = 0
    plan_seconds: float = 0.0
    build_seconds: float = 0.0
    build_cpu_seconds: float = 0.0  # this process only (PostgreSQL's share of the work is in the wall time)
    render_seconds: float = 0.0
    min_queries: int = 0
    max_queries: int = 0


class QueryCounter:
    """Counts the queries run inside it (without keeping their SQL, as CaptureQueriesContext would)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def render(mail: Mail, row: Delivery) -> None:
    """What send_templated_mail renders for one delivery (subject, text and HTML), without sending."""
    from django.conf import settings

    context = {
        **mail.context,
        "unsubscribe_url": unsubscribe_url(row.recipient_id, row.kind),
        "recipient": row.recipient,
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
    }
    for part in ("subject.txt", "body.txt", "body.html"):
        render_to_string(f"mail/{mail.template}_{part}", context)


def bench_kind(key: str, *, batch_size: int, with_render: bool) -> KindResult:
    result = KindResult(key)
    kind = DIGEST_KINDS[key]
    started = time.perf_counter()
    ids = deliveries_plan(key, now=timezone.now(), force=True)
    result.plan_seconds = time.perf_counter() - started
    result.recipients = len(ids)
    counts = []
    for batch in batches(ids, batch_size):
        counter = QueryCounter()
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            # Loaded as deliveries_send loads its claimed rows.
            rows = list(
                Delivery.objects.filter(pk__in=batch).select_related(
                    "recipient", "recipient__profile", "community"
                )
            )
            mails = kind.build(rows)
        result.build_seconds += time.perf_counter() - started
        result.build_cpu_seconds += time.process_time() - cpu_started
        counts.append(counter.count)
        result.batches += 1
        built = [(row, mails.get(row.pk)) for row in rows]
        result.mails += sum(1 for _, mail in built if mail is not None)
        result.nothing_new += sum(1 for _, mail in built if mail is None)
        if with_render:
            started = time.perf_counter()
            for row, mail in built:
                if mail is not None:
                    render(mail, row)
            result.render_seconds += time.perf_counter() - started
    if counts:
        result.min_queries, result.max_queries = min(counts), max(counts)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="*", default=None, help="digest kinds (default: all)")
    parser.add_argument("--batch", type=int, default=100, help="deliveries per batch (default 100)")
    parser.add_argument("--as-configured", action="store_true", help="each kind at its default frequency")
    parser.add_argument("--render", action="store_true", help="also time rendering the mails")
    args = parser.parse_args()
    keys = args.kinds or list(DIGEST_KINDS)
    if not args.as_configured:
        for key in keys:
            if Frequency.WEEKLY in DIGEST_KINDS[key].frequencies:
                MAIL_KINDS[key] = replace(MAIL_KINDS[key], default=Frequency.WEEKLY)

    print("Load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), f"on {os.cpu_count()} CPUs")
    results = []
    with transaction.atomic():
        if "insights_delivery" not in connection.introspection.table_names():
            print(
                "The deliveries table is missing: applying migrations inside the transaction (rolled back)."
            )
            call_command("migrate", verbosity=0, interactive=False)
        for key in keys:
            result = bench_kind(key, batch_size=args.batch, with_render=args.render)
            results.append(result)
            print(
                f"{key:20} {result.recipients:6} deliveries in {result.batches:3} batches: "
                f"{result.mails:6} mails, {result.nothing_new:6} nothing new; "
                f"{result.min_queries}-{result.max_queries} queries per batch; "
                f"plan {result.plan_seconds:6.2f} s, build {result.build_seconds:6.2f} s "
                f"({result.build_cpu_seconds:.2f} s CPU here)"
                + (f", render {result.render_seconds:6.2f} s" if args.render else ""),
                flush=True,
            )
        transaction.set_rollback(True)
    build_total = sum(r.build_seconds for r in results)
    plan_total = sum(r.plan_seconds for r in results)
    print(
        f"{'total':20} {sum(r.recipients for r in results):6} deliveries: build {build_total:.2f} s "
        f"({sum(r.build_cpu_seconds for r in results):.2f} s CPU here), "
        f"plan {plan_total:.2f} s, together {build_total + plan_total:.2f} s "
        f"(target under {TARGET_SECONDS} s, excluding SMTP)"
        + (f"; rendering {sum(r.render_seconds for r in results):.2f} s more" if args.render else "")
    )
    print("Rolled back: no Delivery rows (or migrations) were kept.")


if __name__ == "__main__":
    main()
