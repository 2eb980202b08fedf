"""Demo and benchmark data of the repertoire."""

import re

import pytest

from communities.models import Community, Participation
from copsite.demo import seed_demo, seed_scaled
from copsite.demo.repertoire import RESOURCES_PER_SCALE, minimal_pdf
from repertoire.files import PDF, check_upload
from repertoire.models import Application, Collection, Resource, ResourceFile, Revision

# Each test builds the whole demo (or a scaled set): in `make test`, left out of `make test-fast`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_minimal_pdf_is_structurally_valid():
    pdf = minimal_pdf("Title (with parens)", ["A line", "Ünïcode → replaced"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", pdf)]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    assert b"Title \\(with parens\\)" in pdf


def test_seed_demo_adds_resources_revisions_stories_a_pdf_and_collections(settings):
    seed_demo()
    counts = (Resource.objects.count(), Revision.objects.count(), Application.objects.count())
    assert Resource.objects.filter(status="draft").exists()
    assert Resource.objects.filter(source_discussion__isnull=False).exists()
    assert Revision.objects.filter(number__gte=2).exists()
    assert Application.objects.count() >= 10
    assert Collection.objects.filter(title="Start here").exists()
    attachment = ResourceFile.objects.first()
    with attachment.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
        assert check_upload(attachment.file) == PDF
    for resource in Resource.objects.all():
        assert resource.applied_count == resource.applications.count()
    assert Participation.objects.filter(kind="applied").count() == Application.objects.count()
    published = Resource.objects.exclude(status=Resource.Status.DRAFT).count()
    assert Participation.objects.filter(kind="resource_added").count() == published
    seed_demo()
    assert (Resource.objects.count(), Revision.objects.count(), Application.objects.count()) == counts


def test_seed_scaled_adds_resources_in_bulk():
    counts = seed_scaled(1)
    assert counts["resources"] == RESOURCES_PER_SCALE
    bench = Resource.objects.filter(community__slug__startswith="bench-")
    assert bench.count() == RESOURCES_PER_SCALE
    assert Revision.objects.filter(resource__in=bench).count() > RESOURCES_PER_SCALE
    assert Application.objects.filter(resource__in=bench).exists()
    assert ResourceFile.objects.filter(resource__in=bench).exists()
    assert Collection.objects.filter(community__slug__startswith="bench-").exists()
    for resource in bench.filter(applied_count__gt=0)[:20]:
        assert resource.applied_count == resource.applications.count()
    assert not bench.filter(status="draft", revisions__isnull=False).exists()
    assert Community.objects.filter(slug__startswith="bench-").exists()


def test_admin_pages_load_for_staff(client, staff):
    seed_demo()
    client.force_login(staff)
    resource = Resource.objects.filter(files__isnull=False).first()
    collection = Collection.objects.first()
    for path in (
        "/admin/repertoire/resource/",
        f"/admin/repertoire/resource/{resource.pk}/change/",
        "/admin/repertoire/application/",
        "/admin/repertoire/collection/",
        f"/admin/repertoire/collection/{collection.pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    assert str(resource) == resource.title and str(collection) == collection.title
    assert str(resource.files.first()) and str(resource.revisions.first()).endswith("v1")
    assert "applied" in str(Application.objects.first())
    assert " in " in str(collection.items.first())
