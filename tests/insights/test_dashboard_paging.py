"""The dashboard's pages: every community is ranked by attention, but only the page's cards get their trend and
next date (the rest of a card is what the ranking already computed)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import insights.selectors
from activities.models import Activity, Occurrence
from insights.selectors import dashboard_cards, dashboard_page
from tests.factories import CommunityFactory, SnapshotFactory, coordinator_of

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("insights:dashboard")


@pytest.fixture
def seven(settings):
    """Seven coalescing communities; the three without a coordinator need attention (and sort first by name)."""
    settings.INSIGHTS_HEALTH_CHECKS = {"coordinator": {"stages": ["coalescing"]}}
    communities = []
    for number in range(7):
        community = CommunityFactory(name=f"Community {number}", stage="coalescing")
        if number % 2 == 0:
            coordinator_of(community)
        communities.append(community)
    return communities


def test_pages_follow_the_attention_order_of_every_card(staff, seven):
    """Page by page, the cards are those of the full order, cut in pages, each with its trend and next date."""
    everything = [card.community.name for card in dashboard_cards(staff)]
    assert everything == [f"Community {n}" for n in (1, 3, 5, 0, 2, 4, 6)]
    pages = [dashboard_page(staff, number=number, per_page=3) for number in (1, 2, 3)]
    assert [[card.community.name for card in page.object_list] for page in pages] == [
        everything[0:3],
        everything[3:6],
        everything[6:],
    ]
    assert (pages[0].paginator.count, pages[0].paginator.num_pages) == (7, 3)
    assert all(len(card.trend) == len(card.trend_days) for page in pages for card in page.object_list)


def test_only_the_page_s_communities_get_a_trend_and_a_next_date(staff, seven, monkeypatch):
    read: dict[str, list] = {"trends": [], "next": []}
    trends, upcoming = insights.selectors._active_trends, insights.selectors._next_occurrences

    def spy_trends(ids, days):
        read["trends"].append(sorted(ids))
        return trends(ids, days)

    def spy_next(communities, *, now):
        read["next"].append(sorted(community.pk for community in communities))
        return upcoming(communities, now=now)

    monkeypatch.setattr(insights.selectors, "_active_trends", spy_trends)
    monkeypatch.setattr(insights.selectors, "_next_occurrences", spy_next)
    page = dashboard_page(staff, number=2, per_page=3)
    shown = sorted(card.community.pk for card in page.object_list)
    assert read == {"trends": [shown], "next": [shown]}
    assert len(shown) == 3


def test_a_card_on_a_later_page_shows_its_own_trend_and_next_date(staff, seven):
    last = seven[6]  # healthy and last by name: alone on page 3 of three cards each
    yesterday = timezone.localdate() - timedelta(days=1)
    SnapshotFactory(community=last, day=yesterday, active_members=4)
    start = timezone.now() + timedelta(days=2)
    activity = Activity.objects.create(community=last, title="Clinic", time_zone="UTC")
    Occurrence.objects.create(
        activity=activity,
        community=last,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
    )
    (card,) = dashboard_page(staff, number=3, per_page=3).object_list
    assert card.community == last
    assert card.trend[-1] == 4
    assert card.next_occurrence.activity.title == "Clinic"


@pytest.mark.parametrize(("number", "shown"), [("0", 3), ("9", 3), ("x", 1), (None, 1)])
def test_an_out_of_range_or_malformed_page_gives_a_page_as_paginator_get_page_does(
    staff, seven, number, shown
):
    assert dashboard_page(staff, number=number, per_page=3).number == shown


def test_the_view_shows_the_asked_page(client, staff, seven, monkeypatch):
    monkeypatch.setattr("insights.views.dashboard.CARDS_PER_PAGE", 3)
    client.force_login(staff)
    response = client.get(DASHBOARD, {"page": 3})
    assert [card.community.name for card in response.context["page"].object_list] == ["Community 6"]
    assert "7 communities, 7\N{EN DASH}7 shown" in response.text


def test_no_community_no_card_query(staff, django_assert_num_queries):
    """With nothing to rank, the page is empty and neither trends nor next dates are read (the one query is the
    communities')."""
    with django_assert_num_queries(1):
        page = dashboard_page(staff, number=1, per_page=3)
    assert list(page.object_list) == []
