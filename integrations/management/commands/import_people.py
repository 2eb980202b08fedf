"""import_people FILE [--apply] [--actor STAFF_EMAIL] [--directory NAME]: the staff page's CSV import of people,
for scheduled imports. Without --apply it prints the preview and changes nothing."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.people_import import services
from members.models import User


class Command(BaseCommand):
    help = (
        "Import people from a CSV file (email, name, title, org_unit, manager_email, active): print what it would "
        "change, or apply it with --apply (as the staff member --actor). Exits non-zero when the file is refused "
        "or any row has an error, and then changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument("--apply", action="store_true", help="apply the changes (default: preview only)")
        parser.add_argument("--actor", help="email of the staff member applying (required with --apply)")
        parser.add_argument(
            "--directory",
            default=settings.PEOPLE_IMPORT_DIRECTORY,
            help=f"the directory name recorded on the people imported (default: {settings.PEOPLE_IMPORT_DIRECTORY})",
        )

    def handle(self, *args, **options):
        data = self._read(options["file"])
        actor = self._actor(options["actor"], required=options["apply"])
        directory = options["directory"].strip()
        if not directory:
            raise CommandError("--directory: give the directory a name.")
        try:
            if options["apply"]:
                plan = services.people_import_apply(data=data, directory=directory, actor=actor)
            else:
                plan = services.people_import_preview(data=data, directory=directory, actor=actor)
        except services.ImportRefused as refusal:
            if not options["apply"]:
                raise CommandError(" ".join(refusal.messages)) from None
            # A refused apply: show why, row by row, from the preview of the same file.
            try:
                plan = services.people_import_preview(data=data, directory=directory, actor=actor)
            except services.ImportRefused:
                raise CommandError(" ".join(refusal.messages)) from None
            self._print(plan)
            raise CommandError(" ".join(refusal.messages)) from None
        self._print(plan)
        if plan.errors:
            raise CommandError(
                f"{len(plan.errors)} problem(s) in the file: nothing can be applied until fixed."
            )
        if options["apply"]:
            self.stdout.write(self.style.SUCCESS(f"Applied: {plan.summary()}"))
        elif plan.can_apply:
            self.stdout.write("Preview only: nothing changed. Run again with --apply to apply it.")

    def _read(self, path: str) -> bytes:
        try:
            size = os.path.getsize(path)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}.") from None
        refusal = services.too_large(size)
        if refusal:  # refused before it is read
            raise CommandError(refusal)
        with open(path, "rb") as file:
            return file.read()

    def _actor(self, email: str | None, *, required: bool) -> User | None:
        if not email:
            if required:
                raise CommandError(
                    "--apply needs --actor: the email of the staff member who applies the import."
                )
            return None
        actor = User.objects.filter(email__iexact=email.strip(), is_active=True, is_staff=True).first()
        if actor is None:
            raise CommandError(f"--actor: no active staff member has the email {email}.")
        return actor

    def _print(self, plan: services.Plan) -> None:
        write = self.stdout.write
        write(f"Directory: {plan.directory}")
        write(plan.summary())
        if plan.file.ignored_columns:
            write(f"Columns not read: {', '.join(plan.file.ignored_columns)}")
        for unit in plan.new_units:
            write(f"  new org unit: {unit}")
        for item in plan.new:
            write(f"  line {item.row.line}: new {item.row.email} ({item.row.name})")
        for group in (plan.changed, plan.deactivated, plan.reactivated):
            for item in group:
                changes = "; ".join(
                    f"{c.label}: {c.old or 'none'} -> {c.new or 'none'}" for c in item.changes
                )
                write(
                    f"  line {item.row.line}: {item.kind} {item.row.email}{': ' + changes if changes else ''}"
                )
        for item in plan.skipped:
            write(f"  line {item.row.line}: not created (inactive) {item.row.email}")
        for error in plan.errors:
            column = f", {error.column}" if error.column else ""
            self.stderr.write(f"  line {error.line}{column}: {error.message}")
