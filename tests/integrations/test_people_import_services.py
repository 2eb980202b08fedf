"""The people import's one module: reading a CSV file (bad files refused with a clear reason), the plan of what it
would change (per row, with line numbers; read only), and applying it in one transaction (twice: nothing the
second time), deactivating and reactivating as staff do by hand."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community, Membership, MembershipEvent
from core.rules import NotPermitted
from integrations.people_import.services import (
    ImportRefused,
    people_import_apply,
    people_import_plan,
    people_import_preview,
    read_people_csv,
)
from members.models import OrgUnit, User
from members.services import org_unit_ensure
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "CSV import"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "people.csv"
HEADER = "email,name,title,org_unit,manager_email,active\n"
Event = MembershipEvent.Kind


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{line}\n" for line in lines)).encode()


def refusal_of(data: bytes) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_people_csv(data)
    return " ".join(caught.value.message_dict["file"])


def errors_of(plan) -> list[tuple[int, str]]:
    return [(error.line, error.column) for error in plan.errors]


def preview(data: bytes, actor=None):
    return people_import_preview(data=data, directory=DIRECTORY, actor=actor)


def apply(data: bytes, actor):
    return people_import_apply(data=data, directory=DIRECTORY, actor=actor)


def counts() -> tuple:
    return (
        User.objects.count(),
        OrgUnit.objects.count(),
        MembershipEvent.objects.count(),
        list(
            User.objects.order_by("pk").values_list(
                "full_name", "org_unit", "reports_to", "is_active", "directory"
            )
        ),
    )


# --- Reading the file -------------------------------------------------------------------------------------------


def test_a_file_is_read_with_its_columns_paths_and_active_values():
    people = read_people_csv(
        csv_bytes(
            "Ada@Example.org , Ada Lovelace ,Engineer, Operations /  Maintenance / Line 2 ,,",
            "bob@example.org,Bob,,,ada@example.org,no",
            "",
            "cy@example.org,Cy,,,,TRUE",
        )
    )
    ada, bob, cy = people.rows
    assert (ada.line, ada.email, ada.name, ada.org_unit, ada.active) == (
        2,
        "ada@example.org",
        "Ada Lovelace",
        ["Operations", "Maintenance", "Line 2"],
        True,
    )
    assert (bob.line, bob.manager_email, bob.active) == (3, "ada@example.org", False)
    assert cy.line == 5  # the blank line 4 is skipped, and counted
    assert people.errors == []


def test_a_byte_order_mark_semicolons_and_other_spellings_of_the_columns_are_read():
    data = (
        "\ufeffE-mail;Full Name;Job title;Org unit path;Manager\nada@example.org;Ada;Engineer;Ops;\n".encode()
    )
    people = read_people_csv(data)
    [ada] = people.rows
    assert (ada.email, ada.name, ada.title, ada.org_unit, ada.manager_email) == (
        "ada@example.org",
        "Ada",
        "Engineer",
        ["Ops"],
        "",
    )
    assert people.columns == ["email", "name", "title", "org_unit", "manager_email"]


def test_a_quoted_value_with_commas_and_line_breaks_keeps_the_next_rows_line_numbers():
    people = read_people_csv(
        csv_bytes('ada@example.org,"Lovelace, Ada","Engineer\nand poet",,,', "bob@,Bob,,,,")
    )
    assert people.rows[0].name == "Lovelace, Ada"
    assert errors_of(people) == [(4, "email")]  # the quoted line break made the first row two lines


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("not-an-email,Ada,,,,", "email"),
        (",Ada,,,,", "email"),
        ("ada@example.org,,,,,", "name"),
        (f"ada@example.org,{'x' * 151},,,,", "name"),
        (f"ada@example.org,Ada,{'t' * 121},,,", "title"),
        (f"ada@example.org,Ada,,Ops / {'u' * 121},,", "org_unit"),
        ("ada@example.org,Ada,,,boss@,", "manager_email"),
        ("ada@example.org,Ada,,,ada@example.org,", "manager_email"),
        ("ada@example.org,Ada,,,,maybe", "active"),
        ("ada@example.org,Ada,,,", ""),  # a cell short
        ("ada@example.org,Smith, Ada,,,,", ""),  # an unquoted comma: a cell too many
    ],
)
def test_each_bad_row_is_an_error_on_its_line_and_column(line, column):
    people = read_people_csv(csv_bytes("ok@example.org,Fine,,,,", line))
    assert errors_of(people) == [(3, column)]
    assert [row.email for row in people.rows] == ["ok@example.org"]


def test_an_email_on_several_lines_is_an_error_on_each_naming_them():
    people = read_people_csv(
        csv_bytes("ada@example.org,Ada,,,,", "bob@example.org,Bob,,,,", "ADA@example.org,A,,,,")
    )
    assert errors_of(people) == [(2, "email"), (4, "email")]
    assert "(2, 4)" in people.errors[0].message
    assert [row.email for row in people.rows] == ["bob@example.org"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\n \n", "empty"),
        (HEADER.encode(), "no people"),
        (b"name,title\nAda,Engineer\n", "\u201cemail\u201d"),
        (b"mail,title\nada@example.org,x\n", "\u201cemail\u201d and \u201cname\u201d"),
        (b"email,name,full_name\na@example.org,A,A\n", "Two columns"),
        ("email,name\nada@example.org,Ada\nbob@example.org,Bj\u00f6rn\n".encode("cp1252"), "line 3"),
        ("email,name\nada@example.org,Ada\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a workbook", "workbook"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "not a CSV"),
        (b'email,name\n"ada@example.org,Ada\x00\n', "not a CSV"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_reason(data, words):
    assert words in refusal_of(data)


def test_a_file_over_the_cap_is_refused_before_it_is_read(settings):
    settings.PEOPLE_IMPORT_MAX_MB = 1
    assert "largest accepted is 1 MB" in refusal_of(b"email,name\n" + b"x" * (1024 * 1024))


def test_columns_that_are_not_read_are_named():
    people = read_people_csv(b"email,name,Cost centre\nada@example.org,Ada,42\n")
    assert people.ignored_columns == ["Cost centre"]


# --- The plan ---------------------------------------------------------------------------------------------------


@pytest.fixture
def known(db):
    """Kim, already here (signed up by hand) in Operations / Maintenance, reporting to Max; Lee, who left."""
    unit = org_unit_ensure(path=["Operations", "Maintenance"])
    max_ = UserFactory(email="max@example.org", full_name="Max Manager", org_unit=None)
    kim = UserFactory(email="kim@example.org", full_name="Kim Keeper", org_unit=unit, reports_to=max_)
    kim.profile.job_title = "Technician"
    kim.profile.save()
    lee = UserFactory(email="lee@example.org", full_name="Lee Left", org_unit=None, is_active=False)
    return {"max": max_, "kim": kim, "lee": lee, "unit": unit}


def test_the_plan_groups_new_changed_deactivated_reactivated_and_unchanged(known, staff):
    plan = preview(
        csv_bytes(
            "new@example.org,Nia New,Analyst,Operations / Planning,kim@example.org,",
            "KIM@example.org,Kim Keeper,Senior Technician,operations / maintenance,max@example.org,true",
            "max@example.org,Max Manager,,,,false",
            "lee@example.org,Lee Left,,,,yes",
            "gone@example.org,Never Here,,,,no",
        ),
        actor=staff,
    )
    assert plan.errors == []
    assert [item.row.email for item in plan.new] == ["new@example.org"]
    [kim] = plan.changed
    assert [(c.label, c.old, c.new) for c in kim.changes] == [
        ("Title", "Technician", "Senior Technician"),  # the unit's case differs: the same unit
        ("Kept by", "kept by hand", DIRECTORY),
    ]
    [max_] = plan.deactivated
    assert max_.person == known["max"]
    [lee] = plan.reactivated
    assert lee.person == known["lee"]
    assert [item.row.email for item in plan.skipped] == ["gone@example.org"]  # not created to be deactivated
    assert plan.new_units == ["Operations / Planning"]  # Operations is there already: only the unit below it
    assert plan.can_apply


def test_a_change_shows_each_field_old_and_new(known):
    plan = preview(csv_bytes("kim@example.org,Kim K,Lead,Operations / Safety,,"))
    [kim] = plan.changed
    assert [(c.label, c.old, c.new) for c in kim.changes] == [
        ("Name", "Kim Keeper", "Kim K"),
        ("Title", "Technician", "Lead"),
        ("Org unit", "Operations / Maintenance", "Operations / Safety"),
        ("Kept by", "kept by hand", DIRECTORY),
        ("Manager", "max@example.org", ""),
    ]


def test_a_column_left_out_leaves_its_field_as_it_is(known):
    plan = preview(b"email,name\nkim@example.org,Kim Keeper\n")
    [kim] = plan.changed
    assert [c.label for c in kim.changes] == ["Kept by"]


def test_a_manager_neither_in_the_file_nor_known_is_an_error(known):
    plan = preview(
        csv_bytes("kim@example.org,Kim,,,nobody@example.org,", "ada@example.org,Ada,,,kim@example.org,")
    )
    assert errors_of(plan) == [(2, "manager_email")]
    assert not plan.can_apply


def test_a_manager_the_file_would_not_create_is_an_error_but_one_with_a_problem_is_not(known):
    plan = preview(
        csv_bytes(
            "ada@example.org,Ada,,,gone@example.org,",
            "gone@example.org,Gone,,,,false",
            "cy@example.org,Cy,,,bad@example.org,",
            "bad@example.org,Bad,,,,maybe",
        )
    )
    assert errors_of(plan) == [(2, "manager_email"), (5, "active")]


def test_a_person_another_directory_keeps_and_deactivating_oneself_are_errors(known, staff):
    User.objects.filter(pk=known["kim"].pk).update(directory="Entra ID")
    plan = preview(csv_bytes("kim@example.org,Kim,,,,", f"{staff.email},Sam Staff,,,,false"), actor=staff)
    assert errors_of(plan) == [(2, "email"), (3, "active")]


def test_the_preview_writes_nothing_and_reads_in_a_fixed_number_of_queries(known, staff):
    """Three queries whatever the number of rows: the people and managers named, and the org units."""

    def measured(size: int) -> int:
        lines = [
            f"p{n}@example.org,Person {n},Title {n},Ops / Team {n},kim@example.org,{n % 2}"
            for n in range(size)
        ]
        lines.append("kim@example.org,Kim,Lead,Elsewhere,max@example.org,")
        with CaptureQueriesContext(connection) as captured:
            preview(csv_bytes(*lines), actor=staff)
        assert not [
            q for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
        ]
        return len(captured)

    before = counts()
    assert measured(3) == measured(60) == 2
    assert counts() == before


# --- Applying ---------------------------------------------------------------------------------------------------


def test_the_example_file_applies_then_changes_nothing(staff):
    data = EXAMPLE.read_bytes()
    plan = apply(data, staff)
    assert len(plan.new) == 6 and plan.errors == []
    sofia = User.objects.get(email="sofia.marquez@example.org")
    assert (sofia.full_name, sofia.profile.job_title, sofia.directory) == (
        "Sofia Márquez",
        "Line Technician",
        DIRECTORY,
    )
    assert str(sofia.reports_to.email) == "lukas.brandt@example.org"
    assert [sofia.org_unit.name, sofia.org_unit.parent.name, sofia.org_unit.parent.parent.name] == [
        "Line 2",
        "Maintenance",
        "Operations",
    ]
    assert not User.objects.filter(email="tomas.novak@example.org").exists()
    before = counts()

    again = preview(data, actor=staff)
    assert again.nothing_to_change and "Nothing to change" in again.summary()
    apply(data, staff)
    assert counts() == before


def test_managers_are_set_once_everyone_of_the_file_exists(staff):
    apply(csv_bytes("ada@example.org,Ada,,,zed@example.org,", "zed@example.org,Zed,,,,"), staff)
    assert User.objects.get(email="ada@example.org").reports_to.email == "zed@example.org"


def test_managers_who_report_to_each_other_are_both_set(staff):
    apply(
        csv_bytes("ada@example.org,Ada,,,bob@example.org,", "bob@example.org,Bob,,,ada@example.org,"), staff
    )
    ada, bob = User.objects.get(email="ada@example.org"), User.objects.get(email="bob@example.org")
    assert (ada.reports_to, bob.reports_to) == (bob, ada)


def test_a_long_chain_of_managers_is_set_in_one_pass(staff):
    """Each reports to the person on the next line: managers are created first, so no second write each."""
    lines = [f"p{n}@example.org,P{n},,,p{n + 1}@example.org," for n in range(30)] + [
        "p30@example.org,P30,,,,"
    ]
    with CaptureQueriesContext(connection) as captured:
        apply(csv_bytes(*lines), staff)
    assert User.objects.get(email="p0@example.org").reports_to.email == "p1@example.org"
    assert User.objects.get(email="p29@example.org").reports_to.email == "p30@example.org"
    updates = [q for q in captured.captured_queries if q["sql"].startswith('UPDATE "members_user"')]
    assert len(updates) == 31  # one per person: the manager set as they are created, not in a second pass


def test_apply_changes_known_people_and_keeps_them_by_the_directory(known, staff):
    apply(csv_bytes("kim@example.org,Kim K,Lead,Operations / Safety,,"), staff)
    kim = User.objects.select_related("org_unit__parent", "profile").get(pk=known["kim"].pk)
    assert (kim.full_name, kim.profile.job_title, kim.org_unit.name, kim.org_unit.parent.name) == (
        "Kim K",
        "Lead",
        "Safety",
        "Operations",
    )
    assert kim.reports_to is None
    assert kim.directory == DIRECTORY
    assert OrgUnit.objects.filter(name__iexact="operations").count() == 1


def _memberships(user):
    return sorted(
        Membership.objects.filter(user=user).values_list("community__name", "status", "level", "role")
    )


def test_deactivating_and_reactivating_by_file_is_what_staff_do_by_hand(staff):
    """Memberships end with history and come back at their level and role, the uploading staff as the actor."""
    kim = UserFactory(email="kim@example.org", full_name="Kim")
    guild = CommunityFactory(name="Guild")
    MembershipFactory(community=guild, user=kim, level="core", role="coordinator")
    MembershipFactory(community=CommunityFactory(name="Circle"), user=kim, level="occasional")
    before = _memberships(kim)

    apply(csv_bytes("kim@example.org,Kim,,,,false"), staff)
    kim.refresh_from_db()
    assert not kim.is_active
    assert {status for _, status, _, _ in _memberships(kim)} == {"left"}
    assert Community.objects.get(name="Guild").needs_coordinator

    apply(csv_bytes("kim@example.org,Kim,,,,true"), staff)
    kim.refresh_from_db()
    assert kim.is_active
    assert _memberships(kim) == before
    history = list(
        MembershipEvent.objects.filter(community=guild, user=kim)
        .order_by("at", "pk")
        .values_list("kind", "from_value", "to_value", "actor")
    )
    assert history[-3:] == [
        (Event.DEACTIVATED, "core", "coordinator", staff.pk),
        (Event.REACTIVATED, "", "core", staff.pk),
        (Event.ROLE_CHANGED, "member", "coordinator", staff.pk),
    ]
    assert not Community.objects.get(name="Guild").needs_coordinator


def test_a_file_leaves_people_and_history_as_staff_by_hand_would(staff):
    """Two people with the same memberships: one deactivated and brought back by files, the other by the staff
    buttons' services; their memberships and history end the same."""
    from communities import services as community_services

    twins = [UserFactory(email="by.file@example.org", full_name="By File"), UserFactory(full_name="By Hand")]
    guild, circle = CommunityFactory(name="Guild"), CommunityFactory(name="Circle")
    for twin in twins:
        MembershipFactory(community=guild, user=twin, level="core", role="coordinator")
        MembershipFactory(community=circle, user=twin, level="active")
    other = UserFactory(full_name="Other coordinator")
    MembershipFactory(community=guild, user=other, level="core", role="coordinator")

    apply(csv_bytes("by.file@example.org,By File,,,,false"), staff)
    community_services.member_deactivate(actor=staff, user=twins[1])
    apply(csv_bytes("by.file@example.org,By File,,,,true"), staff)
    community_services.member_reactivate(actor=staff, user=twins[1])

    def trail(user):
        return [
            _memberships(user),
            list(
                MembershipEvent.objects.filter(user=user)
                .order_by("community__name", "at", "pk")
                .values_list("community__name", "kind", "from_value", "to_value", "actor")
            ),
        ]

    assert trail(twins[0]) == trail(twins[1])
    assert [user.is_active for user in User.objects.filter(pk__in=[t.pk for t in twins])] == [True, True]


