"""Fixtures of the repertoire tests: uploaded files go to a temporary folder; a community with its people; files
of each kind, real and disguised."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from copsite.demo.repertoire import minimal_pdf
from repertoire import services
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test stores its files in its own folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guild(db):
    return CommunityFactory(name="Reliability Guild", slug="guild")


@pytest.fixture
def coordinator(guild):
    return coordinator_of(guild, user=UserFactory(full_name="Cora Coordinator"))


@pytest.fixture
def core_member(guild):
    return member_of(guild, "core", user=UserFactory(full_name="Kai Core"))


@pytest.fixture
def author(guild):
    return member_of(guild, "active", user=UserFactory(full_name="Ada Author"))


@pytest.fixture
def reader(guild):
    return member_of(guild, "peripheral", user=UserFactory(full_name="Rui Reader"))


@pytest.fixture
def outsider(db):
    return UserFactory(full_name="Otto Outsider")


def pdf_upload(name: str = "checklist.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf("Checklist", ["Step one"]), content_type="application/pdf")


def office_upload(name: str, part: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def make_resource(community, actor, **fields):
    """A resource added through the service (published unless told otherwise)."""
    fields.setdefault("title", "Incident review checklist")
    fields.setdefault("summary", "What we ask after every incident.")
    fields.setdefault("body", "1. Timeline first\n2. Causes second")
    return services.resource_create(actor=actor, community=community, **fields)
