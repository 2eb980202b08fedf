"""The people import's one place: read a CSV file of people, plan what it would change (reading only), and apply
that plan in one transaction. The staff page and the `import_people` command both call these.

Applying goes through the domain's services: `members.services.person_from_directory` for who people are (so
what the file sets becomes read-only in their profile) and `communities.services.member_deactivate` /
`member_reactivate` for leaving and coming back, with the uploading staff member as the actor.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from communities import rules as community_rules
from communities.services import member_deactivate, member_reactivate
from core.rules import Refused, require
from members.models import OrgUnit, Profile, User
from members.services import (
    ORG_UNIT_SEPARATOR,
    UNCHANGED,
    org_unit_ensure,
    org_unit_path,
    person_from_directory,
)

# The columns read, by the name the docs give them, with the other spellings accepted for each (compared in
# lower case, spaces and dashes read as underscores).
COLUMNS = {
    "email": ("email", "email_address", "e_mail"),
    "name": ("name", "full_name", "display_name"),
    "title": ("title", "job_title"),
    "org_unit": ("org_unit", "org_unit_path", "unit"),
    "manager_email": ("manager_email", "manager", "reports_to"),
    "active": ("active", "is_active"),
}
REQUIRED_COLUMNS = ("email", "name")
TRUE_VALUES = {"", "true", "yes", "1"}
FALSE_VALUES = {"false", "no", "0"}
# A workbook saved as is, not as CSV: recognized by its first bytes to say so plainly.
WORKBOOK_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

NAME_MAX = User._meta.get_field("full_name").max_length
TITLE_MAX = Profile._meta.get_field("job_title").max_length
UNIT_MAX = OrgUnit._meta.get_field("name").max_length


class ImportRefused(Refused):
    """A file that cannot be imported as a whole (keyed by the form's "file" field), or a preview that no
    longer holds; nothing was changed."""


def max_bytes() -> int:
    return settings.PEOPLE_IMPORT_MAX_MB * 1024 * 1024


def too_large(size: int) -> str | None:
    """The refusal of a file of `size` bytes, or None: asked before reading it."""
    if size > max_bytes():
        return (
            f"The file is {size / 1024 / 1024:.1f} MB: the largest accepted is {settings.PEOPLE_IMPORT_MAX_MB} MB. "
            "Split it into several files."
        )
    return None


# --- Reading the file ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem with one row (`line` is the file's line, 1 being the header), about one column when known."""

    line: int
    column: str
    message: str


@dataclass
class PersonRow:
    """One person as the file says; a column the file does not have is `UNCHANGED` (left as it is)."""

    line: int
    email: str
    name: object = UNCHANGED
    title: object = UNCHANGED
    org_unit: object = UNCHANGED  # a list of unit names, outermost first; [] for none
    manager_email: object = UNCHANGED  # "" for none
    active: object = UNCHANGED  # True or False

    def shown(self, value: object) -> str:
        if value is UNCHANGED:
            return ""
        return f" {ORG_UNIT_SEPARATOR} ".join(value) if isinstance(value, list) else str(value)

    @property
    def title_shown(self) -> str:
        return self.shown(self.title)

    @property
    def org_unit_shown(self) -> str:
        return self.shown(self.org_unit)

    @property
    def manager_shown(self) -> str:
        return self.shown(self.manager_email)


@dataclass
class PeopleFile:
    """What a file says: its rows, the problems found in them, the columns read and those ignored."""

    rows: list[PersonRow]
    errors: list[RowError]
    columns: list[str]
    ignored_columns: list[str]
    sha256: str
    named: set[str] = field(default_factory=set)  # every email the file names, rows with problems included


def _refuse(message: str) -> ImportRefused:
    return ImportRefused({"file": message})


def _text_of(data: bytes) -> str:
    if not data.strip():
        raise _refuse("The file is empty: it needs a header line and one line per person.")
    if data.startswith(WORKBOOK_STARTS):
        raise _refuse(
            "This is a spreadsheet workbook, not a CSV file: in your spreadsheet, save it as “CSV UTF-8” and "
            "upload that."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse("The file is in UTF-16: save it as “CSV UTF-8” and upload it again.")
    if b"\x00" in data:
        raise _refuse("This is not a CSV text file (it holds binary data): upload a CSV file saved as UTF-8.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _refuse(
            f"The file is not UTF-8: line {line} has a character in another encoding (such as Windows-1252). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from None


def _column_key(heading: str) -> str:
    return "_".join(heading.strip().lower().replace("-", " ").replace("_", " ").split())


def _delimiter(text: str) -> str:
    """A comma, or the semicolon or tab some spreadsheets write instead, judged by the header line."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for other in (";", "\t"):
            if other in header:
                return other
    return ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which cell holds each column, and the headings not read."""
    spellings = {spelling: column for column, names in COLUMNS.items() for spelling in names}
    where, ignored = {}, []
    for index, heading in enumerate(header):
        column = spellings.get(_column_key(heading))
        if column is None:
            if heading.strip():
                ignored.append(heading.strip())
        elif column in where:
            raise _refuse(f"Two columns say the {column.replace('_', ' ')}: keep one of them.")
        else:
            where[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in where]
    if missing:
        found = ", ".join(f"“{heading.strip()}”" for heading in header if heading.strip()) or "none"
        raise _refuse(
            f"The header line needs the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(f'“{column}”' for column in missing)} (found: {found})."
        )
    return where, ignored


def _email(value: str) -> str:
    email = value.strip().lower()
    validate_email(email)
    return email


def _person_row(
    line: int, cells: list[str], where: dict[str, int], errors: list[RowError]
) -> PersonRow | None:
    """One row read and checked; its problems go to `errors` (and then it is None)."""
    values = {column: cells[index].strip() for column, index in where.items()}
    found = len(errors)

    def problem(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    row = PersonRow(line=line, email=values["email"].lower())
    if not values["email"]:
        problem("email", "The email is empty.")
    else:
        try:
            row.email = _email(values["email"])
        except ValidationError:
            problem("email", f"“{values['email']}” is not an email address.")
    if not values["name"]:
        problem("name", "The name is empty.")
    elif len(values["name"]) > NAME_MAX:
        problem("name", f"The name is {len(values['name'])} characters long: keep it under {NAME_MAX}.")
    row.name = values["name"]
    if "title" in values:
        if len(values["title"]) > TITLE_MAX:
            problem(
                "title", f"The title is {len(values['title'])} characters long: keep it under {TITLE_MAX}."
            )
        row.title = values["title"]
    if "org_unit" in values:
        row.org_unit = org_unit_path(values["org_unit"])
        if any(len(name) > UNIT_MAX for name in row.org_unit):
            problem("org_unit", f"Keep each org unit's name under {UNIT_MAX} characters.")
    if "manager_email" in values:
        row.manager_email = ""
        if values["manager_email"]:
            try:
                row.manager_email = _email(values["manager_email"])
            except ValidationError:
                problem("manager_email", f"“{values['manager_email']}” is not an email address.")
            else:
                if row.manager_email == row.email:
                    problem("manager_email", "A person cannot report to themselves.")
    if "active" in values:
        active = values["active"].lower()
        if active in TRUE_VALUES:
            row.active = True
        elif active in FALSE_VALUES:
            row.active = False
        else:
            problem(
                "active",
                f"“{values['active']}” is not an active value: write true or false (yes or no, 1 or 0), "
                "or leave it empty for true.",
            )
    return row if len(errors) == found else None


def read_people_csv(data: bytes) -> PeopleFile:
    """Read a CSV file of people (UTF-8, with or without a byte order mark). A file that cannot be read as a whole
    raises `ImportRefused` with the reason (naming the line or the columns); a row's problems are listed in the
    result's `errors`, with the line and the column."""
    if len(data) > max_bytes():
        raise _refuse(too_large(len(data)))
    text = _text_of(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise _refuse("The file is empty: it needs a header line and one line per person.")
        where, ignored = _columns(header)
        rows, errors, named = [], [], set()
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    RowError(
                        start,
                        "",
                        f"This line has {len(cells)} cells where the header has {len(header)}: a value with a "
                        "comma in it needs quotes around it.",
                    )
                )
                continue
            named.add(cells[where["email"]].strip().lower())
            row = _person_row(start, cells, where, errors)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        raise _refuse(f"Line {reader.line_num} is not valid CSV ({error}).") from None
    if not rows and not errors:
        raise _refuse("The file has a header line but no people under it.")
    rows, errors = _without_duplicates(rows, errors)
    return PeopleFile(
        rows=rows,
        errors=sorted(errors, key=lambda error: error.line),
        columns=[column for column in COLUMNS if column in where],
        ignored_columns=ignored,
        sha256=hashlib.sha256(data).hexdigest(),
        named=named,
    )


def _without_duplicates(
    rows: list[PersonRow], errors: list[RowError]
) -> tuple[list[PersonRow], list[RowError]]:
    """An email on more than one line is an error on each of those lines (the file must say one thing of each
    person)."""
    lines: dict[str, list[int]] = {}
    for row in rows:
        lines.setdefault(row.email, []).append(row.line)
    doubled = {email: found for email, found in lines.items() if len(found) > 1}
    for email, found in doubled.items():
        listed = ", ".join(str(line) for line in found)
        errors += [RowError(line, "email", f"{email} is on more than one line ({listed}).") for line in found]
    return [row for row in rows if row.email not in doubled], errors


# --- Planning: what the file would change, read from the current state -----------------------------------------


@dataclass(frozen=True)
class Change:
    """One field of a person: what it is and what the file makes it."""

    label: str
    old: str
    new: str


@dataclass
class PlannedPerson:
    """What the import does to the person of one row."""

    NEW = "new"
    CHANGED = "changed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # not here and inactive in the file: not created

    row: PersonRow
    kind: str
    person: User | None
    changes: list[Change] = field(default_factory=list)
    fields_change: bool = False  # name, title, unit, email or keeper: the first pass
    manager_changes: bool = False  # the second pass


@dataclass
class Plan:
    """What applying a file would do, grouped for the preview; `digest` pins it for the apply."""

    directory: str
    file: PeopleFile
    people: list[PlannedPerson]
    errors: list[RowError]
    new_units: list[str]

    def of_kind(self, kind: str) -> list[PlannedPerson]:
        return [item for item in self.people if item.kind == kind]

    @property
    def new(self) -> list[PlannedPerson]:
        return self.of_kind(PlannedPerson.NEW)

    @property
    def changed(self) -> list[PlannedPerson]:
        return self.of_kind(PlannedPerson.CHANGED)

    @property
    def deactivated(self) -> list[PlannedPerson]:
        return self.of_kind(PlannedPerson.DEACTIVATED)

    @property
    def reactivated(self) -> list[PlannedPerson]:
        return self.of_kind(PlannedPerson.REACTIVATED)

    @property
    def skipped(self) -> list[PlannedPerson]:
        return self.of_kind(PlannedPerson.SKIPPED)

    @property
    def unchanged_count(self) -> int:
        return len(self.of_kind(PlannedPerson.UNCHANGED))

    @property
    def nothing_to_change(self) -> bool:
        return not self.errors and all(
            item.kind in (PlannedPerson.UNCHANGED, PlannedPerson.SKIPPED) for item in self.people
        )

    @property
    def can_apply(self) -> bool:
        return not self.errors and not self.nothing_to_change

    @property
    def digest(self) -> str:
        """A fingerprint of what applying would do: the apply refuses if the plan it finds differs."""
        described = [
            self.directory,
            self.file.sha256,
            self.new_units,
            [
                [item.row.email, item.kind, [[c.label, c.old, c.new] for c in item.changes]]
                for item in self.people
            ],
        ]
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()

    def summary(self) -> str:
        """One line: how many of each."""
        if self.nothing_to_change:
            return f"Nothing to change: the {self.unchanged_count} people of the file are as it says."
        parts = [
            f"{len(self.new)} new",
            f"{len(self.changed)} changed",
            f"{len(self.deactivated)} deactivated",
            f"{len(self.reactivated)} reactivated",
            f"{self.unchanged_count} unchanged",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} not created (inactive)")
        return ", ".join(parts) + "."


class _Units:
    """Every org unit, read once: the path of a unit, and which unit a path names (names in any case)."""

    def __init__(self) -> None:
        self.by_pk = {unit.pk: unit for unit in OrgUnit.objects.only("pk", "name", "parent_id")}
        self.children = {(unit.parent_id, unit.name.lower()): unit for unit in self.by_pk.values()}

    def path(self, pk: int | None) -> str:
        names = []
        while pk is not None and pk in self.by_pk:
            names.append(self.by_pk[pk].name)
            pk = self.by_pk[pk].parent_id
        return f" {ORG_UNIT_SEPARATOR} ".join(reversed(names))

    def find(self, names: list[str]) -> OrgUnit | None:
        """The unit the path names, or None when it (or a unit above it) does not exist yet."""
        unit = None
        for name in names:
            unit = self.children.get((unit.pk if unit else None, name.lower()))
            if unit is None:
                return None
        return unit


def _job_title(person: User) -> str:
    try:
        return person.profile.job_title
    except Profile.DoesNotExist:
        return ""


def _keeper(directory: str) -> str:
    return directory or "kept by hand"


def people_import_plan(*, people_file: PeopleFile, directory: str, actor: User | None = None) -> Plan:
    """What applying `people_file` as the company directory `directory` would change, read from the current state
    in a fixed number of queries (the people and managers named, and the org units); writes nothing. `actor`, the
    staff member who would apply it, may not deactivate themselves."""
    rows = people_file.rows
    named = {row.email for row in rows} | {
        row.manager_email for row in rows if row.manager_email not in (UNCHANGED, "")
    }
    known = {
        person.email_key: person
        for person in User.objects.annotate(email_key=Lower("email"))
        .filter(email_key__in=named)
        .select_related("profile", "reports_to")
    }
    units = _Units()
    # Who can be a manager once applied: anyone the file names (a row with a problem stops the apply anyway) but
    # the people it would not create, and whoever is here already.
    reachable = (people_file.named - {row.email for row in rows if row.active is False}) | set(known)
    errors = list(people_file.errors)
    people, new_units = [], {}
    for row in rows:
        person = known.get(row.email)
        problems = _row_problems(row, person, directory, actor, reachable)
        if problems:
            errors += problems
            continue
        item = _planned(row, person, directory, units, known)
        if item.fields_change and row.org_unit is not UNCHANGED:
            for depth in range(1, len(row.org_unit) + 1):
                if units.find(row.org_unit[:depth]) is None:
                    new_units.setdefault(
                        "/".join(row.org_unit[:depth]).lower(),
                        f" {ORG_UNIT_SEPARATOR} ".join(row.org_unit[:depth]),
                    )
        people.append(item)
    return Plan(
        directory=directory,
        file=people_file,
        people=people,
        errors=sorted(errors, key=lambda error: (error.line, error.column)),
        new_units=[new_units[key] for key in sorted(new_units)],
    )


def _row_problems(row, person, directory, actor, reachable: set[str]) -> list[RowError]:
    """What stops a row that reads well: a manager nobody knows, a person another directory keeps, or the staff
    member deactivating themselves."""
    problems = []
    if row.manager_email not in (UNCHANGED, "") and row.manager_email not in reachable:
        problems.append(
            RowError(
                row.line,
                "manager_email",
                f"The manager {row.manager_email} is neither on CoPsite nor created by the file.",
            )
        )
    if person is not None and person.directory not in ("", directory):
        problems.append(
            RowError(
                row.line,
                "email",
                f"{row.email} is kept by the company directory “{person.directory}”: change them there.",
            )
        )
    if row.active is False and actor is not None and person is not None and person.pk == actor.pk:
        problems.append(RowError(row.line, "active", "You cannot deactivate yourself."))
    return problems


def _planned(
    row: PersonRow, person: User | None, directory: str, units: _Units, known: dict
) -> PlannedPerson:
    if person is None:
        if row.active is False:
            return PlannedPerson(row=row, kind=PlannedPerson.SKIPPED, person=None)
        return PlannedPerson(
            row=row,
            kind=PlannedPerson.NEW,
            person=None,
            fields_change=True,
            manager_changes=row.manager_email not in (UNCHANGED, ""),
        )
    changes = []
    if person.email != row.email:
        changes.append(Change("Email", person.email, row.email))
    if row.name is not UNCHANGED and person.full_name != row.name:
        changes.append(Change("Name", person.full_name, row.name))
    if row.title is not UNCHANGED and _job_title(person) != row.title:
        changes.append(Change("Title", _job_title(person), row.title))
    if row.org_unit is not UNCHANGED:
        unit = units.find(row.org_unit) if row.org_unit else None
        if (unit is None and row.org_unit) or (unit.pk if unit else None) != person.org_unit_id:
            changes.append(Change("Org unit", units.path(person.org_unit_id), " / ".join(row.org_unit)))
    if person.directory != directory:
        changes.append(Change("Kept by", _keeper(person.directory), directory))
    fields_change = bool(changes)
    manager_changes = False
    if row.manager_email is not UNCHANGED:
        manager = known.get(row.manager_email)
        was = person.reports_to.email if person.reports_to else ""
        if row.manager_email != was.lower() or (manager is None and row.manager_email):
            changes.append(Change("Manager", was, row.manager_email))
            manager_changes = True
    kind = PlannedPerson.CHANGED if changes else PlannedPerson.UNCHANGED
    if row.active is False and person.is_active:
        kind = PlannedPerson.DEACTIVATED
    elif row.active is True and not person.is_active:
        kind = PlannedPerson.REACTIVATED
    return PlannedPerson(
        row=row,
        kind=kind,
        person=person,
        changes=changes,
        fields_change=fields_change,
        manager_changes=manager_changes,
    )


def people_import_preview(*, data: bytes, directory: str, actor: User | None = None) -> Plan:
    """Read `data` and plan it: the preview. Writes nothing; `ImportRefused` for a file that cannot be read."""
    return people_import_plan(people_file=read_people_csv(data), directory=directory, actor=actor)


# --- Applying ---------------------------------------------------------------------------------------------------


@transaction.atomic
def people_import_apply(*, data: bytes, directory: str, actor: User, previewed: str | None = None) -> Plan:
    """Apply the file `data` as the company directory `directory`, in one transaction, with `actor` (staff) as the
    one who deactivates and reactivates. Refused, changing nothing, when any row has an error, or when `previewed`
    (a plan's digest) is given and the plan found now differs from it (the file or the people changed since the
    preview). Returns the plan applied; the same file again finds nothing to change."""
    require(community_rules.may_administer(actor), community_rules.STAFF_ONLY)
    plan = people_import_preview(data=data, directory=directory, actor=actor)
    if plan.errors:
        raise _refuse(
            f"{len(plan.errors)} problem{'s' if len(plan.errors) > 1 else ''} in the file: nothing was applied. "
            "Fix them and try again."
        )
    if previewed is not None and plan.digest != previewed:
        raise ImportRefused(
            "The people changed since this preview (or it is not the file previewed): nothing was applied. "
            "Here is what the file would change now."
        )
    units: dict[str, OrgUnit | None] = {}
    managers = _known(plan) | {item.row.email: item.person for item in plan.people if item.person is not None}
    later = []
    for item in _managers_first(plan.people):
        row, values = item.row, {}
        if item.fields_change:
            values = {"email": row.email, "full_name": row.name, "job_title": row.title}
            if row.org_unit is not UNCHANGED:
                key = "/".join(row.org_unit).lower()
                if key not in units:
                    units[key] = org_unit_ensure(path=row.org_unit)
                values["org_unit"] = units[key]
        if item.manager_changes:
            if not row.manager_email or row.manager_email in managers:
                values["reports_to"] = managers.get(row.manager_email)
            else:  # a manager who reports, in a loop, to someone who reports to them: once both exist
                later.append(item)
        if values:
            item.person, _ = person_from_directory(directory=directory, user=item.person, **values)
            managers[row.email] = item.person
    for item in later:
        person_from_directory(
            directory=directory, user=item.person, reports_to=managers[item.row.manager_email]
        )
    for item in plan.deactivated:
        member_deactivate(actor=actor, user=item.person)
    for item in plan.reactivated:
        member_reactivate(actor=actor, user=item.person)
    return plan


def _managers_first(people: list[PlannedPerson]) -> list[PlannedPerson]:
    """The people in an order where a manager of the file comes before those who report to them (a loop of
    managers keeps the file's order), so that most managers are there when their reports are created."""
    by_email = {item.row.email: item for item in people}
    ordered, placed = [], set()
    for item in people:
        chain, current, in_chain = [], item, set()
        while current is not None and current.row.email not in placed and current.row.email not in in_chain:
            chain.append(current)
            in_chain.add(current.row.email)
            current = (
                by_email.get(current.row.manager_email)
                if isinstance(current.row.manager_email, str)
                else None
            )
        for link in reversed(chain):
            placed.add(link.row.email)
            ordered.append(link)
    return ordered


def _known(plan: Plan) -> dict[str, User]:
    """The managers named by the file who are not in it (one query)."""
    in_file = {item.row.email for item in plan.people}
    wanted = {
        item.row.manager_email
        for item in plan.people
        if item.manager_changes and item.row.manager_email and item.row.manager_email not in in_file
    }
    if not wanted:
        return {}
    return {
        person.email_key: person
        for person in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=wanted)
    }
