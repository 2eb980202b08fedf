"""The sponsor dashboard: who has one, which cards it shows, their order, trend, next activity, and query counts."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Occurrence
from communities.models import Community, Sponsorship
from copsite.demo.communities import COMMUNITIES_PER_SCALE
from insights.models import Snapshot, ValueStory
from insights.selectors import TREND_WEEKS, dashboard_cards, trend_days
from insights.snapshots import local_today
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SnapshotFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("insights:dashboard")


def names(response) -> list[str]:
    return [card.community.name for card in response.context["page"].object_list]


def card_for(response, community: Community):
    return next(card for card in response.context["page"].object_list if card.community == community)


def healthy_potential(name: str) -> Community:
    """A community in its first stage that passes both its checks: a coordinator and a core group of three."""
    community = CommunityFactory(name=name, stage="potential")
    coordinator_of(community)
    member_of(community, "core")
    member_of(community, "core")
    return community


def schedule(
    community: Community, *, title: str, starts_in: timedelta, cancelled: bool = False
) -> Occurrence:
    start = timezone.now() + starts_in
    activity = Activity.objects.create(community=community, title=title, time_zone="UTC")
    return Occurrence.objects.create(
        activity=activity,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
        cancelled=cancelled,
    )


@pytest.fixture
def sponsor(db):
    return UserFactory(full_name="Fiona Sponsor")


@pytest.fixture
def sponsor_client(client, sponsor):
    client.force_login(sponsor)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- Who has a dashboard ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_rejects_post(sponsor_client, sponsor):
    SponsorshipFactory(sponsor=sponsor)
    assert sponsor_client.post(DASHBOARD).status_code == 405


def test_members_who_sponsor_nothing_get_a_friendly_403(member_client, member):
    """A coordinator who sponsors nothing has no dashboard: a 403 page that points to the Health tab instead."""
    community = CommunityFactory(name="Kaizen Circle")
    MembershipFactory(community=community, user=member, role="coordinator", level="core")

    response = member_client.get(DASHBOARD)

    assert response.status_code == 403
    assert "The dashboard is for sponsors and staff" in response.text
    assert "Health tab" in response.text
    assert "Kaizen Circle" not in response.text
    assert "page" not in response.context


def test_sponsor_sees_only_the_communities_they_sponsor(sponsor_client, sponsor):
    """Including a private one they sponsor; not another private one, nor a listed one someone else sponsors."""
    mine = CommunityFactory(name="Reliability Guild")
    my_private = CommunityFactory(name="Incident Review Circle", visibility="private")
    SponsorshipFactory(sponsor=sponsor, community=mine)
    SponsorshipFactory(sponsor=sponsor, community=my_private)
    SponsorshipFactory(community=CommunityFactory(name="Others' Guild"))
    CommunityFactory(name="Secret Society", visibility="private")

    response = sponsor_client.get(DASHBOARD)

    assert response.status_code == 200
    assert sorted(names(response)) == ["Incident Review Circle", "Reliability Guild"]
    assert "Others' Guild" not in response.text
    assert "Secret Society" not in response.text
    assert reverse("insights:community", args=[mine.slug]) in response.text
    assert reverse("insights:constellation") in response.text


def test_sponsors_get_no_stage_or_name_filter(sponsor_client, sponsor):
    SponsorshipFactory(
        sponsor=sponsor, community=CommunityFactory(name="Reliability Guild", stage="maturing")
    )
    response = sponsor_client.get(DASHBOARD, {"q": "nothing like it", "stage": "potential"})
    assert names(response) == ["Reliability Guild"]
    assert 'name="stage"' not in response.text
    assert 'name="archived"' in response.text


def test_staff_see_every_community_and_filter_by_stage_and_name(staff_client):
    CommunityFactory(name="Reliability Guild", stage="maturing")
    CommunityFactory(name="Secret Society", visibility="private", stage="maturing")
    CommunityFactory(name="Lean Circle", stage="potential")

    assert sorted(names(staff_client.get(DASHBOARD))) == [
        "Lean Circle",
        "Reliability Guild",
        "Secret Society",
    ]
    assert sorted(names(staff_client.get(DASHBOARD, {"stage": "maturing"}))) == [
        "Reliability Guild",
        "Secret Society",
    ]
    assert names(staff_client.get(DASHBOARD, {"q": "  SOCIETY "})) == ["Secret Society"]
    response = staff_client.get(DASHBOARD, {"q": "zebra"})
    assert names(response) == []
    assert "No community matches these filters." in response.text


def test_staff_without_communities_see_an_empty_state(staff_client):
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "No communities yet." in response.text


def test_archived_communities_only_when_asked(staff_client):
    CommunityFactory(name="Live Guild")
    CommunityFactory(name="Old Guild", archived_at=timezone.now())

    response = staff_client.get(DASHBOARD)
    assert names(response) == ["Live Guild"]
    assert "Old Guild" not in response.text

    response = staff_client.get(DASHBOARD, {"archived": "on"})
    assert sorted(names(response)) == ["Live Guild", "Old Guild"]
    assert "Archived</span>" in response.text


def test_a_sponsor_whose_communities_are_archived_is_told_how_to_see_them(sponsor_client, sponsor):
    SponsorshipFactory(
        sponsor=sponsor, community=CommunityFactory(name="Old Guild", archived_at=timezone.now())
    )

    response = sponsor_client.get(DASHBOARD)
    assert names(response) == []
    assert "The communities you sponsor are archived." in response.text

    assert names(sponsor_client.get(DASHBOARD, {"archived": "on"})) == ["Old Guild"]


# --- Order and health checks -----------------------------------------------------------------------------------


def test_cards_are_sorted_by_attention_needed_then_by_name(sponsor_client, sponsor):
    """No coordinator and no core group (two "Needs attention") first; then the two with a small core group (one
    "Watch" each), by name; the healthy community last although its name comes first."""
    healthy = healthy_potential("Alpha Healthy")
    adrift = CommunityFactory(name="Zeta Adrift", stage="potential")
    member_of(adrift)
    small_groups = []
    for name in ("Gamma Small", "Beta Small"):
        community = CommunityFactory(name=name, stage="potential")
        coordinator_of(community)
        member_of(community, "core")
        small_groups.append(community)
    for community in (healthy, adrift, *small_groups):
        SponsorshipFactory(sponsor=sponsor, community=community)

    response = sponsor_client.get(DASHBOARD)

    assert names(response) == ["Zeta Adrift", "Beta Small", "Gamma Small", "Alpha Healthy"]
    adrift_card = card_for(response, adrift)
    assert [(check.key, check.status_label) for check in adrift_card.checks] == [
        ("coordinator", "Needs attention"),
        ("core_group", "Needs attention"),
    ]
    # Checks needing action come first, whatever their order in settings.
    assert [check.key for check in card_for(response, small_groups[1]).checks] == [
        "core_group",
        "coordinator",
    ]
    assert [check.status_label for check in card_for(response, healthy).checks] == ["Healthy", "Healthy"]
    text = response.text
    assert 'text-bg-danger">Needs attention</span>' in text
    assert 'text-bg-warning">Watch</span>' in text
    assert 'text-bg-success">Healthy</span>' in text
    assert "2 checks to act on" in text
    assert "Nothing to act on" in text
    assert text.index("Zeta Adrift") < text.index("Beta Small") < text.index("Alpha Healthy")


def test_a_check_without_data_is_shown_as_such(staff_client):
    """A coalescing community without members has no active share yet: "Not enough data", in grey."""
    CommunityFactory(name="Brand New", stage="coalescing")
    response = staff_client.get(DASHBOARD)
    assert 'text-bg-secondary">Not enough data yet</span>' in response.text


def test_sorting_covers_every_community_before_paging(staff_client, settings):
    """The neediest community comes first on page 1 even though its name sorts last among 25."""
    settings.INSIGHTS_HEALTH_CHECKS = {"coordinator": {"stages": ["coalescing"]}}
    for number in range(24):
        coordinator_of(CommunityFactory(name=f"Community {number:02}"))
    CommunityFactory(name="Zz Without Coordinator")

    first = staff_client.get(DASHBOARD)
    assert len(first.context["page"].object_list) == 24
    assert names(first)[0] == "Zz Without Coordinator"
    assert "25 communities, 1\N{EN DASH}24 shown" in first.text
    assert names(staff_client.get(DASHBOARD, {"page": 2})) == ["Community 23"]


# --- Figures, trend and next activity --------------------------------------------------------------------------


def test_card_shows_members_by_level_and_active_share(sponsor_client, sponsor):
    community = CommunityFactory(name="Reliability Guild", stage="coalescing")
    coordinator_of(community)
    member_of(community, "active")
    member_of(community, "transactional")
    member_of(community, "transactional")
    SponsorshipFactory(sponsor=sponsor, community=community)

    response = sponsor_client.get(DASHBOARD)

    card = card_for(response, community)
    assert (card.figures.members, card.figures.active_members) == (4, 0)
    assert "4 members · 0 active in the last 30 days (0%)" in " ".join(response.text.split())
    assert (
        'aria-label="Members by commitment level: Core group 1, Active 1, Occasional 0, Peripheral 0, '
        'Transactional 2"' in response.text
    )
    assert "Stage: Coalescing" in response.text


def test_trend_reads_the_snapshot_at_the_end_of_each_week(sponsor_client, sponsor):
    """Eleven of the twelve week ends have a snapshot; the missing week is a gap, and snapshots of other days
    (mid-week) are not read."""
    community = CommunityFactory(name="Reliability Guild")
    SponsorshipFactory(sponsor=sponsor, community=community)
    days = trend_days(today=local_today())
    assert len(days) == TREND_WEEKS and days[-1] == local_today() - timedelta(days=1)
    assert all(later - earlier == timedelta(weeks=1) for earlier, later in itertools.pairwise(days))
    missing = 4
    for index, day in enumerate(days):
        if index != missing:
            SnapshotFactory(community=community, day=day, active_members=10 + index)
    SnapshotFactory(community=community, day=days[missing] + timedelta(days=1), active_members=99)
    SnapshotFactory(community=community, day=days[0] - timedelta(weeks=1), active_members=98)

    response = sponsor_client.get(DASHBOARD)

    card = card_for(response, community)
    expected = [10, 11, 12, 13, None, 15, 16, 17, 18, 19, 20, 21]
    assert card.trend == expected
    assert card.trend_days == days
    label = "Active members at the end of each of the last 12 weeks: 10, 11, 12, 13, no snapshot, 15, 16"
    assert label in response.text
    assert 'class="sparkline"' in response.text
    assert "99" not in card.trend_label and "98" not in card.trend_label


def test_a_community_without_snapshots_has_an_empty_trend(sponsor, sponsor_client):
    community = CommunityFactory(name="Reliability Guild")
    SponsorshipFactory(sponsor=sponsor, community=community)
    card = card_for(sponsor_client.get(DASHBOARD), community)
    assert card.trend == [None] * TREND_WEEKS
    assert "sparkline-empty" in str(card.sparkline)


def test_next_activity_is_the_next_date_that_is_not_cancelled(sponsor_client, sponsor):
    guild = CommunityFactory(name="Reliability Guild")
    quiet = CommunityFactory(name="Quiet Circle")
    for community in (guild, quiet):
        SponsorshipFactory(sponsor=sponsor, community=community)
    schedule(guild, title="Last week's review", starts_in=-timedelta(days=7))
    schedule(guild, title="Cancelled clinic", starts_in=timedelta(days=1), cancelled=True)
    upcoming = schedule(guild, title="Root-cause round table", starts_in=timedelta(days=3, hours=2))
    schedule(guild, title="Later workshop", starts_in=timedelta(days=10))
    schedule(quiet, title="Long gone", starts_in=-timedelta(days=30))

    response = sponsor_client.get(DASHBOARD)

    assert card_for(response, guild).next_occurrence == upcoming
    assert card_for(response, quiet).next_occurrence is None
    text = response.text
    assert f'href="{upcoming.get_absolute_url()}">Root-cause round table</a>' in text
    assert "in 3\xa0days" in text  # Django writes a no-break space between number and unit
    assert "Cancelled clinic" not in text and "Later workshop" not in text
    assert "Nothing scheduled" in text


def test_dashboard_cards_selector_applies_filters(staff):
    """The selector on its own: archived and stage filters, and cards for every matching community."""
    CommunityFactory(name="Live Guild", stage="maturing")
    CommunityFactory(name="Old Guild", stage="maturing", archived_at=timezone.now())
    CommunityFactory(name="Lean Circle", stage="potential")

    def listed(**filters) -> list[str]:
        return sorted(card.community.name for card in dashboard_cards(staff, **filters))

    assert listed() == ["Lean Circle", "Live Guild"]
    assert listed(include_archived=True) == ["Lean Circle", "Live Guild", "Old Guild"]
    assert listed(include_archived=True, stage="maturing") == ["Live Guild", "Old Guild"]
    assert listed(q="circle") == ["Lean Circle"]


# --- Query counts ----------------------------------------------------------------------------------------------


# The new benchmark communities' stages, so that even the 3 of scale 1 need every health-check query: the windows of
# maturing and stewardship communities (84, 90 and 180 days) and the reframing stories of transformation.
STAGES = ["stewardship", "transformation", "maturing", "coalescing", "potential"]


def grow_with_insights(sponsor=None):
    """seed_scaled, plus what the dashboard reads that it does not seed yet: a snapshot at each trend week end
    and a reframing story for every benchmark community; with `sponsor`, they sponsor every benchmark community."""

    def grow(scale: int) -> None:
        seed_scaled(scale)
        new = list(
            Community.objects.filter(slug__startswith="bench-").order_by("-pk")[
                : COMMUNITIES_PER_SCALE * scale
            ]
        )
        for index, community in enumerate(new):
            community.stage = STAGES[index % len(STAGES)]
        Community.objects.bulk_update(new, ["stage"])
        days = trend_days(today=local_today())
        Snapshot.objects.bulk_create(
            [Snapshot(community=c, day=day, active_members=3) for c in new for day in days],
            ignore_conflicts=True,
        )
        ValueStory.objects.bulk_create(
            [
                ValueStory(
                    community=c, cycle="reframing", title="New goals", story="-", happened_on=local_today()
                )
                for c in new
            ]
        )
        if sponsor is not None:
            Sponsorship.objects.bulk_create(
                [Sponsorship(community=c, sponsor=sponsor, since=local_today()) for c in new]
            )

    return grow


def test_staff_dashboard_query_count_is_constant(staff_client):
    """Every community, with stages that need all the health checks' queries (see STAGES), at scale 1 and 10,
    with nothing kept in the cache (as after a change of every community's data):

    1 the signed-in user; 2 the communities; 3-5 member figures (members by level and role, active members, org
    units); 6-9 window figures for the three windows the stages' checks need (84, 90 and 180 days, one pass
    with a filter per window: occurrences held, ledger by kind, joins and promotions, discussions); 10 reframing
    stories (for communities in transformation); 11 the trend's snapshots of the page's cards; 12 the next dates
    of the page's cards, with their activities. The session lives in Redis; the sponsor flag is cached; the
    viewer's time zone is the one active for the request.
    """
    assert_constant_queries(staff_client, DASHBOARD, grow=grow_with_insights(), expected=12, cold=True)


def test_staff_dashboard_reads_one_query_while_no_data_changes(staff_client):
    """Once computed, the communities in their order, their figures, trends and next dates are kept in the cache
    (insights.cached), the cards too (core.fragments): the one query is the signed-in user's."""
    assert_constant_queries(staff_client, DASHBOARD, grow=grow_with_insights(), expected=1)


def test_sponsor_dashboard_reads_one_query_while_no_data_changes(sponsor_client, sponsor):
    assert_constant_queries(sponsor_client, DASHBOARD, grow=grow_with_insights(sponsor), expected=1)


def test_sponsor_dashboard_query_count_is_constant(sponsor_client, sponsor):
    """The same queries for a sponsor of every benchmark community; the communities query filters by their
    sponsorships (a subquery), so the count is the same as for staff."""
    assert_constant_queries(
        sponsor_client, DASHBOARD, grow=grow_with_insights(sponsor), expected=12, cold=True
    )
