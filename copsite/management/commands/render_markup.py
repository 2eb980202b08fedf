"""`manage.py render_markup`: render every stored markdown field again (posts, resources, descriptions, notes).

Pages show the HTML kept when a text was written (core.markup). Run this after the renderer or the sanitizer
changed (an upgrade of Python-Markdown or nh3, a new allowed tag), and after bulk inserts that left the HTML empty;
it writes only the rows whose HTML changes, in batches, and can run again safely."""

from django.core.management.base import BaseCommand

from core.markup import RENDERED

BATCH = 1000


class Command(BaseCommand):
    help = "Render every stored markdown field again; writes only the rows whose HTML changes."

    def handle(self, *args, **options) -> None:
        for entry in RENDERED.values():
            manager = entry.model._base_manager
            changed, seen = 0, 0
            last = 0
            while True:
                rows = list(
                    manager.filter(pk__gt=last).order_by("pk").only("pk", entry.source, entry.target)[:BATCH]
                )
                if not rows:
                    break
                stale = []
                for row in rows:
                    html = entry.html(getattr(row, entry.source))
                    if html != getattr(row, entry.target):
                        setattr(row, entry.target, html)
                        stale.append(row)
                manager.bulk_update(stale, [entry.target])
                changed, seen, last = changed + len(stale), seen + len(rows), rows[-1].pk
            if options["verbosity"]:
                label = f"{entry.model._meta.label}.{entry.source}"
                self.stdout.write(f"{label}: {changed} of {seen} rendered again")
