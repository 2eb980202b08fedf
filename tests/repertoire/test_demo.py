"""Demo and benchmark data of the repertoire."""

import re

import pytest

from communities.models import Community
from copsite.demo import seed_scaled
from copsite.demo.repertoire import RESOURCES_PER_SCALE, minimal_pdf
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
