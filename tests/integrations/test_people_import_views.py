"""The people import's staff page: staff only; upload, preview (nothing written), apply (the plan previewed, once);
bad files get a clear message beside the field and change nothing; the preview's queries do not grow per row."""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.people_import import services
from members.models import OrgUnit, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("integrations:people_import")
APPLY = reverse("integrations:people_import_apply")
DEL, INS = '<del class="text-body-secondary">', '<ins class="text-decoration-none fw-semibold">'
FILE = (
    b"email,name,title,org_unit,manager_email,active\n"
    b"nia.new@example.org,Nia New,Analyst,Operations / Maintenance / Line 2,kim@example.org,\n"
    b"kim@example.org,Kim Keeper,Lead,Operations,,yes\n"
)


@pytest.fixture
def kim(db):
    return UserFactory(email="kim@example.org", full_name="Kim Keeper", org_unit=None)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def upload(client, data: bytes = FILE, name: str = "people.csv"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def reference_of(response) -> str:
    return response.context["apply_form"].initial["reference"]


def state() -> tuple:
    return (
        list(
            User.objects.order_by("pk").values_list(
                "email", "full_name", "org_unit", "reports_to", "directory"
            )
        ),
        OrgUnit.objects.count(),
    )


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_members_who_are_not_staff_get_403_and_change_nothing(member_client, kim):
    before = state()
    assert member_client.get(PAGE).status_code == 403
    assert upload(member_client).status_code == 403
    assert member_client.post(APPLY, {"reference": "x"}).status_code == 403
    assert state() == before


def test_the_page_shows_the_form_and_the_format(staff_client):
    response = staff_client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Operations / Maintenance / Line 2" in page
    assert "nothing is applied" in page


def test_applying_asks_for_a_post(staff_client):
    assert staff_client.get(APPLY).status_code == 405


def test_the_preview_groups_the_changes_and_writes_nothing(staff_client, kim):
    before = state()
    with CaptureQueriesContext(connection) as captured:
        response = upload(staff_client)
    assert response.status_code == 200
    assert state() == before
    writes = [
        q["sql"] for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == [] or all("django_session" in sql for sql in writes)
    page = response.content.decode()
    assert "New people (1)" in page and "nia.new@example.org" in page
    assert "Changed (1)" in page and f"Title: {DEL}none</del> → {INS}Lead</ins>" in page
    assert "Operations / Maintenance / Line 2" in page  # a new org unit
    assert "Apply these changes" in page


def test_preview_then_apply_then_the_same_file_has_nothing_to_change(staff_client, kim, staff):
    response = staff_client.post(APPLY, {"reference": reference_of(upload(staff_client))})
    assert response.status_code == 302 and response["Location"] == PAGE
    [message] = get_messages(response.wsgi_request)
    assert "1 new, 1 changed" in str(message)
    nia = User.objects.get(email="nia.new@example.org")
    assert (nia.full_name, nia.reports_to, nia.org_unit.name, nia.directory) == (
        "Nia New",
        kim,
        "Line 2",
        "CSV import",
    )
    kim.refresh_from_db()
    assert (kim.profile.job_title, kim.org_unit.name, kim.directory) == ("Lead", "Operations", "CSV import")
    after = state()

    again = upload(staff_client)
    page = again.content.decode()
    assert "Nothing to change" in page and "Apply these changes" not in page
    assert state() == after


def test_a_preview_is_applied_once(staff_client, kim):
    reference = reference_of(upload(staff_client))
    assert staff_client.post(APPLY, {"reference": reference}).status_code == 302
    after = state()
    response = staff_client.post(APPLY, {"reference": reference})
    assert response.status_code == 400 and "upload the file again" in response.content.decode()
    assert state() == after


@pytest.mark.parametrize("reference", ["", "forged", "people-import:abc"])
def test_a_missing_or_forged_reference_applies_nothing(staff_client, kim, reference):
    before = state()
    response = staff_client.post(APPLY, {"reference": reference})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert state() == before


def test_another_staff_members_preview_cannot_be_applied(client, staff, kim):
    client.force_login(staff)
    reference = reference_of(upload(client))
    client.force_login(UserFactory(is_staff=True))
    before = state()
    assert client.post(APPLY, {"reference": reference}).status_code == 400
    assert state() == before


def test_a_file_altered_in_the_cache_is_not_applied(staff_client, kim):
    from django.core.cache import cache

    reference = reference_of(upload(staff_client))
    for key in cache._cache.get_client().scan_iter("*people-import:*"):
        cache._cache.get_client().set(key, cache._cache._serializer.dumps(FILE.replace(b"Lead", b"Boss")))
    before = state()
    assert staff_client.post(APPLY, {"reference": reference}).status_code == 400
    assert state() == before


def test_people_changed_since_the_preview_show_a_fresh_preview_and_apply_nothing(staff_client, kim):
    reference = reference_of(upload(staff_client))
    User.objects.filter(pk=kim.pk).update(full_name="Kim Renamed")
    before = state()
    response = staff_client.post(APPLY, {"reference": reference})
    assert response.status_code == 409
    assert state() == before
    page = response.content.decode()
    assert "changed since this preview" in page
    assert f"Name: {DEL}Kim Renamed</del> → {INS}Kim Keeper</ins>" in page
    assert staff_client.post(APPLY, {"reference": reference_of(response)}).status_code == 302
    assert User.objects.get(pk=kim.pk).full_name == "Kim Keeper"


def test_rows_with_errors_are_listed_by_line_and_column_and_cannot_be_applied(staff_client, kim):
    data = (
        FILE
        + b"kim@example.org,Kim Again,,,,\nbad-email,X,,,,\nok@example.org,Ok,,,ghost@example.org,\nx@example.org,X,,,,maybe\n"
    )
    before = state()
    response = upload(staff_client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing can be applied" in page and "Apply these changes" not in page
    assert reference_of(response) == ""
    for line, column in [(3, "email"), (4, "email"), (5, "email"), (6, "manager_email"), (7, "active")]:
        assert f'<td data-label="Line">{line}</td><td data-label="Column"><code>{column}</code>' in page
    assert state() == before


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),  # Django's own message for an empty upload
        (b"name,title\nAda,x\n", "needs the column"),
        ("email,name\nb@example.org,Bj\u00f6rn\n".encode("cp1252"), "not UTF-8: line 2"),
        (b"PK\x03\x04\x14\x00workbook", "spreadsheet workbook"),
    ],
)
def test_a_bad_file_comes_back_with_the_reason_beside_the_field(staff_client, kim, data, words):
    before = state()
    response = upload(staff_client, data)
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors["file"])
    assert state() == before


