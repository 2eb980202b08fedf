"""Browser journey: staff upload a CSV file of people, read the preview (also on a phone, without sideways
scrolling), apply it, and find the people's profiles changed and kept by the import."""

import re
from pathlib import Path

import pytest

from members.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
FILE = (
    b"email,name,title,org_unit,manager_email,active\n"
    b"nia.new@example.org,Nia New,Reliability Engineer,Operations / Maintenance / Line 2,kim.keeper@example.org,\n"
    b"kim.keeper@example.org,Kim Keeper,Maintenance Lead,Operations / Maintenance,,true\n"
    b"lee.leaver@example.org,Lee Leaver,,,,false\n"
    b"an.exceptionally.long.address.for.a.narrow.screen@subsidiary.example.org,Long Address,,,,\n"
)


def sign_in(journey, email: str) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))
    journey.audit()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_staff_preview_and_apply_a_file_of_people(journey):
    staff = UserFactory(email="sam.staff@example.org", full_name="Sam Staff", is_staff=True)
    kim = UserFactory(email="kim.keeper@example.org", full_name="Kim Keeper", org_unit=None)
    UserFactory(email="lee.leaver@example.org", full_name="Lee Leaver")
    page = journey.page
    sign_in(journey, staff.email)

    journey.goto("/staff/directory/import/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "people-import-form-narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("CSV file of people").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": FILE}]
    )
    page.get_by_role("button", name="Preview the changes").click()
    page.get_by_role("heading", name="Preview of people.csv").wait_for()
    journey.audit()
    assert "2 new, 1 changed, 1 deactivated, 0 reactivated, 0 unchanged" in page.locator(".lead").inner_text()
    changed = page.locator("section", has=page.get_by_role("heading", name="Changed (1)"))
    assert "Title: none → Maintenance Lead" in changed.inner_text()
    assert (
        "lee.leaver@example.org"
        in page.locator("section", has=page.get_by_role("heading", name="Deactivated (1)")).inner_text()
    )
    units = page.locator("section", has=page.get_by_role("heading", name="New org units (3)")).inner_text()
    assert "Operations / Maintenance / Line 2" in units
    assert User.objects.filter(email="nia.new@example.org").count() == 0  # the preview wrote nothing

    page.screenshot(path=str(SCREENSHOTS / "people-import-preview.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "people-import-preview-narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url(re.compile(r"/staff/directory/import/$"))
    journey.audit()
    assert "Applied people.csv: 2 new, 1 changed, 1 deactivated" in page.locator("#messages").inner_text()

    nia = User.objects.get(email="nia.new@example.org")
    journey.goto(nia.get_absolute_url())
    profile = page.locator("main").inner_text()
    assert "Reliability Engineer" in profile and "Line 2" in profile and "Kim Keeper" in profile
    assert "CSV import" in profile  # kept by the import: changed there, not in the profile form
    journey.goto(kim.get_absolute_url())
    assert "Maintenance Lead" in page.locator("main").inner_text()
    assert not User.objects.get(email="lee.leaver@example.org").is_active

    # The same file again: nothing to change, nothing to apply.
    journey.goto("/staff/directory/import/")
    page.get_by_label("CSV file of people").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": FILE}]
    )
    page.get_by_role("button", name="Preview the changes").click()
    page.get_by_text("Nothing to change").first.wait_for()
    journey.audit()
    assert page.get_by_role("button", name="Apply these changes").count() == 0
