"""Rebuild daily snapshots for past days from the membership history and the participation ledger."""

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from communities.models import Community
from insights.snapshots import local_today, snapshots_rebuild


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: “{value}” is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Recompute and store the daily snapshots of past days (one row per community and day, overwritten), "
        "by default the last 365 days up to yesterday for every community."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        first = parser.add_mutually_exclusive_group()
        first.add_argument(
            "--days", type=int, default=365, help="How many days to rebuild, ending on --until (default 365)."
        )
        first.add_argument(
            "--since", metavar="YYYY-MM-DD", help="The first day to rebuild (instead of --days)."
        )
        parser.add_argument(
            "--until",
            metavar="YYYY-MM-DD",
            help="The last day to rebuild (default yesterday; today is not over).",
        )
        parser.add_argument(
            "--community",
            metavar="SLUG",
            nargs="+",
            action="extend",
            dest="communities",
            help="Only these communities (by slug); default every community.",
        )

    def handle(
        self,
        *args,
        days: int,
        since: str | None,
        until: str | None,
        communities: list[str] | None,
        **options,
    ) -> None:
        started = time.monotonic()
        today = local_today()
        last_day = _date("--until", until) if until else today - timedelta(days=1)
        if last_day >= today:
            raise CommandError(
                f"--until {last_day}: that day is not over yet (today is {today}); the last day to rebuild is "
                f"{today - timedelta(days=1)}."
            )
        if since:
            first_day = _date("--since", since)
        elif days < 1:
            raise CommandError(f"--days {days}: rebuild at least one day.")
        else:
            first_day = last_day - timedelta(days=days - 1)
        if first_day > last_day:
            raise CommandError(f"--since {first_day} is after --until {last_day}: nothing to rebuild.")
        community_ids = None
        if communities:
            found = dict(Community.objects.filter(slug__in=communities).values_list("slug", "pk"))
            unknown = [slug for slug in dict.fromkeys(communities) if slug not in found]
            if unknown:
                raise CommandError(f"No community with the slug {', '.join(unknown)}.")
            community_ids = list(found.values())
        stored = snapshots_rebuild(first_day=first_day, last_day=last_day, community_ids=community_ids)
        span = (last_day - first_day).days + 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {stored:,} snapshot{'s' if stored != 1 else ''} for {first_day} to {last_day} "
                f"({span} day{'s' if span != 1 else ''}) in {time.monotonic() - started:.1f} s."
            )
        )
