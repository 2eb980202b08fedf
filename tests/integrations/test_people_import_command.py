"""import_people, for scheduled imports: a preview by default (printed, nothing changed), --apply as a staff member,
non-zero with the errors when the file is bad."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "people.csv"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def people() -> list:
    return list(User.objects.order_by("email").values_list("email", "full_name", "reports_to", "is_active"))


def test_without_apply_it_prints_the_preview_and_changes_nothing(staff):
    before = people()
    out, _ = run(str(EXAMPLE))
    assert "6 new, 0 changed, 0 deactivated, 0 reactivated, 0 unchanged" in out
    assert "line 4: new sofia.marquez@example.org (Sofia Márquez)" in out
    assert "new org unit: Operations / Maintenance / Line 2" in out
    assert "Run again with --apply" in out
    assert people() == before


def test_apply_as_staff_then_again_changes_nothing(staff):
    out, _ = run(str(EXAMPLE), "--apply", "--actor", staff.email.upper())
    assert "Applied: 6 new" in out
    assert User.objects.get(email="kenji.watanabe@example.org").reports_to.email == "lukas.brandt@example.org"
    after = people()
    out, _ = run(str(EXAMPLE), "--apply", "--actor", staff.email)
    assert "Nothing to change" in out
    assert people() == after


def test_directory_names_who_keeps_the_people(staff):
    run(str(EXAMPLE), "--apply", "--actor", staff.email, "--directory", "HR export")
    assert set(
        User.objects.filter(email__endswith="@example.org")
        .exclude(pk=staff.pk)
        .values_list("directory", flat=True)
    ) == {"HR export"}


def test_deactivations_are_made_by_the_actor(staff, tmp_path):
    kim = UserFactory(email="kim@example.org", full_name="Kim")
    path = tmp_path / "leavers.csv"
    path.write_text("email,name,active\nkim@example.org,Kim,false\n")
    run(str(path), "--apply", "--actor", staff.email)
    kim.refresh_from_db()
    assert not kim.is_active


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--apply"], "--apply needs --actor"),
        (["--apply", "--actor", "nobody@example.org"], "no active staff member"),
        (["--directory", " "], "give the directory a name"),
    ],
)
def test_missing_or_wrong_options_are_refused(staff, member, args, words):
    before = people()
    with pytest.raises(CommandError, match=words):
        run(str(EXAMPLE), *args)
    assert people() == before


def test_a_member_who_is_not_staff_cannot_apply(member):
    with pytest.raises(CommandError, match="no active staff member"):
        run(str(EXAMPLE), "--apply", "--actor", member.email)


def test_a_bad_file_exits_non_zero_and_changes_nothing(staff, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("email,name\nb@example.org,Bj\u00f6rn\n".encode("cp1252"))
    before = people()
    for args in ([], ["--apply", "--actor", staff.email]):
        with pytest.raises(CommandError, match="not UTF-8: line 2"):
            run(str(path), *args)
    assert people() == before


def test_rows_with_errors_are_printed_by_line_and_nothing_is_applied(staff, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,name,active\nada@example.org,Ada,\nbad,Bob,\ncy@example.org,Cy,perhaps\n")
    before = people()
    for args in ([], ["--apply", "--actor", staff.email]):
        err = StringIO()
        with pytest.raises(CommandError, match="nothing"):
            call_command("import_people", str(path), *args, stdout=StringIO(), stderr=err)
        assert "line 3, email:" in err.getvalue() and "line 4, active:" in err.getvalue()
    assert people() == before


def test_a_missing_or_too_large_file_is_refused_before_reading(staff, tmp_path, settings):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "absent.csv"))
    settings.PEOPLE_IMPORT_MAX_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(b"email,name\n" + b"x" * (1024 * 1024))
    with pytest.raises(CommandError, match="largest accepted is 1 MB"):
        run(str(path))
