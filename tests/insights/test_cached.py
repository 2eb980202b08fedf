"""Insights figures kept in the cache (insights.cached): the dashboard and the health page compute them once per
change of a community's data and per day, and show a change at once (a membership, a post, a cancelled date,
a coordinator leaving, a person's org unit, a unit's name, a snapshot); the attention order follows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.discussions.services import discussion_start
from activities.models import Activity, Occurrence
from communities.models import Membership
from communities.services import membership_change_level, membership_join
from insights import cached
from insights.models import Snapshot
from insights.selectors import dashboard_page
from insights.snapshots import snapshots_store
from tests.factories import (
    CommunityFactory,
    OrgUnitFactory,
    SponsorshipFactory,
    UserFactory,
    ValueStoryFactory,
    coordinator_of,
    member_of,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("insights:dashboard")
CHECKS = {
    "coordinator": {"stages": ["coalescing"]},
    "active_share": {"stages": ["coalescing"], "min_percent": 50},
    "rhythm": {"stages": ["coalescing"], "window_weeks": 4, "max_gap_weeks": 2},
}


@pytest.fixture(autouse=True)
def checks(settings):
    settings.INSIGHTS_HEALTH_CHECKS = CHECKS


@pytest.fixture
def guild():
    return CommunityFactory(name="Guild", slug="guild", stage="coalescing")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def card(response, name: str):
    return next(card for card in response.context["page"].object_list if card.community.name == name)


def health_page(community) -> str:
    return reverse("insights:community", args=[community.slug])


def steady(response) -> str:
    """The page without what changes at every request (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce="|X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', r"\1", response.text)


def tables(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def held(community, *days_ago: int) -> list[Occurrence]:
    """Dates held that many days ago (the community founded long before)."""
    type(community).objects.filter(pk=community.pk).update(created_at=timezone.now() - timedelta(days=365))
    activity = Activity.objects.create(community=community, title="Guild sync", time_zone="UTC")
    dates = []
    for sequence, days in enumerate(days_ago, start=1):
        start = timezone.now() - timedelta(days=days)
        dates.append(
            Occurrence.objects.create(
                activity=activity,
                community=community,
                sequence=sequence,
                original_start=start,
                start=start,
                end=start + timedelta(hours=1),
            )
        )
    return dates


def names(response) -> list[str]:
    return [card.community.name for card in response.context["page"].object_list]


def test_the_dashboard_computes_its_figures_once_then_shows_a_new_member_at_once(staff_client, guild):
    coordinator_of(guild)
    first = staff_client.get(DASHBOARD)
    assert card(first, "Guild").figures.members == 1
    with CaptureQueriesContext(connection) as captured:
        again = staff_client.get(DASHBOARD)
    assert "communities_membership" not in tables(captured)  # kept: no member figures read
    assert steady(again) == steady(first)

    membership_join(user=UserFactory(), community=guild)

    response = staff_client.get(DASHBOARD)
    assert card(response, "Guild").figures.members == 2
    assert "2 members" in response.text


def test_a_post_makes_its_author_active_on_the_dashboard_and_the_health_page(staff_client, guild):
    coordinator_of(guild)
    author = member_of(guild)
    assert card(staff_client.get(DASHBOARD), "Guild").figures.active_members == 0
    assert staff_client.get(health_page(guild)).context["figures"].active_members == 0

    discussion_start(author=author, community=guild, title="How do you run retros?", body="Tell me.")

    assert card(staff_client.get(DASHBOARD), "Guild").figures.active_members == 1
    page = staff_client.get(health_page(guild))
    assert page.context["figures"].active_members == 1
    assert "50% of members" in page.text  # the "Now" section, a kept fragment, is made again


def test_a_cancelled_date_changes_the_rhythm_check_and_the_attention_order(staff_client, guild):
    """Alpha and Guild both held a date every ten days; cancelling one of Guild's leaves a gap of nearly three
    weeks, so its rhythm is to watch and it goes before Alpha, which comes first by name while both are alike."""
    alpha = CommunityFactory(name="Alpha", stage="coalescing")
    for community in (alpha, guild):
        coordinator_of(community)
        held(community, 23, 13, 3)
    assert names(staff_client.get(DASHBOARD)) == ["Alpha", "Guild"]
    assert names(staff_client.get(DASHBOARD)) == ["Alpha", "Guild"]  # the order is kept now

    occurrence = Occurrence.objects.get(community=guild, sequence=2)
    occurrence.cancelled = True
    occurrence.save(update_fields=["cancelled"])

    response = staff_client.get(DASHBOARD)
    assert names(response) == ["Guild", "Alpha"]
    rhythm = next(check for check in card(response, "Guild").checks if check.key == "rhythm")
    assert "(2 activities held)" in rhythm.measured
    assert "2 activities held" in staff_client.get(health_page(guild)).text


def test_a_coordinator_who_leaves_moves_the_community_up(settings, staff_client, guild):
    settings.INSIGHTS_HEALTH_CHECKS = {"coordinator": {"stages": ["coalescing"]}}
    alpha = CommunityFactory(name="Alpha", stage="coalescing")
    coordinator_of(alpha)
    coordinator_of(guild)
    assert names(staff_client.get(DASHBOARD)) == ["Alpha", "Guild"]
    assert "0 coordinators" not in staff_client.get(DASHBOARD).text

    Membership.objects.get(community=guild).delete()

    response = staff_client.get(DASHBOARD)
    assert names(response) == ["Guild", "Alpha"]
    assert "0 coordinators" in response.text


def test_a_level_change_shows_on_the_health_page(client, guild):
    sponsor = SponsorshipFactory(community=guild).sponsor
    client.force_login(sponsor)
    coordinator = coordinator_of(guild)
    newcomer = member_of(guild)
    assert client.get(health_page(guild)).context["figures"].levels["active"] == 0

    membership = Membership.objects.get(user=newcomer)
    membership_change_level(actor=coordinator, membership=membership, level="active")

    assert client.get(health_page(guild)).context["figures"].levels["active"] == 1


def test_a_member_moving_to_another_unit_and_a_unit_renamed_show_on_the_health_page(client, guild):
    sponsor = SponsorshipFactory(community=guild).sponsor
    client.force_login(sponsor)
    mover = coordinator_of(guild, user=UserFactory(org_unit=OrgUnitFactory(name="Platform")))
    payments = OrgUnitFactory(name="Payments")
    member_of(guild, user=UserFactory(org_unit=payments))
    page = client.get(health_page(guild))
    assert page.context["figures"].org_units == 2
    assert "Platform" in page.text

    mover.org_unit = payments
    mover.save()
    page = client.get(health_page(guild))
    assert page.context["figures"].org_units == 1
    assert "Platform" not in page.text

    payments.name = "Payments and billing"
    payments.save()
    assert "Payments and billing" in client.get(health_page(guild)).text


def test_stored_snapshots_make_the_history_again(client, guild):
    """Snapshots are stored in bulk (no signal): storing them bumps their communities' versions."""
    sponsor = SponsorshipFactory(community=guild).sponsor
    client.force_login(sponsor)
    yesterday = timezone.localdate() - timedelta(days=1)
    client.get(health_page(guild))
    before = cached.versions_of([guild.pk])

    snapshots_store([Snapshot(community=guild, day=yesterday, active_members=7)])

    assert cached.versions_of([guild.pk]) != before
    chart = client.get(health_page(guild))
    assert ">7</td>" in chart.text  # the active members chart's numbers


def test_an_explicit_now_computes_afresh_while_live_readers_keep_their_figures(guild):
    """A write that sends no signal (a bulk update) is not seen by the kept figures until the data's version or
    the day changes; a reader with an explicit `now` (tests, digests) computes afresh."""
    coordinator_of(guild)
    assert cached.community_health([guild])[guild.pk].figures.levels["core"] == 1

    Membership.objects.filter(community=guild).update(level="active")

    assert cached.community_health([guild])[guild.pk].figures.levels["core"] == 1  # kept
    assert cached.community_health([guild], now=timezone.now())[guild.pk].figures.levels["core"] == 0
    cached.bump([guild.pk])
    assert cached.community_health([guild])[guild.pk].figures.levels["core"] == 0


def test_the_health_checks_settings_are_part_of_the_key(settings, guild):
    coordinator_of(guild)
    assert [check.key for check in cached.community_health([guild])[guild.pk].checks] == list(CHECKS)
    settings.INSIGHTS_HEALTH_CHECKS = {"coordinator": {"stages": ["coalescing"]}}
    assert [check.key for check in cached.community_health([guild])[guild.pk].checks] == ["coordinator"]


def test_a_card_kept_in_one_time_zone_is_not_shown_in_another(client, guild):
    """The next date shows in the viewer's zone: the card is kept per zone."""
    coordinator_of(guild)
    start = timezone.now() + timedelta(days=3)
    activity = Activity.objects.create(community=guild, title="Guild sync", time_zone="UTC")
    Occurrence.objects.create(
        activity=activity,
        community=guild,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
    )
    seen = []  # the pages of a viewer in UTC, then of one in Tokyo
    for zone in ("UTC", "Asia/Tokyo"):
        viewer = UserFactory(is_staff=True)
        viewer.profile.time_zone = zone
        viewer.profile.save()
        client.force_login(viewer)
        seen.append(client.get(DASHBOARD).text)
    assert "JST" not in seen[0]
    assert "JST" in seen[1]


def test_a_kept_next_date_that_has_begun_gives_way_to_the_following_one(monkeypatch, staff, guild):
    """The cards keep each community's next three dates: as time passes the first still to come shows, without
    reading the dates again until all three have begun."""
    coordinator_of(guild)
    # A morning: the kept entries are keyed by the day, so the hours below must not cross midnight.
    now = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    activity = Activity.objects.create(community=guild, title="Clinic", time_zone="UTC")
    for hours in (1, 2, 3, 4):
        start = now + timedelta(hours=hours)
        Occurrence.objects.create(
            activity=activity,
            community=guild,
            sequence=hours,
            original_start=start,
            start=start,
            end=start + timedelta(minutes=30),
        )

    def next_date(at):
        monkeypatch.setattr(timezone, "now", lambda: at)
        with CaptureQueriesContext(connection) as captured:
            (card,) = dashboard_page(staff, per_page=24).object_list
        return card.next_occurrence.sequence, "activities_occurrence" in tables(captured)

    assert next_date(now) == (1, True)
    assert next_date(now + timedelta(minutes=90)) == (2, False)
    assert next_date(now + timedelta(minutes=150)) == (3, False)
    assert next_date(now + timedelta(minutes=210)) == (4, True)  # all three kept have begun: read again


def test_the_kept_trend_follows_a_new_snapshot(staff, guild):
    coordinator_of(guild)
    yesterday = timezone.localdate() - timedelta(days=1)
    (card,) = dashboard_page(staff, per_page=24).object_list
    assert card.trend[-1] is None

    Snapshot.objects.create(community=guild, day=yesterday, active_members=5)

    (card,) = dashboard_page(staff, per_page=24).object_list
    assert card.trend[-1] == 5


def test_the_health_page_seen_again_is_the_page_made_afresh(client, guild):
    """Kept sections and figures give the same page as computing them: with members, dates held, a story,
    snapshots and org units."""
    sponsor = SponsorshipFactory(community=guild).sponsor
    client.force_login(sponsor)
    coordinator = coordinator_of(guild, user=UserFactory(org_unit=OrgUnitFactory(name="Platform")))
    author = member_of(guild, "active")
    held(guild, 20, 10, 2)
    discussion_start(author=author, community=guild, title="Retros?", body="How do you run them?")
    Snapshot.objects.create(community=guild, day=timezone.localdate() - timedelta(days=1), active_members=2)
    ValueStoryFactory(community=guild, cycle="realized", title="Fewer incidents", recorded_by=coordinator)
    for query in ("", "?period=30"):
        first = client.get(health_page(guild) + query)
        with CaptureQueriesContext(connection) as captured:
            again = client.get(health_page(guild) + query)
        assert "communities_participation" not in tables(captured)
        assert steady(again) == steady(first)
        assert "Fewer incidents" in again.text and "Platform" in again.text


def test_the_kept_list_of_communities_follows_sponsorships_new_communities_and_names(staff_client):
    sponsor = UserFactory()
    client = Client()
    client.force_login(sponsor)
    first = CommunityFactory(name="Beta", stage="coalescing")
    sponsorship = SponsorshipFactory(community=first, sponsor=sponsor)
    assert names(client.get(DASHBOARD)) == ["Beta"]
    assert names(staff_client.get(DASHBOARD)) == ["Beta"]

    second = CommunityFactory(name="Gamma", stage="coalescing")
    assert names(staff_client.get(DASHBOARD)) == ["Beta", "Gamma"]
    assert names(client.get(DASHBOARD)) == ["Beta"]
    SponsorshipFactory(community=second, sponsor=sponsor)
    assert names(client.get(DASHBOARD)) == ["Beta", "Gamma"]

    second.name = "Alpha"
    second.save()
    assert names(staff_client.get(DASHBOARD)) == ["Alpha", "Beta"]
    sponsorship.delete()
    assert names(client.get(DASHBOARD)) == ["Alpha"]
    second.archived_at = timezone.now()
    second.save()
    assert names(staff_client.get(DASHBOARD)) == ["Beta"]
    assert names(staff_client.get(DASHBOARD + "?archived=on")) == ["Alpha", "Beta"]


def test_a_story_its_recorder_s_new_name_and_their_leaving_show_on_the_health_page(client, guild):
    """The recorder is a sponsor, not a member: their name is kept with the stories of the community."""
    sponsor = SponsorshipFactory(community=guild, sponsor=UserFactory(full_name="Sol Sponsor")).sponsor
    client.force_login(UserFactory(is_staff=True))
    assert "Fewer incidents" not in client.get(health_page(guild)).text

    ValueStoryFactory(community=guild, cycle="realized", title="Fewer incidents", recorded_by=sponsor)
    assert "recorded by Sol Sponsor" in client.get(health_page(guild)).text

    sponsor.full_name = "Sol Sponsor-Smith"
    sponsor.save()
    assert "recorded by Sol Sponsor-Smith" in client.get(health_page(guild)).text

    sponsor.delete()
    assert "recorded by a former user" in client.get(health_page(guild)).text
