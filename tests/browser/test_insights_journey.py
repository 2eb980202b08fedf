"""Browser journey of a sponsor: sign in, see the cards of the communities they sponsor, open one, read its charts,
record a realized-value story and download a chart's CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from insights.models import ValueStory
from tests.browser.test_community_journeys import sign_in
from tests.factories import (
    CommunityFactory,
    SnapshotFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sponsor_reads_dashboard_records_a_story_and_downloads_csv(journey, tmp_path):
    sponsor = UserFactory(full_name="Sam Sponsor")
    guild = CommunityFactory(name="Site Reliability Guild", slug="srg", stage="maturing")
    lean = CommunityFactory(name="Lean Practitioners", slug="lean", stage="stewardship")
    elsewhere = CommunityFactory(name="Someone Else's Community", slug="elsewhere")
    for community in (guild, lean):
        SponsorshipFactory(community=community, sponsor=sponsor)
        coordinator_of(community)
    member_of(guild, "active")
    coordinator_of(elsewhere)
    yesterday = timezone.localdate() - timedelta(days=1)
    # Two months of history for the guild: 4 members growing to 6, one activity a week.
    for back in range(60):
        day = yesterday - timedelta(days=back)
        SnapshotFactory(
            community=guild,
            day=day,
            members=6 if back < 30 else 4,
            level_core=2,
            level_active=2 if back < 30 else 1,
            level_peripheral=2 if back < 30 else 1,
            active_members=3,
            activities_held=1 if back % 7 == 0 else 0,
            attendance=5 if back % 7 == 0 else 0,
        )
    page = journey.page

    sign_in(journey, sponsor.email)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    journey.audit()
    cards = page.locator("main").get_by_role("heading", level=2)
    names = cards.all_inner_texts()
    assert any("Site Reliability Guild" in name for name in names)
    assert any("Lean Practitioners" in name for name in names)
    assert page.get_by_text("Someone Else's Community").count() == 0
    assert page.get_by_text("Healthy").count() >= 1  # each card lists its stage's checks with a status

    # Open the guild's health page from its card and read a chart, its numbers one click away.
    page.get_by_role("link", name="Site Reliability Guild").first.click()
    page.wait_for_url(re.compile(r"/c/srg/health/$"))
    journey.audit()
    assert page.get_by_role("heading", name=re.compile("Health of Site Reliability Guild")).count() == 1
    membership = page.locator("#chart-membership")
    assert membership.locator("figcaption").inner_text() == "Members by commitment level"
    membership.get_by_text("Numbers for").click()
    numbers = membership.locator("table")
    assert numbers.is_visible()
    last_row = numbers.locator("tbody tr").last.inner_text()
    assert "6" in last_row  # the last month ends with 6 members: 2 core + 2 active + 2 peripheral
    journey.audit()

    # Record a realized-value story.
    page.get_by_role("link", name="Record a value story").click()
    page.wait_for_url(re.compile(r"/c/srg/health/stories/new/$"))
    journey.audit()
    page.get_by_label(re.compile("Realized value")).check()
    page.get_by_label("Title").fill("Night pages halved")
    page.get_by_label("Story").fill(
        "After the on-call runbook from the guild, night pages went from 12 to 6."
    )
    page.get_by_label("Evidence").fill("Paging report, October vs August")
    page.get_by_label("When it happened").fill(yesterday.isoformat())
    page.get_by_role("button", name="Record the story").click()
    page.wait_for_url(re.compile(r"/c/srg/health/.*#story-\d+$"))
    journey.audit()
    story = ValueStory.objects.get(title="Night pages halved")
    assert (story.community, story.cycle, story.recorded_by) == (guild, ValueStory.Cycle.REALIZED, sponsor)
    assert page.locator(f"#story-{story.pk}").get_by_text("Night pages halved").count() == 1

    # Download the activities chart's data.
    with page.expect_download() as download_info:
        page.locator("#chart-activities").get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0][0] == "Month"
    assert len(rows) == 13  # a header and 12 months
    held = sum(int(row[1] or 0) for row in rows[1:])
    assert held == 9  # one activity a week over 60 days: days 0, 7, …, 56


def test_constellation_fits_a_phone_and_names_its_nodes_by_their_labels(journey):
    """At 390 px the page does not scroll sideways (the map and the wide tables scroll inside their own frames),
    and axe finds nothing, the map's circles named by the words they show."""
    viewer = UserFactory(full_name="Connie Constellation")
    communities = [
        CommunityFactory(name=f"Community of practice for topic number {i} with a long name", slug=f"cop-{i}")
        for i in range(12)
    ]
    for i, community in enumerate(communities):
        for person in range(4 + i):
            member_of(community, "active", user=UserFactory(full_name=f"Person {i}-{person}"))
    for person in range(5):  # people shared by every community: every pair is linked
        shared = UserFactory(full_name=f"Spanner {person}")
        for community in communities:
            member_of(community, "active", user=shared)
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(journey, viewer.email)
    journey.goto("/constellation/")
    assert page.locator("svg a").count() == 12
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
