"""Browser journey of the library: a member adds a resource with a PDF; another finds it by a word from its body,
downloads the file and records “I applied this”; a coordinator harvests an accepted answer into a resource."""

import re

import pytest
from django.utils import timezone

from activities.models import Discussion, Reply
from communities.models import Participation
from copsite.demo.repertoire import minimal_pdf
from repertoire.models import Application, Resource
from tests.browser.test_community_journeys import sign_in, sign_out
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_add_find_download_apply_and_harvest(journey, tmp_path):
    guild = CommunityFactory(name="Site Reliability Guild", slug="srg")
    coordinator = coordinator_of(guild, user=UserFactory(full_name="Cora Coordinator"))
    author = member_of(guild, "active", user=UserFactory(full_name="Ada Author"))
    reader = member_of(guild, "occasional", user=UserFactory(full_name="Rui Reader"))
    now = timezone.now()
    question = Discussion.objects.create(
        community=guild,
        author=reader,
        title="How do you hand over on-call?",
        body="Our handovers lose context.",
        created_at=now,
        last_activity_at=now,
    )
    answer = Reply.objects.create(
        discussion=question, author=author, body="A five-line handover note in the channel.", created_at=now
    )
    question.accepted_reply = answer
    question.save()
    page = journey.page

    # A member adds a resource with a PDF attached.
    sign_in(journey, author.email)
    journey.goto("/c/srg/")
    page.get_by_role("navigation", name="Site Reliability Guild").get_by_role("link", name="Library").click()
    page.wait_for_url(re.compile(r"/c/srg/library/$"))
    journey.audit()
    page.get_by_role("link", name="Add a resource").click()
    page.wait_for_url(re.compile(r"/c/srg/library/new/"))
    journey.audit()
    page.get_by_label("Summary").fill("The questions we ask after every incident.")
    page.get_by_label("Title").fill("Blameless review checklist")
    page.get_by_label("Kind").select_option("template")
    page.get_by_label("Text").fill("Walk the timeline first. We call it the zanzibar method.")
    page.get_by_label("Tags").fill("incident reviews, on-call")
    page.get_by_label("Attach files").set_input_files(
        {"name": "checklist.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("Checklist", ["One"])}
    )
    page.get_by_role("button", name="Add to the library").click()
    page.wait_for_url(re.compile(r"/c/srg/library/\d+/$"))
    journey.audit()
    assert page.get_by_text("Added to the library").count() == 1
    resource = Resource.objects.get(title="Blameless review checklist")
    assert resource.files.get().name == "checklist.pdf"
    sign_out(journey)

    # Another member finds it by a word from its body, downloads the file, and records "I applied this".
    sign_in(journey, reader.email)
    journey.goto("/c/srg/library/")
    page.get_by_label("Search the library").fill("zanzibar")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"q=zanzibar"))
    page.locator("#library-count", has_text="1 resource found.").wait_for()
    journey.audit()
    page.get_by_role("link", name="Blameless review checklist").click()
    page.wait_for_url(re.compile(rf"/c/srg/library/{resource.pk}/$"))
    journey.audit()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="checklist.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "checklist.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    page.get_by_label(re.compile("I applied this")).fill("Our handovers now take ten minutes.")
    page.get_by_role("button", name="I applied this").click()
    page.get_by_role("heading", name="Applied 1 time").wait_for()
    page.get_by_text("You applied this").wait_for()
    journey.audit()
    assert page.locator("#live-region").text_content().startswith("Thank you")
    assert Application.objects.get(resource=resource).user == reader
    assert Participation.objects.filter(kind="applied", user=reader).count() == 1
    sign_out(journey)

    # A coordinator harvests the accepted answer into a draft, then publishes it.
    sign_in(journey, coordinator.email)
    journey.goto("/c/srg/library/")
    page.get_by_role("navigation", name="Library sections").get_by_role("link", name="Harvest").click()
    page.wait_for_url(re.compile(r"/c/srg/library/harvest/"))
    journey.audit()
    page.get_by_role("button", name=re.compile("Harvest.*How do you hand over on-call")).click()
    page.wait_for_url(re.compile(r"/c/srg/library/\d+/edit/"))
    journey.audit()
    assert "A five-line handover note" in page.get_by_label("Text").input_value()
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/c/srg/library/\d+/$"))
    journey.audit()
    harvested = Resource.objects.get(source_discussion=question)
    assert harvested.status == "published" and harvested.kind == "faq"
    assert page.get_by_text("Harvested from the discussion").count() == 1
