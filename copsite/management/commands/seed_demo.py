"""Load demo data (idempotent), or with --scale N a benchmark set built with bulk inserts."""

import time

from django.core.management.base import BaseCommand, CommandParser

from copsite.demo import seed_demo, seed_scaled


class Command(BaseCommand):
    help = "Load realistic demo data (safe to run again), or with --scale N add a benchmark set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Add a benchmark set of this size instead: 100 people per unit (100 makes 10,000 members).",
        )

    def handle(self, *args, scale: int, **options) -> None:
        started = time.monotonic()
        if scale < 0:
            self.stderr.write("--scale must be a positive number")
            raise SystemExit(2)
        if scale:
            counts = seed_scaled(scale)
            summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"Benchmark data added: {summary} ({time.monotonic() - started:.1f} s)")
            )
            return
        logins, password = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Sign in with any of these (password: {password}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.email:<45} {login.role}")
