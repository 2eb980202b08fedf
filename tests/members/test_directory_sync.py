"""People and org units as the company directory says (the services SCIM, the CSV import and single sign-on call):
org units created and nested from a path, people created, found and updated, the directory's fields read-only
in the profile form, and both safe when two syncs run at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from members.models import OrgUnit, Profile, User
from members.services import (
    org_unit_ensure,
    org_unit_path,
    person_from_directory,
    profile_update,
)
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db
DIRECTORY = "Entra ID"


# --- Org units ---------------------------------------------------------------------------------------------


def test_a_path_is_split_into_its_units_outermost_first():
    assert org_unit_path(" Operations / Maintenance /  / Line 2 ") == ["Operations", "Maintenance", "Line 2"]
    assert org_unit_path("  ") == []


def test_units_are_created_nested_with_a_kind_by_depth_and_found_again_whatever_the_case():
    line = org_unit_ensure(path=["Operations", "Maintenance", "Line 2", "Night shift"])

    assert [line.name, line.parent.name, line.parent.parent.name] == ["Night shift", "Line 2", "Maintenance"]
    kinds = dict(OrgUnit.objects.values_list("name", "kind"))
    assert kinds == {
        "Operations": "division",
        "Maintenance": "department",
        "Line 2": "team",
        "Night shift": "team",
    }
    assert org_unit_ensure(path=["OPERATIONS", "maintenance", "line 2", "Night Shift"]) == line
    assert OrgUnit.objects.count() == 4
    assert org_unit_ensure(path=[]) is None


def test_an_overlong_unit_name_is_refused_and_nothing_is_created():
    with pytest.raises(ValidationError) as refused:
        org_unit_ensure(path=["Operations", "x" * 121])
    assert refused.value.message_dict == {"org_unit": ["Keep each org unit's name under 120 characters."]}
    assert not OrgUnit.objects.exists()


@pytest.mark.parametrize("parent", [False, True], ids=["top level", "under a parent"])
def test_the_database_refuses_two_units_of_one_name_under_one_parent_whatever_the_case(parent):
    above = OrgUnitFactory(name="Operations") if parent else None
    OrgUnit.objects.create(name="Quality", kind="department", parent=above)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(name="quality", kind="department", parent=above)
    OrgUnit.objects.create(name="Quality", kind="department", parent=OrgUnitFactory(name="Elsewhere"))


# --- People ------------------------------------------------------------------------------------------------


def test_a_new_person_is_created_with_what_the_directory_says():
    unit = org_unit_ensure(path=["Operations"])
    boss = UserFactory(full_name="Bea Boss")

    person, changed = person_from_directory(
        directory=DIRECTORY,
        email=" Nia.New@Example.org ",
        full_name="Nia New",
        job_title="Planner",
        org_unit=unit,
        reports_to=boss,
    )

    assert changed == ["created"]
    assert (person.email, person.full_name, person.org_unit, person.reports_to) == (
        "nia.new@example.org",
        "Nia New",
        unit,
        boss,
    )
    assert person.directory == DIRECTORY
    assert not person.has_usable_password()
    assert Profile.objects.get(user=person).job_title == "Planner"
    assert person.emailaddress_set.get().verified


def test_someone_who_signed_up_by_hand_is_taken_over_by_their_email_not_doubled():
    existing = UserFactory(email="ada@example.org", full_name="Ada")

    person, changed = person_from_directory(
        directory=DIRECTORY, email="ADA@example.org", full_name="Ada Lovelace"
    )

    assert person.pk == existing.pk
    assert changed == ["full_name", "directory"]
    assert User.objects.count() == 1


def test_the_same_values_again_change_nothing_and_unsent_fields_stay():
    unit = org_unit_ensure(path=["Operations"])
    person, _ = person_from_directory(
        directory=DIRECTORY, email="a@example.org", full_name="A", job_title="Planner", org_unit=unit
    )
    assert person_from_directory(
        directory=DIRECTORY,
        user=person,
        email="a@example.org",
        full_name="A",
        job_title="Planner",
        org_unit=unit,
    ) == (person, [])

    person, changed = person_from_directory(directory=DIRECTORY, user=person, full_name="A. Person")

    assert changed == ["full_name"]
    person.refresh_from_db()
    assert (person.org_unit, person.profile.job_title) == (unit, "Planner")


def test_a_changed_email_moves_the_sign_in_address_too():
    person, _ = person_from_directory(directory=DIRECTORY, email="old@example.org", full_name="P")

    person, changed = person_from_directory(directory=DIRECTORY, user=person, email="new@example.org")

    assert changed == ["email"]
    assert list(person.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("new@example.org", True, True)
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "p@example.org", "full_name": "x" * 151}, "full_name"),
        ({"email": "p@example.org", "job_title": "x" * 121}, "job_title"),
        ({"full_name": "No email"}, "email"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_saved(values, field):
    with pytest.raises(ValidationError) as refused:
        person_from_directory(directory=DIRECTORY, **values)
    assert list(refused.value.message_dict) == [field]
    assert not User.objects.exists()


def test_an_email_someone_else_has_is_refused():
    UserFactory(email="taken@example.org")
    person, _ = person_from_directory(directory=DIRECTORY, email="p@example.org", full_name="P")
    with pytest.raises(ValidationError) as refused:
        person_from_directory(directory=DIRECTORY, user=person, email="Taken@example.org")
    assert refused.value.message_dict == {"email": ["taken@example.org is already someone else's address."]}


def test_nobody_reports_to_themselves():
    person, _ = person_from_directory(directory=DIRECTORY, email="p@example.org", full_name="P")
    with pytest.raises(ValidationError):
        person_from_directory(directory=DIRECTORY, user=person, reports_to=person)


# --- Read-only in the profile form -------------------------------------------------------------------------


def test_the_directorys_fields_are_read_only_in_the_profile_form_with_where_to_change_them(client):
    unit = org_unit_ensure(path=["Operations"])
    person, _ = person_from_directory(
        directory=DIRECTORY, email="p@example.org", full_name="Pat Person", job_title="Planner", org_unit=unit
    )
    client.force_login(person)

    page = client.get(reverse("members:edit_profile")).text
    assert page.count("Kept by Entra ID: change it there") == 3  # name, job title, org unit

    response = client.post(
        reverse("members:edit_profile"),
        {
            "full_name": "Someone Else",
            "job_title": "Boss",
            "org_unit": "",
            "location": "Lyon",
            "bio": "",
            "expertise": "",
            "time_zone": "Europe/Paris",
            "in_directory": "on",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.org_unit, person.profile.job_title) == ("Pat Person", unit, "Planner")
    assert person.profile.location == "Lyon"  # what the person keeps themselves is saved


def test_the_profile_service_refuses_to_change_what_the_directory_keeps():
    person, _ = person_from_directory(directory=DIRECTORY, email="p@example.org", full_name="Pat Person")
    with pytest.raises(ValidationError) as refused:
        profile_update(user=person, full_name="Someone Else")
    assert refused.value.message_dict == {"full_name": ["Kept by Entra ID: change it there."]}


def test_the_profile_shows_whom_the_person_reports_to(client):
    boss = UserFactory(full_name="Bea Boss")
    person, _ = person_from_directory(
        directory=DIRECTORY, email="p@example.org", full_name="Pat", reports_to=boss
    )
    client.force_login(person)
    page = client.get(person.get_absolute_url()).text
    assert f'<a href="{boss.get_absolute_url()}">Bea Boss</a>' in page
    assert "Kept by" in page


# --- Two syncs at once (PostgreSQL: real concurrent transactions) ---------------------------------------------


def _at_once(work, times: int = 2) -> list:
    """Run `work` in `times` threads that start together, each in its own connection and transaction."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_make_one_unit_and_one_person():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")

    units = _at_once(lambda: org_unit_ensure(path=["Operations", "Maintenance"]).pk, times=4)
    people = _at_once(
        lambda: person_from_directory(directory=DIRECTORY, email="same@example.org", full_name="Same")[0].pk,
        times=4,
    )

    assert len(set(units)) == 1
    assert OrgUnit.objects.count() == 2
    assert len(set(people)) == 1
    assert User.objects.count() == 1


def test_a_unit_is_renamed_where_it_stands_unless_a_unit_beside_it_has_the_name():
    from members.services import org_unit_rename

    platform = org_unit_ensure(path=["Engineering", "Platform"])
    org_unit_ensure(path=["Engineering", "Web"])
    person = UserFactory(org_unit=platform)

    renamed = org_unit_rename(unit=platform, name=" Core ")
    assert (renamed.pk, renamed.name, renamed.parent.name) == (platform.pk, "Core", "Engineering")
    person.refresh_from_db()
    assert person.org_unit.name == "Core"
    with pytest.raises(ValidationError) as refused:
        org_unit_rename(unit=platform, name="WEB")
    assert refused.value.message_dict == {"org_unit": ["Another org unit beside Core is called WEB."]}
    with pytest.raises(ValidationError):
        org_unit_rename(unit=platform, name="  ")
    assert OrgUnit.objects.get(pk=platform.pk).name == "Core"