def test_a_file_with_any_error_applies_nothing(known, staff):
    before = counts()
    with pytest.raises(ImportRefused):
        apply(csv_bytes("new@example.org,New,,Ops,,", "kim@example.org,Kim,,,,perhaps"), staff)
    assert counts() == before


@pytest.mark.parametrize("data", [b"", b"name\nAda\n", "email,name\nb@x.org,Bj\u00f6rn\n".encode("cp1252")])
def test_a_bad_file_applies_nothing(staff, data):
    before = counts()
    with pytest.raises(ImportRefused):
        apply(data, staff)
    assert counts() == before


def test_a_plan_that_changed_since_the_preview_is_not_applied(known, staff):
    data = csv_bytes("kim@example.org,Kim K,,,,")
    previewed = preview(data, actor=staff).digest
    User.objects.filter(pk=known["kim"].pk).update(full_name="Kim Renamed")
    before = counts()
    with pytest.raises(ImportRefused):
        people_import_apply(data=data, directory=DIRECTORY, actor=staff, previewed=previewed)
    assert counts() == before
    assert people_import_apply(
        data=data, directory=DIRECTORY, actor=staff, previewed=preview(data, staff).digest
    )


def test_only_staff_apply(member):
    with pytest.raises(NotPermitted):
        apply(csv_bytes("new@example.org,New,,,,"), member)
    assert not User.objects.filter(email="new@example.org").exists()


def test_the_plan_reads_only_the_file_it_is_given(known):
    people = read_people_csv(
        csv_bytes("kim@example.org,Kim Keeper,Technician,Operations / Maintenance,max@example.org,")
    )
    plan = people_import_plan(people_file=people, directory="")
    assert plan.unchanged_count == 1 and plan.nothing_to_change