def test_a_file_over_the_cap_is_refused_without_being_read(staff_client, settings):
    """6 MB against the default 5 MB cap: Django streams it to a temporary file, and its size alone refuses it."""
    data = b"email,name\n" + b"x" * (6 * 1024 * 1024)
    with (
        mock.patch.object(services, "read_people_csv", wraps=services.read_people_csv) as read,
        mock.patch.object(TemporaryUploadedFile, "chunks") as chunks,
    ):
        response = upload(staff_client, data)
    assert response.status_code == 400
    assert "largest accepted is 5 MB" in " ".join(response.context["form"].errors["file"])
    assert isinstance(response.wsgi_request.FILES["file"], TemporaryUploadedFile)  # on disk, not in memory
    read.assert_not_called()
    chunks.assert_not_called()


def test_the_previews_queries_do_not_grow_with_the_rows(staff_client, kim):
    """Three queries whatever the rows: the signed-in staff member (the session aside, in Redis or the database), the people and
    managers the file names (one query), and every org unit (one query)."""

    def measured(size: int) -> int:
        lines = b"".join(
            f"p{n}@example.org,Person {n},T{n},Ops / Team {n},kim@example.org,{n % 2}\n".encode()
            for n in range(size)
        )
        with CaptureQueriesContext(connection) as captured:
            assert (
                upload(staff_client, b"email,name,title,org_unit,manager_email,active\n" + lines).status_code
                == 200
            )
        return len([q for q in captured.captured_queries if "django_session" not in q["sql"]])

    assert measured(5) == measured(80) == 3


def test_a_long_preview_shows_the_first_500_of_a_group_and_counts_the_rest(staff_client):
    lines = b"".join(f"p{n}@example.org,Person {n}\n".encode() for n in range(503))
    page = upload(staff_client, b"email,name\n" + lines).content.decode()
    assert "New people (503)" in page and "p499@example.org" in page and "p500@example.org" not in page
    assert "And 3 more new people" in page
