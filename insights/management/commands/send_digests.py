"""Send one kind of digest or report now, for every community or one, without waiting for the schedule."""

import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from communities.models import Community
from insights.deliveries import DIGEST_KINDS, SendResult, batches, deliveries_plan, deliveries_send

DRY_RUN = "dry-run"  # the claim token of a dry run, which claims nothing


class Command(BaseCommand):
    help = (
        "Plan and send one kind of digest or report now: to everyone who would get it for the current period "
        "(their own frequency, even before the send hour), in batches, in this process. Who already got this "
        "period's mail gets nothing: the same rows as the schedule's, so each is still sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            required=True,
            help="coordinator_digest, sponsor_report or member_digest.",
        )
        parser.add_argument(
            "--community",
            metavar="SLUG",
            help="Only this community's recipients: its coordinators, its sponsors (whose report still covers "
            "every community they sponsor) or its members.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent to whom; send nothing and store nothing.",
        )

    def handle(self, *args, kind: str, community: str | None, dry_run: bool, **options) -> None:
        if kind not in DIGEST_KINDS:
            raise CommandError(f"--kind {kind}: unknown kind; use one of {', '.join(sorted(DIGEST_KINDS))}.")
        community_ids = None
        if community:
            found = Community.objects.filter(slug=community).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"--community {community}: no community has this slug.")
            community_ids = [found]
        if dry_run:
            self._dry_run(kind, community_ids)
        else:
            self._send(kind, community_ids)

    def _dry_run(self, kind: str, community_ids: list[int] | None) -> None:
        """Plan and build inside a transaction that is rolled back: the rows exist only while we look."""
        total = SendResult()
        with transaction.atomic():
            ids = deliveries_plan(kind, community_ids=community_ids, force=True)
            for batch in batches(ids):
                result = deliveries_send(batch, token=DRY_RUN, dry_run=True)
                for line in result.previews:
                    self.stdout.write(line)
                total.previews.extend(result.previews)
            transaction.set_rollback(True)
        would_send = sum(1 for line in total.previews if "would send" in line)
        self.stdout.write(
            f"Dry run: {would_send} would be sent, {len(total.previews) - would_send} have nothing new; "
            "nothing was sent or stored."
        )

    def _send(self, kind: str, community_ids: list[int] | None) -> None:
        ids = deliveries_plan(kind, community_ids=community_ids, force=True)
        if not ids:
            self.stdout.write(f"Nothing to send: every {kind} of the current period has gone out already.")
            return
        token = f"command-{uuid.uuid4().hex}"
        total = SendResult()
        left = 0
        all_batches = batches(ids)
        for position, batch in enumerate(all_batches):
            result = deliveries_send(batch, token=token)
            total.sent += result.sent
            total.skipped += result.skipped
            total.failed += result.failed
            if result.retry:  # the SMTP server failed: the later batches would fail too
                left = len(result.retry) + sum(len(later) for later in all_batches[position + 1 :])
                break
        summary = f"{kind}: {total.sent} sent, {total.skipped} with nothing new, {total.failed} refused"
        elsewhere = len(ids) - total.sent - total.skipped - total.failed - left
        if elsewhere:
            summary += f", {elsewhere} being sent by another run"
        if left:
            raise CommandError(
                f"{summary}. The SMTP server failed; {left} left pending: the next scheduled dispatch sends "
                "them, or run this command again."
            )
        self.stdout.write(self.style.SUCCESS(f"{summary}."))
